#include "ui/window/ProfileDialog.h"

#include "api/BaseUrl.h"
#include "api/ClientConfig.h"
#include "store/ProfileStore.h"
#include "store/SecretStore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

std::optional<QString> ProfileDialog::s_nextCaFile;

namespace {

using ProxyMode = NetworkSettings::ProxyMode;

// A proxy password is sent when the profile names a proxy user: to the manual proxy, or (system
// mode) to the proxy the OS or *_PROXY names when it asks.
bool hasProxyLogin(const NetworkSettings &network)
{
    return network.proxyMode != ProxyMode::None && !network.proxyUser.isEmpty();
}

// Whether a stored proxy password still belongs to the login: it goes to no other proxy or user.
bool sameProxyLogin(const NetworkSettings &a, const NetworkSettings &b)
{
    if (a.proxyMode != b.proxyMode || a.proxyUser != b.proxyUser)
        return false;
    return a.proxyMode != ProxyMode::Manual ||
           (a.proxyType == b.proxyType && a.proxyHost.compare(b.proxyHost, Qt::CaseInsensitive) == 0 &&
            a.proxyPort == b.proxyPort);
}

} // namespace

ProfileDialog::ProfileDialog(ProfileStore *profiles, SecretStore *secrets, const Profile &profile,
                             QWidget *parent)
    : QDialog(parent), m_profiles(profiles), m_secrets(secrets), m_editing(!profile.name.isEmpty()),
      m_storedNetwork(profile.network), m_tabWidget(new QTabWidget(this)),
      m_nameLineEdit(new QLineEdit(profile.name, this)), m_baseUrlLineEdit(new QLineEdit(this)),
      m_environmentComboBox(new QComboBox(this)), m_apiKeyLineEdit(new QLineEdit(this)),
      m_secretLineEdit(new QLineEdit(this)), m_errorLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(m_editing ? tr("Edit profile %1").arg(profile.name) : tr("Add a profile"));
    m_tabWidget->setObjectName(QStringLiteral("profileTabWidget"));
    m_nameLineEdit->setObjectName(QStringLiteral("nameLineEdit"));
    m_baseUrlLineEdit->setObjectName(QStringLiteral("baseUrlLineEdit"));
    m_environmentComboBox->setObjectName(QStringLiteral("environmentComboBox"));
    m_apiKeyLineEdit->setObjectName(QStringLiteral("apiKeyLineEdit"));
    m_secretLineEdit->setObjectName(QStringLiteral("secretLineEdit"));
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_nameLineEdit->setAccessibleName(tr("Profile name"));
    m_baseUrlLineEdit->setAccessibleName(tr("Base URL"));
    m_environmentComboBox->setAccessibleName(tr("Environment"));
    m_apiKeyLineEdit->setAccessibleName(tr("API key"));
    m_secretLineEdit->setAccessibleName(tr("Identity-verification secret"));

    m_nameLineEdit->setReadOnly(m_editing);
    m_baseUrlLineEdit->setText(profile.baseUrl.isEmpty() ? ClientConfig().baseUrl.toString()
                                                         : profile.baseUrl.toString());
    for (Profile::Environment environment :
         {Profile::Environment::Production, Profile::Environment::Staging, Profile::Environment::Sandbox})
        m_environmentComboBox->addItem(Profile::environmentName(environment), static_cast<int>(environment));
    m_environmentComboBox->setCurrentIndex(
        m_environmentComboBox->findData(static_cast<int>(profile.environment)));
    for (QLineEdit *edit : {m_apiKeyLineEdit, m_secretLineEdit})
        edit->setEchoMode(QLineEdit::Password);
    m_apiKeyLineEdit->setPlaceholderText(m_editing ? tr("Leave empty to keep the stored key")
                                                   : tr("Required"));
    m_secretLineEdit->setPlaceholderText(tr("Optional; for the HMAC tool"));
    // Wide enough to show a whole base URL, a company gateway's included, without scrolling it.
    const QFontMetrics metrics = m_baseUrlLineEdit->fontMetrics();
    m_baseUrlLineEdit->setMinimumWidth(metrics.horizontalAdvance(QString(BaseUrlChars, QLatin1Char('x'))) +
                                       6 * metrics.averageCharWidth());
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828;"));

    m_tabWidget->addTab(makeGeneralPage(), tr("General"));
    m_tabWidget->addTab(makeNetworkPage(profile.network), tr("Network"));
    if (profile.isEmbeddedSandbox()) {
        // It runs on this machine, so there is nothing to route: it never uses a proxy.
        m_tabWidget->setTabEnabled(m_tabWidget->indexOf(m_networkPage), false);
        m_tabWidget->setTabToolTip(m_tabWidget->indexOf(m_networkPage),
                                   tr("The built-in Sandbox runs on this machine and never uses a proxy"));
    }

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_savePushButton = buttons->button(QDialogButtonBox::Save);
    m_savePushButton->setObjectName(QStringLiteral("savePushButton"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabWidget);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_savePushButton, &QPushButton::clicked, this, &ProfileDialog::save);
    connect(this, &ProfileDialog::saved, this, &QDialog::accept);
    setMinimumWidth(520); // room for a base URL, a bypass list and a CA file's path
}

QWidget *ProfileDialog::makeGeneralPage()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("generalPageWidget"));
    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_nameLineEdit);
    form->addRow(tr("Base URL"), m_baseUrlLineEdit);
    form->addRow(tr("Environment"), m_environmentComboBox);
    form->addRow(tr("API key"), m_apiKeyLineEdit);
    form->addRow(tr("Verification secret"), m_secretLineEdit);
    auto *note = new QLabel(
        tr("The key, the secret and the proxy password are stored in the system keychain, never in a file."),
        page);
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addStretch(1);
    return page;
}

QWidget *ProfileDialog::makeNetworkPage(const NetworkSettings &network)
{
    m_networkPage = new QWidget(this);
    m_networkPage->setObjectName(QStringLiteral("networkPageWidget"));
    m_proxyModeComboBox = new QComboBox(m_networkPage);
    m_proxyTypeComboBox = new QComboBox(m_networkPage);
    m_proxyHostLineEdit = new QLineEdit(network.proxyHost, m_networkPage);
    m_proxyPortSpinBox = new QSpinBox(m_networkPage);
    m_proxyBypassLineEdit = new QLineEdit(network.proxyBypass.join(QLatin1String(", ")), m_networkPage);
    m_proxyUserLineEdit = new QLineEdit(network.proxyUser, m_networkPage);
    m_proxyPasswordLineEdit = new QLineEdit(m_networkPage);
    m_caFileLineEdit = new QLineEdit(network.caFile, m_networkPage);
    m_caFileBrowsePushButton = new QPushButton(tr("Browse…"), m_networkPage);
    m_timeoutSpinBox = new QDoubleSpinBox(m_networkPage);
    m_proxyModeComboBox->setObjectName(QStringLiteral("proxyModeComboBox"));
    m_proxyTypeComboBox->setObjectName(QStringLiteral("proxyTypeComboBox"));
    m_proxyHostLineEdit->setObjectName(QStringLiteral("proxyHostLineEdit"));
    m_proxyPortSpinBox->setObjectName(QStringLiteral("proxyPortSpinBox"));
    m_proxyBypassLineEdit->setObjectName(QStringLiteral("proxyBypassLineEdit"));
    m_proxyUserLineEdit->setObjectName(QStringLiteral("proxyUserLineEdit"));
    m_proxyPasswordLineEdit->setObjectName(QStringLiteral("proxyPasswordLineEdit"));
    m_caFileLineEdit->setObjectName(QStringLiteral("caFileLineEdit"));
    m_caFileBrowsePushButton->setObjectName(QStringLiteral("caFileBrowsePushButton"));
    m_timeoutSpinBox->setObjectName(QStringLiteral("timeoutSpinBox"));
    m_proxyModeComboBox->setAccessibleName(tr("Proxy"));
    m_proxyTypeComboBox->setAccessibleName(tr("Proxy type"));
    m_proxyHostLineEdit->setAccessibleName(tr("Proxy host"));
    m_proxyPortSpinBox->setAccessibleName(tr("Proxy port"));
    m_proxyBypassLineEdit->setAccessibleName(tr("Hosts that bypass the proxy"));
    m_proxyUserLineEdit->setAccessibleName(tr("Proxy user"));
    m_proxyPasswordLineEdit->setAccessibleName(tr("Proxy password"));
    m_caFileLineEdit->setAccessibleName(tr("Extra CA certificates file"));
    m_timeoutSpinBox->setAccessibleName(tr("Timeout in seconds"));

    m_proxyModeComboBox->addItem(tr("System settings"), static_cast<int>(ProxyMode::System));
    m_proxyModeComboBox->addItem(tr("No proxy"), static_cast<int>(ProxyMode::None));
    m_proxyModeComboBox->addItem(tr("Manual"), static_cast<int>(ProxyMode::Manual));
    m_proxyModeComboBox->setCurrentIndex(m_proxyModeComboBox->findData(static_cast<int>(network.proxyMode)));
    m_proxyModeComboBox->setToolTip(tr("System settings: the *_PROXY variables, else the system's proxy "
                                       "configuration; never for this machine's own servers"));
    m_proxyTypeComboBox->addItem(tr("HTTP"), static_cast<int>(NetworkSettings::ProxyType::Http));
    m_proxyTypeComboBox->addItem(tr("SOCKS5"), static_cast<int>(NetworkSettings::ProxyType::Socks5));
    m_proxyTypeComboBox->setCurrentIndex(m_proxyTypeComboBox->findData(static_cast<int>(network.proxyType)));
    m_proxyHostLineEdit->setPlaceholderText(tr("proxy.example.com"));
    // 0 reads as "no port", which the check refuses for a manual proxy.
    m_proxyPortSpinBox->setRange(0, 65535);
    m_proxyPortSpinBox->setSpecialValueText(tr("none"));
    m_proxyPortSpinBox->setValue(network.proxyPort);
    m_proxyBypassLineEdit->setPlaceholderText(tr("e.g. localhost, .corp.example.com, 10.0.0.0/8"));
    m_proxyUserLineEdit->setPlaceholderText(tr("Only if the proxy asks for a login"));
    m_proxyPasswordLineEdit->setEchoMode(QLineEdit::Password);
    m_proxyPasswordLineEdit->setPlaceholderText(m_editing && hasProxyLogin(network)
                                                    ? tr("Leave empty to keep the stored password")
                                                    : tr("Stored in the system keychain"));
    m_caFileLineEdit->setPlaceholderText(tr("Optional: a PEM file, trusted besides the system's CAs"));
    // Seconds for people, milliseconds in the file; the range is wider than allowed on purpose,
    // so that NetworkSettings::check names the limits instead of the box clamping silently.
    m_timeoutSpinBox->setDecimals(1);
    m_timeoutSpinBox->setRange(0, 100000);
    m_timeoutSpinBox->setSuffix(tr(" s"));
    m_timeoutSpinBox->setValue(network.timeoutMs / 1000.0);

    auto *caFileRow = new QHBoxLayout;
    caFileRow->addWidget(m_caFileLineEdit, 1);
    caFileRow->addWidget(m_caFileBrowsePushButton);
    auto *form = new QFormLayout;
    form->addRow(tr("Proxy"), m_proxyModeComboBox);
    form->addRow(tr("Type"), m_proxyTypeComboBox);
    form->addRow(tr("Host"), m_proxyHostLineEdit);
    form->addRow(tr("Port"), m_proxyPortSpinBox);
    form->addRow(tr("Bypass for"), m_proxyBypassLineEdit);
    form->addRow(tr("User"), m_proxyUserLineEdit);
    form->addRow(tr("Password"), m_proxyPasswordLineEdit);
    form->addRow(tr("CA file"), caFileRow);
    form->addRow(tr("Timeout"), m_timeoutSpinBox);
    auto *layout = new QVBoxLayout(m_networkPage);
    layout->addLayout(form);
    layout->addStretch(1);

    connect(m_proxyModeComboBox, &QComboBox::currentIndexChanged, this, &ProfileDialog::updateNetworkFields);
    connect(m_caFileBrowsePushButton, &QPushButton::clicked, this, &ProfileDialog::browseCaFile);
    updateNetworkFields();
    return m_networkPage;
}

void ProfileDialog::updateNetworkFields()
{
    const auto mode = static_cast<ProxyMode>(m_proxyModeComboBox->currentData().toInt());
    for (QWidget *manualOnly : std::initializer_list<QWidget *>{m_proxyTypeComboBox, m_proxyHostLineEdit,
                                                                m_proxyPortSpinBox, m_proxyBypassLineEdit})
        manualOnly->setEnabled(mode == ProxyMode::Manual);
    // A system proxy may ask for a login too; the console then gives it this one.
    for (QLineEdit *login : {m_proxyUserLineEdit, m_proxyPasswordLineEdit})
        login->setEnabled(mode != ProxyMode::None);
}

void ProfileDialog::setNextCaFile(const QString &path)
{
    s_nextCaFile = path;
}

void ProfileDialog::browseCaFile()
{
    QString path;
    if (s_nextCaFile) {
        path = *s_nextCaFile;
        s_nextCaFile.reset();
    } else {
        const QString current = m_caFileLineEdit->text().trimmed();
        path = QFileDialog::getOpenFileName(this, tr("CA certificates (PEM)"),
                                            current.isEmpty() ? QString() : QFileInfo(current).absolutePath(),
                                            tr("Certificates (*.pem *.crt *.cer);;All files (*)"));
    }
    if (!path.isEmpty())
        m_caFileLineEdit->setText(path);
}

NetworkSettings ProfileDialog::networkFromFields() const
{
    NetworkSettings network;
    network.proxyMode = static_cast<ProxyMode>(m_proxyModeComboBox->currentData().toInt());
    if (network.proxyMode == ProxyMode::Manual) {
        network.proxyType =
            static_cast<NetworkSettings::ProxyType>(m_proxyTypeComboBox->currentData().toInt());
        network.proxyHost = m_proxyHostLineEdit->text().trimmed();
        network.proxyPort = static_cast<quint16>(m_proxyPortSpinBox->value());
        for (const QString &entry :
             m_proxyBypassLineEdit->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!entry.trimmed().isEmpty())
                network.proxyBypass << entry.trimmed();
        }
    }
    if (network.proxyMode != ProxyMode::None)
        network.proxyUser = m_proxyUserLineEdit->text().trimmed();
    network.caFile = m_caFileLineEdit->text().trimmed();
    network.timeoutMs = qRound(m_timeoutSpinBox->value() * 1000);
    return network;
}

QString ProfileDialog::errorText() const
{
    return m_errorLabel->text();
}

void ProfileDialog::reject()
{
    if (!m_writing)
        QDialog::reject();
}

void ProfileDialog::fail(const QString &message)
{
    m_writing = false;
    m_errorLabel->setText(message);
    m_savePushButton->setEnabled(true);
    emit failed(message);
}

void ProfileDialog::save()
{
    Profile profile;
    profile.name = m_nameLineEdit->text().trimmed();
    profile.environment = static_cast<Profile::Environment>(m_environmentComboBox->currentData().toInt());
    profile.network = networkFromFields();
    if (!ProfileStore::isValidName(profile.name) || profile.name == Profile::embeddedSandboxName()) {
        fail(tr("'%1' cannot be used as a profile name (letters, digits, space, . _ -)").arg(profile.name));
        return;
    }
    if (!m_editing && m_profiles->contains(profile.name)) {
        fail(tr("A profile named %1 exists already").arg(profile.name));
        return;
    }
    const QByteArray key = m_apiKeyLineEdit->text().trimmed().toUtf8();
    if (!m_editing && key.isEmpty()) {
        fail(tr("Enter the profile's API key"));
        return;
    }
    // Before anything is written: settings that cannot be used are never half saved.
    QString networkError;
    if (!profile.network.check(&networkError)) {
        m_tabWidget->setCurrentWidget(m_networkPage);
        fail(tr("Network settings: %1").arg(networkError));
        return;
    }
    const QByteArray proxyPassword = m_proxyPasswordLineEdit->text().toUtf8();
    if (!proxyPassword.isEmpty() && !hasProxyLogin(profile.network)) {
        m_tabWidget->setCurrentWidget(m_networkPage);
        fail(tr("Network settings: a proxy password needs a proxy user"));
        return;
    }
    // The base URL too (and all that saving checks) before any key is written: a profile that
    // cannot be saved must not leave its key in the keychain, nor replace a working one.
    QString profileError;
    if (BaseUrl::check(m_baseUrlLineEdit->text(), &profile.baseUrl, &profileError) !=
            BaseUrl::Problem::None ||
        !ProfileStore::check(profile, &profileError)) {
        fail(profileError);
        return;
    }

    QList<KeychainJob> jobs;
    if (!key.isEmpty())
        jobs.append({profile.apiKeySecretName(), key});
    const QByteArray secret = m_secretLineEdit->text().toUtf8();
    if (!secret.isEmpty())
        jobs.append({profile.verificationSecretName(), secret});
    if (!proxyPassword.isEmpty()) {
        jobs.append({profile.proxyPasswordSecretName(), proxyPassword});
    } else if (m_editing && hasProxyLogin(m_storedNetwork) &&
               !(hasProxyLogin(profile.network) && sameProxyLogin(m_storedNetwork, profile.network))) {
        // The stored password was given for the previous proxy login; another proxy host or
        // user must not receive it, so it goes when the login changes (as `journy profile set`).
        jobs.append({profile.proxyPasswordSecretName(), std::nullopt});
    }
    m_savePushButton->setEnabled(false);
    runKeychainJobs(profile, jobs);
}

void ProfileDialog::runKeychainJobs(const Profile &profile, QList<KeychainJob> jobs)
{
    // The secrets first: a profile saved without its key would be a profile that cannot work.
    // The keychain answers later; the dialog may be gone by then (its window closed with the app).
    m_writing = true;
    const QPointer<ProfileDialog> self(this);
    if (jobs.isEmpty()) {
        m_writing = false;
        QString error;
        if (!m_profiles->save(profile, &error)) {
            fail(error);
            return;
        }
        emit saved(profile.name);
        return;
    }
    const KeychainJob job = jobs.takeFirst();
    auto next = [self, profile, jobs, removing = !job.secret](const SecretStore::Result &result) {
        if (!self)
            return;
        // Removing what is not there is what removing was for.
        if (!result.ok() && !(removing && result.error == SecretStore::Error::NotFound)) {
            self->fail(tr("The profile was not saved: %1").arg(result.message));
            return;
        }
        self->runKeychainJobs(profile, jobs);
    };
    if (job.secret)
        m_secrets->write(job.name, *job.secret, next);
    else
        m_secrets->remove(job.name, next);
}

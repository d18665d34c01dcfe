#include "ui/window/ProxyLoginDialog.h"

#include "api/ApiResult.h"
#include "store/ProfileStore.h"
#include "store/SecretStore.h"
#include "ui/session/ConsoleSession.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

bool ProxyLoginDialog::asksForLogin(const ApiResult &result)
{
    if (result.failure == ApiResult::Failure::ProxyAuth)
        return true;
    if (result.httpStatus != 401 || !result.route.startsWith(QLatin1String("via HTTP proxy ")) ||
        !result.requestUrl.startsWith(QLatin1String("http://")))
        return false;
    for (const auto &header : result.responseHeaders) {
        if (header.first.compare("WWW-Authenticate", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool ProxyLoginDialog::parseRoute(const QString &route, QString *host, quint16 *port)
{
    // ProxyResolver::describe(): "via HTTP proxy proxy.corp:3128"; the port is what follows the
    // last colon, so an IPv6 host ("::1", or "[::1]") keeps its own colons.
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral(R"(via \S+ proxy \[?(.+?)\]?:(\d+))")));
    const QRegularExpressionMatch match = pattern.match(route);
    if (!match.hasMatch())
        return false;
    const uint number = match.captured(2).toUInt();
    if (number == 0 || number > 65535)
        return false;
    *host = match.captured(1);
    *port = static_cast<quint16>(number);
    return true;
}

ProxyLoginDialog::ProxyLoginDialog(ConsoleSession *session, const QString &route, QWidget *parent)
    : QDialog(parent), m_session(session), m_profile(session->profile()), m_proxyLabel(new QLabel(this)),
      m_userLineEdit(new QLineEdit(m_profile.network.proxyUser, this)),
      m_passwordLineEdit(new QLineEdit(this)),
      m_savePasswordCheckBox(new QCheckBox(tr("Save the password in the keychain"), this)),
      m_errorLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("proxyLoginDialog"));
    setWindowTitle(tr("Proxy login"));
    m_proxyLabel->setObjectName(QStringLiteral("proxyLabel"));
    m_userLineEdit->setObjectName(QStringLiteral("userLineEdit"));
    m_passwordLineEdit->setObjectName(QStringLiteral("passwordLineEdit"));
    m_savePasswordCheckBox->setObjectName(QStringLiteral("savePasswordCheckBox"));
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_userLineEdit->setAccessibleName(tr("Proxy user"));
    m_passwordLineEdit->setAccessibleName(tr("Proxy password"));
    m_passwordLineEdit->setEchoMode(QLineEdit::Password);

    if (!parseRoute(route, &m_host, &m_port) &&
        m_profile.network.proxyMode == NetworkSettings::ProxyMode::Manual) {
        m_host = m_profile.network.proxyHost;
        m_port = m_profile.network.proxyPort;
    }
    const QString proxy = route.startsWith(QLatin1String("via ")) ? route.mid(4) : tr("The proxy");
    m_proxyLabel->setText(tr("%1 wants a login for the profile %2.").arg(proxy, m_profile.name));
    m_proxyLabel->setWordWrap(true);
    // Only a saved profile has settings and a keychain entry to keep the login in.
    const bool canSave = !m_profile.isEmbeddedSandbox() && m_session->profiles()->contains(m_profile.name);
    m_savePasswordCheckBox->setEnabled(canSave);
    m_savePasswordCheckBox->setToolTip(
        tr("Unticked, the login is kept until the console quits; ticked, the user goes into the profile "
           "and the password into the system keychain"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828;"));

    auto *form = new QFormLayout;
    form->addRow(tr("User"), m_userLineEdit);
    form->addRow(tr("Password"), m_passwordLineEdit);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_logInPushButton = buttons->addButton(tr("Log in"), QDialogButtonBox::AcceptRole);
    m_logInPushButton->setObjectName(QStringLiteral("logInPushButton"));
    m_logInPushButton->setDefault(true);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_proxyLabel);
    layout->addLayout(form);
    layout->addWidget(m_savePasswordCheckBox);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);
    connect(m_logInPushButton, &QPushButton::clicked, this, &ProxyLoginDialog::logIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(this, &ProxyLoginDialog::loggedIn, this, &QDialog::accept);
    (m_userLineEdit->text().isEmpty() ? m_userLineEdit : m_passwordLineEdit)->setFocus();
    setMinimumWidth(380);
}

QString ProxyLoginDialog::errorText() const
{
    return m_errorLabel->text();
}

void ProxyLoginDialog::reject()
{
    if (!m_writing)
        QDialog::reject();
}

void ProxyLoginDialog::fail(const QString &message)
{
    m_writing = false;
    m_errorLabel->setText(message);
    m_logInPushButton->setEnabled(true);
    emit failed(message);
}

void ProxyLoginDialog::logIn()
{
    const QString user = m_userLineEdit->text().trimmed();
    const QString password = m_passwordLineEdit->text();
    if (m_host.isEmpty() || m_port == 0) {
        fail(tr("The proxy's address is not known: set the proxy in the profile's Network settings"));
        return;
    }
    if (user.isEmpty()) {
        fail(tr("Enter the proxy user"));
        return;
    }
    if (!m_savePasswordCheckBox->isChecked()) {
        m_session->useProxyLogin(m_host, m_port, user, password);
        emit loggedIn(m_profile.name, false);
        return;
    }
    if (password.isEmpty()) {
        fail(tr("Enter the password to save it"));
        return;
    }
    // The password first, as ProfileDialog does: a user saved without it would be sent alone.
    m_writing = true;
    m_logInPushButton->setEnabled(false);
    const QPointer<ProxyLoginDialog> self(this);
    m_session->secrets()->write(m_profile.proxyPasswordSecretName(), password.toUtf8(),
                                [self, user, password](const SecretStore::Result &result) {
                                    if (self)
                                        self->passwordWritten(result, user, password);
                                });
}

void ProxyLoginDialog::passwordWritten(const SecretStore::Result &result, const QString &user,
                                       const QString &password)
{
    m_writing = false;
    if (!result.ok()) {
        fail(tr("The login was not saved: %1").arg(result.message));
        return;
    }
    ProfileStore *profiles = m_session->profiles();
    // As stored now, not as when the dialog opened: only the user changes.
    Profile profile = profiles->profile(m_profile.name);
    if (profile.name.isEmpty()) {
        fail(tr("The profile %1 no longer exists").arg(m_profile.name));
        return;
    }
    profile.network.proxyUser = user;
    QString error;
    if (!profiles->save(profile, &error)) {
        fail(tr("The login was not saved: %1").arg(error));
        return;
    }
    // A manual proxy's login is part of the profile's settings: a client takes it when the
    // profile is activated again. A system proxy is found per request: the login is given to
    // this one now, and again by the session whenever the profile is activated.
    const bool manual = profile.network.proxyMode == NetworkSettings::ProxyMode::Manual;
    if (!manual)
        m_session->useProxyLogin(m_host, m_port, user, password);
    emit loggedIn(profile.name, manual);
}

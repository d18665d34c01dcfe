#include "ui/hmac/HmacPage.h"

#include "api/IdentityVerifier.h"
#include "store/SecretStore.h"
#include "ui/session/ConsoleSession.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace {

// A literal in single quotes as PHP and Ruby read it: only \ and ' need escaping there.
QString singleQuoted(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

// A literal in double quotes as JavaScript and Python both read it.
QString doubleQuoted(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 2);
    escaped += QLatin1Char('"');
    for (const QChar c : text) {
        if (c == QLatin1Char('\\') || c == QLatin1Char('"'))
            escaped += QLatin1Char('\\') + QString(c);
        else if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.unicode() == 0x2028 || c.unicode() == 0x2029)
            escaped += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            escaped += c;
    }
    escaped += QLatin1Char('"');
    return escaped;
}

// An ID is needed for the snippet to run; an empty field gets an obvious placeholder.
QString idOrPlaceholder(const QString &id)
{
    return id.isEmpty() ? QStringLiteral("USER_OR_ACCOUNT_ID") : id;
}

QPlainTextEdit *codeView(const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

HmacPage::HmacPage(ConsoleSession *session, QWidget *parent)
    : ConsolePage(session, parent), m_idLineEdit(new QLineEdit(this)), m_secretLineEdit(new QLineEdit(this)),
      m_showSecretPushButton(new QPushButton(tr("Show"), this)),
      m_useProfileSecretPushButton(new QPushButton(tr("Use the profile's secret"), this)),
      m_secretStatusLabel(new QLabel(this)), m_hashLineEdit(new QLineEdit(this)),
      m_copyPushButton(new QPushButton(tr("Copy"), this)), m_verifyLineEdit(new QLineEdit(this)),
      m_verifyResultLabel(new QLabel(this)), m_snippetsTabWidget(new QTabWidget(this)),
      m_phpPlainTextEdit(codeView(QStringLiteral("phpPlainTextEdit"), tr("PHP code"), this)),
      m_nodePlainTextEdit(codeView(QStringLiteral("nodePlainTextEdit"), tr("Node.js code"), this)),
      m_rubyPlainTextEdit(codeView(QStringLiteral("rubyPlainTextEdit"), tr("Ruby code"), this)),
      m_pythonPlainTextEdit(codeView(QStringLiteral("pythonPlainTextEdit"), tr("Python code"), this))
{
    m_idLineEdit->setObjectName(QStringLiteral("idLineEdit"));
    m_idLineEdit->setAccessibleName(tr("User or account ID"));
    m_idLineEdit->setPlaceholderText(tr("The userId or accountId the website identifies"));
    m_secretLineEdit->setObjectName(QStringLiteral("secretLineEdit"));
    m_secretLineEdit->setAccessibleName(tr("Identity-verification secret"));
    m_secretLineEdit->setPlaceholderText(tr("The website's identity-verification secret"));
    m_secretLineEdit->setEchoMode(QLineEdit::Password);
    m_showSecretPushButton->setObjectName(QStringLiteral("showSecretPushButton"));
    m_showSecretPushButton->setAccessibleName(tr("Show the secret"));
    m_showSecretPushButton->setCheckable(true);
    m_useProfileSecretPushButton->setObjectName(QStringLiteral("useProfileSecretPushButton"));
    m_secretStatusLabel->setObjectName(QStringLiteral("secretStatusLabel"));
    m_secretStatusLabel->setWordWrap(true);
    m_secretStatusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hashLineEdit->setObjectName(QStringLiteral("hashLineEdit"));
    m_hashLineEdit->setAccessibleName(tr("HMAC-SHA256 of the ID (hex)"));
    m_hashLineEdit->setReadOnly(true);
    m_hashLineEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_hashLineEdit->setPlaceholderText(tr("Enter an ID and a secret"));
    m_copyPushButton->setObjectName(QStringLiteral("copyPushButton"));
    m_copyPushButton->setAccessibleName(tr("Copy the hash"));
    m_verifyLineEdit->setObjectName(QStringLiteral("verifyLineEdit"));
    m_verifyLineEdit->setAccessibleName(tr("Hash to verify"));
    m_verifyLineEdit->setPlaceholderText(tr("Paste a hash to check it against the ID and the secret"));
    m_verifyLineEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_verifyResultLabel->setObjectName(QStringLiteral("verifyResultLabel"));
    m_verifyResultLabel->setWordWrap(true);
    m_snippetsTabWidget->setObjectName(QStringLiteral("snippetsTabWidget"));
    m_snippetsTabWidget->setAccessibleName(tr("The same computation in code"));
    m_snippetsTabWidget->addTab(m_phpPlainTextEdit, QStringLiteral("PHP"));
    m_snippetsTabWidget->addTab(m_nodePlainTextEdit, QStringLiteral("Node.js"));
    m_snippetsTabWidget->addTab(m_rubyPlainTextEdit, QStringLiteral("Ruby"));
    m_snippetsTabWidget->addTab(m_pythonPlainTextEdit, QStringLiteral("Python"));

    auto *secretRow = new QHBoxLayout;
    secretRow->addWidget(m_secretLineEdit, 1);
    secretRow->addWidget(m_showSecretPushButton);
    secretRow->addWidget(m_useProfileSecretPushButton);
    auto *hashRow = new QHBoxLayout;
    hashRow->addWidget(m_hashLineEdit, 1);
    hashRow->addWidget(m_copyPushButton);

    auto *form = new QFormLayout;
    form->addRow(tr("&ID"), m_idLineEdit);
    // A row that is a layout gets no buddy from QFormLayout: set it, or "&" shows literally.
    auto *secretLabel = new QLabel(tr("&Secret"), this);
    secretLabel->setBuddy(m_secretLineEdit);
    form->addRow(secretLabel, secretRow);
    form->addRow(QString(), m_secretStatusLabel);
    form->addRow(tr("HMAC-SHA256"), hashRow);
    form->addRow(tr("&Verify"), m_verifyLineEdit);
    form->addRow(QString(), m_verifyResultLabel);

    auto *codeLabel = new QLabel(tr("The same computation on your server (the secret is read from the "
                                    "environment variable %1):")
                                     .arg(secretVariableName()),
                                 this);
    codeLabel->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(codeLabel);
    layout->addWidget(m_snippetsTabWidget, 1);

    connect(m_idLineEdit, &QLineEdit::textChanged, this, [this] {
        updateHash();
        updateSnippets();
    });
    connect(m_secretLineEdit, &QLineEdit::textChanged, this, &HmacPage::updateHash);
    // Only the user's own edits: setText() with the keychain's secret must not forget it again.
    connect(m_secretLineEdit, &QLineEdit::textEdited, this, &HmacPage::forgetProfileSecret);
    connect(m_showSecretPushButton, &QPushButton::toggled, this, &HmacPage::setSecretShown);
    connect(m_useProfileSecretPushButton, &QPushButton::clicked, this, &HmacPage::useProfileSecret);
    connect(m_verifyLineEdit, &QLineEdit::textChanged, this, &HmacPage::updateVerdict);
    connect(m_copyPushButton, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_hashLineEdit->text());
        m_copyPushButton->setText(tr("Copied"));
        QTimer::singleShot(1500, m_copyPushButton,
                           [button = m_copyPushButton] { button->setText(tr("Copy")); });
    });
    connect(session, &ConsoleSession::stateChanged, this, &HmacPage::onSessionChanged);

    onSessionChanged();
    updateHash();
    updateSnippets();
}

QByteArray HmacPage::secret() const
{
    return m_profileSecret.isEmpty() ? m_secretLineEdit->text().toUtf8() : m_profileSecret;
}

void HmacPage::setSecretShown(bool shown)
{
    m_secretLineEdit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
    m_showSecretPushButton->setText(shown ? tr("Hide") : tr("Show"));
    m_showSecretPushButton->setAccessibleName(shown ? tr("Hide the secret") : tr("Show the secret"));
    if (m_showSecretPushButton->isChecked() != shown)
        m_showSecretPushButton->setChecked(shown);
}

void HmacPage::useProfileSecret()
{
    const Profile profile = session()->profile();
    const quint64 request = ++m_secretRequest;
    m_useProfileSecretPushButton->setEnabled(false);
    m_secretStatusLabel->setText(
        tr("Reading the secret of the profile %1 from the keychain…").arg(profile.name));
    // The keychain answers later (it may even prompt): the page may be gone, or the user may have
    // switched profiles, by then.
    QPointer<HmacPage> self(this);
    session()->secrets()->read(profile.verificationSecretName(), [self, request, profile](
                                                                     const SecretStore::Result &result) {
        if (!self || request != self->m_secretRequest)
            return;
        self->m_useProfileSecretPushButton->setEnabled(true);
        if (result.error == SecretStore::Error::NotFound) {
            self->m_secretStatusLabel->setText(
                tr("No identity-verification secret is stored for the profile %1: edit the profile to "
                   "add one, or type the secret here.")
                    .arg(profile.name));
            return;
        }
        if (!result.ok()) {
            self->m_secretStatusLabel->setText(tr("The keychain could not be read: %1").arg(result.message));
            return;
        }
        // Shown masked whatever the toggle said before: the user asks to see it if needed.
        self->setSecretShown(false);
        self->m_profileSecret = result.secret;
        self->m_secretLineEdit->setText(QString::fromUtf8(result.secret));
        self->m_secretStatusLabel->setText(
            tr("Using the identity-verification secret of the profile %1.").arg(profile.name));
        self->updateHash();
    });
}

void HmacPage::forgetProfileSecret()
{
    if (m_profileSecret.isEmpty())
        return;
    m_profileSecret.clear();
    m_secretStatusLabel->clear();
    updateHash();
}

void HmacPage::onSessionChanged()
{
    const QString profileName = session()->profile().name;
    m_useProfileSecretPushButton->setToolTip(
        tr("Read the identity-verification secret stored in the keychain for the profile %1.")
            .arg(profileName));
    // stateChanged() comes several times per activation (connecting, ready): only a change of
    // profile matters here.
    if (profileName == m_profileName)
        return;
    m_profileName = profileName;
    // A keychain read still on its way was asked for the previous profile: its answer must not
    // fill this profile's page.
    ++m_secretRequest;
    m_useProfileSecretPushButton->setEnabled(true);
    if (m_profileSecret.isEmpty()) {
        m_secretStatusLabel->clear();
        return;
    }
    // Another profile's secret must not linger under this one's name.
    m_profileSecret.clear();
    m_secretLineEdit->clear();
    m_secretStatusLabel->setText(
        tr("The active profile changed: the previous profile's secret was cleared."));
}

void HmacPage::updateHash()
{
    const QString id = m_idLineEdit->text();
    const QByteArray key = secret();
    const bool complete = !id.isEmpty() && !key.isEmpty();
    m_hashLineEdit->setText(complete ? IdentityVerifier::sign(id, key) : QString());
    m_copyPushButton->setEnabled(complete);
    updateVerdict();
}

void HmacPage::updateVerdict()
{
    const QString given = m_verifyLineEdit->text().trimmed();
    if (given.isEmpty()) {
        m_verifyResultLabel->clear();
        return;
    }
    if (m_idLineEdit->text().isEmpty() || secret().isEmpty()) {
        m_verifyResultLabel->setText(tr("Enter an ID and a secret to check this hash."));
        return;
    }
    m_verifyResultLabel->setText(IdentityVerifier::verify(m_idLineEdit->text(), secret(), given)
                                     ? tr("Match: this is the hash of the ID with this secret.")
                                     : tr("No match: this is not the hash of the ID with this secret."));
}

void HmacPage::updateSnippets()
{
    const QString id = m_idLineEdit->text();
    m_phpPlainTextEdit->setPlainText(phpSnippet(id));
    m_nodePlainTextEdit->setPlainText(nodeSnippet(id));
    m_rubyPlainTextEdit->setPlainText(rubySnippet(id));
    m_pythonPlainTextEdit->setPlainText(pythonSnippet(id));
}

QString HmacPage::phpSnippet(const QString &id)
{
    return QStringLiteral("<?php\n"
                          "// %1\n"
                          "$secret = getenv('%2');\n"
                          "$userId = %3; // %4\n"
                          "$verification = hash_hmac('sha256', $userId, $secret);\n"
                          "echo $verification, PHP_EOL;\n")
        .arg(tr("Keep the secret on your server: never put it in a web page."), secretVariableName(),
             singleQuoted(idOrPlaceholder(id)), tr("or an account ID"));
}

QString HmacPage::nodeSnippet(const QString &id)
{
    return QStringLiteral(
               "const crypto = require(\"crypto\");\n"
               "\n"
               "// %1\n"
               "const secret = process.env.%2;\n"
               "const userId = %3; // %4\n"
               "const verification = crypto.createHmac(\"sha256\", secret).update(userId).digest(\"hex\");\n"
               "console.log(verification);\n")
        .arg(tr("Keep the secret on your server: never put it in a web page."), secretVariableName(),
             doubleQuoted(idOrPlaceholder(id)), tr("or an account ID"));
}

QString HmacPage::rubySnippet(const QString &id)
{
    return QStringLiteral("require 'openssl'\n"
                          "\n"
                          "# %1\n"
                          "secret = ENV.fetch('%2')\n"
                          "user_id = %3 # %4\n"
                          "verification = OpenSSL::HMAC.hexdigest('SHA256', secret, user_id)\n"
                          "puts verification\n")
        .arg(tr("Keep the secret on your server: never put it in a web page."), secretVariableName(),
             singleQuoted(idOrPlaceholder(id)), tr("or an account ID"));
}

QString HmacPage::pythonSnippet(const QString &id)
{
    return QStringLiteral(
               "import hashlib\n"
               "import hmac\n"
               "import os\n"
               "\n"
               "# %1\n"
               "secret = os.environ[\"%2\"]\n"
               "user_id = %3  # %4\n"
               "verification = hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()\n"
               "print(verification)\n")
        .arg(tr("Keep the secret on your server: never put it in a web page."), secretVariableName(),
             doubleQuoted(idOrPlaceholder(id)), tr("or an account ID"));
}

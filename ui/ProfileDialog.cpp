#include "ProfileDialog.h"

#include "ClientConfig.h"
#include "ProfileStore.h"
#include "SecretStore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

ProfileDialog::ProfileDialog(ProfileStore *profiles, SecretStore *secrets, const Profile &profile,
                             QWidget *parent)
    : QDialog(parent), m_profiles(profiles), m_secrets(secrets), m_editing(!profile.name.isEmpty()),
      m_nameLineEdit(new QLineEdit(profile.name, this)), m_baseUrlLineEdit(new QLineEdit(this)),
      m_environmentComboBox(new QComboBox(this)), m_apiKeyLineEdit(new QLineEdit(this)),
      m_secretLineEdit(new QLineEdit(this)), m_errorLabel(new QLabel(this))
{
    setObjectName(QStringLiteral("profileDialog"));
    setWindowTitle(m_editing ? tr("Edit profile %1").arg(profile.name) : tr("Add a profile"));
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
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828;"));

    auto *form = new QFormLayout;
    form->addRow(tr("Name"), m_nameLineEdit);
    form->addRow(tr("Base URL"), m_baseUrlLineEdit);
    form->addRow(tr("Environment"), m_environmentComboBox);
    form->addRow(tr("API key"), m_apiKeyLineEdit);
    form->addRow(tr("Verification secret"), m_secretLineEdit);
    auto *note =
        new QLabel(tr("The key and the secret are stored in the system keychain, never in a file."), this);
    note->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_savePushButton = buttons->button(QDialogButtonBox::Save);
    m_savePushButton->setObjectName(QStringLiteral("savePushButton"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(note);
    layout->addWidget(m_errorLabel);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_savePushButton, &QPushButton::clicked, this, &ProfileDialog::save);
    connect(this, &ProfileDialog::saved, this, &QDialog::accept);
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
    profile.baseUrl = QUrl(m_baseUrlLineEdit->text().trimmed());
    profile.environment = static_cast<Profile::Environment>(m_environmentComboBox->currentData().toInt());
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
    m_savePushButton->setEnabled(false);
    writeSecrets(profile, key, m_secretLineEdit->text().toUtf8());
}

void ProfileDialog::writeSecrets(const Profile &profile, const QByteArray &key, const QByteArray &secret)
{
    // The secrets first: a profile saved without its key would be a profile that cannot work.
    // The keychain answers later; the dialog may be gone by then (its window closed with the app).
    m_writing = true;
    const QPointer<ProfileDialog> self(this);
    auto saveProfile = [self, profile] {
        if (!self)
            return;
        self->m_writing = false;
        QString error;
        if (!self->m_profiles->save(profile, &error)) {
            self->fail(error);
            return;
        }
        emit self->saved(profile.name);
    };
    auto writeSecret = [self, profile, secret, saveProfile] {
        if (!self)
            return;
        if (secret.isEmpty()) {
            saveProfile();
            return;
        }
        self->m_secrets->write(profile.verificationSecretName(), secret,
                               [self, saveProfile](const SecretStore::Result &result) {
                                   if (!self)
                                       return;
                                   if (!result.ok()) {
                                       self->fail(tr("The profile was not saved: %1").arg(result.message));
                                       return;
                                   }
                                   saveProfile();
                               });
    };
    if (key.isEmpty()) {
        writeSecret();
        return;
    }
    m_secrets->write(profile.apiKeySecretName(), key, [self, writeSecret](const SecretStore::Result &result) {
        if (!self)
            return;
        if (!result.ok()) {
            self->fail(tr("The profile was not saved: %1").arg(result.message));
            return;
        }
        writeSecret();
    });
}

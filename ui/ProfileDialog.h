#pragma once

#include "Profile.h"

#include <QDialog>

class ProfileStore;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class SecretStore;

// Adds or edits a profile: name, base URL and environment go to the profiles file; the API key
// and the identity-verification secret go to the keychain, and only there. Without a keychain
// service the profile is not saved and the dialog says why.
class ProfileDialog : public QDialog
{
    Q_OBJECT
public:
    ProfileDialog(ProfileStore *profiles, SecretStore *secrets, const Profile &profile = Profile(),
                  QWidget *parent = nullptr);

    // Checks the fields, writes the secrets, then the profile; saved() or failed() follows.
    void save();
    QString errorText() const;

signals:
    void saved(const QString &profileName);
    void failed(const QString &message);

public slots:
    // Ignored while the keychain is being written: closing then would leave a key stored for a
    // profile that is never saved.
    void reject() override;

private:
    void fail(const QString &message);
    void writeSecrets(const Profile &profile, const QByteArray &key, const QByteArray &secret);

    ProfileStore *m_profiles;
    SecretStore *m_secrets;
    bool m_editing;
    QLineEdit *m_nameLineEdit;
    QLineEdit *m_baseUrlLineEdit;
    QComboBox *m_environmentComboBox;
    QLineEdit *m_apiKeyLineEdit;
    QLineEdit *m_secretLineEdit;
    QLabel *m_errorLabel;
    QPushButton *m_savePushButton;
    bool m_writing = false; // a keychain write is under way
};

#pragma once

#include "store/Profile.h"

#include <QDialog>

#include <functional>
#include <optional>

class ProfileStore;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTabWidget;
class SecretStore;

// Adds or edits a profile. General: name, base URL and environment go to the profiles file; the
// API key and the identity-verification secret go to the keychain, and only there. Network: the
// proxy (system, none or manual), an extra CA file and the timeout go to the profiles file, the
// proxy password to the keychain. Without a keychain service the profile is not saved and the
// dialog says why. The built-in Sandbox profile never uses a proxy: its Network tab is disabled.
class ProfileDialog : public QDialog
{
    Q_OBJECT
public:
    ProfileDialog(ProfileStore *profiles, SecretStore *secrets, const Profile &profile = Profile(),
                  QWidget *parent = nullptr);

    // Checks the fields, writes the secrets, then the profile; saved() or failed() follows.
    void save();
    QString errorText() const;

    // The next Browse… for the CA file answers path without showing a file dialog; an empty
    // path is a cancelled dialog (tests).
    static void setNextCaFile(const QString &path);

signals:
    void saved(const QString &profileName);
    void failed(const QString &message);

public slots:
    // Ignored while the keychain is being written: closing then would leave a key stored for a
    // profile that is never saved.
    void reject() override;
    void browseCaFile();

private:
    // The base URL the field shows whole: https://api.journy.io/ is 22 characters, a company
    // gateway's address with a port and a path some 60.
    static constexpr int BaseUrlChars = 60;

    // One keychain write (or removal, when secret is unset) done before the profile is saved.
    class KeychainJob
    {
    public:
        QString name;
        std::optional<QByteArray> secret;
    };

    QWidget *makeGeneralPage();
    QWidget *makeNetworkPage(const NetworkSettings &network);
    void updateNetworkFields();
    NetworkSettings networkFromFields() const;
    void fail(const QString &message);
    void runKeychainJobs(const Profile &profile, QList<KeychainJob> jobs);

    ProfileStore *m_profiles;
    SecretStore *m_secrets;
    bool m_editing;
    NetworkSettings m_storedNetwork; // as the profiles file had it when the dialog opened
    QTabWidget *m_tabWidget;
    QLineEdit *m_nameLineEdit;
    QLineEdit *m_baseUrlLineEdit;
    QComboBox *m_environmentComboBox;
    QLineEdit *m_apiKeyLineEdit;
    QLineEdit *m_secretLineEdit;
    QWidget *m_networkPage = nullptr;
    QComboBox *m_proxyModeComboBox = nullptr;
    QComboBox *m_proxyTypeComboBox = nullptr;
    QLineEdit *m_proxyHostLineEdit = nullptr;
    QSpinBox *m_proxyPortSpinBox = nullptr;
    QLineEdit *m_proxyBypassLineEdit = nullptr;
    QLineEdit *m_proxyUserLineEdit = nullptr;
    QLineEdit *m_proxyPasswordLineEdit = nullptr;
    QLineEdit *m_caFileLineEdit = nullptr;
    QPushButton *m_caFileBrowsePushButton = nullptr;
    QDoubleSpinBox *m_timeoutSpinBox = nullptr;
    QLabel *m_errorLabel;
    QPushButton *m_savePushButton;
    bool m_writing = false; // a keychain write is under way
    static std::optional<QString> s_nextCaFile;
};

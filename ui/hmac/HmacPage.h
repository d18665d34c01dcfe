#pragma once

#include "ui/widgets/ConsolePage.h"

#include <QByteArray>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

// The identity-verification tool: an ID and a secret (typed, or the profile's keychain entry)
// give the hex HMAC-SHA256 the website snippet sends as `verification`; a given hash can be
// checked against them; and the same computation is shown in PHP, Node.js, Ruby and Python for
// the customer's backend, with the ID filled in and the secret left as an environment variable.
class HmacPage : public ConsolePage
{
    Q_OBJECT
public:
    explicit HmacPage(ConsoleSession *session, QWidget *parent = nullptr);

    QString title() const override { return tr("HMAC"); }

    // The snippets, built for an ID; the secret is read from this environment variable, never
    // written into the code.
    static QString phpSnippet(const QString &id);
    static QString nodeSnippet(const QString &id);
    static QString rubySnippet(const QString &id);
    static QString pythonSnippet(const QString &id);
    static QString secretVariableName() { return QStringLiteral("JOURNY_VERIFICATION_SECRET"); }

private:
    void useProfileSecret();
    void forgetProfileSecret();
    void onSessionChanged();
    void setSecretShown(bool shown);
    void updateHash();
    void updateVerdict();
    void updateSnippets();
    QByteArray secret() const;

    QLineEdit *m_idLineEdit;
    QLineEdit *m_secretLineEdit;
    QPushButton *m_showSecretPushButton;
    QPushButton *m_useProfileSecretPushButton;
    QLabel *m_secretStatusLabel;
    QLineEdit *m_hashLineEdit;
    QPushButton *m_copyPushButton;
    QLineEdit *m_verifyLineEdit;
    QLabel *m_verifyResultLabel;
    QTabWidget *m_snippetsTabWidget;
    QPlainTextEdit *m_phpPlainTextEdit;
    QPlainTextEdit *m_nodePlainTextEdit;
    QPlainTextEdit *m_rubyPlainTextEdit;
    QPlainTextEdit *m_pythonPlainTextEdit;

    // The keychain's bytes as read (a secret need not be valid UTF-8), while the field still
    // holds them; empty once the user edits the field or the profile changes.
    QByteArray m_profileSecret;
    QString m_profileName;       // the active profile the page shows; its secret, if read, is this one's
    quint64 m_secretRequest = 0; // drops keychain answers that were superseded or meant for another profile
};

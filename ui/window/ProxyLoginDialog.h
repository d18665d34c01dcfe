#pragma once

#include "store/Profile.h"
#include "store/SecretStore.h"

#include <QDialog>

class ApiResult;
class ConsoleSession;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

// Asks for the login of a proxy that wants one the console does not have, naming the proxy. On
// Log in, the login is kept for this session (NetworkAccess::setProxyLogin) or, when the user
// ticks the box, saved: the user in the profile, the password in the keychain. The request that
// met the proxy is never sent again by itself; the window tells the user to send it again.
//
// The window opens it with open(), never exec(): it stays a plain window that tests fill in and
// click like a user, and a keychain write never blocks the GUI.
class ProxyLoginDialog : public QDialog
{
    Q_OBJECT
public:
    // route: the result's route ("via HTTP proxy proxy.corp:3128"), which names the proxy.
    ProxyLoginDialog(ConsoleSession *session, const QString &route, QWidget *parent = nullptr);

    // Whether result is a proxy asking for a login: Failure::ProxyAuth (407), or a 401 with
    // WWW-Authenticate that a plain-http request got through an HTTP proxy. The journy API never
    // asks for HTTP authentication, so that 401 is the proxy's: tinyproxy 1.11 answers a refused
    // proxy login so.
    static bool asksForLogin(const ApiResult &result);
    // "via HTTP proxy host:port" or "via SOCKS5 proxy host:port" -> host and port; false for
    // "direct" or an empty route.
    static bool parseRoute(const QString &route, QString *host, quint16 *port);

    QString profileName() const { return m_profile.name; }
    QString errorText() const;
    // Checks the fields, then keeps or saves the login; loggedIn() or failed() follows.
    void logIn();

signals:
    // reconnect: the login went into the profile's settings, which a client takes when the
    // profile is activated again.
    void loggedIn(const QString &profileName, bool reconnect);
    void failed(const QString &message);

public slots:
    // Ignored while the keychain is being written, as in ProfileDialog.
    void reject() override;

private:
    void fail(const QString &message);
    // The keychain's answer to the saved password: then the user goes into the profile.
    void passwordWritten(const SecretStore::Result &result, const QString &user, const QString &password);

    ConsoleSession *m_session;
    Profile m_profile; // the profile whose request met the proxy
    QString m_host;
    quint16 m_port = 0;
    QLabel *m_proxyLabel;
    QLineEdit *m_userLineEdit;
    QLineEdit *m_passwordLineEdit;
    QCheckBox *m_savePasswordCheckBox;
    QLabel *m_errorLabel;
    QPushButton *m_logInPushButton;
    bool m_writing = false;
};

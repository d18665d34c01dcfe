#pragma once

#include "api/NetworkSettings.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QProcessEnvironment>
#include <QSslConfiguration>

class ProxyResolver;
class QAuthenticator;
class QNetworkAccessManager;
class QNetworkProxy;

// The QNetworkAccessManagers of one thread. Qt wants one manager per thread: it keeps the
// connections, the TLS sessions and the proxy logins. The console's profiles and a bulk import
// share them; settings with a different proxy or CA file get their own manager, since a manager
// has one proxy factory and its kept connections keep their TLS configuration. Lives on the thread whose
// clients use it.
class NetworkAccess : public QObject
{
    Q_OBJECT
public:
    explicit NetworkAccess(QObject *parent = nullptr,
                           const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());
    ~NetworkAccess() override;

    // The manager for settings (made on first use) and the resolver that is its proxy factory.
    QNetworkAccessManager *manager(const NetworkSettings &settings);
    ProxyResolver *resolver(const NetworkSettings &settings);

    // What an https request trusts: the OS trust store, plus the certificates of caFile when
    // given. Verification itself is never turned off. Read once per file and cached.
    QSslConfiguration tlsConfiguration(const QString &caFile);

    // A login typed into the console's prompt for the proxy at host:port, kept for this session
    // only (the prompt saves it to the keychain separately when asked to). Used when that proxy
    // asks and the settings hold no password.
    void setProxyLogin(const QString &host, quint16 port, const QString &user, const QString &password);

private:
    class Entry
    {
    public:
        NetworkSettings settings;
        QNetworkAccessManager *manager = nullptr;
        ProxyResolver *resolver = nullptr; // owned by manager
    };
    Entry &entryFor(const NetworkSettings &settings);
    void answerProxyLogin(const QNetworkProxy &proxy, QAuthenticator *authenticator);

    QProcessEnvironment m_environment;
    QList<Entry> m_entries;
    QHash<QString, QSslConfiguration> m_tls;          // CA file ("" for none) -> configuration
    QHash<QString, QPair<QString, QString>> m_logins; // "host:port" -> user, password
};

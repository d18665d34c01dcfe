#include "api/NetworkAccess.h"

#include "api/ProxyResolver.h"

#include <QAuthenticator>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QSslCertificate>

NetworkAccess::NetworkAccess(QObject *parent, const QProcessEnvironment &environment)
    : QObject(parent), m_environment(environment)
{}

NetworkAccess::~NetworkAccess() = default;

NetworkAccess::Entry &NetworkAccess::entryFor(const NetworkSettings &settings)
{
    for (Entry &entry : m_entries) {
        // Qt's cached connections keep the TLS configuration they were opened with, so settings
        // that trust another CA file get a manager of their own: trust never leaks between profiles.
        if (entry.settings.sameProxy(settings) && entry.settings.caFile == settings.caFile)
            return entry;
    }
    Entry entry;
    entry.settings = settings;
    entry.manager = new QNetworkAccessManager(this);
    entry.resolver = new ProxyResolver(settings, m_environment);
    entry.manager->setProxyFactory(entry.resolver); // the manager owns it
    // Qt tries the proxy's own user and password (manual settings, or a *_PROXY URL) first; this
    // is asked only when those are missing or were refused.
    connect(entry.manager, &QNetworkAccessManager::proxyAuthenticationRequired, this,
            &NetworkAccess::answerProxyLogin);
    m_entries.append(entry);
    return m_entries.last();
}

QNetworkAccessManager *NetworkAccess::manager(const NetworkSettings &settings)
{
    return entryFor(settings).manager;
}

ProxyResolver *NetworkAccess::resolver(const NetworkSettings &settings)
{
    return entryFor(settings).resolver;
}

void NetworkAccess::setProxyLogin(const QString &host, quint16 port, const QString &user,
                                  const QString &password)
{
    m_logins.insert(host.toLower() + QLatin1Char(':') + QString::number(port), qMakePair(user, password));
    // Qt keeps the last login a proxy was given (or that none was) with its connections and would
    // use it again without asking: a refused one would be sent for ever.
    for (const Entry &entry : std::as_const(m_entries))
        entry.manager->clearAccessCache();
}

void NetworkAccess::answerProxyLogin(const QNetworkProxy &proxy, QAuthenticator *authenticator)
{
    const auto it =
        m_logins.constFind(proxy.hostName().toLower() + QLatin1Char(':') + QString::number(proxy.port()));
    if (it == m_logins.constEnd())
        return; // left empty, Qt fails the request with ProxyAuthenticationRequiredError
    // Qt asks again when a login was refused. Through CONNECT it asks in a tight loop for as long
    // as it is answered (thousands of times a second), so the same login is given only once:
    // leaving the authenticator as it was makes Qt give up with ProxyAuthenticationRequiredError.
    if (authenticator->user() == it->first && authenticator->password() == it->second)
        return;
    authenticator->setUser(it->first);
    authenticator->setPassword(it->second);
}

QSslConfiguration NetworkAccess::tlsConfiguration(const QString &caFile)
{
    const auto it = m_tls.constFind(caFile);
    if (it != m_tls.constEnd())
        return *it;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!caFile.isEmpty()) {
        // Adding certificates turns off Qt's on-demand loading of the OS roots, so the OS store
        // is listed explicitly: the extra CA is trusted in addition to it, never instead.
        configuration.setCaCertificates(QSslConfiguration::systemCaCertificates() +
                                        QSslCertificate::fromPath(caFile, QSsl::Pem));
    }
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_tls.insert(caFile, configuration);
    return configuration;
}

#include "api/ProxyResolver.h"

#include "api/ProxyBypass.h"

#include <QHostAddress>
#include <QMutexLocker>
#include <QUrl>

namespace {

// How long an answer is reused: long enough that a bulk import asks the OS once, short enough
// that a laptop moving between networks picks up the new settings within a minute.
constexpr qint64 cacheSeconds = 60;

bool isLoopback(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
           host.endsWith(QLatin1String(".localhost"), Qt::CaseInsensitive) || QHostAddress(host).isLoopback();
}

QString variable(const QProcessEnvironment &environment, const QString &lowerName)
{
    // curl reads the lower-case name first; many tools and CI systems set only the upper-case one.
    const QString lower = environment.value(lowerName).trimmed();
    return lower.isEmpty() ? environment.value(lowerName.toUpper()).trimmed() : lower;
}

std::optional<QNetworkProxy> proxyFromUrlText(QString text)
{
    if (!text.contains(QLatin1String("://")))
        text.prepend(QLatin1String("http://"));
    const QUrl url(text);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty())
        return std::nullopt;
    QNetworkProxy proxy;
    if (scheme == QLatin1String("http")) {
        proxy.setType(QNetworkProxy::HttpProxy);
        proxy.setPort(static_cast<quint16>(url.port(1080))); // curl's default without a port
    } else if (scheme == QLatin1String("socks5") || scheme == QLatin1String("socks5h")) {
        proxy.setType(QNetworkProxy::Socks5Proxy);
        proxy.setPort(static_cast<quint16>(url.port(1080)));
    } else {
        // https:// (TLS to the proxy itself) and socks4 are not spoken by Qt.
        return std::nullopt;
    }
    proxy.setHostName(url.host());
    // Credentials in the variable are used, as curl does; they stay in memory only.
    proxy.setUser(url.userName(QUrl::FullyDecoded));
    proxy.setPassword(url.password(QUrl::FullyDecoded));
    return proxy;
}

} // namespace

ProxyResolver::ProxyResolver(const NetworkSettings &settings, const QProcessEnvironment &environment)
    : m_settings(settings), m_environment(environment)
{}

QString ProxyResolver::originOf(const QUrl &url)
{
    return url.scheme().toLower() + QLatin1String("://") + url.host().toLower() + QLatin1Char(':') +
           QString::number(url.port(-1));
}

std::optional<QNetworkProxy> ProxyResolver::cached(const QUrl &url) const
{
    QMutexLocker locker(&m_mutex);
    const auto it = m_cache.constFind(originOf(url));
    if (it == m_cache.constEnd() || it->second.secsTo(QDateTime::currentDateTimeUtc()) > cacheSeconds)
        return std::nullopt;
    return it->first;
}

void ProxyResolver::store(const QUrl &url, const QNetworkProxy &proxy)
{
    QMutexLocker locker(&m_mutex);
    m_cache.insert(originOf(url), qMakePair(proxy, QDateTime::currentDateTimeUtc()));
}

bool ProxyResolver::mayBlock(const QUrl &url) const
{
    return m_settings.proxyMode == NetworkSettings::ProxyMode::System && !isLoopback(url.host()) &&
           !fromEnvironment(m_environment, url).has_value();
}

QList<QNetworkProxy> ProxyResolver::queryProxy(const QNetworkProxyQuery &query)
{
    const QUrl url = query.url();
    if (const auto known = cached(url))
        return {*known};
    const QNetworkProxy proxy = lookUp(m_settings, m_environment, url);
    store(url, proxy);
    return {proxy};
}

std::optional<QNetworkProxy> ProxyResolver::fromEnvironment(const QProcessEnvironment &environment,
                                                            const QUrl &url)
{
    const bool tls = url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    QString text = variable(environment, tls ? QStringLiteral("https_proxy") : QStringLiteral("http_proxy"));
    if (text.isEmpty())
        text = variable(environment, QStringLiteral("all_proxy"));
    if (text.isEmpty())
        return std::nullopt;
    if (ProxyBypass::matches(ProxyBypass::split(variable(environment, QStringLiteral("no_proxy"))),
                             url.host()))
        return QNetworkProxy(QNetworkProxy::NoProxy);
    return proxyFromUrlText(text);
}

QNetworkProxy ProxyResolver::lookUp(const NetworkSettings &settings, const QProcessEnvironment &environment,
                                    const QUrl &url)
{
    using Mode = NetworkSettings::ProxyMode;
    switch (settings.proxyMode) {
    case Mode::None:
        return QNetworkProxy(QNetworkProxy::NoProxy);
    case Mode::Manual: {
        // Loopback is not exempt here: a manual proxy means every request goes through it unless
        // the user listed the host, and tests route sandbox traffic through a real proxy so.
        if (ProxyBypass::matches(settings.proxyBypass, url.host()))
            return QNetworkProxy(QNetworkProxy::NoProxy);
        QNetworkProxy proxy(
            settings.proxyType == NetworkSettings::ProxyType::Socks5 ? QNetworkProxy::Socks5Proxy
                                                                     : QNetworkProxy::HttpProxy,
            settings.proxyHost, settings.proxyPort, settings.proxyUser, settings.proxyPassword);
        return proxy;
    }
    case Mode::System:
        break;
    }
    if (isLoopback(url.host()))
        return QNetworkProxy(QNetworkProxy::NoProxy);
    if (const auto fromVariables = fromEnvironment(environment, url))
        return *fromVariables;
    const QList<QNetworkProxy> system =
        QNetworkProxyFactory::systemProxyForQuery(QNetworkProxyQuery(url, QNetworkProxyQuery::UrlRequest));
    // The OS may list several (a PAC file's "PROXY a; PROXY b; DIRECT"); Qt's HTTP stack uses the
    // first one it can speak, and so the route shown is that one.
    for (const QNetworkProxy &proxy : system) {
        if (proxy.type() == QNetworkProxy::HttpProxy || proxy.type() == QNetworkProxy::Socks5Proxy ||
            proxy.type() == QNetworkProxy::NoProxy || proxy.type() == QNetworkProxy::DefaultProxy)
            return proxy.type() == QNetworkProxy::DefaultProxy ? QNetworkProxy(QNetworkProxy::NoProxy)
                                                               : proxy;
    }
    return QNetworkProxy(QNetworkProxy::NoProxy);
}

QString ProxyResolver::describe(const QNetworkProxy &proxy)
{
    switch (proxy.type()) {
    case QNetworkProxy::HttpProxy:
    case QNetworkProxy::HttpCachingProxy:
        return QStringLiteral("via HTTP proxy %1:%2").arg(proxy.hostName()).arg(proxy.port());
    case QNetworkProxy::Socks5Proxy:
        return QStringLiteral("via SOCKS5 proxy %1:%2").arg(proxy.hostName()).arg(proxy.port());
    default:
        return QStringLiteral("direct");
    }
}

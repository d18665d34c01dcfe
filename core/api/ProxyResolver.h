#pragma once

#include "api/NetworkSettings.h"

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QNetworkProxyFactory>
#include <QProcessEnvironment>

#include <optional>

// Decides, per request, whether it goes direct or through which proxy, from a profile's
// NetworkSettings. It is the proxy factory of the QNetworkAccessManager that NetworkAccess makes
// for those settings, so Qt itself connects through the proxy (CONNECT for https, absolute URIs
// for http, SOCKS5) and answers its logins (Basic, NTLM, Negotiate).
//
// System mode is what a careful user expects of a desktop tool: the *_PROXY variables first,
// as curl reads them (lower or upper case, credentials inside the URL, NO_PROXY with host
// suffixes, IPs and CIDR ranges), else the OS settings (WinHTTP with PAC/WPAD on Windows,
// CFNetwork on macOS, libproxy on Linux), and never a proxy for loopback, as browsers do. An OS
// look-up can take seconds (WPAD), and Qt asks the factory on the thread that sends, so
// JournyClient looks a host up on a worker first (lookUp) and stores the answer (store): the
// factory then answers from its cache.
class ProxyResolver : public QNetworkProxyFactory
{
public:
    explicit ProxyResolver(const NetworkSettings &settings,
                           const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override;

    const NetworkSettings &settings() const { return m_settings; }
    const QProcessEnvironment &environment() const { return m_environment; }

    // The answer for url's origin if it is known and fresh.
    std::optional<QNetworkProxy> cached(const QUrl &url) const;
    void store(const QUrl &url, const QNetworkProxy &proxy);
    // Whether a look-up may block (System mode without a *_PROXY variable for url): then it is
    // run on a worker thread.
    bool mayBlock(const QUrl &url) const;

    // The route for url under settings. Pure and thread-safe; in System mode it may block.
    static QNetworkProxy lookUp(const NetworkSettings &settings, const QProcessEnvironment &environment,
                                const QUrl &url);
    // curl's reading of the environment for url: the proxy, NoProxy when NO_PROXY covers the host,
    // or nothing when no variable applies.
    static std::optional<QNetworkProxy> fromEnvironment(const QProcessEnvironment &environment,
                                                        const QUrl &url);
    // "direct", "via HTTP proxy proxy.corp:3128", "via SOCKS5 proxy 10.0.0.1:1080".
    static QString describe(const QNetworkProxy &proxy);

private:
    static QString originOf(const QUrl &url);

    NetworkSettings m_settings;
    QProcessEnvironment m_environment;
    mutable QMutex m_mutex;
    // origin -> route and when it was learnt; OS answers go stale when the laptop changes network.
    QHash<QString, QPair<QNetworkProxy, QDateTime>> m_cache;
};

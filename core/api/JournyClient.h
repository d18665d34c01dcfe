#pragma once

#include "api/ApiReply.h"
#include "api/ApiRequest.h"
#include "api/ClientConfig.h"

#include <QObject>

class NetworkAccess;
class QNetworkProxy;
class RateLimitTracker;

// The only thing in the product that talks HTTP to journy.io, through Qt's
// QNetworkAccessManager (NetworkAccess): system and manual proxies with their logins (Basic,
// NTLM, Negotiate), the OS trust store plus an optional CA file, HTTP/2 where the server offers
// it. Asynchronous: send() returns at once and the ApiReply's finished() carries the ApiResult.
// Requests carry X-Api-Key, JSON content headers and a journy-console User-Agent; plain http://
// is refused except to loopback, redirects are not followed (they would carry the key
// elsewhere), TLS errors are never ignored, every call has a total deadline and answers are cut
// off past ClientConfig::maxResponseBytes.
//
// Stale keep-alive: a server may close an idle connection just as a request goes out on it, and
// the client then sees the close before any byte of the answer. Whether the server read, and
// acted on, the request cannot be known. Qt's HTTP stack (6.4) then sends the request once more
// on a new connection by itself, whatever its method, and nothing tells the caller; when a
// connection breaks off inside the answer's head it sends the request up to three more times
// (tests/api/tst_HttpTransport pins both down). The client narrows the window: Qt drops
// connections idle longer than IdleConnectionSeconds, under the idle timeouts of common servers
// and load balancers (5 s and up), so a connection is reused only while it is busy. What
// remains: an event (POST /track) sent on a connection that the server closed in that instant
// may be stored twice, and nothing tells when the second send succeeded. Upserts, links and
// deletes are idempotent on journy.io, so a second copy changes nothing. When a call ends
// without a clean answer (reset, timeout, truncated), bulk import retries it with its backoff
// and marks an event row sent again "possibly duplicated" in its report.
class JournyClient : public QObject
{
    Q_OBJECT
public:
    // Idle kept-alive connections are closed after this long (see above).
    static constexpr int IdleConnectionSeconds = 4;

    // network and tracker may be shared between clients (one per profile); when null the client
    // makes its own.
    explicit JournyClient(const ClientConfig &config, NetworkAccess *network = nullptr,
                          RateLimitTracker *tracker = nullptr, QObject *parent = nullptr);

    const ClientConfig &config() const { return m_config; }
    void setConfig(const ClientConfig &config);

    // validated: the caller already ran pre-flight validation on exactly this request (bulk
    // import does, row by row), so it is not run twice.
    ApiReply *send(const ApiRequest &request, bool validated = false);

    RateLimitTracker *rateLimits() const { return m_tracker; }
    // This client's key in the tracker: base URL plus a fingerprint of the API key. Computed when
    // the config changes, not per call: bulk import asks for it several times per row.
    const QString &rateLimitScope() const { return m_scope; }

    static QByteArray userAgent();
    // The URL a request goes to, e.g. https://api.journy.io/users/upsert.
    QUrl urlFor(const ApiRequest &request) const;

signals:
    // Every call's result, for history and the rate-limit gauge.
    void requestFinished(const ApiResult &result);

private:
    // Empty when the base URL may be used; else why not.
    ApiResult::Failure checkBaseUrl(QString *detail) const;

    // Hands the request to Qt along route (already looked up).
    void dispatch(ApiReply *reply, const ApiRequest &request, const QUrl &url, const QNetworkProxy &route);

    ClientConfig m_config;
    QString m_scope;
    NetworkAccess *m_network;
    RateLimitTracker *m_tracker;
};

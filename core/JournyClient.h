#pragma once

#include "ApiReply.h"
#include "ApiRequest.h"
#include "ClientConfig.h"

#include <QObject>

class HttpConnectionPool;
class RateLimitTracker;

// The only thing in the product that talks HTTP to journy.io. Asynchronous: send() returns at
// once and the ApiReply's finished() carries the ApiResult. Requests carry X-Api-Key, JSON
// content headers and a journy-console User-Agent; plain http:// is refused except to loopback,
// redirects are not followed (they would carry the key elsewhere) and TLS errors are never
// ignored. Requests go over kept-alive HTTP/1.1 connections (HttpConnectionPool, HttpConnection).
//
// Stale keep-alive: a server may close an idle connection just as a request goes out on it, and
// the client then sees the close before any byte of the answer. Whether the server read, and
// acted on, the request cannot be known. The pool narrows the window (it drops connections the
// server closed while idle, and closes its own after a few idle seconds, under common server
// timeouts); what remains follows RFC 9112 9.3.1: an idempotent request (GET, HEAD, PUT,
// DELETE) whose reused connection closed before any byte of the answer is sent once more on a
// new connection; any other (journy.io's POSTs: upserts, events) finishes with
// Failure::ConnectionReset and is never sent again by the client itself. Callers decide: bulk
// import retries it with its backoff, and marks an event row sent again "possibly duplicated".
class JournyClient : public QObject
{
    Q_OBJECT
public:
    // pool and tracker may be shared between clients (one per profile); when null the client
    // makes its own.
    explicit JournyClient(const ClientConfig &config, HttpConnectionPool *pool = nullptr,
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

    ClientConfig m_config;
    // The request's bytes as they go on the wire: request line, headers, body.
    QByteArray serialize(const ApiRequest &request, const QUrl &url, const QByteArray &body) const;

    QString m_scope;
    HttpConnectionPool *m_pool;
    RateLimitTracker *m_tracker;
};

#pragma once

#include "api/ApiOperation.h"
#include "api/EventDefinition.h"
#include "api/PropertyDefinition.h"
#include "api/RateLimitState.h"
#include "api/SegmentDefinition.h"
#include "api/TrackingSnippet.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

#include <optional>

// The one result type of every call, whether it succeeded, was refused by pre-flight
// validation, answered with an error status, or never got a clean JSON answer.
class ApiResult
{
public:
    // Why a call did not produce a clean JSON answer. A JSON 4xx/5xx is not a failure here: it
    // is an answer, judged by httpStatus (see outcome()).
    enum class Failure
    {
        None,
        Preflight,   // pre-flight validation found errors; nothing was sent
        InvalidUrl,  // the base URL is not an absolute http(s) URL
        InsecureUrl, // plain http:// to a host that is not loopback
        Timeout,     // no complete answer within the configured timeout
        ConnectionRefused,
        ConnectionReset, // the connection closed or reset before an answer arrived
        HostNotFound,
        Tls,             // certificate or handshake error; never ignored
        NonJsonBody,     // e.g. an HTML error page from a proxy, or an empty body
        TruncatedBody,   // the answer stopped before its end
        BodyTooLarge,    // the answer exceeded the size cap; it was not read to the end
        UnexpectedShape, // valid JSON, but not what the spec says this call returns
        Redirected,      // a 3xx: not followed, so the API key never goes to another host
        Network,         // any other transport error
        Cancelled,
        ProxyRefused,      // nothing listens at the proxy's address
        ProxyAuth,         // the proxy wants a login (407) that was missing or refused
        ProxyHostNotFound, // the proxy's host name does not resolve
    };

    // What a caller does next; the CLI maps these to its exit codes.
    enum class Outcome
    {
        Success,         // 2xx with a clean JSON answer (or an empty 204)
        PreflightFailed, // nothing was sent
        Refused,         // the server answered 4xx, or the URL was refused before sending
        Failed,          // 5xx, or no usable answer (transport, body)
    };

    Operation operation = Operation::Validate;

    // What was sent, for the response panel and history; never holds the API key.
    QByteArray requestMethod;
    QString requestUrl;
    QByteArray requestBody;
    QString note;            // ApiRequest::note, for History; it was not sent
    bool background = false; // ApiRequest::background of the request

    int httpStatus = 0; // 0 when no HTTP answer arrived
    QString requestId;  // meta.requestId
    QString message;
    QJsonValue data;                 // the raw `data` member of GET answers
    QMap<QString, QString> rejected; // upserts: property -> why it was not stored
    QMap<QString, QString> errors;   // field path -> message (server 400 or pre-flight)
    RateLimitState rateLimit;
    qint64 retryAfterMs = -1; // the answer's Retry-After (RetryPolicy), -1 when absent or unreadable
    qint64 latencyMs = -1;

    // How the call travelled, for Test connection and `journy validate`: "direct" or "via HTTP
    // proxy proxy.corp:3128" (empty when nothing was sent), and for https the TLS protocol
    // ("TLS 1.3") and who issued the server's certificate.
    QString route;
    QString tlsProtocol;
    QString tlsIssuer;

    Failure failure = Failure::None;
    QString failureDetail; // human-readable, e.g. the TLS error or the parser's complaint

    QList<QPair<QByteArray, QByteArray>> responseHeaders;
    QByteArray responseBody;

    bool ok() const { return outcome() == Outcome::Success; }
    Outcome outcome() const;

    // A stable identifier for scripts ("timeout", "tls", ...); empty for Failure::None.
    static QString failureName(Failure failure);
    // One line a user can act on, for any result ("201 Created", "Timed out after 30 s", ...).
    QString summary() const;

    // Typed `data` of the GET calls; std::nullopt when `data` does not have the spec's shape.
    std::optional<QList<EventDefinition>> events() const;
    std::optional<QList<PropertyDefinition>> properties() const;
    std::optional<QList<SegmentDefinition>> segments() const;
    std::optional<TrackingSnippet> trackingSnippet() const;
    std::optional<QStringList> permissions() const;
    // True when `data` has the shape the spec declares for this operation (or it has no data).
    bool dataMatchesSpec() const;
};

#pragma once

#include "ApiReply.h"
#include "ApiRequest.h"
#include "ClientConfig.h"

#include <QObject>

class QNetworkAccessManager;
class RateLimitTracker;

// The only thing in the product that talks HTTP to journy.io. Asynchronous: send() returns at
// once and the ApiReply's finished() carries the ApiResult. Requests carry X-Api-Key, JSON
// content headers and a journy-console User-Agent; plain http:// is refused except to loopback,
// redirects are not followed (they would carry the key elsewhere) and TLS errors are never
// ignored. Note that Qt's HTTP stack itself sends a request once or twice more when the
// connection dies before any byte of the answer arrives (a stale keep-alive connection); for
// events that can mean a duplicate, which bulk import's report accounts for.
class JournyClient : public QObject
{
    Q_OBJECT
public:
    // nam and tracker may be shared between clients (one per profile); when null the client
    // makes its own.
    explicit JournyClient(const ClientConfig &config, QNetworkAccessManager *nam = nullptr,
                          RateLimitTracker *tracker = nullptr, QObject *parent = nullptr);

    const ClientConfig &config() const { return m_config; }
    void setConfig(const ClientConfig &config);

    ApiReply *send(const ApiRequest &request);

    RateLimitTracker *rateLimits() const { return m_tracker; }
    // This client's key in the tracker: base URL plus a fingerprint of the API key.
    QString rateLimitScope() const;

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
    QNetworkAccessManager *m_nam;
    RateLimitTracker *m_tracker;
};

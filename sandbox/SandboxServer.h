#pragma once

#include "api/ApiOperation.h"
#include "api/RequestValidator.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxFaults.h"
#include "sandbox/SandboxRateLimiter.h"
#include "sandbox/SandboxStore.h"

#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QJsonObject>
#include <QUrl>

class QHttpServerResponder;

// A local server that behaves like api.journy.io as the spec describes it: the 16 operations,
// validation with the spec's 400 shape, keys and permissions, a sliding-window rate limit, state,
// plus sandbox-only inspection under /_sandbox/ and optional fault injection. The console runs
// it in-process as its default profile; journy-sandbox runs it standalone.
class SandboxServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    explicit SandboxServer(const SandboxConfig &config, QObject *parent = nullptr);

    // Keeps state in SQLite at path (created when missing).
    bool openData(const QString &path, QString *error);
    // Listens on address:port (0: a free port); false when the port cannot be had (listenError()
    // says why).
    bool start(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    QString listenError() const { return m_listenError; }
    QUrl baseUrl() const;
    const SandboxConfig &config() const { return m_config; }
    QJsonObject stats() const;

    // A request body larger than this is refused with a 413 as soon as it is declared or, when
    // streamed, as soon as it is over (GuardedSocket), without reading the rest; the pre-flight
    // check refuses such a body too: one limit for both.
    static constexpr qint64 MaxBodyBytes = RequestValidator::MaxBodyBytes;
    // A request's method as the API table spells it ("POST"), "OTHER" for one it does not name;
    // the relay reads requests with it too.
    static QByteArray methodName(QHttpServerRequest::Method method);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    class Reply
    {
    public:
        int status = 200;
        QJsonObject body;
        QByteArray contentType = "application/json";
        QByteArray rawBody;    // used instead of body when set (garbled answers)
        QString apiKey;        // for the rate-limit headers; empty when unknown
        QByteArray retryAfter; // a Retry-After header's value; none when empty
        bool truncate = false;
        bool drop = false;
        bool headersOnly = false; // a HEAD request: the headers a GET would get, no content
    };

    Reply process(const QHttpServerRequest &request);
    // The injected faults, then serveApi() for the request itself.
    Reply processApi(const QHttpServerRequest &request, Operation operation);
    Reply serveApi(const QHttpServerRequest &request, Operation operation);
    Reply processInspection(const QHttpServerRequest &request);
    Reply answer(int status, const QString &message, const QJsonObject &extra = QJsonObject()) const;
    void deliver(QHttpServerResponder &responder, const Reply &reply);

    SandboxConfig m_config;
    SandboxStore m_store;
    SandboxRateLimiter m_rateLimiter;
    SandboxFaults m_faults;
    QHostAddress m_address;
    quint16 m_port = 0;
    QString m_listenError;
    qint64 m_requests = 0;
    qint64 m_rateLimited = 0;
};

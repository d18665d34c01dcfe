#pragma once

#include "api/ClientConfig.h"
#include "api/RequestValidator.h"
#include "relay/RelayRecord.h"

#include <QAbstractHttpServer>
#include <QHash>
#include <QJsonValue>
#include <QUrl>

class ApiResult;
class NetworkAccess;
class QHttpServerResponder;

// A local endpoint that speaks the journy.io API, for a customer's staging backend or an official
// SDK configured with rootUrl = url(): every call that arrives is checked (RequestValidator's spec
// rules, IntegrationLint), recorded and reported (received()), then forwarded to the upstream with
// the caller's own X-Api-Key through JournyClient (the profile's proxy and CA file apply), and the
// upstream's answer passed back: status, body, Content-Type, X-RateLimit-* and Retry-After. The key
// is never kept; a record holds its fingerprint. Listens on 127.0.0.1 only: it relays whatever key
// it is given, so nothing but this machine may reach it.
//
// HTTP framing, size limits, timeouts and the connection cap are the sandbox's (GuardedTcpServer):
// malformed HTTP is answered 400, a body over MaxBodyBytes 413, and a client that goes away before
// its request is whole is dropped without anything being forwarded.
//
// The lint learns as the relay runs: the JSON types of properties and metadata seen in earlier
// requests are its evidence (IntegrationLint::Context::observedTypes), as rows are for an import.
class RelayServer : public QAbstractHttpServer
{
    Q_OBJECT
public:
    // upstream: the base URL and network settings of the profile to forward to; its apiKey is
    // ignored (each call carries its caller's key) and pre-flight validation is off (the relay
    // only observes: the upstream's own 400 is what the caller must see).
    explicit RelayServer(const ClientConfig &upstream, QObject *parent = nullptr);
    ~RelayServer() override;

    // Listens on 127.0.0.1:port (0: a free port); false when the port cannot be had
    // (listenError() says why).
    bool listen(quint16 port = 0);
    QString listenError() const { return m_listenError; }
    quint16 port() const { return m_port; }
    QUrl url() const;
    QUrl upstreamUrl() const { return m_upstream.baseUrl; }

    static constexpr qint64 MaxBodyBytes = RequestValidator::MaxBodyBytes;
    static constexpr int MaxConnections = 64;

signals:
    // As soon as a request is read and checked, before it is forwarded.
    void received(const RelayRecord &record);
    // When its answer has been written to the caller.
    void answered(const RelayRecord &record);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    class Answer
    {
    public:
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers; // besides Content-Length and Connection
    };

    // A JSON answer in journy.io's error shape, marked as the relay's own.
    static Answer ownAnswer(int status, const QString &message, QString *requestId);
    // What the caller gets for the upstream's result.
    static Answer answerFor(const ApiResult &result, RelayRecord *record);
    void deliver(QHttpServerResponder &responder, const Answer &answer, bool headRequest);
    // Notes the JSON types of the request's properties and metadata, the lint's evidence for later
    // requests ("399" after 399 was sent as a number is a warning, not information).
    void observeTypes(const QByteArray &body);

    ClientConfig m_upstream;
    NetworkAccess *m_network;
    quint16 m_port = 0;
    QString m_listenError;
    qint64 m_nextId = 1;
    QHash<QString, QJsonValue::Type> m_observedTypes; // IntegrationLint::Context::observedTypes
};

#include "relay/RelayServer.h"

#include "api/ApiOperation.h"
#include "api/ApiReply.h"
#include "api/ApiRequest.h"
#include "api/IntegrationLint.h"
#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "api/PastedRequest.h"
#include "sandbox/GuardedTcpServer.h"
#include "sandbox/SandboxServer.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QUrlQuery>
#include <QUuid>

#include <memory>

namespace {

QByteArray headerValue(const QList<QPair<QByteArray, QByteArray>> &headers, const QByteArray &name)
{
    for (const auto &pair : headers) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return pair.second;
    }
    return QByteArray();
}

// The upstream's headers a caller acts on: how to read the body, and the rate limit (an SDK's
// backoff reads Retry-After and X-RateLimit-Remaining).
bool passedBack(const QByteArray &name)
{
    return name.compare("Content-Type", Qt::CaseInsensitive) == 0 ||
           name.compare("Retry-After", Qt::CaseInsensitive) == 0 || name.toLower().startsWith("x-ratelimit-");
}

// Failures after which what the upstream sent is still a whole answer worth passing on: a body
// that is not the JSON the spec promises is the upstream's business, not the relay's.
bool isWholeAnswer(const ApiResult &result)
{
    switch (result.failure) {
    case ApiResult::Failure::None:
    case ApiResult::Failure::NonJsonBody:
    case ApiResult::Failure::UnexpectedShape:
    case ApiResult::Failure::Redirected:
        return result.httpStatus > 0;
    default:
        return false;
    }
}

} // namespace

RelayServer::RelayServer(const ClientConfig &upstream, QObject *parent)
    : QAbstractHttpServer(parent), m_upstream(upstream), m_network(new NetworkAccess(this))
{
    m_upstream.apiKey.clear();
    m_upstream.preflight = false;
}

RelayServer::~RelayServer() = default;

bool RelayServer::listen(quint16 port)
{
    GuardedSocket::Settings settings;
    settings.limits.maxBodyBytes = MaxBodyBytes;
    settings.serverName = QStringLiteral("The journy relay");
    auto *server = new GuardedTcpServer(settings, MaxConnections, this);
    if (!server->listen(QHostAddress::LocalHost, port)) {
        m_listenError = server->errorString();
        delete server;
        return false;
    }
    bind(server);
    m_port = server->serverPort();
    return true;
}

QUrl RelayServer::url() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    return url;
}

RelayServer::Answer RelayServer::ownAnswer(int status, const QString &message, QString *requestId)
{
    *requestId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QJsonObject body{
        {QLatin1String("message"), message},
        {QLatin1String("meta"), QJsonObject{{QLatin1String("requestId"), *requestId},
                                            {QLatin1String("status"), status},
                                            {QLatin1String("source"), QLatin1String("journy relay")}}}};
    Answer answer;
    answer.status = status;
    answer.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    answer.headers.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return answer;
}

RelayServer::Answer RelayServer::answerFor(const ApiResult &result, RelayRecord *record)
{
    if (isWholeAnswer(result)) {
        Answer answer;
        answer.status = result.httpStatus;
        answer.body = result.responseBody;
        for (const auto &header : result.responseHeaders) {
            if (passedBack(header.first))
                answer.headers.append(header);
        }
        record->requestId = result.requestId;
        return answer;
    }
    const bool timedOut = result.failure == ApiResult::Failure::Timeout;
    record->failure = timedOut ? QStringLiteral("timeout: %1").arg(result.summary())
                               : QStringLiteral("unreachable: %1").arg(result.summary());
    return ownAnswer(
        timedOut ? 504 : 502,
        timedOut
            ? QStringLiteral("journy relay: the upstream did not answer in time (%1)").arg(result.summary())
            : QStringLiteral("journy relay: the upstream gave no answer (%1)").arg(result.summary()),
        &record->requestId);
}

bool RelayServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    RelayRecord record;
    record.id = m_nextId++;
    record.received = QDateTime::currentDateTimeUtc();
    record.method = SandboxServer::methodName(request.method());
    const QString path = request.url().path();
    const QString query = request.url().query(QUrl::FullyEncoded);
    record.path = query.isEmpty() ? path : path + QLatin1Char('?') + query;
    record.requestBody = request.body();
    const QByteArray key = headerValue(request.headers(), "X-Api-Key").trimmed();
    if (!key.isEmpty())
        record.keyFingerprint = PastedRequest::fingerprint(key);
    const bool head = request.method() == QHttpServerRequest::Method::Head;

    const ApiOperation *operation = nullptr;
    bool pathKnown = false;
    for (const ApiOperation &candidate : ApiOperation::all()) {
        if (candidate.path != path)
            continue;
        pathKnown = true;
        if (candidate.method == record.method)
            operation = &candidate;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    if (!operation) {
        const QString message = pathKnown ? QStringLiteral("journy relay: method %1 is not allowed on %2")
                                                .arg(QString::fromLatin1(record.method), path)
                                          : QStringLiteral("journy relay: not a journy.io API route: %1 %2")
                                                .arg(QString::fromLatin1(record.method), path);
        record.specErrors.insert(QString(), message);
        record.judge();
        emit received(record);
        const Answer answer = ownAnswer(pathKnown ? 405 : 404, message, &record.requestId);
        record.answered = true;
        record.status = answer.status;
        record.responseBody = answer.body;
        record.latencyMs = 0;
        deliver(responder, answer, head);
        emit answered(record);
        return true;
    }

    ApiRequest apiRequest;
    apiRequest.operation = operation->operation;
    // Byte for byte as the caller sent it, so the upstream judges exactly what the integration sends.
    apiRequest.bodyText = operation->hasBody ? record.requestBody : QByteArray();
    apiRequest.query = QUrlQuery(request.url());
    record.operationId = operation->operationId;
    record.specErrors = RequestValidator::validate(apiRequest);
    IntegrationLint::Context context;
    context.observedTypes = m_observedTypes;
    record.findings = IntegrationLint::lint(apiRequest, context);
    observeTypes(record.requestBody);
    record.judge();
    emit received(record);

    // A request with spec errors is forwarded all the same: the relay only observes, and the
    // upstream's own 400 is what the integration gets in production, so it is what it gets here.
    ClientConfig config = m_upstream;
    config.apiKey = QString::fromUtf8(key);
    auto *client = new JournyClient(config, m_network, nullptr, this);
    ApiReply *reply = client->send(apiRequest, true);
    auto pending = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> guard(socket);
    connect(reply, &ApiReply::finished, this,
            [this, client, pending, guard, record, head](const ApiResult &result) mutable {
                client->deleteLater();
                const Answer answer = answerFor(result, &record);
                // As long as the caller waited, the relay included: what an SDK's own timeout is
                // up against.
                record.latencyMs = record.received.msecsTo(QDateTime::currentDateTimeUtc());
                record.answered = true;
                record.status = answer.status;
                record.responseBody = answer.body;
                // The caller may have gone while the upstream was answering; the record still says
                // what the upstream did.
                if (guard && guard->state() == QAbstractSocket::ConnectedState)
                    deliver(*pending, answer, head);
                emit answered(record);
            });
    return true;
}

void RelayServer::observeTypes(const QByteArray &body)
{
    const QJsonObject object = QJsonDocument::fromJson(body).object();
    for (const QLatin1String member : {QLatin1String("properties"), QLatin1String("metadata")}) {
        const QJsonObject values = object.value(member).toObject();
        for (auto it = values.begin(); it != values.end(); ++it) {
            const QJsonValue::Type type = it.value().type();
            // A typed value is the evidence; text only says the name holds something, and null
            // says nothing (it deletes).
            if (type == QJsonValue::Null)
                continue;
            if (type != QJsonValue::String || !m_observedTypes.contains(it.key()))
                m_observedTypes.insert(it.key(), type);
        }
    }
}

void RelayServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // handleRequest takes every request; this only satisfies the interface.
    QHttpServerResponder responder = makeResponder(request, socket);
    QString requestId;
    deliver(responder, ownAnswer(404, QStringLiteral("journy relay: not found"), &requestId), false);
}

void RelayServer::deliver(QHttpServerResponder &responder, const Answer &answer, bool headRequest)
{
    auto *connection = qobject_cast<GuardedSocket *>(responder.socket());
    // Every answer ends the request for the connection: it then closes, or takes the next one.
    auto finished = qScopeGuard([connection] { connection->finishRequest(); });
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(answer.status));
    if (connection->closesAfterAnswer())
        responder.writeHeader("Connection", "close");
    for (const auto &header : answer.headers)
        responder.writeHeader(header.first, header.second);
    if (answer.status == 204 || answer.status == 304) {
        // No content in these answers (RFC 9110): a body would be read as the next answer.
        responder.writeBody(QByteArray());
        return;
    }
    responder.writeHeader("Content-Length", QByteArray::number(answer.body.size()));
    // An answer to HEAD has the headers of a GET and no content (RFC 9110 9.3.2).
    responder.writeBody(headRequest ? QByteArray() : answer.body);
}

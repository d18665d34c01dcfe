#include "sandbox/SandboxServer.h"

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/RequestValidator.h"
#include "sandbox/GuardedTcpServer.h"

#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTimer>
#include <QUuid>

#include <memory>

namespace {

QByteArray header(const QHttpServerRequest &request, const QByteArray &name)
{
    for (const auto &pair : request.headers()) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return pair.second;
    }
    return QByteArray();
}

bool hasHeader(const QHttpServerRequest &request, const QByteArray &name)
{
    for (const auto &pair : request.headers()) {
        if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

QByteArray SandboxServer::methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    default:
        return "OTHER";
    }
}

SandboxServer::SandboxServer(const SandboxConfig &config, QObject *parent)
    : QAbstractHttpServer(parent), m_config(config),
      m_rateLimiter(config.rateLimit, config.rateWindowSeconds * 1000), m_faults(config.faults)
{
    m_config.ensureAKey();
}

bool SandboxServer::openData(const QString &path, QString *error)
{
    return m_store.open(path, error);
}

bool SandboxServer::start(const QHostAddress &address, quint16 port)
{
    GuardedSocket::Settings settings;
    settings.limits.maxBodyBytes = MaxBodyBytes;
    settings.headerTimeoutMs = m_config.connections.headerTimeoutMs;
    settings.idleTimeoutMs = m_config.connections.idleTimeoutMs;
    auto *server = new GuardedTcpServer(settings, m_config.connections.maxConnections, this);
    if (!server->listen(address, port)) {
        m_listenError = server->errorString();
        delete server;
        return false;
    }
    bind(server);
    m_address = address;
    m_port = server->serverPort();
    return true;
}

QUrl SandboxServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(m_address.toString());
    url.setPort(m_port);
    return url;
}

QJsonObject SandboxServer::stats() const
{
    return {{QLatin1String("users"), m_store.count(SandboxStore::Kind::User)},
            {QLatin1String("accounts"), m_store.count(SandboxStore::Kind::Account)},
            {QLatin1String("events"), m_store.eventCount()},
            {QLatin1String("requests"), m_requests},
            {QLatin1String("rateLimited"), m_rateLimited},
            {QLatin1String("maxPerWindow"), m_rateLimiter.maxPerWindow()}};
}

SandboxServer::Reply SandboxServer::answer(int status, const QString &message, const QJsonObject &extra) const
{
    Reply reply;
    reply.status = status;
    reply.body = extra;
    reply.body.insert(QLatin1String("meta"), QJsonObject{{QLatin1String("requestId"),
                                                          QUuid::createUuid().toString(QUuid::WithoutBraces)},
                                                         {QLatin1String("status"), status}});
    if (!message.isEmpty())
        reply.body.insert(QLatin1String("message"), message);
    return reply;
}

bool SandboxServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    Reply reply = process(request);
    reply.headersOnly = request.method() == QHttpServerRequest::Method::Head;
    if (reply.drop) {
        qobject_cast<GuardedSocket *>(socket)->abortConnection();
        return true;
    }
    QHttpServerResponder responder = makeResponder(request, socket);
    const int delay = m_faults.enabled() ? m_faults.nextDelayMs() : 0;
    if (delay <= 0) {
        deliver(responder, reply);
        return true;
    }
    // Added latency: the answer is written later, unless the client has gone by then.
    auto pending = std::make_shared<QHttpServerResponder>(std::move(responder));
    QPointer<QTcpSocket> guard(socket);
    QTimer::singleShot(delay, this, [this, pending, guard, reply] {
        if (guard && guard->state() == QAbstractSocket::ConnectedState)
            deliver(*pending, reply);
    });
    return true;
}

void SandboxServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    deliver(responder, answer(404, QStringLiteral("Not found")));
}

void SandboxServer::deliver(QHttpServerResponder &responder, const Reply &reply)
{
    auto *connection = qobject_cast<GuardedSocket *>(responder.socket());
    // Every answer ends the request for the connection: it then closes, or takes the next one.
    auto finished = qScopeGuard([connection] { connection->finishRequest(); });
    QByteArray body =
        reply.rawBody.isEmpty() ? QJsonDocument(reply.body).toJson(QJsonDocument::Compact) : reply.rawBody;
    const int remaining =
        reply.apiKey.isEmpty() ? m_rateLimiter.limit() : m_rateLimiter.remaining(reply.apiKey);
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(reply.status));
    // RFC 9112 9.6: the answer to a request that asked to close says the connection closes.
    if (connection->closesAfterAnswer())
        responder.writeHeader("Connection", "close");
    responder.writeHeader("X-RateLimit-Limit", QByteArray::number(m_rateLimiter.limit()));
    responder.writeHeader("X-RateLimit-Remaining", QByteArray::number(reply.status == 429 ? 0 : remaining));
    if (!reply.retryAfter.isEmpty())
        responder.writeHeader("Retry-After", reply.retryAfter);
    if (reply.status == 204) {
        // The spec shows a JSON body on removeUserFromAccount's 204, but HTTP forbids one: a
        // client would read it as the start of the next answer on a kept-alive connection.
        responder.writeBody(QByteArray());
        return;
    }
    responder.writeHeader("Content-Type", reply.contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    if (reply.headersOnly) {
        // HTTP forbids content in an answer to HEAD (RFC 9110 9.3.2): a client reads none, so a
        // body would be taken for the start of the next answer on a kept-alive connection.
        responder.writeBody(QByteArray());
        return;
    }
    if (reply.truncate) {
        responder.writeBody(body.left(body.size() / 2));
        responder.socket()->disconnectFromHost();
        return;
    }
    responder.writeBody(body);
}

SandboxServer::Reply SandboxServer::process(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    if (path.startsWith(QLatin1String("/_sandbox/")))
        return processInspection(request);

    const QByteArray method = methodName(request.method());
    bool pathKnown = false;
    for (const ApiOperation &operation : ApiOperation::all()) {
        if (operation.path != path)
            continue;
        pathKnown = true;
        if (operation.method == method)
            return processApi(request, operation.operation);
    }
    return pathKnown
               ? answer(
                     405,
                     QStringLiteral("Method %1 is not allowed on %2").arg(QString::fromLatin1(method), path))
               : answer(404, QStringLiteral("Not found: %1 %2").arg(QString::fromLatin1(method), path));
}

SandboxServer::Reply SandboxServer::processApi(const QHttpServerRequest &request, Operation operation)
{
    ++m_requests;
    switch (m_faults.next()) {
    case SandboxFaults::Fault::Drop: {
        Reply reply;
        reply.drop = true;
        return reply;
    }
    case SandboxFaults::Fault::Fail:
        return answer(500, QStringLiteral("Internal server error (injected by the sandbox)"));
    case SandboxFaults::Fault::Burst429: {
        ++m_rateLimited;
        Reply reply = answer(429, QStringLiteral("Too many requests (a burst injected by the sandbox)"));
        reply.retryAfter = "1";
        return reply;
    }
    case SandboxFaults::Fault::Garble: {
        // Carried out, then the answer spoilt on its way back: the client cannot tell whether the
        // request took effect (an event sent again may be stored twice).
        Reply reply = serveApi(request, operation);
        if (m_faults.nextGarbleIsTruncation()) {
            reply.truncate = true;
        } else {
            reply.contentType = "text/html";
            reply.rawBody = "<html><body><h1>502 Bad Gateway</h1>(injected by the sandbox)</body></html>";
        }
        return reply;
    }
    case SandboxFaults::Fault::None:
        break;
    }
    return serveApi(request, operation);
}

SandboxServer::Reply SandboxServer::serveApi(const QHttpServerRequest &request, Operation operation)
{
    const ApiOperation &info = ApiOperation::info(operation);
    const QString key = QString::fromUtf8(header(request, "X-Api-Key"));
    if (key.isEmpty())
        return answer(401, QStringLiteral("No API key was provided: send it in the X-Api-Key header"));
    const auto found = m_config.keys.constFind(key);
    if (found == m_config.keys.constEnd())
        return answer(401, QStringLiteral("The API key is not valid"));
    if (!found->enabled)
        return answer(403, QStringLiteral("The API key provided is currently not enabled"));

    int remaining = 0;
    if (!m_rateLimiter.tryAcquire(key, &remaining)) {
        ++m_rateLimited;
        Reply reply = answer(429, QStringLiteral("Too many requests: the limit is %1 per %2 s")
                                      .arg(m_config.rateLimit)
                                      .arg(m_config.rateWindowSeconds));
        reply.apiKey = key;
        // As journy.io does: the client is told when a slot frees up, not left to guess.
        reply.retryAfter = QByteArray::number(m_rateLimiter.secondsUntilFree(key));
        return reply;
    }

    auto keyed = [&key](Reply reply) {
        reply.apiKey = key;
        return reply;
    };
    if (!info.permission.isEmpty() && !found->permissions.contains(info.permission))
        return keyed(
            answer(401, QStringLiteral("The API key is not authorised to perform this action: it needs the "
                                       "%1 permission")
                            .arg(info.permission)));

    // The spec's 400 always carries `errors`. A body that cannot be read has no field to blame,
    // so its maps stay empty; a wrong Content-Type is a header parameter.
    auto badBody = [&](const QString &message, const QJsonObject &headerErrors = QJsonObject()) {
        QJsonObject parameters;
        if (!headerErrors.isEmpty())
            parameters.insert(QLatin1String("header"), headerErrors);
        return keyed(
            answer(400, message,
                   {{QLatin1String("errors"), QJsonObject{{QLatin1String("fields"), QJsonObject()},
                                                          {QLatin1String("parameters"), parameters}}}}));
    };
    QJsonObject body;
    if (info.hasBody) {
        // Its size is already within MaxBodyBytes: the connection's guard refused a larger one (413).
        const QByteArray raw = request.body();
        const QByteArray contentType = header(request, "Content-Type").toLower();
        if (!contentType.startsWith("application/json")) {
            const QString message =
                QStringLiteral("Content-Type must be application/json, not '%1'")
                    .arg(hasHeader(request, "Content-Type") ? QString::fromLatin1(contentType)
                                                            : QStringLiteral("(none)"));
            return badBody(message, {{QLatin1String("Content-Type"), message}});
        }
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(raw, &error);
        if (error.error != QJsonParseError::NoError)
            return badBody(QStringLiteral("The request body is not valid JSON: %1 at byte %2")
                               .arg(error.errorString())
                               .arg(error.offset));
        if (!document.isObject())
            return badBody(QStringLiteral("The request body must be a JSON object"));
        body = document.object();
    }

    const ApiRequest apiRequest = ApiRequest::raw(operation, body, request.query());
    const RequestValidator::FieldErrors errors = RequestValidator::validate(apiRequest);
    if (!errors.isEmpty()) {
        QJsonObject fields;
        QJsonObject parameters;
        for (auto it = errors.begin(); it != errors.end(); ++it) {
            const QStringList parts = it.key().split(QLatin1Char('.'));
            if (parts.size() >= 3 && parts.first() == QLatin1String("parameters")) {
                QJsonObject group = parameters.value(parts.at(1)).toObject();
                group.insert(parts.mid(2).join(QLatin1Char('.')), it.value());
                parameters.insert(parts.at(1), group);
            } else {
                fields.insert(it.key(), it.value());
            }
        }
        return keyed(
            answer(400, QStringLiteral("Bad request, some fields or parameters are incorrect"),
                   {{QLatin1String("errors"), QJsonObject{{QLatin1String("fields"), fields},
                                                          {QLatin1String("parameters"), parameters}}}}));
    }

    const QJsonObject identification = body.value(QLatin1String("identification")).toObject();
    const QJsonObject properties = body.value(QLatin1String("properties")).toObject();
    auto upserted = [&](SandboxStore::Kind kind, const QString &message) {
        const QMap<QString, QString> rejected = m_store.upsert(kind, identification, properties);
        QJsonObject extra;
        if (!rejected.isEmpty()) {
            QJsonObject map;
            for (auto it = rejected.begin(); it != rejected.end(); ++it)
                map.insert(it.key(), it.value());
            extra.insert(QLatin1String("rejected"), map);
        }
        return keyed(answer(201, message, extra));
    };
    auto list = [&](const QJsonArray &data) {
        return keyed(answer(200, QString(), {{QLatin1String("data"), data}}));
    };
    auto segments = [&](const QList<SandboxConfig::Segment> &configured) {
        QJsonArray data;
        for (const SandboxConfig::Segment &segment : configured)
            data.append(
                QJsonObject{{QLatin1String("id"), segment.id}, {QLatin1String("name"), segment.name}});
        return list(data);
    };

    switch (operation) {
    case Operation::UpsertUser:
        return upserted(SandboxStore::Kind::User, QStringLiteral("User will be created or updated"));
    case Operation::UpsertAccount:
        return upserted(SandboxStore::Kind::Account, QStringLiteral("Account will be created or updated"));
    case Operation::DeleteUser:
        m_store.remove(SandboxStore::Kind::User, identification);
        return keyed(answer(202, QStringLiteral("User will be deleted")));
    case Operation::DeleteAccount:
        m_store.remove(SandboxStore::Kind::Account, identification);
        return keyed(answer(202, QStringLiteral("Account will be deleted")));
    case Operation::AddUsersToAccount:
        m_store.setMembership(body.value(QLatin1String("account")).toObject(),
                              body.value(QLatin1String("users")).toArray(), false);
        return keyed(answer(201, QStringLiteral("Users will be added to the account")));
    case Operation::RemoveUsersFromAccount:
        m_store.setMembership(body.value(QLatin1String("account")).toObject(),
                              body.value(QLatin1String("users")).toArray(), true);
        return keyed(answer(204, QString()));
    case Operation::TrackEvent:
    case Operation::TrackLegacyEvent:
        m_store.addEvent(body, operation == Operation::TrackLegacyEvent);
        return keyed(answer(201, QStringLiteral("Event will be processed")));
    case Operation::Link:
        m_store.link(body.value(QLatin1String("deviceId")).toString(), identification);
        return keyed(answer(201, QStringLiteral("Device will be linked to the user")));
    case Operation::TrackingSnippet: {
        const QString domain =
            request.query().queryItemValue(QStringLiteral("domain"), QUrl::FullyDecoded).toLower();
        const auto website = m_config.websites.constFind(domain);
        if (website == m_config.websites.constEnd())
            return keyed(answer(404, QStringLiteral("No website found for domain %1").arg(domain)));
        return keyed(answer(200, QString(),
                            {{QLatin1String("data"), QJsonObject{{QLatin1String("domain"), domain},
                                                                 {QLatin1String("snippet"), *website}}}}));
    }
    case Operation::Validate:
        return keyed(answer(
            200, QString(),
            {{QLatin1String("data"),
              QJsonObject{{QLatin1String("permissions"), QJsonArray::fromStringList(found->permissions)}}}}));
    case Operation::ListEvents:
        return list(m_store.eventCatalog());
    case Operation::ListUserProperties:
        return list(m_store.propertyCatalog(SandboxStore::Kind::User));
    case Operation::ListAccountProperties:
        return list(m_store.propertyCatalog(SandboxStore::Kind::Account));
    case Operation::ListUserSegments:
        return segments(m_config.userSegments);
    case Operation::ListAccountSegments:
        return segments(m_config.accountSegments);
    }
    return answer(500, QStringLiteral("Unhandled operation"));
}

SandboxServer::Reply SandboxServer::processInspection(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    const QUrlQuery query = request.query();
    const QByteArray method = methodName(request.method());
    auto item = [&query](const char *name) {
        return query.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
    };
    auto found = [](const QJsonValue &value, const QString &what) {
        Reply reply;
        if (value.isNull()) {
            reply.status = 404;
            reply.body = {{QLatin1String("message"), QStringLiteral("No %1 matches").arg(what)}};
        } else {
            reply.body = value.toObject();
        }
        return reply;
    };

    if (method == "GET" && path == QLatin1String("/_sandbox/users"))
        return found(m_store.findUser(item("userId"), item("email")), QStringLiteral("user"));
    if (method == "GET" && path == QLatin1String("/_sandbox/accounts"))
        return found(m_store.findAccount(item("accountId"), item("domain")), QStringLiteral("account"));
    if (method == "GET" && path == QLatin1String("/_sandbox/events")) {
        Reply reply;
        reply.body = {
            {QLatin1String("data"), m_store.events(item("name"), item("userId"), item("accountId"))}};
        return reply;
    }
    if (method == "GET" && path == QLatin1String("/_sandbox/stats")) {
        Reply reply;
        reply.body = stats();
        return reply;
    }
    if (method == "POST" && path == QLatin1String("/_sandbox/reset")) {
        m_store.reset();
        Reply reply;
        reply.body = {{QLatin1String("message"), QStringLiteral("Sandbox state cleared")}};
        return reply;
    }
    Reply reply;
    reply.status = 404;
    reply.body = {
        {QLatin1String("message"),
         QStringLiteral(
             "Unknown sandbox path; see GET /_sandbox/users|accounts|events|stats, POST /_sandbox/reset")}};
    return reply;
}

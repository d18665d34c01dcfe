#include "support/ScriptedHttpServer.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <QTimer>

#include <memory>
#include <utility>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

ScriptedResponse ScriptedResponse::json(int status, const QJsonObject &body, int limit, int remaining)
{
    ScriptedResponse response =
        raw(status, "application/json; charset=utf-8", QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (limit >= 0) {
        response.headers.append({"X-RateLimit-Limit", QByteArray::number(limit)});
        response.headers.append({"X-RateLimit-Remaining", QByteArray::number(remaining)});
    }
    return response;
}

ScriptedResponse ScriptedResponse::raw(int status, const QByteArray &contentType, const QByteArray &body)
{
    ScriptedResponse response;
    response.status = status;
    if (!contentType.isEmpty())
        response.headers.append({"Content-Type", contentType});
    response.body = body;
    return response;
}

ScriptedResponse ScriptedResponse::misbehave(Behavior behavior)
{
    ScriptedResponse response;
    response.behavior = behavior;
    return response;
}

ScriptedHttpServer::ScriptedHttpServer(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &ScriptedHttpServer::onNewConnection);
}

ScriptedHttpServer::~ScriptedHttpServer()
{
    // Stalled sockets would otherwise outlive the test that stalled them.
    for (QTcpSocket *socket : m_buffers.keys())
        socket->abort();
}

bool ScriptedHttpServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl ScriptedHttpServer::baseUrl() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
}

void ScriptedHttpServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        ++m_connections;
        m_buffers.insert(socket, QByteArray());
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void ScriptedHttpServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer.append(socket->readAll());
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;

    ReceivedRequest request;
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    const QUrl target(QString::fromLatin1(requestLine.value(1)));
    request.path = target.path();
    request.query = QUrlQuery(target);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines.at(i).indexOf(':');
        if (colon > 0)
            request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                   lines.at(i).mid(colon + 1).trimmed());
    }
    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
    if (buffer.size() < headerEnd + 4 + length)
        return; // wait for the rest of the body
    request.body = buffer.mid(headerEnd + 4, length);
    buffer.clear();
    m_received.append(request);
    respond(socket, request.path);
}

void ScriptedHttpServer::respond(QTcpSocket *socket, const QString &path)
{
    QQueue<ScriptedResponse> &script = m_scriptFor[path].isEmpty() ? m_script : m_scriptFor[path];
    const ScriptedResponse response =
        script.isEmpty() ? ScriptedResponse::raw(500, "text/plain", "no scripted response left")
                         : script.dequeue();
    if (response.held) {
        m_held.append({socket, response});
        return;
    }
    answer(socket, response);
}

void ScriptedHttpServer::releaseHeld()
{
    const auto held = std::exchange(m_held, {});
    for (const auto &[socket, response] : held)
        if (socket) // the client may have given up meanwhile
            answer(socket, response);
}

void ScriptedHttpServer::answer(QTcpSocket *socket, const ScriptedResponse &response)
{
    switch (response.behavior) {
    case ScriptedResponse::Behavior::Stall:
        return;
    case ScriptedResponse::Behavior::ResetBeforeAnswer: {
        // SO_LINGER with a zero timeout turns close() into a TCP reset, as a crashing proxy does.
        struct linger hard = {1, 0};
        ::setsockopt(static_cast<int>(socket->socketDescriptor()), SOL_SOCKET, SO_LINGER,
                     reinterpret_cast<const char *>(&hard), sizeof(hard));
        socket->abort();
        return;
    }
    case ScriptedResponse::Behavior::Answer:
    case ScriptedResponse::Behavior::CloseMidBody:
    case ScriptedResponse::Behavior::Trickle:
        break;
    }

    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\n";
    for (const auto &header : response.headers)
        head += header.first + ": " + header.second + "\r\n";
    if (response.sendContentLength)
        head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    head += "Connection: close\r\n\r\n";
    socket->write(head);
    if (response.behavior == ScriptedResponse::Behavior::Trickle) {
        auto *timer = new QTimer(socket);
        auto sent = std::make_shared<qsizetype>(0);
        const QByteArray body = response.body;
        connect(timer, &QTimer::timeout, socket, [socket, timer, sent, body] {
            if (*sent >= body.size()) {
                timer->stop();
                return;
            }
            socket->write(body.mid((*sent)++, 1));
        });
        timer->start(100);
        return;
    }
    if (response.behavior == ScriptedResponse::Behavior::CloseMidBody) {
        socket->write(response.body.left(response.bytesBeforeClose));
        socket->flush();
        socket->disconnectFromHost();
        return;
    }
    socket->write(response.body);
    socket->disconnectFromHost(); // after the queued bytes are written
}

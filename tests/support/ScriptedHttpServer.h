#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QQueue>
#include <QTcpServer>
#include <QUrl>
#include <QUrlQuery>

class QTcpSocket;

// What the server read off the wire for one request.
class ReceivedRequest
{
public:
    QByteArray method;
    QString path;
    QUrlQuery query;
    QMap<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;
};

// One scripted answer, including the misbehaviours the client must survive.
class ScriptedResponse
{
public:
    enum class Behavior
    {
        Answer,            // a complete HTTP answer
        Stall,             // read the request, never answer
        ResetBeforeAnswer, // read the request, then reset the connection
        CloseMidBody,      // send the headers and part of the body, then close
        Trickle,           // send the headers, then one body byte every 100 ms
    };

    Behavior behavior = Behavior::Answer;
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool sendContentLength = true; // false: the body runs until the connection closes
    qint64 bytesBeforeClose = 0;   // CloseMidBody: how much of the body to send
    bool held = false;             // waits, request read, until ScriptedHttpServer::releaseHeld()

    static ScriptedResponse json(int status, const QJsonObject &body, int limit = 1800, int remaining = 1799);
    static ScriptedResponse raw(int status, const QByteArray &contentType, const QByteArray &body);
    static ScriptedResponse misbehave(Behavior behavior);
};

// A small HTTP/1.1 server on 127.0.0.1 for client tests: it answers with the scripted responses
// in order and records exactly what each request carried. Real sockets, real parsing; one
// request per connection (it answers with Connection: close).
class ScriptedHttpServer : public QObject
{
    Q_OBJECT
public:
    explicit ScriptedHttpServer(QObject *parent = nullptr);
    ~ScriptedHttpServer() override;

    bool listen();
    QUrl baseUrl() const;
    quint16 port() const { return m_server.serverPort(); }

    void enqueue(const ScriptedResponse &response) { m_script.enqueue(response); }
    // Answers for requests to path, taken before the general script: for tests where other
    // requests (the console's own) arrive in no set order.
    void enqueueFor(const QString &path, const ScriptedResponse &response)
    {
        m_scriptFor[path].enqueue(response);
    }
    // Held answers (ScriptedResponse::held) go out now, and how many wait: a test decides when a
    // slow server answers, without timing.
    void releaseHeld();
    int heldCount() const { return int(m_held.size()); }
    const QList<ReceivedRequest> &received() const { return m_received; }
    int connections() const { return m_connections; }

private:
    void onNewConnection();
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const QString &path);
    void answer(QTcpSocket *socket, const ScriptedResponse &response);

    QTcpServer m_server;
    QQueue<ScriptedResponse> m_script;
    QMap<QString, QQueue<ScriptedResponse>> m_scriptFor;
    QList<QPair<QPointer<QTcpSocket>, ScriptedResponse>> m_held;
    QList<ReceivedRequest> m_received;
    QMap<QTcpSocket *, QByteArray> m_buffers;
    int m_connections = 0;
};

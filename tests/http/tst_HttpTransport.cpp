// The HTTP/1.1 transport under JournyClient (HttpConnection, HttpConnectionPool) over real
// loopback sockets: a QTcpServer in the test writes exactly the bytes each case needs, so framing
// (Content-Length, chunked, close-delimited), keep-alive reuse and every way a connection can
// break are seen as a real server would produce them. Nothing is mocked.

#include "ApiRequest.h"
#include "HttpConnection.h"
#include "HttpConnectionPool.h"
#include "JournyClient.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <functional>

using Failure = ApiResult::Failure;

namespace {

const QByteArray ValidateBody =
    R"({"meta":{"requestId":"r-1","status":200},"data":{"permissions":["TrackData"]}})";
const QByteArray UpsertBody = R"({"meta":{"requestId":"r-2","status":201},"message":"Accepted"})";

QByteArray answer(const QByteArray &body, const QByteArray &extraHeaders = QByteArray(), int status = 200)
{
    return "HTTP/1.1 " + QByteArray::number(status) +
           " OK\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
           "\r\n" + extraHeaders + "\r\n" + body;
}

} // namespace

// A raw HTTP server: it reads each request (head and Content-Length body) and hands it to the
// test's handler with the socket, which writes whatever bytes the case calls for.
class RawServer : public QObject
{
    Q_OBJECT
public:
    class Request
    {
    public:
        QByteArray head;
        QByteArray body;
        int connection = 0; // 1-based, in the order connections were accepted
    };
    using Handler = std::function<void(QTcpSocket *, const Request &)>;

    explicit RawServer(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                const int index = ++m_connections;
                connect(socket, &QTcpSocket::readyRead, this,
                        [this, socket, index] { onReadyRead(socket, index); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
                m_sockets.append(socket);
            }
        });
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    }
    ~RawServer() override
    {
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets))
            if (socket)
                socket->abort();
    }

    QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    int connections() const { return m_connections; }
    const QList<Request> &requests() const { return m_requests; }
    // Closes every connection the server holds (as a server's keep-alive timeout would).
    void closeAll()
    {
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets))
            if (socket)
                socket->disconnectFromHost();
    }

private:
    void onReadyRead(QTcpSocket *socket, int index)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            qint64 length = 0;
            for (const QByteArray &line : buffer.left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            Request request;
            request.head = buffer.left(end + 4);
            request.body = buffer.mid(end + 4, length);
            request.connection = index;
            buffer.remove(0, end + 4 + length);
            m_requests.append(request);
            if (m_handler)
                m_handler(socket, request);
            if (socket->state() != QAbstractSocket::ConnectedState)
                return;
        }
    }

    QTcpServer m_server;
    Handler m_handler;
    QList<QPointer<QTcpSocket>> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
    int m_connections = 0;
};

class TestHttpTransport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void sendOnAConnectionThatDiedFailsAtOnce();

    void keepAliveReusesOneConnection();
    void requestCarriesTheHeaders();
    void chunkedBody();
    void closeDelimitedBody();
    void connectionCloseIsHonoured();
    void noContentKeepsTheConnection();
    void bytesAfterTheAnswerAreNotReused();
    void headersTooLarge();
    void bodyOverCapAnnounced();
    void bodyOverCapStreamed();
    void closedMidBody();
    void closedBeforeAnswer();
    void stallTimesOut();
    void htmlAnswer();
    void tenMegabytesArriveWhole();
    void cancelMidFlight();
    void serverClosedIdleConnection();
    void staleKeepAlivePostIsNotResent();
    void staleKeepAliveGetIsResentOnce();
    void poolCapsConnectionsPerOrigin();
    void idleConnectionsAreClosedAfterTimeout();

private:
    ApiResult run(const ApiRequest &request);

    RawServer *m_server = nullptr;
    HttpConnectionPool *m_pool = nullptr;
    JournyClient *m_client = nullptr;
};

void TestHttpTransport::init()
{
    m_server = new RawServer(this);
    m_pool = new HttpConnectionPool(this);
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = QStringLiteral("sk_transport");
    config.timeoutMs = 2000;
    config.maxResponseBytes = 1024 * 1024;
    m_client = new JournyClient(config, m_pool, nullptr, this);
}

void TestHttpTransport::cleanup()
{
    delete m_client;
    delete m_pool;
    delete m_server;
}

ApiResult TestHttpTransport::run(const ApiRequest &request)
{
    ApiReply *reply = m_client->send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    // A call that never finishes, or finishes twice, fails the test that made it.
    if (!spy.wait(10000))
        QTest::qFail("the call did not finish", __FILE__, __LINE__);
    QTest::qWait(10); // a second finished() would show up here
    if (spy.size() > 1)
        QTest::qFail(qPrintable(QStringLiteral("finished() fired %1 times").arg(spy.size())), __FILE__,
                     __LINE__);
    const ApiResult result = reply->result();
    reply->deleteLater();
    return result;
}

void TestHttpTransport::keepAliveReusesOneConnection()
{
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    for (int i = 0; i < 5; ++i) {
        const ApiResult result = run(ApiRequest::validate());
        QVERIFY2(result.ok(), qPrintable(result.summary()));
        QCOMPARE(result.requestId, QStringLiteral("r-1"));
    }
    QCOMPARE(m_server->requests().size(), 5);
    QCOMPARE(m_server->connections(), 1);
    QCOMPARE(m_pool->idleCount(), 1);
}

void TestHttpTransport::requestCarriesTheHeaders()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(answer(UpsertBody, "X-RateLimit-Limit: 1800\r\nX-RateLimit-Remaining: 1700\r\n", 201));
    });
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.rateLimit.limit, 1800);
    QCOMPARE(result.rateLimit.remaining, 1700);
    QVERIFY(result.latencyMs >= 0);
    const RawServer::Request &request = m_server->requests().first();
    const QByteArray head = request.head;
    QVERIFY2(head.startsWith("POST /users/upsert HTTP/1.1\r\n"), head.constData());
    QVERIFY(head.contains("\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->baseUrl().port()) + "\r\n"));
    QVERIFY(head.contains("\r\nX-Api-Key: sk_transport\r\n"));
    QVERIFY(head.contains("\r\nAccept: application/json\r\n"));
    QVERIFY(head.contains("\r\nContent-Type: application/json\r\n"));
    QVERIFY(head.contains("\r\nUser-Agent: " + JournyClient::userAgent() + "\r\n"));
    QCOMPARE(request.body, result.requestBody);

    // No key configured: no X-Api-Key header at all, and a GET carries no Content-Type.
    ClientConfig config = m_client->config();
    config.apiKey.clear();
    m_client->setConfig(config);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    const QByteArray second = m_server->requests().last().head;
    QVERIFY(second.startsWith("GET /validate HTTP/1.1\r\n"));
    QVERIFY(!second.toLower().contains("x-api-key"));
    QVERIFY(!second.toLower().contains("content-type"));
}

void TestHttpTransport::chunkedBody()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        QByteArray chunked;
        for (qsizetype at = 0; at < ValidateBody.size(); at += 17) {
            const QByteArray piece = ValidateBody.mid(at, 17);
            chunked +=
                QByteArray::number(piece.size(), 16) + (at == 0 ? ";ext=1" : "") + "\r\n" + piece + "\r\n";
        }
        chunked += "0\r\nX-Trailer: yes\r\n\r\n";
        const QByteArray all =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            chunked;
        // In small pieces, so chunk lines and data straddle reads.
        for (qsizetype at = 0; at < all.size(); at += 7) {
            socket->write(all.mid(at, 7));
            socket->flush();
            socket->waitForBytesWritten(100);
        }
    });
    for (int i = 0; i < 2; ++i) {
        const ApiResult result = run(ApiRequest::validate());
        QVERIFY2(result.ok(), qPrintable(result.summary()));
        QCOMPARE(result.responseBody, ValidateBody);
    }
    QCOMPARE(m_server->connections(), 1); // a chunked answer ends cleanly: the connection is reused
}

void TestHttpTransport::closeDelimitedBody()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + ValidateBody);
        socket->disconnectFromHost();
    });
    for (int i = 0; i < 2; ++i) {
        const ApiResult result = run(ApiRequest::validate());
        QVERIFY2(result.ok(), qPrintable(result.summary()));
        QCOMPARE(result.responseBody, ValidateBody);
    }
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_pool->idleCount(), 0);
}

void TestHttpTransport::connectionCloseIsHonoured()
{
    // The server says close but keeps the socket open: the client must still not reuse it.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(answer(ValidateBody, "Connection: close\r\n"));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::noContentKeepsTheConnection()
{
    // A 204 has no body whatever its headers say; the connection stays usable.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.head.startsWith("DELETE"))
            socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
        else
            socket->write(answer(ValidateBody));
    });
    const ApiResult removed = run(ApiRequest::deleteUser({QStringLiteral("u1"), QString()}));
    QCOMPARE(removed.httpStatus, 204);
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 1);
}

void TestHttpTransport::bytesAfterTheAnswerAreNotReused()
{
    // Extra bytes after a complete answer would be read as the next answer: never reuse.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(answer(ValidateBody) + "HTTP/1.1 200 OK\r\n");
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::headersTooLarge()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        QByteArray head = "HTTP/1.1 200 OK\r\n";
        while (head.size() < 70 * 1024)
            head += "X-Filler: " + QByteArray(1000, 'f') + "\r\n";
        socket->write(head + "Content-Length: 2\r\n\r\n{}");
    });
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QVERIFY2(result.failureDetail.contains(QLatin1String("headers exceed 64 KiB")),
             qPrintable(result.failureDetail));
    QCOMPARE(m_pool->idleCount(), 0);
}

void TestHttpTransport::bodyOverCapAnnounced()
{
    // Only the head is sent: the client must decide from Content-Length, not wait for the body.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000000\r\n"
                      "X-RateLimit-Limit: 1800\r\nX-RateLimit-Remaining: 5\r\n\r\n");
    });
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QCOMPARE(result.httpStatus, 200);
    QCOMPARE(result.rateLimit.remaining, 5);
    QVERIFY2(result.failureDetail.contains(QLatin1String("announces 5000000 bytes")),
             qPrintable(result.failureDetail));
    QVERIFY(result.latencyMs < 1500); // not the deadline
    QCOMPARE(m_pool->idleCount(), 0);
}

void TestHttpTransport::bodyOverCapStreamed()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray piece(64 * 1024, 'x');
        for (int i = 0; i < 40 && socket->state() == QAbstractSocket::ConnectedState; ++i)
            socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
    });
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QVERIFY2(result.failureDetail.contains(QLatin1String("grew over the 1048576-byte cap")),
             qPrintable(result.failureDetail));
    QCOMPARE(result.responseBody.size(), 1024 * 1024 + 1);
}

void TestHttpTransport::closedMidBody()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" +
                      ValidateBody.left(20));
        socket->disconnectFromHost();
    });
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::TruncatedBody);
    QCOMPARE(result.httpStatus, 200);
    QVERIFY2(result.failureDetail.contains(QLatin1String("20 of 100 bytes")),
             qPrintable(result.failureDetail));

    // Mid-headers is a truncated answer too, not "no answer".
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Ty");
        socket->disconnectFromHost();
    });
    const ApiResult headless = run(ApiRequest::validate());
    QCOMPARE(headless.failure, Failure::TruncatedBody);
    QCOMPARE(headless.httpStatus, 0);
}

void TestHttpTransport::closedBeforeAnswer()
{
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->disconnectFromHost(); });
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.failure, Failure::ConnectionReset);
    QCOMPARE(result.httpStatus, 0);
    QCOMPARE(m_server->requests().size(), 1); // a fresh connection: never sent twice
}

void TestHttpTransport::stallTimesOut()
{
    m_server->setHandler([](QTcpSocket *, const RawServer::Request &) {});
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::Timeout);
    QVERIFY(result.latencyMs >= 1900);
    QVERIFY2(result.failureDetail.contains(QLatin1String("2 s")), qPrintable(result.failureDetail));
    QCOMPARE(m_pool->connectionCount(), 0); // the stalled connection is closed, not kept
}

void TestHttpTransport::htmlAnswer()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        const QByteArray html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        socket->write("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: " +
                      QByteArray::number(html.size()) + "\r\n\r\n" + html);
    });
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.httpStatus, 502);
    QCOMPARE(result.failure, Failure::NonJsonBody);
    QVERIFY(result.failureDetail.contains(QLatin1String("502 Bad Gateway")));
    QCOMPARE(m_server->connections(), 1);
    QCOMPARE(m_pool->idleCount(), 1); // a complete answer, whatever its content: reusable
}

void TestHttpTransport::tenMegabytesArriveWhole()
{
    ClientConfig config = m_client->config();
    config.maxResponseBytes = 16 * 1024 * 1024;
    config.timeoutMs = 20000;
    m_client->setConfig(config);
    QByteArray huge = R"({"meta":{"requestId":"big","status":200},"data":[)";
    while (huge.size() < 10 * 1024 * 1024)
        huge += R"({"id":"e","name":"an event with a long name","properties":[]},)";
    huge.chop(1);
    huge += "]}";
    m_server->setHandler(
        [huge](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(huge)); });
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.responseBody.size(), huge.size());
    QVERIFY(result.responseBody == huge);
    QCOMPARE(result.requestId, QStringLiteral("big"));
}

void TestHttpTransport::cancelMidFlight()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"meta\":");
    });
    ApiReply *reply = m_client->send(ApiRequest::validate());
    QSignalSpy spy(reply, &ApiReply::finished);
    QTRY_COMPARE(m_server->requests().size(), 1);
    QTest::qWait(50); // the head has arrived
    reply->cancel();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(reply->result().failure, Failure::Cancelled);
    QCOMPARE(reply->result().httpStatus, 200);
    QTest::qWait(50);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(m_pool->connectionCount(), 0); // a half-read connection is never reused

    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::serverClosedIdleConnection()
{
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_pool->idleCount(), 1);
    m_server->closeAll();                 // the server's keep-alive timeout
    QTRY_COMPARE(m_pool->idleCount(), 0); // noticed while idle
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.httpStatus, 200);
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestHttpTransport::staleKeepAlivePostIsNotResent()
{
    // The server closes a kept-alive connection just as the next request arrives on it. A POST
    // may have been acted on: it is reported, never sent again by the transport.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1 && request.head.startsWith("GET"))
            socket->write(answer(ValidateBody));
        else if (request.connection == 1)
            socket->disconnectFromHost();
        else
            socket->write(answer(UpsertBody, QByteArray(), 201));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.failure, Failure::ConnectionReset);
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->connections(), 1);
    // The caller's own retry goes over a new connection.
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {})).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::staleKeepAliveGetIsResentOnce()
{
    // Idempotent: sent once more, on a new connection (RFC 9112 9.3.1).
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1 && socket->property("answered").toBool()) {
            socket->disconnectFromHost();
            return;
        }
        socket->setProperty("answered", true);
        socket->write(answer(ValidateBody));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    const ApiResult result = run(ApiRequest::validate());
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->connections(), 2);

    // Once only: a new connection that closes too is the answer.
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->disconnectFromHost(); });
    const ApiResult broken = run(ApiRequest::validate());
    QCOMPARE(broken.failure, Failure::ConnectionReset);
    QCOMPARE(m_server->requests().size(), 5);
}

void TestHttpTransport::poolCapsConnectionsPerOrigin()
{
    // Answers held back until all requests that can be in flight are: the cap shows.
    QList<QPointer<QTcpSocket>> held;
    m_server->setHandler([&held](QTcpSocket *socket, const RawServer::Request &) { held.append(socket); });
    QList<ApiReply *> replies;
    for (int i = 0; i < HttpConnectionPool::DefaultMaxPerOrigin + 3; ++i)
        replies.append(m_client->send(ApiRequest::validate()));
    QTRY_COMPARE(m_server->requests().size(), HttpConnectionPool::DefaultMaxPerOrigin);
    QTest::qWait(50);
    QCOMPARE(m_server->connections(), HttpConnectionPool::DefaultMaxPerOrigin);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    for (const QPointer<QTcpSocket> &socket : std::as_const(held))
        socket->write(answer(ValidateBody));
    for (ApiReply *reply : std::as_const(replies))
        QTRY_VERIFY(reply->isFinished());
    for (ApiReply *reply : std::as_const(replies))
        QVERIFY2(reply->result().ok(), qPrintable(reply->result().summary()));
    QCOMPARE(m_server->connections(), HttpConnectionPool::DefaultMaxPerOrigin); // the waiters reused them
}

void TestHttpTransport::idleConnectionsAreClosedAfterTimeout()
{
    HttpConnectionPool pool(HttpConnectionPool::DefaultMaxPerOrigin, 200);
    JournyClient client(m_client->config(), &pool);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    ApiReply *reply = client.send(ApiRequest::validate());
    QSignalSpy spy(reply, &ApiReply::finished);
    QVERIFY(spy.wait(5000));
    QCOMPARE(pool.idleCount(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(pool.idleCount(), 0, 2000);
}

void TestHttpTransport::sendOnAConnectionThatDiedFailsAtOnce()
{
    // The pool hands a kept-alive connection over one event-loop turn later; if the server closed
    // it meanwhile, the call must fail at once as closed before an answer (and so be resent when
    // idempotent), not wait out its deadline.
    HttpConnection connection(false, QStringLiteral("127.0.0.1"), 9);
    connection.abort();
    QSignalSpy finished(&connection, &HttpConnection::finished);
    connection.send("GET /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", false, 1024);
    QCOMPARE(finished.size(), 1);
    QVERIFY(connection.wasReused());
    const HttpResponse response = connection.takeResponse();
    QCOMPARE(response.error, HttpResponse::Error::ClosedBeforeAnswer);
    QCOMPARE(response.status, 0);
}

QTEST_GUILESS_MAIN(TestHttpTransport)
#include "tst_HttpTransport.moc"

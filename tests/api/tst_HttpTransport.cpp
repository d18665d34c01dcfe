// HTTP/1.1 as JournyClient speaks it through QNetworkAccessManager, over real loopback sockets: a
// QTcpServer in the test writes exactly the bytes each case needs, so framing (Content-Length,
// chunked, close-delimited), keep-alive reuse, idle expiry and every way a connection can break
// are seen as a real server would produce them, and the server counts what it received.
// tst_TransportFailures covers the classified failures from the caller's side (stall, trickle,
// refused, reset, HTML, truncated JSON, caps); here the connection under them is the subject.

#include "api/ApiRequest.h"
#include "api/JournyClient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>
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

UserIdentification user()
{
    return {QStringLiteral("u1"), QString()};
}

} // namespace

// A raw HTTP server: it reads each request (head and Content-Length body) and hands it to the
// test's handler with the socket, which writes whatever bytes the case calls for. Connections
// stay open until the handler or the client closes them.
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

        // Every value of the header name (case-insensitive), in the order sent.
        QList<QByteArray> header(const QByteArray &name) const
        {
            QList<QByteArray> values;
            const QList<QByteArray> lines = head.split('\n');
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const qsizetype colon = lines.at(i).indexOf(':');
                if (colon > 0 && lines.at(i).left(colon).trimmed().toLower() == name.toLower())
                    values.append(lines.at(i).mid(colon + 1).trimmed());
            }
            return values;
        }
    };
    using Handler = std::function<void(QTcpSocket *, const Request &)>;

    explicit RawServer(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                const int index = ++m_connections;
                connect(socket, &QTcpSocket::readyRead, this,
                        [this, socket, index] { onReadyRead(socket, index); });
                connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                    ++m_disconnections;
                    m_buffers.remove(socket);
                    socket->deleteLater();
                });
                m_sockets.append(socket);
            }
        });
        m_listening = m_server.listen(QHostAddress::LocalHost, 0);
    }
    ~RawServer() override
    {
        for (const QPointer<QTcpSocket> &socket : std::as_const(m_sockets))
            if (socket)
                socket->abort();
    }

    bool isListening() const { return m_listening; }
    QUrl baseUrl() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())); }
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    int connections() const { return m_connections; }
    // Connections that have ended, whichever side closed them.
    int disconnections() const { return m_disconnections; }
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
    bool m_listening = false;
    Handler m_handler;
    QList<QPointer<QTcpSocket>> m_sockets;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Request> m_requests;
    int m_connections = 0;
    int m_disconnections = 0;
};

class TestHttpTransport : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void requestCarriesTheHeaders();
    void apiKeyWithLineBreaksInjectsNoHeader_data();
    void apiKeyWithLineBreaksInjectsNoHeader();
    void keepAliveReusesOneConnection();
    void chunkedBody_data();
    void chunkedBody();
    void closeDelimitedBody();
    void connectionCloseIsHonoured();
    void noContentKeepsTheConnection_data();
    void noContentKeepsTheConnection();
    void errorAnswerKeepsTheConnection();
    void headThatNeverEnds();
    void longHeadIsRead();
    void bodyOverCapAnnounced();
    void bodyOverCapStreamed();
    void largeAnswerArrivesWhole();
    void tenMegabytesOverTheDefaultCap_data();
    void tenMegabytesOverTheDefaultCap();
    void closedMidBody();
    void closedMidHeaders();
    void closedBeforeAnswer();
    void stallTimesOutAndDropsTheConnection();
    void cancelMidFlight();
    void serverClosedIdleConnection();
    void staleKeepAliveIsResentByQt();
    void idleConnectionExpires();
    void bytesAfterTheAnswerAreNotReused();
    void connectionsPerServerAreCapped();
    void redirectsAreNotFollowed_data();
    void redirectsAreNotFollowed();

private:
    ApiResult run(const ApiRequest &request, JournyClient *client = nullptr);

    RawServer *m_server = nullptr;
    JournyClient *m_client = nullptr;
};

void TestHttpTransport::init()
{
    m_server = new RawServer(this);
    QVERIFY(m_server->isListening());
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = QStringLiteral("sk_transport");
    config.network.timeoutMs = 2000;
    config.maxResponseBytes = 1024 * 1024;
    // Its own QNetworkAccessManager per test: no connection outlives the test that opened it.
    m_client = new JournyClient(config, nullptr, nullptr, this);
}

void TestHttpTransport::cleanup()
{
    delete m_client;
    delete m_server;
}

ApiResult TestHttpTransport::run(const ApiRequest &request, JournyClient *client)
{
    ApiReply *reply = (client ? client : m_client)->send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    // A call that never finishes, or finishes twice, fails the test that made it.
    if (!spy.wait(20000))
        QTest::qFail("the call did not finish", __FILE__, __LINE__);
    QTest::qWait(10); // a second finished() would show up here
    if (spy.size() > 1)
        QTest::qFail(qPrintable(QStringLiteral("finished() fired %1 times").arg(spy.size())), __FILE__,
                     __LINE__);
    const ApiResult result = reply->result();
    reply->deleteLater();
    return result;
}

void TestHttpTransport::requestCarriesTheHeaders()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(answer(UpsertBody, "X-RateLimit-Limit: 1800\r\nX-RateLimit-Remaining: 1700\r\n", 201));
    });
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.rateLimit.limit, 1800);
    QCOMPARE(result.rateLimit.remaining, 1700);
    QCOMPARE(result.route, QStringLiteral("direct"));
    QVERIFY(result.tlsProtocol.isEmpty());
    QVERIFY(result.latencyMs >= 0);
    const RawServer::Request &request = m_server->requests().first();
    QVERIFY2(request.head.startsWith("POST /users/upsert HTTP/1.1\r\n"), request.head.constData());
    using Values = QList<QByteArray>;
    QCOMPARE(request.header("host"), Values{"127.0.0.1:" + QByteArray::number(m_server->baseUrl().port())});
    QCOMPARE(request.header("x-api-key"), Values{"sk_transport"});
    QCOMPARE(request.header("accept"), Values{"application/json"});
    QCOMPARE(request.header("content-type"), Values{"application/json"});
    QCOMPARE(request.header("user-agent"), Values{JournyClient::userAgent()});
    QCOMPARE(request.header("content-length"), Values{QByteArray::number(result.requestBody.size())});
    // Nothing from a cookie jar or a cache: every call stands alone.
    QVERIFY(request.header("cookie").isEmpty());
    QCOMPARE(request.body, result.requestBody);

    // No key configured: no X-Api-Key header at all, and a GET carries no Content-Type.
    ClientConfig config = m_client->config();
    config.apiKey.clear();
    m_client->setConfig(config);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    const RawServer::Request &second = m_server->requests().last();
    QVERIFY(second.head.startsWith("GET /validate HTTP/1.1\r\n"));
    QVERIFY(second.header("x-api-key").isEmpty());
    QVERIFY(second.header("content-type").isEmpty());
    QVERIFY(second.body.isEmpty());
}

void TestHttpTransport::apiKeyWithLineBreaksInjectsNoHeader_data()
{
    QTest::addColumn<QString>("key");
    QTest::newRow("CRLF") << QStringLiteral("sk_pasted\r\nX-Injected: yes");
    QTest::newRow("LF") << QStringLiteral("sk_pasted\nX-Injected: yes");
    QTest::newRow("CR") << QStringLiteral("sk_pasted\rX-Injected: yes");
    QTest::newRow("trailing CRLF CRLF") << QStringLiteral("sk_pastedX-Injected: yes\r\n\r\n");
}

void TestHttpTransport::apiKeyWithLineBreaksInjectsNoHeader()
{
    // A key pasted with a line break must neither end the header and start another one, nor end
    // the head and start a body.
    QFETCH(QString, key);
    ClientConfig config = m_client->config();
    config.apiKey = key;
    m_client->setConfig(config);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    const ApiResult result = run(ApiRequest::validate());
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(m_server->requests().size(), 1);
    const RawServer::Request &request = m_server->requests().first();
    QVERIFY2(request.header("x-injected").isEmpty(), request.head.constData());
    QCOMPARE(request.header("x-api-key"), QList<QByteArray>{"sk_pastedX-Injected: yes"});
    QCOMPARE(request.header("accept"), QList<QByteArray>{"application/json"}); // the head went on intact
    QVERIFY(request.body.isEmpty());
}

void TestHttpTransport::keepAliveReusesOneConnection()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        socket->write(request.head.startsWith("POST") ? answer(UpsertBody, QByteArray(), 201)
                                                      : answer(ValidateBody));
    });
    for (int i = 0; i < 5; ++i) {
        const ApiResult result = run(i % 2 ? ApiRequest::upsertUser(user(), {}) : ApiRequest::validate());
        QVERIFY2(result.ok(), qPrintable(result.summary()));
        QCOMPARE(result.requestId, i % 2 ? QStringLiteral("r-2") : QStringLiteral("r-1"));
    }
    QCOMPARE(m_server->requests().size(), 5);
    QCOMPARE(m_server->connections(), 1);
    QCOMPARE(m_server->disconnections(), 0);
}

void TestHttpTransport::chunkedBody_data()
{
    QTest::addColumn<bool>("trailer");
    QTest::newRow("chunk extension") << false;
    QTest::newRow("trailer field") << true;
}

void TestHttpTransport::chunkedBody()
{
    QFETCH(bool, trailer);
    m_server->setHandler([trailer](QTcpSocket *socket, const RawServer::Request &) {
        QByteArray chunked;
        for (qsizetype at = 0; at < ValidateBody.size(); at += 17) {
            const QByteArray piece = ValidateBody.mid(at, 17);
            chunked +=
                QByteArray::number(piece.size(), 16) + (at == 0 ? ";ext=1" : "") + "\r\n" + piece + "\r\n";
        }
        chunked += trailer ? "0\r\nX-Trailer: yes\r\n\r\n" : "0\r\n\r\n";
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
    QCOMPARE(m_server->requests().size(), 2);
    // A chunked answer that ends cleanly leaves the connection reusable. Qt 6.4 does not read
    // trailer fields: it takes the body whole and then drops the connection rather than reuse it.
    if (!trailer)
        QCOMPARE(m_server->connections(), 1);
}

void TestHttpTransport::closeDelimitedBody()
{
    // No Content-Length, no chunking: the body is whatever comes until the server closes.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + ValidateBody);
        socket->disconnectFromHost();
    });
    for (int i = 0; i < 2; ++i) {
        const ApiResult result = run(ApiRequest::validate());
        QVERIFY2(result.ok(), qPrintable(result.summary()));
        QCOMPARE(result.responseBody, ValidateBody);
    }
    // A connection per call; Qt may send a GET again when the close races its next request.
    QVERIFY(m_server->connections() >= 2);
    QVERIFY(m_server->requests().size() >= 2);
    // Never a second request on a connection whose body ended with its close.
    for (qsizetype i = 0; i < m_server->requests().size(); ++i)
        QCOMPARE(m_server->requests().at(i).connection, int(i) + 1);
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
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->requests().at(1).connection, 2);
    // The client closed both itself: each answer said close.
    QTRY_COMPARE(m_server->disconnections(), 2);
}

void TestHttpTransport::noContentKeepsTheConnection_data()
{
    QTest::addColumn<QByteArray>("noContent");
    QTest::newRow("no body") << QByteArray("HTTP/1.1 204 No Content\r\n\r\n");
    QTest::newRow("Content-Length: 0") << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
}

void TestHttpTransport::noContentKeepsTheConnection()
{
    // A 204 has no body; the connection stays usable for the next call.
    QFETCH(QByteArray, noContent);
    m_server->setHandler([noContent](QTcpSocket *socket, const RawServer::Request &request) {
        socket->write(request.head.startsWith("POST /accounts/users/remove") ? noContent
                                                                             : answer(ValidateBody));
    });
    const ApiResult removed =
        run(ApiRequest::removeUsersFromAccount({QStringLiteral("acc"), QString()}, {user()}));
    QCOMPARE(removed.httpStatus, 204);
    QCOMPARE(removed.failure, Failure::None);
    QVERIFY2(removed.ok(), qPrintable(removed.summary()));
    QVERIFY(removed.responseBody.isEmpty());
    const ApiResult next = run(ApiRequest::validate());
    QVERIFY2(next.ok(), qPrintable(next.summary()));
    QCOMPARE(next.requestId, QStringLiteral("r-1"));
    QCOMPARE(m_server->connections(), 1);
}

void TestHttpTransport::errorAnswerKeepsTheConnection()
{
    // A complete answer, whatever its status and content, leaves the connection reusable.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1 && socket->property("answered").toBool()) {
            socket->write(answer(ValidateBody));
            return;
        }
        socket->setProperty("answered", true);
        const QByteArray html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        socket->write("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: " +
                      QByteArray::number(html.size()) + "\r\n\r\n" + html);
    });
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.httpStatus, 502);
    QCOMPARE(result.failure, Failure::NonJsonBody);
    QVERIFY(result.failureDetail.contains(QLatin1String("502 Bad Gateway")));
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 1);
}

void TestHttpTransport::headThatNeverEnds()
{
    // A broken proxy sends header lines without end. Qt 6.4 sets no limit on a response head, so
    // the total deadline is what ends the call: it fails in time, and the head is not kept.
    // (Later Qt versions refuse an oversized head first; either way the call fails and ends.)
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        QByteArray head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
        for (int i = 0; head.size() < 2 * 1024 * 1024; ++i)
            head += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(1000, 'f') + "\r\n";
        socket->write(head);
    });
    QElapsedTimer clock;
    clock.start();
    const ApiResult result = run(ApiRequest::validate());
    QVERIFY2(!result.ok(), qPrintable(result.summary()));
    QVERIFY2(result.failure == Failure::Timeout || result.failure == Failure::Network,
             qPrintable(ApiResult::failureName(result.failure)));
    QVERIFY(result.responseHeaders.size() < 200);
    QVERIFY2(clock.elapsed() < 2000 + 1500, qPrintable(QString::number(clock.elapsed())));
}

void TestHttpTransport::longHeadIsRead()
{
    // 70 KiB of header lines in one answer (a chatty CDN): read whole, the body judged as usual.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        QByteArray head;
        for (int i = 0; head.size() < 70 * 1024; ++i)
            head += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(1000, 'f') + "\r\n";
        socket->write(answer(ValidateBody, head));
    });
    const ApiResult result = run(ApiRequest::validate());
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.requestId, QStringLiteral("r-1"));
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
    QVERIFY2(
        result.failureDetail.contains(QLatin1String("announces 5000000 bytes, over the 1048576-byte cap")),
        qPrintable(result.failureDetail));
    QVERIFY(result.responseBody.isEmpty());
    QVERIFY(result.latencyMs < 1500);            // not the deadline
    QTRY_COMPARE(m_server->disconnections(), 1); // the half-read connection is dropped, not kept

    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::bodyOverCapStreamed()
{
    // Chunked, so no length announces it: 64 KiB chunks for as long as the client reads, up to
    // 64 MiB. The client must stop at the cap and close, not drain the stream into memory.
    auto sent = std::make_shared<qint64>(0);
    m_server->setHandler([sent](QTcpSocket *socket, const RawServer::Request &) {
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        const QByteArray piece(64 * 1024, 'x');
        const QByteArray chunk = QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
        auto more = [socket, chunk, sent] {
            // A little at a time, as the socket drains: what was sent is what the client took.
            if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() < 256 * 1024 &&
                *sent < 64 * 1024 * 1024) {
                socket->write(chunk);
                *sent += chunk.size();
            }
        };
        QObject::connect(socket, &QTcpSocket::bytesWritten, socket, more);
        more();
    });
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QVERIFY2(result.failureDetail.contains(QLatin1String("grew over the 1048576-byte cap")),
             qPrintable(result.failureDetail));
    QCOMPARE(result.responseBody.size(), 1024 * 1024 + 1);
    QTRY_COMPARE(m_server->disconnections(), 1);
    // What the server got out before the client closed: the cap, Qt's 256 KiB read buffer and the
    // kernel's socket buffers, far from the 64 MiB on offer.
    QVERIFY2(*sent < 24 * 1024 * 1024, qPrintable(QString::number(*sent)));
}

void TestHttpTransport::largeAnswerArrivesWhole()
{
    // Under the default 4 MiB cap, a 3.5 MB answer arrives byte for byte.
    ClientConfig config = m_client->config();
    config.maxResponseBytes = ClientConfig().maxResponseBytes;
    config.network.timeoutMs = 20000;
    m_client->setConfig(config);
    QCOMPARE(config.maxResponseBytes, 4 * 1024 * 1024);
    QByteArray large = R"({"meta":{"requestId":"big","status":200},"data":[)";
    while (large.size() < 3500 * 1000)
        large += R"({"id":"e","name":"an event with a long name","properties":[]},)";
    large.chop(1);
    large += "]}";
    m_server->setHandler(
        [large](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(large)); });
    const ApiResult result = run(ApiRequest::listEvents());
    QVERIFY2(result.failure == Failure::None, qPrintable(result.summary()));
    QCOMPARE(result.responseBody.size(), large.size());
    QVERIFY(result.responseBody == large);
    QCOMPARE(result.requestId, QStringLiteral("big"));
    QVERIFY(result.events().has_value());
}

void TestHttpTransport::tenMegabytesOverTheDefaultCap_data()
{
    QTest::addColumn<bool>("announced");
    QTest::newRow("Content-Length") << true;
    QTest::newRow("chunked") << false;
}

void TestHttpTransport::tenMegabytesOverTheDefaultCap()
{
    // A 10 MB answer written whole, at once, against the default 4 MiB cap.
    QFETCH(bool, announced);
    ClientConfig config = m_client->config();
    config.maxResponseBytes = ClientConfig().maxResponseBytes;
    config.network.timeoutMs = 20000;
    m_client->setConfig(config);
    const qint64 cap = config.maxResponseBytes;
    QByteArray huge = R"({"meta":{"requestId":"big","status":200},"data":[)";
    while (huge.size() < 10 * 1000 * 1000)
        huge += R"({"id":"e","name":"an event with a long name","properties":[]},)";
    huge.chop(1);
    huge += "]}";
    m_server->setHandler([huge, announced](QTcpSocket *socket, const RawServer::Request &) {
        if (announced) {
            socket->write(answer(huge));
            return;
        }
        socket->write(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
            QByteArray::number(huge.size(), 16) + "\r\n" + huge + "\r\n0\r\n\r\n");
    });
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QCOMPARE(result.httpStatus, 200);
    QVERIFY(result.responseBody.size() <= cap + 1);
    const QString detail =
        announced ? QStringLiteral("announces %1 bytes, over the %2-byte cap").arg(huge.size()).arg(cap)
                  : QStringLiteral("grew over the %1-byte cap").arg(cap);
    QVERIFY2(result.failureDetail.contains(detail), qPrintable(result.failureDetail));
    QVERIFY(result.latencyMs < 5000);
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
    QCOMPARE(result.responseBody, ValidateBody.left(20));
    QVERIFY2(result.failureDetail.contains(QLatin1String("20 ")), qPrintable(result.failureDetail));
    // Part of an answer arrived: the request is not sent again.
    QCOMPARE(m_server->requests().size(), 1);
}

void TestHttpTransport::closedMidHeaders()
{
    // The server breaks off inside the answer's head, every time. Qt 6.4 treats a head that did
    // not complete like no answer at all and sends the request again, up to three more times
    // (QHttpNetworkConnectionChannel's reconnect attempts), before it reports the close: the
    // server receives the POST up to 4 times (4 in most runs, 3 in about one run in eight on the
    // 2-core build machine: the count is Qt's race, not ours), the caller sees one failure. JournyClient.h
    // states this, and bulk import marks an event row that ended so "possibly duplicated".
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 200 OK\r\nContent-Ty");
        socket->disconnectFromHost();
    });
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QVERIFY2(result.failure == Failure::TruncatedBody || result.failure == Failure::ConnectionReset,
             qPrintable(result.summary()));
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
    QTest::qWait(100); // a late further attempt would show up here
    const qsizetype sent = m_server->requests().size();
    QVERIFY2(sent >= 2 && sent <= 4, qPrintable(QStringLiteral("sent %1 times").arg(sent)));
    for (const RawServer::Request &request : m_server->requests())
        QCOMPARE(request.body, result.requestBody);
}

void TestHttpTransport::closedBeforeAnswer()
{
    // The server reads the request and closes without a byte of answer, every time. Qt's HTTP
    // stack cannot tell this from a kept-alive connection that went stale and sends the request
    // once more on a new connection before it gives up: the server receives the POST twice, the
    // caller sees one ConnectionReset.
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->disconnectFromHost(); });
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QCOMPARE(result.failure, Failure::ConnectionReset);
    QCOMPARE(result.httpStatus, 0);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
    QCOMPARE(result.failureDetail, QStringLiteral("The connection to 127.0.0.1:%1 closed before an answer "
                                                  "(http://127.0.0.1:%1/users/upsert)")
                                       .arg(m_server->baseUrl().port()));
    QTest::qWait(100); // a late further attempt would show up here
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->connections(), 2);
    for (const RawServer::Request &request : m_server->requests())
        QCOMPARE(request.body, result.requestBody);
}

void TestHttpTransport::stallTimesOutAndDropsTheConnection()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection > 1)
            socket->write(answer(ValidateBody)); // only the first connection stalls
    });
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::Timeout);
    QVERIFY(result.latencyMs >= 1900);
    QVERIFY(result.latencyMs < 3000);
    QVERIFY2(result.failureDetail.contains(QLatin1String("2 s")), qPrintable(result.failureDetail));
    QTRY_COMPARE(m_server->disconnections(), 1); // the stalled connection is closed, not kept
    QCOMPARE(m_server->requests().size(), 1);    // and the request was not sent again

    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
}

void TestHttpTransport::cancelMidFlight()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1)
            socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"
                          "{\"meta\":");
        else
            socket->write(answer(ValidateBody));
    });
    ApiReply *reply = m_client->send(ApiRequest::validate());
    QSignalSpy spy(reply, &ApiReply::finished);
    QTRY_COMPARE(m_server->requests().size(), 1);
    QTest::qWait(100); // the head and the first bytes have arrived
    QVERIFY(!reply->isFinished());
    reply->cancel();
    QCOMPARE(spy.size(), 1); // at once
    QCOMPARE(reply->result().failure, Failure::Cancelled);
    QCOMPARE(reply->result().httpStatus, 200);
    QCOMPARE(reply->result().outcome(), ApiResult::Outcome::Failed);
    reply->cancel(); // a second cancel changes nothing
    QTest::qWait(100);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(reply->result().failure, Failure::Cancelled);
    QTRY_COMPARE(m_server->disconnections(), 1); // a half-read connection is never reused

    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestHttpTransport::serverClosedIdleConnection()
{
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        socket->write(request.head.startsWith("POST") ? answer(UpsertBody, QByteArray(), 201)
                                                      : answer(ValidateBody));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    m_server->closeAll(); // the server's keep-alive timeout
    QTRY_COMPARE(m_server->disconnections(), 1);
    QTest::qWait(50); // the client sees the close while idle
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.httpStatus, 201);
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_server->requests().size(), 2); // sent once
}

void TestHttpTransport::staleKeepAliveIsResentByQt()
{
    // The server closes a kept-alive connection just as the next request arrives on it (its idle
    // timeout racing the request). Qt sends the request again on a new connection by itself,
    // whatever its method, and the caller sees only the answer: the server received the POST
    // twice. JournyClient keeps connections idle for at most IdleConnectionSeconds to make this
    // race rare; it cannot be ruled out, and this test pins down what happens when it occurs.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1 && request.head.startsWith("POST"))
            socket->disconnectFromHost();
        else if (request.head.startsWith("POST"))
            socket->write(answer(UpsertBody, QByteArray(), 201));
        else
            socket->write(answer(ValidateBody));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.httpStatus, 201);
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->requests().at(1).connection, 1);
    QCOMPARE(m_server->requests().at(2).connection, 2);
    QCOMPARE(m_server->requests().at(1).body, m_server->requests().at(2).body);
}

void TestHttpTransport::idleConnectionExpires()
{
    // A connection idle for JournyClient::IdleConnectionSeconds is closed by the client, before
    // the idle timeouts of common servers (5 s and up) can race a request on it.
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    QVERIFY(run(ApiRequest::validate()).ok());
    QTest::qWait(1000);
    QVERIFY(run(ApiRequest::validate()).ok()); // still kept after a second
    QCOMPARE(m_server->connections(), 1);
    QElapsedTimer idle;
    idle.start();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->disconnections(), 1,
                              (JournyClient::IdleConnectionSeconds + 4) * 1000);
    QVERIFY2(idle.elapsed() >= JournyClient::IdleConnectionSeconds * 1000 - 500,
             qPrintable(QString::number(idle.elapsed())));
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->connections(), 2);
    QCOMPARE(m_server->requests().size(), 3);
}

void TestHttpTransport::bytesAfterTheAnswerAreNotReused()
{
    // Stray bytes after a complete answer must not be taken as the next call's answer.
    m_server->setHandler([](QTcpSocket *socket, const RawServer::Request &request) {
        if (request.connection == 1)
            socket->write(answer(ValidateBody) + "HTTP/1.1 500 Stray\r\n");
        else
            socket->write(answer(UpsertBody, QByteArray(), 201));
    });
    QVERIFY(run(ApiRequest::validate()).ok());
    const ApiResult next = run(ApiRequest::upsertUser(user(), {}));
    QVERIFY2(next.ok(), qPrintable(next.summary()));
    QCOMPARE(next.httpStatus, 201);
    QCOMPARE(next.requestId, QStringLiteral("r-2"));
    QCOMPARE(m_server->requests().last().connection, 2);
}

void TestHttpTransport::connectionsPerServerAreCapped()
{
    // Qt opens at most 6 HTTP/1.1 connections to one server; further calls wait for one and then
    // reuse it. Answers are held back until every call that can be in flight is.
    constexpr int QtConnectionsPerHost = 6;
    QList<QPointer<QTcpSocket>> held;
    m_server->setHandler([&held](QTcpSocket *socket, const RawServer::Request &) { held.append(socket); });
    QList<ApiReply *> replies;
    for (int i = 0; i < QtConnectionsPerHost + 3; ++i)
        replies.append(m_client->send(ApiRequest::validate()));
    QTRY_COMPARE(m_server->requests().size(), QtConnectionsPerHost);
    QTest::qWait(100);
    QCOMPARE(m_server->connections(), QtConnectionsPerHost);
    m_server->setHandler(
        [](QTcpSocket *socket, const RawServer::Request &) { socket->write(answer(ValidateBody)); });
    for (const QPointer<QTcpSocket> &socket : std::as_const(held))
        socket->write(answer(ValidateBody));
    for (ApiReply *reply : std::as_const(replies))
        QTRY_VERIFY(reply->isFinished());
    for (ApiReply *reply : std::as_const(replies))
        QVERIFY2(reply->result().ok(), qPrintable(reply->result().summary()));
    QCOMPARE(m_server->requests().size(), QtConnectionsPerHost + 3);
    QCOMPARE(m_server->connections(), QtConnectionsPerHost); // the waiting calls reused them
}

void TestHttpTransport::redirectsAreNotFollowed_data()
{
    QTest::addColumn<int>("status");
    QTest::newRow("301") << 301;
    QTest::newRow("302") << 302;
    QTest::newRow("307") << 307;
    QTest::newRow("308") << 308;
}

void TestHttpTransport::redirectsAreNotFollowed()
{
    // A redirect would carry X-Api-Key to wherever it points: never followed, whatever its kind,
    // and the failure names the target.
    QFETCH(int, status);
    RawServer elsewhere;
    QVERIFY(elsewhere.isListening());
    const QByteArray target = elsewhere.baseUrl().toEncoded() + "/users/upsert";
    m_server->setHandler([status, target](QTcpSocket *socket, const RawServer::Request &) {
        socket->write("HTTP/1.1 " + QByteArray::number(status) + " Moved\r\nLocation: " + target +
                      "\r\nContent-Length: 0\r\n\r\n");
    });
    const ApiResult result = run(ApiRequest::upsertUser(user(), {}));
    QCOMPARE(result.failure, Failure::Redirected);
    QCOMPARE(result.httpStatus, status);
    QVERIFY2(result.failureDetail.contains(QString::fromLatin1(target)), qPrintable(result.failureDetail));
    QTest::qWait(100);
    QCOMPARE(elsewhere.requests().size(), 0);
    QCOMPARE(m_server->requests().size(), 1);
}

QTEST_GUILESS_MAIN(TestHttpTransport)
#include "tst_HttpTransport.moc"

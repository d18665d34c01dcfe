// The sandbox's connections as a real server holds them, over raw loopback sockets (a client
// library would refuse to send most of this): `Connection: close` and HTTP/1.0 close after the
// answer, pipelined requests are each answered in order, broken framing and request smuggling
// are refused with a 400 that names the problem and the connection closed, oversized heads get a
// 431, oversized bodies a 413 before they are read, and slow, idle or surplus connections are cut
// off (408, a silent close, 503) without starving other clients.

#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>

namespace {

// One answer as read off the wire.
class WireAnswer
{
public:
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return pair.second;
        }
        return QByteArray();
    }
    QString message() const
    {
        return QJsonDocument::fromJson(body).object().value(QLatin1String("message")).toString();
    }
};

// Splits what a server sent into answers (each framed by Content-Length, as the sandbox frames
// them); stops at the first incomplete one.
QList<WireAnswer> answersIn(const QByteArray &received)
{
    QList<WireAnswer> answers;
    qsizetype pos = 0;
    while (pos < received.size()) {
        const qsizetype headEnd = received.indexOf("\r\n\r\n", pos);
        if (headEnd < 0)
            break;
        const QList<QByteArray> lines = received.mid(pos, headEnd - pos).split('\n');
        WireAnswer answer;
        answer.status = lines.first().split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            answer.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        const qsizetype length = answer.header("Content-Length").toLongLong();
        if (received.size() < headEnd + 4 + length)
            break;
        answer.body = received.mid(headEnd + 4, length);
        answers.append(answer);
        pos = headEnd + 4 + length;
    }
    return answers;
}

// A raw client connection; reading waits in the event loop so the in-process server can work.
class RawClient
{
public:
    explicit RawClient(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(5000);
    }
    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }
    // Reads until the server closes the connection; false when it has not within 15 s (the
    // server would hold it for ever: the defect under test).
    bool readToEnd()
    {
        QElapsedTimer clock;
        clock.start();
        while (m_socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 15000) {
            QTest::qWait(5);
            m_received += m_socket.readAll();
        }
        m_received += m_socket.readAll();
        return m_socket.state() != QAbstractSocket::ConnectedState;
    }
    // Reads until `count` whole answers are in (or 15 s pass), leaving the connection open.
    QList<WireAnswer> readAnswers(int count)
    {
        QElapsedTimer clock;
        clock.start();
        while (answersIn(m_received).size() < count && clock.elapsed() < 15000) {
            QTest::qWait(5);
            m_received += m_socket.readAll();
            if (m_socket.state() != QAbstractSocket::ConnectedState && m_socket.bytesAvailable() == 0)
                break;
        }
        return answersIn(m_received);
    }
    QByteArray received() const { return m_received; }
    QList<WireAnswer> answers() const { return answersIn(m_received); }
    QTcpSocket &socket() { return m_socket; }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray getValidate(const QByteArray &extraHeaders = QByteArray(), const QByteArray &version = "HTTP/1.1")
{
    return "GET /validate " + version + "\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\n" + extraHeaders +
           "\r\n";
}

QByteArray postUpsert(const QByteArray &framingHeaders, const QByteArray &body)
{
    return "POST /users/upsert HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\n"
           "Content-Type: application/json\r\n" +
           framingHeaders + "\r\n" + body;
}

const QByteArray UserBody = R"({"identification":{"userId":"u1"}})";

} // namespace

class TestSandboxConnections : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // 1. Closing after the answer
    void connectionCloseIsHonoured();
    void requestsAfterConnectionCloseAreNotAnswered();
    void http10ClosesUnlessKeptAlive();
    void pipelinedRequestsAreEachAnswered();

    // 2. Broken framing and request smuggling
    void bothContentLengthAndChunkedIsRefused();
    void brokenFramingIsNamed_data();
    void brokenFramingIsNamed();

    // 3. Oversized heads and bodies
    void oversizedHeadsGet431_data();
    void oversizedHeadsGet431();
    void declaredBodyOverTheLimitIsRefusedUnread();
    void streamedBodyOverTheLimitIsRefused();

    // 4. Slow, idle and surplus connections
    void headerTimeoutClosesAHalfOpenConnection();
    void idleTimeoutClosesAKeptAliveConnection();
    void stalledBodyIsCutOff();
    void connectionsBeyondTheCapGet503();

private:
    void startServer(const SandboxConfig &config = SandboxConfig::defaults());
    quint16 port() const { return quint16(m_server->baseUrl().port()); }
    int apiRequests() const { return m_server->stats().value(QLatin1String("requests")).toInt(); }

    std::unique_ptr<SandboxServer> m_server;
};

void TestSandboxConnections::init()
{
    startServer();
}

void TestSandboxConnections::cleanup()
{
    m_server.reset();
}

void TestSandboxConnections::startServer(const SandboxConfig &config)
{
    m_server = std::make_unique<SandboxServer>(config);
    QVERIFY(m_server->start(QHostAddress::LocalHost, 0));
}

// ---------------------------------------------------------------------------------------------
// 1. Closing after the answer

void TestSandboxConnections::connectionCloseIsHonoured()
{
    // A client that reads to the end of the connection (as a proxy or `curl --http1.0` does)
    // would wait for ever if the server kept it open.
    RawClient client(port());
    QVERIFY(client.connected());
    client.send(getValidate("Connection: close\r\n"));
    QVERIFY2(client.readToEnd(), "the server kept the connection open after Connection: close");
    const QList<WireAnswer> answers = client.answers();
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.first().status, 200);
    QCOMPARE(answers.first().header("Connection"), QByteArray("close"));
    QVERIFY(answers.first().body.contains("permissions"));
}

void TestSandboxConnections::requestsAfterConnectionCloseAreNotAnswered()
{
    // RFC 9112 9.6: after the request that says close, nothing more on the connection is processed.
    RawClient client(port());
    client.send(getValidate("Connection: close\r\n") +
                postUpsert("Content-Length: " + QByteArray::number(UserBody.size()) + "\r\n", UserBody));
    QVERIFY(client.readToEnd());
    QCOMPARE(client.answers().size(), 1);
    QCOMPARE(client.answers().first().status, 200);
    QCOMPARE(client.received().count("HTTP/1.1 "), 1);
    QCOMPARE(m_server->stats().value(QLatin1String("users")).toInt(), 0);
}

void TestSandboxConnections::http10ClosesUnlessKeptAlive()
{
    RawClient plain(port());
    plain.send(getValidate(QByteArray(), "HTTP/1.0"));
    QVERIFY2(plain.readToEnd(), "the server kept an HTTP/1.0 connection open");
    QCOMPARE(plain.answers().size(), 1);
    QCOMPARE(plain.answers().first().status, 200);

    // With keep-alive, the connection serves a second request after the first answer.
    RawClient kept(port());
    kept.send(getValidate("Connection: keep-alive\r\n", "HTTP/1.0"));
    QCOMPARE(kept.readAnswers(1).size(), 1);
    QVERIFY(kept.connected());
    kept.send(getValidate("Connection: keep-alive\r\n", "HTTP/1.0"));
    const QList<WireAnswer> answers = kept.readAnswers(2);
    QCOMPARE(answers.size(), 2);
    QCOMPARE(answers.at(1).status, 200);
}

void TestSandboxConnections::pipelinedRequestsAreEachAnswered()
{
    // Three requests in one write: each is answered, in order, with its own answer (QtHttpServer
    // alone would read them as one and answer once).
    RawClient client(port());
    client.send(getValidate() + "GET /nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" +
                postUpsert("Content-Length: " + QByteArray::number(UserBody.size()) + "\r\n", UserBody) +
                postUpsert("Transfer-Encoding: chunked\r\n",
                           QByteArray::number(UserBody.size(), 16) + "\r\n" + UserBody + "\r\n0\r\n\r\n"));
    const QList<WireAnswer> answers = client.readAnswers(4);
    QCOMPARE(answers.size(), 4);
    QCOMPARE(answers.at(0).status, 200);
    QCOMPARE(answers.at(1).status, 404);
    QCOMPARE(answers.at(2).status, 201);
    QCOMPARE(answers.at(3).status, 201);
    QVERIFY(client.connected());
    QCOMPARE(m_server->stats().value(QLatin1String("users")).toInt(), 1);
}

// ---------------------------------------------------------------------------------------------
// 2. Broken framing and request smuggling

// The answer to a refused request: one answer with the status and message, `Connection: close`,
// and the connection closed by the server.
#define VERIFY_REFUSED(client, expectedStatus, expectedMessage)                                              \
    do {                                                                                                     \
        QVERIFY2((client).readToEnd(), "the server kept the connection open after refusing");                \
        const QList<WireAnswer> refusal = (client).answers();                                                \
        QCOMPARE(refusal.size(), 1);                                                                         \
        QCOMPARE(refusal.first().status, expectedStatus);                                                    \
        QCOMPARE(refusal.first().message(), QString(expectedMessage));                                       \
        QCOMPARE(refusal.first().header("Connection"), QByteArray("close"));                                 \
        QCOMPARE(refusal.first().header("Content-Type"), QByteArray("application/json"));                    \
    } while (false)

void TestSandboxConnections::bothContentLengthAndChunkedIsRefused()
{
    // Read by Content-Length, the body is "0\r\n\r\n" and a second request follows; read as
    // chunked, the body ends at once. A proxy and a server that disagree let the second request
    // through unseen: it must not be answered.
    const QByteArray smuggled = getValidate();
    RawClient client(port());
    client.send(postUpsert("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n" + smuggled));
    VERIFY_REFUSED(client, 400,
                   "The request has both Content-Length and Transfer-Encoding; send only one of them");
    QCOMPARE(client.received().count("HTTP/1.1 "), 1);
    QCOMPARE(apiRequests(), 0);
}

void TestSandboxConnections::brokenFramingIsNamed_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("message");

    const QByteArray chunked = "Transfer-Encoding: chunked\r\n";
    QTest::newRow("chunk size ZZ") << postUpsert(chunked, "ZZ\r\n" + UserBody + "\r\n0\r\n\r\n")
                                   << "Invalid chunk size 'ZZ': a chunk size is hexadecimal digits";
    QTest::newRow("negative chunk size") << postUpsert(chunked, "-5\r\n" + UserBody + "\r\n0\r\n\r\n")
                                         << "Invalid chunk size '-5': a chunk size is hexadecimal digits";
    QTest::newRow("overflowing chunk size")
        << postUpsert(chunked, "fffffffffffffffffffff\r\n" + UserBody + "\r\n0\r\n\r\n")
        << "Chunk size 'fffffffffffffffffffff' overflows";
    QTest::newRow("Content-Length -5") << postUpsert("Content-Length: -5\r\n", UserBody)
                                       << "Content-Length must be a whole number of bytes, not '-5'";
    QTest::newRow("Content-Length abc") << postUpsert("Content-Length: abc\r\n", UserBody)
                                        << "Content-Length must be a whole number of bytes, not 'abc'";
}

void TestSandboxConnections::brokenFramingIsNamed()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, message);

    RawClient client(port());
    client.send(request);
    VERIFY_REFUSED(client, 400, message);
    QCOMPARE(apiRequests(), 0);
    QCOMPARE(m_server->stats().value(QLatin1String("users")).toInt(), 0);
}

// ---------------------------------------------------------------------------------------------
// 3. Oversized heads and bodies

void TestSandboxConnections::oversizedHeadsGet431_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QString>("message");

    QByteArray many;
    for (int i = 0; i < 101; ++i)
        many += "X-Header-" + QByteArray::number(i) + ": v\r\n";
    QTest::newRow("101 header lines") << many << "The request has more than 100 header lines";
    QTest::newRow("a 100 KiB header") << "X-Big: " + QByteArray(100 * 1024, 'b') + "\r\n"
                                      << "A header line is over 16384 bytes";
    QByteArray large;
    for (int i = 0; i < 8; ++i)
        large += "X-Large-" + QByteArray::number(i) + ": " + QByteArray(10000, 'l') + "\r\n";
    QTest::newRow("an 80 KB head") << large << "The request head is over 65536 bytes";
}

void TestSandboxConnections::oversizedHeadsGet431()
{
    QFETCH(QByteArray, headers);
    QFETCH(QString, message);

    RawClient client(port());
    client.send(getValidate(headers));
    VERIFY_REFUSED(client, 431, message);

    // 100 header lines are within the limit.
    QByteArray hundred;
    for (int i = 0; i < 97; ++i) // with Host and X-Api-Key: 99, and one more below
        hundred += "X-Header-" + QByteArray::number(i) + ": v\r\n";
    RawClient within(port());
    within.send(getValidate(hundred + "Connection: close\r\n"));
    QVERIFY(within.readToEnd());
    QCOMPARE(within.answers().size(), 1);
    QCOMPARE(within.answers().first().status, 200);
}

void TestSandboxConnections::declaredBodyOverTheLimitIsRefusedUnread()
{
    // Only the head is sent: the 413 comes without the server waiting for (or reading) 300 MiB.
    RawClient client(port());
    client.send(postUpsert("Content-Length: 314572800\r\n", QByteArray()));
    VERIFY_REFUSED(client, 413, "The request body is declared as 314572800 bytes; the limit is 1048576");
    QCOMPARE(apiRequests(), 0);
}

void TestSandboxConnections::streamedBodyOverTheLimitIsRefused()
{
    // A chunked body has no declared size: it is refused once what arrived goes over the limit,
    // while the client is still sending, and the server does not wait for the end.
    RawClient client(port());
    client.send(postUpsert("Transfer-Encoding: chunked\r\n", QByteArray()));
    const QByteArray chunk = QByteArray::number(64 * 1024, 16) + "\r\n" + QByteArray(64 * 1024, 'a') + "\r\n";
    for (int i = 0; i < 17; ++i) // 17 x 64 KiB: one chunk over 1 MiB, and no last chunk
        client.send(chunk);
    VERIFY_REFUSED(client, 413, "The chunked request body is over the limit of 1048576 bytes");
    QCOMPARE(apiRequests(), 0);
}

// ---------------------------------------------------------------------------------------------
// 4. Slow, idle and surplus connections

namespace {

SandboxConfig connectionConfig(int headerTimeoutMs, int idleTimeoutMs, int maxConnections)
{
    SandboxConfig config = SandboxConfig::defaults();
    config.connections.headerTimeoutMs = headerTimeoutMs;
    config.connections.idleTimeoutMs = idleTimeoutMs;
    config.connections.maxConnections = maxConnections;
    return config;
}

} // namespace

void TestSandboxConnections::headerTimeoutClosesAHalfOpenConnection()
{
    startServer(connectionConfig(200, 60000, 512));
    // Half a head, then nothing: answered 408 and closed, where before it was held for ever.
    RawClient half(port());
    half.send("GET /validate HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    VERIFY_REFUSED(half, 408, "The request head did not arrive within 200 ms");
    // Nothing at all is cut off the same way.
    RawClient silent(port());
    VERIFY_REFUSED(silent, 408, "The request head did not arrive within 200 ms");
}

void TestSandboxConnections::idleTimeoutClosesAKeptAliveConnection()
{
    startServer(connectionConfig(60000, 200, 512));
    RawClient client(port());
    client.send(getValidate());
    QCOMPARE(client.readAnswers(1).size(), 1);
    // Idle after its answer: closed without a word (nothing was asked).
    QVERIFY2(client.readToEnd(), "an idle kept-alive connection was held for ever");
    QCOMPARE(client.answers().size(), 1);
    QCOMPARE(client.answers().first().status, 200);
}

void TestSandboxConnections::stalledBodyIsCutOff()
{
    startServer(connectionConfig(60000, 200, 512));
    RawClient client(port());
    client.send(
        postUpsert("Content-Length: " + QByteArray::number(UserBody.size()) + "\r\n", UserBody.left(5)));
    VERIFY_REFUSED(client, 408, "The request body stopped arriving for 200 ms");
    QCOMPARE(apiRequests(), 0);
}

void TestSandboxConnections::connectionsBeyondTheCapGet503()
{
    const int cap = 8;
    startServer(connectionConfig(60000, 60000, cap));
    // cap - 1 clients that connect and send nothing (as ~1,000 did to starve everyone else).
    std::vector<std::unique_ptr<RawClient>> silent;
    for (int i = 0; i < cap - 1; ++i) {
        silent.push_back(std::make_unique<RawClient>(port()));
        QVERIFY(silent.back()->connected());
    }
    // Another client is still answered, and holds the last place (kept alive).
    RawClient answered(port());
    answered.send(getValidate());
    const QList<WireAnswer> answers = answered.readAnswers(1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(answers.first().status, 200);
    // Connections are accepted in order, so the silent ones are all in by now: the next client
    // is over the cap and told so at once, not left waiting.
    RawClient surplus(port());
    surplus.send(getValidate());
    VERIFY_REFUSED(surplus, 503,
                   QStringLiteral("The sandbox is serving its limit of %1 connections; try again "
                                  "shortly")
                       .arg(cap));
    // The ones held are still served.
    answered.send(getValidate());
    QCOMPARE(answered.readAnswers(2).size(), 2);
    QCOMPARE(answered.answers().at(1).status, 200);
    QCOMPARE(apiRequests(), 2);
}

QTEST_GUILESS_MAIN(TestSandboxConnections)
#include "tst_SandboxConnections.moc"

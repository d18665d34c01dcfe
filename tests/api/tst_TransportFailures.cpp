// Every way an answer can go wrong reaches the caller as one classified ApiResult: no crash,
// no hang, finished() exactly once, and a message a support engineer can act on. The servers
// are real sockets on loopback that stall, reset, close early, answer HTML, truncated JSON or
// 10 MB, or present a certificate nobody trusts.

#include "api/ApiRequest.h"
#include "api/JournyClient.h"
#include "support/ScriptedHttpServer.h"
#include "support/TlsTestServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using Failure = ApiResult::Failure;

class TestTransportFailures : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void stallTimesOutWithoutBlockingTheEventLoop();
    void trickleHitsTheTotalDeadline();
    void connectionRefused();
    void connectionResetBeforeAnswer();
    void connectionClosedMidBody();
    void truncatedJson();
    void htmlErrorPage();
    void plainTextAnswer();
    void emptyBody();
    void tenMegabytesWithLength();
    void tenMegabytesWithoutLength();
    void jsonButNotAnObject();
    void dataOfTheWrongShape();
    void hostNotFound();
    void untrustedCertificateIsNeverIgnored();

private:
    ApiResult run(const ApiRequest &request, int *finishedCount = nullptr);
    void useBaseUrl(const QUrl &url);

    ScriptedHttpServer *m_server = nullptr;
    JournyClient *m_client = nullptr;
};

void TestTransportFailures::init()
{
    m_server = new ScriptedHttpServer(this);
    QVERIFY(m_server->listen());
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = QStringLiteral("sk_transport_key");
    config.network.timeoutMs = 800;
    config.maxResponseBytes = 1024 * 1024;
    m_client = new JournyClient(config, nullptr, nullptr, this);
}

void TestTransportFailures::cleanup()
{
    delete m_client;
    delete m_server;
}

void TestTransportFailures::useBaseUrl(const QUrl &url)
{
    ClientConfig config = m_client->config();
    config.baseUrl = url;
    m_client->setConfig(config);
}

ApiResult TestTransportFailures::run(const ApiRequest &request, int *finishedCount)
{
    ApiReply *reply = m_client->send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    spy.wait(20000);
    QTest::qWait(20); // a second finished() would show up here
    if (finishedCount)
        *finishedCount = int(spy.size());
    else if (spy.size() != 1)
        qWarning("finished() fired %d times", int(spy.size()));
    return reply->result();
}

void TestTransportFailures::stallTimesOutWithoutBlockingTheEventLoop()
{
    m_server->enqueue(ScriptedResponse::misbehave(ScriptedResponse::Behavior::Stall));
    int ticks = 0;
    QTimer ticker;
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    ticker.start(50);
    int finished = 0;
    const ApiResult result = run(ApiRequest::validate(), &finished);
    QCOMPARE(finished, 1);
    QCOMPARE(result.failure, Failure::Timeout);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
    // The failure names where the call went: host:port and the URL.
    QCOMPARE(result.failureDetail, QStringLiteral("No complete answer from 127.0.0.1:%1 within 0.8 s "
                                                  "(http://127.0.0.1:%1/validate)")
                                       .arg(m_server->baseUrl().port()));
    QVERIFY(result.latencyMs >= 700);
    QVERIFY2(ticks >= 8, "the event loop kept running while the call waited");
}

void TestTransportFailures::trickleHitsTheTotalDeadline()
{
    // Headers arrive, then a byte every 100 ms: an inactivity timer would never fire, the
    // total deadline does.
    ScriptedResponse response = ScriptedResponse::raw(200, "application/json", QByteArray(200, ' '));
    response.behavior = ScriptedResponse::Behavior::Trickle;
    m_server->enqueue(response);
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::Timeout);
    QCOMPARE(result.httpStatus, 200);
    QVERIFY(result.latencyMs < 5000);
}

void TestTransportFailures::connectionRefused()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    useBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)));
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::ConnectionRefused);
    QCOMPARE(result.httpStatus, 0);
    // What failed, where: not Qt's "Connection refused: Connection refused".
    QCOMPARE(result.failureDetail,
             QStringLiteral("Connection refused by 127.0.0.1:%1 (http://127.0.0.1:%1/validate)").arg(port));
}

void TestTransportFailures::connectionResetBeforeAnswer()
{
    // Qt's HTTP stack itself sends a request again when the connection dies before any byte
    // of the answer (twice more at most); every attempt is reset here, as by a broken proxy.
    for (int attempt = 0; attempt < 5; ++attempt)
        m_server->enqueue(ScriptedResponse::misbehave(ScriptedResponse::Behavior::ResetBeforeAnswer));
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QVERIFY(m_server->received().size() >= 1);
    QVERIFY(m_server->received().size() <= 3);
    QCOMPARE(result.failure, Failure::ConnectionReset);
    QCOMPARE(result.httpStatus, 0);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
}

void TestTransportFailures::connectionClosedMidBody()
{
    ScriptedResponse response = ScriptedResponse::raw(
        200, "application/json",
        R"({"meta":{"requestId":"r","status":200},"data":{"permissions":["TrackData"]}})");
    response.behavior = ScriptedResponse::Behavior::CloseMidBody;
    response.bytesBeforeClose = 20;
    m_server->enqueue(response);
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::TruncatedBody);
    QCOMPARE(result.httpStatus, 200);
    QVERIFY(!result.ok());
}

void TestTransportFailures::truncatedJson()
{
    // Complete HTTP framing, but the JSON inside stops half-way (a proxy's buffer cut it).
    m_server->enqueue(
        ScriptedResponse::raw(201, "application/json", R"({"meta":{"requestId":"r-9","status":201},"mess)"));
    const ApiResult result = run(ApiRequest::link(QStringLiteral("d"), {QStringLiteral("u"), QString()}));
    QCOMPARE(result.failure, Failure::TruncatedBody);
    QCOMPARE(result.httpStatus, 201);
    QVERIFY(!result.ok());
    QVERIFY(result.failureDetail.contains(QLatin1String("stops before its end")));
}

void TestTransportFailures::htmlErrorPage()
{
    m_server->enqueue(ScriptedResponse::raw(
        502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"));
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::NonJsonBody);
    QCOMPARE(result.httpStatus, 502);
    QVERIFY2(result.failureDetail.contains(QLatin1String("502 Bad Gateway")),
             qPrintable(result.failureDetail));
    QVERIFY(result.failureDetail.contains(QLatin1String("text/html")));
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
}

void TestTransportFailures::plainTextAnswer()
{
    m_server->enqueue(ScriptedResponse::raw(200, "text/plain", "OK"));
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::NonJsonBody);
    QVERIFY(result.failureDetail.contains(QLatin1String("not JSON")));
}

void TestTransportFailures::emptyBody()
{
    m_server->enqueue(ScriptedResponse::raw(201, "application/json", QByteArray()));
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.failure, Failure::NonJsonBody);
    QVERIFY(result.failureDetail.contains(QLatin1String("empty body")));
}

void TestTransportFailures::tenMegabytesWithLength()
{
    m_server->enqueue(ScriptedResponse::raw(200, "application/json", QByteArray(10 * 1024 * 1024, 'x')));
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QVERIFY(result.responseBody.size() <= 1024 * 1024 + 1);
    QVERIFY(result.failureDetail.contains(QLatin1String("cap")));
}

void TestTransportFailures::tenMegabytesWithoutLength()
{
    // No Content-Length: the cap must hold while the body streams in.
    QByteArray huge = "{\"meta\":{\"requestId\":\"r\",\"status\":200},\"data\":[";
    while (huge.size() < 10 * 1024 * 1024)
        huge += "{\"id\":\"e\",\"name\":\"an event with a long name\"},";
    ScriptedResponse response = ScriptedResponse::raw(200, "application/json", huge);
    response.sendContentLength = false;
    m_server->enqueue(response);
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::BodyTooLarge);
    QVERIFY(result.responseBody.size() <= 1024 * 1024 + 1); // memory stays bounded by the cap
}

void TestTransportFailures::jsonButNotAnObject()
{
    m_server->enqueue(ScriptedResponse::raw(200, "application/json", "[1,2,3]"));
    const ApiResult result = run(ApiRequest::listEvents());
    QCOMPARE(result.failure, Failure::UnexpectedShape);
}

void TestTransportFailures::dataOfTheWrongShape()
{
    m_server->enqueue(ScriptedResponse::json(
        200, {{QLatin1String("meta"), QJsonObject{{QLatin1String("requestId"), QLatin1String("r")}}},
              {QLatin1String("data"), QJsonArray{QJsonObject{{QLatin1String("name"), 5}}}}}));
    const ApiResult result = run(ApiRequest::listUserSegments());
    QCOMPARE(result.failure, Failure::UnexpectedShape);
    QCOMPARE(result.requestId, QStringLiteral("r"));
    QVERIFY(result.failureDetail.contains(QLatin1String("getUserSegments")));
}

void TestTransportFailures::hostNotFound()
{
    // .invalid is reserved (RFC 2606): no resolver anywhere answers it.
    useBaseUrl(QUrl(QStringLiteral("https://no-such-host.invalid")));
    ClientConfig config = m_client->config();
    config.network.timeoutMs = 15000; // let the resolver answer rather than the deadline
    m_client->setConfig(config);
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.failure, Failure::HostNotFound);
    QCOMPARE(result.failureDetail, QStringLiteral("Host not found: no-such-host.invalid:443 "
                                                  "(https://no-such-host.invalid/validate)"));
}

void TestTransportFailures::untrustedCertificateIsNeverIgnored()
{
    TlsTestServer tls;
    if (!tls.start())
        QSKIP("This Qt has no TLS backend");
    useBaseUrl(QUrl(QStringLiteral("https://localhost:%1").arg(tls.serverPort())));
    ClientConfig config = m_client->config();
    config.network.timeoutMs = 10000;
    m_client->setConfig(config);
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.failure, Failure::Tls);
    QVERIFY2(result.failureDetail.contains(QLatin1String("self signed"), Qt::CaseInsensitive) ||
                 result.failureDetail.contains(QLatin1String("self-signed"), Qt::CaseInsensitive),
             qPrintable(result.failureDetail));
    QCOMPARE(tls.decryptedBytes(), 0); // the request, and its key, never left the client
}

QTEST_GUILESS_MAIN(TestTransportFailures)
#include "tst_TransportFailures.moc"

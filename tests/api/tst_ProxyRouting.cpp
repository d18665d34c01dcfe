// JournyClient through a real forward proxy over loopback: Debian's tinyproxy (tests/support/
// ForwardProxy) in front of the sandbox (plain http: absolute-URI requests) and of a TLS server
// whose certificate a test CA signed (https: CONNECT, trusted only with the CA file). Each case
// checks both ends: the proxy's log says whether the request went through it, the server says
// what arrived, and the ApiResult says what the user is shown (route, TLS issuer, failure name).
// How routes are chosen without a network is tst_ProxyResolver's; the CLI's and the console's
// wording of the same cases are tst_JournyCli's and tst_ProfileNetwork's.

#include "api/ApiRequest.h"
#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "sandbox/SandboxServer.h"
#include "support/ForwardProxy.h"
#include "support/TlsTestServer.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using Failure = ApiResult::Failure;

#define REQUIRE_TINYPROXY()                                                                                  \
    do {                                                                                                     \
        if (!ForwardProxy::isAvailable())                                                                    \
            QSKIP("tinyproxy is not installed (apt-get install tinyproxy, or scripts/dev.sh test)");         \
    } while (false)

namespace {

const QString Key = QStringLiteral("sk_proxy_test");
const QString CaIssuer = QStringLiteral("journy-console Test Root CA");

QString testCaFile()
{
    return QStringLiteral(JOURNY_TEST_DATA_DIR "/test-ca.crt");
}

NetworkSettings viaProxy(quint16 port, const QString &user = {}, const QString &password = {})
{
    NetworkSettings settings;
    settings.proxyMode = NetworkSettings::ProxyMode::Manual;
    settings.proxyType = NetworkSettings::ProxyType::Http;
    settings.proxyHost = QStringLiteral("127.0.0.1");
    settings.proxyPort = port;
    settings.proxyUser = user;
    settings.proxyPassword = password;
    settings.timeoutMs = 10000;
    return settings;
}

QString describe(const ApiResult &result)
{
    return QStringLiteral("%1 [%2] %3")
        .arg(result.summary(), ApiResult::failureName(result.failure), result.failureDetail);
}

QByteArray validateAnswer()
{
    const QByteArray body =
        R"({"meta":{"requestId":"r-tls","status":200},"data":{"permissions":["TrackData"]}})";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class TestProxyRouting : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void plainHttpThroughManualProxy();
    void bypassedHostGoesDirect();
    void httpsThroughConnectTrustsTheCaFile();
    void proxyLogin();
    void sessionProxyLogin();
    void deadProxy();
    void unresolvableProxyHost();
    void systemModeReadsTheEnvironment();
    void systemModeNeverProxiesLoopback();
    void stalledUpstreamTimesOut();

private:
    ApiResult run(const NetworkSettings &network, const QUrl &baseUrl, NetworkAccess *access = nullptr);
    // API requests the sandbox received.
    int sandboxRequests() const { return m_sandbox->stats().value(QLatin1String("requests")).toInt(); }
    QString getLine() const
    {
        return QStringLiteral("GET http://127.0.0.1:%1/validate").arg(m_sandbox->baseUrl().port());
    }

    SandboxServer *m_sandbox = nullptr;
    NetworkAccess *m_network = nullptr;
};

void TestProxyRouting::init()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(Key, {SandboxConfig::allPermissions(), true});
    m_sandbox = new SandboxServer(config, this);
    QVERIFY(m_sandbox->start());
    // An empty environment: the machine's own *_PROXY variables never leak into a case.
    m_network = new NetworkAccess(this, QProcessEnvironment());
}

void TestProxyRouting::cleanup()
{
    delete m_network;
    m_network = nullptr;
    delete m_sandbox;
    m_sandbox = nullptr;
}

ApiResult TestProxyRouting::run(const NetworkSettings &network, const QUrl &baseUrl, NetworkAccess *access)
{
    ClientConfig config;
    config.baseUrl = baseUrl;
    config.apiKey = Key;
    config.network = network;
    JournyClient client(config, access ? access : m_network);
    ApiReply *reply = client.send(ApiRequest::validate());
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!spy.wait(30000))
        return {};
    return spy.first().first().value<ApiResult>();
}

void TestProxyRouting::plainHttpThroughManualProxy()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));

    // A manual proxy applies to loopback too: the request goes to tinyproxy as an absolute URI,
    // and tinyproxy passes it to the sandbox with the key.
    const ApiResult result = run(viaProxy(proxy.port()), m_sandbox->baseUrl());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.httpStatus, 200);
    QCOMPARE(result.route, QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port()));
    QVERIFY(result.tlsProtocol.isEmpty());
    QCOMPARE(proxy.requestsLogged(getLine()), 1);
    QCOMPARE(sandboxRequests(), 1);
}

void TestProxyRouting::bypassedHostGoesDirect()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));

    for (const QString &entry :
         {QStringLiteral("127.0.0.1"), QStringLiteral("127.0.0.0/8"), QStringLiteral("*")}) {
        NetworkSettings settings = viaProxy(proxy.port());
        settings.proxyBypass = {QStringLiteral("example.com"), entry};
        const ApiResult result = run(settings, m_sandbox->baseUrl());
        QVERIFY2(result.ok(), qPrintable(entry + QLatin1String(": ") + describe(result)));
        QCOMPARE(result.route, QStringLiteral("direct"));
    }
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Request (file descriptor")), 0);
    QCOMPARE(sandboxRequests(), 3);

    // An entry that covers another host does not bypass this one.
    NetworkSettings settings = viaProxy(proxy.port());
    settings.proxyBypass = {QStringLiteral("127.0.0.2"), QStringLiteral("localhost.example")};
    QVERIFY(run(settings, m_sandbox->baseUrl()).ok());
    QCOMPARE(proxy.requestsLogged(getLine()), 1);
}

void TestProxyRouting::httpsThroughConnectTrustsTheCaFile()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    TlsTestServer server(nullptr, QStringLiteral("ca-signed-localhost"));
    if (!server.start())
        QSKIP("no TLS backend");
    server.setAnswer(validateAnswer());
    const QUrl base(QStringLiteral("https://localhost:%1").arg(server.serverPort()));
    const QString connect = QStringLiteral("CONNECT localhost:%1 ").arg(server.serverPort());

    // Without the company CA the handshake fails on the certificate, after the tunnel was
    // opened: nothing was decrypted by the server, so the key never left. The message names the
    // issuer and the way out.
    NetworkSettings settings = viaProxy(proxy.port());
    ApiResult result = run(settings, base);
    QCOMPARE(result.failure, Failure::Tls);
    QVERIFY2(result.failureDetail.contains(CaIssuer), qPrintable(describe(result)));
    QVERIFY2(result.failureDetail.contains(QLatin1String("CA certificate")) &&
                 result.failureDetail.contains(QLatin1String("--ca-file")),
             qPrintable(describe(result)));
    QCOMPARE(proxy.requestsLogged(connect), 1);
    QCOMPARE(server.requestsReceived(), 0);
    QCOMPARE(server.decryptedBytes(), 0);

    // With the CA file: through the tunnel, TLS 1.2 or 1.3, the issuer shown.
    settings.caFile = testCaFile();
    result = run(settings, base);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.route, QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port()));
    QVERIFY2(result.tlsProtocol == QLatin1String("TLS 1.3") || result.tlsProtocol == QLatin1String("TLS 1.2"),
             qPrintable(result.tlsProtocol));
    QCOMPARE(result.tlsIssuer, CaIssuer);
    QCOMPARE(proxy.requestsLogged(connect), 2);
    QCOMPARE(server.requestsReceived(), 1);
    QVERIFY2(server.lastRequest().contains("\r\nX-Api-Key: " + Key.toUtf8() + "\r\n") ||
                 server.lastRequest().contains("\r\nx-api-key: " + Key.toUtf8() + "\r\n"),
             server.lastRequest().constData());

    // The trust of one profile's CA file never leaks to a profile without it, even on the same
    // NetworkAccess (the console shares one between profiles).
    settings.caFile.clear();
    result = run(settings, base);
    QCOMPARE(result.failure, Failure::Tls);
    QCOMPARE(server.requestsReceived(), 1);
}

void TestProxyRouting::proxyLogin()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("alice"), QStringLiteral("s3cret-pw")),
             qPrintable(proxy.errorString()));

    // No login: tinyproxy answers 407, and the user is told the proxy wants one.
    ApiResult result = run(viaProxy(proxy.port()), m_sandbox->baseUrl());
    QCOMPARE(result.failure, Failure::ProxyAuth);
    QVERIFY2(result.summary().contains(QLatin1String("proxy")), qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 0);

    // A wrong password: refused the same way (tinyproxy 1.11.1 answers it with a 401).
    result =
        run(viaProxy(proxy.port(), QStringLiteral("alice"), QStringLiteral("wrong")), m_sandbox->baseUrl());
    QCOMPARE(result.failure, Failure::ProxyAuth);
    QVERIFY2(!result.summary().contains(QLatin1String("wrong")), qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 0);

    // The right login: through, and answered by the sandbox.
    result = run(viaProxy(proxy.port(), QStringLiteral("alice"), QStringLiteral("s3cret-pw")),
                 m_sandbox->baseUrl());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 1);
    // Only the right login opened a connection to the sandbox.
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Established connection to host")), 1);
}

void TestProxyRouting::sessionProxyLogin()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("bob"), QStringLiteral("typed-pw")), qPrintable(proxy.errorString()));
    // No login in the settings (none saved): the proxy refuses, as it would before the console's
    // prompt.
    const NetworkSettings settings = viaProxy(proxy.port());

    QCOMPARE(run(settings, m_sandbox->baseUrl()).failure, Failure::ProxyAuth);
    // What the console's proxy login prompt does with a typed login: kept for the session, used
    // when the proxy asks and the settings hold no password.
    m_network->setProxyLogin(QStringLiteral("127.0.0.1"), proxy.port(), QStringLiteral("bob"),
                             QStringLiteral("typed-pw"));
    ApiResult result = run(settings, m_sandbox->baseUrl());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    result = run(settings, m_sandbox->baseUrl());
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 2);

    // Another NetworkAccess (another process, the CLI) does not know the typed login.
    NetworkAccess other(nullptr, QProcessEnvironment());
    QCOMPARE(run(settings, m_sandbox->baseUrl(), &other).failure, Failure::ProxyAuth);
    QCOMPARE(sandboxRequests(), 2);
}

void TestProxyRouting::deadProxy()
{
    // A port that nothing listens on: the failure names the proxy, not the server.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    const ApiResult result = run(viaProxy(port), m_sandbox->baseUrl());
    QCOMPARE(result.failure, Failure::ProxyRefused);
    QCOMPARE(ApiResult::failureName(result.failure), QStringLiteral("proxy-refused"));
    QVERIFY2(result.summary().contains(QStringLiteral("127.0.0.1:%1").arg(port)),
             qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 0);
}

void TestProxyRouting::unresolvableProxyHost()
{
    NetworkSettings settings = viaProxy(3128);
    settings.proxyHost = QStringLiteral("proxy.nonexistent.invalid"); // RFC 2606: never resolves
    const ApiResult result = run(settings, m_sandbox->baseUrl());
    QCOMPARE(result.failure, Failure::ProxyHostNotFound);
    QCOMPARE(ApiResult::failureName(result.failure), QStringLiteral("proxy-host-not-found"));
    QVERIFY2(result.summary().contains(QLatin1String("proxy.nonexistent.invalid")),
             qPrintable(describe(result)));
    QCOMPARE(sandboxRequests(), 0);
}

void TestProxyRouting::systemModeReadsTheEnvironment()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    ForwardProxy guarded;
    QVERIFY2(guarded.start(QStringLiteral("carol"), QStringLiteral("env-pw")),
             qPrintable(guarded.errorString()));

    // System mode never proxies loopback, so the base URL names a host only a proxy would try to
    // resolve: .invalid never resolves, so each call fails after the proxy; what counts is
    // whether and how it went there.
    const QUrl base(QStringLiteral("https://journy-api.invalid"));
    const QString connect = QStringLiteral("CONNECT journy-api.invalid:443 ");
    NetworkSettings system;
    system.timeoutMs = 10000;
    const QString via = QStringLiteral("http://127.0.0.1:%1").arg(proxy.port());

    int expected = 0;
    for (const QString &variable : {QStringLiteral("https_proxy"), QStringLiteral("HTTPS_PROXY")}) {
        QProcessEnvironment environment;
        environment.insert(variable, via);
        NetworkAccess access(nullptr, environment);
        const ApiResult result = run(system, base, &access);
        QVERIFY2(!result.ok(), qPrintable(describe(result)));
        QCOMPARE(result.route, QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port()));
        QCOMPARE(proxy.requestsLogged(connect), ++expected);
    }

    // NO_PROXY covering the host: direct, so the name fails to resolve here and the proxy sees
    // nothing.
    for (const QString &noProxy :
         {QStringLiteral(".invalid"), QStringLiteral("example.com, journy-api.invalid")}) {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("HTTPS_PROXY"), via);
        environment.insert(QStringLiteral("NO_PROXY"), noProxy);
        NetworkAccess access(nullptr, environment);
        const ApiResult result = run(system, base, &access);
        QCOMPARE(result.failure, Failure::HostNotFound);
        QCOMPARE(result.route, QStringLiteral("direct"));
    }
    QCOMPARE(proxy.requestsLogged(connect), expected);

    // A login inside the variable's URL is used, and only there.
    const QString opening = QStringLiteral("opening connection to journy-api.invalid:443");
    {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("https_proxy"),
                           QStringLiteral("http://127.0.0.1:%1").arg(guarded.port()));
        NetworkAccess access(nullptr, environment);
        QCOMPARE(run(system, base, &access).failure, Failure::ProxyAuth);
        QVERIFY2(!guarded.logText().contains(opening), qPrintable(guarded.logText()));
    }
    {
        QProcessEnvironment environment;
        environment.insert(QStringLiteral("https_proxy"),
                           QStringLiteral("http://carol:env-pw@127.0.0.1:%1").arg(guarded.port()));
        NetworkAccess access(nullptr, environment);
        const ApiResult result = run(system, base, &access);
        QVERIFY2(result.failure != Failure::ProxyAuth, qPrintable(describe(result)));
        QVERIFY2(!result.route.contains(QLatin1String("env-pw")), qPrintable(result.route));
        QVERIFY2(guarded.logText().contains(opening), qPrintable(guarded.logText()));
    }
}

void TestProxyRouting::systemModeNeverProxiesLoopback()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    QProcessEnvironment environment;
    const QString via = QStringLiteral("http://127.0.0.1:%1").arg(proxy.port());
    environment.insert(QStringLiteral("http_proxy"), via);
    environment.insert(QStringLiteral("HTTP_PROXY"), via);
    environment.insert(QStringLiteral("all_proxy"), via);
    NetworkAccess access(nullptr, environment);

    NetworkSettings system;
    QUrl localhost = m_sandbox->baseUrl();
    localhost.setHost(QStringLiteral("localhost"));
    for (const QUrl &base : {m_sandbox->baseUrl(), localhost}) {
        const ApiResult result = run(system, base, &access);
        QVERIFY2(result.ok(), qPrintable(base.toString() + QLatin1String(": ") + describe(result)));
        QCOMPARE(result.route, QStringLiteral("direct"));
    }
    QCOMPARE(sandboxRequests(), 2);
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Request (file descriptor")), 0);

    // None ignores the variables altogether.
    NetworkSettings none;
    none.proxyMode = NetworkSettings::ProxyMode::None;
    QCOMPARE(run(none, m_sandbox->baseUrl(), &access).route, QStringLiteral("direct"));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Request (file descriptor")), 0);
}

void TestProxyRouting::stalledUpstreamTimesOut()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    // An upstream that accepts and reads but never answers: the proxy waits on it, and the
    // client's total deadline ends the call.
    QTcpServer silent;
    QList<QPointer<QTcpSocket>> held;
    connect(&silent, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection()) {
            held.append(socket);
            connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
        }
    });
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));

    NetworkSettings settings = viaProxy(proxy.port());
    settings.timeoutMs = 1500;
    QElapsedTimer clock;
    clock.start();
    const ApiResult result =
        run(settings, QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())));
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(result.failure, Failure::Timeout);
    QVERIFY2(elapsed >= 1400 && elapsed < 6000, qPrintable(QString::number(elapsed)));
    QCOMPARE(
        proxy.requestsLogged(QStringLiteral("GET http://127.0.0.1:%1/validate").arg(silent.serverPort())), 1);
    QTRY_VERIFY(!held.isEmpty());
}

QTEST_GUILESS_MAIN(TestProxyRouting)
#include "tst_ProxyRouting.moc"

// RelayServer over real HTTP on loopback: callers are a QNetworkAccessManager (as an SDK would be)
// or a raw QTcpSocket (for HTTP no client library sends); the upstream is an in-process
// SandboxServer, or a ScriptedHttpServer where the exact bytes received or a fault matter.

#include "api/PastedRequest.h"
#include "relay/RelayServer.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"
#include "support/SandboxInspection.h"
#include "support/ScriptedHttpServer.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

#include <memory>

namespace {

const QByteArray Key = "sk_relay_secret_7f3a9c";

class Sent
{
public:
    int status = 0;
    QByteArray body;
    QMap<QByteArray, QByteArray> headers; // names lower-cased
};

QStringList rulesOf(const RelayRecord &record)
{
    QStringList rules;
    for (const LintFinding &finding : record.findings)
        rules << finding.rule;
    return rules;
}

// A free loopback port nothing listens on.
quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    const quint16 port = probe.serverPort();
    probe.close();
    return port;
}

} // namespace

class TestRelayServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void forwardsTheExactBytesAndPassesTheAnswerBack();
    void upsertThroughTheRelayReachesTheSandbox();
    void queryAndChunkedBodiesAreForwarded();
    void specErrorsAreRecordedAndStillForwarded();
    void nodeSdk310EventIsLinted();
    void officialNodeSdkThroughTheRelayIsFlagged();
    void typesSeenEarlierAreTheLintsEvidence();
    void notARouteIs404AndNotForwarded();
    void theKeyIsKeptOnlyAsAFingerprint();
    void malformedHttpIs400();
    void oversizedBodyIs413();
    void clientGoneMidBodyForwardsNothing();
    void stallingUpstreamIs504();
    void closedUpstreamIs502();
    void connectionsOverTheCapAre503();

private:
    // Starts a relay to base with a call timeout of timeoutMs.
    void startRelay(const QUrl &base, int timeoutMs = 5000);
    Sent send(const QByteArray &method, const QString &path, const QByteArray &body,
              const QByteArray &key = Key);
    // A raw exchange: writes bytes, reads until the relay closes the connection.
    QByteArray exchange(const QByteArray &bytes);
    // A clean upsert through the relay still answers 201 from the sandbox upstream.
    void goodRequestStillWorks();

    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<ScriptedHttpServer> m_scripted;
    std::unique_ptr<RelayServer> m_relay;
    std::unique_ptr<QSignalSpy> m_received;
    std::unique_ptr<QSignalSpy> m_answered;
    QNetworkAccessManager m_network;
};

void TestRelayServer::init()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(QString::fromLatin1(Key), {SandboxConfig::allPermissions(), true});
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY(m_sandbox->start());
    m_scripted = std::make_unique<ScriptedHttpServer>();
    QVERIFY(m_scripted->listen());
}

void TestRelayServer::cleanup()
{
    m_received.reset();
    m_answered.reset();
    m_relay.reset();
    m_scripted.reset();
    m_sandbox.reset();
}

void TestRelayServer::startRelay(const QUrl &base, int timeoutMs)
{
    ClientConfig upstream;
    upstream.baseUrl = base;
    upstream.network.timeoutMs = timeoutMs;
    upstream.apiKey = QStringLiteral("ignored");
    m_relay = std::make_unique<RelayServer>(upstream);
    QVERIFY(m_relay->listen());
    QVERIFY(m_relay->port() != 0);
    QCOMPARE(m_relay->url().host(), QStringLiteral("127.0.0.1"));
    m_received = std::make_unique<QSignalSpy>(m_relay.get(), &RelayServer::received);
    m_answered = std::make_unique<QSignalSpy>(m_relay.get(), &RelayServer::answered);
}

Sent TestRelayServer::send(const QByteArray &method, const QString &path, const QByteArray &body,
                           const QByteArray &key)
{
    QUrl url = m_relay->url();
    const int query = path.indexOf(QLatin1Char('?'));
    url.setPath(query < 0 ? path : path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!key.isEmpty())
        request.setRawHeader("X-Api-Key", key);
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Sent sent;
    if (!finished.wait(15000)) {
        reply->abort();
        delete reply;
        return sent;
    }
    sent.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    sent.body = reply->readAll();
    for (const auto &pair : reply->rawHeaderPairs())
        sent.headers.insert(pair.first.toLower(), pair.second);
    delete reply;
    return sent;
}

QByteArray TestRelayServer::exchange(const QByteArray &bytes)
{
    QTcpSocket socket;
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, m_relay->port());
    socket.write(bytes);
    // The relay answers an error and closes; the event loop must run for it to do so.
    if (!closed.wait(10000))
        return QByteArray("(the relay did not close the connection)");
    return socket.readAll();
}

void TestRelayServer::goodRequestStillWorks()
{
    const qsizetype before = m_answered->size();
    const Sent good = send("POST", QStringLiteral("/users/upsert"),
                           R"({"identification":{"userId":"after"},"properties":{"plan":"pro"}})");
    QCOMPARE(good.status, 201);
    QCOMPARE(m_answered->size(), before + 1);
}

void TestRelayServer::forwardsTheExactBytesAndPassesTheAnswerBack()
{
    startRelay(m_scripted->baseUrl());
    // Spacing, key order and non-ASCII text as an integration might send them: the upstream must
    // get these bytes, not a re-serialised object.
    const QByteArray body = "{ \"properties\" : {\"plan\":\"Pró\",  \"seats\": 3},\n"
                            "  \"identification\": {\"userId\": \"u-1\"} }";
    ScriptedResponse scripted = ScriptedResponse::json(
        201,
        {{QLatin1String("message"), QLatin1String("The data is correctly stored.")},
         {QLatin1String("meta"), QJsonObject{{QLatin1String("requestId"), QLatin1String("req-upstream-1")},
                                             {QLatin1String("status"), 201}}}},
        1800, 1234);
    scripted.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("7")));
    m_scripted->enqueue(scripted);

    const Sent sent = send("POST", QStringLiteral("/users/upsert"), body);

    QCOMPARE(m_scripted->received().size(), 1);
    const ReceivedRequest &upstream = m_scripted->received().first();
    QCOMPARE(upstream.method, QByteArray("POST"));
    QCOMPARE(upstream.path, QStringLiteral("/users/upsert"));
    QCOMPARE(upstream.body, body);
    QCOMPARE(upstream.headers.value("x-api-key"), Key);

    QCOMPARE(sent.status, 201);
    QCOMPARE(sent.body, scripted.body);
    QCOMPARE(sent.headers.value("content-type"), QByteArray("application/json; charset=utf-8"));
    QCOMPARE(sent.headers.value("x-ratelimit-limit"), QByteArray("1800"));
    QCOMPARE(sent.headers.value("x-ratelimit-remaining"), QByteArray("1234"));
    QCOMPARE(sent.headers.value("retry-after"), QByteArray("7"));

    QCOMPARE(m_received->size(), 1);
    QCOMPARE(m_answered->size(), 1);
    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.id, qint64(1));
    QCOMPARE(record.method, QByteArray("POST"));
    QCOMPARE(record.path, QStringLiteral("/users/upsert"));
    QCOMPARE(record.operationId, QStringLiteral("upsertUser"));
    QCOMPARE(record.requestBody, body);
    QCOMPARE(record.verdict, RelayRecord::Verdict::Clean);
    QVERIFY(record.answered);
    QCOMPARE(record.status, 201);
    QCOMPARE(record.responseBody, scripted.body);
    QCOMPARE(record.requestId, QStringLiteral("req-upstream-1"));
    QVERIFY(record.latencyMs >= 0);
    QCOMPARE(record.failure, QString());
    const auto early = m_received->first().first().value<RelayRecord>();
    QCOMPARE(early.id, record.id);
    QVERIFY(!early.answered);
}

void TestRelayServer::upsertThroughTheRelayReachesTheSandbox()
{
    startRelay(m_sandbox->baseUrl());
    const Sent sent = send(
        "POST", QStringLiteral("/users/upsert"),
        R"({"identification":{"userId":"u-77","email":"ann@acme.com"},"properties":{"plan":"pro","seats":4}})");
    QCOMPARE(sent.status, 201);
    const QJsonObject answer = QJsonDocument::fromJson(sent.body).object();
    const QString requestId =
        answer.value(QLatin1String("meta")).toObject().value(QLatin1String("requestId")).toString();
    QVERIFY(!requestId.isEmpty());
    QCOMPARE(sent.headers.value("content-type"), QByteArray("application/json"));
    QVERIFY(sent.headers.contains("x-ratelimit-limit"));
    QVERIFY(sent.headers.contains("x-ratelimit-remaining"));

    const SandboxInspection stored = SandboxInspection::get(
        m_sandbox->baseUrl(), QStringLiteral("/_sandbox/users"), QUrlQuery(QStringLiteral("userId=u-77")));
    QCOMPARE(stored.status, 200);
    const QJsonObject &user = stored.body;
    QCOMPARE(user.value(QLatin1String("properties")).toObject().value(QLatin1String("plan")).toString(),
             QStringLiteral("pro"));

    QCOMPARE(m_answered->size(), 1);
    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.requestId, requestId);
    QCOMPARE(record.responseBody, sent.body);
    QCOMPARE(record.status, 201);
}

void TestRelayServer::queryAndChunkedBodiesAreForwarded()
{
    startRelay(m_scripted->baseUrl());
    const QJsonObject snippet{
        {QLatin1String("data"), QJsonObject{{QLatin1String("snippet"), QLatin1String("<script/>")}}}};
    m_scripted->enqueue(ScriptedResponse::json(200, snippet));
    const Sent sent = send("GET", QStringLiteral("/tracking/snippet?domain=acme.com"), QByteArray());
    QCOMPARE(sent.status, 200);
    QCOMPARE(m_scripted->received().size(), 1);
    QCOMPARE(m_scripted->received().at(0).path, QStringLiteral("/tracking/snippet"));
    QCOMPARE(m_scripted->received().at(0).query.queryItemValue(QStringLiteral("domain")),
             QStringLiteral("acme.com"));
    QCOMPARE(m_answered->first().first().value<RelayRecord>().path,
             QStringLiteral("/tracking/snippet?domain=acme.com"));
    QCOMPARE(m_answered->first().first().value<RelayRecord>().operationId,
             QStringLiteral("getTrackingSnippet"));

    // A chunked body (as some HTTP clients stream one) arrives upstream as the content itself.
    m_scripted->enqueue(ScriptedResponse::json(201, {{QLatin1String("message"), QLatin1String("ok")}}));
    const QByteArray content = R"({"identification":{"userId":"chunked"}})";
    const QByteArray answer =
        exchange("POST /users/upsert HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n10\r\n" +
                 content.left(16) + "\r\n" + QByteArray::number(content.size() - 16, 16) + "\r\n" +
                 content.mid(16) + "\r\n0\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 201"), answer.constData());
    QCOMPARE(m_scripted->received().size(), 2);
    QCOMPARE(m_scripted->received().at(1).body, content);
}

void TestRelayServer::specErrorsAreRecordedAndStillForwarded()
{
    startRelay(m_sandbox->baseUrl());
    const Sent sent =
        send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"email":"not-an-email"}})");
    // The upstream's own 400, with its errors, is what the caller gets.
    QCOMPARE(sent.status, 400);
    const QJsonObject errors = QJsonDocument::fromJson(sent.body)
                                   .object()
                                   .value(QLatin1String("errors"))
                                   .toObject()
                                   .value(QLatin1String("fields"))
                                   .toObject();
    QVERIFY2(errors.contains(QLatin1String("identification.email")), sent.body.constData());

    const auto record = m_received->first().first().value<RelayRecord>();
    QCOMPARE(record.verdict, RelayRecord::Verdict::Errors);
    QVERIFY2(record.specErrors.contains(QStringLiteral("identification.email")),
             qPrintable(record.specErrors.keys().join(QLatin1Char(','))));
    const auto done = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(done.status, 400);
    QCOMPARE(done.responseBody, sent.body);
}

void TestRelayServer::nodeSdk310EventIsLinted()
{
    startRelay(m_sandbox->baseUrl());
    // What the published Node SDK 3.1.0 sends for an event: the deprecated endpoint, values as text.
    const QByteArray body =
        R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"amount":"120"}})";
    const Sent sent = send("POST", QStringLiteral("/events"), body);
    QCOMPARE(sent.status, 201);

    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.operationId, QStringLiteral("trackJourneyEvent"));
    QCOMPARE(rulesOf(record),
             QStringList({QStringLiteral("deprecated-events-endpoint"), QStringLiteral("string-number")}));
    QCOMPARE(record.findings.at(1).path, QStringLiteral("metadata.amount"));
    QCOMPARE(record.verdict, RelayRecord::Verdict::Warnings);
    const QJsonArray findings = record.toJson().value(QLatin1String("findings")).toArray();
    QCOMPARE(findings.size(), 2);
    QCOMPARE(findings.at(0).toObject().value(QLatin1String("rule")).toString(),
             QStringLiteral("deprecated-events-endpoint"));
}

void TestRelayServer::officialNodeSdkThroughTheRelayIsFlagged()
{
    // The customer's integration: the official @journyio/sdk 3.1.0 as npm publishes it, run by
    // Node (scripts/dev.sh test installs both), its rootUrl the relay's.
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    const QString script = QStringLiteral(JOURNY_RELAY_TESTS_DIR "/node-sdk-calls.js");
    if (node.isEmpty() ||
        !QFileInfo::exists(QStringLiteral(JOURNY_RELAY_TESTS_DIR "/node_modules/@journyio/sdk")))
        QSKIP("needs node and tests/relay/node_modules (scripts/dev.sh test installs them)");
    startRelay(m_sandbox->baseUrl());
    QProcess sdk;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("JOURNY_API_KEY"), QString::fromLatin1(Key));
    sdk.setProcessEnvironment(environment);
    QSignalSpy ended(&sdk, &QProcess::finished);
    sdk.start(node, {script, m_relay->url().toString()});
    // Not waitForFinished(): the relay answers on this thread's event loop.
    QTRY_VERIFY_WITH_TIMEOUT(!ended.isEmpty(), 30000);
    QVERIFY2(sdk.exitCode() == 0, sdk.readAllStandardError().constData());
    QCOMPARE(QJsonDocument::fromJson(sdk.readAllStandardOutput()).object(),
             QJsonObject({{QStringLiteral("upsertUser"), true}, {QStringLiteral("addEvent"), true}}));

    QCOMPARE(m_answered->size(), 2);
    const auto upsert = m_answered->at(0).first().value<RelayRecord>();
    const auto event = m_answered->at(1).first().value<RelayRecord>();
    QCOMPARE(upsert.operationId, QStringLiteral("upsertUser"));
    QCOMPARE(upsert.status, 201);
    // The SDK's typed values arrive as text: each one flagged on its path.
    QStringList upsertFindings;
    for (const LintFinding &finding : upsert.findings)
        upsertFindings << finding.rule + QLatin1Char(' ') + finding.path;
    QCOMPARE(upsertFindings, QStringList({QStringLiteral("string-boolean properties.is_paying"),
                                          QStringLiteral("string-number properties.mrr")}));
    QCOMPARE(event.operationId, QStringLiteral("trackJourneyEvent"));
    QCOMPARE(event.status, 201);
    QCOMPARE(rulesOf(event),
             QStringList({QStringLiteral("deprecated-events-endpoint"), QStringLiteral("string-number")}));
    QCOMPARE(event.verdict, RelayRecord::Verdict::Warnings);
    // Passed on as sent: the sandbox stores the SDK's text.
    const SandboxInspection stored =
        SandboxInspection::get(m_sandbox->baseUrl(), QStringLiteral("/_sandbox/users"),
                               QUrlQuery(QStringLiteral("userId=sdk-user-1")));
    QCOMPARE(stored.body.value(QLatin1String("properties")).toObject().value(QLatin1String("mrr")),
             QJsonValue(QStringLiteral("399")));
    // The key only as its fingerprint.
    for (const RelayRecord &record : {upsert, event}) {
        QCOMPARE(record.keyFingerprint, PastedRequest::fingerprint(Key));
        QVERIFY(!QJsonDocument(record.toJson()).toJson().contains(Key));
    }
}

void TestRelayServer::typesSeenEarlierAreTheLintsEvidence()
{
    startRelay(m_sandbox->baseUrl());
    const QByteArray asText = R"({"identification":{"userId":"t-1"},"properties":{"mrr":"400"}})";
    QCOMPARE(send("POST", QStringLiteral("/users/upsert"), asText).status, 201);
    QCOMPARE(send("POST", QStringLiteral("/users/upsert"),
                  R"({"identification":{"userId":"t-2"},"properties":{"mrr":399}})")
                 .status,
             201);
    QCOMPARE(send("POST", QStringLiteral("/users/upsert"), asText).status, 201);
    QCOMPARE(m_answered->size(), 3);
    // Alone, text that reads as a number may be intended (info); once the integration has sent
    // mrr as a number, the text is a slip (warning).
    const auto first = m_answered->at(0).first().value<RelayRecord>();
    QCOMPARE(rulesOf(first), QStringList{QStringLiteral("string-number")});
    QCOMPARE(first.findings.first().severity, LintFinding::Severity::Info);
    QCOMPARE(first.verdict, RelayRecord::Verdict::Clean);
    QCOMPARE(m_answered->at(1).first().value<RelayRecord>().findings.size(), 0);
    const auto third = m_answered->at(2).first().value<RelayRecord>();
    QCOMPARE(rulesOf(third), QStringList{QStringLiteral("string-number")});
    QCOMPARE(third.findings.first().severity, LintFinding::Severity::Warning);
    QCOMPARE(third.verdict, RelayRecord::Verdict::Warnings);
}

void TestRelayServer::notARouteIs404AndNotForwarded()
{
    startRelay(m_scripted->baseUrl());
    const Sent sent = send("POST", QStringLiteral("/v2/users/upsert"), R"({"a":1})");
    QCOMPARE(sent.status, 404);
    const QJsonObject answer = QJsonDocument::fromJson(sent.body).object();
    QVERIFY2(
        answer.value(QLatin1String("message")).toString().contains(QStringLiteral("POST /v2/users/upsert")),
        sent.body.constData());
    const QJsonObject meta = answer.value(QLatin1String("meta")).toObject();
    QCOMPARE(meta.value(QLatin1String("status")).toInt(), 404);
    QCOMPARE(meta.value(QLatin1String("source")).toString(), QStringLiteral("journy relay"));
    QVERIFY(!meta.value(QLatin1String("requestId")).toString().isEmpty());
    QCOMPARE(m_scripted->received().size(), 0);

    QCOMPARE(m_answered->size(), 1);
    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.verdict, RelayRecord::Verdict::Errors);
    QCOMPARE(record.operationId, QString());
    QCOMPARE(record.status, 404);
    QVERIFY(record.specErrors.value(QString()).contains(QStringLiteral("/v2/users/upsert")));
}

void TestRelayServer::theKeyIsKeptOnlyAsAFingerprint()
{
    startRelay(m_sandbox->baseUrl());
    QCOMPARE(send("POST", QStringLiteral("/users/upsert"),
                  R"({"identification":{"userId":"k-1"},"properties":{"plan":"pro"}})")
                 .status,
             201);
    QCOMPARE(send("GET", QStringLiteral("/nowhere"), QByteArray()).status, 404);
    QCOMPARE(m_received->size(), 2);
    QCOMPARE(m_answered->size(), 2);
    const QString fingerprint = PastedRequest::fingerprint(Key);
    QVERIFY(!fingerprint.isEmpty());
    QVERIFY(!fingerprint.contains(QString::fromLatin1(Key)));
    for (const QSignalSpy *spy : {m_received.get(), m_answered.get()}) {
        for (const QList<QVariant> &arguments : *spy) {
            const auto record = arguments.first().value<RelayRecord>();
            QCOMPARE(record.keyFingerprint, fingerprint);
            const QByteArray json = QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact);
            QVERIFY(json.contains(fingerprint.toUtf8()));
            QVERIFY2(!json.contains(Key), json.constData());
            QVERIFY(!record.responseBody.contains(Key));
            QVERIFY(!record.requestBody.contains(Key));
        }
    }
    // No key: no fingerprint.
    send("GET", QStringLiteral("/validate"), QByteArray(), QByteArray());
    QCOMPARE(m_answered->last().first().value<RelayRecord>().keyFingerprint, QString());
}

void TestRelayServer::malformedHttpIs400()
{
    startRelay(m_sandbox->baseUrl());
    const QByteArray answer =
        exchange("POST /users/upsert HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    QVERIFY2(answer.startsWith("HTTP/1.1 400"), answer.constData());
    QCOMPARE(m_received->size(), 0);
    goodRequestStillWorks();
}

void TestRelayServer::oversizedBodyIs413()
{
    startRelay(m_scripted->baseUrl());
    m_scripted->enqueue(ScriptedResponse::json(201, {{QLatin1String("message"), QLatin1String("ok")}}));
    const QByteArray big(RelayServer::MaxBodyBytes + 1, 'a');
    const QByteArray answer = exchange(
        "POST /users/upsert HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
        QByteArray::number(big.size()) + "\r\n\r\n" + big);
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    QCOMPARE(m_received->size(), 0);
    QCOMPARE(m_scripted->received().size(), 0);
    const Sent good = send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"u"}})");
    QCOMPARE(good.status, 201);
    QCOMPARE(m_scripted->received().size(), 1);
}

void TestRelayServer::clientGoneMidBodyForwardsNothing()
{
    startRelay(m_scripted->baseUrl());
    m_scripted->enqueue(ScriptedResponse::json(201, {{QLatin1String("message"), QLatin1String("ok")}}));
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_relay->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /users/upsert HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"identif");
        QVERIFY(socket.waitForBytesWritten(5000));
        socket.abort();
    }
    const Sent good =
        send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"whole"}})");
    QCOMPARE(good.status, 201);
    // Only the whole request reached the upstream, and only it was recorded.
    QCOMPARE(m_scripted->received().size(), 1);
    QCOMPARE(m_scripted->received().first().body, QByteArray(R"({"identification":{"userId":"whole"}})"));
    QCOMPARE(m_received->size(), 1);
}

void TestRelayServer::stallingUpstreamIs504()
{
    const int timeoutMs = 400;
    startRelay(m_scripted->baseUrl(), timeoutMs);
    m_scripted->enqueue(ScriptedResponse::misbehave(ScriptedResponse::Behavior::Stall));
    m_scripted->enqueue(ScriptedResponse::json(201, {{QLatin1String("message"), QLatin1String("ok")}}));
    const Sent sent = send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"s"}})");
    QCOMPARE(sent.status, 504);
    const QJsonObject answer = QJsonDocument::fromJson(sent.body).object();
    QVERIFY2(answer.value(QLatin1String("message")).toString().startsWith(QStringLiteral("journy relay:")),
             sent.body.constData());
    QCOMPARE(answer.value(QLatin1String("meta")).toObject().value(QLatin1String("source")).toString(),
             QStringLiteral("journy relay"));
    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.status, 504);
    QVERIFY2(record.failure.startsWith(QStringLiteral("timeout")), qPrintable(record.failure));
    // Given up at the configured deadline, not at some later one of its own (Qt's coarse timers
    // may fire up to 5 % early).
    QVERIFY2(record.latencyMs >= timeoutMs * 95 / 100 && record.latencyMs < timeoutMs + 5000,
             qPrintable(QString::number(record.latencyMs)));

    const Sent good = send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"t"}})");
    QCOMPARE(good.status, 201);
}

void TestRelayServer::closedUpstreamIs502()
{
    QUrl base;
    base.setScheme(QStringLiteral("http"));
    base.setHost(QStringLiteral("127.0.0.1"));
    base.setPort(closedPort());
    startRelay(base);
    const Sent sent = send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"c"}})");
    QCOMPARE(sent.status, 502);
    const QJsonObject answer = QJsonDocument::fromJson(sent.body).object();
    QVERIFY2(answer.value(QLatin1String("message")).toString().startsWith(QStringLiteral("journy relay:")),
             sent.body.constData());
    QCOMPARE(answer.value(QLatin1String("meta")).toObject().value(QLatin1String("status")).toInt(), 502);
    const auto record = m_answered->first().first().value<RelayRecord>();
    QCOMPARE(record.status, 502);
    QVERIFY2(record.failure.startsWith(QStringLiteral("unreachable")), qPrintable(record.failure));

    // The same relay keeps serving: a route it refuses itself still answers.
    QCOMPARE(send("GET", QStringLiteral("/nope"), QByteArray()).status, 404);
}

void TestRelayServer::connectionsOverTheCapAre503()
{
    startRelay(m_sandbox->baseUrl());
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < RelayServer::MaxConnections; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, m_relay->port());
        QVERIFY(idle.back()->waitForConnected(5000));
    }
    const QByteArray answer = exchange(QByteArray());
    QVERIFY2(answer.startsWith("HTTP/1.1 503"), answer.constData());
    QVERIFY2(answer.contains(QByteArray("The journy relay is serving its limit of ") +
                             QByteArray::number(RelayServer::MaxConnections) + " connections"),
             answer.constData());
    QCOMPARE(m_received->size(), 0);
    idle.clear();
    // Counted free once the relay has seen the clients go, which takes turns of its event loop.
    QVERIFY(QTest::qWaitFor(
        [this] {
            return send("POST", QStringLiteral("/users/upsert"), R"({"identification":{"userId":"freed"}})")
                       .status == 201;
        },
        10000));
    QCOMPARE(m_answered->size(), 1);
}

QTEST_GUILESS_MAIN(TestRelayServer)
#include "tst_RelayServer.moc"

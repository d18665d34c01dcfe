// JournyClient against a real HTTP server on loopback: for each of the 16 operations, what
// went over the wire (method, path, query, headers, exact body, conformance to the spec's
// request schema) and what the caller gets back (status, requestId, message, typed data, rate
// limit). Then the answers a support engineer meets every day: 400 field errors, rejected
// properties, 401/403/429/500, 204 with and without a body, pre-flight, refused URLs.

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/JournyClient.h"
#include "api/RateLimitTracker.h"
#include "support/ScriptedHttpServer.h"
#include "support/SpecSchema.h"
#include "support/TestFields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

namespace {

const QString TestKey = QStringLiteral("sk_test_0123456789abcdef");

QJsonObject meta(int status, const QString &requestId = QStringLiteral("req-1"))
{
    return {{QLatin1String("meta"),
             QJsonObject{{QLatin1String("requestId"), requestId}, {QLatin1String("status"), status}}}};
}

QJsonObject answer(int status, const QJsonObject &extra)
{
    QJsonObject body = meta(status);
    for (auto it = extra.begin(); it != extra.end(); ++it)
        body.insert(it.key(), it.value());
    return body;
}

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

} // namespace

Q_DECLARE_METATYPE(ApiRequest)

class TestJournyClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void operationTableMatchesSpec();
    void everyOperation_data();
    void everyOperation();
    void fieldErrorsAreFlattened();
    void rejectedPropertiesAreWarnings();
    void errorStatuses_data();
    void errorStatuses();
    void retryAfterIsRead_data();
    void retryAfterIsRead();
    void noContentWithAndWithoutBody_data();
    void noContentWithAndWithoutBody();
    void preflightStopsInvalidRequests();
    void preflightCanBeSkipped();
    void plainHttpRefusedExceptLoopback_data();
    void plainHttpRefusedExceptLoopback();
    void basePathIsKept();
    void redirectsAreNotFollowed();
    void rateLimitTrackerSignalsPerScope();
    void rateLimitAnswersOutOfOrder();
    void finishedIsAlwaysAsynchronous();
    void cancelAbortsTheCall();

private:
    ApiResult run(const ApiRequest &request);

    ScriptedHttpServer *m_server = nullptr;
    JournyClient *m_client = nullptr;
    SpecSchema m_spec;
};

void TestJournyClient::init()
{
    m_server = new ScriptedHttpServer(this);
    QVERIFY(m_server->listen());
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = TestKey;
    config.network.timeoutMs = 10000;
    m_client = new JournyClient(config, nullptr, nullptr, this);
}

void TestJournyClient::cleanup()
{
    delete m_client;
    delete m_server;
}

ApiResult TestJournyClient::run(const ApiRequest &request)
{
    ApiReply *reply = m_client->send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!spy.wait(15000))
        qWarning("call did not finish");
    return reply->result();
}

void TestJournyClient::operationTableMatchesSpec()
{
    QVERIFY(m_spec.isLoaded());
    QStringList specIds = m_spec.operationIds();
    QCOMPARE(specIds.size(), 16);
    QCOMPARE(ApiOperation::all().size(), 16);
    for (const ApiOperation &op : ApiOperation::all()) {
        QVERIFY2(specIds.removeOne(op.operationId), qPrintable(op.operationId));
        QCOMPARE(QString::fromLatin1(op.method) + QLatin1Char(' ') + op.path, m_spec.routeOf(op.operationId));
        QCOMPARE(op.successStatus, m_spec.successStatusOf(op.operationId));
        QCOMPARE(&ApiOperation::info(op.operation), &op);
    }
    QVERIFY(specIds.isEmpty());
}

void TestJournyClient::everyOperation_data()
{
    QTest::addColumn<ApiRequest>("request");
    QTest::addColumn<QByteArray>("route"); // written out here, not taken from ApiOperation
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("expectedBody"); // exact JSON the server must receive; empty: none
    QTest::addColumn<QJsonObject>("response");

    const UserIdentification user{QStringLiteral("u-42"), QStringLiteral("ann@acme.com")};
    const AccountIdentification account{QStringLiteral("acc-7"), QStringLiteral("acme.com")};
    const QJsonObject group{{QLatin1String("id"), QLatin1String("g1")},
                            {QLatin1String("name"), QLatin1String("Billing")}};

    QTest::newRow("upsertUser")
        << ApiRequest::upsertUser(
               user, {TestFields::parse(QStringLiteral("plan=Pro")),
                      TestFields::parse(QStringLiteral("mrr:number=399")),
                      TestFields::parse(QStringLiteral("is_paying:bool=true")),
                      TestFields::parse(QStringLiteral("registered_at:date=2024-05-01T10:00:00Z")),
                      TestFields::parse(QStringLiteral("old_field:null")),
                      TestFields::parse(QStringLiteral("note=")),
                      TestFields::parse(QStringLiteral("tags:list=a,b"))})
        << QByteArray("POST /users/upsert") << QString()
        << QByteArray(
               R"({"identification":{"userId":"u-42","email":"ann@acme.com"},"properties":{"plan":"Pro",)"
               R"("mrr":399,"is_paying":true,"registered_at":"2024-05-01T10:00:00Z","old_field":null,)"
               R"("note":"","tags":["a","b"]}})")
        << answer(201, {{QLatin1String("message"), QLatin1String("User will be created or updated")}});
    QTest::newRow("deleteUser") << ApiRequest::deleteUser({QStringLiteral("u-42"), QString()})
                                << QByteArray("DELETE /users") << QString()
                                << QByteArray(R"({"identification":{"userId":"u-42"}})")
                                << answer(202, {{QLatin1String("message"),
                                                 QLatin1String("User will be deleted")}});
    QTest::newRow("upsertAccount")
        << ApiRequest::upsertAccount(account, {TestFields::parse(QStringLiteral("seats:number=12.5")),
                                               TestFields::parse(QStringLiteral("name=Acme"))})
        << QByteArray("POST /accounts/upsert") << QString()
        << QByteArray(
               R"({"identification":{"accountId":"acc-7","domain":"acme.com"},"properties":{"seats":12.5,"name":"Acme"}})")
        << answer(201, {{QLatin1String("message"), QLatin1String("Account will be created or updated")}});
    QTest::newRow("deleteAccount") << ApiRequest::deleteAccount({QString(), QStringLiteral("acme.com")})
                                   << QByteArray("DELETE /accounts") << QString()
                                   << QByteArray(R"({"identification":{"domain":"acme.com"}})")
                                   << answer(202, {{QLatin1String("message"),
                                                    QLatin1String("Account will be deleted")}});
    QTest::newRow("addUserToAccount")
        << ApiRequest::addUsersToAccount(
               {QStringLiteral("acc-7"), QString()},
               {{QStringLiteral("u-1"), QString()}, {QString(), QStringLiteral("b@acme.com")}})
        << QByteArray("POST /accounts/users/add") << QString()
        << QByteArray(R"({"account":{"accountId":"acc-7"},"users":[{"identification":{"userId":"u-1"}},)"
                      R"({"identification":{"email":"b@acme.com"}}]})")
        << answer(201, {{QLatin1String("message"), QLatin1String("Users will be added")}});
    QTest::newRow("removeUserFromAccount")
        << ApiRequest::removeUsersFromAccount({QStringLiteral("acc-7"), QString()},
                                              {{QStringLiteral("u-1"), QString()}})
        << QByteArray("POST /accounts/users/remove") << QString()
        << QByteArray(R"({"account":{"accountId":"acc-7"},"users":[{"identification":{"userId":"u-1"}}]})")
        << answer(204, {{QLatin1String("message"), QLatin1String("Users will be removed")}});
    QTest::newRow("trackEvent")
        << ApiRequest::trackEvent(QStringLiteral("Invoice paid"), {QStringLiteral("u-42"), QString()},
                                  {QStringLiteral("acc-7"), QString()},
                                  {TestFields::parse(QStringLiteral("amount:number=99.5")),
                                   TestFields::parse(QStringLiteral("currency=EUR")),
                                   TestFields::parse(QStringLiteral("first:bool=false")),
                                   TestFields::parse(QStringLiteral("due:date=2024-06-01T00:00:00+02:00"))},
                                  QStringLiteral("2024-05-01T10:00:00Z"))
        << QByteArray("POST /track") << QString()
        << QByteArray(
               R"({"name":"Invoice paid","identification":{"user":{"userId":"u-42"},"account":{"accountId":"acc-7"}},)"
               R"("metadata":{"amount":99.5,"currency":"EUR","first":false,"due":"2024-06-01T00:00:00+02:00"},)"
               R"("triggeredAt":"2024-05-01T10:00:00Z"})")
        << answer(201, {{QLatin1String("message"), QLatin1String("Event will be processed")}});
    QTest::newRow("trackJourneyEvent")
        << ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), {},
                                        {QString(), QStringLiteral("acme.com")},
                                        {TestFields::parse(QStringLiteral("via=sso"))})
        << QByteArray("POST /events") << QString()
        << QByteArray(
               R"({"name":"Logged in","identification":{"account":{"domain":"acme.com"}},"metadata":{"via":"sso"}})")
        << answer(201, {{QLatin1String("message"), QLatin1String("Event will be processed")}});
    QTest::newRow("link") << ApiRequest::link(QStringLiteral("dev-123"),
                                              {QString(), QStringLiteral("ann@acme.com")})
                          << QByteArray("POST /link") << QString()
                          << QByteArray(R"({"deviceId":"dev-123","identification":{"email":"ann@acme.com"}})")
                          << answer(201,
                                    {{QLatin1String("message"), QLatin1String("Device will be linked")}});
    QTest::newRow("getTrackingSnippet")
        << ApiRequest::trackingSnippet(QStringLiteral("www.acme.com")) << QByteArray("GET /tracking/snippet")
        << QStringLiteral("domain=www.acme.com") << QByteArray()
        << answer(200, {{QLatin1String("data"),
                         QJsonObject{{QLatin1String("domain"), QLatin1String("www.acme.com")},
                                     {QLatin1String("snippet"), QLatin1String("<script>x</script>")}}}});
    QTest::newRow("getValidity") << ApiRequest::validate() << QByteArray("GET /validate") << QString()
                                 << QByteArray()
                                 << answer(200, {{QLatin1String("data"),
                                                  QJsonObject{{QLatin1String("permissions"),
                                                               QJsonArray{QLatin1String("TrackData"),
                                                                          QLatin1String("ReadEvents")}}}}});
    QTest::newRow("getEvents")
        << ApiRequest::listEvents() << QByteArray("GET /events") << QString() << QByteArray()
        << answer(200, {{QLatin1String("data"),
                         QJsonArray{QJsonObject{{QLatin1String("id"), QLatin1String("e1")},
                                                {QLatin1String("name"), QLatin1String("Invoice paid")},
                                                {QLatin1String("group"), group}},
                                    QJsonObject{{QLatin1String("id"), QLatin1String("e2")},
                                                {QLatin1String("name"), QLatin1String("Logged in")}}}}});
    const QJsonObject userProperty{{QLatin1String("name"), QLatin1String("plan")},
                                   {QLatin1String("label"), QLatin1String("Plan")},
                                   {QLatin1String("isComputed"), false},
                                   {QLatin1String("group"), group}};
    QTest::newRow("getUserProperties")
        << ApiRequest::listUserProperties() << QByteArray("GET /properties/users") << QString()
        << QByteArray() << answer(200, {{QLatin1String("data"), QJsonArray{userProperty}}});
    const QJsonObject accountProperty{{QLatin1String("name"), QLatin1String("mrr_30d")},
                                      {QLatin1String("label"), QLatin1String("MRR (30 days)")},
                                      {QLatin1String("isComputed"), true}};
    QTest::newRow("getAccountProperties")
        << ApiRequest::listAccountProperties() << QByteArray("GET /properties/accounts") << QString()
        << QByteArray() << answer(200, {{QLatin1String("data"), QJsonArray{accountProperty}}});
    const QJsonObject segment{{QLatin1String("id"), QLatin1String("s1")},
                              {QLatin1String("name"), QLatin1String("Trials")}};
    QTest::newRow("getUserSegments") << ApiRequest::listUserSegments() << QByteArray("GET /segments/users")
                                     << QString() << QByteArray()
                                     << answer(200, {{QLatin1String("data"), QJsonArray{segment}}});
    QTest::newRow("getAccountSegments")
        << ApiRequest::listAccountSegments() << QByteArray("GET /segments/accounts") << QString()
        << QByteArray() << answer(200, {{QLatin1String("data"), QJsonArray{segment, segment}}});
}

void TestJournyClient::everyOperation()
{
    QFETCH(ApiRequest, request);
    QFETCH(QByteArray, route);
    QFETCH(QString, query);
    QFETCH(QByteArray, expectedBody);
    QFETCH(QJsonObject, response);

    const QString operationId = QString::fromLatin1(QTest::currentDataTag());
    QCOMPARE(request.info().operationId, operationId);
    const int status = m_spec.successStatusOf(operationId);
    // The canned answer itself must follow the spec, or this test would prove nothing.
    QCOMPARE(m_spec.checkResponse(operationId, status, response), QStringList());
    m_server->enqueue(ScriptedResponse::json(status, response, 1800, 1234));

    const ApiResult result = run(request);

    QCOMPARE(m_server->received().size(), 1);
    const ReceivedRequest &sent = m_server->received().first();
    QCOMPARE(sent.method + ' ' + sent.path.toLatin1(), route);
    QCOMPARE(sent.query.toString(QUrl::FullyDecoded), query);
    QCOMPARE(sent.headers.value("x-api-key"), TestKey.toLatin1());
    QCOMPARE(sent.headers.value("accept"), QByteArray("application/json"));
    QCOMPARE(sent.headers.value("user-agent"), QByteArray("journy-console/" JOURNY_VERSION));
    if (expectedBody.isEmpty()) {
        QVERIFY(sent.body.isEmpty());
        QVERIFY(!sent.headers.contains("content-type"));
    } else {
        QCOMPARE(sent.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(parse(sent.body), parse(expectedBody));
        QCOMPARE(m_spec.checkRequest(operationId, parse(sent.body)), QStringList());
    }

    QCOMPARE(result.failure, ApiResult::Failure::None);
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.httpStatus, status);
    QCOMPARE(result.rateLimit.limit, 1800);
    QCOMPARE(result.rateLimit.remaining, 1234);
    QVERIFY(result.latencyMs >= 0);
    QCOMPARE(result.requestMethod + ' ' + QUrl(result.requestUrl).path().toLatin1(), route);
    QVERIFY(!result.requestUrl.contains(TestKey));
    if (status != 204) {
        QCOMPARE(result.requestId, QStringLiteral("req-1"));
        QCOMPARE(result.message, response.value(QLatin1String("message")).toString());
    }
    QVERIFY(result.dataMatchesSpec());

    switch (request.operation) {
    case Operation::ListEvents: {
        const QList<EventDefinition> events = result.events().value();
        QCOMPARE(events.size(), 2);
        QCOMPARE(events.at(0).name, QStringLiteral("Invoice paid"));
        QCOMPARE(events.at(0).groupName, QStringLiteral("Billing"));
        QCOMPARE(events.at(1).id, QStringLiteral("e2"));
        QVERIFY(events.at(1).groupId.isEmpty());
        break;
    }
    case Operation::ListUserProperties: {
        const QList<PropertyDefinition> properties = result.properties().value();
        QCOMPARE(properties.size(), 1);
        QCOMPARE(properties.at(0).label, QStringLiteral("Plan"));
        QCOMPARE(properties.at(0).isComputed, false);
        QCOMPARE(properties.at(0).groupId, QStringLiteral("g1"));
        break;
    }
    case Operation::ListAccountProperties:
        QCOMPARE(result.properties().value().at(0).isComputed, true);
        QCOMPARE(result.properties().value().at(0).name, QStringLiteral("mrr_30d"));
        break;
    case Operation::ListUserSegments:
        QCOMPARE(result.segments().value().size(), 1);
        QCOMPARE(result.segments().value().at(0).name, QStringLiteral("Trials"));
        break;
    case Operation::ListAccountSegments:
        QCOMPARE(result.segments().value().size(), 2);
        break;
    case Operation::TrackingSnippet:
        QCOMPARE(result.trackingSnippet().value().domain, QStringLiteral("www.acme.com"));
        QCOMPARE(result.trackingSnippet().value().snippet, QStringLiteral("<script>x</script>"));
        break;
    case Operation::Validate:
        QCOMPARE(result.permissions().value(),
                 QStringList({QStringLiteral("TrackData"), QStringLiteral("ReadEvents")}));
        break;
    default:
        break;
    }
}

void TestJournyClient::fieldErrorsAreFlattened()
{
    const QJsonObject body = answer(
        400, {{QLatin1String("message"), QLatin1String("Invalid request")},
              {QLatin1String("errors"),
               QJsonObject{
                   {QLatin1String("fields"),
                    QJsonObject{{QLatin1String("identification.userId"), QLatin1String("Must not be empty")},
                                {QLatin1String("properties.plan"), QLatin1String("Too long")}}},
                   {QLatin1String("parameters"),
                    QJsonObject{{QLatin1String("query"),
                                 QJsonObject{{QLatin1String("domain"), QLatin1String("Required")}}},
                                {QLatin1String("header"),
                                 QJsonObject{{QLatin1String("x-api-key"), QLatin1String("Malformed")}}},
                                {QLatin1String("path"),
                                 QJsonObject{{QLatin1String("id"), QLatin1String("Unknown")}}}}}}}});
    QCOMPARE(m_spec.checkResponse(QStringLiteral("upsertUser"), 400, body), QStringList());
    m_server->enqueue(ScriptedResponse::json(400, body));
    m_client->setConfig([this] {
        ClientConfig config = m_client->config();
        config.preflight = false; // the server's opinion is what is under test
        return config;
    }());

    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u"), QString()}, {}));
    QCOMPARE(result.httpStatus, 400);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Refused);
    QCOMPARE(result.failure, ApiResult::Failure::None);
    QCOMPARE(result.message, QStringLiteral("Invalid request"));
    const QMap<QString, QString> expected{
        {QStringLiteral("identification.userId"), QStringLiteral("Must not be empty")},
        {QStringLiteral("properties.plan"), QStringLiteral("Too long")},
        {QStringLiteral("parameters.query.domain"), QStringLiteral("Required")},
        {QStringLiteral("parameters.header.x-api-key"), QStringLiteral("Malformed")},
        {QStringLiteral("parameters.path.id"), QStringLiteral("Unknown")}};
    QCOMPARE(result.errors, expected);
}

void TestJournyClient::rejectedPropertiesAreWarnings()
{
    m_server->enqueue(ScriptedResponse::json(
        201, answer(201, {{QLatin1String("message"), QLatin1String("User will be created or updated")},
                          {QLatin1String("rejected"),
                           QJsonObject{{QLatin1String("created_at"),
                                        QLatin1String("Expected a date but found a boolean.")}}}})));
    const ApiResult result = run(ApiRequest::upsertUser(
        {QStringLiteral("u"), QString()}, {TestFields::parse(QStringLiteral("created_at:bool=true"))}));
    QVERIFY(result.ok());
    QCOMPARE(result.rejected,
             (QMap<QString, QString>{
                 {QStringLiteral("created_at"), QStringLiteral("Expected a date but found a boolean.")}}));
    QVERIFY(result.errors.isEmpty());
}

void TestJournyClient::errorStatuses_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("outcome");
    QTest::newRow("401 missing permission") << 401 << int(ApiResult::Outcome::Refused);
    QTest::newRow("403 disabled key") << 403 << int(ApiResult::Outcome::Refused);
    QTest::newRow("404 unknown domain") << 404 << int(ApiResult::Outcome::Refused);
    QTest::newRow("429 rate limited") << 429 << int(ApiResult::Outcome::Refused);
    QTest::newRow("500 server error") << 500 << int(ApiResult::Outcome::Failed);
}

void TestJournyClient::errorStatuses()
{
    QFETCH(int, status);
    QFETCH(int, outcome);
    const QJsonObject body =
        answer(status, {{QLatin1String("message"), QStringLiteral("status %1").arg(status)}});
    QCOMPARE(m_spec.checkResponse(QStringLiteral("getTrackingSnippet"), status, body), QStringList());
    m_server->enqueue(ScriptedResponse::json(status, body, 1800, status == 429 ? 0 : 17));

    const ApiResult result = run(ApiRequest::trackingSnippet(QStringLiteral("acme.com")));
    QCOMPARE(result.httpStatus, status);
    QCOMPARE(int(result.outcome()), outcome);
    QCOMPARE(result.failure, ApiResult::Failure::None);
    QCOMPARE(result.message, QStringLiteral("status %1").arg(status));
    QCOMPARE(result.requestId, QStringLiteral("req-1"));
    QCOMPARE(result.rateLimit.remaining, status == 429 ? 0 : 17);
    QVERIFY(!result.ok());
}

void TestJournyClient::retryAfterIsRead_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("retryAfter"); // empty: no header
    QTest::addColumn<qint64>("minimumMs");      // -1: none read
    QTest::addColumn<qint64>("maximumMs");
    QTest::newRow("429 seconds") << 429 << QByteArray("7") << qint64(7000) << qint64(7000);
    QTest::newRow("503 HTTP date") << 503
                                   << QDateTime::currentDateTimeUtc()
                                          .addSecs(20)
                                          .toString(QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                          .toLatin1()
                                   << qint64(15000) << qint64(20000);
    QTest::newRow("429 garbage") << 429 << QByteArray("later") << qint64(-1) << qint64(-1);
    QTest::newRow("429 negative") << 429 << QByteArray("-1") << qint64(-1) << qint64(-1);
    QTest::newRow("429 none") << 429 << QByteArray() << qint64(-1) << qint64(-1);
}

void TestJournyClient::retryAfterIsRead()
{
    QFETCH(int, status);
    QFETCH(QByteArray, retryAfter);
    QFETCH(qint64, minimumMs);
    QFETCH(qint64, maximumMs);
    ScriptedResponse response = ScriptedResponse::json(status, answer(status, {}), 1800, 0);
    if (!retryAfter.isEmpty())
        response.headers.append({"Retry-After", retryAfter});
    m_server->enqueue(response);
    const ApiResult result = run(ApiRequest::trackingSnippet(QStringLiteral("acme.com")));
    QCOMPARE(result.httpStatus, status);
    QVERIFY2(result.retryAfterMs >= minimumMs && result.retryAfterMs <= maximumMs,
             qPrintable(QString::number(result.retryAfterMs)));
}

void TestJournyClient::noContentWithAndWithoutBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("json")
        << QJsonDocument(answer(204, {{QLatin1String("message"), QLatin1String("Removed")}})).toJson();
}

void TestJournyClient::noContentWithAndWithoutBody()
{
    QFETCH(QByteArray, body);
    m_server->enqueue(
        ScriptedResponse::raw(204, body.isEmpty() ? QByteArray() : QByteArray("application/json"), body));
    const ApiResult result = run(ApiRequest::removeUsersFromAccount({QStringLiteral("acc"), QString()},
                                                                    {{QStringLiteral("u"), QString()}}));
    QCOMPARE(result.httpStatus, 204);
    QCOMPARE(result.failure, ApiResult::Failure::None);
    QVERIFY(result.ok());
}

void TestJournyClient::preflightStopsInvalidRequests()
{
    const ApiResult result = run(ApiRequest::upsertUser({QString(), QStringLiteral("not-an-email")}, {}));
    QCOMPARE(result.failure, ApiResult::Failure::Preflight);
    QCOMPARE(result.outcome(), ApiResult::Outcome::PreflightFailed);
    QCOMPARE(result.errors.keys(), QStringList{QStringLiteral("identification.email")});
    QCOMPARE(result.httpStatus, 0);
    QCOMPARE(m_server->received().size(), 0);
    QCOMPARE(m_server->connections(), 0);
}

void TestJournyClient::preflightCanBeSkipped()
{
    ClientConfig config = m_client->config();
    config.preflight = false;
    m_client->setConfig(config);
    m_server->enqueue(ScriptedResponse::json(
        400,
        answer(400,
               {{QLatin1String("message"), QLatin1String("Bad")},
                {QLatin1String("errors"),
                 QJsonObject{{QLatin1String("fields"), QJsonObject{{QLatin1String("identification.email"),
                                                                    QLatin1String("Not an email")}}}}}})));
    const ApiResult result = run(ApiRequest::upsertUser({QString(), QStringLiteral("not-an-email")}, {}));
    QCOMPARE(m_server->received().size(), 1);
    QCOMPARE(parse(m_server->received().first().body),
             parse(R"({"identification":{"email":"not-an-email"}})"));
    QCOMPARE(result.httpStatus, 400);
    QCOMPARE(result.errors.value(QStringLiteral("identification.email")), QStringLiteral("Not an email"));
}

void TestJournyClient::plainHttpRefusedExceptLoopback_data()
{
    QTest::addColumn<QString>("baseUrl");
    QTest::addColumn<int>("failure");
    QTest::newRow("public host") << QStringLiteral("http://api.journy.io")
                                 << int(ApiResult::Failure::InsecureUrl);
    QTest::newRow("private address") << QStringLiteral("http://10.0.0.5:8080")
                                     << int(ApiResult::Failure::InsecureUrl);
    QTest::newRow("no scheme") << QStringLiteral("api.journy.io") << int(ApiResult::Failure::InvalidUrl);
    QTest::newRow("ftp") << QStringLiteral("ftp://api.journy.io") << int(ApiResult::Failure::InvalidUrl);
    QTest::newRow("empty") << QString() << int(ApiResult::Failure::InvalidUrl);
    // The URL is shown and stored: a password in it would be too.
    QTest::newRow("user and password")
        << QStringLiteral("https://ann:pw-in-url@api.journy.io") << int(ApiResult::Failure::InvalidUrl);
}

void TestJournyClient::plainHttpRefusedExceptLoopback()
{
    QFETCH(QString, baseUrl);
    QFETCH(int, failure);
    ClientConfig config = m_client->config();
    config.baseUrl = QUrl(baseUrl);
    m_client->setConfig(config);
    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(int(result.failure), failure);
    QVERIFY(!result.failureDetail.isEmpty());
    QVERIFY(!result.failureDetail.contains(TestKey));
    QVERIFY2(!result.failureDetail.contains(QLatin1String("pw-in-url")), qPrintable(result.failureDetail));
    QCOMPARE(result.httpStatus, 0);

    // The same client reaches loopback over plain HTTP, by name and by IPv4 address.
    for (const QString &host : {QStringLiteral("localhost"), QStringLiteral("127.0.0.1")}) {
        config.baseUrl = QUrl(QStringLiteral("http://%1:%2").arg(host).arg(m_server->port()));
        m_client->setConfig(config);
        m_server->enqueue(ScriptedResponse::json(
            200, answer(200, {{QLatin1String("data"),
                               QJsonObject{{QLatin1String("permissions"), QJsonArray()}}}})));
        QVERIFY(run(ApiRequest::validate()).ok());
    }
}

void TestJournyClient::basePathIsKept()
{
    ClientConfig config = m_client->config();
    config.baseUrl = QUrl(m_server->baseUrl().toString() + QStringLiteral("/proxy/journy/"));
    m_client->setConfig(config);
    m_server->enqueue(ScriptedResponse::json(
        200,
        answer(200, {{QLatin1String("data"), QJsonObject{{QLatin1String("permissions"), QJsonArray()}}}})));
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(m_server->received().first().path, QStringLiteral("/proxy/journy/validate"));
}

void TestJournyClient::redirectsAreNotFollowed()
{
    ScriptedHttpServer elsewhere;
    QVERIFY(elsewhere.listen());
    ScriptedResponse redirect = ScriptedResponse::raw(302, "text/plain", "moved");
    redirect.headers.append(
        {"Location", (elsewhere.baseUrl().toString() + QStringLiteral("/validate")).toLatin1()});
    m_server->enqueue(redirect);

    const ApiResult result = run(ApiRequest::validate());
    QCOMPARE(result.httpStatus, 302);
    QCOMPARE(result.failure, ApiResult::Failure::Redirected);
    QVERIFY(result.failureDetail.contains(elsewhere.baseUrl().toString()));
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
    QTest::qWait(100);
    QCOMPARE(elsewhere.connections(), 0);
}

void TestJournyClient::rateLimitTrackerSignalsPerScope()
{
    QSignalSpy changed(m_client->rateLimits(), &RateLimitTracker::changed);
    m_server->enqueue(ScriptedResponse::json(
        200,
        answer(200, {{QLatin1String("data"), QJsonObject{{QLatin1String("permissions"), QJsonArray()}}}}),
        300, 120));
    QVERIFY(run(ApiRequest::validate()).ok());
    QCOMPARE(changed.size(), 1);
    const QString scope = changed.first().at(0).toString();
    QCOMPARE(scope, m_client->rateLimitScope());
    QVERIFY(scope.startsWith(m_server->baseUrl().toString()));
    QVERIFY(!scope.contains(TestKey)); // a fingerprint, never the key
    QCOMPARE(m_client->rateLimits()->state(scope).limit, 300);
    QCOMPARE(m_client->rateLimits()->state(scope).remaining, 120);

    // Another key on the same server is another scope.
    QVERIFY(RateLimitTracker::scopeFor(m_server->baseUrl().toString(), QStringLiteral("other")) != scope);

    // An answer without the headers leaves the known state alone.
    m_server->enqueue(ScriptedResponse::json(
        200,
        answer(200, {{QLatin1String("data"), QJsonObject{{QLatin1String("permissions"), QJsonArray()}}}}),
        -1));
    const ApiResult bare = run(ApiRequest::validate());
    QVERIFY(!bare.rateLimit.isKnown());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_client->rateLimits()->state(scope).remaining, 120);
}

void TestJournyClient::rateLimitAnswersOutOfOrder()
{
    RateLimitTracker tracker;
    QSignalSpy changed(&tracker, &RateLimitTracker::changed);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    tracker.record(QStringLiteral("s"), {1800, 1795, now});
    tracker.record(QStringLiteral("s"), {1800, 1797, now.addMSecs(20)}); // overtaken: counted earlier
    QCOMPARE(tracker.state(QStringLiteral("s")).remaining, 1795);
    QCOMPARE(changed.size(), 1);
    tracker.record(QStringLiteral("s"), {1800, 1794, now.addMSecs(40)});
    QCOMPARE(tracker.state(QStringLiteral("s")).remaining, 1794);
    tracker.record(QStringLiteral("s"), {1800, 1799, now.addSecs(61)}); // the window refilled
    QCOMPARE(tracker.state(QStringLiteral("s")).remaining, 1799);
    QCOMPARE(changed.size(), 3);
}

void TestJournyClient::finishedIsAlwaysAsynchronous()
{
    // A caller connects after send() returns; even a call refused before sending must reach it.
    ApiReply *reply = m_client->send(ApiRequest::deleteUser({}));
    QVERIFY(!reply->isFinished());
    QSignalSpy spy(reply, &ApiReply::finished);
    QVERIFY(spy.wait(1000));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(reply->result().failure, ApiResult::Failure::Preflight);
    QCOMPARE(reply->result().errors.value(QStringLiteral("identification")),
             QStringLiteral("Requires a userId, an email or both."));
}

void TestJournyClient::cancelAbortsTheCall()
{
    m_server->enqueue(ScriptedResponse::misbehave(ScriptedResponse::Behavior::Stall));
    ApiReply *reply = m_client->send(ApiRequest::validate());
    QSignalSpy spy(reply, &ApiReply::finished);
    QTRY_COMPARE(m_server->received().size(), 1);
    reply->cancel();
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(reply->result().failure, ApiResult::Failure::Cancelled);
    QTest::qWait(50);
    QCOMPARE(spy.size(), 1); // exactly once
}

QTEST_GUILESS_MAIN(TestJournyClient)
#include "tst_JournyClient.moc"

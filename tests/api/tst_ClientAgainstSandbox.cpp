// The client against the sandbox, its real server: each of the 16 operations goes over HTTP,
// and the test checks what the server then holds (through /_sandbox/) with the JSON types the
// typed values promised, and that every answer's data reads back through ApiResult's typed
// accessors. Server-side errors (400 fields, 401, 403, 429, rejected) arrive in the same
// ApiResult fields as pre-flight errors.

#include "api/ApiRequest.h"
#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "api/RateLimitTracker.h"
#include "sandbox/SandboxServer.h"
#include "support/TestFields.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

namespace {} // namespace

class TestClientAgainstSandbox : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void usersAndTypedProperties();
    void accountsAndMemberships();
    void eventsOnBothEndpoints();
    void linkDevice();
    void catalogsAndSegments();
    void snippetAndValidate();
    void serverFieldErrorsMatchPreflightPaths();
    void keysAndPermissions();
    void rateLimitReachesTheTracker();

private:
    ApiResult run(const ApiRequest &request, JournyClient *client = nullptr);
    QJsonObject inspect(const QString &pathAndQuery);
    JournyClient *clientWith(const QString &key, bool preflight = true);

    SandboxServer *m_server = nullptr;
    JournyClient *m_client = nullptr;
    QNetworkAccessManager m_nam; // inspection, independent of the client under test
    NetworkAccess m_network;     // shared by the clients, as in the console
};

void TestClientAgainstSandbox::init()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(QStringLiteral("sk_all"), {SandboxConfig::allPermissions(), true});
    config.keys.insert(QStringLiteral("sk_track_only"), {{QStringLiteral("TrackData")}, true});
    config.keys.insert(QStringLiteral("sk_disabled"), {SandboxConfig::allPermissions(), false});
    config.rateLimit = 50;
    config.rateWindowSeconds = 60;
    m_server = new SandboxServer(config, this);
    QVERIFY(m_server->start());
    m_client = clientWith(QStringLiteral("sk_all"));
}

void TestClientAgainstSandbox::cleanup()
{
    delete m_server;
    m_server = nullptr;
}

JournyClient *TestClientAgainstSandbox::clientWith(const QString &key, bool preflight)
{
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = key;
    config.preflight = preflight;
    return new JournyClient(config, &m_network, nullptr, m_server);
}

ApiResult TestClientAgainstSandbox::run(const ApiRequest &request, JournyClient *client)
{
    ApiReply *reply = (client ? client : m_client)->send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!spy.wait(10000))
        qWarning("call did not finish");
    return reply->result();
}

QJsonObject TestClientAgainstSandbox::inspect(const QString &pathAndQuery)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(m_server->baseUrl().toString() + pathAndQuery)));
    QSignalSpy spy(reply, &QNetworkReply::finished);
    spy.wait(5000);
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

void TestClientAgainstSandbox::usersAndTypedProperties()
{
    const UserIdentification ann{QStringLiteral("u-42"), QStringLiteral("ann@acme.com")};
    ApiResult result = run(ApiRequest::upsertUser(
        ann,
        {TestFields::parse(QStringLiteral("plan=Pro")), TestFields::parse(QStringLiteral("mrr:number=399")),
         TestFields::parse(QStringLiteral("is_paying:bool=true")),
         TestFields::parse(QStringLiteral("registered_at:date=2024-05-01T10:00:00Z")),
         TestFields::parse(QStringLiteral("note:empty")),
         TestFields::parse(QStringLiteral("tags:list=a,b\\,c"))}));
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.httpStatus, 201);
    QVERIFY(!result.requestId.isEmpty());
    QCOMPARE(result.message, QStringLiteral("User will be created or updated"));
    QVERIFY(result.rejected.isEmpty());

    const QJsonObject stored = inspect(QStringLiteral("/_sandbox/users?email=ann@acme.com"));
    QCOMPARE(stored.value(QLatin1String("userId")).toString(), QStringLiteral("u-42"));
    const QJsonObject properties = stored.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399)); // a number, not "399"
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("registered_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(properties.value(QLatin1String("note")), QJsonValue(QString(QLatin1String(""))));
    QCOMPARE(properties.value(QLatin1String("tags")),
             QJsonValue(QJsonArray{QLatin1String("a"), QLatin1String("b,c")}));

    // null deletes; a value of another type is not stored and comes back as a warning.
    result = run(ApiRequest::upsertUser({QStringLiteral("u-42"), QString()},
                                        {TestFields::parse(QStringLiteral("plan:null")),
                                         TestFields::parse(QStringLiteral("registered_at:bool=true"))}));
    QVERIFY(result.ok());
    QCOMPARE(result.rejected,
             (QMap<QString, QString>{
                 {QStringLiteral("registered_at"), QStringLiteral("Expected a date but found a boolean.")}}));
    const QJsonObject after =
        inspect(QStringLiteral("/_sandbox/users?userId=u-42")).value(QLatin1String("properties")).toObject();
    QVERIFY(!after.contains(QLatin1String("plan")));
    QCOMPARE(after.value(QLatin1String("registered_at")), QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));

    result = run(ApiRequest::deleteUser({QString(), QStringLiteral("ann@acme.com")}));
    QCOMPARE(result.httpStatus, 202);
    QVERIFY(result.ok());
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), 0);
}

void TestClientAgainstSandbox::accountsAndMemberships()
{
    const AccountIdentification acme{QStringLiteral("acc-7"), QStringLiteral("acme.com")};
    QVERIFY(
        run(ApiRequest::upsertAccount(acme, {TestFields::parse(QStringLiteral("seats:number=12"))})).ok());
    QList<UserIdentification> users;
    for (int i = 0; i < 100; ++i)
        users.append({QStringLiteral("member-%1").arg(i), QString()});
    ApiResult result = run(ApiRequest::addUsersToAccount({QString(), QStringLiteral("acme.com")}, users));
    QCOMPARE(result.httpStatus, 201);
    result = run(ApiRequest::removeUsersFromAccount(acme, {{QStringLiteral("member-3"), QString()}}));
    QCOMPARE(result.httpStatus, 204);
    QVERIFY(result.ok());

    const QJsonObject account = inspect(QStringLiteral("/_sandbox/accounts?accountId=acc-7"));
    QCOMPARE(account.value(QLatin1String("properties")).toObject().value(QLatin1String("seats")),
             QJsonValue(12));
    const QJsonArray members = account.value(QLatin1String("members")).toArray();
    QCOMPARE(members.size(), 100);
    int removed = 0;
    for (const QJsonValue &member : members) {
        if (member.toObject().value(QLatin1String("removed")).toBool()) {
            ++removed;
            QCOMPARE(member.toObject().value(QLatin1String("userId")).toString(), QStringLiteral("member-3"));
        }
    }
    QCOMPARE(removed, 1);

    // 101 users: refused before sending; without pre-flight, by the server, with the same path.
    users.append({QStringLiteral("member-100"), QString()});
    result = run(ApiRequest::addUsersToAccount(acme, users));
    QCOMPARE(result.failure, ApiResult::Failure::Preflight);
    QVERIFY(result.errors.contains(QStringLiteral("users")));
    result = run(ApiRequest::addUsersToAccount(acme, users), clientWith(QStringLiteral("sk_all"), false));
    QCOMPARE(result.httpStatus, 400);
    QVERIFY(result.errors.contains(QStringLiteral("users")));

    QCOMPARE(run(ApiRequest::deleteAccount(acme)).httpStatus, 202);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("accounts")).toInt(), 0);
}

void TestClientAgainstSandbox::eventsOnBothEndpoints()
{
    ApiResult result =
        run(ApiRequest::trackEvent(QStringLiteral("Invoice paid"), {QStringLiteral("u-1"), QString()},
                                   {QStringLiteral("acc-1"), QString()},
                                   {TestFields::parse(QStringLiteral("amount:number=99.5")),
                                    TestFields::parse(QStringLiteral("currency=EUR")),
                                    TestFields::parse(QStringLiteral("first:bool=false"))},
                                   QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(result.httpStatus, 201);
    result = run(ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), {},
                                              {QString(), QStringLiteral("acme.com")}, {}));
    QCOMPARE(result.httpStatus, 201);

    const QJsonArray paid = inspect(QStringLiteral("/_sandbox/events?name=Invoice%20paid&userId=u-1"))
                                .value(QLatin1String("data"))
                                .toArray();
    QCOMPARE(paid.size(), 1);
    const QJsonObject event = paid.first().toObject();
    QCOMPARE(event.value(QLatin1String("metadata")).toObject().value(QLatin1String("amount")),
             QJsonValue(99.5));
    QCOMPARE(event.value(QLatin1String("metadata")).toObject().value(QLatin1String("first")),
             QJsonValue(false));
    QCOMPARE(event.value(QLatin1String("triggeredAt")).toString(), QStringLiteral("2024-05-01T10:00:00Z"));
    QCOMPARE(event.value(QLatin1String("endpoint")).toString(), QStringLiteral("/track"));
    const QJsonArray legacy =
        inspect(QStringLiteral("/_sandbox/events?name=Logged%20in")).value(QLatin1String("data")).toArray();
    QCOMPARE(legacy.size(), 1);
    QCOMPARE(legacy.first().toObject().value(QLatin1String("endpoint")).toString(),
             QStringLiteral("/events"));

    result = run(ApiRequest::listEvents());
    QVERIFY(result.ok());
    QStringList names;
    const QList<EventDefinition> definitions = result.events().value();
    for (const EventDefinition &definition : definitions)
        names << definition.name;
    QCOMPARE(names, (QStringList{QStringLiteral("Invoice paid"), QStringLiteral("Logged in")}));
}

void TestClientAgainstSandbox::linkDevice()
{
    QCOMPARE(run(ApiRequest::link(QStringLiteral("dev-123"), {QStringLiteral("u-9"), QString()})).httpStatus,
             201);
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u-9"), QString()}, {})).ok());
    QCOMPARE(inspect(QStringLiteral("/_sandbox/users?userId=u-9")).value(QLatin1String("devices")).toArray(),
             QJsonArray{QLatin1String("dev-123")});
}

void TestClientAgainstSandbox::catalogsAndSegments()
{
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u"), QString()},
                                       {TestFields::parse(QStringLiteral("plan=Pro"))}))
                .ok());
    QVERIFY(run(ApiRequest::upsertAccount({QStringLiteral("a"), QString()},
                                          {TestFields::parse(QStringLiteral("mrr:number=5"))}))
                .ok());

    ApiResult result = run(ApiRequest::listUserProperties());
    QVERIFY(result.ok());
    QCOMPARE(result.properties().value().size(), 1);
    QCOMPARE(result.properties().value().first().name, QStringLiteral("plan"));
    QCOMPARE(result.properties().value().first().isComputed, false);
    result = run(ApiRequest::listAccountProperties());
    QCOMPARE(result.properties().value().first().name, QStringLiteral("mrr"));

    // A property seen only empty is still seen; its first typed value does not move it.
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u"), QString()},
                                       {TestFields::parse(QStringLiteral("note:empty"))}))
                .ok());
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u"), QString()},
                                       {TestFields::parse(QStringLiteral("note:number=1"))}))
                .rejected.isEmpty());
    const QList<PropertyDefinition> userProperties =
        run(ApiRequest::listUserProperties()).properties().value();
    QCOMPARE(userProperties.size(), 2);
    QCOMPARE(userProperties.at(1).name, QStringLiteral("note"));

    result = run(ApiRequest::listUserSegments());
    QVERIFY(result.ok());
    QCOMPARE(result.segments().value().size(), m_server->config().userSegments.size());
    QVERIFY(!result.segments().value().isEmpty()); // the default config has some to show
    result = run(ApiRequest::listAccountSegments());
    QCOMPARE(result.segments().value().first().name, m_server->config().accountSegments.first().name);
}

void TestClientAgainstSandbox::snippetAndValidate()
{
    ApiResult result = run(ApiRequest::trackingSnippet(QStringLiteral("demo.example.com")));
    QVERIFY(result.ok());
    QCOMPARE(result.trackingSnippet().value().domain, QStringLiteral("demo.example.com"));
    QVERIFY(result.trackingSnippet().value().snippet.contains(QLatin1String("<script>")));
    result = run(ApiRequest::trackingSnippet(QStringLiteral("unknown.example.org")));
    QCOMPARE(result.httpStatus, 404);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Refused);
    QVERIFY(result.message.contains(QLatin1String("unknown.example.org")));

    result = run(ApiRequest::validate(), clientWith(QStringLiteral("sk_track_only")));
    QVERIFY(result.ok());
    QCOMPARE(result.permissions().value(), QStringList{QStringLiteral("TrackData")});
}

void TestClientAgainstSandbox::serverFieldErrorsMatchPreflightPaths()
{
    // The same bad request, judged by the client and then by the server: the same field paths.
    const ApiRequest bad = ApiRequest::raw(
        Operation::TrackEvent,
        QJsonDocument::fromJson(
            R"({"name":"","identification":{"user":{"email":"nope"}},"metadata":{"list":[1]},"triggeredAt":"yesterday"})")
            .object());
    const ApiResult local = run(bad);
    QCOMPARE(local.failure, ApiResult::Failure::Preflight);
    const ApiResult remote = run(bad, clientWith(QStringLiteral("sk_all"), false));
    QCOMPARE(remote.httpStatus, 400);
    QCOMPARE(remote.failure, ApiResult::Failure::None);
    QCOMPARE(remote.errors.keys(), local.errors.keys());
    QCOMPARE(remote.errors.keys(),
             (QStringList{QStringLiteral("identification.user.email"), QStringLiteral("metadata.list"),
                          QStringLiteral("name"), QStringLiteral("triggeredAt")}));

    const ApiResult snippet = run(ApiRequest::trackingSnippet(QStringLiteral("not a domain")),
                                  clientWith(QStringLiteral("sk_all"), false));
    QCOMPARE(snippet.httpStatus, 400);
    QCOMPARE(snippet.errors.keys(), QStringList{QStringLiteral("parameters.query.domain")});
}

void TestClientAgainstSandbox::keysAndPermissions()
{
    ApiResult result = run(ApiRequest::validate(), clientWith(QString()));
    QCOMPARE(result.httpStatus, 401);
    result = run(ApiRequest::validate(), clientWith(QStringLiteral("sk_unknown")));
    QCOMPARE(result.httpStatus, 401);
    result = run(ApiRequest::validate(), clientWith(QStringLiteral("sk_disabled")));
    QCOMPARE(result.httpStatus, 403);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Refused);
    result = run(ApiRequest::listEvents(), clientWith(QStringLiteral("sk_track_only")));
    QCOMPARE(result.httpStatus, 401);
    QVERIFY2(result.message.contains(QLatin1String("ReadEvents")), qPrintable(result.message));
}

void TestClientAgainstSandbox::rateLimitReachesTheTracker()
{
    JournyClient *client = clientWith(QStringLiteral("sk_all"));
    QSignalSpy changed(client->rateLimits(), &RateLimitTracker::changed);
    ApiResult last;
    int accepted = 0;
    for (int i = 0; i < 51; ++i) {
        last = run(ApiRequest::validate(), client);
        if (last.ok())
            ++accepted;
    }
    QCOMPARE(accepted, 50);
    QCOMPARE(last.httpStatus, 429);
    QCOMPARE(last.rateLimit.limit, 50);
    QCOMPARE(last.rateLimit.remaining, 0);
    QCOMPARE(client->rateLimits()->state(client->rateLimitScope()).remaining, 0);
    QCOMPARE(changed.size(), 51);
    QCOMPARE(changed.at(0).at(1).value<RateLimitState>().remaining, 49);
    const QJsonObject stats = inspect(QStringLiteral("/_sandbox/stats"));
    QCOMPARE(stats.value(QLatin1String("rateLimited")).toInt(), 1);
    QCOMPARE(stats.value(QLatin1String("maxPerWindow")).toInt(), 50);
}

QTEST_GUILESS_MAIN(TestClientAgainstSandbox)
#include "tst_ClientAgainstSandbox.moc"

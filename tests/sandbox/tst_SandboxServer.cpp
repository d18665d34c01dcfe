// SandboxServer in-process, over real HTTP on loopback: the 16 operations with the spec's statuses
// and bodies, validation 400s, body problems, keys and permissions, the sliding-window rate limit,
// state and its inspection endpoints, SQLite persistence across restarts, and fault injection.
// Requests go through JournyClient where it can express them, and through a raw
// QNetworkAccessManager or QTcpSocket for what the client would refuse to send.

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"
#include "support/SpecSchema.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QUuid>

#include <memory>

namespace {

const QByteArray DefaultKey = "sandbox";

TypedField field(const QString &spec)
{
    TypedField parsed;
    QString error;
    if (!TypedField::parse(spec, &parsed, &error))
        qFatal("bad spec in test: %s", qPrintable(error));
    return parsed;
}

QByteArray compact(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject segment(const char *id, const char *name)
{
    return {{QLatin1String("id"), QLatin1String(id)}, {QLatin1String("name"), QLatin1String(name)}};
}

QJsonObject catalogEntry(const char *name)
{
    return {{QLatin1String("name"), QLatin1String(name)},
            {QLatin1String("label"), QLatin1String(name)},
            {QLatin1String("isComputed"), false}};
}

QJsonArray allPermissionsJson()
{
    return QJsonArray{QLatin1String("TrackData"), QLatin1String("ReadEvents"),
                      QLatin1String("ReadProperties"), QLatin1String("ReadSegments"),
                      QLatin1String("GetTrackingSnippet")};
}

// One HTTP exchange as the wire saw it.
class Answer
{
public:
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QJsonObject json;
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 elapsedMs = 0;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return pair.second;
        }
        return QByteArray();
    }
    bool hasHeader(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return true;
        }
        return false;
    }
    QString message() const { return json.value(QLatin1String("message")).toString(); }
    QJsonObject fieldErrors() const
    {
        return json.value(QLatin1String("errors")).toObject().value(QLatin1String("fields")).toObject();
    }
    QJsonObject parameterErrors() const
    {
        return json.value(QLatin1String("errors")).toObject().value(QLatin1String("parameters")).toObject();
    }
};

} // namespace

Q_DECLARE_METATYPE(ApiRequest)

class TestSandboxServer : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // 1. The 16 operations.
    void everySpecRouteIsServed();
    void everyOperation_data();
    void everyOperation();
    void requestIdsAreUniqueUuids();
    void unknownPathAndWrongMethod();

    // 2. Validation and body problems.
    void validationErrors_data();
    void validationErrors();
    void proseRulesAcceptWhatIsValid_data();
    void proseRulesAcceptWhatIsValid();
    void badBodies_data();
    void badBodies();
    void missingContentType();
    void bodySizeLimitIsExact();

    // 3. Keys and permissions.
    void keysAndPermissions_data();
    void keysAndPermissions();
    void validateReturnsTheKeysPermissions_data();
    void validateReturnsTheKeysPermissions();

    // 4. Rate limiting.
    void rateLimitCountsDownAndRecovers();
    void rateLimitWindowSlides();
    void rateLimitIsPerKey();

    // 5. State.
    void upsertMergesProperties();
    void typeConflictsAreRejected();
    void usersFoundByUserIdOrEmail();
    void memberships();
    void deleteUserLeavesAccounts();
    void deleteAccount();
    void eventsAreStoredAndFiltered();
    void catalogs();
    void segmentsComeFromTheConfig();
    void websiteSnippets();
    void linkRecordsTheDevice();

    // 6. Inspection.
    void inspectionStatsAndReset();
    void inspectionNeedsNoKeyAndIsNotCounted();

    // Persistence.
    void stateSurvivesARestart();
    void catalogOrderSurvivesRestarts();
    void resetAndDeletionsArePersisted();
    void unusableDataFile_data();
    void unusableDataFile();

    // 7. Fault injection.
    void faultFail();
    void faultDrop();
    void faultGarble();
    void faultLatency();
    void faultBurst();
    void faultsAreDeterministic();

private:
    void startServer(const SandboxConfig &config = SandboxConfig::defaults());
    // A new server on the SQLite file, as after a restart of the program.
    void startPersistent(const QString &file);
    Answer call(const QByteArray &method, const QString &path, const QUrlQuery &query = QUrlQuery(),
                const QByteArray &body = QByteArray(), const QByteArray &key = DefaultKey,
                const QByteArray &contentType = "application/json");
    Answer get(const QString &path, const QUrlQuery &query = QUrlQuery(), const QByteArray &key = DefaultKey)
    {
        return call("GET", path, query, QByteArray(), key);
    }
    Answer post(const QString &path, const QJsonObject &body, const QByteArray &key = DefaultKey)
    {
        return call("POST", path, QUrlQuery(), QJsonDocument(body).toJson(QJsonDocument::Compact), key);
    }
    Answer raw(const QByteArray &request);
    ApiResult run(const ApiRequest &request, const QString &key = QString::fromLatin1(DefaultKey));
    QJsonObject inspect(const QString &path, const char *name, const QString &value);
    QJsonObject stats();

    std::unique_ptr<SandboxServer> m_server;
    QNetworkAccessManager *m_nam = nullptr; // raw calls, independent of the client under test
    NetworkAccess *m_network = nullptr;     // JournyClient's connections
    SpecSchema m_spec;
};

// ---------------------------------------------------------------------------------------------
// Helpers

void TestSandboxServer::init()
{
    startServer();
}

void TestSandboxServer::cleanup()
{
    m_server.reset();
    delete m_nam;
    m_nam = nullptr;
    delete m_network;
    m_network = nullptr;
}

void TestSandboxServer::startServer(const SandboxConfig &config)
{
    m_server = std::make_unique<SandboxServer>(config);
    QVERIFY(m_server->start(QHostAddress::LocalHost, 0));
    QCOMPARE(m_server->baseUrl().host(), QStringLiteral("127.0.0.1"));
    QVERIFY(m_server->baseUrl().port() > 0);
    // A fresh manager and pool per server: no kept-alive connection may outlive the server it went to.
    delete m_nam;
    m_nam = new QNetworkAccessManager(this);
    delete m_network;
    m_network = new NetworkAccess(this);
}

void TestSandboxServer::startPersistent(const QString &file)
{
    m_server.reset(); // the old one closes the file first, as a process that exits would
    m_server = std::make_unique<SandboxServer>(SandboxConfig::defaults());
    QString error;
    QVERIFY2(m_server->openData(file, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QVERIFY(m_server->start());
    delete m_nam;
    m_nam = new QNetworkAccessManager(this);
    delete m_network;
    m_network = new NetworkAccess(this);
}

Answer TestSandboxServer::call(const QByteArray &method, const QString &path, const QUrlQuery &query,
                               const QByteArray &body, const QByteArray &key, const QByteArray &contentType)
{
    QUrl url = m_server->baseUrl();
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest request(url);
    if (!key.isEmpty())
        request.setRawHeader("X-Api-Key", key);
    if (!contentType.isEmpty())
        request.setRawHeader("Content-Type", contentType);
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = body.isEmpty() && method == "GET"
                               ? m_nam->get(request)
                               : m_nam->sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Answer answer;
    if (!finished.wait(15000)) {
        qWarning("%s %s did not finish", method.constData(), qPrintable(path));
        reply->abort();
    }
    answer.elapsedMs = clock.elapsed();
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.error = reply->error();
    answer.body = reply->readAll();
    answer.json = parseObject(answer.body);
    answer.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return answer;
}

// For what QNetworkAccessManager cannot be made to send (a POST without Content-Type).
Answer TestSandboxServer::raw(const QByteArray &request)
{
    Answer answer;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(m_server->baseUrl().port()));
    if (!socket.waitForConnected(5000))
        return answer;
    socket.write(request);
    QByteArray received;
    QElapsedTimer clock;
    clock.start();
    qsizetype headerEnd = -1;
    qint64 length = -1;
    while (clock.elapsed() < 10000) {
        if (headerEnd >= 0 && length >= 0 && received.size() >= headerEnd + 4 + length)
            break;
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        // Waits in the event loop so the in-process server can answer.
        QTest::qWait(5);
        received += socket.readAll();
        if (headerEnd < 0) {
            headerEnd = received.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                const QList<QByteArray> lines = received.left(headerEnd).split('\n');
                answer.status = lines.first().split(' ').value(1).toInt();
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const QByteArray line = lines.at(i).trimmed();
                    const qsizetype colon = line.indexOf(':');
                    answer.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
                }
                length = answer.header("Content-Length").toLongLong();
            }
        }
    }
    answer.elapsedMs = clock.elapsed();
    if (headerEnd >= 0)
        answer.body = received.mid(headerEnd + 4);
    answer.json = parseObject(answer.body);
    return answer;
}

ApiResult TestSandboxServer::run(const ApiRequest &request, const QString &key)
{
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = key;
    config.network.timeoutMs = 10000;
    config.preflight = false; // the sandbox's own validation is under test, not the client's
    JournyClient client(config, m_network);
    ApiReply *reply = client.send(request);
    QSignalSpy spy(reply, &ApiReply::finished);
    if (!spy.wait(15000))
        qWarning("call did not finish");
    return reply->result();
}

QJsonObject TestSandboxServer::inspect(const QString &path, const char *name, const QString &value)
{
    QUrlQuery query;
    query.addQueryItem(QLatin1String(name), value);
    const Answer answer = get(path, query, QByteArray());
    if (answer.status != 200)
        qWarning("%s?%s=%s answered %d", qPrintable(path), name, qPrintable(value), answer.status);
    return answer.json;
}

QJsonObject TestSandboxServer::stats()
{
    const Answer answer = get(QStringLiteral("/_sandbox/stats"), QUrlQuery(), QByteArray());
    if (answer.status != 200)
        qWarning("/_sandbox/stats answered %d", answer.status);
    return answer.json;
}

// ---------------------------------------------------------------------------------------------
// 1. The 16 operations

void TestSandboxServer::everySpecRouteIsServed()
{
    // Taken from the spec file, not from journy_api's table: the sandbox must serve the routes
    // journy.io publishes. Without a key every one of them is a 401, never a 404 or 405.
    QVERIFY(m_spec.isLoaded());
    const QStringList operationIds = m_spec.operationIds();
    QCOMPARE(operationIds.size(), 16);
    for (const QString &operationId : operationIds) {
        const QStringList route = m_spec.routeOf(operationId).split(QLatin1Char(' '));
        const QByteArray method = route.at(0).toLatin1();
        const Answer answer =
            call(method, route.at(1), QUrlQuery(), method == "GET" ? QByteArray() : "{}", QByteArray());
        QVERIFY2(answer.status == 401, qPrintable(operationId + QLatin1String(": ") + answer.body));
        QCOMPARE(answer.message(),
                 QStringLiteral("No API key was provided: send it in the X-Api-Key header"));
        QCOMPARE(m_spec.checkResponse(operationId, 401, answer.json), QStringList());
    }
}

void TestSandboxServer::everyOperation_data()
{
    QTest::addColumn<QList<ApiRequest>>("setup");
    QTest::addColumn<ApiRequest>("request");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QJsonValue>("data"); // undefined: the answer has no data member

    const UserIdentification ann{QStringLiteral("u-1"), QStringLiteral("ann@acme.com")};
    const AccountIdentification acme{QStringLiteral("acc-1"), QStringLiteral("acme.com")};
    const QJsonValue none(QJsonValue::Undefined);

    QTest::newRow("upsertUser") << QList<ApiRequest>()
                                << ApiRequest::upsertUser(ann, {field(QStringLiteral("plan=Pro")),
                                                                field(QStringLiteral("mrr:number=399"))})
                                << QStringLiteral("User will be created or updated") << none;
    QTest::newRow("deleteUser") << QList<ApiRequest>{ApiRequest::upsertUser(ann, {})}
                                << ApiRequest::deleteUser({QStringLiteral("u-1"), QString()})
                                << QStringLiteral("User will be deleted") << none;
    QTest::newRow("upsertAccount") << QList<ApiRequest>()
                                   << ApiRequest::upsertAccount(acme,
                                                                {field(QStringLiteral("seats:number=12"))})
                                   << QStringLiteral("Account will be created or updated") << none;
    QTest::newRow("deleteAccount") << QList<ApiRequest>{ApiRequest::upsertAccount(acme, {})}
                                   << ApiRequest::deleteAccount({QString(), QStringLiteral("acme.com")})
                                   << QStringLiteral("Account will be deleted") << none;
    QTest::newRow("addUserToAccount") << QList<ApiRequest>() << ApiRequest::addUsersToAccount(acme, {ann})
                                      << QStringLiteral("Users will be added to the account") << none;
    QTest::newRow("removeUserFromAccount")
        << QList<ApiRequest>{ApiRequest::addUsersToAccount(acme, {ann})}
        << ApiRequest::removeUsersFromAccount(acme, {ann}) << QString() << none;
    QTest::newRow("trackEvent") << QList<ApiRequest>()
                                << ApiRequest::trackEvent(QStringLiteral("Signed up"), ann, acme,
                                                          {field(QStringLiteral("plan=Pro"))})
                                << QStringLiteral("Event will be processed") << none;
    QTest::newRow("trackJourneyEvent")
        << QList<ApiRequest>() << ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), ann, {}, {})
        << QStringLiteral("Event will be processed") << none;
    QTest::newRow("link") << QList<ApiRequest>() << ApiRequest::link(QStringLiteral("dev-1"), ann)
                          << QStringLiteral("Device will be linked to the user") << none;
    QTest::newRow("getTrackingSnippet")
        << QList<ApiRequest>() << ApiRequest::trackingSnippet(QStringLiteral("demo.example.com")) << QString()
        << QJsonValue(QJsonObject{{QLatin1String("domain"), QLatin1String("demo.example.com")},
                                  {QLatin1String("snippet"), SandboxConfig::defaults().websites.value(
                                                                 QStringLiteral("demo.example.com"))}});
    QTest::newRow("getValidity") << QList<ApiRequest>() << ApiRequest::validate() << QString()
                                 << QJsonValue(
                                        QJsonObject{{QLatin1String("permissions"), allPermissionsJson()}});
    QTest::newRow("getEvents")
        << QList<ApiRequest>{ApiRequest::trackEvent(QStringLiteral("Signed up"), ann, {}, {}),
                             ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), ann, {}, {}),
                             ApiRequest::trackEvent(QStringLiteral("Signed up"), {}, acme, {})}
        << ApiRequest::listEvents() << QString()
        << QJsonValue(QJsonArray{segment("evt-1", "Signed up"), segment("evt-2", "Logged in")});
    const QList<ApiRequest> propertySetup{
        ApiRequest::upsertUser(ann,
                               {field(QStringLiteral("plan=Pro")), field(QStringLiteral("mrr:number=399"))}),
        ApiRequest::upsertAccount(acme, {field(QStringLiteral("seats:number=12"))})};
    // TypedField::toJsonObject builds a QJsonObject, whose keys come out sorted: mrr before plan.
    QTest::newRow("getUserProperties") << propertySetup << ApiRequest::listUserProperties() << QString()
                                       << QJsonValue(QJsonArray{catalogEntry("mrr"), catalogEntry("plan")});
    QTest::newRow("getAccountProperties") << propertySetup << ApiRequest::listAccountProperties() << QString()
                                          << QJsonValue(QJsonArray{catalogEntry("seats")});
    QTest::newRow("getUserSegments") << QList<ApiRequest>() << ApiRequest::listUserSegments() << QString()
                                     << QJsonValue(
                                            QJsonArray{segment("seg-trial-users", "Trial users"),
                                                       segment("seg-power-users", "Power users"),
                                                       segment("seg-churn-risk", "At risk of churning")});
    QTest::newRow("getAccountSegments")
        << QList<ApiRequest>() << ApiRequest::listAccountSegments() << QString()
        << QJsonValue(QJsonArray{segment("seg-paying-accounts", "Paying accounts"),
                                 segment("seg-enterprise", "Enterprise")});
}

void TestSandboxServer::everyOperation()
{
    QFETCH(QList<ApiRequest>, setup);
    QFETCH(ApiRequest, request);
    QFETCH(QString, message);
    QFETCH(QJsonValue, data);

    const QString operationId = QString::fromLatin1(QTest::currentDataTag());
    QCOMPARE(request.info().operationId, operationId);
    const int status = m_spec.successStatusOf(operationId);
    for (const ApiRequest &step : setup)
        QVERIFY(run(step).ok());

    const ApiResult result = run(request);
    QCOMPARE(result.requestMethod + ' ' + QUrl(result.requestUrl).path().toLatin1(),
             m_spec.routeOf(operationId).toLatin1());
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(result.failure, ApiResult::Failure::None);
    QCOMPARE(result.httpStatus, status);
    QCOMPARE(result.message, message);
    // Each call of the row counted against the default limit of 1800.
    QCOMPARE(result.rateLimit.limit, 1800);
    QCOMPARE(result.rateLimit.remaining, 1800 - int(setup.size()) - 1);

    if (status == 204) {
        // HTTP forbids a body on 204, whatever the spec shows.
        QCOMPARE(result.responseBody, QByteArray());
        return;
    }
    const QJsonObject body = parseObject(result.responseBody);
    QCOMPARE(m_spec.checkResponse(operationId, status, body), QStringList());
    const QJsonObject meta = body.value(QLatin1String("meta")).toObject();
    QCOMPARE(meta.value(QLatin1String("status")).toInt(), status);
    QVERIFY2(!QUuid::fromString(meta.value(QLatin1String("requestId")).toString()).isNull(),
             result.responseBody.constData());
    QCOMPARE(result.requestId, meta.value(QLatin1String("requestId")).toString());
    QVERIFY(result.dataMatchesSpec());
    if (data.isUndefined()) {
        QVERIFY(!body.contains(QLatin1String("data")));
        QVERIFY(!body.contains(QLatin1String("rejected")));
    } else {
        QCOMPARE(compact(body.value(QLatin1String("data"))), compact(data));
    }
}

void TestSandboxServer::requestIdsAreUniqueUuids()
{
    // Successes and errors alike carry their own ID: it is what a support engineer quotes.
    QSet<QString> ids;
    for (int i = 0; i < 10; ++i) {
        for (const Answer &answer :
             {get(QStringLiteral("/validate")), get(QStringLiteral("/validate"), {}, "nope"),
              post(QStringLiteral("/users/upsert"), {})}) {
            const QJsonObject meta = answer.json.value(QLatin1String("meta")).toObject();
            QCOMPARE(meta.value(QLatin1String("status")).toInt(), answer.status);
            const QString id = meta.value(QLatin1String("requestId")).toString();
            QVERIFY2(!QUuid::fromString(id).isNull(), qPrintable(id));
            ids.insert(id);
        }
    }
    QCOMPARE(ids.size(), 30);
}

void TestSandboxServer::unknownPathAndWrongMethod()
{
    const Answer unknown = get(QStringLiteral("/v2/users"));
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.message(), QStringLiteral("Not found: GET /v2/users"));
    const Answer wrongMethod = call("PUT", QStringLiteral("/validate"), QUrlQuery(), "{}");
    QCOMPARE(wrongMethod.status, 405);
    QCOMPARE(wrongMethod.message(), QStringLiteral("Method PUT is not allowed on /validate"));
    // GET and POST share /events: each method reaches its own operation.
    QCOMPARE(get(QStringLiteral("/events")).status, 200);
    QCOMPARE(post(QStringLiteral("/events"), {}).status, 400);
}

// ---------------------------------------------------------------------------------------------
// 2. Validation and body problems

void TestSandboxServer::validationErrors_data()
{
    QTest::addColumn<QString>("operationId");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QJsonObject>("parameters");

    auto fields = [](std::initializer_list<std::pair<const char *, const char *>> entries) {
        QJsonObject object;
        for (const auto &entry : entries)
            object.insert(QLatin1String(entry.first), QString::fromUtf8(entry.second));
        return object;
    };
    QByteArray tooMany = R"({"account":{"accountId":"a"},"users":[)";
    for (int i = 0; i < 101; ++i)
        tooMany +=
            (i ? "," : "") + QByteArray(R"({"identification":{"userId":"u)") + QByteArray::number(i) + "\"}}";
    tooMany += "]}";

    QTest::newRow("no identification") << "upsertUser" << QByteArray(R"({"properties":{}})") << QString()
                                       << fields({{"identification", "Is required."}}) << QJsonObject();
    QTest::newRow("empty identification")
        << "upsertUser" << QByteArray(R"({"identification":{}})") << QString()
        << fields({{"identification", "Requires a userId, an email or both."}}) << QJsonObject();
    QTest::newRow("bad email") << "upsertUser" << QByteArray(R"({"identification":{"email":"ann-at-acme"}})")
                               << QString()
                               << fields({{"identification.email",
                                           "'ann-at-acme' is not a valid email address."}})
                               << QJsonObject();
    QTest::newRow("empty userId") << "deleteUser" << QByteArray(R"({"identification":{"userId":"  "}})")
                                  << QString() << fields({{"identification.userId", "Must not be empty."}})
                                  << QJsonObject();
    QTest::newRow("userId not a string")
        << "upsertUser" << QByteArray(R"({"identification":{"userId":42}})") << QString()
        << fields({{"identification.userId", "Expected a string but found a number."}}) << QJsonObject();
    QTest::newRow("property is an object")
        << "upsertUser" << QByteArray(R"({"identification":{"userId":"u"},"properties":{"plan":{"a":1}}})")
        << QString()
        << fields({{"properties.plan", "Expected a string, number, boolean, date-time, null or list of "
                                       "strings but found an object."}})
        << QJsonObject();
    QTest::newRow("list with an empty string")
        << "upsertAccount"
        << QByteArray(R"({"identification":{"accountId":"a"},"properties":{"tags":["x",""]}})") << QString()
        << fields({{"properties.tags", "Lists may only hold non-empty strings."}}) << QJsonObject();
    QTest::newRow("bad domain") << "deleteAccount" << QByteArray(R"({"identification":{"domain":"acme"}})")
                                << QString()
                                << fields({{"identification.domain",
                                            "'acme' is not a valid domain (e.g. acme.com)."}})
                                << QJsonObject();
    QTest::newRow("101 users") << "addUserToAccount" << tooMany << QString()
                               << fields({{"users", "Expected 1 to 100 users but found 101."}})
                               << QJsonObject();
    QTest::newRow("no users") << "addUserToAccount"
                              << QByteArray(R"({"account":{"accountId":"a"},"users":[]})") << QString()
                              << fields({{"users", "Expected 1 to 100 users but found 0."}}) << QJsonObject();
    QTest::newRow("membership without account or users")
        << "removeUserFromAccount" << QByteArray("{}") << QString()
        << fields({{"account", "Is required."}, {"users", "Is required."}}) << QJsonObject();
    QTest::newRow("member without identification")
        << "removeUserFromAccount" << QByteArray(R"({"account":{"domain":"acme.com"},"users":[{}]})")
        << QString() << fields({{"users.0.identification", "Is required."}}) << QJsonObject();
    QTest::newRow("metadata list")
        << "trackEvent"
        << QByteArray(R"({"name":"x","identification":{"user":{"userId":"u"}},"metadata":{"amount":[1]}})")
        << QString()
        << fields({{"metadata.amount", "Expected a string, number, boolean or date-time but found a list."}})
        << QJsonObject();
    QTest::newRow("metadata null")
        << "trackJourneyEvent"
        << QByteArray(
               R"({"name":"x","identification":{"account":{"accountId":"a"}},"metadata":{"amount":null}})")
        << QString()
        << fields({{"metadata.amount", "Expected a string, number, boolean or date-time but found null."}})
        << QJsonObject();
    QTest::newRow("event without user or account")
        << "trackEvent" << QByteArray(R"({"name":"x","identification":{}})") << QString()
        << fields({{"identification", "Requires a user, an account or both."}}) << QJsonObject();
    QTest::newRow("event name empty, bad triggeredAt")
        << "trackEvent"
        << QByteArray(R"({"name":"","identification":{"user":{"email":"a@b.co"}},"triggeredAt":"yesterday"})")
        << QString()
        << fields({{"name", "Must not be empty."},
                   {"triggeredAt", "'yesterday' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)."}})
        << QJsonObject();
    QTest::newRow("event user email")
        << "trackEvent" << QByteArray(R"({"name":"x","identification":{"user":{"email":"nope"}}})")
        << QString() << fields({{"identification.user.email", "'nope' is not a valid email address."}})
        << QJsonObject();
    QTest::newRow("link without device")
        << "link" << QByteArray(R"({"identification":{"userId":"u"}})") << QString()
        << fields({{"deviceId", "Is required."}}) << QJsonObject();
    QTest::newRow("link empty device")
        << "link" << QByteArray(R"({"deviceId":"","identification":{"userId":"u"}})") << QString()
        << fields({{"deviceId", "Must not be empty."}}) << QJsonObject();
    QTest::newRow("snippet without domain")
        << "getTrackingSnippet" << QByteArray() << QString() << QJsonObject()
        << QJsonObject{{QLatin1String("query"), fields({{"domain", "Is required."}})}};
    QTest::newRow("snippet bad domain")
        << "getTrackingSnippet" << QByteArray() << QStringLiteral("domain=not%20a%20domain") << QJsonObject()
        << QJsonObject{{QLatin1String("query"),
                        fields({{"domain", "'not a domain' is not a valid domain (e.g. acme.com)."}})}};
}

void TestSandboxServer::validationErrors()
{
    QFETCH(QString, operationId);
    QFETCH(QByteArray, body);
    QFETCH(QString, query);
    QFETCH(QJsonObject, fields);
    QFETCH(QJsonObject, parameters);

    const QStringList route = m_spec.routeOf(operationId).split(QLatin1Char(' '));
    const Answer answer = call(route.at(0).toLatin1(), route.at(1), QUrlQuery(query), body);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.message(), QStringLiteral("Bad request, some fields or parameters are incorrect"));
    QCOMPARE(compact(answer.fieldErrors()), compact(fields));
    QCOMPARE(compact(answer.parameterErrors()), compact(parameters));
    QCOMPARE(answer.json.value(QLatin1String("meta")).toObject().value(QLatin1String("status")).toInt(), 400);
    QCOMPARE(m_spec.checkResponse(operationId, 400, answer.json), QStringList());
    // Nothing of a refused request is stored.
    const QJsonObject counts = stats();
    QCOMPARE(counts.value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(counts.value(QLatin1String("accounts")).toInt(), 0);
    QCOMPARE(counts.value(QLatin1String("events")).toInt(), 0);
}

void TestSandboxServer::proseRulesAcceptWhatIsValid_data()
{
    QTest::addColumn<QString>("operationId");
    QTest::addColumn<QByteArray>("body");

    QByteArray hundred = R"({"account":{"accountId":"a"},"users":[)";
    for (int i = 0; i < 100; ++i)
        hundred +=
            (i ? "," : "") + QByteArray(R"({"identification":{"userId":"u)") + QByteArray::number(i) + "\"}}";
    hundred += "]}";
    // The spec's metadata oneOf lists string twice; a literal reading would refuse these.
    QTest::newRow("string metadata")
        << "trackEvent"
        << QByteArray(R"({"name":"Paid","identification":{"user":{"userId":"u"}},)"
                      R"("metadata":{"plan":"Pro","amount":9.5,"first":true,"at":"2024-05-01T10:00:00Z"}})");
    QTest::newRow("100 users") << "addUserToAccount" << hundred;
    QTest::newRow("every property type")
        << "upsertUser"
        << QByteArray(
               R"({"identification":{"userId":"u","email":"u@acme.com"},"properties":{"s":"x","n":1.5,)"
               R"("b":false,"d":"2024-05-01","z":null,"e":"","l":["a","b"]}})");
    QTest::newRow("account by domain")
        << "upsertAccount" << QByteArray(R"({"identification":{"domain":"ACME.com"}})");
}

void TestSandboxServer::proseRulesAcceptWhatIsValid()
{
    QFETCH(QString, operationId);
    QFETCH(QByteArray, body);
    const QStringList route = m_spec.routeOf(operationId).split(QLatin1Char(' '));
    const Answer answer = call(route.at(0).toLatin1(), route.at(1), QUrlQuery(), body);
    QVERIFY2(answer.status == m_spec.successStatusOf(operationId), answer.body.constData());
    QCOMPARE(m_spec.checkResponse(operationId, answer.status, answer.json), QStringList());
}

void TestSandboxServer::badBodies_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");

    QTest::newRow("malformed JSON")
        << QByteArray("application/json") << QByteArray("{bad")
        << QStringLiteral("The request body is not valid JSON: unterminated object at byte 2");
    QTest::newRow("trailing garbage")
        << QByteArray("application/json") << QByteArray(R"({"a":1} x)")
        << QStringLiteral("The request body is not valid JSON: garbage at the end of the "
                          "document at byte 8");
    QTest::newRow("empty body") << QByteArray("application/json") << QByteArray()
                                << QStringLiteral(
                                       "The request body is not valid JSON: illegal value at byte 0");
    QTest::newRow("array body") << QByteArray("application/json") << QByteArray("[1,2]")
                                << QStringLiteral("The request body must be a JSON object");
    QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray("{}")
                                << QStringLiteral("Content-Type must be application/json, not 'text/plain'");
    QTest::newRow("form")
        << QByteArray("application/x-www-form-urlencoded") << QByteArray("a=1")
        << QStringLiteral("Content-Type must be application/json, not 'application/x-www-form-urlencoded'");
}

void TestSandboxServer::badBodies()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(QString, message);

    const Answer answer =
        call("POST", QStringLiteral("/users/upsert"), QUrlQuery(), body, DefaultKey, contentType);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.message(), message);
    QCOMPARE(answer.json.value(QLatin1String("meta")).toObject().value(QLatin1String("status")).toInt(), 400);
    QCOMPARE(answer.header("X-RateLimit-Limit"), QByteArray("1800"));
    // The spec's 400 shape: no field is to blame, but a wrong Content-Type is a header parameter.
    QCOMPARE(compact(answer.fieldErrors()), QByteArray("{}"));
    const QJsonObject header{
        {QLatin1String("header"), QJsonObject{{QLatin1String("Content-Type"), message}}}};
    QCOMPARE(compact(answer.parameterErrors()),
             compact(message.startsWith(QLatin1String("Content-Type")) ? header : QJsonObject()));
    QCOMPARE(m_spec.checkResponse(QStringLiteral("upsertUser"), 400, answer.json), QStringList());
    // The server is still there and stored nothing.
    QCOMPARE(get(QStringLiteral("/validate")).status, 200);
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 0);
}

void TestSandboxServer::missingContentType()
{
    // QNetworkAccessManager would add a Content-Type of its own; a raw socket sends none.
    const QByteArray body = R"({"identification":{"userId":"u"}})";
    const QByteArray head = "POST /users/upsert HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\n"
                            "Content-Length: " +
                            QByteArray::number(body.size()) + "\r\n";
    const Answer answer = raw(head + "\r\n" + body);
    QCOMPARE(answer.status, 400);
    QCOMPARE(answer.message(), QStringLiteral("Content-Type must be application/json, not '(none)'"));
    QCOMPARE(
        compact(answer.parameterErrors()),
        QByteArray(R"({"header":{"Content-Type":"Content-Type must be application/json, not '(none)'"}})"));
    QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray("1799"));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 0);

    // The same request with the header is accepted, so the header alone made the difference.
    const Answer accepted = raw(head + "Content-Type: application/json; charset=utf-8\r\n\r\n" + body);
    QCOMPARE(accepted.status, 201);
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);
}

void TestSandboxServer::bodySizeLimitIsExact()
{
    const QByteArray head = R"({"identification":{"userId":"u"},"properties":{"blob":")";
    const QByteArray tail = "\"}}";
    QByteArray atLimit =
        head + QByteArray(SandboxServer::MaxBodyBytes - head.size() - tail.size(), 'a') + tail;
    QCOMPARE(atLimit.size(), SandboxServer::MaxBodyBytes);
    QCOMPARE(call("POST", QStringLiteral("/users/upsert"), QUrlQuery(), atLimit).status, 201);
    QByteArray overLimit =
        head + QByteArray(SandboxServer::MaxBodyBytes - head.size() - tail.size() + 1, 'a') + tail;
    // 413 as soon as the head declares it, without reading the body (tst_SandboxConnections has
    // the streamed case and the connection's closing).
    const Answer refused = call("POST", QStringLiteral("/users/upsert"), QUrlQuery(), overLimit);
    QCOMPARE(refused.status, 413);
    QCOMPARE(refused.message(),
             QStringLiteral("The request body is declared as 1048577 bytes; the limit is 1048576"));
    QCOMPARE(refused.header("Connection"), QByteArray("close"));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);
}

// ---------------------------------------------------------------------------------------------
// 3. Keys and permissions

namespace {

SandboxConfig keyedConfig()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(QStringLiteral("full"), SandboxConfig::Key{SandboxConfig::allPermissions(), true});
    config.keys.insert(QStringLiteral("tracker"), SandboxConfig::Key{{QStringLiteral("TrackData")}, true});
    config.keys.insert(QStringLiteral("reader"),
                       SandboxConfig::Key{{QStringLiteral("ReadEvents"), QStringLiteral("ReadProperties"),
                                           QStringLiteral("ReadSegments")},
                                          true});
    config.keys.insert(QStringLiteral("off"), SandboxConfig::Key{SandboxConfig::allPermissions(), false});
    return config;
}

} // namespace

void TestSandboxServer::keysAndPermissions_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QString>("operationId");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    const QString needs =
        QStringLiteral("The API key is not authorised to perform this action: it needs the %1 permission");
    const QString invalid = QStringLiteral("The API key is not valid");
    QTest::newRow("missing key") << QByteArray() << "getValidity" << 401
                                 << QStringLiteral(
                                        "No API key was provided: send it in the X-Api-Key header");
    QTest::newRow("unknown key") << QByteArray("nope") << "upsertUser" << 401 << invalid;
    // Once keys are configured, the default key is no longer accepted.
    QTest::newRow("default key not configured") << QByteArray("sandbox") << "getValidity" << 401 << invalid;
    QTest::newRow("disabled key") << QByteArray("off") << "upsertUser" << 403
                                  << QStringLiteral("The API key provided is currently not enabled");
    QTest::newRow("disabled key validate") << QByteArray("off") << "getValidity" << 403
                                           << QStringLiteral("The API key provided is currently not enabled");
    QTest::newRow("tracker reads events")
        << QByteArray("tracker") << "getEvents" << 401 << needs.arg("ReadEvents");
    QTest::newRow("tracker reads properties")
        << QByteArray("tracker") << "getAccountProperties" << 401 << needs.arg("ReadProperties");
    QTest::newRow("tracker reads segments")
        << QByteArray("tracker") << "getUserSegments" << 401 << needs.arg("ReadSegments");
    QTest::newRow("tracker gets snippet")
        << QByteArray("tracker") << "getTrackingSnippet" << 401 << needs.arg("GetTrackingSnippet");
    QTest::newRow("reader upserts") << QByteArray("reader") << "upsertUser" << 401 << needs.arg("TrackData");
    QTest::newRow("reader links") << QByteArray("reader") << "link" << 401 << needs.arg("TrackData");
    QTest::newRow("tracker upserts") << QByteArray("tracker") << "upsertUser" << 201
                                     << QStringLiteral("User will be created or updated");
    QTest::newRow("reader lists segments") << QByteArray("reader") << "getUserSegments" << 200 << QString();
    QTest::newRow("full gets snippet") << QByteArray("full") << "getTrackingSnippet" << 200 << QString();
}

void TestSandboxServer::keysAndPermissions()
{
    QFETCH(QByteArray, key);
    QFETCH(QString, operationId);
    QFETCH(int, status);
    QFETCH(QString, message);

    startServer(keyedConfig());
    const QStringList route = m_spec.routeOf(operationId).split(QLatin1Char(' '));
    QUrlQuery query;
    if (operationId == QLatin1String("getTrackingSnippet"))
        query.addQueryItem(QStringLiteral("domain"), QStringLiteral("demo.example.com"));
    const QByteArray body = route.at(0) == QLatin1String("GET")
                                ? QByteArray()
                                : QByteArray(R"({"deviceId":"d","identification":{"userId":"u"}})");
    const Answer answer = call(route.at(0).toLatin1(), route.at(1), query, body, key);
    QCOMPARE(answer.status, status);
    QCOMPARE(answer.message(), message);
    QCOMPARE(answer.json.value(QLatin1String("meta")).toObject().value(QLatin1String("status")).toInt(),
             status);
    // addUserToAccount and removeUserFromAccount declare no 403; the rest do.
    QCOMPARE(m_spec.checkResponse(operationId, status, answer.json), QStringList());
    QCOMPARE(answer.header("X-RateLimit-Limit"), QByteArray("1800"));
    // A refused call stores nothing.
    if (status >= 400)
        QCOMPARE(stats().value(QLatin1String("users")).toInt(), 0);
}

void TestSandboxServer::validateReturnsTheKeysPermissions_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonArray>("permissions");
    QTest::newRow("full") << "full" << allPermissionsJson();
    QTest::newRow("tracker") << "tracker" << QJsonArray{QLatin1String("TrackData")};
    QTest::newRow("reader") << "reader"
                            << QJsonArray{QLatin1String("ReadEvents"), QLatin1String("ReadProperties"),
                                          QLatin1String("ReadSegments")};
}

void TestSandboxServer::validateReturnsTheKeysPermissions()
{
    QFETCH(QString, key);
    QFETCH(QJsonArray, permissions);
    startServer(keyedConfig());
    const ApiResult result = run(ApiRequest::validate(), key);
    QCOMPARE(result.httpStatus, 200);
    QVERIFY2(result.ok(), qPrintable(result.summary()));
    QCOMPARE(compact(result.data.toObject().value(QLatin1String("permissions"))), compact(permissions));
    QCOMPARE(m_spec.checkResponse(QStringLiteral("getValidity"), 200, parseObject(result.responseBody)),
             QStringList());
}

// ---------------------------------------------------------------------------------------------
// 4. Rate limiting

namespace {

SandboxConfig limitedConfig(int limit, int windowSeconds)
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(QStringLiteral("sandbox"), SandboxConfig::Key{SandboxConfig::allPermissions(), true});
    config.keys.insert(QStringLiteral("other"), SandboxConfig::Key{SandboxConfig::allPermissions(), true});
    config.rateLimit = limit;
    config.rateWindowSeconds = windowSeconds;
    return config;
}

} // namespace

void TestSandboxServer::rateLimitCountsDownAndRecovers()
{
    startServer(limitedConfig(5, 2));
    QElapsedTimer window;
    window.start();
    for (int i = 1; i <= 5; ++i) {
        // Any operation counts, whatever its outcome once the key is known.
        const Answer answer =
            i == 3 ? post(QStringLiteral("/users/upsert"), {}) : get(QStringLiteral("/validate"));
        QCOMPARE(answer.status, i == 3 ? 400 : 200);
        QCOMPARE(answer.header("X-RateLimit-Limit"), QByteArray("5"));
        QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray::number(5 - i));
    }
    for (int i = 0; i < 2; ++i) {
        const Answer refused = get(QStringLiteral("/validate"));
        QCOMPARE(refused.status, 429);
        QCOMPARE(refused.message(), QStringLiteral("Too many requests: the limit is 5 per 2 s"));
        QCOMPARE(refused.header("X-RateLimit-Limit"), QByteArray("5"));
        QCOMPARE(refused.header("X-RateLimit-Remaining"), QByteArray("0"));
        // The oldest of the 5 leaves the 2 s window within 2 s: the client is told so.
        const int retryAfter = refused.header("Retry-After").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 2, refused.header("Retry-After").constData());
        QCOMPARE(m_spec.checkResponse(QStringLiteral("getValidity"), 429, refused.json), QStringList());
    }
    // A call without a key is refused before it counts, and still carries both headers.
    const Answer anonymous = get(QStringLiteral("/validate"), QUrlQuery(), QByteArray());
    QCOMPARE(anonymous.status, 401);
    QCOMPARE(anonymous.header("X-RateLimit-Limit"), QByteArray("5"));
    QVERIFY(anonymous.hasHeader("X-RateLimit-Remaining"));

    QJsonObject counts = stats();
    QCOMPARE(counts.value(QLatin1String("requests")).toInt(), 8);
    QCOMPARE(counts.value(QLatin1String("rateLimited")).toInt(), 2);
    QCOMPARE(counts.value(QLatin1String("maxPerWindow")).toInt(), 5);
    QVERIFY2(window.elapsed() < 2000,
             "the requests above took longer than the window; the test proves nothing");

    QTest::qWait(int(2100 - window.elapsed()));
    const Answer recovered = get(QStringLiteral("/validate"));
    QCOMPARE(recovered.status, 200);
    QCOMPARE(recovered.header("X-RateLimit-Remaining"), QByteArray("4"));
    counts = stats();
    QCOMPARE(counts.value(QLatin1String("rateLimited")).toInt(), 2);
    QCOMPARE(counts.value(QLatin1String("maxPerWindow")).toInt(), 5);
    QCOMPARE(counts.value(QLatin1String("requests")).toInt(), 9);
}

void TestSandboxServer::rateLimitWindowSlides()
{
    // 3 requests at t=0 and 2 at t=1 s, with 5 per 2 s: at t=2.1 s only the first 3 have left the
    // window. A fixed window would have reset to 5 and answer 4 remaining; a sliding one answers 2.
    startServer(limitedConfig(5, 2));
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 3; ++i)
        QCOMPARE(get(QStringLiteral("/validate")).status, 200);
    QTest::qWait(int(1000 - clock.elapsed()));
    QCOMPARE(get(QStringLiteral("/validate")).header("X-RateLimit-Remaining"), QByteArray("1"));
    QCOMPARE(get(QStringLiteral("/validate")).header("X-RateLimit-Remaining"), QByteArray("0"));
    QCOMPARE(get(QStringLiteral("/validate")).status, 429);
    QTest::qWait(int(2150 - clock.elapsed()));
    QVERIFY2(clock.elapsed() < 2800, "too slow to tell a sliding window from a fixed one");
    const Answer answer = get(QStringLiteral("/validate"));
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray("2"));
}

void TestSandboxServer::rateLimitIsPerKey()
{
    startServer(limitedConfig(2, 60));
    QCOMPARE(get(QStringLiteral("/validate")).status, 200);
    QCOMPARE(get(QStringLiteral("/validate")).status, 200);
    const Answer refused = get(QStringLiteral("/validate"));
    QCOMPARE(refused.status, 429);
    const int retryAfter = refused.header("Retry-After").toInt();
    QVERIFY2(retryAfter >= 59 && retryAfter <= 60, refused.header("Retry-After").constData());
    const Answer other = get(QStringLiteral("/validate"), QUrlQuery(), "other");
    QCOMPARE(other.status, 200);
    QCOMPARE(other.header("X-RateLimit-Remaining"), QByteArray("1"));
    QCOMPARE(stats().value(QLatin1String("maxPerWindow")).toInt(), 2);
}

// ---------------------------------------------------------------------------------------------
// 5. State

void TestSandboxServer::upsertMergesProperties()
{
    const QString user = QStringLiteral("/users/upsert");
    QCOMPARE(
        post(user, parseObject(R"({"identification":{"userId":"u1"},"properties":{"plan":"Pro","seats":3,)"
                               R"("tags":["a","b"],"created_at":"2024-05-01T10:00:00Z","note":"hi"}})"))
            .status,
        201);
    // A second upsert changes one value, adds one, empties one and leaves the rest alone.
    QCOMPARE(
        post(user, parseObject(R"({"identification":{"userId":"u1"},"properties":{"seats":5,"paying":true,)"
                               R"("note":""}})"))
            .status,
        201);
    QJsonObject stored = inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"));
    QCOMPARE(
        compact(stored.value(QLatin1String("properties"))),
        QByteArray(R"({"created_at":"2024-05-01T10:00:00Z","note":"","paying":true,"plan":"Pro","seats":5,)"
                   R"("tags":["a","b"]})"));
    // null deletes that one property only.
    QCOMPARE(
        post(user, parseObject(R"({"identification":{"userId":"u1"},"properties":{"plan":null}})")).status,
        201);
    stored = inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"));
    QCOMPARE(
        compact(stored.value(QLatin1String("properties"))),
        QByteArray(
            R"({"created_at":"2024-05-01T10:00:00Z","note":"","paying":true,"seats":5,"tags":["a","b"]})"));
    QCOMPARE(stored.value(QLatin1String("userId")).toString(), QStringLiteral("u1"));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);

    // Accounts merge the same way.
    const QString account = QStringLiteral("/accounts/upsert");
    QCOMPARE(post(account,
                  parseObject(R"({"identification":{"accountId":"a1"},"properties":{"mrr":100,"x":"y"}})"))
                 .status,
             201);
    QCOMPARE(post(account,
                  parseObject(R"({"identification":{"accountId":"a1"},"properties":{"mrr":150,"x":null}})"))
                 .status,
             201);
    QCOMPARE(compact(inspect(QStringLiteral("/_sandbox/accounts"), "accountId", QStringLiteral("a1"))
                         .value(QLatin1String("properties"))),
             QByteArray(R"({"mrr":150})"));
}

void TestSandboxServer::typeConflictsAreRejected()
{
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()},
                                       {field(QStringLiteral("created_at:date=2024-05-01T10:00:00Z")),
                                        field(QStringLiteral("seats:number=3")),
                                        field(QStringLiteral("plan=Pro"))}))
                .ok());
    const ApiResult result = run(ApiRequest::upsertUser(
        {QStringLiteral("u1"), QString()},
        {field(QStringLiteral("created_at:bool=true")), field(QStringLiteral("seats=many")),
         field(QStringLiteral("plan:date=2024-06-01T00:00:00Z")), field(QStringLiteral("city=Ghent"))}));
    // The request succeeded; the conflicting properties are warnings, the rest is stored.
    QCOMPARE(result.httpStatus, 201);
    QVERIFY(result.ok());
    const QMap<QString, QString> rejected{
        {QStringLiteral("created_at"), QStringLiteral("Expected a date but found a boolean.")},
        {QStringLiteral("seats"), QStringLiteral("Expected a number but found a string.")}};
    QCOMPARE(result.rejected, rejected);
    QCOMPARE(m_spec.checkResponse(QStringLiteral("upsertUser"), 201, parseObject(result.responseBody)),
             QStringList());
    // The old values stay; a date is also a string, so the string property takes one.
    const QJsonObject stored = inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"));
    QCOMPARE(
        compact(stored.value(QLatin1String("properties"))),
        QByteArray(R"({"city":"Ghent","created_at":"2024-05-01T10:00:00Z","plan":"2024-06-01T00:00:00Z",)"
                   R"("seats":3})"));

    // The types belong to the property, not the user: another user meets the same conflict.
    const ApiResult other = run(ApiRequest::upsertUser({QStringLiteral("u2"), QString()},
                                                       {field(QStringLiteral("seats:bool=false"))}));
    QCOMPARE(other.rejected,
             (QMap<QString, QString>{
                 {QStringLiteral("seats"), QStringLiteral("Expected a number but found a boolean.")}}));
    // Null and "" fit any type.
    const ApiResult fits = run(
        ApiRequest::upsertUser({QStringLiteral("u1"), QString()},
                               {field(QStringLiteral("seats:null")), field(QStringLiteral("created_at="))}));
    QVERIFY(fits.rejected.isEmpty());
    QCOMPARE(compact(inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"))
                         .value(QLatin1String("properties"))),
             QByteArray(R"({"city":"Ghent","created_at":"","plan":"2024-06-01T00:00:00Z"})"));

    // Accounts have their own catalog: "seats" is free to be a boolean there.
    const ApiResult account = run(ApiRequest::upsertAccount({QStringLiteral("a1"), QString()},
                                                            {field(QStringLiteral("seats:bool=true"))}));
    QVERIFY(account.ok());
    QVERIFY(account.rejected.isEmpty());
}

void TestSandboxServer::usersFoundByUserIdOrEmail()
{
    // Created by email only, then given a userId: one user, found both ways.
    QVERIFY(run(ApiRequest::upsertUser({QString(), QStringLiteral("Ann@Acme.com")},
                                       {field(QStringLiteral("a=1"))}))
                .ok());
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u-ann"), QStringLiteral("ann@acme.com")},
                                       {field(QStringLiteral("b=2"))}))
                .ok());
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);
    const QJsonObject byId = inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u-ann"));
    const QJsonObject byEmail =
        inspect(QStringLiteral("/_sandbox/users"), "email", QStringLiteral("ANN@acme.com"));
    QCOMPARE(byId.value(QLatin1String("email")).toString(), QStringLiteral("ann@acme.com"));
    QCOMPARE(byId.value(QLatin1String("kind")).toString(), QStringLiteral("user"));
    QCOMPARE(compact(byId.value(QLatin1String("properties"))), QByteArray(R"({"a":"1","b":"2"})"));
    QCOMPARE(compact(byEmail), compact(byId));
    QVERIFY(QDateTime::fromString(byId.value(QLatin1String("createdAt")).toString(), Qt::ISODateWithMs)
                .isValid());

    // Later upserts by email alone reach the same user.
    QVERIFY(run(ApiRequest::upsertUser({QString(), QStringLiteral("ann@acme.com")},
                                       {field(QStringLiteral("c=3"))}))
                .ok());
    QCOMPARE(compact(inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u-ann"))
                         .value(QLatin1String("properties"))),
             QByteArray(R"({"a":"1","b":"2","c":"3"})"));

    QUrlQuery unknown;
    unknown.addQueryItem(QStringLiteral("userId"), QStringLiteral("nobody"));
    const Answer missing = get(QStringLiteral("/_sandbox/users"), unknown, QByteArray());
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.message(), QStringLiteral("No user matches"));
    unknown = QUrlQuery();
    unknown.addQueryItem(QStringLiteral("domain"), QStringLiteral("nowhere.com"));
    QCOMPARE(get(QStringLiteral("/_sandbox/accounts"), unknown, QByteArray()).message(),
             QStringLiteral("No account matches"));
}

void TestSandboxServer::memberships()
{
    const AccountIdentification acme{QStringLiteral("acc-1"), QStringLiteral("acme.com")};
    const UserIdentification ann{QStringLiteral("u-ann"), QString()};
    const UserIdentification bob{QString(), QStringLiteral("bob@acme.com")};
    QVERIFY(run(ApiRequest::addUsersToAccount(acme, {ann, bob})).ok());

    auto members = [this](const char *name, const QString &value) {
        QStringList list;
        const QJsonArray array = inspect(QStringLiteral("/_sandbox/accounts"), name, value)
                                     .value(QLatin1String("members"))
                                     .toArray();
        for (const QJsonValue &member : array) {
            const QJsonObject object = member.toObject();
            list.append(QStringLiteral("%1/%2/%3")
                            .arg(object.value(QLatin1String("userId")).toString(),
                                 object.value(QLatin1String("email")).toString(),
                                 object.value(QLatin1String("removed")).toBool() ? QStringLiteral("removed")
                                                                                 : QStringLiteral("member")));
        }
        return list;
    };
    QCOMPARE(members("accountId", QStringLiteral("acc-1")),
             QStringList({QStringLiteral("u-ann//member"), QStringLiteral("/bob@acme.com/member")}));
    // Membership calls create the users and the account they name.
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 2);
    QCOMPARE(stats().value(QLatin1String("accounts")).toInt(), 1);

    // Removed users stay listed, marked removed.
    const ApiResult removed =
        run(ApiRequest::removeUsersFromAccount({QString(), QStringLiteral("acme.com")}, {bob}));
    QCOMPARE(removed.httpStatus, 204);
    QVERIFY(removed.ok());
    QCOMPARE(members("domain", QStringLiteral("acme.com")),
             QStringList({QStringLiteral("u-ann//member"), QStringLiteral("/bob@acme.com/removed")}));
    const QJsonArray bobAccounts =
        inspect(QStringLiteral("/_sandbox/users"), "email", QStringLiteral("bob@acme.com"))
            .value(QLatin1String("accounts"))
            .toArray();
    QCOMPARE(bobAccounts.size(), 1);
    QCOMPARE(bobAccounts.at(0).toObject().value(QLatin1String("accountId")).toString(),
             QStringLiteral("acc-1"));
    QCOMPARE(bobAccounts.at(0).toObject().value(QLatin1String("removed")).toBool(), true);

    // Added again, Bob is a member again.
    QVERIFY(run(ApiRequest::addUsersToAccount(acme, {bob})).ok());
    QCOMPARE(members("accountId", QStringLiteral("acc-1")),
             QStringList({QStringLiteral("u-ann//member"), QStringLiteral("/bob@acme.com/member")}));
}

void TestSandboxServer::deleteUserLeavesAccounts()
{
    const AccountIdentification acme{QStringLiteral("acc-1"), QString()};
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QStringLiteral("one@acme.com")}, {})).ok());
    QVERIFY(run(ApiRequest::addUsersToAccount(
                    acme, {{QStringLiteral("u1"), QString()}, {QStringLiteral("u2"), QString()}}))
                .ok());
    const ApiResult deleted = run(ApiRequest::deleteUser({QString(), QStringLiteral("one@acme.com")}));
    QCOMPARE(deleted.httpStatus, 202);
    QCOMPARE(deleted.message, QStringLiteral("User will be deleted"));

    QUrlQuery query;
    query.addQueryItem(QStringLiteral("userId"), QStringLiteral("u1"));
    QCOMPARE(get(QStringLiteral("/_sandbox/users"), query, QByteArray()).status, 404);
    const QJsonArray members =
        inspect(QStringLiteral("/_sandbox/accounts"), "accountId", QStringLiteral("acc-1"))
            .value(QLatin1String("members"))
            .toArray();
    QCOMPARE(members.size(), 1);
    QCOMPARE(members.at(0).toObject().value(QLatin1String("userId")).toString(), QStringLiteral("u2"));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);

    // Deleting someone unknown is still a 202: journy.io deletes asynchronously.
    QCOMPARE(run(ApiRequest::deleteUser({QStringLiteral("ghost"), QString()})).httpStatus, 202);
    // The freed email and ID can be used again, for a new user without the old properties.
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {})).ok());
    QCOMPARE(compact(inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"))
                         .value(QLatin1String("accounts"))),
             QByteArray("[]"));
}

void TestSandboxServer::deleteAccount()
{
    QVERIFY(run(ApiRequest::addUsersToAccount({QStringLiteral("acc-1"), QStringLiteral("acme.com")},
                                              {{QStringLiteral("u1"), QString()}}))
                .ok());
    const ApiResult deleted = run(ApiRequest::deleteAccount({QString(), QStringLiteral("acme.com")}));
    QCOMPARE(deleted.httpStatus, 202);
    QCOMPARE(deleted.message, QStringLiteral("Account will be deleted"));
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("accountId"), QStringLiteral("acc-1"));
    QCOMPARE(get(QStringLiteral("/_sandbox/accounts"), query, QByteArray()).status, 404);
    QCOMPARE(stats().value(QLatin1String("accounts")).toInt(), 0);
    // The user stays, without the account.
    QCOMPARE(compact(inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"))
                         .value(QLatin1String("accounts"))),
             QByteArray("[]"));
}

void TestSandboxServer::eventsAreStoredAndFiltered()
{
    const UserIdentification ann{QStringLiteral("u-ann"), QString()};
    const AccountIdentification acme{QStringLiteral("acc-1"), QString()};
    const AccountIdentification beta{QStringLiteral("acc-2"), QString()};
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(run(ApiRequest::trackEvent(QStringLiteral("Invoice paid"), ann, acme,
                                       {field(QStringLiteral("amount:number=99.5")),
                                        field(QStringLiteral("plan=Pro")),
                                        field(QStringLiteral("first:bool=true")),
                                        field(QStringLiteral("due:date=2024-06-01T00:00:00+02:00"))},
                                       QStringLiteral("2024-05-01T10:00:00Z")))
                .ok());
    QVERIFY(run(ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), ann, {}, {})).ok());
    QVERIFY(run(ApiRequest::trackEvent(QStringLiteral("Invoice paid"), {}, beta, {})).ok());
    const QDateTime after = QDateTime::currentDateTimeUtc();

    auto events = [this](std::initializer_list<std::pair<const char *, const char *>> filters) {
        QUrlQuery query;
        for (const auto &filter : filters)
            query.addQueryItem(QLatin1String(filter.first), QLatin1String(filter.second));
        const Answer answer = get(QStringLiteral("/_sandbox/events"), query, QByteArray());
        return answer.json.value(QLatin1String("data")).toArray();
    };
    auto names = [](const QJsonArray &list) {
        QStringList result;
        for (const QJsonValue &event : list)
            result.append(event.toObject().value(QLatin1String("name")).toString() + QLatin1Char('@') +
                          event.toObject().value(QLatin1String("endpoint")).toString());
        return result;
    };
    const QString paid = QStringLiteral("Invoice paid@/track");
    const QString legacy = QStringLiteral("Logged in@/events");
    QCOMPARE(names(events({})), QStringList({paid, legacy, paid}));
    QCOMPARE(names(events({{"name", "Invoice paid"}})), QStringList({paid, paid}));
    QCOMPARE(names(events({{"userId", "u-ann"}})), QStringList({paid, legacy}));
    QCOMPARE(names(events({{"accountId", "acc-2"}})), QStringList({paid}));
    QCOMPARE(names(events({{"name", "Logged in"}, {"userId", "u-ann"}})), QStringList({legacy}));
    QCOMPARE(names(events({{"name", "Logged in"}, {"accountId", "acc-1"}})), QStringList());
    QCOMPARE(names(events({{"userId", "nobody"}})), QStringList());
    QCOMPARE(stats().value(QLatin1String("events")).toInt(), 3);

    const QJsonObject first = events({}).at(0).toObject();
    // Metadata keeps its JSON types; it never becomes user or account properties.
    QCOMPARE(compact(first.value(QLatin1String("metadata"))),
             QByteArray(R"({"amount":99.5,"due":"2024-06-01T00:00:00+02:00","first":true,"plan":"Pro"})"));
    QVERIFY(first.value(QLatin1String("metadata")).toObject().value(QLatin1String("amount")).isDouble());
    QVERIFY(first.value(QLatin1String("metadata")).toObject().value(QLatin1String("first")).isBool());
    QCOMPARE(first.value(QLatin1String("triggeredAt")).toString(), QStringLiteral("2024-05-01T10:00:00Z"));
    QCOMPARE(compact(first.value(QLatin1String("identification"))),
             QByteArray(R"({"account":{"accountId":"acc-1"},"user":{"userId":"u-ann"}})"));
    QCOMPARE(run(ApiRequest::listUserProperties()).data.toArray().size(), 0);

    // Left out, triggeredAt is the time the sandbox received the event.
    const QDateTime defaulted = QDateTime::fromString(
        events({{"name", "Logged in"}}).at(0).toObject().value(QLatin1String("triggeredAt")).toString(),
        Qt::ISODateWithMs);
    QVERIFY(defaulted.isValid());
    QVERIFY2(defaulted >= before.addMSecs(-1) && defaulted <= after.addMSecs(1),
             qPrintable(defaulted.toString(Qt::ISODateWithMs)));
}

void TestSandboxServer::catalogs()
{
    QVERIFY(run(ApiRequest::trackEvent(QStringLiteral("Signed up"), {QStringLiteral("u"), QString()}, {}, {}))
                .ok());
    QVERIFY(run(ApiRequest::trackLegacyEvent(QStringLiteral("Invoice paid"), {QStringLiteral("u"), QString()},
                                             {}, {}))
                .ok());
    QVERIFY(run(ApiRequest::trackEvent(QStringLiteral("Signed up"), {QStringLiteral("v"), QString()}, {}, {}))
                .ok());
    // Property names in the order first seen, each once.
    QVERIFY(run(ApiRequest::raw(Operation::UpsertUser,
                                parseObject(R"({"identification":{"userId":"u"},"properties":{"zeta":1}})")))
                .ok());
    QVERIFY(run(ApiRequest::raw(
                    Operation::UpsertUser,
                    parseObject(R"({"identification":{"userId":"u"},"properties":{"alpha":"x","zeta":2}})")))
                .ok());
    QVERIFY(
        run(ApiRequest::raw(Operation::UpsertAccount,
                            parseObject(R"({"identification":{"accountId":"a"},"properties":{"mrr":1}})")))
            .ok());

    const ApiResult events = run(ApiRequest::listEvents());
    QCOMPARE(compact(events.data),
             compact(QJsonArray{segment("evt-1", "Signed up"), segment("evt-2", "Invoice paid")}));
    QCOMPARE(events.events().value().size(), 2);
    QCOMPARE(m_spec.checkResponse(QStringLiteral("getEvents"), 200, parseObject(events.responseBody)),
             QStringList());
    const ApiResult users = run(ApiRequest::listUserProperties());
    QCOMPARE(compact(users.data), compact(QJsonArray{catalogEntry("zeta"), catalogEntry("alpha")}));
    QCOMPARE(m_spec.checkResponse(QStringLiteral("getUserProperties"), 200, parseObject(users.responseBody)),
             QStringList());
    const ApiResult accounts = run(ApiRequest::listAccountProperties());
    QCOMPARE(compact(accounts.data), compact(QJsonArray{catalogEntry("mrr")}));
    QCOMPARE(
        m_spec.checkResponse(QStringLiteral("getAccountProperties"), 200, parseObject(accounts.responseBody)),
        QStringList());
}

void TestSandboxServer::segmentsComeFromTheConfig()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.userSegments = {{QStringLiteral("s-1"), QStringLiteral("Beta testers")}};
    config.accountSegments = {};
    startServer(config);
    const ApiResult users = run(ApiRequest::listUserSegments());
    QCOMPARE(compact(users.data), compact(QJsonArray{segment("s-1", "Beta testers")}));
    QCOMPARE(m_spec.checkResponse(QStringLiteral("getUserSegments"), 200, parseObject(users.responseBody)),
             QStringList());
    const ApiResult accounts = run(ApiRequest::listAccountSegments());
    QCOMPARE(accounts.httpStatus, 200);
    QCOMPARE(compact(accounts.data), QByteArray("[]"));
    QCOMPARE(
        m_spec.checkResponse(QStringLiteral("getAccountSegments"), 200, parseObject(accounts.responseBody)),
        QStringList());
}

void TestSandboxServer::websiteSnippets()
{
    // The default configuration's demo site, so the console's snippet page shows something.
    const ApiResult demo = run(ApiRequest::trackingSnippet(QStringLiteral("demo.example.com")));
    QCOMPARE(demo.httpStatus, 200);
    QCOMPARE(demo.trackingSnippet().value().domain, QStringLiteral("demo.example.com"));
    QVERIFY(demo.trackingSnippet().value().snippet.startsWith(QLatin1String("<script>")));
    QCOMPARE(demo.trackingSnippet().value().snippet,
             SandboxConfig::defaults().websites.value(QStringLiteral("demo.example.com")));
    // Domains are not case-sensitive.
    QCOMPARE(run(ApiRequest::trackingSnippet(QStringLiteral("Demo.Example.COM"))).httpStatus, 200);

    const ApiResult unknown = run(ApiRequest::trackingSnippet(QStringLiteral("unknown.example.com")));
    QCOMPARE(unknown.httpStatus, 404);
    QCOMPARE(unknown.message, QStringLiteral("No website found for domain unknown.example.com"));
    QCOMPARE(
        m_spec.checkResponse(QStringLiteral("getTrackingSnippet"), 404, parseObject(unknown.responseBody)),
        QStringList());

    SandboxConfig config = SandboxConfig::defaults();
    config.websites = {{QStringLiteral("shop.acme.com"), QStringLiteral("<script>shop</script>")}};
    startServer(config);
    QCOMPARE(
        run(ApiRequest::trackingSnippet(QStringLiteral("shop.acme.com"))).trackingSnippet().value().snippet,
        QStringLiteral("<script>shop</script>"));
    QCOMPARE(run(ApiRequest::trackingSnippet(QStringLiteral("demo.example.com"))).httpStatus, 404);
}

void TestSandboxServer::linkRecordsTheDevice()
{
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QStringLiteral("one@acme.com")}, {})).ok());
    const ApiResult linked =
        run(ApiRequest::link(QStringLiteral("dev-1"), {QStringLiteral("u1"), QString()}));
    QCOMPARE(linked.httpStatus, 201);
    QVERIFY(run(ApiRequest::link(QStringLiteral("dev-2"), {QString(), QStringLiteral("one@acme.com")})).ok());
    QVERIFY(run(ApiRequest::link(QStringLiteral("dev-3"), {QStringLiteral("someone-else"), QString()})).ok());
    QJsonArray devices = inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1"))
                             .value(QLatin1String("devices"))
                             .toArray();
    QStringList names;
    for (const QJsonValue &device : devices)
        names.append(device.toString());
    names.sort();
    QCOMPARE(names, QStringList({QStringLiteral("dev-1"), QStringLiteral("dev-2")}));
}

// ---------------------------------------------------------------------------------------------
// 6. Inspection

void TestSandboxServer::inspectionStatsAndReset()
{
    QCOMPARE(
        compact(stats()),
        QByteArray(R"({"accounts":0,"events":0,"maxPerWindow":0,"rateLimited":0,"requests":0,"users":0})"));
    QVERIFY(run(ApiRequest::addUsersToAccount(
                    {QStringLiteral("a1"), QString()},
                    {{QStringLiteral("u1"), QString()}, {QStringLiteral("u2"), QString()}}))
                .ok());
    QVERIFY(run(ApiRequest::trackEvent(QStringLiteral("E"), {QStringLiteral("u1"), QString()}, {}, {})).ok());
    QVERIFY(
        run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {field(QStringLiteral("p=1"))})).ok());
    QCOMPARE(
        compact(stats()),
        QByteArray(R"({"accounts":1,"events":1,"maxPerWindow":3,"rateLimited":0,"requests":3,"users":2})"));

    const Answer reset =
        call("POST", QStringLiteral("/_sandbox/reset"), QUrlQuery(), QByteArray(), QByteArray());
    QCOMPARE(reset.status, 200);
    QCOMPARE(reset.message(), QStringLiteral("Sandbox state cleared"));
    // State is gone; the request counters describe the server, not its state, and stay.
    QCOMPARE(
        compact(stats()),
        QByteArray(R"({"accounts":0,"events":0,"maxPerWindow":3,"rateLimited":0,"requests":3,"users":0})"));
    QCOMPARE(compact(run(ApiRequest::listEvents()).data), QByteArray("[]"));
    QCOMPARE(compact(run(ApiRequest::listUserProperties()).data), QByteArray("[]"));
    QCOMPARE(run(ApiRequest::listUserSegments()).data.toArray().size(), 3); // config, not state
    QCOMPARE(
        get(QStringLiteral("/_sandbox/events"), QUrlQuery(), QByteArray()).json.value(QLatin1String("data")),
        QJsonValue(QJsonArray()));

    const Answer unknown = get(QStringLiteral("/_sandbox/nothing"), QUrlQuery(), QByteArray());
    QCOMPARE(unknown.status, 404);
    QCOMPARE(unknown.message(),
             QStringLiteral("Unknown sandbox path; see GET /_sandbox/users|accounts|events|stats, "
                            "POST /_sandbox/reset"));
    // Reset is a POST: a GET must not wipe anything by accident (a browser prefetch, say).
    QCOMPARE(get(QStringLiteral("/_sandbox/reset"), QUrlQuery(), QByteArray()).status, 404);
}

void TestSandboxServer::inspectionNeedsNoKeyAndIsNotCounted()
{
    startServer(limitedConfig(1, 60));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(get(QStringLiteral("/_sandbox/stats"), QUrlQuery(), "nope").status, 200);
    // The inspection calls used none of the key's single request.
    QCOMPARE(get(QStringLiteral("/validate")).status, 200);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 1);
}

// ---------------------------------------------------------------------------------------------
// Persistence

void TestSandboxServer::stateSurvivesARestart()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("sandbox.db"));
    startPersistent(file);
    QVERIFY(run(ApiRequest::upsertUser({QStringLiteral("u1"), QStringLiteral("one@acme.com")},
                                       {field(QStringLiteral("plan=Pro")),
                                        field(QStringLiteral("seats:number=3")),
                                        field(QStringLiteral("tags:list=a,b"))}))
                .ok());
    QVERIFY(run(ApiRequest::upsertAccount({QStringLiteral("a1"), QStringLiteral("acme.com")},
                                          {field(QStringLiteral("mrr:number=100"))}))
                .ok());
    QVERIFY(run(ApiRequest::addUsersToAccount(
                    {QStringLiteral("a1"), QString()},
                    {{QStringLiteral("u1"), QString()}, {QStringLiteral("u2"), QString()}}))
                .ok());
    QCOMPARE(run(ApiRequest::removeUsersFromAccount({QStringLiteral("a1"), QString()},
                                                    {{QStringLiteral("u2"), QString()}}))
                 .httpStatus,
             204);
    QVERIFY(
        run(ApiRequest::trackEvent(QStringLiteral("Signed up"), {QStringLiteral("u1"), QString()},
                                   {QStringLiteral("a1"), QString()}, {field(QStringLiteral("n:number=1"))}))
            .ok());
    QVERIFY(run(ApiRequest::trackLegacyEvent(QStringLiteral("Logged in"), {QStringLiteral("u2"), QString()},
                                             {}, {}))
                .ok());
    QVERIFY(run(ApiRequest::link(QStringLiteral("dev-1"), {QStringLiteral("u1"), QString()})).ok());

    auto snapshot = [this] {
        QJsonObject all;
        all.insert(QLatin1String("u1"),
                   inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u1")));
        all.insert(QLatin1String("u2"),
                   inspect(QStringLiteral("/_sandbox/users"), "userId", QStringLiteral("u2")));
        all.insert(QLatin1String("a1"),
                   inspect(QStringLiteral("/_sandbox/accounts"), "domain", QStringLiteral("acme.com")));
        all.insert(QLatin1String("events"), get(QStringLiteral("/_sandbox/events"), QUrlQuery(), QByteArray())
                                                .json.value(QLatin1String("data")));
        all.insert(QLatin1String("eventCatalog"), run(ApiRequest::listEvents()).data);
        all.insert(QLatin1String("userProperties"), run(ApiRequest::listUserProperties()).data);
        all.insert(QLatin1String("accountProperties"), run(ApiRequest::listAccountProperties()).data);
        QJsonObject counts = stats();
        // Request counters belong to a server run, not to the stored state.
        counts.remove(QLatin1String("requests"));
        counts.remove(QLatin1String("maxPerWindow"));
        all.insert(QLatin1String("stats"), counts);
        return all;
    };
    const QJsonObject before = snapshot();
    // The snapshot holds what it should, so comparing it proves something.
    QCOMPARE(compact(before.value(QLatin1String("stats"))),
             QByteArray(R"({"accounts":1,"events":2,"rateLimited":0,"users":2})"));
    QCOMPARE(before.value(QLatin1String("u1")).toObject().value(QLatin1String("devices")),
             QJsonValue(QJsonArray{QLatin1String("dev-1")}));
    QCOMPARE(before.value(QLatin1String("a1")).toObject().value(QLatin1String("members")).toArray().size(),
             2);
    QCOMPARE(before.value(QLatin1String("eventCatalog")).toArray().size(), 2);
    QCOMPARE(before.value(QLatin1String("userProperties")).toArray().size(), 3);

    startPersistent(file);
    const QJsonObject after = snapshot();
    QCOMPARE(compact(after), compact(before));

    // The reloaded state behaves like the original: merges, conflicts and lookups by email.
    const ApiResult conflict = run(ApiRequest::upsertUser({QString(), QStringLiteral("one@acme.com")},
                                                          {field(QStringLiteral("seats=many"))}));
    QCOMPARE(conflict.rejected.value(QStringLiteral("seats")),
             QStringLiteral("Expected a number but found a string."));
    QVERIFY(
        run(ApiRequest::trackEvent(QStringLiteral("Third"), {QStringLiteral("u1"), QString()}, {}, {})).ok());
    QCOMPARE(compact(run(ApiRequest::listEvents()).data),
             compact(QJsonArray{segment("evt-1", "Signed up"), segment("evt-2", "Logged in"),
                                segment("evt-3", "Third")}));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 2);
}

void TestSandboxServer::catalogOrderSurvivesRestarts()
{
    // The catalogs list names in the order first seen; that order must not change when the
    // sandbox restarts, nor when names seen after a restart are added.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("sandbox.db"));
    auto restart = [&] { startPersistent(file); };
    auto names = [](const QJsonValue &data) {
        QStringList list;
        for (const QJsonValue &entry : data.toArray())
            list.append(entry.toObject().value(QLatin1String("name")).toString());
        return list;
    };
    auto addProperty = [this](const char *name) {
        QVERIFY(run(ApiRequest::raw(Operation::UpsertUser,
                                    QJsonObject{{QLatin1String("identification"),
                                                 QJsonObject{{QLatin1String("userId"), QLatin1String("u")}}},
                                                {QLatin1String("properties"),
                                                 QJsonObject{{QLatin1String(name), QLatin1String("v")}}}}))
                    .ok());
    };
    auto addEvent = [this](const char *name) {
        QVERIFY(
            run(ApiRequest::trackEvent(QLatin1String(name), {QStringLiteral("u"), QString()}, {}, {})).ok());
    };

    // Events first, then properties: the last positions handed out are catalog positions,
    // not row IDs, which is what a restart must not forget.
    restart();
    addEvent("e1");
    addEvent("e2");
    addProperty("p1");
    addProperty("p2");
    addProperty("p3");
    restart();
    addProperty("p4");
    addEvent("e3");
    const QStringList properties{QStringLiteral("p1"), QStringLiteral("p2"), QStringLiteral("p3"),
                                 QStringLiteral("p4")};
    const QStringList events{QStringLiteral("e1"), QStringLiteral("e2"), QStringLiteral("e3")};
    QCOMPARE(names(run(ApiRequest::listUserProperties()).data), properties);
    QCOMPARE(names(run(ApiRequest::listEvents()).data), events);
    restart();
    QCOMPARE(names(run(ApiRequest::listUserProperties()).data), properties);
    QCOMPARE(names(run(ApiRequest::listEvents()).data), events);
}

void TestSandboxServer::resetAndDeletionsArePersisted()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("sandbox.db"));
    auto restart = [&] { startPersistent(file); };
    restart();
    QVERIFY(run(ApiRequest::addUsersToAccount(
                    {QStringLiteral("a1"), QString()},
                    {{QStringLiteral("u1"), QString()}, {QStringLiteral("u2"), QString()}}))
                .ok());
    QCOMPARE(run(ApiRequest::deleteUser({QStringLiteral("u1"), QString()})).httpStatus, 202);
    restart();
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);
    const QJsonArray members =
        inspect(QStringLiteral("/_sandbox/accounts"), "accountId", QStringLiteral("a1"))
            .value(QLatin1String("members"))
            .toArray();
    QCOMPARE(members.size(), 1);
    QCOMPARE(members.at(0).toObject().value(QLatin1String("userId")).toString(), QStringLiteral("u2"));

    QCOMPARE(call("POST", QStringLiteral("/_sandbox/reset"), QUrlQuery(), QByteArray(), QByteArray()).status,
             200);
    restart();
    QCOMPARE(
        compact(stats()),
        QByteArray(R"({"accounts":0,"events":0,"maxPerWindow":0,"rateLimited":0,"requests":0,"users":0})"));
}

void TestSandboxServer::unusableDataFile_data()
{
    QTest::addColumn<QByteArray>("content"); // what the file holds, or <dir>, or SQL for a SQLite file
    QTest::addColumn<QString>("expected");   // a part of the error message
    QTest::addColumn<bool>("untouched");     // the file must be left byte for byte as it was

    QByteArray random;
    for (int i = 0; i < 4096; ++i)
        random.append(char((i * 7919 + 13) % 251));
    QTest::newRow("random bytes") << random
                                  << QStringLiteral(": not a usable sandbox database: file is not a database")
                                  << true;
    QTest::newRow("text") << QByteArray("users,accounts\nann,acme\n")
                          << QStringLiteral(": not a usable sandbox database: file is not a database")
                          << true;
    QTest::newRow("another program's SQLite file")
        << QByteArray("sql:CREATE TABLE contacts (name TEXT)")
        << QStringLiteral(
               ": not a usable sandbox database: it holds a table 'contacts' the sandbox does not use "
               "(another program's database?)")
        << true;
    QTest::newRow("sandbox table with other columns")
        << QByteArray("sql:CREATE TABLE entities (name TEXT)")
        << QStringLiteral(": not a usable sandbox database: no such column: kind") << false;
    QTest::newRow("directory") << QByteArray("<dir>") << QStringLiteral(": unable to open database file")
                               << true;
}

void TestSandboxServer::unusableDataFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expected);
    QFETCH(bool, untouched);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("data.db"));
    if (content == "<dir>") {
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("data.db")));
    } else if (content.startsWith("sql:")) {
        // A real SQLite file of some other program.
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("foreign"));
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QString::fromLatin1(content.mid(4))));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("foreign"));
    } else {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content);
    }
    QFile original(file);
    const QByteArray bytesBefore = original.open(QIODevice::ReadOnly) ? original.readAll() : QByteArray();
    original.close();

    m_server = std::make_unique<SandboxServer>(SandboxConfig::defaults());
    QString error;
    QVERIFY(!m_server->openData(file, &error));
    // The message names the file and the problem, so the user knows what to fix.
    QVERIFY2(error.startsWith(file + expected), qPrintable(error));

    // The user's file is left as it was.
    if (untouched && content != "<dir>") {
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(original.readAll(), bytesBefore);
    }
    // And the server object is still usable (in memory): no crash, no half-open state.
    QVERIFY(m_server->start());
    QCOMPARE(run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {})).httpStatus, 201);
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 1);
}

// ---------------------------------------------------------------------------------------------
// 7. Fault injection

namespace {

SandboxConfig faultyConfig(quint32 seed)
{
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.seed = seed;
    return config;
}

} // namespace

void TestSandboxServer::faultFail()
{
    SandboxConfig config = faultyConfig(7);
    config.faults.failRate = 1;
    startServer(config);
    for (const ApiRequest &request :
         {ApiRequest::validate(), ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {})}) {
        const ApiResult result = run(request);
        QCOMPARE(result.httpStatus, 500);
        QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
        QCOMPARE(result.failure, ApiResult::Failure::None); // a clean JSON 500, not a transport failure
        QCOMPARE(result.message, QStringLiteral("Internal server error (injected by the sandbox)"));
        QCOMPARE(m_spec.checkResponse(request.info().operationId, 500, parseObject(result.responseBody)),
                 QStringList());
    }
    // The failed upsert stored nothing; inspection is exempt from faults.
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 2);
}

void TestSandboxServer::faultDrop()
{
    SandboxConfig config = faultyConfig(7);
    config.faults.dropRate = 1;
    startServer(config);
    const ApiResult result = run(ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {}));
    QCOMPARE(result.failure, ApiResult::Failure::ConnectionReset);
    QCOMPARE(result.httpStatus, 0);
    QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
    // Qt's HTTP stack resends once or twice when a connection dies before any byte of the answer.
    const int requests = stats().value(QLatin1String("requests")).toInt();
    QVERIFY2(requests >= 1 && requests <= 3, qPrintable(QString::number(requests)));
    QCOMPARE(stats().value(QLatin1String("users")).toInt(), 0);
}

void TestSandboxServer::faultGarble()
{
    SandboxConfig config = faultyConfig(7);
    config.faults.garbleRate = 1;
    startServer(config);
    QSet<ApiResult::Failure> seen;
    for (int i = 0; i < 8; ++i) {
        const ApiResult result = run(ApiRequest::validate());
        QVERIFY2(result.failure == ApiResult::Failure::TruncatedBody ||
                     result.failure == ApiResult::Failure::NonJsonBody,
                 qPrintable(result.summary()));
        QCOMPARE(result.outcome(), ApiResult::Outcome::Failed);
        QCOMPARE(result.httpStatus, 200);
        if (result.failure == ApiResult::Failure::NonJsonBody)
            QVERIFY(result.responseBody.startsWith("<html>"));
        else
            QVERIFY(result.responseBody.startsWith("{"));
        seen.insert(result.failure);
    }
    // With this seed both kinds come up within eight answers.
    QCOMPARE(seen.size(), 2);
}

void TestSandboxServer::faultLatency()
{
    SandboxConfig config = faultyConfig(7);
    config.faults.latencyMs = 300;
    config.faults.jitterMs = 100;
    startServer(config);
    for (int i = 0; i < 3; ++i) {
        const Answer answer = get(QStringLiteral("/validate"));
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.elapsedMs >= 300, qPrintable(QString::number(answer.elapsedMs)));
        QVERIFY2(answer.elapsedMs < 300 + 100 + 2000, qPrintable(QString::number(answer.elapsedMs)));
    }
    const ApiResult result = run(ApiRequest::validate());
    QVERIFY(result.ok());
    QVERIFY2(result.latencyMs >= 300, qPrintable(QString::number(result.latencyMs)));
}

void TestSandboxServer::faultBurst()
{
    SandboxConfig config = faultyConfig(7);
    config.faults.burstRate = 1;
    config.faults.burstLength = 3;
    startServer(config);
    for (int i = 0; i < 4; ++i) {
        const Answer answer = get(QStringLiteral("/validate"));
        QCOMPARE(answer.status, 429);
        QCOMPARE(answer.message(), QStringLiteral("Too many requests (a burst injected by the sandbox)"));
        QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray("0"));
        QCOMPARE(m_spec.checkResponse(QStringLiteral("getValidity"), 429, answer.json), QStringList());
    }
    QCOMPARE(stats().value(QLatin1String("rateLimited")).toInt(), 4);

    // A burst is burstLength answers long: with a small chance per request, 429s come in threes.
    config.faults.burstRate = 0.2;
    startServer(config);
    QString sequence;
    for (int i = 0; i < 30; ++i)
        sequence += get(QStringLiteral("/validate")).status == 429 ? QLatin1Char('x') : QLatin1Char('.');
    QVERIFY2(sequence.contains(QLatin1Char('.')) && sequence.contains(QLatin1String("xxx")),
             qPrintable(sequence));
    const QRegularExpression runs(QStringLiteral("x+"));
    for (auto it = runs.globalMatch(sequence); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        // A run ending at the end of the sequence may be cut short; the others are multiples of 3.
        if (match.capturedEnd() < sequence.size())
            QVERIFY2(match.capturedLength() % 3 == 0, qPrintable(sequence));
    }
}

void TestSandboxServer::faultsAreDeterministic()
{
    auto sequence = [this](quint32 seed) {
        SandboxConfig config = faultyConfig(seed);
        config.faults.failRate = 0.3;
        config.faults.garbleRate = 0.2;
        config.faults.burstRate = 0.1;
        config.faults.burstLength = 2;
        config.faults.jitterMs = 5;
        startServer(config);
        QStringList outcomes;
        for (int i = 0; i < 30; ++i) {
            const ApiResult result = run(ApiRequest::validate());
            outcomes.append(QString::number(result.httpStatus) + QLatin1Char('/') +
                            ApiResult::failureName(result.failure));
        }
        return outcomes;
    };
    const QStringList first = sequence(42);
    const QStringList second = sequence(42);
    QCOMPARE(second, first);
    // The sequence is a mix, so the comparison above compares something.
    const QString joined = first.join(QLatin1Char(' '));
    QVERIFY2(first.contains(QStringLiteral("200/")), qPrintable(joined));
    QVERIFY2(first.contains(QStringLiteral("500/")), qPrintable(joined));
    QVERIFY2(first.contains(QStringLiteral("429/")), qPrintable(joined));
    QVERIFY2(first.contains(QStringLiteral("200/truncated-body")) ||
                 first.contains(QStringLiteral("200/non-json-body")),
             qPrintable(joined));
    QVERIFY(sequence(43) != first);
}

QTEST_GUILESS_MAIN(TestSandboxServer)
#include "tst_SandboxServer.moc"

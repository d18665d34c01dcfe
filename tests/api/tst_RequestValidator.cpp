#include <QTest>

#include "api/ApiRequest.h"
#include "api/RequestValidator.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QUrlQuery>

Q_DECLARE_METATYPE(ApiRequest)

namespace {

// A body written as JSON text, as the raw-JSON tab would send it; a typo in a test is a test bug.
QJsonObject object(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in test: %s (%s)", json, qPrintable(error.errorString()));
    return document.object();
}

ApiRequest raw(Operation operation, const char *json)
{
    return ApiRequest::raw(operation, object(json));
}

ApiRequest snippetQuery(const QString &query)
{
    return ApiRequest::raw(Operation::TrackingSnippet, QJsonObject(), QUrlQuery(query));
}

QStringList keys(std::initializer_list<const char *> paths)
{
    QStringList list;
    for (const char *path : paths)
        list << QString::fromLatin1(path);
    list.sort(); // FieldErrors is a QMap: its keys come out sorted
    return list;
}

QList<UserIdentification> someUsers(int count)
{
    QList<UserIdentification> users;
    for (int i = 0; i < count; ++i)
        users.append({QStringLiteral("u%1").arg(i), QString()});
    return users;
}

QList<TypedField> fields(const QStringList &specs)
{
    QList<TypedField> list;
    for (const QString &spec : specs) {
        TypedField field;
        QString error;
        if (!TypedField::parse(spec, &field, &error))
            qFatal("bad field in test: %s", qPrintable(error));
        list.append(field);
    }
    return list;
}

QString describe(const RequestValidator::FieldErrors &errors)
{
    QStringList lines;
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        lines << it.key() + QLatin1String(": ") + it.value();
    return lines.isEmpty() ? QStringLiteral("(no errors)") : lines.join(QLatin1String("; "));
}

const UserIdentification Jane{QStringLiteral("u1"), QStringLiteral("jane@acme.com")};
const AccountIdentification Acme{QStringLiteral("a1"), QStringLiteral("acme.com")};

} // namespace

// Pre-flight validation must report exactly the field paths a server 400 would (errors.fields), so
// the console can show client and server errors in the same place. Each invalid case asserts the
// complete set of keys: an extra key is as wrong as a missing one.
class TestRequestValidator : public QObject
{
    Q_OBJECT

private slots:
    void everyOperationHasAValidRequest();
    void valid_data();
    void valid();
    void invalid_data();
    void invalid();
    void messagesNameTheProblem();
    void trailingNewlineIsRejected_data();
    void trailingNewlineIsRejected();

    void isEmail_data();
    void isEmail();
    void isEmailAgreesWithThePattern();
    void bodyTextIsReadLikeBody();
    void bodyOverTheApiLimit();
    void isDomain_data();
    void isDomain();
};

void TestRequestValidator::everyOperationHasAValidRequest()
{
    // What the typed builders produce from sensible input must pass, for all 16 operations.
    const QList<TypedField> properties = fields(
        {QStringLiteral("plan=Pro"), QStringLiteral("mrr:number=399"), QStringLiteral("is_paying:bool=true"),
         QStringLiteral("registered_at:date=2024-05-01T10:00:00Z"), QStringLiteral("old_field:null"),
         QStringLiteral("note:empty"), QStringLiteral("tags:list=a,b")});
    const QList<TypedField> metadata =
        fields({QStringLiteral("plan=Pro"), QStringLiteral("seats:number=3"),
                QStringLiteral("trial:bool=false"), QStringLiteral("renews_at:date=2025-05-01")});
    const QList<ApiRequest> requests = {
        ApiRequest::upsertUser(Jane, properties),
        ApiRequest::deleteUser(Jane),
        ApiRequest::upsertAccount(Acme, properties),
        ApiRequest::deleteAccount(Acme),
        ApiRequest::addUsersToAccount(Acme, {Jane, {QString(), QStringLiteral("joe@acme.com")}}),
        ApiRequest::removeUsersFromAccount(Acme, {Jane}),
        ApiRequest::trackEvent(QStringLiteral("signed_up"), Jane, Acme, metadata,
                               QStringLiteral("2024-05-01T10:00:00Z")),
        ApiRequest::trackLegacyEvent(QStringLiteral("signed_up"), Jane, Acme, metadata,
                                     QStringLiteral("2024-05-01T10:00:00Z")),
        ApiRequest::link(QStringLiteral("device-123"), Jane),
        ApiRequest::trackingSnippet(QStringLiteral("acme.com")),
        ApiRequest::validate(),
        ApiRequest::listEvents(),
        ApiRequest::listUserProperties(),
        ApiRequest::listAccountProperties(),
        ApiRequest::listUserSegments(),
        ApiRequest::listAccountSegments(),
    };

    QSet<Operation> covered;
    for (const ApiRequest &request : requests) {
        covered.insert(request.operation);
        const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
        QVERIFY2(errors.isEmpty(),
                 qPrintable(request.info().operationId + QLatin1String(": ") + describe(errors)));
    }
    // Guards the list above against a forgotten or duplicated operation.
    QCOMPARE(covered.size(), 16);
    QCOMPARE(covered.size(), ApiOperation::all().size());
}

void TestRequestValidator::valid_data()
{
    QTest::addColumn<ApiRequest>("request");

    // Identification
    QTest::newRow("user, userId only") << ApiRequest::deleteUser({QStringLiteral("u1"), QString()});
    QTest::newRow("user, email only") << ApiRequest::deleteUser({QString(), QStringLiteral("jane@acme.com")});
    QTest::newRow("user, both") << ApiRequest::deleteUser(Jane);
    QTest::newRow("account, accountId only") << ApiRequest::deleteAccount({QStringLiteral("a1"), QString()});
    QTest::newRow("account, acme.com") << ApiRequest::deleteAccount({QString(), QStringLiteral("acme.com")});
    QTest::newRow("account, sub.acme.co.uk")
        << ApiRequest::deleteAccount({QString(), QStringLiteral("sub.acme.co.uk")});
    QTest::newRow("account, upsert with domain only")
        << ApiRequest::upsertAccount({QString(), QStringLiteral("acme-inc.com")}, {});
    QTest::newRow("upsert user without properties")
        << raw(Operation::UpsertUser, R"({"identification":{"userId":"u1"}})");

    // Property values: every type the spec lists
    QTest::newRow("property null") << raw(Operation::UpsertUser,
                                          R"({"identification":{"userId":"u1"},"properties":{"x":null}})");
    QTest::newRow("property empty string")
        << raw(Operation::UpsertUser, R"({"identification":{"userId":"u1"},"properties":{"x":""}})");
    QTest::newRow("property string") << raw(Operation::UpsertUser,
                                            R"({"identification":{"userId":"u1"},"properties":{"x":"Pro"}})");
    QTest::newRow("property bool") << raw(Operation::UpsertUser,
                                          R"({"identification":{"userId":"u1"},"properties":{"x":false}})");
    QTest::newRow("property number") << raw(Operation::UpsertUser,
                                            R"({"identification":{"userId":"u1"},"properties":{"x":-12.5}})");
    QTest::newRow("property date string")
        << raw(Operation::UpsertUser,
               R"({"identification":{"userId":"u1"},"properties":{"x":"2024-05-01T10:00:00+02:00"}})");
    QTest::newRow("property list") << raw(
        Operation::UpsertAccount, R"({"identification":{"accountId":"a1"},"properties":{"x":["a","b"]}})");
    QTest::newRow("property empty list")
        << raw(Operation::UpsertAccount, R"({"identification":{"accountId":"a1"},"properties":{"x":[]}})");
    QTest::newRow("properties empty object")
        << raw(Operation::UpsertUser, R"({"identification":{"userId":"u1"},"properties":{}})");

    // Events, on both the current and the deprecated endpoint
    for (const auto &[operation, label] :
         {std::pair{Operation::TrackEvent, "track"}, std::pair{Operation::TrackLegacyEvent, "legacy"}}) {
        const auto row = [label = label](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", label, name);
        };
        const ApiRequest event = ApiRequest::raw(
            operation, object(R"({"name":"signed_up","identification":{"user":{"userId":"u1"}}})"));
        row("user only") << event;
        row("account only") << ApiRequest::raw(
            operation, object(R"({"name":"signed_up","identification":{"account":{"domain":"acme.com"}}})"));
        row("user and account") << ApiRequest::raw(
            operation,
            object(
                R"({"name":"x","identification":{"user":{"email":"jane@acme.com"},"account":{"accountId":"a1"}}})"));
        // The spec's oneOf lists "string" twice; a literal validator would reject every string here.
        ApiRequest withMetadata = event;
        withMetadata.body.insert(
            QLatin1String("metadata"),
            object(R"({"plan":"Pro","empty":"","seats":3,"trial":true,"at":"2024-05-01"})"));
        row("metadata string, number, bool, date") << withMetadata;
        ApiRequest stringMetadata = event;
        stringMetadata.body.insert(QLatin1String("metadata"), object(R"({"plan":"Pro"})"));
        row("metadata single string") << stringMetadata;
        for (const char *at :
             {"2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123+02:00", "2024-05-01T10:00:00", "2024-05-01"}) {
            ApiRequest timed = event;
            timed.body.insert(QLatin1String("triggeredAt"), QString::fromLatin1(at));
            QTest::addRow("%s: triggeredAt %s", label, at) << timed;
        }
    }

    // Membership
    QTest::newRow("add 1 user") << ApiRequest::addUsersToAccount(Acme, someUsers(1));
    QTest::newRow("add 100 users") << ApiRequest::addUsersToAccount(Acme, someUsers(100));
    QTest::newRow("remove 100 users") << ApiRequest::removeUsersFromAccount(Acme, someUsers(100));
    QTest::newRow("remove by email") << ApiRequest::removeUsersFromAccount(
        {QStringLiteral("a1"), QString()}, {{QString(), QStringLiteral("jane@acme.com")}});

    // Link
    QTest::newRow("link by email") << ApiRequest::link(QStringLiteral("d-1"),
                                                       {QString(), QStringLiteral("a@b.io")});

    // Snippet: the domain is a query parameter
    QTest::newRow("snippet acme.com") << ApiRequest::trackingSnippet(QStringLiteral("acme.com"));
    QTest::newRow("snippet sub.acme.co.uk") << ApiRequest::trackingSnippet(QStringLiteral("sub.acme.co.uk"));
    QTest::newRow("snippet raw query") << snippetQuery(QStringLiteral("domain=journy.io"));

    // GET operations without a body have nothing to check; a stray body is ignored, not sent.
    for (Operation operation :
         {Operation::Validate, Operation::ListEvents, Operation::ListUserProperties,
          Operation::ListAccountProperties, Operation::ListUserSegments, Operation::ListAccountSegments}) {
        const QString id = ApiOperation::info(operation).operationId;
        QTest::addRow("%s, no body", qPrintable(id)) << ApiRequest::raw(operation, QJsonObject());
        QTest::addRow("%s, stray body", qPrintable(id)) << ApiRequest::raw(operation, object(R"({"x":{}})"));
    }
}

void TestRequestValidator::valid()
{
    QFETCH(ApiRequest, request);

    const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
    QVERIFY2(errors.isEmpty(), qPrintable(describe(errors)));
}

void TestRequestValidator::invalid_data()
{
    QTest::addColumn<ApiRequest>("request");
    QTest::addColumn<QStringList>("expected");

    const auto U = Operation::UpsertUser;
    const auto A = Operation::UpsertAccount;

    // User identification
    QTest::newRow("identification missing") << raw(U, "{}") << keys({"identification"});
    QTest::newRow("identification null") << raw(U, R"({"identification":null})") << keys({"identification"});
    QTest::newRow("identification a string")
        << raw(U, R"({"identification":"u1"})") << keys({"identification"});
    QTest::newRow("identification an array")
        << raw(U, R"({"identification":[]})") << keys({"identification"});
    QTest::newRow("identification empty") << raw(U, R"({"identification":{}})") << keys({"identification"});
    QTest::newRow("identification, neither userId nor email")
        << raw(U, R"({"identification":{"id":"u1","mail":"jane@acme.com"}})") << keys({"identification"});
    QTest::newRow("identification, account fields for a user")
        << raw(U, R"({"identification":{"accountId":"a1"}})") << keys({"identification"});
    QTest::newRow("builder with empty user") << ApiRequest::upsertUser({}, {}) << keys({"identification"});
    QTest::newRow("userId empty") << raw(U, R"({"identification":{"userId":""}})")
                                  << keys({"identification.userId"});
    QTest::newRow("userId blank") << raw(U, R"({"identification":{"userId":"   "}})")
                                  << keys({"identification.userId"});
    QTest::newRow("userId a number") << raw(U, R"({"identification":{"userId":42}})")
                                     << keys({"identification.userId"});
    QTest::newRow("userId null") << raw(U, R"({"identification":{"userId":null}})")
                                 << keys({"identification.userId"});
    QTest::newRow("email invalid") << raw(U, R"({"identification":{"email":"not-an-email"}})")
                                   << keys({"identification.email"});
    QTest::newRow("email without dot")
        << raw(U, R"({"identification":{"email":"jane@acme"}})") << keys({"identification.email"});
    QTest::newRow("email empty") << raw(U, R"({"identification":{"email":""}})")
                                 << keys({"identification.email"});
    QTest::newRow("email a bool") << raw(U, R"({"identification":{"email":true}})")
                                  << keys({"identification.email"});
    QTest::newRow("good userId, bad email")
        << raw(U, R"({"identification":{"userId":"u1","email":"jane"}})") << keys({"identification.email"});
    QTest::newRow("both bad") << raw(U, R"({"identification":{"userId":"","email":"jane"}})")
                              << keys({"identification.email", "identification.userId"});
    QTest::newRow("delete user, no identification")
        << raw(Operation::DeleteUser, R"({"user":{"userId":"u1"}})") << keys({"identification"});
    QTest::newRow("delete user, blank userId")
        << raw(Operation::DeleteUser, R"({"identification":{"userId":" "}})")
        << keys({"identification.userId"});

    // Properties
    const char *const id = R"("identification":{"userId":"u1"})";
    const auto props = [id](const char *properties) {
        return ApiRequest::raw(
            Operation::UpsertUser,
            object(qPrintable(
                QStringLiteral("{%1,\"properties\":%2}").arg(QLatin1String(id), QLatin1String(properties)))));
    };
    QTest::newRow("properties a string") << props(R"("plan=Pro")") << keys({"properties"});
    QTest::newRow("properties an array") << props(R"([{"plan":"Pro"}])") << keys({"properties"});
    QTest::newRow("properties null") << props("null") << keys({"properties"});
    QTest::newRow("properties a number") << props("1") << keys({"properties"});
    QTest::newRow("property an object") << props(R"({"x":{"a":1}})") << keys({"properties.x"});
    QTest::newRow("list with empty string") << props(R"({"tags":["a",""]})") << keys({"properties.tags"});
    QTest::newRow("list with a number") << props(R"({"tags":["a",1]})") << keys({"properties.tags"});
    QTest::newRow("list with null") << props(R"({"tags":[null]})") << keys({"properties.tags"});
    QTest::newRow("list of lists") << props(R"({"tags":[["a"]]})") << keys({"properties.tags"});
    QTest::newRow("only the bad properties") << props(R"({"a":{},"plan":"Pro","b":[""],"mrr":399,"c":null})")
                                             << keys({"properties.a", "properties.b"});
    QTest::newRow("property name empty") << props(R"({"":"x"})") << keys({"properties"});
    QTest::newRow("property name blank") << props(R"({"  ":"x"})") << keys({"properties"});
    QTest::newRow("bad identification and property")
        << raw(U, R"({"identification":{},"properties":{"x":{}}})")
        << keys({"identification", "properties.x"});

    // Account identification
    QTest::newRow("account, missing") << raw(A, R"({"properties":{}})") << keys({"identification"});
    QTest::newRow("account, empty") << raw(A, R"({"identification":{}})") << keys({"identification"});
    QTest::newRow("account, user fields")
        << raw(A, R"({"identification":{"userId":"u1"}})") << keys({"identification"});
    QTest::newRow("account, accountId empty")
        << raw(A, R"({"identification":{"accountId":""}})") << keys({"identification.accountId"});
    QTest::newRow("account, accountId a number")
        << raw(A, R"({"identification":{"accountId":7}})") << keys({"identification.accountId"});
    QTest::newRow("domain 'not a domain'")
        << raw(A, R"({"identification":{"domain":"not a domain"}})") << keys({"identification.domain"});
    QTest::newRow("domain with scheme")
        << raw(A, R"({"identification":{"domain":"http://acme.com"}})") << keys({"identification.domain"});
    QTest::newRow("domain without TLD")
        << raw(A, R"({"identification":{"domain":"acme"}})") << keys({"identification.domain"});
    QTest::newRow("domain blank") << raw(A, R"({"identification":{"domain":"  "}})")
                                  << keys({"identification.domain"});
    QTest::newRow("account property an object")
        << raw(A, R"({"identification":{"accountId":"a1"},"properties":{"x":{}}})") << keys({"properties.x"});
    QTest::newRow("delete account, bad domain")
        << ApiRequest::deleteAccount({QStringLiteral("a1"), QStringLiteral("acme")})
        << keys({"identification.domain"});

    // Events, on both endpoints: same body, same rules
    for (const auto &[operation, label] :
         {std::pair{Operation::TrackEvent, "track"}, std::pair{Operation::TrackLegacyEvent, "legacy"}}) {
        const auto row = [label = label](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", label, name);
        };
        const auto event = [operation = operation](const char *json) {
            return ApiRequest::raw(operation, object(json));
        };
        const char *const user = R"("identification":{"user":{"userId":"u1"}})";
        const auto withUser = [&event, user](const char *rest) {
            return event(qPrintable(QStringLiteral("{%1,%2}").arg(QLatin1String(user), QLatin1String(rest))));
        };

        row("empty body") << event("{}") << keys({"identification", "name"});
        row("name missing") << event(R"({"identification":{"user":{"userId":"u1"}}})") << keys({"name"});
        row("name empty") << withUser(R"("name":"")") << keys({"name"});
        row("name blank") << withUser(R"("name":"  ")") << keys({"name"});
        row("name a number") << withUser(R"("name":5)") << keys({"name"});
        row("name null") << withUser(R"("name":null)") << keys({"name"});
        row("identification missing") << event(R"({"name":"x"})") << keys({"identification"});
        row("identification a string")
            << event(R"({"name":"x","identification":"u1"})") << keys({"identification"});
        row("neither user nor account")
            << event(R"({"name":"x","identification":{}})") << keys({"identification"});
        row("user and account misspelt")
            << event(R"({"name":"x","identification":{"userId":"u1","accountId":"a1"}})")
            << keys({"identification"});
        row("user empty") << event(R"({"name":"x","identification":{"user":{}}})")
                          << keys({"identification.user"});
        row("user a string") << event(R"({"name":"x","identification":{"user":"u1"}})")
                             << keys({"identification.user"});
        row("user bad email") << event(R"({"name":"x","identification":{"user":{"email":"jane@"}}})")
                              << keys({"identification.user.email"});
        row("user blank userId") << event(R"({"name":"x","identification":{"user":{"userId":" "}}})")
                                 << keys({"identification.user.userId"});
        row("account empty") << event(R"({"name":"x","identification":{"account":{}}})")
                             << keys({"identification.account"});
        row("account domain invalid")
            << event(R"({"name":"x","identification":{"account":{"domain":"acme"}}})")
            << keys({"identification.account.domain"});
        row("good user, bad account domain")
            << event(
                   R"({"name":"x","identification":{"user":{"userId":"u1"},"account":{"domain":"http://acme.com"}}})")
            << keys({"identification.account.domain"});
        row("metadata an array") << withUser(R"("name":"x","metadata":["a"])") << keys({"metadata"});
        row("metadata a string") << withUser(R"("name":"x","metadata":"plan=Pro")") << keys({"metadata"});
        row("metadata null") << withUser(R"("name":"x","metadata":null)") << keys({"metadata"});
        row("metadata value an array")
            << withUser(R"("name":"x","metadata":{"x":["a"]})") << keys({"metadata.x"});
        row("metadata value null") << withUser(R"("name":"x","metadata":{"x":null})") << keys({"metadata.x"});
        row("metadata value an object")
            << withUser(R"("name":"x","metadata":{"x":{}})") << keys({"metadata.x"});
        row("only the bad metadata")
            << withUser(R"("name":"x","metadata":{"ok":"Pro","n":1,"bad":null,"also":[]})")
            << keys({"metadata.also", "metadata.bad"});
        row("metadata name empty") << withUser(R"("name":"x","metadata":{"":"x"})") << keys({"metadata"});
        row("triggeredAt words") << withUser(R"("name":"x","triggeredAt":"yesterday")")
                                 << keys({"triggeredAt"});
        row("triggeredAt Feb 30") << withUser(R"("name":"x","triggeredAt":"2024-02-30T10:00:00Z")")
                                  << keys({"triggeredAt"});
        row("triggeredAt hour 25") << withUser(R"("name":"x","triggeredAt":"2024-05-01T25:00:00Z")")
                                   << keys({"triggeredAt"});
        row("triggeredAt space separator")
            << withUser(R"("name":"x","triggeredAt":"2024-05-01 10:00:00")") << keys({"triggeredAt"});
        row("triggeredAt padded") << withUser(R"("name":"x","triggeredAt":" 2024-05-01T10:00:00Z")")
                                  << keys({"triggeredAt"});
        row("triggeredAt empty") << withUser(R"("name":"x","triggeredAt":"")") << keys({"triggeredAt"});
        row("triggeredAt a number") << withUser(R"("name":"x","triggeredAt":1714557600)")
                                    << keys({"triggeredAt"});
        row("triggeredAt null") << withUser(R"("name":"x","triggeredAt":null)") << keys({"triggeredAt"});
        row("everything wrong")
            << event(
                   R"({"name":"","identification":{"user":{"email":"x"}},"metadata":{"m":null},"triggeredAt":1})")
            << keys({"identification.user.email", "metadata.m", "name", "triggeredAt"});
    }

    // Membership, add and remove alike
    for (const auto &[operation, label] : {std::pair{Operation::AddUsersToAccount, "add"},
                                           std::pair{Operation::RemoveUsersFromAccount, "remove"}}) {
        const auto row = [label = label](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", label, name);
        };
        const auto members = [operation = operation](const char *json) {
            return ApiRequest::raw(operation, object(json));
        };
        const bool add = operation == Operation::AddUsersToAccount;
        const auto build = [add](const AccountIdentification &account,
                                 const QList<UserIdentification> &users) {
            return add ? ApiRequest::addUsersToAccount(account, users)
                       : ApiRequest::removeUsersFromAccount(account, users);
        };

        row("0 users") << build(Acme, {}) << keys({"users"});
        row("101 users") << build(Acme, someUsers(101)) << keys({"users"});
        row("users missing") << members(R"({"account":{"accountId":"a1"}})") << keys({"users"});
        row("users not an array")
            << members(R"({"account":{"accountId":"a1"},"users":{"identification":{"userId":"u1"}}})")
            << keys({"users"});
        row("users a string") << members(R"({"account":{"accountId":"a1"},"users":"u1"})") << keys({"users"});
        row("4th user without identification")
            << members(
                   R"({"account":{"accountId":"a1"},"users":[{"identification":{"userId":"u0"}},)"
                   R"({"identification":{"userId":"u1"}},{"identification":{"userId":"u2"}},{"userId":"u3"}]})")
            << keys({"users.3.identification"});
        row("user with bad email")
            << members(R"({"account":{"accountId":"a1"},"users":[{"identification":{"email":"jane@acme"}}]})")
            << keys({"users.0.identification.email"});
        row("user with empty identification")
            << members(
                   R"({"account":{"accountId":"a1"},"users":[{"identification":{"userId":"u0"}},{"identification":{}}]})")
            << keys({"users.1.identification"});
        row("user a bare string") << members(R"({"account":{"accountId":"a1"},"users":["u1"]})")
                                  << keys({"users.0"});
        row("builder with an empty user") << build(Acme, {Jane, {}}) << keys({"users.1.identification"});
        row("account missing") << members(R"({"users":[{"identification":{"userId":"u1"}}]})")
                               << keys({"account"});
        row("account empty") << build({}, someUsers(1)) << keys({"account"});
        row("account bad domain") << build({QString(), QStringLiteral("acme")}, someUsers(1))
                                  << keys({"account.domain"});
        row("empty body") << members("{}") << keys({"account", "users"});
    }

    // Link
    const auto L = Operation::Link;
    QTest::newRow("link: deviceId missing")
        << raw(L, R"({"identification":{"userId":"u1"}})") << keys({"deviceId"});
    QTest::newRow("link: deviceId empty") << ApiRequest::link(QString(), Jane) << keys({"deviceId"});
    QTest::newRow("link: deviceId blank")
        << raw(L, R"({"deviceId":"  ","identification":{"userId":"u1"}})") << keys({"deviceId"});
    QTest::newRow("link: deviceId a number")
        << raw(L, R"({"deviceId":5,"identification":{"userId":"u1"}})") << keys({"deviceId"});
    QTest::newRow("link: identification missing")
        << raw(L, R"({"deviceId":"d1"})") << keys({"identification"});
    QTest::newRow("link: bad email") << raw(L, R"({"deviceId":"d1","identification":{"email":"x@"}})")
                                     << keys({"identification.email"});
    QTest::newRow("link: empty body") << raw(L, "{}") << keys({"deviceId", "identification"});

    // Snippet: errors keyed like the server's errors.parameters.query
    const char *const domainKey = "parameters.query.domain";
    QTest::newRow("snippet: no query")
        << ApiRequest::raw(Operation::TrackingSnippet, QJsonObject()) << keys({domainKey});
    QTest::newRow("snippet: other parameter")
        << snippetQuery(QStringLiteral("site=acme.com")) << keys({domainKey});
    QTest::newRow("snippet: domain empty") << ApiRequest::trackingSnippet(QString()) << keys({domainKey});
    QTest::newRow("snippet: 'not a domain'")
        << ApiRequest::trackingSnippet(QStringLiteral("not a domain")) << keys({domainKey});
    QTest::newRow("snippet: with scheme")
        << ApiRequest::trackingSnippet(QStringLiteral("http://acme.com")) << keys({domainKey});
    QTest::newRow("snippet: no TLD") << ApiRequest::trackingSnippet(QStringLiteral("acme"))
                                     << keys({domainKey});
    // The domain is a query parameter: a body with one does not count.
    QTest::newRow("snippet: domain in body")
        << ApiRequest::raw(Operation::TrackingSnippet, object(R"({"domain":"acme.com"})"))
        << keys({domainKey});
}

void TestRequestValidator::invalid()
{
    QFETCH(ApiRequest, request);
    QFETCH(QStringList, expected);

    const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
    QCOMPARE(errors.keys(), expected);
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        QVERIFY2(!it.value().trimmed().isEmpty(), qPrintable(it.key()));
}

void TestRequestValidator::messagesNameTheProblem()
{
    // Not exact wording, but what a user needs to fix the request: the bad value or the count.
    RequestValidator::FieldErrors errors =
        RequestValidator::validate(raw(Operation::UpsertUser, R"({"identification":{"email":"jane@acme"}})"));
    QVERIFY2(errors.value(QStringLiteral("identification.email")).contains(QLatin1String("jane@acme")),
             qPrintable(describe(errors)));

    errors = RequestValidator::validate(ApiRequest::addUsersToAccount(Acme, someUsers(101)));
    QVERIFY2(errors.value(QStringLiteral("users")).contains(QLatin1String("101")),
             qPrintable(describe(errors)));
    QVERIFY2(errors.value(QStringLiteral("users")).contains(QLatin1String("100")),
             qPrintable(describe(errors)));

    errors = RequestValidator::validate(ApiRequest::trackingSnippet(QStringLiteral("http://acme.com")));
    QVERIFY2(
        errors.value(QStringLiteral("parameters.query.domain")).contains(QLatin1String("http://acme.com")),
        qPrintable(describe(errors)));

    errors = RequestValidator::validate(
        raw(Operation::TrackEvent,
            R"({"name":"x","identification":{"user":{"userId":"u1"}},"triggeredAt":"soon"})"));
    QVERIFY2(errors.value(QStringLiteral("triggeredAt")).contains(QLatin1String("soon")),
             qPrintable(describe(errors)));
}

void TestRequestValidator::trailingNewlineIsRejected_data()
{
    QTest::addColumn<ApiRequest>("request");
    QTest::addColumn<QString>("key");

    // Values pasted from a terminal or a CSV cell often end in a newline; none of them is what the
    // server accepts. The validator checks these fields untrimmed, so it must reject them.
    QTest::newRow("triggeredAt") << raw(Operation::TrackEvent,
                                        R"({"name":"x","identification":{"user":{"userId":"u1"}},)"
                                        R"("triggeredAt":"2024-05-01T10:00:00Z\n"})")
                                 << QStringLiteral("triggeredAt");
    QTest::newRow("email") << raw(Operation::UpsertUser, R"({"identification":{"email":"jane@acme.com\n"}})")
                           << QStringLiteral("identification.email");
    QTest::newRow("domain") << raw(Operation::DeleteAccount, R"({"identification":{"domain":"acme.com\n"}})")
                            << QStringLiteral("identification.domain");
    QTest::newRow("snippet domain") << ApiRequest::trackingSnippet(QStringLiteral("acme.com\n"))
                                    << QStringLiteral("parameters.query.domain");
}

void TestRequestValidator::trailingNewlineIsRejected()
{
    QFETCH(ApiRequest, request);
    QFETCH(QString, key);

    const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
    // PCRE's '$' also matches before a final "\n"; a pasted value with a newline must not pass.
    QCOMPARE(errors.keys(), QStringList{key});
}

void TestRequestValidator::isEmail_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << "jane@acme.com" << true;
    QTest::newRow("short") << "a@b.co" << true;
    QTest::newRow("dots and plus") << "jane.doe+tag@mail.acme.co.uk" << true;
    QTest::newRow("apostrophe") << "o'brien@acme.ie" << true;
    QTest::newRow("upper case") << "JANE@ACME.COM" << true;
    QTest::newRow("digits") << "123@456.io" << true;

    QTest::newRow("empty") << "" << false;
    QTest::newRow("no at") << "jane" << false;
    QTest::newRow("no domain") << "jane@" << false;
    QTest::newRow("no local part") << "@acme.com" << false;
    QTest::newRow("no dot in domain") << "jane@acme" << false;
    QTest::newRow("two ats") << "jane@@acme.com" << false;
    QTest::newRow("at in domain") << "jane@acme@com.io" << false;
    QTest::newRow("space inside") << "jane doe@acme.com" << false;
    QTest::newRow("leading space") << " jane@acme.com" << false;
    QTest::newRow("trailing space") << "jane@acme.com " << false;
    QTest::newRow("double dot") << "jane@acme..com" << false;
    QTest::newRow("dot after at") << "jane@.acme.com" << false;
    QTest::newRow("trailing dot") << "jane@acme.com." << false;
    QTest::newRow("trailing newline") << "jane@acme.com\n" << false;
}

void TestRequestValidator::isEmail()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);

    QCOMPARE(RequestValidator::isEmail(text), valid);
}

void TestRequestValidator::isEmailAgreesWithThePattern()
{
    // isEmail is written by hand (bulk import runs it on every row); the pattern it replaced is the
    // reference, on random strings over the characters that matter, Unicode spaces included.
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral(R"([^\s@]+@[^\s@.]+(\.[^\s@.]+)+)")));
    // Mostly letters, so that both answers are common.
    const QString alphabet = QStringLiteral("aaaaaaaaab..@@ \t\n\v\f\r\u00a0\u2003é");
    QRandomGenerator random(77);
    int valid = 0;
    for (int i = 0; i < 50000; ++i) {
        auto part = [&](int maxLength) {
            QString text;
            const int length = random.bounded(maxLength + 1);
            for (int j = 0; j < length; ++j)
                text.append(alphabet.at(random.bounded(int(alphabet.size()))));
            return text;
        };
        // Half shaped like LOCAL@LABEL.LABEL, half anything.
        const QString text =
            i % 2 ? part(4) + QLatin1Char('@') + part(4) + QLatin1Char('.') + part(4) : part(12);
        const bool expected = pattern.match(text).hasMatch();
        QVERIFY2(RequestValidator::isEmail(text) == expected, qPrintable(text));
        valid += expected;
    }
    QVERIFY2(valid > 300, qPrintable(QString::number(valid)));
}

void TestRequestValidator::bodyTextIsReadLikeBody()
{
    // A body kept as JSON text (bulk import's journal) is checked like the same body as an object.
    const QList<QJsonObject> bodies = {
        QJsonObject{
            {QLatin1String("identification"), QJsonObject{{QLatin1String("email"), QStringLiteral("x@")}}}},
        QJsonObject{{QLatin1String("identification"), QJsonObject()}},
        QJsonObject{
            {QLatin1String("identification"), QJsonObject{{QLatin1String("userId"), QStringLiteral("u-1")}}},
            {QLatin1String("properties"), QJsonObject{{QLatin1String(" "), 1}}}},
        QJsonObject{
            {QLatin1String("identification"), QJsonObject{{QLatin1String("userId"), QStringLiteral("u-1")}}}},
    };
    for (const QJsonObject &body : bodies) {
        ApiRequest asText = ApiRequest::raw(Operation::UpsertUser, QJsonObject());
        asText.bodyText = QJsonDocument(body).toJson(QJsonDocument::Compact);
        QCOMPARE(RequestValidator::validate(asText),
                 RequestValidator::validate(ApiRequest::raw(Operation::UpsertUser, body)));
        QCOMPARE(asText.bodyBytes(), asText.bodyText);
    }
    ApiRequest broken = ApiRequest::raw(Operation::UpsertUser, QJsonObject());
    broken.bodyText = "{\"identification\":";
    QCOMPARE(RequestValidator::validate(broken).keys(), QStringList{QStringLiteral("body")});
}

void TestRequestValidator::bodyOverTheApiLimit()
{
    // The limit is the one the sandbox applies before it reads a body (SandboxServer::MaxBodyBytes is
    // this constant); tst_JournyImport sends rows on both sides of it.
    const QJsonObject identification{{QLatin1String("userId"), QStringLiteral("u-1")}};
    auto upsert = [&](qint64 bytes) {
        QJsonObject body{{QLatin1String("identification"), identification},
                         {QLatin1String("properties"), QJsonObject{{QLatin1String("note"), QString()}}}};
        const qint64 overhead = QJsonDocument(body).toJson(QJsonDocument::Compact).size();
        body.insert(QLatin1String("properties"),
                    QJsonObject{{QLatin1String("note"), QString(bytes - overhead, QLatin1Char('x'))}});
        return ApiRequest::raw(Operation::UpsertUser, body);
    };
    QCOMPARE(upsert(RequestValidator::MaxBodyBytes).bodyBytes().size(), RequestValidator::MaxBodyBytes);
    QCOMPARE(RequestValidator::validate(upsert(RequestValidator::MaxBodyBytes)),
             RequestValidator::FieldErrors());
    const ApiRequest over = upsert(RequestValidator::MaxBodyBytes + 1);
    QCOMPARE(
        RequestValidator::validate(over),
        (RequestValidator::FieldErrors{
            {QStringLiteral("body"),
             QStringLiteral("The request body would be 1048577 bytes; the API reads at most 1048576.")}}));
    // As text (the import journal) the bytes sent are the text's.
    ApiRequest asText = ApiRequest::raw(Operation::UpsertUser, QJsonObject());
    asText.bodyText = over.bodyBytes();
    QCOMPARE(RequestValidator::validate(asText), RequestValidator::validate(over));
    // A body that is not JSON says so, whatever its size.
    asText.bodyText = QByteArray(RequestValidator::MaxBodyBytes + 10, '{');
    QCOMPARE(RequestValidator::validate(asText).value(QStringLiteral("body")),
             QStringLiteral("Not a JSON object."));
}

void TestRequestValidator::isDomain_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");

    const QString label63(63, u'a');
    const QString label64(64, u'a');

    QTest::newRow("acme.com") << "acme.com" << true;
    QTest::newRow("sub.acme.co.uk") << "sub.acme.co.uk" << true;
    QTest::newRow("upper case") << "ACME.COM" << true;
    QTest::newRow("hyphen") << "acme-inc.com" << true;
    QTest::newRow("digits in label") << "123.example.org" << true;
    QTest::newRow("two-letter") << "a.io" << true;
    QTest::newRow("punycode label") << "xn--bcher-kva.de" << true;
    QTest::newRow("punycode TLD") << "example.xn--p1ai" << true;
    QTest::newRow("63-char label") << label63 + QLatin1String(".com") << true;
    // 63+1+63+1+63+1+57+1+3 = 253 characters, the DNS limit.
    QTest::newRow("253 chars") << label63 + u'.' + label63 + u'.' + label63 + u'.' + QString(57, u'b') +
                                      QLatin1String(".com")
                               << true;

    QTest::newRow("empty") << "" << false;
    QTest::newRow("not a domain") << "not a domain" << false;
    QTest::newRow("scheme") << "http://acme.com" << false;
    QTest::newRow("no TLD") << "acme" << false;
    QTest::newRow("path") << "acme.com/" << false;
    QTest::newRow("port") << "acme.com:8080" << false;
    QTest::newRow("email") << "jane@acme.com" << false;
    QTest::newRow("leading dot") << ".acme.com" << false;
    QTest::newRow("trailing dot") << "acme.com." << false;
    QTest::newRow("double dot") << "acme..com" << false;
    QTest::newRow("leading hyphen") << "-acme.com" << false;
    QTest::newRow("trailing hyphen") << "acme-.com" << false;
    QTest::newRow("one-letter TLD") << "acme.c" << false;
    QTest::newRow("numeric TLD") << "acme.123" << false;
    QTest::newRow("IPv4") << "192.168.0.1" << false;
    QTest::newRow("underscore") << "acme_inc.com" << false;
    QTest::newRow("space") << "acme .com" << false;
    QTest::newRow("64-char label") << label64 + QLatin1String(".com") << false;
    QTest::newRow("254 chars") << label63 + u'.' + label63 + u'.' + label63 + u'.' + QString(58, u'b') +
                                      QLatin1String(".com")
                               << false;
    QTest::newRow("trailing newline") << "acme.com\n" << false;
}

void TestRequestValidator::isDomain()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);

    QCOMPARE(RequestValidator::isDomain(text), valid);
}

QTEST_GUILESS_MAIN(TestRequestValidator)
#include "tst_RequestValidator.moc"

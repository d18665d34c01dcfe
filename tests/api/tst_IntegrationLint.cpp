#include <QTest>

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/IntegrationLint.h"
#include "api/LintFinding.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QUrlQuery>

Q_DECLARE_METATYPE(Operation)
Q_DECLARE_METATYPE(LintFinding::Severity)

namespace {

// A body written as JSON text; a typo in a test is a test bug.
QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in test: %s (%s)", json.constData(), qPrintable(error.errorString()));
    return document.object();
}

// Every test judges against the same moment, so "in the future" and "a year old" are exact.
QDateTime testNow()
{
    return QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC);
}

// "mrr:number,is_paying:bool" -> observed types.
QHash<QString, QJsonValue::Type> observedTypes(const QString &spec)
{
    QHash<QString, QJsonValue::Type> types;
    for (const QString &entry : spec.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString name = entry.section(QLatin1Char(':'), 0, 0);
        const QString type = entry.section(QLatin1Char(':'), 1);
        if (type == QLatin1String("number"))
            types.insert(name, QJsonValue::Double);
        else if (type == QLatin1String("bool"))
            types.insert(name, QJsonValue::Bool);
        else if (type == QLatin1String("string"))
            types.insert(name, QJsonValue::String);
        else
            qFatal("bad observed type in test: %s", qPrintable(entry));
    }
    return types;
}

IntegrationLint::Context context(const QStringList &eventNames = {}, const QStringList &propertyNames = {},
                                 const QString &observed = QString())
{
    IntegrationLint::Context result;
    result.eventNames = eventNames;
    result.userPropertyNames = propertyNames;
    result.accountPropertyNames = propertyNames;
    result.observedTypes = observedTypes(observed);
    result.now = testNow();
    return result;
}

ApiRequest request(Operation operation, const QByteArray &body)
{
    if (operation == Operation::TrackingSnippet)
        return ApiRequest::raw(operation, QJsonObject(), QUrlQuery(QString::fromUtf8(body)));
    return ApiRequest::raw(operation, object(body));
}

QStringList describe(const QList<LintFinding> &findings)
{
    QStringList lines;
    for (const LintFinding &finding : findings)
        lines.append(QStringLiteral("%1 %2 [%3] %4 | %5")
                         .arg(finding.rule, LintFinding::severityName(finding.severity), finding.path,
                              finding.message, finding.fix));
    return lines;
}

QList<LintFinding> withRule(const QList<LintFinding> &findings, const QString &rule)
{
    QList<LintFinding> matching;
    for (const LintFinding &finding : findings) {
        if (finding.rule == rule)
            matching.append(finding);
    }
    return matching;
}

QSet<QString> ruleIds()
{
    QSet<QString> ids;
    for (const IntegrationLint::Rule &rule : IntegrationLint::rules())
        ids.insert(rule.id);
    return ids;
}

// The JavaScript code sample the spec gives for an operation (its request examples: the spec has
// no JSON request examples, only SDK code samples).
QString javaScriptSample(const QString &operationId)
{
    QFile file(QStringLiteral(JOURNY_SPEC_FILE));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    const QJsonObject paths =
        QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("paths")).toObject();
    for (const QJsonValue &methods : paths) {
        for (const QJsonValue &operation : methods.toObject()) {
            if (operation.toObject().value(QLatin1String("operationId")).toString() != operationId)
                continue;
            for (const QJsonValue &sample :
                 operation.toObject().value(QLatin1String("x-codeSamples")).toArray()) {
                if (sample.toObject().value(QLatin1String("lang")).toString() == QLatin1String("JavaScript"))
                    return sample.toObject().value(QLatin1String("source")).toString();
            }
        }
    }
    return QString();
}

// The texts a transcribed example must share with its code sample: property and metadata names
// and every scalar value (numbers, booleans and null as JavaScript writes them).
void collectLeaves(const QJsonValue &value, bool namesAreData, QStringList *leaves)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            if (namesAreData)
                leaves->append(it.key());
            const bool childNamesAreData =
                it.key() == QLatin1String("properties") || it.key() == QLatin1String("metadata");
            collectLeaves(it.value(), childNamesAreData, leaves);
        }
    } else if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            collectLeaves(item, false, leaves);
    } else if (value.isString()) {
        leaves->append(value.toString());
    } else {
        const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
        leaves->append(QString::fromUtf8(json.mid(1).chopped(1)));
    }
}

struct SpecExample
{
    QByteArray name;
    Operation operation;
    QByteArray body; // the JSON body, or the query for the tracking snippet
    QStringList expectedRules;
};

// The spec's request examples are its SDK code samples (x-codeSamples); there are no JSON ones.
// These are the JavaScript samples' calls in the wire format, value for value; an expression's
// source stands in for its value ("request.user.id"), and "@now" for new Date(...).
QList<SpecExample> specExampleList()
{
    QList<SpecExample> list;
    list.append({"deleteAccount",
                 Operation::DeleteAccount,
                 R"({"identification":{"accountId":"accountId","domain":"acme-inc.com"}})",
                 {}});
    list.append(
        {"upsertAccount",
         Operation::UpsertAccount,
         R"({"identification":{"accountId":"accountId","domain":"acme-inc.com"},"properties":{"name":"ACME, Inc","mrr":399,"plan":"Pro","registered_at":"@now","is_paying":true,"key_with_empty_value":"","array_of_values":["value1","value2"],"this_property_will_be_deleted":null}})",
         {}});
    const QByteArray membership =
        R"({"account":{"accountId":"accountId"},"users":[{"identification":{"userId":"userId1"}},{"identification":{"userId":"userId2"}}]})";
    list.append({"addUserToAccount", Operation::AddUsersToAccount, membership, {}});
    list.append({"removeUserFromAccount", Operation::RemoveUsersFromAccount, membership, {}});
    const QList<QByteArray> events = {
        R"({"name":"login","identification":{"user":{"userId":"userId"}}})",
        R"({"name":"some_historic_event","identification":{"user":{"userId":"userId"}},"triggeredAt":"@now"})",
        R"({"name":"reached_monthly_volume","identification":{"account":{"accountId":"accountId"}},"metadata":{"number":1313,"string":"string","boolean":true}})",
        R"({"name":"updated_settings","identification":{"user":{"userId":"userId"},"account":{"accountId":"accountId"}}})",
    };
    for (int i = 0; i < events.size(); ++i) {
        list.append({"trackEvent " + QByteArray::number(i), Operation::TrackEvent, events.at(i), {}});
        // The deprecated endpoint's own examples are on the deprecated endpoint: that finding is
        // the point of the rule, and nothing else may be found.
        list.append({"trackJourneyEvent " + QByteArray::number(i),
                     Operation::TrackLegacyEvent,
                     events.at(i),
                     {QStringLiteral("deprecated-events-endpoint")}});
    }
    list.append({"link",
                 Operation::Link,
                 "{\"deviceId\":\"request.cookies[\\\"__journey\\\"]\",\"identification\":{\"userId\":"
                 "\"request.user.id\"}}",
                 {}});
    list.append({"deleteUser",
                 Operation::DeleteUser,
                 R"({"identification":{"userId":"userId","email":"name@domain.tld"}})",
                 {}});
    list.append(
        {"upsertUser",
         Operation::UpsertUser,
         R"({"identification":{"userId":"userId","email":"name@domain.tld"},"properties":{"full_name":"John Doe","first_name":"John","last_name":"Doe","phone":"123","registered_at":"@now","is_admin":true,"age":26,"array_of_values":["value1","value2"],"key_with_empty_value":"","this_property_will_be_deleted":null}})",
         {}});
    list.append({"getTrackingSnippet", Operation::TrackingSnippet, "domain=www.journy.io", {}});
    return list;
}

} // namespace

class TestIntegrationLint : public QObject
{
    Q_OBJECT

private slots:
    void ruleTable();
    void findings_data();
    void findings();
    void notFlagged_data();
    void notFlagged();
    void nodeSdk310Body();
    void severityFollowsEvidence();
    void specExamples_data();
    void specExamples();
    void specExamplesCoverEveryOperationWithABody();
    void deterministicAndFromTheRuleTable();
    void bodyTextIsLinted();
    void findingToJson();
};

void TestIntegrationLint::ruleTable()
{
    const QList<IntegrationLint::Rule> rules = IntegrationLint::rules();
    QVERIFY(rules.size() >= 14);
    QSet<QString> ids;
    static const QRegularExpression kebab(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*$"));
    for (const IntegrationLint::Rule &rule : rules) {
        QVERIFY2(kebab.match(rule.id).hasMatch(), qPrintable(rule.id));
        QVERIFY2(!rule.title.isEmpty(), qPrintable(rule.id));
        QVERIFY2(!ids.contains(rule.id), qPrintable(rule.id));
        ids.insert(rule.id);
    }
    for (const char *id :
         {"string-number", "string-boolean", "string-date", "date-format", "triggered-at-future",
          "triggered-at-old", "deprecated-events-endpoint", "email-as-user-id", "url-as-domain",
          "high-cardinality-event-name", "near-duplicate-name", "null-deletes-property", "empty-properties",
          "empty-metadata"})
        QVERIFY2(ids.contains(QLatin1String(id)), id);
}

void TestIntegrationLint::findings_data()
{
    QTest::addColumn<Operation>("operation");
    QTest::addColumn<QByteArray>("body"); // the JSON body, or the query for the tracking snippet
    QTest::addColumn<QStringList>("eventNames");
    QTest::addColumn<QStringList>("propertyNames");
    QTest::addColumn<QString>("observed");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<LintFinding::Severity>("severity");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("messagePart"); // the value the message must name
    QTest::addColumn<QString>("fixPart");

    const auto W = LintFinding::Severity::Warning;
    const auto I = LintFinding::Severity::Info;
    const QStringList none;
    const Operation user = Operation::UpsertUser;
    const Operation account = Operation::UpsertAccount;
    const Operation track = Operation::TrackEvent;

    // Typing.
    QTest::newRow("number as text, all text: info")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"mrr":"399","plan":"Pro"}})")
        << none << none << QString() << "string-number" << I << "properties.mrr"
        << "'399'"
        << "Send 399 as a JSON number";
    QTest::newRow("number as text in a mixed request: warning")
        << account
        << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{"mrr":"399","seats":5}})")
        << none << none << QString() << "string-number" << W << "properties.mrr"
        << "'399'"
        << "399";
    QTest::newRow("negative decimal seen as number: warning")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"balance":"-3.5"}})")
        << none << none << "balance:number"
        << "string-number" << W << "properties.balance"
        << "'-3.5'"
        << "-3.5";
    QTest::newRow("metadata number as text, mixed")
        << track
        << QByteArray(
               R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"amount":"12.50","paid":true}})")
        << none << none << QString() << "string-number" << W << "metadata.amount"
        << "'12.50'"
        << "12.50";
    QTest::newRow("boolean as text: info")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"is_paying":"true"}})")
        << none << none << QString() << "string-boolean" << I << "properties.is_paying"
        << "'true'"
        << "Send true as a JSON boolean";
    QTest::newRow("boolean as text seen as bool: warning")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"is_paying":"FALSE"}})")
        << none << none << "is_paying:bool"
        << "string-boolean" << W << "properties.is_paying"
        << "'FALSE'"
        << "false";
    QTest::newRow("local date on an ordinary name")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"renewal":"05/13/2024"}})")
        << none << none << QString() << "string-date" << I << "properties.renewal"
        << "'05/13/2024'"
        << "'2024-05-13T00:00:00Z'";
    QTest::newRow("space-separated date-time on an ordinary name")
        << user
        << QByteArray(
               R"({"identification":{"userId":"u-1"},"properties":{"last_login":"2024-05-01 10:00:00"}})")
        << none << none << QString() << "string-date" << I << "properties.last_login"
        << "'2024-05-01 10:00:00'"
        << "'2024-05-01T10:00:00Z'";
    QTest::newRow("month name on an ordinary name")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"renewal":"May 1, 2024"}})")
        << none << none << QString() << "string-date" << I << "properties.renewal"
        << "'May 1, 2024'"
        << "'2024-05-01T00:00:00Z'";

    // Date formats on date-like names.
    QTest::newRow("date only")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"signed_up_at":"2024-05-01"}})")
        << none << none << QString() << "date-format" << W << "properties.signed_up_at"
        << "'2024-05-01' is a date without a time"
        << "'2024-05-01T00:00:00Z'";
    QTest::newRow("epoch seconds as text")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"signed_up_at":"1714557600"}})")
        << none << none << QString() << "date-format" << W << "properties.signed_up_at"
        << "'1714557600' looks like epoch seconds"
        << "'2024-05-01T10:00:00Z'";
    QTest::newRow("epoch milliseconds as number")
        << account
        << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{"createdAt":1714557600000}})")
        << none << none << QString() << "date-format" << W << "properties.createdAt"
        << "'1714557600000' looks like epoch milliseconds"
        << "'2024-05-01T10:00:00Z'";
    QTest::newRow("epoch milliseconds with a fraction of a second")
        << account
        << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{"created":1714557600123}})")
        << none << none << QString() << "date-format" << W << "properties.created"
        << "'1714557600123'"
        << "'2024-05-01T10:00:00.123Z'";
    QTest::newRow("local date, day and month order unknown")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"birth_date":"01/05/2024"}})")
        << none << none << QString() << "date-format" << W << "properties.birth_date"
        << "'01/05/2024' is a local date format"
        << "cannot be told";
    QTest::newRow("local date, day first")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"trialEndDate":"13.05.2024"}})")
        << none << none << QString() << "date-format" << W << "properties.trialEndDate"
        << "'13.05.2024'"
        << "'2024-05-13T00:00:00Z'";
    QTest::newRow("month name on a date-like name")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"created":"1 May 2024"}})")
        << none << none << QString() << "date-format" << W << "properties.created"
        << "'1 May 2024' spells the month out"
        << "'2024-05-01T00:00:00Z'";
    QTest::newRow("metadata space-separated with an offset")
        << track
        << QByteArray(
               R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"paid_at":"2024-05-01 12:30:00+02:00"}})")
        << none << none << QString() << "date-format" << W << "metadata.paid_at"
        << "'2024-05-01 12:30:00+02:00' has a space"
        << "'2024-05-01T12:30:00+02:00'";

    // triggeredAt.
    const QByteArray event =
        R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"triggeredAt":"%1"})";
    QTest::newRow("six minutes ahead")
        << track << QByteArray(event).replace("%1", "2024-05-01T10:06:00Z") << none << none << QString()
        << "triggered-at-future" << W << "triggeredAt"
        << "'2024-05-01T10:06:00Z' is 6 minutes in the future"
        << "UTC";
    QTest::newRow("no zone is read as UTC, two hours ahead")
        << track << QByteArray(event).replace("%1", "2024-05-01T12:00:00") << none << none << QString()
        << "triggered-at-future" << W << "triggeredAt"
        << "'2024-05-01T12:00:00' is 2 hours"
        << "UTC";
    QTest::newRow("hours-only offset, six minutes ahead")
        << track << QByteArray(event).replace("%1", "2024-05-01T12:06+02") << none << none << QString()
        << "triggered-at-future" << W << "triggeredAt"
        << "'2024-05-01T12:06+02' is 6 minutes"
        << "UTC";
    QTest::newRow("367 days old") << track << QByteArray(event).replace("%1", "2023-04-30T10:00:00Z") << none
                                  << none << QString() << "triggered-at-old" << W << "triggeredAt"
                                  << "'2023-04-30T10:00:00Z' is 367 days in the past"
                                  << "year";

    // Endpoint and identification.
    QTest::newRow("deprecated POST /events")
        << Operation::TrackLegacyEvent
        << QByteArray(R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}}})") << none << none
        << QString() << "deprecated-events-endpoint" << W << QString() << "POST /events"
        << "POST /track";
    QTest::newRow("email as userId, upsert")
        << user << QByteArray(R"({"identification":{"userId":"jane@acme.com"}, "properties":{"plan":"Pro"}})")
        << none << none << QString() << "email-as-user-id" << W << "identification.userId"
        << "'jane@acme.com'"
        << "as email";
    QTest::newRow("email as userId, event")
        << track
        << QByteArray(R"({"name":"Invoice paid","identification":{"user":{"userId":"jane@acme.com"}}})")
        << none << none << QString() << "email-as-user-id" << W << "identification.user.userId"
        << "'jane@acme.com'"
        << "as email";
    QTest::newRow("email as userId, membership")
        << Operation::AddUsersToAccount
        << QByteArray(
               R"({"account":{"accountId":"a-1"},"users":[{"identification":{"userId":"u-1"}},{"identification":{"userId":"bob@acme.com"}}]})")
        << none << none << QString() << "email-as-user-id" << W << "users.1.identification.userId"
        << "'bob@acme.com'"
        << "as email";
    QTest::newRow("email as userId, link")
        << Operation::Link << QByteArray(R"({"deviceId":"d-1","identification":{"userId":"jane@acme.com"}})")
        << none << none << QString() << "email-as-user-id" << W << "identification.userId"
        << "'jane@acme.com'"
        << "as email";
    QTest::newRow("URL as account domain")
        << Operation::DeleteAccount
        << QByteArray(R"({"identification":{"domain":"https://www.acme.com/pricing"}})") << none << none
        << QString() << "url-as-domain" << W << "identification.domain"
        << "'https://www.acme.com/pricing'"
        << "'acme.com'";
    QTest::newRow("www. account domain")
        << account
        << QByteArray(R"({"identification":{"domain":"www.Acme.com"},"properties":{"plan":"Pro"}})") << none
        << none << QString() << "url-as-domain" << W << "identification.domain"
        << "'www.Acme.com' holds a www. prefix"
        << "'acme.com'";
    QTest::newRow("trailing slash in an event's account domain")
        << track
        << QByteArray(R"({"name":"Invoice paid","identification":{"account":{"domain":"acme.com/"}}})")
        << none << none << QString() << "url-as-domain" << W << "identification.account.domain"
        << "'acme.com/'"
        << "'acme.com'";
    QTest::newRow("URL as membership account domain")
        << Operation::RemoveUsersFromAccount
        << QByteArray(
               R"({"account":{"domain":"http://acme.com:8080"},"users":[{"identification":{"userId":"u-1"}}]})")
        << none << none << QString() << "url-as-domain" << W << "account.domain"
        << "'http://acme.com:8080'"
        << "'acme.com'";
    QTest::newRow("URL as snippet domain")
        << Operation::TrackingSnippet << QByteArray("domain=https://www.journy.io") << none << none
        << QString() << "url-as-domain" << W << "parameters.query.domain"
        << "'https://www.journy.io'"
        << "'www.journy.io'";

    // Event names.
    const QByteArray named = R"({"name":"%1","identification":{"user":{"userId":"u-1"}}})";
    QTest::newRow("number in an event name")
        << track << QByteArray(named).replace("%1", "Order 1234 paid") << none << none << QString()
        << "high-cardinality-event-name" << W << "name"
        << "'Order 1234 paid' holds a number ('1234')"
        << "'Order paid' and send '1234' as metadata";
    QTest::newRow("email in an event name")
        << track << QByteArray(named).replace("%1", "Invited jane@acme.com") << none << none << QString()
        << "high-cardinality-event-name" << W << "name"
        << "an email address ('jane@acme.com')"
        << "'Invited'";
    QTest::newRow("UUID in an event name")
        << track << QByteArray(named).replace("%1", "viewed_3f2504e0-4f89-11d3-9a0c-0305e82c3301") << none
        << none << QString() << "high-cardinality-event-name" << W << "name"
        << "a UUID ('3f2504e0-4f89-11d3-9a0c-0305e82c3301')"
        << "'viewed'";
    QTest::newRow("hex ID in an event name")
        << track << QByteArray(named).replace("%1", "export-a1b2c3d4e5f6a7b8-done") << none << none
        << QString() << "high-cardinality-event-name" << W << "name"
        << "a hex ID ('a1b2c3d4e5f6a7b8')"
        << "'export-done'";

    // Near-duplicate names.
    QTest::newRow("two spellings in one request")
        << user
        << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"Plan":"Pro","plan":"Pro"}})")
        << none << none << QString() << "near-duplicate-name" << W << "properties.plan"
        << "'plan' differs from 'Plan'"
        << "'Plan'";
    QTest::newRow("event name spelled unlike the catalog")
        << track << QByteArray(named).replace("%1", "signed-up") << QStringList{QStringLiteral("Signed Up")}
        << none << QString() << "near-duplicate-name" << W << "name"
        << "'signed-up' differs from the catalog's event 'Signed Up'"
        << "'Signed Up'";
    QTest::newRow("property spelled unlike the catalog")
        << account << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{"plan_name":"Pro"}})")
        << none << QStringList{QStringLiteral("planName")} << QString() << "near-duplicate-name" << W
        << "properties.plan_name"
        << "'plan_name' differs from the catalog's property 'planName'"
        << "'planName'";
    QTest::newRow("two metadata spellings")
        << track
        << QByteArray(
               R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"Amount":1,"amount":2}})")
        << none << none << QString() << "near-duplicate-name" << W << "metadata.amount"
        << "'amount' differs from 'Amount'"
        << "'Amount'";

    // Informational.
    QTest::newRow("null deletes a catalog property")
        << user << QByteArray(R"({"identification":{"userId":"u-1"},"properties":{"plan":null}})") << none
        << QStringList{QStringLiteral("plan")} << QString() << "null-deletes-property" << I
        << "properties.plan"
        << "plan is sent as null"
        << "Leave plan out";
    QTest::newRow("null deletes an observed property")
        << account << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{"mrr":null}})")
        << none << none << "mrr:number"
        << "null-deletes-property" << I << "properties.mrr"
        << "mrr is sent as null"
        << "Leave mrr out";
    QTest::newRow("upsert without properties")
        << user << QByteArray(R"({"identification":{"userId":"u-1"}})") << none << none << QString()
        << "empty-properties" << I << "properties"
        << "no properties"
        << "Add the properties";
    QTest::newRow("upsert with empty properties")
        << account << QByteArray(R"({"identification":{"accountId":"a-1"},"properties":{}})") << none << none
        << QString() << "empty-properties" << I << "properties"
        << "empty object"
        << "Add the properties";
    QTest::newRow("event with empty metadata")
        << track
        << QByteArray(R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{}})")
        << none << none << QString() << "empty-metadata" << I << "metadata"
        << "empty object"
        << "Leave metadata out";
}

void TestIntegrationLint::findings()
{
    QFETCH(Operation, operation);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, eventNames);
    QFETCH(QStringList, propertyNames);
    QFETCH(QString, observed);
    QFETCH(QString, rule);
    QFETCH(LintFinding::Severity, severity);
    QFETCH(QString, path);
    QFETCH(QString, messagePart);
    QFETCH(QString, fixPart);

    const QList<LintFinding> all =
        IntegrationLint::lint(request(operation, body), context(eventNames, propertyNames, observed));
    const QList<LintFinding> found = withRule(all, rule);
    QVERIFY2(found.size() == 1, qPrintable(describe(all).join(QLatin1Char('\n'))));
    for (const LintFinding &any : all)
        QVERIFY2(ruleIds().contains(any.rule), qPrintable(any.rule));
    const LintFinding &finding = found.first();
    QCOMPARE(finding.path, path);
    QCOMPARE(LintFinding::severityName(finding.severity), LintFinding::severityName(severity));
    QVERIFY2(finding.message.contains(messagePart), qPrintable(finding.message));
    QVERIFY2(finding.fix.contains(fixPart), qPrintable(finding.fix));
}

void TestIntegrationLint::notFlagged_data()
{
    QTest::addColumn<Operation>("operation");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("eventNames");
    QTest::addColumn<QStringList>("propertyNames");
    QTest::addColumn<QString>("rule");

    const QStringList none;
    const Operation user = Operation::UpsertUser;
    const Operation track = Operation::TrackEvent;
    const QByteArray props = R"({"identification":{"userId":"u-1"},"properties":{%1,"seats":5}})";
    auto withProperty = [&](const char *property) { return QByteArray(props).replace("%1", property); };

    QTest::newRow("leading zero") << user << withProperty(R"("area":"02139")") << none << none
                                  << "string-number";
    QTest::newRow("16 digits") << user << withProperty(R"("external":"1234567890123456")") << none << none
                               << "string-number";
    QTest::newRow("leading plus") << user << withProperty(R"("contact":"+3225551234")") << none << none
                                  << "string-number";
    QTest::newRow("phone name") << user << withProperty(R"("phone":"123")") << none << none
                                << "string-number";
    QTest::newRow("id name") << user << withProperty(R"("customerId":"42")") << none << none
                             << "string-number";
    QTest::newRow("zip code name") << user << withProperty(R"("zip_code":"1000")") << none << none
                                   << "string-number";
    QTest::newRow("a word") << user << withProperty(R"("plan":"Pro")") << none << none << "string-number";
    QTest::newRow("real number") << user << withProperty(R"("mrr":399)") << none << none << "string-number";
    QTest::newRow("yes is an answer")
        << user << withProperty(R"("answer":"yes")") << none << none << "string-boolean";
    QTest::newRow("real boolean") << user << withProperty(R"("is_paying":true)") << none << none
                                  << "string-boolean";
    QTest::newRow("ISO date-time on a date name")
        << user << withProperty(R"("signed_up_at":"2024-05-01T10:00:00Z")") << none << none << "date-format";
    QTest::newRow("count on a date-like name")
        << user << withProperty(R"("time":42)") << none << none << "date-format";
    QTest::newRow("epoch-sized number on an ordinary name")
        << user << withProperty(R"("visits":1714557600)") << none << none << "date-format";
    QTest::newRow("date only on an ordinary name")
        << user << withProperty(R"("renewal":"2024-05-01")") << none << none << "string-date";
    QTest::newRow("impossible local date")
        << user << withProperty(R"("ratio":"31/31/2024")") << none << none << "string-date";
    QTest::newRow("null on an unknown property")
        << user << withProperty(R"("old_flag":null)") << none << none << "null-deletes-property";
    QTest::newRow("exact catalog property")
        << user << withProperty(R"("planName":"Pro")") << none << QStringList{QStringLiteral("planName")}
        << "near-duplicate-name";
    QTest::newRow("property differing by more than case")
        << user << withProperty(R"("plans":"Pro","plan":"Pro")") << none << none << "near-duplicate-name";
    QTest::newRow("an ordinary domain")
        << Operation::DeleteAccount << QByteArray(R"({"identification":{"domain":"acme.com"}})") << none
        << none << "url-as-domain";
    QTest::newRow("www. website for the snippet")
        << Operation::TrackingSnippet << QByteArray("domain=www.journy.io") << none << none
        << "url-as-domain";
    QTest::newRow("an ordinary userId")
        << Operation::DeleteUser
        << QByteArray(R"({"identification":{"userId":"u-1","email":"jane@acme.com"}})") << none << none
        << "email-as-user-id";

    const QByteArray named = R"({"name":"%1","identification":{"user":{"userId":"u-1"}}})";
    QTest::newRow("constant event name") << track << QByteArray(named).replace("%1", "Signed Up") << none
                                         << none << "high-cardinality-event-name";
    QTest::newRow("two digits in an event name")
        << track << QByteArray(named).replace("%1", "Upgraded to plan 12") << none << none
        << "high-cardinality-event-name";
    QTest::newRow("exact catalog event")
        << track << QByteArray(named).replace("%1", "Signed Up")
        << QStringList{QStringLiteral("Signed Up"), QStringLiteral("signed-up")} << none
        << "near-duplicate-name";
    QTest::newRow("POST /track") << track << QByteArray(named).replace("%1", "Signed Up") << none << none
                                 << "deprecated-events-endpoint";
    QTest::newRow("event without metadata")
        << track << QByteArray(named).replace("%1", "Signed Up") << none << none << "empty-metadata";

    const QByteArray at =
        R"({"name":"Signed Up","identification":{"user":{"userId":"u-1"}},"triggeredAt":"%1"})";
    QTest::newRow("four minutes ahead is clock skew")
        << track << QByteArray(at).replace("%1", "2024-05-01T10:04:00Z") << none << none
        << "triggered-at-future";
    QTest::newRow("an offset puts it in the past")
        << track << QByteArray(at).replace("%1", "2024-05-01T11:30:00+02:00") << none << none
        << "triggered-at-future";
    QTest::newRow("364 days old") << track << QByteArray(at).replace("%1", "2023-05-03T10:00:00Z") << none
                                  << none << "triggered-at-old";
    QTest::newRow("malformed triggeredAt is the validator's")
        << track << QByteArray(at).replace("%1", "yesterday") << none << none << "triggered-at-old";
}

void TestIntegrationLint::notFlagged()
{
    QFETCH(Operation, operation);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, eventNames);
    QFETCH(QStringList, propertyNames);
    QFETCH(QString, rule);

    const QList<LintFinding> all =
        IntegrationLint::lint(request(operation, body), context(eventNames, propertyNames));
    QVERIFY2(withRule(all, rule).isEmpty(), qPrintable(describe(all).join(QLatin1Char('\n'))));
}

void TestIntegrationLint::nodeSdk310Body()
{
    // What the published Node SDK 3.1.0 sends: every value as a string.
    const ApiRequest upsert = request(
        Operation::UpsertUser,
        R"({"identification":{"userId":"u-1"},"properties":{"mrr":"399","is_paying":"true","plan":"Pro","signed_up_at":"1714557600"}})");
    QCOMPARE(
        describe(IntegrationLint::lint(upsert, context())),
        QStringList(
            {QStringLiteral("string-boolean info [properties.is_paying] is_paying is sent as the text "
                            "'true', which reads as a boolean. | Send true as a JSON boolean, without "
                            "quotes."),
             QStringLiteral("string-number info [properties.mrr] mrr is sent as the text '399', which "
                            "reads as a number. | Send 399 as a JSON number, without quotes."),
             QStringLiteral("date-format warning [properties.signed_up_at] signed_up_at '1714557600' looks "
                            "like epoch seconds, not an ISO 8601 date-time. | Send the ISO 8601 "
                            "date-time '2024-05-01T10:00:00Z'.")}));

    // Its events go to the deprecated endpoint, metadata as text too.
    const ApiRequest event = request(
        Operation::TrackLegacyEvent,
        R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"amount":"120"}})");
    const QList<LintFinding> eventFindings = IntegrationLint::lint(event, context());
    QCOMPARE(eventFindings.size(), 2);
    QCOMPARE(eventFindings.at(0).rule, QStringLiteral("deprecated-events-endpoint"));
    QCOMPARE(eventFindings.at(0).path, QString());
    QCOMPARE(eventFindings.at(1).rule, QStringLiteral("string-number"));
    QCOMPARE(eventFindings.at(1).path, QStringLiteral("metadata.amount"));
}

void TestIntegrationLint::severityFollowsEvidence()
{
    // The same text value: info alone, a warning once the name was seen typed or the request
    // types its other values.
    const QByteArray alone = R"({"identification":{"userId":"u-1"},"properties":{"seats":"12"}})";
    const QByteArray mixed =
        R"({"identification":{"userId":"u-1"},"properties":{"seats":"12","trial":false}})";
    const auto severityOf = [](const QByteArray &body, const QString &observed) {
        const QList<LintFinding> found =
            withRule(IntegrationLint::lint(request(Operation::UpsertUser, body), context({}, {}, observed)),
                     QStringLiteral("string-number"));
        return found.size() == 1 ? LintFinding::severityName(found.first().severity) : QStringLiteral("none");
    };
    QCOMPARE(severityOf(alone, QString()), QStringLiteral("info"));
    QCOMPARE(severityOf(alone, QStringLiteral("seats:string")), QStringLiteral("info"));
    QCOMPARE(severityOf(alone, QStringLiteral("seats:number")), QStringLiteral("warning"));
    QCOMPARE(severityOf(mixed, QString()), QStringLiteral("warning"));
}

void TestIntegrationLint::specExamples_data()
{
    QTest::addColumn<Operation>("operation");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("expectedRules"); // findings an example cannot avoid
    for (const SpecExample &example : specExampleList())
        QTest::newRow(example.name.constData()) << example.operation << example.body << example.expectedRules;
}

void TestIntegrationLint::specExamples()
{
    QFETCH(Operation, operation);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, expectedRules);

    const QString sample = javaScriptSample(ApiOperation::info(operation).operationId);
    QVERIFY2(!sample.isEmpty(), "the spec has no JavaScript sample for the operation");
    // The transcription holds nothing the sample does not.
    QStringList leaves;
    if (operation == Operation::TrackingSnippet)
        leaves.append(QUrlQuery(QString::fromUtf8(body)).queryItemValue(QStringLiteral("domain")));
    else
        collectLeaves(object(body), false, &leaves);
    for (const QString &leaf : std::as_const(leaves)) {
        if (leaf == QLatin1String("@now"))
            QVERIFY(sample.contains(QLatin1String("new Date(")));
        else
            QVERIFY2(sample.contains(leaf), qPrintable(leaf));
    }

    const QByteArray wire = QByteArray(body).replace("@now", testNow().toString(Qt::ISODate).toUtf8());
    const QList<LintFinding> found = IntegrationLint::lint(request(operation, wire), context());
    QStringList rules;
    for (const LintFinding &finding : found)
        rules.append(finding.rule);
    QVERIFY2(rules == expectedRules, qPrintable(describe(found).join(QLatin1Char('\n'))));
}

void TestIntegrationLint::specExamplesCoverEveryOperationWithABody()
{
    QSet<int> covered;
    for (const SpecExample &example : specExampleList())
        covered.insert(static_cast<int>(example.operation));
    for (const ApiOperation &operation : ApiOperation::all()) {
        if (operation.hasBody || operation.operation == Operation::TrackingSnippet)
            QVERIFY2(covered.contains(static_cast<int>(operation.operation)),
                     qPrintable(operation.operationId));
    }
}

void TestIntegrationLint::deterministicAndFromTheRuleTable()
{
    const ApiRequest messy = request(
        Operation::TrackLegacyEvent,
        R"({"name":"Order 1234 paid","identification":{"user":{"userId":"jane@acme.com"},"account":{"domain":"https://www.acme.com/"}},"triggeredAt":"2031-01-01T00:00:00Z","metadata":{"Amount":"12","amount":3,"paid":"true","paid_at":"1714557600000","when":"05/13/2024"}})");
    const IntegrationLint::Context ctx = context({QStringLiteral("Order paid")});
    const QList<LintFinding> first = IntegrationLint::lint(messy, ctx);
    const QList<LintFinding> second = IntegrationLint::lint(messy, ctx);
    QCOMPARE(describe(first), describe(second));
    QVERIFY(first == second);
    QVERIFY(first.size() >= 9);

    for (int i = 0; i < first.size(); ++i) {
        QVERIFY2(ruleIds().contains(first.at(i).rule), qPrintable(first.at(i).rule));
        QVERIFY(!first.at(i).message.isEmpty());
        QVERIFY(!first.at(i).fix.isEmpty());
        if (i > 0) {
            const LintFinding &previous = first.at(i - 1);
            QVERIFY2(previous.path < first.at(i).path ||
                         (previous.path == first.at(i).path && previous.rule < first.at(i).rule),
                     qPrintable(describe(first).join(QLatin1Char('\n'))));
        }
    }
}

void TestIntegrationLint::bodyTextIsLinted()
{
    const QByteArray text = R"({"identification":{"userId":"u-1"},"properties":{"mrr":"399"}})";
    ApiRequest fromText = ApiRequest::raw(Operation::UpsertUser, QJsonObject());
    fromText.bodyText = text;
    QCOMPARE(describe(IntegrationLint::lint(fromText, context())),
             describe(IntegrationLint::lint(request(Operation::UpsertUser, text), context())));
    QCOMPARE(IntegrationLint::lint(fromText, context()).size(), 1);

    ApiRequest broken = ApiRequest::raw(Operation::UpsertUser, QJsonObject());
    broken.bodyText = R"({"identification":)";
    QVERIFY(IntegrationLint::lint(broken, context()).isEmpty());
}

void TestIntegrationLint::findingToJson()
{
    const QList<LintFinding> found = IntegrationLint::lint(
        request(Operation::UpsertUser,
                R"({"identification":{"userId":"u-1"},"properties":{"mrr":"399","x":1}})"),
        context());
    QCOMPARE(found.size(), 1);
    const QJsonObject json = found.first().toJson();
    QCOMPARE(json.keys(),
             QStringList({QStringLiteral("fix"), QStringLiteral("message"), QStringLiteral("path"),
                          QStringLiteral("rule"), QStringLiteral("severity")}));
    QCOMPARE(json.value(QLatin1String("rule")).toString(), QStringLiteral("string-number"));
    QCOMPARE(json.value(QLatin1String("severity")).toString(), QStringLiteral("warning"));
    QCOMPARE(json.value(QLatin1String("path")).toString(), QStringLiteral("properties.mrr"));
    QCOMPARE(json.value(QLatin1String("message")).toString(), found.first().message);
    QCOMPARE(json.value(QLatin1String("fix")).toString(), found.first().fix);
    QCOMPARE(LintFinding::severityName(LintFinding::Severity::Info), QStringLiteral("info"));
}

QTEST_GUILESS_MAIN(TestIntegrationLint)
#include "tst_IntegrationLint.moc"

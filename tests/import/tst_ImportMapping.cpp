#include <QTest>

#include "api/ApiRequest.h"
#include "api/RequestValidator.h"
#include "import/ImportKind.h"
#include "import/ImportMapping.h"
#include "import/ImportRecord.h"
#include "import/ImportRowBuilder.h"
#include "support/SpecSchema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

Q_DECLARE_METATYPE(TypedValue::Type)
Q_DECLARE_METATYPE(ImportKind::Kind)

namespace {

using Kind = ImportKind::Kind;
using Type = TypedValue::Type;

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject parseObject(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("bad JSON in a test: %s", json);
    return document.object();
}

QStringList targetsOf(const ImportMapping &mapping)
{
    QStringList targets;
    for (const ImportMapping::Column &column : mapping.columns)
        targets.append(column.target);
    return targets;
}

const ImportMapping::Column *columnNamed(const ImportMapping &mapping, const QString &name)
{
    for (const ImportMapping::Column &column : mapping.columns) {
        if (column.column == name)
            return &column;
    }
    return nullptr;
}

ImportKind importKind(Kind kind, bool remove = false)
{
    ImportKind result;
    result.kind = kind;
    result.remove = remove;
    return result;
}

// What the importer does before building rows: defaults, types from the rows themselves, then
// --map overrides (a broken override is a broken test).
ImportMapping mappingFor(Kind kind, const QStringList &headers, const QList<QStringList> &sample,
                         const QStringList &overrides = {})
{
    ImportMapping mapping = ImportMapping::defaults(kind, headers);
    mapping.inferTypes(sample);
    for (const QString &spec : overrides) {
        QString error;
        if (!mapping.applyOverride(spec, &error))
            qFatal("bad override in a test: %s: %s", qPrintable(spec), qPrintable(error));
    }
    return mapping;
}

ImportRecord record(const QStringList &values)
{
    ImportRecord result;
    result.number = 1;
    result.line = 2;
    result.values = values;
    return result;
}

// One row through the builder; the build must succeed and the request pass pre-flight and the
// published schema.
ApiRequest buildValid(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers,
                      const QStringList &values)
{
    ApiRequest request;
    QMap<QString, QString> errors;
    const bool built = ImportRowBuilder::build(kind, mapping, headers, record(values), &request, &errors);
    if (!built || !errors.isEmpty())
        qWarning() << "build errors:" << errors;
    const RequestValidator::FieldErrors preflight = RequestValidator::validate(request);
    if (!preflight.isEmpty())
        qWarning() << "pre-flight errors:" << preflight << compact(request.body);
    const QStringList schemaErrors = SpecSchema().checkRequest(request.info().operationId, request.body);
    if (!schemaErrors.isEmpty())
        qWarning() << "schema errors:" << schemaErrors;
    return built && preflight.isEmpty() && schemaErrors.isEmpty() ? request : ApiRequest();
}

} // namespace

// Bulk import's column mapping (defaults, type inference, --map overrides, mapping files) and
// the conversion of each row into the exact request it sends.
class TestImportMapping : public QObject
{
    Q_OBJECT

private slots:
    void failedRowsErrorColumnIsIgnored();
    void defaultsPerKind_data();
    void defaultsPerKind();
    void headerAliases_data();
    void headerAliases();
    void defaultsKeepTheHeaderAndTrimTheName();

    void inference_data();
    void inference();
    void inferenceLeavesChosenTypesAlone();
    void inferenceAgainReplacesAnInferredType();
    void inferenceFromRaggedRows();

    void overrideValid_data();
    void overrideValid();
    void overrideWithoutTypeKeepsTheInferredType();
    void overrideColumnHoldingEquals();
    void overrideErrors_data();
    void overrideErrors();

    void check_data();
    void check();

    void saveLoadRoundTrip();
    void savedFileFormat();
    void loadReplacesOnlyNamedColumns();
    void loadErrorsLeaveTheMappingAlone_data();
    void loadErrorsLeaveTheMappingAlone();
    void loadMissingFile();

    void buildBodies_data();
    void buildBodies();
    void blankIdentificationIsLeftOut();
    void blankPropertiesLeftOutUnlessEmptyOrNull();
    void blankNameAndDeviceIdAreLeftOut();
    void propertiesIgnoredForDelete();
    void mappingColumnsFoundByName();
    void badCells_data();
    void badCells();
    void brokenRecordIsReported();

    void groupKey_data();
    void groupKey();
    void mergeThreeMemberships();
    void mergeKeepsRemove();
    void mergeTakesWhatItIsGiven();
};

void TestImportMapping::defaultsPerKind_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QStringList>("targets");

    // A header that is a target maps to it only where the target means something for the kind;
    // elsewhere it is data (a users file's "name" is the user's name).
    QTest::newRow("users") << Kind::Users
                           << QStringList{"userId", "email", "plan", "name", "accountId", "triggeredAt"}
                           << QStringList{"userId",    "email",          "prop.plan",
                                          "prop.name", "prop.accountId", "prop.triggeredAt"};
    QTest::newRow("accounts") << Kind::Accounts << QStringList{"accountId", "domain", "plan", "userId"}
                              << QStringList{"accountId", "domain", "prop.plan", "prop.userId"};
    QTest::newRow("memberships") << Kind::Memberships
                                 << QStringList{"accountId", "userId", "email", "domain", "role"}
                                 << QStringList{"accountId", "userId", "email", "domain", "ignore"};
    QTest::newRow("events") << Kind::Events << QStringList{"name",   "userId",      "email", "accountId",
                                                           "domain", "triggeredAt", "plan",  "deviceId"}
                            << QStringList{"name",   "userId",      "email",     "accountId",
                                           "domain", "triggeredAt", "meta.plan", "meta.deviceId"};
    QTest::newRow("links") << Kind::Links << QStringList{"deviceId", "email", "userId", "browser"}
                           << QStringList{"deviceId", "email", "userId", "ignore"};
}

void TestImportMapping::defaultsPerKind()
{
    QFETCH(Kind, kind);
    QFETCH(QStringList, headers);
    QFETCH(QStringList, targets);
    const ImportMapping mapping = ImportMapping::defaults(kind, headers);
    QCOMPARE(targetsOf(mapping), targets);
    for (qsizetype i = 0; i < headers.size(); ++i) {
        QCOMPARE(mapping.columns.at(i).column, headers.at(i));
        QVERIFY(!mapping.columns.at(i).typeSet);
    }
    QString error;
    QVERIFY2(mapping.check(kind, &error), qPrintable(error));
}

void TestImportMapping::headerAliases_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("target");

    QTest::newRow("userId") << Kind::Events << "userId"
                            << "userId";
    QTest::newRow("USERID") << Kind::Events << "USERID"
                            << "userId";
    QTest::newRow("user_id") << Kind::Events << "user_id"
                             << "userId";
    QTest::newRow("User ID") << Kind::Events << "User ID"
                             << "userId";
    QTest::newRow("user-id") << Kind::Events << "user-id"
                             << "userId";
    QTest::newRow("Email") << Kind::Events << "Email"
                           << "email";
    QTest::newRow("E-mail") << Kind::Events << "E-mail"
                            << "email";
    QTest::newRow("account_id") << Kind::Events << "account_id"
                                << "accountId";
    QTest::newRow("AccountId") << Kind::Events << "AccountId"
                               << "accountId";
    QTest::newRow("DOMAIN") << Kind::Events << "DOMAIN"
                            << "domain";
    QTest::newRow("name") << Kind::Events << "name"
                          << "name";
    QTest::newRow("event") << Kind::Events << "event"
                           << "name";
    QTest::newRow("event_name") << Kind::Events << "event_name"
                                << "name";
    QTest::newRow("Event Name") << Kind::Events << "Event Name"
                                << "name";
    QTest::newRow("triggered_at") << Kind::Events << "triggered_at"
                                  << "triggeredAt";
    QTest::newRow("TriggeredAt") << Kind::Events << "TriggeredAt"
                                 << "triggeredAt";
    QTest::newRow("device_id") << Kind::Links << "device_id"
                               << "deviceId";
    QTest::newRow("DeviceId") << Kind::Links << "DeviceId"
                              << "deviceId";
    // Near misses stay data.
    QTest::newRow("user") << Kind::Users << "user"
                          << "prop.user";
    QTest::newRow("emails") << Kind::Users << "emails"
                            << "prop.emails";
    QTest::newRow("user_id_2") << Kind::Users << "user_id_2"
                               << "prop.user_id_2";
    QTest::newRow("event on users") << Kind::Users << "event"
                                    << "prop.event";
    QTest::newRow("nameless column") << Kind::Users << ""
                                     << "ignore";
    QTest::newRow("nameless column, events") << Kind::Events << "  "
                                             << "ignore";
}

void TestImportMapping::headerAliases()
{
    QFETCH(Kind, kind);
    QFETCH(QString, header);
    QFETCH(QString, target);
    QCOMPARE(targetsOf(ImportMapping::defaults(kind, {header})), QStringList{target});
}

void TestImportMapping::defaultsKeepTheHeaderAndTrimTheName()
{
    const ImportMapping mapping = ImportMapping::defaults(Kind::Users, {" plan ", " email"});
    QCOMPARE(mapping.columns.size(), 2);
    QCOMPARE(mapping.columns.at(0).column, QStringLiteral(" plan "));
    QCOMPARE(mapping.columns.at(0).target, QStringLiteral("prop.plan"));
    QCOMPARE(mapping.columns.at(1).column, QStringLiteral(" email"));
    QCOMPARE(mapping.columns.at(1).target, QStringLiteral("email"));
}

void TestImportMapping::inference_data()
{
    QTest::addColumn<QStringList>("cells");
    QTest::addColumn<Type>("type");

    QTest::newRow("integers") << QStringList{"1", "42", "399"} << Type::Number;
    QTest::newRow("negatives") << QStringList{"-1", "-42.5", "7"} << Type::Number;
    QTest::newRow("explicit plus") << QStringList{"+3", "4"} << Type::Number;
    QTest::newRow("fractions") << QStringList{"0.5", "12.25", ".5"} << Type::Number;
    QTest::newRow("exponents") << QStringList{"1e3", "-2.5E-3", "6.02e23"} << Type::Number;
    QTest::newRow("zero") << QStringList{"0", "0.0", "-0"} << Type::Number;
    QTest::newRow("spaces around") << QStringList{" 42 ", "7"} << Type::Number;
    QTest::newRow("1 and 0 are numbers") << QStringList{"1", "0"} << Type::Number;
    QTest::newRow("decimal comma stays string") << QStringList{"3,5", "4"} << Type::String;
    QTest::newRow("group separator stays string") << QStringList{"3,500", "12"} << Type::String;
    QTest::newRow("leading zeros are codes") << QStringList{"02134", "10001"} << Type::String;
    QTest::newRow("more digits than a double keeps")
        << QStringList{"1234567890123456789", "1"} << Type::String;
    QTest::newRow("15 digits still a number") << QStringList{"123456789012345"} << Type::Number;
    QTest::newRow("not finite") << QStringList{"inf", "nan"} << Type::String;
    QTest::newRow("bools") << QStringList{"true", "false", "TRUE", "False"} << Type::Boolean;
    QTest::newRow("yes/no are words") << QStringList{"yes", "no"} << Type::String;
    QTest::newRow("dates") << QStringList{"2024-05-01", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.5+02:00"}
                           << Type::DateTime;
    QTest::newRow("impossible date") << QStringList{"2024-05-01", "2023-02-29"} << Type::String;
    QTest::newRow("number and bool") << QStringList{"1", "true"} << Type::String;
    QTest::newRow("number and date") << QStringList{"2024-05-01", "3"} << Type::String;
    QTest::newRow("bool and date") << QStringList{"2024-05-01", "false"} << Type::String;
    QTest::newRow("words") << QStringList{"Pro", "Free"} << Type::String;
    QTest::newRow("one word spoils numbers") << QStringList{"1", "2", "3", "n/a"} << Type::String;
    QTest::newRow("empty cells do not vote") << QStringList{"", "42", "  ", "-1"} << Type::Number;
    QTest::newRow("empty cells, bool") << QStringList{"", "true", ""} << Type::Boolean;
    QTest::newRow("only empty cells") << QStringList{"", " ", ""} << Type::String;
    QTest::newRow("no rows") << QStringList{} << Type::String;
}

void TestImportMapping::inference()
{
    QFETCH(QStringList, cells);
    QFETCH(Type, type);

    // The column under test sits between two others so that cells are read by position.
    QList<QStringList> sample;
    for (const QString &cell : cells)
        sample.append({QStringLiteral("u1"), cell, QStringLiteral("Pro")});
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "value", "plan"});
    mapping.inferTypes(sample);
    QCOMPARE(mapping.columns.at(1).type, type);
    QVERIFY(!mapping.columns.at(1).typeSet);
    QCOMPARE(mapping.columns.at(2).type, Type::String);

    // The same for event metadata.
    ImportMapping events = ImportMapping::defaults(Kind::Events, {"userId", "value", "plan"});
    events.inferTypes(sample);
    QCOMPARE(events.columns.at(1).target, QStringLiteral("meta.value"));
    QCOMPARE(events.columns.at(1).type, type);
}

void TestImportMapping::inferenceLeavesChosenTypesAlone()
{
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "zip", "count"});
    QString error;
    QVERIFY2(mapping.applyOverride(QStringLiteral("count=prop.count:string"), &error), qPrintable(error));
    mapping.inferTypes({{"u1", "10001", "3"}, {"u2", "10002", "4"}});
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    QCOMPARE(mapping.columns.at(2).type, Type::String);
    QVERIFY(mapping.columns.at(2).typeSet);
}

void TestImportMapping::inferenceAgainReplacesAnInferredType()
{
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "value"});
    mapping.inferTypes({{"u1", "3"}});
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    mapping.inferTypes({{"u1", "true"}});
    QCOMPARE(mapping.columns.at(1).type, Type::Boolean);
    mapping.inferTypes({{"u1", ""}});
    QCOMPARE(mapping.columns.at(1).type, Type::String);
}

void TestImportMapping::inferenceFromRaggedRows()
{
    // Ragged sample rows: missing cells are blank, not a reason to read the wrong column.
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "a", "b"});
    mapping.inferTypes({{"u1", "1"}, {"u2", "2", "2024-05-01"}, {"u3"}});
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    QCOMPARE(mapping.columns.at(2).type, Type::DateTime);
}

void TestImportMapping::overrideValid_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("target");
    QTest::addColumn<Type>("type");
    QTest::addColumn<bool>("typeSet");

    QTest::newRow("property with type") << "mrr=prop.revenue:number"
                                        << "mrr"
                                        << "prop.revenue" << Type::Number << true;
    QTest::newRow("type alias") << "mrr=prop.mrr:num"
                                << "mrr"
                                << "prop.mrr" << Type::Number << true;
    QTest::newRow("bool") << "flag=prop.flag:bool"
                          << "flag"
                          << "prop.flag" << Type::Boolean << true;
    QTest::newRow("date") << "mrr=prop.mrr:date"
                          << "mrr"
                          << "prop.mrr" << Type::DateTime << true;
    QTest::newRow("list") << "tags=prop.tags:list"
                          << "tags"
                          << "prop.tags" << Type::List << true;
    QTest::newRow("empty") << "tags=prop.tags:empty"
                           << "tags"
                           << "prop.tags" << Type::Empty << true;
    QTest::newRow("null") << "tags=prop.tags:null"
                          << "tags"
                          << "prop.tags" << Type::Null << true;
    QTest::newRow("identification") << "login=userId"
                                    << "login"
                                    << "userId" << Type::String << false;
    QTest::newRow("target in any case") << "login=EMAIL"
                                        << "login"
                                        << "email" << Type::String << false;
    QTest::newRow("prefix in any case") << "flag=Prop.Flag:bool"
                                        << "flag"
                                        << "prop.Flag" << Type::Boolean << true;
    QTest::newRow("ignore") << "mrr=ignore"
                            << "mrr"
                            << "ignore" << Type::Number << false;
    QTest::newRow("column in another case") << "LOGIN=userId"
                                            << "login"
                                            << "userId" << Type::String << false;
    QTest::newRow("name with a colon") << "tags=prop.utm:source:string"
                                       << "tags"
                                       << "prop.utm:source" << Type::String << true;
}

void TestImportMapping::overrideValid()
{
    QFETCH(QString, spec);
    QFETCH(QString, column);
    QFETCH(QString, target);
    QFETCH(Type, type);
    QFETCH(bool, typeSet);

    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"login", "mrr", "flag", "tags"});
    mapping.inferTypes({{"u1", "399", "true", "a"}});
    QString error;
    QVERIFY2(mapping.applyOverride(spec, &error), qPrintable(error));
    const ImportMapping::Column *changed = columnNamed(mapping, column);
    QVERIFY(changed);
    QCOMPARE(changed->target, target);
    QCOMPARE(changed->type, type);
    QCOMPARE(changed->typeSet, typeSet);
    QCOMPARE(mapping.columns.size(), 4);
}

void TestImportMapping::overrideWithoutTypeKeepsTheInferredType()
{
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "mrr"});
    mapping.inferTypes({{"u1", "399"}});
    QString error;
    QVERIFY2(mapping.applyOverride(QStringLiteral("mrr=prop.revenue"), &error), qPrintable(error));
    QCOMPARE(mapping.columns.at(1).target, QStringLiteral("prop.revenue"));
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    QVERIFY(!mapping.columns.at(1).typeSet);
}

void TestImportMapping::overrideColumnHoldingEquals()
{
    // Split at the last '=': the header "a=b" is the column, prop.x the target.
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"userId", "a=b", "a"});
    QString error;
    QVERIFY2(mapping.applyOverride(QStringLiteral("a=b=prop.x:number"), &error), qPrintable(error));
    QCOMPARE(mapping.columns.at(1).target, QStringLiteral("prop.x"));
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    QCOMPARE(mapping.columns.at(2).target, QStringLiteral("prop.a"));
}

void TestImportMapping::overrideErrors_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("unknown target") << "plan=plan"
                                    << "unknown target 'plan'";
    QTest::newRow("unknown target, typo") << "plan=usrId"
                                          << "unknown target 'usrId'";
    QTest::newRow("unknown type") << "plan=prop.plan:money"
                                  << "unknown type 'money'";
    QTest::newRow("colon in a name without type") << "plan=prop.utm:source"
                                                  << "unknown type 'source'";
    QTest::newRow("unknown column") << "tier=prop.plan"
                                    << "no column 'tier'";
    QTest::newRow("no =") << "plan"
                          << "COLUMN=TARGET";
    QTest::newRow("property without a name") << "plan=prop."
                                             << "needs a name";
    QTest::newRow("type on identification") << "login=userId:number"
                                            << "takes no type";
    QTest::newRow("null metadata") << "plan=meta.plan:null"
                                   << "metadata cannot be of type null";
    QTest::newRow("list metadata") << "plan=meta.plan:list"
                                   << "metadata cannot be of type list";
}

void TestImportMapping::overrideErrors()
{
    QFETCH(QString, spec);
    QFETCH(QString, mentions);
    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"login", "plan"});
    const QString before = mapping.toJson();
    QString error;
    QVERIFY(!mapping.applyOverride(spec, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QCOMPARE(mapping.toJson(), before);
}

void TestImportMapping::check_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QStringList>("overrides");
    QTest::addColumn<QString>("mentions"); // empty: check() passes

    QTest::newRow("users") << Kind::Users << QStringList{"email", "plan"} << QStringList{} << "";
    QTest::newRow("users without identification") << Kind::Users << QStringList{"id", "plan"} << QStringList{}
                                                  << "users need a userId or an email column";
    QTest::newRow("users, identification by override")
        << Kind::Users << QStringList{"id", "plan"} << QStringList{"id=userId"} << "";
    QTest::newRow("users with an event name")
        << Kind::Users << QStringList{"userId", "event"} << QStringList{"event=name"}
        << "target 'name' does not apply to users";
    QTest::newRow("users with metadata")
        << Kind::Users << QStringList{"userId", "plan"} << QStringList{"plan=meta.plan"}
        << "target 'meta.plan' does not apply";
    QTest::newRow("two columns, one target") << Kind::Users << QStringList{"userId", "user_id"}
                                             << QStringList{} << "target 'userId' is already mapped";
    QTest::newRow("two columns, one target, one ignored")
        << Kind::Users << QStringList{"userId", "user_id"} << QStringList{"user_id=ignore"} << "";
    QTest::newRow("two columns, one property")
        << Kind::Users << QStringList{"userId", "plan", "tier"} << QStringList{"tier=prop.plan"}
        << "'prop.plan' is already mapped";

    QTest::newRow("accounts") << Kind::Accounts << QStringList{"domain", "plan"} << QStringList{} << "";
    QTest::newRow("accounts without identification")
        << Kind::Accounts << QStringList{"userId", "plan"} << QStringList{}
        << "accounts need an accountId or a domain";

    QTest::newRow("memberships") << Kind::Memberships << QStringList{"domain", "email"} << QStringList{}
                                 << "";
    QTest::newRow("memberships without account")
        << Kind::Memberships << QStringList{"userId", "email", "role"} << QStringList{}
        << "memberships need an accountId or a domain";
    QTest::newRow("memberships without user")
        << Kind::Memberships << QStringList{"accountId", "domain", "role"} << QStringList{}
        << "memberships need a userId or an email";
    QTest::newRow("memberships with a property")
        << Kind::Memberships << QStringList{"accountId", "userId", "role"} << QStringList{"role=prop.role"}
        << "does not apply to memberships";

    QTest::newRow("events") << Kind::Events << QStringList{"event", "email", "plan"} << QStringList{} << "";
    QTest::newRow("events without a name column")
        << Kind::Events << QStringList{"userId", "plan"} << QStringList{} << "events need a name column";
    QTest::newRow("events, name by override")
        << Kind::Events << QStringList{"userId", "what"} << QStringList{"what=name"} << "";
    QTest::newRow("events without identification")
        << Kind::Events << QStringList{"name", "plan"} << QStringList{}
        << "events need a userId, email, accountId or domain";
    QTest::newRow("events, account only")
        << Kind::Events << QStringList{"name", "domain"} << QStringList{} << "";
    QTest::newRow("events with a property") << Kind::Events << QStringList{"name", "userId", "plan"}
                                            << QStringList{"plan=prop.plan"} << "does not apply to events";

    QTest::newRow("links") << Kind::Links << QStringList{"deviceId", "userId"} << QStringList{} << "";
    QTest::newRow("links without device")
        << Kind::Links << QStringList{"device", "userId"} << QStringList{} << "links need a deviceId column";
    QTest::newRow("links without user") << Kind::Links << QStringList{"deviceId", "accountId"}
                                        << QStringList{} << "links need a userId or an email";
}

void TestImportMapping::check()
{
    QFETCH(Kind, kind);
    QFETCH(QStringList, headers);
    QFETCH(QStringList, overrides);
    QFETCH(QString, mentions);

    const ImportMapping mapping = mappingFor(kind, headers, {}, overrides);
    QString error;
    const bool ok = mapping.check(kind, &error);
    if (mentions.isEmpty()) {
        QVERIFY2(ok, qPrintable(error));
    } else {
        QVERIFY(!ok);
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }
}

void TestImportMapping::saveLoadRoundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("mapping.json"));

    ImportMapping mapping = mappingFor(Kind::Users, {"user_id", "E-mail", "mrr", "tags", "note", "a=b"},
                                       {{"u1", "a@b.co", "399", "x,y", "", "1"}},
                                       {"tags=prop.tags:list", "note=prop.note:empty", "a=b=ignore"});
    QString error;
    QVERIFY2(mapping.save(path, &error), qPrintable(error));

    ImportMapping loaded;
    QVERIFY2(loaded.load(path, &error), qPrintable(error));
    QCOMPARE(loaded.columns.size(), mapping.columns.size());
    for (qsizetype i = 0; i < mapping.columns.size(); ++i) {
        const ImportMapping::Column &saved = mapping.columns.at(i);
        const ImportMapping::Column &read = loaded.columns.at(i);
        QCOMPARE(read.column, saved.column);
        QCOMPARE(read.target, saved.target);
        QCOMPARE(read.typeSet, saved.typeSet);
        if (saved.typeSet)
            QCOMPARE(read.type, saved.type);
    }
    QCOMPARE(loaded.toJson(), mapping.toJson());

    // Loaded over the defaults of the same file, with types inferred, it gives the same mapping.
    ImportMapping over = mappingFor(Kind::Users, {"user_id", "E-mail", "mrr", "tags", "note", "a=b"},
                                    {{"u1", "a@b.co", "399", "x,y", "", "1"}});
    QVERIFY2(over.load(path, &error), qPrintable(error));
    QCOMPARE(targetsOf(over), targetsOf(mapping));
    for (qsizetype i = 0; i < mapping.columns.size(); ++i)
        QCOMPARE(over.columns.at(i).type, mapping.columns.at(i).type);
}

void TestImportMapping::savedFileFormat()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("mapping.json"));
    const ImportMapping mapping = mappingFor(Kind::Events, {"event", "userId", "mrr", "plan"},
                                             {{"signup", "u1", "3", "Pro"}}, {"mrr=meta.mrr:number"});
    QString error;
    QVERIFY2(mapping.save(path, &error), qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    // Only a type the user chose is written; "plan" is inferred again from the next file.
    const QJsonObject expected = parseObject(R"({"columns": [
        {"column": "event", "target": "name"},
        {"column": "userId", "target": "userId"},
        {"column": "mrr", "target": "meta.mrr", "type": "number"},
        {"column": "plan", "target": "meta.plan"}]})");
    QCOMPARE(compact(QJsonDocument::fromJson(file.readAll()).object()), compact(expected));
}

void TestImportMapping::loadReplacesOnlyNamedColumns()
{
    ImportMapping mapping = mappingFor(Kind::Users, {"login", "mrr", "plan"}, {{"u1", "399", "Pro"}});
    QString error;
    QVERIFY2(mapping.fromJson(QStringLiteral(R"({"columns": [
        {"column": "login", "target": "USERID"},
        {"column": "plan", "target": "prop.tier", "type": "string"},
        {"column": "extra", "target": "email"}]})"),
                              &error),
             qPrintable(error));
    QCOMPARE(targetsOf(mapping), (QStringList{"userId", "prop.mrr", "prop.tier", "email"}));
    QCOMPARE(mapping.columns.at(1).type, Type::Number);
    QVERIFY(!mapping.columns.at(1).typeSet);
    QVERIFY(mapping.columns.at(2).typeSet);
    QCOMPARE(mapping.columns.at(3).column, QStringLiteral("extra"));
}

void TestImportMapping::loadErrorsLeaveTheMappingAlone_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("not JSON") << "{\"columns\": ["
                              << "not valid JSON";
    QTest::newRow("not JSON, placed by line and column")
        << "{\"columns\": [\n  {\"column\": \"é\" \"target\": \"email\"}]}"
        << "not valid JSON, line 2, column 18: unterminated object";
    QTest::newRow("no columns") << R"({"column": []})"
                                << "expected {\"columns\"";
    QTest::newRow("columns not a list") << R"({"columns": {}})"
                                        << "expected {\"columns\"";
    QTest::newRow("entry not an object") << R"({"columns": ["plan"]})"
                                         << "columns[0]";
    QTest::newRow("entry without target") << R"({"columns": [{"column": "plan"}]})"
                                          << "columns[0]";
    QTest::newRow("unknown target, second entry")
        << R"({"columns": [{"column": "login", "target": "email"}, {"column": "plan", "target": "tier"}]})"
        << "columns[1] (plan): unknown target 'tier'";
    QTest::newRow("unknown type")
        << R"({"columns": [{"column": "plan", "target": "prop.plan", "type": "money"}]})"
        << "unknown type 'money'";
    QTest::newRow("type not a string")
        << R"({"columns": [{"column": "plan", "target": "prop.plan", "type": 3}]})"
        << "\"type\" must be a string";
    QTest::newRow("type on identification")
        << R"({"columns": [{"column": "login", "target": "userId", "type": "number"}]})"
        << "takes no type";
}

void TestImportMapping::loadErrorsLeaveTheMappingAlone()
{
    QFETCH(QString, json);
    QFETCH(QString, mentions);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(json.toUtf8());
    file.close();

    ImportMapping mapping = ImportMapping::defaults(Kind::Users, {"login", "plan"});
    const QString before = mapping.toJson();
    QString error;
    QVERIFY(!mapping.load(path, &error));
    QVERIFY2(error.contains(mentions), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(mapping.toJson(), before);
}

void TestImportMapping::loadMissingFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("missing.json"));
    ImportMapping mapping;
    QString error;
    QVERIFY(!mapping.load(path, &error));
    QVERIFY2(error.startsWith(path), qPrintable(error));
    QVERIFY(!mapping.save(dir.filePath(QStringLiteral("no/such/dir/m.json")), &error));
    QVERIFY2(error.contains(QStringLiteral("no/such/dir")), qPrintable(error));
}

void TestImportMapping::buildBodies_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<bool>("remove");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QStringList>("overrides");
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<QString>("operationId");
    QTest::addColumn<QByteArray>("body");

    const QStringList userHeaders{"user_id", "email",         "plan", "mrr",
                                  "paying",  "registered_at", "tags", "score"};
    const QStringList userValues{"u1",  " a@b.co ", "Pro ", "399", "TRUE", "2024-05-01T10:00:00Z",
                                 "a,b", "-1.5e2"};
    QTest::newRow("users upsert") << Kind::Users << false << userHeaders << QStringList{"tags=prop.tags:list"}
                                  << userValues << "upsertUser"
                                  << QByteArray(R"({"identification": {"userId": "u1", "email": "a@b.co"},
               "properties": {"plan": "Pro ", "mrr": 399, "paying": true,
                              "registered_at": "2024-05-01T10:00:00Z", "tags": ["a", "b"], "score": -150}})");
    QTest::newRow("users delete") << Kind::Users << true << userHeaders << QStringList{} << userValues
                                  << "deleteUser"
                                  << QByteArray(R"({"identification": {"userId": "u1", "email": "a@b.co"}})");

    QTest::newRow("accounts upsert")
        << Kind::Accounts << false << QStringList{"account_id", "domain", "seats", "plan"}
        << QStringList{"seats=prop.seats:number"} << QStringList{"acc-7", "acme.com", "12", "Scale"}
        << "upsertAccount" << QByteArray(R"({"identification": {"accountId": "acc-7", "domain": "acme.com"},
                          "properties": {"seats": 12, "plan": "Scale"}})");
    QTest::newRow("accounts delete") << Kind::Accounts << true << QStringList{"account_id", "plan"}
                                     << QStringList{} << QStringList{"acc-7", "Scale"} << "deleteAccount"
                                     << QByteArray(R"({"identification": {"accountId": "acc-7"}})");

    QTest::newRow("memberships add") << Kind::Memberships << false
                                     << QStringList{"accountId", "userId", "email", "role"} << QStringList{}
                                     << QStringList{"acc-7", "u1", "a@b.co", "admin"} << "addUserToAccount"
                                     << QByteArray(R"({"account": {"accountId": "acc-7"},
                          "users": [{"identification": {"userId": "u1", "email": "a@b.co"}}]})");
    QTest::newRow("memberships remove")
        << Kind::Memberships << true << QStringList{"domain", "email"} << QStringList{}
        << QStringList{"acme.com", "a@b.co"} << "removeUserFromAccount"
        << QByteArray(
               R"({"account": {"domain": "acme.com"}, "users": [{"identification": {"email": "a@b.co"}}]})");

    QTest::newRow("events") << Kind::Events << false
                            << QStringList{"event",  "user_id", "account_id", "triggered_at",
                                           "amount", "coupon",  "first",      "when"}
                            << QStringList{"when=meta.when:date"}
                            << QStringList{"checkout", "u1",     "acc-7", "2024-05-01T10:00:00Z",
                                           "19.99",    "SPRING", "false", "2024-04-30"}
                            << "trackEvent"
                            << QByteArray(R"({"name": "checkout", "triggeredAt": "2024-05-01T10:00:00Z",
                          "identification": {"user": {"userId": "u1"}, "account": {"accountId": "acc-7"}},
                          "metadata": {"amount": 19.99, "coupon": "SPRING", "first": false, "when": "2024-04-30"}})");
    QTest::newRow("events, account only, no metadata, no time")
        << Kind::Events << false << QStringList{"name", "domain", "triggeredAt", "coupon"} << QStringList{}
        << QStringList{"login", "acme.com", "", ""} << "trackEvent"
        << QByteArray(R"({"name": "login", "identification": {"account": {"domain": "acme.com"}}})");

    QTest::newRow("links") << Kind::Links << false << QStringList{"device_id", "userId", "browser"}
                           << QStringList{} << QStringList{"dev-1", "u1", "Firefox"} << "link"
                           << QByteArray(R"({"deviceId": "dev-1", "identification": {"userId": "u1"}})");
}

void TestImportMapping::buildBodies()
{
    QFETCH(Kind, kind);
    QFETCH(bool, remove);
    QFETCH(QStringList, headers);
    QFETCH(QStringList, overrides);
    QFETCH(QStringList, values);
    QFETCH(QString, operationId);
    QFETCH(QByteArray, body);

    const ImportMapping mapping = mappingFor(kind, headers, {values}, overrides);
    QString error;
    QVERIFY2(mapping.check(kind, &error), qPrintable(error));
    const ApiRequest request = buildValid(importKind(kind, remove), mapping, headers, values);
    QCOMPARE(request.info().operationId, operationId);
    QCOMPARE(compact(request.body), compact(QJsonDocument::fromJson(body).object()));
    QVERIFY(!QJsonDocument::fromJson(body).object().isEmpty());
}

void TestImportMapping::blankIdentificationIsLeftOut()
{
    const QStringList headers{"userId", "email", "plan"};
    const ImportMapping mapping = mappingFor(Kind::Users, headers, {});
    const ApiRequest request = buildValid(importKind(Kind::Users), mapping, headers, {"u1", "  ", "Pro"});
    QCOMPARE(compact(request.body), compact(parseObject(R"({"identification": {"userId": "u1"},
                                                            "properties": {"plan": "Pro"}})")));

    // Both blank: nothing is invented; pre-flight says what is missing.
    ApiRequest none;
    QMap<QString, QString> errors;
    QVERIFY(ImportRowBuilder::build(importKind(Kind::Users), mapping, headers, record({"", "", "Pro"}), &none,
                                    &errors));
    QCOMPARE(compact(none.body),
             compact(parseObject(R"({"identification": {}, "properties": {"plan": "Pro"}})")));
    QVERIFY(RequestValidator::validate(none).contains(QStringLiteral("identification")));
}

void TestImportMapping::blankPropertiesLeftOutUnlessEmptyOrNull()
{
    const QStringList headers{"userId", "plan", "mrr", "note", "old", "tags"};
    const ImportMapping mapping =
        mappingFor(Kind::Users, headers, {{"u0", "Pro", "1", "", "", ""}},
                   {"note=prop.note:empty", "old=prop.old:null", "tags=prop.tags:list"});
    const ApiRequest request =
        buildValid(importKind(Kind::Users), mapping, headers, {"u1", "", " ", "", "", ""});
    QCOMPARE(compact(request.body), compact(parseObject(R"({"identification": {"userId": "u1"},
                                                            "properties": {"note": "", "old": null}})")));

    // No property cell filled: no "properties" at all.
    const ImportMapping plain = mappingFor(Kind::Users, {"userId", "plan"}, {});
    const ApiRequest bare = buildValid(importKind(Kind::Users), plain, {"userId", "plan"}, {"u1", ""});
    QCOMPARE(compact(bare.body), compact(parseObject(R"({"identification": {"userId": "u1"}})")));
}

void TestImportMapping::blankNameAndDeviceIdAreLeftOut()
{
    ApiRequest request;
    QMap<QString, QString> errors;
    const QStringList eventHeaders{"name", "userId"};
    QVERIFY(ImportRowBuilder::build(importKind(Kind::Events), mappingFor(Kind::Events, eventHeaders, {}),
                                    eventHeaders, record({" ", "u1"}), &request, &errors));
    QVERIFY(!request.body.contains(QLatin1String("name")));
    QCOMPARE(RequestValidator::validate(request).value(QStringLiteral("name")),
             QStringLiteral("Is required."));

    const QStringList linkHeaders{"deviceId", "email"};
    QVERIFY(ImportRowBuilder::build(importKind(Kind::Links), mappingFor(Kind::Links, linkHeaders, {}),
                                    linkHeaders, record({"", "a@b.co"}), &request, &errors));
    QCOMPARE(compact(request.body), compact(parseObject(R"({"identification": {"email": "a@b.co"}})")));
    QCOMPARE(RequestValidator::validate(request).value(QStringLiteral("deviceId")),
             QStringLiteral("Is required."));
}

void TestImportMapping::propertiesIgnoredForDelete()
{
    // A bad property cell is no reason to refuse a delete, which sends no properties.
    const QStringList headers{"userId", "mrr"};
    const ImportMapping mapping = mappingFor(Kind::Users, headers, {}, {"mrr=prop.mrr:number"});
    const ApiRequest request = buildValid(importKind(Kind::Users, true), mapping, headers, {"u1", "lots"});
    QCOMPARE(request.operation, Operation::DeleteUser);
    QCOMPARE(compact(request.body), compact(parseObject(R"({"identification": {"userId": "u1"}})")));
}

void TestImportMapping::mappingColumnsFoundByName()
{
    // A mapping file lists columns in its own order, names one the file lacks, and the file has
    // a header twice: cells are found by header name (n-th of a name for the n-th), not position.
    const QStringList headers{"plan", "email", "plan", "userId"};
    ImportMapping mapping;
    QString error;
    QVERIFY2(mapping.fromJson(QStringLiteral(R"({"columns": [
        {"column": "userId", "target": "userId"},
        {"column": "missing", "target": "prop.missing"},
        {"column": "plan", "target": "prop.plan"},
        {"column": "plan", "target": "prop.plan2"},
        {"column": "EMAIL", "target": "email"}]})"),
                              &error),
             qPrintable(error));
    const ApiRequest request =
        buildValid(importKind(Kind::Users), mapping, headers, {"Pro", "a@b.co", "Scale", "u1"});
    QCOMPARE(compact(request.body),
             compact(parseObject(R"({"identification": {"userId": "u1", "email": "a@b.co"},
                                                            "properties": {"plan": "Pro", "plan2": "Scale"}})")));
}

void TestImportMapping::badCells_data()
{
    QTest::addColumn<Kind>("kind");
    QTest::addColumn<QString>("overrideSpec");
    QTest::addColumn<QString>("cell");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QTest::newRow("number") << Kind::Users << "value=prop.mrr:number"
                            << "3,5"
                            << "properties.mrr"
                            << "'3,5' is not a number";
    QTest::newRow("bool") << Kind::Accounts << "value=prop.paying:bool"
                          << "maybe"
                          << "properties.paying"
                          << "'maybe' is not a boolean (use true or false)";
    QTest::newRow("date") << Kind::Users << "value=prop.since:date"
                          << "2024-13-01"
                          << "properties.since"
                          << "'2024-13-01' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)";
    QTest::newRow("empty type with a value") << Kind::Users << "value=prop.note:empty"
                                             << "hello"
                                             << "properties.note"
                                             << "'hello': the empty type takes no value";
    QTest::newRow("null type with a value") << Kind::Users << "value=prop.old:null"
                                            << "x"
                                            << "properties.old"
                                            << "'x': the null type takes no value (it deletes the property)";
    QTest::newRow("list with an empty item") << Kind::Users << "value=prop.tags:list"
                                             << "a,,b"
                                             << "properties.tags"
                                             << "'a,,b': list items must not be empty";
    QTest::newRow("metadata number") << Kind::Events << "value=meta.amount:number"
                                     << "ten"
                                     << "metadata.amount"
                                     << "'ten' is not a number";
    QTest::newRow("metadata date") << Kind::Events << "value=meta.at:date"
                                   << "yesterday"
                                   << "metadata.at"
                                   << "'yesterday' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)";
}

void TestImportMapping::badCells()
{
    QFETCH(Kind, kind);
    QFETCH(QString, overrideSpec);
    QFETCH(QString, cell);
    QFETCH(QString, field);
    QFETCH(QString, message);

    const QString id = kind == Kind::Accounts ? QStringLiteral("accountId") : QStringLiteral("userId");
    const QStringList headers{QStringLiteral("name"), id, QStringLiteral("plan"), QStringLiteral("value")};
    const ImportMapping mapping = mappingFor(kind, headers, {}, {overrideSpec});
    ApiRequest request;
    QMap<QString, QString> errors;
    QVERIFY(!ImportRowBuilder::build(importKind(kind), mapping, headers,
                                     record({"signup", "x1", "Pro", cell}), &request, &errors));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.value(field), message);

    // The good cells are still there (the preview shows them); the bad one is not.
    const QString section = field.section(QLatin1Char('.'), 0, 0);
    const QJsonObject values = request.body.value(section).toObject();
    QCOMPARE(values.value(QLatin1String("plan")).toString(), QStringLiteral("Pro"));
    QVERIFY(!values.contains(field.section(QLatin1Char('.'), 1)));
}

void TestImportMapping::brokenRecordIsReported()
{
    const QStringList headers{"userId", "plan"};
    const ImportMapping mapping = mappingFor(Kind::Users, headers, {});
    ImportRecord broken = record({"u1"});
    broken.error = QStringLiteral("line 2: 1 field(s), expected 2");
    ApiRequest request;
    QMap<QString, QString> errors;
    errors.insert(QStringLiteral("stale"), QStringLiteral("from a previous row"));
    QVERIFY(!ImportRowBuilder::build(importKind(Kind::Users), mapping, headers, broken, &request, &errors));
    QCOMPARE(errors.keys(), QStringList{QStringLiteral("row")});
    QCOMPARE(errors.value(QStringLiteral("row")), broken.error);
}

void TestImportMapping::groupKey_data()
{
    QTest::addColumn<QByteArray>("account");
    QTest::addColumn<bool>("remove");
    QTest::addColumn<QString>("key");

    QTest::newRow("accountId") << QByteArray(R"({"accountId": "acc-7"})") << false << "accountId:acc-7";
    QTest::newRow("domain") << QByteArray(R"({"domain": "acme.com"})") << false << "domain:acme.com";
    QTest::newRow("remove, domain") << QByteArray(R"({"domain": "acme.com"})") << true << "domain:acme.com";
    // Both: only rows with the very same account identification go together.
    QTest::newRow("both") << QByteArray(R"({"accountId": "acc-7", "domain": "acme.com"})") << false
                          << "accountId:acc-7|domain:acme.com";
    QTest::newRow("neither") << QByteArray("{}") << false << "";
}

void TestImportMapping::groupKey()
{
    QFETCH(QByteArray, account);
    QFETCH(bool, remove);
    QFETCH(QString, key);
    const AccountIdentification identification =
        AccountIdentification::fromJson(QJsonDocument::fromJson(account).object());
    const UserIdentification user{QStringLiteral("u1"), QString()};
    const ApiRequest request = remove ? ApiRequest::removeUsersFromAccount(identification, {user})
                                      : ApiRequest::addUsersToAccount(identification, {user});
    QCOMPARE(ImportRowBuilder::groupKey(request), key);

    // Other operations are not grouped, even with an account in them.
    QCOMPARE(ImportRowBuilder::groupKey(ApiRequest::upsertAccount(identification, {})), QString());
    QCOMPARE(
        ImportRowBuilder::groupKey(ApiRequest::trackEvent(QStringLiteral("x"), user, identification, {})),
        QString());
}

void TestImportMapping::mergeThreeMemberships()
{
    const QStringList headers{"account_id", "user_id", "email"};
    const ImportMapping mapping = mappingFor(Kind::Memberships, headers, {});
    QList<ApiRequest> rows;
    for (const QStringList &values :
         QList<QStringList>{{"acc-7", "u1", ""}, {"acc-7", "", "b@c.co"}, {"acc-7", "u3", "c@d.co"}})
        rows.append(buildValid(importKind(Kind::Memberships), mapping, headers, values));
    QCOMPARE(ImportRowBuilder::groupKey(rows.at(0)), ImportRowBuilder::groupKey(rows.at(2)));

    const ApiRequest merged = ImportRowBuilder::mergeMemberships(rows);
    QCOMPARE(merged.operation, Operation::AddUsersToAccount);
    QCOMPARE(compact(merged.body), compact(parseObject(R"({"account": {"accountId": "acc-7"}, "users": [
        {"identification": {"userId": "u1"}},
        {"identification": {"email": "b@c.co"}},
        {"identification": {"userId": "u3", "email": "c@d.co"}}]})")));
    QCOMPARE(RequestValidator::validate(merged), RequestValidator::FieldErrors());
    QCOMPARE(SpecSchema().checkRequest(QStringLiteral("addUserToAccount"), merged.body), QStringList());
    QCOMPARE(ImportRowBuilder::groupKey(merged), QStringLiteral("accountId:acc-7"));
}

void TestImportMapping::mergeKeepsRemove()
{
    const AccountIdentification account{QString(), QStringLiteral("acme.com")};
    const ApiRequest merged = ImportRowBuilder::mergeMemberships(
        {ApiRequest::removeUsersFromAccount(account, {{QStringLiteral("u1"), QString()}}),
         ApiRequest::removeUsersFromAccount(account, {{QStringLiteral("u2"), QString()}})});
    QCOMPARE(merged.operation, Operation::RemoveUsersFromAccount);
    QCOMPARE(merged.body.value(QLatin1String("users")).toArray().size(), 2);
    QCOMPARE(RequestValidator::validate(merged), RequestValidator::FieldErrors());
}

void TestImportMapping::mergeTakesWhatItIsGiven()
{
    // mergeMemberships does not split: keeping calls at 100 users is the importer's job. Given 101
    // rows it makes one call of 101, which pre-flight refuses; given 100, one call that passes.
    const AccountIdentification account{QStringLiteral("acc-7"), QString()};
    QList<ApiRequest> rows;
    for (int i = 1; i <= 101; ++i)
        rows.append(ApiRequest::addUsersToAccount(account, {{QStringLiteral("u%1").arg(i), QString()}}));

    const ApiRequest all = ImportRowBuilder::mergeMemberships(rows);
    const QJsonArray users = all.body.value(QLatin1String("users")).toArray();
    QCOMPARE(users.size(), 101);
    QCOMPARE(users.last()
                 .toObject()
                 .value(QLatin1String("identification"))
                 .toObject()
                 .value(QLatin1String("userId")),
             QJsonValue(QStringLiteral("u101")));
    QCOMPARE(RequestValidator::validate(all).value(QStringLiteral("users")),
             QStringLiteral("Expected 1 to 100 users but found 101."));

    const ApiRequest hundred =
        ImportRowBuilder::mergeMemberships(rows.mid(0, RequestValidator::MaxUsersPerCall));
    QCOMPARE(hundred.body.value(QLatin1String("users")).toArray().size(), 100);
    QCOMPARE(RequestValidator::validate(hundred), RequestValidator::FieldErrors());

    // Nothing to merge: no call.
    QCOMPARE(ImportRowBuilder::mergeMemberships({}).body, QJsonObject());
}

void TestImportMapping::failedRowsErrorColumnIsIgnored()
{
    // A failed-rows file read back must not send its error messages as properties or metadata.
    for (ImportKind::Kind kind : {ImportKind::Kind::Users, ImportKind::Kind::Events}) {
        const ImportMapping mapping = ImportMapping::defaults(
            kind, {QStringLiteral("userId"), QStringLiteral("plan"), QStringLiteral("Error")});
        QCOMPARE(mapping.columns.at(2).target, QStringLiteral("ignore"));
        QVERIFY(mapping.columns.at(1).target.endsWith(QLatin1String(".plan")));
    }
}

QTEST_GUILESS_MAIN(TestImportMapping)
#include "tst_ImportMapping.moc"

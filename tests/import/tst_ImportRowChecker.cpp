#include <QTest>

#include "api/RequestValidator.h"
#include "import/ImportKind.h"
#include "import/ImportMapping.h"
#include "import/ImportRecord.h"
#include "import/ImportRequestWriter.h"
#include "import/ImportRowBuilder.h"
#include "import/ImportRowChecker.h"
#include "import/ImportRowPlan.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

namespace {

// What the import reported for a row before ImportRowChecker existed, and what a row still meets on
// its way out: the request built from the cells, then the pre-flight validator on that request.
QMap<QString, QString> builtAndValidated(const ImportKind &kind, const ImportMapping &mapping,
                                         const QStringList &headers, const ImportRecord &record)
{
    QMap<QString, QString> errors;
    if (!record.error.isEmpty()) {
        errors.insert(QStringLiteral("row"), record.error);
        return errors;
    }
    ApiRequest request;
    ImportRowBuilder::build(kind, mapping, headers, record, &request, &errors);
    const RequestValidator::FieldErrors preflight = RequestValidator::validate(request);
    for (auto it = preflight.begin(); it != preflight.end(); ++it)
        errors.insert(it.key(), it.value());
    return errors;
}

ImportMapping::Column column(const QString &name, const QString &target,
                             TypedValue::Type type = TypedValue::Type::String)
{
    ImportMapping::Column column;
    column.column = name;
    column.target = target;
    column.type = type;
    column.typeSet = true;
    return column;
}

// Cells chosen to hit every rule: blanks and spaces, good and bad emails, domains, numbers,
// booleans, dates (impossible ones too), lists with empty items, and non-ASCII text.
const QStringList &cellPool()
{
    static const QStringList pool = {
        QString(),
        QStringLiteral(" "),
        QStringLiteral("u-1"),
        QStringLiteral("  u-2  "),
        QStringLiteral("jane@acme.com"),
        QStringLiteral(" jane@acme.com "),
        QStringLiteral("jane@"),
        QStringLiteral("jane doe@acme.com"),
        QStringLiteral("acme.com"),
        QStringLiteral("not a domain"),
        QStringLiteral("xn--bcher-kva.example"),
        QStringLiteral("12"),
        QStringLiteral(" 3.5 "),
        QStringLiteral("-0.25"),
        QStringLiteral("1e3"),
        QStringLiteral("3,5"),
        QStringLiteral("1e999"),
        QStringLiteral("abc"),
        QStringLiteral("true"),
        QStringLiteral("Yes"),
        QStringLiteral("NO"),
        QStringLiteral("nope"),
        QStringLiteral("2024-05-01"),
        QStringLiteral("2024-02-30"),
        QStringLiteral("2024-05-01T10:00:00Z"),
        QStringLiteral(" 2024-05-01T10:00:00.123+02:00 "),
        QStringLiteral("2024-05-01T25:00"),
        QStringLiteral("a,b"),
        QStringLiteral("a,,b"),
        QStringLiteral("a\\,b"),
        QStringLiteral("Zoë"),
        QStringLiteral("signed up"),
    };
    return pool;
}

// A cell that is right for the column (so that rows without any error are common too).
QString goodCell(const ImportMapping &mapping, const QString &header)
{
    using Type = TypedValue::Type;
    for (const ImportMapping::Column &mapped : mapping.columns) {
        if (mapped.column != header)
            continue;
        static const QMap<QString, QString> identifiers = {
            {QStringLiteral("userId"), QStringLiteral("u-1")},
            {QStringLiteral("email"), QStringLiteral("jane@acme.com")},
            {QStringLiteral("accountId"), QStringLiteral("acc-1")},
            {QStringLiteral("domain"), QStringLiteral("acme.com")},
            {QStringLiteral("deviceId"), QStringLiteral("dev-1")},
            {QStringLiteral("name"), QStringLiteral("signed up")},
            {QStringLiteral("triggeredAt"), QStringLiteral("2024-05-01T10:00:00Z")}};
        if (identifiers.contains(mapped.target))
            return identifiers.value(mapped.target);
        if (mapped.target.mid(5).trimmed().isEmpty())
            return QString(); // a property without a name is an error whenever it is sent
        switch (mapped.type) {
        case Type::Number:
            return QStringLiteral("12");
        case Type::Boolean:
            return QStringLiteral("true");
        case Type::DateTime:
            return QStringLiteral("2024-05-01");
        case Type::Null:
        case Type::Empty:
            return QString();
        case Type::List: // metadata takes no lists: only a blank cell is right there
            return mapped.target.startsWith(QLatin1String("meta.")) ? QString() : QStringLiteral("a,b");
        case Type::String:
            return QStringLiteral("Pro");
        }
    }
    return QStringLiteral("anything");
}

class Case
{
public:
    ImportKind kind;
    QStringList headers;
    ImportMapping mapping;
};

ImportKind kindOf(ImportKind::Kind value, bool remove = false)
{
    ImportKind kind;
    kind.kind = value;
    kind.remove = remove;
    return kind;
}

// Every kind, each with columns for all of its targets, properties or metadata of every type,
// a property whose name is only spaces, a target mapped twice, and a mapped column the file lacks.
QList<Case> cases()
{
    using Type = TypedValue::Type;
    QList<ImportMapping::Column> typed = {
        column(QStringLiteral("plan"), QStringLiteral("prop.plan")),
        column(QStringLiteral("seats"), QStringLiteral("prop.seats"), Type::Number),
        column(QStringLiteral("paying"), QStringLiteral("prop.paying"), Type::Boolean),
        column(QStringLiteral("since"), QStringLiteral("prop.since"), Type::DateTime),
        column(QStringLiteral("gone"), QStringLiteral("prop.gone"), Type::Null),
        column(QStringLiteral("blank"), QStringLiteral("prop.blank"), Type::Empty),
        column(QStringLiteral("tags"), QStringLiteral("prop.tags"), Type::List),
        column(QStringLiteral("nameless"), QStringLiteral("prop. ")),
        column(QStringLiteral("seats2"), QStringLiteral("prop.seats"), Type::Number),
        column(QStringLiteral("absent"), QStringLiteral("prop.absent")),
    };
    auto asMetadata = [](QList<ImportMapping::Column> columns) {
        for (ImportMapping::Column &column : columns)
            column.target.replace(0, 5, QStringLiteral("meta."));
        return columns;
    };
    const QList<ImportMapping::Column> user = {column(QStringLiteral("userId"), QStringLiteral("userId")),
                                               column(QStringLiteral("email"), QStringLiteral("email"))};
    const QList<ImportMapping::Column> account = {
        column(QStringLiteral("accountId"), QStringLiteral("accountId")),
        column(QStringLiteral("domain"), QStringLiteral("domain"))};

    QList<QPair<ImportKind, QList<ImportMapping::Column>>> plans = {
        {kindOf(ImportKind::Kind::Users), user + typed},
        {kindOf(ImportKind::Kind::Users, true), user + typed},
        {kindOf(ImportKind::Kind::Accounts), account + typed},
        {kindOf(ImportKind::Kind::Accounts, true), account + typed},
        {kindOf(ImportKind::Kind::Memberships), account + user},
        {kindOf(ImportKind::Kind::Memberships, true), account + user},
        {kindOf(ImportKind::Kind::Events),
         QList<ImportMapping::Column>{column(QStringLiteral("event"), QStringLiteral("name")),
                                      column(QStringLiteral("at"), QStringLiteral("triggeredAt"))} +
             user + account + asMetadata(typed)},
        {kindOf(ImportKind::Kind::Links),
         QList<ImportMapping::Column>{column(QStringLiteral("device"), QStringLiteral("deviceId"))} + user},
    };
    QList<Case> list;
    for (const auto &plan : plans) {
        Case c;
        c.kind = plan.first;
        c.mapping.columns = plan.second;
        for (const ImportMapping::Column &mapped : plan.second) {
            if (mapped.column != QLatin1String("absent"))
                c.headers.append(mapped.column);
        }
        // A column the mapping does not mention, and the headers in another order than the mapping.
        c.headers.append(QStringLiteral("unmapped"));
        std::reverse(c.headers.begin(), c.headers.end());
        list.append(c);
    }
    return list;
}

} // namespace

// ImportRowChecker is the import's pre-flight check made from the cells, without building each
// request; it must say exactly what building the request and validating it says, for every row.
class TestImportRowChecker : public QObject
{
    Q_OBJECT

private slots:
    void sameErrorsAsBuildingAndValidating();
    void writerWritesTheBuiltRequest();
    void unreadableRowReportsOnlyTheReadersError();
    void cellErrorQuotesTheCellOnce();
    void bodyOverTheApiLimit();
};

void TestImportRowChecker::sameErrorsAsBuildingAndValidating()
{
    QRandomGenerator random(20261126);
    const QStringList &pool = cellPool();
    for (const Case &c : cases()) {
        const ImportRowChecker checker(c.kind, c.mapping, c.headers);
        int valid = 0;
        int invalid = 0;
        for (int row = 0; row < 3000; ++row) {
            ImportRecord record;
            record.number = row + 1;
            record.line = row + 2;
            // Mostly full rows; some ragged short ones, whose missing cells read as blank.
            const qsizetype cells =
                random.bounded(10) == 0 ? random.bounded(int(c.headers.size()) + 1) : c.headers.size();
            for (qsizetype i = 0; i < cells; ++i) {
                record.values.append(random.bounded(100) < 85 ? goodCell(c.mapping, c.headers.at(i))
                                                              : pool.at(random.bounded(int(pool.size()))));
            }
            QMap<QString, QString> errors;
            const bool ok = checker.check(record, &errors);
            const QMap<QString, QString> expected = builtAndValidated(c.kind, c.mapping, c.headers, record);
            if (errors != expected) {
                qWarning() << "kind" << int(c.kind.kind) << "remove" << c.kind.remove << "cells"
                           << record.values;
                QCOMPARE(errors, expected);
            }
            QCOMPARE(ok, expected.isEmpty());
            ++(ok ? valid : invalid);
        }
        // Both outcomes must be common, or the comparison above proves little.
        QVERIFY2(valid > 50 && invalid > 50, qPrintable(QStringLiteral("kind %1: %2 valid, %3 invalid")
                                                            .arg(int(c.kind.kind))
                                                            .arg(valid)
                                                            .arg(invalid)));
    }
}

void TestImportRowChecker::writerWritesTheBuiltRequest()
{
    // Every valid row's journal text, read back, is the request ImportRowBuilder builds for it.
    QRandomGenerator random(1126);
    const QStringList &pool = cellPool();
    for (const Case &c : cases()) {
        const ImportRowPlan plan(c.kind, c.mapping, c.headers);
        const ImportRowChecker checker(plan);
        const ImportRequestWriter writer(plan);
        int written = 0;
        for (int row = 0; row < 3000; ++row) {
            ImportRecord record;
            for (qsizetype i = 0; i < c.headers.size(); ++i) {
                record.values.append(random.bounded(100) < 90 ? goodCell(c.mapping, c.headers.at(i))
                                                              : pool.at(random.bounded(int(pool.size()))));
            }
            // Values with what JSON must escape, and numbers that are not integers.
            if (random.bounded(4) == 0) {
                for (QString &value : record.values) {
                    if (value == QLatin1String("Pro"))
                        value = QStringLiteral(" \"Pro\"\\ plan\n\t\x01 ü 😀 ");
                    else if (value == QLatin1String("12"))
                        value = QStringLiteral("-0.1");
                }
            }
            QMap<QString, QString> errors;
            if (!checker.check(record, &errors))
                continue;
            ApiRequest request;
            QMap<QString, QString> buildErrors;
            ImportRowBuilder::build(c.kind, c.mapping, c.headers, record, &request, &buildErrors);
            const QJsonObject expected{{QLatin1String("operation"), request.info().operationId},
                                       {QLatin1String("body"), request.body},
                                       {QLatin1String("query"), request.query.toString(QUrl::FullyEncoded)}};
            QJsonParseError parseError;
            const QByteArray text = writer.write(record);
            // The shape BulkImporter sends without reading it back.
            QVERIFY(text.startsWith(ImportRequestWriter::prefix(c.kind.operation())) && text.endsWith('}'));
            const QJsonObject actual = QJsonDocument::fromJson(text, &parseError).object();
            QVERIFY2(parseError.error == QJsonParseError::NoError, text.constData());
            if (actual != expected) {
                qWarning() << "kind" << int(c.kind.kind) << "remove" << c.kind.remove << "cells"
                           << record.values;
                QCOMPARE(QJsonDocument(actual).toJson(QJsonDocument::Compact),
                         QJsonDocument(expected).toJson(QJsonDocument::Compact));
            }
            ++written;
        }
        QVERIFY2(written > 100,
                 qPrintable(QStringLiteral("kind %1: %2 rows written").arg(int(c.kind.kind)).arg(written)));
    }
}

void TestImportRowChecker::unreadableRowReportsOnlyTheReadersError()
{
    const Case c = cases().first();
    ImportRecord record;
    record.values = QStringList{QString(), QStringLiteral("jane@")};
    record.error = QStringLiteral("line 7: 2 fields, the header has 12");
    QMap<QString, QString> errors;
    QVERIFY(!ImportRowChecker(c.kind, c.mapping, c.headers).check(record, &errors));
    QCOMPARE(errors, (QMap<QString, QString>{{QStringLiteral("row"), record.error}}));
}

void TestImportRowChecker::cellErrorQuotesTheCellOnce()
{
    QCOMPARE(ImportRowChecker::cellError(u"abc", QStringLiteral("'abc' is not a number")),
             QStringLiteral("'abc' is not a number"));
    QCOMPARE(ImportRowChecker::cellError(u"a,,b", QStringLiteral("list items must not be empty")),
             QStringLiteral("'a,,b': list items must not be empty"));
}

void TestImportRowChecker::bodyOverTheApiLimit()
{
    // A cell that makes the body one byte over what the API reads fails the check (the dry run
    // passed it and the server refused it); at the limit it passes. Same answer as building the
    // request and validating it, byte for byte at the edge, with a non-ASCII cell and escapes too.
    const QStringList headers{QStringLiteral("userId"), QStringLiteral("note")};
    const ImportKind kind{ImportKind::Kind::Users, false};
    ImportMapping mapping = ImportMapping::defaults(kind.kind, headers);
    const ImportRowChecker checker(kind, mapping, headers);
    ImportRecord probe;
    probe.values = QStringList{QStringLiteral("u-1"), QString()};
    ApiRequest request;
    QMap<QString, QString> errors;
    QVERIFY(ImportRowBuilder::build(kind, mapping, headers, probe, &request, &errors));
    const qint64 empty = request.bodyBytes().size(); // {"identification":{"userId":"u-1"}}
    const qint64 withNote = empty + qint64(sizeof(R"(,"properties":{"note":""})") - 1);
    for (const QString &unit : {QStringLiteral("x"), QStringLiteral("é"), QStringLiteral("\"")}) {
        const qint64 unitBytes = unit == QLatin1String("x") ? 1 : 2; // é is 2 bytes of UTF-8, \" is 2
        for (const qint64 over : {qint64(0), qint64(1), qint64(2)}) {
            const qint64 target = RequestValidator::MaxBodyBytes - unitBytes + over * unitBytes;
            ImportRecord record;
            record.values =
                QStringList{QStringLiteral("u-1"), unit.repeated((target - withNote) / unitBytes)};
            ApiRequest built;
            QMap<QString, QString> buildErrors;
            QVERIFY(ImportRowBuilder::build(kind, mapping, headers, record, &built, &buildErrors));
            const qint64 bytes = built.bodyBytes().size();
            QMap<QString, QString> checked;
            const bool ok = checker.check(record, &checked);
            QCOMPARE(checked, builtAndValidated(kind, mapping, headers, record));
            QCOMPARE(ok, bytes <= RequestValidator::MaxBodyBytes);
            if (!ok)
                QCOMPARE(checked.value(QStringLiteral("body")), RequestValidator::bodyTooLargeMessage(bytes));
        }
    }
}

QTEST_GUILESS_MAIN(TestImportRowChecker)
#include "tst_ImportRowChecker.moc"

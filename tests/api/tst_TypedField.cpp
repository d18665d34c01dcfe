#include <QTest>

#include "api/ApiRequest.h"
#include "api/TypedField.h"
#include "api/TypedValue.h"

#include <QDate>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTime>

#include <cmath>

Q_DECLARE_METATYPE(TypedValue::Type)

namespace {

// A JSON value as the compact text that goes on the wire, so a comparison failure shows 399 versus
// "399" instead of two opaque QJsonValues. QJsonDocument only serializes containers, hence the array.
QByteArray jsonText(const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

TypedField parsed(const QString &spec)
{
    TypedField field;
    QString error;
    if (!TypedField::parse(spec, &field, &error))
        qWarning("parse(%s) failed: %s", qPrintable(spec), qPrintable(error));
    return field;
}

// Random short strings over an alphabet, plus the given ones: how the hand-written parsers are
// held to the references they replaced.
QStringList randomTexts(const QString &alphabet, int count, int maxLength, const QStringList &fixed)
{
    QRandomGenerator random(4242);
    QStringList texts = fixed;
    for (int i = 0; i < count; ++i) {
        QString text;
        const int length = random.bounded(maxLength + 1);
        for (int j = 0; j < length; ++j)
            text.append(alphabet.at(random.bounded(int(alphabet.size()))));
        texts.append(text);
    }
    return texts;
}

// The ISO 8601 check as it was written before (a regular expression, then the calendar and clock),
// kept here as the reference for the hand-written one.
bool referenceIso8601(const QString &text)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(QStringLiteral(
        R"((\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)")));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return false;
    if (!QDate::isValid(match.captured(1).toInt(), match.captured(2).toInt(), match.captured(3).toInt()))
        return false;
    if (match.capturedLength(4) > 0) {
        const int seconds = match.capturedLength(6) > 0 ? match.captured(6).toInt() : 0;
        if (!QTime::isValid(match.captured(4).toInt(), match.captured(5).toInt(), seconds))
            return false;
    }
    const QString zone = match.captured(7);
    if (zone.size() > 1) {
        const int hours = zone.mid(1, 2).toInt();
        const int minutes = zone.size() > 3 ? zone.right(2).toInt() : 0;
        if (hours > 14 || minutes > 59)
            return false;
    }
    return true;
}

} // namespace

// The one typed-value syntax shared by the CLI, CSV import and the console (TypedField.h):
// NAME[:TYPE]=VALUE. What matters most is what reaches the wire: "mrr:number=399" must send the
// JSON number 399, never the string "399" the published 3.1.0 SDK sends.
class TestTypedField : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void parseErrors_data();
    void parseErrors();
    void parseFailureLeavesOutputUntouched();

    void numberIsAJsonNumberOnTheWire();
    void stringDigitsStayAString();
    void everyTypeOnTheWire();
    void numberIgnoresTheDesktopLocale();
    void numberRejectsGroupSeparators_data();
    void numberRejectsGroupSeparators();

    void toSpecRoundTrip_data();
    void toSpecRoundTrip();
    void toSpecOfAFractionIsShortest();
    void toSpecOfANameWithAColonParsesBack();

    void typeNames_data();
    void typeNames();
    void fromJson_data();
    void fromJson();

    void toJsonObjectLaterWins();
    void toJsonObjectOfNothingIsEmpty();

    void numberAgreesWithQLocale();
    void iso8601AgreesWithThePattern();
    void checkTextAgreesWithFromText();
};

void TestTypedField::parse_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("name");
    QTest::addColumn<TypedValue::Type>("type");
    QTest::addColumn<QByteArray>("json");

    using T = TypedValue::Type;

    // Strings: no type means string; the value is kept exactly, '=' and ':' after the first '=' included.
    QTest::newRow("string") << "plan=Pro"
                            << "plan" << T::String << QByteArray(R"("Pro")");
    QTest::newRow("string, explicit type") << "plan:string=Pro"
                                           << "plan" << T::String << QByteArray(R"("Pro")");
    QTest::newRow("string, str alias") << "plan:str=Pro"
                                       << "plan" << T::String << QByteArray(R"("Pro")");
    QTest::newRow("string keeps its spaces") << "plan= Pro "
                                             << "plan" << T::String << QByteArray(R"(" Pro ")");
    QTest::newRow("string holding =") << "query=a=b"
                                      << "query" << T::String << QByteArray(R"("a=b")");
    QTest::newRow("string holding :") << "url=https://acme.com:8443/x"
                                      << "url" << T::String << QByteArray(R"("https://acme.com:8443/x")");
    QTest::newRow("digits without a type are text") << "mrr=399"
                                                    << "mrr" << T::String << QByteArray(R"("399")");
    QTest::newRow("name is trimmed") << " plan =Pro"
                                     << "plan" << T::String << QByteArray(R"("Pro")");
    QTest::newRow("unicode") << QStringLiteral("city=K\u00f6ln") << "city" << T::String
                             << QByteArray("\"K\xc3\xb6ln\"");

    // Numbers: JSON numbers, C locale, value trimmed.
    QTest::newRow("integer") << "mrr:number=399"
                             << "mrr" << T::Number << QByteArray("399");
    QTest::newRow("fraction") << "price:number=12.5"
                              << "price" << T::Number << QByteArray("12.5");
    QTest::newRow("negative") << "delta:number=-3.25"
                              << "delta" << T::Number << QByteArray("-3.25");
    QTest::newRow("zero") << "count:number=0"
                          << "count" << T::Number << QByteArray("0");
    QTest::newRow("exponent") << "big:number=1e3"
                              << "big" << T::Number << QByteArray("1000");
    QTest::newRow("num alias") << "mrr:num=399"
                               << "mrr" << T::Number << QByteArray("399");
    QTest::newRow("type name case") << "mrr:NUMBER=399"
                                    << "mrr" << T::Number << QByteArray("399");
    QTest::newRow("number trimmed") << "mrr:number= 399 "
                                    << "mrr" << T::Number << QByteArray("399");

    // Booleans: the spellings a CSV or a shell user is likely to type.
    QTest::newRow("bool true") << "is_paying:bool=true"
                               << "is_paying" << T::Boolean << QByteArray("true");
    QTest::newRow("bool false") << "is_paying:bool=false"
                                << "is_paying" << T::Boolean << QByteArray("false");
    QTest::newRow("bool 1") << "is_paying:bool=1"
                            << "is_paying" << T::Boolean << QByteArray("true");
    QTest::newRow("bool 0") << "is_paying:bool=0"
                            << "is_paying" << T::Boolean << QByteArray("false");
    QTest::newRow("bool yes") << "is_paying:bool=yes"
                              << "is_paying" << T::Boolean << QByteArray("true");
    QTest::newRow("bool no") << "is_paying:bool=no"
                             << "is_paying" << T::Boolean << QByteArray("false");
    QTest::newRow("bool TRUE") << "is_paying:bool=TRUE"
                               << "is_paying" << T::Boolean << QByteArray("true");
    QTest::newRow("boolean alias") << "is_paying:boolean=No"
                                   << "is_paying" << T::Boolean << QByteArray("false");

    // Dates: sent as the ISO 8601 text the user typed (trimmed), never reformatted.
    QTest::newRow("date-time Z") << "registered_at:date=2024-05-01T10:00:00Z"
                                 << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00Z")");
    QTest::newRow("date-time +02:00")
        << "registered_at:date=2024-05-01T10:00:00+02:00"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00+02:00")");
    QTest::newRow("date-time -05:30")
        << "registered_at:date=2024-05-01T10:00:00-05:30"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00-05:30")");
    QTest::newRow("date-time +0200") << "registered_at:date=2024-05-01T10:00:00+0200"
                                     << "registered_at" << T::DateTime
                                     << QByteArray(R"("2024-05-01T10:00:00+0200")");
    QTest::newRow("date-time +14:00")
        << "registered_at:date=2024-05-01T10:00:00+14:00"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00+14:00")");
    QTest::newRow("date-time millis")
        << "registered_at:date=2024-05-01T10:00:00.123Z"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00.123Z")");
    QTest::newRow("date-time nanos") << "registered_at:date=2024-05-01T10:00:00.123456789+01:00"
                                     << "registered_at" << T::DateTime
                                     << QByteArray(R"("2024-05-01T10:00:00.123456789+01:00")");
    QTest::newRow("date-time no zone")
        << "registered_at:date=2024-05-01T10:00:00"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00:00")");
    QTest::newRow("date-time no seconds")
        << "registered_at:date=2024-05-01T10:00"
        << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01T10:00")");
    QTest::newRow("date only") << "registered_at:date=2024-05-01"
                               << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01")");
    QTest::newRow("leap day") << "registered_at:date=2024-02-29"
                              << "registered_at" << T::DateTime << QByteArray(R"("2024-02-29")");
    QTest::newRow("end of day") << "registered_at:date=2024-12-31T23:59:59Z"
                                << "registered_at" << T::DateTime << QByteArray(R"("2024-12-31T23:59:59Z")");
    QTest::newRow("datetime alias") << "registered_at:datetime=2024-05-01"
                                    << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01")");
    QTest::newRow("date trimmed") << "registered_at:date= 2024-05-01 "
                                  << "registered_at" << T::DateTime << QByteArray(R"("2024-05-01")");

    // null deletes the property; empty sets it to "".
    QTest::newRow("null") << "old_field:null"
                          << "old_field" << T::Null << QByteArray("null");
    QTest::newRow("null with =") << "old_field:null="
                                 << "old_field" << T::Null << QByteArray("null");
    QTest::newRow("empty") << "note:empty"
                           << "note" << T::Empty << QByteArray(R"("")");
    QTest::newRow("empty with =") << "note:empty="
                                  << "note" << T::Empty << QByteArray(R"("")");
    QTest::newRow("no value after =") << "note="
                                      << "note" << T::Empty << QByteArray(R"("")");
    QTest::newRow("string type, no value") << "note:string="
                                           << "note" << T::Empty << QByteArray(R"("")");

    // Lists: comma separated, a backslash escapes ',' and '\'.
    QTest::newRow("list") << "tags:list=a,b"
                          << "tags" << T::List << QByteArray(R"(["a","b"])");
    QTest::newRow("list of one") << "tags:list=solo"
                                 << "tags" << T::List << QByteArray(R"(["solo"])");
    QTest::newRow("list, escaped comma") << R"(tags:list=a\,b,c)"
                                         << "tags" << T::List << QByteArray(R"(["a,b","c"])");
    QTest::newRow("list, escaped backslash") << R"(tags:list=a\\b,c)"
                                             << "tags" << T::List << QByteArray(R"(["a\\b","c"])");
    QTest::newRow("list keeps spaces") << "tags:list=a b, c"
                                       << "tags" << T::List << QByteArray(R"(["a b"," c"])");
    QTest::newRow("empty list") << "tags:list="
                                << "tags" << T::List << QByteArray("[]");
}

void TestTypedField::parse()
{
    QFETCH(QString, spec);
    QFETCH(QString, name);
    QFETCH(TypedValue::Type, type);
    QFETCH(QByteArray, json);

    TypedField field;
    QString error;
    QVERIFY2(TypedField::parse(spec, &field, &error), qPrintable(error));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(field.name, name);
    QCOMPARE(field.value.type(), type);
    QCOMPARE(jsonText(field.value.toJson()), json);
}

void TestTypedField::parseErrors_data()
{
    QTest::addColumn<QString>("spec");
    // Every fragment must appear in the message: the property name so a bulk import can say which
    // column failed, and the offending text or type so the user sees what to fix.
    QTest::addColumn<QStringList>("mentions");

    const auto m = [](std::initializer_list<const char *> parts) {
        QStringList list;
        for (const char *part : parts)
            list << QString::fromUtf8(part);
        return list;
    };

    // Lists
    QTest::newRow("list, empty item") << "tags:list=a,,b" << m({"tags", "empty"});
    QTest::newRow("list, trailing comma") << "tags:list=a," << m({"tags", "empty"});
    QTest::newRow("list, leading comma") << "tags:list=,a" << m({"tags", "empty"});
    QTest::newRow("list, only a comma") << "tags:list=," << m({"tags", "empty"});

    // Numbers
    QTest::newRow("number, text") << "mrr:number=abc" << m({"mrr", "abc", "not a number"});
    QTest::newRow("number, trailing text") << "mrr:number=12abc" << m({"mrr", "12abc"});
    QTest::newRow("number, empty") << "mrr:number=" << m({"mrr", "not a number"});
    QTest::newRow("number, decimal comma") << "mrr:number=3,5" << m({"mrr", "3,5"});
    QTest::newRow("number, two dots") << "mrr:number=1.2.3" << m({"mrr", "1.2.3"});
    QTest::newRow("number, hex") << "mrr:number=0x10" << m({"mrr", "0x10"});
    QTest::newRow("number, nan") << "mrr:number=nan" << m({"mrr", "nan"});
    QTest::newRow("number, NaN") << "mrr:number=NaN" << m({"mrr", "NaN"});
    QTest::newRow("number, inf") << "mrr:number=inf" << m({"mrr", "inf"});
    QTest::newRow("number, -inf") << "mrr:number=-inf" << m({"mrr", "-inf"});
    QTest::newRow("number, overflow") << "mrr:number=1e999" << m({"mrr", "1e999"});

    // Booleans
    QTest::newRow("bool, maybe") << "is_paying:bool=maybe" << m({"is_paying", "maybe"});
    QTest::newRow("bool, empty") << "is_paying:bool=" << m({"is_paying", "boolean"});
    QTest::newRow("bool, 2") << "is_paying:bool=2" << m({"is_paying", "'2'"});

    // Dates: the calendar date and the clock time must exist.
    QTest::newRow("date, Feb 30") << "d:date=2024-02-30" << m({"d:", "2024-02-30"});
    QTest::newRow("date, Feb 29 of a common year") << "d:date=2023-02-29" << m({"d:", "2023-02-29"});
    QTest::newRow("date, month 13") << "d:date=2024-13-01" << m({"d:", "2024-13-01"});
    QTest::newRow("date, day 0") << "d:date=2024-05-00" << m({"d:", "2024-05-00"});
    QTest::newRow("date, hour 25") << "d:date=2024-05-01T25:00:00Z" << m({"d:", "25:00"});
    QTest::newRow("date, hour 24") << "d:date=2024-05-01T24:00:00Z" << m({"d:", "24:00"});
    QTest::newRow("date, minute 60") << "d:date=2024-05-01T10:60:00Z" << m({"d:", "10:60"});
    QTest::newRow("date, second 60") << "d:date=2024-05-01T10:00:60Z" << m({"d:", "10:00:60"});
    QTest::newRow("date, offset +15") << "d:date=2024-05-01T10:00:00+15:00" << m({"d:", "+15:00"});
    QTest::newRow("date, offset minutes 60") << "d:date=2024-05-01T10:00:00+02:60" << m({"d:", "+02:60"});
    QTest::newRow("date, garbage") << "d:date=garbage" << m({"d:", "garbage", "ISO 8601"});
    QTest::newRow("date, empty") << "d:date=" << m({"d:", "ISO 8601"});
    QTest::newRow("date, short fields") << "d:date=2024-5-1" << m({"d:", "2024-5-1"});
    QTest::newRow("date, space separator")
        << "d:date=2024-05-01 10:00:00" << m({"d:", "2024-05-01 10:00:00"});
    QTest::newRow("date, hour only") << "d:date=2024-05-01T10" << m({"d:", "2024-05-01T10"});
    QTest::newRow("date, dot without digits") << "d:date=2024-05-01T10:00:00.Z" << m({"d:", "10:00:00.Z"});
    QTest::newRow("date, slashes") << "d:date=01/05/2024" << m({"d:", "01/05/2024"});
    QTest::newRow("date, epoch number") << "d:date=1714557600" << m({"d:", "1714557600"});

    // null and empty take no value
    QTest::newRow("null with a value") << "old_field:null=x" << m({"old_field", "null"});
    QTest::newRow("empty with a value") << "note:empty=x" << m({"note", "empty"});

    // Types
    QTest::newRow("unknown type") << "x:foo=1" << m({"x:", "'foo'", "unknown type"});
    QTest::newRow("unknown type, empty") << "x:=1" << m({"x:", "unknown type"});
    QTest::newRow("unknown type, int") << "mrr:int=1" << m({"mrr", "'int'"});

    // Names and values missing
    QTest::newRow("missing name") << "=x" << m({"'=x'", "name is missing"});
    QTest::newRow("blank name") << "   =x" << m({"name is missing"});
    QTest::newRow("missing name, typed") << ":number=1" << m({"':number=1'", "name is missing"});
    QTest::newRow("empty spec") << "" << m({"name is missing"});
    QTest::newRow("missing value, typed")
        << "mrr:number" << m({"mrr", "value is missing", "mrr:number=VALUE"});
    QTest::newRow("missing value, untyped") << "plan" << m({"plan", "value is missing", "plan=VALUE"});
    QTest::newRow("missing value, list") << "tags:list" << m({"tags", "value is missing"});
    QTest::newRow("missing value, date") << "d:date" << m({"d:", "value is missing"});
}

void TestTypedField::parseErrors()
{
    QFETCH(QString, spec);
    QFETCH(QStringList, mentions);

    TypedField field;
    QString error;
    QVERIFY(!TypedField::parse(spec, &field, &error));
    QVERIFY(!error.isEmpty());
    for (const QString &fragment : mentions)
        QVERIFY2(error.contains(fragment),
                 qPrintable(QStringLiteral("'%1' not in: %2").arg(fragment, error)));
}

void TestTypedField::parseFailureLeavesOutputUntouched()
{
    // A form re-parses on every keystroke into the same field: a failed parse must not half-fill it.
    TypedField field = parsed(QStringLiteral("plan=Pro"));
    QString error;
    QVERIFY(!TypedField::parse(QStringLiteral("mrr:number=abc"), &field, &error));
    QCOMPARE(field.name, QStringLiteral("plan"));
    QCOMPARE(jsonText(field.value.toJson()), QByteArray(R"("Pro")"));
}

void TestTypedField::numberIsAJsonNumberOnTheWire()
{
    const TypedField mrr = parsed(QStringLiteral("mrr:number=399"));
    const QJsonValue json = mrr.value.toJson();
    QVERIFY(json.isDouble());
    QVERIFY(!json.isString());
    QCOMPARE(json.toDouble(), 399.0);

    // The bytes actually sent: 399, not "399" (the 3.1.0 SDK's mistake).
    const ApiRequest request = ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {mrr});
    QCOMPARE(request.bodyBytes(),
             QByteArray(R"({"identification":{"userId":"u1"},"properties":{"mrr":399}})"));
    QVERIFY(!request.bodyBytes().contains(R"("399")"));
}

void TestTypedField::stringDigitsStayAString()
{
    // The other direction: an untyped value is text even when it looks like a number (zip codes).
    const TypedField zip = parsed(QStringLiteral("zip=01234"));
    QVERIFY(zip.value.toJson().isString());
    const ApiRequest request = ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, {zip});
    QCOMPARE(request.bodyBytes(),
             QByteArray(R"({"identification":{"userId":"u1"},"properties":{"zip":"01234"}})"));
}

void TestTypedField::everyTypeOnTheWire()
{
    const QList<TypedField> fields = {
        parsed(QStringLiteral("plan=Pro")),
        parsed(QStringLiteral("mrr:number=399")),
        parsed(QStringLiteral("price:number=12.5")),
        parsed(QStringLiteral("is_paying:bool=yes")),
        parsed(QStringLiteral("registered_at:date=2024-05-01T10:00:00Z")),
        parsed(QStringLiteral("old_field:null")),
        parsed(QStringLiteral("note=")),
        parsed(QString::fromLatin1(R"(tags:list=a\,b,c)")),
    };
    const ApiRequest request = ApiRequest::upsertUser({QStringLiteral("u1"), QString()}, fields);
    // QJsonObject sorts keys, so the compact body is deterministic.
    QCOMPARE(request.bodyBytes(),
             QByteArray(R"({"identification":{"userId":"u1"},"properties":{"is_paying":true,"mrr":399,)"
                        R"("note":"","old_field":null,"plan":"Pro","price":12.5,)"
                        R"("registered_at":"2024-05-01T10:00:00Z","tags":["a,b","c"]}})"));
}

void TestTypedField::numberIgnoresTheDesktopLocale()
{
    // On a German desktop "3,5" must not become 3.5 and "3.5" must still be 3.5: the syntax is
    // the same in scripts whatever the user's locale.
    const QLocale saved;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    const auto restore = qScopeGuard([&] { QLocale::setDefault(saved); });

    TypedField field;
    QString error;
    QVERIFY2(TypedField::parse(QStringLiteral("price:number=3.5"), &field, &error), qPrintable(error));
    QCOMPARE(field.value.toJson().toDouble(), 3.5);
    QVERIFY(!TypedField::parse(QStringLiteral("price:number=3,5"), &field, &error));
    QVERIFY(error.contains(QLatin1String("price")));
    // And back to text with a dot, not a comma.
    QCOMPARE(parsed(QStringLiteral("price:number=12.5")).toSpec(), QStringLiteral("price:number=12.5"));
}

void TestTypedField::numberRejectsGroupSeparators_data()
{
    QTest::addColumn<QString>("spec");

    QTest::newRow("3,500") << QStringLiteral("mrr:number=3,500");
    QTest::newRow("1,000,000") << QStringLiteral("mrr:number=1,000,000");
    QTest::newRow("12,345.5") << QStringLiteral("mrr:number=12,345.5");
    QTest::newRow("1 000") << QStringLiteral("mrr:number=1 000");
}

void TestTypedField::numberRejectsGroupSeparators()
{
    QFETCH(QString, spec);

    // TypedValue.cpp's own comment: "3,5" must not silently become 3.5 or 35 on a German desktop.
    // "3,500" is the same number to a German user (3.5) and must not silently become 3500 either.
    // QLocale::c() accepts the ',' group separator when parsing unless RejectGroupSeparator is set.
    TypedField field;
    QString error;
    QVERIFY2(
        !TypedField::parse(spec, &field, &error),
        qPrintable(QStringLiteral("parsed as %1").arg(QString::fromUtf8(jsonText(field.value.toJson())))));
    QVERIFY(error.contains(QLatin1String("mrr")));
}

void TestTypedField::toSpecRoundTrip_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("string") << "plan=Pro"
                            << "plan=Pro";
    QTest::newRow("string holding = and :") << "url=https://a.io/?q=1"
                                            << "url=https://a.io/?q=1";
    QTest::newRow("string, explicit type") << "plan:str=Pro"
                                           << "plan=Pro";
    QTest::newRow("integer") << "mrr:number=399"
                             << "mrr:number=399";
    QTest::newRow("fraction") << "price:number=12.5"
                              << "price:number=12.5";
    QTest::newRow("negative") << "delta:number=-3.25"
                              << "delta:number=-3.25";
    QTest::newRow("exponent") << "big:num=1e3"
                              << "big:number=1000";
    QTest::newRow("bool yes") << "is_paying:bool=yes"
                              << "is_paying:bool=true";
    QTest::newRow("bool 0") << "is_paying:boolean=0"
                            << "is_paying:bool=false";
    QTest::newRow("date-time") << "registered_at:date=2024-05-01T10:00:00Z"
                               << "registered_at:date=2024-05-01T10:00:00Z";
    QTest::newRow("date-time offset") << "registered_at:datetime=2024-05-01T10:00:00.5+02:00"
                                      << "registered_at:date=2024-05-01T10:00:00.5+02:00";
    QTest::newRow("date only") << "registered_at:date=2024-05-01"
                               << "registered_at:date=2024-05-01";
    QTest::newRow("null") << "old_field:null"
                          << "old_field:null";
    QTest::newRow("empty") << "note:empty"
                           << "note:empty";
    QTest::newRow("empty via =") << "note="
                                 << "note:empty";
    QTest::newRow("list") << "tags:list=a,b"
                          << "tags:list=a,b";
    QTest::newRow("list, escaped comma") << R"(tags:list=a\,b,c)"
                                         << R"(tags:list=a\,b,c)";
    QTest::newRow("list, escaped backslash") << R"(tags:list=a\\b)"
                                             << R"(tags:list=a\\b)";
    QTest::newRow("empty list") << "tags:list="
                                << "tags:list=";
}

void TestTypedField::toSpecRoundTrip()
{
    QFETCH(QString, spec);
    QFETCH(QString, canonical);

    const TypedField original = parsed(spec);
    QVERIFY(!original.name.isEmpty());
    QCOMPARE(original.toSpec(), canonical);

    // What toSpec writes (history, CSV export) must parse back to the same field.
    TypedField again;
    QString error;
    QVERIFY2(TypedField::parse(original.toSpec(), &again, &error), qPrintable(error));
    QCOMPARE(again.name, original.name);
    QCOMPARE(again.value.type(), original.value.type());
    QCOMPARE(jsonText(again.value.toJson()), jsonText(original.value.toJson()));
    QVERIFY(again == original);
}

void TestTypedField::toSpecOfAFractionIsShortest()
{
    // What the user typed must come back unaltered in history and CSV export, not as 0.10000000000000001.
    const TypedField field = parsed(QStringLiteral("ratio:number=0.1"));
    QCOMPARE(field.value.toJson().toDouble(), 0.1);
    QCOMPARE(field.toSpec(), QStringLiteral("ratio:number=0.1"));
}

void TestTypedField::toSpecOfANameWithAColonParsesBack()
{
    // parse() splits the type at the last ':' before '=', so "a:b:string=x" is the string "x" named
    // "a:b"; toSpec() must keep ":string", or "a:b=x" would parse as type "b".
    const TypedField field = parsed(QStringLiteral("utm:source:string=x"));
    QCOMPARE(field.name, QStringLiteral("utm:source"));
    QCOMPARE(field.value.type(), TypedValue::Type::String);

    TypedField again;
    QString error;
    QVERIFY2(TypedField::parse(field.toSpec(), &again, &error), qPrintable(error));
    QVERIFY(again == field);
}

void TestTypedField::typeNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<TypedValue::Type>("type");
    QTest::addColumn<QString>("canonical");

    using T = TypedValue::Type;
    QTest::newRow("string") << "string" << T::String << "string";
    QTest::newRow("str") << "str" << T::String << "string";
    QTest::newRow("number") << "number" << T::Number << "number";
    QTest::newRow("num") << "num" << T::Number << "number";
    QTest::newRow("bool") << "bool" << T::Boolean << "bool";
    QTest::newRow("boolean") << "boolean" << T::Boolean << "bool";
    QTest::newRow("date") << "date" << T::DateTime << "date";
    QTest::newRow("datetime") << "datetime" << T::DateTime << "date";
    QTest::newRow("null") << "null" << T::Null << "null";
    QTest::newRow("empty") << "empty" << T::Empty << "empty";
    QTest::newRow("list") << "list" << T::List << "list";
    QTest::newRow("upper case") << "LIST" << T::List << "list";
    QTest::newRow("padded") << " date " << T::DateTime << "date";
}

void TestTypedField::typeNames()
{
    QFETCH(QString, name);
    QFETCH(TypedValue::Type, type);
    QFETCH(QString, canonical);

    TypedValue::Type found = TypedValue::Type::Null;
    QVERIFY(TypedValue::typeFromName(name, &found));
    QCOMPARE(found, type);
    QCOMPARE(TypedValue::typeName(type), canonical);
    // The canonical name is itself accepted, so toSpec output is always parseable.
    QVERIFY(TypedValue::typeFromName(canonical, &found));
    QCOMPARE(found, type);

    QVERIFY(!TypedValue::typeFromName(QStringLiteral("integer"), &found));
    QVERIFY(!TypedValue::typeFromName(QString(), &found));
}

void TestTypedField::fromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<TypedValue::Type>("type");
    QTest::addColumn<QString>("text");

    using T = TypedValue::Type;
    QTest::newRow("string") << QByteArray(R"("Pro")") << T::String << "Pro";
    QTest::newRow("empty string") << QByteArray(R"("")") << T::Empty << "";
    QTest::newRow("number") << QByteArray("399") << T::Number << "399";
    QTest::newRow("bool") << QByteArray("false") << T::Boolean << "false";
    QTest::newRow("date string") << QByteArray(R"("2024-05-01T10:00:00Z")") << T::DateTime
                                 << "2024-05-01T10:00:00Z";
    QTest::newRow("invalid date stays a string")
        << QByteArray(R"("2024-02-30")") << T::String << "2024-02-30";
    QTest::newRow("null") << QByteArray("null") << T::Null << "";
    QTest::newRow("list") << QByteArray(R"(["a,b","c"])") << T::List << R"(a\,b,c)";
}

void TestTypedField::fromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(TypedValue::Type, type);
    QFETCH(QString, text);

    const QJsonValue value = QJsonDocument::fromJson("[" + json + "]").array().at(0);
    const TypedValue typed = TypedValue::fromJson(value);
    QCOMPARE(typed.type(), type);
    QCOMPARE(typed.toText(), text);
    // And back to exactly the same JSON.
    QCOMPARE(jsonText(typed.toJson()), json);
}

void TestTypedField::toJsonObjectLaterWins()
{
    // As on a command line, "--prop plan=Free ... --prop plan=Pro" means Pro, whatever the types.
    const QList<TypedField> fields = {
        parsed(QStringLiteral("plan=Free")),    parsed(QStringLiteral("mrr:number=1")),
        parsed(QStringLiteral("old:number=5")), parsed(QStringLiteral("plan=Pro")),
        parsed(QStringLiteral("old:null")),
    };
    const QJsonObject object = TypedField::toJsonObject(fields);
    QCOMPARE(object.size(), 3);
    QCOMPARE(object.value(QLatin1String("plan")).toString(), QStringLiteral("Pro"));
    QVERIFY(object.value(QLatin1String("old")).isNull());
    QCOMPARE(QJsonDocument(object).toJson(QJsonDocument::Compact),
             QByteArray(R"({"mrr":1,"old":null,"plan":"Pro"})"));
}

void TestTypedField::toJsonObjectOfNothingIsEmpty()
{
    QVERIFY(TypedField::toJsonObject({}).isEmpty());
}

void TestTypedField::numberAgreesWithQLocale()
{
    // Plain decimals take a fast path (std::from_chars); the C locale without group separators is
    // what decides, for every text.
    QLocale locale = QLocale::c();
    locale.setNumberOptions(QLocale::RejectGroupSeparator);
    const QStringList texts =
        randomTexts(QStringLiteral("0123456789.-+e, "), 20000, 8,
                    {QStringLiteral("007"), QStringLiteral("-0"), QStringLiteral("0.1"), QStringLiteral(".5"),
                     QStringLiteral("5."), QStringLiteral("+5"), QStringLiteral("--5"),
                     QStringLiteral("1e308"), QStringLiteral("1e309"), QStringLiteral("0.30000000000000004"),
                     QStringLiteral(" 12 "), QStringLiteral("123456789012345678901234567890123456789"),
                     QStringLiteral("1234567890123456789012345678901234567890123"), QStringLiteral("١٢"),
                     QStringLiteral("inf"), QStringLiteral("nan"), QStringLiteral("3,500")});
    int accepted = 0;
    for (const QString &text : texts) {
        bool ok = false;
        const double expected = locale.toDouble(text.trimmed(), &ok);
        const bool valid = ok && std::isfinite(expected);
        TypedValue value;
        QString error;
        QVERIFY2(TypedValue::fromText(TypedValue::Type::Number, text, &value, &error) == valid,
                 qPrintable(text));
        if (valid) {
            ++accepted;
            QVERIFY2(value.toJson().toDouble() == expected, qPrintable(text));
        } else {
            QCOMPARE(error, QStringLiteral("'%1' is not a number").arg(text));
        }
    }
    QVERIFY(accepted > 1000);
}

void TestTypedField::iso8601AgreesWithThePattern()
{
    QStringList fixed = {QStringLiteral("2024-05-01"),
                         QStringLiteral("2024-02-29"),
                         QStringLiteral("2023-02-29"),
                         QStringLiteral("0000-01-01"),
                         QStringLiteral("2024-05-01T10:00"),
                         QStringLiteral("2024-05-01T10:00:59.123456789Z"),
                         QStringLiteral("2024-05-01T10:00:59.1234567890Z"),
                         QStringLiteral("2024-05-01T24:00"),
                         QStringLiteral("2024-05-01T10:00+14"),
                         QStringLiteral("2024-05-01T10:00+15"),
                         QStringLiteral("2024-05-01T10:00-02:30"),
                         QStringLiteral("2024-05-01T10:00+0260"),
                         QStringLiteral("2024-05-01T10:00:00+02:"),
                         QStringLiteral("2024-05-01Z"),
                         QStringLiteral("2024-05-01t10:00"),
                         QStringLiteral("2024-05-01T10:00z"),
                         QStringLiteral("２０２４-05-01"),
                         QStringLiteral("2024-05-01T10:00:00\n")};
    // Mutations of valid dates: every character replaced in turn by each of a few others.
    const QString base = QStringLiteral("2024-12-31T23:59:58.5+01:00");
    for (qsizetype i = 0; i < base.size(); ++i) {
        for (const QChar c : QStringLiteral("09:-.TZ+x")) {
            QString mutated = base;
            mutated[i] = c;
            fixed.append(mutated);
            fixed.append(mutated.left(i + 1));
        }
    }
    // Date-shaped texts with random digits, so that both answers are common.
    QRandomGenerator random(99);
    auto digits = [&random](int count) {
        QString text;
        for (int i = 0; i < count; ++i)
            text.append(QLatin1Char(char('0' + random.bounded(i == 0 ? 4 : 10))));
        return text;
    };
    for (int i = 0; i < 20000; ++i) {
        QString text = digits(4) + QLatin1Char('-') + digits(2) + QLatin1Char('-') + digits(2);
        if (random.bounded(2))
            text += QLatin1Char('T') + digits(2) + QLatin1Char(':') + digits(2);
        if (random.bounded(2))
            text += QLatin1Char(':') + digits(2) +
                    (random.bounded(2) ? QStringLiteral(".") + digits(3) : QString());
        const int zone = random.bounded(4);
        if (zone == 1)
            text += QLatin1Char('Z');
        else if (zone > 1)
            text += QLatin1Char(random.bounded(2) ? '+' : '-') + digits(2) +
                    (zone == 3 ? QStringLiteral(":") : QString()) + digits(2);
        fixed.append(text);
    }
    const QStringList texts = randomTexts(QStringLiteral("0123456789-:T.Z+"), 30000, 28, fixed);
    int valid = 0;
    for (const QString &text : texts) {
        const bool expected = referenceIso8601(text);
        QVERIFY2(TypedValue::isIso8601(text) == expected, qPrintable(text));
        valid += expected;
    }
    QVERIFY2(valid > 1000 && valid < texts.size() - 1000, qPrintable(QString::number(valid)));
}

void TestTypedField::checkTextAgreesWithFromText()
{
    using T = TypedValue::Type;
    const QStringList texts = {QString(),
                               QStringLiteral(" "),
                               QStringLiteral("12"),
                               QStringLiteral("x"),
                               QStringLiteral("TRUE"),
                               QStringLiteral(" no "),
                               QStringLiteral("2024-05-01"),
                               QStringLiteral("a,b"),
                               QStringLiteral("a,,b"),
                               QStringLiteral(","),
                               QStringLiteral("a\\,b"),
                               QStringLiteral("1e3")};
    for (const T type : {T::String, T::Number, T::Boolean, T::DateTime, T::Null, T::Empty, T::List}) {
        for (const QString &text : texts) {
            TypedValue value;
            QString fromTextError;
            QString checkError;
            const bool converted = TypedValue::fromText(type, text, &value, &fromTextError);
            QVERIFY2(TypedValue::checkText(type, text, &checkError) == converted, qPrintable(text));
            QCOMPARE(checkError, fromTextError);
        }
    }
}

QTEST_GUILESS_MAIN(TestTypedField)
#include "tst_TypedField.moc"

#include "api/IntegrationLint.h"

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/RequestValidator.h"
#include "api/TypedValue.h"

#include <QDate>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>
#include <QTime>

#include <algorithm>

namespace {

using Severity = LintFinding::Severity;
using Rule = IntegrationLint::Rule;

// Ordered like ruleTable(); the IDs, severities and titles live only in that table.
enum class RuleId
{
    StringNumber,
    StringBoolean,
    StringDate,
    DateFormat,
    TriggeredAtFuture,
    TriggeredAtOld,
    DeprecatedEventsEndpoint,
    EmailAsUserId,
    UrlAsDomain,
    HighCardinalityEventName,
    NearDuplicateName,
    NullDeletesProperty,
    EmptyProperties,
    EmptyMetadata,
};

const QList<Rule> &ruleTable()
{
    static const QList<Rule> table = {
        {QStringLiteral("string-number"), Severity::Warning, QStringLiteral("A number sent as text")},
        {QStringLiteral("string-boolean"), Severity::Warning, QStringLiteral("A boolean sent as text")},
        {QStringLiteral("string-date"), Severity::Info,
         QStringLiteral("A date in a form journy.io stores as text")},
        {QStringLiteral("date-format"), Severity::Warning,
         QStringLiteral("A date field that is not an ISO 8601 date-time")},
        {QStringLiteral("triggered-at-future"), Severity::Warning,
         QStringLiteral("triggeredAt more than 5 minutes in the future")},
        {QStringLiteral("triggered-at-old"), Severity::Warning,
         QStringLiteral("triggeredAt more than 365 days in the past")},
        {QStringLiteral("deprecated-events-endpoint"), Severity::Warning,
         QStringLiteral("Events sent to the deprecated POST /events")},
        {QStringLiteral("email-as-user-id"), Severity::Warning, QStringLiteral("An email address as userId")},
        {QStringLiteral("url-as-domain"), Severity::Warning,
         QStringLiteral("A URL or www. name where a bare domain belongs")},
        {QStringLiteral("high-cardinality-event-name"), Severity::Warning,
         QStringLiteral("An ID inside an event name")},
        {QStringLiteral("near-duplicate-name"), Severity::Warning,
         QStringLiteral("A name differing from another only in case or separators")},
        {QStringLiteral("null-deletes-property"), Severity::Info,
         QStringLiteral("A known property sent as null, which deletes it")},
        {QStringLiteral("empty-properties"), Severity::Info, QStringLiteral("An upsert without properties")},
        {QStringLiteral("empty-metadata"), Severity::Info, QStringLiteral("An event with empty metadata")},
    };
    return table;
}

const Rule &ruleOf(RuleId id)
{
    return ruleTable().at(static_cast<int>(id));
}

QString join(const QString &prefix, const QString &name)
{
    return prefix.isEmpty() ? name : prefix + QLatin1Char('.') + name;
}

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

bool allAsciiDigits(QStringView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), isAsciiDigit);
}

// A name's words, lower-cased: "signedUpAt", "signed_up_at" and "Signed up at" all give
// [signed, up, at], so name rules do not depend on the integration's naming style.
QStringList nameWords(const QString &name)
{
    QStringList words;
    QString current;
    for (const QChar c : name) {
        if (!c.isLetterOrNumber()) {
            if (!current.isEmpty())
                words.append(current.toLower());
            current.clear();
            continue;
        }
        if (c.isUpper() && !current.isEmpty() && !current.back().isUpper()) {
            words.append(current.toLower());
            current.clear();
        }
        current.append(c);
    }
    if (!current.isEmpty())
        words.append(current.toLower());
    return words;
}

bool computeIsDateLikeName(const QString &name)
{
    static const QSet<QString> lastWords = {QStringLiteral("at"),       QStringLiteral("on"),
                                            QStringLiteral("date"),     QStringLiteral("time"),
                                            QStringLiteral("datetime"), QStringLiteral("timestamp"),
                                            QStringLiteral("ts")};
    static const QSet<QString> anyWords = {QStringLiteral("date"), QStringLiteral("datetime"),
                                           QStringLiteral("timestamp"), QStringLiteral("birthday"),
                                           QStringLiteral("dob")};
    static const QSet<QString> wholeNames = {QStringLiteral("created"), QStringLiteral("updated"),
                                             QStringLiteral("deleted"), QStringLiteral("expires"),
                                             QStringLiteral("expiry"),  QStringLiteral("since"),
                                             QStringLiteral("until")};
    const QStringList words = nameWords(name);
    if (words.isEmpty())
        return false;
    if (lastWords.contains(words.last()) || (words.size() == 1 && wholeNames.contains(words.first())))
        return true;
    return std::any_of(words.begin(), words.end(),
                       [](const QString &word) { return anyWords.contains(word); });
}

// Names whose values are identifiers or codes that happen to be digits ("phone": "123").
bool computeIsIdentifierName(const QString &name)
{
    static const QSet<QString> words = {
        QStringLiteral("id"),        QStringLiteral("ids"),     QStringLiteral("uuid"),
        QStringLiteral("guid"),      QStringLiteral("phone"),   QStringLiteral("tel"),
        QStringLiteral("telephone"), QStringLiteral("mobile"),  QStringLiteral("fax"),
        QStringLiteral("zip"),       QStringLiteral("zipcode"), QStringLiteral("postal"),
        QStringLiteral("postcode"),  QStringLiteral("code"),    QStringLiteral("sku"),
        QStringLiteral("ean"),       QStringLiteral("isbn"),    QStringLiteral("iban"),
        QStringLiteral("vat"),       QStringLiteral("ref"),     QStringLiteral("reference"),
        QStringLiteral("version")};
    const QStringList nameWordList = nameWords(name);
    return std::any_of(nameWordList.begin(), nameWordList.end(),
                       [](const QString &word) { return words.contains(word); });
}

// The same names come back on every row of an import (a million rows, a dozen columns): what a
// name says is worked out once per thread and kept, up to a bound a request never reaches.
bool remembered(QHash<QString, bool> *cache, const QString &name, bool (*compute)(const QString &))
{
    if (const auto it = cache->constFind(name); it != cache->constEnd())
        return *it;
    constexpr qsizetype MaxNames = 4096;
    if (cache->size() >= MaxNames)
        cache->clear();
    const bool result = compute(name);
    cache->insert(name, result);
    return result;
}

bool isDateLikeName(const QString &name)
{
    thread_local QHash<QString, bool> cache;
    return remembered(&cache, name, computeIsDateLikeName);
}

bool isIdentifierName(const QString &name)
{
    thread_local QHash<QString, bool> cache;
    return remembered(&cache, name, computeIsIdentifierName);
}

// Text that reads as a number and is not an identifier or code written with digits.
bool readsAsNumber(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    if (trimmed.isEmpty() || trimmed.startsWith(QLatin1Char('+')))
        return false;
    const QStringView unsignedPart = trimmed.startsWith(QLatin1Char('-')) ? trimmed.mid(1) : trimmed;
    if (unsignedPart.size() > 1 && unsignedPart.at(0) == QLatin1Char('0') && isAsciiDigit(unsignedPart.at(1)))
        return false;
    constexpr qsizetype MaxNumberDigits = 15; // what a double holds exactly; longer runs are IDs
    if (std::count_if(trimmed.begin(), trimmed.end(), isAsciiDigit) > MaxNumberDigits)
        return false;
    QString error;
    return TypedValue::checkText(TypedValue::Type::Number, trimmed, &error);
}

// Only true and false: TypedValue also reads yes/no/1/0 as booleans, but "yes" is as often a
// genuine answer to a question, and 1/0 read as numbers first.
bool readsAsBoolean(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    return trimmed.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0 ||
           trimmed.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0;
}

// How a value reads as a date, and the ISO 8601 date-time it stands for when that can be told.
struct DateReading
{
    enum class Kind
    {
        None,        // not a date
        IsoDateTime, // what journy.io wants
        DateOnly,
        SpaceSeparated,
        Local,
        MonthName,
        EpochSeconds,
        EpochMilliseconds,
    };
    Kind kind = Kind::None;
    QString iso; // empty when not computable (e.g. 01/05/2024: day and month order unknown)

    bool isNonIsoDate() const { return kind != Kind::None && kind != Kind::IsoDateTime; }
    QString description() const
    {
        switch (kind) {
        case Kind::DateOnly:
            return QStringLiteral("is a date without a time");
        case Kind::SpaceSeparated:
            return QStringLiteral("has a space where ISO 8601 puts a T");
        case Kind::Local:
            return QStringLiteral("is a local date format");
        case Kind::MonthName:
            return QStringLiteral("spells the month out");
        case Kind::EpochSeconds:
            return QStringLiteral("looks like epoch seconds");
        case Kind::EpochMilliseconds:
            return QStringLiteral("looks like epoch milliseconds");
        case Kind::None:
        case Kind::IsoDateTime:
            break;
        }
        return QString();
    }
};

QString isoUtc(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    return utc.toString(utc.time().msec() == 0 ? Qt::ISODate : Qt::ISODateWithMs);
}

QString isoMidnight(const QDate &date)
{
    return isoUtc(QDateTime(date, QTime(0, 0), Qt::UTC));
}

// Seconds from 2001-09-09 to 2286-11-20, or the same span in milliseconds: other magnitudes are
// counts and amounts, not times.
DateReading readEpoch(double value)
{
    DateReading reading;
    if (value >= 1e9 && value < 1e10) {
        reading.kind = DateReading::Kind::EpochSeconds;
        reading.iso = isoUtc(QDateTime::fromMSecsSinceEpoch(qint64(value * 1000), Qt::UTC));
    } else if (value >= 1e12 && value < 1e13) {
        reading.kind = DateReading::Kind::EpochMilliseconds;
        reading.iso = isoUtc(QDateTime::fromMSecsSinceEpoch(qint64(value), Qt::UTC));
    }
    return reading;
}

// Whether an ISO date-time text carries a zone designator after its time.
bool hasZone(QStringView iso)
{
    const QStringView time = iso.mid(11);
    return time.endsWith(QLatin1Char('Z')) || time.contains(QLatin1Char('+')) ||
           time.contains(QLatin1Char('-'));
}

DateReading readLocalDate(const QString &text)
{
    DateReading reading;
    static const QRegularExpression dayMonthYear(QStringLiteral(R"(^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$)"));
    static const QRegularExpression yearMonthDay(QStringLiteral(R"(^(\d{4})([/.])(\d{1,2})\2(\d{1,2})$)"));
    QRegularExpressionMatch match = yearMonthDay.match(text);
    if (match.hasMatch()) {
        const QDate date(match.captured(1).toInt(), match.captured(3).toInt(), match.captured(4).toInt());
        if (date.isValid()) {
            reading.kind = DateReading::Kind::Local;
            reading.iso = isoMidnight(date);
        }
        return reading;
    }
    match = dayMonthYear.match(text);
    if (!match.hasMatch())
        return reading;
    const int first = match.captured(1).toInt();
    const int second = match.captured(3).toInt();
    const int year = match.captured(4).toInt();
    const QDate dayFirst(year, second, first);
    const QDate monthFirst(year, first, second);
    if (!dayFirst.isValid() && !monthFirst.isValid())
        return reading;
    reading.kind = DateReading::Kind::Local;
    // Both orders valid and different: which one the integration meant is unknown.
    if (dayFirst.isValid() && monthFirst.isValid())
        reading.iso = first == second ? isoMidnight(dayFirst) : QString();
    else
        reading.iso = isoMidnight(dayFirst.isValid() ? dayFirst : monthFirst);
    return reading;
}

// Whether text holds a year and a word starting like an English month ("Jan", "september"): QDate's parser
// with a format costs tens of microseconds per call, and most values of a large import are not
// dates at all, so only these are handed to it.
bool mentionsAMonth(const QString &text)
{
    static const QSet<QString> months = {QStringLiteral("jan"), QStringLiteral("feb"), QStringLiteral("mar"),
                                         QStringLiteral("apr"), QStringLiteral("may"), QStringLiteral("jun"),
                                         QStringLiteral("jul"), QStringLiteral("aug"), QStringLiteral("sep"),
                                         QStringLiteral("oct"), QStringLiteral("nov"), QStringLiteral("dec")};
    constexpr qsizetype LongestDate = 40; // "Wednesday, 01 September 2024 10:00:00 +0200" and shorter
    if (text.size() > LongestDate)
        return false;
    // Every form read below has a four-digit year: a name ("Martin", "Janssens") has none.
    qsizetype digits = 0;
    bool year = false;
    for (const QChar c : text) {
        digits = isAsciiDigit(c) ? digits + 1 : 0;
        year = year || digits == 4;
    }
    if (!year)
        return false;
    QString word;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const QChar c = i < text.size() ? text.at(i) : QChar();
        if (c.isLetter() && c.unicode() < 0x80) {
            word += c.toLower();
            continue;
        }
        if (word.size() >= 3 && months.contains(word.left(3)))
            return true;
        word.clear();
    }
    return false;
}

DateReading readMonthName(const QString &text)
{
    DateReading reading;
    if (!mentionsAMonth(text))
        return reading;
    // QDate reads month names in English whatever the desktop's language, as integrations send.
    static const QStringList formats = {QStringLiteral("MMMM d, yyyy"), QStringLiteral("MMM d, yyyy"),
                                        QStringLiteral("d MMMM yyyy"),  QStringLiteral("d MMM yyyy"),
                                        QStringLiteral("MMMM d yyyy"),  QStringLiteral("MMM d yyyy")};
    for (const QString &format : formats) {
        const QDate date = QDate::fromString(text, format);
        if (date.isValid()) {
            reading.kind = DateReading::Kind::MonthName;
            reading.iso = isoMidnight(date);
            return reading;
        }
    }
    const QDateTime time = QDateTime::fromString(text, Qt::RFC2822Date);
    if (time.isValid()) {
        reading.kind = DateReading::Kind::MonthName;
        reading.iso = isoUtc(time);
    }
    return reading;
}

DateReading readDate(const QString &value)
{
    const QString text = value.trimmed();
    DateReading reading;
    if (TypedValue::isIso8601(text)) {
        constexpr qsizetype DateOnlySize = 10; // YYYY-MM-DD
        if (text.size() == DateOnlySize) {
            reading.kind = DateReading::Kind::DateOnly;
            reading.iso = isoMidnight(QDate::fromString(text, Qt::ISODate));
        } else {
            reading.kind = DateReading::Kind::IsoDateTime;
            reading.iso = text;
        }
        return reading;
    }
    if (text.size() > 10 && text.at(10) == QLatin1Char(' ')) {
        QString candidate = text;
        candidate[10] = QLatin1Char('T');
        if (TypedValue::isIso8601(candidate)) {
            reading.kind = DateReading::Kind::SpaceSeparated;
            reading.iso = hasZone(candidate) ? candidate : candidate + QLatin1Char('Z');
            return reading;
        }
    }
    constexpr qsizetype EpochSecondsDigits = 10;
    constexpr qsizetype EpochMillisecondsDigits = 13;
    if (allAsciiDigits(text) && (text.size() == EpochSecondsDigits || text.size() == EpochMillisecondsDigits))
        return readEpoch(text.toDouble());
    reading = readLocalDate(text);
    if (reading.kind != DateReading::Kind::None)
        return reading;
    return readMonthName(text);
}

// The name with case, spaces, "-" and "_" ignored: "Signed Up", "signed-up" and "signedUp" meet.
QString nameKey(const QString &name)
{
    QString key;
    key.reserve(name.size());
    for (const QChar c : name) {
        if (c != QLatin1Char(' ') && c != QLatin1Char('-') && c != QLatin1Char('_'))
            key.append(c.toLower());
    }
    return key;
}

// The value as the message quotes it: numbers in full ('1714557600', not '1.7145576e+09').
QString valueText(const QJsonValue &value)
{
    if (value.isDouble())
        return QString::number(value.toDouble(), 'f', QLocale::FloatingPointShortest);
    return TypedValue::fromJson(value).toText();
}

QString spanText(qint64 seconds)
{
    constexpr qint64 Hour = 3600;
    constexpr qint64 Day = 24 * Hour;
    if (seconds < Hour)
        return QStringLiteral("%1 minutes").arg(seconds / 60);
    if (seconds < 2 * Day)
        return QStringLiteral("%1 hours").arg(seconds / Hour);
    return QStringLiteral("%1 days").arg(seconds / Day);
}

// An ID inside an event name: the first one found, what it is, and the name without any of them.
struct EventNameId
{
    QString id;
    QString kind;
    QString constantName;
};

EventNameId findEventNameId(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"((?<email>[^\s@]+@[^\s@]+\.[^\s@]+)|)"
        R"((?<uuid>(?<![0-9A-Za-z])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9A-Za-z]))|)"
        R"((?<hex>(?<![0-9A-Za-z])[0-9a-fA-F]{12,}(?![0-9A-Za-z]))|)"
        R"((?<digits>\d{3,}))"));
    EventNameId found;
    QString rest;
    qsizetype copied = 0;
    QRegularExpressionMatchIterator it = pattern.globalMatch(name);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        QString kind;
        if (match.capturedLength(QStringLiteral("email")) > 0) {
            if (!RequestValidator::isEmail(match.captured()))
                continue;
            kind = QStringLiteral("an email address");
        } else if (match.capturedLength(QStringLiteral("uuid")) > 0) {
            kind = QStringLiteral("a UUID");
        } else if (match.capturedLength(QStringLiteral("hex")) > 0) {
            // Twelve letters a-f alone are a word, not an ID (and all digits are a number).
            const QString hex = match.captured();
            if (!std::any_of(hex.begin(), hex.end(), isAsciiDigit))
                continue;
            kind = allAsciiDigits(hex) ? QStringLiteral("a number") : QStringLiteral("a hex ID");
        } else {
            kind = QStringLiteral("a number");
        }
        if (found.id.isEmpty()) {
            found.id = match.captured();
            found.kind = kind;
        }
        rest += name.mid(copied, match.capturedStart() - copied);
        copied = match.capturedEnd();
    }
    if (found.id.isEmpty())
        return found;
    rest += name.mid(copied);
    static const QRegularExpression separators(QStringLiteral(R"([\s_\-#:/]+)"));
    const QStringList words = rest.split(separators, Qt::SkipEmptyParts);
    const QChar separator = name.contains(QLatin1Char(' '))   ? QLatin1Char(' ')
                            : name.contains(QLatin1Char('_')) ? QLatin1Char('_')
                                                              : QLatin1Char('-');
    found.constantName = words.join(separator);
    return found;
}

class Linter
{
public:
    Linter(const QJsonObject &body, Operation operation, const IntegrationLint::Context &context)
        : m_body(body), m_operation(operation), m_context(context),
          m_now(context.now.isValid() ? context.now : QDateTime::currentDateTimeUtc())
    {}

    QList<LintFinding> run(const QUrlQuery &query)
    {
        const QString idKey = QStringLiteral("identification");
        switch (m_operation) {
        case Operation::UpsertUser:
            checkUser(m_body.value(idKey), idKey);
            checkProperties(m_context.userPropertyNames);
            break;
        case Operation::DeleteUser:
        case Operation::Link:
            checkUser(m_body.value(idKey), idKey);
            break;
        case Operation::UpsertAccount:
            checkAccount(m_body.value(idKey), idKey);
            checkProperties(m_context.accountPropertyNames);
            break;
        case Operation::DeleteAccount:
            checkAccount(m_body.value(idKey), idKey);
            break;
        case Operation::AddUsersToAccount:
        case Operation::RemoveUsersFromAccount: {
            checkAccount(m_body.value(QLatin1String("account")), QStringLiteral("account"));
            const QJsonArray users = m_body.value(QLatin1String("users")).toArray();
            for (int i = 0; i < users.size(); ++i)
                checkUser(users.at(i).toObject().value(idKey),
                          join(join(QStringLiteral("users"), QString::number(i)), idKey));
            break;
        }
        case Operation::TrackLegacyEvent:
            add(RuleId::DeprecatedEventsEndpoint, QString(),
                QStringLiteral("%1 %2 is deprecated.")
                    .arg(QString::fromLatin1(ApiOperation::info(m_operation).method),
                         ApiOperation::info(m_operation).path),
                QStringLiteral("Send the same body to %1 %2.")
                    .arg(QString::fromLatin1(ApiOperation::info(Operation::TrackEvent).method),
                         ApiOperation::info(Operation::TrackEvent).path));
            checkEvent();
            break;
        case Operation::TrackEvent:
            checkEvent();
            break;
        case Operation::TrackingSnippet: {
            const QString domainKey = QStringLiteral("domain");
            if (query.hasQueryItem(domainKey))
                checkDomain(query.queryItemValue(domainKey, QUrl::FullyDecoded),
                            QStringLiteral("parameters.query.domain"), false);
            break;
        }
        case Operation::Validate:
        case Operation::ListEvents:
        case Operation::ListUserProperties:
        case Operation::ListAccountProperties:
        case Operation::ListUserSegments:
        case Operation::ListAccountSegments:
            break;
        }
        std::stable_sort(m_findings.begin(), m_findings.end(),
                         [](const LintFinding &a, const LintFinding &b) {
                             return a.path != b.path ? a.path < b.path : a.rule < b.rule;
                         });
        return m_findings;
    }

private:
    void add(RuleId id, const QString &path, const QString &message, const QString &fix)
    {
        add(id, ruleOf(id).severity, path, message, fix);
    }

    void add(RuleId id, Severity severity, const QString &path, const QString &message, const QString &fix)
    {
        m_findings.append(LintFinding{ruleOf(id).id, severity, path, message, fix});
    }

    void checkUser(const QJsonValue &identification, const QString &path)
    {
        const QJsonValue userId = identification.toObject().value(QLatin1String("userId"));
        if (!userId.isString() || !RequestValidator::isEmail(userId.toString()))
            return;
        const QString text = userId.toString();
        add(RuleId::EmailAsUserId, join(path, QStringLiteral("userId")),
            QStringLiteral("userId '%1' is an email address, which changes when the person changes it.")
                .arg(text),
            QStringLiteral("Send '%1' as email and keep userId for your database ID.").arg(text));
    }

    void checkAccount(const QJsonValue &identification, const QString &path)
    {
        const QJsonValue domain = identification.toObject().value(QLatin1String("domain"));
        if (domain.isString())
            checkDomain(domain.toString(), join(path, QStringLiteral("domain")), true);
    }

    // An account's domain is the company's, so "www." is noise there; a website's domain (the
    // tracking snippet) may well be its www. host.
    void checkDomain(const QString &text, const QString &path, bool company)
    {
        QString host = text.trimmed();
        QStringList problems;
        const qsizetype scheme = host.indexOf(QLatin1String("://"));
        if (scheme >= 0) {
            problems.append(QStringLiteral("a scheme (%1)").arg(host.left(scheme + 3)));
            host = host.mid(scheme + 3);
        }
        static const QRegularExpression pathMark(QStringLiteral("[/?#]"));
        const qsizetype pathStart = host.indexOf(pathMark);
        if (pathStart >= 0) {
            problems.append(QStringLiteral("a path (%1)").arg(host.mid(pathStart)));
            host = host.left(pathStart);
        }
        const qsizetype port = host.indexOf(QLatin1Char(':'));
        if (port >= 0 && !problems.isEmpty())
            host = host.left(port);
        if (company && host.startsWith(QLatin1String("www."), Qt::CaseInsensitive)) {
            problems.append(QStringLiteral("a www. prefix"));
            host = host.mid(4);
        }
        if (problems.isEmpty())
            return;
        add(RuleId::UrlAsDomain, path,
            QStringLiteral("Domain '%1' holds %2.").arg(text, problems.join(QLatin1String(" and "))),
            QStringLiteral("Send the bare domain '%1'.").arg(host.toLower()));
    }

    void checkEvent()
    {
        const QString idKey = QStringLiteral("identification");
        const QJsonObject identification = m_body.value(idKey).toObject();
        checkUser(identification.value(QLatin1String("user")), join(idKey, QStringLiteral("user")));
        checkAccount(identification.value(QLatin1String("account")), join(idKey, QStringLiteral("account")));

        const QJsonValue name = m_body.value(QLatin1String("name"));
        if (name.isString() && !name.toString().trimmed().isEmpty()) {
            checkEventName(name.toString());
            checkCatalogSpelling(QStringLiteral("name"), name.toString(), m_context.eventNames,
                                 QStringLiteral("event"));
        }

        const QJsonValue metadata = m_body.value(QLatin1String("metadata"));
        if (metadata.isObject()) {
            if (metadata.toObject().isEmpty())
                add(RuleId::EmptyMetadata, QStringLiteral("metadata"),
                    QStringLiteral("The event sends metadata as an empty object {}."),
                    QStringLiteral("Leave metadata out when the event has none."));
            checkValues(metadata.toObject(), QStringLiteral("metadata"), QStringList());
        }

        checkTriggeredAt();
    }

    void checkEventName(const QString &name)
    {
        const EventNameId found = findEventNameId(name);
        if (found.id.isEmpty())
            return;
        const QString constant = found.constantName.isEmpty()
                                     ? QStringLiteral("a constant name for the action")
                                     : QStringLiteral("a constant name such as '%1'").arg(found.constantName);
        add(RuleId::HighCardinalityEventName, QStringLiteral("name"),
            QStringLiteral("Event name '%1' holds %2 ('%3'), so every ID becomes an event type of its own.")
                .arg(name, found.kind, found.id),
            QStringLiteral("Use %1 and send '%2' as metadata.").arg(constant, found.id));
    }

    void checkTriggeredAt()
    {
        const QJsonValue value = m_body.value(QLatin1String("triggeredAt"));
        const QString text = value.toString();
        if (!value.isString() || !TypedValue::isIso8601(text))
            return; // a missing or malformed triggeredAt is RequestValidator's to report
        QDateTime at;
        const DateReading reading = readDate(text);
        if (reading.kind == DateReading::Kind::DateOnly) {
            at = QDateTime::fromString(reading.iso, Qt::ISODate);
        } else {
            // Qt reads "+02:00" and "+0200" but not the hours-only "+02" that ISO 8601 allows too.
            static const QRegularExpression hoursOnlyZone(QStringLiteral(R"([+-]\d{2}$)"));
            const bool hoursOnly = text.size() > 10 && hoursOnlyZone.match(text).hasMatch();
            at = QDateTime::fromString(hoursOnly ? text + QLatin1String(":00") : text, Qt::ISODateWithMs);
            // journy.io reads a date-time without a zone as UTC, not as this desktop's time.
            if (at.isValid() && at.timeSpec() == Qt::LocalTime)
                at.setTimeSpec(Qt::UTC);
        }
        if (!at.isValid())
            return;
        constexpr qint64 ClockSkewSeconds = 5 * 60;
        constexpr qint64 OldDays = 365;
        const qint64 ahead = m_now.secsTo(at);
        const QString path = QStringLiteral("triggeredAt");
        if (ahead > ClockSkewSeconds) {
            add(RuleId::TriggeredAtFuture, path,
                QStringLiteral("triggeredAt '%1' is %2 in the future.").arg(text, spanText(ahead)),
                QStringLiteral("Send the time the event happened in UTC (Z) or with its real offset, or "
                               "leave triggeredAt out to use the time journy.io receives it."));
        } else if (at < m_now.addDays(-OldDays)) {
            add(RuleId::TriggeredAtOld, path,
                QStringLiteral("triggeredAt '%1' is %2 in the past.").arg(text, spanText(-ahead)),
                QStringLiteral("Check the year and the epoch unit the time came from; if the event really "
                               "happened then, send it as it is."));
        }
    }

    void checkProperties(const QStringList &catalog)
    {
        const QString key = QStringLiteral("properties");
        const QJsonValue properties = m_body.value(key);
        if (properties.isUndefined() || (properties.isObject() && properties.toObject().isEmpty())) {
            add(RuleId::EmptyProperties, key,
                QStringLiteral("The upsert sends %1, so it only identifies.")
                    .arg(properties.isUndefined() ? QStringLiteral("no properties")
                                                  : QStringLiteral("properties as an empty object {}")),
                QStringLiteral("Add the properties to set, unless the call is meant only to create or "
                               "identify."));
            return;
        }
        if (properties.isObject())
            checkValues(properties.toObject(), key, catalog);
    }

    // Values of properties (catalog: the operation's property names) or metadata (no catalog).
    void checkValues(const QJsonObject &values, const QString &prefix, const QStringList &catalog)
    {
        const bool typedRequest = std::any_of(values.begin(), values.end(), [](const QJsonValue &value) {
            return value.isDouble() || value.isBool();
        });
        const bool isProperties = prefix == QLatin1String("properties");
        const QSet<QString> known(catalog.begin(), catalog.end());
        // The spelling each name is compared against: the first in key order of its group.
        QHash<QString, QString> firstSpelling;
        for (auto it = values.begin(); it != values.end(); ++it) {
            if (!firstSpelling.contains(nameKey(it.key())) || known.contains(it.key()))
                firstSpelling.insert(nameKey(it.key()), it.key());
        }
        for (auto it = values.begin(); it != values.end(); ++it) {
            const QString name = it.key();
            const QString path = join(prefix, name);
            if (!checkCatalogSpelling(path, name, catalog, QStringLiteral("property"))) {
                const QString other = firstSpelling.value(nameKey(name));
                if (other != name && !known.contains(name))
                    add(RuleId::NearDuplicateName, path,
                        QStringLiteral("'%1' differs from '%2' in the same request only in case or "
                                       "separators.")
                            .arg(name, other),
                        QStringLiteral("Use '%1' for both so they land on one %2.")
                            .arg(other, isProperties ? QStringLiteral("property") : QStringLiteral("field")));
            }
            const QJsonValue value = it.value();
            if (value.isNull() && isProperties) {
                checkNull(name, path, known);
                continue;
            }
            const bool dateLike = isDateLikeName(name);
            const DateReading reading = value.isString()               ? readDate(value.toString())
                                        : value.isDouble() && dateLike ? readEpoch(value.toDouble())
                                                                       : DateReading();
            if (dateLike && reading.isNonIsoDate()) {
                addDateFinding(RuleId::DateFormat, path, name, valueText(value), reading);
                continue;
            }
            if (value.isString())
                checkText(name, path, value.toString(), reading, typedRequest);
        }
    }

    void checkNull(const QString &name, const QString &path, const QSet<QString> &known)
    {
        const QJsonValue::Type seen = m_context.observedTypes.value(name, QJsonValue::Undefined);
        if (!known.contains(name) && (seen == QJsonValue::Undefined || seen == QJsonValue::Null))
            return;
        add(RuleId::NullDeletesProperty, path,
            QStringLiteral("%1 is sent as null, which deletes the property's stored value.").arg(name),
            QStringLiteral("Leave %1 out to keep its value, or send \"\" for an empty value.").arg(name));
    }

    void checkText(const QString &name, const QString &path, const QString &text, const DateReading &reading,
                   bool typedRequest)
    {
        const QJsonValue::Type seen = m_context.observedTypes.value(name, QJsonValue::Undefined);
        if (!isIdentifierName(name) && readsAsNumber(text)) {
            addTyping(RuleId::StringNumber, path, name, text, QStringLiteral("a number"),
                      seen == QJsonValue::Double, typedRequest);
        } else if (readsAsBoolean(text)) {
            addTyping(RuleId::StringBoolean, path, name, text, QStringLiteral("a boolean"),
                      seen == QJsonValue::Bool, typedRequest);
        } else if (reading.isNonIsoDate() && reading.kind != DateReading::Kind::DateOnly) {
            // A date-only ISO text is a date journy.io reads; the other forms stay text.
            addDateFinding(RuleId::StringDate, path, name, text, reading);
        }
    }

    void addTyping(RuleId id, const QString &path, const QString &name, const QString &text,
                   const QString &typeName, bool seenTyped, bool typedRequest)
    {
        QString message =
            QStringLiteral("%1 is sent as the text '%2', which reads as %3").arg(name, text, typeName);
        if (seenTyped)
            message += QStringLiteral(" and was seen as %1 elsewhere").arg(typeName);
        else if (typedRequest)
            message += QStringLiteral(" while this request types its other values");
        message += QLatin1Char('.');
        const Severity severity = seenTyped || typedRequest ? ruleOf(id).severity : Severity::Info;
        add(id, severity, path, message,
            QStringLiteral("Send %1 as a JSON %2, without quotes.")
                .arg(text.trimmed().toLower(),
                     id == RuleId::StringNumber ? QStringLiteral("number") : QStringLiteral("boolean")));
    }

    void addDateFinding(RuleId id, const QString &path, const QString &name, const QString &text,
                        const DateReading &reading)
    {
        const QString message =
            id == RuleId::DateFormat
                ? QStringLiteral("%1 '%2' %3, not an ISO 8601 date-time.")
                      .arg(name, text, reading.description())
                : QStringLiteral("%1 '%2' reads as a date but %3, so journy.io stores it as text.")
                      .arg(name, text, reading.description());
        const QString fix =
            reading.iso.isEmpty()
                ? QStringLiteral("Send an ISO 8601 date-time such as 2024-05-01T10:00:00Z; whether '%1' is "
                                 "day or month first cannot be told.")
                      .arg(text)
                : QStringLiteral("Send the ISO 8601 date-time '%1'%2.")
                      .arg(reading.iso, reading.kind == DateReading::Kind::SpaceSeparated
                                            ? QStringLiteral(" (Z if the time is UTC, else its offset)")
                                            : QString());
        add(id, path, message, fix);
    }

    // A name spelled differently from the catalog's (exact matches are fine); true when found.
    bool checkCatalogSpelling(const QString &path, const QString &name, const QStringList &catalog,
                              const QString &what)
    {
        if (catalog.contains(name))
            return false;
        QStringList matches;
        const QString key = nameKey(name);
        for (const QString &known : catalog) {
            if (nameKey(known) == key)
                matches.append(known);
        }
        if (matches.isEmpty())
            return false;
        std::sort(matches.begin(), matches.end());
        add(RuleId::NearDuplicateName, path,
            QStringLiteral("'%1' differs from the catalog's %2 '%3' only in case or separators.")
                .arg(name, what, matches.first()),
            QStringLiteral("Use '%1' so the data lands on the existing %2.").arg(matches.first(), what));
        return true;
    }

    const QJsonObject &m_body;
    Operation m_operation;
    const IntegrationLint::Context &m_context;
    QDateTime m_now;
    QList<LintFinding> m_findings;
};

} // namespace

QList<IntegrationLint::Rule> IntegrationLint::rules()
{
    return ruleTable();
}

QList<LintFinding> IntegrationLint::lint(const ApiRequest &request, const Context &context)
{
    QJsonObject body = request.body;
    if (!request.bodyText.isEmpty()) {
        const QJsonDocument document = QJsonDocument::fromJson(request.bodyText);
        if (!document.isObject())
            return {};
        body = document.object();
    }
    return Linter(body, request.operation, context).run(request.query);
}

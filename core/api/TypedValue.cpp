#include "api/TypedValue.h"

#include <QDate>
#include <QJsonArray>
#include <QLocale>
#include <QTime>

#include <algorithm>
#include <charconv>
#include <cmath>

TypedValue TypedValue::string(const QString &text)
{
    TypedValue value;
    value.m_type = text.isEmpty() ? Type::Empty : Type::String;
    value.m_text = text;
    return value;
}

TypedValue TypedValue::number(double number)
{
    TypedValue value;
    value.m_type = Type::Number;
    value.m_number = number;
    return value;
}

TypedValue TypedValue::boolean(bool flag)
{
    TypedValue value;
    value.m_type = Type::Boolean;
    value.m_boolean = flag;
    return value;
}

TypedValue TypedValue::dateTime(const QString &iso8601)
{
    TypedValue value;
    value.m_type = Type::DateTime;
    value.m_text = iso8601;
    return value;
}

TypedValue TypedValue::null()
{
    return TypedValue();
}

TypedValue TypedValue::empty()
{
    TypedValue value;
    value.m_type = Type::Empty;
    return value;
}

TypedValue TypedValue::list(const QStringList &items)
{
    TypedValue value;
    value.m_type = Type::List;
    value.m_items = items;
    return value;
}

namespace {

// Splits "a,b\,c" into ["a", "b,c"]: a backslash escapes the next character, so list items may
// hold commas and backslashes.
QStringList splitEscapedList(const QString &text)
{
    QStringList items;
    QString current;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\\') && i + 1 < text.size()) {
            current.append(text.at(++i));
        } else if (c == QLatin1Char(',')) {
            items.append(current);
            current.clear();
        } else {
            current.append(c);
        }
    }
    items.append(current);
    return items;
}

QString escapeListItem(QString item)
{
    item.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    item.replace(QLatin1Char(','), QLatin1String("\\,"));
    return item;
}

} // namespace

namespace {

bool isAsciiDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// The number text reads as, or false. Plain decimals ("-12", "399.95"), which is nearly every cell
// of an import, are read by std::from_chars (correctly rounded, and no allocation); anything else
// goes through QLocale as it always did, so what is accepted does not change.
bool parseNumber(QStringView text, double *out)
{
    const QStringView trimmed = text.trimmed();
    constexpr qsizetype MaxFastDigits = 40; // far from overflowing a double
    char ascii[MaxFastDigits + 2];
    qsizetype size = trimmed.size();
    bool plain = size > 0 && size <= MaxFastDigits;
    if (plain) {
        qsizetype i = 0;
        if (trimmed.at(0) == QLatin1Char('-'))
            ++i;
        const qsizetype integerStart = i;
        while (i < size && isAsciiDigit(trimmed.at(i)))
            ++i;
        plain = i > integerStart;
        if (plain && i < size && trimmed.at(i) == QLatin1Char('.')) {
            const qsizetype fractionStart = ++i;
            while (i < size && isAsciiDigit(trimmed.at(i)))
                ++i;
            plain = i > fractionStart;
        }
        plain = plain && i == size;
    }
    if (plain) {
        for (qsizetype i = 0; i < size; ++i)
            ascii[i] = char(trimmed.at(i).unicode());
        double number = 0;
        const std::from_chars_result result = std::from_chars(ascii, ascii + size, number);
        if (result.ec == std::errc() && result.ptr == ascii + size) {
            *out = number;
            return true;
        }
    }
    bool ok = false;
    // The C locale without group separators on purpose: "3,5" or "3,500" must not silently
    // become 3.5, 35 or 3500 depending on whose desktop typed it.
    QLocale locale = QLocale::c();
    locale.setNumberOptions(QLocale::RejectGroupSeparator);
    const double number = locale.toDouble(trimmed, &ok);
    if (!ok || !std::isfinite(number))
        return false;
    *out = number;
    return true;
}

bool parseBoolean(QStringView text, bool *out)
{
    const QStringView trimmed = text.trimmed();
    for (const char *word : {"true", "1", "yes"}) {
        if (trimmed.compare(QLatin1StringView(word), Qt::CaseInsensitive) == 0) {
            *out = true;
            return true;
        }
    }
    for (const char *word : {"false", "0", "no"}) {
        if (trimmed.compare(QLatin1StringView(word), Qt::CaseInsensitive) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

bool listHasEmptyItem(const QStringList &items)
{
    return std::any_of(items.begin(), items.end(), [](const QString &item) { return item.isEmpty(); });
}

// The messages of a text that does not convert, in one place for fromText and checkText.
QString conversionError(TypedValue::Type type, QStringView text)
{
    switch (type) {
    case TypedValue::Type::Empty:
        return QStringLiteral("the empty type takes no value");
    case TypedValue::Type::Null:
        return QStringLiteral("the null type takes no value (it deletes the property)");
    case TypedValue::Type::Number:
        return QStringLiteral("'%1' is not a number").arg(text);
    case TypedValue::Type::Boolean:
        return QStringLiteral("'%1' is not a boolean (use true or false)").arg(text);
    case TypedValue::Type::DateTime:
        return QStringLiteral("'%1' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)").arg(text);
    case TypedValue::Type::List:
        return QStringLiteral("list items must not be empty");
    case TypedValue::Type::String:
        break;
    }
    return QString();
}

} // namespace

bool TypedValue::fromText(Type type, const QString &text, TypedValue *out, QString *error)
{
    bool converted = true;
    switch (type) {
    case Type::String:
        *out = string(text);
        break;
    case Type::Empty:
        converted = text.isEmpty();
        if (converted)
            *out = empty();
        break;
    case Type::Null:
        converted = text.isEmpty();
        if (converted)
            *out = null();
        break;
    case Type::Number: {
        double number = 0;
        converted = parseNumber(text, &number);
        if (converted)
            *out = TypedValue::number(number);
        break;
    }
    case Type::Boolean: {
        bool flag = false;
        converted = parseBoolean(text, &flag);
        if (converted)
            *out = boolean(flag);
        break;
    }
    case Type::DateTime:
        converted = isIso8601(QStringView(text).trimmed());
        if (converted)
            *out = dateTime(text.trimmed());
        break;
    case Type::List: {
        const QStringList items = text.isEmpty() ? QStringList() : splitEscapedList(text);
        converted = !listHasEmptyItem(items);
        if (converted)
            *out = list(items);
        break;
    }
    }
    if (!converted)
        *error = conversionError(type, text);
    return converted;
}

bool TypedValue::checkText(Type type, QStringView text, QString *error)
{
    bool converted = true;
    switch (type) {
    case Type::String:
        break;
    case Type::Empty:
    case Type::Null:
        converted = text.isEmpty();
        break;
    case Type::Number: {
        double number = 0;
        converted = parseNumber(text, &number);
        break;
    }
    case Type::Boolean: {
        bool flag = false;
        converted = parseBoolean(text, &flag);
        break;
    }
    case Type::DateTime:
        converted = isIso8601(text.trimmed());
        break;
    case Type::List:
        converted = text.isEmpty() || !listHasEmptyItem(splitEscapedList(text.toString()));
        break;
    }
    if (!converted)
        *error = conversionError(type, text);
    return converted;
}

TypedValue TypedValue::fromJson(const QJsonValue &json)
{
    switch (json.type()) {
    case QJsonValue::Bool:
        return boolean(json.toBool());
    case QJsonValue::Double:
        return number(json.toDouble());
    case QJsonValue::String: {
        const QString text = json.toString();
        return isIso8601(text) ? dateTime(text) : string(text);
    }
    case QJsonValue::Array: {
        QStringList items;
        for (const QJsonValue &item : json.toArray())
            items.append(item.toString());
        return list(items);
    }
    default:
        return null();
    }
}

QJsonValue TypedValue::toJson() const
{
    switch (m_type) {
    case Type::String:
    case Type::DateTime:
        return m_text;
    case Type::Empty:
        return QString(QLatin1String(""));
    case Type::Number:
        return m_number;
    case Type::Boolean:
        return m_boolean;
    case Type::List:
        return QJsonArray::fromStringList(m_items);
    case Type::Null:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

QString TypedValue::toText() const
{
    switch (m_type) {
    case Type::String:
    case Type::DateTime:
        return m_text;
    case Type::Number:
        return QLocale::c().toString(m_number, 'g', QLocale::FloatingPointShortest);
    case Type::Boolean:
        return m_boolean ? QStringLiteral("true") : QStringLiteral("false");
    case Type::List: {
        QStringList escaped;
        for (const QString &item : m_items)
            escaped.append(escapeListItem(item));
        return escaped.join(QLatin1Char(','));
    }
    case Type::Null:
    case Type::Empty:
        break;
    }
    return QString();
}

QString TypedValue::typeName(Type type)
{
    switch (type) {
    case Type::String:
        return QStringLiteral("string");
    case Type::Number:
        return QStringLiteral("number");
    case Type::Boolean:
        return QStringLiteral("bool");
    case Type::DateTime:
        return QStringLiteral("date");
    case Type::Null:
        return QStringLiteral("null");
    case Type::Empty:
        return QStringLiteral("empty");
    case Type::List:
        return QStringLiteral("list");
    }
    return QString();
}

bool TypedValue::typeFromName(const QString &name, Type *type)
{
    static const QList<QPair<QString, Type>> names = {
        {QStringLiteral("string"), Type::String}, {QStringLiteral("str"), Type::String},
        {QStringLiteral("number"), Type::Number}, {QStringLiteral("num"), Type::Number},
        {QStringLiteral("bool"), Type::Boolean},  {QStringLiteral("boolean"), Type::Boolean},
        {QStringLiteral("date"), Type::DateTime}, {QStringLiteral("datetime"), Type::DateTime},
        {QStringLiteral("null"), Type::Null},     {QStringLiteral("empty"), Type::Empty},
        {QStringLiteral("list"), Type::List},
    };
    const QString lowered = name.trimmed().toLower();
    for (const auto &entry : names) {
        if (entry.first == lowered) {
            *type = entry.second;
            return true;
        }
    }
    return false;
}

namespace {

// Reads `count` ASCII digits at text[*at] as a number, moving *at past them; false if any is not one.
bool readDigits(QStringView text, qsizetype *at, int count, int *value)
{
    if (*at + count > text.size())
        return false;
    int number = 0;
    for (int i = 0; i < count; ++i) {
        const QChar c = text.at(*at + i);
        if (!isAsciiDigit(c))
            return false;
        number = number * 10 + (c.unicode() - '0');
    }
    *at += count;
    *value = number;
    return true;
}

bool readChar(QStringView text, qsizetype *at, char expected)
{
    if (*at >= text.size() || text.at(*at) != QLatin1Char(expected))
        return false;
    ++*at;
    return true;
}

} // namespace

bool TypedValue::isIso8601(QStringView text)
{
    // By hand rather than with a regular expression (it runs on every date cell of an import), for
    // exactly YYYY-MM-DD[THH:MM[:SS[.F{1,9}]][Z|(+|-)HH[[:]MM]]], ASCII digits only.
    qsizetype at = 0;
    int year = 0;
    int month = 0;
    int day = 0;
    if (!readDigits(text, &at, 4, &year) || !readChar(text, &at, '-') || !readDigits(text, &at, 2, &month) ||
        !readChar(text, &at, '-') || !readDigits(text, &at, 2, &day) || !QDate::isValid(year, month, day))
        return false;
    if (at == text.size())
        return true;
    int hours = 0;
    int minutes = 0;
    int seconds = 0;
    if (!readChar(text, &at, 'T') || !readDigits(text, &at, 2, &hours) || !readChar(text, &at, ':') ||
        !readDigits(text, &at, 2, &minutes))
        return false;
    if (readChar(text, &at, ':')) {
        if (!readDigits(text, &at, 2, &seconds))
            return false;
        if (readChar(text, &at, '.')) {
            const qsizetype fractionStart = at;
            while (at < text.size() && isAsciiDigit(text.at(at)))
                ++at;
            if (at == fractionStart || at - fractionStart > 9)
                return false;
        }
    }
    if (!QTime::isValid(hours, minutes, seconds))
        return false;
    if (at == text.size())
        return true;
    if (readChar(text, &at, 'Z'))
        return at == text.size();
    if (!readChar(text, &at, '+') && !readChar(text, &at, '-'))
        return false;
    int zoneHours = 0;
    int zoneMinutes = 0;
    if (!readDigits(text, &at, 2, &zoneHours))
        return false;
    if (at < text.size()) {
        readChar(text, &at, ':');
        if (!readDigits(text, &at, 2, &zoneMinutes))
            return false;
    }
    return at == text.size() && zoneHours <= 14 && zoneMinutes <= 59;
}

bool TypedValue::operator==(const TypedValue &other) const
{
    return m_type == other.m_type && toJson() == other.toJson();
}

#include "TypedValue.h"

#include <QDate>
#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <QTime>

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

bool TypedValue::fromText(Type type, const QString &text, TypedValue *out, QString *error)
{
    switch (type) {
    case Type::String:
        *out = string(text);
        return true;
    case Type::Empty:
        if (!text.isEmpty()) {
            *error = QStringLiteral("the empty type takes no value");
            return false;
        }
        *out = empty();
        return true;
    case Type::Null:
        if (!text.isEmpty()) {
            *error = QStringLiteral("the null type takes no value (it deletes the property)");
            return false;
        }
        *out = null();
        return true;
    case Type::Number: {
        bool ok = false;
        // The C locale without group separators on purpose: "3,5" or "3,500" must not silently
        // become 3.5, 35 or 3500 depending on whose desktop typed it.
        QLocale locale = QLocale::c();
        locale.setNumberOptions(QLocale::RejectGroupSeparator);
        const double number = locale.toDouble(text.trimmed(), &ok);
        if (!ok || !std::isfinite(number)) {
            *error = QStringLiteral("'%1' is not a number").arg(text);
            return false;
        }
        *out = TypedValue::number(number);
        return true;
    }
    case Type::Boolean: {
        const QString lowered = text.trimmed().toLower();
        if (lowered == QLatin1String("true") || lowered == QLatin1String("1") ||
            lowered == QLatin1String("yes")) {
            *out = boolean(true);
            return true;
        }
        if (lowered == QLatin1String("false") || lowered == QLatin1String("0") ||
            lowered == QLatin1String("no")) {
            *out = boolean(false);
            return true;
        }
        *error = QStringLiteral("'%1' is not a boolean (use true or false)").arg(text);
        return false;
    }
    case Type::DateTime:
        if (!isIso8601(text.trimmed())) {
            *error =
                QStringLiteral("'%1' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)").arg(text);
            return false;
        }
        *out = dateTime(text.trimmed());
        return true;
    case Type::List: {
        const QStringList items = text.isEmpty() ? QStringList() : splitEscapedList(text);
        for (const QString &item : items) {
            if (item.isEmpty()) {
                *error = QStringLiteral("list items must not be empty");
                return false;
            }
        }
        *out = list(items);
        return true;
    }
    }
    return false;
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

bool TypedValue::isIso8601(const QString &text)
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

bool TypedValue::operator==(const TypedValue &other) const
{
    return m_type == other.m_type && toJson() == other.toJson();
}

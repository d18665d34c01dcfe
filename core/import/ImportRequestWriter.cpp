#include "import/ImportRequestWriter.h"

#include "api/ApiOperation.h"
#include "api/JsonText.h"

#include <QJsonArray>
#include <QLocale>
#include <QVarLengthArray>

#include <cmath>

namespace {

// "name":"value" after a '{' or a previous member.
void appendMember(QByteArray &json, const char *name, QStringView value, bool *first)
{
    if (!*first)
        json.append(',');
    *first = false;
    json.append('"');
    json.append(name);
    json.append("\":");
    JsonText::appendString(json, value);
}

// {"userId":...,"email":...} or {"accountId":...,"domain":...}, leaving out blank members as the
// identification classes do.
void appendIdentification(QByteArray &json, const char *idName, QStringView id, const char *otherName,
                          QStringView other)
{
    json.append('{');
    bool first = true;
    if (!id.isEmpty())
        appendMember(json, idName, id, &first);
    if (!other.isEmpty())
        appendMember(json, otherName, other, &first);
    json.append('}');
}

// A cell that converts (the checker said so) as the JSON value of its type; a blank cell comes as
// a null QString.
void appendValue(QByteArray &json, TypedValue::Type type, const QString &cell)
{
    TypedValue value;
    QString error;
    switch (type) {
    case TypedValue::Type::String:
        JsonText::appendString(json, cell);
        return;
    case TypedValue::Type::Empty:
        json.append("\"\"");
        return;
    case TypedValue::Type::Null:
        json.append("null");
        return;
    case TypedValue::Type::DateTime:
        JsonText::appendString(json, QStringView(cell).trimmed());
        return;
    case TypedValue::Type::Number: {
        TypedValue::fromText(type, cell, &value, &error);
        const double number = value.toJson().toDouble();
        // The shortest text that reads back as the same double; integers without an exponent.
        if (std::abs(number) < 1e15 && number == std::trunc(number) && !std::signbit(number))
            json.append(QByteArray::number(qint64(number)));
        else
            json.append(QByteArray::number(number, 'g', QLocale::FloatingPointShortest));
        return;
    }
    case TypedValue::Type::Boolean:
        TypedValue::fromText(type, cell, &value, &error);
        json.append(value.toJson().toBool() ? "true" : "false");
        return;
    case TypedValue::Type::List: {
        TypedValue::fromText(type, cell, &value, &error);
        json.append('[');
        const QJsonArray items = value.toJson().toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (i > 0)
                json.append(',');
            JsonText::appendString(json, items.at(i).toString());
        }
        json.append(']');
        return;
    }
    }
}

} // namespace

ImportRequestWriter::ImportRequestWriter(const ImportRowPlan &plan)
    : m_plan(plan), m_prefix(prefix(plan.kind().operation()))
{}

QByteArray ImportRequestWriter::prefix(Operation operation)
{
    QByteArray text = "{\"operation\":";
    JsonText::appendString(text, ApiOperation::info(operation).operationId);
    text.append(",\"query\":\"\",\"body\":");
    return text;
}

QByteArray ImportRequestWriter::write(const ImportRecord &record) const
{
    const ImportRowPlan::Identifiers ids = m_plan.identifiers(record);
    // The properties or metadata sent, in column order; a later column of the same name wins, as in
    // a JSON object built member by member.
    QVarLengthArray<const ImportRowPlan::Column *, 32> values;
    const QList<ImportRowPlan::Column> &columns = m_plan.columns();
    for (const ImportRowPlan::Column &column : columns) {
        const bool sent = !ImportRowPlan::cell(column, record).trimmed().isEmpty() || column.sendsBlank;
        if ((column.role == ImportRowPlan::Role::Property || column.role == ImportRowPlan::Role::Metadata) &&
            sent)
            values.append(&column);
    }

    QByteArray json = m_prefix;
    json.reserve(m_prefix.size() + 64 + 24 * (values.size() + 4));
    auto appendObjectOfValues = [&](const char *key) {
        if (values.isEmpty())
            return;
        json.append(",\"");
        json.append(key);
        json.append("\":{");
        bool first = true;
        for (qsizetype i = 0; i < values.size(); ++i) {
            const ImportRowPlan::Column *column = values.at(i);
            bool overridden = false;
            for (qsizetype j = i + 1; j < values.size() && !overridden; ++j)
                overridden = values.at(j)->name == column->name;
            if (overridden)
                continue;
            if (!first)
                json.append(',');
            first = false;
            JsonText::appendString(json, column->name);
            json.append(':');
            const bool blank = ImportRowPlan::cell(*column, record).trimmed().isEmpty();
            appendValue(json, column->type, blank ? QString() : record.values.at(column->index));
        }
        json.append('}');
    };

    const ImportKind &kind = m_plan.kind();
    switch (kind.kind) {
    case ImportKind::Kind::Users:
    case ImportKind::Kind::Accounts:
        json.append("{\"identification\":");
        if (kind.kind == ImportKind::Kind::Users)
            appendIdentification(json, "userId", ids.userId, "email", ids.email);
        else
            appendIdentification(json, "accountId", ids.accountId, "domain", ids.domain);
        if (!kind.remove)
            appendObjectOfValues("properties");
        json.append('}');
        break;
    case ImportKind::Kind::Memberships:
        json.append("{\"account\":");
        appendIdentification(json, "accountId", ids.accountId, "domain", ids.domain);
        json.append(",\"users\":[{\"identification\":");
        appendIdentification(json, "userId", ids.userId, "email", ids.email);
        json.append("}]}");
        break;
    case ImportKind::Kind::Events: {
        json.append("{\"identification\":{");
        if (!ids.userId.isEmpty() || !ids.email.isEmpty()) {
            json.append("\"user\":");
            appendIdentification(json, "userId", ids.userId, "email", ids.email);
        }
        if (!ids.accountId.isEmpty() || !ids.domain.isEmpty()) {
            if (!ids.userId.isEmpty() || !ids.email.isEmpty())
                json.append(',');
            json.append("\"account\":");
            appendIdentification(json, "accountId", ids.accountId, "domain", ids.domain);
        }
        json.append('}');
        bool first = false;
        appendMember(json, "name", ids.name, &first);
        appendObjectOfValues("metadata");
        if (!ids.triggeredAt.isEmpty())
            appendMember(json, "triggeredAt", ids.triggeredAt, &first);
        json.append('}');
        break;
    }
    case ImportKind::Kind::Links: {
        json.append('{');
        bool first = true;
        appendMember(json, "deviceId", ids.deviceId, &first);
        json.append(",\"identification\":");
        appendIdentification(json, "userId", ids.userId, "email", ids.email);
        json.append('}');
        break;
    }
    }
    json.append('}');
    return json;
}

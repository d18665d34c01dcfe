#pragma once

#include "api/TypedValue.h"
#include "import/ImportKind.h"
#include "import/ImportRecord.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

class ImportMapping;

// A mapping resolved against a file's headers once, for code that runs on every row of the file
// (ImportRowChecker, ImportRequestWriter): which cell feeds which part of the request, with which
// type. Only the columns that apply to the kind are kept, as ImportRowBuilder applies them:
// properties for upserts, metadata for events; "ignore" and anything else are left out.
class ImportRowPlan
{
public:
    enum class Role
    {
        UserId,
        Email,
        AccountId,
        Domain,
        DeviceId,
        Name,
        TriggeredAt,
        Property,
        Metadata,
    };
    class Column
    {
    public:
        qsizetype index = -1; // in the record's values; -1: the file has no such column
        Role role = Role::UserId;
        TypedValue::Type type = TypedValue::Type::String;
        QString name;            // the property or metadata name
        QString errorPath;       // properties.NAME / metadata.NAME
        bool sendsBlank = false; // a property typed null or empty: a blank cell is sent
        bool nameIsBlank = false;
    };

    // A row's identification and event fields, trimmed (surrounding spaces are never part of an ID,
    // an email, a name or a date); blank when the row has none. The last column of a target wins.
    class Identifiers
    {
    public:
        QStringView userId;
        QStringView email;
        QStringView accountId;
        QStringView domain;
        QStringView deviceId;
        QStringView name;
        QStringView triggeredAt;
    };

    ImportRowPlan(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers);

    const ImportKind &kind() const { return m_kind; }
    const QList<Column> &columns() const { return m_columns; }
    Identifiers identifiers(const ImportRecord &record) const;
    // The column's cell in a row; blank when the row is too short.
    static QStringView cell(const Column &column, const ImportRecord &record)
    {
        return column.index >= 0 && column.index < record.values.size()
                   ? QStringView(record.values.at(column.index))
                   : QStringView();
    }

    // Where each mapping column finds its cell in a row: usually column i is header i; otherwise
    // (a mapping file listing columns in another order, duplicate headers) it is the n-th header of
    // that name for the n-th mapping column of that name, exact first, then ignoring case and
    // surrounding spaces. -1: the file has no such column, and its cells read as blank.
    static QList<qsizetype> headerIndexes(const ImportMapping &mapping, const QStringList &headers);

private:
    ImportKind m_kind;
    QList<Column> m_columns;
};

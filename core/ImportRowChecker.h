#pragma once

#include "ImportKind.h"
#include "ImportMapping.h"
#include "ImportRecord.h"
#include "TypedValue.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// The pre-flight check of import rows, made straight from the cells: the errors are exactly those
// ImportRowBuilder::build followed by RequestValidator::validate give for the row (same field paths,
// same messages; tst_ImportRowChecker compares the two on many rows), without building a request
// and reading it back, which cost ten times more than reading the file. The mapping is resolved
// against the headers once, in the constructor; check() then runs for every row of the file.
class ImportRowChecker
{
public:
    ImportRowChecker(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers);

    // Fills *errors (field path, or "row" -> message) and returns true when the row has none.
    bool check(const ImportRecord &record, QMap<QString, QString> *errors) const;

    // A conversion error that names the row's value: TypedValue's messages for numbers, booleans and
    // dates already quote it; the others ("list items must not be empty") get it in front.
    static QString cellError(QStringView cell, const QString &message);
    // Where each mapping column finds its cell in a row: usually column i is header i; otherwise
    // (a mapping file listing columns in another order, duplicate headers) it is the n-th header of
    // that name for the n-th mapping column of that name, exact first, then ignoring case and
    // surrounding spaces. -1: the file has no such column, and its cells read as blank.
    static QList<qsizetype> headerIndexes(const ImportMapping &mapping, const QStringList &headers);

private:
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
    class Slot
    {
    public:
        qsizetype index = -1;
        Role role = Role::UserId;
        TypedValue::Type type = TypedValue::Type::String;
        QString errorPath;        // properties.NAME / metadata.NAME
        bool sendsBlank = false;  // a property typed null or empty: a blank cell is sent
        bool nameIsBlank = false; // a property or metadata name that is only spaces
    };

    ImportKind m_kind;
    QList<Slot> m_slots;
};

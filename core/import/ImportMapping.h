#pragma once

#include "api/TypedValue.h"
#include "import/ImportKind.h"

#include <QList>
#include <QString>
#include <QStringList>

// Which column of an import file feeds which part of a request, and with which type. Targets:
// userId, email, accountId, domain, deviceId, name (event name), triggeredAt, prop.NAME,
// meta.NAME, or ignore. Saved to and loaded from a mapping file (JSON).
class ImportMapping
{
public:
    class Column
    {
    public:
        QString column;                                   // the header as in the file
        QString target;                                   // see above
        TypedValue::Type type = TypedValue::Type::String; // for prop./meta. targets
        bool typeSet = false; // true when the user chose the type (inference leaves it alone)
    };

    QList<Column> columns;

    // A column whose header is a target maps to it; a column named "error" (the failed-rows
    // file's) is ignored; every other column maps to prop.<header> (users, accounts) or
    // meta.<header> (events), or is ignored (memberships, links).
    static ImportMapping defaults(ImportKind::Kind kind, const QStringList &headers);
    // Infers the type of each prop./meta. column without a set type from sample rows (values
    // aligned with the headers): number, bool, date, else string; empty cells say nothing.
    void inferTypes(const QList<QStringList> &sample);
    // COLUMN=TARGET[:TYPE] from the CLI's --map; false with *error naming the problem.
    bool applyOverride(const QString &spec, QString *error);
    // Checks every column's target is known and what the kind needs can be present (e.g. events
    // need a name column); false with *error.
    bool check(ImportKind::Kind kind, QString *error) const;

    bool save(const QString &path, QString *error) const;
    bool load(const QString &path, QString *error); // replaces columns named in the file
    QString toJson() const;
    bool fromJson(const QString &json, QString *error);

    static bool isTarget(const QString &target);
};

#pragma once

#include "api/TypedValue.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// A named typed value: one property or metadata entry. Its text form is the project's one
// typed-value syntax, shared by the CLI, CSV import and the console:
//   plan=Pro   mrr:number=399   is_paying:bool=true   registered_at:date=2024-05-01T10:00:00Z
//   old_field:null   note:empty (or note=)   tags:list=a,b (a backslash escapes , and \)
class TypedField
{
public:
    QString name;
    TypedValue value;

    // Parses one SPEC; on failure returns false and sets *error to a message naming the property.
    static bool parse(const QString &spec, TypedField *out, QString *error);
    QString toSpec() const;

    // {"name": value, ...}; a later field of the same name wins, as on the command line.
    static QJsonObject toJsonObject(const QList<TypedField> &fields);

    bool operator==(const TypedField &other) const { return name == other.name && value == other.value; }
};

#pragma once

#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QStringView>

// A property or metadata value with the type the user meant, so that "399" typed as a number
// goes on the wire as 399 and not "399" (the mistake the published 3.1.0 SDK makes).
class TypedValue
{
public:
    enum class Type
    {
        String,
        Number,
        Boolean,
        DateTime,
        Null,
        Empty,
        List
    };

    TypedValue() = default;
    static TypedValue string(const QString &text);
    static TypedValue number(double value);
    static TypedValue boolean(bool value);
    static TypedValue dateTime(const QString &iso8601);
    static TypedValue null();
    static TypedValue empty();
    static TypedValue list(const QStringList &items);

    // Converts user text to a value of the given type; on failure returns false and sets *error
    // to a message that does not yet name the property (TypedField adds the name).
    static bool fromText(Type type, const QString &text, TypedValue *out, QString *error);
    // Whether fromText would accept text, with the same *error when not, without building the
    // value: bulk import's pre-flight check runs this on every cell of the file.
    static bool checkText(Type type, QStringView text, QString *error);
    // The value a JSON body already holds, typed as closely as JSON allows.
    static TypedValue fromJson(const QJsonValue &json);

    Type type() const { return m_type; }
    QJsonValue toJson() const;
    // The value in the typed-value syntax's value part (lists joined with escaped commas).
    QString toText() const;

    static QString typeName(Type type);                        // "string", "number", ...
    static bool typeFromName(const QString &name, Type *type); // accepts aliases: bool, date, ...
    // True for the ISO 8601 forms journy.io accepts: a date, or a date and time with optional
    // seconds, fraction and zone designator; the calendar date and clock time must exist.
    static bool isIso8601(QStringView text);

    bool operator==(const TypedValue &other) const;
    bool operator!=(const TypedValue &other) const { return !(*this == other); }

private:
    Type m_type = Type::Null;
    QString m_text;
    double m_number = 0;
    bool m_boolean = false;
    QStringList m_items;
};

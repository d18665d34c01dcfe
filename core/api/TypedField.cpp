#include "api/TypedField.h"

bool TypedField::parse(const QString &spec, TypedField *out, QString *error)
{
    const qsizetype equals = spec.indexOf(QLatin1Char('='));
    const QString head = equals < 0 ? spec : spec.left(equals);
    const QString text = equals < 0 ? QString() : spec.mid(equals + 1);

    QString name = head;
    TypedValue::Type type = TypedValue::Type::String;
    const qsizetype colon = head.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        name = head.left(colon);
        const QString typeName = head.mid(colon + 1);
        if (!TypedValue::typeFromName(typeName, &type)) {
            *error =
                QStringLiteral("%1: unknown type '%2' (use string, number, bool, date, null, empty or list)")
                    .arg(name, typeName);
            return false;
        }
    }
    name = name.trimmed();
    if (name.isEmpty()) {
        *error = QStringLiteral("'%1': the property name is missing (expected NAME[:TYPE]=VALUE)").arg(spec);
        return false;
    }
    if (equals < 0 && type != TypedValue::Type::Null && type != TypedValue::Type::Empty) {
        *error = QStringLiteral("%1: the value is missing (expected %1%2=VALUE)")
                     .arg(name, colon >= 0 ? head.mid(colon) : QString());
        return false;
    }

    TypedValue value;
    QString valueError;
    if (!TypedValue::fromText(type, text, &value, &valueError)) {
        *error = QStringLiteral("%1: %2").arg(name, valueError);
        return false;
    }
    out->name = name;
    out->value = value;
    return true;
}

QString TypedField::toSpec() const
{
    switch (value.type()) {
    case TypedValue::Type::Null:
        return name + QLatin1String(":null");
    case TypedValue::Type::Empty:
        return name + QLatin1String(":empty");
    case TypedValue::Type::String:
        // A name with a colon needs its type spelled out, or the part after it reads as one.
        if (!name.contains(QLatin1Char(':')))
            return name + QLatin1Char('=') + value.toText();
        break;
    default:
        break;
    }
    return name + QLatin1Char(':') + TypedValue::typeName(value.type()) + QLatin1Char('=') + value.toText();
}

QJsonObject TypedField::toJsonObject(const QList<TypedField> &fields)
{
    QJsonObject object;
    for (const TypedField &field : fields)
        object.insert(field.name, field.value.toJson());
    return object;
}

#include "support/SpecSchema.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

SpecSchema::SpecSchema()
{
    QFile file(QStringLiteral(JOURNY_SPEC_FILE));
    if (file.open(QIODevice::ReadOnly))
        m_paths = QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("paths")).toObject();
}

QStringList SpecSchema::operationIds() const
{
    QStringList ids;
    for (const QJsonValue &methods : m_paths) {
        const QJsonObject object = methods.toObject();
        for (const QJsonValue &op : object)
            ids.append(op.toObject().value(QLatin1String("operationId")).toString());
    }
    return ids;
}

QString SpecSchema::routeOf(const QString &operationId) const
{
    for (auto path = m_paths.begin(); path != m_paths.end(); ++path) {
        const QJsonObject methods = path.value().toObject();
        for (auto method = methods.begin(); method != methods.end(); ++method) {
            if (method.value().toObject().value(QLatin1String("operationId")).toString() == operationId)
                return method.key().toUpper() + QLatin1Char(' ') + path.key();
        }
    }
    return QString();
}

int SpecSchema::successStatusOf(const QString &operationId) const
{
    const QJsonObject responses = operation(operationId).value(QLatin1String("responses")).toObject();
    for (auto it = responses.begin(); it != responses.end(); ++it) {
        if (it.key().startsWith(QLatin1Char('2')))
            return it.key().toInt();
    }
    return 0;
}

QJsonObject SpecSchema::operation(const QString &operationId) const
{
    for (const QJsonValue &methods : m_paths) {
        const QJsonObject object = methods.toObject();
        for (const QJsonValue &op : object) {
            if (op.toObject().value(QLatin1String("operationId")).toString() == operationId)
                return op.toObject();
        }
    }
    return QJsonObject();
}

QStringList SpecSchema::checkRequest(const QString &operationId, const QJsonValue &body) const
{
    const QJsonObject schema = operation(operationId)
                                   .value(QLatin1String("requestBody"))
                                   .toObject()
                                   .value(QLatin1String("content"))
                                   .toObject()
                                   .value(QLatin1String("application/json"))
                                   .toObject()
                                   .value(QLatin1String("schema"))
                                   .toObject();
    if (schema.isEmpty())
        return {QStringLiteral("%1 has no request body in the spec").arg(operationId)};
    QStringList errors;
    check(body, schema, QStringLiteral("body"), &errors);
    return errors;
}

QStringList SpecSchema::checkResponse(const QString &operationId, int status, const QJsonValue &body) const
{
    const QJsonObject response = operation(operationId)
                                     .value(QLatin1String("responses"))
                                     .toObject()
                                     .value(QString::number(status))
                                     .toObject();
    if (response.isEmpty())
        return {QStringLiteral("%1 declares no %2 response").arg(operationId).arg(status)};
    const QJsonObject schema = response.value(QLatin1String("content"))
                                   .toObject()
                                   .value(QLatin1String("application/json"))
                                   .toObject()
                                   .value(QLatin1String("schema"))
                                   .toObject();
    QStringList errors;
    check(body, schema, QStringLiteral("response"), &errors);
    return errors;
}

namespace {

bool hasType(const QJsonValue &value, const QString &type)
{
    if (type == QLatin1String("object"))
        return value.isObject();
    if (type == QLatin1String("array"))
        return value.isArray();
    if (type == QLatin1String("string"))
        return value.isString();
    if (type == QLatin1String("boolean"))
        return value.isBool();
    if (type == QLatin1String("number"))
        return value.isDouble();
    if (type == QLatin1String("integer"))
        return value.isDouble() && value.toDouble() == static_cast<double>(value.toInteger());
    return false;
}

} // namespace

void SpecSchema::check(const QJsonValue &value, const QJsonObject &schema, const QString &path,
                       QStringList *errors)
{
    if (value.isNull() && schema.value(QLatin1String("nullable")).toBool())
        return;
    const QString type = schema.value(QLatin1String("type")).toString();
    if (!type.isEmpty() && !hasType(value, type)) {
        errors->append(QStringLiteral("%1: expected %2").arg(path, type));
        return;
    }
    for (const QJsonValue &part : schema.value(QLatin1String("allOf")).toArray())
        check(value, part.toObject(), path, errors);

    const QJsonArray oneOf = schema.value(QLatin1String("oneOf")).toArray();
    if (!oneOf.isEmpty()) {
        // Read as "any of": the spec's metadata oneOf lists string twice, so a literal oneOf
        // would reject every string, which the documentation's own examples send.
        bool matched = false;
        for (const QJsonValue &option : oneOf) {
            QStringList optionErrors;
            check(value, option.toObject(), path, &optionErrors);
            matched = matched || optionErrors.isEmpty();
        }
        if (!matched)
            errors->append(QStringLiteral("%1: matches none of the allowed types").arg(path));
    }

    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (const QJsonValue &required : schema.value(QLatin1String("required")).toArray()) {
            if (!object.contains(required.toString()))
                errors->append(QStringLiteral("%1.%2: required").arg(path, required.toString()));
        }
        if (schema.contains(QLatin1String("minProperties")) &&
            object.size() < schema.value(QLatin1String("minProperties")).toInt())
            errors->append(QStringLiteral("%1: needs at least %2 member(s)")
                               .arg(path)
                               .arg(schema.value(QLatin1String("minProperties")).toInt()));
        const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
        const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString memberPath = path + QLatin1Char('.') + it.key();
            if (properties.contains(it.key()))
                check(it.value(), properties.value(it.key()).toObject(), memberPath, errors);
            else if (additional.isObject())
                check(it.value(), additional.toObject(), memberPath, errors);
            else if (additional.isBool() && !additional.toBool())
                errors->append(QStringLiteral("%1: not allowed").arg(memberPath));
        }
    }
    if (value.isArray() && schema.contains(QLatin1String("items"))) {
        const QJsonArray array = value.toArray();
        for (int i = 0; i < array.size(); ++i)
            check(array.at(i), schema.value(QLatin1String("items")).toObject(),
                  QStringLiteral("%1[%2]").arg(path).arg(i), errors);
    }
}

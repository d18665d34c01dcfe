#include "api/ApiResult.h"

#include <QJsonArray>
#include <QJsonObject>

ApiResult::Outcome ApiResult::outcome() const
{
    switch (failure) {
    case Failure::None:
        break;
    case Failure::Preflight:
        return Outcome::PreflightFailed;
    case Failure::InvalidUrl:
    case Failure::InsecureUrl:
        return Outcome::Refused;
    default:
        return Outcome::Failed;
    }
    if (httpStatus >= 200 && httpStatus < 300)
        return Outcome::Success;
    if (httpStatus >= 400 && httpStatus < 500)
        return Outcome::Refused;
    return Outcome::Failed;
}

QString ApiResult::failureName(Failure failure)
{
    switch (failure) {
    case Failure::None:
        return QString();
    case Failure::Preflight:
        return QStringLiteral("preflight");
    case Failure::InvalidUrl:
        return QStringLiteral("invalid-url");
    case Failure::InsecureUrl:
        return QStringLiteral("insecure-url");
    case Failure::Timeout:
        return QStringLiteral("timeout");
    case Failure::ConnectionRefused:
        return QStringLiteral("connection-refused");
    case Failure::ConnectionReset:
        return QStringLiteral("connection-reset");
    case Failure::HostNotFound:
        return QStringLiteral("host-not-found");
    case Failure::Tls:
        return QStringLiteral("tls");
    case Failure::NonJsonBody:
        return QStringLiteral("non-json-body");
    case Failure::TruncatedBody:
        return QStringLiteral("truncated-body");
    case Failure::BodyTooLarge:
        return QStringLiteral("body-too-large");
    case Failure::UnexpectedShape:
        return QStringLiteral("unexpected-shape");
    case Failure::Redirected:
        return QStringLiteral("redirected");
    case Failure::Network:
        return QStringLiteral("network");
    case Failure::Cancelled:
        return QStringLiteral("cancelled");
    case Failure::ProxyRefused:
        return QStringLiteral("proxy-refused");
    case Failure::ProxyAuth:
        return QStringLiteral("proxy-auth");
    case Failure::ProxyHostNotFound:
        return QStringLiteral("proxy-host-not-found");
    }
    return QString();
}

QString ApiResult::summary() const
{
    if (failure == Failure::Preflight)
        return QStringLiteral("Not sent: %1 field error(s) found before sending").arg(errors.size());
    QString text;
    if (httpStatus > 0)
        text = QStringLiteral("HTTP %1").arg(httpStatus);
    if (!message.isEmpty())
        text += (text.isEmpty() ? QString() : QStringLiteral(": ")) + message;
    if (failure != Failure::None)
        text += (text.isEmpty() ? QString() : QStringLiteral(" — ")) + failureDetail;
    return text;
}

namespace {

// "group": {"id", "name"} is optional in the spec; when present both members are required.
bool readGroup(const QJsonObject &item, QString *id, QString *name)
{
    const QJsonValue group = item.value(QLatin1String("group"));
    if (group.isUndefined() || group.isNull())
        return true;
    const QJsonObject object = group.toObject();
    if (!object.value(QLatin1String("id")).isString() || !object.value(QLatin1String("name")).isString())
        return false;
    *id = object.value(QLatin1String("id")).toString();
    *name = object.value(QLatin1String("name")).toString();
    return true;
}

bool hasStrings(const QJsonObject &item, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        if (!item.value(QLatin1String(key)).isString())
            return false;
    }
    return true;
}

QString text(const QJsonObject &item, const char *key)
{
    return item.value(QLatin1String(key)).toString();
}

// `data` as a list of T, each item read by readItem; nullopt when any item has the wrong shape.
template <typename T, typename ReadItem>
std::optional<QList<T>> readList(const QJsonValue &data, ReadItem readItem)
{
    if (!data.isArray())
        return std::nullopt;
    QList<T> list;
    for (const QJsonValue &value : data.toArray()) {
        T item;
        if (!value.isObject() || !readItem(value.toObject(), &item))
            return std::nullopt;
        list.append(item);
    }
    return list;
}

} // namespace

std::optional<QList<EventDefinition>> ApiResult::events() const
{
    return readList<EventDefinition>(data, [](const QJsonObject &item, EventDefinition *event) {
        event->id = text(item, "id");
        event->name = text(item, "name");
        return hasStrings(item, {"id", "name"}) && readGroup(item, &event->groupId, &event->groupName);
    });
}

std::optional<QList<PropertyDefinition>> ApiResult::properties() const
{
    return readList<PropertyDefinition>(data, [](const QJsonObject &item, PropertyDefinition *property) {
        property->name = text(item, "name");
        property->label = text(item, "label");
        property->isComputed = item.value(QLatin1String("isComputed")).toBool();
        return hasStrings(item, {"name", "label"}) && item.value(QLatin1String("isComputed")).isBool() &&
               readGroup(item, &property->groupId, &property->groupName);
    });
}

std::optional<QList<SegmentDefinition>> ApiResult::segments() const
{
    return readList<SegmentDefinition>(data, [](const QJsonObject &item, SegmentDefinition *segment) {
        segment->id = text(item, "id");
        segment->name = text(item, "name");
        return hasStrings(item, {"id", "name"});
    });
}

std::optional<TrackingSnippet> ApiResult::trackingSnippet() const
{
    const QJsonObject object = data.toObject();
    if (!data.isObject() || !hasStrings(object, {"domain", "snippet"}))
        return std::nullopt;
    return TrackingSnippet{text(object, "domain"), text(object, "snippet")};
}

std::optional<QStringList> ApiResult::permissions() const
{
    const QJsonValue list = data.toObject().value(QLatin1String("permissions"));
    if (!list.isArray())
        return std::nullopt;
    QStringList permissions;
    for (const QJsonValue &value : list.toArray()) {
        if (!value.isString())
            return std::nullopt;
        permissions.append(value.toString());
    }
    return permissions;
}

bool ApiResult::dataMatchesSpec() const
{
    switch (operation) {
    case Operation::ListEvents:
        return events().has_value();
    case Operation::ListUserProperties:
    case Operation::ListAccountProperties:
        return properties().has_value();
    case Operation::ListUserSegments:
    case Operation::ListAccountSegments:
        return segments().has_value();
    case Operation::TrackingSnippet:
        return trackingSnippet().has_value();
    case Operation::Validate:
        return permissions().has_value();
    default:
        return true;
    }
}

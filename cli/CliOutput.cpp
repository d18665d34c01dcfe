#include "cli/CliOutput.h"

#include "api/ApiResult.h"
#include "api/EventDefinition.h"
#include "api/PropertyDefinition.h"
#include "api/SegmentDefinition.h"
#include "api/ServerText.h"

#include <QJsonArray>

namespace {

QJsonObject toObject(const QMap<QString, QString> &map)
{
    QJsonObject object;
    for (auto it = map.begin(); it != map.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

QJsonValue intOrNull(int value)
{
    return value >= 0 ? QJsonValue(value) : QJsonValue(QJsonValue::Null);
}

QJsonValue stringOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

// Transport errors from Qt or the OS may span lines; a reason is printed as one.
QString oneLine(const QString &text)
{
    return text.simplified();
}

// "message" of --json: the server's message, and for every failure its reason after it.
QString messageOf(const ApiResult &result)
{
    if (result.failure == ApiResult::Failure::None || result.failureDetail.isEmpty())
        return result.message;
    const QString reason = oneLine(result.failureDetail);
    return result.message.isEmpty() ? reason : result.message + QStringLiteral(" — ") + reason;
}

QString dataAsText(const ApiResult &result)
{
    switch (result.operation) {
    case Operation::ListEvents: {
        QList<QStringList> rows;
        for (const EventDefinition &event : result.events().value_or(QList<EventDefinition>()))
            rows.append({event.name, event.id, event.groupName});
        return CliOutput::table({QStringLiteral("NAME"), QStringLiteral("ID"), QStringLiteral("GROUP")},
                                rows);
    }
    case Operation::ListUserProperties:
    case Operation::ListAccountProperties: {
        QList<QStringList> rows;
        for (const PropertyDefinition &property : result.properties().value_or(QList<PropertyDefinition>()))
            rows.append({property.name, property.label,
                         property.isComputed ? QStringLiteral("yes") : QStringLiteral("no"),
                         property.groupName});
        return CliOutput::table({QStringLiteral("NAME"), QStringLiteral("LABEL"), QStringLiteral("COMPUTED"),
                                 QStringLiteral("GROUP")},
                                rows);
    }
    case Operation::ListUserSegments:
    case Operation::ListAccountSegments: {
        QList<QStringList> rows;
        for (const SegmentDefinition &segment : result.segments().value_or(QList<SegmentDefinition>()))
            rows.append({segment.name, segment.id});
        return CliOutput::table({QStringLiteral("NAME"), QStringLiteral("ID")}, rows);
    }
    case Operation::TrackingSnippet:
        if (const auto snippet = result.trackingSnippet())
            return snippet->snippet + QLatin1Char('\n');
        return QString();
    case Operation::Validate:
        if (const auto permissions = result.permissions())
            return QStringLiteral("permissions: %1\n")
                .arg(permissions->isEmpty() ? QStringLiteral("(none)")
                                            : permissions->join(QLatin1String(", ")));
        return QString();
    default:
        return QString();
    }
}

} // namespace

QJsonObject CliOutput::toJson(const ApiResult &result)
{
    return {
        {QLatin1String("ok"), result.ok()},
        {QLatin1String("status"),
         result.httpStatus > 0 ? QJsonValue(result.httpStatus) : QJsonValue(QJsonValue::Null)},
        {QLatin1String("requestId"), stringOrNull(result.requestId)},
        {QLatin1String("message"), stringOrNull(messageOf(result))},
        {QLatin1String("data"), result.data.isUndefined() ? QJsonValue(QJsonValue::Null) : result.data},
        {QLatin1String("rateLimit"),
         QJsonObject{{QLatin1String("limit"), intOrNull(result.rateLimit.limit)},
                     {QLatin1String("remaining"), intOrNull(result.rateLimit.remaining)}}},
        {QLatin1String("errors"), toObject(result.errors)},
        {QLatin1String("rejected"), toObject(result.rejected)},
        {QLatin1String("error"), stringOrNull(ApiResult::failureName(result.failure))},
        {QLatin1String("latencyMs"), result.latencyMs >= 0 ? QJsonValue(result.latencyMs) : QJsonValue(0)}};
}

QString CliOutput::toText(const ApiResult &result)
{
    QString text;
    if (result.httpStatus > 0) {
        text += QStringLiteral("HTTP %1").arg(result.httpStatus);
        if (!result.requestId.isEmpty())
            text += QStringLiteral("  requestId %1").arg(result.requestId);
        if (result.latencyMs >= 0)
            text += QStringLiteral("  %1 ms").arg(result.latencyMs);
        text += QLatin1Char('\n');
    }
    if (!result.message.isEmpty())
        text += result.message + QLatin1Char('\n');
    if (result.rateLimit.isKnown())
        text += QStringLiteral("rate limit: %1 of %2 left\n")
                    .arg(result.rateLimit.remaining)
                    .arg(result.rateLimit.limit);
    for (auto it = result.rejected.begin(); it != result.rejected.end(); ++it)
        text += QStringLiteral("warning: property %1 was not stored: %2\n").arg(it.key(), it.value());
    for (auto it = result.errors.begin(); it != result.errors.end(); ++it)
        text += QStringLiteral("error: %1: %2\n").arg(it.key(), it.value());
    if (result.failure != ApiResult::Failure::None)
        text += QStringLiteral("error (%1): %2\n")
                    .arg(ApiResult::failureName(result.failure), oneLine(result.failureDetail));
    // How validate's call travelled: which proxy, if any, and who vouches for the server. A
    // company's TLS inspection shows here as its own CA.
    if (result.operation == Operation::Validate && !result.route.isEmpty())
        text += QStringLiteral("Route: %1\n").arg(result.route);
    if (result.operation == Operation::Validate && !result.tlsProtocol.isEmpty() &&
        result.failure != ApiResult::Failure::Tls) // the error line names the certificates then
        text += QStringLiteral("TLS: %1, certificate issued by %2\n")
                    .arg(result.tlsProtocol,
                         result.tlsIssuer.isEmpty() ? QStringLiteral("(unknown)") : result.tlsIssuer);
    if (result.ok())
        text += dataAsText(result);
    // The result was cleaned where it arrived (ApiReply); this keeps a terminal safe from any
    // text added on the way, whatever its source.
    return ServerText::clean(text, ServerText::Lines::Keep);
}

QString CliOutput::table(const QStringList &headers, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &header : headers)
        widths.append(header.size());
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    }
    auto line = [&widths](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < cells.size(); ++i)
            text += i + 1 < cells.size() ? cells.at(i).leftJustified(widths.at(i) + 2) : cells.at(i);
        // Only trailing padding goes: an empty first cell (profile list's default marker) must
        // keep its width, or that line's columns shift left of the others.
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        return text + QLatin1Char('\n');
    };
    QString text = line(headers);
    for (const QStringList &row : rows)
        text += line(row);
    if (rows.isEmpty())
        text += QStringLiteral("(none)\n");
    return text;
}

QJsonObject CliOutput::failureJson(bool usage, const QString &message)
{
    return {{QLatin1String("ok"), false},
            {QLatin1String("status"), QJsonValue::Null},
            {QLatin1String("requestId"), QJsonValue::Null},
            {QLatin1String("message"), message},
            {QLatin1String("data"), QJsonValue::Null},
            {QLatin1String("rateLimit"), QJsonObject{{QLatin1String("limit"), QJsonValue::Null},
                                                     {QLatin1String("remaining"), QJsonValue::Null}}},
            {QLatin1String("errors"), QJsonObject()},
            {QLatin1String("rejected"), QJsonObject()},
            {QLatin1String("error"), usage ? QStringLiteral("usage") : QStringLiteral("failed")},
            {QLatin1String("latencyMs"), 0}};
}

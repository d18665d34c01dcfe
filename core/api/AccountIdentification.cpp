#include "api/AccountIdentification.h"

#include <QStringList>

QJsonObject AccountIdentification::toJson() const
{
    QJsonObject json;
    if (!accountId.isEmpty())
        json.insert(QLatin1String("accountId"), accountId);
    if (!domain.isEmpty())
        json.insert(QLatin1String("domain"), domain);
    return json;
}

AccountIdentification AccountIdentification::fromJson(const QJsonObject &json)
{
    return {json.value(QLatin1String("accountId")).toString(),
            json.value(QLatin1String("domain")).toString()};
}

QString AccountIdentification::describe() const
{
    QStringList parts;
    if (!accountId.isEmpty())
        parts << QStringLiteral("accountId %1").arg(accountId);
    if (!domain.isEmpty())
        parts << QStringLiteral("domain %1").arg(domain);
    return parts.join(QLatin1String(" / "));
}

#include "api/UserIdentification.h"

#include <QStringList>

QJsonObject UserIdentification::toJson() const
{
    QJsonObject json;
    if (!userId.isEmpty())
        json.insert(QLatin1String("userId"), userId);
    if (!email.isEmpty())
        json.insert(QLatin1String("email"), email);
    return json;
}

UserIdentification UserIdentification::fromJson(const QJsonObject &json)
{
    return {json.value(QLatin1String("userId")).toString(), json.value(QLatin1String("email")).toString()};
}

QString UserIdentification::describe() const
{
    QStringList parts;
    if (!userId.isEmpty())
        parts << QStringLiteral("userId %1").arg(userId);
    if (!email.isEmpty())
        parts << QStringLiteral("email %1").arg(email);
    return parts.join(QLatin1String(" / "));
}

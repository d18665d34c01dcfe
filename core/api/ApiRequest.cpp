#include "api/ApiRequest.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

QJsonObject membershipBody(const AccountIdentification &account, const QList<UserIdentification> &users)
{
    QJsonArray array;
    for (const UserIdentification &user : users)
        array.append(QJsonObject{{QLatin1String("identification"), user.toJson()}});
    return {{QLatin1String("account"), account.toJson()}, {QLatin1String("users"), array}};
}

QJsonObject eventBody(const QString &name, const UserIdentification &user,
                      const AccountIdentification &account, const QList<TypedField> &metadata,
                      const QString &triggeredAt)
{
    QJsonObject identification;
    if (!user.isEmpty())
        identification.insert(QLatin1String("user"), user.toJson());
    if (!account.isEmpty())
        identification.insert(QLatin1String("account"), account.toJson());
    QJsonObject body{{QLatin1String("name"), name}, {QLatin1String("identification"), identification}};
    if (!metadata.isEmpty())
        body.insert(QLatin1String("metadata"), TypedField::toJsonObject(metadata));
    if (!triggeredAt.isEmpty())
        body.insert(QLatin1String("triggeredAt"), triggeredAt);
    return body;
}

QJsonObject identifiedBody(const QJsonObject &identification, const QList<TypedField> *properties)
{
    QJsonObject body{{QLatin1String("identification"), identification}};
    if (properties && !properties->isEmpty())
        body.insert(QLatin1String("properties"), TypedField::toJsonObject(*properties));
    return body;
}

} // namespace

ApiRequest ApiRequest::raw(Operation operation, const QJsonObject &body, const QUrlQuery &query)
{
    ApiRequest request;
    request.operation = operation;
    request.body = body;
    request.query = query;
    return request;
}

ApiRequest ApiRequest::upsertUser(const UserIdentification &user, const QList<TypedField> &properties)
{
    return raw(Operation::UpsertUser, identifiedBody(user.toJson(), &properties));
}

ApiRequest ApiRequest::deleteUser(const UserIdentification &user)
{
    return raw(Operation::DeleteUser, identifiedBody(user.toJson(), nullptr));
}

ApiRequest ApiRequest::upsertAccount(const AccountIdentification &account,
                                     const QList<TypedField> &properties)
{
    return raw(Operation::UpsertAccount, identifiedBody(account.toJson(), &properties));
}

ApiRequest ApiRequest::deleteAccount(const AccountIdentification &account)
{
    return raw(Operation::DeleteAccount, identifiedBody(account.toJson(), nullptr));
}

ApiRequest ApiRequest::addUsersToAccount(const AccountIdentification &account,
                                         const QList<UserIdentification> &users)
{
    return raw(Operation::AddUsersToAccount, membershipBody(account, users));
}

ApiRequest ApiRequest::removeUsersFromAccount(const AccountIdentification &account,
                                              const QList<UserIdentification> &users)
{
    return raw(Operation::RemoveUsersFromAccount, membershipBody(account, users));
}

ApiRequest ApiRequest::trackEvent(const QString &name, const UserIdentification &user,
                                  const AccountIdentification &account, const QList<TypedField> &metadata,
                                  const QString &triggeredAt)
{
    return raw(Operation::TrackEvent, eventBody(name, user, account, metadata, triggeredAt));
}

ApiRequest ApiRequest::trackLegacyEvent(const QString &name, const UserIdentification &user,
                                        const AccountIdentification &account,
                                        const QList<TypedField> &metadata, const QString &triggeredAt)
{
    return raw(Operation::TrackLegacyEvent, eventBody(name, user, account, metadata, triggeredAt));
}

ApiRequest ApiRequest::link(const QString &deviceId, const UserIdentification &user)
{
    return raw(Operation::Link,
               {{QLatin1String("deviceId"), deviceId}, {QLatin1String("identification"), user.toJson()}});
}

ApiRequest ApiRequest::trackingSnippet(const QString &domain)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("domain"), domain);
    return raw(Operation::TrackingSnippet, {}, query);
}

ApiRequest ApiRequest::validate()
{
    return raw(Operation::Validate, {});
}

ApiRequest ApiRequest::listEvents()
{
    return raw(Operation::ListEvents, {});
}

ApiRequest ApiRequest::listUserProperties()
{
    return raw(Operation::ListUserProperties, {});
}

ApiRequest ApiRequest::listAccountProperties()
{
    return raw(Operation::ListAccountProperties, {});
}

ApiRequest ApiRequest::listUserSegments()
{
    return raw(Operation::ListUserSegments, {});
}

ApiRequest ApiRequest::listAccountSegments()
{
    return raw(Operation::ListAccountSegments, {});
}

QByteArray ApiRequest::bodyBytes() const
{
    if (!info().hasBody)
        return QByteArray();
    if (!bodyText.isEmpty())
        return bodyText;
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QString ApiRequest::pathAndQuery() const
{
    const QString encoded = query.toString(QUrl::FullyEncoded);
    return encoded.isEmpty() ? info().path : info().path + QLatin1Char('?') + encoded;
}

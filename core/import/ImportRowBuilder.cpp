#include "import/ImportRowBuilder.h"

#include "import/ImportMapping.h"
#include "import/ImportRowChecker.h"
#include "import/ImportRowPlan.h"

#include <QJsonArray>

namespace {

QJsonObject membershipAccount(const ApiRequest &request)
{
    if (request.operation != Operation::AddUsersToAccount &&
        request.operation != Operation::RemoveUsersFromAccount)
        return {};
    return request.body.value(QLatin1String("account")).toObject();
}

} // namespace

bool ImportRowBuilder::build(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers,
                             const ImportRecord &record, ApiRequest *request, QMap<QString, QString> *errors)
{
    errors->clear();
    // A row the reader could not read as it should (ragged, invalid UTF-8) may have its cells in
    // the wrong columns: it is reported, and what it would send is still built for the preview.
    if (!record.error.isEmpty())
        errors->insert(QStringLiteral("row"), record.error);

    const bool upsert =
        (kind.kind == ImportKind::Kind::Users || kind.kind == ImportKind::Kind::Accounts) && !kind.remove;
    const bool events = kind.kind == ImportKind::Kind::Events;

    UserIdentification user;
    AccountIdentification account;
    QString name;
    QString deviceId;
    QString triggeredAt;
    QList<TypedField> properties;
    QList<TypedField> metadata;

    const QList<qsizetype> indexes = ImportRowPlan::headerIndexes(mapping, headers);
    for (qsizetype i = 0; i < mapping.columns.size(); ++i) {
        const ImportMapping::Column &column = mapping.columns.at(i);
        const QString &target = column.target;
        if (target == QLatin1String("ignore"))
            continue;
        const qsizetype index = indexes[i];
        const QString cell = index >= 0 && index < record.values.size() ? record.values.at(index) : QString();
        // Surrounding spaces are never part of an ID, an email, a name or a date (they are what
        // "a, b" leaves in a CSV), and a blank cell is left out rather than sent as "".
        const QString trimmed = cell.trimmed();
        const bool blank = trimmed.isEmpty();

        if (target == QLatin1String("userId")) {
            user.userId = trimmed;
        } else if (target == QLatin1String("email")) {
            user.email = trimmed;
        } else if (target == QLatin1String("accountId")) {
            account.accountId = trimmed;
        } else if (target == QLatin1String("domain")) {
            account.domain = trimmed;
        } else if (target == QLatin1String("deviceId")) {
            deviceId = trimmed;
        } else if (target == QLatin1String("name")) {
            name = trimmed;
        } else if (target == QLatin1String("triggeredAt")) {
            triggeredAt = trimmed;
        } else if (target.startsWith(QLatin1String("prop.")) && upsert) {
            // A blank cell means "nothing to say", unless the column is typed to say exactly that:
            // null deletes the property, empty sets it to "".
            const bool sendsBlank =
                column.type == TypedValue::Type::Null || column.type == TypedValue::Type::Empty;
            if (blank && !sendsBlank)
                continue;
            const QString propertyName = target.mid(5);
            TypedValue value;
            QString error;
            if (!TypedValue::fromText(column.type, blank ? QString() : cell, &value, &error))
                errors->insert(QStringLiteral("properties.") + propertyName,
                               ImportRowChecker::cellError(cell, error));
            else
                properties.append(TypedField{propertyName, value});
        } else if (target.startsWith(QLatin1String("meta.")) && events) {
            if (blank)
                continue;
            const QString metadataName = target.mid(5);
            TypedValue value;
            QString error;
            if (!TypedValue::fromText(column.type, cell, &value, &error))
                errors->insert(QStringLiteral("metadata.") + metadataName,
                               ImportRowChecker::cellError(cell, error));
            else
                metadata.append(TypedField{metadataName, value});
        }
        // Anything else does not apply to the kind; ImportMapping::check() refuses such mappings.
    }

    switch (kind.kind) {
    case ImportKind::Kind::Users:
        *request = kind.remove ? ApiRequest::deleteUser(user) : ApiRequest::upsertUser(user, properties);
        break;
    case ImportKind::Kind::Accounts:
        *request =
            kind.remove ? ApiRequest::deleteAccount(account) : ApiRequest::upsertAccount(account, properties);
        break;
    case ImportKind::Kind::Memberships:
        *request = kind.remove ? ApiRequest::removeUsersFromAccount(account, {user})
                               : ApiRequest::addUsersToAccount(account, {user});
        break;
    case ImportKind::Kind::Events:
        *request = ApiRequest::trackEvent(name, user, account, metadata, triggeredAt);
        // The builder always writes a name; a blank cell must not become "" on the wire.
        if (name.isEmpty())
            request->body.remove(QLatin1String("name"));
        break;
    case ImportKind::Kind::Links:
        *request = ApiRequest::link(deviceId, user);
        if (deviceId.isEmpty())
            request->body.remove(QLatin1String("deviceId"));
        break;
    }
    return errors->isEmpty();
}

QString ImportRowBuilder::groupKey(const ApiRequest &request)
{
    const QJsonObject account = membershipAccount(request);
    const QString accountId = account.value(QLatin1String("accountId")).toString();
    const QString domain = account.value(QLatin1String("domain")).toString();
    // Rows go together only when their whole account identification is the same: merging
    // "acc-7 / acme.com" with "acc-7 / other.com" would send one of the two domains for both.
    QStringList parts;
    if (!accountId.isEmpty())
        parts.append(QStringLiteral("accountId:") + accountId);
    if (!domain.isEmpty())
        parts.append(QStringLiteral("domain:") + domain);
    return parts.join(QLatin1Char('|'));
}

ApiRequest ImportRowBuilder::mergeMemberships(const QList<ApiRequest> &requests)
{
    // Takes what it is given: the caller groups by groupKey() and splits into calls of at most
    // RequestValidator::MaxUsersPerCall users (BulkImporter does); more users here make a call
    // the validator and journy.io refuse, rather than rows silently moved to another call.
    if (requests.isEmpty())
        return ApiRequest();
    const ApiRequest &first = requests.first();
    QJsonArray users;
    for (const ApiRequest &request : requests) {
        Q_ASSERT_X(request.operation == first.operation && groupKey(request) == groupKey(first),
                   "ImportRowBuilder::mergeMemberships", "requests of different operations or accounts");
        const QJsonArray more = request.body.value(QLatin1String("users")).toArray();
        for (const QJsonValue &item : more)
            users.append(item);
    }
    QJsonObject body = first.body;
    body.insert(QLatin1String("users"), users);
    return ApiRequest::raw(first.operation, body, first.query);
}

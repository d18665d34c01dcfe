#include "api/ApiOperation.h"

#include <QtGlobal>

const QList<ApiOperation> &ApiOperation::all()
{
    static const QList<ApiOperation> table = {
        {Operation::UpsertUser, "POST", QStringLiteral("/users/upsert"), QStringLiteral("upsertUser"),
         QStringLiteral("TrackData"), 201, true, false},
        {Operation::DeleteUser, "DELETE", QStringLiteral("/users"), QStringLiteral("deleteUser"),
         QStringLiteral("TrackData"), 202, true, false},
        {Operation::UpsertAccount, "POST", QStringLiteral("/accounts/upsert"),
         QStringLiteral("upsertAccount"), QStringLiteral("TrackData"), 201, true, false},
        {Operation::DeleteAccount, "DELETE", QStringLiteral("/accounts"), QStringLiteral("deleteAccount"),
         QStringLiteral("TrackData"), 202, true, false},
        {Operation::AddUsersToAccount, "POST", QStringLiteral("/accounts/users/add"),
         QStringLiteral("addUserToAccount"), QStringLiteral("TrackData"), 201, true, false},
        {Operation::RemoveUsersFromAccount, "POST", QStringLiteral("/accounts/users/remove"),
         QStringLiteral("removeUserFromAccount"), QStringLiteral("TrackData"), 204, true, false},
        {Operation::TrackEvent, "POST", QStringLiteral("/track"), QStringLiteral("trackEvent"),
         QStringLiteral("TrackData"), 201, true, false},
        {Operation::TrackLegacyEvent, "POST", QStringLiteral("/events"), QStringLiteral("trackJourneyEvent"),
         QStringLiteral("TrackData"), 201, true, true},
        {Operation::Link, "POST", QStringLiteral("/link"), QStringLiteral("link"),
         QStringLiteral("TrackData"), 201, true, false},
        {Operation::TrackingSnippet, "GET", QStringLiteral("/tracking/snippet"),
         QStringLiteral("getTrackingSnippet"), QStringLiteral("GetTrackingSnippet"), 200, false, false},
        {Operation::Validate, "GET", QStringLiteral("/validate"), QStringLiteral("getValidity"), QString(),
         200, false, false},
        {Operation::ListEvents, "GET", QStringLiteral("/events"), QStringLiteral("getEvents"),
         QStringLiteral("ReadEvents"), 200, false, false},
        {Operation::ListUserProperties, "GET", QStringLiteral("/properties/users"),
         QStringLiteral("getUserProperties"), QStringLiteral("ReadProperties"), 200, false, false},
        {Operation::ListAccountProperties, "GET", QStringLiteral("/properties/accounts"),
         QStringLiteral("getAccountProperties"), QStringLiteral("ReadProperties"), 200, false, false},
        {Operation::ListUserSegments, "GET", QStringLiteral("/segments/users"),
         QStringLiteral("getUserSegments"), QStringLiteral("ReadSegments"), 200, false, false},
        {Operation::ListAccountSegments, "GET", QStringLiteral("/segments/accounts"),
         QStringLiteral("getAccountSegments"), QStringLiteral("ReadSegments"), 200, false, false},
    };
    return table;
}

const ApiOperation &ApiOperation::info(Operation operation)
{
    // The table is ordered like the enum; the assert keeps the two from drifting apart.
    const ApiOperation &entry = all().at(static_cast<int>(operation));
    Q_ASSERT(entry.operation == operation);
    return entry;
}

const ApiOperation *ApiOperation::byOperationId(const QString &operationId)
{
    for (const ApiOperation &entry : all()) {
        if (entry.operationId == operationId)
            return &entry;
    }
    return nullptr;
}

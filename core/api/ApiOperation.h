#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// The 16 operations of the journy.io backend API, as published in resources/journy-openapi.json.
// Everything that varies per operation (method, path, permission, success status) is in the one
// table behind ApiOperation::info(), so the client, the validator and the sandbox agree.
enum class Operation
{
    UpsertUser,
    DeleteUser,
    UpsertAccount,
    DeleteAccount,
    AddUsersToAccount,
    RemoveUsersFromAccount,
    TrackEvent,
    TrackLegacyEvent,
    Link,
    TrackingSnippet,
    Validate,
    ListEvents,
    ListUserProperties,
    ListAccountProperties,
    ListUserSegments,
    ListAccountSegments,
};

class ApiOperation
{
public:
    Operation operation;
    QByteArray method;
    QString path;
    QString operationId; // the spec's operationId, e.g. "upsertUser"
    QString permission;  // the spec's x-key-permissions; empty for any key
    int successStatus;   // the one 2xx status the spec declares
    bool hasBody;
    bool deprecated;

    static const ApiOperation &info(Operation operation);
    static const QList<ApiOperation> &all();
    // By operationId; nullptr when unknown.
    static const ApiOperation *byOperationId(const QString &operationId);
};

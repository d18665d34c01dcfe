#pragma once

#include "api/AccountIdentification.h"
#include "api/ApiOperation.h"
#include "api/TypedField.h"
#include "api/UserIdentification.h"

#include <QJsonObject>
#include <QList>
#include <QUrlQuery>

// One call to journy.io before it is sent: the operation, its JSON body and its query. The typed
// builders below are the API's 16 operations; the console's raw-JSON tab and bulk import build
// the same object, so pre-flight validation and sending never care where a request came from.
class ApiRequest
{
public:
    Operation operation = Operation::Validate;
    QJsonObject body; // ignored for operations without a body
    QUrlQuery query;
    // When not empty, the body as JSON text, sent byte for byte instead of body: bulk import keeps
    // each row's request as text in its journal, and reading it back into an object only to write
    // it out again cost a quarter of sending a row. RequestValidator reads it like body.
    QByteArray bodyText;
    // The user's note on the request, e.g. a ticket reference: it goes to History with the
    // result (ApiResult::note), never over the wire.
    QString note;
    // Sent by the console on its own (catalog fetches, the key check when a profile connects),
    // not by the user: History files such calls apart and hides them unless asked.
    bool background = false;

    static ApiRequest upsertUser(const UserIdentification &user, const QList<TypedField> &properties);
    static ApiRequest deleteUser(const UserIdentification &user);
    static ApiRequest upsertAccount(const AccountIdentification &account,
                                    const QList<TypedField> &properties);
    static ApiRequest deleteAccount(const AccountIdentification &account);
    // journy.io takes 1..100 users per call; callers split larger sets (bulk import does).
    static ApiRequest addUsersToAccount(const AccountIdentification &account,
                                        const QList<UserIdentification> &users);
    static ApiRequest removeUsersFromAccount(const AccountIdentification &account,
                                             const QList<UserIdentification> &users);
    // triggeredAt may be empty: journy.io then uses the time it receives the event.
    static ApiRequest trackEvent(const QString &name, const UserIdentification &user,
                                 const AccountIdentification &account, const QList<TypedField> &metadata,
                                 const QString &triggeredAt = QString());
    // The deprecated POST /events, same body as trackEvent.
    static ApiRequest trackLegacyEvent(const QString &name, const UserIdentification &user,
                                       const AccountIdentification &account,
                                       const QList<TypedField> &metadata,
                                       const QString &triggeredAt = QString());
    static ApiRequest link(const QString &deviceId, const UserIdentification &user);
    static ApiRequest trackingSnippet(const QString &domain);
    static ApiRequest validate();
    static ApiRequest listEvents();
    static ApiRequest listUserProperties();
    static ApiRequest listAccountProperties();
    static ApiRequest listUserSegments();
    static ApiRequest listAccountSegments();

    // A request for the operation with a body the caller wrote by hand (the raw JSON tab).
    static ApiRequest raw(Operation operation, const QJsonObject &body, const QUrlQuery &query = QUrlQuery());

    const ApiOperation &info() const { return ApiOperation::info(operation); }
    // The exact bytes sent: compact JSON (bodyText when set), or empty for operations without a body.
    QByteArray bodyBytes() const;
    // Path plus query, e.g. "/tracking/snippet?domain=journy.io".
    QString pathAndQuery() const;
};

#pragma once

#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringView>

class ApiRequest;

// Pre-flight validation: the spec's request schemas plus the rules it states only in prose
// (identification needs one of its two fields, non-empty IDs and names, the custom string
// formats, metadata types, 1..100 users, ISO 8601 triggeredAt). Errors come out keyed by field
// path exactly like a server 400 ("identification.email", "properties.plan", "users",
// "parameters.query.domain"), so callers show client and server errors the same way; a body over
// the size the API reads is a "body" error.
class RequestValidator
{
public:
    using FieldErrors = QMap<QString, QString>;

    static FieldErrors validate(const ApiRequest &request);

    static constexpr int MaxUsersPerCall = 100;
    // The largest request body the API reads (the sandbox refuses bigger ones unread), so a request
    // or an import row over it fails pre-flight, not at the server.
    static constexpr qint64 MaxBodyBytes = 1024 * 1024;

    // The spec's custom string formats, for callers that check single fields as they are typed.
    static bool isEmail(QStringView text);
    static bool isDomain(const QString &text);
    // How messages name a JSON value's type: "a string", "a list", "an object", "null", "nothing"
    // (a missing value); the saved-requests import says it the same way.
    static QString jsonTypeName(const QJsonValue &value);

    // The messages validate() gives, for checks made on values before any request exists (bulk
    // import checks every row of a file this way, ImportRowChecker), so both say the same thing.
    static QString requiredMessage();
    static QString identificationMissingMessage(bool account);
    static QString eventIdentificationMissingMessage();
    static QString notEmailMessage(QStringView text);
    static QString notDomainMessage(QStringView text);
    static QString notIso8601Message(QStringView text);
    static QString emptyPropertyNameMessage();
    static QString emptyMetadataNameMessage();
    static QString metadataTypeMessage(const QJsonValue &value);
    static QString bodyTooLargeMessage(qint64 bytes);

private:
    static FieldErrors validateFields(const ApiRequest &request);
};

#include "api/RequestValidator.h"

#include "api/ApiRequest.h"
#include "api/TypedValue.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace {

using FieldErrors = RequestValidator::FieldErrors;

QString join(const QString &prefix, const QString &name)
{
    return prefix.isEmpty() ? name : prefix + QLatin1Char('.') + name;
}

QString jsonTypeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("a list");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("nothing");
}

} // namespace

QString RequestValidator::jsonTypeName(const QJsonValue &value)
{
    return ::jsonTypeName(value);
}

namespace {

enum class Format
{
    NonEmpty,
    Email,
    Domain
};

// A string field that must be present-and-non-blank when present (IDs, names, formats).
void checkString(const QJsonValue &value, const QString &path, Format format, FieldErrors &errors)
{
    if (!value.isString()) {
        errors.insert(path, QStringLiteral("Expected a string but found %1.").arg(jsonTypeName(value)));
        return;
    }
    const QString text = value.toString();
    if (text.trimmed().isEmpty()) {
        errors.insert(path, QStringLiteral("Must not be empty."));
        return;
    }
    if (format == Format::Email && !RequestValidator::isEmail(text))
        errors.insert(path, RequestValidator::notEmailMessage(text));
    else if (format == Format::Domain && !RequestValidator::isDomain(text))
        errors.insert(path, RequestValidator::notDomainMessage(text));
}

bool requireObject(const QJsonObject &parent, const QString &key, const QString &path, FieldErrors &errors,
                   QJsonObject *out)
{
    const QJsonValue value = parent.value(key);
    if (value.isUndefined()) {
        errors.insert(path, RequestValidator::requiredMessage());
        return false;
    }
    if (!value.isObject()) {
        errors.insert(path, QStringLiteral("Expected an object but found %1.").arg(jsonTypeName(value)));
        return false;
    }
    *out = value.toObject();
    return true;
}

// identification of a user ({userId, email}) or an account ({accountId, domain}).
void checkIdentification(const QJsonObject &parent, const QString &key, const QString &path, bool account,
                         FieldErrors &errors)
{
    QJsonObject identification;
    if (!requireObject(parent, key, path, errors, &identification))
        return;
    const QString idKey = account ? QStringLiteral("accountId") : QStringLiteral("userId");
    const QString otherKey = account ? QStringLiteral("domain") : QStringLiteral("email");
    if (!identification.contains(idKey) && !identification.contains(otherKey)) {
        errors.insert(path, RequestValidator::identificationMissingMessage(account));
        return;
    }
    if (identification.contains(idKey))
        checkString(identification.value(idKey), join(path, idKey), Format::NonEmpty, errors);
    if (identification.contains(otherKey))
        checkString(identification.value(otherKey), join(path, otherKey),
                    account ? Format::Domain : Format::Email, errors);
}

void checkProperties(const QJsonObject &body, FieldErrors &errors)
{
    const QString key = QStringLiteral("properties");
    if (!body.contains(key))
        return;
    QJsonObject properties;
    if (!requireObject(body, key, key, errors, &properties))
        return;
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QString path = join(key, it.key());
        if (it.key().trimmed().isEmpty()) {
            errors.insert(key, RequestValidator::emptyPropertyNameMessage());
            continue;
        }
        const QJsonValue value = it.value();
        if (value.isNull() || value.isString() || value.isBool() || value.isDouble())
            continue;
        if (value.isArray()) {
            const QJsonArray items = value.toArray();
            for (const QJsonValue &item : items) {
                if (!item.isString() || item.toString().isEmpty()) {
                    errors.insert(path, QStringLiteral("Lists may only hold non-empty strings."));
                    break;
                }
            }
            continue;
        }
        errors.insert(path, QStringLiteral("Expected a string, number, boolean, date-time, null or list of "
                                           "strings but found %1.")
                                .arg(jsonTypeName(value)));
    }
}

void checkMetadata(const QJsonObject &body, FieldErrors &errors)
{
    const QString key = QStringLiteral("metadata");
    if (!body.contains(key))
        return;
    QJsonObject metadata;
    if (!requireObject(body, key, key, errors, &metadata))
        return;
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
        if (it.key().trimmed().isEmpty()) {
            errors.insert(key, RequestValidator::emptyMetadataNameMessage());
            continue;
        }
        // The spec's oneOf lists "string" twice; the documentation's own examples send strings,
        // so this is read as "any of": string, boolean, number or date-time (also a string).
        const QJsonValue value = it.value();
        if (!value.isString() && !value.isBool() && !value.isDouble())
            errors.insert(join(key, it.key()), RequestValidator::metadataTypeMessage(value));
    }
}

void checkEvent(const QJsonObject &body, FieldErrors &errors)
{
    const QString nameKey = QStringLiteral("name");
    if (!body.contains(nameKey))
        errors.insert(nameKey, RequestValidator::requiredMessage());
    else
        checkString(body.value(nameKey), nameKey, Format::NonEmpty, errors);

    const QString idKey = QStringLiteral("identification");
    QJsonObject identification;
    if (requireObject(body, idKey, idKey, errors, &identification)) {
        const bool hasUser = identification.contains(QLatin1String("user"));
        const bool hasAccount = identification.contains(QLatin1String("account"));
        if (!hasUser && !hasAccount)
            errors.insert(idKey, RequestValidator::eventIdentificationMissingMessage());
        if (hasUser)
            checkIdentification(identification, QStringLiteral("user"), join(idKey, QStringLiteral("user")),
                                false, errors);
        if (hasAccount)
            checkIdentification(identification, QStringLiteral("account"),
                                join(idKey, QStringLiteral("account")), true, errors);
    }

    checkMetadata(body, errors);

    const QString atKey = QStringLiteral("triggeredAt");
    if (body.contains(atKey)) {
        const QJsonValue at = body.value(atKey);
        if (!at.isString())
            errors.insert(
                atKey,
                QStringLiteral("Expected an ISO 8601 date-time string but found %1.").arg(jsonTypeName(at)));
        else if (!TypedValue::isIso8601(at.toString()))
            errors.insert(atKey, RequestValidator::notIso8601Message(at.toString()));
    }
}

void checkMembership(const QJsonObject &body, FieldErrors &errors)
{
    checkIdentification(body, QStringLiteral("account"), QStringLiteral("account"), true, errors);

    const QString usersKey = QStringLiteral("users");
    const QJsonValue users = body.value(usersKey);
    if (users.isUndefined()) {
        errors.insert(usersKey, RequestValidator::requiredMessage());
        return;
    }
    if (!users.isArray()) {
        errors.insert(usersKey, QStringLiteral("Expected a list but found %1.").arg(jsonTypeName(users)));
        return;
    }
    const QJsonArray array = users.toArray();
    if (array.isEmpty() || array.size() > RequestValidator::MaxUsersPerCall) {
        errors.insert(usersKey, QStringLiteral("Expected 1 to %1 users but found %2.")
                                    .arg(RequestValidator::MaxUsersPerCall)
                                    .arg(array.size()));
        if (!array.isEmpty())
            return;
    }
    for (int i = 0; i < array.size(); ++i) {
        const QString itemPath = join(usersKey, QString::number(i));
        if (!array.at(i).isObject()) {
            errors.insert(itemPath,
                          QStringLiteral("Expected an object but found %1.").arg(jsonTypeName(array.at(i))));
            continue;
        }
        checkIdentification(array.at(i).toObject(), QStringLiteral("identification"),
                            join(itemPath, QStringLiteral("identification")), false, errors);
    }
}

} // namespace

namespace {

// What PCRE's \s matches without Unicode properties, which is what the pattern this replaced used.
bool isPatternSpace(QChar c)
{
    return c == QLatin1Char(' ') || (c >= QLatin1Char('\t') && c <= QLatin1Char('\r'));
}

} // namespace

bool RequestValidator::isEmail(QStringView text)
{
    // LOCAL@LABEL.LABEL[.LABEL]...: no spaces, one @, a local part of anything else, and at least two
    // non-empty dot-separated labels after the @. By hand, as bulk import checks every row with it.
    const qsizetype at = text.indexOf(QLatin1Char('@'));
    if (at <= 0)
        return false;
    qsizetype labels = 0;
    qsizetype labelSize = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (isPatternSpace(c) || (c == QLatin1Char('@') && i != at))
            return false;
        if (i <= at)
            continue;
        if (c == QLatin1Char('.')) {
            if (labelSize == 0)
                return false;
            ++labels;
            labelSize = 0;
        } else {
            ++labelSize;
        }
    }
    return labelSize > 0 && labels >= 1;
}

bool RequestValidator::isDomain(const QString &text)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral(
            R"((?=.{1,253}\z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}))")),
        QRegularExpression::CaseInsensitiveOption);
    return pattern.match(text).hasMatch();
}

RequestValidator::FieldErrors RequestValidator::validate(const ApiRequest &request)
{
    FieldErrors errors = validateFields(request);
    const qint64 bytes = request.bodyBytes().size();
    if (bytes > MaxBodyBytes && !errors.contains(QStringLiteral("body")))
        errors.insert(QStringLiteral("body"), bodyTooLargeMessage(bytes));
    return errors;
}

RequestValidator::FieldErrors RequestValidator::validateFields(const ApiRequest &request)
{
    if (!request.bodyText.isEmpty()) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(request.bodyText, &parseError);
        if (!document.isObject())
            return {{QStringLiteral("body"), QStringLiteral("Not a JSON object.")}};
        ApiRequest parsed = request;
        parsed.bodyText.clear();
        parsed.body = document.object();
        return validateFields(parsed);
    }
    FieldErrors errors;
    const QJsonObject &body = request.body;
    const QString idKey = QStringLiteral("identification");
    switch (request.operation) {
    case Operation::UpsertUser:
        checkIdentification(body, idKey, idKey, false, errors);
        checkProperties(body, errors);
        break;
    case Operation::DeleteUser:
        checkIdentification(body, idKey, idKey, false, errors);
        break;
    case Operation::UpsertAccount:
        checkIdentification(body, idKey, idKey, true, errors);
        checkProperties(body, errors);
        break;
    case Operation::DeleteAccount:
        checkIdentification(body, idKey, idKey, true, errors);
        break;
    case Operation::AddUsersToAccount:
    case Operation::RemoveUsersFromAccount:
        checkMembership(body, errors);
        break;
    case Operation::TrackEvent:
    case Operation::TrackLegacyEvent:
        checkEvent(body, errors);
        break;
    case Operation::Link: {
        const QString deviceKey = QStringLiteral("deviceId");
        if (!body.contains(deviceKey))
            errors.insert(deviceKey, RequestValidator::requiredMessage());
        else
            checkString(body.value(deviceKey), deviceKey, Format::NonEmpty, errors);
        checkIdentification(body, idKey, idKey, false, errors);
        break;
    }
    case Operation::TrackingSnippet: {
        const QString path = QStringLiteral("parameters.query.domain");
        const QString domainKey = QStringLiteral("domain");
        if (!request.query.hasQueryItem(domainKey))
            errors.insert(path, RequestValidator::requiredMessage());
        else
            checkString(request.query.queryItemValue(domainKey, QUrl::FullyDecoded), path, Format::Domain,
                        errors);
        break;
    }
    case Operation::Validate:
    case Operation::ListEvents:
    case Operation::ListUserProperties:
    case Operation::ListAccountProperties:
    case Operation::ListUserSegments:
    case Operation::ListAccountSegments:
        break;
    }
    return errors;
}

QString RequestValidator::bodyTooLargeMessage(qint64 bytes)
{
    return QStringLiteral("The request body would be %1 bytes; the API reads at most %2.")
        .arg(bytes)
        .arg(MaxBodyBytes);
}

QString RequestValidator::requiredMessage()
{
    return QStringLiteral("Is required.");
}

QString RequestValidator::identificationMissingMessage(bool account)
{
    return account ? QStringLiteral("Requires an accountId, a domain or both.")
                   : QStringLiteral("Requires a userId, an email or both.");
}

QString RequestValidator::eventIdentificationMissingMessage()
{
    return QStringLiteral("Requires a user, an account or both.");
}

QString RequestValidator::notEmailMessage(QStringView text)
{
    return QStringLiteral("'%1' is not a valid email address.").arg(text);
}

QString RequestValidator::notDomainMessage(QStringView text)
{
    return QStringLiteral("'%1' is not a valid domain (e.g. acme.com).").arg(text);
}

QString RequestValidator::notIso8601Message(QStringView text)
{
    return QStringLiteral("'%1' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z).").arg(text);
}

QString RequestValidator::emptyPropertyNameMessage()
{
    return QStringLiteral("Property names must not be empty.");
}

QString RequestValidator::emptyMetadataNameMessage()
{
    return QStringLiteral("Metadata names must not be empty.");
}

QString RequestValidator::metadataTypeMessage(const QJsonValue &value)
{
    return QStringLiteral("Expected a string, number, boolean or date-time but found %1.")
        .arg(jsonTypeName(value));
}

#include "ImportRowChecker.h"

#include "RequestValidator.h"

#include <QJsonArray>

namespace {

void checkUser(QStringView userId, QStringView email, const QString &path, QMap<QString, QString> *errors)
{
    if (userId.isEmpty() && email.isEmpty())
        errors->insert(path, RequestValidator::identificationMissingMessage(false));
    else if (!email.isEmpty() && !RequestValidator::isEmail(email))
        errors->insert(path + QLatin1String(".email"), RequestValidator::notEmailMessage(email));
}

void checkAccount(QStringView accountId, QStringView domain, const QString &path,
                  QMap<QString, QString> *errors)
{
    if (accountId.isEmpty() && domain.isEmpty())
        errors->insert(path, RequestValidator::identificationMissingMessage(true));
    else if (!domain.isEmpty() && !RequestValidator::isDomain(domain.toString()))
        errors->insert(path + QLatin1String(".domain"), RequestValidator::notDomainMessage(domain));
}

} // namespace

QList<qsizetype> ImportRowChecker::headerIndexes(const ImportMapping &mapping, const QStringList &headers)
{
    const QList<ImportMapping::Column> &columns = mapping.columns;
    QList<qsizetype> indexes(columns.size(), -1);
    bool aligned = columns.size() <= headers.size();
    for (qsizetype i = 0; aligned && i < columns.size(); ++i)
        aligned = columns.at(i).column == headers.at(i);
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (aligned) {
            indexes[i] = i;
            continue;
        }
        const QString &name = columns.at(i).column;
        int occurrence = 0;
        for (qsizetype j = 0; j < i; ++j) {
            if (columns.at(j).column == name)
                ++occurrence;
        }
        int seen = 0;
        for (qsizetype h = 0; h < headers.size() && indexes[i] < 0; ++h) {
            if (headers.at(h) == name && seen++ == occurrence)
                indexes[i] = h;
        }
        seen = 0;
        const QString trimmed = name.trimmed();
        for (qsizetype h = 0; h < headers.size() && indexes[i] < 0; ++h) {
            if (headers.at(h).trimmed().compare(trimmed, Qt::CaseInsensitive) == 0 && seen++ == occurrence)
                indexes[i] = h;
        }
    }
    return indexes;
}

QString ImportRowChecker::cellError(QStringView cell, const QString &message)
{
    const QString quoted = QLatin1Char('\'') + cell.toString() + QLatin1Char('\'');
    return message.contains(quoted) ? message : QStringLiteral("%1: %2").arg(quoted, message);
}

ImportRowChecker::ImportRowChecker(const ImportKind &kind, const ImportMapping &mapping,
                                   const QStringList &headers)
    : m_kind(kind)
{
    const bool upsert =
        (kind.kind == ImportKind::Kind::Users || kind.kind == ImportKind::Kind::Accounts) && !kind.remove;
    const bool events = kind.kind == ImportKind::Kind::Events;
    static const QList<QPair<QString, Role>> identifiers = {
        {QStringLiteral("userId"), Role::UserId},           {QStringLiteral("email"), Role::Email},
        {QStringLiteral("accountId"), Role::AccountId},     {QStringLiteral("domain"), Role::Domain},
        {QStringLiteral("deviceId"), Role::DeviceId},       {QStringLiteral("name"), Role::Name},
        {QStringLiteral("triggeredAt"), Role::TriggeredAt},
    };
    const QList<qsizetype> indexes = headerIndexes(mapping, headers);
    for (qsizetype i = 0; i < mapping.columns.size(); ++i) {
        const ImportMapping::Column &column = mapping.columns.at(i);
        Slot slot;
        slot.index = indexes.at(i);
        slot.type = column.type;
        bool applies = false;
        for (const auto &identifier : identifiers) {
            if (column.target == identifier.first) {
                slot.role = identifier.second;
                applies = true;
            }
        }
        // Like ImportRowBuilder: properties only for upserts, metadata only for events, and
        // anything else is not sent (ImportMapping::check() refuses such mappings).
        const bool property = column.target.startsWith(QLatin1String("prop.")) && upsert;
        const bool metadata = column.target.startsWith(QLatin1String("meta.")) && events;
        if (property || metadata) {
            const QString name = column.target.mid(5);
            slot.role = property ? Role::Property : Role::Metadata;
            slot.errorPath = (property ? QLatin1String("properties.") : QLatin1String("metadata.")) + name;
            slot.sendsBlank =
                property && (column.type == TypedValue::Type::Null || column.type == TypedValue::Type::Empty);
            slot.nameIsBlank = name.trimmed().isEmpty();
            applies = true;
        }
        if (applies)
            m_slots.append(slot);
    }
}

bool ImportRowChecker::check(const ImportRecord &record, QMap<QString, QString> *errors) const
{
    errors->clear();
    // A row the reader could not read as it should may have its cells in the wrong columns.
    if (!record.error.isEmpty()) {
        errors->insert(QStringLiteral("row"), record.error);
        return false;
    }
    QStringView userId;
    QStringView email;
    QStringView accountId;
    QStringView domain;
    QStringView deviceId;
    QStringView name;
    QStringView triggeredAt;
    bool blankPropertyName = false;
    bool blankMetadataName = false;
    QString error;
    for (const Slot &slot : m_slots) {
        const QStringView cell = slot.index >= 0 && slot.index < record.values.size()
                                     ? QStringView(record.values.at(slot.index))
                                     : QStringView();
        // Surrounding spaces are never part of an ID, an email, a name or a date, and a blank cell
        // is left out rather than sent as "" (as ImportRowBuilder builds the row).
        const QStringView trimmed = cell.trimmed();
        switch (slot.role) {
        case Role::UserId:
            userId = trimmed;
            break;
        case Role::Email:
            email = trimmed;
            break;
        case Role::AccountId:
            accountId = trimmed;
            break;
        case Role::Domain:
            domain = trimmed;
            break;
        case Role::DeviceId:
            deviceId = trimmed;
            break;
        case Role::Name:
            name = trimmed;
            break;
        case Role::TriggeredAt:
            triggeredAt = trimmed;
            break;
        case Role::Property:
        case Role::Metadata: {
            const bool blank = trimmed.isEmpty();
            if (blank && !slot.sendsBlank)
                break;
            if (!TypedValue::checkText(slot.type, blank ? QStringView() : cell, &error))
                errors->insert(slot.errorPath, cellError(cell, error));
            else if (slot.role == Role::Metadata && slot.type == TypedValue::Type::List)
                errors->insert(slot.errorPath, RequestValidator::metadataTypeMessage(QJsonArray()));
            else if (slot.nameIsBlank)
                (slot.role == Role::Property ? blankPropertyName : blankMetadataName) = true;
            break;
        }
        }
    }

    const QString identification = QStringLiteral("identification");
    switch (m_kind.kind) {
    case ImportKind::Kind::Users:
        checkUser(userId, email, identification, errors);
        break;
    case ImportKind::Kind::Accounts:
        checkAccount(accountId, domain, identification, errors);
        break;
    case ImportKind::Kind::Memberships:
        checkAccount(accountId, domain, QStringLiteral("account"), errors);
        checkUser(userId, email, QStringLiteral("users.0.identification"), errors);
        break;
    case ImportKind::Kind::Events:
        if (name.isEmpty())
            errors->insert(QStringLiteral("name"), RequestValidator::requiredMessage());
        if (userId.isEmpty() && email.isEmpty() && accountId.isEmpty() && domain.isEmpty())
            errors->insert(identification, RequestValidator::eventIdentificationMissingMessage());
        if (!userId.isEmpty() || !email.isEmpty())
            checkUser(userId, email, QStringLiteral("identification.user"), errors);
        if (!accountId.isEmpty() || !domain.isEmpty())
            checkAccount(accountId, domain, QStringLiteral("identification.account"), errors);
        if (!triggeredAt.isEmpty() && !TypedValue::isIso8601(triggeredAt))
            errors->insert(QStringLiteral("triggeredAt"), RequestValidator::notIso8601Message(triggeredAt));
        break;
    case ImportKind::Kind::Links:
        if (deviceId.isEmpty())
            errors->insert(QStringLiteral("deviceId"), RequestValidator::requiredMessage());
        checkUser(userId, email, identification, errors);
        break;
    }
    if (blankPropertyName)
        errors->insert(QStringLiteral("properties"), RequestValidator::emptyPropertyNameMessage());
    if (blankMetadataName)
        errors->insert(QStringLiteral("metadata"), RequestValidator::emptyMetadataNameMessage());
    return errors->isEmpty();
}

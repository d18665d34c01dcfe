#include "import/ImportRowPlan.h"
#include "import/ImportMapping.h"

QList<qsizetype> ImportRowPlan::headerIndexes(const ImportMapping &mapping, const QStringList &headers)
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

ImportRowPlan::ImportRowPlan(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers)
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
        Column slot;
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
            slot.name = name;
            slot.role = property ? Role::Property : Role::Metadata;
            slot.errorPath = (property ? QLatin1String("properties.") : QLatin1String("metadata.")) + name;
            slot.sendsBlank =
                property && (column.type == TypedValue::Type::Null || column.type == TypedValue::Type::Empty);
            slot.nameIsBlank = name.trimmed().isEmpty();
            applies = true;
        }
        if (applies)
            m_columns.append(slot);
    }
}

ImportRowPlan::Identifiers ImportRowPlan::identifiers(const ImportRecord &record) const
{
    Identifiers found;
    for (const Column &column : m_columns) {
        QStringView *field = nullptr;
        switch (column.role) {
        case Role::UserId:
            field = &found.userId;
            break;
        case Role::Email:
            field = &found.email;
            break;
        case Role::AccountId:
            field = &found.accountId;
            break;
        case Role::Domain:
            field = &found.domain;
            break;
        case Role::DeviceId:
            field = &found.deviceId;
            break;
        case Role::Name:
            field = &found.name;
            break;
        case Role::TriggeredAt:
            field = &found.triggeredAt;
            break;
        case Role::Property:
        case Role::Metadata:
            continue;
        }
        *field = cell(column, record).trimmed();
    }
    return found;
}

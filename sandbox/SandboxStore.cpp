#include "sandbox/SandboxStore.h"

#include "store/SqliteConnection.h"

#include "api/TypedValue.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace {

using Kind = SandboxStore::Kind;

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString primaryKey(Kind kind)
{
    return kind == Kind::User ? QStringLiteral("userId") : QStringLiteral("accountId");
}

QString secondaryKey(Kind kind)
{
    return kind == Kind::User ? QStringLiteral("email") : QStringLiteral("domain");
}

QString kindName(Kind kind)
{
    return kind == Kind::User ? QStringLiteral("user") : QStringLiteral("account");
}

// The type journy.io gives a property from a value; empty for null and "" (they fit any type).
QString valueType(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return QStringLiteral("boolean");
    case QJsonValue::Double:
        return QStringLiteral("number");
    case QJsonValue::Array:
        return QStringLiteral("list");
    case QJsonValue::String:
        if (value.toString().isEmpty())
            return QString();
        return TypedValue::isIso8601(value.toString()) ? QStringLiteral("date") : QStringLiteral("string");
    default:
        return QString();
    }
}

// A date is also a string: a string property takes one. The reverse is a conflict.
bool fits(const QString &existing, const QString &given)
{
    return existing == given || (existing == QLatin1String("string") && given == QLatin1String("date"));
}

QString withArticle(const QString &type)
{
    return QStringLiteral("a %1").arg(type);
}

// A copy of object without dead bytes. A QJsonObject keeps the bytes of every string value that
// was replaced or removed in it for as long as it lives (Qt 6's QCborContainerPrivate::compact()
// does nothing, and copies keep them too), so an entity upserted again and again would grow by
// its string values on every call: 48 bytes a request in the wrk benchmark's upsert.
QJsonObject compacted(const QJsonObject &object)
{
    QJsonObject fresh;
    for (auto it = object.begin(); it != object.end(); ++it)
        fresh.insert(it.key(), it.value());
    return fresh;
}

} // namespace

SandboxStore::SandboxStore()
    : m_connection(std::make_unique<SqliteConnection>(QStringLiteral("journy-sandbox")))
{}

SandboxStore::~SandboxStore() = default;

bool SandboxStore::exec(const QString &sql, const QVariantList &values, QString *error)
{
    QSqlQuery query(m_connection->database());
    // A statement SQLite refuses (e.g. "file is not a database") fails in prepare(); exec() would
    // then only say "No query", losing the reason.
    bool ok = query.prepare(sql);
    if (ok) {
        for (const QVariant &value : values)
            query.addBindValue(value);
        ok = query.exec();
    }
    if (!ok) {
        const QString reason = query.lastError().text();
        if (error)
            *error = reason;
        else
            qWarning("sandbox store: %s: %s", qPrintable(sql), qPrintable(reason));
    }
    return ok;
}

bool SandboxStore::open(const QString &path, QString *error)
{
    if (!m_connection->open(path, error))
        return false;
    QSqlDatabase db = m_connection->database();
    m_persistent = true;
    // WAL with synchronous=NORMAL: every change is committed on its own, without an fsync per
    // request; a crash loses at most the last moments, never the file.
    const QStringList setup = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS entities (kind INTEGER, id INTEGER, json TEXT, PRIMARY "
                       "KEY (kind, id))"),
        QStringLiteral(
            "CREATE TABLE IF NOT EXISTS catalog (kind INTEGER, name TEXT, type TEXT, position INTEGER, "
            "PRIMARY KEY (kind, name))"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, json TEXT)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS links (device_id TEXT PRIMARY KEY, json TEXT)"),
    };
    // A file that is not SQLite, or another program's SQLite file, is refused with the reason and
    // left alone; the store then stays in memory.
    auto unusable = [&](const QString &reason) {
        *error = QStringLiteral("%1: not a usable sandbox database: %2").arg(path, reason);
        m_persistent = false;
        db.close();
        return false;
    };
    // Looked at before anything is written: a file that is not SQLite fails here, and another
    // program's database is refused rather than given the sandbox's tables and WAL mode.
    QSqlQuery tables(db);
    if (!tables.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type = 'table'")))
        return unusable(tables.lastError().text());
    static const QStringList ours = {QStringLiteral("entities"), QStringLiteral("catalog"),
                                     QStringLiteral("events"), QStringLiteral("links")};
    while (tables.next()) {
        const QString table = tables.value(0).toString();
        if (!ours.contains(table) && !table.startsWith(QLatin1String("sqlite_")))
            return unusable(
                QStringLiteral("it holds a table '%1' the sandbox does not use (another program's database?)")
                    .arg(table));
    }
    tables.finish();
    QString reason;
    for (const QString &sql : setup) {
        if (!exec(sql, {}, &reason))
            return unusable(reason);
    }
    if (!load(&reason))
        return unusable(reason);
    return true;
}

bool SandboxStore::load(QString *error)
{
    QSqlDatabase db = m_connection->database();
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("SELECT kind, json FROM entities ORDER BY id"))) {
        *error = query.lastError().text();
        return false;
    }
    while (query.next()) {
        const Kind kind = query.value(0).toInt() == 0 ? Kind::User : Kind::Account;
        Entity entity = fromJson(QJsonDocument::fromJson(query.value(1).toByteArray()).object());
        m_nextId = std::max(m_nextId, entity.id + 1);
        const QString primary = entity.primary;
        const QString secondary = entity.secondary;
        entity.primary.clear();
        entity.secondary.clear();
        Entity &stored = m_entities[int(kind)][entity.id] = entity;
        index(kind, stored, primary, secondary);
    }
    query.exec(QStringLiteral("SELECT kind, name, type, position FROM catalog ORDER BY position"));
    while (query.next()) {
        const int kind = query.value(0).toInt();
        const QString name = query.value(1).toString();
        // Positions come from the same counter as row IDs: forgetting them here would give the
        // next name seen a position before older ones, and reorder the catalog on the next start.
        m_nextId = std::max(m_nextId, query.value(3).toLongLong() + 1);
        if (kind == 2) {
            m_eventNames.append(name);
        } else {
            m_propertyTypes[kind].insert(name, query.value(2).toString());
            m_propertyOrder[kind].append(name);
        }
    }
    query.exec(QStringLiteral("SELECT id, json FROM events ORDER BY id"));
    while (query.next()) {
        m_events.append(QJsonDocument::fromJson(query.value(1).toByteArray()).object());
        m_nextId = std::max(m_nextId, query.value(0).toLongLong() + 1);
    }
    query.exec(QStringLiteral("SELECT device_id, json FROM links"));
    while (query.next())
        m_links.insert(query.value(0).toString(),
                       QJsonDocument::fromJson(query.value(1).toByteArray()).object());
    return true;
}

void SandboxStore::reset()
{
    for (int kind = 0; kind < 2; ++kind) {
        m_entities[kind].clear();
        m_byPrimary[kind].clear();
        m_bySecondary[kind].clear();
        m_propertyTypes[kind].clear();
        m_propertyOrder[kind].clear();
    }
    m_eventNames.clear();
    m_events.clear();
    m_links.clear();
    if (m_persistent) {
        for (const char *table : {"entities", "catalog", "events", "links"})
            exec(QStringLiteral("DELETE FROM %1").arg(QLatin1String(table)));
    }
}

QJsonObject SandboxStore::toJson(const Entity &entity)
{
    QJsonObject members;
    for (auto it = entity.members.begin(); it != entity.members.end(); ++it)
        members.insert(QString::number(it.key()), it.value());
    return {{QLatin1String("id"), entity.id},
            {QLatin1String("primary"), entity.primary},
            {QLatin1String("secondary"), entity.secondary},
            {QLatin1String("properties"), entity.properties},
            {QLatin1String("createdAt"), entity.createdAt},
            {QLatin1String("updatedAt"), entity.updatedAt},
            {QLatin1String("members"), members}};
}

SandboxStore::Entity SandboxStore::fromJson(const QJsonObject &json)
{
    Entity entity;
    entity.id = json.value(QLatin1String("id")).toInteger();
    entity.primary = json.value(QLatin1String("primary")).toString();
    entity.secondary = json.value(QLatin1String("secondary")).toString();
    entity.properties = json.value(QLatin1String("properties")).toObject();
    entity.createdAt = json.value(QLatin1String("createdAt")).toString();
    entity.updatedAt = json.value(QLatin1String("updatedAt")).toString();
    const QJsonObject members = json.value(QLatin1String("members")).toObject();
    for (auto it = members.begin(); it != members.end(); ++it)
        entity.members.insert(it.key().toLongLong(), it.value().toBool());
    return entity;
}

void SandboxStore::persistEntity(Kind kind, const Entity &entity)
{
    if (m_persistent)
        exec(QStringLiteral("INSERT OR REPLACE INTO entities (kind, id, json) VALUES (?, ?, ?)"),
             {int(kind), entity.id, QJsonDocument(toJson(entity)).toJson(QJsonDocument::Compact)});
}

void SandboxStore::persistRemoval(Kind kind, qint64 id)
{
    if (m_persistent)
        exec(QStringLiteral("DELETE FROM entities WHERE kind = ? AND id = ?"), {int(kind), id});
}

void SandboxStore::persistCatalog(Kind kind, const QString &name, const QString &type)
{
    if (m_persistent)
        exec(
            QStringLiteral("INSERT OR REPLACE INTO catalog (kind, name, type, position) VALUES (?, ?, ?, ?)"),
            {int(kind), name, type, m_nextId++});
}

void SandboxStore::persistEvent(qint64 id, const QJsonObject &event)
{
    if (m_persistent)
        exec(QStringLiteral("INSERT INTO events (id, json) VALUES (?, ?)"),
             {id, QJsonDocument(event).toJson(QJsonDocument::Compact)});
}

void SandboxStore::persistLink(const QString &deviceId, const QJsonObject &identification)
{
    if (m_persistent)
        exec(QStringLiteral("INSERT OR REPLACE INTO links (device_id, json) VALUES (?, ?)"),
             {deviceId, QJsonDocument(identification).toJson(QJsonDocument::Compact)});
}

const SandboxStore::Entity *SandboxStore::find(Kind kind, const QString &primary,
                                               const QString &secondary) const
{
    const int k = int(kind);
    if (!primary.isEmpty()) {
        const auto it = m_byPrimary[k].constFind(primary);
        if (it != m_byPrimary[k].constEnd())
            return &m_entities[k].find(*it).value();
    }
    if (!secondary.isEmpty()) {
        const auto it = m_bySecondary[k].constFind(secondary.toLower());
        if (it != m_bySecondary[k].constEnd()) {
            const Entity &entity = m_entities[k].find(*it).value();
            // An email or domain that belongs to an entity with another ID is not a match.
            if (primary.isEmpty() || entity.primary.isEmpty())
                return &entity;
        }
    }
    return nullptr;
}

SandboxStore::Entity *SandboxStore::find(Kind kind, const QString &primary, const QString &secondary)
{
    return const_cast<Entity *>(std::as_const(*this).find(kind, primary, secondary));
}

void SandboxStore::index(Kind kind, Entity &entity, const QString &primary, const QString &secondary)
{
    const int k = int(kind);
    if (!primary.isEmpty() && primary != entity.primary) {
        if (!entity.primary.isEmpty())
            m_byPrimary[k].remove(entity.primary);
        entity.primary = primary;
        m_byPrimary[k].insert(primary, entity.id);
    }
    const QString lowered = secondary.toLower();
    if (!lowered.isEmpty() && lowered != entity.secondary) {
        if (!entity.secondary.isEmpty())
            m_bySecondary[k].remove(entity.secondary);
        // The email or domain moves to this entity; whoever had it loses it.
        const auto previous = m_bySecondary[k].constFind(lowered);
        if (previous != m_bySecondary[k].constEnd() && *previous != entity.id) {
            Entity &other = m_entities[k][*previous];
            other.secondary.clear();
            persistEntity(kind, other);
        }
        entity.secondary = lowered;
        m_bySecondary[k].insert(lowered, entity.id);
    }
}

SandboxStore::Entity &SandboxStore::findOrCreate(Kind kind, const QJsonObject &identification)
{
    const QString primary = identification.value(primaryKey(kind)).toString();
    const QString secondary = identification.value(secondaryKey(kind)).toString();
    Entity *entity = find(kind, primary, secondary);
    if (!entity) {
        Entity created;
        created.id = m_nextId++;
        created.createdAt = now();
        entity = &(m_entities[int(kind)][created.id] = created);
    }
    index(kind, *entity, primary, secondary);
    entity->updatedAt = now();
    return *entity;
}

QMap<QString, QString> SandboxStore::upsert(Kind kind, const QJsonObject &identification,
                                            const QJsonObject &properties)
{
    QMap<QString, QString> rejected;
    Entity &entity = findOrCreate(kind, identification);
    const int k = int(kind);
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        if (it.value().isNull()) {
            entity.properties.remove(it.key());
            continue;
        }
        const QString given = valueType(it.value());
        const auto known = m_propertyTypes[k].constFind(it.key());
        const bool isKnown = known != m_propertyTypes[k].constEnd();
        // A property first seen as "" is in the catalog without a type; its first typed value sets it.
        if (!given.isEmpty() && isKnown && !known->isEmpty() && !fits(*known, given)) {
            rejected.insert(
                it.key(),
                QStringLiteral("Expected %1 but found %2.").arg(withArticle(*known), withArticle(given)));
            continue;
        }
        if (!isKnown) {
            m_propertyTypes[k].insert(it.key(), given);
            m_propertyOrder[k].append(it.key());
            persistCatalog(kind, it.key(), given);
        } else if (known->isEmpty() && !given.isEmpty()) {
            m_propertyTypes[k].insert(it.key(), given);
            if (m_persistent) // keeps its place in the catalog's order
                exec(QStringLiteral("UPDATE catalog SET type = ? WHERE kind = ? AND name = ?"),
                     {given, int(kind), it.key()});
        }
        entity.properties.insert(it.key(), it.value());
    }
    entity.properties = compacted(entity.properties);
    persistEntity(kind, entity);
    return rejected;
}

void SandboxStore::remove(Kind kind, const QJsonObject &identification)
{
    const int k = int(kind);
    const Entity *entity = find(kind, identification.value(primaryKey(kind)).toString(),
                                identification.value(secondaryKey(kind)).toString());
    if (!entity)
        return;
    const qint64 id = entity->id;
    m_byPrimary[k].remove(entity->primary);
    m_bySecondary[k].remove(entity->secondary);
    m_entities[k].remove(id);
    persistRemoval(kind, id);
    if (kind == Kind::User) {
        for (Entity &account : m_entities[int(Kind::Account)]) {
            if (account.members.remove(id) > 0)
                persistEntity(Kind::Account, account);
        }
    }
}

void SandboxStore::setMembership(const QJsonObject &account, const QJsonArray &users, bool removed)
{
    // Like journy.io, a membership call for an account or user not seen before creates it.
    Entity &accountEntity = findOrCreate(Kind::Account, account);
    for (const QJsonValue &user : users) {
        const Entity &userEntity =
            findOrCreate(Kind::User, user.toObject().value(QLatin1String("identification")).toObject());
        persistEntity(Kind::User, userEntity);
        accountEntity.members.insert(userEntity.id, removed);
    }
    persistEntity(Kind::Account, accountEntity);
}

void SandboxStore::addEvent(const QJsonObject &body, bool legacyEndpoint)
{
    const QString name = body.value(QLatin1String("name")).toString();
    if (!m_eventNames.contains(name)) {
        m_eventNames.append(name);
        if (m_persistent)
            exec(QStringLiteral(
                     "INSERT OR REPLACE INTO catalog (kind, name, type, position) VALUES (2, ?, '', ?)"),
                 {name, m_nextId++});
    }
    QJsonObject event{
        {QLatin1String("id"), m_nextId++},
        {QLatin1String("name"), name},
        {QLatin1String("identification"), body.value(QLatin1String("identification"))},
        {QLatin1String("metadata"), body.value(QLatin1String("metadata")).toObject()},
        {QLatin1String("triggeredAt"), body.contains(QLatin1String("triggeredAt"))
                                           ? body.value(QLatin1String("triggeredAt")).toString()
                                           : now()},
        {QLatin1String("receivedAt"), now()},
        {QLatin1String("endpoint"), legacyEndpoint ? QLatin1String("/events") : QLatin1String("/track")}};
    m_events.append(event);
    persistEvent(event.value(QLatin1String("id")).toInteger(), event);
}

void SandboxStore::link(const QString &deviceId, const QJsonObject &identification)
{
    m_links.insert(deviceId, identification);
    persistLink(deviceId, identification);
}

QJsonArray SandboxStore::eventCatalog() const
{
    QJsonArray list;
    for (qsizetype i = 0; i < m_eventNames.size(); ++i)
        list.append(QJsonObject{{QLatin1String("id"), QStringLiteral("evt-%1").arg(i + 1)},
                                {QLatin1String("name"), m_eventNames.at(i)}});
    return list;
}

QJsonArray SandboxStore::propertyCatalog(Kind kind) const
{
    QJsonArray list;
    for (const QString &name : m_propertyOrder[int(kind)])
        list.append(QJsonObject{{QLatin1String("name"), name},
                                {QLatin1String("label"), name},
                                {QLatin1String("isComputed"), false}});
    return list;
}

QJsonObject SandboxStore::describe(Kind kind, const Entity &entity, bool withRelations) const
{
    QJsonObject json{
        {primaryKey(kind), entity.primary.isEmpty() ? QJsonValue() : QJsonValue(entity.primary)},
        {secondaryKey(kind), entity.secondary.isEmpty() ? QJsonValue() : QJsonValue(entity.secondary)},
        {QLatin1String("properties"), entity.properties},
        {QLatin1String("createdAt"), entity.createdAt},
        {QLatin1String("updatedAt"), entity.updatedAt}};
    if (!withRelations)
        return json;
    if (kind == Kind::Account) {
        QJsonArray members;
        for (auto it = entity.members.begin(); it != entity.members.end(); ++it) {
            const auto user = m_entities[int(Kind::User)].constFind(it.key());
            if (user == m_entities[int(Kind::User)].constEnd())
                continue;
            QJsonObject member = describe(Kind::User, *user, false);
            member.remove(QLatin1String("properties"));
            member.insert(QLatin1String("removed"), it.value());
            members.append(member);
        }
        json.insert(QLatin1String("members"), members);
    } else {
        QJsonArray accounts;
        for (const Entity &account : m_entities[int(Kind::Account)]) {
            const auto membership = account.members.constFind(entity.id);
            if (membership == account.members.constEnd())
                continue;
            QJsonObject entry = describe(Kind::Account, account, false);
            entry.remove(QLatin1String("properties"));
            entry.insert(QLatin1String("removed"), *membership);
            accounts.append(entry);
        }
        json.insert(QLatin1String("accounts"), accounts);
        QJsonArray devices;
        for (auto it = m_links.begin(); it != m_links.end(); ++it) {
            const QJsonObject id = it.value();
            if ((!entity.primary.isEmpty() &&
                 id.value(QLatin1String("userId")).toString() == entity.primary) ||
                (!entity.secondary.isEmpty() &&
                 id.value(QLatin1String("email")).toString().toLower() == entity.secondary))
                devices.append(it.key());
        }
        json.insert(QLatin1String("devices"), devices);
    }
    json.insert(QLatin1String("kind"), kindName(kind));
    return json;
}

QJsonValue SandboxStore::findUser(const QString &userId, const QString &email) const
{
    const Entity *entity = find(Kind::User, userId, email);
    return entity ? QJsonValue(describe(Kind::User, *entity, true)) : QJsonValue(QJsonValue::Null);
}

QJsonValue SandboxStore::findAccount(const QString &accountId, const QString &domain) const
{
    const Entity *entity = find(Kind::Account, accountId, domain);
    return entity ? QJsonValue(describe(Kind::Account, *entity, true)) : QJsonValue(QJsonValue::Null);
}

QJsonArray SandboxStore::events(const QString &name, const QString &userId, const QString &accountId) const
{
    QJsonArray list;
    for (const QJsonObject &event : m_events) {
        const QJsonObject identification = event.value(QLatin1String("identification")).toObject();
        if (!name.isEmpty() && event.value(QLatin1String("name")).toString() != name)
            continue;
        if (!userId.isEmpty() && identification.value(QLatin1String("user"))
                                         .toObject()
                                         .value(QLatin1String("userId"))
                                         .toString() != userId)
            continue;
        if (!accountId.isEmpty() && identification.value(QLatin1String("account"))
                                            .toObject()
                                            .value(QLatin1String("accountId"))
                                            .toString() != accountId)
            continue;
        list.append(event);
    }
    return list;
}

#pragma once

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <memory>

// What the sandbox holds: users, accounts with their members, events, device links and the
// property and event catalogs. In memory; with open(FILE) also in SQLite, written through on
// every change and read back at start, so state survives restarts.
class SqliteConnection;

class SandboxStore
{
public:
    enum class Kind
    {
        User,
        Account
    };

    SandboxStore();
    ~SandboxStore();
    SandboxStore(const SandboxStore &) = delete;
    SandboxStore &operator=(const SandboxStore &) = delete;

    bool open(const QString &path, QString *error);
    void reset();

    // Merges properties (null deletes one); returns the properties not stored and why.
    QMap<QString, QString> upsert(Kind kind, const QJsonObject &identification,
                                  const QJsonObject &properties);
    void remove(Kind kind, const QJsonObject &identification);
    void setMembership(const QJsonObject &account, const QJsonArray &users, bool removed);
    void addEvent(const QJsonObject &body, bool legacyEndpoint);
    void link(const QString &deviceId, const QJsonObject &identification);

    QJsonArray eventCatalog() const;
    QJsonArray propertyCatalog(Kind kind) const;

    // Inspection (/_sandbox/*): null when nothing matches.
    QJsonValue findUser(const QString &userId, const QString &email) const;
    QJsonValue findAccount(const QString &accountId, const QString &domain) const;
    QJsonArray events(const QString &name, const QString &userId, const QString &accountId) const;
    int count(Kind kind) const { return int(m_entities[int(kind)].size()); }
    int eventCount() const { return int(m_events.size()); }

private:
    class Entity
    {
    public:
        qint64 id = 0;
        QString primary;   // userId / accountId
        QString secondary; // email / domain, lower-cased
        QJsonObject properties;
        QString createdAt;
        QString updatedAt;
        QMap<qint64, bool> members; // accounts: user row id -> removed
    };

    Entity *find(Kind kind, const QString &primary, const QString &secondary);
    const Entity *find(Kind kind, const QString &primary, const QString &secondary) const;
    Entity &findOrCreate(Kind kind, const QJsonObject &identification);
    void index(Kind kind, Entity &entity, const QString &primary, const QString &secondary);
    QJsonObject describe(Kind kind, const Entity &entity, bool withRelations) const;
    static QJsonObject toJson(const Entity &entity);
    static Entity fromJson(const QJsonObject &json);

    void persistEntity(Kind kind, const Entity &entity);
    void persistRemoval(Kind kind, qint64 id);
    void persistCatalog(Kind kind, const QString &name, const QString &type);
    void persistEvent(qint64 id, const QJsonObject &event);
    void persistLink(const QString &deviceId, const QJsonObject &identification);
    bool load(QString *error);
    // Runs one statement; on failure sets *error, or logs a warning when error is null.
    bool exec(const QString &sql, const QVariantList &values = {}, QString *error = nullptr);

    QHash<qint64, Entity> m_entities[2];
    QHash<QString, qint64> m_byPrimary[2];
    QHash<QString, qint64> m_bySecondary[2];
    QMap<QString, QString> m_propertyTypes[2]; // name -> type, in the catalog's order of first sight
    QList<QString> m_propertyOrder[2];
    QList<QString> m_eventNames;
    QList<QJsonObject> m_events;
    QHash<QString, QJsonObject> m_links;
    qint64 m_nextId = 1;

    std::unique_ptr<SqliteConnection> m_connection;
    bool m_persistent = false;
};

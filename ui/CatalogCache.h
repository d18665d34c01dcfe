#pragma once

#include "EventDefinition.h"
#include "PropertyDefinition.h"
#include "SegmentDefinition.h"

#include "ApiOperation.h"

#include <QHash>
#include <QObject>
#include <QStringList>

#include <array>

class ApiResult;
class ConsoleSession;

// The catalog of the active profile (events, user and account properties, segments), fetched
// through the session and kept per profile, so switching back to a profile shows it at once and
// the forms can complete event and property names from it.
class CatalogCache : public QObject
{
    Q_OBJECT
public:
    // The five lists, each fetched by its own GET request.
    enum class List
    {
        Events,
        UserProperties,
        AccountProperties,
        UserSegments,
        AccountSegments,
    };
    Q_ENUM(List)
    static constexpr int ListCount = 5;

    // Fetches the active profile's lists once it is ready, unless they are cached already.
    explicit CatalogCache(ConsoleSession *session, QObject *parent = nullptr);

    // Fetches the five lists for the active profile; changed() follows each answer.
    void refresh();

    // For the active profile: whether the list has been fetched successfully at least once (an
    // empty list then means the project really has none), whether a fetch is running, and why the
    // latest fetch failed (empty after a success). A failed refresh keeps the last good list.
    bool isLoaded(List list) const;
    bool isLoading(List list) const;
    QString error(List list) const;
    // The operation that fetches the list, and the list's name for messages ("User properties").
    static Operation operationFor(List list);
    static QString displayName(List list);

    QList<EventDefinition> events() const;
    QList<PropertyDefinition> userProperties() const;
    QList<PropertyDefinition> accountProperties() const;
    QList<SegmentDefinition> userSegments() const;
    QList<SegmentDefinition> accountSegments() const;

    QStringList eventNames() const;
    QStringList userPropertyNames() const;
    QStringList accountPropertyNames() const;

signals:
    void changed();
    // A list could not be fetched: the message says which and why.
    void failed(const QString &message);

private:
    class ListState
    {
    public:
        bool loaded = false;
        bool loading = false;
        QString error;
        quint64 serial = 0; // the latest fetch; older answers are dropped
    };
    class Entry
    {
    public:
        std::array<ListState, ListCount> states;
        bool fetched = false; // refresh() has sent requests for this profile at least once
        QList<EventDefinition> events;
        QList<PropertyDefinition> userProperties;
        QList<PropertyDefinition> accountProperties;
        QList<SegmentDefinition> userSegments;
        QList<SegmentDefinition> accountSegments;
    };
    const Entry &current() const;
    void fetch(const QString &profileName, List list);
    void store(const QString &profileName, List list, quint64 serial, const ApiResult &result);
    void abandon(const QString &profileName, List list, quint64 serial);
    void onSessionStateChanged();

    ConsoleSession *m_session;
    QHash<QString, Entry> m_byProfile;
    quint64 m_serial = 0;
};

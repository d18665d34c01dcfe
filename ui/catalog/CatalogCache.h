#pragma once

#include "api/EventDefinition.h"
#include "api/PropertyDefinition.h"
#include "api/SegmentDefinition.h"

#include "api/ApiOperation.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QStringList>

#include <array>

class ApiResult;
class ConsoleSession;
class QTimer;
class QWidget;

// The catalog of the active profile (events, user and account properties, segments), fetched
// through the session and kept per profile, so switching back to a profile shows it at once and
// the forms can complete event and property names from it. A list is fetched only once something
// shows it or completes from it (ensure()): every list costs a request of the key's rate limit,
// and the console's start-up spends at most two (the key check and the list in view). A
// successful track or upsert that sent a name the list does not have makes the list stale; it is
// fetched again once such requests pause (a bulk import causes one fetch, after it).
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

    // How long the stream of tracks and upserts must pause before a stale list is fetched again.
    static constexpr int StaleRefetchDelayMs = 1500;

    explicit CatalogCache(ConsoleSession *session, QObject *parent = nullptr);

    // Fetches the five lists for the active profile; changed() follows each answer.
    void refresh();
    // The list is wanted: fetched for the active profile when it has not been (or is stale), now
    // or once the profile is ready, and for every profile activated later.
    void ensure(List list);
    // ensure(list) each time widget is shown: a form that completes names from the list.
    void ensureWhenShown(QWidget *widget, List list);

    // For the active profile: whether the list has been fetched successfully at least once (an
    // empty list then means the project really has none), whether a fetch is running, and why the
    // latest fetch failed (empty after a success). A failed refresh keeps the last good list.
    bool isLoaded(List list) const;
    bool isLoading(List list) const;
    QString error(List list) const;
    // When the list shown was last fetched successfully (local time); invalid before.
    QDateTime fetchedAt(List list) const;
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

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    class ListState
    {
    public:
        bool loaded = false;
        bool loading = false;
        bool requested = false; // a fetch was sent for this profile (and not abandoned)
        bool stale = false;     // a request since then may have added a name
        QString error;
        QDateTime fetchedAt;
        quint64 serial = 0; // the latest fetch; older answers are dropped
    };
    class Entry
    {
    public:
        std::array<ListState, ListCount> states;
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
    // Fetches the active profile's wanted lists that were never fetched or are stale.
    void fetchWanted();
    // A result of the session: a successful track or upsert may have added a name.
    void noteResult(const QString &profileName, const ApiResult &result);

    ConsoleSession *m_session;
    QHash<QString, Entry> m_byProfile;
    std::array<bool, ListCount> m_wanted{};
    QMultiHash<QObject *, List> m_watched; // widgets whose showing wants lists
    QTimer *m_staleTimer;
    quint64 m_serial = 0;
};

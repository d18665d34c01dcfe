#include "ui/catalog/CatalogCache.h"

#include "api/ApiReply.h"
#include "api/ApiRequest.h"
#include "api/ApiResult.h"
#include "ui/session/ConsoleSession.h"

#include <QEvent>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QWidget>

namespace {

constexpr std::array<CatalogCache::List, CatalogCache::ListCount> allLists = {
    CatalogCache::List::Events, CatalogCache::List::UserProperties, CatalogCache::List::AccountProperties,
    CatalogCache::List::UserSegments, CatalogCache::List::AccountSegments};

int indexOf(CatalogCache::List list)
{
    return static_cast<int>(list);
}

// The names of events or properties, in the server's order.
template <typename Definition> QStringList namesOf(const QList<Definition> &definitions)
{
    QStringList names;
    names.reserve(definitions.size());
    for (const Definition &definition : definitions)
        names.append(definition.name);
    return names;
}

} // namespace

CatalogCache::CatalogCache(ConsoleSession *session, QObject *parent)
    : QObject(parent), m_session(session), m_staleTimer(new QTimer(this))
{
    m_staleTimer->setSingleShot(true);
    m_staleTimer->setInterval(StaleRefetchDelayMs);
    connect(m_staleTimer, &QTimer::timeout, this, &CatalogCache::fetchWanted);
    connect(m_session, &ConsoleSession::stateChanged, this, &CatalogCache::onSessionStateChanged);
    connect(m_session, &ConsoleSession::requestFinished, this, &CatalogCache::noteResult);
}

Operation CatalogCache::operationFor(List list)
{
    switch (list) {
    case List::Events:
        return Operation::ListEvents;
    case List::UserProperties:
        return Operation::ListUserProperties;
    case List::AccountProperties:
        return Operation::ListAccountProperties;
    case List::UserSegments:
        return Operation::ListUserSegments;
    case List::AccountSegments:
        return Operation::ListAccountSegments;
    }
    return Operation::ListEvents;
}

QString CatalogCache::displayName(List list)
{
    switch (list) {
    case List::Events:
        return tr("Events");
    case List::UserProperties:
        return tr("User properties");
    case List::AccountProperties:
        return tr("Account properties");
    case List::UserSegments:
        return tr("User segments");
    case List::AccountSegments:
        return tr("Account segments");
    }
    return QString();
}

const CatalogCache::Entry &CatalogCache::current() const
{
    static const Entry empty;
    const auto found = m_byProfile.constFind(m_session->profile().name);
    return found == m_byProfile.constEnd() ? empty : *found;
}

void CatalogCache::onSessionStateChanged()
{
    // A profile switch passes through Connecting: the views then show the new profile's cached
    // lists at once, before (and whether or not) its key is found.
    emit changed();
    fetchWanted();
}

void CatalogCache::refresh()
{
    const QString profileName = m_session->profile().name;
    for (List list : allLists) {
        m_wanted[indexOf(list)] = true;
        fetch(profileName, list);
    }
    emit changed();
}

void CatalogCache::ensure(List list)
{
    m_wanted[indexOf(list)] = true;
    fetchWanted();
}

void CatalogCache::ensureWhenShown(QWidget *widget, List list)
{
    if (!m_watched.contains(widget)) {
        widget->installEventFilter(this);
        connect(widget, &QObject::destroyed, this, [this, widget] { m_watched.remove(widget); });
    }
    m_watched.insert(widget, list);
    if (widget->isVisible())
        ensure(list);
}

bool CatalogCache::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Show) {
        for (List list : m_watched.values(watched))
            m_wanted[indexOf(list)] = true;
        fetchWanted();
    }
    return QObject::eventFilter(watched, event);
}

void CatalogCache::fetchWanted()
{
    if (m_session->state() != ConsoleSession::State::Ready)
        return;
    const QString profileName = m_session->profile().name;
    bool fetched = false;
    for (List list : allLists) {
        const ListState &state = m_byProfile[profileName].states[indexOf(list)];
        if (m_wanted[indexOf(list)] && (!state.requested || (state.stale && !m_staleTimer->isActive()))) {
            fetch(profileName, list);
            fetched = true;
        }
    }
    if (fetched)
        emit changed();
}

void CatalogCache::noteResult(const QString &profileName, const ApiResult &result)
{
    if (!result.ok())
        return;
    List list = List::Events;
    QStringList sent;
    const QJsonObject body = QJsonDocument::fromJson(result.requestBody).object();
    switch (result.operation) {
    case Operation::TrackEvent:
    case Operation::TrackLegacyEvent:
        list = List::Events;
        sent = QStringList{body.value(QLatin1String("name")).toString()};
        break;
    case Operation::UpsertUser:
    case Operation::UpsertAccount: {
        list = result.operation == Operation::UpsertUser ? List::UserProperties : List::AccountProperties;
        // A property sent as null is deleted, not added; one the server rejected was not stored.
        const QJsonObject properties = body.value(QLatin1String("properties")).toObject();
        for (auto it = properties.constBegin(); it != properties.constEnd(); ++it) {
            if (!it.value().isNull() && !result.rejected.contains(it.key()))
                sent.append(it.key());
        }
        break;
    }
    default:
        return;
    }
    const auto found = m_byProfile.find(profileName);
    if (found == m_byProfile.end() || !found->states[indexOf(list)].requested)
        return; // never fetched: it will be fetched whole when wanted
    QStringList known;
    switch (list) {
    case List::Events:
        known = namesOf(found->events);
        break;
    case List::UserProperties:
        known = namesOf(found->userProperties);
        break;
    default:
        known = namesOf(found->accountProperties);
        break;
    }
    for (const QString &name : std::as_const(sent)) {
        if (!name.isEmpty() && !known.contains(name)) {
            found->states[indexOf(list)].stale = true;
            // Restarted by every such request: a burst of them (a bulk import) is followed by one
            // fetch, once it pauses.
            m_staleTimer->start();
            return;
        }
    }
}

void CatalogCache::fetch(const QString &profileName, List list)
{
    const quint64 serial = ++m_serial;
    ListState &sent = m_byProfile[profileName].states[indexOf(list)];
    sent.serial = serial;
    sent.requested = m_session->state() == ConsoleSession::State::Ready;
    sent.stale = false;
    ApiRequest request = ApiRequest::raw(operationFor(list), QJsonObject());
    request.background = true; // the console's own call: History hides it unless asked
    ApiReply *reply = m_session->send(request);
    ListState &state = m_byProfile[profileName].states[indexOf(list)];
    if (!reply) {
        state.loading = false;
        const QString why =
            m_session->problem().isEmpty() ? tr("the profile is not connected yet") : m_session->problem();
        state.error = tr("%1 could not be loaded: %2").arg(displayName(list), why);
        emit failed(state.error);
        return;
    }
    state.loading = true;
    connect(reply, &ApiReply::finished, this,
            [this, reply, profileName, list, serial](const ApiResult &result) {
                reply->deleteLater();
                store(profileName, list, serial, result);
            });
    // A profile switch deletes the session's client and with it any reply still running, without
    // finished(): the list must not stay "loading" forever.
    connect(reply, &QObject::destroyed, this,
            [this, profileName, list, serial] { abandon(profileName, list, serial); });
}

void CatalogCache::store(const QString &profileName, List list, quint64 serial, const ApiResult &result)
{
    Entry &entry = m_byProfile[profileName];
    ListState &state = entry.states[indexOf(list)];
    if (state.serial != serial)
        return;
    state.loading = false;

    bool shaped = false;
    if (result.ok()) {
        switch (list) {
        case List::Events:
            if (const auto events = result.events()) {
                entry.events = *events;
                shaped = true;
            }
            break;
        case List::UserProperties:
        case List::AccountProperties:
            if (const auto properties = result.properties()) {
                (list == List::UserProperties ? entry.userProperties : entry.accountProperties) = *properties;
                shaped = true;
            }
            break;
        case List::UserSegments:
        case List::AccountSegments:
            if (const auto segments = result.segments()) {
                (list == List::UserSegments ? entry.userSegments : entry.accountSegments) = *segments;
                shaped = true;
            }
            break;
        }
    }

    if (shaped) {
        state.loaded = true;
        state.error.clear();
        state.fetchedAt = QDateTime::currentDateTime();
    } else {
        // summary() carries the status and the server's own message, e.g. the 401 naming the
        // permission the key lacks.
        state.error = result.ok() ? tr("%1 could not be read: the answer does not have the shape the API "
                                       "describes (requestId %2).")
                                        .arg(displayName(list), result.requestId)
                                  : tr("%1 could not be loaded: %2").arg(displayName(list), result.summary());
    }
    const bool active = profileName == m_session->profile().name;
    if (active && !shaped)
        emit failed(state.error);
    emit changed();
}

void CatalogCache::abandon(const QString &profileName, List list, quint64 serial)
{
    const auto found = m_byProfile.find(profileName);
    if (found == m_byProfile.end())
        return;
    ListState &state = found->states[indexOf(list)];
    if (state.serial != serial || !state.loading)
        return;
    state.loading = false;
    // Fetch again when the profile is next ready: the answer never came.
    state.requested = false;
    emit changed();
}

bool CatalogCache::isLoaded(List list) const
{
    return current().states[indexOf(list)].loaded;
}

bool CatalogCache::isLoading(List list) const
{
    return current().states[indexOf(list)].loading;
}

QString CatalogCache::error(List list) const
{
    return current().states[indexOf(list)].error;
}

QDateTime CatalogCache::fetchedAt(List list) const
{
    return current().states[indexOf(list)].fetchedAt;
}

QList<EventDefinition> CatalogCache::events() const
{
    return current().events;
}

QList<PropertyDefinition> CatalogCache::userProperties() const
{
    return current().userProperties;
}

QList<PropertyDefinition> CatalogCache::accountProperties() const
{
    return current().accountProperties;
}

QList<SegmentDefinition> CatalogCache::userSegments() const
{
    return current().userSegments;
}

QList<SegmentDefinition> CatalogCache::accountSegments() const
{
    return current().accountSegments;
}

QStringList CatalogCache::eventNames() const
{
    return namesOf(current().events);
}

QStringList CatalogCache::userPropertyNames() const
{
    return namesOf(current().userProperties);
}

QStringList CatalogCache::accountPropertyNames() const
{
    return namesOf(current().accountProperties);
}

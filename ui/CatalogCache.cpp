#include "CatalogCache.h"

#include "ApiReply.h"
#include "ApiRequest.h"
#include "ApiResult.h"
#include "ConsoleSession.h"

namespace {

constexpr std::array<CatalogCache::List, CatalogCache::ListCount> allLists = {
    CatalogCache::List::Events, CatalogCache::List::UserProperties, CatalogCache::List::AccountProperties,
    CatalogCache::List::UserSegments, CatalogCache::List::AccountSegments};

int indexOf(CatalogCache::List list)
{
    return static_cast<int>(list);
}

QStringList namesOf(const QList<PropertyDefinition> &properties)
{
    QStringList names;
    names.reserve(properties.size());
    for (const PropertyDefinition &property : properties)
        names.append(property.name);
    return names;
}

} // namespace

CatalogCache::CatalogCache(ConsoleSession *session, QObject *parent) : QObject(parent), m_session(session)
{
    connect(m_session, &ConsoleSession::stateChanged, this, &CatalogCache::onSessionStateChanged);
    // A cache made after the session connected (a page opened later) still fills itself.
    if (m_session->state() == ConsoleSession::State::Ready)
        onSessionStateChanged();
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
    if (m_session->state() == ConsoleSession::State::Ready && !current().fetched)
        refresh();
}

void CatalogCache::refresh()
{
    const QString profileName = m_session->profile().name;
    m_byProfile[profileName].fetched = m_session->state() == ConsoleSession::State::Ready;
    for (List list : allLists)
        fetch(profileName, list);
    emit changed();
}

void CatalogCache::fetch(const QString &profileName, List list)
{
    const quint64 serial = ++m_serial;
    m_byProfile[profileName].states[indexOf(list)].serial = serial;
    ApiReply *reply = m_session->send(ApiRequest::raw(operationFor(list), QJsonObject()));
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
    found->fetched = false;
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
    QStringList names;
    for (const EventDefinition &event : current().events)
        names.append(event.name);
    return names;
}

QStringList CatalogCache::userPropertyNames() const
{
    return namesOf(current().userProperties);
}

QStringList CatalogCache::accountPropertyNames() const
{
    return namesOf(current().accountProperties);
}

#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

// A request the user kept by name ("Save as…" on a form): the operation and the body exactly as
// the form would send it, for one profile or for all. Plain data: never a key or a secret (those
// live in the keychain, and a body has no place for them).
class SavedRequest
{
public:
    QString name;
    QString operation; // the spec's operationId, e.g. "trackEvent"; an operation with a body
    QJsonObject body;
    QString profile; // the profile it belongs to; empty: every profile
    QDateTime created;
    QDateTime updated;

    bool forAllProfiles() const { return profile.isEmpty(); }
    // Shown in the Saved list of profileName: its own and the all-profiles ones.
    bool visibleTo(const QString &profileName) const { return forAllProfiles() || profile == profileName; }
    // Two requests one Saved list would show side by side under the same name.
    bool clashesWith(const QString &otherName, const QString &otherProfile) const
    {
        return name == otherName && (forAllProfiles() || otherProfile.isEmpty() || profile == otherProfile);
    }

    bool operator==(const SavedRequest &other) const
    {
        return name == other.name && operation == other.operation && body == other.body &&
               profile == other.profile && created == other.created && updated == other.updated;
    }
    bool operator!=(const SavedRequest &other) const { return !(*this == other); }
};

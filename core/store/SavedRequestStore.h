#pragma once

#include "store/SavedRequest.h"

#include <QList>
#include <QObject>
#include <QStringList>

#include <functional>

// The saved requests of the console, in one JSON file (defaultPath(), 0600 in the 0700 data
// folder). The file and an export share one small format, so a colleague's export can be
// imported and the file itself read by hand:
//
//   {"format": "journy-console saved requests", "version": 1,
//    "requests": [{"name": "Trial ends", "operation": "trackEvent", "profile": "Staging",
//                  "body": {...}, "created": "2026-12-04T08:00:00.000Z", "updated": "..."}]}
//
// "profile" is null for a request shown under every profile. Nothing else is written: no key,
// no secret. Every change reads the file again first, so two consoles open on it keep each
// other's changes; a file that cannot be read is never overwritten (its requests stay on disk).
class SavedRequestStore : public QObject
{
    Q_OBJECT
public:
    explicit SavedRequestStore(const QString &path, QObject *parent = nullptr);

    static QString defaultPath();
    QString path() const { return m_path; }

    // Reads the file (none yet: no requests); false with *error when it cannot be read.
    bool load(QString *error);
    // The reason the file could not be read at the last load(), empty when it could.
    QString loadError() const { return m_loadError; }

    QList<SavedRequest> all() const { return m_requests; }
    // The profile's own requests and the all-profiles ones, by name.
    QList<SavedRequest> visibleTo(const QString &profile) const;
    // The stored request a new one named name for profile ("" for all) would be listed beside.
    const SavedRequest *clash(const QString &name, const QString &profile) const;

    // Stores request. A request with the same name and profile is replaced (its creation time is
    // kept); a clash with another scope's request is refused, naming it.
    bool save(const SavedRequest &request, QString *error);
    // Renames (and re-scopes) the request named name for profile; refused on a clash.
    bool rename(const QString &name, const QString &profile, const QString &newName,
                const QString &newProfile, QString *error);
    bool remove(const QString &name, const QString &profile, QString *error);

    // The file format, for the store's file and exports.
    static QByteArray toJson(const QList<SavedRequest> &requests);
    // Reads the format; false with *error naming what is wrong (e.g. "requests[2].operation:
    // unknown operation \"trackEvnt\"") and requests untouched.
    static bool fromJson(const QByteArray &json, QList<SavedRequest> *requests, QString *error);

    // Writes requests to a file the user chose (0600).
    static bool exportTo(const QString &path, const QList<SavedRequest> &requests, QString *error);
    // Adds every request of an exported file, or none: the whole file is checked first. A name
    // that clashes is imported as "name (2)" (then 3, ...) and listed in *renamed as
    // "old → new"; *imported is how many were added.
    bool importFrom(const QString &path, int *imported, QStringList *renamed, QString *error);

signals:
    void changed();

private:
    // Re-reads the file, applies change to the list, writes it; nothing changes when any step fails.
    bool update(const std::function<bool(QList<SavedRequest> *requests, QString *error)> &change,
                QString *error);
    static bool readFile(const QString &path, QList<SavedRequest> *requests, QString *error);
    static bool writeFile(const QString &path, const QList<SavedRequest> &requests, QString *error);

    QString m_path;
    QString m_loadError;
    QList<SavedRequest> m_requests;
};

#include "store/SavedRequestStore.h"

#include "api/ApiOperation.h"
#include "api/RequestValidator.h"
#include "store/AppPaths.h"
#include "store/PrivateFile.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>

namespace {

const QString formatName = QStringLiteral("journy-console saved requests");
constexpr int formatVersion = 1;
// A saved-requests file is a few kilobytes; a huge one is a wrong file, not one to read whole.
constexpr qint64 maxFileSize = 16 * 1024 * 1024;

QString timeText(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString wrongType(const QString &path, const QString &expected, const QJsonValue &value)
{
    return QStringLiteral("%1: expected %2, found %3")
        .arg(path, expected, RequestValidator::jsonTypeName(value));
}

// An optional time field: absent means now (a file written by hand); anything else must be ISO 8601.
bool readTime(const QJsonObject &object, const QString &key, const QString &path, QDateTime *time,
              QString *error)
{
    const QJsonValue value = object.value(key);
    if (value.isUndefined()) {
        *time = QDateTime::currentDateTimeUtc();
        return true;
    }
    if (!value.isString()) {
        *error = wrongType(path, QStringLiteral("an ISO 8601 date-time string"), value);
        return false;
    }
    *time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time->isValid()) {
        *error = QStringLiteral("%1: \"%2\" is not an ISO 8601 date-time").arg(path, value.toString());
        return false;
    }
    *time = time->toUTC();
    return true;
}

bool readRequest(const QJsonValue &item, const QString &path, SavedRequest *request, QString *error)
{
    if (!item.isObject()) {
        *error = wrongType(path, QStringLiteral("an object"), item);
        return false;
    }
    const QJsonObject object = item.toObject();
    const QJsonValue name = object.value(QLatin1String("name"));
    if (!name.isString()) {
        *error = wrongType(path + QStringLiteral(".name"), QStringLiteral("a string"), name);
        return false;
    }
    request->name = name.toString().trimmed();
    if (request->name.isEmpty()) {
        *error = QStringLiteral("%1.name: empty").arg(path);
        return false;
    }
    const QJsonValue operation = object.value(QLatin1String("operation"));
    if (!operation.isString()) {
        *error = wrongType(path + QStringLiteral(".operation"), QStringLiteral("a string"), operation);
        return false;
    }
    const ApiOperation *info = ApiOperation::byOperationId(operation.toString());
    // Only the forms' operations (those with a body) can be saved, and so imported.
    if (!info || !info->hasBody) {
        *error = QStringLiteral("%1.operation: unknown operation \"%2\" (a saved request is one of "
                                "the forms' operations, e.g. upsertUser, trackEvent)")
                     .arg(path, operation.toString());
        return false;
    }
    request->operation = info->operationId;
    const QJsonValue body = object.value(QLatin1String("body"));
    if (!body.isObject()) {
        *error = wrongType(path + QStringLiteral(".body"), QStringLiteral("an object"), body);
        return false;
    }
    request->body = body.toObject();
    const QJsonValue profile = object.value(QLatin1String("profile"));
    if (!profile.isString() && !profile.isNull()) {
        *error = wrongType(path + QStringLiteral(".profile"),
                           QStringLiteral("a profile name, or null for every profile"), profile);
        return false;
    }
    request->profile = profile.toString();
    return readTime(object, QStringLiteral("created"), path + QStringLiteral(".created"), &request->created,
                    error) &&
           readTime(object, QStringLiteral("updated"), path + QStringLiteral(".updated"), &request->updated,
                    error);
}

bool lessByName(const SavedRequest &a, const SavedRequest &b)
{
    const int order = a.name.localeAwareCompare(b.name);
    return order != 0 ? order < 0 : a.profile < b.profile;
}

// Another request of requests (not the one at except) that one named name for profile clashes with.
const SavedRequest *findClash(const QList<SavedRequest> &requests, const QString &name,
                              const QString &profile, int except = -1)
{
    for (int i = 0; i < requests.size(); ++i) {
        if (i != except && requests.at(i).clashesWith(name, profile))
            return &requests.at(i);
    }
    return nullptr;
}

QString clashText(const SavedRequest &existing)
{
    return existing.forAllProfiles()
               ? QStringLiteral("A saved request named \"%1\" exists for all profiles").arg(existing.name)
               : QStringLiteral("A saved request named \"%1\" exists for the profile %2")
                     .arg(existing.name, existing.profile);
}

int indexOf(const QList<SavedRequest> &requests, const QString &name, const QString &profile)
{
    for (int i = 0; i < requests.size(); ++i) {
        if (requests.at(i).name == name && requests.at(i).profile == profile)
            return i;
    }
    return -1;
}

QString notFound(const QString &name)
{
    return QStringLiteral("No saved request named \"%1\" (another console may have removed it)").arg(name);
}

} // namespace

SavedRequestStore::SavedRequestStore(const QString &path, QObject *parent) : QObject(parent), m_path(path) {}

QString SavedRequestStore::defaultPath()
{
    return AppPaths::dataDir() + QStringLiteral("/saved-requests.json");
}

bool SavedRequestStore::load(QString *error)
{
    // A file copied in with the umask's 0644 is tightened here, as the other data files are.
    if (QFile::exists(m_path) && !PrivateFile::prepare(m_path, error)) {
        m_loadError = *error;
        return false;
    }
    QList<SavedRequest> requests;
    if (!readFile(m_path, &requests, error)) {
        m_loadError = *error;
        return false;
    }
    m_loadError.clear();
    m_requests = requests;
    emit changed();
    return true;
}

QList<SavedRequest> SavedRequestStore::visibleTo(const QString &profile) const
{
    QList<SavedRequest> list;
    for (const SavedRequest &request : m_requests) {
        if (request.visibleTo(profile))
            list.append(request);
    }
    return list;
}

const SavedRequest *SavedRequestStore::clash(const QString &name, const QString &profile) const
{
    return findClash(m_requests, name.trimmed(), profile);
}

bool SavedRequestStore::save(const SavedRequest &request, QString *error)
{
    SavedRequest saved = request;
    saved.name = saved.name.trimmed();
    if (saved.name.isEmpty()) {
        *error = QStringLiteral("A saved request needs a name");
        return false;
    }
    const ApiOperation *info = ApiOperation::byOperationId(saved.operation);
    if (!info || !info->hasBody) {
        *error = QStringLiteral("\"%1\" is not an operation a form sends").arg(saved.operation);
        return false;
    }
    return update(
        [&saved](QList<SavedRequest> *requests, QString *why) {
            const int same = indexOf(*requests, saved.name, saved.profile);
            if (const SavedRequest *other = findClash(*requests, saved.name, saved.profile, same)) {
                *why = clashText(*other) + QStringLiteral("; choose another name");
                return false;
            }
            saved.updated = QDateTime::currentDateTimeUtc();
            if (same >= 0) {
                saved.created = requests->at(same).created;
                (*requests)[same] = saved;
            } else {
                saved.created = saved.updated;
                requests->append(saved);
            }
            return true;
        },
        error);
}

bool SavedRequestStore::rename(const QString &name, const QString &profile, const QString &newName,
                               const QString &newProfile, QString *error)
{
    const QString trimmed = newName.trimmed();
    if (trimmed.isEmpty()) {
        *error = QStringLiteral("A saved request needs a name");
        return false;
    }
    return update(
        [&](QList<SavedRequest> *requests, QString *why) {
            const int index = indexOf(*requests, name, profile);
            if (index < 0) {
                *why = notFound(name);
                return false;
            }
            if (const SavedRequest *other = findClash(*requests, trimmed, newProfile, index)) {
                *why = clashText(*other) + QStringLiteral("; choose another name");
                return false;
            }
            SavedRequest &request = (*requests)[index];
            request.name = trimmed;
            request.profile = newProfile;
            request.updated = QDateTime::currentDateTimeUtc();
            return true;
        },
        error);
}

bool SavedRequestStore::remove(const QString &name, const QString &profile, QString *error)
{
    return update(
        [&](QList<SavedRequest> *requests, QString *why) {
            const int index = indexOf(*requests, name, profile);
            if (index < 0) {
                *why = notFound(name);
                return false;
            }
            requests->removeAt(index);
            return true;
        },
        error);
}

bool SavedRequestStore::importFrom(const QString &path, int *imported, QStringList *renamed, QString *error)
{
    if (!QFile::exists(path)) {
        *error = QStringLiteral("%1: no such file").arg(path);
        return false;
    }
    QList<SavedRequest> incoming;
    if (!readFile(path, &incoming, error))
        return false;
    QStringList renames;
    const bool ok = update(
        [&](QList<SavedRequest> *requests, QString *) {
            renames.clear();
            for (SavedRequest request : incoming) {
                const QString original = request.name;
                // Nothing is overwritten: a clash keeps both, the new one numbered, and says so.
                for (int n = 2; findClash(*requests, request.name, request.profile); ++n)
                    request.name = QStringLiteral("%1 (%2)").arg(original).arg(n);
                if (request.name != original)
                    renames << QStringLiteral("%1 → %2").arg(original, request.name);
                requests->append(request);
            }
            return true;
        },
        error);
    if (ok) {
        *imported = incoming.size();
        *renamed = renames;
    }
    return ok;
}

bool SavedRequestStore::update(const std::function<bool(QList<SavedRequest> *, QString *)> &change,
                               QString *error)
{
    QList<SavedRequest> requests;
    if (!readFile(m_path, &requests, error)) {
        m_loadError = *error;
        *error =
            QStringLiteral("%1 — nothing was changed, so that its saved requests are not lost").arg(*error);
        return false;
    }
    m_loadError.clear();
    if (!change(&requests, error)) {
        // The re-read list is still the file's newest state.
        m_requests = requests;
        emit changed();
        return false;
    }
    std::stable_sort(requests.begin(), requests.end(), lessByName);
    if (!writeFile(m_path, requests, error))
        return false;
    m_requests = requests;
    emit changed();
    return true;
}

QByteArray SavedRequestStore::toJson(const QList<SavedRequest> &requests)
{
    QJsonArray list;
    for (const SavedRequest &request : requests) {
        QJsonObject object;
        object.insert(QStringLiteral("name"), request.name);
        object.insert(QStringLiteral("operation"), request.operation);
        object.insert(QStringLiteral("profile"),
                      request.forAllProfiles() ? QJsonValue(QJsonValue::Null) : QJsonValue(request.profile));
        object.insert(QStringLiteral("body"), request.body);
        // A request never stored has no times; left out, an import takes them as now.
        if (request.created.isValid())
            object.insert(QStringLiteral("created"), timeText(request.created));
        if (request.updated.isValid())
            object.insert(QStringLiteral("updated"), timeText(request.updated));
        list.append(object);
    }
    QJsonObject root;
    root.insert(QStringLiteral("format"), formatName);
    root.insert(QStringLiteral("version"), formatVersion);
    root.insert(QStringLiteral("requests"), list);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool SavedRequestStore::fromJson(const QByteArray &json, QList<SavedRequest> *requests, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("not valid JSON: %1 at character %2")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("not a saved-requests file: expected a JSON object with \"format\": \"%1\"")
                     .arg(formatName);
        return false;
    }
    const QJsonObject root = document.object();
    if (root.value(QLatin1String("format")).toString() != formatName) {
        *error = QStringLiteral("format: expected \"%1\", found %2")
                     .arg(formatName,
                          root.value(QLatin1String("format")).isString()
                              ? QStringLiteral("\"%1\"").arg(root.value(QLatin1String("format")).toString())
                              : RequestValidator::jsonTypeName(root.value(QLatin1String("format"))));
        return false;
    }
    const QJsonValue version = root.value(QLatin1String("version"));
    if (!version.isDouble() || version.toDouble() != formatVersion) {
        *error = version.isDouble()
                     ? QStringLiteral("version: %1 is not a version this console reads (it reads %2)")
                           .arg(version.toDouble())
                           .arg(formatVersion)
                     : wrongType(QStringLiteral("version"), QStringLiteral("a number"), version);
        return false;
    }
    const QJsonValue list = root.value(QLatin1String("requests"));
    if (!list.isArray()) {
        *error = wrongType(QStringLiteral("requests"), QStringLiteral("a list"), list);
        return false;
    }
    QList<SavedRequest> read;
    const QJsonArray array = list.toArray();
    for (int i = 0; i < array.size(); ++i) {
        SavedRequest request;
        if (!readRequest(array.at(i), QStringLiteral("requests[%1]").arg(i), &request, error))
            return false;
        read.append(request);
    }
    *requests = read;
    return true;
}

bool SavedRequestStore::readFile(const QString &path, QList<SavedRequest> *requests, QString *error)
{
    QFile file(path);
    if (!file.exists()) {
        requests->clear();
        return true;
    }
    if (file.size() > maxFileSize) {
        *error =
            QStringLiteral("%1: %2 bytes, too large for a saved-requests file").arg(path).arg(file.size());
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QString why;
    if (!fromJson(file.readAll(), requests, &why)) {
        *error = QStringLiteral("%1: %2").arg(path, why);
        return false;
    }
    return true;
}

bool SavedRequestStore::writeFile(const QString &path, const QList<SavedRequest> &requests, QString *error)
{
    // The data folder 0700; the file 0600 through openForWriting (it replaces the old file whole).
    if (!PrivateFile::makeFolder(QFileInfo(path).absolutePath(), error))
        return false;
    return exportTo(path, requests, error);
}

bool SavedRequestStore::exportTo(const QString &path, const QList<SavedRequest> &requests, QString *error)
{
    QSaveFile file(path);
    if (!PrivateFile::openForWriting(&file, error))
        return false;
    file.write(toJson(requests));
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

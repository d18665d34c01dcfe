#pragma once

#include "store/HistoryEntry.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrlQuery>

#include <memory>
#include <optional>

class ApiResult;
class SqliteConnection;

// The console's history of requests in SQLite (HistoryStore::defaultPath(), under the data folder
// the CLI shares): one row per request sent, with its bodies. Each instance has its own QtSql
// connection, so a test can open several files. Not thread-safe: use it from one thread.
class HistoryStore
{
public:
    // What load() reads: the table's columns only, or the bodies and headers too. The history
    // page keeps summaries in memory and reads one entry's bodies when it is shown.
    enum class Detail
    {
        Summary,
        Full
    };

    HistoryStore();
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    // Opens (creating when missing) the database at path; false with *error when it cannot.
    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_open; }
    QString path() const { return m_path; }
    void close();
    // The reason of the last failed call, for the page's status line.
    QString lastError() const { return m_lastError; }

    // Stores the entry (its id is ignored) and returns its new id; -1 when it could not be stored.
    qint64 append(const HistoryEntry &entry);
    // Every entry, oldest first, with bodies.
    QList<HistoryEntry> all() const;
    // Up to limit entries with an id above afterId, oldest first: paged loading that stays
    // correct while entries are appended.
    QList<HistoryEntry> load(qint64 afterId, int limit, Detail detail) const;
    // One entry with its bodies; std::nullopt when there is no such id.
    std::optional<HistoryEntry> entry(qint64 id) const;
    // The entries with these ids, with bodies, in the order of ids; unknown ids are left out.
    QList<HistoryEntry> entries(const QList<qint64> &ids) const;
    // Replaces the note of the entry with this id (cleaned, see cleanNote()); false when there is
    // no such entry or it cannot be written.
    bool setNote(qint64 id, const QString &note);
    qint64 count() const;
    // Deletes every entry (ids are not reused afterwards).
    bool clear();

    // The history file in the data folder the console and the CLI share.
    static QString defaultPath();
    // The entry for a result of a request sent to profile, timed now (UTC).
    static HistoryEntry fromResult(const QString &profile, const ApiResult &result);
    // The one-line summary of who or what a request is about, from its body and query.
    static QString identificationOf(const QJsonObject &body, const QUrlQuery &query);
    // "Name: value" lines with any X-Api-Key value replaced: the client never puts the key in a
    // result, but a header list from elsewhere could carry it.
    // A note as it is stored and shown: one line, control characters out, spaces collapsed.
    static QString cleanNote(const QString &note);
    static QByteArray formatHeaders(const QList<QPair<QByteArray, QByteArray>> &headers);
    static QByteArray redactHeaders(const QByteArray &headerLines);

private:
    bool exec(const QString &sql, QString *error = nullptr) const;
    bool hasColumn(const QString &column) const;
    // The schema grows by columns added when missing, never by a version number: files of older
    // builds are brought up to date on open, and adding columns in any order stays safe.
    bool addColumnIfMissing(const QString &column, const QString &definition, QString *error);
    void setError(const QString &error) const;

    std::unique_ptr<SqliteConnection> m_connection;
    QString m_path;
    bool m_open = false;
    mutable QString m_lastError;
};

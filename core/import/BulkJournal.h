#pragma once

#include "import/ImportKind.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <memory>

class QSqlQuery;
class SqliteConnection;

// The state of every import job and every row in SQLite, written as it changes, so a job killed
// at any moment (kill -9, power loss) resumes where it stopped: nothing lost, and rows that were
// in flight are sent again (and, for events, reported as possibly duplicated).
class BulkJournal
{
public:
    enum class RowState
    {
        Pending,
        InFlight,
        Done,
        Failed
    };

    class Job
    {
    public:
        qint64 id = 0;
        ImportKind kind;
        QString file;
        QStringList headers;
        QString mappingJson;
        QString profile; // the profile or base URL the job sends to (never a key)
        QDateTime createdAt;
        bool finished = false;
        // The file's identity when the job was made, so that a resume can tell it is the same
        // file: its size (-1: not recorded, a job journaled by hand) and SHA-256 (hex).
        qint64 fileSize = -1;
        QString fileSha256;
        // How far the file was journaled: rows 1..preparedRows are in the journal. A job is
        // prepared (complete) only once every row of the file is; until then it is never sent
        // as if it were the file, and a resume finishes preparing it first.
        qint64 preparedRows = 0;
        bool prepared = true;
        // Done rows dropped from a finished job (only their count is kept).
        qint64 compactedDone = 0;
    };
    class Row
    {
    public:
        qint64 id = 0;
        qint64 number = 0;
        qint64 line = 0;
        QStringList values; // the original cells, for the failed-rows file
        QByteArray request; // JSON text: {"operation": operationId, "body": {...}, "query": "..."}
        RowState state = RowState::Pending;
        int attempts = 0; // sends that failed with a 5xx or a transport error; a 429 is not an attempt
        QString requestId;
        QString error; // why it failed
        QJsonObject fieldErrors;
        bool possiblyDuplicated = false;
    };
    class Counts
    {
    public:
        qint64 pending = 0;
        qint64 inFlight = 0;
        qint64 done = 0;
        qint64 failed = 0;
        qint64 total() const { return pending + inFlight + done + failed; }
    };

    BulkJournal();
    ~BulkJournal();
    BulkJournal(const BulkJournal &) = delete;
    BulkJournal &operator=(const BulkJournal &) = delete;

    bool open(const QString &path, QString *error);
    // The file open() was given; empty before.
    const QString &path() const { return m_path; }
    qint64 createJob(const Job &job);
    // Appends rows in one transaction (call with batches of a few thousand, in row order); the
    // job's preparedRows becomes the last row's number in the same transaction, so a job killed
    // while it is prepared holds exactly the rows it says it holds.
    bool addRows(qint64 jobId, const QList<Row> &rows);
    // Every row of the job's file is journaled: the job may be sent as the file.
    bool markPrepared(qint64 jobId);
    // A resume told to send elsewhere (--force-target) records the new target.
    bool setTarget(qint64 jobId, const QString &target);
    Job job(qint64 jobId) const;
    // Every job, newest first.
    QList<Job> jobs() const;
    // The newest job not finished; 0 if none.
    qint64 latestUnfinishedJob() const;
    // Deletes finished jobs created before cutoff (all finished jobs for an invalid cutoff) with
    // their rows and gives the space back to the file system; returns how many, -1 on error.
    int pruneFinished(const QDateTime &cutoff);
    // At resume: rows left in flight by a crash become pending again. Returns how many had been
    // sent (markSent) without a journaled answer, at most the requests in flight plus answers not
    // yet written; for events those are flagged possibly duplicated. Rows only taken are not.
    int recoverInFlight(qint64 jobId);
    // Up to max pending rows in row order, marked in flight in the same transaction; their values
    // (the cells) are left out, as sending does not need them.
    QList<Row> takePending(qint64 jobId, int max);
    // Just before the rows' request goes out (outside a batch): they are on the wire now.
    bool markSent(const QList<qint64> &rowIds);
    // rejected: properties the server answered it did not store (property -> why); a row done with
    // such warnings keeps them in fieldErrors (and a one-line text in error) and survives
    // finishJob(), so the summary and the failed-rows file can list it after the job finished.
    void markDone(const QList<qint64> &rowIds, const QString &requestId,
                  const QMap<QString, QString> &rejected = {});
    void markFailed(const QList<qint64> &rowIds, const QString &error, const QJsonObject &fieldErrors);
    // possiblyDuplicated: the request may have been stored although no clean answer came back (an
    // event sent again after a timeout or a garbled answer); the flag is never cleared.
    void markPending(const QList<qint64> &rowIds, bool countAttempt, bool possiblyDuplicated = false);
    // The calls between beginBatch() and commitBatch() share one transaction, so one fsync: with
    // synchronous=FULL a commit costs milliseconds, and an importer recording several answers at
    // once would otherwise be held to a few hundred rows a second. A call that fails inside the
    // batch fails all of it (commitBatch() rolls back and returns false).
    bool beginBatch();
    bool commitBatch();
    // Marks the job finished and drops the rows that are no longer needed: done rows sent once and
    // not possibly duplicated go (their count stays in the job); failed, possibly duplicated and
    // retried rows stay for the report; the file shrinks accordingly.
    void finishJob(qint64 jobId);
    // Done counts the rows dropped from a finished job.
    Counts counts(qint64 jobId) const;
    QList<Row> failedRows(qint64 jobId) const;
    // Done rows whose properties the server did not store (markDone's rejected), in row order.
    QList<Row> warnedRows(qint64 jobId) const;
    // "12 row(s) with properties not stored: seats (12), plan (3)"; empty when there are none:
    // the one wording the CLI, its --json and the console show.
    static QString notStoredSummary(const QList<Row> &warnedRows);
    // property -> rows that did not store it.
    static QMap<QString, qint64> notStoredCounts(const QList<Row> &warnedRows);
    // Rows flagged possibly duplicated (by recoverInFlight or markPending), in any state.
    QList<Row> duplicatedEvents(qint64 jobId) const;

    // Why the last call failed (the disk is full, the file went away...); empty when it succeeded.
    // The importer stops when a state change could not be written.
    QString lastError() const { return m_lastError; }

private:
    void close();
    bool usable() const;
    void setError(const QString &error) const;
    bool exec(const QString &sql, QString *error = nullptr) const;
    bool execQuery(QSqlQuery &query) const;
    bool begin() const;
    bool commit() const;
    void rollback() const;
    // UPDATE rows SET assignments WHERE id IN ids, in chunks, inside the caller's transaction.
    bool updateState(const QList<qint64> &ids, const QString &assignments, const QVariantList &values);
    // The same as one transaction.
    bool update(const QList<qint64> &ids, const QString &assignments, const QVariantList &values);
    QList<Row> selectRows(qint64 jobId, const QString &condition, const QVariant &value) const;
    // Adds the columns a newer build put in the jobs table to an older journal.
    bool migrate(QString *error);
    // Hands freed pages back to the file system (VACUUM, then a WAL checkpoint).
    void shrink();

    // markDone() of one row, once per answer: prepared once rather than per call.
    std::unique_ptr<QSqlQuery> m_markDoneOne;
    std::unique_ptr<SqliteConnection> m_connection;
    QString m_path;
    bool m_open = false;
    bool m_inBatch = false;
    mutable bool m_batchFailed = false;
    mutable QString m_batchError;
    mutable QString m_lastError;
};

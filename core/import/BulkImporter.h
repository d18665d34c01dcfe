#pragma once

#include "api/ApiRequest.h"
#include "api/ApiResult.h"
#include "api/RetryPolicy.h"
#include "import/BulkJournal.h"
#include "import/RatePacer.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <deque>

class JournyClient;

// Sends a journaled import job through a JournyClient: paced to the key's limit (never more in
// any sliding window), with bounded concurrency; a 429 pauses sending for its Retry-After (or until
// the window has a free slot) and retries; 5xx and transport failures retry the failed rows alone
// with capped exponential backoff and jitter (bounded in attempts) while the other rows keep
// going; a 4xx fails the row
// with the server's field errors. Membership rows of the same account go together, up to 100 per
// call. Rows are in flight in the journal before they are sent and stay so until their answer is
// written (answers arriving together share one commit), so a crash at any moment only sends
// again rows whose answer was not yet written.
class BulkImporter : public QObject
{
    Q_OBJECT
public:
    class Options
    {
    public:
        int rateCeiling = 0;  // requests per window the user allows; 0: the server's limit only
        int windowMs = 60000; // journy.io counts over 60 s
        int concurrency = 4;
        int maxAttempts = 5; // for 5xx and transport failures
        qint64 backoffBaseMs = RetryPolicy::BackoffBaseMs;
        qint64 backoffCapMs = RetryPolicy::BackoffCapMs;
    };
    class Progress
    {
    public:
        BulkJournal::Counts counts;
        double ratePerSecond = 0; // over the last window
        qint64 etaSeconds = -1;   // -1 while unknown
        qint64 rateLimitedMs = 0; // > 0 while a 429 holds sending: ms until it sends again
        // "rate limited, retrying in N s" while a 429 holds sending, else empty: the one wording
        // the CLI and the console show.
        QString rateLimitedNotice() const;
    };

    BulkImporter(BulkJournal *journal, JournyClient *client, qint64 jobId, const Options &options,
                 QObject *parent = nullptr);

    // Returns at once; the work runs from the event loop. Rows a crash left in flight are made
    // pending again first (BulkJournal::recoverInFlight), so start() also resumes a job. One
    // importer per job at a time; an importer runs once (make a new one to resume after cancel()).
    void start();
    // Takes no new rows; calls in flight finish and are recorded.
    void pause();
    void resume();
    // Stops: calls in flight finish and are recorded, every other row is left pending for a later
    // resume, then finished(true).
    void cancel();
    bool isPaused() const { return m_paused; }
    Progress progress() const;

signals:
    void progressed(const BulkImporter::Progress &progress);
    // All rows done or failed (or cancelled: then pending rows stay pending for a later resume).
    void finished(bool cancelled);

private:
    // A row taken from the journal (in flight there) and not yet sent, with its request read once.
    class Queued
    {
    public:
        BulkJournal::Row row;
        ApiRequest request;
        QString group; // memberships: operation and account; empty for rows sent alone
        int users = 0; // memberships: users the row adds or removes
    };

    void run();
    void pump();
    // Keeps enough rows queued (for memberships, enough to fill calls); false when the journal failed.
    // topUp: take a full batch whenever the queue is below one (when a commit happens anyway).
    bool fillQueue(bool topUp = false);
    int rowsPerTakeFor(bool grouping) const;
    bool takeBatch();
    bool takeRows(int batch);
    // The next call's rows and request from the queue (memberships: up to 100 users of one account).
    void nextCall(QList<BulkJournal::Row> *rows, ApiRequest *request);
    void send(const QList<BulkJournal::Row> &rows, const ApiRequest &request);
    void onResult(const QList<BulkJournal::Row> &rows, const ApiResult &result);
    // Writes every answer that came in since the last flush in one journal batch, then sends on.
    void flushAnswers();
    // Opens a journal batch and records the answers in; endWrite() commits it.
    bool beginWrite();
    void endWrite();
    void record(const QList<BulkJournal::Row> &rows, const ApiResult &result);
    void onRateLimited(const QList<BulkJournal::Row> &rows, const ApiResult &result);
    void onRefused(const QList<BulkJournal::Row> &rows, const ApiResult &result);
    void retryLater(const QList<BulkJournal::Row> &rows, const ApiResult &result);
    void retryDue(const QList<qint64> &rowIds);
    // rejected: properties the server did not store, kept with the rows as warnings.
    void markDone(const QList<BulkJournal::Row> &rows, const QString &requestId,
                  const QMap<QString, QString> &rejected);
    void markFailed(const QList<BulkJournal::Row> &rows, const QString &error,
                    const QJsonObject &fieldErrors);
    void markPending(const QList<qint64> &rowIds, bool countAttempt, bool possiblyDuplicated);
    // After each journal write: a failed write stops the job (the rows keep their last written state).
    bool journalOk();
    void updateLimit();
    int concurrencyNow() const;
    void returnQueuedRows();
    void maybeFinish();
    void finish(bool cancelled);
    void emitProgress();

    BulkJournal *m_journal;
    JournyClient *m_client;
    qint64 m_jobId;
    Options m_options;
    RatePacer m_pacer;
    bool m_paused = false;
    bool m_cancelled = false;
    int m_inFlight = 0;

    ImportKind m_kind;
    bool m_running = false;
    bool m_done = false;      // finished() was emitted
    bool m_drained = false;   // the journal had no more pending rows at the last take
    bool m_sawAnswer = false; // an HTTP answer came back, so the server's limit is known if it sends one
    bool m_journalFailed = false;
    class Answer
    {
    public:
        QList<BulkJournal::Row> rows;
        ApiResult result;
    };
    QList<Answer> m_answers; // answered, not yet written
    bool m_batchOpen = false;
    std::deque<Queued> m_queue;
    QHash<QString, int> m_groupSizes;      // queued users per group
    QHash<qint64, bool> m_waiting;         // rows waiting out a retry delay -> possibly duplicated
    QHash<qint64, int> m_rateLimitedTimes; // 429s per row in this run
    qint64 m_total = 0;
    qint64 m_doneRows = 0;
    qint64 m_failedRows = 0;
    qint64 m_inFlightRows = 0;
    QTimer m_sendTimer;     // the pacer's wait
    QTimer m_flushTimer;    // answers are written together, a few ms after the first
    QTimer m_progressTimer; // progress while nothing else happens
    QElapsedTimer m_clock;
    std::deque<std::pair<qint64, qint64>> m_completions; // (ms on m_clock, rows done or failed)
    qint64 m_windowRows = 0;                             // the sum of m_completions' rows
};

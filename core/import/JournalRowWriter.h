#pragma once

#include "import/BulkJournal.h"

#include <QList>
#include <QString>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

// Writes a new job's rows to the journal on a worker thread, through its own connection to the
// same file, while the caller reads, checks and builds the next rows: the two halves of preparing
// a job cost about the same, and before the first request the second core has nothing else to do.
// At most a few batches wait, so memory stays bounded whatever the file's size. Rows are written
// in the order pushed, each batch in one transaction.
class JournalRowWriter
{
public:
    JournalRowWriter(const QString &journalPath, qint64 jobId);
    // Waits for the worker (finish() was not called: what was pushed is still written).
    ~JournalRowWriter();
    JournalRowWriter(const JournalRowWriter &) = delete;
    JournalRowWriter &operator=(const JournalRowWriter &) = delete;

    // Queues a batch; waits while the queue is full. False once a write has failed (nothing more
    // is written then).
    bool push(QList<BulkJournal::Row> batch);
    // Waits until every batch pushed so far is written (committed); false once a write failed.
    bool drain();
    // Whether a write has failed so far.
    bool failed() const;
    // Writes what is queued, stops the worker; false with *error when the journal could not be
    // opened or a batch could not be written.
    bool finish(QString *error);

private:
    void work();

    static constexpr size_t MaxQueuedBatches = 2;

    const QString m_path;
    const qint64 m_jobId;
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<QList<BulkJournal::Row>> m_queue;
    bool m_closing = false;
    bool m_writing = false; // a batch taken from the queue is being written
    bool m_failed = false;
    QString m_error;
    std::thread m_thread;
};

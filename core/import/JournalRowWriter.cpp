#include "import/JournalRowWriter.h"

JournalRowWriter::JournalRowWriter(const QString &journalPath, qint64 jobId)
    : m_path(journalPath), m_jobId(jobId), m_thread([this] { work(); })
{}

JournalRowWriter::~JournalRowWriter()
{
    QString error;
    finish(&error);
}

bool JournalRowWriter::push(QList<BulkJournal::Row> batch)
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_failed || m_queue.size() < MaxQueuedBatches; });
    if (m_failed)
        return false;
    m_queue.push_back(std::move(batch));
    m_changed.notify_all();
    return true;
}

bool JournalRowWriter::drain()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return m_failed || (m_queue.empty() && !m_writing); });
    return !m_failed;
}

bool JournalRowWriter::failed() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_failed;
}

bool JournalRowWriter::finish(QString *error)
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_closing = true;
    }
    m_changed.notify_all();
    if (m_thread.joinable())
        m_thread.join();
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_failed)
        *error = m_error;
    return !m_failed;
}

void JournalRowWriter::work()
{
    // The connection is made, used and closed on this thread only, as Qt SQL requires.
    BulkJournal journal;
    QString openError;
    const bool opened = journal.open(m_path, &openError);
    std::unique_lock<std::mutex> lock(m_mutex);
    if (!opened) {
        m_failed = true;
        m_error = QStringLiteral("the import journal cannot be opened for writing rows: %1").arg(openError);
        m_changed.notify_all();
        return;
    }
    for (;;) {
        m_changed.wait(lock, [this] { return m_closing || !m_queue.empty(); });
        if (m_queue.empty())
            return; // closing, and everything was written
        QList<BulkJournal::Row> batch = std::move(m_queue.front());
        m_queue.pop_front();
        m_writing = true;
        m_changed.notify_all(); // room for the next batch
        lock.unlock();
        const bool written = journal.addRows(m_jobId, batch);
        lock.lock();
        m_writing = false;
        m_changed.notify_all(); // drain() may be waiting
        if (!written) {
            m_failed = true;
            m_error =
                QStringLiteral("the import journal could not record every row: %1").arg(journal.lastError());
            m_queue.clear();
            m_changed.notify_all();
            return;
        }
    }
}

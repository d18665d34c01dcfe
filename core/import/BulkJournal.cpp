#include "import/BulkJournal.h"

#include "api/JsonText.h"
#include "store/SqliteConnection.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <limits>

namespace {

// SQLite's default limit of bound parameters is 999 on older builds; stay well below it.
constexpr int idsPerQuery = 500;
// Bumped when the tables change, so a newer build can migrate an older journal.
constexpr int schemaVersion = 2;

const QString jobColumns =
    QStringLiteral("id, kind, remove, file, headers, mapping, profile, created_ms, finished, file_size, "
                   "file_sha256, prepared_rows, prepared, compacted_done");

// Columns of version 2 (table, column, declaration), added to a journal of version 1 (whose jobs
// were all prepared whole before they could be sent, as far as that version could tell).
const QList<QStringList> addedColumns{
    {QStringLiteral("jobs"), QStringLiteral("file_size"), QStringLiteral("INTEGER NOT NULL DEFAULT -1")},
    {QStringLiteral("jobs"), QStringLiteral("file_sha256"), QStringLiteral("TEXT NOT NULL DEFAULT ''")},
    {QStringLiteral("jobs"), QStringLiteral("prepared_rows"), QStringLiteral("INTEGER NOT NULL DEFAULT 0")},
    {QStringLiteral("jobs"), QStringLiteral("prepared"), QStringLiteral("INTEGER NOT NULL DEFAULT 1")},
    {QStringLiteral("jobs"), QStringLiteral("compacted_done"), QStringLiteral("INTEGER NOT NULL DEFAULT 0")},
    // 1 from just before its request went out until its answer is journaled: what a crash left
    // on the wire (taken rows merely queued stay 0).
    {QStringLiteral("rows"), QStringLiteral("sent"), QStringLiteral("INTEGER NOT NULL DEFAULT 0")}};

const QString rowColumns = QStringLiteral(
    "id, number, line, cells, request, state, attempts, request_id, error, field_errors, duplicated");

// A null QString binds as SQL NULL; the text columns are NOT NULL.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Cells and headers as a JSON array of strings: every row of a job goes through here, and
// QJsonArray + QJsonDocument cost a third of journaling a row.
QString compact(const QStringList &list)
{
    return QString::fromUtf8(JsonText::stringArray(list));
}

QStringList stringList(const QString &json)
{
    QStringList list;
    const QJsonArray array = QJsonDocument::fromJson(json.toUtf8()).array();
    list.reserve(array.size());
    for (const QJsonValue &value : array)
        list.append(value.toString());
    return list;
}

QJsonObject object(const QString &json)
{
    return json.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(json.toUtf8()).object();
}

BulkJournal::Row readRow(const QSqlQuery &query)
{
    BulkJournal::Row row;
    row.id = query.value(0).toLongLong();
    row.number = query.value(1).toLongLong();
    row.line = query.value(2).toLongLong();
    if (!query.isNull(3))
        row.values = stringList(query.value(3).toString());
    row.request = query.value(4).toString().toUtf8();
    row.state = static_cast<BulkJournal::RowState>(query.value(5).toInt());
    row.attempts = query.value(6).toInt();
    row.requestId = query.value(7).toString();
    row.error = query.value(8).toString();
    row.fieldErrors = object(query.value(9).toString());
    row.possiblyDuplicated = query.value(10).toBool();
    return row;
}

BulkJournal::Job readJob(const QSqlQuery &query)
{
    BulkJournal::Job job;
    job.id = query.value(0).toLongLong();
    ImportKind::fromName(query.value(1).toString(), &job.kind.kind);
    job.kind.remove = query.value(2).toBool();
    job.file = query.value(3).toString();
    job.headers = stringList(query.value(4).toString());
    job.mappingJson = query.value(5).toString();
    job.profile = query.value(6).toString();
    job.createdAt = QDateTime::fromMSecsSinceEpoch(query.value(7).toLongLong(), Qt::UTC);
    job.finished = query.value(8).toBool();
    job.fileSize = query.value(9).toLongLong();
    job.fileSha256 = query.value(10).toString();
    job.preparedRows = query.value(11).toLongLong();
    job.prepared = query.value(12).toBool();
    job.compactedDone = query.value(13).toLongLong();
    return job;
}

} // namespace

BulkJournal::BulkJournal() : m_connection(std::make_unique<SqliteConnection>(QStringLiteral("journy-bulk")))
{}

BulkJournal::~BulkJournal()
{
    close();
}

void BulkJournal::close()
{
    m_markDoneOne.reset(); // a prepared statement must go before its database
    m_connection->close();
    m_open = false;
    m_inBatch = false;
}

bool BulkJournal::usable() const
{
    if (!m_open)
        setError(QStringLiteral("The journal is not open"));
    return m_open;
}

void BulkJournal::setError(const QString &error) const
{
    m_lastError = error;
    qWarning("bulk journal: %s", qPrintable(error));
}

bool BulkJournal::exec(const QString &sql, QString *error) const
{
    QString reason;
    if (m_connection->exec(sql, &reason))
        return true;
    if (error)
        *error = reason;
    setError(reason);
    return false;
}

bool BulkJournal::execQuery(QSqlQuery &query) const
{
    if (query.exec())
        return true;
    setError(query.lastError().text());
    if (m_inBatch)
        rollback();
    return false;
}

bool BulkJournal::begin() const
{
    if (m_inBatch)
        return !m_batchFailed;
    QSqlDatabase db = m_connection->database();
    if (db.transaction())
        return true;
    setError(QStringLiteral("Cannot begin a transaction: %1").arg(db.lastError().text()));
    return false;
}

bool BulkJournal::commit() const
{
    if (m_inBatch)
        return !m_batchFailed;
    QSqlDatabase db = m_connection->database();
    if (db.commit())
        return true;
    setError(QStringLiteral("Cannot commit: %1").arg(db.lastError().text()));
    db.rollback();
    return false;
}

void BulkJournal::rollback() const
{
    if (m_inBatch) {
        // Only the whole batch can be undone: remember why, and roll back at commitBatch().
        if (!m_batchFailed)
            m_batchError = m_lastError;
        m_batchFailed = true;
        return;
    }
    m_connection->database().rollback();
}

bool BulkJournal::beginBatch()
{
    m_lastError.clear();
    if (!usable())
        return false;
    if (m_inBatch) {
        setError(QStringLiteral("A batch is already open"));
        return false;
    }
    if (!begin())
        return false;
    m_inBatch = true;
    m_batchFailed = false;
    m_batchError.clear();
    return true;
}

bool BulkJournal::commitBatch()
{
    m_lastError.clear();
    if (!m_inBatch) {
        setError(QStringLiteral("No batch is open"));
        return false;
    }
    m_inBatch = false;
    if (m_batchFailed) {
        m_connection->database().rollback();
        setError(QStringLiteral("The batch was rolled back: %1").arg(m_batchError));
        return false;
    }
    return commit();
}

bool BulkJournal::open(const QString &path, QString *error)
{
    close();
    m_lastError.clear();
    // A console's wizard and a CLI may look at the same journal: the connection waits for the
    // other's write.
    QString openError;
    if (!m_connection->open(path, &openError)) {
        if (error)
            *error = openError;
        return false;
    }
    // WAL with synchronous=FULL: each commit is fsynced, so a state change that returned survives
    // power loss, not just a killed process (NORMAL would lose the last commits then, and a row
    // marked done could come back as in flight and be sent again). The cost is one fsync per
    // transaction, which is why every call below is exactly one transaction.
    const bool ok =
        exec(QStringLiteral("PRAGMA journal_mode=WAL"), error) &&
        exec(QStringLiteral("PRAGMA synchronous=FULL"), error) &&
        exec(QStringLiteral("PRAGMA foreign_keys=ON"), error) &&
        exec(QStringLiteral(
                 "CREATE TABLE IF NOT EXISTS jobs ("
                 "id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, remove INTEGER NOT NULL, "
                 "file TEXT NOT NULL, headers TEXT NOT NULL, mapping TEXT NOT NULL, "
                 "profile TEXT NOT NULL, created_ms INTEGER NOT NULL, finished INTEGER NOT NULL)"),
             error) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS rows ("
                            "id INTEGER PRIMARY KEY AUTOINCREMENT, "
                            "job INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, "
                            "number INTEGER NOT NULL, line INTEGER NOT NULL, cells TEXT NOT NULL, "
                            "request TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL, "
                            "request_id TEXT NOT NULL, error TEXT NOT NULL, field_errors TEXT NOT NULL, "
                            "duplicated INTEGER NOT NULL)"),
             error) &&
        // takePending's "next pending rows in order" and counts() read this index only.
        exec(QStringLiteral("CREATE INDEX IF NOT EXISTS rows_by_state ON rows (job, state, number)"),
             error) &&
        migrate(error) && exec(QStringLiteral("PRAGMA user_version=%1").arg(schemaVersion), error);
    if (!ok) {
        close();
        return false;
    }
    m_open = true;
    m_path = path;
    return true;
}

qint64 BulkJournal::createJob(const Job &job)
{
    m_lastError.clear();
    if (!usable())
        return 0;
    QSqlQuery query(m_connection->database());
    query.prepare(
        QStringLiteral("INSERT INTO jobs (kind, remove, file, headers, mapping, profile, created_ms, "
                       "finished, file_size, file_sha256, prepared_rows, prepared, compacted_done) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"));
    query.addBindValue(ImportKind::name(job.kind.kind));
    query.addBindValue(job.kind.remove ? 1 : 0);
    query.addBindValue(text(job.file));
    query.addBindValue(compact(job.headers));
    query.addBindValue(text(job.mappingJson));
    query.addBindValue(text(job.profile));
    const QDateTime created = job.createdAt.isValid() ? job.createdAt : QDateTime::currentDateTimeUtc();
    query.addBindValue(created.toMSecsSinceEpoch());
    query.addBindValue(job.finished ? 1 : 0);
    query.addBindValue(job.fileSize);
    query.addBindValue(text(job.fileSha256));
    query.addBindValue(job.preparedRows);
    query.addBindValue(job.prepared ? 1 : 0);
    if (!execQuery(query))
        return 0;
    return query.lastInsertId().toLongLong();
}

bool BulkJournal::addRows(qint64 jobId, const QList<Row> &rows)
{
    m_lastError.clear();
    if (!usable())
        return false;
    if (rows.isEmpty())
        return true;
    if (!begin())
        return false;
    QSqlQuery query(m_connection->database());
    query.prepare(QStringLiteral("INSERT INTO rows (job, number, line, cells, request, state, attempts, "
                                 "request_id, error, field_errors, duplicated) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (const Row &row : rows) {
        // Positional binds by index: the one prepared statement is reused for every row.
        const QVariantList values{jobId,
                                  row.number,
                                  row.line,
                                  compact(row.values),
                                  QString::fromUtf8(row.request),
                                  static_cast<int>(row.state),
                                  row.attempts,
                                  text(row.requestId),
                                  text(row.error),
                                  row.fieldErrors.isEmpty() ? QString(QLatin1String(""))
                                                            : compact(row.fieldErrors),
                                  row.possiblyDuplicated ? 1 : 0};
        for (int i = 0; i < values.size(); ++i)
            query.bindValue(i, values.at(i));
        if (!execQuery(query)) {
            rollback();
            return false;
        }
    }
    QSqlQuery progress(m_connection->database());
    progress.prepare(QStringLiteral("UPDATE jobs SET prepared_rows = MAX(prepared_rows, ?) WHERE id = ?"));
    progress.addBindValue(rows.constLast().number);
    progress.addBindValue(jobId);
    if (!execQuery(progress)) {
        rollback();
        return false;
    }
    return commit();
}

bool BulkJournal::markPrepared(qint64 jobId)
{
    m_lastError.clear();
    if (!usable())
        return false;
    QSqlQuery query(m_connection->database());
    query.prepare(QStringLiteral("UPDATE jobs SET prepared = 1 WHERE id = ?"));
    query.addBindValue(jobId);
    return execQuery(query);
}

bool BulkJournal::setTarget(qint64 jobId, const QString &target)
{
    m_lastError.clear();
    if (!usable())
        return false;
    QSqlQuery query(m_connection->database());
    query.prepare(QStringLiteral("UPDATE jobs SET profile = ? WHERE id = ?"));
    query.addBindValue(text(target));
    query.addBindValue(jobId);
    return execQuery(query);
}

QList<BulkJournal::Job> BulkJournal::jobs() const
{
    m_lastError.clear();
    QList<Job> list;
    if (!usable())
        return list;
    QSqlQuery query(m_connection->database());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM jobs ORDER BY id DESC").arg(jobColumns))) {
        setError(query.lastError().text());
        return list;
    }
    while (query.next())
        list.append(readJob(query));
    return list;
}

int BulkJournal::pruneFinished(const QDateTime &cutoff)
{
    m_lastError.clear();
    if (!usable())
        return -1;
    QSqlQuery query(m_connection->database());
    // The rows go with their job (ON DELETE CASCADE).
    query.prepare(QStringLiteral("DELETE FROM jobs WHERE finished = 1 AND created_ms < ?"));
    query.addBindValue(cutoff.isValid() ? cutoff.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max());
    if (!execQuery(query))
        return -1;
    const int pruned = query.numRowsAffected();
    shrink();
    return pruned;
}

bool BulkJournal::migrate(QString *error)
{
    for (const QString &table : {QStringLiteral("jobs"), QStringLiteral("rows")}) {
        QSqlQuery query(m_connection->database());
        if (!query.exec(QStringLiteral("PRAGMA table_info(%1)").arg(table))) {
            *error = query.lastError().text();
            return false;
        }
        QStringList existing;
        while (query.next())
            existing << query.value(1).toString();
        query.finish();
        for (const QStringList &column : addedColumns) {
            if (column.at(0) == table && !existing.contains(column.at(1)) &&
                !exec(
                    QStringLiteral("ALTER TABLE %1 ADD COLUMN %2 %3").arg(table, column.at(1), column.at(2)),
                    error))
                return false;
        }
    }
    return true;
}

void BulkJournal::shrink()
{
    // VACUUM rewrites what is left (a finished job's summary and failed rows, unfinished jobs)
    // into a new file; the checkpoint then hands the WAL's space back too. Best effort: a console
    // reading the journal at that moment keeps the space until the next job finishes.
    // (Incremental vacuum would free pages in place, but Qt steps a statement without result
    // columns once, and one step frees one page.)
    QSqlQuery query(m_connection->database());
    if (!query.exec(QStringLiteral("VACUUM")))
        qWarning("bulk journal: VACUUM: %s", qPrintable(query.lastError().text()));
    query.exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

BulkJournal::Job BulkJournal::job(qint64 jobId) const
{
    m_lastError.clear();
    Job job;
    if (!usable())
        return job;
    QSqlQuery query(m_connection->database());
    query.prepare(QStringLiteral("SELECT %1 FROM jobs WHERE id = ?").arg(jobColumns));
    query.addBindValue(jobId);
    if (!execQuery(query) || !query.next())
        return job;
    return readJob(query);
}

qint64 BulkJournal::latestUnfinishedJob() const
{
    m_lastError.clear();
    if (!usable())
        return 0;
    QSqlQuery query(m_connection->database());
    if (!query.exec(QStringLiteral("SELECT id FROM jobs WHERE finished = 0 ORDER BY id DESC LIMIT 1")))
        setError(query.lastError().text());
    return query.next() ? query.value(0).toLongLong() : 0;
}

int BulkJournal::recoverInFlight(qint64 jobId)
{
    m_lastError.clear();
    if (!usable())
        return 0;
    // Any in-flight event may have reached the server before the crash: sending it again may store
    // it twice, so the report names it. Upserts, deletes, memberships and links are idempotent.
    // Only rows whose request went out (sent) count: rows taken ahead and still queued were not.
    const bool events = job(jobId).kind.kind == ImportKind::Kind::Events;
    if (!begin())
        return 0;
    QSqlQuery sent(m_connection->database());
    sent.prepare(QStringLiteral("UPDATE rows SET state = ?, sent = 0, duplicated = CASE WHEN ? THEN 1 ELSE "
                                "duplicated END WHERE job = ? AND state = ? AND sent = 1"));
    QSqlQuery queued(m_connection->database());
    queued.prepare(QStringLiteral("UPDATE rows SET state = ? WHERE job = ? AND state = ?"));
    sent.addBindValue(static_cast<int>(RowState::Pending));
    sent.addBindValue(events ? 1 : 0);
    for (QSqlQuery *query : {&sent, &queued}) {
        if (query == &queued)
            query->addBindValue(static_cast<int>(RowState::Pending));
        query->addBindValue(jobId);
        query->addBindValue(static_cast<int>(RowState::InFlight));
    }
    if (!execQuery(sent)) {
        rollback();
        return 0;
    }
    const int recovered = sent.numRowsAffected(); // SQLite counts the connection's last statement
    if (!execQuery(queued)) {
        rollback();
        return 0;
    }
    return commit() ? recovered : 0;
}

QList<BulkJournal::Row> BulkJournal::takePending(qint64 jobId, int max)
{
    m_lastError.clear();
    QList<Row> rows;
    if (max <= 0 || !usable())
        return rows;
    if (!begin())
        return rows;
    QSqlQuery select(m_connection->database());
    select.setForwardOnly(true);
    // Without the cells: sending does not need them, and reading them back was a tenth of a take.
    select.prepare(QStringLiteral("SELECT %1 FROM rows WHERE job = ? AND state = ? ORDER BY number LIMIT ?")
                       .arg(QString(rowColumns).replace(QLatin1String("cells"), QLatin1String("NULL"))));
    select.addBindValue(jobId);
    select.addBindValue(static_cast<int>(RowState::Pending));
    select.addBindValue(max);
    if (!execQuery(select)) {
        rollback();
        return rows;
    }
    rows.reserve(qMin(max, 10000));
    while (select.next()) {
        Row row = readRow(select);
        row.state = RowState::InFlight;
        rows.append(row);
    }
    select.finish();
    if (rows.isEmpty()) {
        commit();
        return rows;
    }
    // The rows taken are exactly the job's pending rows up to the last number taken (they were
    // read in number order, in this transaction): one statement over the index marks them all.
    // An "IN (?, ?, ...)" of hundreds of IDs would cost SQLite time growing with their square.
    QSqlQuery mark(m_connection->database());
    mark.prepare(QStringLiteral("UPDATE rows SET state = ? WHERE job = ? AND state = ? AND number <= ?"));
    mark.addBindValue(static_cast<int>(RowState::InFlight));
    mark.addBindValue(jobId);
    mark.addBindValue(static_cast<int>(RowState::Pending));
    mark.addBindValue(rows.constLast().number);
    if (!execQuery(mark) || mark.numRowsAffected() != rows.size()) {
        if (m_lastError.isEmpty())
            setError(QStringLiteral("the journal changed while rows were being taken"));
        rollback();
        return {};
    }
    if (!commit()) {
        rollback();
        return {};
    }
    return rows;
}

bool BulkJournal::updateState(const QList<qint64> &ids, const QString &assignments,
                              const QVariantList &values)
{
    for (qsizetype start = 0; start < ids.size(); start += idsPerQuery) {
        const qsizetype count = qMin<qsizetype>(idsPerQuery, ids.size() - start);
        const QStringList marks(count, QStringLiteral("?"));
        QSqlQuery query(m_connection->database());
        query.prepare(QStringLiteral("UPDATE rows SET %1 WHERE id IN (%2)")
                          .arg(assignments, marks.join(QLatin1Char(','))));
        for (const QVariant &value : values)
            query.addBindValue(value);
        for (qsizetype i = start; i < start + count; ++i)
            query.addBindValue(ids.at(i));
        if (!execQuery(query))
            return false;
    }
    return true;
}

bool BulkJournal::update(const QList<qint64> &ids, const QString &assignments, const QVariantList &values)
{
    m_lastError.clear();
    if (ids.isEmpty())
        return true;
    if (!usable())
        return false;
    if (!begin())
        return false;
    if (!updateState(ids, assignments, values)) {
        rollback();
        return false;
    }
    return commit();
}

void BulkJournal::markDone(const QList<qint64> &rowIds, const QString &requestId,
                           const QMap<QString, QString> &rejected)
{
    QJsonObject warnings;
    for (auto it = rejected.cbegin(); it != rejected.cend(); ++it)
        warnings.insert(it.key(), it.value());
    const QString warningText =
        rejected.isEmpty()
            ? QString(QLatin1String(""))
            : QStringLiteral("properties not stored: %1").arg(rejected.keys().join(QStringLiteral(", ")));
    const QString warningJson = warnings.isEmpty() ? QString(QLatin1String("")) : compact(warnings);
    if (rowIds.size() == 1 && m_open) {
        m_lastError.clear();
        if (!begin())
            return;
        if (!m_markDoneOne) {
            m_markDoneOne = std::make_unique<QSqlQuery>(m_connection->database());
            m_markDoneOne->prepare(QStringLiteral("UPDATE rows SET state = ?, request_id = ?, error = ?, "
                                                  "field_errors = ?, sent = 0 WHERE id = ?"));
        }
        m_markDoneOne->bindValue(0, static_cast<int>(RowState::Done));
        m_markDoneOne->bindValue(1, text(requestId));
        m_markDoneOne->bindValue(2, warningText);
        m_markDoneOne->bindValue(3, warningJson);
        m_markDoneOne->bindValue(4, rowIds.first());
        if (!execQuery(*m_markDoneOne)) {
            rollback();
            return;
        }
        commit();
        return;
    }
    update(rowIds, QStringLiteral("state = ?, request_id = ?, error = ?, field_errors = ?, sent = 0"),
           {static_cast<int>(RowState::Done), text(requestId), warningText, warningJson});
}

bool BulkJournal::markSent(const QList<qint64> &rowIds)
{
    m_lastError.clear();
    if (!usable())
        return false;
    if (m_inBatch) {
        setError(QStringLiteral("markSent inside a batch would be written after the request went out"));
        return false;
    }
    // Not fsynced (synchronous=NORMAL for this one transaction): written to the WAL before the
    // request goes out, so it survives a killed process; the next fsynced commit (the answers,
    // milliseconds later) makes it survive power loss too. An fsync per request would hold the
    // import to the disk's pace.
    QString ignored;
    m_connection->exec(QStringLiteral("PRAGMA synchronous=NORMAL"), &ignored);
    const bool written = update(rowIds, QStringLiteral("sent = 1"), {});
    m_connection->exec(QStringLiteral("PRAGMA synchronous=FULL"), &ignored);
    return written;
}

void BulkJournal::markFailed(const QList<qint64> &rowIds, const QString &error,
                             const QJsonObject &fieldErrors)
{
    update(rowIds, QStringLiteral("state = ?, error = ?, field_errors = ?, sent = 0"),
           {static_cast<int>(RowState::Failed), text(error),
            fieldErrors.isEmpty() ? QString(QLatin1String("")) : compact(fieldErrors)});
}

void BulkJournal::markPending(const QList<qint64> &rowIds, bool countAttempt, bool possiblyDuplicated)
{
    update(rowIds,
           QStringLiteral("state = ?, sent = 0, attempts = attempts + ?, duplicated = CASE WHEN ? THEN 1 "
                          "ELSE duplicated END"),
           {static_cast<int>(RowState::Pending), countAttempt ? 1 : 0, possiblyDuplicated ? 1 : 0});
}

void BulkJournal::finishJob(qint64 jobId)
{
    m_lastError.clear();
    if (!usable())
        return;
    if (!begin())
        return;
    // A done row sent once and not possibly duplicated is only a number in the summary now; failed
    // and possibly duplicated rows stay for the report and the failed-rows file, and rows that
    // needed retries stay with their attempts (how often a row was sent is worth knowing).
    // Done rows with properties not stored (field_errors) stay too: they are warnings to report.
    const QString dropped =
        QStringLiteral("job = ? AND state = ? AND duplicated = 0 AND attempts = 0 AND field_errors = ''");
    QSqlQuery finish(m_connection->database());
    finish.prepare(QStringLiteral("UPDATE jobs SET finished = 1, compacted_done = compacted_done + "
                                  "(SELECT COUNT(*) FROM rows WHERE %1) WHERE id = ? AND finished = 0")
                       .arg(dropped));
    QSqlQuery drop(m_connection->database());
    drop.prepare(QStringLiteral("DELETE FROM rows WHERE %1").arg(dropped));
    for (QSqlQuery *query : {&finish, &drop}) {
        query->addBindValue(jobId);
        query->addBindValue(static_cast<int>(RowState::Done));
    }
    finish.addBindValue(jobId);
    if (!execQuery(finish)) {
        rollback();
        return;
    }
    if (finish.numRowsAffected() == 0) { // finished before (or no such job): nothing to drop
        commit();
        return;
    }
    if (!execQuery(drop)) {
        rollback();
        return;
    }
    if (!commit())
        return;
    if (!m_inBatch)
        shrink();
}

BulkJournal::Counts BulkJournal::counts(qint64 jobId) const
{
    m_lastError.clear();
    Counts counts;
    if (!usable())
        return counts;
    QSqlQuery query(m_connection->database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT state, COUNT(*) FROM rows WHERE job = ? GROUP BY state"));
    query.addBindValue(jobId);
    if (!execQuery(query))
        return counts;
    QSqlQuery compacted(m_connection->database());
    compacted.prepare(QStringLiteral("SELECT compacted_done FROM jobs WHERE id = ?"));
    compacted.addBindValue(jobId);
    if (execQuery(compacted) && compacted.next())
        counts.done += compacted.value(0).toLongLong();
    while (query.next()) {
        const qint64 count = query.value(1).toLongLong();
        switch (static_cast<RowState>(query.value(0).toInt())) {
        case RowState::Pending:
            counts.pending = count;
            break;
        case RowState::InFlight:
            counts.inFlight = count;
            break;
        case RowState::Done:
            counts.done += count;
            break;
        case RowState::Failed:
            counts.failed = count;
            break;
        }
    }
    return counts;
}

QList<BulkJournal::Row> BulkJournal::selectRows(qint64 jobId, const QString &condition,
                                                const QVariant &value) const
{
    m_lastError.clear();
    QList<Row> rows;
    if (!usable())
        return rows;
    QSqlQuery query(m_connection->database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM rows WHERE job = ? AND %2 ORDER BY number")
                      .arg(rowColumns, condition));
    query.addBindValue(jobId);
    query.addBindValue(value);
    if (!execQuery(query))
        return rows;
    while (query.next())
        rows.append(readRow(query));
    return rows;
}

QList<BulkJournal::Row> BulkJournal::failedRows(qint64 jobId) const
{
    return selectRows(jobId, QStringLiteral("state = ?"), static_cast<int>(RowState::Failed));
}

QList<BulkJournal::Row> BulkJournal::duplicatedEvents(qint64 jobId) const
{
    return selectRows(jobId, QStringLiteral("duplicated = ?"), 1);
}

QList<BulkJournal::Row> BulkJournal::warnedRows(qint64 jobId) const
{
    return selectRows(jobId, QStringLiteral("field_errors != '' AND state = ?"),
                      static_cast<int>(RowState::Done));
}

QMap<QString, qint64> BulkJournal::notStoredCounts(const QList<Row> &warnedRows)
{
    QMap<QString, qint64> counts;
    for (const Row &row : warnedRows)
        for (auto it = row.fieldErrors.constBegin(); it != row.fieldErrors.constEnd(); ++it)
            ++counts[it.key()];
    return counts;
}

QString BulkJournal::notStoredSummary(const QList<Row> &warnedRows)
{
    if (warnedRows.isEmpty())
        return {};
    const QMap<QString, qint64> counts = notStoredCounts(warnedRows);
    QStringList parts;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        parts.append(QStringLiteral("%1 (%2)").arg(it.key()).arg(it.value()));
    return QStringLiteral("%1 row(s) with properties not stored: %2")
        .arg(warnedRows.size())
        .arg(parts.join(QStringLiteral(", ")));
}

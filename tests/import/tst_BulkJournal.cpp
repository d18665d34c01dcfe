// The bulk import journal on real SQLite files: jobs and rows go in and come back after a reopen,
// takePending hands out rows in order and marks them in flight, every mark survives a reopen (and
// a writer killed with SIGKILL), failed rows keep their original cells and field errors, events
// left in flight are flagged after recovery, and a large job stays fast.

#include "import/BulkJournal.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <thread>

namespace {

BulkJournal::Job usersJob()
{
    BulkJournal::Job job;
    job.kind.kind = ImportKind::Kind::Users;
    job.file = QStringLiteral("/data/users.csv");
    job.headers = {QStringLiteral("userId"), QStringLiteral("email"), QStringLiteral("plan")};
    job.mappingJson = QStringLiteral(R"({"columns":[]})");
    job.profile = QStringLiteral("Production");
    job.createdAt = QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC);
    return job;
}

BulkJournal::Job eventsJob()
{
    BulkJournal::Job job = usersJob();
    job.kind.kind = ImportKind::Kind::Events;
    job.file = QStringLiteral("/data/events.csv");
    return job;
}

BulkJournal::Row row(qint64 number)
{
    BulkJournal::Row row;
    row.number = number;
    row.line = number + 1; // after the header
    row.values = {QStringLiteral("u-%1").arg(number), QStringLiteral("u%1@acme.com").arg(number),
                  QStringLiteral("Pro, \"yearly\"\nsecond line")};
    row.request =
        QJsonDocument(
            QJsonObject{
                {QLatin1String("operation"), QStringLiteral("upsertUser")},
                {QLatin1String("body"),
                 QJsonObject{{QLatin1String("identification"),
                              QJsonObject{{QLatin1String("userId"), QStringLiteral("u-%1").arg(number)}}}}}})
            .toJson(QJsonDocument::Compact);
    return row;
}

QList<BulkJournal::Row> rows(qint64 first, qint64 count)
{
    QList<BulkJournal::Row> list;
    for (qint64 number = first; number < first + count; ++number)
        list.append(row(number));
    return list;
}

QList<qint64> idsOf(const QList<BulkJournal::Row> &rows)
{
    QList<qint64> ids;
    for (const BulkJournal::Row &row : rows)
        ids.append(row.id);
    return ids;
}

QList<qint64> numbersOf(const QList<BulkJournal::Row> &rows)
{
    QList<qint64> numbers;
    for (const BulkJournal::Row &row : rows)
        numbers.append(row.number);
    return numbers;
}

QList<qint64> range(qint64 first, qint64 last)
{
    QList<qint64> list;
    for (qint64 n = first; n <= last; ++n)
        list.append(n);
    return list;
}

bool sameCounts(const BulkJournal::Counts &counts, qint64 pending, qint64 inFlight, qint64 done,
                qint64 failed)
{
    const bool same = counts.pending == pending && counts.inFlight == inFlight && counts.done == done &&
                      counts.failed == failed;
    if (!same)
        qWarning("counts: pending %lld, in flight %lld, done %lld, failed %lld", counts.pending,
                 counts.inFlight, counts.done, counts.failed);
    return same;
}

// The child side of killedWriterLosesNothing: commits some states, says so, then waits to be killed.
int runKilledWriter(const QString &path)
{
    BulkJournal journal;
    QString error;
    if (!journal.open(path, &error))
        return 2;
    const qint64 jobId = journal.latestUnfinishedJob();
    const QList<BulkJournal::Row> taken = journal.takePending(jobId, 30);
    // Rows 1-25 went out (written without fsync, so only what a kill leaves is tested); 26-30 were
    // only taken ahead.
    journal.markSent(idsOf(taken.mid(0, 25)));
    journal.markDone(idsOf(taken.mid(0, 10)), QStringLiteral("req-child"));
    journal.markFailed(idsOf(taken.mid(10, 5)), QStringLiteral("HTTP 400: bad"),
                       {{QLatin1String("identification.email"), QStringLiteral("Not an email.")}});
    journal.markPending(idsOf(taken.mid(15, 5)), true);
    std::printf("ready\n");
    std::fflush(stdout);
    for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
}

} // namespace

class TestBulkJournal : public QObject
{
    Q_OBJECT

private slots:
    void jobsSurviveReopening();
    void takePendingInRowOrder();
    void marksSurviveReopening();
    void failedRowsKeepValuesAndFieldErrors();
    void rowsWithPropertiesNotStoredSurviveFinishing();
    void attemptsAndDuplicatesFromMarkPending();
    void recoverInFlightFlagsOnlyEvents();
    void journalOfVersion1IsMigrated();
    void batchIsOneTransaction();
    void killedWriterLosesNothing();
    void journalsAreIndependent();
    void notOpenReportsAnError();
    void manyRows();

private:
    QTemporaryDir m_dir;
};

void TestBulkJournal::jobsSurviveReopening()
{
    const QString path = m_dir.filePath(QStringLiteral("jobs.sqlite"));
    qint64 first = 0;
    qint64 second = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        QCOMPARE(journal.latestUnfinishedJob(), 0);
        first = journal.createJob(usersJob());
        BulkJournal::Job events = eventsJob();
        events.kind.remove = true; // not meaningful for events, but stored as given
        second = journal.createJob(events);
        QVERIFY(first > 0);
        QVERIFY(second > first);
        QCOMPARE(journal.latestUnfinishedJob(), second);
        journal.finishJob(second);
        QCOMPARE(journal.latestUnfinishedJob(), first);
    }
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    QCOMPARE(journal.latestUnfinishedJob(), first);
    const BulkJournal::Job job = journal.job(first);
    const BulkJournal::Job expected = usersJob();
    QCOMPARE(job.id, first);
    QCOMPARE(job.kind.kind, ImportKind::Kind::Users);
    QCOMPARE(job.kind.remove, false);
    QCOMPARE(job.file, expected.file);
    QCOMPARE(job.headers, expected.headers);
    QCOMPARE(job.mappingJson, expected.mappingJson);
    QCOMPARE(job.profile, expected.profile);
    QCOMPARE(job.createdAt, expected.createdAt);
    QCOMPARE(job.finished, false);
    const BulkJournal::Job other = journal.job(second);
    QCOMPARE(other.kind.kind, ImportKind::Kind::Events);
    QCOMPARE(other.kind.remove, true);
    QCOMPARE(other.finished, true);
    QCOMPARE(journal.job(second + 100).id, 0);
    journal.finishJob(first);
    QCOMPARE(journal.latestUnfinishedJob(), 0);
}

void TestBulkJournal::takePendingInRowOrder()
{
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(m_dir.filePath(QStringLiteral("order.sqlite")), &error), qPrintable(error));
    const qint64 jobId = journal.createJob(usersJob());
    const qint64 otherJob = journal.createJob(usersJob());
    // Added out of order and in two batches: rows come out by number, never another job's.
    QVERIFY(journal.addRows(jobId, rows(6, 5)));
    QVERIFY(journal.addRows(otherJob, rows(1, 3)));
    QVERIFY(journal.addRows(jobId, rows(1, 5)));
    QVERIFY(sameCounts(journal.counts(jobId), 10, 0, 0, 0));
    QCOMPARE(journal.counts(jobId).total(), 10);

    const QList<BulkJournal::Row> first = journal.takePending(jobId, 4);
    QCOMPARE(numbersOf(first), range(1, 4));
    for (const BulkJournal::Row &taken : first) {
        QCOMPARE(taken.state, BulkJournal::RowState::InFlight);
        QVERIFY(taken.values.isEmpty()); // left out: sending does not need the cells
        QCOMPARE(taken.request, row(taken.number).request);
        QCOMPARE(taken.line, taken.number + 1);
    }
    QVERIFY(sameCounts(journal.counts(jobId), 6, 4, 0, 0));
    QVERIFY(sameCounts(journal.counts(otherJob), 3, 0, 0, 0));

    // A row put back comes out before the rows after it.
    journal.markPending({first.at(1).id}, false);
    QCOMPARE(numbersOf(journal.takePending(jobId, 3)), (QList<qint64>{2, 5, 6}));
    QCOMPARE(numbersOf(journal.takePending(jobId, 100)), range(7, 10));
    QVERIFY(journal.takePending(jobId, 100).isEmpty());
    QVERIFY(sameCounts(journal.counts(jobId), 0, 10, 0, 0));
    QVERIFY(journal.lastError().isEmpty());
}

void TestBulkJournal::marksSurviveReopening()
{
    const QString path = m_dir.filePath(QStringLiteral("marks.sqlite"));
    qint64 jobId = 0;
    QList<qint64> ids;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        jobId = journal.createJob(usersJob());
        QVERIFY(journal.addRows(jobId, rows(1, 10)));
        const QList<BulkJournal::Row> taken = journal.takePending(jobId, 8);
        ids = idsOf(taken);
        QVERIFY(journal.markSent(ids));
        journal.markDone(ids.mid(0, 3), QStringLiteral("req-a"));
        journal.markDone(ids.mid(3, 1), QStringLiteral("req-b"));
        journal.markFailed(ids.mid(4, 1), QStringLiteral("HTTP 401: not authorised"), QJsonObject());
        journal.markPending(ids.mid(5, 1), true);
        // rows 7 and 8 stay in flight, 9 and 10 pending
        QVERIFY(sameCounts(journal.counts(jobId), 3, 2, 4, 1));
        QVERIFY(journal.lastError().isEmpty());
    }
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    QVERIFY(sameCounts(journal.counts(jobId), 3, 2, 4, 1));
    QCOMPARE(journal.recoverInFlight(jobId), 2);
    QVERIFY(sameCounts(journal.counts(jobId), 5, 0, 4, 1));
    QCOMPARE(journal.recoverInFlight(jobId), 0);
    QVERIFY(journal.duplicatedEvents(jobId).isEmpty()); // upserts: sent again without a warning
    const QList<BulkJournal::Row> again = journal.takePending(jobId, 100);
    QCOMPARE(numbersOf(again), (QList<qint64>{6, 7, 8, 9, 10}));
    QCOMPARE(again.first().attempts, 1);
    QCOMPARE(again.at(1).attempts, 0);
    const QList<BulkJournal::Row> failed = journal.failedRows(jobId);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.first().number, 5);
    QCOMPARE(failed.first().error, QStringLiteral("HTTP 401: not authorised"));
    QCOMPARE(failed.first().state, BulkJournal::RowState::Failed);
    journal.markDone(idsOf(again), QStringLiteral("req-c"));
    QVERIFY(sameCounts(journal.counts(jobId), 0, 0, 9, 1));
}

void TestBulkJournal::failedRowsKeepValuesAndFieldErrors()
{
    const QString path = m_dir.filePath(QStringLiteral("failed.sqlite"));
    qint64 jobId = 0;
    const QJsonObject fieldErrors{{QLatin1String("identification.email"), QStringLiteral("Not an email.")},
                                  {QLatin1String("properties.plan"), QStringLiteral("Expected a string.")}};
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        jobId = journal.createJob(usersJob());
        QList<BulkJournal::Row> added = rows(1, 4);
        added[2].values = {QStringLiteral("ü-ñ \"quoted\""), QString(),
                           QStringLiteral("a,b;c\td\\e\r\x01 \U0001F600 \u2028")};
        QVERIFY(journal.addRows(jobId, added));
        const QList<BulkJournal::Row> taken = journal.takePending(jobId, 4);
        journal.markFailed({taken.at(2).id, taken.at(3).id}, QStringLiteral("HTTP 400: Bad request"),
                           fieldErrors);
        journal.markDone({taken.at(0).id}, QStringLiteral("req-1"));
        journal.markPending({taken.at(1).id}, false);
    }
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    const QList<BulkJournal::Row> failed = journal.failedRows(jobId);
    QCOMPARE(numbersOf(failed), (QList<qint64>{3, 4}));
    QCOMPARE(failed.first().values, (QStringList{QStringLiteral("ü-ñ \"quoted\""), QString(),
                                                 QStringLiteral("a,b;c\td\\e\r\x01 \U0001F600 \u2028")}));
    QCOMPARE(failed.at(1).values, row(4).values); // embedded newline and quotes kept
    QCOMPARE(failed.first().line, 4);
    QCOMPARE(failed.first().error, QStringLiteral("HTTP 400: Bad request"));
    QCOMPARE(failed.first().fieldErrors, fieldErrors);
    QCOMPARE(failed.first().request, row(3).request);
    QVERIFY(failed.first().requestId.isEmpty());
}

void TestBulkJournal::rowsWithPropertiesNotStoredSurviveFinishing()
{
    const QString path = m_dir.filePath(QStringLiteral("warned.sqlite"));
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    const qint64 jobId = journal.createJob(usersJob());
    QVERIFY(journal.addRows(jobId, rows(1, 4)));
    const QList<BulkJournal::Row> taken = journal.takePending(jobId, 4);
    const QMap<QString, QString> both{
        {QStringLiteral("seats"), QStringLiteral("Expected a number but found a string.")},
        {QStringLiteral("plan"), QStringLiteral("Expected a string but found a number.")}};
    journal.markDone({taken.at(0).id}, QStringLiteral("req-1"),
                     {{QStringLiteral("seats"), both.value("seats")}});
    journal.markDone({taken.at(1).id}, QStringLiteral("req-2"));
    journal.markDone({taken.at(2).id, taken.at(3).id}, QStringLiteral("req-3"), both);
    journal.finishJob(jobId);
    QVERIFY(journal.job(jobId).finished);
    QCOMPARE(journal.counts(jobId).done, 4);
    QCOMPARE(journal.counts(jobId).failed, 0);
    const QList<BulkJournal::Row> warned = journal.warnedRows(jobId);
    QCOMPARE(numbersOf(warned), (QList<qint64>{1, 3, 4}));
    QCOMPARE(warned.first().fieldErrors.value(QLatin1String("seats")).toString(), both.value("seats"));
    QCOMPARE(warned.first().values, row(1).values); // the cells, for the failed-rows file
    QCOMPARE(BulkJournal::notStoredSummary(warned),
             QStringLiteral("3 row(s) with properties not stored: plan (2), seats (3)"));
    QVERIFY(BulkJournal::notStoredSummary({}).isEmpty());
    QVERIFY(journal.failedRows(jobId).isEmpty());
}

void TestBulkJournal::attemptsAndDuplicatesFromMarkPending()
{
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(m_dir.filePath(QStringLiteral("attempts.sqlite")), &error), qPrintable(error));
    const qint64 jobId = journal.createJob(eventsJob());
    QVERIFY(journal.addRows(jobId, rows(1, 3)));
    for (int round = 0; round < 3; ++round) {
        const QList<BulkJournal::Row> taken = journal.takePending(jobId, 3);
        QCOMPARE(taken.size(), 3);
        QCOMPARE(taken.first().attempts, round);
        QCOMPARE(taken.at(1).attempts, 0);
        journal.markPending({taken.first().id}, true, round == 1);
        journal.markPending({taken.at(1).id}, false); // a 429: not an attempt
        journal.markPending({taken.at(2).id}, false, false);
    }
    const QList<BulkJournal::Row> duplicated = journal.duplicatedEvents(jobId);
    QCOMPARE(numbersOf(duplicated), QList<qint64>{1});
    QCOMPARE(duplicated.first().attempts, 3);
    QVERIFY(duplicated.first().possiblyDuplicated);
    // The flag stays when the row is then done.
    const QList<BulkJournal::Row> taken = journal.takePending(jobId, 3);
    journal.markDone(idsOf(taken), QStringLiteral("req-x"));
    QCOMPARE(numbersOf(journal.duplicatedEvents(jobId)), QList<qint64>{1});
    QCOMPARE(journal.duplicatedEvents(jobId).first().requestId, QStringLiteral("req-x"));
}

void TestBulkJournal::recoverInFlightFlagsOnlyEvents()
{
    const QString path = m_dir.filePath(QStringLiteral("recover.sqlite"));
    qint64 users = 0;
    qint64 events = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        users = journal.createJob(usersJob());
        events = journal.createJob(eventsJob());
        QVERIFY(journal.addRows(users, rows(1, 5)));
        QVERIFY(journal.addRows(events, rows(1, 5)));
        journal.markSent(idsOf(journal.takePending(users, 3)));
        // Events 1-3 went out, 4 was only taken ahead.
        const QList<BulkJournal::Row> taken = journal.takePending(events, 4);
        journal.markSent(idsOf(taken.mid(0, 3)));
        journal.markDone({taken.first().id}, QStringLiteral("req-1"));
        // closed with rows in flight, as a crash would leave them
    }
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    QCOMPARE(journal.recoverInFlight(users), 3);
    QCOMPARE(journal.recoverInFlight(events), 2);
    QVERIFY(journal.duplicatedEvents(users).isEmpty());
    const QList<BulkJournal::Row> duplicated = journal.duplicatedEvents(events);
    QCOMPARE(numbersOf(duplicated), (QList<qint64>{2, 3}));
    QCOMPARE(duplicated.first().state, BulkJournal::RowState::Pending);
    QVERIFY(sameCounts(journal.counts(events), 4, 0, 1, 0));
    QVERIFY(sameCounts(journal.counts(users), 5, 0, 0, 0));
    // Sent again and done: still listed for the report.
    journal.markDone(idsOf(journal.takePending(events, 10)), QStringLiteral("req-2"));
    QCOMPARE(numbersOf(journal.duplicatedEvents(events)), (QList<qint64>{2, 3}));
}

void TestBulkJournal::batchIsOneTransaction()
{
    const QString path = m_dir.filePath(QStringLiteral("batch.sqlite"));
    qint64 jobId = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        jobId = journal.createJob(usersJob());
        QVERIFY(journal.addRows(jobId, rows(1, 10)));
        const QList<BulkJournal::Row> taken = journal.takePending(jobId, 4);
        QVERIFY(!journal.commitBatch()); // none open
        QVERIFY(journal.beginBatch());
        QVERIFY(!journal.beginBatch()); // not nested
        journal.markDone({taken.at(0).id}, QStringLiteral("req-1"));
        journal.markDone({taken.at(1).id}, QStringLiteral("req-2"));
        journal.markFailed({taken.at(2).id}, QStringLiteral("HTTP 400"), QJsonObject());
        journal.markPending({taken.at(3).id}, true);
        QCOMPARE(journal.takePending(jobId, 2).size(), 2);
        QVERIFY(journal.commitBatch());
        QVERIFY(journal.lastError().isEmpty());
        // A batch never committed (a crash) leaves nothing behind.
        QVERIFY(journal.beginBatch());
        journal.markDone(idsOf(journal.takePending(jobId, 100)), QStringLiteral("req-lost"));
    }
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    QVERIFY(sameCounts(journal.counts(jobId), 5, 2, 2, 1));
    QCOMPARE(journal.failedRows(jobId).first().number, 3);
}

void TestBulkJournal::journalOfVersion1IsMigrated()
{
    // The tables as the previous build made them, with a job half sent.
    const QString path = m_dir.filePath(QStringLiteral("v1.sqlite"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery query(db);
        for (const char *sql : {"CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT "
                                "NULL, remove INTEGER NOT "
                                "NULL, file TEXT NOT NULL, headers TEXT NOT NULL, mapping TEXT NOT NULL, "
                                "profile TEXT NOT NULL, "
                                "created_ms INTEGER NOT NULL, finished INTEGER NOT NULL)",
                                "CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, job INTEGER NOT "
                                "NULL REFERENCES jobs(id) "
                                "ON DELETE CASCADE, number INTEGER NOT NULL, line INTEGER NOT NULL, cells "
                                "TEXT NOT NULL, request "
                                "TEXT NOT NULL, state INTEGER NOT NULL, attempts INTEGER NOT NULL, "
                                "request_id TEXT NOT NULL, error "
                                "TEXT NOT NULL, field_errors TEXT NOT NULL, duplicated INTEGER NOT NULL)",
                                "INSERT INTO jobs VALUES (1, 'events', 0, 'old.csv', '[]', '', 'prod', 0, 0)",
                                "INSERT INTO rows VALUES (1, 1, 1, 2, '[]', '{}', 2, 0, 'r-1', '', '', 0)",
                                "INSERT INTO rows VALUES (2, 1, 2, 3, '[]', '{}', 1, 0, '', '', '', 0)",
                                "PRAGMA user_version=1"})
            QVERIFY2(query.exec(QLatin1String(sql)), sql);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("v1"));

    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    const BulkJournal::Job job = journal.job(1);
    QCOMPARE(job.file, QStringLiteral("old.csv"));
    QCOMPARE(job.prepared, true); // the old build only ever sent whole jobs
    QCOMPARE(job.fileSize, qint64(-1));
    QCOMPARE(journal.latestUnfinishedJob(), qint64(1));
    QVERIFY(sameCounts(journal.counts(1), 0, 1, 1, 0));
    // Its in-flight row was never marked sent; an old build's crash may still have sent it, so it
    // goes back to pending (the old journal cannot say more).
    journal.recoverInFlight(1);
    QVERIFY(sameCounts(journal.counts(1), 1, 0, 1, 0));
    QCOMPARE(QFile::permissions(path) & 0x0077, QFileDevice::Permissions());
}

void TestBulkJournal::killedWriterLosesNothing()
{
    const QString path = m_dir.filePath(QStringLiteral("killed.sqlite"));
    qint64 jobId = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        jobId = journal.createJob(eventsJob());
        QVERIFY(journal.addRows(jobId, rows(1, 40)));
    }
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("BULKJOURNAL_KILLED_WRITER"), path);
    child.setProcessEnvironment(environment);
    child.start(QCoreApplication::applicationFilePath(), QStringList());
    QVERIFY(child.waitForStarted());
    QByteArray output;
    QTRY_VERIFY_WITH_TIMEOUT((output += child.readAllStandardOutput()).contains("ready") ||
                                 child.state() == QProcess::NotRunning,
                             20000);
    QCOMPARE(child.state(), QProcess::Running);
    child.kill(); // SIGKILL: no destructor, no close, no checkpoint
    QVERIFY(child.waitForFinished());

    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    QVERIFY(sameCounts(journal.counts(jobId), 15, 10, 10, 5));
    QCOMPARE(
        journal.failedRows(jobId).first().fieldErrors.value(QLatin1String("identification.email")).toString(),
        QStringLiteral("Not an email."));
    // Of the 10 rows in flight, the 5 whose requests went out count (and may be duplicated).
    QCOMPARE(journal.recoverInFlight(jobId), 5);
    QCOMPARE(numbersOf(journal.duplicatedEvents(jobId)), range(21, 25));
    const QList<BulkJournal::Row> again = journal.takePending(jobId, 100);
    QCOMPARE(numbersOf(again), range(16, 40));
    QCOMPARE(again.first().attempts, 1);
}

void TestBulkJournal::journalsAreIndependent()
{
    const QString path = m_dir.filePath(QStringLiteral("shared.sqlite"));
    BulkJournal writer;
    BulkJournal reader;
    BulkJournal other;
    QString error;
    QVERIFY2(writer.open(path, &error), qPrintable(error));
    QVERIFY2(reader.open(path, &error), qPrintable(error));
    QVERIFY2(other.open(m_dir.filePath(QStringLiteral("other.sqlite")), &error), qPrintable(error));
    const qint64 jobId = writer.createJob(usersJob());
    QVERIFY(writer.addRows(jobId, rows(1, 5)));
    writer.markDone(idsOf(writer.takePending(jobId, 2)), QStringLiteral("req"));
    // Each instance has its own connection: a second one on the same file sees every commit at once.
    QVERIFY(sameCounts(reader.counts(jobId), 3, 0, 2, 0));
    QCOMPARE(other.latestUnfinishedJob(), 0);
    QVERIFY(sameCounts(other.counts(jobId), 0, 0, 0, 0));
}

void TestBulkJournal::notOpenReportsAnError()
{
    BulkJournal journal;
    QCOMPARE(journal.createJob(usersJob()), 0);
    QVERIFY(!journal.lastError().isEmpty());
    QVERIFY(!journal.addRows(1, rows(1, 1)));
    QVERIFY(journal.takePending(1, 10).isEmpty());
    QVERIFY(!journal.lastError().isEmpty());

    QString error;
    QVERIFY(journal.open(m_dir.filePath(QStringLiteral("late.sqlite")), &error));
    QVERIFY(journal.createJob(usersJob()) > 0);
    QVERIFY(journal.lastError().isEmpty());
}

void TestBulkJournal::manyRows()
{
    const QString path = m_dir.filePath(QStringLiteral("many.sqlite"));
    constexpr int total = 50000;
    constexpr int batch = 5000;
    QElapsedTimer clock;
    clock.start();
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    const qint64 jobId = journal.createJob(usersJob());
    for (int first = 1; first <= total; first += batch)
        QVERIFY(journal.addRows(jobId, rows(first, batch)));
    const qint64 addMs = clock.restart();
    qint64 taken = 0;
    qint64 expectedNumber = 1;
    for (;;) {
        const QList<BulkJournal::Row> some = journal.takePending(jobId, 500);
        if (some.isEmpty())
            break;
        QCOMPARE(some.first().number, expectedNumber);
        expectedNumber += some.size();
        taken += some.size();
        // As the importer does: a few rows per mark, so many small transactions.
        for (qsizetype i = 0; i < some.size(); i += 50)
            journal.markDone(idsOf(some.mid(i, 50)), QStringLiteral("req"));
    }
    const qint64 sendMs = clock.elapsed();
    qInfo("%d rows: added in %lld ms, taken and marked in %lld ms", total, addMs, sendMs);
    QCOMPARE(taken, total);
    QVERIFY(sameCounts(journal.counts(jobId), 0, 0, total, 0));
    QVERIFY(journal.lastError().isEmpty());
    // Generous bounds: the point is that nothing is quadratic.
    QVERIFY2(addMs < 15000, qPrintable(QString::number(addMs)));
    QVERIFY2(sendMs < 30000, qPrintable(QString::number(sendMs)));
}

int main(int argc, char **argv)
{
    const QByteArray killedWriter = qgetenv("BULKJOURNAL_KILLED_WRITER");
    if (!killedWriter.isEmpty()) {
        QCoreApplication app(argc, argv);
        return runKilledWriter(QString::fromLocal8Bit(killedWriter));
    }
    QCoreApplication app(argc, argv);
    TestBulkJournal test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_BulkJournal.moc"

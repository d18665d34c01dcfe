// The bulk importer against an in-process sandbox over real HTTP, judged from the server's side:
// /_sandbox/stats says no window ever held more than the limit and nothing was answered 429 when
// the pacing alone was at work; each fault the sandbox injects (500s, dropped connections,
// garbled answers, 429 bursts) is retried until every row is done, or fails the row after the
// last attempt; 4xx and pre-flight failures fail their rows with field errors; membership rows
// go in calls of at most 100 users; pause, resume and cancel; and the server holds every row.

#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "import/BulkImporter.h"
#include "import/ImportRowBuilder.h"
#include "sandbox/SandboxServer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString allKey = QStringLiteral("sk_all");
const QString readOnlyKey = QStringLiteral("sk_read");

QJsonObject requestJson(const ApiRequest &request)
{
    QJsonObject json{{QLatin1String("operation"), request.info().operationId},
                     {QLatin1String("body"), request.body}};
    if (!request.query.isEmpty())
        json.insert(QLatin1String("query"), request.query.toString(QUrl::FullyEncoded));
    return json;
}

BulkJournal::Row journalRow(qint64 number, const ApiRequest &request)
{
    BulkJournal::Row row;
    row.number = number;
    row.line = number + 1;
    row.request = QJsonDocument(requestJson(request)).toJson(QJsonDocument::Compact);
    return row;
}

QString userId(qint64 n)
{
    return QStringLiteral("u-%1").arg(n);
}

ApiRequest userUpsert(qint64 n)
{
    return ApiRequest::upsertUser(
        {userId(n), QStringLiteral("u%1@acme.com").arg(n)},
        {TypedField{QStringLiteral("plan"), TypedValue::string(QStringLiteral("Pro"))}});
}

QList<ApiRequest> userUpserts(qint64 count)
{
    QList<ApiRequest> requests;
    for (qint64 n = 1; n <= count; ++n)
        requests.append(userUpsert(n));
    return requests;
}

// A sandbox whose rate limit never comes into play: what a test sees is the faults alone.
SandboxConfig unpaced()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 100000;
    config.rateWindowSeconds = 1;
    return config;
}

ApiRequest trackedEvent(qint64 n)
{
    return ApiRequest::trackEvent(QStringLiteral("imported_%1").arg(n), {userId(n), QString()}, {}, {});
}

ApiRequest membership(qint64 n, const QString &accountId)
{
    return ApiRequest::addUsersToAccount({accountId, QString()}, {{userId(n), QString()}});
}

QList<qint64> numbersOf(const QList<BulkJournal::Row> &rows)
{
    QList<qint64> numbers;
    for (const BulkJournal::Row &row : rows)
        numbers.append(row.number);
    return numbers;
}

} // namespace

class TestBulkImporter : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void pacedFromTheServersSide();
    void userCeilingBelowTheServersLimit();
    void serverErrorsAreRetried();
    void droppedConnectionsAreRetried();
    void garbledAnswersAreRetried();
    void rateLimitBurstsDoNotFailRows();
    void failingRowsDoNotHoldBackTheOthers();
    void thirtyPercentFaultsDeliverEveryUpsertOnce();
    void thirtyPercentFaultsDuplicateOnlyMarkedEvents();
    void persistentFailuresFailAfterMaxAttempts();
    void preflightFailuresFailTheirRows();
    void serverRefusalsFailWithTheServersErrors();
    void membershipsGoInCallsOfAtMost100();
    void membershipCallRefusedFailsOnlyTheBadRow();
    void pauseResumeCancelAndResume();
    void inFlightRowsOfACrashAreSentAgain();

private:
    void startServer(SandboxConfig config);
    JournyClient *client(const QString &key = allKey, bool preflight = true);
    qint64 createJob(ImportKind::Kind kind, const QList<ApiRequest> &requests);
    // Runs an importer to its end; returns how long it took (ms), -1 on timeout.
    qint64 run(BulkImporter *importer, int timeoutMs = 30000, bool *cancelled = nullptr);
    BulkImporter::Options fastOptions() const;
    QJsonObject inspect(const QString &pathAndQuery);
    QJsonObject stats() { return inspect(QStringLiteral("/_sandbox/stats")); }
    void verifyUsersStored(qint64 first, qint64 last);
    // Straight from the journal's file: what the class's API does not list (done rows' attempts).
    qint64 sumOfAttempts(qint64 jobId);

    QTemporaryDir m_dir;
    SandboxServer *m_server = nullptr;
    BulkJournal *m_journal = nullptr;
    QNetworkAccessManager *m_nam = nullptr; // inspection, independent of the client under test
    NetworkAccess *m_network = nullptr;
    int m_journals = 0;
};

void TestBulkImporter::init()
{
    m_nam = new QNetworkAccessManager(this);
    m_network = new NetworkAccess(this);
    m_journal = new BulkJournal;
    QString error;
    QVERIFY2(m_journal->open(m_dir.filePath(QStringLiteral("journal-%1.sqlite").arg(++m_journals)), &error),
             qPrintable(error));
}

void TestBulkImporter::cleanup()
{
    delete m_journal;
    m_journal = nullptr;
    delete m_server;
    m_server = nullptr;
    delete m_nam;
    m_nam = nullptr;
    delete m_network;
    m_network = nullptr;
}

void TestBulkImporter::startServer(SandboxConfig config)
{
    config.keys.insert(allKey, {SandboxConfig::allPermissions(), true});
    config.keys.insert(readOnlyKey, {{QStringLiteral("ReadEvents"), QStringLiteral("ReadProperties")}, true});
    m_server = new SandboxServer(config);
    QVERIFY(m_server->start());
}

JournyClient *TestBulkImporter::client(const QString &key, bool preflight)
{
    ClientConfig config;
    config.baseUrl = m_server->baseUrl();
    config.apiKey = key;
    config.preflight = preflight;
    config.network.timeoutMs = 5000;
    return new JournyClient(config, m_network, nullptr, m_server);
}

BulkImporter::Options TestBulkImporter::fastOptions() const
{
    BulkImporter::Options options;
    options.windowMs = 1000;
    options.concurrency = 4;
    options.maxAttempts = 8;
    options.backoffBaseMs = 10;
    return options;
}

qint64 TestBulkImporter::createJob(ImportKind::Kind kind, const QList<ApiRequest> &requests)
{
    BulkJournal::Job job;
    job.kind.kind = kind;
    job.file = QStringLiteral("rows.csv");
    job.profile = m_server->baseUrl().toString();
    const qint64 jobId = m_journal->createJob(job);
    QList<BulkJournal::Row> rows;
    for (int i = 0; i < requests.size(); ++i) {
        rows.append(journalRow(i + 1, requests.at(i)));
        rows.last().values = {QStringLiteral("cell-%1").arg(i + 1)};
    }
    if (!m_journal->addRows(jobId, rows))
        qWarning("addRows failed: %s", qPrintable(m_journal->lastError()));
    return jobId;
}

qint64 TestBulkImporter::run(BulkImporter *importer, int timeoutMs, bool *cancelled)
{
    QSignalSpy finished(importer, &BulkImporter::finished);
    QElapsedTimer clock;
    clock.start();
    importer->start();
    if (!finished.wait(timeoutMs))
        return -1;
    if (cancelled)
        *cancelled = finished.first().first().toBool();
    return clock.elapsed();
}

QJsonObject TestBulkImporter::inspect(const QString &pathAndQuery)
{
    QNetworkReply *reply = m_nam->get(QNetworkRequest(QUrl(m_server->baseUrl().toString() + pathAndQuery)));
    QSignalSpy spy(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        spy.wait(5000);
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

void TestBulkImporter::verifyUsersStored(qint64 first, qint64 last)
{
    for (qint64 n = first; n <= last; ++n) {
        const QJsonObject user = inspect(QStringLiteral("/_sandbox/users?userId=%1").arg(userId(n)));
        QVERIFY2(user.value(QLatin1String("userId")).toString() == userId(n), qPrintable(userId(n)));
        QCOMPARE(user.value(QLatin1String("properties")).toObject().value(QLatin1String("plan")).toString(),
                 QStringLiteral("Pro"));
    }
}

qint64 TestBulkImporter::sumOfAttempts(qint64 jobId)
{
    qint64 sum = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(m_dir.filePath(QStringLiteral("journal-%1.sqlite").arg(m_journals)));
        if (db.open()) {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("SELECT SUM(attempts) FROM rows WHERE job = ?"));
            query.addBindValue(jobId);
            if (query.exec() && query.next())
                sum = query.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return sum;
}

void TestBulkImporter::pacedFromTheServersSide()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 20;
    config.rateWindowSeconds = 2;
    config.faults.latencyMs = 5;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(60));

    BulkImporter::Options options;
    options.windowMs = 2000;
    options.concurrency = 4;
    BulkImporter importer(m_journal, client(), jobId, options);
    QList<BulkImporter::Progress> progress;
    connect(&importer, &BulkImporter::progressed, this,
            [&progress](const BulkImporter::Progress &p) { progress.append(p); });
    bool cancelled = true;
    const qint64 elapsed = run(&importer, 30000, &cancelled);
    QVERIFY(elapsed > 0);
    QVERIFY(!cancelled);

    const QJsonObject counts = stats();
    qInfo("60 rows at 20 per 2 s in %lld ms; server: %s", elapsed,
          QJsonDocument(counts).toJson(QJsonDocument::Compact).constData());
    QCOMPARE(counts.value(QLatin1String("rateLimited")).toInt(), 0);
    QVERIFY(counts.value(QLatin1String("maxPerWindow")).toInt() <= 20);
    QCOMPARE(counts.value(QLatin1String("requests")).toInt(), 60);
    // 20 per window, evenly spread: the last of 60 cannot go before about two windows have passed
    // (and, spread evenly, not much before three).
    QVERIFY2(elapsed >= 4000, qPrintable(QString::number(elapsed)));
    QVERIFY2(elapsed < 12000, qPrintable(QString::number(elapsed)));

    const BulkJournal::Counts journalCounts = m_journal->counts(jobId);
    QCOMPARE(journalCounts.done, 60);
    QCOMPARE(journalCounts.total(), 60);
    QVERIFY(m_journal->job(jobId).finished);
    QCOMPARE(m_journal->latestUnfinishedJob(), 0);
    verifyUsersStored(1, 60);

    // Progress came after answers and in between; the last one is the end, the middle ones have
    // a rate near 10 rows/s and an ETA.
    QVERIFY(progress.size() >= 60);
    QCOMPARE(progress.last().counts.done, 60);
    QCOMPARE(progress.last().counts.pending + progress.last().counts.inFlight, 0);
    QCOMPARE(progress.last().etaSeconds, 0);
    bool sawEta = false;
    for (const BulkImporter::Progress &p : progress) {
        QCOMPARE(p.counts.total(), 60);
        QVERIFY2(p.ratePerSecond <= 20.5, qPrintable(QString::number(p.ratePerSecond)));
        if (p.counts.done > 30 && p.counts.done < 50) {
            sawEta = sawEta || (p.etaSeconds > 0 && p.etaSeconds < 10);
            QVERIFY2(p.ratePerSecond > 5 && p.ratePerSecond < 12,
                     qPrintable(QString::number(p.ratePerSecond)));
        }
    }
    QVERIFY(sawEta);
}

void TestBulkImporter::userCeilingBelowTheServersLimit()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 1000;
    config.rateWindowSeconds = 1;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(30));
    BulkImporter::Options options = fastOptions();
    options.rateCeiling = 10; // per windowMs = 1 s, like the server's window
    BulkImporter importer(m_journal, client(), jobId, options);
    const qint64 elapsed = run(&importer);
    QVERIFY(elapsed > 0);
    QVERIFY2(elapsed >= 2000, qPrintable(QString::number(elapsed)));
    QVERIFY(stats().value(QLatin1String("maxPerWindow")).toInt() <= 10);
    QCOMPARE(m_journal->counts(jobId).done, 30);
}

void TestBulkImporter::serverErrorsAreRetried()
{
    SandboxConfig config = unpaced();
    config.faults.failRate = 0.3;
    config.faults.seed = 7;
    config.faults.latencyMs = 2;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(40));
    BulkImporter::Options options = fastOptions();
    options.maxAttempts = 12; // 0.3^12: no row runs out of attempts
    BulkImporter importer(m_journal, client(), jobId, options);
    QVERIFY(run(&importer) > 0);
    QCOMPARE(m_journal->counts(jobId).done, 40);
    QVERIFY(m_journal->failedRows(jobId).isEmpty());
    const int requestsSeen = stats().value(QLatin1String("requests")).toInt();
    const qint64 attempts = sumOfAttempts(jobId);
    qInfo("40 rows with 30%% 500s: %d requests, %lld attempts recorded", requestsSeen, attempts);
    QVERIFY(attempts > 0);
    QCOMPARE(requestsSeen, 40 + attempts); // each 500 was one counted attempt
    verifyUsersStored(1, 40);
}

void TestBulkImporter::droppedConnectionsAreRetried()
{
    SandboxConfig config = unpaced();
    config.faults.dropRate = 0.25;
    config.faults.seed = 3;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(30));
    BulkImporter::Options options = fastOptions();
    options.maxAttempts = 12;
    BulkImporter importer(m_journal, client(), jobId, options);
    QVERIFY(run(&importer) > 0);
    QCOMPARE(m_journal->counts(jobId).done, 30);
    // A quarter of the connections were dropped before an answer, and every row still arrived
    // once: Qt's HTTP stack sends such a request again on a new connection by itself (up to
    // twice, see JournyClient.h), and the importer retries what still fails.
    QVERIFY(stats().value(QLatin1String("requests")).toInt() > 30);
    QVERIFY(m_journal->failedRows(jobId).isEmpty());
    verifyUsersStored(1, 30);
}

void TestBulkImporter::garbledAnswersAreRetried()
{
    SandboxConfig config = unpaced();
    config.faults.garbleRate = 0.3;
    config.faults.seed = 11;
    startServer(config);
    QList<ApiRequest> requests;
    for (int n = 1; n <= 30; ++n)
        requests.append(trackedEvent(n));
    const qint64 jobId = createJob(ImportKind::Kind::Events, requests);
    BulkImporter::Options options = fastOptions();
    options.maxAttempts = 12;
    BulkImporter importer(m_journal, client(), jobId, options);
    QVERIFY(run(&importer) > 0);
    QCOMPARE(m_journal->counts(jobId).done, 30);
    QVERIFY(sumOfAttempts(jobId) > 0);
    for (int n = 1; n <= 30; ++n) {
        const QJsonArray stored = inspect(QStringLiteral("/_sandbox/events?name=imported_%1").arg(n))
                                      .value(QLatin1String("data"))
                                      .toArray();
        QVERIFY2(stored.size() >= 1, qPrintable(QString::number(n)));
    }
    // A garbled 201 does not say whether the event was stored: the rows sent again are listed.
    const QList<BulkJournal::Row> duplicated = m_journal->duplicatedEvents(jobId);
    QVERIFY(!duplicated.isEmpty());
    for (const BulkJournal::Row &row : duplicated) {
        QVERIFY(row.attempts > 0);
        QCOMPARE(row.state, BulkJournal::RowState::Done);
    }
}

void TestBulkImporter::rateLimitBurstsDoNotFailRows()
{
    SandboxConfig config = unpaced();
    config.faults.burstRate = 0.08;
    config.faults.burstLength = 3;
    config.faults.seed = 5;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(40));
    BulkImporter::Options options = fastOptions();
    options.windowMs = 300;  // a 429 without Retry-After waits at most this long for a slot
    options.maxAttempts = 1; // a 429 must never count as an attempt
    BulkImporter importer(m_journal, client(), jobId, options);
    const qint64 elapsed = run(&importer);
    QVERIFY(elapsed > 0);
    const QJsonObject counts = stats();
    qInfo("40 rows with 429 bursts in %lld ms: %s", elapsed,
          QJsonDocument(counts).toJson(QJsonDocument::Compact).constData());
    QVERIFY(counts.value(QLatin1String("rateLimited")).toInt() > 0);
    QCOMPARE(m_journal->counts(jobId).done, 40);
    QVERIFY(m_journal->failedRows(jobId).isEmpty());
    QCOMPARE(sumOfAttempts(jobId), 0);
    // The sandbox's 429s say Retry-After: 1, and the refused rows were not sent sooner.
    QVERIFY2(elapsed >= 1000, qPrintable(QString::number(elapsed)));
    verifyUsersStored(1, 40);
}

void TestBulkImporter::failingRowsDoNotHoldBackTheOthers()
{
    SandboxConfig config = unpaced();
    config.faults.failRate = 0.15;
    config.faults.seed = 7;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(40));
    BulkImporter::Options options = fastOptions();
    // The rows answered 500 wait out a backoff far longer than the test: if a failing row held
    // anything back but its own retry, the others could not all be done meanwhile.
    options.backoffBaseMs = 600000;
    options.backoffCapMs = 600000;
    BulkImporter importer(m_journal, client(), jobId, options);
    BulkImporter::Progress last;
    connect(&importer, &BulkImporter::progressed, this,
            [&last](const BulkImporter::Progress &p) { last = p; });
    QSignalSpy finished(&importer, &BulkImporter::finished);
    importer.start();
    // Every row sent once, every answer in: the rows answered 500 are back to pending, waiting.
    QTRY_VERIFY_WITH_TIMEOUT(last.counts.inFlight == 0 && last.counts.done > 0 &&
                                 last.counts.done + last.counts.pending == 40 &&
                                 stats().value(QLatin1String("requests")).toInt() == 40,
                             30000);
    const qint64 waiting = last.counts.pending;
    qInfo("%lld rows done while %lld wait out their backoff", last.counts.done, waiting);
    QVERIFY(waiting > 0);
    QCOMPARE(m_journal->counts(jobId).done, 40 - waiting);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(last.rateLimitedMs, 0); // a 500 never pauses the pacer
    importer.cancel();
    QVERIFY(finished.wait(10000));
    // Cancelled while waiting: the rows are pending for a resume, their failed attempt counted.
    QCOMPARE(m_journal->counts(jobId).pending, waiting);
    QCOMPARE(sumOfAttempts(jobId), waiting);
}

namespace {

// 30 % of the API requests faulted, each kind of fault the issue names: connections reset, 500s,
// answers garbled after the work was done, 429s with Retry-After: 1 (rarer: each pauses the
// whole import for a second, as it must).
SandboxConfig thirtyPercentFaults(quint32 seed)
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 600;
    config.rateWindowSeconds = 1;
    config.faults.dropRate = 0.1;
    config.faults.failRate = 0.1;
    config.faults.garbleRate = 0.08;
    config.faults.burstRate = 0.02;
    config.faults.burstLength = 1;
    config.faults.seed = seed;
    return config;
}

BulkImporter::Options faultTolerantOptions()
{
    BulkImporter::Options options;
    options.windowMs = 1000;
    options.concurrency = 4;
    options.maxAttempts = 12; // 0.28^12 per row: none runs out of attempts
    options.backoffBaseMs = 50;
    options.backoffCapMs = 400;
    return options;
}

} // namespace

void TestBulkImporter::thirtyPercentFaultsDeliverEveryUpsertOnce()
{
    startServer(thirtyPercentFaults(21));
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(500));
    BulkImporter importer(m_journal, client(), jobId, faultTolerantOptions());
    bool cancelled = true;
    QVERIFY(run(&importer, 240000, &cancelled) > 0);
    QVERIFY(!cancelled);
    const QJsonObject counts = stats();
    qInfo("500 upserts at 30%% faults: %s, %lld attempts recorded",
          QJsonDocument(counts).toJson(QJsonDocument::Compact).constData(), sumOfAttempts(jobId));
    // The faults happened, and were recovered from.
    QVERIFY(counts.value(QLatin1String("rateLimited")).toInt() > 0);
    QVERIFY(sumOfAttempts(jobId) > 0);
    // Every row done, none failed, the job finished; the server holds each user once, as sent,
    // and its window never held more than its limit.
    const BulkJournal::Counts journalCounts = m_journal->counts(jobId);
    QCOMPARE(journalCounts.done, 500);
    QCOMPARE(journalCounts.failed, 0);
    QVERIFY(m_journal->job(jobId).finished);
    QCOMPARE(counts.value(QLatin1String("users")).toInt(), 500);
    QVERIFY(counts.value(QLatin1String("maxPerWindow")).toInt() <= 600);
    verifyUsersStored(1, 500);
}

void TestBulkImporter::thirtyPercentFaultsDuplicateOnlyMarkedEvents()
{
    startServer(thirtyPercentFaults(22));
    QList<ApiRequest> requests;
    for (int n = 1; n <= 200; ++n)
        requests.append(trackedEvent(n));
    const qint64 jobId = createJob(ImportKind::Kind::Events, requests);
    BulkImporter importer(m_journal, client(), jobId, faultTolerantOptions());
    bool cancelled = true;
    QVERIFY(run(&importer, 240000, &cancelled) > 0);
    QVERIFY(!cancelled);
    QCOMPARE(m_journal->counts(jobId).done, 200);
    QVERIFY(m_journal->failedRows(jobId).isEmpty());
    QSet<qint64> marked;
    for (const BulkJournal::Row &row : m_journal->duplicatedEvents(jobId))
        marked.insert(row.number);
    int doubled = 0;
    for (int n = 1; n <= 200; ++n) {
        const qsizetype stored = inspect(QStringLiteral("/_sandbox/events?name=imported_%1").arg(n))
                                     .value(QLatin1String("data"))
                                     .toArray()
                                     .size();
        // Every event arrived; one stored more than once is one the journal lists.
        QVERIFY2(stored >= 1, qPrintable(QString::number(n)));
        if (stored > 1) {
            ++doubled;
            QVERIFY2(marked.contains(n), qPrintable(QString::number(n)));
        }
    }
    qInfo("200 events at 30%% faults: %d stored twice, %lld marked possibly duplicated", doubled,
          qint64(marked.size()));
    // Garbled answers come after the work: some events were really stored twice, and listed.
    QVERIFY(doubled > 0);
}

void TestBulkImporter::persistentFailuresFailAfterMaxAttempts()
{
    SandboxConfig config = unpaced();
    config.faults.failRate = 1;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, {userUpsert(1), userUpsert(2), userUpsert(3)});
    BulkImporter::Options options = fastOptions();
    options.maxAttempts = 3;
    options.backoffBaseMs = 50;
    BulkImporter importer(m_journal, client(), jobId, options);
    const qint64 elapsed = run(&importer);
    QVERIFY(elapsed > 0);
    // Backoff 50 ms x 2^0, then x 2^1, each with jitter from 0.5x: at least 75 ms of waiting.
    QVERIFY2(elapsed >= 75, qPrintable(QString::number(elapsed)));
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 9);
    const QList<BulkJournal::Row> failed = m_journal->failedRows(jobId);
    QCOMPARE(numbersOf(failed), (QList<qint64>{1, 2, 3}));
    for (const BulkJournal::Row &row : failed) {
        QVERIFY2(row.error.contains(QLatin1String("HTTP 500")), qPrintable(row.error));
        QVERIFY2(row.error.contains(QLatin1String("injected")), qPrintable(row.error));
        QVERIFY2(row.error.contains(QLatin1String("3 attempts")), qPrintable(row.error));
        QCOMPARE(row.attempts, 3);
        QCOMPARE(row.values, QStringList{QStringLiteral("cell-%1").arg(row.number)});
        QVERIFY(!row.possiblyDuplicated); // not events
    }
    // Failed rows do not keep a job unfinished: there is nothing left to send.
    QVERIFY(m_journal->job(jobId).finished);
}

void TestBulkImporter::preflightFailuresFailTheirRows()
{
    SandboxConfig config = unpaced();
    startServer(config);
    const ApiRequest badEmail = ApiRequest::upsertUser({QString(), QStringLiteral("not-an-email")}, {});
    const ApiRequest nobody = ApiRequest::upsertUser({}, {});
    QJsonObject unknown{{QLatin1String("operation"), QStringLiteral("noSuchOperation")}};
    const qint64 jobId = createJob(ImportKind::Kind::Users, {userUpsert(1), badEmail, userUpsert(3), nobody});
    BulkJournal::Row odd = journalRow(5, userUpsert(5));
    odd.request = QJsonDocument(unknown).toJson(QJsonDocument::Compact);
    QVERIFY(m_journal->addRows(jobId, {odd}));
    BulkImporter importer(m_journal, client(), jobId, fastOptions());
    QVERIFY(run(&importer) > 0);
    const BulkJournal::Counts counts = m_journal->counts(jobId);
    QCOMPARE(counts.done, 2);
    QCOMPARE(counts.failed, 3);
    // Nothing that failed pre-flight was sent.
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 2);
    const QList<BulkJournal::Row> failed = m_journal->failedRows(jobId);
    QCOMPARE(numbersOf(failed), (QList<qint64>{2, 4, 5}));
    QVERIFY2(failed.at(0).error.startsWith(QLatin1String("Not sent")), qPrintable(failed.at(0).error));
    QVERIFY2(failed.at(0).fieldErrors.contains(QLatin1String("identification.email")),
             QJsonDocument(failed.at(0).fieldErrors).toJson().constData());
    QVERIFY(!failed.at(1).fieldErrors.isEmpty());
    QVERIFY2(failed.at(2).error.contains(QLatin1String("noSuchOperation")), qPrintable(failed.at(2).error));
    verifyUsersStored(1, 1);
    verifyUsersStored(3, 3);
}

void TestBulkImporter::serverRefusalsFailWithTheServersErrors()
{
    SandboxConfig config = unpaced();
    startServer(config);

    // A key without TrackData: 401 from the server, every row failed with its message.
    const qint64 unauthorised = createJob(ImportKind::Kind::Users, {userUpsert(1), userUpsert(2)});
    {
        BulkImporter importer(m_journal, client(readOnlyKey), unauthorised, fastOptions());
        QVERIFY(run(&importer) > 0);
    }
    const QList<BulkJournal::Row> refused = m_journal->failedRows(unauthorised);
    QCOMPARE(refused.size(), 2);
    for (const BulkJournal::Row &row : refused) {
        QVERIFY2(row.error.contains(QLatin1String("HTTP 401")), qPrintable(row.error));
        QVERIFY2(row.error.contains(QLatin1String("TrackData")), qPrintable(row.error));
        QCOMPARE(row.attempts, 0); // a 4xx is not retried
    }

    // Pre-flight off: the server's 400 and its field errors land on the row.
    const ApiRequest badEmail =
        ApiRequest::upsertUser({QStringLiteral("u-9"), QStringLiteral("not-an-email")}, {});
    const qint64 invalid = createJob(ImportKind::Kind::Users, {userUpsert(1), badEmail});
    {
        BulkImporter importer(m_journal, client(allKey, false), invalid, fastOptions());
        QVERIFY(run(&importer) > 0);
    }
    const QList<BulkJournal::Row> failed = m_journal->failedRows(invalid);
    QCOMPARE(numbersOf(failed), QList<qint64>{2});
    QVERIFY2(failed.first().error.contains(QLatin1String("HTTP 400")), qPrintable(failed.first().error));
    QVERIFY2(failed.first().fieldErrors.contains(QLatin1String("identification.email")),
             QJsonDocument(failed.first().fieldErrors).toJson().constData());
    QCOMPARE(m_journal->counts(invalid).done, 1);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 4);
}

void TestBulkImporter::membershipsGoInCallsOfAtMost100()
{
    SandboxConfig config = unpaced();
    startServer(config);
    // 250 rows, the two accounts interleaved as a file sorted by user would have them.
    QList<ApiRequest> requests;
    for (int n = 1; n <= 250; ++n)
        requests.append(membership(n, n % 2 ? QStringLiteral("acc-odd") : QStringLiteral("acc-even")));
    const qint64 jobId = createJob(ImportKind::Kind::Memberships, requests);
    BulkImporter importer(m_journal, client(), jobId, fastOptions());
    QVERIFY(run(&importer) > 0);
    QCOMPARE(m_journal->counts(jobId).done, 250);
    // 125 users per account: 100 + 25 each. A call over 100 users would have been refused (400).
    const int calls = stats().value(QLatin1String("requests")).toInt();
    QVERIFY2(calls >= 3 && calls <= 6, qPrintable(QString::number(calls)));
    for (const QString &account : {QStringLiteral("acc-odd"), QStringLiteral("acc-even")}) {
        const QJsonArray members = inspect(QStringLiteral("/_sandbox/accounts?accountId=%1").arg(account))
                                       .value(QLatin1String("members"))
                                       .toArray();
        QCOMPARE(members.size(), 125);
        QSet<QString> ids;
        for (const QJsonValue &member : members) {
            QVERIFY(!member.toObject().value(QLatin1String("removed")).toBool());
            ids.insert(member.toObject().value(QLatin1String("userId")).toString());
        }
        for (int n = account == QLatin1String("acc-odd") ? 1 : 2; n <= 250; n += 2)
            QVERIFY2(ids.contains(userId(n)), qPrintable(userId(n)));
    }
}

void TestBulkImporter::membershipCallRefusedFailsOnlyTheBadRow()
{
    SandboxConfig config = unpaced();
    startServer(config);
    QList<ApiRequest> requests;
    for (int n = 1; n <= 10; ++n)
        requests.append(membership(n, QStringLiteral("acc-1")));
    // Row 4's user has an invalid email: with pre-flight off the server refuses the merged call.
    requests[3] = ApiRequest::addUsersToAccount({QStringLiteral("acc-1"), QString()},
                                                {{QString(), QStringLiteral("not-an-email")}});
    const qint64 jobId = createJob(ImportKind::Kind::Memberships, requests);
    BulkImporter importer(m_journal, client(allKey, false), jobId, fastOptions());
    QVERIFY(run(&importer) > 0);
    const QList<BulkJournal::Row> failed = m_journal->failedRows(jobId);
    QCOMPARE(numbersOf(failed), QList<qint64>{4});
    QVERIFY2(failed.first().error.contains(QLatin1String("HTTP 400")), qPrintable(failed.first().error));
    // Numbered as in the row's own one-user request.
    QVERIFY2(failed.first().fieldErrors.contains(QLatin1String("users.0.identification.email")),
             QJsonDocument(failed.first().fieldErrors).toJson().constData());
    QCOMPARE(m_journal->counts(jobId).done, 9);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 2); // refused, then the 9 others
    const QJsonArray members = inspect(QStringLiteral("/_sandbox/accounts?accountId=acc-1"))
                                   .value(QLatin1String("members"))
                                   .toArray();
    QCOMPARE(members.size(), 9);
}

void TestBulkImporter::pauseResumeCancelAndResume()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 10;
    config.rateWindowSeconds = 1;
    startServer(config);
    const qint64 jobId = createJob(ImportKind::Kind::Users, userUpserts(30));
    BulkImporter::Options options = fastOptions();
    options.concurrency = 2;
    JournyClient *sender = client();

    auto *importer = new BulkImporter(m_journal, sender, jobId, options, this);
    BulkImporter::Progress last;
    connect(importer, &BulkImporter::progressed, this,
            [&last](const BulkImporter::Progress &p) { last = p; });
    QSignalSpy finished(importer, &BulkImporter::finished);
    importer->start();
    QTRY_VERIFY_WITH_TIMEOUT(last.counts.done >= 3, 10000);
    importer->pause();
    QVERIFY(importer->isPaused());
    // Calls in flight finish; then nothing more is sent.
    QTest::qWait(400);
    const int requestsPaused = stats().value(QLatin1String("requests")).toInt();
    const qint64 donePaused = last.counts.done;
    QCOMPARE(last.counts.inFlight, 0);
    QTest::qWait(500);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), requestsPaused);
    QCOMPARE(last.counts.done, donePaused);
    QCOMPARE(m_journal->counts(jobId).done, donePaused);
    QVERIFY(finished.isEmpty());

    importer->resume();
    QVERIFY(!importer->isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(last.counts.done >= donePaused + 5, 10000);
    importer->cancel();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().first().toBool(), true);
    const BulkJournal::Counts cancelled = m_journal->counts(jobId);
    QCOMPARE(cancelled.inFlight, 0);
    QVERIFY(cancelled.pending > 0);
    QCOMPARE(cancelled.done + cancelled.pending, 30);
    QCOMPARE(cancelled.done, stats().value(QLatin1String("requests")).toInt());
    QVERIFY(!m_journal->job(jobId).finished);
    QCOMPARE(m_journal->latestUnfinishedJob(), jobId);
    delete importer;

    // A new importer picks the job up where it stopped.
    BulkImporter again(m_journal, sender, jobId, options);
    bool wasCancelled = true;
    QVERIFY(run(&again, 20000, &wasCancelled) > 0);
    QVERIFY(!wasCancelled);
    QCOMPARE(m_journal->counts(jobId).done, 30);
    // Nothing sent twice, and the new importer counted the window its predecessor had just used.
    const QJsonObject counts = stats();
    QVERIFY2(counts.value(QLatin1String("requests")).toInt() == 30 &&
                 counts.value(QLatin1String("rateLimited")).toInt() == 0,
             QJsonDocument(counts).toJson(QJsonDocument::Compact).constData());
    QCOMPARE(m_journal->latestUnfinishedJob(), 0);
    verifyUsersStored(1, 30);
}

void TestBulkImporter::inFlightRowsOfACrashAreSentAgain()
{
    SandboxConfig config = unpaced();
    startServer(config);
    QList<ApiRequest> requests;
    for (int n = 1; n <= 10; ++n)
        requests.append(trackedEvent(n));
    const qint64 jobId = createJob(ImportKind::Kind::Events, requests);
    // What a killed importer leaves: some rows done, some in flight.
    const QList<BulkJournal::Row> taken = m_journal->takePending(jobId, 5);
    for (const BulkJournal::Row &row : taken)
        m_journal->markSent({row.id}); // as the importer marks each request before it goes out
    m_journal->markDone({taken.at(0).id, taken.at(1).id}, QStringLiteral("req-before"));
    BulkImporter importer(m_journal, client(), jobId, fastOptions());
    QVERIFY(run(&importer) > 0);
    QCOMPARE(m_journal->counts(jobId).done, 10);
    QCOMPARE(stats().value(QLatin1String("requests")).toInt(), 8);
    QCOMPARE(numbersOf(m_journal->duplicatedEvents(jobId)), (QList<qint64>{3, 4, 5}));
    for (int n = 3; n <= 10; ++n)
        QCOMPARE(inspect(QStringLiteral("/_sandbox/events?name=imported_%1").arg(n))
                     .value(QLatin1String("data"))
                     .toArray()
                     .size(),
                 1);
}

QTEST_GUILESS_MAIN(TestBulkImporter)
#include "tst_BulkImporter.moc"

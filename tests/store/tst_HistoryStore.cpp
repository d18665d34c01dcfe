// The history's SQLite store on real files: what goes in comes back after a reopen, each store
// has its own connection, fromResult() reads the right fields out of a result, and a request
// really sent with a key to a sandbox on loopback leaves no trace of the key in any file. A
// request's note is stored on one line, editable, added to files of older builds, never sent.

#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "sandbox/SandboxServer.h"
#include "store/HistoryStore.h"
#include "support/ScriptedHttpServer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

namespace {

HistoryEntry sampleEntry(int n)
{
    HistoryEntry entry;
    entry.time = QDateTime(QDate(2024, 5, 1), QTime(10, 0, n, 250), Qt::UTC);
    entry.profile = QStringLiteral("Production");
    entry.operation = QStringLiteral("upsertUser");
    entry.identification = QStringLiteral("userId u-%1").arg(n);
    entry.httpStatus = 201;
    entry.requestId = QStringLiteral("req-%1").arg(n);
    entry.latencyMs = 40 + n;
    entry.method = QStringLiteral("POST");
    entry.url = QStringLiteral("https://api.journy.io/users/upsert");
    entry.message = QStringLiteral("HTTP 201: User will be created or updated");
    entry.requestBody =
        QByteArrayLiteral(R"({"identification":{"userId":"u-)") + QByteArray::number(n) + "\"}}";
    entry.responseBody = QByteArrayLiteral(R"({"meta":{"status":201}})");
    entry.responseHeaders =
        QByteArrayLiteral("Content-Type: application/json\nX-RateLimit-Remaining: 1799\n");
    return entry;
}

// Every byte of every file under dir: the database, its WAL and shared-memory files.
QByteArray allBytes(const QString &dir)
{
    QByteArray bytes;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (file.open(QIODevice::ReadOnly))
            bytes += file.readAll();
    }
    return bytes;
}

// A client's settings for baseUrl with key, everything else as by default.
ClientConfig configFor(const QUrl &baseUrl, const QString &key)
{
    ClientConfig config;
    config.baseUrl = baseUrl;
    config.apiKey = key;
    return config;
}

// A history.sqlite exactly as the builds before notes and background calls left it: their
// schema, in WAL mode, with one entry.
bool writeHistoryOfAnOldBuild(const QString &path)
{
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("old-build"));
        db.setDatabaseName(path);
        QSqlQuery query(db);
        ok = db.open() && query.exec(QStringLiteral("PRAGMA journal_mode=WAL")) &&
             query.exec(QStringLiteral(
                 "CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, "
                 "profile TEXT NOT NULL, operation TEXT NOT NULL, identification TEXT NOT NULL, "
                 "http_status INTEGER NOT NULL, failure TEXT NOT NULL, request_id TEXT NOT NULL, "
                 "latency_ms INTEGER NOT NULL, method TEXT NOT NULL, url TEXT NOT NULL, "
                 "message TEXT NOT NULL, request_body BLOB NOT NULL, response_body BLOB NOT NULL, "
                 "response_headers BLOB NOT NULL)")) &&
             query.exec(QStringLiteral(
                 "INSERT INTO history (time_ms, profile, operation, identification, http_status, failure, "
                 "request_id, latency_ms, method, url, message, request_body, response_body, "
                 "response_headers) VALUES (1714557600000, 'Production', 'upsertUser', 'userId u-old', 201, "
                 "'', 'req-old', 41, 'POST', 'https://api.journy.io/users/upsert', 'HTTP 201: ok', '{}', "
                 "'{}', '')"));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("old-build"));
    return ok;
}

} // namespace

class TestHistoryStore : public QObject
{
    Q_OBJECT

private slots:
    void appendReopenAll();
    void pagedLoadingAndLookups();
    void walModeAndOwnConnections();
    void clearKeepsIdsGrowing();
    void openFailsCleanly();
    void fromResultFields();
    void fromResultWithoutAnswer();
    void identificationOf_data();
    void identificationOf();
    void headersAreRedacted();
    void realRequestNeverStoresTheKey();
    void serverTextIsCleanedBeforeItIsStored();
    void notesAreStoredOnOneLineAndEditable();
    void oldHistoryFileGainsTheNoteColumn();
    void noteTravelsWithTheResultButIsNeverSent();
    void oldFileGainsTheBackgroundColumn();
    void backgroundFlagTravelsFromRequestToFile();
};

void TestHistoryStore::appendReopenAll()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("sub/history.sqlite")); // folder made on open
    QList<HistoryEntry> written;
    {
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QVERIFY(store.isOpen());
        qint64 previous = 0;
        for (int n = 1; n <= 3; ++n) {
            HistoryEntry entry = sampleEntry(n);
            if (n == 2) { // an answer that never came: no status, a failure, no bodies, null strings
                entry.httpStatus = 0;
                entry.failure = QStringLiteral("timeout");
                entry.requestId = QString();
                entry.latencyMs = -1;
                entry.responseBody = QByteArray();
                entry.responseHeaders = QByteArray();
            }
            if (n == 3) // not JSON, not UTF-8
                entry.responseBody = QByteArray("\xff\x00<html>", 8);
            const qint64 id = store.append(entry);
            QVERIFY(id > previous);
            previous = id;
            entry.id = id;
            written << entry;
        }
        QCOMPARE(store.count(), 3);
    }
    HistoryStore reopened;
    QString error;
    QVERIFY2(reopened.open(path, &error), qPrintable(error));
    const QList<HistoryEntry> read = reopened.all();
    QCOMPARE(read.size(), 3);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(read.at(i).time, written.at(i).time);
        QCOMPARE(read.at(i).time.timeSpec(), Qt::UTC);
        QCOMPARE(read.at(i).requestBody, written.at(i).requestBody);
        QCOMPARE(read.at(i).responseBody, written.at(i).responseBody);
        QCOMPARE(read.at(i).latencyMs, written.at(i).latencyMs);
        QVERIFY(read.at(i) == written.at(i));
    }
    QCOMPARE(read.at(1).failure, QStringLiteral("timeout"));
    QCOMPARE(read.at(1).httpStatus, 0);
}

void TestHistoryStore::pagedLoadingAndLookups()
{
    QTemporaryDir dir;
    HistoryStore store;
    QString error;
    QVERIFY(store.open(dir.filePath(QStringLiteral("history.sqlite")), &error));
    QList<qint64> ids;
    for (int n = 0; n < 7; ++n)
        ids << store.append(sampleEntry(n));

    const QList<HistoryEntry> first = store.load(0, 3, HistoryStore::Detail::Summary);
    QCOMPARE(first.size(), 3);
    QCOMPARE(first.first().id, ids.at(0));
    QCOMPARE(first.last().identification, QStringLiteral("userId u-2"));
    QCOMPARE(first.last().requestId, QStringLiteral("req-2"));
    QCOMPARE(first.last().method, QStringLiteral("POST"));
    // Summaries leave the heavy columns out.
    QVERIFY(first.last().requestBody.isEmpty() && first.last().responseBody.isEmpty());
    QVERIFY(first.last().url.isEmpty() && first.last().responseHeaders.isEmpty());
    const QList<HistoryEntry> rest = store.load(first.last().id, 100, HistoryStore::Detail::Full);
    QCOMPARE(rest.size(), 4);
    QCOMPARE(rest.first().id, ids.at(3));
    QCOMPARE(rest.first().requestBody, sampleEntry(3).requestBody);
    QVERIFY(store.load(ids.last(), 100, HistoryStore::Detail::Full).isEmpty());

    const std::optional<HistoryEntry> one = store.entry(ids.at(4));
    QVERIFY(one.has_value());
    QCOMPARE(one->url, QStringLiteral("https://api.journy.io/users/upsert"));
    QVERIFY(!store.entry(9999).has_value());

    const QList<HistoryEntry> some = store.entries({ids.at(5), 9999, ids.at(1)});
    QCOMPARE(some.size(), 2);
    QCOMPARE(some.at(0).id, ids.at(5)); // in the order asked
    QCOMPARE(some.at(1).id, ids.at(1));
}

void TestHistoryStore::walModeAndOwnConnections()
{
    QTemporaryDir dir;
    HistoryStore one;
    HistoryStore two;
    QString error;
    QVERIFY(one.open(dir.filePath(QStringLiteral("one.sqlite")), &error));
    QVERIFY(two.open(dir.filePath(QStringLiteral("two.sqlite")), &error));
    one.append(sampleEntry(1));
    two.append(sampleEntry(2));
    two.append(sampleEntry(3));
    QCOMPARE(one.count(), 1);
    QCOMPARE(two.count(), 2);

    // The file itself says WAL, for any connection.
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("probe"));
        db.setDatabaseName(dir.filePath(QStringLiteral("one.sqlite")));
        QVERIFY(db.open());
        QSqlQuery query(db);
        QVERIFY(query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next());
        QCOMPARE(query.value(0).toString(), QStringLiteral("wal"));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("probe"));
}

void TestHistoryStore::clearKeepsIdsGrowing()
{
    QTemporaryDir dir;
    HistoryStore store;
    QString error;
    QVERIFY(store.open(dir.filePath(QStringLiteral("history.sqlite")), &error));
    store.append(sampleEntry(1));
    const qint64 last = store.append(sampleEntry(2));
    QVERIFY(store.clear());
    QCOMPARE(store.count(), 0);
    QVERIFY(store.all().isEmpty());
    // The bodies leave the files, not just the table.
    QVERIFY(!allBytes(dir.path()).contains("req-2"));
    QVERIFY(store.append(sampleEntry(3)) > last);
}

void TestHistoryStore::openFailsCleanly()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("not-a-database.sqlite"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();
    HistoryStore store;
    QString error;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^history: .*not a database")));
    QVERIFY(!store.open(path, &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!store.isOpen());
    QCOMPARE(store.append(sampleEntry(1)), -1);
    QVERIFY(store.all().isEmpty());
    // The same instance can open another file afterwards.
    QVERIFY2(store.open(dir.filePath(QStringLiteral("good.sqlite")), &error), qPrintable(error));
    QVERIFY(store.append(sampleEntry(1)) > 0);
}

void TestHistoryStore::fromResultFields()
{
    ApiResult result;
    result.operation = Operation::UpsertUser;
    result.requestMethod = "POST";
    result.requestUrl = QStringLiteral("https://api.journy.io/users/upsert");
    result.requestBody =
        R"({"identification":{"userId":"u-42","email":"ann@acme.com"},"properties":{"plan":"Pro"}})";
    result.httpStatus = 201;
    result.requestId = QStringLiteral("01HX-REQ");
    result.message = QStringLiteral("User will be created or updated");
    result.latencyMs = 87;
    result.responseHeaders = {{"Content-Type", "application/json"}, {"X-RateLimit-Remaining", "1799"}};
    result.responseBody = R"({"message":"User will be created or updated","meta":{"status":201}})";

    const QDateTime before = QDateTime::currentDateTimeUtc();
    const HistoryEntry entry = HistoryStore::fromResult(QStringLiteral("Production"), result);
    const QDateTime after = QDateTime::currentDateTimeUtc();
    QVERIFY(entry.time >= before && entry.time <= after);
    QCOMPARE(entry.time.timeSpec(), Qt::UTC);
    QCOMPARE(entry.id, 0);
    QCOMPARE(entry.profile, QStringLiteral("Production"));
    QCOMPARE(entry.operation, QStringLiteral("upsertUser"));
    QCOMPARE(entry.identification, QStringLiteral("userId u-42 / email ann@acme.com"));
    QCOMPARE(entry.httpStatus, 201);
    QCOMPARE(entry.failure, QString());
    QCOMPARE(entry.requestId, QStringLiteral("01HX-REQ"));
    QCOMPARE(entry.latencyMs, 87);
    QCOMPARE(entry.method, QStringLiteral("POST"));
    QCOMPARE(entry.url, QStringLiteral("https://api.journy.io/users/upsert"));
    QCOMPARE(entry.message, QStringLiteral("HTTP 201: User will be created or updated"));
    QCOMPARE(entry.requestBody, result.requestBody);
    QCOMPARE(entry.responseBody, result.responseBody);
    QCOMPARE(entry.responseHeaders,
             QByteArray("Content-Type: application/json\nX-RateLimit-Remaining: 1799\n"));

    // Another operation, and a URL with user info (the client drops it; a result from elsewhere
    // might not).
    result.operation = Operation::TrackingSnippet;
    result.requestMethod = "GET";
    result.requestUrl = QStringLiteral("https://me:hunter2@api.journy.io/tracking/snippet?domain=acme.com");
    result.requestBody.clear();
    const HistoryEntry snippet = HistoryStore::fromResult(QStringLiteral("Staging"), result);
    QCOMPARE(snippet.operation, QStringLiteral("getTrackingSnippet"));
    QCOMPARE(snippet.identification, QStringLiteral("domain acme.com"));
    QCOMPARE(snippet.url, QStringLiteral("https://api.journy.io/tracking/snippet?domain=acme.com"));
}

void TestHistoryStore::fromResultWithoutAnswer()
{
    ApiResult result;
    result.operation = Operation::TrackEvent;
    result.requestMethod = "POST";
    result.requestUrl = QStringLiteral("https://api.journy.io/track");
    result.requestBody = R"({"name":"signed_in","identification":{"user":{"userId":"u-1"}}})";
    result.failure = ApiResult::Failure::Timeout;
    result.failureDetail = QStringLiteral("No answer within 30 s");
    const HistoryEntry entry = HistoryStore::fromResult(QStringLiteral("Sandbox"), result);
    QCOMPARE(entry.httpStatus, 0);
    QCOMPARE(entry.failure, QStringLiteral("timeout"));
    QCOMPARE(entry.latencyMs, -1);
    QCOMPARE(entry.message, QStringLiteral("No answer within 30 s"));
    QCOMPARE(entry.identification, QStringLiteral("event signed_in · userId u-1"));
    QVERIFY(entry.responseBody.isEmpty());
}

void TestHistoryStore::identificationOf_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("expected");

    QTest::newRow("user") << QByteArray(R"({"identification":{"userId":"u1","email":"a@b.c"}})") << QString()
                          << QStringLiteral("userId u1 / email a@b.c");
    QTest::newRow("user by email") << QByteArray(R"({"identification":{"email":"a@b.c"}})") << QString()
                                   << QStringLiteral("email a@b.c");
    QTest::newRow("account") << QByteArray(R"({"identification":{"accountId":"acc-1","domain":"acme.com"}})")
                             << QString() << QStringLiteral("accountId acc-1 / domain acme.com");
    QTest::newRow("memberships")
        << QByteArray(R"({"account":{"accountId":"acc-1"},"users":[{"identification":{"userId":"u1"}},)"
                      R"({"identification":{"email":"b@x.io"}},{"identification":{"userId":"u3"}},)"
                      R"({"identification":{"userId":"u4"}},{"identification":{"userId":"u5"}}]})")
        << QString() << QStringLiteral("accountId acc-1 · 5 user(s): u1, b@x.io, u3 (+2 more)");
    QTest::newRow("event") << QByteArray(R"({"name":"signed_in","identification":{"user":{"userId":"u1"},)"
                                         R"("account":{"domain":"acme.com"}},"metadata":{"plan":"x"}})")
                           << QString() << QStringLiteral("event signed_in · userId u1 · domain acme.com");
    QTest::newRow("link") << QByteArray(R"({"deviceId":"dev-9","identification":{"userId":"u1"}})")
                          << QString() << QStringLiteral("deviceId dev-9 · userId u1");
    QTest::newRow("snippet") << QByteArray() << QStringLiteral("domain=acme%2Eio")
                             << QStringLiteral("domain acme.io");
    QTest::newRow("validate") << QByteArray() << QString() << QString();
    QTest::newRow("not an object") << QByteArray("[1,2]") << QString() << QString();
}

void TestHistoryStore::identificationOf()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, query);
    QFETCH(QString, expected);
    QCOMPARE(HistoryStore::identificationOf(QJsonDocument::fromJson(body).object(), QUrlQuery(query)),
             expected);
}

void TestHistoryStore::headersAreRedacted()
{
    QCOMPARE(
        HistoryStore::formatHeaders({{"X-Api-Key", "sk_live_leak"}, {"Content-Type", "application/json"}}),
        QByteArray("X-Api-Key: [redacted]\nContent-Type: application/json\n"));
    // Any spelling of the name; a header that only mentions the name keeps its value.
    QCOMPARE(HistoryStore::redactHeaders("x-api-KEY:sk_live_leak\nAccess-Control-Allow-Headers: X-Api-Key\n"),
             QByteArray("x-api-KEY: [redacted]\nAccess-Control-Allow-Headers: X-Api-Key\n"));

    // Entries built elsewhere are redacted when stored, too.
    QTemporaryDir dir;
    {
        HistoryStore store;
        QString error;
        QVERIFY(store.open(dir.filePath(QStringLiteral("history.sqlite")), &error));
        HistoryEntry entry = sampleEntry(1);
        entry.responseHeaders = "Content-Type: application/json\nX-API-KEY: sk_live_leak\n";
        store.append(entry);
        QCOMPARE(store.all().first().responseHeaders,
                 QByteArray("Content-Type: application/json\nX-API-KEY: [redacted]\n"));
    }
    QVERIFY(!allBytes(dir.path()).contains("sk_live_leak"));
}

void TestHistoryStore::realRequestNeverStoresTheKey()
{
    const QString key = QStringLiteral("sk_history_7Qx9Lm2Vb4");
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(key, {SandboxConfig::allPermissions(), true});
    SandboxServer server(config);
    QVERIFY(server.start());

    NetworkAccess network;
    JournyClient client(configFor(server.baseUrl(), key), &network);

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    HistoryStore store;
    QString error;
    QVERIFY(store.open(path, &error));

    const QList<ApiRequest> requests{
        ApiRequest::raw(Operation::UpsertUser,
                        QJsonDocument::fromJson(R"({"identification":{"userId":"u-key-test"}})").object()),
        ApiRequest::validate(),
        ApiRequest::trackingSnippet(QStringLiteral("unknown.example")), // a 404
    };
    QList<int> statuses;
    for (const ApiRequest &request : requests) {
        ApiReply *reply = client.send(request);
        QSignalSpy finished(reply, &ApiReply::finished);
        QVERIFY(finished.wait(10000));
        statuses << reply->result().httpStatus;
        QVERIFY(store.append(HistoryStore::fromResult(QStringLiteral("Sandbox"), reply->result())) > 0);
    }
    QCOMPARE(statuses, (QList<int>{201, 200, 404})); // the key was sent and accepted

    // The history has the requests, read back from the file...
    const QList<HistoryEntry> stored = store.all();
    QCOMPARE(stored.size(), 3);
    QCOMPARE(stored.at(0).identification, QStringLiteral("userId u-key-test"));
    QVERIFY(!stored.at(0).requestId.isEmpty());
    QVERIFY(stored.at(1).responseHeaders.contains("Content-Type"));
    // ...and no byte of the key, in the database, its WAL or anything beside them, while open
    // and after closing.
    QByteArray bytes = allBytes(dir.path());
    QVERIFY(bytes.contains("u-key-test"));
    QVERIFY(!bytes.contains(key.toUtf8()));
    store.close();
    bytes = allBytes(dir.path());
    QVERIFY(bytes.contains("u-key-test"));
    QVERIFY(!bytes.contains(key.toUtf8()));
}

// A server that answers with escape sequences and echoes the key: History keeps neither.
void TestHistoryStore::serverTextIsCleanedBeforeItIsStored()
{
    const QString key = QStringLiteral("sk_history_echo_5Tz8Qw");
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    ScriptedResponse answer = ScriptedResponse::json(
        401,
        {{QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 401},
                                             {QLatin1String("requestId"), QStringLiteral("r\x1b[2J-7")}}},
         {QLatin1String("message"), QStringLiteral("\x1b[2J\x1b]0;pwned\x07Unknown key %1").arg(key)}});
    answer.headers.append({"X-Echo", key.toUtf8()});
    server.enqueue(answer);

    NetworkAccess network;
    JournyClient client(configFor(server.baseUrl(), key), &network);
    QTemporaryDir dir;
    HistoryStore store;
    QString error;
    QVERIFY(store.open(dir.filePath(QStringLiteral("history.sqlite")), &error));
    ApiReply *reply = client.send(ApiRequest::validate());
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->result().httpStatus, 401);
    QVERIFY(store.append(HistoryStore::fromResult(QStringLiteral("Echo"), reply->result())) > 0);

    const HistoryEntry stored = store.all().first();
    QCOMPARE(stored.requestId, QStringLiteral("r-7"));
    QVERIFY2(stored.message.contains(QLatin1String("Unknown key [redacted]")), qPrintable(stored.message));
    QVERIFY2(!stored.message.contains(QLatin1String("pwned")), qPrintable(stored.message));
    QVERIFY(stored.responseHeaders.contains("X-Echo: [redacted]"));
    QCOMPARE(server.received().first().headers.value("x-api-key"), key.toUtf8()); // it was sent
    store.close();
    const QByteArray bytes = allBytes(dir.path());
    QVERIFY(bytes.contains("Unknown key [redacted]"));
    QVERIFY(!bytes.contains(key.toUtf8()));
    QVERIFY(!bytes.contains("\x1b[2J"));
}

void TestHistoryStore::notesAreStoredOnOneLineAndEditable()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    HistoryStore store;
    QString error;
    QVERIFY2(store.open(path, &error), qPrintable(error));
    HistoryEntry entry = sampleEntry(1);
    // Line breaks, a terminal escape and a tab: none may reach a curl comment or a terminal.
    entry.note = QStringLiteral("SUP-1234\n  rm -rf ~ \x1b[2J\tdone\r");
    const qint64 id = store.append(entry);
    QVERIFY(id > 0);
    const qint64 plain = store.append(sampleEntry(2));
    QCOMPARE(store.entry(id)->note, QStringLiteral("SUP-1234 rm -rf ~ done"));
    QCOMPARE(store.load(0, 10, HistoryStore::Detail::Summary).first().note,
             QStringLiteral("SUP-1234 rm -rf ~ done")); // the table's summaries have it
    QCOMPARE(store.entry(plain)->note, QString());

    QVERIFY(store.setNote(plain, QStringLiteral("  SUP-99\nsecond line ")));
    QVERIFY(store.setNote(id, QString())); // a note can be removed
    QVERIFY(!store.setNote(9999, QStringLiteral("nowhere")));
    QVERIFY(!store.lastError().isEmpty());
    store.close();
    HistoryStore reopened;
    QVERIFY(reopened.open(path, &error));
    QCOMPARE(reopened.entry(plain)->note, QStringLiteral("SUP-99 second line"));
    QCOMPARE(reopened.entry(id)->note, QString());
}

// A history.sqlite written by a build from before notes: opening it adds the column, keeps every
// row (with no note), and the file takes notes from then on, also after another reopen.
void TestHistoryStore::oldHistoryFileGainsTheNoteColumn()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QVERIFY(writeHistoryOfAnOldBuild(path));

    for (int round = 0; round < 2; ++round) { // the second open finds the column there
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        const QList<HistoryEntry> entries = store.all();
        QCOMPARE(entries.size(), round + 1);
        QCOMPARE(entries.first().requestId, QStringLiteral("req-old"));
        QCOMPARE(entries.first().identification, QStringLiteral("userId u-old"));
        if (round == 0) {
            QCOMPARE(entries.first().note, QString());
            HistoryEntry entry = sampleEntry(5);
            entry.note = QStringLiteral("SUP-1234");
            QVERIFY(store.append(entry) > entries.first().id);
            QVERIFY(store.setNote(entries.first().id, QStringLiteral("SUP-1")));
        } else {
            QCOMPARE(entries.first().note, QStringLiteral("SUP-1"));
            QCOMPARE(entries.last().note, QStringLiteral("SUP-1234"));
        }
    }
}

// The note goes from the request to the result to History, and the server sees none of it:
// not in the body, the URL or any header.
void TestHistoryStore::noteTravelsWithTheResultButIsNeverSent()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::json(
        201, {{QLatin1String("message"), QStringLiteral("User will be created or updated")},
              {QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 201},
                                                  {QLatin1String("requestId"), QStringLiteral("req-n")}}}}));
    NetworkAccess network;
    JournyClient client(configFor(server.baseUrl(), QStringLiteral("sk_note_test_4Rt7")), &network);
    ApiRequest request = ApiRequest::raw(
        Operation::UpsertUser, QJsonDocument::fromJson(R"({"identification":{"userId":"u-note"}})").object());
    request.note = QStringLiteral("SUP-1234 customer escalation");
    ApiReply *reply = client.send(request);
    QSignalSpy finished(reply, &ApiReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->result().httpStatus, 201);
    QCOMPARE(reply->result().note, QStringLiteral("SUP-1234 customer escalation"));
    QCOMPARE(HistoryStore::fromResult(QStringLiteral("Scripted"), reply->result()).note,
             QStringLiteral("SUP-1234 customer escalation"));

    QCOMPARE(server.received().size(), 1);
    const ReceivedRequest &received = server.received().first();
    QCOMPARE(received.path, QStringLiteral("/users/upsert"));
    QCOMPARE(received.body, QByteArray(R"({"identification":{"userId":"u-note"}})"));
    QVERIFY(!received.query.toString().contains(QLatin1String("SUP")));
    for (auto it = received.headers.begin(); it != received.headers.end(); ++it) {
        QVERIFY2(!it.key().contains("note"), it.key().constData());
        QVERIFY2(!it.value().contains("SUP-1234"), it.value().constData());
    }
}

// A history.sqlite written by a build from before background calls were told apart (its exact
// schema, in WAL mode as that build left it): it opens, its entries read back as the user's
// requests, new entries keep their flag, and opening it again changes nothing.
void TestHistoryStore::oldFileGainsTheBackgroundColumn()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QVERIFY(writeHistoryOfAnOldBuild(path));

    qint64 newId = 0;
    {
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        const QList<HistoryEntry> old = store.all();
        QCOMPARE(old.size(), 1);
        QCOMPARE(old.at(0).identification, QStringLiteral("userId u-old"));
        QCOMPARE(old.at(0).requestId, QStringLiteral("req-old"));
        QVERIFY(!old.at(0).background);
        HistoryEntry entry = sampleEntry(2);
        entry.operation = QStringLiteral("getValidity");
        entry.background = true;
        newId = store.append(entry);
        QVERIFY2(newId > old.at(0).id, qPrintable(store.lastError()));
    }
    HistoryStore reopened;
    QString error;
    QVERIFY2(reopened.open(path, &error), qPrintable(error)); // the column exists now: no second ALTER
    const QList<HistoryEntry> all = reopened.all();
    QCOMPARE(all.size(), 2);
    QVERIFY(!all.at(0).background);
    QVERIFY(all.at(1).background);
    QCOMPARE(all.at(1).operation, QStringLiteral("getValidity"));
    QVERIFY(reopened.load(0, 10, HistoryStore::Detail::Summary).at(1).background);
    QVERIFY(reopened.entry(newId)->background);
}

// A request the console sends on its own is sent like any other, and its result and entry say so.
void TestHistoryStore::backgroundFlagTravelsFromRequestToFile()
{
    SandboxServer server(SandboxConfig::defaults());
    QVERIFY(server.start());
    NetworkAccess network;
    JournyClient client(configFor(server.baseUrl(), SandboxConfig::defaultKey()), &network);

    QTemporaryDir dir;
    HistoryStore store;
    QString error;
    QVERIFY(store.open(dir.filePath(QStringLiteral("history.sqlite")), &error));
    ApiRequest background = ApiRequest::listEvents();
    background.background = true;
    for (const ApiRequest &request : {background, ApiRequest::listEvents()}) {
        ApiReply *reply = client.send(request);
        QSignalSpy finished(reply, &ApiReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->result().httpStatus, 200);
        QCOMPARE(reply->result().background, request.background);
        QVERIFY(store.append(HistoryStore::fromResult(QStringLiteral("Sandbox"), reply->result())) > 0);
    }
    const QList<HistoryEntry> stored = store.all();
    QCOMPARE(stored.size(), 2);
    QVERIFY(stored.at(0).background);
    QVERIFY(!stored.at(1).background);
}

QTEST_GUILESS_MAIN(TestHistoryStore)
#include "tst_HistoryStore.moc"

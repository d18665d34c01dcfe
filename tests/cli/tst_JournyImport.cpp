// `journy import` as a user runs it: the built executable in a child process with its own config
// and data folders, sending over real HTTP to a SandboxServer in this process (whose answers need
// this test's event loop, so no run ever blocks in waitForFinished()). Every kind, typed values
// arriving with their JSON types, --map and mapping files, JSON Lines, dry runs, the failed-rows
// file, exit codes, the --json shape, pacing and retries checked from the server's side, and jobs
// killed with SIGKILL half-way and resumed without losing a row.

#include "api/ApiOperation.h"
#include "import/BulkJournal.h"
#include "import/CsvReader.h"
#include "import/ImportRecord.h"
#include "sandbox/SandboxFaults.h"
#include "sandbox/SandboxServer.h"
#include "support/CliChild.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>
#include <memory>
#include <utility>

namespace {

const QString fullKey = QStringLiteral("sk_import_full");
const QString readOnlyKey = QStringLiteral("sk_import_read_only");

// A journy process still running.
using Child = std::unique_ptr<CliChild>;

// The sandbox, also counting the users of every membership call as it arrives.
class ObservedSandbox : public SandboxServer
{
public:
    using SandboxServer::SandboxServer;

    QList<int> membershipCalls;
    int apiRequests = 0;      // counted on arrival
    int answerOnlyFirst = -1; // >= 0: API requests after the first this many are never answered

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        const QString path = request.url().path();
        if (!path.startsWith(QLatin1String("/_sandbox/")) && ++apiRequests > answerOnlyFirst &&
            answerOnlyFirst >= 0)
            return true; // held: the client waits with the request on the wire
        if (path == ApiOperation::info(Operation::AddUsersToAccount).path ||
            path == ApiOperation::info(Operation::RemoveUsersFromAccount).path)
            membershipCalls.append(static_cast<int>(QJsonDocument::fromJson(request.body())
                                                        .object()
                                                        .value(QLatin1String("users"))
                                                        .toArray()
                                                        .size()));
        return SandboxServer::handleRequest(request, socket);
    }
};

bool isInt(const QJsonValue &value)
{
    return value.isDouble() && std::floor(value.toDouble()) == value.toDouble();
}

// Problems with stdout of `journy --json import` (not a dry run): exactly one JSON object with
// exactly the members the README gives, of their types. Empty when it is right.
QString importJsonProblems(const QByteArray &out)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(out, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return QStringLiteral("stdout is not exactly one JSON object: %1").arg(QString::fromUtf8(out));
    if (!out.endsWith('\n'))
        return QStringLiteral("stdout does not end with a line break");
    const QJsonObject object = document.object();
    const QStringList expected{QStringLiteral("done"),
                               QStringLiteral("failed"),
                               QStringLiteral("job"),
                               QStringLiteral("ok"),
                               QStringLiteral("pending"),
                               QStringLiteral("possiblyDuplicated"),
                               QStringLiteral("propertiesNotStored"),
                               QStringLiteral("rows"),
                               QStringLiteral("rowsWithPropertiesNotStored")};
    if (object.keys() != expected)
        return QStringLiteral("members %1, expected %2")
            .arg(object.keys().join(QLatin1Char(',')), expected.join(QLatin1Char(',')));
    QStringList wrong;
    if (!object.value(QLatin1String("ok")).isBool())
        wrong << QStringLiteral("ok");
    if (!isInt(object.value(QLatin1String("job"))) || object.value(QLatin1String("job")).toInteger() <= 0)
        wrong << QStringLiteral("job");
    for (const char *count : {"rows", "done", "failed", "pending"}) {
        if (!isInt(object.value(QLatin1String(count))) || object.value(QLatin1String(count)).toInteger() < 0)
            wrong << QLatin1String(count);
    }
    const QJsonValue duplicated = object.value(QLatin1String("possiblyDuplicated"));
    bool rowNumbers = duplicated.isArray();
    for (const QJsonValue &number : duplicated.toArray())
        rowNumbers = rowNumbers && isInt(number) && number.toInteger() > 0;
    if (!rowNumbers)
        wrong << QStringLiteral("possiblyDuplicated");
    const qint64 rows = object.value(QLatin1String("rows")).toInteger();
    if (object.value(QLatin1String("done")).toInteger() + object.value(QLatin1String("failed")).toInteger() +
            object.value(QLatin1String("pending")).toInteger() !=
        rows)
        wrong << QStringLiteral("done+failed+pending != rows");
    if (!wrong.isEmpty())
        return QStringLiteral("wrong %1 in %2").arg(wrong.join(QLatin1Char(',')), QString::fromUtf8(out));
    return QString();
}

// The job ID of "job: ID", which must be the first line on stderr; 0 when it is not.
qint64 jobOnFirstLine(const QByteArray &err)
{
    static const QRegularExpression pattern(QStringLiteral("\\Ajob: (\\d+)\n"));
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(err));
    return match.hasMatch() ? match.captured(1).toLongLong() : 0;
}

// "N done, N failed, N remaining, R/s", as the CLI redraws it on stderr.
const QRegularExpression progressLine(QStringLiteral("\\d+ done, \\d+ failed, \\d+ remaining, \\d+\\.\\d/s"));

// Rows the resumed run said were in flight when the job stopped (0 when it said nothing).
int recoveredRows(const QByteArray &err)
{
    static const QRegularExpression pattern(
        QStringLiteral("resuming: (\\d+) row\\(s\\) were in flight when the job stopped"));
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(err));
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

// A CSV file's header and rows, read back with the importer's own reader.
bool readCsv(const QString &path, QStringList *headers, QList<QStringList> *rows, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return false;
    }
    CsvReader reader(&file);
    if (!reader.start(error))
        return false;
    *headers = reader.headers();
    for (;;) {
        ImportRecord record;
        const ImportReader::Status status = reader.next(&record, error);
        if (status == ImportReader::Status::End)
            return true;
        if (status == ImportReader::Status::Error)
            return false;
        if (!record.error.isEmpty()) {
            *error = QStringLiteral("row %1: %2").arg(record.number).arg(record.error);
            return false;
        }
        rows->append(record.values);
    }
}

// users.csv of count users "prefix-N" (from first), with a string and a number property.
QByteArray usersCsv(const QString &prefix, int first, int count)
{
    QByteArray csv = "userId,email,plan,seq\n";
    for (int n = first; n < first + count; ++n)
        csv += QStringLiteral("%1-%2,%1%2@example.com,%3,%2\n")
                   .arg(prefix)
                   .arg(n)
                   .arg(n % 2 ? QStringLiteral("Pro") : QStringLiteral("Free"))
                   .toUtf8();
    return csv;
}

// A fault sequence for failRate: the first seed under which rows rows take between minFailures
// and maxFailures 500s in all, and how many requests that makes. The sandbox decides request by
// request in arrival order from its seed, whichever row a request carries; with fewer 500s in all
// than the importer's 5 attempts, no row can run out of them, however the retries interleave.
class FaultPlan
{
public:
    quint32 seed = 0;
    int failures = 0;
    int requests = 0;
};

FaultPlan planFaults(double failRate, int rows, int minFailures, int maxFailures)
{
    for (quint32 seed = 1; seed < 100000; ++seed) {
        SandboxConfig::Faults faults;
        faults.failRate = failRate;
        faults.seed = seed;
        SandboxFaults sequence(faults);
        FaultPlan plan;
        plan.seed = seed;
        while (plan.requests - plan.failures < rows) {
            ++plan.requests;
            if (sequence.next() == SandboxFaults::Fault::Fail)
                ++plan.failures;
        }
        if (plan.failures >= minFailures && plan.failures <= maxFailures)
            return plan;
    }
    return FaultPlan();
}

} // namespace

// A sandbox whose limit never holds an import back: thousands of rows go in seconds.
SandboxConfig unlimitedSandbox()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 1000000;
    return config;
}

// Runs expression once (it may start a process) and checks its exit code, showing the output when wrong.
#define CHECK_IMPORT_JSON(run)                                                                               \
    QVERIFY2(importJsonProblems((run).out).isEmpty(),                                                        \
             qPrintable(importJsonProblems((run).out) + QLatin1Char('\n') + (run).describe()))

class TestJournyImport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void usersUpsertWithTypedValues();
    void usersDelete();
    void accountsUpsertAndDelete();
    void membershipsGoAtMost100UsersPerCall();
    void eventsWithMetadataAndTriggeredAt();
    void deviceLinks();
    void mapOverrides();
    void mappingFileSavedAndLoaded();
    void jsonLinesInput();
    void dryRunReportsRowsAndLines();
    void dryRunOfValidFile();
    void dryRunCountsLintFindingsPerRule();
    void crOnlyLineEndsImportEveryRow();
    void fileWithoutRowsIsAnError_data();
    void fileWithoutRowsIsAnError();
    void progressWithoutATerminalIsPlainLines();
    void progressNone();
    void progressOnATerminalIsRedrawn();
    void brokenRowsKeepTheirTextInTheFailedRowsFile();
    void propertiesNotStoredAreWarnings();
    void dryRunAppliesTheServersBodyLimit();
    void failedRowsFileCanBeFixedAndImportedAgain();
    void serverRefusalsFailRows();
    void usageErrors_data();
    void usageErrors();
    void unreadableFileLeavesNoJobToResume();
    void resumeSendsTheJournaledJobOnly();
    void jsonOutputShape();
    void pacingHoldsTheServersWindow();
    void serverErrorsAreRetried();
    void rateLimitedWaitIsShown();
    void killedUserImportResumesWithEveryRow();
    void killedEventImportListsPossibleDuplicates();
    void killedWhilePreparingResumesEveryRow();
    void resumeOfPartlyPreparedJobChecksTheFile();
    void resumeAcceptsTheOriginalCommand();
    void resumeRefusesAnotherTargetUnlessForced();
    void ctrlCWhilePreparingSaysHowToResume();
    void ctrlCWhileSendingStopsCleanly();
    void ctrlCWhileWaitingForThePacerStopsAtOnce();
    void finishedJobKeepsItsSummaryAndFailedRowsOnly();
    void listAndPruneJobs();
    void inFlightCountIsTheRequestsOnTheWire();

private:
    // The sandbox of this test (replacing init()'s): its config plus the two keys.
    void startServer(SandboxConfig config);
    Child start(const QStringList &arguments, const QString &key = fullKey,
                CliChild::Environment environment = {});
    // `journy --base-url SANDBOX [--json] import ARGUMENTS...` with the key in JOURNY_API_KEY.
    CliRun import(const QStringList &arguments, const QString &key = fullKey,
                  const CliChild::Environment &environment = {});
    CliRun importJson(const QStringList &arguments, const QString &key = fullKey);
    QStringList importArguments(const QStringList &arguments, bool json) const;
    QString write(const QString &name, const QByteArray &content) const;
    QString journalFile() const;
    QJsonObject inspect(const QString &pathAndQuery, int *status = nullptr);
    QJsonObject user(const QString &userId, int *status = nullptr);
    QJsonObject account(const QString &accountId, int *status = nullptr);
    QJsonArray events(const QString &name);
    qint64 requestsSoFar();
    // Runs an import of count rows in a child, kills it (SIGKILL) once the journal holds
    // killAfterDone rows done, and returns the job; the journal must show it stopped half-way.
    qint64 importAndKill(const QStringList &arguments, int count, int killAfterDone);
    // Starts `journy import ARGUMENTS` told to hold once holdRows rows are journaled (the CLI's
    // JOURNY_TEST_HOLD_PREPARING seam) and waits until it says so; null when it did not.
    Child startHeld(const QStringList &arguments, int holdRows);
    // The newest job in the journal, as another program sees it.
    BulkJournal::Job newestJob();
    // Waits (up to 30 s) until the job has at least rows rows done; false if the child ended first.
    bool waitForDone(CliChild *child, qint64 jobId, qint64 rows);

    std::unique_ptr<QTemporaryDir> m_dir;
    ObservedSandbox *m_server = nullptr;
    QNetworkAccessManager m_nam;
};

void TestJournyImport::initTestCase()
{
    QVERIFY2(QFileInfo(QStringLiteral(JOURNY_CLI_EXE)).isExecutable(), JOURNY_CLI_EXE);
}

void TestJournyImport::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("in"))));
    startServer(SandboxConfig::defaults());
}

void TestJournyImport::cleanup()
{
    delete m_server;
    m_server = nullptr;
    m_dir.reset();
}

void TestJournyImport::startServer(SandboxConfig config)
{
    delete m_server;
    config.keys.insert(fullKey, {SandboxConfig::allPermissions(), true});
    config.keys.insert(readOnlyKey, {{QStringLiteral("ReadEvents")}, true});
    m_server = new ObservedSandbox(config, this);
    QVERIFY(m_server->start());
}

Child TestJournyImport::start(const QStringList &arguments, const QString &key,
                              CliChild::Environment environment)
{
    auto child = std::make_unique<CliChild>();
    if (!key.isEmpty())
        environment.insert(QStringLiteral("JOURNY_API_KEY"), key);
    child->start(QStringLiteral(JOURNY_CLI_EXE), arguments, m_dir->path(), environment);
    return child;
}

QStringList TestJournyImport::importArguments(const QStringList &arguments, bool json) const
{
    QStringList all{QStringLiteral("--base-url"), m_server->baseUrl().toString()};
    if (json)
        all << QStringLiteral("--json");
    return all + QStringList{QStringLiteral("import")} + arguments;
}

CliRun TestJournyImport::import(const QStringList &arguments, const QString &key,
                                const CliChild::Environment &environment)
{
    return start(importArguments(arguments, false), key, environment)->finish(60000);
}

CliRun TestJournyImport::importJson(const QStringList &arguments, const QString &key)
{
    return start(importArguments(arguments, true), key)->finish(60000);
}

QString TestJournyImport::write(const QString &name, const QByteArray &content) const
{
    const QString path = m_dir->filePath(QStringLiteral("in/") + name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QString TestJournyImport::journalFile() const
{
    return m_dir->filePath(QStringLiteral("data/journy-console/imports.sqlite"));
}

QJsonObject TestJournyImport::inspect(const QString &pathAndQuery, int *status)
{
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(m_server->baseUrl().toString() + pathAndQuery)));
    QSignalSpy spy(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        spy.wait(5000);
    reply->deleteLater();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QJsonObject TestJournyImport::user(const QString &userId, int *status)
{
    return inspect(QStringLiteral("/_sandbox/users?userId=") + QUrl::toPercentEncoding(userId), status);
}

QJsonObject TestJournyImport::account(const QString &accountId, int *status)
{
    return inspect(QStringLiteral("/_sandbox/accounts?accountId=") + QUrl::toPercentEncoding(accountId),
                   status);
}

QJsonArray TestJournyImport::events(const QString &name)
{
    return inspect(QStringLiteral("/_sandbox/events?name=") + QUrl::toPercentEncoding(name))
        .value(QLatin1String("data"))
        .toArray();
}

qint64 TestJournyImport::requestsSoFar()
{
    return inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("requests")).toInteger(-1);
}

void TestJournyImport::propertiesNotStoredAreWarnings()
{
    // The sandbox types "seats" as a number on first sight; a word there later is answered as
    // "rejected" (not stored) while the rest of the row is stored.
    const QString first = write(QStringLiteral("first.csv"), "userId,email,seats\nw-1,w1@example.com,3\n");
    COMPARE_EXIT(import({QStringLiteral("--kind"), QStringLiteral("users"), first}), 0);
    const QString file = write(QStringLiteral("users.csv"), "userId,email,seats,plan\n"
                                                            "w-2,w2@example.com,many,Pro\n"
                                                            "w-3,w3@example.com,,Free\n"
                                                            "w-4,w4@example.com,lots,Pro\n");
    const QString failedOut = m_dir->filePath(QStringLiteral("failed.csv"));
    CliRun run = import(
        {QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--failed-out"), failedOut});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("3 of 3 row(s) done, 0 failed")), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("2 row(s) with properties not stored: seats (2)")),
             qPrintable(run.describe()));
    QStringList headers;
    QList<QStringList> rows;
    QString error;
    QVERIFY2(readCsv(failedOut, &headers, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).mid(0, 4), (QStringList{QStringLiteral("w-2"), QStringLiteral("w2@example.com"),
                                                QStringLiteral("many"), QStringLiteral("Pro")}));
    QVERIFY2(rows.at(0).at(4).startsWith(QLatin1String("warning: stored without seats: ")),
             qPrintable(rows.at(0).at(4)));
    QCOMPARE(rows.at(1).at(0), QStringLiteral("w-4"));
    QCOMPARE(user(QStringLiteral("w-2"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("plan")),
             QJsonValue(QStringLiteral("Pro")));

    // --json names the rows and counts per property.
    run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    const QJsonObject summary = run.json();
    QCOMPARE(summary.value(QLatin1String("rowsWithPropertiesNotStored")).toArray(), (QJsonArray{1, 3}));
    QCOMPARE(summary.value(QLatin1String("propertiesNotStored")).toObject(),
             (QJsonObject{{QLatin1String("seats"), 2}}));
}

void TestJournyImport::usersUpsertWithTypedValues()
{
    const QString file =
        write(QStringLiteral("users.csv"), "userId,email,plan,mrr,is_paying,registered_at,zip,seats\n"
                                           "t-1,ann@acme.com,Pro,399,true,2024-05-01T10:00:00Z,02134,3\n"
                                           "t-2,bob@acme.com,Free,0.5,false,2024-05-02,10001,\n");
    const CliRun run = import({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);

    // "job: ID" first on stderr, a progress line, and the summary on stdout.
    const qint64 job = jobOnFirstLine(run.err);
    QVERIFY2(job > 0, qPrintable(run.describe()));
    QVERIFY2(run.errors().contains(progressLine), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QStringLiteral("job %1: 2 of 2 row(s) done, 0 failed").arg(job)),
             qPrintable(run.describe()));

    int status = 0;
    const QJsonObject ann = user(QStringLiteral("t-1"), &status);
    QCOMPARE(status, 200);
    QCOMPARE(ann.value(QLatin1String("email")).toString(), QStringLiteral("ann@acme.com"));
    const QJsonObject properties = ann.value(QLatin1String("properties")).toObject();
    // A column of words is a string, of numbers a number, of true/false a bool; a date stays its
    // text; a leading zero is a code, not a number; every type as JSON gives it.
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399));
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("registered_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(properties.value(QLatin1String("zip")), QJsonValue(QStringLiteral("02134")));
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(3));
    QVERIFY(!properties.contains(QLatin1String("userId")));
    QVERIFY(!properties.contains(QLatin1String("email")));

    const QJsonObject bob = user(QStringLiteral("t-2")).value(QLatin1String("properties")).toObject();
    QCOMPARE(bob.value(QLatin1String("mrr")), QJsonValue(0.5));
    QCOMPARE(bob.value(QLatin1String("is_paying")), QJsonValue(false));
    QCOMPARE(bob.value(QLatin1String("registered_at")), QJsonValue(QStringLiteral("2024-05-02")));
    QVERIFY2(!bob.contains(QLatin1String("seats")), "a blank cell is left out, not sent");
}

void TestJournyImport::usersDelete()
{
    const QString users = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("d"), 1, 3));
    COMPARE_EXIT(import({QStringLiteral("--kind"), QStringLiteral("users"), users}), 0);
    const QString gone = write(QStringLiteral("gone.csv"), "userId\nd-1\nd-3\n");
    const CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), QStringLiteral("--delete"), gone});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("2 of 2 row(s) done")), qPrintable(run.describe()));
    int status = 0;
    user(QStringLiteral("d-1"), &status);
    QCOMPARE(status, 404);
    user(QStringLiteral("d-3"), &status);
    QCOMPARE(status, 404);
    user(QStringLiteral("d-2"), &status);
    QCOMPARE(status, 200);
}

void TestJournyImport::accountsUpsertAndDelete()
{
    // For accounts a "name" column is the account's name, a property.
    const QString accounts = write(QStringLiteral("accounts.csv"), "accountId,domain,name,seats,paying\n"
                                                                   "acc-1,Acme.com,Acme,12,true\n"
                                                                   "acc-2,globex.com,Globex,3,false\n");
    COMPARE_EXIT(import({QStringLiteral("--kind"), QStringLiteral("accounts"), accounts}), 0);
    int status = 0;
    const QJsonObject acme = account(QStringLiteral("acc-1"), &status);
    QCOMPARE(status, 200);
    QCOMPARE(acme.value(QLatin1String("domain")).toString(), QStringLiteral("acme.com"));
    const QJsonObject properties = acme.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("name")), QJsonValue(QStringLiteral("Acme")));
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(12));
    QCOMPARE(properties.value(QLatin1String("paying")), QJsonValue(true));
    QCOMPARE(account(QStringLiteral("acc-2"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("paying")),
             QJsonValue(false));

    const QString gone = write(QStringLiteral("gone.csv"), "accountId\nacc-2\n");
    COMPARE_EXIT(
        import({QStringLiteral("--kind"), QStringLiteral("accounts"), QStringLiteral("--delete"), gone}), 0);
    account(QStringLiteral("acc-2"), &status);
    QCOMPARE(status, 404);
    account(QStringLiteral("acc-1"), &status);
    QCOMPARE(status, 200);
}

void TestJournyImport::membershipsGoAtMost100UsersPerCall()
{
    // 250 rows, the two accounts' rows interleaved: 125 users each.
    QByteArray csv = "accountId,userId\n";
    for (int n = 1; n <= 250; ++n)
        csv += QStringLiteral("%1,m-%2\n")
                   .arg(n % 2 ? QStringLiteral("acc-a") : QStringLiteral("acc-b"))
                   .arg(n)
                   .toUtf8();
    const QString file = write(QStringLiteral("members.csv"), csv);

    auto checkMembers = [this](bool removed) {
        for (const QString &id : {QStringLiteral("acc-a"), QStringLiteral("acc-b")}) {
            const QJsonArray members = account(id).value(QLatin1String("members")).toArray();
            QCOMPARE(members.size(), 125);
            for (const QJsonValue &member : members)
                QVERIFY2(member.toObject().value(QLatin1String("removed")) == QJsonValue(removed),
                         qPrintable(QJsonDocument(member.toObject()).toJson(QJsonDocument::Compact)));
        }
        for (int n = 1; n <= 250; ++n) {
            const QJsonArray accounts =
                user(QStringLiteral("m-%1").arg(n)).value(QLatin1String("accounts")).toArray();
            QCOMPARE(accounts.size(), 1);
            QCOMPARE(accounts.first().toObject().value(QLatin1String("accountId")).toString(),
                     n % 2 ? QStringLiteral("acc-a") : QStringLiteral("acc-b"));
            QCOMPARE(accounts.first().toObject().value(QLatin1String("removed")), QJsonValue(removed));
        }
    };
    auto checkCalls = [this] {
        // Each account's 125 users in two calls of at most 100: four calls with 250 users in all.
        const QList<int> calls = std::exchange(m_server->membershipCalls, {});
        QString sizes;
        int users = 0;
        for (int size : calls) {
            sizes += QString::number(size) + QLatin1Char(' ');
            users += size;
        }
        QVERIFY2(calls.size() == 4, qPrintable(sizes));
        QVERIFY2(users == 250, qPrintable(sizes));
        for (int size : calls)
            QVERIFY2(size >= 1 && size <= 100, qPrintable(sizes));
    };

    CliRun run = importJson({QStringLiteral("--kind"), QStringLiteral("memberships"), file});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), 250);
    checkCalls();
    checkMembers(false);
    if (QTest::currentTestFailed())
        return;

    run = importJson(
        {QStringLiteral("--kind"), QStringLiteral("memberships"), QStringLiteral("--remove"), file});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), 250);
    checkCalls();
    checkMembers(true);
}

void TestJournyImport::eventsWithMetadataAndTriggeredAt()
{
    // "event" names the event and "triggered_at" is the time, by their headers; every other
    // column is metadata with an inferred type.
    const QString file =
        write(QStringLiteral("events.csv"), "event,userId,accountId,amount,plan,paid,triggered_at\n"
                                            "Invoice paid,e-1,acc-e,99.5,Pro,true,2024-05-01T10:00:00Z\n"
                                            "Invoice paid,,acc-e,12,Free,false,\n");
    const CliRun run = import({QStringLiteral("--kind"), QStringLiteral("events"), file});
    COMPARE_EXIT(run, 0);
    const QJsonArray stored = events(QStringLiteral("Invoice paid"));
    QCOMPARE(stored.size(), 2);
    // Calls go in parallel: the events are told apart by their metadata, not by arrival order.
    const bool proFirst =
        stored.at(0).toObject().value(QLatin1String("metadata")).toObject().value(QLatin1String("plan")) ==
        QJsonValue(QStringLiteral("Pro"));

    const QJsonObject first = stored.at(proFirst ? 0 : 1).toObject();
    QCOMPARE(first.value(QLatin1String("endpoint")).toString(), QStringLiteral("/track"));
    QCOMPARE(first.value(QLatin1String("triggeredAt")).toString(), QStringLiteral("2024-05-01T10:00:00Z"));
    const QJsonObject identification = first.value(QLatin1String("identification")).toObject();
    QCOMPARE(identification.value(QLatin1String("user")).toObject().value(QLatin1String("userId")).toString(),
             QStringLiteral("e-1"));
    QCOMPARE(identification.value(QLatin1String("account"))
                 .toObject()
                 .value(QLatin1String("accountId"))
                 .toString(),
             QStringLiteral("acc-e"));
    const QJsonObject metadata = first.value(QLatin1String("metadata")).toObject();
    QCOMPARE(metadata.value(QLatin1String("amount")), QJsonValue(99.5));
    QCOMPARE(metadata.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QCOMPARE(metadata.value(QLatin1String("paid")), QJsonValue(true));
    QCOMPARE(metadata.keys(),
             (QStringList{QStringLiteral("amount"), QStringLiteral("paid"), QStringLiteral("plan")}));

    // An account-only event; a blank time is left to the server (now), not sent as "".
    const QJsonObject second = stored.at(proFirst ? 1 : 0).toObject();
    QVERIFY(!second.value(QLatin1String("identification")).toObject().contains(QLatin1String("user")));
    QCOMPARE(second.value(QLatin1String("metadata")).toObject().value(QLatin1String("amount")),
             QJsonValue(12));
    QCOMPARE(second.value(QLatin1String("metadata")).toObject().value(QLatin1String("paid")),
             QJsonValue(false));
    const QDateTime at =
        QDateTime::fromString(second.value(QLatin1String("triggeredAt")).toString(), Qt::ISODateWithMs);
    QVERIFY2(at.isValid() && std::abs(at.secsTo(QDateTime::currentDateTimeUtc())) < 120,
             qPrintable(second.value(QLatin1String("triggeredAt")).toString()));
}

void TestJournyImport::deviceLinks()
{
    COMPARE_EXIT(import({QStringLiteral("--kind"), QStringLiteral("users"),
                         write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("l"), 1, 2))}),
                 0);
    const QString file = write(QStringLiteral("links.csv"), "deviceId,userId,email\n"
                                                            "dev-1,l-1,\n"
                                                            "dev-2,,l2@example.com\n");
    const CliRun run = import({QStringLiteral("--kind"), QStringLiteral("links"), file});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("2 of 2 row(s) done")), qPrintable(run.describe()));
    QCOMPARE(user(QStringLiteral("l-1")).value(QLatin1String("devices")).toArray(),
             QJsonArray{QStringLiteral("dev-1")});
    QCOMPARE(user(QStringLiteral("l-2")).value(QLatin1String("devices")).toArray(),
             QJsonArray{QStringLiteral("dev-2")});
}

namespace {

// Headers that name no target, a number-looking code, yes/no flags and a column to leave out.
const QByteArray customersCsv = "Customer Ref,E-mail address,tier,score,notes,flag\n"
                                "c-1,c1@example.com,Gold,42,call back,yes\n"
                                "c-2,c2@example.com,Silver,7,,no\n";

const QStringList customerOverrides{
    QStringLiteral("--map"), QStringLiteral("Customer Ref=userId"),
    QStringLiteral("--map"), QStringLiteral("E-mail address=email"),
    QStringLiteral("--map"), QStringLiteral("tier=prop.plan"),
    QStringLiteral("--map"), QStringLiteral("score=prop.score:string"),
    QStringLiteral("--map"), QStringLiteral("notes=ignore"),
    QStringLiteral("--map"), QStringLiteral("flag=prop.flag:bool"),
};

} // namespace

void TestJournyImport::mapOverrides()
{
    const QString file = write(QStringLiteral("customers.csv"), customersCsv);
    // Without the overrides there is no userId or email column.
    const CliRun refused = import({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(refused, 1);
    QVERIFY2(refused.errors().contains(QLatin1String("userId")), qPrintable(refused.describe()));

    COMPARE_EXIT(
        import(QStringList{QStringLiteral("--kind"), QStringLiteral("users"), file} + customerOverrides), 0);
    const QJsonObject customer = user(QStringLiteral("c-1"));
    QCOMPARE(customer.value(QLatin1String("email")).toString(), QStringLiteral("c1@example.com"));
    const QJsonObject properties = customer.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Gold")));
    QCOMPARE(properties.value(QLatin1String("score")), QJsonValue(QStringLiteral("42")));
    QCOMPARE(properties.value(QLatin1String("flag")), QJsonValue(true));
    QCOMPARE(properties.keys(),
             (QStringList{QStringLiteral("flag"), QStringLiteral("plan"), QStringLiteral("score")}));
    QCOMPARE(user(QStringLiteral("c-2"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("flag")),
             QJsonValue(false));
}

void TestJournyImport::mappingFileSavedAndLoaded()
{
    const QString file = write(QStringLiteral("customers.csv"), customersCsv);
    const QString mapping = m_dir->filePath(QStringLiteral("in/customers.mapping.json"));
    // Saved on a dry run: nothing is sent, the mapping file is written.
    CliRun run = import(QStringList{QStringLiteral("--kind"), QStringLiteral("users"), file,
                                    QStringLiteral("--dry-run"), QStringLiteral("--save-mapping"), mapping} +
                        customerOverrides);
    COMPARE_EXIT(run, 0);
    QCOMPARE(requestsSoFar(), 0);
    QFile saved(mapping);
    QVERIFY2(saved.open(QIODevice::ReadOnly), qPrintable(mapping));
    const QJsonArray columns =
        QJsonDocument::fromJson(saved.readAll()).object().value(QLatin1String("columns")).toArray();
    QMap<QString, QJsonObject> byColumn;
    for (const QJsonValue &column : columns)
        byColumn.insert(column.toObject().value(QLatin1String("column")).toString(), column.toObject());
    QCOMPARE(byColumn.value(QStringLiteral("Customer Ref")).value(QLatin1String("target")).toString(),
             QStringLiteral("userId"));
    QCOMPARE(byColumn.value(QStringLiteral("tier")).value(QLatin1String("target")).toString(),
             QStringLiteral("prop.plan"));
    QCOMPARE(byColumn.value(QStringLiteral("score")).value(QLatin1String("type")).toString(),
             QStringLiteral("string"));
    QCOMPARE(byColumn.value(QStringLiteral("notes")).value(QLatin1String("target")).toString(),
             QStringLiteral("ignore"));

    // The file alone maps as the overrides did; a --map after it still wins.
    run = import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--mapping"),
                  mapping, QStringLiteral("--map"), QStringLiteral("notes=prop.notes")});
    COMPARE_EXIT(run, 0);
    const QJsonObject properties = user(QStringLiteral("c-1")).value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Gold")));
    QCOMPARE(properties.value(QLatin1String("score")), QJsonValue(QStringLiteral("42")));
    QCOMPARE(properties.value(QLatin1String("flag")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("notes")), QJsonValue(QStringLiteral("call back")));
    QVERIFY(!properties.contains(QLatin1String("tier")));

    // A mapping file that is not one is a usage error, and nothing is sent.
    const qint64 before = requestsSoFar();
    run = import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--mapping"),
                  write(QStringLiteral("broken.json"), "{\"columns\": [{\"column\": \"tier\"}]}")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("--mapping")), qPrintable(run.describe()));
    run = import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--mapping"),
                  m_dir->filePath(QStringLiteral("in/missing.json"))});
    COMPARE_EXIT(run, 1);
    QCOMPARE(requestsSoFar(), before);
}

void TestJournyImport::jsonLinesInput()
{
    // Native JSON types stay what they are; a blank line is skipped; null and a missing key say nothing.
    const QString users = write(
        QStringLiteral("users.jsonl"),
        "{\"userId\":\"j-1\",\"email\":\"j1@example.com\",\"plan\":\"Pro\",\"mrr\":399,\"paying\":true,"
        "\"signup\":\"2024-05-01T10:00:00Z\"}\n"
        "{\"userId\":\"j-2\",\"email\":\"j2@example.com\",\"plan\":\"Free\",\"mrr\":0.25,\"paying\":false,"
        "\"signup\":null}\n"
        "\n"
        "{\"userId\":\"j-3\",\"plan\":\"Team\",\"mrr\":12,\"paying\":true}\n");
    CliRun run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), users});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json().value(QLatin1String("rows")).toInteger(), 3);
    QJsonObject properties = user(QStringLiteral("j-1")).value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399));
    QCOMPARE(properties.value(QLatin1String("paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("signup")), QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    properties = user(QStringLiteral("j-2")).value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(0.25));
    QCOMPARE(properties.value(QLatin1String("paying")), QJsonValue(false));
    QVERIFY(!properties.contains(QLatin1String("signup")));
    QCOMPARE(
        user(QStringLiteral("j-3")).value(QLatin1String("properties")).toObject().value(QLatin1String("mrr")),
        QJsonValue(12));

    const QString tracked =
        write(QStringLiteral("events.ndjson"),
              "{\"event\":\"Signed up\",\"userId\":\"j-1\",\"source\":\"ads\",\"amount\":3}\n"
              "{\"event\":\"Signed up\",\"userId\":\"j-2\",\"source\":\"seo\",\"amount\":4.5}\n");
    run = import({QStringLiteral("--kind"), QStringLiteral("events"), tracked});
    COMPARE_EXIT(run, 0);
    const QJsonArray stored = events(QStringLiteral("Signed up"));
    QCOMPARE(stored.size(), 2);
    QMap<QString, QJsonObject> byUser;
    for (const QJsonValue &event : stored)
        byUser.insert(event.toObject()
                          .value(QLatin1String("identification"))
                          .toObject()
                          .value(QLatin1String("user"))
                          .toObject()
                          .value(QLatin1String("userId"))
                          .toString(),
                      event.toObject().value(QLatin1String("metadata")).toObject());
    QCOMPARE(byUser.value(QStringLiteral("j-1")),
             (QJsonObject{{QLatin1String("source"), QStringLiteral("ads")}, {QLatin1String("amount"), 3}}));
    QCOMPARE(byUser.value(QStringLiteral("j-2")),
             (QJsonObject{{QLatin1String("source"), QStringLiteral("seo")}, {QLatin1String("amount"), 4.5}}));
}

void TestJournyImport::dryRunReportsRowsAndLines()
{
    // Row 2 spans two lines, so row 3 starts on line 5; row 5 has no identification at all.
    const QString file = write(QStringLiteral("users.csv"), "userId,email,note\n"
                                                            "v-1,v1@example.com,plain\n"
                                                            "v-2,v2@example.com,\"two\nlines\"\n"
                                                            "v-3,not-an-email,x\n"
                                                            "v-4,v4@example.com,y\n"
                                                            ",,nobody\n");
    CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 2);
    QVERIFY2(run.text().contains(
                 QRegularExpression(QStringLiteral("^row 3 \\(line 5\\): identification\\.email: "),
                                    QRegularExpression::MultilineOption)),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QRegularExpression(QStringLiteral("^row 5 \\(line 7\\): "),
                                                    QRegularExpression::MultilineOption)),
             qPrintable(run.describe()));
    QVERIFY2(!run.text().contains(QLatin1String("(line 3)")) &&
                 !run.text().contains(QLatin1String("row 4 (")),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("5 row(s): 3 valid, 2 invalid; nothing was sent")),
             qPrintable(run.describe()));
    // Row 3 is among the first rows shown: it appears once, as its problem, never as the empty
    // request an invalid row has (it read "row 3: GET /validate {}").
    QCOMPARE(run.text().count(
                 QRegularExpression(QStringLiteral("^row 3\\b"), QRegularExpression::MultilineOption)),
             1);
    QVERIFY2(!run.text().contains(QLatin1String("/validate")), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(
                 QRegularExpression(QStringLiteral("^row 2: POST /users/upsert .*\nrow 3 \\(line 5\\): "
                                                   "identification\\.email: .*\nrow 5 \\(line 7\\): "),
                                    QRegularExpression::MultilineOption)),
             qPrintable(run.describe()));
    // The first rows as the exact bodies.
    QVERIFY2(
        run.text().contains(QLatin1String(
            "row 1: POST /users/upsert {\"identification\":{\"email\":\"v1@example.com\",\"userId\":\"v-1\"},"
            "\"properties\":{\"note\":\"plain\"}}")),
        qPrintable(run.describe()));

    run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 2);
    const QJsonObject report = run.json();
    QCOMPARE(report.keys(),
             (QStringList{QStringLiteral("invalid"), QStringLiteral("lint"), QStringLiteral("lintedRows"),
                          QStringLiteral("ok"), QStringLiteral("preview"), QStringLiteral("problems"),
                          QStringLiteral("rows"), QStringLiteral("valid")}));
    QCOMPARE(report.value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(report.value(QLatin1String("rows")).toInteger(), 5);
    QCOMPARE(report.value(QLatin1String("valid")).toInteger(), 3);
    QCOMPARE(report.value(QLatin1String("invalid")).toInteger(), 2);
    const QJsonArray problems = report.value(QLatin1String("problems")).toArray();
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems.at(0).toObject().value(QLatin1String("row")).toInteger(), 3);
    QCOMPARE(problems.at(0).toObject().value(QLatin1String("line")).toInteger(), 5);
    QVERIFY(problems.at(0)
                .toObject()
                .value(QLatin1String("errors"))
                .toObject()
                .contains(QLatin1String("identification.email")));
    QCOMPARE(problems.at(1).toObject().value(QLatin1String("line")).toInteger(), 7);
    const QJsonObject preview = report.value(QLatin1String("preview")).toArray().first().toObject();
    QCOMPARE(preview.value(QLatin1String("operation")).toString(), QStringLiteral("upsertUser"));
    // An invalid row in the preview: its errors, as in "problems", not an empty request.
    const QJsonObject invalidPreview = report.value(QLatin1String("preview")).toArray().at(2).toObject();
    QCOMPARE(invalidPreview.keys(),
             (QStringList{QStringLiteral("errors"), QStringLiteral("line"), QStringLiteral("row")}));
    QCOMPARE(invalidPreview.value(QLatin1String("row")).toInteger(), 3);
    QCOMPARE(invalidPreview.value(QLatin1String("line")).toInteger(), 5);
    QCOMPARE(invalidPreview.value(QLatin1String("errors")),
             problems.at(0).toObject().value(QLatin1String("errors")));
    QCOMPARE(preview.value(QLatin1String("body"))
                 .toObject()
                 .value(QLatin1String("identification"))
                 .toObject()
                 .value(QLatin1String("userId")),
             QJsonValue(QStringLiteral("v-1")));

    // Nothing went to the server, and no job was journaled for --resume last.
    QCOMPARE(requestsSoFar(), 0);
    COMPARE_EXIT(import({QStringLiteral("--resume"), QStringLiteral("last")}), 1);
    QCOMPARE(requestsSoFar(), 0);
}

void TestJournyImport::dryRunOfValidFile()
{
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("w"), 1, 5));
    const CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("5 row(s): 5 valid, 0 invalid; nothing was sent")),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("row 3: POST /users/upsert ")), qPrintable(run.describe()));
    QVERIFY2(!run.errors().contains(QLatin1String("job:")), qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 0);
    int status = 0;
    user(QStringLiteral("w-1"), &status);
    QCOMPARE(status, 404);
}

void TestJournyImport::dryRunCountsLintFindingsPerRule()
{
    // An export from a customer's database: emails as user IDs in two rows, dates in a local format.
    const QString file = write(QStringLiteral("lint.csv"), "userId,email,mrr,signed_up_at\n"
                                                           "u-1,a@x.com,399,01/05/2024\n"
                                                           "ann@acme.com,ann@acme.com,12,02/05/2024\n"
                                                           "bob@acme.com,,7,03/05/2024\n");
    CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 0); // advice never fails a check
    QVERIFY2(run.text().contains(QLatin1String(
                 "lint: warning date-format in 3 row(s), e.g. row(s) 1, 2, 3: properties.signed_up_at: "
                 "signed_up_at '01/05/2024' is a local date format")),
             qPrintable(run.describe()));
    QVERIFY2(
        run.text().contains(QLatin1String("lint: warning email-as-user-id in 2 row(s), e.g. row(s) 2, 3: "
                                          "identification.userId: userId 'ann@acme.com'")),
        qPrintable(run.describe()));
    QVERIFY(run.text().endsWith(QLatin1String("3 row(s): 3 valid, 0 invalid; nothing was sent\n")));

    run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 0);
    QStringList counts;
    for (const QJsonValue &value : run.json().value(QLatin1String("lint")).toArray()) {
        const QJsonObject count = value.toObject();
        QStringList examples;
        for (const QJsonValue &row : count.value(QLatin1String("examples")).toArray())
            examples << QString::number(row.toInteger());
        counts << QStringLiteral("%1 %2 %3 [%4] %5")
                      .arg(count.value(QLatin1String("rule")).toString(),
                           count.value(QLatin1String("severity")).toString())
                      .arg(count.value(QLatin1String("rows")).toInteger())
                      .arg(examples.join(QLatin1Char(',')), count.value(QLatin1String("path")).toString());
    }
    QCOMPARE(counts, QStringList({QStringLiteral("date-format warning 3 [1,2,3] properties.signed_up_at"),
                                  QStringLiteral("email-as-user-id warning 2 [2,3] identification.userId")}));
    QCOMPARE(run.json().value(QLatin1String("lintedRows")).toInteger(), 3);
    QCOMPARE(requestsSoFar(), 0);
}

void TestJournyImport::crOnlyLineEndsImportEveryRow()
{
    // Old Mac Excel ends lines with a lone CR; each one is a row, not part of one long header.
    QByteArray csv = usersCsv(QStringLiteral("cr"), 1, 3);
    csv.replace('\n', '\r');
    const QString file = write(QStringLiteral("mac.csv"), csv);
    const CliRun run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    CHECK_IMPORT_JSON(run);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), 3);
    for (int n = 1; n <= 3; ++n) {
        const QJsonObject stored = user(QStringLiteral("cr-%1").arg(n));
        QCOMPARE(stored.value(QLatin1String("email")).toString(), QStringLiteral("cr%1@example.com").arg(n));
        QCOMPARE(stored.value(QLatin1String("properties")).toObject().value(QLatin1String("seq")),
                 QJsonValue(n));
    }
}

void TestJournyImport::fileWithoutRowsIsAnError_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");
    const QString noRows = QStringLiteral("no rows to import: the file has only a header line (4 column(s))");
    QTest::newRow("CSV header only") << QStringLiteral("users.csv") << QByteArray("userId,email,plan,seq\n")
                                     << noRows;
    QTest::newRow("CSV header and blank lines")
        << QStringLiteral("users.csv") << QByteArray("userId,email,plan,seq\r\n\r\n  \r\n") << noRows;
    QTest::newRow("CSV header, CR only")
        << QStringLiteral("users.csv") << QByteArray("userId,email,plan,seq\r\r") << noRows;
    QTest::newRow("JSON Lines of blank lines")
        << QStringLiteral("users.jsonl") << QByteArray("\n  \n\n") << QStringLiteral("no JSON object");
}

void TestJournyImport::fileWithoutRowsIsAnError()
{
    // A file that is not empty but has no row is an error, for a dry run as for an import, and with
    // --json: never "0 of 0 row(s) done" and exit 0.
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    const QString file = write(name, content);
    for (const bool dryRun : {false, true}) {
        QStringList arguments{QStringLiteral("--kind"), QStringLiteral("users"), file};
        if (dryRun)
            arguments << QStringLiteral("--dry-run");
        CliRun run = import(arguments);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().startsWith(QLatin1String("journy: ")) && run.errors().contains(message),
                 qPrintable(run.describe()));
        QVERIFY2(!run.text().contains(QLatin1String("row(s)")), qPrintable(run.describe()));
        run = importJson(arguments);
        COMPARE_EXIT(run, 1);
        QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));
        QVERIFY2(run.json().value(QLatin1String("message")).toString().contains(message),
                 qPrintable(run.describe()));
    }
    QCOMPARE(requestsSoFar(), 0);
    const CliRun resume = import({QStringLiteral("--resume"), QStringLiteral("last")});
    QVERIFY2(resume.errors().contains(QLatin1String("no unfinished import job")),
             qPrintable(resume.describe()));
}

namespace {

// The progress lines on stderr: whole lines, each "N done, ... R/s[, ETA N s]".
QStringList progressLines(const QByteArray &err)
{
    QStringList lines;
    for (const QString &line : QString::fromUtf8(err).split(QLatin1Char('\n'))) {
        if (line.contains(progressLine))
            lines << line;
    }
    return lines;
}

} // namespace

void TestJournyImport::progressWithoutATerminalIsPlainLines()
{
    // stderr is a pipe here, as for a log file: no carriage-return redraws (which filled logs with
    // ~1,000 updates for 600 rows), one plain line every 10 s and one at the end.
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("g"), 1, 40));
    for (const QStringList &option :
         {QStringList{}, QStringList{QStringLiteral("--progress"), QStringLiteral("auto")},
          QStringList{QStringLiteral("--progress"), QStringLiteral("plain")}}) {
        const CliRun run =
            import(QStringList{QStringLiteral("--kind"), QStringLiteral("users"), file} + option);
        COMPARE_EXIT(run, 0);
        QVERIFY2(!run.err.contains('\r'), qPrintable(run.describe()));
        // Well under 10 s: the last line only, whole, without an ETA, and nothing after it.
        const QStringList lines = progressLines(run.err);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().startsWith(QLatin1String("40 done, 0 failed, 0 remaining, ")) &&
                     !lines.first().contains(QLatin1String("ETA")),
                 qPrintable(run.describe()));
        QVERIFY2(run.errors().endsWith(lines.first() + QLatin1Char('\n')), qPrintable(run.describe()));
    }

    // With the interval shortened (a hidden variable, so this test need not wait 10 s a line), a
    // paced import of about 2 s writes a line every 200 ms with its ETA, and no more lines than that.
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 20;
    config.rateWindowSeconds = 1;
    startServer(config);
    QElapsedTimer clock;
    clock.start();
    const CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--progress"),
                QStringLiteral("plain"), QStringLiteral("--rate"), QStringLiteral("20"),
                QStringLiteral("--rate-window"), QStringLiteral("1")},
               fullKey, {{QStringLiteral("JOURNY_PROGRESS_INTERVAL_MS"), QStringLiteral("200")}});
    const qint64 elapsed = clock.elapsed();
    COMPARE_EXIT(run, 0);
    QVERIFY2(!run.err.contains('\r'), qPrintable(run.describe()));
    const QStringList lines = progressLines(run.err);
    // The last 20 rows cannot start before 1 s: at least 4 ticks of 200 ms, plus the last line.
    QVERIFY2(lines.size() >= 3, qPrintable(run.describe()));
    // A timer may fire a little early (coarse timers: up to 5%), never more often than that.
    QVERIFY2(
        lines.size() <= elapsed / 190 + 1,
        qPrintable(QStringLiteral("%1 lines in %2 ms\n").arg(lines.size()).arg(elapsed) + run.describe()));
    QVERIFY2(
        lines.first().contains(QRegularExpression(QStringLiteral("remaining, \\d+\\.\\d/s, ETA \\d+ s$"))),
        qPrintable(run.describe()));
    QVERIFY2(lines.last().startsWith(QLatin1String("40 done, 0 failed, 0 remaining, ")),
             qPrintable(run.describe()));
}

void TestJournyImport::progressNone()
{
    const CliRun help = start({QStringLiteral("--help")})->finish(10000);
    QVERIFY2(help.text().contains(QLatin1String("[--progress auto|plain|none]")) &&
                 help.text().contains(QLatin1String("none writes no progress")),
             qPrintable(help.describe()));
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("n"), 1, 5));
    const CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--progress"),
                QStringLiteral("none")},
               fullKey, {{QStringLiteral("JOURNY_PROGRESS_INTERVAL_MS"), QStringLiteral("1")}});
    COMPARE_EXIT(run, 0);
    QVERIFY2(progressLines(run.err).isEmpty() && !run.err.contains('\r'), qPrintable(run.describe()));
    // The job line and the summary are not progress: they stay.
    QVERIFY2(jobOnFirstLine(run.err) > 0, qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("5 of 5 row(s) done, 0 failed")), qPrintable(run.describe()));
}

void TestJournyImport::progressOnATerminalIsRedrawn()
{
    // On a terminal, auto keeps the one line redrawn in place. The terminal is a real pseudo-terminal
    // from util-linux script(1), which copies what journy writes there to its own stdout (the
    // terminal turns each "\n" into "\r\n"; a redraw is a "\r" right before the counts).
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script(1) from util-linux is not installed");
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 20;
    config.rateWindowSeconds = 1;
    startServer(config);
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("t"), 1, 40));
    QStringList words{QStringLiteral(JOURNY_CLI_EXE)};
    words +=
        importArguments({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--rate"),
                         QStringLiteral("20"), QStringLiteral("--rate-window"), QStringLiteral("1")},
                        false);
    QStringList quoted;
    for (QString word : std::as_const(words))
        quoted << QLatin1Char('\'') + word.replace(QLatin1Char('\''), QLatin1String("'\\''")) +
                      QLatin1Char('\'');
    CliChild child;
    child.start(script, {QStringLiteral("-qec"), quoted.join(QLatin1Char(' ')), QStringLiteral("/dev/null")},
                m_dir->path(), {{QStringLiteral("JOURNY_API_KEY"), fullKey}});
    const CliRun run = child.finish(60000);
    COMPARE_EXIT(run, 0);
    static const QRegularExpression redraw(QStringLiteral("\r\\d+ done, \\d+ failed, \\d+ remaining, "));
    // At least two redraws in the second or more the rows take, and the last one ends the line.
    QVERIFY2(run.text().count(redraw) >= 2, qPrintable(run.describe()));
    QVERIFY2(run.text().contains(
                 QRegularExpression(QStringLiteral("\r40 done, 0 failed, 0 remaining, [^\r\n]*\r\n"))),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("40 of 40 row(s) done, 0 failed")),
             qPrintable(run.describe()));
}

void TestJournyImport::brokenRowsKeepTheirTextInTheFailedRowsFile()
{
    // A line that is not JSON has no cells: the failed-rows file keeps the line as written (it had
    // an empty row), with the reason in the "error" column.
    const QByteArray broken = "{\"userId\":\"k-2\",\"email\":\"k2@example.com\",\"plan\":\"Pro, \"\"x\"\"";
    const QString file =
        write(QStringLiteral("users.jsonl"),
              "{\"userId\":\"k-1\",\"email\":\"k1@example.com\",\"plan\":\"Free\"}\n" + broken +
                  "\n{\"userId\":\"k-3\",\"email\":\"k3@example.com\",\"plan\":\"Pro\"}\n");
    const QString failedOut = m_dir->filePath(QStringLiteral("failed.csv"));
    CliRun run = import(
        {QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--failed-out"), failedOut});
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().contains(QLatin1String("2 of 3 row(s) done, 1 failed")), qPrintable(run.describe()));
    QStringList headers;
    QList<QStringList> rows;
    QString error;
    QVERIFY2(readCsv(failedOut, &headers, &rows, &error), qPrintable(error));
    QCOMPARE(headers, (QStringList{QStringLiteral("userId"), QStringLiteral("email"), QStringLiteral("plan"),
                                   QStringLiteral("error")}));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).size(), 4);
    QCOMPARE(rows.at(0).at(0), QString::fromUtf8(broken));
    QVERIFY2(rows.at(0).at(3).contains(QLatin1String("line 2: not a JSON object")),
             qPrintable(rows.at(0).at(3)));

    // A CSV row short of cells: its cells as read, the reason still in the "error" column.
    const QString csv =
        write(QStringLiteral("users.csv"), "userId,email,plan\nk-4,k4@example.com,Pro\nk-5\n");
    run = import(
        {QStringLiteral("--kind"), QStringLiteral("users"), csv, QStringLiteral("--failed-out"), failedOut});
    COMPARE_EXIT(run, 3);
    rows.clear();
    QVERIFY2(readCsv(failedOut, &headers, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).mid(0, 3), (QStringList{QStringLiteral("k-5"), QString(), QString()}));
    QVERIFY2(rows.at(0).value(3).contains(QLatin1String("1 fields, the header has 3")),
             qPrintable(rows.at(0).join(QLatin1Char('|'))));
}

void TestJournyImport::dryRunAppliesTheServersBodyLimit()
{
    // A cell of 1.1 MB makes a body the server does not read: the dry run passed it, then the
    // server refused it. Now the dry run says so; the import fails it without sending it; a cell
    // of 1,000,000 characters, under the limit, goes through and is stored whole.
    const QString small(1000000, QLatin1Char('s'));
    const QString file = write(QStringLiteral("users.csv"), "userId,note\nz-1," + small.toUtf8() + "\nz-2," +
                                                                QByteArray(1100000, 'b') + "\nz-3,short\n");
    CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--dry-run")});
    COMPARE_EXIT(run, 2);
    QVERIFY2(run.text().contains(QRegularExpression(
                 QStringLiteral("^row 2 \\(line 3\\): body: The request body would be 11000\\d\\d bytes; the "
                                "API reads at most 1048576\\.$"),
                 QRegularExpression::MultilineOption)),
             qPrintable(run.text().left(2000)));
    QVERIFY2(run.text().contains(QLatin1String("3 row(s): 2 valid, 1 invalid; nothing was sent")),
             qPrintable(run.text().right(2000)));
    QCOMPARE(requestsSoFar(), 0);

    run = import({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().contains(QLatin1String("2 of 3 row(s) done, 1 failed")), qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 2);
    QCOMPARE(user(QStringLiteral("z-1"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("note")),
             QJsonValue(small));
    int status = 0;
    user(QStringLiteral("z-2"), &status);
    QCOMPARE(status, 404);
}

void TestJournyImport::failedRowsFileCanBeFixedAndImportedAgain()
{
    // Quoted cells (a delimiter, a doubled quote) must come back as the same cells.
    const QString file = write(QStringLiteral("users.csv"), "userId,email,mrr,city\n"
                                                            "f-1,f1@example.com,10,\"Brussels, BE\"\n"
                                                            "f-2,broken-email,20,\"Gent \"\"centre\"\"\"\n"
                                                            "f-3,f3@example.com,abc,Paris\n"
                                                            "f-4,f4@example.com,40,Rome\n");
    const QString failedOut = m_dir->filePath(QStringLiteral("failed.csv"));
    const QStringList mrrIsANumber{QStringLiteral("--map"), QStringLiteral("mrr=prop.mrr:number")};
    CliRun run = importJson(QStringList{QStringLiteral("--kind"), QStringLiteral("users"), file,
                                        QStringLiteral("--failed-out"), failedOut} +
                            mrrIsANumber);
    COMPARE_EXIT(run, 3);
    CHECK_IMPORT_JSON(run);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), 2);
    QCOMPARE(run.json().value(QLatin1String("failed")).toInteger(), 2);
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(requestsSoFar(), 2); // invalid rows are never sent

    QStringList headers;
    QList<QStringList> rows;
    QString error;
    QVERIFY2(readCsv(failedOut, &headers, &rows, &error), qPrintable(error));
    QCOMPARE(headers, (QStringList{QStringLiteral("userId"), QStringLiteral("email"), QStringLiteral("mrr"),
                                   QStringLiteral("city"), QStringLiteral("error")}));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).mid(0, 4), (QStringList{QStringLiteral("f-2"), QStringLiteral("broken-email"),
                                                QStringLiteral("20"), QStringLiteral("Gent \"centre\"")}));
    QVERIFY2(rows.at(0).at(4).contains(QLatin1String("identification.email")), qPrintable(rows.at(0).at(4)));
    QCOMPARE(rows.at(1).mid(0, 4), (QStringList{QStringLiteral("f-3"), QStringLiteral("f3@example.com"),
                                                QStringLiteral("abc"), QStringLiteral("Paris")}));
    QVERIFY2(rows.at(1).at(4).contains(QLatin1String("properties.mrr")), qPrintable(rows.at(1).at(4)));

    // Fixed as a person would: the cells corrected, the file saved, imported again.
    QFile failed(failedOut);
    QVERIFY(failed.open(QIODevice::ReadOnly));
    QByteArray fixed = failed.readAll();
    failed.close();
    fixed.replace("broken-email", "f2@example.com").replace(",abc,", ",30,");
    const QString again = write(QStringLiteral("fixed.csv"), fixed);
    run = importJson(QStringList{QStringLiteral("--kind"), QStringLiteral("users"), again,
                                 QStringLiteral("--map"), QStringLiteral("error=ignore")} +
                     mrrIsANumber);
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), 2);
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(true));

    QCOMPARE(user(QStringLiteral("f-2")).value(QLatin1String("email")).toString(),
             QStringLiteral("f2@example.com"));
    QCOMPARE(user(QStringLiteral("f-2"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("city")),
             QJsonValue(QStringLiteral("Gent \"centre\"")));
    QCOMPARE(
        user(QStringLiteral("f-3")).value(QLatin1String("properties")).toObject().value(QLatin1String("mrr")),
        QJsonValue(30));
    QCOMPARE(user(QStringLiteral("f-1"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("city")),
             QJsonValue(QStringLiteral("Brussels, BE")));
}

void TestJournyImport::serverRefusalsFailRows()
{
    // A key without TrackData: the server refuses every row (401), and each fails with its answer.
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("r"), 1, 3));
    const QString failedOut = m_dir->filePath(QStringLiteral("failed.csv"));
    const CliRun run = import(
        {QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--failed-out"), failedOut},
        readOnlyKey);
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().contains(QLatin1String("0 of 3 row(s) done, 3 failed")), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QStringLiteral("failed rows written to %1").arg(failedOut)),
             qPrintable(run.describe()));
    QStringList headers;
    QList<QStringList> rows;
    QString error;
    QVERIFY2(readCsv(failedOut, &headers, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 3);
    for (const QStringList &row : std::as_const(rows))
        QVERIFY2(row.last().contains(QLatin1String("TrackData")), qPrintable(row.join(QLatin1Char('|'))));
    // 4xx answers are not retried.
    QCOMPARE(requestsSoFar(), 3);
}

void TestJournyImport::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString users = QStringLiteral("in/users.csv");
    QTest::newRow("unknown kind") << QStringList{QStringLiteral("--kind"), QStringLiteral("people"), users}
                                  << QStringLiteral("--kind must be");
    QTest::newRow("no kind") << QStringList{users} << QStringLiteral("--kind must be");
    QTest::newRow("missing file") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"),
                                                 QStringLiteral("in/nope.csv")}
                                  << QStringLiteral("nope.csv");
    QTest::newRow("no file") << QStringList{QStringLiteral("--kind"), QStringLiteral("users")}
                             << QStringLiteral("exactly one FILE");
    QTest::newRow("two files") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, users}
                               << QStringLiteral("exactly one FILE");
    QTest::newRow("--map without =") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                                                    QStringLiteral("--map"), QStringLiteral("plan")}
                                     << QStringLiteral("--map plan:");
    QTest::newRow("--map unknown column")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--map"),
                       QStringLiteral("tier=prop.tier")}
        << QStringLiteral("no column 'tier'");
    QTest::newRow("--map unknown type")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--map"),
                       QStringLiteral("seq=prop.seq:integer")}
        << QStringLiteral("unknown type 'integer'");
    QTest::newRow("--map unknown target")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--map"),
                       QStringLiteral("plan=plan")}
        << QStringLiteral("unknown target 'plan'");
    QTest::newRow("--map target of another kind")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--map"),
                       QStringLiteral("plan=meta.plan")}
        << QStringLiteral("does not apply to users");
    QTest::newRow("events without a name")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("events"), users} << QStringLiteral("name");
    QTest::newRow("--delete with events")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("events"), users, QStringLiteral("--delete")}
        << QStringLiteral("--delete goes with users or accounts");
    QTest::newRow("--remove with users")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--remove")}
        << QStringLiteral("--remove with memberships");
    QTest::newRow("--rate 0") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                                             QStringLiteral("--rate"), QStringLiteral("0")}
                              << QStringLiteral("--rate must be");
    QTest::newRow("--concurrency x") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                                                    QStringLiteral("--concurrency"), QStringLiteral("x")}
                                     << QStringLiteral("--concurrency must be");
    QTest::newRow("--progress fancy")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users, QStringLiteral("--progress"),
                       QStringLiteral("fancy")}
        << QStringLiteral("--progress must be auto, plain or none, not 'fancy'");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                                                   QStringLiteral("--fast")}
                                    << QStringLiteral("fast");
    QTest::newRow("--resume unknown job") << QStringList{QStringLiteral("--resume"), QStringLiteral("999")}
                                          << QStringLiteral("no import job 999");
    QTest::newRow("--resume last, none") << QStringList{QStringLiteral("--resume"), QStringLiteral("last")}
                                         << QStringLiteral("no unfinished import job");
    QTest::newRow("--resume with --dry-run")
        << QStringList{QStringLiteral("--resume"), QStringLiteral("last"), QStringLiteral("--dry-run")}
        << QStringLiteral("it does not take --dry-run");
    QTest::newRow("--force-target without --resume")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                       QStringLiteral("--force-target")}
        << QStringLiteral("--force-target goes with --resume");
    QTest::newRow("--older-than without --prune")
        << QStringList{QStringLiteral("--kind"), QStringLiteral("users"), users,
                       QStringLiteral("--older-than"), QStringLiteral("3")}
        << QStringLiteral("--older-than goes with --prune");
    QTest::newRow("--older-than -1") << QStringList{QStringLiteral("--prune"), QStringLiteral("--older-than"),
                                                    QStringLiteral("-1")}
                                     << QStringLiteral("--older-than must be");
    QTest::newRow("--list with a file")
        << QStringList{QStringLiteral("--list"), users} << QStringLiteral("--list does not take FILE");
    QTest::newRow("--prune with --kind")
        << QStringList{QStringLiteral("--prune"), QStringLiteral("--kind"), QStringLiteral("users")}
        << QStringLiteral("--prune does not take --kind");
}

void TestJournyImport::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("x"), 1, 3));
    for (QString &argument : arguments) {
        if (argument.startsWith(QLatin1String("in/")))
            argument = m_dir->filePath(argument);
    }
    CliRun run = import(arguments);
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().startsWith(QLatin1String("journy: ")) && run.errors().contains(message),
             qPrintable(run.describe()));
    QVERIFY2(!run.errors().contains(QLatin1String("job:")), qPrintable(run.describe()));
    // With --json too: a failure on stdout, and the same exit code.
    run = importJson(arguments);
    COMPARE_EXIT(run, 1);
    // The CLI's one failure shape, whether the command line or the import found the problem.
    const QJsonObject failure = run.json();
    QCOMPARE(failure.value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(failure.value(QLatin1String("error")), QJsonValue(QStringLiteral("usage")));
    QVERIFY2(failure.value(QLatin1String("message")).toString().contains(message),
             qPrintable(run.describe()));
    for (const char *member : {"status", "requestId", "data", "rateLimit", "errors", "rejected", "latencyMs"})
        QVERIFY2(failure.contains(QLatin1String(member)), member);
    QCOMPARE(requestsSoFar(), 0);
}

void TestJournyImport::unreadableFileLeavesNoJobToResume()
{
    // The first 200 rows read fine (they are the sample); the file breaks after them, so it is
    // found unreadable only while the job is being written.
    QByteArray csv = usersCsv(QStringLiteral("b"), 1, 250);
    csv += "b-251,b251@example.com,\"never closed,251\nb-252,b252@example.com,Pro,252\n";
    const QString file = write(QStringLiteral("broken.csv"), csv);
    CliRun run = import({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("line 252")), qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 0);
    // The rows journaled before the break are not a job to send: half a file is not the file.
    run = import({QStringLiteral("--resume"), QStringLiteral("last")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("no unfinished import job")), qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 0);
}

void TestJournyImport::resumeSendsTheJournaledJobOnly()
{
    // A job journaled by another program (the console's wizard shares the journal), never started.
    qint64 jobId = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(journalFile(), &error), qPrintable(error));
        BulkJournal::Job job;
        job.kind.kind = ImportKind::Kind::Users;
        job.file = QStringLiteral("console.csv");
        job.headers = QStringList{QStringLiteral("userId"), QStringLiteral("plan")};
        job.profile = m_server->baseUrl().toString();
        jobId = journal.createJob(job);
        QVERIFY(jobId > 0);
        QList<BulkJournal::Row> rows;
        for (int n = 1; n <= 3; ++n) {
            BulkJournal::Row row;
            row.number = n;
            row.line = n + 1;
            row.values = QStringList{QStringLiteral("s-%1").arg(n), QStringLiteral("Pro")};
            row.request =
                QJsonDocument(
                    QJsonObject{
                        {QLatin1String("operation"), QStringLiteral("upsertUser")},
                        {QLatin1String("body"),
                         QJsonObject{{QLatin1String("identification"),
                                      QJsonObject{{QLatin1String("userId"), QStringLiteral("s-%1").arg(n)}}},
                                     {QLatin1String("properties"),
                                      QJsonObject{{QLatin1String("plan"), QStringLiteral("Pro")}}}}},
                        {QLatin1String("query"), QString()}})
                    .toJson(QJsonDocument::Compact);
            rows.append(row);
        }
        QVERIFY(journal.addRows(jobId, rows));
    }

    // What would change the job or make it a dry run is refused, not ignored: nothing is sent.
    const QString other = write(QStringLiteral("other.csv"), usersCsv(QStringLiteral("o"), 1, 2));
    for (const QStringList &extra :
         {QStringList{QStringLiteral("--dry-run")}, QStringList{other},
          QStringList{QStringLiteral("--kind"), QStringLiteral("accounts")},
          QStringList{QStringLiteral("--map"), QStringLiteral("plan=prop.tier")}}) {
        const CliRun run = import(QStringList{QStringLiteral("--resume"), QStringLiteral("last")} + extra);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().contains(QLatin1String("--resume")), qPrintable(run.describe()));
        QCOMPARE(requestsSoFar(), 0);
    }

    // By its ID, without --base-url: the job goes where it was journaled to go.
    Child child = start({QStringLiteral("import"), QStringLiteral("--resume"), QString::number(jobId)});
    const CliRun run = child->finish(60000);
    COMPARE_EXIT(run, 0);
    QCOMPARE(jobOnFirstLine(run.err), jobId);
    QVERIFY2(run.text().contains(QStringLiteral("job %1: 3 of 3 row(s) done, 0 failed").arg(jobId)),
             qPrintable(run.describe()));
    for (int n = 1; n <= 3; ++n)
        QCOMPARE(user(QStringLiteral("s-%1").arg(n))
                     .value(QLatin1String("properties"))
                     .toObject()
                     .value(QLatin1String("plan")),
                 QJsonValue(QStringLiteral("Pro")));
    // Finished now: nothing is left for --resume last.
    COMPARE_EXIT(import({QStringLiteral("--resume"), QStringLiteral("last")}), 1);
    QCOMPARE(requestsSoFar(), 3);
}

void TestJournyImport::jsonOutputShape()
{
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("s"), 1, 4));
    CliRun run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    CHECK_IMPORT_JSON(run);
    const QJsonObject result = run.json();
    QCOMPARE(result.value(QLatin1String("ok")), QJsonValue(true));
    QCOMPARE(result.value(QLatin1String("rows")).toInteger(), 4);
    QCOMPARE(result.value(QLatin1String("done")).toInteger(), 4);
    QCOMPARE(result.value(QLatin1String("failed")).toInteger(), 0);
    QCOMPARE(result.value(QLatin1String("pending")).toInteger(), 0);
    QCOMPARE(result.value(QLatin1String("possiblyDuplicated")).toArray(), QJsonArray());
    // stderr: the job line, then nothing (no progress line with --json).
    QCOMPARE(run.errors(), QStringLiteral("job: %1\n").arg(result.value(QLatin1String("job")).toInteger()));

    // Failed rows: the same shape, ok false; and each new job has its own ID.
    const QString broken =
        write(QStringLiteral("broken.csv"), "userId,email\nq-1,q1@example.com\nq-2,nope\n");
    run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), broken});
    COMPARE_EXIT(run, 3);
    CHECK_IMPORT_JSON(run);
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(run.json().value(QLatin1String("failed")).toInteger(), 1);
    QVERIFY(run.json().value(QLatin1String("job")).toInteger() >
            result.value(QLatin1String("job")).toInteger());
    QCOMPARE(jobOnFirstLine(run.err), run.json().value(QLatin1String("job")).toInteger());
    QVERIFY2(!run.errors().contains(progressLine), qPrintable(run.describe()));
}

void TestJournyImport::pacingHoldsTheServersWindow()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.rateLimit = 30;
    config.rateWindowSeconds = 2;
    startServer(config);
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("p"), 1, 90));
    QElapsedTimer clock;
    clock.start();
    const CliRun run =
        import({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--rate"),
                QStringLiteral("30"), QStringLiteral("--rate-window"), QStringLiteral("2")},
               fullKey, {{QStringLiteral("JOURNY_PROGRESS_INTERVAL_MS"), QStringLiteral("500")}});
    const qint64 elapsed = clock.elapsed();
    COMPARE_EXIT(run, 0);
    const QJsonObject stats = inspect(QStringLiteral("/_sandbox/stats"));
    qInfo("90 rows at 30 per 2 s in %lld ms: %s", elapsed,
          QJsonDocument(stats).toJson(QJsonDocument::Compact).constData());
    QVERIFY2(stats.value(QLatin1String("maxPerWindow")).toInt() <= 30, qPrintable(run.describe()));
    QVERIFY2(stats.value(QLatin1String("maxPerWindow")).toInt() >= 20, "the window was hardly used");
    QCOMPARE(stats.value(QLatin1String("rateLimited")).toInt(), 0);
    QCOMPARE(stats.value(QLatin1String("users")).toInt(), 90);
    QCOMPARE(stats.value(QLatin1String("requests")).toInt(), 90);
    // Three windows' worth: the last 30 cannot start before 4 s.
    QVERIFY2(elapsed >= 3900, qPrintable(QString::number(elapsed)));
    // A progress line with an ETA was written while it ran (a line each 500 ms here, not 10 s).
    QVERIFY2(run.errors().contains(QRegularExpression(QStringLiteral("remaining, \\d+\\.\\d/s, ETA \\d+ s"))),
             qPrintable(run.describe()));
}

void TestJournyImport::serverErrorsAreRetried()
{
    // 30% of the answers are 500s; the seed gives 2 or 3 of them among the requests 20 rows need
    // (see planFaults), so each is retried and none runs out of attempts.
    const int rows = 20;
    const FaultPlan plan = planFaults(0.3, rows, 2, 3);
    QVERIFY(plan.seed > 0);
    qInfo("seed %u: %d answers of 500 in %d requests", plan.seed, plan.failures, plan.requests);
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.failRate = 0.3;
    config.faults.seed = plan.seed;
    startServer(config);
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("f"), 1, rows));
    const CliRun run = importJson({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    CHECK_IMPORT_JSON(run);
    QCOMPARE(run.json().value(QLatin1String("done")).toInteger(), rows);
    QCOMPARE(run.json().value(QLatin1String("failed")).toInteger(), 0);
    // Every 500 was sent again, and nothing else was.
    QCOMPARE(requestsSoFar(), plan.requests);
    for (int n = 1; n <= rows; ++n)
        QCOMPARE(user(QStringLiteral("f-%1").arg(n))
                     .value(QLatin1String("properties"))
                     .toObject()
                     .value(QLatin1String("seq")),
                 QJsonValue(n));
}

void TestJournyImport::rateLimitedWaitIsShown()
{
    // A seed under which the requests 20 rows need meet one or two injected 429s (Retry-After: 1).
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.burstRate = 0.1;
    config.faults.burstLength = 1;
    const int rows = 20;
    int limited = 0;
    for (config.faults.seed = 1; config.faults.seed < 100000; ++config.faults.seed) {
        SandboxFaults sequence(config.faults);
        limited = 0;
        for (int answered = 0; answered < rows;)
            (sequence.next() == SandboxFaults::Fault::Burst429 ? limited : answered) += 1;
        if (limited >= 1 && limited <= 2)
            break;
    }
    QVERIFY(limited >= 1 && limited <= 2);
    startServer(config);
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("r"), 1, rows));
    const CliRun run = import({QStringLiteral("--kind"), QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    // The wait is said, with the server's Retry-After, on a line of its own; stderr is a pipe
    // here, so as a plain line without a carriage return.
    QVERIFY2(run.errors().contains(QLatin1String("\nrate limited, retrying in 1 s\n")),
             qPrintable(run.describe()));
    QVERIFY2(!run.errors().contains(QLatin1Char('\r')), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QStringLiteral("20 of 20 row(s) done, 0 failed")),
             qPrintable(run.describe()));
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("rateLimited")).toInt(), limited);
    for (int n = 1; n <= rows; ++n)
        QCOMPARE(user(QStringLiteral("r-%1").arg(n)).value(QLatin1String("userId")).toString(),
                 QStringLiteral("r-%1").arg(n));
}

qint64 TestJournyImport::importAndKill(const QStringList &arguments, int count, int killAfterDone)
{
    Child child = start(importArguments(arguments, false));
    if (child->process()->state() != QProcess::Running) {
        qWarning("journy did not start: %s", qPrintable(child->process()->errorString()));
        return 0;
    }
    std::unique_ptr<BulkJournal> journal;
    qint64 jobId = 0;
    qint64 done = 0;
    QElapsedTimer clock;
    clock.start();
    while (done < killAfterDone && child->finished()->isEmpty() && clock.elapsed() < 20000) {
        QTest::qWait(10);
        child->read();
        if (jobId == 0) {
            // "job: ID" comes once every row is journaled; the journal is read from then on.
            jobId = jobOnFirstLine(child->err);
            if (jobId == 0)
                continue;
            journal = std::make_unique<BulkJournal>();
            QString error;
            if (!journal->open(journalFile(), &error)) {
                qWarning("cannot read the journal: %s", qPrintable(error));
                break;
            }
        }
        done = journal->counts(jobId).done;
    }
    if (!child->finished()->isEmpty()) {
        child->read();
        qWarning("journy ended before it was killed:\n%s%s", child->out.constData(), child->err.constData());
        return 0;
    }
    child->process()->kill(); // SIGKILL
    child->finished()->wait(10000);
    if (child->process()->exitStatus() != QProcess::CrashExit || done < killAfterDone) {
        qWarning("journy was not killed half-way (%lld rows done)", done);
        return 0;
    }
    const BulkJournal::Counts counts = journal->counts(jobId);
    qInfo("killed after %lld ms: %lld done, %lld in flight, %lld pending", clock.elapsed(), counts.done,
          counts.inFlight, counts.pending);
    if (counts.total() != count || counts.done == 0 || counts.done == count) {
        qWarning("the journal does not show a job stopped half-way");
        return 0;
    }
    return jobId;
}

void TestJournyImport::killedUserImportResumesWithEveryRow()
{
    // Slow enough to be killed half-way: 20 ms per answer, at most 50 requests a second.
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.latencyMs = 20;
    startServer(config);
    const int rows = 300;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("k"), 1, rows));
    const qint64 jobId =
        importAndKill({QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--rate"),
                       QStringLiteral("50"), QStringLiteral("--rate-window"), QStringLiteral("1")},
                      rows, 60);
    QVERIFY(jobId > 0);
    QVERIFY(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt() < rows);

    // Same folders, same key: the job picks up where it stopped.
    const CliRun run = import({QStringLiteral("--resume"), QStringLiteral("last")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(jobOnFirstLine(run.err), jobId);
    QVERIFY2(
        run.text().contains(QStringLiteral("job %1: %2 of %2 row(s) done, 0 failed").arg(jobId).arg(rows)),
        qPrintable(run.describe()));
    QVERIFY2(!run.text().contains(QLatin1String("possibly duplicated")), qPrintable(run.describe()));

    // Every user, with its properties.
    const QJsonObject stats = inspect(QStringLiteral("/_sandbox/stats"));
    QCOMPARE(stats.value(QLatin1String("users")).toInt(), rows);
    for (int n = 1; n <= rows; ++n) {
        int status = 0;
        const QJsonObject stored = user(QStringLiteral("k-%1").arg(n), &status);
        QVERIFY2(status == 200, qPrintable(QStringLiteral("k-%1 is missing").arg(n)));
        QCOMPARE(stored.value(QLatin1String("email")).toString(), QStringLiteral("k%1@example.com").arg(n));
        const QJsonObject properties = stored.value(QLatin1String("properties")).toObject();
        QCOMPARE(properties.value(QLatin1String("seq")), QJsonValue(n));
        QCOMPARE(properties.value(QLatin1String("plan")).toString(),
                 n % 2 ? QStringLiteral("Pro") : QStringLiteral("Free"));
    }
    // Rows done before the kill were not sent again: only those in flight then may have been.
    const int recovered = recoveredRows(run.err);
    QVERIFY2(stats.value(QLatin1String("requests")).toInt() <= rows + recovered,
             qPrintable(QStringLiteral("%1 requests, %2 rows recovered\n%3")
                            .arg(stats.value(QLatin1String("requests")).toInt())
                            .arg(recovered)
                            .arg(run.describe())));
}

void TestJournyImport::killedEventImportListsPossibleDuplicates()
{
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.latencyMs = 20;
    startServer(config);
    const int rows = 150;
    QByteArray csv = "event,userId,seq,when\n";
    for (int n = 1; n <= rows; ++n)
        csv += QStringLiteral("Imported,ev-%1,%1,2024-05-01T10:00:00Z\n").arg(n).toUtf8();
    const QString file = write(QStringLiteral("events.csv"), csv);
    // Killed early, while the first window's requests are on the wire.
    const qint64 jobId =
        importAndKill({QStringLiteral("--kind"), QStringLiteral("events"), file, QStringLiteral("--map"),
                       QStringLiteral("when=triggeredAt"), QStringLiteral("--rate"), QStringLiteral("50"),
                       QStringLiteral("--rate-window"), QStringLiteral("1")},
                      rows, 10);
    QVERIFY(jobId > 0);

    const CliRun run = importJson({QStringLiteral("--resume"), QStringLiteral("last")});
    COMPARE_EXIT(run, 0);
    CHECK_IMPORT_JSON(run);
    const QJsonObject result = run.json();
    QCOMPARE(result.value(QLatin1String("job")).toInteger(), jobId);
    QCOMPARE(result.value(QLatin1String("done")).toInteger(), rows);
    QSet<qint64> listed;
    for (const QJsonValue &number : result.value(QLatin1String("possiblyDuplicated")).toArray())
        listed.insert(number.toInteger());
    // The rows said to be in flight are exactly the rows listed, and stderr says why.
    const int recovered = recoveredRows(run.err);
    QCOMPARE(listed.size(), recovered);
    if (recovered > 0)
        QVERIFY2(run.errors().contains(QLatin1String("events may be duplicated")),
                 qPrintable(run.describe()));

    // Every row on the server at least once; any row stored twice is listed.
    QHash<qint64, int> copies;
    const QJsonArray stored = events(QStringLiteral("Imported"));
    for (const QJsonValue &event : stored) {
        const QJsonObject object = event.toObject();
        const qint64 seq =
            object.value(QLatin1String("metadata")).toObject().value(QLatin1String("seq")).toInteger();
        QCOMPARE(object.value(QLatin1String("triggeredAt")).toString(),
                 QStringLiteral("2024-05-01T10:00:00Z"));
        QCOMPARE(object.value(QLatin1String("identification"))
                     .toObject()
                     .value(QLatin1String("user"))
                     .toObject()
                     .value(QLatin1String("userId"))
                     .toString(),
                 QStringLiteral("ev-%1").arg(seq));
        ++copies[seq];
    }
    qInfo("%lld events stored for %d rows; %lld listed as possibly duplicated", qint64(stored.size()), rows,
          qint64(listed.size()));
    for (qint64 n = 1; n <= rows; ++n) {
        QVERIFY2(copies.value(n) >= 1, qPrintable(QStringLiteral("row %1 is not on the server").arg(n)));
        QVERIFY2(copies.value(n) == 1 || listed.contains(n),
                 qPrintable(
                     QStringLiteral("row %1 is stored %2 times but not listed").arg(n).arg(copies.value(n))));
    }
    QCOMPARE(copies.size(), rows);
    QVERIFY(stored.size() <= rows + listed.size());
}

Child TestJournyImport::startHeld(const QStringList &arguments, int holdRows)
{
    auto child = std::make_unique<CliChild>();
    const CliChild::Environment environment{
        {QStringLiteral("JOURNY_API_KEY"), fullKey},
        {QStringLiteral("JOURNY_TEST_HOLD_PREPARING"), QString::number(holdRows)}};
    if (!child->start(QStringLiteral(JOURNY_CLI_EXE), importArguments(arguments, false), m_dir->path(),
                      environment))
        return nullptr;
    QElapsedTimer clock;
    clock.start();
    while (!child->err.contains("preparing held") && child->finished()->isEmpty() &&
           clock.elapsed() < 60000) {
        QTest::qWait(10);
        child->read();
    }
    if (!child->err.contains("preparing held")) {
        qWarning("journy did not hold while preparing:\n%s%s", child->out.constData(),
                 child->err.constData());
        return nullptr;
    }
    return child;
}

BulkJournal::Job TestJournyImport::newestJob()
{
    BulkJournal journal;
    QString error;
    if (!journal.open(journalFile(), &error))
        qWarning("cannot read the journal: %s", qPrintable(error));
    const QList<BulkJournal::Job> jobs = journal.jobs();
    return jobs.isEmpty() ? BulkJournal::Job() : jobs.constFirst();
}

bool TestJournyImport::waitForDone(CliChild *child, qint64 jobId, qint64 rows)
{
    BulkJournal journal;
    QString error;
    if (!journal.open(journalFile(), &error))
        return false;
    QElapsedTimer clock;
    clock.start();
    while (journal.counts(jobId).done < rows && child->finished()->isEmpty() && clock.elapsed() < 30000) {
        QTest::qWait(10);
        child->read();
    }
    return child->finished()->isEmpty() && journal.counts(jobId).done >= rows;
}

void TestJournyImport::killedWhilePreparingResumesEveryRow()
{
    startServer(unlimitedSandbox());
    const int rows = 5000;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("pp"), 1, rows));
    Child child = startHeld({QStringLiteral("--kind"), QStringLiteral("users"), file}, 2000);
    QVERIFY(child);
    // Killed with the first 2,000 rows journaled: the job says it holds part of the file.
    child->process()->kill(); // SIGKILL
    QVERIFY(child->finished()->wait(10000));
    const BulkJournal::Job job = newestJob();
    QVERIFY(job.id > 0);
    QCOMPARE(job.prepared, false);
    QCOMPARE(job.finished, false);
    QCOMPARE(job.preparedRows, 2000);
    QCOMPARE(job.fileSize, QFileInfo(file).size());
    QCOMPARE(job.fileSha256.size(), 64);
    QCOMPARE(requestsSoFar(), 0);

    // The resume prepares the other 3,000 rows first, then sends all 5,000, each once.
    const CliRun run = import({QStringLiteral("--resume"), QStringLiteral("last")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(jobOnFirstLine(run.err), job.id);
    QVERIFY2(run.errors().contains(QLatin1String("2000 row(s) journaled); preparing the rest")),
             qPrintable(run.describe()));
    QVERIFY2(
        run.text().contains(QStringLiteral("job %1: %2 of %2 row(s) done, 0 failed").arg(job.id).arg(rows)),
        qPrintable(run.describe()));
    const QJsonObject stats = inspect(QStringLiteral("/_sandbox/stats"));
    QCOMPARE(stats.value(QLatin1String("users")).toInt(), rows);
    QCOMPARE(stats.value(QLatin1String("requests")).toInt(), rows);
    for (int n : {1, 2000, 2001, 4999, 5000})
        QCOMPARE(user(QStringLiteral("pp-%1").arg(n))
                     .value(QLatin1String("properties"))
                     .toObject()
                     .value(QLatin1String("seq")),
                 QJsonValue(n));
}

void TestJournyImport::resumeOfPartlyPreparedJobChecksTheFile()
{
    startServer(unlimitedSandbox());
    const int rows = 4500;
    const QByteArray csv = usersCsv(QStringLiteral("pc"), 1, rows);
    const QString file = write(QStringLiteral("users.csv"), csv);
    Child child = startHeld({QStringLiteral("--kind"), QStringLiteral("users"), file}, 2000);
    QVERIFY(child);
    child->process()->kill();
    QVERIFY(child->finished()->wait(10000));
    const qint64 jobId = newestJob().id;

    // The same size, one row changed after the job was made: it cannot go on from row 2,001.
    QByteArray changed = csv;
    changed.replace("pc-4000,", "pc-4009,");
    QCOMPARE(changed.size(), csv.size());
    write(QStringLiteral("users.csv"), changed);
    CliRun run = import({QStringLiteral("--resume"), QStringLiteral("last")});
    QVERIFY2(run.exitCode != 0 && !run.crashed, qPrintable(run.describe()));
    QVERIFY2(run.errors().contains(QStringLiteral("job %1 cannot be resumed").arg(jobId)) &&
                 run.errors().contains(QLatin1String("other content (SHA-256")),
             qPrintable(run.describe()));
    // Gone: the same.
    QVERIFY(QFile::remove(file));
    run = import({QStringLiteral("--resume"), QStringLiteral("last")});
    QVERIFY2(run.exitCode != 0 &&
                 run.errors().contains(QStringLiteral("job %1 cannot be resumed").arg(jobId)),
             qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 0);
    // The original file, moved elsewhere and named in the command: the job goes on from it.
    const QString moved = write(QStringLiteral("moved.csv"), csv);
    run = import({QStringLiteral("--kind"), QStringLiteral("users"), moved, QStringLiteral("--resume"),
                  QStringLiteral("last")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), rows);
    QCOMPARE(requestsSoFar(), rows);
}

void TestJournyImport::resumeAcceptsTheOriginalCommand()
{
    startServer(unlimitedSandbox());
    const int rows = 4500;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("ro"), 1, rows));
    const QStringList original{QStringLiteral("--kind"), QStringLiteral("users"), file,
                               QStringLiteral("--map"), QStringLiteral("plan=prop.tier")};
    Child child = startHeld(original, 2000);
    QVERIFY(child);
    child->process()->kill();
    QVERIFY(child->finished()->wait(10000));
    const qint64 jobId = newestJob().id;
    const QStringList resumeLast{QStringLiteral("--resume"), QStringLiteral("last")};

    // What differs from the job is named, and nothing is sent.
    struct Refused
    {
        QStringList arguments;
        QString message;
    };
    const QString other = write(QStringLiteral("other.csv"), usersCsv(QStringLiteral("ro"), 1, 10));
    const QList<Refused> refused{
        {{QStringLiteral("--kind"), QStringLiteral("accounts"), file, QStringLiteral("--map"),
          QStringLiteral("plan=prop.tier")},
         QStringLiteral("this command imports --kind accounts, the job --kind users")},
        {{QStringLiteral("--kind"), QStringLiteral("users"), file},
         QStringLiteral("column plan maps to prop.plan here, to prop.tier in the job")},
        {{QStringLiteral("--kind"), QStringLiteral("users"), other, QStringLiteral("--map"),
          QStringLiteral("plan=prop.tier")},
         QStringLiteral("FILE is not the job's file")},
    };
    for (const Refused &entry : refused) {
        const CliRun run = import(entry.arguments + resumeLast);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().contains(QStringLiteral("--resume %1: ").arg(jobId)) &&
                     run.errors().contains(entry.message),
                 qPrintable(run.describe()));
    }
    QCOMPARE(requestsSoFar(), 0);

    // The original command with --resume last appended: the job goes on.
    const CliRun run = import(original + resumeLast);
    COMPARE_EXIT(run, 0);
    QCOMPARE(jobOnFirstLine(run.err), jobId);
    QVERIFY2(run.text().contains(QStringLiteral("job %1: %2 of %2 row(s) done").arg(jobId).arg(rows)),
             qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), rows);
    QCOMPARE(user(QStringLiteral("ro-7"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("tier")),
             QJsonValue(QStringLiteral("Pro")));
}

void TestJournyImport::resumeRefusesAnotherTargetUnlessForced()
{
    startServer(unlimitedSandbox());
    const int rows = 4500;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("rt"), 1, rows));
    Child child = startHeld({QStringLiteral("--kind"), QStringLiteral("users"), file}, 2000);
    QVERIFY(child);
    child->process()->kill();
    QVERIFY(child->finished()->wait(10000));
    const qint64 jobId = newestJob().id;

    SandboxConfig config = unlimitedSandbox();
    config.keys.insert(fullKey, {SandboxConfig::allPermissions(), true});
    ObservedSandbox other(config);
    QVERIFY(other.start());
    const QString otherUrl = other.baseUrl().toString();
    const QStringList resumeElsewhere{QStringLiteral("--base-url"), otherUrl, QStringLiteral("import"),
                                      QStringLiteral("--resume"), QStringLiteral("last")};
    CliRun run = start(resumeElsewhere)->finish(60000);
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("the job sends to %1, this command to %2")
                                       .arg(m_server->baseUrl().toString(), otherUrl)) &&
                 run.errors().contains(QLatin1String("--force-target")),
             qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 0);

    // Said explicitly: the rest of the job goes there, and the job remembers it.
    run = start(resumeElsewhere + QStringList{QStringLiteral("--force-target")})->finish(60000);
    COMPARE_EXIT(run, 0);
    QCOMPARE(jobOnFirstLine(run.err), jobId);
    QCOMPARE(requestsSoFar(), 0);
    QNetworkReply *reply = m_nam.get(QNetworkRequest(QUrl(otherUrl + QStringLiteral("/_sandbox/stats"))));
    QSignalSpy spy(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || spy.wait(5000));
    reply->deleteLater();
    QCOMPARE(QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("users")).toInt(), rows);
    QCOMPARE(newestJob().profile, otherUrl);
}

void TestJournyImport::ctrlCWhilePreparingSaysHowToResume()
{
    startServer(unlimitedSandbox());
    const int rows = 4500;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("ci"), 1, rows));
    Child child = startHeld({QStringLiteral("--kind"), QStringLiteral("users"), file}, 2000);
    QVERIFY(child);
    QCOMPARE(::kill(static_cast<pid_t>(child->process()->processId()), SIGINT), 0);
    const CliRun run = child->finish(30000);
    COMPARE_EXIT(run, 130);
    const qint64 jobId = newestJob().id;
    QVERIFY2(
        run.errors().contains(QStringLiteral("interrupted while preparing the file (2000 row(s) journaled "
                                             "as job %1); resume with: journy import --resume %1")
                                  .arg(jobId)),
        qPrintable(run.describe()));
    QCOMPARE(newestJob().prepared, false);
    QCOMPARE(requestsSoFar(), 0);

    // Exactly the command it gave (the job knows where it goes).
    const CliRun resumed =
        start({QStringLiteral("import"), QStringLiteral("--resume"), QString::number(jobId)})->finish(60000);
    COMPARE_EXIT(resumed, 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), rows);
    QCOMPARE(requestsSoFar(), rows);
}

void TestJournyImport::ctrlCWhileSendingStopsCleanly()
{
    // Each answer takes 300 ms: requests are on the wire when Ctrl+C comes.
    SandboxConfig config = SandboxConfig::defaults();
    config.faults.latencyMs = 300;
    startServer(config);
    const int rows = 200;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("cs"), 1, rows));
    Child child = start(importArguments({QStringLiteral("--kind"), QStringLiteral("users"), file}, false));
    QTRY_VERIFY_WITH_TIMEOUT((child->read(), jobOnFirstLine(child->err) > 0), 30000);
    const qint64 jobId = jobOnFirstLine(child->err);
    QVERIFY(waitForDone(child.get(), jobId, 8));
    QCOMPARE(::kill(static_cast<pid_t>(child->process()->processId()), SIGINT), 0);
    const CliRun run = child->finish(30000);
    COMPARE_EXIT(run, 130);
    QVERIFY2(run.text().contains(
                 QStringLiteral("interrupted (resume with: journy import --resume %1)").arg(jobId)),
             qPrintable(run.describe()));
    // Clean: the requests on the wire were answered and journaled, none is left in flight.
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(journalFile(), &error), qPrintable(error));
    const BulkJournal::Counts counts = journal.counts(jobId);
    QCOMPARE(counts.inFlight, 0);
    QVERIFY(counts.pending > 0);
    QCOMPARE(requestsSoFar(), counts.done);

    const CliRun resumed = import({QStringLiteral("--resume"), QString::number(jobId)});
    COMPARE_EXIT(resumed, 0);
    QCOMPARE(recoveredRows(resumed.err), 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), rows);
    QCOMPARE(requestsSoFar(), rows);
}

void TestJournyImport::ctrlCWhileWaitingForThePacerStopsAtOnce()
{
    const int rows = 5;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("cw"), 1, rows));
    // 2 requests a minute, evenly spread: after the first the import waits 30 s for the next.
    Child child = start(importArguments({QStringLiteral("--kind"), QStringLiteral("users"), file,
                                         QStringLiteral("--rate"), QStringLiteral("2")},
                                        false));
    QTRY_VERIFY_WITH_TIMEOUT((child->read(), jobOnFirstLine(child->err) > 0), 30000);
    const qint64 jobId = jobOnFirstLine(child->err);
    QVERIFY(waitForDone(child.get(), jobId, 1));
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(static_cast<pid_t>(child->process()->processId()), SIGINT), 0);
    const CliRun run = child->finish(55000);
    COMPARE_EXIT(run, 130);
    // Not when the pacer's wait is over.
    QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
    QVERIFY2(
        run.text().contains(QStringLiteral("job %1: 1 of 5 row(s) done, 0 failed, interrupted (resume with: "
                                           "journy import --resume %1)")
                                .arg(jobId)),
        qPrintable(run.describe()));
    QCOMPARE(requestsSoFar(), 1);

    // With --json: the result object on stdout, how to resume on stderr.
    Child again = start(importArguments(
        {QStringLiteral("--resume"), QString::number(jobId), QStringLiteral("--rate"), QStringLiteral("2")},
        true));
    QVERIFY(waitForDone(again.get(), jobId, 2));
    QCOMPARE(::kill(static_cast<pid_t>(again->process()->processId()), SIGINT), 0);
    const CliRun json = again->finish(55000);
    COMPARE_EXIT(json, 130);
    CHECK_IMPORT_JSON(json);
    QCOMPARE(json.json().value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(json.json().value(QLatin1String("pending")).toInt(), 3);
    QVERIFY2(
        json.errors().contains(
            QStringLiteral("journy: job %1 interrupted; resume with: journy import --resume %1").arg(jobId)),
        qPrintable(json.describe()));
}

void TestJournyImport::finishedJobKeepsItsSummaryAndFailedRowsOnly()
{
    startServer(unlimitedSandbox());
    // 3,000 rows with 1 KB of cells each (3 MB journaled), two of them invalid.
    const int rows = 3000;
    const QByteArray note(1000, 'n');
    QByteArray csv = "userId,email,note\n";
    for (int n = 1; n <= rows; ++n)
        csv += QStringLiteral("sh-%1,%2,%3\n")
                   .arg(n)
                   .arg(n == 5 || n == 2500 ? QStringLiteral("not-an-email")
                                            : QStringLiteral("sh%1@example.com").arg(n))
                   .arg(QString::fromLatin1(note))
                   .toUtf8();
    const QString file = write(QStringLiteral("users.csv"), csv);
    const QString failed = m_dir->filePath(QStringLiteral("failed.csv"));
    const CliRun run = import(
        {QStringLiteral("--kind"), QStringLiteral("users"), file, QStringLiteral("--failed-out"), failed});
    COMPARE_EXIT(run, 3);
    const qint64 jobId = jobOnFirstLine(run.err);
    QVERIFY2(run.text().contains(QStringLiteral("job %1: 2998 of 3000 row(s) done, 2 failed").arg(jobId)),
             qPrintable(run.describe()));

    // The journal (with its WAL) is a fraction of the 3 MB of cells it held: only the summary and
    // the two failed rows are left.
    qint64 bytes = 0;
    for (const QString &suffix : {QString(), QStringLiteral("-wal")})
        bytes += QFileInfo(journalFile() + suffix).size();
    qInfo("journal after the job: %lld bytes for %lld bytes of input", bytes, qint64(csv.size()));
    QVERIFY2(bytes < csv.size() / 10,
             qPrintable(QString::number(bytes) + QLatin1Char('\n') + run.describe()));
    // Private to its owner, like every file beside it.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        if (QFile::exists(journalFile() + suffix))
            QCOMPARE(QFile::permissions(journalFile() + suffix) & 0x0077, QFileDevice::Permissions());
    }

    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(journalFile(), &error), qPrintable(error));
    const BulkJournal::Counts counts = journal.counts(jobId);
    QCOMPARE(counts.done, 2998);
    QCOMPARE(counts.failed, 2);
    QCOMPARE(counts.total(), rows);
    const QList<BulkJournal::Row> failedRows = journal.failedRows(jobId);
    QCOMPARE(failedRows.size(), 2);
    QCOMPARE(failedRows.at(1).number, 2500);
    QCOMPARE(failedRows.at(1).values.value(0), QStringLiteral("sh-2500"));
    QVERIFY(journal.job(jobId).finished);
}

void TestJournyImport::listAndPruneJobs()
{
    startServer(unlimitedSandbox());
    // One finished job, one stopped while it was prepared.
    const QString small = write(QStringLiteral("small.csv"), usersCsv(QStringLiteral("lp"), 1, 3));
    COMPARE_EXIT(import({QStringLiteral("--kind"), QStringLiteral("users"), small}), 0);
    QByteArray accounts = "accountId,plan\n";
    for (int n = 1; n <= 4500; ++n)
        accounts += QStringLiteral("acc-%1,Pro\n").arg(n).toUtf8();
    const QString big = write(QStringLiteral("big.csv"), accounts);
    Child child = startHeld({QStringLiteral("--kind"), QStringLiteral("accounts"), big}, 2000);
    QVERIFY(child);
    child->process()->kill();
    QVERIFY(child->finished()->wait(10000));

    const QString url = m_server->baseUrl().toString();
    CliRun run = import({QStringLiteral("--list")});
    COMPARE_EXIT(run, 0);
    QStringList lines = run.text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    const QString today = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-dd"));
    QVERIFY2(
        lines.at(0).startsWith(QLatin1String("job 2\tstopped-preparing\taccounts\t2000 row(s): 0 done, 0 "
                                             "failed, 2000 left\t") +
                               today) &&
            lines.at(0).endsWith(QLatin1Char('\t') + url + QLatin1Char('\t') +
                                 QFileInfo(big).absoluteFilePath()),
        qPrintable(run.describe()));
    QVERIFY2(
        lines.at(1).startsWith(QLatin1String("job 1\tfinished\tusers\t3 row(s): 3 done, 0 failed, 0 left\t")),
        qPrintable(run.describe()));
    run = importJson({QStringLiteral("--list")});
    COMPARE_EXIT(run, 0);
    const QJsonArray jobs = run.json().value(QLatin1String("jobs")).toArray();
    QCOMPARE(jobs.size(), 2);
    QCOMPARE(jobs.at(1).toObject().value(QLatin1String("state")).toString(), QStringLiteral("finished"));
    QCOMPARE(jobs.at(1).toObject().value(QLatin1String("done")).toInt(), 3);
    QCOMPARE(jobs.at(1).toObject().value(QLatin1String("target")).toString(), url);

    // --older-than: today's jobs are younger than a day; then every finished job goes.
    run = import({QStringLiteral("--prune"), QStringLiteral("--older-than"), QStringLiteral("1")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("pruned 0 finished job(s); 1 unfinished job(s) kept")),
             qPrintable(run.describe()));
    run = import({QStringLiteral("--prune")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("pruned 1 finished job(s); 1 unfinished job(s) kept")),
             qPrintable(run.describe()));
    run = import({QStringLiteral("--list")});
    lines = run.text().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("job 2\tstopped-preparing")), qPrintable(run.describe()));
    BulkJournal journal;
    QString error;
    QVERIFY2(journal.open(journalFile(), &error), qPrintable(error));
    QCOMPARE(journal.job(1).id, 0);
    QCOMPARE(journal.counts(1).total(), 0);
    QCOMPARE(journal.counts(2).total(), 2000);
    // The unfinished job is still whole: it resumes.
    COMPARE_EXIT(import({QStringLiteral("--resume"), QStringLiteral("last")}), 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("accounts")).toInt(), 4500);
}

void TestJournyImport::inFlightCountIsTheRequestsOnTheWire()
{
    // The first request is answered (the importer learns the limit), then none: 3 requests go out
    // and wait.
    startServer(unlimitedSandbox());
    m_server->answerOnlyFirst = 1;
    const int rows = 2000;
    const QString file = write(QStringLiteral("users.csv"), usersCsv(QStringLiteral("wf"), 1, rows));
    Child child = start(importArguments({QStringLiteral("--kind"), QStringLiteral("users"), file,
                                         QStringLiteral("--concurrency"), QStringLiteral("3")},
                                        false));
    QTRY_VERIFY_WITH_TIMEOUT(m_server->apiRequests >= 4, 30000);
    QTest::qWait(300);
    QCOMPARE(m_server->apiRequests, 4); // no fifth: every slot is held
    child->process()->kill();           // SIGKILL
    QVERIFY(child->finished()->wait(10000));
    const qint64 jobId = newestJob().id;
    {
        // Rows were taken ahead of sending: many more than 3 are in flight in the journal.
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(journalFile(), &error), qPrintable(error));
        qInfo("in flight in the journal after the kill: %lld", journal.counts(jobId).inFlight);
        QVERIFY(journal.counts(jobId).inFlight > 3);
    }

    // Resumed against a sandbox that answers: exactly the 3 requests on the wire were in flight.
    startServer(unlimitedSandbox());
    const CliRun run =
        import({QStringLiteral("--resume"), QStringLiteral("last"), QStringLiteral("--force-target")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(recoveredRows(run.err), 3);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), rows - 1);
    QCOMPARE(requestsSoFar(), rows - 1); // the first row was done before
}

QTEST_MAIN(TestJournyImport)
#include "tst_JournyImport.moc"

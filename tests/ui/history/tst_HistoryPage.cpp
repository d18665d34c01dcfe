// The History page as a user drives it, on the offscreen platform: a real ConsoleSession on the
// built-in Sandbox profile (an in-process sandbox on a temporary data file), a real SQLite
// history, and the widgets found by their object names. The model is checked by
// QAbstractItemModelTester and filtered at 100,000 rows with counts worked out by hand. Notes
// on requests: typed on a form, sent over real HTTP to a scripted server that records every byte
// (none of them the note), then found, shown, edited, exported and in "Copy as curl".

#include "sandbox/SandboxConfig.h"
#include "store/HistoryStore.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "support/ScriptedHttpServer.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/OperationPage.h"
#include "ui/history/HistoryModel.h"
#include "ui/history/HistoryPage.h"
#include "ui/session/ConsoleSession.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QFont>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>

namespace {

const QStringList syntheticProfiles{QStringLiteral("Sandbox"), QStringLiteral("Production"),
                                    QStringLiteral("Staging"), QStringLiteral("EU")};
const QStringList syntheticOperations{QStringLiteral("upsertUser"), QStringLiteral("trackEvent"),
                                      QStringLiteral("upsertAccount"), QStringLiteral("link"),
                                      QStringLiteral("getValidity")};

// Entry i of a synthetic history whose filter counts can be worked out by hand: profile i % 4,
// operation i % 5, status by i % 10 (0-5: 201, 6: 400, 7: 429, 8: 500, 9: timeout without a
// status), user "user-(i % 1000)", requestId "req-" and i in six digits.
HistoryEntry synthetic(int i)
{
    static const int statuses[10] = {201, 201, 201, 201, 201, 201, 400, 429, 500, 0};
    HistoryEntry entry;
    entry.id = i + 1;
    entry.time = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC).addSecs(i);
    entry.profile = syntheticProfiles.at(i % 4);
    entry.operation = syntheticOperations.at(i % 5);
    entry.identification = QStringLiteral("userId user-%1").arg(i % 1000);
    entry.httpStatus = statuses[i % 10];
    entry.failure = entry.httpStatus == 0 ? QStringLiteral("timeout") : QString();
    entry.requestId = QStringLiteral("req-%1").arg(i, 6, 10, QLatin1Char('0'));
    entry.latencyMs = i % 250;
    entry.method = QStringLiteral("POST");
    return entry;
}

QList<HistoryEntry> syntheticHistory(int count)
{
    QList<HistoryEntry> entries;
    entries.reserve(count);
    for (int i = 0; i < count; ++i)
        entries << synthetic(i);
    return entries;
}

ApiResult upsertResult(const QByteArray &body, int status = 201)
{
    ApiResult result;
    result.operation = Operation::UpsertUser;
    result.requestMethod = "POST";
    result.requestUrl = QStringLiteral("https://api.journy.io/users/upsert");
    result.requestBody = body;
    result.httpStatus = status;
    result.requestId = QStringLiteral("req-upsert-%1").arg(status);
    result.message = QStringLiteral("User will be created or updated");
    result.latencyMs = 87;
    result.responseHeaders = {{"Content-Type", "application/json"}};
    result.responseBody =
        R"({"message":"User will be created or updated","meta":{"requestId":"r1","status":201}})";
    return result;
}

ApiResult snippetResult(const QString &domain)
{
    ApiResult result;
    result.operation = Operation::TrackingSnippet;
    result.requestMethod = "GET";
    result.requestUrl = QStringLiteral("https://api.journy.io/tracking/snippet?domain=") + domain;
    result.httpStatus = 404;
    result.requestId = QStringLiteral("req-snippet");
    result.message = QStringLiteral("No website found");
    result.latencyMs = 12;
    result.responseBody = "<html>not json, a proxy's page</html>";
    return result;
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
QList<QStringList> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record << field;
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n')) {
            record << field;
            records << record;
            record.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    return records;
}

// The arguments a POSIX shell passes to curl when it runs command, with JOURNY_API_KEY set to
// sk_from_env and HOME to /home/nobody (curl is a shell function that prints them); empty when the
// shell fails.
QList<QByteArray> curlArgumentsInAShell(const QString &command)
{
    QProcess shell;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("JOURNY_API_KEY"), QStringLiteral("sk_from_env"));
    environment.insert(QStringLiteral("HOME"), QStringLiteral("/home/nobody"));
    shell.setProcessEnvironment(environment);
    shell.start(QStringLiteral("/bin/sh"),
                {QStringLiteral("-c"),
                 QStringLiteral("curl() { for a; do printf '%s\\0' \"$a\"; done; }\n") + command});
    if (!shell.waitForFinished(10000) || shell.exitStatus() != QProcess::NormalExit || shell.exitCode() != 0)
        return {};
    QList<QByteArray> arguments = shell.readAllStandardOutput().split('\0');
    if (arguments.takeLast() != QByteArray())
        return {};
    return arguments;
}

const QString ticket = QStringLiteral("SUP-1234 customer escalation");

QJsonObject meta(int status, const QString &requestId)
{
    return {{QLatin1String("status"), status}, {QLatin1String("requestId"), requestId}};
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestHistoryPage : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void modelPassesTheTester();
    void modelShowsColumns();
    void filters100000Rows();
    void liveAppendsUnderAFilter();
    void recordsEveryRequestOfTheSession();
    void loadsAfterTheEventLoopStarts();
    void detailShowsPrettyBodies();
    void keepsSelectionOverFilterChanges();
    void curlCommandIsExactAndShellSafe();
    void copyAsCurlFromTheTable();
    void exportsJsonAndCsv();
    void openInFormEmitsTheRequest();
    // Notes on requests: typed on a form, kept in History, searched, edited, exported, in curl.
    void noteTypedOnTheFormIsKeptInHistoryAndNeverSent();
    void curlCommentCannotBreakOut();
    void noteIsEditedAfterwards();
    void modelHidesBackgroundCallsUntilAsked();
    void pageFiltersBackgroundCalls();
    void detailListsTheLintFindings();

private:
    // A page on the fixture's session and store, shown, with its stored history loaded.
    std::unique_ptr<HistoryPage> makePage();
    void selectRow(HistoryPage *page, int row);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MemorySecretStore> m_secrets;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<ConsoleSession> m_session;
    std::unique_ptr<HistoryStore> m_store;
};

void TestHistoryPage::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_secrets = std::make_unique<MemorySecretStore>();
    m_profiles = std::make_unique<ProfileStore>(m_dir->filePath(QStringLiteral("profiles.ini")));
    m_session = std::make_unique<ConsoleSession>(m_secrets.get(), m_profiles.get(),
                                                 m_dir->filePath(QStringLiteral("sandbox.sqlite")));
    m_store = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_store->open(m_dir->filePath(QStringLiteral("history.sqlite")), &error), qPrintable(error));
}

void TestHistoryPage::cleanup()
{
    m_store.reset();
    m_session.reset();
    m_profiles.reset();
    m_secrets.reset();
    m_dir.reset();
}

std::unique_ptr<HistoryPage> TestHistoryPage::makePage()
{
    auto page = std::make_unique<HistoryPage>(m_session.get(), m_store.get());
    page->resize(1000, 700);
    page->show();
    if (!page->isLoaded()) {
        QSignalSpy loaded(page.get(), &HistoryPage::loaded);
        loaded.wait(10000);
    }
    return page;
}

void TestHistoryPage::selectRow(HistoryPage *page, int row)
{
    auto *table = page->findChild<QTableView *>(QStringLiteral("historyTableView"));
    table->setFocus();
    table->setCurrentIndex(table->model()->index(row, 0));
}

void TestHistoryPage::modelPassesTheTester()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEntries(syntheticHistory(300));
    QCOMPARE(model.rowCount(), 300);
    model.setSearchText(QStringLiteral("user-7"));
    QCOMPARE(model.rowCount(), 11); // user-7 and user-70..79
    model.setStatusClass(HistoryModel::StatusClass::ClientError);
    model.setOperationFilter(QStringLiteral("trackEvent"));
    model.setProfileFilter(QStringLiteral("Staging"));
    model.appendEntry(synthetic(306)); // Staging, trackEvent, 400, but user-306: filtered out
    model.setOperationFilter(QStringLiteral("noSuchOperation"));
    QCOMPARE(model.rowCount(), 0);
    model.appendEntry(synthetic(301));
    model.setOperationFilter(QString());
    model.setProfileFilter(QString());
    model.setStatusClass(HistoryModel::StatusClass::All);
    model.setSearchText(QString());
    QCOMPARE(model.rowCount(), 302);
    model.appendEntries(syntheticHistory(5));
    QCOMPARE(model.rowCount(), 307);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestHistoryPage::modelShowsColumns()
{
    HistoryModel model;
    HistoryEntry entry = synthetic(7);
    entry.time = QDateTime(QDate(2024, 5, 1), QTime(10, 0, 5), Qt::UTC);
    entry.latencyMs = 87;
    model.appendEntry(entry);
    HistoryEntry failed = synthetic(9);
    failed.latencyMs = -1;
    model.appendEntry(failed);

    const QStringList headers{QStringLiteral("Time"),      QStringLiteral("Profile"),
                              QStringLiteral("Operation"), QStringLiteral("Identification"),
                              QStringLiteral("Status"),    QStringLiteral("requestId"),
                              QStringLiteral("Latency")};
    for (int column = 0; column < headers.size(); ++column)
        QCOMPARE(model.headerData(column, Qt::Horizontal).toString(), headers.at(column));

    // Newest first: the failed request is row 0.
    auto text = [&model](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(text(1, HistoryModel::TimeColumn),
             entry.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    QCOMPARE(text(1, HistoryModel::ProfileColumn), QStringLiteral("EU"));
    QCOMPARE(text(1, HistoryModel::OperationColumn), QStringLiteral("upsertAccount"));
    QCOMPARE(text(1, HistoryModel::IdentificationColumn), QStringLiteral("userId user-7"));
    QCOMPARE(text(1, HistoryModel::StatusColumn), QStringLiteral("429"));
    QCOMPARE(text(1, HistoryModel::RequestIdColumn), QStringLiteral("req-000007"));
    QCOMPARE(text(1, HistoryModel::LatencyColumn), QStringLiteral("87 ms"));
    QCOMPARE(text(0, HistoryModel::StatusColumn), QStringLiteral("timeout"));
    QCOMPARE(text(0, HistoryModel::LatencyColumn), QString());
    QCOMPARE(model.index(0, 0).data(HistoryModel::EntryIdRole).toLongLong(), 10);
    QCOMPARE(model.entryAt(1).requestId, QStringLiteral("req-000007"));
    QCOMPARE(HistoryModel::statusText(200, QStringLiteral("non-json-body")),
             QStringLiteral("200 non-json-body"));
    QCOMPARE(model.profiles(), (QStringList{QStringLiteral("EU"), QStringLiteral("Production")}));
    QCOMPARE(model.operations(),
             (QStringList{QStringLiteral("getValidity"), QStringLiteral("upsertAccount")}));
}

void TestHistoryPage::filters100000Rows()
{
    // Through the page's widgets, as a user filters, with the table attached.
    auto page = makePage();
    HistoryModel *model = page->model();
    QElapsedTimer clock;
    clock.start();
    model->setEntries(syntheticHistory(100000));
    qInfo("filled 100,000 rows in %lld ms", clock.elapsed());
    QCOMPARE(model->rowCount(), 100000);

    auto *search = page->findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
    auto *status = page->findChild<QComboBox *>(QStringLiteral("statusComboBox"));
    auto *operation = page->findChild<QComboBox *>(QStringLiteral("operationComboBox"));
    auto *profile = page->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    auto *count = page->findChild<QLabel *>(QStringLiteral("countLabel"));
    QVERIFY(search && status && operation && profile && count);
    QCOMPARE(count->text(), QStringLiteral("100000 request(s)"));

    auto setCombo = [](QComboBox *combo, const QVariant &data) {
        const int index = combo->findData(data);
        QVERIFY2(index >= 0, qPrintable(data.toString()));
        combo->setCurrentIndex(index);
    };
    auto filtered = [&](const QString &text, HistoryModel::StatusClass statusClass,
                        const QString &operationId, const QString &profileName) {
        clock.restart();
        search->setText(text);
        setCombo(status, int(statusClass));
        setCombo(operation, operationId);
        setCombo(profile, profileName);
        qInfo("%-40s %6d rows in %lld ms",
              qPrintable(QStringLiteral("[%1|%2|%3|%4]")
                             .arg(text)
                             .arg(int(statusClass))
                             .arg(operationId, profileName)),
              model->rowCount(), clock.elapsed());
        return model->rowCount();
    };
    using S = HistoryModel::StatusClass;
    const QString all;

    // "user-7" is in user-7, user-70..79 and user-700..799: 111 of 1,000 users, 100 rows each.
    QCOMPARE(filtered(QStringLiteral("user-7"), S::All, all, all), 11100);
    QCOMPARE(filtered(QStringLiteral("USER-7"), S::All, all, all), 11100);
    QCOMPARE(count->text(), QStringLiteral("11100 of 100000 request(s)"));
    QCOMPARE(filtered(QStringLiteral("req-012345"), S::All, all, all), 1);
    QCOMPARE(filtered(QStringLiteral("timeout"), S::All, all, all), 10000);       // the status text
    QCOMPARE(filtered(QStringLiteral("upsert"), S::All, all, all), 40000);        // two operations
    QCOMPARE(filtered(QStringLiteral("staging"), S::All, all, all), 25000);       // a profile
    QCOMPARE(filtered(QStringLiteral("user-7 staging"), S::All, all, all), 2800); // both words
    QCOMPARE(filtered(QStringLiteral("no-such-thing"), S::All, all, all), 0);
    QCOMPARE(filtered(all, S::Success, all, all), 60000);
    QCOMPARE(filtered(all, S::ClientError, all, all), 20000);
    QCOMPARE(filtered(all, S::ServerError, all, all), 10000);
    QCOMPARE(filtered(all, S::NoStatus, all, all), 10000);
    QCOMPARE(filtered(all, S::All, QStringLiteral("trackEvent"), all), 20000);
    QCOMPARE(filtered(all, S::All, all, QStringLiteral("Staging")), 25000);
    // Production (i % 4 == 1) and trackEvent (i % 5 == 1): i % 20 == 1, all of them 201.
    QCOMPARE(filtered(all, S::All, QStringLiteral("trackEvent"), QStringLiteral("Production")), 5000);
    QCOMPARE(filtered(all, S::Success, QStringLiteral("trackEvent"), QStringLiteral("Production")), 5000);
    QCOMPARE(filtered(all, S::ClientError, QStringLiteral("trackEvent"), QStringLiteral("Production")), 0);
    // ...and a "user-7" user: i % 1000 in 701, 721, 741, 761, 781.
    QCOMPARE(filtered(QStringLiteral("user-7"), S::Success, QStringLiteral("trackEvent"),
                      QStringLiteral("Production")),
             500);
    QCOMPARE(filtered(all, S::All, all, all), 100000);

    // The same counts by brute force over the same entries.
    const QList<HistoryEntry> entries = syntheticHistory(100000);
    const qsizetype brute = std::count_if(entries.begin(), entries.end(), [](const HistoryEntry &entry) {
        return entry.identification.contains(QLatin1String("user-7")) &&
               entry.profile == QLatin1String("Staging");
    });
    QCOMPARE(brute, 2800);

    // Row 0 is the newest entry; the rows run newest to oldest.
    QCOMPARE(model->entryAt(0).id, 100000);
    QCOMPARE(model->entryAt(99999).id, 1);
}

void TestHistoryPage::liveAppendsUnderAFilter()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEntries(syntheticHistory(1000));
    model.setOperationFilter(QStringLiteral("trackEvent"));
    QCOMPARE(model.rowCount(), 200);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy distinct(&model, &HistoryModel::distinctValuesChanged);

    model.appendEntry(synthetic(1000)); // upsertUser: stored, not shown
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.entryCount(), 1001);
    QCOMPARE(model.rowCount(), 200);

    model.appendEntry(synthetic(1001)); // trackEvent: the new row 0
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 0);
    QCOMPARE(model.rowCount(), 201);
    QCOMPARE(model.entryAt(0).id, 1002);

    // A chunk: only the matching ones, newest first.
    model.appendEntries({synthetic(1005), synthetic(1006), synthetic(1011)});
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1); // rows 0..1
    QCOMPARE(model.entryAt(0).id, 1012);
    QCOMPARE(model.entryAt(1).id, 1007);
    QCOMPARE(distinct.count(), 0);

    // A filter on a profile no entry has yet starts matching when the profile appears.
    model.setOperationFilter(QString());
    model.setProfileFilter(QStringLiteral("Brand new"));
    QCOMPARE(model.rowCount(), 0);
    HistoryEntry fresh = synthetic(1020);
    fresh.profile = QStringLiteral("Brand new");
    model.appendEntry(fresh);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(distinct.count(), 1);
    QVERIFY(model.profiles().contains(QStringLiteral("Brand new")));
}

void TestHistoryPage::recordsEveryRequestOfTheSession()
{
    auto page = makePage();
    HistoryModel *model = page->model();
    m_session->activate(Profile::embeddedSandboxName());
    QTRY_COMPARE(m_session->state(), ConsoleSession::State::Ready);
    // The session checks the key on connecting: that request is history too, a background one,
    // hidden until asked for.
    QTRY_COMPARE(model->entryCount(), 1);
    QCOMPARE(model->rowCount(), 0);
    QCOMPARE(m_store->all().at(0).operation, QStringLiteral("getValidity"));
    QCOMPARE(m_store->all().at(0).profile, QStringLiteral("Sandbox"));
    QCOMPARE(m_store->all().at(0).httpStatus, 200);
    QVERIFY(m_store->all().at(0).background);

    auto send = [this](const ApiRequest &request) { QVERIFY(m_session->send(request)); };
    send(ApiRequest::raw(Operation::UpsertUser,
                         QJsonDocument::fromJson(R"({"identification":{"userId":"hist-u1"}})").object()));
    QTRY_COMPARE(model->entryCount(), 2);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->entryAt(0).operation, QStringLiteral("upsertUser"));
    QCOMPARE(model->entryAt(0).identification, QStringLiteral("userId hist-u1"));
    QCOMPARE(model->entryAt(0).httpStatus, 201);
    QVERIFY(!model->entryAt(0).requestId.isEmpty());
    QVERIFY(model->entryAt(0).latencyMs >= 0);
    QCOMPARE(m_store->count(), 2);

    // With the 4xx filter on, a 201 is recorded but not shown; a 404 shows as the new row 0.
    auto *status = page->findChild<QComboBox *>(QStringLiteral("statusComboBox"));
    status->setCurrentIndex(status->findData(int(HistoryModel::StatusClass::ClientError)));
    QCOMPARE(model->rowCount(), 0);
    send(ApiRequest::raw(Operation::UpsertUser,
                         QJsonDocument::fromJson(R"({"identification":{"userId":"hist-u2"}})").object()));
    QTRY_COMPARE(model->entryCount(), 3);
    QCOMPARE(model->rowCount(), 0);
    send(ApiRequest::trackingSnippet(QStringLiteral("nowhere.example")));
    QTRY_COMPARE(model->entryCount(), 4);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->entryAt(0).operation, QStringLiteral("getTrackingSnippet"));
    QCOMPARE(model->entryAt(0).identification, QStringLiteral("domain nowhere.example"));
    QCOMPARE(model->entryAt(0).httpStatus, 404);
    QCOMPARE(page->findChild<QLabel *>(QStringLiteral("countLabel"))->text(),
             QStringLiteral("1 of 4 request(s)"));
    // The profile combo offers the profile now in the history.
    auto *profile = page->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QVERIFY(profile->findData(QStringLiteral("Sandbox")) > 0);

    // All four are in the file, bodies included.
    const QList<HistoryEntry> stored = m_store->all();
    QCOMPARE(stored.size(), 4);
    QCOMPARE(stored.at(1).requestBody, QByteArray(R"({"identification":{"userId":"hist-u1"}})"));
    QVERIFY(stored.at(1).responseBody.contains("\"status\":201"));
}

void TestHistoryPage::loadsAfterTheEventLoopStarts()
{
    const int stored = 12000; // three chunks
    for (int i = 0; i < stored; ++i)
        m_store->append(synthetic(i));

    HistoryPage page(m_session.get(), m_store.get());
    QSignalSpy loaded(&page, &HistoryPage::loaded);
    // Nothing is read in the constructor: the window can paint first.
    QCOMPARE(page.model()->entryCount(), 0);
    QVERIFY(!page.isLoaded());
    // A request finishing while the history loads lands once, as the newest row.
    page.record(QStringLiteral("Production"), upsertResult(R"({"identification":{"userId":"during-load"}})"));
    QCOMPARE(page.model()->entryCount(), 0);
    page.show();

    QVERIFY(loaded.wait(20000));
    QVERIFY(page.isLoaded());
    HistoryModel *model = page.model();
    QCOMPARE(model->entryCount(), stored + 1);
    QCOMPARE(model->entryAt(0).identification, QStringLiteral("userId during-load"));
    for (int row = 1; row < model->rowCount(); ++row)
        QVERIFY(model->entryAt(row - 1).id > model->entryAt(row).id);
    // Summaries in memory; the bodies stay in the file until a row is shown.
    QVERIFY(model->entryAt(0).requestBody.isEmpty());
    QCOMPARE(page.fullEntry(model->entryAt(0)).requestBody,
             QByteArray(R"({"identification":{"userId":"during-load"}})"));

    // After loading, requests go straight to the model.
    page.record(QStringLiteral("Production"), upsertResult(R"({"identification":{"userId":"after-load"}})"));
    QCOMPARE(model->entryCount(), stored + 2);
    QCOMPARE(model->entryAt(0).identification, QStringLiteral("userId after-load"));
    QCOMPARE(m_store->count(), stored + 2);
}

void TestHistoryPage::detailShowsPrettyBodies()
{
    auto page = makePage();
    const QByteArray body = R"({"identification":{"userId":"u-1"},"properties":{"plan":"Pro"}})";
    page->record(QStringLiteral("Production"), upsertResult(body));
    page->record(QStringLiteral("Production"), snippetResult(QStringLiteral("acme.com")));

    auto *request = page->findChild<QPlainTextEdit *>(QStringLiteral("requestPlainTextEdit"));
    auto *response = page->findChild<QPlainTextEdit *>(QStringLiteral("responsePlainTextEdit"));
    auto *headers = page->findChild<QPlainTextEdit *>(QStringLiteral("headersPlainTextEdit"));
    auto *summary = page->findChild<QLabel *>(QStringLiteral("summaryLabel"));
    QVERIFY(request && response && headers && summary);
    QCOMPARE(summary->text(), QStringLiteral("Select a request to see its bodies."));

    selectRow(page.get(), 1);
    QCOMPARE(request->toPlainText(),
             QString::fromUtf8(QJsonDocument::fromJson(body).toJson(QJsonDocument::Indented)));
    QVERIFY(request->toPlainText().contains(QLatin1String("\n    \"identification\": {\n")));
    QCOMPARE(response->toPlainText(),
             QString::fromUtf8(QJsonDocument::fromJson(upsertResult(body).responseBody).toJson()));
    QCOMPARE(headers->toPlainText(), QStringLiteral("Content-Type: application/json\n"));
    QCOMPARE(summary->text(),
             QStringLiteral("POST https://api.journy.io/users/upsert — HTTP 201: User will be "
                            "created or updated — requestId req-upsert-201 — 87 ms"));

    selectRow(page.get(), 0); // a GET without a body, answered with something not JSON
    QCOMPARE(request->toPlainText(), QStringLiteral("(no body)"));
    QCOMPARE(response->toPlainText(), QStringLiteral("<html>not json, a proxy's page</html>"));
}

void TestHistoryPage::detailListsTheLintFindings()
{
    auto page = makePage();
    // What a customer's integration on the Node SDK 3.1.0 sends: an email as userId, numbers as text.
    const QByteArray sdk =
        R"({"identification":{"userId":"ann@acme.com"},"properties":{"mrr":"399","seats":3}})";
    page->record(QStringLiteral("Production"), upsertResult(sdk));
    page->record(QStringLiteral("Production"),
                 upsertResult(R"({"identification":{"userId":"u-1"},"properties":{"plan":"Pro"}})"));
    auto *lint = page->findChild<QListWidget *>(QStringLiteral("lintListWidget"));
    auto *tabs = page->findChild<QTabWidget *>(QStringLiteral("requestTabWidget"));
    QVERIFY(lint && tabs);

    selectRow(page.get(), 1); // the SDK's request
    QCOMPARE(tabs->tabText(tabs->indexOf(lint)), QStringLiteral("Lint (2)"));
    QCOMPARE(lint->count(), 2);
    QCOMPARE(lint->item(0)->data(Qt::UserRole).toString(), QStringLiteral("email-as-user-id"));
    QVERIFY2(lint->item(0)->text().startsWith(
                 QStringLiteral("warning · email-as-user-id · identification.userId: ")),
             qPrintable(lint->item(0)->text()));
    QVERIFY(lint->item(0)->text().contains(QStringLiteral("ann@acme.com")));
    QCOMPARE(lint->item(1)->data(Qt::UserRole).toString(), QStringLiteral("string-number"));
    QVERIFY2(lint->item(1)->text().contains(QStringLiteral("properties.mrr: ")),
             qPrintable(lint->item(1)->text()));

    selectRow(page.get(), 0); // a clean request
    QCOMPARE(lint->count(), 0);
    QCOMPARE(tabs->tabText(tabs->indexOf(lint)), QStringLiteral("Lint"));
}

void TestHistoryPage::keepsSelectionOverFilterChanges()
{
    auto page = makePage();
    for (int i = 0; i < 50; ++i)
        page->record(syntheticProfiles.at(i % 4),
                     upsertResult(QStringLiteral(R"({"identification":{"userId":"u-%1"}})").arg(i).toUtf8()));
    auto *table = page->findChild<QTableView *>(QStringLiteral("historyTableView"));
    selectRow(page.get(), 10); // u-39, Production
    const qint64 id = page->currentEntry()->id;
    QCOMPARE(page->currentEntry()->identification, QStringLiteral("userId u-39"));
    auto *search = page->findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
    QTest::keyClicks(search, QStringLiteral("u-3"));
    QCOMPARE(page->model()->rowCount(), 11); // u-3, u-30..39
    QVERIFY(table->currentIndex().isValid());
    QCOMPARE(page->currentEntry()->id, id);
    QTest::keyClicks(search, QStringLiteral("8")); // u-38: the selected row is filtered out
    QCOMPARE(page->model()->rowCount(), 1);
    QVERIFY(!page->currentEntry().has_value());
    QVERIFY(!page->findChild<QPushButton *>(QStringLiteral("copyAsCurlPushButton"))->isEnabled());
}

void TestHistoryPage::curlCommandIsExactAndShellSafe()
{
    HistoryEntry post;
    post.method = QStringLiteral("POST");
    post.url = QStringLiteral("http://127.0.0.1:8080/users/upsert");
    post.requestBody = R"({"identification":{"userId":"o'brien $HOME `id` \"q\" \\ !"}})";
    const QString command = HistoryPage::curlCommand(post);
    QCOMPARE(command, QStringLiteral("curl -X POST 'http://127.0.0.1:8080/users/upsert' \\\n"
                                     "  -H \"X-Api-Key: $JOURNY_API_KEY\" \\\n"
                                     "  -H 'Content-Type: application/json' \\\n"
                                     "  --data-raw '{\"identification\":{\"userId\":\"o'\\''brien $HOME `id` "
                                     "\\\"q\\\" \\\\ !\"}}'"));

    HistoryEntry get;
    get.method = QStringLiteral("GET");
    get.url = QStringLiteral("https://api.journy.io/tracking/snippet?domain=acme.com&x=1");
    QCOMPARE(HistoryPage::curlCommand(get),
             QStringLiteral("curl -X GET 'https://api.journy.io/tracking/snippet?"
                            "domain=acme.com&x=1' \\\n"
                            "  -H \"X-Api-Key: $JOURNY_API_KEY\""));

    // A POSIX shell reads it back into exactly these arguments, the key from the environment.
    QCOMPARE(
        curlArgumentsInAShell(command),
        (QList<QByteArray>{"-X", "POST", "http://127.0.0.1:8080/users/upsert", "-H", "X-Api-Key: sk_from_env",
                           "-H", "Content-Type: application/json", "--data-raw", post.requestBody}));
}

void TestHistoryPage::copyAsCurlFromTheTable()
{
    auto page = makePage();
    m_session->activate(Profile::embeddedSandboxName());
    QTRY_COMPARE(page->model()->entryCount(), 1); // the key check
    QVERIFY(m_session->send(
        ApiRequest::raw(Operation::UpsertUser,
                        QJsonDocument::fromJson(R"({"identification":{"userId":"curl-u1"}})").object())));
    QTRY_COMPARE(page->model()->entryCount(), 2);

    auto *button = page->findChild<QPushButton *>(QStringLiteral("copyAsCurlPushButton"));
    QVERIFY(!button->isEnabled());
    selectRow(page.get(), 0);
    QVERIFY(button->isEnabled());
    QApplication::clipboard()->clear();
    QTest::mouseClick(button, Qt::LeftButton);
    const QString copied = QApplication::clipboard()->text();
    QCOMPARE(copied, HistoryPage::curlCommand(*page->currentEntry()));
    QVERIFY(copied.startsWith(QStringLiteral("curl -X POST '") + m_session->sandboxUrl().toString()));
    QVERIFY(copied.contains(QLatin1String("-H \"X-Api-Key: $JOURNY_API_KEY\"")));
    QVERIFY(copied.contains(QLatin1String(R"(--data-raw '{"identification":{"userId":"curl-u1"}}')")));
    // The built-in sandbox's key never appears, only the variable.
    QCOMPARE(copied.count(QLatin1String("X-Api-Key")), 1);
    QVERIFY(!copied.contains(SandboxConfig::defaultKey()));
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("messageLabel"))
                ->text()
                .contains(QLatin1String("JOURNY_API_KEY")));
}

void TestHistoryPage::exportsJsonAndCsv()
{
    auto page = makePage();
    // Text a CSV writer has to quote: a comma, quotes, a line break.
    const QByteArray tricky = R"({"identification":{"userId":"a,b \"c\"\nd"}})";
    page->record(QStringLiteral("Production"), upsertResult(tricky));
    page->record(QStringLiteral("Staging"), upsertResult(R"({"identification":{"userId":"hidden"}})"));
    page->record(QStringLiteral("Production"), snippetResult(QStringLiteral("acme.com")));
    ApiResult timeout = upsertResult(R"({"identification":{"userId":"late"}})", 0);
    timeout.failure = ApiResult::Failure::Timeout;
    timeout.failureDetail = QStringLiteral("No answer within 30 s");
    timeout.latencyMs = -1;
    timeout.requestId.clear();
    timeout.responseBody.clear();
    page->record(QStringLiteral("Production"), timeout);

    // Only what the filters show is exported, newest first.
    auto *profile = page->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    profile->setCurrentIndex(profile->findData(QStringLiteral("Production")));
    QCOMPARE(page->model()->rowCount(), 3);

    const QString jsonPath = m_dir->filePath(QStringLiteral("export.json"));
    HistoryPage::setNextExportPath(jsonPath);
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("exportJsonPushButton")), Qt::LeftButton);
    QCOMPARE(page->findChild<QLabel *>(QStringLiteral("messageLabel"))->text(),
             QStringLiteral("Exported 3 request(s) to export.json"));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(readFile(jsonPath), &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonArray array = document.array();
    QCOMPARE(array.size(), 3);
    const QJsonObject late = array.at(0).toObject();
    QCOMPARE(late.value(QLatin1String("identification")).toString(), QStringLiteral("userId late"));
    QCOMPARE(late.value(QLatin1String("httpStatus")), QJsonValue(QJsonValue::Null));
    QCOMPARE(late.value(QLatin1String("failure")).toString(), QStringLiteral("timeout"));
    QCOMPARE(late.value(QLatin1String("latencyMs")), QJsonValue(QJsonValue::Null));
    QCOMPARE(late.value(QLatin1String("responseBody")), QJsonValue(QJsonValue::Null));
    const QJsonObject snippet = array.at(1).toObject();
    QCOMPARE(snippet.value(QLatin1String("operation")).toString(), QStringLiteral("getTrackingSnippet"));
    QCOMPARE(snippet.value(QLatin1String("method")).toString(), QStringLiteral("GET"));
    QCOMPARE(snippet.value(QLatin1String("url")).toString(),
             QStringLiteral("https://api.journy.io/tracking/snippet?domain=acme.com"));
    QCOMPARE(snippet.value(QLatin1String("httpStatus")).toInt(), 404);
    QCOMPARE(snippet.value(QLatin1String("requestBody")), QJsonValue(QJsonValue::Null));
    QCOMPARE(snippet.value(QLatin1String("responseBody")).toString(),
             QStringLiteral("<html>not json, a proxy's page</html>")); // not JSON: kept as text
    const QJsonObject upsert = array.at(2).toObject();
    QCOMPARE(upsert.value(QLatin1String("profile")).toString(), QStringLiteral("Production"));
    QCOMPARE(upsert.value(QLatin1String("requestBody")).toObject(), QJsonDocument::fromJson(tricky).object());
    QCOMPARE(
        upsert.value(QLatin1String("responseBody")).toObject().value(QLatin1String("message")).toString(),
        QStringLiteral("User will be created or updated"));
    QCOMPARE(upsert.value(QLatin1String("latencyMs")).toInt(), 87);
    QCOMPARE(upsert.value(QLatin1String("background")), QJsonValue(false));
    QCOMPARE(upsert.value(QLatin1String("requestId")).toString(), QStringLiteral("req-upsert-201"));
    QCOMPARE(upsert.value(QLatin1String("responseHeaders")).toString(),
             QStringLiteral("Content-Type: application/json\n"));
    const QDateTime time =
        QDateTime::fromString(upsert.value(QLatin1String("time")).toString(), Qt::ISODateWithMs);
    QVERIFY(time.isValid());
    QCOMPARE(time.timeSpec(), Qt::UTC);
    QCOMPARE(upsert.value(QLatin1String("id")).toInteger(), page->model()->entryAt(2).id);

    const QString csvPath = m_dir->filePath(QStringLiteral("export.csv"));
    HistoryPage::setNextExportPath(csvPath);
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("exportCsvPushButton")), Qt::LeftButton);
    const QList<QStringList> records = parseCsv(readFile(csvPath));
    QCOMPARE(records.size(), 4);
    QCOMPARE(records.at(0),
             (QStringList{QStringLiteral("time"), QStringLiteral("profile"), QStringLiteral("operation"),
                          QStringLiteral("identification"), QStringLiteral("httpStatus"),
                          QStringLiteral("failure"), QStringLiteral("requestId"), QStringLiteral("latencyMs"),
                          QStringLiteral("method"), QStringLiteral("url"), QStringLiteral("message"),
                          QStringLiteral("requestBody"), QStringLiteral("responseBody"),
                          QStringLiteral("background"), QStringLiteral("note")}));
    for (const QStringList &record : records)
        QCOMPARE(record.size(), 15);
    QCOMPARE(records.at(3).at(13), QStringLiteral("false"));
    QCOMPARE(records.at(1).at(3), QStringLiteral("userId late"));
    QCOMPARE(records.at(1).at(4), QString());
    QCOMPARE(records.at(1).at(5), QStringLiteral("timeout"));
    QCOMPARE(records.at(1).at(7), QString());
    QCOMPARE(records.at(2).at(4), QStringLiteral("404"));
    QCOMPARE(records.at(2).at(12), QStringLiteral("<html>not json, a proxy's page</html>"));
    QCOMPARE(records.at(3).at(0), upsert.value(QLatin1String("time")).toString());
    QCOMPARE(records.at(3).at(1), QStringLiteral("Production"));
    QCOMPARE(records.at(3).at(2), QStringLiteral("upsertUser"));
    QCOMPARE(records.at(3).at(3), QStringLiteral("userId a,b \"c\"\nd"));
    QCOMPARE(records.at(3).at(6), QStringLiteral("req-upsert-201"));
    QCOMPARE(records.at(3).at(7), QStringLiteral("87"));
    QCOMPARE(records.at(3).at(11).toUtf8(), tricky);

    // A path that cannot be written: a message, no dialog.
    HistoryPage::setNextExportPath(m_dir->filePath(QStringLiteral("missing/folder/export.csv")));
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("exportCsvPushButton")), Qt::LeftButton);
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("messageLabel"))
                ->text()
                .startsWith(QLatin1String("Export failed")));
}

void TestHistoryPage::openInFormEmitsTheRequest()
{
    auto page = makePage();
    const QByteArray body = R"({"identification":{"userId":"u-1"},"properties":{"plan":"Pro"}})";
    page->record(QStringLiteral("Production"), upsertResult(body));
    page->record(QStringLiteral("Production"), snippetResult(QStringLiteral("acme.com")));
    QList<ApiRequest> opened;
    connect(page.get(), &HistoryPage::openRequested, this,
            [&opened](const ApiRequest &request) { opened << request; });

    auto *button = page->findChild<QPushButton *>(QStringLiteral("openInFormPushButton"));
    QVERIFY(!button->isEnabled());
    selectRow(page.get(), 1);
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
    QCOMPARE(opened.size(), 1);
    QCOMPARE(opened.at(0).operation, Operation::UpsertUser);
    QCOMPARE(opened.at(0).body, QJsonDocument::fromJson(body).object());
    QVERIFY(opened.at(0).query.isEmpty());
    QCOMPARE(opened.at(0).bodyBytes(), body); // what is sent again is what was sent

    // Double-clicking a row opens it too; the query comes back from the URL.
    auto *table = page->findChild<QTableView *>(QStringLiteral("historyTableView"));
    const QRect rect = table->visualRect(table->model()->index(0, HistoryModel::OperationColumn));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE(opened.size(), 2);
    QCOMPARE(opened.at(1).operation, Operation::TrackingSnippet);
    QCOMPARE(opened.at(1).query.queryItemValue(QStringLiteral("domain")), QStringLiteral("acme.com"));
    QCOMPARE(opened.at(1).pathAndQuery(), QStringLiteral("/tracking/snippet?domain=acme.com"));

    // An operation this version does not know cannot be opened.
    HistoryEntry unknown = synthetic(1);
    unknown.id = 0; // not in the store
    unknown.operation = QStringLiteral("someFutureOperation");
    page->model()->appendEntry(unknown);
    selectRow(page.get(), 0);
    QVERIFY(!button->isEnabled());
    QVERIFY(!HistoryPage::requestOf(unknown).has_value());
}

void TestHistoryPage::noteTypedOnTheFormIsKeptInHistoryAndNeverSent()
{
    // A server that records what it received: the console's key check, then the user's upsert.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    for (int i = 0; i < 3; ++i)
        server.enqueueFor(
            QStringLiteral("/validate"),
            ScriptedResponse::json(
                200, {{QLatin1String("data"),
                       QJsonObject{{QLatin1String("permissions"), QJsonArray{QStringLiteral("TrackData")}}}},
                      {QLatin1String("meta"), meta(200, QStringLiteral("req-validate"))}}));
    server.enqueueFor(QStringLiteral("/users/upsert"),
                      ScriptedResponse::json(
                          201, {{QLatin1String("message"), QStringLiteral("User will be created or updated")},
                                {QLatin1String("meta"), meta(201, QStringLiteral("req-noted"))}}));
    Profile profile;
    profile.name = QStringLiteral("Scripted");
    profile.baseUrl = server.baseUrl();
    profile.environment = Profile::Environment::Staging;
    QString error;
    QVERIFY2(m_profiles->save(profile, &error), qPrintable(error));
    bool written = false;
    m_secrets->write(profile.apiKeySecretName(), "jk_notes_scripted_key",
                     [&written](const SecretStore::Result &result) { written = result.ok(); });
    QTRY_VERIFY(written);

    auto history = makePage();
    m_session->activate(profile.name);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_session->state() == ConsoleSession::State::Ready && m_session->permissionsKnown(), 10000);
    OperationPage users(QStringLiteral("Users"), {Operation::UpsertUser, Operation::DeleteUser},
                        m_session.get(), nullptr);
    users.resize(1000, 700);
    users.show();
    OperationForm *form = users.forms().first();
    auto *note = form->findChild<QLineEdit *>(QStringLiteral("noteLineEdit"));
    QVERIFY(note);
    QVERIFY(note->placeholderText().contains(QLatin1String("never sent")));
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-noted"));
    QTest::keyClicks(note, ticket);
    std::optional<ApiResult> answer;
    connect(form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    // Ctrl+Return from the note field sends, as from any field of the form.
    users.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&users));
    note->setFocus();
    QTest::keyClick(note, Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(answer.has_value(), 10000);
    QCOMPARE(answer->httpStatus, 201);
    QCOMPARE(note->text(), ticket); // kept for the next request on the same ticket

    // The server got the upsert, and no trace of the note in any request: body, URL or header.
    bool upsertSeen = false;
    for (const ReceivedRequest &received : server.received()) {
        upsertSeen = upsertSeen || received.path == QStringLiteral("/users/upsert");
        QVERIFY2(!received.body.contains("SUP-1234"), received.body.constData());
        QVERIFY(!received.path.contains(QLatin1String("SUP")));
        QVERIFY(!received.query.toString().contains(QLatin1String("SUP")));
        for (auto it = received.headers.begin(); it != received.headers.end(); ++it) {
            QVERIFY2(!it.key().contains("note"), it.key().constData());
            QVERIFY2(!it.value().contains("SUP-1234"), it.value().constData());
        }
    }
    QVERIFY(upsertSeen);

    // History's file has the note with the entry.
    const QList<HistoryEntry> stored = m_store->all();
    QVERIFY(!stored.isEmpty());
    QCOMPARE(stored.last().operation, QStringLiteral("upsertUser"));
    QCOMPARE(stored.last().identification, QStringLiteral("userId u-noted"));
    QCOMPARE(stored.last().note, ticket);

    // The search box finds it by the ticket (any case), and only it.
    QTRY_VERIFY(history->model()->entryCount() >= 2); // the key check and the upsert
    auto *search = history->findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
    QVERIFY(search->placeholderText().contains(QLatin1String("note")));
    QTest::keyClicks(search, QStringLiteral("sup-1234"));
    QCOMPARE(history->model()->rowCount(), 1);
    QCOMPARE(history->model()->index(0, HistoryModel::NoteColumn).data().toString(), ticket);
    QCOMPARE(history->model()->headerData(HistoryModel::NoteColumn, Qt::Horizontal).toString(),
             QStringLiteral("Note"));
    QTest::keyClicks(search, QStringLiteral(" ESCALATION"));
    QCOMPARE(history->model()->rowCount(), 1);
    search->clear();
    QTest::keyClicks(search, QStringLiteral("SUP-9999"));
    QCOMPARE(history->model()->rowCount(), 0);
    search->clear();
    QTest::keyClicks(search, QStringLiteral("SUP-1234"));
    QCOMPARE(history->model()->rowCount(), 1);

    // The details show it.
    selectRow(history.get(), 0);
    QVERIFY2(history->findChild<QLabel *>(QStringLiteral("summaryLabel"))
                 ->text()
                 .startsWith(QStringLiteral("Note: ") + ticket),
             qPrintable(history->findChild<QLabel *>(QStringLiteral("summaryLabel"))->text()));

    // Copy as curl: the note is the first line, as a comment; the command follows.
    QApplication::clipboard()->clear();
    QTest::mouseClick(history->findChild<QPushButton *>(QStringLiteral("copyAsCurlPushButton")),
                      Qt::LeftButton);
    const QString copied = QApplication::clipboard()->text();
    QVERIFY2(copied.startsWith(QStringLiteral("# Note: ") + ticket + QStringLiteral("\ncurl -X POST '") +
                               server.baseUrl().toString()),
             qPrintable(copied));

    // Both exports carry it.
    const QString jsonPath = m_dir->filePath(QStringLiteral("notes.json"));
    HistoryPage::setNextExportPath(jsonPath);
    QTest::mouseClick(history->findChild<QPushButton *>(QStringLiteral("exportJsonPushButton")),
                      Qt::LeftButton);
    const QJsonArray exported = QJsonDocument::fromJson(readFile(jsonPath)).array();
    QCOMPARE(exported.size(), 1);
    QCOMPARE(exported.first().toObject().value(QLatin1String("note")).toString(), ticket);
    const QString csvPath = m_dir->filePath(QStringLiteral("notes.csv"));
    HistoryPage::setNextExportPath(csvPath);
    QTest::mouseClick(history->findChild<QPushButton *>(QStringLiteral("exportCsvPushButton")),
                      Qt::LeftButton);
    const QByteArray csv = readFile(csvPath);
    QVERIFY2(csv.startsWith("time,") && csv.contains(",note\r\n"), csv.constData());
    QVERIFY2(csv.endsWith("," + ticket.toUtf8() + "\r\n"), csv.constData());

    // Opened again in its form, the request keeps its ticket.
    note->clear();
    connect(history.get(), &HistoryPage::openRequested, &users, &OperationPage::loadRequest);
    QTest::mouseClick(history->findChild<QPushButton *>(QStringLiteral("openInFormPushButton")),
                      Qt::LeftButton);
    QCOMPARE(note->text(), ticket);
    QCOMPARE(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(),
             QStringLiteral("u-noted"));
}

// Whatever a note holds, the copied command is one comment line and then exactly the command:
// a POSIX shell runs nothing of the note.
void TestHistoryPage::curlCommentCannotBreakOut()
{
    const QString marker = m_dir->filePath(QStringLiteral("pwned"));
    HistoryEntry entry;
    entry.method = QStringLiteral("POST");
    entry.url = QStringLiteral("http://127.0.0.1:8080/users/upsert");
    entry.requestBody = R"({"identification":{"userId":"u1"}})";
    entry.note = QStringLiteral("SUP-1\ntouch %1\r\x0btouch %1\x1b]0;title\x07 $(touch %1) `touch %1`\u2028x")
                     .arg(marker);
    const QString command = HistoryPage::curlCommand(entry);
    const QStringList lines = command.split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 5); // the comment, then curl's four lines
    QVERIFY2(lines.first().startsWith(QLatin1String("# Note: SUP-1 touch ")), qPrintable(lines.first()));
    QVERIFY(!lines.first().contains(QLatin1Char('\x1b')));
    QVERIFY(!lines.first().contains(QLatin1Char('\x07')));
    QVERIFY(!lines.first().contains(QLatin1Char('\r')));
    QCOMPARE(lines.at(1), QStringLiteral("curl -X POST 'http://127.0.0.1:8080/users/upsert' \\"));

    QCOMPARE(
        curlArgumentsInAShell(command),
        (QList<QByteArray>{"-X", "POST", "http://127.0.0.1:8080/users/upsert", "-H", "X-Api-Key: sk_from_env",
                           "-H", "Content-Type: application/json", "--data-raw", entry.requestBody}));
    QVERIFY2(!QFile::exists(marker), "the note ran as a command");

    // No note, no comment line.
    entry.note.clear();
    QVERIFY(HistoryPage::curlCommand(entry).startsWith(QLatin1String("curl -X POST")));
}

void TestHistoryPage::noteIsEditedAfterwards()
{
    auto history = makePage();
    ApiResult result;
    result.operation = Operation::UpsertUser;
    result.requestMethod = "POST";
    result.requestUrl = QStringLiteral("https://api.journy.io/users/upsert");
    result.requestBody = R"({"identification":{"userId":"u-later"}})";
    result.httpStatus = 201;
    result.requestId = QStringLiteral("req-later");
    history->record(QStringLiteral("Production"), result);
    QCOMPARE(history->model()->rowCount(), 1);
    auto *edit = history->findChild<QPushButton *>(QStringLiteral("editNotePushButton"));
    QVERIFY(edit);
    QVERIFY(!edit->isEnabled()); // nothing selected
    selectRow(history.get(), 0);
    QVERIFY(edit->isEnabled());

    // The dialog as the user sees it: typed into, accepted.
    bool dialogSeen = false;
    // Whatever the check leaves open is rejected, so a failure never hangs in exec().
    QTimer::singleShot(0, this, [&dialogSeen] {
        auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        dialogSeen =
            dialog->objectName() == QStringLiteral("noteInputDialog") && dialog->textValue().isEmpty();
        auto *line = dialog->findChild<QLineEdit *>();
        QTest::keyClicks(line, QStringLiteral("SUP-77 follow-up"));
        QTest::keyClick(line, Qt::Key_Return);
        if (dialog->isVisible())
            dialog->reject();
    });
    QTest::mouseClick(edit, Qt::LeftButton);
    QVERIFY(dialogSeen);
    QCOMPARE(history->model()->index(0, HistoryModel::NoteColumn).data().toString(),
             QStringLiteral("SUP-77 follow-up"));
    QCOMPARE(m_store->all().first().note, QStringLiteral("SUP-77 follow-up"));
    QCOMPARE(history->findChild<QLabel *>(QStringLiteral("messageLabel"))->text(),
             QStringLiteral("Note saved."));
    auto *search = history->findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
    QTest::keyClicks(search, QStringLiteral("sup-77"));
    QCOMPARE(history->model()->rowCount(), 1);

    // Under that search, a note changed to something else takes the row out of the results; a
    // line break typed into the note is stored as a space.
    selectRow(history.get(), 0);
    QVERIFY(history->setCurrentNote(QStringLiteral("SUP-78\nsecond")));
    QCOMPARE(history->model()->rowCount(), 0);
    QCOMPARE(m_store->all().first().note, QStringLiteral("SUP-78 second"));
    search->clear();
    QCOMPARE(history->model()->rowCount(), 1);

    // A new page on the same file reads the edited note.
    history.reset();
    auto again = makePage();
    QCOMPARE(again->model()->entryAt(0).note, QStringLiteral("SUP-78 second"));
}

// Every third entry a background call: hidden by default, all shown when asked, and the other
// filters still apply to both kinds; the model stays consistent throughout.
void TestHistoryPage::modelHidesBackgroundCallsUntilAsked()
{
    HistoryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QList<HistoryEntry> entries = syntheticHistory(300);
    for (int i = 0; i < entries.size(); i += 3)
        entries[i].background = true;
    model.setEntries(entries);
    QVERIFY(!model.showsBackground());
    QCOMPARE(model.entryCount(), 300);
    QCOMPARE(model.rowCount(), 200);
    for (int row = 0; row < model.rowCount(); ++row)
        QVERIFY(!model.entryAt(row).background);

    HistoryEntry background = synthetic(300); // 300 % 3 == 0
    background.background = true;
    model.appendEntry(background);
    QCOMPARE(model.rowCount(), 200);
    model.appendEntry(synthetic(301));
    QCOMPARE(model.rowCount(), 201);
    QCOMPARE(model.entryAt(0).requestId, QStringLiteral("req-000301"));

    model.setShowBackground(true);
    QCOMPARE(model.rowCount(), 302);
    QCOMPARE(model.entryAt(1).requestId, QStringLiteral("req-000300"));
    QVERIFY(model.entryAt(1).background);
    // Set apart in the table: in italics, with a tooltip saying why.
    QVERIFY(model.index(1, HistoryModel::OperationColumn).data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(!model.index(1, HistoryModel::OperationColumn).data(Qt::ToolTipRole).toString().isEmpty());
    QVERIFY(!model.index(0, HistoryModel::OperationColumn).data(Qt::FontRole).value<QFont>().italic());
    QVERIFY(model.index(0, HistoryModel::OperationColumn).data(Qt::ToolTipRole).isNull());
    // Status 400 is i % 10 == 6: i = 6, 16, ..., 296 (30 entries), 10 of them (i % 3 == 0) background.
    model.setStatusClass(HistoryModel::StatusClass::ClientError);
    QCOMPARE(model.rowCount(), 30 + 30); // 400s and 429s (i % 10 == 7, also 30)
    model.setShowBackground(false);
    QCOMPARE(model.rowCount(), 60 - 20); // 10 background 400s and 10 background 429s
    model.setStatusClass(HistoryModel::StatusClass::All);
    QCOMPARE(model.rowCount(), 201);
}

// The real session: the key check on connecting and the catalog's lists are background calls,
// the user's request is not; the checkbox, off by default, shows them.
void TestHistoryPage::pageFiltersBackgroundCalls()
{
    auto page = makePage();
    HistoryModel *model = page->model();
    auto *checkBox = page->findChild<QCheckBox *>(QStringLiteral("showBackgroundCheckBox"));
    QVERIFY(checkBox);
    QVERIFY(!checkBox->isChecked());
    QCOMPARE(checkBox->text(), QStringLiteral("Show background calls"));

    m_session->activate(Profile::embeddedSandboxName());
    QTRY_COMPARE(model->entryCount(), 1); // GET /validate
    ApiRequest catalogList = ApiRequest::listEvents();
    catalogList.background = true;
    QVERIFY(m_session->send(catalogList));
    QVERIFY(m_session->send(
        ApiRequest::raw(Operation::UpsertUser,
                        QJsonDocument::fromJson(R"({"identification":{"userId":"bg-u1"}})").object())));
    QTRY_COMPARE(model->entryCount(), 3);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->entryAt(0).identification, QStringLiteral("userId bg-u1"));
    QCOMPARE(page->findChild<QLabel *>(QStringLiteral("countLabel"))->text(),
             QStringLiteral("1 of 3 request(s)"));

    checkBox->click();
    QCOMPARE(model->rowCount(), 3);
    QStringList operations;
    for (int row = 0; row < model->rowCount(); ++row)
        operations << model->entryAt(row).operation;
    QCOMPARE(operations, (QStringList{QStringLiteral("upsertUser"), QStringLiteral("getEvents"),
                                      QStringLiteral("getValidity")}));
    QVERIFY(model->entryAt(1).background && model->entryAt(2).background && !model->entryAt(0).background);
    // A user's Test connection is the user's request, even though it is the same call.
    m_session->refreshPermissions();
    QTRY_COMPARE(model->entryCount(), 4);
    checkBox->click();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->entryAt(0).operation, QStringLiteral("getValidity"));

    // Exported with the background calls shown, each entry says which kind it is.
    checkBox->click();
    const QString jsonPath = m_dir->filePath(QStringLiteral("background.json"));
    HistoryPage::setNextExportPath(jsonPath);
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("exportJsonPushButton")), Qt::LeftButton);
    QStringList kinds;
    for (const QJsonValue &value : QJsonDocument::fromJson(readFile(jsonPath)).array())
        kinds << value[QLatin1String("operation")].toString() +
                     (value[QLatin1String("background")].toBool() ? QStringLiteral(" bg") : QString());
    QCOMPARE(kinds, (QStringList{QStringLiteral("getValidity"), QStringLiteral("upsertUser"),
                                 QStringLiteral("getEvents bg"), QStringLiteral("getValidity bg")}));
    checkBox->click();

    // The flag is in the file: a page opened later on the same history filters the same way.
    page.reset();
    auto reopened = makePage();
    QCOMPARE(reopened->model()->entryCount(), 4);
    QCOMPARE(reopened->model()->rowCount(), 2);
}

QTEST_MAIN(TestHistoryPage)
#include "tst_HistoryPage.moc"

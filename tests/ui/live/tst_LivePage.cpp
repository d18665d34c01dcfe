// The Live page on the offscreen platform: a relay started from the page forwards a customer's
// calls (sent here with QNetworkAccessManager, as a backend would) to a profile's in-process
// sandbox, and the page shows them as they come, filtered, with bodies and findings; export,
// open in form, stop, a profile switch and production's confirmation.
#include "relay/RelayRecord.h"
#include "sandbox/SandboxServer.h"
#include "support/PageTestSession.h"
#include "support/SandboxInspection.h"
#include "ui/live/LiveFilterModel.h"
#include "ui/live/LiveModel.h"
#include "ui/live/LivePage.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

namespace {

const QString Key = QStringLiteral("sk_live_relay_page_4c1e");

} // namespace

class TestLivePage : public QObject
{
    Q_OBJECT
private slots:
    void relayShowsCallsLiveFilteredWithTheirFindings();
    void profileSwitchStopsTheRelay();
    void productionIsNamedAndConfirmedFirst();
    void modelPassesTheTester();

private:
    // A call from the customer's backend to the relay; its HTTP status.
    int call(const QUrl &relay, const QString &path, const QByteArray &body);

    QNetworkAccessManager m_network;
};

int TestLivePage::call(const QUrl &relay, const QString &path, const QByteArray &body)
{
    QUrl url = relay;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Api-Key", Key.toUtf8());
    QNetworkReply *reply = m_network.post(request, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!done.wait(10000))
        return -1;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    return status;
}

void TestLivePage::relayShowsCallsLiveFilteredWithTheirFindings()
{
    PageTestSession t;
    QVERIFY(t.addProfile(QStringLiteral("Staging"), Key, SandboxConfig::allPermissions()));
    QVERIFY(t.activate(QStringLiteral("Staging")));
    LivePage page(&t.session);
    page.show();
    auto *start = page.findChild<QPushButton *>(QStringLiteral("startPushButton"));
    QVERIFY(start && start->isEnabled());
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(page.isRelaying());
    QCOMPARE(start->text(), QStringLiteral("Stop relay"));
    auto *url = page.findChild<QLineEdit *>(QStringLiteral("urlLineEdit"));
    QCOMPARE(url->text(), page.relayUrl().toString());
    QVERIFY(url->text().startsWith(QLatin1String("http://127.0.0.1:")));
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("copyUrlPushButton")), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), url->text());

    // A customer's backend: a clean upsert, an SDK 3.1.0 event (text-typed, POST /events), one
    // the spec refuses.
    QCOMPARE(call(page.relayUrl(), QStringLiteral("/users/upsert"),
                  R"({"identification":{"userId":"live-1"},"properties":{"plan":"Pro","seats":3}})"),
             201);
    QCOMPARE(
        call(
            page.relayUrl(), QStringLiteral("/events"),
            R"({"name":"Invoice paid","identification":{"user":{"userId":"live-2"}},"metadata":{"amount":"120"}})"),
        201);
    QCOMPARE(call(page.relayUrl(), QStringLiteral("/users/upsert"),
                  R"({"identification":{"userId":""},"properties":{"plan":"Pro"}})"),
             400);
    LiveModel *model = page.model();
    QTRY_COMPARE(model->rowCount(), 3);
    auto text = [model](int row, int column) { return model->index(row, column).data().toString(); };
    QCOMPARE(text(0, LiveModel::VerdictColumn), QStringLiteral("clean"));
    QCOMPARE(text(1, LiveModel::VerdictColumn), QStringLiteral("warnings"));
    QCOMPARE(text(2, LiveModel::VerdictColumn), QStringLiteral("errors"));
    QTRY_COMPARE(text(2, LiveModel::StatusColumn), QStringLiteral("400"));
    QCOMPARE(text(0, LiveModel::StatusColumn), QStringLiteral("201"));
    QCOMPARE(text(1, LiveModel::RequestColumn), QStringLiteral("POST /events"));
    QCOMPARE(text(1, LiveModel::WhoColumn), QStringLiteral("userId live-2"));
    QCOMPARE(text(1, LiveModel::FindingsColumn), QStringLiteral("deprecated-events-endpoint, string-number"));
    QVERIFY(!text(0, LiveModel::RequestIdColumn).isEmpty());
    // Forwarded with the caller's key to the profile's server.
    QCOMPARE(SandboxInspection::get(t.otherServer->baseUrl(), QStringLiteral("/_sandbox/users"),
                                    QUrlQuery(QStringLiteral("userId=live-1")))
                 .status,
             200);

    // Filters: by verdict, by operation, by who.
    auto *table = page.findChild<QTableView *>(QStringLiteral("liveTableView"));
    auto *verdict = page.findChild<QComboBox *>(QStringLiteral("verdictComboBox"));
    auto *operation = page.findChild<QComboBox *>(QStringLiteral("operationComboBox"));
    auto *who = page.findChild<QLineEdit *>(QStringLiteral("whoLineEdit"));
    verdict->setCurrentIndex(verdict->findData(int(RelayRecord::Verdict::Warnings)));
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, LiveModel::RequestColumn).data().toString(),
             QStringLiteral("POST /events"));
    verdict->setCurrentIndex(0);
    operation->setCurrentIndex(operation->findData(QStringLiteral("upsertUser")));
    QCOMPARE(table->model()->rowCount(), 2);
    operation->setCurrentIndex(0);
    QTest::keyClicks(who, QStringLiteral("LIVE-2"));
    QCOMPARE(table->model()->rowCount(), 1);
    who->clear();
    QCOMPARE(table->model()->rowCount(), 3);

    // A call's bodies and findings below the table.
    table->setCurrentIndex(table->model()->index(1, 0));
    const QString request =
        page.findChild<QPlainTextEdit *>(QStringLiteral("requestPlainTextEdit"))->toPlainText();
    QVERIFY2(request.contains(QLatin1String("\"amount\": \"120\"")), qPrintable(request));
    QVERIFY(page.findChild<QPlainTextEdit *>(QStringLiteral("responsePlainTextEdit"))
                ->toPlainText()
                .contains(QLatin1String("requestId")));
    auto *findings = page.findChild<QListWidget *>(QStringLiteral("findingsListWidget"));
    QCOMPARE(findings->count(), 2);
    QVERIFY2(findings->item(0)->text().startsWith(QStringLiteral("warning · deprecated-events-endpoint · ")),
             qPrintable(findings->item(0)->text()));

    // Open in form: the call as the form would send it, never sent by the page.
    QSignalSpy opened(&page, &LivePage::openRequested);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("openPushButton")), Qt::LeftButton);
    QCOMPARE(opened.size(), 1);
    const auto reopened = opened.first().first().value<ApiRequest>();
    QCOMPARE(reopened.operation, Operation::TrackLegacyEvent);
    QCOMPARE(reopened.body.value(QLatin1String("name")).toString(), QStringLiteral("Invoice paid"));

    // JSON Lines of what is listed: 0600, a line per call, the key only as its fingerprint.
    const QString exported = t.dir.filePath(QStringLiteral("calls.jsonl"));
    LivePage::setNextExportPath(exported);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("exportPushButton")), Qt::LeftButton);
    QFile file(exported);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray lines = file.readAll();
    QCOMPARE(lines.count('\n'), 3);
    QVERIFY(!lines.contains(Key.toUtf8()));
    QCOMPARE(QJsonDocument::fromJson(lines.split('\n').at(1))
                 .object()
                 .value(QLatin1String("operationId"))
                 .toString(),
             QStringLiteral("trackJourneyEvent"));
    QCOMPARE(file.permissions() &
                 (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());

    // Stopped: the port closes, the calls stay.
    const QUrl old = page.relayUrl();
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(!page.isRelaying());
    QVERIFY(url->text().isEmpty());
    QCOMPARE(call(old, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"late"}})"), 0);
    QCOMPARE(model->rowCount(), 3);
}

void TestLivePage::profileSwitchStopsTheRelay()
{
    PageTestSession t;
    QVERIFY(t.addProfile(QStringLiteral("Staging"), Key, SandboxConfig::allPermissions()));
    QVERIFY(t.activate(QStringLiteral("Staging")));
    LivePage page(&t.session);
    QTest::mouseClick(page.findChild<QPushButton *>(QStringLiteral("startPushButton")), Qt::LeftButton);
    QVERIFY(page.isRelaying());
    // Typing never switches profiles; a switch elsewhere must not leave calls going to the old one.
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(!page.isRelaying());
    const QString status = page.findChild<QLabel *>(QStringLiteral("statusLabel"))->text();
    QVERIFY2(status.contains(QLatin1String("Staging")) && status.contains(Profile::embeddedSandboxName()),
             qPrintable(status));
}

void TestLivePage::productionIsNamedAndConfirmedFirst()
{
    PageTestSession t;
    QVERIFY(t.addProfile(QStringLiteral("Prod"), Key, SandboxConfig::allPermissions()));
    Profile production = t.profiles.profile(QStringLiteral("Prod"));
    production.environment = Profile::Environment::Production;
    QString error;
    QVERIFY2(t.profiles.save(production, &error), qPrintable(error));
    QVERIFY(t.activate(QStringLiteral("Prod")));
    LivePage page(&t.session);
    auto *start = page.findChild<QPushButton *>(QStringLiteral("startPushButton"));
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(!page.isRelaying());
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(page.isRelaying());
    QVERIFY(page.findChild<QLabel *>(QStringLiteral("statusLabel"))->text().contains(QLatin1String("Prod")));
}

void TestLivePage::modelPassesTheTester()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    LiveFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 1; i <= 50; ++i) {
        RelayRecord record;
        record.id = i;
        record.method = "POST";
        record.path = QStringLiteral("/users/upsert");
        record.operationId = QStringLiteral("upsertUser");
        record.requestBody = QStringLiteral(R"({"identification":{"userId":"u-%1"}})").arg(i).toUtf8();
        record.verdict = i % 3 == 0 ? RelayRecord::Verdict::Warnings : RelayRecord::Verdict::Clean;
        model.record(record);
        record.answered = true;
        record.status = 201;
        model.record(record); // the answer completes the same row
    }
    QCOMPARE(model.rowCount(), 50);
    QCOMPARE(model.index(49, LiveModel::WhoColumn).data().toString(), QStringLiteral("userId u-50"));
    filter.setFilters(RelayRecord::Verdict::Warnings, QString(), QString());
    QCOMPARE(filter.rowCount(), 16);
    filter.setFilters(RelayRecord::Verdict::Warnings, QString(), QStringLiteral("u-3"));
    QCOMPARE(filter.rowCount(), 5); // u-3, u-30, u-33, u-36, u-39: the warnings among u-3*
    model.clear();
    QCOMPARE(filter.rowCount(), 0);
}

QTEST_MAIN(TestLivePage)
#include "tst_LivePage.moc"

// The "Bulk import" wizard as a user drives it, on the offscreen platform: a real ConsoleSession
// on the built-in Sandbox profile (an in-process sandbox on a temporary data file), files chosen
// through the page's file-dialog seam, the widgets found by their object names, and a real
// SQLite import journal in the test's temporary folder. What was sent is read back from the
// sandbox's /_sandbox/ inspection endpoints; journals left "crashed" are prepared by hand with
// BulkJournal and ImportPreparer, as a killed `journy import` leaves them.

#include "import/BulkJournal.h"
#include "import/ImportPreparer.h"
#include "support/PageTestSession.h"
#include "support/SandboxInspection.h"
#include "ui/import/ImportMappingModel.h"
#include "ui/import/ImportPage.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>

namespace {

class ImportWidgets
{
public:
    explicit ImportWidgets(ImportPage &page)
        : file(page.findChild<QLineEdit *>(QStringLiteral("fileLineEdit"))),
          browse(page.findChild<QPushButton *>(QStringLiteral("browsePushButton"))),
          kind(page.findChild<QComboBox *>(QStringLiteral("kindComboBox"))),
          remove(page.findChild<QCheckBox *>(QStringLiteral("removeCheckBox"))),
          mapping(page.findChild<QTableView *>(QStringLiteral("mappingTableView"))),
          loadMapping(page.findChild<QPushButton *>(QStringLiteral("loadMappingPushButton"))),
          saveMapping(page.findChild<QPushButton *>(QStringLiteral("saveMappingPushButton"))),
          preview(page.findChild<QPlainTextEdit *>(QStringLiteral("previewPlainTextEdit"))),
          rate(page.findChild<QSpinBox *>(QStringLiteral("rateSpinBox"))),
          check(page.findChild<QPushButton *>(QStringLiteral("checkPushButton"))),
          report(page.findChild<QListWidget *>(QStringLiteral("reportListWidget"))),
          start(page.findChild<QPushButton *>(QStringLiteral("startPushButton"))),
          pause(page.findChild<QPushButton *>(QStringLiteral("pausePushButton"))),
          cancel(page.findChild<QPushButton *>(QStringLiteral("cancelPushButton"))),
          resume(page.findChild<QPushButton *>(QStringLiteral("resumePushButton"))),
          progressBar(page.findChild<QProgressBar *>(QStringLiteral("progressBar"))),
          progress(page.findChild<QLabel *>(QStringLiteral("progressLabel"))),
          summary(page.findChild<QLabel *>(QStringLiteral("summaryLabel"))),
          exportFailed(page.findChild<QPushButton *>(QStringLiteral("exportFailedPushButton"))),
          message(page.findChild<QLabel *>(QStringLiteral("messageLabel")))
    {}

    bool complete() const
    {
        return file && browse && kind && remove && mapping && loadMapping && saveMapping && preview && rate &&
               check && report && start && pause && cancel && resume && progressBar && progress && summary &&
               exportFailed && message;
    }

    void chooseKind(ImportKind::Kind value) { kind->setCurrentIndex(kind->findData(int(value))); }

    // Chooses the file through Browse… and the file-dialog seam, as a user picks it.
    void chooseFile(const QString &path)
    {
        ImportPage::setNextFileName(path);
        QTest::mouseClick(browse, Qt::LeftButton);
    }

    QStringList reportLines() const
    {
        QStringList lines;
        for (int i = 0; i < report->count(); ++i)
            lines << report->item(i)->text();
        return lines;
    }

    QLineEdit *file;
    QPushButton *browse;
    QComboBox *kind;
    QCheckBox *remove;
    QTableView *mapping;
    QPushButton *loadMapping;
    QPushButton *saveMapping;
    QPlainTextEdit *preview;
    QSpinBox *rate;
    QPushButton *check;
    QListWidget *report;
    QPushButton *start;
    QPushButton *pause;
    QPushButton *cancel;
    QPushButton *resume;
    QProgressBar *progressBar;
    QLabel *progress;
    QLabel *summary;
    QPushButton *exportFailed;
    QLabel *message;
};

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// 205 users: row 2's plan holds a line break (so from row 3 on, a row's line is its number + 2),
// row 203's age is a word (beyond the 200 sample rows that inferred "number"), row 204 names
// nobody. The other 203 rows are valid.
QByteArray usersCsv()
{
    QByteArray csv = "userId,email,age,paying,signedUpAt,plan\n"
                     "u1,ada@example.com,36,true,2024-05-01T10:00:00Z,Pro\n"
                     "u2,bob@example.com,41,false,2024-05-02T11:30:00Z,\"Pro\nPlus\"\n";
    for (int i = 3; i <= 205; ++i) {
        const QByteArray n = QByteArray::number(i);
        const QByteArray id = i == 204 ? QByteArray() : "u" + n;
        const QByteArray email = i == 204 ? QByteArray() : "user" + n + "@example.com";
        const QByteArray age = i == 203 ? QByteArray("thirty") : QByteArray::number(20 + i % 50);
        csv +=
            id + ',' + email + ',' + age + ',' + (i % 2 ? "true" : "false") + ",2024-06-01T08:00:00Z,Basic\n";
    }
    return csv;
}

QByteArray manyUsersCsv(int count, const QByteArray &prefix)
{
    QByteArray csv = "userId,plan\n";
    for (int i = 1; i <= count; ++i)
        csv += prefix + QByteArray::number(i) + ",Basic\n";
    return csv;
}

SandboxInspection inspect(const ConsoleSession &session, const QString &path,
                          const QUrlQuery &query = QUrlQuery())
{
    return SandboxInspection::get(session.sandboxUrl(), path, query);
}

SandboxInspection user(const ConsoleSession &session, const QString &userId)
{
    return inspect(session, QStringLiteral("/_sandbox/users"), QUrlQuery{{QStringLiteral("userId"), userId}});
}

qint64 storedUsers(const ConsoleSession &session)
{
    return qint64(
        inspect(session, QStringLiteral("/_sandbox/stats")).body.value(QLatin1String("users")).toDouble(-1));
}

qint64 apiRequests(const ConsoleSession &session)
{
    return qint64(inspect(session, QStringLiteral("/_sandbox/stats"))
                      .body.value(QLatin1String("requests"))
                      .toDouble(-1));
}

int mappingRow(const ImportMappingModel *model, const QString &column)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, ImportMappingModel::ColumnColumn).data().toString() == column)
            return row;
    }
    return -1;
}

QString cell(const ImportMappingModel *model, const QString &column, int modelColumn)
{
    const int row = mappingRow(model, column);
    return row < 0 ? QStringLiteral("<no column %1>").arg(column)
                   : model->index(row, modelColumn).data().toString();
}

// Job counts as a second reader of the journal sees them (SQLite allows it while the page writes).
BulkJournal::Counts journalCounts(const QString &journalPath, qint64 jobId)
{
    BulkJournal journal;
    QString error;
    if (!journal.open(journalPath, &error))
        return BulkJournal::Counts();
    return journal.counts(jobId);
}

qint64 unfinishedJob(const QString &journalPath)
{
    BulkJournal journal;
    QString error;
    return journal.open(journalPath, &error) ? journal.latestUnfinishedJob() : -1;
}

// The Sandbox active, and a staging profile "Other" served by the session's other sandbox.
bool sandboxAndOther(PageTestSession &t)
{
    return t.activate(Profile::embeddedSandboxName()) &&
           t.addProfile(QStringLiteral("Other"), QStringLiteral("other-key"), {QStringLiteral("TrackData")});
}

// A production profile served by the session's other sandbox (a key that may send), active.
bool activateProduction(PageTestSession &t, const QString &name)
{
    if (!t.addProfile(name, QStringLiteral("prod-key"), {QStringLiteral("TrackData")}))
        return false;
    Profile production = t.profiles.profile(name);
    production.environment = Profile::Environment::Production;
    QString error;
    return t.profiles.save(production, &error) && t.activate(name);
}

// The production import question for 7 rows of file as upsertUser to "Acme Prod", name typed.
bool asksForProduction(const QString &question, const QString &file)
{
    for (const QString &named :
         {QStringLiteral("7 row(s)"), file, QStringLiteral("upsertUser"),
          QStringLiteral("production profile Acme Prod"), QStringLiteral("Type Acme Prod to confirm")}) {
        if (!question.contains(named))
            return false;
    }
    return true;
}

} // namespace

class TestImportPage : public QObject
{
    Q_OBJECT

private slots:
    void mappingShowsInferredTypesAndPreviewShowsTheExactBody();
    void mappingEditsAndMappingFiles();
    void checkReportsBadRowsWithTheirLines();
    void checkCountsLintFindingsPerRule();
    void checkKeepsTheWindowResponsiveAndStops();
    void startImportsEveryValidRowAndExportsTheFailedOnes();
    void propertiesNotStoredAreShownAndExported();
    void membershipsOfOneAccountGoInCallsOf100();
    void deleteAsksFirst();
    void pausesAndResumes();
    void rateLimitedWaitIsShown();
    void cancelLeavesTheRestForResumeLastJob();
    void resumesAJobLeftWithRowsInFlight();
    void resumeRefusesAJobOfAnotherProfile();
    void profileSwitchStopsTheJobForResume();
    void importIntoProductionIsConfirmedByName();
    void resumeIntoProductionIsConfirmedByName();
    void fileOfAnotherProfileIsNoticedAndConfirmed();
    void fileOfAnotherProfileIsNamedInTheProductionQuestion();
    void startNeedsAReadySessionAndThePermission();
};

void TestImportPage::mappingShowsInferredTypesAndPreviewShowsTheExactBody()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QAbstractItemModelTester tester(page.mappingModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, usersCsv()));

    w.chooseFile(csv);
    QCOMPARE(w.file->text(), csv);
    const ImportMappingModel *model = page.mappingModel();
    QCOMPARE(w.mapping->model(), static_cast<const QAbstractItemModel *>(model));
    QCOMPARE(model->rowCount(), 6);
    QCOMPARE(cell(model, QStringLiteral("userId"), ImportMappingModel::TargetColumn),
             QStringLiteral("userId"));
    QCOMPARE(cell(model, QStringLiteral("email"), ImportMappingModel::TargetColumn), QStringLiteral("email"));
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TargetColumn),
             QStringLiteral("prop.age"));
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TypeColumn), QStringLiteral("number"));
    QCOMPARE(cell(model, QStringLiteral("paying"), ImportMappingModel::TypeColumn), QStringLiteral("bool"));
    QCOMPARE(cell(model, QStringLiteral("signedUpAt"), ImportMappingModel::TypeColumn),
             QStringLiteral("date"));
    QCOMPARE(cell(model, QStringLiteral("plan"), ImportMappingModel::TypeColumn), QStringLiteral("string"));
    // Identification is sent as text: no type to show.
    QCOMPARE(cell(model, QStringLiteral("userId"), ImportMappingModel::TypeColumn), QString());

    // The exact bytes sent: typed values as JSON numbers and booleans, compact, keys sorted.
    const QString preview = w.preview->toPlainText();
    QVERIFY2(preview.contains(QLatin1String("row 1 (line 2): POST /users/upsert\n"
                                            R"({"identification":{"email":"ada@example.com","userId":"u1"},)"
                                            R"("properties":{"age":36,"paying":true,"plan":"Pro",)"
                                            R"("signedUpAt":"2024-05-01T10:00:00Z"}})")),
             qPrintable(preview));
    QVERIFY2(preview.contains(QLatin1String(R"("plan":"Pro\nPlus")")), qPrintable(preview));
    QVERIFY2(preview.contains(QLatin1String("row 3 (line 5)")), qPrintable(preview));
    QVERIFY2(!preview.contains(QLatin1String("row 6 ")), qPrintable(preview)); // the first 5 rows only

    // Events: the same columns become metadata.
    w.chooseKind(ImportKind::Kind::Events);
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TargetColumn),
             QStringLiteral("meta.age"));
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TypeColumn), QStringLiteral("number"));
    QVERIFY(!w.remove->isEnabled());
}

void TestImportPage::mappingEditsAndMappingFiles()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, usersCsv()));
    const QString mappingFile = t.dir.filePath(QStringLiteral("users.mapping.json"));
    {
        ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
        ImportWidgets w(page);
        QVERIFY(w.complete());
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        w.chooseFile(csv);
        ImportMappingModel *model = page.mappingModel();

        // The type chosen in the table: age goes as a string from now on.
        const QModelIndex ageType =
            model->index(mappingRow(model, QStringLiteral("age")), ImportMappingModel::TypeColumn);
        QVERIFY(model->flags(ageType) & Qt::ItemIsEditable);
        QVERIFY(model->setData(ageType, int(TypedValue::Type::String)));
        QVERIFY2(w.preview->toPlainText().contains(QLatin1String(R"("age":"36")")),
                 qPrintable(w.preview->toPlainText()));

        // Through the delegate's combo, as a user edits: plan is ignored.
        const QModelIndex planTarget =
            model->index(mappingRow(model, QStringLiteral("plan")), ImportMappingModel::TargetColumn);
        w.mapping->setCurrentIndex(planTarget);
        w.mapping->edit(planTarget);
        auto *combo = w.mapping->findChild<QComboBox *>(QStringLiteral("targetComboBox"));
        QVERIFY(combo);
        QVERIFY(combo->findText(QStringLiteral("prop.plan")) >= 0);
        QVERIFY(combo->findText(QStringLiteral("meta.plan")) >= 0);
        combo->setCurrentText(QStringLiteral("ignore"));
        emit w.mapping->itemDelegate()->commitData(combo);
        emit w.mapping->itemDelegate()->closeEditor(combo);
        QCOMPARE(planTarget.data().toString(), QStringLiteral("ignore"));
        QVERIFY2(!w.preview->toPlainText().contains(QLatin1String("\"plan\"")),
                 qPrintable(w.preview->toPlainText()));

        // An unknown target is refused; identification columns take no type.
        QVERIFY(!model->setData(planTarget, QStringLiteral("nonsense")));
        QCOMPARE(planTarget.data().toString(), QStringLiteral("ignore"));
        QVERIFY(!(model->flags(model->index(mappingRow(model, QStringLiteral("userId")),
                                            ImportMappingModel::TypeColumn)) &
                  Qt::ItemIsEditable));

        ImportPage::setNextFileName(mappingFile);
        QTest::mouseClick(w.saveMapping, Qt::LeftButton);
        QVERIFY2(QFile::exists(mappingFile), qPrintable(w.message->text()));
    }

    // Another page, the same file: defaults again until the mapping file is loaded.
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    w.chooseFile(csv);
    const ImportMappingModel *model = page.mappingModel();
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TypeColumn), QStringLiteral("number"));
    ImportPage::setNextFileName(mappingFile);
    QTest::mouseClick(w.loadMapping, Qt::LeftButton);
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TypeColumn), QStringLiteral("string"));
    QCOMPARE(cell(model, QStringLiteral("plan"), ImportMappingModel::TargetColumn), QStringLiteral("ignore"));
    QVERIFY(w.preview->toPlainText().contains(QLatin1String(R"("age":"36")")));

    // A broken mapping file changes nothing and says why.
    const QString broken = t.dir.filePath(QStringLiteral("broken.json"));
    QVERIFY(writeFile(broken, "{\"columns\": [{\"column\": \"age\", \"target\": \"nowhere\"}]}"));
    ImportPage::setNextFileName(broken);
    QTest::mouseClick(w.loadMapping, Qt::LeftButton);
    QVERIFY2(w.message->text().contains(QLatin1String("nowhere")), qPrintable(w.message->text()));
    QCOMPARE(cell(model, QStringLiteral("age"), ImportMappingModel::TargetColumn),
             QStringLiteral("prop.age"));
}

void TestImportPage::checkReportsBadRowsWithTheirLines()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, usersCsv()));
    w.chooseFile(csv);
    const qint64 requestsBefore = apiRequests(t.session);
    QVERIFY(requestsBefore >= 0); // the sandbox answered, so "nothing more was sent" means something

    QSignalSpy checked(&page, &ImportPage::checkFinished);
    QTest::mouseClick(w.check, Qt::LeftButton);
    QCOMPARE(checked.count(), 1);
    QCOMPARE(checked.at(0).at(0).toBool(), true);
    const QStringList lines = w.reportLines();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("row 203 (line 205): ")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(0).contains(QLatin1String("age")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QLatin1String("row 204 (line 206): ")), qPrintable(lines.at(1)));
    QCOMPARE(w.report->item(0)->data(Qt::UserRole).toLongLong(), 203);
    QCOMPARE(w.report->item(0)->data(Qt::UserRole + 1).toLongLong(), 205);
    QVERIFY2(w.progress->text().contains(QLatin1String("205 row(s) checked: 203 valid, 2 with problems")),
             qPrintable(w.progress->text()));
    QCOMPARE(w.progressBar->value(), w.progressBar->maximum());
    // A check sends nothing and leaves no job behind.
    QCOMPARE(apiRequests(t.session), requestsBefore);
    QCOMPARE(storedUsers(t.session), 0);
    QVERIFY(!QFile::exists(t.dir.filePath(QStringLiteral("imports.sqlite"))));
}

void TestImportPage::checkCountsLintFindingsPerRule()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("lint.csv"));
    QVERIFY(writeFile(csv, "userId,email,plan\n"
                           "u-1,a@x.com,Pro\n"
                           "ann@acme.com,ann@acme.com,Pro\n"
                           "bob@acme.com,,Starter\n"
                           ",bad-email,Pro\n"));
    w.chooseFile(csv);
    QSignalSpy checked(&page, &ImportPage::checkFinished);
    QTest::mouseClick(w.check, Qt::LeftButton);
    QCOMPARE(checked.count(), 1);
    const QStringList lines = w.reportLines();
    // The problem first, then the lint per rule: two rows, the first ones as examples.
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("row 4 (line 5): ")), qPrintable(lines.at(0)));
    QVERIFY2(lines.at(1).startsWith(QStringLiteral("lint warning email-as-user-id: 2 row(s), e.g. 2, 3 — "
                                                   "identification.userId: userId 'ann@acme.com'")),
             qPrintable(lines.at(1)));
    QCOMPARE(w.report->item(1)->data(Qt::UserRole).toLongLong(), 2);
    QCOMPARE(w.report->item(1)->data(Qt::UserRole + 2).toString(), QStringLiteral("email-as-user-id"));
    // Advice, not problems: the three rows stay valid.
    QVERIFY2(w.progress->text().contains(QLatin1String("4 row(s) checked: 3 valid, 1 with problems")),
             qPrintable(w.progress->text()));
}

void TestImportPage::checkKeepsTheWindowResponsiveAndStops()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("many.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(60000, "m")));
    w.chooseFile(csv);

    // Timers fire while the file is read: the event loop gets its turns.
    int ticks = 0;
    bool controlsLocked = true;
    QTimer timer;
    timer.setInterval(0);
    connect(&timer, &QTimer::timeout, &page, [&] {
        ++ticks;
        controlsLocked =
            controlsLocked && !w.start->isEnabled() && !w.check->isEnabled() && w.cancel->isEnabled();
    });
    QList<int> progressValues;
    connect(w.progressBar, &QProgressBar::valueChanged, &page, [&](int value) { progressValues << value; });
    QSignalSpy checked(&page, &ImportPage::checkFinished);
    timer.start();
    QTest::mouseClick(w.check, Qt::LeftButton);
    timer.stop();
    QCOMPARE(checked.count(), 1);
    QCOMPARE(checked.at(0).at(0).toBool(), true);
    QVERIFY2(ticks > 0, "no timer fired while the file was checked");
    QVERIFY(controlsLocked);
    QVERIFY2(progressValues.size() >= 3, qPrintable(QString::number(progressValues.size())));
    QVERIFY(std::is_sorted(progressValues.begin(), progressValues.end()));
    QVERIFY2(w.progress->text().contains(QLatin1String("60000 row(s) checked: 60000 valid")),
             qPrintable(w.progress->text()));
    QVERIFY(w.check->isEnabled());

    // Cancel stops a check half-way.
    QTimer::singleShot(0, w.cancel, [&w] { QTest::mouseClick(w.cancel, Qt::LeftButton); });
    QTest::mouseClick(w.check, Qt::LeftButton);
    QCOMPARE(checked.count(), 2);
    QCOMPARE(checked.at(1).at(0).toBool(), false);
    QVERIFY2(w.progress->text().startsWith(QLatin1String("Check stopped after")),
             qPrintable(w.progress->text()));
    QVERIFY2(!w.progress->text().contains(QLatin1String("60000")), qPrintable(w.progress->text()));
    QVERIFY(w.check->isEnabled());
    QVERIFY(w.start->isEnabled());
}

void TestImportPage::startImportsEveryValidRowAndExportsTheFailedOnes()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, usersCsv()));
    w.chooseFile(csv);
    QVERIFY(w.start->isEnabled());
    QVERIFY(!w.exportFailed->isEnabled());

    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(page.jobId() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);

    QCOMPARE(storedUsers(t.session), 203);
    const SandboxInspection ada = user(t.session, QStringLiteral("u1"));
    QCOMPARE(ada.status, 200);
    const QJsonObject properties = ada.body.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("age")).type(), QJsonValue::Double);
    QCOMPARE(properties.value(QLatin1String("age")).toDouble(), 36.0);
    QCOMPARE(properties.value(QLatin1String("paying")).type(), QJsonValue::Bool);
    QCOMPARE(properties.value(QLatin1String("paying")).toBool(), true);
    QCOMPARE(properties.value(QLatin1String("plan")).toString(), QStringLiteral("Pro"));
    QCOMPARE(properties.value(QLatin1String("signedUpAt")).type(), QJsonValue::String);
    QCOMPARE(ada.body.value(QLatin1String("email")).toString(), QStringLiteral("ada@example.com"));
    const QJsonObject bob =
        user(t.session, QStringLiteral("u2")).body.value(QLatin1String("properties")).toObject();
    QCOMPARE(bob.value(QLatin1String("plan")).toString(), QStringLiteral("Pro\nPlus"));
    QCOMPARE(bob.value(QLatin1String("paying")).toBool(true), false);
    QCOMPARE(user(t.session, QStringLiteral("u205")).status, 200);
    QCOMPARE(user(t.session, QStringLiteral("u203")).status, 404); // its age is no number

    QVERIFY2(w.summary->text().contains(
                 QStringLiteral("Job %1: 203 of 205 row(s) done, 2 failed.").arg(page.jobId())),
             qPrintable(w.summary->text()));
    QVERIFY2(w.progress->text().startsWith(QLatin1String("203 done / 2 failed / 0 remaining")),
             qPrintable(w.progress->text()));
    QCOMPARE(w.progressBar->value(), w.progressBar->maximum());
    const QStringList lines = w.reportLines();
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).startsWith(QLatin1String("row 203 (line 205): ")), qPrintable(lines.at(0)));
    QCOMPARE(unfinishedJob(journalPath), 0); // the job is finished in the journal the CLI shares
    const BulkJournal::Counts counts = journalCounts(journalPath, page.jobId());
    QCOMPARE(counts.done, 203);
    QCOMPARE(counts.failed, 2);

    // The failed rows as CSV, the CLI's format: the headers plus "error", original cells.
    QVERIFY(w.exportFailed->isEnabled());
    const QString failedCsv = t.dir.filePath(QStringLiteral("failed.csv"));
    ImportPage::setNextFileName(failedCsv);
    QTest::mouseClick(w.exportFailed, Qt::LeftButton);
    QFile file(failedCsv);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(w.message->text()));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.startsWith("userId,email,age,paying,signedUpAt,plan,error\r\n"), bytes.constData());
    QVERIFY2(bytes.contains("\r\nu203,user203@example.com,thirty,true,2024-06-01T08:00:00Z,Basic,"),
             bytes.constData());
    QVERIFY2(bytes.contains("\r\n,,"), bytes.constData()); // row 204, which names nobody

    // Read back with the importer's own reader: ready to fix and import again.
    ImportPreparer again;
    QString error;
    QVERIFY2(again.open(failedCsv, ImportKind(), &error), qPrintable(error));
    QCOMPARE(again.headers(),
             (QStringList{QStringLiteral("userId"), QStringLiteral("email"), QStringLiteral("age"),
                          QStringLiteral("paying"), QStringLiteral("signedUpAt"), QStringLiteral("plan"),
                          QStringLiteral("error")}));
    QCOMPARE(again.sample().size(), 2);
    QCOMPARE(again.sample().at(0).values.mid(0, 6),
             (QStringList{QStringLiteral("u203"), QStringLiteral("user203@example.com"),
                          QStringLiteral("thirty"), QStringLiteral("true"),
                          QStringLiteral("2024-06-01T08:00:00Z"), QStringLiteral("Basic")}));
    QVERIFY2(again.sample().at(0).values.value(6).contains(QLatin1String("age")),
             qPrintable(again.sample().at(0).values.value(6)));
    QVERIFY(!again.sample().at(1).values.value(6).isEmpty());
    QCOMPARE(again.sample().at(1).values.value(2), QString::number(20 + 204 % 50));
}

void TestImportPage::propertiesNotStoredAreShownAndExported()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QSignalSpy finished(&page, &ImportPage::importFinished);
    // The sandbox types "seats" as a number on first sight; words there later are not stored.
    const QString first = t.dir.filePath(QStringLiteral("first.csv"));
    QVERIFY(writeFile(first, "userId,email,seats\nw-1,w1@example.com,3\n"));
    w.chooseFile(first);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY(!w.exportFailed->isEnabled());

    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, "userId,email,seats,plan\nw-2,w2@example.com,many,Pro\nw-3,w3@example.com,,Free\n"
                           "w-4,w4@example.com,lots,Pro\n"));
    w.chooseFile(csv);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 60000);
    QVERIFY2(w.summary->text().contains(QLatin1String("3 of 3 row(s) done, 0 failed.")),
             qPrintable(w.summary->text()));
    QVERIFY2(w.summary->text().contains(QLatin1String("2 row(s) with properties not stored: seats (2)")),
             qPrintable(w.summary->text()));

    QVERIFY(w.exportFailed->isEnabled());
    const QString exported = t.dir.filePath(QStringLiteral("exported.csv"));
    ImportPage::setNextFileName(exported);
    QTest::mouseClick(w.exportFailed, Qt::LeftButton);
    QFile file(exported);
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(w.message->text()));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.startsWith("userId,email,seats,plan,error\r\n"), bytes.constData());
    QVERIFY2(bytes.contains("\r\nw-2,w2@example.com,many,Pro,warning: stored without seats: "),
             bytes.constData());
    QVERIFY2(bytes.contains("\r\nw-4,"), bytes.constData());
    QVERIFY2(!bytes.contains("w-3"), bytes.constData());
    QVERIFY2(w.message->text().contains(QLatin1String("2 row(s) with properties not stored")),
             qPrintable(w.message->text()));
}

void TestImportPage::membershipsOfOneAccountGoInCallsOf100()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QByteArray bytes = "userId,accountId\n";
    for (int i = 1; i <= 150; ++i)
        bytes += "member-" + QByteArray::number(i) + ",acme\n";
    const QString csv = t.dir.filePath(QStringLiteral("members.csv"));
    QVERIFY(writeFile(csv, bytes));
    w.chooseKind(ImportKind::Kind::Memberships);
    w.chooseFile(csv);
    QVERIFY(w.remove->isEnabled());
    QVERIFY2(w.preview->toPlainText().contains(QLatin1String("POST /accounts/users/add")),
             qPrintable(w.preview->toPlainText()));
    const qint64 requestsBefore = apiRequests(t.session);
    QVERIFY(requestsBefore >= 0); // the sandbox answered, so "nothing more was sent" means something

    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);

    const SandboxInspection account =
        inspect(t.session, QStringLiteral("/_sandbox/accounts"),
                QUrlQuery{{QStringLiteral("accountId"), QStringLiteral("acme")}});
    QCOMPARE(account.status, 200);
    const QJsonArray members = account.body.value(QLatin1String("members")).toArray();
    QCOMPARE(members.size(), 150);
    QSet<QString> ids;
    for (const QJsonValue &member : members) {
        QCOMPARE(member.toObject().value(QLatin1String("removed")).toBool(true), false);
        ids.insert(member.toObject().value(QLatin1String("userId")).toString());
    }
    QCOMPARE(ids.size(), 150);
    QVERIFY(ids.contains(QStringLiteral("member-1")) && ids.contains(QStringLiteral("member-150")));
    // 150 rows of one account: one call of 100 users and one of 50 (nothing else was sent).
    QCOMPARE(apiRequests(t.session) - requestsBefore, 2);
    QVERIFY2(w.summary->text().contains(QLatin1String("150 of 150 row(s) done, 0 failed")),
             qPrintable(w.summary->text()));
}

void TestImportPage::deleteAsksFirst()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("gone.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(5, "d")));
    w.chooseFile(csv);
    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(storedUsers(t.session), 5);

    w.remove->setChecked(true);
    QVERIFY2(w.preview->toPlainText().contains(QLatin1String("DELETE /users")),
             qPrintable(w.preview->toPlainText()));
    const qint64 firstJob = page.jobId();
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QLatin1String("gone.csv")));
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QLatin1String("Sandbox")));
    QVERIFY(!page.isBusy());
    QCOMPARE(page.jobId(), firstJob); // refused: no job was even written
    QCOMPARE(storedUsers(t.session), 5);

    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(page.jobId() > firstJob);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QCOMPARE(finished.at(1).at(0).toBool(), false);
    QCOMPARE(user(t.session, QStringLiteral("d1")).status, 404);
    QCOMPARE(user(t.session, QStringLiteral("d5")).status, 404);
}

void TestImportPage::pausesAndResumes()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("pause.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(40, "p")));
    w.chooseFile(csv);
    w.rate->setValue(600); // one request every 100 ms: 40 rows take about 4 s
    QVERIFY(!w.pause->isEnabled());

    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(w.pause->isEnabled());
    QVERIFY(!w.start->isEnabled());
    QVERIFY(!w.file->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(storedUsers(t.session) >= 5, 20000);
    QTest::mouseClick(w.pause, Qt::LeftButton);
    QCOMPARE(w.pause->text(), QStringLiteral("Resume"));
    // Calls in flight finish (a few milliseconds on loopback, longer on a loaded machine); then
    // nothing more is sent. Sending paces one row per 100 ms, so 400 ms without a new user
    // means the calls in flight are done.
    qint64 paused = storedUsers(t.session);
    for (int i = 0; i < 20; ++i) {
        QTest::qWait(400);
        const qint64 now = storedUsers(t.session);
        if (now == paused)
            break;
        paused = now;
    }
    QTest::qWait(1000);
    QCOMPARE(storedUsers(t.session), paused);
    QVERIFY2(paused < 40, qPrintable(QString::number(paused)));
    QCOMPARE(finished.count(), 0);
    QVERIFY2(w.progress->text().contains(QLatin1String("paused")), qPrintable(w.progress->text()));

    QTest::mouseClick(w.pause, Qt::LeftButton);
    QCOMPARE(w.pause->text(), QStringLiteral("Pause"));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(storedUsers(t.session), 40);
    QVERIFY2(w.summary->text().contains(QLatin1String("40 of 40 row(s) done, 0 failed")),
             qPrintable(w.summary->text()));
    QVERIFY(!w.pause->isEnabled());
    QVERIFY(w.start->isEnabled());
}

void TestImportPage::rateLimitedWaitIsShown()
{
    PageTestSession t;
    // A sandbox that answers about a third of the requests 429 with Retry-After: 1.
    SandboxConfig::Faults faults;
    faults.burstRate = 0.3;
    faults.burstLength = 1;
    faults.seed = 5;
    QVERIFY(t.addProfile(QStringLiteral("limited"), QStringLiteral("sk_limited"),
                         SandboxConfig::allPermissions(), faults));
    QVERIFY(t.activate(QStringLiteral("limited")));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("limited.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(20, "l")));
    w.chooseFile(csv);
    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_VERIFY2_WITH_TIMEOUT(w.progress->text().contains(QStringLiteral(" · rate limited, retrying in 1 s")),
                              qPrintable(w.progress->text()), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    // Once done, the notice is gone and every row arrived.
    QVERIFY2(!w.progress->text().contains(QLatin1String("rate limited")), qPrintable(w.progress->text()));
    QVERIFY2(w.summary->text().contains(QLatin1String("20 of 20 row(s) done, 0 failed")),
             qPrintable(w.summary->text()));
    QNetworkAccessManager nam;
    QNetworkReply *reply =
        nam.get(QNetworkRequest(QUrl(t.otherServer->baseUrl().toString() + "/_sandbox/stats")));
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 10000);
    const QJsonObject stats = QJsonDocument::fromJson(reply->readAll()).object();
    delete reply;
    QCOMPARE(stats.value(QLatin1String("users")).toInt(), 20);
    QVERIFY(stats.value(QLatin1String("rateLimited")).toInt() > 0);
}

void TestImportPage::cancelLeavesTheRestForResumeLastJob()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("cancel.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(40, "c")));
    w.chooseFile(csv);
    w.rate->setValue(600);

    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    const qint64 jobId = page.jobId();
    QTRY_VERIFY_WITH_TIMEOUT(storedUsers(t.session) >= 3, 20000);
    QTest::mouseClick(w.cancel, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    const qint64 sent = storedUsers(t.session);
    QVERIFY2(sent < 40, qPrintable(QString::number(sent)));
    QVERIFY2(w.summary->text().contains(QStringLiteral("Stopped with %1 row(s) not sent").arg(40 - sent)),
             qPrintable(w.summary->text()));
    QCOMPARE(unfinishedJob(journalPath), jobId);

    // Another page (the console restarted) picks the job up.
    ImportPage later(&t.session, journalPath);
    ImportWidgets l(later);
    QSignalSpy laterFinished(&later, &ImportPage::importFinished);
    QVERIFY(l.resume->isEnabled());
    QTest::mouseClick(l.resume, Qt::LeftButton);
    QCOMPARE(later.jobId(), jobId);
    QTRY_COMPARE_WITH_TIMEOUT(laterFinished.count(), 1, 30000);
    QCOMPARE(laterFinished.at(0).at(0).toBool(), false);
    QCOMPARE(storedUsers(t.session), 40);
    QVERIFY2(l.summary->text().contains(QStringLiteral("Job %1: 40 of 40 row(s) done, 0 failed.").arg(jobId)),
             qPrintable(l.summary->text()));
    QCOMPARE(unfinishedJob(journalPath), 0);

    // Nothing left to resume.
    QTest::mouseClick(l.resume, Qt::LeftButton);
    QVERIFY2(l.message->text().contains(QLatin1String("no unfinished import job")),
             qPrintable(l.message->text()));
}

void TestImportPage::resumesAJobLeftWithRowsInFlight()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    QByteArray bytes = "name,userId,plan\n";
    for (int i = 1; i <= 30; ++i)
        bytes += "signed_up,event-user-" + QByteArray::number(i) + ",Pro\n";
    const QString csv = t.dir.filePath(QStringLiteral("events.csv"));
    QVERIFY(writeFile(csv, bytes));

    // What a `journy import` killed mid-job leaves: rows 1-3 in flight, the rest pending.
    qint64 jobId = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        ImportPreparer preparer;
        ImportKind kind;
        kind.kind = ImportKind::Kind::Events;
        QVERIFY2(preparer.open(csv, kind, &error), qPrintable(error));
        ImportPreparer::Report report;
        jobId = preparer.enqueue(&journal, t.session.profile().name, &report, &error);
        QVERIFY2(jobId > 0, qPrintable(error));
        QCOMPARE(report.valid, 30);
        const QList<BulkJournal::Row> taken = journal.takePending(jobId, 3);
        QCOMPARE(taken.size(), 3);
        for (const BulkJournal::Row &row : taken)
            QVERIFY(journal.markSent({row.id})); // their requests went out, as the importer marks them
        QCOMPARE(journal.counts(jobId).inFlight, 3);
    }

    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QCOMPARE(page.jobId(), jobId);
    QVERIFY2(w.message->text().contains(QStringLiteral("Resuming job %1").arg(jobId)),
             qPrintable(w.message->text()));
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);

    const QJsonArray events = inspect(t.session, QStringLiteral("/_sandbox/events"),
                                      QUrlQuery{{QStringLiteral("name"), QStringLiteral("signed_up")}})
                                  .body.value(QLatin1String("data"))
                                  .toArray();
    QCOMPARE(events.size(), 30);
    QSet<QString> users;
    for (const QJsonValue &event : events)
        users.insert(QString::fromUtf8(QJsonDocument(event.toObject()).toJson(QJsonDocument::Compact)));
    for (int i = 1; i <= 30; ++i)
        QVERIFY(std::any_of(users.begin(), users.end(), [i](const QString &event) {
            return event.contains(QStringLiteral("\"event-user-%1\"").arg(i));
        }));
    const BulkJournal::Counts counts = journalCounts(journalPath, jobId);
    QCOMPARE(counts.done, 30);
    QCOMPARE(counts.inFlight, 0);
    QCOMPARE(unfinishedJob(journalPath), 0);
    // Events that were in flight may have reached the server before the crash: listed.
    const QString summary = w.summary->text();
    QVERIFY2(summary.contains(QLatin1String("3 row(s) were in flight when the job stopped")),
             qPrintable(summary));
    QVERIFY2(
        summary.contains(QLatin1String("Possibly duplicated events (in flight when the job stopped, sent "
                                       "again): rows 1, 2, 3.")),
        qPrintable(summary));
}

void TestImportPage::resumeRefusesAJobOfAnotherProfile()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(5, "x")));
    qint64 jobId = 0;
    {
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        ImportPreparer preparer;
        QVERIFY2(preparer.open(csv, ImportKind(), &error), qPrintable(error));
        ImportPreparer::Report report;
        jobId = preparer.enqueue(&journal, QStringLiteral("Acme Production"), &report, &error);
        QVERIFY2(jobId > 0, qPrintable(error));
    }
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QVERIFY2(w.message->text().contains(QLatin1String("Acme Production")), qPrintable(w.message->text()));
    QVERIFY(!page.isBusy());
    QTest::qWait(300);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(storedUsers(t.session), 0);
    QCOMPARE(journalCounts(journalPath, jobId).pending, 5);
}

void TestImportPage::profileSwitchStopsTheJobForResume()
{
    PageTestSession t;
    QVERIFY(sandboxAndOther(t));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("switch.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(40, "s")));
    w.chooseFile(csv);
    w.rate->setValue(600);

    QSignalSpy finished(&page, &ImportPage::importFinished);
    QTest::mouseClick(w.start, Qt::LeftButton);
    const qint64 jobId = page.jobId();
    QTRY_VERIFY_WITH_TIMEOUT(storedUsers(t.session) >= 3, 20000);
    // The session retires the client the importer sends through: the job stops at once.
    t.session.activate(QStringLiteral("Other"));
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    QVERIFY(!page.isBusy());
    QVERIFY2(w.summary->text().contains(QLatin1String("The profile changed")), qPrintable(w.summary->text()));
    QVERIFY2(w.summary->text().contains(QLatin1String("Sandbox")), qPrintable(w.summary->text()));
    QVERIFY(QTest::qWaitFor([&t] { return t.session.permissionsKnown(); }, 10000));
    QTest::qWait(300); // a stray send through a dead client would crash or land here
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 0);

    // The job belongs to the Sandbox: not resumed here, resumed there.
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QVERIFY2(w.message->text().contains(QLatin1String("switch to that profile")),
             qPrintable(w.message->text()));
    QCOMPARE(finished.count(), 1);
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QCOMPARE(page.jobId(), jobId);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QCOMPARE(finished.at(1).at(0).toBool(), false);
    QCOMPARE(storedUsers(t.session), 40);
    QCOMPARE(unfinishedJob(journalPath), 0);
}

void TestImportPage::importIntoProductionIsConfirmedByName()
{
    PageTestSession t;
    QVERIFY(activateProduction(t, QStringLiteral("Acme Prod")));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("prod.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(7, "p")));
    w.chooseFile(csv);

    // Refused: nothing reaches the server, and the job can never be resumed unasked.
    QSignalSpy finished(&page, &ImportPage::importFinished);
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY2(asksForProduction(ConfirmationDialog::lastQuestion(), QStringLiteral("prod.csv")),
             qPrintable(ConfirmationDialog::lastQuestion()));
    QVERIFY(!page.isBusy());
    QVERIFY2(w.progress->text().contains(QLatin1String("not confirmed")), qPrintable(w.progress->text()));
    QTest::qWait(200);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(unfinishedJob(journalPath), 0);

    // Confirmed: every row is sent.
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 7);
}

void TestImportPage::resumeIntoProductionIsConfirmedByName()
{
    PageTestSession t;
    QVERIFY(activateProduction(t, QStringLiteral("Acme Prod")));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    const QString csv = t.dir.filePath(QStringLiteral("resume-prod.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(10, "rp")));

    // A job for the production profile stopped part-way (by the CLI, or a console that crashed):
    // rows 1-3 done, row 4 in flight, 6 pending — 7 left to send.
    qint64 jobId = 0;
    {
        QString error;
        BulkJournal journal;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        ImportPreparer preparer;
        QVERIFY2(preparer.open(csv, ImportKind(), &error), qPrintable(error));
        ImportPreparer::Report report;
        jobId = preparer.enqueue(&journal, QStringLiteral("Acme Prod"), &report, &error);
        QVERIFY2(jobId > 0, qPrintable(error));
        QList<qint64> done;
        for (const BulkJournal::Row &row : journal.takePending(jobId, 3))
            done << row.id;
        QVERIFY(journal.markSent(done));
        journal.markDone(done, QStringLiteral("req-earlier"));
        const QList<BulkJournal::Row> inFlight = journal.takePending(jobId, 1);
        QCOMPARE(inFlight.size(), 1);
        QVERIFY(journal.markSent({inFlight.first().id}));
        const BulkJournal::Counts counts = journal.counts(jobId);
        QCOMPARE(counts.done, 3);
        QCOMPARE(counts.inFlight, 1);
        QCOMPARE(counts.pending, 6);
    }

    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    QSignalSpy finished(&page, &ImportPage::importFinished);

    // Refused: nothing is sent and the job stays as it was, ready for a later resume.
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QVERIFY2(asksForProduction(ConfirmationDialog::lastQuestion(), QStringLiteral("resume-prod.csv")),
             qPrintable(ConfirmationDialog::lastQuestion()));
    QVERIFY(!page.isBusy());
    QVERIFY2(w.message->text().contains(QLatin1String("not confirmed")), qPrintable(w.message->text()));
    QTest::qWait(200);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(unfinishedJob(journalPath), jobId);
    const BulkJournal::Counts kept = journalCounts(journalPath, jobId);
    QCOMPARE(kept.pending, 6);
    QCOMPARE(kept.inFlight, 1);
    QCOMPARE(kept.done, 3);

    // Confirmed: the 7 rows left are sent, not the 3 done before.
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(w.resume, Qt::LeftButton);
    QCOMPARE(page.jobId(), jobId);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 7);
    QCOMPARE(unfinishedJob(journalPath), 0);
}

void TestImportPage::fileOfAnotherProfileIsNoticedAndConfirmed()
{
    PageTestSession t;
    QVERIFY(sandboxAndOther(t));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    auto *notice = page.findChild<QLabel *>(QStringLiteral("profileNoticeLabel"));
    QVERIFY(notice);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));

    // Prepared under the Sandbox: the file, and a mapping edited by hand (plan is not sent).
    const QString csv = t.dir.filePath(QStringLiteral("prepared.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(5, "pp")));
    w.chooseFile(csv);
    ImportMappingModel *model = page.mappingModel();
    QVERIFY(model->setData(
        model->index(mappingRow(model, QStringLiteral("plan")), ImportMappingModel::TargetColumn),
        QStringLiteral("ignore")));
    QVERIFY(!notice->isVisible());

    // Another profile: the file and the mapping stay, with a notice naming both profiles.
    QVERIFY(t.activate(QStringLiteral("Other")));
    QVERIFY(notice->isVisible());
    QCOMPARE(notice->text(),
             QStringLiteral("Prepared for profile Sandbox — check the mapping before importing "
                            "into Other. Start asks to confirm."));
    QCOMPARE(w.file->text(), csv);
    QCOMPARE(cell(model, QStringLiteral("plan"), ImportMappingModel::TargetColumn), QStringLiteral("ignore"));

    // Back on the profile it was prepared for: nothing to notice.
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(!notice->isVisible());
    QVERIFY(t.activate(QStringLiteral("Other")));
    QVERIFY(notice->isVisible());

    // Start asks first; refused, nothing is journaled or sent and the notice stays.
    QSignalSpy finished(&page, &ImportPage::importFinished);
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(w.start, Qt::LeftButton);
    const QString question = ConfirmationDialog::lastQuestion();
    QVERIFY2(question.contains(
                 QLatin1String("prepared.csv and its mapping were prepared for the profile Sandbox")),
             qPrintable(question));
    QVERIFY2(question.contains(QLatin1String("into the profile Other")), qPrintable(question));
    QVERIFY(!page.isBusy());
    QCOMPARE(page.jobId(), 0);
    QVERIFY2(w.message->text().startsWith(QLatin1String("Nothing was sent")), qPrintable(w.message->text()));
    QVERIFY(notice->isVisible());
    QTest::qWait(200);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(unfinishedJob(journalPath), 0);

    // Confirmed: sent to Other with the mapping as edited; the notice goes.
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(!notice->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 5);
    const SandboxInspection stored =
        SandboxInspection::get(t.otherServer->baseUrl(), QStringLiteral("/_sandbox/users"),
                               QUrlQuery{{QStringLiteral("userId"), QStringLiteral("pp1")}});
    QCOMPARE(stored.status, 200);
    // Sent without plan, as the mapping said (a default mapping sends it as a property).
    QCOMPARE(stored.body.value(QLatin1String("properties")).toObject().value(QLatin1String("plan")),
             QJsonValue(QJsonValue::Undefined));
    QCOMPARE(storedUsers(t.session), 0); // and nothing went to the Sandbox

    // A new file chosen under Other is Other's: no notice, no question.
    const QString fresh = t.dir.filePath(QStringLiteral("fresh.csv"));
    QVERIFY(writeFile(fresh, manyUsersCsv(2, "fr")));
    w.chooseFile(fresh);
    QVERIFY(!notice->isVisible());
}

void TestImportPage::fileOfAnotherProfileIsNamedInTheProductionQuestion()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    const QString journalPath = t.dir.filePath(QStringLiteral("imports.sqlite"));
    ImportPage page(&t.session, journalPath);
    ImportWidgets w(page);
    QVERIFY(w.complete());
    const QString csv = t.dir.filePath(QStringLiteral("prod.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(7, "sw")));
    w.chooseFile(csv);
    QVERIFY(activateProduction(t, QStringLiteral("Acme Prod")));
    auto *notice = page.findChild<QLabel *>(QStringLiteral("profileNoticeLabel"));
    QVERIFY(notice && !notice->isHidden());

    // One question, the typed production one, says where the file was prepared; refused, nothing
    // is sent and the notice stays.
    QSignalSpy finished(&page, &ImportPage::importFinished);
    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(w.start, Qt::LeftButton);
    const QString question = ConfirmationDialog::lastQuestion();
    QVERIFY2(question.startsWith(
                 QLatin1String("prod.csv and its mapping were prepared for the profile Sandbox. ")),
             qPrintable(question));
    QVERIFY2(asksForProduction(question, QStringLiteral("prod.csv")), qPrintable(question));
    QVERIFY(!page.isBusy());
    QVERIFY(!notice->isHidden());
    QTest::qWait(200);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(unfinishedJob(journalPath), 0);

    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(notice->isHidden());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("users")).toInt(), 7);
    QCOMPARE(storedUsers(t.session), 0);
}

void TestImportPage::startNeedsAReadySessionAndThePermission()
{
    PageTestSession t;
    const QString csv = t.dir.filePath(QStringLiteral("users.csv"));
    QVERIFY(writeFile(csv, manyUsersCsv(5, "r")));
    ImportPage page(&t.session, t.dir.filePath(QStringLiteral("imports.sqlite")));
    ImportWidgets w(page);
    QVERIFY(w.complete());
    w.chooseFile(csv);
    // No profile active yet: the file can be checked, not sent.
    QVERIFY(w.check->isEnabled());
    QVERIFY(!w.start->isEnabled());
    QVERIFY(!w.resume->isEnabled());

    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(w.start->isEnabled());
    QVERIFY(w.resume->isEnabled());

    // A key that may only read: nothing to send with it.
    QVERIFY(
        t.addProfile(QStringLiteral("Reader"), QStringLiteral("reader-key"), {QStringLiteral("ReadEvents")}));
    QVERIFY(t.activate(QStringLiteral("Reader")));
    QVERIFY(!w.start->isEnabled());
    QVERIFY2(w.start->toolTip().contains(QLatin1String("TrackData")), qPrintable(w.start->toolTip()));
    QTest::mouseClick(w.start, Qt::LeftButton);
    QVERIFY(!page.isBusy());
    QVERIFY(!QFile::exists(t.dir.filePath(QStringLiteral("imports.sqlite"))));

    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(w.start->isEnabled());
}

QTEST_MAIN(TestImportPage)
#include "tst_ImportPage.moc"

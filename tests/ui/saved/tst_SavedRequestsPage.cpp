// Saved requests in the console (issue #13): "Save as…" on a form keeps the request per profile or
// for all profiles, the Saved page lists what the active profile sees, Open fills the form exactly
// as saved without sending, and Send then delivers that body to the sandbox. Export and import
// share a JSON file that is the user's only and never holds a key.
#include "store/HistoryStore.h"
#include "store/SavedRequestStore.h"
#include "support/PageTestSession.h"
#include "support/SandboxInspection.h"
#include "ui/forms/FieldTableEditor.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/OperationPage.h"
#include "ui/forms/TypedFieldModel.h"
#include "ui/saved/SaveRequestDialog.h"
#include "ui/saved/SavedRequestModel.h"
#include "ui/saved/SavedRequestsPage.h"
#include "ui/widgets/ConfirmationDialog.h"
#include "ui/window/MainWindow.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDialog>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

namespace {

const QString profileB = QStringLiteral("B");
const QString keyB = QStringLiteral("b-key-4f1c9e0d7a2b-do-not-store");

QStringList listedNames(const SavedRequestsPage *page)
{
    QStringList names;
    for (const SavedRequest &request : page->model()->requests())
        names << request.name;
    return names;
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "600" for rw-------: the owner's, the group's and the others' bits (Qt keeps the owner's twice,
// as Owner and User).
QString permissionBits(const QString &path)
{
    const int bits = int(QFile::permissions(path));
    return QStringLiteral("%1%2%3").arg((bits >> 12) & 7).arg((bits >> 4) & 7).arg(bits & 7);
}

} // namespace

class tst_SavedRequestsPage : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void savedUnderAProfileIsListedUnderItOnly();
    void openFillsTheFormAndSendDeliversThatBody();
    void everyFormSavesAndOpensItsRequest();
    void saveAsKeepsWhatTheJsonTabWouldSend();
    void saveAsTheSameNameAsksBeforeReplacing();
    void renameAndDeleteAsk();
    void exportThenImportWithoutAKeyInAnyFile();
    void aMalformedImportChangesNothing();
    void theRealDialogAsksANameAndAScope();

private:
    bool openWindow();
    OperationForm *eventForm();
    void fillEvent(const QString &name, const QString &userId);
    bool saveAs(const QString &name, bool allProfiles);
    SavedRequestsPage *savedPage();
    bool activate(const QString &profile);
    void selectRow(SavedRequestsPage *page, const QString &name);
    void click(QWidget *root, const char *objectName);
    QString storeFile() const
    {
        return m_data->filePath(QStringLiteral("journy-console/saved-requests.json"));
    }

    std::unique_ptr<QTemporaryDir> m_data;
    QByteArray m_oldDataHome;
    std::unique_ptr<PageTestSession> m_t;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<MainWindow> m_window;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void tst_SavedRequestsPage::init()
{
    // The window keeps saved requests in the data folder: a fresh one per test.
    m_data = std::make_unique<QTemporaryDir>();
    m_oldDataHome = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_data->path()));
    m_t = std::make_unique<PageTestSession>();
    m_history = std::make_unique<HistoryStore>();
    QVERIFY(m_t->addProfile(profileB, keyB, SandboxConfig::allPermissions()));
    QVERIFY(openWindow());
}

void tst_SavedRequestsPage::cleanup()
{
    m_tester.reset();
    m_window.reset();
    m_history.reset();
    m_t.reset();
    if (m_oldDataHome.isNull())
        qunsetenv("XDG_DATA_HOME");
    else
        qputenv("XDG_DATA_HOME", m_oldDataHome);
    m_data.reset();
}

bool tst_SavedRequestsPage::openWindow()
{
    m_window = std::make_unique<MainWindow>(&m_t->session, m_history.get(),
                                            m_t->dir.filePath(QStringLiteral("console.ini")));
    m_window->show();
    m_window->start();
    if (!activate(Profile::embeddedSandboxName()))
        return false;
    m_tester = std::make_unique<QAbstractItemModelTester>(
        savedPage()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    return true;
}

bool tst_SavedRequestsPage::activate(const QString &profile)
{
    return m_t->activate(profile);
}

OperationForm *tst_SavedRequestsPage::eventForm()
{
    auto *page = qobject_cast<OperationPage *>(m_window->page(QStringLiteral("Events")));
    if (!page)
        return nullptr;
    m_window->showPage(page);
    return page->forms().first();
}

void tst_SavedRequestsPage::fillEvent(const QString &name, const QString &userId)
{
    OperationForm *form = eventForm();
    QVERIFY(form);
    auto *eventName = form->findChild<QLineEdit *>(QStringLiteral("eventNameLineEdit"));
    auto *user = form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"));
    eventName->clear();
    QTest::keyClicks(eventName, name);
    user->clear();
    QTest::keyClicks(user, userId);
}

bool tst_SavedRequestsPage::saveAs(const QString &name, bool allProfiles)
{
    auto *page = qobject_cast<OperationPage *>(m_window->page(QStringLiteral("Events")));
    auto *button = page ? page->findChild<QPushButton *>(QStringLiteral("saveAsPushButton")) : nullptr;
    if (!button || !button->isEnabled())
        return false;
    SaveRequestDialog::setNextAnswer(SaveRequestDialog::Answer{name, allProfiles});
    QTest::mouseClick(button, Qt::LeftButton);
    return page->findChild<QLabel *>(QStringLiteral("saveMessageLabel"))
        ->text()
        .startsWith(QLatin1String("Saved"));
}

SavedRequestsPage *tst_SavedRequestsPage::savedPage()
{
    return qobject_cast<SavedRequestsPage *>(m_window->page(QStringLiteral("Saved")));
}

void tst_SavedRequestsPage::selectRow(SavedRequestsPage *page, const QString &name)
{
    auto *table = page->findChild<QTableView *>(QStringLiteral("savedRequestsTableView"));
    const int row = listedNames(page).indexOf(name);
    QVERIFY2(row >= 0, qPrintable(name));
    table->selectRow(row);
}

void tst_SavedRequestsPage::click(QWidget *root, const char *objectName)
{
    auto *button = root->findChild<QPushButton *>(QLatin1String(objectName));
    QVERIFY2(button && button->isEnabled(), objectName);
    QTest::mouseClick(button, Qt::LeftButton);
}

void tst_SavedRequestsPage::savedUnderAProfileIsListedUnderItOnly()
{
    fillEvent(QStringLiteral("Trial ends"), QStringLiteral("u-a"));
    QVERIFY(saveAs(QStringLiteral("ACME trial"), false));
    SavedRequestsPage *page = savedPage();
    QCOMPARE(listedNames(page), QStringList({"ACME trial"}));
    QCOMPARE(page->model()->requests().first().profile, Profile::embeddedSandboxName());

    QVERIFY(activate(profileB));
    QCOMPARE(listedNames(page), QStringList());
    fillEvent(QStringLiteral("Checklist done"), QStringLiteral("u-all"));
    QVERIFY(saveAs(QStringLiteral("Everyone"), true));
    QCOMPARE(listedNames(page), QStringList({"Everyone"}));
    QCOMPARE(page->model()->index(0, SavedRequestModel::ScopeColumn).data().toString(),
             QStringLiteral("All profiles"));

    QVERIFY(activate(Profile::embeddedSandboxName()));
    QCOMPARE(listedNames(page), QStringList({"ACME trial", "Everyone"}));

    // The next start reads the same list from the file.
    m_tester.reset();
    m_window.reset();
    QVERIFY(openWindow());
    QCOMPARE(listedNames(savedPage()), QStringList({"ACME trial", "Everyone"}));
}

void tst_SavedRequestsPage::openFillsTheFormAndSendDeliversThatBody()
{
    OperationForm *form = eventForm();
    QVERIFY(form);
    fillEvent(QStringLiteral("Seats changed"), QStringLiteral("u-open"));
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("triggeredAtLineEdit")),
                     QStringLiteral("2024-05-01T10:00:00Z"));
    TypedFieldModel *fields = form->findChild<FieldTableEditor *>()->model();
    fields->addRow(QStringLiteral("seats"), TypedValue::Type::Number, QStringLiteral("12.5"));
    fields->addRow(QStringLiteral("paying"), TypedValue::Type::Boolean, QStringLiteral("true"));
    fields->addRow(QStringLiteral("plan"), TypedValue::Type::String, QStringLiteral("Pro"));
    QVERIFY(saveAs(QStringLiteral("Seats"), false));
    const QJsonObject saved = savedPage()->model()->requests().first().body;
    QCOMPARE(saved.value(QLatin1String("metadata")).toObject().value(QLatin1String("seats")),
             QJsonValue(12.5));

    // The form moves on to something else; Open brings the saved request back.
    fillEvent(QStringLiteral("Something else"), QStringLiteral("u-other"));
    fields->setFields({});
    SavedRequestsPage *page = savedPage();
    m_window->showPage(page);
    selectRow(page, QStringLiteral("Seats"));
    click(page, "openPushButton");
    auto *stack = m_window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    QCOMPARE(stack->currentWidget(), static_cast<QWidget *>(m_window->page(QStringLiteral("Events"))));
    QCOMPARE(form->findChild<QLineEdit *>(QStringLiteral("eventNameLineEdit"))->text(),
             QStringLiteral("Seats changed"));
    QCOMPARE(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(),
             QStringLiteral("u-open"));
    QCOMPARE(form->findChild<QLineEdit *>(QStringLiteral("triggeredAtLineEdit"))->text(),
             QStringLiteral("2024-05-01T10:00:00Z"));
    QCOMPARE(fields->rowCount(), 3);
    ApiRequest shown;
    QMap<QString, QString> errors;
    QVERIFY(form->buildRequest(&shown, &errors));
    QCOMPARE(shown.body, saved);

    // Opening sent nothing.
    const QUrlQuery byName{{QStringLiteral("name"), QStringLiteral("Seats changed")}};
    const QUrl sandbox = m_t->session.sandboxUrl();
    SandboxInspection events = SandboxInspection::get(sandbox, QStringLiteral("/_sandbox/events"), byName);
    QCOMPARE(events.status, 200);
    QCOMPARE(events.body.value(QLatin1String("data")).toArray().size(), 0);

    click(form, "sendPushButton");
    QTRY_COMPARE_WITH_TIMEOUT(SandboxInspection::get(sandbox, QStringLiteral("/_sandbox/events"), byName)
                                  .body.value(QLatin1String("data"))
                                  .toArray()
                                  .size(),
                              1, 10000);
    const QJsonObject received = SandboxInspection::get(sandbox, QStringLiteral("/_sandbox/events"), byName)
                                     .body.value(QLatin1String("data"))
                                     .toArray()
                                     .first()
                                     .toObject();
    QCOMPARE(received.value(QLatin1String("identification")), saved.value(QLatin1String("identification")));
    QCOMPARE(received.value(QLatin1String("metadata")), saved.value(QLatin1String("metadata")));
    QCOMPARE(received.value(QLatin1String("triggeredAt")), saved.value(QLatin1String("triggeredAt")));
    QCOMPARE(received.value(QLatin1String("endpoint")), QJsonValue(QStringLiteral("/track")));
}

void tst_SavedRequestsPage::everyFormSavesAndOpensItsRequest()
{
    const QHash<Operation, QByteArray> bodies{
        {Operation::UpsertUser, R"({"identification": {"userId": "u1", "email": "a@b.c"},
                                    "properties": {"plan": "Pro", "seats": 3, "old": null}})"},
        {Operation::DeleteUser, R"({"identification": {"userId": "u1"}})"},
        {Operation::UpsertAccount, R"({"identification": {"accountId": "a1", "domain": "acme.com"},
                                       "properties": {"mrr": 399}})"},
        {Operation::DeleteAccount, R"({"identification": {"domain": "acme.com"}})"},
        {Operation::AddUsersToAccount, R"({"account": {"accountId": "a1"},
            "users": [{"identification": {"userId": "u1"}}, {"identification": {"email": "b@c.d"}}]})"},
        {Operation::RemoveUsersFromAccount, R"({"account": {"domain": "acme.com"},
            "users": [{"identification": {"userId": "u2"}}]})"},
        {Operation::TrackEvent, R"({"name": "E", "identification": {"user": {"userId": "u1"}},
                                    "metadata": {"paid": true}})"},
        {Operation::Link, R"({"deviceId": "d1", "identification": {"userId": "u1"}})"},
    };
    const QJsonObject other = QJsonDocument::fromJson(R"({"identification": {"userId": "other"}})").object();
    int saved = 0;
    for (ConsolePage *consolePage : m_window->pages()) {
        auto *page = qobject_cast<OperationPage *>(consolePage);
        if (!page)
            continue;
        auto *button = page->findChild<QPushButton *>(QStringLiteral("saveAsPushButton"));
        QVERIFY2(button && button->isEnabled(), qPrintable(page->title()));
        for (OperationForm *form : page->forms()) {
            QVERIFY2(bodies.contains(form->operation()), qPrintable(form->objectName()));
            const QJsonObject body = QJsonDocument::fromJson(bodies.value(form->operation())).object();
            const QString name = ApiOperation::info(form->operation()).operationId;
            m_window->showPage(page);
            QVERIFY(page->loadRequest(ApiRequest::raw(form->operation(), body)));
            SaveRequestDialog::setNextAnswer(SaveRequestDialog::Answer{name, false});
            QTest::mouseClick(button, Qt::LeftButton);
            const QList<SavedRequest> listed = savedPage()->model()->requests();
            const int row = listedNames(savedPage()).indexOf(name);
            QVERIFY2(row >= 0, qPrintable(name));
            QCOMPARE(listed.at(row).operation, name);
            QCOMPARE(listed.at(row).body, body);
            ++saved;

            // Another request in the form, then Open: the form is back to the saved one.
            page->loadRequest(ApiRequest::raw(form->operation(), other));
            m_window->showPage(savedPage());
            selectRow(savedPage(), name);
            click(savedPage(), "openPushButton");
            QCOMPARE(
                m_window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"))->currentWidget(),
                static_cast<QWidget *>(page));
            QCOMPARE(page->findChild<QTabWidget *>(QStringLiteral("operationsTabWidget"))->currentWidget(),
                     static_cast<QWidget *>(form));
            ApiRequest shown;
            QMap<QString, QString> errors;
            QVERIFY(form->buildRequest(&shown, &errors));
            QCOMPARE(shown.body, body);
        }
    }
    QCOMPARE(saved, 8);
    QCOMPARE(savedPage()->model()->rowCount(), 8);
}

void tst_SavedRequestsPage::saveAsKeepsWhatTheJsonTabWouldSend()
{
    auto *users = qobject_cast<OperationPage *>(m_window->page(QStringLiteral("Users")));
    QVERIFY(users);
    m_window->showPage(users);
    OperationForm *form = users->forms().first();
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-form"));
    form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"))->setCurrentIndex(1);
    const QByteArray json = R"({"identification": {"userId": "u-json"}, "properties": {"plan": "Pro"}})";
    form->findChild<QPlainTextEdit *>(QStringLiteral("jsonPlainTextEdit"))
        ->setPlainText(QString::fromUtf8(json));
    SaveRequestDialog::setNextAnswer(SaveRequestDialog::Answer{QStringLiteral("From JSON"), false});
    QTest::mouseClick(users->findChild<QPushButton *>(QStringLiteral("saveAsPushButton")), Qt::LeftButton);
    SavedRequestsPage *page = savedPage();
    QCOMPARE(listedNames(page), QStringList({"From JSON"}));
    QCOMPARE(page->model()->requests().first().operation, QStringLiteral("upsertUser"));
    QCOMPARE(page->model()->requests().first().body, QJsonDocument::fromJson(json).object());

    // Opened, the form shows it: what the form shows is what Send sends.
    m_window->showPage(page);
    selectRow(page, QStringLiteral("From JSON"));
    click(page, "openPushButton");
    QCOMPARE(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(),
             QStringLiteral("u-json"));
    ApiRequest shown;
    QMap<QString, QString> errors;
    QVERIFY(form->buildRequest(&shown, &errors));
    QCOMPARE(shown.body, QJsonDocument::fromJson(json).object());
}

void tst_SavedRequestsPage::saveAsTheSameNameAsksBeforeReplacing()
{
    fillEvent(QStringLiteral("First"), QStringLiteral("u-1"));
    QVERIFY(saveAs(QStringLiteral("Mine"), false));
    fillEvent(QStringLiteral("Second"), QStringLiteral("u-2"));
    ConfirmationDialog::setNextAnswer(false);
    saveAs(QStringLiteral("Mine"), false);
    QVERIFY2(ConfirmationDialog::lastQuestion().contains(QLatin1String("\"Mine\" exists")),
             qPrintable(ConfirmationDialog::lastQuestion()));
    const auto eventName = [this] {
        return savedPage()->model()->requests().first().body.value(QLatin1String("name")).toString();
    };
    QCOMPARE(eventName(), QStringLiteral("First"));
    ConfirmationDialog::setNextAnswer(true);
    QVERIFY(saveAs(QStringLiteral("Mine"), false));
    QCOMPARE(listedNames(savedPage()), QStringList({"Mine"}));
    QCOMPARE(eventName(), QStringLiteral("Second"));

    // A name another scope's request has is refused, saying which one.
    auto *label =
        m_window->page(QStringLiteral("Events"))->findChild<QLabel *>(QStringLiteral("saveMessageLabel"));
    QVERIFY(!saveAs(QStringLiteral("Mine"), true));
    QVERIFY2(label->text().contains(QLatin1String("exists for the profile Sandbox")),
             qPrintable(label->text()));

    // What the form cannot read is not saved: the message names the field.
    OperationForm *form = eventForm();
    form->findChild<FieldTableEditor *>()->model()->addRow(QStringLiteral("seats"), TypedValue::Type::Number,
                                                           QStringLiteral("12,5"));
    QVERIFY(!saveAs(QStringLiteral("Broken"), false));
    QVERIFY2(label->text().contains(QLatin1String("metadata.seats")), qPrintable(label->text()));
    QCOMPARE(listedNames(savedPage()), QStringList({"Mine"}));
}

void tst_SavedRequestsPage::renameAndDeleteAsk()
{
    fillEvent(QStringLiteral("Trial ends"), QStringLiteral("u-a"));
    QVERIFY(saveAs(QStringLiteral("Old name"), false));
    SavedRequestsPage *page = savedPage();
    m_window->showPage(page);
    selectRow(page, QStringLiteral("Old name"));
    SaveRequestDialog::setNextAnswer(SaveRequestDialog::Answer{QStringLiteral("New name"), true});
    click(page, "renamePushButton");
    QCOMPARE(listedNames(page), QStringList({"New name"}));
    QVERIFY(page->model()->requests().first().forAllProfiles());

    selectRow(page, QStringLiteral("New name"));
    ConfirmationDialog::setNextAnswer(false);
    click(page, "deletePushButton");
    QVERIFY2(ConfirmationDialog::lastQuestion().contains(QLatin1String("\"New name\"")),
             qPrintable(ConfirmationDialog::lastQuestion()));
    QCOMPARE(listedNames(page), QStringList({"New name"}));
    ConfirmationDialog::setNextAnswer(true);
    click(page, "deletePushButton");
    QCOMPARE(listedNames(page), QStringList());
    SavedRequestStore reread(storeFile());
    QString error;
    QVERIFY(reread.load(&error));
    QVERIFY(reread.all().isEmpty());
}

void tst_SavedRequestsPage::exportThenImportWithoutAKeyInAnyFile()
{
    QVERIFY(activate(profileB));
    fillEvent(QStringLiteral("Trial ends"), QStringLiteral("u-b"));
    QVERIFY(saveAs(QStringLiteral("B's"), false));
    QVERIFY(saveAs(QStringLiteral("Shared"), true));
    SavedRequestsPage *page = savedPage();
    m_window->showPage(page);
    const QList<SavedRequest> before = page->model()->requests();
    QCOMPARE(before.size(), 2);
    QString error;

    const QString exported = m_t->dir.filePath(QStringLiteral("to-a-colleague.json"));
    SavedRequestsPage::setNextFileName(exported);
    click(page, "exportPushButton");
    auto *message = page->findChild<QLabel *>(QStringLiteral("messageLabel"));
    QCOMPARE(message->text(), QStringLiteral("Exported 2 saved request(s) to to-a-colleague.json"));
    for (const QString &path : {exported, storeFile()}) {
        QCOMPARE(permissionBits(path), QStringLiteral("600"));
        QVERIFY2(!fileBytes(path).contains(keyB.toUtf8()), qPrintable(path));
        QVERIFY2(fileBytes(path).contains("\"Shared\""), qPrintable(path));
    }
    QCOMPARE(permissionBits(QFileInfo(storeFile()).absolutePath()), QStringLiteral("700"));

    // With a selection, only the selected requests go out.
    selectRow(page, QStringLiteral("Shared"));
    const QString one = m_t->dir.filePath(QStringLiteral("one.json"));
    SavedRequestsPage::setNextFileName(one);
    click(page, "exportPushButton");
    QList<SavedRequest> selected;
    QVERIFY2(SavedRequestStore::fromJson(fileBytes(one), &selected, &error), qPrintable(error));
    QCOMPARE(selected, QList<SavedRequest>({before.at(1)}));
    page->findChild<QTableView *>(QStringLiteral("savedRequestsTableView"))->clearSelection();

    // A colleague's fresh store takes the file as it is.
    SavedRequestStore fresh(m_t->dir.filePath(QStringLiteral("colleague/saved-requests.json")));
    int imported = 0;
    QStringList renamed;
    QVERIFY2(fresh.importFrom(exported, &imported, &renamed, &error), qPrintable(error));
    QCOMPARE(fresh.all(), before);

    // Imported again here, nothing is overwritten: the names are numbered, and the page says so.
    SavedRequestsPage::setNextFileName(exported);
    click(page, "importPushButton");
    QVERIFY2(message->text().contains(QLatin1String("Imported 2 saved request(s)")) &&
                 message->text().contains(QStringLiteral("Shared → Shared (2)")),
             qPrintable(message->text()));
    QCOMPARE(listedNames(page), QStringList({"B's", "B's (2)", "Shared", "Shared (2)"}));

    // Imported under another profile, B's request stays B's: kept, and the page says where.
    QVERIFY(activate(Profile::embeddedSandboxName()));
    SavedRequestsPage::setNextFileName(exported);
    click(page, "importPushButton");
    QVERIFY2(message->text().contains(QLatin1String("1 of them belong to other profiles")),
             qPrintable(message->text()));
    QCOMPARE(listedNames(page), QStringList({"Shared", "Shared (2)", "Shared (3)"}));
}

void tst_SavedRequestsPage::aMalformedImportChangesNothing()
{
    fillEvent(QStringLiteral("Trial ends"), QStringLiteral("u-a"));
    QVERIFY(saveAs(QStringLiteral("Kept"), false));
    SavedRequestsPage *page = savedPage();
    m_window->showPage(page);
    const QByteArray storeBefore = fileBytes(storeFile());
    const QString bad = m_t->dir.filePath(QStringLiteral("bad.json"));
    QFile file(bad);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"format": "journy-console saved requests", "version": 1, "requests": [
        {"name": "fine", "operation": "trackEvent", "profile": null, "body": {"name": "x"}},
        {"name": "typo", "operation": "trackEvnt", "profile": null, "body": {}}]})");
    file.close();
    SavedRequestsPage::setNextFileName(bad);
    click(page, "importPushButton");
    const QString text = page->findChild<QLabel *>(QStringLiteral("messageLabel"))->text();
    QVERIFY2(text.startsWith(QLatin1String("Nothing was imported")) &&
                 text.contains(QLatin1String("requests[1].operation: unknown operation \"trackEvnt\"")),
             qPrintable(text));
    QCOMPARE(listedNames(page), QStringList({"Kept"}));
    QCOMPARE(fileBytes(storeFile()), storeBefore);
}

void tst_SavedRequestsPage::theRealDialogAsksANameAndAScope()
{
    // No setNextAnswer(): the modal dialog itself, driven by the keyboard and the mouse.
    bool shown = false;
    bool okDisabledWhenEmpty = false;
    bool nameHasFocus = false;
    QString thisProfileText;
    bool thisProfileByDefault = false;
    QTimer::singleShot(0, qApp, [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        shown = true;
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"));
        auto *ok = dialog->findChild<QPushButton *>(QStringLiteral("okPushButton"));
        auto *thisProfile = dialog->findChild<QRadioButton *>(QStringLiteral("thisProfileRadioButton"));
        okDisabledWhenEmpty = !ok->isEnabled();
        nameHasFocus = dialog->focusWidget() == name;
        thisProfileText = thisProfile->text();
        thisProfileByDefault = thisProfile->isChecked();
        QTest::keyClicks(name, QStringLiteral("  ACME-1234 trial  "));
        auto *allProfiles = dialog->findChild<QRadioButton *>(QStringLiteral("allProfilesRadioButton"));
        allProfiles->setFocus();
        QTest::keyClick(allProfiles, Qt::Key_Space);
        // Enter presses OK, the default button.
        QTest::keyClick(name, Qt::Key_Return);
        if (dialog->isVisible())
            dialog->reject();
    });
    const std::optional<SaveRequestDialog::Answer> answer =
        SaveRequestDialog::ask(m_window.get(), QStringLiteral("Save request as"), QStringLiteral("Staging"),
                               SaveRequestDialog::Answer());
    QVERIFY(shown);
    QVERIFY(okDisabledWhenEmpty);
    QVERIFY(nameHasFocus);
    QCOMPARE(thisProfileText, QStringLiteral("Only for the profile Staging"));
    QVERIFY(thisProfileByDefault);
    QVERIFY(answer);
    QCOMPARE(answer->name, QStringLiteral("ACME-1234 trial"));
    QVERIFY(answer->allProfiles);

    // Escape cancels.
    QTimer::singleShot(0, qApp, [] {
        if (QWidget *dialog = QApplication::activeModalWidget())
            QTest::keyClick(dialog, Qt::Key_Escape);
    });
    QVERIFY(!SaveRequestDialog::ask(m_window.get(), QStringLiteral("Save request as"),
                                    QStringLiteral("Staging"),
                                    SaveRequestDialog::Answer{QStringLiteral("x"), false}));
}

QTEST_MAIN(tst_SavedRequestsPage)
#include "tst_SavedRequestsPage.moc"

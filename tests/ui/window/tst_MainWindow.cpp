// The main window as a user drives it, on the offscreen platform: a real ConsoleSession (the
// built-in Sandbox profile runs an in-process sandbox on a temporary data file), a real SQLite
// history, an in-memory keychain and temporary profiles and settings files. Other profiles point
// at further in-process SandboxServers with their own keys, permissions and rate limits. Checks
// what the window shows (navigation, profile switcher, title, banner, status bar, rate-limit gauge)
// and what it writes (the keychain, the profiles file, the settings file, the history database).

#include "api/ApiReply.h"
#include "api/JournyClient.h"
#include "sandbox/SandboxServer.h"
#include "store/HistoryStore.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "support/ComboPopup.h"
#include "support/ScriptedHttpServer.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/OperationPage.h"
#include "ui/history/HistoryModel.h"
#include "ui/history/HistoryPage.h"
#include "ui/import/ImportPage.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"
#include "ui/widgets/ConsolePage.h"
#include "ui/window/MainWindow.h"
#include "ui/window/ProfileDialog.h"
#include "ui/window/ScreenshotTour.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
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
#include <QRegularExpression>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>
#include <optional>
#include <vector>

namespace {

const QStringList pageTitles{
    QStringLiteral("Users"),       QStringLiteral("Accounts"),    QStringLiteral("Memberships"),
    QStringLiteral("Events"),      QStringLiteral("Link device"), QStringLiteral("Website snippet"),
    QStringLiteral("Catalog"),     QStringLiteral("HMAC"),        QStringLiteral("History"),
    QStringLiteral("Bulk import"), QStringLiteral("Saved"),       QStringLiteral("Live")};

// The in-memory keychain, with one more way to fail as a real one does: it refuses to remove the
// entries it is told to (the user denies the keychain's prompt, a locked collection).
class RefusingSecretStore : public MemorySecretStore
{
public:
    void refuseRemoving(const QString &name) { m_refused.insert(name); }
    void allowRemoving() { m_refused.clear(); }

    void remove(const QString &name, Callback done) override
    {
        if (!m_refused.contains(name)) {
            MemorySecretStore::remove(name, std::move(done));
            return;
        }
        Result result;
        result.error = Error::AccessDenied;
        result.message = QStringLiteral("The keychain refused access: the user denied it");
        QTimer::singleShot(0, this, [done, result] { done(result); });
    }

private:
    QSet<QString> m_refused;
};

// Everything a MainWindow is given, built the way journy-console builds it, in a temporary folder.
class Console
{
public:
    Console()
        : profiles(dir.filePath(QStringLiteral("profiles.ini"))),
          session(&secrets, &profiles, dir.filePath(QStringLiteral("sandbox/sandbox.sqlite")))
    {
        QString error;
        historyOpen = history.open(dir.filePath(QStringLiteral("history.sqlite")), &error);
    }

    QString settingsFile() const { return dir.filePath(QStringLiteral("console.ini")); }
    QString profilesFile() const { return dir.filePath(QStringLiteral("profiles.ini")); }

    // Another in-process sandbox knowing only key, with permissions and a rate limit.
    SandboxServer *startServer(const QString &key, const QStringList &permissions, int rateLimit = 1800)
    {
        SandboxConfig config = SandboxConfig::defaults();
        config.keys.insert(key, SandboxConfig::Key{permissions, true});
        config.rateLimit = rateLimit;
        auto server = std::make_unique<SandboxServer>(config);
        QString error;
        if (!server->openData(dir.filePath(QStringLiteral("server-%1.sqlite").arg(servers.size())), &error) ||
            !server->start())
            return nullptr;
        servers.push_back(std::move(server));
        return servers.back().get();
    }

    // A profile in the profiles file; its key (when given) in the keychain, as the profile dialog puts it.
    bool addProfile(const QString &name, const QUrl &baseUrl, Profile::Environment environment,
                    const QByteArray &key = QByteArray())
    {
        Profile profile;
        profile.name = name;
        profile.baseUrl = baseUrl;
        profile.environment = environment;
        QString error;
        if (!profiles.save(profile, &error))
            return false;
        if (key.isEmpty())
            return true;
        return writeSecret(profile.apiKeySecretName(), key);
    }

    bool writeSecret(const QString &name, const QByteArray &secret)
    {
        bool done = false;
        bool ok = false;
        secrets.write(name, secret, [&done, &ok](const SecretStore::Result &result) {
            ok = result.ok();
            done = true;
        });
        return QTest::qWaitFor([&done] { return done; }, 5000) && ok;
    }

    std::optional<QByteArray> readSecret(const QString &name)
    {
        bool done = false;
        SecretStore::Result answer;
        secrets.read(name, [&done, &answer](const SecretStore::Result &result) {
            answer = result;
            done = true;
        });
        if (!QTest::qWaitFor([&done] { return done; }, 5000) || !answer.ok())
            return std::nullopt;
        return answer.secret;
    }

    bool ready() const
    {
        return session.state() == ConsoleSession::State::Ready && session.permissionsKnown();
    }

    // Sends through the session, as a page does, and waits for the answer.
    ApiResult send(const ApiRequest &request)
    {
        ApiReply *reply = session.send(request);
        if (!reply)
            return ApiResult();
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
            qWarning("No answer within 10 s");
        const ApiResult result = reply->result();
        reply->deleteLater();
        return result;
    }

    QTemporaryDir dir;
    RefusingSecretStore secrets;
    ProfileStore profiles;
    ConsoleSession session;
    HistoryStore history;
    bool historyOpen = false;
    std::vector<std::unique_ptr<SandboxServer>> servers;
};

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The history database with its write-ahead log and shared-memory files: everything SQLite keeps.
QByteArray historyBytes(const Console &console)
{
    QByteArray bytes;
    const QDir dir(console.dir.path());
    for (const QString &name : dir.entryList({QStringLiteral("history.sqlite*")}, QDir::Files))
        bytes += fileBytes(dir.filePath(name));
    return bytes;
}

QLabel *statusBarLabel(const MainWindow *window)
{
    return window->statusBar()->findChild<QLabel *>(QStringLiteral("connectionLabel"));
}

QProgressBar *gaugeBar(const MainWindow *window)
{
    return window->findChild<QProgressBar *>(QStringLiteral("rateLimitProgressBar"));
}

// "1794 / 1800" as the gauge shows it: (remaining, limit), or nothing while unknown.
std::optional<std::pair<int, int>> gaugeReading(const MainWindow *window)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral(R"((\d+) / (\d+))")));
    const QRegularExpressionMatch match = pattern.match(gaugeBar(window)->format());
    if (!match.hasMatch())
        return std::nullopt;
    return std::make_pair(match.captured(1).toInt(), match.captured(2).toInt());
}

// The form of the operation; builds the window's pages first (they are built when first shown).
OperationForm *formOf(MainWindow *window, const QString &operationId)
{
    window->pages();
    return window->findChild<OperationForm *>(operationId + QStringLiteral("OperationForm"));
}

QList<OperationForm *> allForms(MainWindow *window)
{
    window->pages();
    return window->findChildren<OperationForm *>();
}

qint64 requestsServed(const QUrl &base)
{
    QNetworkAccessManager nam;
    QUrl url = base;
    url.setPath(QStringLiteral("/_sandbox/stats"));
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    qint64 requests = -1;
    if (QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        requests =
            QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("requests")).toInteger(-1);
    delete reply;
    return requests;
}

// The requests the server has answered once the console has stopped sending (GET /validate and
// the catalog's lists go out when a profile connects): the count when it has not moved for 300 ms.
qint64 settledRequests(const QUrl &base)
{
    qint64 last = requestsServed(base);
    for (int i = 0; i < 50; ++i) {
        QTest::qWait(300);
        const qint64 now = requestsServed(base);
        if (now == last && now > 0)
            return now;
        last = now;
    }
    return -1;
}

} // namespace

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void freshStartOpensTheSandbox();
    void navigationShowsEachPage();
    void ctrlDigitsSwitchPages();
    void typingNeverSwitchesTheProfile();
    void closedProfileBoxIgnoresTheKeyboard();
    void profileSwitcherTitleAndProductionBanner();
    void rateLimitGaugeShowsRemainingOverLimit();
    void rateLimitGaugeTurnsRedWhenNearlyDrained();
    void missingKeyIsExplainedAndSendDisabled();
    void formInputsHaveAccessibleNames();
    void historyEntryOpensInItsForm();
    void testConnectionListsPermissions();
    void refusedKeyIsReported();
    void profileDialogPutsTheKeyInTheKeychainOnly();
    void profileDialogWithoutKeychainSavesNothing();
    void editProfileKeepsItsKey();
    void removeProfileAsksAndDeletesItsKey();
    void removeProfileKeepsItWhenTheKeychainRefuses();
    void closingRemembersAndNextWindowRestores();
    void historyRecordsRequestsWithoutTheKey();
    void requestInFlightFinishesUnderItsProfileAfterASwitch();
    void screenshotTourSavesEveryPage();

private:
    // The window as journy-console opens it: shown, then started; waits for the session.
    std::unique_ptr<MainWindow> openWindow(Console &console);
    // Picks the profile in the switcher's popup, as a user does; waits for its key's permissions.
    bool chooseProfile(MainWindow *window, Console &console, const QString &name,
                       bool waitForPermissions = true);
    // Sends the form with Ctrl+Return and waits for its answer.
    std::optional<ApiResult> sendForm(OperationForm *form);
};

std::unique_ptr<MainWindow> tst_MainWindow::openWindow(Console &console)
{
    auto window = std::make_unique<MainWindow>(&console.session, &console.history, console.settingsFile());
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()))
        return nullptr;
    window->start();
    if (!QTest::qWaitFor([&console] { return console.session.state() != ConsoleSession::State::Connecting; },
                         10000))
        return nullptr;
    if (console.session.state() == ConsoleSession::State::Ready &&
        !QTest::qWaitFor([&console] { return console.session.permissionsKnown(); }, 10000))
        return nullptr;
    return window;
}

bool tst_MainWindow::chooseProfile(MainWindow *window, Console &console, const QString &name,
                                   bool waitForPermissions)
{
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    const int target = combo->findData(name);
    if (target < 0)
        return false;
    // A production profile asks first (answered yes here).
    if (console.session.profile().name != name &&
        combo->itemText(target).endsWith(QLatin1String("(production)")))
        ConfirmationDialog::setNextAnswer(true);
    if (!chooseInPopup(combo, target))
        return false;
    if (console.session.profile().name != name)
        return false;
    if (!QTest::qWaitFor([&console] { return console.session.state() != ConsoleSession::State::Connecting; },
                         10000))
        return false;
    return !waitForPermissions || console.session.state() != ConsoleSession::State::Ready ||
           QTest::qWaitFor([&console] { return console.session.permissionsKnown(); }, 10000);
}

std::optional<ApiResult> tst_MainWindow::sendForm(OperationForm *form)
{
    std::optional<ApiResult> answer;
    const QMetaObject::Connection connection = connect(
        form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    if (auto *first = form->findChild<QLineEdit *>())
        first->setFocus();
    QTest::keyClick(form, Qt::Key_Return, Qt::ControlModifier);
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        qWarning("No answer within 10 s");
    disconnect(connection);
    return answer;
}

void tst_MainWindow::freshStartOpensTheSandbox()
{
    Console console;
    QVERIFY(console.historyOpen);
    auto window = openWindow(console);
    QVERIFY(window);
    QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    QVERIFY(console.ready());
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QCOMPARE(combo->count(), 1);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    QVERIFY2(window->windowTitle().contains(QStringLiteral("Sandbox")), qPrintable(window->windowTitle()));
    QVERIFY(!window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")));
    QCOMPARE(window->findChild<QLabel *>(QStringLiteral("environmentLabel"))->text(),
             QStringLiteral("sandbox"));
    QVERIFY(!window->findChild<QLabel *>(QStringLiteral("productionBannerLabel"))->isVisible());
    const QString status = statusBarLabel(window.get())->text();
    QVERIFY2(status.contains(QStringLiteral("embedded sandbox")), qPrintable(status));
    QVERIFY2(status.endsWith(QStringLiteral(" · 5 permissions")), qPrintable(status));
    QVERIFY2(statusBarLabel(window.get())->toolTip().contains(QStringLiteral("TrackData")),
             qPrintable(statusBarLabel(window.get())->toolTip()));
    // The built-in profile can be neither edited nor removed.
    QVERIFY(!window->findChild<QPushButton *>(QStringLiteral("editProfilePushButton"))->isEnabled());
    QVERIFY(!window->findChild<QPushButton *>(QStringLiteral("removeProfilePushButton"))->isEnabled());
    // Every form can send.
    QCOMPARE(allForms(window.get()).size(), 8);
    for (OperationForm *form : allForms(window.get()))
        QVERIFY2(form->findChild<QPushButton *>(QStringLiteral("sendPushButton"))->isEnabled(),
                 qPrintable(form->objectName()));
}

void tst_MainWindow::navigationShowsEachPage()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    auto *navigation = window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"));
    auto *stack = window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    QStringList titles;
    for (int row = 0; row < navigation->count(); ++row)
        titles << navigation->item(row)->text();
    QCOMPARE(titles, pageTitles);
    QCOMPARE(window->pages().size(), pageTitles.size());

    // Clicked, each row shows its page.
    for (int row = navigation->count() - 1; row >= 0; --row) {
        const QRect rect = navigation->visualItemRect(navigation->item(row));
        QVERIFY(!rect.isEmpty());
        QTest::mouseClick(navigation->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(navigation->currentRow(), row);
        auto *page = qobject_cast<ConsolePage *>(stack->currentWidget());
        QVERIFY(page);
        QCOMPARE(page->title(), pageTitles.at(row));
        QVERIFY(page->isVisible());
    }

    // The operation pages hold their forms.
    auto *users = qobject_cast<OperationPage *>(window->page(QStringLiteral("Users")));
    QVERIFY(users);
    QCOMPARE(users->forms().size(), 2);
    QCOMPARE(users->forms().at(0)->objectName(), QStringLiteral("upsertUserOperationForm"));
    QCOMPARE(users->forms().at(1)->objectName(), QStringLiteral("deleteUserOperationForm"));
    QVERIFY(formOf(window.get(), QStringLiteral("upsertAccount")));
    QVERIFY(formOf(window.get(), QStringLiteral("deleteAccount")));
    QVERIFY(formOf(window.get(), QStringLiteral("addUserToAccount")));
    QVERIFY(formOf(window.get(), QStringLiteral("removeUserFromAccount")));
    QVERIFY(formOf(window.get(), QStringLiteral("trackEvent")));
    QVERIFY(formOf(window.get(), QStringLiteral("link")));
}

void tst_MainWindow::ctrlDigitsSwitchPages()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    auto *stack = window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    auto *navigation = window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"));
    navigation->setFocus();
    for (int i : {8, 0, 5, 1, 6, 2, 7, 3, 4}) {
        QTest::keyClick(window.get(), Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
        QCOMPARE(stack->currentIndex(), i);
        QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), pageTitles.at(i));
        QCOMPARE(navigation->currentRow(), i);
    }
}

void tst_MainWindow::typingNeverSwitchesTheProfile()
{
    Console console;
    QVERIFY(console.addProfile(QStringLiteral("Production"), QUrl(QStringLiteral("http://127.0.0.1:9")),
                               Profile::Environment::Production));
    auto window = openWindow(console);
    QVERIFY(window);
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    auto *stack = window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    // At start the keyboard is in the page, not on the profile box.
    QVERIFY(window->focusWidget());
    QVERIFY(window->focusWidget() != combo);
    QVERIFY(stack->currentWidget()->isAncestorOf(window->focusWidget()));

    // Ctrl+1 goes to Users' first field; typing "P" lands there, the profile stays.
    QTest::keyClick(window.get(), Qt::Key_1, Qt::ControlModifier);
    QCOMPARE(stack->currentIndex(), 0);
    QWidget *field = window->focusWidget();
    QVERIFY(field && field != combo && stack->currentWidget()->isAncestorOf(field));
    // The first field itself, not the Upsert/Delete or Form/JSON tab bar above it.
    QCOMPARE(field->objectName(), QStringLiteral("userIdLineEdit"));
    QTest::keyClicks(field, QStringLiteral("P"));
    QCOMPARE(qobject_cast<QLineEdit *>(field)->text(), QStringLiteral("P"));
    QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    QCOMPARE(combo->focusPolicy(), Qt::ClickFocus);
    // Ctrl+0 reaches the tenth page, Bulk import, with the keyboard in it.
    QTest::keyClick(window.get(), Qt::Key_0, Qt::ControlModifier);
    QCOMPARE(stack->currentIndex(), 9);
    QVERIFY(stack->currentWidget()->objectName().contains(QLatin1String("import"), Qt::CaseInsensitive));
    QVERIFY(window->focusWidget() && stack->currentWidget()->isAncestorOf(window->focusWidget()));
    QTest::keyClick(window.get(), Qt::Key_1, Qt::ControlModifier);

    // Picking production asks, naming it; No keeps the Sandbox, Yes switches.
    const int production = combo->findData(QStringLiteral("Production"));
    ConfirmationDialog::setNextAnswer(false);
    combo->setCurrentIndex(production);
    emit combo->activated(production);
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QStringLiteral("Production")));
    QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    ConfirmationDialog::setNextAnswer(true);
    combo->setCurrentIndex(production);
    emit combo->activated(production);
    QCOMPARE(console.session.profile().name, QStringLiteral("Production"));
}

void tst_MainWindow::closedProfileBoxIgnoresTheKeyboard()
{
    Console console;
    const QString key = QStringLiteral("jk_live_3f9a1c7e5b2d4a6c8e0f1b3d5a7c9e2f");
    SandboxServer *production = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(production);
    QVERIFY(console.addProfile(QStringLiteral("Production"), production->baseUrl(),
                               Profile::Environment::Production, key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QCOMPARE(combo->count(), 2);
    QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));

    // A click gives the box the focus and opens its popup; Escape closes it, the focus stays.
    QTest::mouseClick(combo, Qt::LeftButton);
    QTRY_VERIFY(combo->view()->isVisible());
    QTest::keyClick(combo->view(), Qt::Key_Escape);
    QVERIFY(popupClosed(combo));
    QCOMPARE(QApplication::focusWidget(), combo);

    // On the closed box, no key steps or searches to another profile; were one to get through,
    // the confirmation would say yes and the switch would show here.
    ConfirmationDialog::setNextAnswer(true);
    for (const Qt::Key pressed :
         {Qt::Key_Down, Qt::Key_Up, Qt::Key_End, Qt::Key_Home, Qt::Key_PageDown, Qt::Key_PageUp, Qt::Key_P}) {
        QTest::keyClick(combo, pressed);
        QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    }
    QTest::keyClicks(combo, QStringLiteral("Production"));
    QVERIFY(!combo->view()->isVisible());
    QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    QCOMPARE(requestsServed(production->baseUrl()), 0);

    // Opened (Space), the popup works as ever: arrows and Enter choose, production asks first.
    QTest::keyClick(combo, Qt::Key_Space);
    QTRY_VERIFY(combo->view()->isVisible());
    const int target = combo->findData(QStringLiteral("Production"));
    QAbstractItemView *list = combo->view();
    while (list->currentIndex().row() != target)
        QTest::keyClick(list, list->currentIndex().row() < target ? Qt::Key_Down : Qt::Key_Up);
    QTest::keyClick(list, Qt::Key_Return);
    QVERIFY(popupClosed(combo));
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QStringLiteral("Production")));
    QCOMPARE(console.session.profile().name, QStringLiteral("Production"));
    QTRY_VERIFY(requestsServed(production->baseUrl()) > 0);
}

void tst_MainWindow::profileSwitcherTitleAndProductionBanner()
{
    Console console;
    const QString stagingKey = QStringLiteral("jk_test_5c1e7a0d2b9f48e3a6c4d1f0e9b8a7c6");
    const QString productionKey = QStringLiteral("jk_live_8e2d4c6a0b1f43e5a7c9d2f4e6b8a0c1");
    SandboxServer *staging = console.startServer(stagingKey, SandboxConfig::allPermissions());
    SandboxServer *production = console.startServer(productionKey, SandboxConfig::allPermissions());
    QVERIFY(staging && production);
    QVERIFY(console.addProfile(QStringLiteral("Staging EU"), staging->baseUrl(),
                               Profile::Environment::Staging, stagingKey.toUtf8()));
    QVERIFY(console.addProfile(QStringLiteral("Acme Prod"), production->baseUrl(),
                               Profile::Environment::Production, productionKey.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QStringList names;
    QStringList texts;
    for (int i = 0; i < combo->count(); ++i) {
        names << combo->itemData(i).toString();
        texts << combo->itemText(i);
    }
    QCOMPARE(names.first(), QStringLiteral("Sandbox"));
    names.sort();
    QCOMPARE(names, (QStringList{QStringLiteral("Acme Prod"), QStringLiteral("Sandbox"),
                                 QStringLiteral("Staging EU")}));
    QVERIFY2(texts.contains(QStringLiteral("Acme Prod (production)")),
             qPrintable(texts.join(QLatin1Char('|'))));
    QVERIFY(texts.contains(QStringLiteral("Staging EU (staging)")));

    auto *banner = window->findChild<QLabel *>(QStringLiteral("productionBannerLabel"));
    auto *environment = window->findChild<QLabel *>(QStringLiteral("environmentLabel"));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Sandbox")));
    QVERIFY(!banner->isVisible());

    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Acme Prod")));
    QVERIFY(console.ready());
    QVERIFY2(window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")),
             qPrintable(window->windowTitle()));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Acme Prod")));
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains(QStringLiteral("PRODUCTION")));
    QVERIFY(banner->styleSheet().contains(QStringLiteral("#c62828")));
    QCOMPARE(environment->text(), QStringLiteral("production"));
    QVERIFY(statusBarLabel(window.get())->text().contains(production->baseUrl().toString()));
    QVERIFY(window->findChild<QPushButton *>(QStringLiteral("editProfilePushButton"))->isEnabled());

    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Staging EU")));
    QVERIFY(!window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Staging EU")));
    QVERIFY(!banner->isVisible());
    QCOMPARE(environment->text(), QStringLiteral("staging"));

    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Sandbox")));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Sandbox")));
    QVERIFY(!window->windowTitle().contains(QStringLiteral("Staging EU")));
    QVERIFY(!banner->isVisible());
}

void tst_MainWindow::rateLimitGaugeShowsRemainingOverLimit()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    const QUrl sandbox = console.session.sandboxUrl();
    const qint64 atStart = settledRequests(sandbox);
    QVERIFY(atStart > 0);
    QTRY_VERIFY(gaugeReading(window.get()).has_value());

    // One request more, alone: the gauge then shows exactly what the server counted.
    OperationForm *form = formOf(window.get(), QStringLiteral("upsertUser"));
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-gauge"));
    const std::optional<ApiResult> result = sendForm(form);
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    const int remaining = int(1800 - atStart - 1);
    const auto reading = gaugeReading(window.get());
    QVERIFY2(reading, qPrintable(gaugeBar(window.get())->format()));
    QCOMPARE(*reading, std::make_pair(remaining, 1800));
    QCOMPARE(gaugeBar(window.get())->maximum(), 1800);
    QCOMPARE(gaugeBar(window.get())->value(), remaining);
    QVERIFY(gaugeBar(window.get())->styleSheet().contains(QStringLiteral("#2e7d32"))); // green: plenty left
    const QLabel *refill = window->findChild<QLabel *>(QStringLiteral("refillLabel"));
    QVERIFY2(refill->text().startsWith(QStringLiteral("full in")), qPrintable(refill->text()));
    // The form's response panel says the same.
    QVERIFY(form->findChild<QLabel *>(QStringLiteral("statusLabel"))
                ->text()
                .contains(QStringLiteral("%1 of 1800").arg(remaining)));
}

void tst_MainWindow::rateLimitGaugeTurnsRedWhenNearlyDrained()
{
    Console console;
    const QString key = QStringLiteral("jk_test_tight_1f2e3d4c5b6a79880716f5e4");
    SandboxServer *tight = console.startServer(key, SandboxConfig::allPermissions(), 10);
    QVERIFY(tight);
    QVERIFY(console.addProfile(QStringLiteral("Tight"), tight->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Tight")));
    const qint64 atStart = settledRequests(tight->baseUrl());
    QVERIFY(atStart > 0 && atStart < 10);

    // From here one request at a time, each answer the freshest: green over half, amber down
    // to 15 %, red below.
    QProgressBar *bar = gaugeBar(window.get());
    QStringList colours;
    for (int remaining = int(10 - atStart - 1); remaining >= 0; --remaining) {
        QCOMPARE(console.send(ApiRequest::validate()).httpStatus, 200);
        const auto reading = gaugeReading(window.get());
        QVERIFY2(reading, qPrintable(bar->format()));
        QCOMPARE(*reading, std::make_pair(remaining, 10));
        QCOMPARE(bar->value(), remaining);
        const QString colour = remaining > 5   ? QStringLiteral("#2e7d32")
                               : remaining > 1 ? QStringLiteral("#f9a825")
                                               : QStringLiteral("#c62828");
        QVERIFY2(bar->styleSheet().contains(colour),
                 qPrintable(QStringLiteral("%1 left: %2").arg(remaining).arg(bar->styleSheet())));
        colours << colour;
    }
    QVERIFY(colours.contains(QStringLiteral("#f9a825")));
    QCOMPARE(colours.last(), QStringLiteral("#c62828"));
    QCOMPARE(bar->format(), QStringLiteral("0 / 10"));

    // Switching profiles shows the other key's window, not this one's.
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Sandbox")));
    QTRY_VERIFY(gaugeReading(window.get()).has_value());
    QCOMPARE(gaugeReading(window.get())->second, 1800);
    QVERIFY(bar->styleSheet().contains(QStringLiteral("#2e7d32")));
}

void tst_MainWindow::missingKeyIsExplainedAndSendDisabled()
{
    Console console;
    SandboxServer *server = console.startServer(QStringLiteral("jk_unused"), SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("No key"), server->baseUrl(), Profile::Environment::Staging));
    QVERIFY(console.addProfile(QStringLiteral("Keyed"), server->baseUrl(), Profile::Environment::Staging,
                               "jk_unused"));
    auto window = openWindow(console);
    QVERIFY(window);
    OperationForm *form = formOf(window.get(), QStringLiteral("upsertUser"));
    auto *send = form->findChild<QPushButton *>(QStringLiteral("sendPushButton"));
    QVERIFY(send->isEnabled());

    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("No key")));
    QCOMPARE(console.session.state(), ConsoleSession::State::Failed);
    const QString status = statusBarLabel(window.get())->text();
    QVERIFY2(status.contains(QStringLiteral("No API key is stored for the profile No key")),
             qPrintable(status));
    QVERIFY(window->windowTitle().contains(QStringLiteral("No key")));
    QVERIFY(!send->isEnabled());
    QCOMPARE(form->findChild<QLabel *>(QStringLiteral("connectionLabel"))->text(), console.session.problem());
    for (OperationForm *other : allForms(window.get()))
        QVERIFY(!other->findChild<QPushButton *>(QStringLiteral("sendPushButton"))->isEnabled());
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-nokey"));
    QTest::keyClick(form, Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(100);
    QCOMPARE(requestsServed(server->baseUrl()), 0);
    // The gauge has nothing to show for a profile that never connected.
    QCOMPARE(gaugeBar(window.get())->format(), QStringLiteral("unknown"));

    // Without a keychain service at all, a profile with a stored key says so, and sends nothing.
    console.secrets.setAvailable(false);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Keyed")));
    QCOMPARE(console.session.state(), ConsoleSession::State::Failed);
    QVERIFY2(statusBarLabel(window.get())->text().contains(QStringLiteral("No keychain service")),
             qPrintable(statusBarLabel(window.get())->text()));
    QVERIFY(!send->isEnabled());
    QCOMPARE(requestsServed(server->baseUrl()), 0);
}

void tst_MainWindow::formInputsHaveAccessibleNames()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    const QList<OperationForm *> forms = allForms(window.get());
    QCOMPARE(forms.size(), 8);
    for (OperationForm *form : forms) {
        QList<QWidget *> inputs;
        for (QLineEdit *edit : form->findChildren<QLineEdit *>())
            inputs << edit;
        for (QPlainTextEdit *edit : form->findChildren<QPlainTextEdit *>())
            inputs << edit;
        for (QTableView *view : form->findChildren<QTableView *>())
            inputs << view;
        for (QPushButton *button : form->findChildren<QPushButton *>())
            inputs << button;
        QVERIFY(inputs.size() >= 4);
        for (QWidget *input : inputs) {
            const QString name = input->accessibleName().isEmpty() && qobject_cast<QPushButton *>(input)
                                     ? qobject_cast<QPushButton *>(input)->text()
                                     : input->accessibleName();
            QVERIFY2(!name.isEmpty(),
                     qPrintable(form->objectName() + QLatin1Char('/') + input->objectName()));
        }
    }
    for (const char *name : {"profileComboBox", "navigationListWidget", "rateLimitProgressBar"})
        QVERIFY2(!window->findChild<QWidget *>(QLatin1String(name))->accessibleName().isEmpty(), name);
}

void tst_MainWindow::historyEntryOpensInItsForm()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    auto *history = qobject_cast<HistoryPage *>(window->page(QStringLiteral("History")));
    QVERIFY(history);
    auto *stack = window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    QTest::keyClick(window.get(), Qt::Key_9, Qt::ControlModifier);
    QCOMPARE(stack->currentWidget(), history);

    // An entry of the deprecated POST /events opens on the Events page, with its endpoint.
    emit history->openRequested(ApiRequest::trackLegacyEvent(QStringLiteral("Signed up"),
                                                             {QStringLiteral("u-7"), QString()}, {}, {},
                                                             QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), QStringLiteral("Events"));
    OperationForm *event = formOf(window.get(), QStringLiteral("trackEvent"));
    QCOMPARE(event->operation(), Operation::TrackLegacyEvent);
    QCOMPARE(event->findChild<QLineEdit *>(QStringLiteral("eventNameLineEdit"))->text(),
             QStringLiteral("Signed up"));
    QCOMPARE(event->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(), QStringLiteral("u-7"));

    // A delete opens on the Users page's Delete tab, ready to send again.
    emit history->openRequested(ApiRequest::deleteUser({QString(), QStringLiteral("gone@acme.com")}));
    QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), QStringLiteral("Users"));
    OperationForm *remove = formOf(window.get(), QStringLiteral("deleteUser"));
    QVERIFY(remove->isVisible());
    QCOMPARE(remove->findChild<QLineEdit *>(QStringLiteral("emailLineEdit"))->text(),
             QStringLiteral("gone@acme.com"));
}

void tst_MainWindow::testConnectionListsPermissions()
{
    Console console;
    const QString key = QStringLiteral("jk_read_2b4d6f8a0c1e3a5c7e9b1d3f");
    SandboxServer *server =
        console.startServer(key, {QStringLiteral("ReadEvents"), QStringLiteral("ReadProperties")});
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Reader"), server->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Reader")));
    QVERIFY(console.ready());
    const qint64 atStart = settledRequests(server->baseUrl());
    QVERIFY(atStart > 0);
    QVERIFY2(statusBarLabel(window.get())->text().endsWith(QStringLiteral(" · 2 permissions")),
             qPrintable(statusBarLabel(window.get())->text()));
    QVERIFY2(statusBarLabel(window.get())
                 ->toolTip()
                 .contains(QStringLiteral("Permissions of the key: ReadEvents, ReadProperties")),
             qPrintable(statusBarLabel(window.get())->toolTip()));
    // Every form needs TrackData, which this key lacks.
    for (OperationForm *form : allForms(window.get())) {
        auto *send = form->findChild<QPushButton *>(QStringLiteral("sendPushButton"));
        QVERIFY2(!send->isEnabled(), qPrintable(form->objectName()));
        QVERIFY2(send->toolTip().contains(QStringLiteral("TrackData")), qPrintable(send->toolTip()));
    }

    statusBarLabel(window.get())->clear();
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(statusBarLabel(window.get())
                    ->toolTip()
                    .contains(QStringLiteral("Permissions of the key: ReadEvents, ReadProperties")));
    QCOMPARE(requestsServed(server->baseUrl()), atStart + 1); // one more GET /validate
}

void tst_MainWindow::refusedKeyIsReported()
{
    Console console;
    SandboxServer *server =
        console.startServer(QStringLiteral("jk_test_the_right_key"), SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Stale key"), server->baseUrl(), Profile::Environment::Staging,
                               "jk_test_a_revoked_key"));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Stale key"), false));
    QTRY_VERIFY(requestsServed(server->baseUrl()) > 0);
    QTRY_VERIFY(statusBarLabel(window.get())->text().contains(QStringLiteral("Could not validate")));
    const QString status = statusBarLabel(window.get())->text();
    QVERIFY2(status.contains(QStringLiteral("Stale key")), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("401")), qPrintable(status));
    QVERIFY2(!status.startsWith(QStringLiteral("Connected")), qPrintable(status));
}

void tst_MainWindow::profileDialogPutsTheKeyInTheKeychainOnly()
{
    Console console;
    const QString key = QStringLiteral("jk_live_4a6c8e0f2b4d6f8a1c3e5a7c9e1b3d5f");
    const QString verification = QStringLiteral("whsec_0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    auto window = openWindow(console);
    QVERIFY(window);

    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("addProfilePushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(window->findChild<ProfileDialog *>());
    ProfileDialog *dialog = window->findChild<ProfileDialog *>();
    QTRY_VERIFY(dialog->isVisible());
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit")),
                     QStringLiteral("Acme Live"));
    auto *baseUrl = dialog->findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"));
    QCOMPARE(baseUrl->text(), QStringLiteral("https://api.journy.io"));
    baseUrl->selectAll();
    QTest::keyClicks(baseUrl, server->baseUrl().toString());
    auto *environment = dialog->findChild<QComboBox *>(QStringLiteral("environmentComboBox"));
    QCOMPARE(environment->currentText(), QStringLiteral("production"));
    auto *apiKey = dialog->findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit"));
    QCOMPARE(apiKey->echoMode(), QLineEdit::Password);
    QTest::keyClicks(apiKey, key);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(QStringLiteral("secretLineEdit")), verification);
    QSignalSpy saved(dialog, &ProfileDialog::saved);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY(saved.count() == 1 || saved.wait(5000));
    QCOMPARE(saved.first().first().toString(), QStringLiteral("Acme Live"));

    // The key and the secret are in the keychain, the rest in the profiles file.
    const Profile profile = console.profiles.profile(QStringLiteral("Acme Live"));
    QCOMPARE(profile.name, QStringLiteral("Acme Live"));
    QCOMPARE(profile.baseUrl, server->baseUrl());
    QCOMPARE(profile.environment, Profile::Environment::Production);
    QCOMPARE(console.readSecret(profile.apiKeySecretName()), std::optional<QByteArray>(key.toUtf8()));
    QCOMPARE(console.readSecret(profile.verificationSecretName()),
             std::optional<QByteArray>(verification.toUtf8()));

    // The window switched to the new profile, which connects with the key from the keychain.
    QTRY_VERIFY(console.session.profile().name == QLatin1String("Acme Live") && console.ready());
    QVERIFY(window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Acme Live")));
    QCOMPARE(window->findChild<QComboBox *>(QStringLiteral("profileComboBox"))->currentData().toString(),
             QStringLiteral("Acme Live"));

    // No file holds the key or the secret.
    window->saveSettings();
    const QByteArray profilesFile = fileBytes(console.profilesFile());
    const QByteArray settingsFile = fileBytes(console.settingsFile());
    QVERIFY(profilesFile.contains(server->baseUrl().toString().toUtf8()));
    QVERIFY(settingsFile.contains("Acme Live"));
    for (const QByteArray &bytes : {profilesFile, settingsFile}) {
        QVERIFY(!bytes.contains(key.toUtf8()));
        QVERIFY(!bytes.contains(verification.toUtf8()));
        QVERIFY(!bytes.contains("jk_live"));
    }
}

void tst_MainWindow::profileDialogWithoutKeychainSavesNothing()
{
    Console console;
    console.secrets.setAvailable(false);
    const QString key = QStringLiteral("jk_live_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d");
    ProfileDialog dialog(&console.profiles, &console.secrets);
    dialog.show();
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")),
                     QStringLiteral("Nowhere"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")), key);
    QSignalSpy saved(&dialog, &ProfileDialog::saved);
    QSignalSpy failed(&dialog, &ProfileDialog::failed);
    dialog.save();
    QVERIFY(failed.count() == 1 || failed.wait(5000));
    QCOMPARE(saved.count(), 0);
    QVERIFY2(dialog.errorText().contains(QStringLiteral("No keychain service")),
             qPrintable(dialog.errorText()));
    QVERIFY(dialog.errorText().contains(QStringLiteral("not saved")));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->isVisible());
    QVERIFY(dialog.isVisible()); // stays open to try again
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("savePushButton"))->isEnabled());
    QVERIFY(!console.profiles.contains(QStringLiteral("Nowhere")));
    const QByteArray profilesFile = fileBytes(console.profilesFile());
    QVERIFY(!profilesFile.contains("Nowhere"));
    QVERIFY(!profilesFile.contains(key.toUtf8()));

    // A key is required; the built-in profile's name is taken.
    console.secrets.setAvailable(true);
    ProfileDialog empty(&console.profiles, &console.secrets);
    QTest::keyClicks(empty.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")), QStringLiteral("Keyless"));
    empty.save();
    QCOMPARE(empty.errorText(), QStringLiteral("Enter the profile's API key"));
    ProfileDialog sandbox(&console.profiles, &console.secrets);
    QTest::keyClicks(sandbox.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")),
                     QStringLiteral("Sandbox"));
    QTest::keyClicks(sandbox.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")), key);
    sandbox.save();
    QVERIFY(sandbox.errorText().contains(QStringLiteral("'Sandbox' cannot be used")));
    QCOMPARE(console.profiles.profiles().size(), 1);
}

void tst_MainWindow::editProfileKeepsItsKey()
{
    Console console;
    const QString key = QStringLiteral("jk_test_0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Staging EU"), server->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Staging EU")));
    QVERIFY(!window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")));

    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("editProfilePushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(window->findChild<ProfileDialog *>() && window->findChild<ProfileDialog *>()->isVisible());
    ProfileDialog *dialog = window->findChild<ProfileDialog *>();
    auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("nameLineEdit"));
    QCOMPARE(name->text(), QStringLiteral("Staging EU"));
    QVERIFY(name->isReadOnly());
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"))->text(),
             server->baseUrl().toString());
    auto *environment = dialog->findChild<QComboBox *>(QStringLiteral("environmentComboBox"));
    QCOMPARE(environment->currentText(), QStringLiteral("staging"));
    // The stored key is never shown; left empty, it is kept.
    QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit"))->text().isEmpty());
    environment->setFocus();
    QTest::keyClick(environment, Qt::Key_Up); // production
    QCOMPARE(environment->currentText(), QStringLiteral("production"));
    QSignalSpy saved(dialog, &ProfileDialog::saved);
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY(saved.count() == 1 || saved.wait(5000));

    QCOMPARE(console.profiles.profile(QStringLiteral("Staging EU")).environment,
             Profile::Environment::Production);
    QCOMPARE(console.readSecret(console.profiles.profile(QStringLiteral("Staging EU")).apiKeySecretName()),
             std::optional<QByteArray>(key.toUtf8()));
    QTRY_VERIFY(console.ready());
    QCOMPARE(console.session.profile().name, QStringLiteral("Staging EU"));
    QVERIFY2(window->windowTitle().startsWith(QStringLiteral("[PRODUCTION]")),
             qPrintable(window->windowTitle()));
    QVERIFY(window->findChild<QLabel *>(QStringLiteral("productionBannerLabel"))->isVisible());
}

void tst_MainWindow::removeProfileAsksAndDeletesItsKey()
{
    Console console;
    const QString key = QStringLiteral("jk_test_ffeeddccbbaa99887766554433221100");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Old"), server->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    const QString keyName = console.profiles.profile(QStringLiteral("Old")).apiKeySecretName();
    // A proxy password saved by the login prompt goes with the profile too.
    const QString proxyPasswordName =
        console.profiles.profile(QStringLiteral("Old")).proxyPasswordSecretName();
    QVERIFY(console.writeSecret(proxyPasswordName, "old-proxy-password"));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Old")));
    auto *remove = window->findChild<QPushButton *>(QStringLiteral("removeProfilePushButton"));
    QVERIFY(remove->isEnabled());

    ConfirmationDialog::setNextAnswer(false);
    QTest::mouseClick(remove, Qt::LeftButton);
    QVERIFY2(ConfirmationDialog::lastQuestion().contains(QStringLiteral("Old")),
             qPrintable(ConfirmationDialog::lastQuestion()));
    QTest::qWait(50);
    QVERIFY(console.profiles.contains(QStringLiteral("Old")));
    QCOMPARE(console.readSecret(keyName), std::optional<QByteArray>(key.toUtf8()));
    QCOMPARE(console.readSecret(proxyPasswordName), std::optional<QByteArray>("old-proxy-password"));
    QCOMPARE(console.session.profile().name, QStringLiteral("Old"));

    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_VERIFY(!console.profiles.contains(QStringLiteral("Old")));
    QCOMPARE(console.readSecret(keyName), std::nullopt);
    QCOMPARE(console.readSecret(proxyPasswordName), std::nullopt);
    QTRY_COMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QCOMPARE(combo->count(), 1);
    QCOMPARE(combo->currentData().toString(), QStringLiteral("Sandbox"));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Sandbox")));
    QVERIFY(!remove->isEnabled());
}

void tst_MainWindow::removeProfileKeepsItWhenTheKeychainRefuses()
{
    Console console;
    const QString key = QStringLiteral("jk_test_5c6d7e8f90a1b2c3d4e5f60718293a4b");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Old"), server->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    const Profile old = console.profiles.profile(QStringLiteral("Old"));
    QVERIFY(console.writeSecret(old.verificationSecretName(), "old-verification-secret"));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Old")));
    auto *remove = window->findChild<QPushButton *>(QStringLiteral("removeProfilePushButton"));
    auto *message = window->findChild<QLabel *>(QStringLiteral("profileMessageLabel"));
    QVERIFY(!message || message->isHidden());

    // The keychain refuses to let go of the verification secret: the profile stays, with its
    // key, and the user is told why and what to do.
    console.secrets.refuseRemoving(old.verificationSecretName());
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_VERIFY(!console.profiles.contains(QStringLiteral("Old")) || (message && !message->isHidden()));
    QVERIFY(console.profiles.contains(QStringLiteral("Old")));
    QVERIFY(message);
    const QString text = message->text();
    QVERIFY2(text.contains(QLatin1String("The profile Old was kept")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("identity-verification secret")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("the user denied it")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("again")), qPrintable(text));
    QVERIFY(console.profiles.contains(QStringLiteral("Old")));
    QCOMPARE(console.readSecret(old.verificationSecretName()),
             std::optional<QByteArray>("old-verification-secret"));
    QCOMPARE(console.readSecret(old.apiKeySecretName()), std::optional<QByteArray>(key.toUtf8()));
    QCOMPARE(console.session.profile().name, QStringLiteral("Old"));
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    QVERIFY(combo->findData(QStringLiteral("Old")) >= 0);
    QVERIFY(remove->isEnabled());

    // Once the keychain lets go, removing again removes everything.
    console.secrets.allowRemoving();
    ConfirmationDialog::setNextAnswer(true);
    QTest::mouseClick(remove, Qt::LeftButton);
    QTRY_VERIFY(!console.profiles.contains(QStringLiteral("Old")));
    QCOMPARE(console.readSecret(old.verificationSecretName()), std::nullopt);
    QCOMPARE(console.readSecret(old.apiKeySecretName()), std::nullopt);
    QTRY_COMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
    QVERIFY(message->isHidden());
    QCOMPARE(combo->count(), 1);
}

void tst_MainWindow::closingRemembersAndNextWindowRestores()
{
    Console console;
    const QString key = QStringLiteral("jk_test_6e5d4c3b2a190817f6e5d4c3");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Staging EU"), server->baseUrl(), Profile::Environment::Staging,
                               key.toUtf8()));
    {
        auto window = openWindow(console);
        QVERIFY(window);
        QCOMPARE(console.session.profile().name, QStringLiteral("Sandbox"));
        QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Staging EU")));
        QTest::keyClick(window.get(), Qt::Key_2, Qt::ControlModifier); // Accounts
        OperationForm *accounts = formOf(window.get(), QStringLiteral("upsertAccount"));
        QTest::keyClicks(accounts->findChild<QLineEdit *>(QStringLiteral("accountIdLineEdit")),
                         QStringLiteral("acc-remembered"));
        window->resize(790, 700); // within the test screen (the offscreen platform's 800x800)
        QTRY_COMPARE(window->size(), QSize(790, 700));
        QVERIFY(window->close());
    }
    {
        QSettings settings(console.settingsFile(), QSettings::IniFormat);
        QCOMPARE(settings.value(QStringLiteral("session/profile")).toString(), QStringLiteral("Staging EU"));
        QCOMPARE(settings.value(QStringLiteral("window/page")).toInt(), 1);
        QVERIFY(!settings.value(QStringLiteral("window/geometry")).toByteArray().isEmpty());
    }
    QVERIFY(!fileBytes(console.settingsFile()).contains(key.toUtf8()));

    auto window = openWindow(console);
    QVERIFY(window);
    QCOMPARE(console.session.profile().name, QStringLiteral("Staging EU"));
    QVERIFY(console.ready());
    QCOMPARE(window->findChild<QComboBox *>(QStringLiteral("profileComboBox"))->currentData().toString(),
             QStringLiteral("Staging EU"));
    QVERIFY(window->windowTitle().contains(QStringLiteral("Staging EU")));
    auto *stack = window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), QStringLiteral("Accounts"));
    QCOMPARE(window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"))->currentRow(), 1);
    QTRY_COMPARE(window->size(), QSize(790, 700));
    QCOMPARE(formOf(window.get(), QStringLiteral("upsertAccount"))
                 ->findChild<QLineEdit *>(QStringLiteral("accountIdLineEdit"))
                 ->text(),
             QStringLiteral("acc-remembered"));
}

void tst_MainWindow::historyRecordsRequestsWithoutTheKey()
{
    Console console;
    QVERIFY(console.historyOpen);
    const QString key = QStringLiteral("jk_live_3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c");
    SandboxServer *server = console.startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(console.addProfile(QStringLiteral("Live"), server->baseUrl(), Profile::Environment::Production,
                               key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Live")));
    const qint64 atStart = settledRequests(server->baseUrl());
    QVERIFY(atStart > 0);

    QTest::keyClick(window.get(), Qt::Key_1, Qt::ControlModifier);
    OperationForm *form = formOf(window.get(), QStringLiteral("upsertUser"));
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-history"));
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("emailLineEdit")),
                     QStringLiteral("history@acme.com"));
    const std::optional<ApiResult> result = sendForm(form);
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);

    auto *history = qobject_cast<HistoryPage *>(window->page(QStringLiteral("History")));
    QVERIFY(history);
    QTRY_VERIFY(history->isLoaded());
    HistoryModel *model = history->model();
    QTRY_VERIFY(model->rowCount() > 0);
    // Newest first: the upsert just sent.
    const HistoryEntry &newest = model->entryAt(0);
    QCOMPARE(newest.operation, QStringLiteral("upsertUser"));
    QCOMPARE(newest.profile, QStringLiteral("Live"));
    QCOMPARE(newest.httpStatus, 201);
    QCOMPARE(newest.requestId, result->requestId);
    QVERIFY(newest.identification.contains(QStringLiteral("u-history")));
    QCOMPARE(model->data(model->index(0, HistoryModel::StatusColumn)).toString().left(3),
             QStringLiteral("201"));
    QCOMPARE(model->data(model->index(0, HistoryModel::ProfileColumn)).toString(), QStringLiteral("Live"));
    // GET /validate, the catalog's lists and the upsert, all in the database.
    const auto sentToLive = [&console] {
        qint64 count = 0;
        for (const HistoryEntry &entry : console.history.all())
            count += entry.profile == QLatin1String("Live") ? 1 : 0;
        return count;
    };
    QTRY_COMPARE(sentToLive(), atStart + 1);
    const std::optional<HistoryEntry> stored = console.history.entry(newest.id);
    QVERIFY(stored);
    QVERIFY(stored->requestBody.contains("u-history"));

    // Neither the database nor the settings file nor the profiles file holds the key.
    window->saveSettings();
    const QByteArray database = historyBytes(console);
    QVERIFY(database.contains("u-history"));
    QVERIFY(!database.contains(key.toUtf8()));
    QVERIFY(!database.contains("jk_live"));
    QVERIFY(!fileBytes(console.settingsFile()).contains(key.toUtf8()));
    QVERIFY(!fileBytes(console.profilesFile()).contains(key.toUtf8()));
    for (const HistoryEntry &entry : console.history.all()) {
        QVERIFY(!entry.responseHeaders.contains(key.toUtf8()));
        QVERIFY(!entry.requestBody.contains(key.toUtf8()));
        QVERIFY(!entry.url.contains(key));
    }
}

void tst_MainWindow::requestInFlightFinishesUnderItsProfileAfterASwitch()
{
    Console console;
    QVERIFY(console.historyOpen);
    // A slow server: it answers GET /validate at once and holds the upsert until told.
    ScriptedHttpServer slow;
    QVERIFY(slow.listen());
    QJsonArray permissions;
    for (const QString &permission : SandboxConfig::allPermissions())
        permissions.append(permission);
    slow.enqueueFor(QStringLiteral("/validate"),
                    ScriptedResponse::json(
                        200, QJsonObject{{QStringLiteral("data"),
                                          QJsonObject{{QStringLiteral("permissions"), permissions}}}}));
    ScriptedResponse held = ScriptedResponse::json(
        201, QJsonObject{{QStringLiteral("message"), QStringLiteral("stored by the slow server")},
                         {QStringLiteral("meta"),
                          QJsonObject{{QStringLiteral("status"), 201},
                                      {QStringLiteral("requestId"), QStringLiteral("slow-1")}}}});
    held.held = true;
    slow.enqueueFor(QStringLiteral("/users/upsert"), held);
    QVERIFY(console.addProfile(QStringLiteral("Slow"), slow.baseUrl(), Profile::Environment::Staging,
                               "jk_test_slow0123456789abcdef"));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Slow")));

    QTest::keyClick(window.get(), Qt::Key_1, Qt::ControlModifier);
    OperationForm *form = formOf(window.get(), QStringLiteral("upsertUser"));
    QVERIFY(form);
    QTest::keyClicks(form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit")),
                     QStringLiteral("u-slow"));
    std::optional<ApiResult> answer;
    connect(form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    auto *status = form->findChild<QLabel *>(QStringLiteral("statusLabel"));
    auto *body = form->findChild<QPlainTextEdit *>(QStringLiteral("bodyPlainTextEdit"));
    auto *requestId = form->findChild<QLabel *>(QStringLiteral("requestIdLabel"));
    auto *send = form->findChild<QPushButton *>(QStringLiteral("sendPushButton"));
    QVERIFY(status && body && requestId && send);
    form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->setFocus();
    QTest::keyClick(form, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE(slow.heldCount(), 1); // the upsert reached the server, which sits on it
    QCOMPARE(status->text(), QStringLiteral("Sending…"));

    // The user switches to the built-in Sandbox while the upsert is in flight to Slow.
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Sandbox")));
    QVERIFY2(status->text().contains(QLatin1String("Sending with the profile Slow")),
             qPrintable(status->text()));
    QVERIFY(send->isEnabled()); // the Sandbox can be sent to meanwhile

    slow.releaseHeld();
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(answer->httpStatus, 201);
    // The form left "Sending…" and says whose answer it was and where it is; nothing of Slow's
    // answer reads as the Sandbox's.
    const QString text = status->text();
    QVERIFY2(text.contains(QLatin1String("Sent with the profile Slow before the switch to Sandbox")),
             qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("HTTP 201")), qPrintable(text));
    QVERIFY2(text.contains(QLatin1String("History under Slow")), qPrintable(text));
    QVERIFY(body->toPlainText().isEmpty());
    QVERIFY(!requestId->text().contains(QLatin1String("slow-1")));
    QVERIFY(send->isEnabled());
    // Slow's client went once its last call was answered: only the Sandbox's is left.
    QTRY_COMPARE(console.session.findChildren<JournyClient *>(Qt::FindDirectChildrenOnly).size(), 1);

    // History has the upsert, under Slow, as the server answered it.
    const auto upserts = [&console] {
        QList<HistoryEntry> found;
        for (const HistoryEntry &entry : console.history.all())
            if (entry.operation == QLatin1String("upsertUser"))
                found.append(entry);
        return found;
    };
    QTRY_COMPARE(upserts().size(), 1);
    const HistoryEntry entry = upserts().constFirst();
    QCOMPARE(entry.profile, QStringLiteral("Slow"));
    QCOMPARE(entry.httpStatus, 201);
    QCOMPARE(entry.requestId, QStringLiteral("slow-1"));
    QVERIFY(entry.identification.contains(QLatin1String("u-slow")));
    auto *history = qobject_cast<HistoryPage *>(window->page(QStringLiteral("History")));
    QVERIFY(history);
    QTRY_VERIFY(history->isLoaded());
    HistoryModel *model = history->model();
    const auto shownUnderSlow = [model] {
        for (int row = 0; row < model->rowCount(); ++row)
            if (model->entryAt(row).operation == QLatin1String("upsertUser"))
                return model->data(model->index(row, HistoryModel::ProfileColumn)).toString() ==
                       QLatin1String("Slow");
        return false;
    };
    QTRY_VERIFY(shownUnderSlow());
}

void tst_MainWindow::screenshotTourSavesEveryPage()
{
    // The tour's sample import writes the import journal in the data folder: a temporary one.
    QTemporaryDir data;
    const QByteArray oldDataHome = qgetenv("XDG_DATA_HOME");
    qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
    const auto restore = qScopeGuard([&oldDataHome] {
        if (oldDataHome.isEmpty())
            qunsetenv("XDG_DATA_HOME");
        else
            qputenv("XDG_DATA_HOME", oldDataHome);
    });
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    QTemporaryDir shots;
    ScreenshotTour tour(window.get(), shots.path());
    QSignalSpy finished(&tour, &ScreenshotTour::finished);
    tour.start();
    QVERIFY(finished.wait(90000));
    QCOMPARE(finished.first().first().toBool(), true);

    // One picture of the whole window per page, named after the page, in navigation order.
    QStringList expected;
    for (int i = 0; i < pageTitles.size(); ++i)
        expected << QStringLiteral("%1-%2.png")
                        .arg(i + 1, 2, 10, QLatin1Char('0'))
                        .arg(pageTitles.at(i).toLower().replace(QLatin1Char(' '), QLatin1Char('-')));
    QCOMPARE(QDir(shots.path()).entryList(QDir::Files, QDir::Name), expected);
    for (const QString &name : std::as_const(expected)) {
        const QImage image(shots.filePath(name));
        QVERIFY2(!image.isNull(), qPrintable(name));
        QCOMPARE(image.size(), window->size() * window->devicePixelRatio());
    }
    // The Bulk import page's sample went through the sandbox, with its two bad rows failed.
    auto *importPage = window->findChild<ImportPage *>();
    QVERIFY(importPage);
    auto *summary = importPage->findChild<QLabel *>(QStringLiteral("summaryLabel"));
    QVERIFY(summary);
    QVERIFY2(summary->text().contains(QLatin1String("238 of 240")), qPrintable(summary->text()));
    QVERIFY(QFile::exists(data.filePath(QStringLiteral("journy-console/imports.sqlite"))));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_MainWindow.moc"

// The calls the console makes on its own, seen from the servers that receive them and from
// History: what the start-up of the main window spends of the key's rate limit (at most two
// requests: the key check and the catalog list the page in view completes from), and the
// Catalog's refresh after a track or an upsert that sent a new name (one fetch, after the burst),
// with the time of the fetch shown. Real windows on the offscreen platform, real sandboxes on
// loopback, a real SQLite history.

#include "store/HistoryStore.h"
#include "support/PageTestSession.h"
#include "ui/catalog/CatalogCache.h"
#include "ui/forms/OperationForm.h"
#include "ui/widgets/ConsolePage.h"
#include "ui/window/MainWindow.h"

#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>

#include <algorithm>
#include <optional>

namespace {

qint64 requestsOf(const SandboxServer *server)
{
    return server->stats().value(QLatin1String("requests")).toInteger();
}

// The operations History holds, oldest first.
QStringList operationsIn(const HistoryStore &history)
{
    QStringList operations;
    for (const HistoryEntry &entry : history.all())
        operations.append(entry.operation);
    return operations;
}

QStringList column(const QAbstractItemModel *model, int column)
{
    QStringList texts;
    for (int row = 0; row < model->rowCount(); ++row)
        texts.append(model->index(row, column).data().toString());
    return texts;
}

// The console as journy-console starts it, on the test session's folder: History on its file,
// the window shown and started on the profile and page console.ini remembers.
class StartedConsole
{
public:
    explicit StartedConsole(PageTestSession &t)
        : historyOpen(history.open(t.dir.filePath(QStringLiteral("history.sqlite")), &error)),
          window(&t.session, &history, t.dir.filePath(QStringLiteral("console.ini")))
    {
        window.show();
        window.start();
    }

    HistoryStore history;
    QString error;
    bool historyOpen;
    MainWindow window;
};

} // namespace

class TestBackgroundCalls : public QObject
{
    Q_OBJECT

private slots:
    void startupUsesAtMostTwoRequests_data();
    void startupUsesAtMostTwoRequests();
    void catalogRefreshesAfterATrackFromTheForm();
    void aBurstOfUpsertsCausesOneFetch();
};

void TestBackgroundCalls::startupUsesAtMostTwoRequests_data()
{
    QTest::addColumn<int>("page");
    QTest::addColumn<QStringList>("expected");
    const QString validate = QStringLiteral("getValidity");
    QTest::newRow("Users") << 0 << QStringList{validate, QStringLiteral("getUserProperties")};
    QTest::newRow("Accounts") << 1 << QStringList{validate, QStringLiteral("getAccountProperties")};
    QTest::newRow("Events") << 3 << QStringList{validate, QStringLiteral("getEvents")};
    QTest::newRow("Catalog") << 6 << QStringList{validate, QStringLiteral("getEvents")}; // the tab in view
    QTest::newRow("History") << 8 << QStringList{validate};
}

// The window starts on the remembered profile (a staging sandbox) and page, and is left alone:
// the server receives the key check and at most the one list the page completes names from.
void TestBackgroundCalls::startupUsesAtMostTwoRequests()
{
    QFETCH(int, page);
    QFETCH(QStringList, expected);
    PageTestSession t;
    QVERIFY(t.addProfile(QStringLiteral("Staging"), QStringLiteral("staging-key-1234"),
                         SandboxConfig::allPermissions()));
    const QString settingsFile = t.dir.filePath(QStringLiteral("console.ini"));
    {
        QSettings settings(settingsFile, QSettings::IniFormat);
        settings.setValue(QStringLiteral("session/profile"), QStringLiteral("Staging"));
        settings.setValue(QStringLiteral("window/page"), page);
    }
    QCOMPARE(requestsOf(t.otherServer.get()), qint64(0));

    StartedConsole console(t);
    QVERIFY2(console.historyOpen, qPrintable(console.error));
    const HistoryStore &history = console.history;
    QTRY_VERIFY(t.session.state() == ConsoleSession::State::Ready && t.session.permissionsKnown());
    QTRY_COMPARE(history.count(), qint64(expected.size()));
    // Idle: nothing more goes out while the window is left alone (longer than the catalog's
    // delay before a stale list is fetched again).
    QTest::qWait(CatalogCache::StaleRefetchDelayMs + 500);
    QCOMPARE(requestsOf(t.otherServer.get()), qint64(expected.size()));
    QVERIFY(requestsOf(t.otherServer.get()) <= 2);
    // The list is asked for as the profile connects, alongside the key check: in either order.
    QStringList operations = operationsIn(history);
    operations.sort();
    expected.sort();
    QCOMPARE(operations, expected);
    for (const HistoryEntry &entry : history.all())
        QVERIFY2(entry.background, qPrintable(entry.operation));
}

// On the embedded sandbox, as a user would: the Catalog page shows the events and when they were
// fetched; a track with a new name sent from the Events form makes the page list it, without
// Refresh, after one fetch of the events list; a track with a known name fetches nothing.
void TestBackgroundCalls::catalogRefreshesAfterATrackFromTheForm()
{
    PageTestSession t;
    StartedConsole console(t);
    QVERIFY2(console.historyOpen, qPrintable(console.error));
    QTRY_VERIFY(t.session.state() == ConsoleSession::State::Ready && t.session.permissionsKnown());

    ConsolePage *catalog = console.window.page(QStringLiteral("Catalog"));
    console.window.showPage(catalog);
    auto *events = catalog->findChild<QTableView *>(QStringLiteral("eventsTableView"));
    auto *fetchedAt = catalog->findChild<QLabel *>(QStringLiteral("fetchedAtLabel"));
    QVERIFY(events && fetchedAt);
    QTRY_VERIFY(console.window.catalog()->isLoaded(CatalogCache::List::Events));
    QCOMPARE(events->model()->rowCount(), 0);
    static const QRegularExpression fetchedText(
        QRegularExpression::anchoredPattern(QStringLiteral(R"(Fetched \d\d:\d\d:\d\d)")));
    QVERIFY2(fetchedText.match(fetchedAt->text()).hasMatch(), qPrintable(fetchedAt->text()));
    QVERIFY(fetchedAt->isVisible());
    const QDateTime firstFetch = console.window.catalog()->fetchedAt(CatalogCache::List::Events);
    QVERIFY(firstFetch.isValid());
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("getEvents")), 1);

    auto track = [&console](const QString &name) {
        console.window.showPage(console.window.page(QStringLiteral("Events")));
        auto *form = console.window.findChild<OperationForm *>(QStringLiteral("trackEventOperationForm"));
        auto *nameEdit = form->findChild<QLineEdit *>(QStringLiteral("eventNameLineEdit"));
        auto *userId = form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"));
        nameEdit->clear();
        QTest::keyClicks(nameEdit, name);
        userId->clear();
        QTest::keyClicks(userId, QStringLiteral("u-catalog"));
        std::optional<ApiResult> answer;
        QObject context;
        QObject::connect(form, &OperationForm::finished, &context,
                         [&answer](const ApiResult &result) { answer = result; });
        QTest::mouseClick(form->findChild<QPushButton *>(QStringLiteral("sendPushButton")), Qt::LeftButton);
        return QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000) && answer->ok();
    };
    QVERIFY(track(QStringLiteral("Upgraded plan")));
    console.window.showPage(catalog);
    QTRY_COMPARE(column(events->model(), 0), QStringList{QStringLiteral("Upgraded plan")});
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("getEvents")), 2);
    QVERIFY(console.window.catalog()->fetchedAt(CatalogCache::List::Events) > firstFetch);
    QVERIFY2(fetchedText.match(fetchedAt->text()).hasMatch(), qPrintable(fetchedAt->text()));

    // A name the catalog lists already: nothing to fetch. Then a new one: fetched once more.
    QVERIFY(track(QStringLiteral("Upgraded plan")));
    QVERIFY(track(QStringLiteral("Downgraded plan")));
    console.window.showPage(catalog);
    QTRY_COMPARE(events->model()->rowCount(), 2);
    QTest::qWait(CatalogCache::StaleRefetchDelayMs + 500);
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("getEvents")), 3);
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("trackEvent")), 3);
}

// Twenty upserts with new property names at once (what a bulk import sends): the user
// properties are fetched once, after the burst, and then list every name.
void TestBackgroundCalls::aBurstOfUpsertsCausesOneFetch()
{
    PageTestSession t;
    StartedConsole console(t);
    QVERIFY2(console.historyOpen, qPrintable(console.error));
    // On the Users page: the user properties are fetched for its completion.
    QTRY_VERIFY(console.window.catalog()->isLoaded(CatalogCache::List::UserProperties));
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("getUserProperties")), 1);

    QList<ApiReply *> replies;
    QStringList names;
    for (int i = 0; i < 20; ++i) {
        names.append(QStringLiteral("burst_%1").arg(i));
        QJsonObject body{{QStringLiteral("identification"),
                          QJsonObject{{QStringLiteral("userId"), QStringLiteral("u-%1").arg(i)}}},
                         {QStringLiteral("properties"), QJsonObject{{names.last(), i}}}};
        replies.append(t.session.send(ApiRequest::raw(Operation::UpsertUser, body)));
        QVERIFY(replies.last());
    }
    QTRY_VERIFY(
        std::all_of(replies.cbegin(), replies.cend(), [](ApiReply *reply) { return reply->isFinished(); }));
    for (ApiReply *reply : std::as_const(replies))
        QVERIFY2(reply->result().ok(), qPrintable(reply->result().summary()));
    QTRY_COMPARE(console.window.catalog()->userPropertyNames().size(), 20);
    QTest::qWait(CatalogCache::StaleRefetchDelayMs + 500);
    QCOMPARE(operationsIn(console.history).count(QStringLiteral("getUserProperties")), 2);
    QStringList listed = console.window.catalog()->userPropertyNames();
    listed.sort();
    names.sort();
    QCOMPARE(listed, names);
}

QTEST_MAIN(TestBackgroundCalls)
#include "tst_BackgroundCalls.moc"

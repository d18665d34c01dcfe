// The catalog page as a user sees it: real widgets on the offscreen platform, a ConsoleSession on
// the in-process sandbox seeded through the session, and a second profile on another sandbox
// whose key lacks ReadEvents. Assertions are on the tables, the filter, the counts and the messages.

#include "support/PageTestSession.h"
#include "support/TestFields.h"
#include "ui/catalog/CatalogCache.h"
#include "ui/catalog/CatalogModel.h"
#include "ui/catalog/CatalogPage.h"

#include <QAbstractItemModelTester>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>

namespace {

QStringList column(const QAbstractItemModel *model, int column)
{
    QStringList texts;
    for (int row = 0; row < model->rowCount(); ++row)
        texts.append(model->index(row, column).data().toString());
    return texts;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

// The catalog the sandbox builds from what it receives: two events, two user properties, one
// account property; segments come from the sandbox's default configuration.
bool seed(PageTestSession &t)
{
    const UserIdentification ann{QStringLiteral("u1"), QStringLiteral("ann@example.com")};
    const AccountIdentification acme{QStringLiteral("a1"), QString()};
    const QList<ApiResult> results = {
        t.send(ApiRequest::upsertUser(ann, {TestFields::parse(QStringLiteral("plan=pro")),
                                            TestFields::parse(QStringLiteral("seats:number=12"))})),
        t.send(ApiRequest::upsertAccount(acme, {TestFields::parse(QStringLiteral("industry=software"))})),
        t.send(ApiRequest::trackEvent(QStringLiteral("signed_up"), ann, AccountIdentification(), {})),
        t.send(ApiRequest::trackEvent(QStringLiteral("Invoice Paid"), ann, acme,
                                      {TestFields::parse(QStringLiteral("amount:number=10"))})),
    };
    for (const ApiResult &result : results) {
        if (!result.ok()) {
            qWarning() << "seeding failed:" << result.summary();
            return false;
        }
    }
    return true;
}

// The widgets of one page, found the way a GUI test finds them: by object name.
class CatalogWidgets
{
public:
    explicit CatalogWidgets(CatalogPage &page)
        : filter(page.findChild<QLineEdit *>(QStringLiteral("filterLineEdit"))),
          refresh(page.findChild<QPushButton *>(QStringLiteral("refreshPushButton"))),
          tabs(page.findChild<QTabWidget *>(QStringLiteral("catalogTabWidget"))),
          count(page.findChild<QLabel *>(QStringLiteral("countLabel"))),
          events(page.findChild<QTableView *>(QStringLiteral("eventsTableView"))),
          userProperties(page.findChild<QTableView *>(QStringLiteral("userPropertiesTableView"))),
          accountProperties(page.findChild<QTableView *>(QStringLiteral("accountPropertiesTableView"))),
          userSegments(page.findChild<QTableView *>(QStringLiteral("userSegmentsTableView"))),
          accountSegments(page.findChild<QTableView *>(QStringLiteral("accountSegmentsTableView"))),
          eventsMessage(page.findChild<QLabel *>(QStringLiteral("eventsMessageLabel"))),
          userPropertiesMessage(page.findChild<QLabel *>(QStringLiteral("userPropertiesMessageLabel"))),
          userSegmentsMessage(page.findChild<QLabel *>(QStringLiteral("userSegmentsMessageLabel")))
    {}

    bool complete() const
    {
        return filter && refresh && tabs && count && events && userProperties && accountProperties &&
               userSegments && accountSegments && eventsMessage && userPropertiesMessage &&
               userSegmentsMessage;
    }

    // Every view's model (the filter proxy over a CatalogModel) checked on every change.
    void attachTesters(QObject *owner) const
    {
        for (QTableView *view : {events, userProperties, accountProperties, userSegments, accountSegments})
            new QAbstractItemModelTester(view->model(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest, owner);
    }

    QLineEdit *filter;
    QPushButton *refresh;
    QTabWidget *tabs;
    QLabel *count;
    QTableView *events;
    QTableView *userProperties;
    QTableView *accountProperties;
    QTableView *userSegments;
    QTableView *accountSegments;
    QLabel *eventsMessage;
    QLabel *userPropertiesMessage;
    QLabel *userSegmentsMessage;
};

} // namespace

// Clicks through the tabs from the last to the first, as a user looking at each list, waiting
// for each to be fetched (or to fail): a list is fetched when its tab is first shown.
void visitTabs(const CatalogWidgets &w, const CatalogCache &cache)
{
    for (int i = w.tabs->count() - 1; i >= 0; --i) {
        const auto list = CatalogCache::List(i);
        w.tabs->setCurrentIndex(i);
        QTRY_VERIFY(!cache.isLoading(list) && (cache.isLoaded(list) || !cache.error(list).isEmpty()));
    }
}

class TestCatalogPage : public QObject
{
    Q_OBJECT

private slots:
    void modelsPassTheModelTester();
    void showsTheSandboxCatalog();
    void filtersCaseInsensitively();
    void refreshShowsNewEntries();
    void showsTheServersMessageWhenAListFails();
    void fetchesAListWhenItsTabIsShown();
};

void TestCatalogPage::modelsPassTheModelTester()
{
    CatalogModel events(CatalogModel::Kind::Events);
    QAbstractItemModelTester eventsTester(&events, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&events, &QAbstractItemModel::modelReset);
    const QList<EventDefinition> eventList = {
        {QStringLiteral("e1"), QStringLiteral("signed_up"), QStringLiteral("g1"),
         QStringLiteral("Onboarding")},
        {QStringLiteral("e2"), QStringLiteral("logged_in"), QString(), QString()}};
    events.setEvents(eventList);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(events.rowCount(), 2);
    QCOMPARE(events.columnCount(), 3);
    QCOMPARE(events.headerData(0, Qt::Horizontal).toString(), QStringLiteral("Name"));
    QCOMPARE(events.headerData(1, Qt::Horizontal).toString(), QStringLiteral("ID"));
    QCOMPARE(events.headerData(2, Qt::Horizontal).toString(), QStringLiteral("Group"));
    QCOMPARE(events.index(0, 0).data().toString(), QStringLiteral("signed_up"));
    QCOMPARE(events.index(0, 1).data().toString(), QStringLiteral("e1"));
    QCOMPARE(events.index(0, 2).data().toString(), QStringLiteral("Onboarding"));
    QVERIFY(events.index(0, 2).data(Qt::ToolTipRole).toString().contains(QLatin1String("g1")));
    QCOMPARE(events.index(1, 2).data().toString(), QString());
    QVERIFY(!(events.flags(events.index(0, 0)) & Qt::ItemIsEditable));
    // The same list again (a refresh that brings nothing new) keeps the view as it is.
    events.setEvents(eventList);
    QCOMPARE(resets.size(), 1);
    events.setEvents({});
    QCOMPARE(resets.size(), 2);
    QCOMPARE(events.rowCount(), 0);

    CatalogModel properties(CatalogModel::Kind::Properties);
    QAbstractItemModelTester propertiesTester(&properties,
                                              QAbstractItemModelTester::FailureReportingMode::QtTest);
    PropertyDefinition plan{QStringLiteral("plan"), QStringLiteral("Plan"), false, QStringLiteral("g2"),
                            QStringLiteral("Billing")};
    PropertyDefinition score{QStringLiteral("score"), QStringLiteral("Health score"), true, QString(),
                             QString()};
    properties.setProperties({plan, score});
    QCOMPARE(properties.columnCount(), 4);
    QCOMPARE(properties.headerData(1, Qt::Horizontal).toString(), QStringLiteral("Label"));
    QCOMPARE(properties.headerData(3, Qt::Horizontal).toString(), QStringLiteral("Computed"));
    QCOMPARE(properties.index(0, 0).data().toString(), QStringLiteral("plan"));
    QCOMPARE(properties.index(0, 1).data().toString(), QStringLiteral("Plan"));
    QCOMPARE(properties.index(0, 2).data().toString(), QStringLiteral("Billing"));
    QCOMPARE(properties.index(0, 3).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);
    QCOMPARE(properties.index(1, 3).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Checked);
    QCOMPARE(properties.index(1, 3).data(CatalogModel::SortRole).toBool(), true);
    // No display text in the flag column, so a filter for "no" or "yes" does not match every row.
    QCOMPARE(properties.index(1, 3).data().toString(), QString());
    // A changed flag alone is a change.
    score.isComputed = false;
    QSignalSpy propertyResets(&properties, &QAbstractItemModel::modelReset);
    properties.setProperties({plan, score});
    QCOMPARE(propertyResets.size(), 1);
    QCOMPARE(properties.index(1, 3).data(Qt::CheckStateRole).value<Qt::CheckState>(), Qt::Unchecked);

    CatalogModel segments(CatalogModel::Kind::Segments);
    QAbstractItemModelTester segmentsTester(&segments,
                                            QAbstractItemModelTester::FailureReportingMode::QtTest);
    segments.setSegments({{QStringLiteral("s1"), QStringLiteral("Trial users")}});
    QCOMPARE(segments.columnCount(), 2);
    QCOMPARE(segments.index(0, 0).data().toString(), QStringLiteral("Trial users"));
    QCOMPARE(segments.index(0, 1).data().toString(), QStringLiteral("s1"));
    QVERIFY(!segments.index(0, 2).isValid());
}

void TestCatalogPage::showsTheSandboxCatalog()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(seed(t));

    CatalogCache cache(&t.session);
    CatalogPage page(&t.session, &cache);
    page.show();
    QCOMPARE(page.title(), QStringLiteral("Catalog"));
    const CatalogWidgets w(page);
    QVERIFY(w.complete());
    w.attachTesters(&page);
    visitTabs(w, cache);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!w.filter->accessibleName().isEmpty());

    QTRY_COMPARE(w.events->model()->rowCount(), 2);
    QTRY_VERIFY(cache.isLoaded(CatalogCache::List::AccountSegments) &&
                cache.isLoaded(CatalogCache::List::UserProperties));
    QCOMPARE(sorted(column(w.events->model(), 0)),
             (QStringList{QStringLiteral("Invoice Paid"), QStringLiteral("signed_up")}));
    for (const QString &id : column(w.events->model(), 1))
        QVERIFY2(id.startsWith(QLatin1String("evt-")), qPrintable(id));
    QCOMPARE(sorted(column(w.userProperties->model(), 0)),
             (QStringList{QStringLiteral("plan"), QStringLiteral("seats")}));
    QCOMPARE(sorted(column(w.userProperties->model(), 1)),
             (QStringList{QStringLiteral("plan"), QStringLiteral("seats")}));
    QCOMPARE(w.userProperties->model()
                 ->index(0, CatalogModel::ComputedColumn)
                 .data(Qt::CheckStateRole)
                 .value<Qt::CheckState>(),
             Qt::Unchecked);
    QCOMPARE(column(w.accountProperties->model(), 0), QStringList{QStringLiteral("industry")});

    QStringList userSegmentNames;
    for (const SandboxConfig::Segment &segment : SandboxConfig::defaults().userSegments)
        userSegmentNames.append(segment.name);
    QCOMPARE(column(w.userSegments->model(), 0), userSegmentNames);
    QCOMPARE(w.accountSegments->model()->rowCount(), SandboxConfig::defaults().accountSegments.size());
    QVERIFY(column(w.accountSegments->model(), 1).contains(QStringLiteral("seg-enterprise")));

    // Counts: on each tab, and for the list in view.
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events (2)"));
    QCOMPARE(w.tabs->tabText(1), QStringLiteral("User properties (2)"));
    QCOMPARE(w.tabs->tabText(3), QStringLiteral("User segments (%1)").arg(userSegmentNames.size()));
    QCOMPARE(w.count->text(), QStringLiteral("Events: 2 in total"));
    // Nothing failed, nothing is empty: no message.
    QVERIFY(w.eventsMessage->isHidden());
    QVERIFY(w.userPropertiesMessage->isHidden());
    QVERIFY(w.refresh->isEnabled());
    QCOMPARE(cache.eventNames().size(), 2);
    QCOMPARE(sorted(cache.userPropertyNames()),
             (QStringList{QStringLiteral("plan"), QStringLiteral("seats")}));
    QCOMPARE(cache.accountPropertyNames(), QStringList{QStringLiteral("industry")});
}

void TestCatalogPage::filtersCaseInsensitively()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(seed(t));
    CatalogCache cache(&t.session);
    CatalogPage page(&t.session, &cache);
    page.show();
    const CatalogWidgets w(page);
    QVERIFY(w.complete());
    w.attachTesters(&page);
    visitTabs(w, cache);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE(w.events->model()->rowCount(), 2);
    QTRY_COMPARE(w.userProperties->model()->rowCount(), 2);
    QTRY_COMPARE(w.accountSegments->model()->rowCount(), 2);

    QTest::keyClicks(w.filter, QStringLiteral("INVOICE"));
    QCOMPARE(column(w.events->model(), 0), QStringList{QStringLiteral("Invoice Paid")});
    QCOMPARE(w.userProperties->model()->rowCount(), 0);
    QCOMPARE(w.count->text(), QStringLiteral("Events: 1 of 2 match “INVOICE”"));
    // The tab still counts the whole list.
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events (2)"));

    w.filter->clear();
    QTest::keyClicks(w.filter, QStringLiteral("pLaN"));
    QCOMPARE(column(w.userProperties->model(), 0), QStringList{QStringLiteral("plan")});
    QCOMPARE(w.events->model()->rowCount(), 0);
    w.tabs->setCurrentIndex(1);
    QCOMPARE(w.count->text(), QStringLiteral("User properties: 1 of 2 match “pLaN”"));

    // IDs are searched too, not only names.
    w.filter->setText(QStringLiteral("SEG-ENTERPRISE"));
    QCOMPARE(column(w.accountSegments->model(), 0), QStringList{QStringLiteral("Enterprise")});
    w.filter->setText(QStringLiteral("no such thing"));
    for (QTableView *view :
         {w.events, w.userProperties, w.accountProperties, w.userSegments, w.accountSegments})
        QCOMPARE(view->model()->rowCount(), 0);

    w.filter->clear();
    QCOMPARE(w.events->model()->rowCount(), 2);
    QCOMPARE(w.userProperties->model()->rowCount(), 2);
    QCOMPARE(w.count->text(), QStringLiteral("User properties: 2 in total"));
}

void TestCatalogPage::refreshShowsNewEntries()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    CatalogCache cache(&t.session);
    CatalogPage page(&t.session, &cache);
    page.show();
    const CatalogWidgets w(page);
    QVERIFY(w.complete());
    w.attachTesters(&page);
    visitTabs(w, cache);
    if (QTest::currentTestFailed())
        return;

    // A fresh sandbox: no events yet, and the page says why the table is empty.
    QTRY_VERIFY(cache.isLoaded(CatalogCache::List::Events));
    QCOMPARE(w.events->model()->rowCount(), 0);
    QVERIFY(!w.eventsMessage->isHidden());
    QVERIFY(w.eventsMessage->text().contains(QLatin1String("No events yet")));
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events (0)"));

    QVERIFY(seed(t));
    // The tracks and upserts sent names the lists did not have: they are fetched again without
    // the user pressing Refresh.
    QTRY_COMPARE(w.events->model()->rowCount(), 2);
    QTRY_COMPARE(w.userProperties->model()->rowCount(), 2);
    QTRY_COMPARE(w.accountProperties->model()->rowCount(), 1);
    QVERIFY(w.eventsMessage->isHidden());
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events (2)"));

    // Refresh fetches every list again, and the time of the fetch moves.
    const QDateTime before = cache.fetchedAt(CatalogCache::List::Events);
    QTRY_VERIFY(w.refresh->isEnabled());
    QTest::mouseClick(w.refresh, Qt::LeftButton);
    QTRY_VERIFY(cache.fetchedAt(CatalogCache::List::Events) > before);
    QTRY_VERIFY(!cache.isLoading(CatalogCache::List::UserProperties));
    QCOMPARE(w.events->model()->rowCount(), 2);
    QCOMPARE(page.findChild<QLabel *>(QStringLiteral("fetchedAtLabel"))->text(),
             QStringLiteral("Fetched %1")
                 .arg(cache.fetchedAt(CatalogCache::List::Events).toString(QStringLiteral("HH:mm:ss"))));
}

void TestCatalogPage::showsTheServersMessageWhenAListFails()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(seed(t));
    QVERIFY(t.addProfile(
        QStringLiteral("Restricted"), QStringLiteral("restricted-key"),
        {QStringLiteral("TrackData"), QStringLiteral("ReadProperties"), QStringLiteral("ReadSegments")}));

    CatalogCache cache(&t.session);
    QSignalSpy failures(&cache, &CatalogCache::failed);
    CatalogPage page(&t.session, &cache);
    page.show();
    const CatalogWidgets w(page);
    QVERIFY(w.complete());
    w.attachTesters(&page);
    visitTabs(w, cache);
    if (QTest::currentTestFailed())
        return;
    QTRY_COMPARE(w.events->model()->rowCount(), 2);
    QTRY_COMPARE(w.userProperties->model()->rowCount(), 2);

    // The restricted profile has its own, empty cache: shown at once, before its key is even read.
    t.session.activate(QStringLiteral("Restricted"));
    QCOMPARE(w.events->model()->rowCount(), 0);
    QCOMPARE(w.userProperties->model()->rowCount(), 0);
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events"));

    // Its key lacks ReadEvents: the events tab shows the server's 401 message; the other lists load.
    QTRY_VERIFY(!cache.error(CatalogCache::List::Events).isEmpty());
    QTRY_VERIFY(cache.isLoaded(CatalogCache::List::UserSegments) &&
                cache.isLoaded(CatalogCache::List::UserProperties));
    QVERIFY(!w.eventsMessage->isHidden());
    const QString message = w.eventsMessage->text();
    QVERIFY2(message.startsWith(QLatin1String("Events could not be loaded: HTTP 401")), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("not authorised")) &&
                 message.contains(QLatin1String("ReadEvents")),
             qPrintable(message));
    QCOMPARE(w.events->model()->rowCount(), 0);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.first().first().toString(), message);
    QCOMPARE(w.userSegments->model()->rowCount(), SandboxConfig::defaults().userSegments.size());
    QVERIFY(w.userSegmentsMessage->isHidden());
    QVERIFY(w.userPropertiesMessage->text().contains(QLatin1String("No user properties yet")));

    // Data sent to this profile shows on Refresh; the events error stays.
    QVERIFY(t.send(ApiRequest::upsertUser({QStringLiteral("r1"), QString()},
                                          {TestFields::parse(QStringLiteral("tier=gold"))}))
                .ok());
    QTRY_VERIFY(w.refresh->isEnabled());
    QTest::mouseClick(w.refresh, Qt::LeftButton);
    QTRY_COMPARE(column(w.userProperties->model(), 0), QStringList{QStringLiteral("tier")});
    QTRY_VERIFY(!cache.isLoading(CatalogCache::List::Events));
    QVERIFY(w.eventsMessage->text().contains(QLatin1String("ReadEvents")));

    // Back and forth: each profile's lists and messages are there immediately, without a fetch.
    t.session.activate(Profile::embeddedSandboxName());
    QCOMPARE(sorted(column(w.events->model(), 0)),
             (QStringList{QStringLiteral("Invoice Paid"), QStringLiteral("signed_up")}));
    QCOMPARE(sorted(column(w.userProperties->model(), 0)),
             (QStringList{QStringLiteral("plan"), QStringLiteral("seats")}));
    QVERIFY(w.eventsMessage->isHidden());
    QCOMPARE(w.tabs->tabText(0), QStringLiteral("Events (2)"));

    const qint64 requestsBefore = t.otherServer->stats().value(QLatin1String("requests")).toInteger();
    t.session.activate(QStringLiteral("Restricted"));
    QCOMPARE(w.events->model()->rowCount(), 0);
    QVERIFY(!w.eventsMessage->isHidden());
    QCOMPARE(w.eventsMessage->text(), cache.error(CatalogCache::List::Events));
    QCOMPARE(column(w.userProperties->model(), 0), QStringList{QStringLiteral("tier")});
    // Once connected, only the session's own key check went out: the catalog came from the cache.
    QTRY_VERIFY(t.session.state() == ConsoleSession::State::Ready && t.session.permissionsKnown());
    QTest::qWait(100);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("requests")).toInteger(), requestsBefore + 1);
}

// Shown, the page fetches the list in view only; another tab's list when that tab is shown,
// once; a list already fetched is not fetched again by showing it.
void TestCatalogPage::fetchesAListWhenItsTabIsShown()
{
    PageTestSession t;
    QVERIFY(t.addProfile(QStringLiteral("Counted"), QStringLiteral("counted-key-1234"),
                         SandboxConfig::allPermissions()));
    QVERIFY(t.activate(QStringLiteral("Counted")));
    const auto requests = [&t] {
        return t.otherServer->stats().value(QLatin1String("requests")).toInteger();
    };
    const qint64 connected = requests(); // the key check

    CatalogCache cache(&t.session);
    CatalogPage page(&t.session, &cache);
    const CatalogWidgets w(page);
    QVERIFY(w.complete());
    QCOMPARE(requests(), connected); // nothing until shown
    page.show();
    QTRY_VERIFY(cache.isLoaded(CatalogCache::List::Events));
    QCOMPARE(requests(), connected + 1);
    for (CatalogCache::List list : {CatalogCache::List::UserProperties, CatalogCache::List::AccountProperties,
                                    CatalogCache::List::UserSegments, CatalogCache::List::AccountSegments})
        QVERIFY(!cache.isLoaded(list) && !cache.isLoading(list));
    QCOMPARE(w.tabs->tabText(3), QStringLiteral("User segments"));

    w.tabs->setCurrentIndex(3);
    QTRY_COMPARE(w.userSegments->model()->rowCount(), SandboxConfig::defaults().userSegments.size());
    QCOMPARE(w.tabs->tabText(3),
             QStringLiteral("User segments (%1)").arg(SandboxConfig::defaults().userSegments.size()));
    QCOMPARE(requests(), connected + 2);
    QVERIFY(!cache.isLoaded(CatalogCache::List::UserProperties));

    w.tabs->setCurrentIndex(0);
    page.hide();
    page.show();
    w.tabs->setCurrentIndex(3);
    QVERIFY(!cache.isLoading(CatalogCache::List::Events) &&
            !cache.isLoading(CatalogCache::List::UserSegments));
    QCOMPARE(requests(), connected + 2);
}

QTEST_MAIN(TestCatalogPage)
#include "tst_CatalogPage.moc"

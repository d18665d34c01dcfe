#include "ui/window/ScreenshotTour.h"

#include "api/TypedField.h"
#include "store/Profile.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/OperationPage.h"
#include "ui/import/ImportPage.h"
#include "ui/live/LivePage.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConsolePage.h"
#include "ui/window/MainWindow.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QPixmap>
#include <QProcess>
#include <QPushButton>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>

#include <functional>
#include <memory>

ScreenshotTour::ScreenshotTour(MainWindow *window, const QString &directory, QObject *parent)
    : QObject(parent), m_window(window), m_directory(directory)
{}

void ScreenshotTour::start()
{
    QDir().mkpath(m_directory);
    m_index = 0;
    // Give the session time to connect and the catalog and history to load.
    QTimer::singleShot(1500, this, [this] {
        // The tour sends sample upserts, an event and a 240-row import: only ever to the built-in
        // sandbox, never to the profile the console last used (which may be production).
        if (!m_window->session()->profile().isEmbeddedSandbox()) {
            qWarning("screenshots: the tour runs on the built-in Sandbox profile only; choose it first");
            emit finished(false);
            return;
        }
        next();
    });
}

namespace {

TypedField field(const QString &spec)
{
    TypedField parsed;
    QString error;
    TypedField::parse(spec, &parsed, &error);
    return parsed;
}

// A realistic request for the page's first form, sent so its response panel has something to show.
bool sendSample(ConsolePage *page)
{
    auto *operations = qobject_cast<OperationPage *>(page);
    if (!operations || operations->forms().isEmpty())
        return false;
    OperationForm *form = operations->forms().constFirst();
    switch (form->operation()) {
    case Operation::UpsertUser: {
        ApiRequest request = ApiRequest::upsertUser(
            {QStringLiteral("u-42"), QStringLiteral("ann@acme.com")},
            {field(QStringLiteral("plan=Pro")), field(QStringLiteral("mrr:number=399")),
             field(QStringLiteral("is_paying:bool=true")),
             field(QStringLiteral("registered_at:date=2024-05-01T10:00:00Z"))});
        request.note = QStringLiteral("SUP-1234 plan shown as Free");
        form->loadRequest(request);
        break;
    }
    case Operation::UpsertAccount:
        form->loadRequest(ApiRequest::upsertAccount(
            {QStringLiteral("acc-7"), QStringLiteral("acme.com")},
            {field(QStringLiteral("seats:number=12")), field(QStringLiteral("name=Acme"))}));
        break;
    case Operation::TrackEvent:
        form->loadRequest(ApiRequest::trackEvent(
            QStringLiteral("Invoice paid"), {QStringLiteral("u-42"), QString()},
            {QStringLiteral("acc-7"), QString()},
            {field(QStringLiteral("amount:number=99.5")), field(QStringLiteral("currency=EUR"))}));
        break;
    default:
        return false;
    }
    form->send();
    return true;
}

} // namespace

void ScreenshotTour::next()
{
    const QList<ConsolePage *> pages = m_window->pages();
    if (m_index >= pages.size()) {
        emit finished(m_ok);
        return;
    }
    ConsolePage *page = pages.at(m_index);
    m_window->showPage(page);
    if (importSample(page) || liveSample(page))
        return;
    grabAndGoOn(sendSample(page) ? 700 : 300);
}

void ScreenshotTour::grabAndGoOn(int delayMs)
{
    ConsolePage *page = m_window->pages().at(m_index);
    QTimer::singleShot(delayMs, this, [this, page] {
        const QString name = QStringLiteral("%1/%2-%3.png")
                                 .arg(m_directory)
                                 .arg(m_index + 1, 2, 10, QLatin1Char('0'))
                                 .arg(page->title().toLower().replace(QLatin1Char(' '), QLatin1Char('-')));
        m_ok = m_window->grab().save(name) && m_ok;
        ++m_index;
        next();
    });
}

bool ScreenshotTour::liveSample(ConsolePage *page)
{
    auto *live = qobject_cast<LivePage *>(page);
    auto *start = live ? live->findChild<QPushButton *>(QStringLiteral("startPushButton")) : nullptr;
    const QString journy = QCoreApplication::applicationDirPath() + QStringLiteral("/journy");
    if (!start || !QFileInfo(journy).isExecutable())
        return false;
    start->click();
    if (!live->isRelaying())
        return false;
    // The customer's backend is the journy CLI in its own process (widgets never talk HTTP), sending
    // what an SDK 3.1.0 integration does: values as text (--prop without a type), events on the
    // deprecated /events (--legacy); one the spec refuses (--no-validate lets it out).
    const QString relay = live->relayUrl().toString();
    auto calls = std::make_shared<QList<QStringList>>(QList<QStringList>{
        {QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
         QStringLiteral("u-42"), QStringLiteral("--email"), QStringLiteral("ann@acme.com"),
         QStringLiteral("--prop"), QStringLiteral("plan=Pro"), QStringLiteral("--prop"),
         QStringLiteral("mrr=399"), QStringLiteral("--prop"), QStringLiteral("is_paying=true")},
        {QStringLiteral("track"), QStringLiteral("Invoice paid"), QStringLiteral("--user-id"),
         QStringLiteral("u-42"), QStringLiteral("--meta"), QStringLiteral("amount=99.5"),
         QStringLiteral("--legacy")},
        {QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
         QStringLiteral("ann@acme.com"), QStringLiteral("--prop"), QStringLiteral("plan=Pro"),
         QStringLiteral("--prop"), QStringLiteral("seats:number=3")},
        {QStringLiteral("account"), QStringLiteral("upsert"), QStringLiteral("--account-id"),
         QStringLiteral("acc-7"), QStringLiteral("--domain"), QStringLiteral("www.acme.com"),
         QStringLiteral("--prop"), QStringLiteral("seats:number=12")},
        {QStringLiteral("track"), QStringLiteral("Order 1234 paid"), QStringLiteral("--user-id"),
         QStringLiteral("u-42")},
        {QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
         QStringLiteral("u-43"), QStringLiteral("--prop"), QStringLiteral("plan=Starter"),
         QStringLiteral("--prop"), QStringLiteral("signed_up_at=01/05/2024")},
        {QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"), QString()}});
    auto runNext = std::make_shared<std::function<void()>>();
    *runNext = [this, live, journy, relay, calls, runNext] {
        if (calls->isEmpty()) {
            // Breaks the cycle through the captured pointer, once this call has returned.
            QTimer::singleShot(0, this, [runNext] { *runNext = nullptr; });
            // The SDK's event selected, its findings below.
            if (auto *table = live->findChild<QTableView *>(QStringLiteral("liveTableView")))
                table->selectRow(1);
            if (auto *details = live->findChild<QTabWidget *>(QStringLiteral("detailsTabWidget")))
                details->setCurrentIndex(2);
            grabAndGoOn(300);
            return;
        }
        auto *process = new QProcess(this);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("JOURNY_API_KEY"), QStringLiteral("sandbox"));
        process->setProcessEnvironment(environment);
        connect(process, &QProcess::finished, this, [process, runNext] {
            process->deleteLater();
            (*runNext)();
        });
        process->start(journy,
                       QStringList{QStringLiteral("--base-url"), relay, QStringLiteral("--no-validate")} +
                           calls->takeFirst());
    };
    (*runNext)();
    return true;
}

bool ScreenshotTour::importSample(ConsolePage *page)
{
    auto *importPage = qobject_cast<ImportPage *>(page);
    if (!importPage || !m_sampleDir.isValid())
        return false;
    const QString path = m_sampleDir.filePath(QStringLiteral("customers.csv"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    static const char *const plans[] = {"Free", "Starter", "Pro", "Enterprise"};
    file.write("userId,email,plan,seats,mrr,signed_up,is_paying\n");
    for (int row = 1; row <= 240; ++row) {
        // Two rows a support engineer would have to fix: a broken email, and past the 200 rows the types
        // are inferred from, a number that is not one.
        const QByteArray email =
            row == 17 ? QByteArray("carla@") : "user" + QByteArray::number(row) + "@acme.com";
        const QByteArray seats = row == 223 ? QByteArray("twelve") : QByteArray::number(row % 40 + 1);
        file.write("u-" + QByteArray::number(1000 + row) + ',' + email + ',' + plans[row % 4] + ',' + seats +
                   ',' + QByteArray::number(row % 7 * 49) + ",2024-0" + QByteArray::number(row % 9 + 1) +
                   "-1" + QByteArray::number(row % 10) + "T09:30:00Z," + (row % 3 ? "true" : "false") + '\n');
    }
    file.close();
    ImportPage::setNextFileName(path);
    importPage->browse();
    // The summary once the import is through; a grab all the same if it is not within 30 s.
    auto *timeout = new QTimer(this);
    timeout->setSingleShot(true);
    auto grabOnce = [this, importPage, timeout] {
        importPage->disconnect(this);
        timeout->deleteLater();
        grabAndGoOn(300);
    };
    connect(importPage, &ImportPage::importFinished, this, grabOnce);
    connect(timeout, &QTimer::timeout, this, grabOnce);
    timeout->start(30000);
    importPage->start();
    return true;
}

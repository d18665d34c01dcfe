// bench_history_filter: how long HistoryModel takes to filter 100,000 requests (issue 5 asks for
// at most 100 ms), and what the history costs around it: filling the model, appending live
// requests under a filter, storing requests and reading a stored history back in the page's
// chunks. Not a test: run it by hand on a Release build, see benchmarks/README.md.
//
//   bench_history_filter [rows] [runs]      defaults: 100000 rows, 21 runs per figure

#include "store/HistoryStore.h"
#include "ui/history/HistoryModel.h"
#include "ui/history/HistoryPage.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>
#include <vector>

namespace {

QTextStream out(stdout);

// A history shaped like a real one: a few profiles, every operation (upserts and events most),
// mostly 2xx, some 4xx, a few 5xx and failures, distinct users and request ids.
QList<HistoryEntry> syntheticHistory(int rows)
{
    static const QStringList profiles{QStringLiteral("Sandbox"), QStringLiteral("Production"),
                                      QStringLiteral("Staging"), QStringLiteral("acme-eu"),
                                      QStringLiteral("acme-us")};
    static const QStringList operations{
        QStringLiteral("upsertUser"),        QStringLiteral("upsertUser"),
        QStringLiteral("trackEvent"),        QStringLiteral("trackEvent"),
        QStringLiteral("upsertAccount"),     QStringLiteral("addUserToAccount"),
        QStringLiteral("deleteUser"),        QStringLiteral("link"),
        QStringLiteral("getValidity"),       QStringLiteral("getEvents"),
        QStringLiteral("getUserProperties"), QStringLiteral("getTrackingSnippet")};
    const QDateTime start = QDateTime::currentDateTimeUtc().addDays(-30);
    QList<HistoryEntry> entries;
    entries.reserve(rows);
    for (int i = 0; i < rows; ++i) {
        HistoryEntry entry;
        entry.id = i + 1;
        entry.time = start.addSecs(i * 20);
        entry.profile = profiles.at(i % profiles.size());
        entry.operation = operations.at((i / 5) % operations.size());
        entry.identification = QStringLiteral("userId user-%1 · email user-%1@example.com").arg(i % 20000);
        const int kind = i % 100;
        entry.httpStatus = kind < 80 ? 201 : kind < 90 ? 400 : kind < 95 ? 429 : kind < 98 ? 500 : 0;
        entry.failure = entry.httpStatus == 0 ? QStringLiteral("timeout") : QString();
        entry.requestId = QStringLiteral("%1-4c1e-9a7b-%2")
                              .arg(quint32(i) * 2654435761u, 8, 16, QLatin1Char('0'))
                              .arg(i, 12, 10, QLatin1Char('0'));
        entry.latencyMs = 20 + i % 300;
        entry.method = QStringLiteral("POST");
        entries.append(entry);
    }
    return entries;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// Runs prepare (untimed) then measure (timed) runs times; prints the median, min and max.
void report(const QString &name, int runs, const std::function<void()> &prepare,
            const std::function<void()> &measure, const std::function<QString()> &result)
{
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) {
        prepare();
        QElapsedTimer timer;
        timer.start();
        measure();
        times.push_back(timer.nsecsElapsed() / 1e6);
    }
    out << QStringLiteral("%1  median %2 ms  (min %3, max %4)  %5")
               .arg(name, -44)
               .arg(median(times), 7, 'f', 2)
               .arg(*std::min_element(times.begin(), times.end()), 0, 'f', 2)
               .arg(*std::max_element(times.begin(), times.end()), 0, 'f', 2)
               .arg(result())
        << Qt::endl;
}

// Resident memory in MB from /proc (Linux); 0 where there is none.
double residentMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024;
    }
    return 0;
}

void resetFilters(HistoryModel &model)
{
    model.setSearchText(QString());
    model.setStatusClass(HistoryModel::StatusClass::All);
    model.setOperationFilter(QString());
    model.setProfileFilter(QString());
}

} // namespace

int main(int argc, char **argv)
{
    // The page figures need widgets, not a screen.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int rows = args.size() > 1 ? args.at(1).toInt() : 100000;
    const int runs = args.size() > 2 ? args.at(2).toInt() : 21;
    if (rows <= 0 || runs <= 0) {
        QTextStream(stderr) << "usage: bench_history_filter [rows] [runs]" << Qt::endl;
        return 2;
    }
    out << QStringLiteral("HistoryModel over %1 rows, %2 runs per figure").arg(rows).arg(runs) << Qt::endl;

    {
        // What the model itself holds: the generated list is gone once the model has the rows.
        const double before = residentMb();
        HistoryModel alone;
        alone.setEntries(syntheticHistory(rows));
        out << QStringLiteral("%1  %2 MB resident for %3 rows")
                   .arg(QStringLiteral("memory of a filled model"), -44)
                   .arg(residentMb() - before, 0, 'f', 1)
                   .arg(alone.entryCount())
            << Qt::endl;
    }

    const QList<HistoryEntry> entries = syntheticHistory(rows);
    HistoryModel model;
    auto visible = [&model] { return QStringLiteral("-> %1 rows").arg(model.rowCount()); };
    auto nothing = [] {};

    report(
        QStringLiteral("fill the model (setEntries)"), runs, nothing, [&] { model.setEntries(entries); },
        visible);

    struct Filter
    {
        QString name;
        std::function<void()> apply;
    };
    const QList<Filter> filters{
        {QStringLiteral("search \"user-4242\" (narrow)"),
         [&] { model.setSearchText(QStringLiteral("user-4242")); }},
        {QStringLiteral("search \"example.com\" (every row)"),
         [&] { model.setSearchText(QStringLiteral("example.com")); }},
        {QStringLiteral("search \"user-42 upsert\" (two words)"),
         [&] { model.setSearchText(QStringLiteral("user-42 upsert")); }},
        {QStringLiteral("search a requestId fragment \"-0000000424\""),
         [&] { model.setSearchText(QStringLiteral("-0000000424")); }},
        {QStringLiteral("search \"zzz\" (no row)"), [&] { model.setSearchText(QStringLiteral("zzz")); }},
        {QStringLiteral("status 4xx"), [&] { model.setStatusClass(HistoryModel::StatusClass::ClientError); }},
        {QStringLiteral("status failures without status"),
         [&] { model.setStatusClass(HistoryModel::StatusClass::NoStatus); }},
        {QStringLiteral("operation trackEvent"),
         [&] { model.setOperationFilter(QStringLiteral("trackEvent")); }},
        {QStringLiteral("profile Production"), [&] { model.setProfileFilter(QStringLiteral("Production")); }},
    };
    for (const Filter &filter : filters)
        report(
            filter.name, runs, [&] { resetFilters(model); }, filter.apply, visible);

    report(
        QStringLiteral("profile + 2xx, then search \"user-1\""), runs,
        [&] {
            resetFilters(model);
            model.setProfileFilter(QStringLiteral("Staging"));
            model.setStatusClass(HistoryModel::StatusClass::Success);
        },
        [&] { model.setSearchText(QStringLiteral("user-1")); }, visible);
    report(
        QStringLiteral("clear a search (back to every row)"), runs,
        [&] {
            resetFilters(model);
            model.setSearchText(QStringLiteral("user-4242"));
        },
        [&] { model.setSearchText(QString()); }, visible);

    // Live requests arrive one by one while a filter is active.
    const int appends = 1000;
    QList<HistoryEntry> live = syntheticHistory(appends);
    for (HistoryEntry &entry : live)
        entry.id += rows;
    report(
        QStringLiteral("%1 appendEntry() under a search").arg(appends), runs,
        [&] {
            model.setEntries(entries);
            model.setSearchText(QStringLiteral("user-1"));
        },
        [&] {
            for (const HistoryEntry &entry : live)
                model.appendEntry(entry);
        },
        visible);

    // The same through the History page as a user types: the model's reset, the table's new
    // rows, the count label, and a repaint of the visible rows.
    {
        HistoryPage page(nullptr, nullptr);
        page.resize(1200, 800);
        page.show();
        QApplication::processEvents();
        page.model()->setEntries(entries);
        auto *search = page.findChild<QLineEdit *>(QStringLiteral("searchLineEdit"));
        auto *status = page.findChild<QComboBox *>(QStringLiteral("statusComboBox"));
        auto pageRows = [&page] { return QStringLiteral("-> %1 rows").arg(page.model()->rowCount()); };
        auto clearPage = [&] {
            search->clear();
            status->setCurrentIndex(0);
            page.repaint();
        };
        const QStringList words{QStringLiteral("user-4242"), QStringLiteral("example.com")};
        for (const QString &word : words) {
            report(
                QStringLiteral("page: type \"%1\" + repaint").arg(word), runs, clearPage,
                [&] {
                    search->setText(word);
                    page.repaint();
                },
                pageRows);
        }
        report(
            QStringLiteral("page: status 4xx + repaint"), runs, clearPage,
            [&] {
                status->setCurrentIndex(status->findData(int(HistoryModel::StatusClass::ClientError)));
                page.repaint();
            },
            pageRows);
    }

    // The store: what recording costs each request, and reading the history back as the page
    // does (summaries, 5,000 rows per event-loop turn).
    QTemporaryDir dir;
    HistoryStore store;
    QString error;
    if (!dir.isValid() || !store.open(dir.filePath(QStringLiteral("history.sqlite")), &error)) {
        QTextStream(stderr) << "cannot open a history store: " << error << Qt::endl;
        return 1;
    }
    QList<HistoryEntry> stored = entries;
    for (HistoryEntry &entry : stored) {
        entry.url = QStringLiteral("https://api.journy.io/users/upsert");
        entry.message = QStringLiteral("HTTP 201: Created");
        entry.requestBody = R"({"identification":{"userId":"user-1","email":"user-1@example.com"},)"
                            R"("properties":{"plan":"pro","seats":12}})";
        entry.responseBody =
            R"({"meta":{"status":201,"requestId":"01H8XGJWBWBAQ4Z4N9F0YQ3R7S"},"message":"Created"})";
    }
    QElapsedTimer timer;
    timer.start();
    for (const HistoryEntry &entry : stored)
        store.append(entry);
    const double appendMs = timer.nsecsElapsed() / 1e6;
    out << QStringLiteral("%1  %2 µs per request (%3 rows in %4 ms)")
               .arg(QStringLiteral("HistoryStore::append (WAL, synchronous=NORMAL)"), -44)
               .arg(appendMs * 1000 / rows, 0, 'f', 1)
               .arg(rows)
               .arg(appendMs, 0, 'f', 0)
        << Qt::endl;

    std::vector<double> chunkTimes;
    HistoryModel loaded;
    timer.restart();
    qint64 after = 0;
    for (;;) {
        QElapsedTimer chunkTimer;
        chunkTimer.start();
        const QList<HistoryEntry> chunk = store.load(after, 5000, HistoryStore::Detail::Summary);
        if (!chunk.isEmpty()) {
            after = chunk.last().id;
            loaded.appendEntries(chunk);
        }
        chunkTimes.push_back(chunkTimer.nsecsElapsed() / 1e6);
        if (chunk.size() < 5000)
            break;
    }
    out << QStringLiteral("%1  %2 ms in all, %3 chunks, longest chunk %4 ms  -> %5 rows")
               .arg(QStringLiteral("load the stored history (5,000-row chunks)"), -44)
               .arg(timer.nsecsElapsed() / 1e6, 0, 'f', 1)
               .arg(chunkTimes.size())
               .arg(*std::max_element(chunkTimes.begin(), chunkTimes.end()), 0, 'f', 1)
               .arg(loaded.rowCount())
        << Qt::endl;
    return 0;
}

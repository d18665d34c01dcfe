// bench_live_filter: the Live page with 10,000 recorded calls (issue 15 asks for filter changes
// under 50 ms), and what keeping up with a relay costs: each call appended to the table while it
// is on screen. The page is the console's own LivePage on a session that is never connected; the
// records are shaped like a customer's traffic. Not a test: run it by hand on a Release build, see
// benchmarks/README.md.
//
//   bench_live_filter [records] [runs]      defaults: 10000 records, 21 runs per figure

#include "relay/RelayRecord.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "ui/live/LiveFilterModel.h"
#include "ui/live/LiveModel.h"
#include "ui/live/LivePage.h"
#include "ui/session/ConsoleSession.h"

#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <functional>
#include <vector>

namespace {

QTextStream out(stdout);

RelayRecord syntheticRecord(qint64 id)
{
    static const QStringList operations{QStringLiteral("upsertUser"),    QStringLiteral("upsertUser"),
                                        QStringLiteral("trackEvent"),    QStringLiteral("trackJourneyEvent"),
                                        QStringLiteral("upsertAccount"), QStringLiteral("addUserToAccount")};
    RelayRecord record;
    record.id = id;
    record.received = QDateTime::currentDateTimeUtc();
    record.method = "POST";
    record.operationId = operations.at(id % operations.size());
    record.path = QStringLiteral("/users/upsert");
    record.requestBody = QStringLiteral(R"({"identification":{"userId":"u-%1","email":"user%1@acme.com"},)"
                                        R"("properties":{"plan":"Pro","mrr":"%2"}})")
                             .arg(id % 3000)
                             .arg(id % 500)
                             .toUtf8();
    record.verdict = id % 7 == 0   ? RelayRecord::Verdict::Errors
                     : id % 3 == 0 ? RelayRecord::Verdict::Warnings
                                   : RelayRecord::Verdict::Clean;
    record.answered = true;
    record.status = record.verdict == RelayRecord::Verdict::Errors ? 400 : 201;
    record.latencyMs = 3 + id % 40;
    record.requestId = QStringLiteral("req-%1").arg(id);
    return record;
}

// Median of runs of what change() costs, with the repaint it causes.
double medianMs(int runs, const std::function<void(int)> &change)
{
    std::vector<double> times;
    for (int run = 0; run < runs; ++run) {
        QElapsedTimer clock;
        clock.start();
        change(run);
        QApplication::processEvents();
        times.push_back(double(clock.nsecsElapsed()) / 1e6);
    }
    std::sort(times.begin(), times.end());
    return times.at(times.size() / 2);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int records = args.size() > 1 ? args.at(1).toInt() : 10000;
    const int runs = args.size() > 2 ? args.at(2).toInt() : 21;
    if (records <= 0 || runs <= 0) {
        QTextStream(stderr) << "usage: bench_live_filter [records] [runs]" << Qt::endl;
        return 2;
    }
    QTemporaryDir dir;
    MemorySecretStore secrets;
    ProfileStore profiles(dir.filePath(QStringLiteral("profiles.ini")));
    ConsoleSession session(&secrets, &profiles, dir.filePath(QStringLiteral("sandbox.sqlite")));
    LivePage page(&session);
    page.resize(1100, 700);
    page.show();
    QApplication::processEvents();

    // Appending while on screen, one call at a time as a relay reports them.
    QElapsedTimer clock;
    clock.start();
    for (int i = 1; i <= records; ++i) {
        page.model()->record(syntheticRecord(i));
        if (i % 10 == 0)
            QApplication::processEvents();
    }
    QApplication::processEvents();
    const double appendMs = double(clock.nsecsElapsed()) / 1e6;
    out << QStringLiteral("Live page, %1 calls, %2 runs per figure").arg(records).arg(runs) << Qt::endl;
    out << QStringLiteral("  appending %1 calls on screen     %2 ms (%3 µs a call; a relay at 30 calls/s "
                          "leaves 33,333 µs)")
               .arg(records)
               .arg(appendMs, 0, 'f', 1)
               .arg(appendMs * 1000.0 / records, 0, 'f', 1)
        << Qt::endl;

    auto *verdict = page.findChild<QComboBox *>(QStringLiteral("verdictComboBox"));
    auto *operation = page.findChild<QComboBox *>(QStringLiteral("operationComboBox"));
    auto *who = page.findChild<QLineEdit *>(QStringLiteral("whoLineEdit"));
    const double verdictMs = medianMs(runs, [verdict](int run) { verdict->setCurrentIndex(1 + run % 3); });
    verdict->setCurrentIndex(0);
    const double operationMs = medianMs(runs, [operation](int run) {
        operation->setCurrentIndex(run % 2 ? operation->findData(QStringLiteral("trackEvent"))
                                           : operation->findData(QStringLiteral("upsertUser")));
    });
    operation->setCurrentIndex(0);
    // Typing a user: each keystroke filters again.
    const double whoMs =
        medianMs(runs, [who](int run) { who->setText(QStringLiteral("u-%1").arg(run * 37 % 3000)); });
    who->clear();
    const double clearMs = medianMs(runs, [verdict](int run) { verdict->setCurrentIndex(run % 2 ? 0 : 2); });
    out << QStringLiteral("  verdict filter change            %1 ms (target < 50 ms)")
               .arg(verdictMs, 0, 'f', 2)
        << Qt::endl;
    out << QStringLiteral("  operation filter change          %1 ms").arg(operationMs, 0, 'f', 2) << Qt::endl;
    out << QStringLiteral("  user filter, one keystroke       %1 ms").arg(whoMs, 0, 'f', 2) << Qt::endl;
    out << QStringLiteral("  verdict filter on and off        %1 ms").arg(clearMs, 0, 'f', 2) << Qt::endl;
    out << QStringLiteral("  rows shown at the end            %1").arg(page.filter()->rowCount()) << Qt::endl;
    return 0;
}

// bench_import_throughput: how fast `journy import` reads, maps and validates a CSV file before it
// sends anything (issue 6 asks for at least 100 MB/s, with the resident memory flat from 10 MB to
// 1 GB inputs). For each size it writes a CSV file of users, then times ImportPreparer::open (the
// header, a sample of 200 rows, the mapping and its inferred types) plus ImportPreparer::scan (every
// row read, mapped and put through the pre-flight check, ImportRowChecker; nothing journaled or
// sent), and prints MB/s (1 MB = 10^6 bytes) and the process's VmRSS and VmHWM (its peak). Then,
// unless --no-breakdown, the same file read alone, read with every row checked and its request written
// as the journal's text, scanned with the integration lint (what the wizard's Check and --dry-run
// run), and (up to 100 MB) the whole of what `journy import` does before its first request: every
// row checked, written and stored in a fresh journal file.
// Not a test: run it by hand on a Release build, see benchmarks/README.md.
//
//   bench_import_throughput [--no-breakdown] [MB]...      default sizes: 10 100 1000
//
// The files go into a temporary directory under $TMPDIR (else /tmp) and are deleted afterwards.
// The file was just written, so it is read from the page cache: the figure is the CPU cost of the
// pipeline, not the disk's speed.

#include "import/BulkJournal.h"
#include "import/CsvReader.h"
#include "import/ImportPreparer.h"
#include "import/ImportReader.h"
#include "import/ImportRequestWriter.h"
#include "import/ImportRowChecker.h"
#include "import/ImportRowPlan.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <sys/resource.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

namespace {

QTextStream out(stdout);

// Writes about `bytes` bytes of users, shaped like an export from a CRM: IDs and emails, a few
// string columns, a number, a decimal, a date and a boolean (inferred as such from the sample), a
// company name quoted on every 10th row (with an embedded comma) and with doubled quotes on every
// 50th, and some non-ASCII names. Returns the rows written, 0 when the file cannot be written.
qint64 writeCsv(const QString &path, qint64 bytes)
{
    std::FILE *file = std::fopen(QFile::encodeName(path).constData(), "wb");
    if (!file)
        return 0;
    static const char *const plans[] = {"Free", "Starter", "Pro", "Enterprise"};
    static const char *const names[] = {"Ann Peeters", "Bob Janssens", "Zoë Dubois", "Łukasz Nowak",
                                        "Chloé Martin"};
    static const char *const countries[] = {"BE", "NL", "FR", "DE", "US"};
    std::string buffer = "userId,email,full_name,plan,seats,mrr,signed_up,is_paying,country,company\n";
    qint64 written = 0;
    qint64 rows = 0;
    char line[512];
    bool ok = true;
    while (ok && written + qint64(buffer.size()) < bytes) {
        ++rows;
        const char *company = rows % 50 == 0   ? "\"The \"\"Best\"\" Company\""
                              : rows % 10 == 0 ? "\"Acme, Inc.\""
                                               : "Acme";
        const int length = std::snprintf(line, sizeof line,
                                         "u-%09lld,user%lld@example.com,%s,%s,%lld,%lld.%02lld,2024-%02lld-%"
                                         "02lldT10:%02lld:00Z,%s,%s,%s\n",
                                         rows, rows, names[rows % 5], plans[rows % 4], rows % 250 + 1,
                                         rows % 5000, rows % 100, rows % 12 + 1, rows % 28 + 1, rows % 60,
                                         rows % 3 ? "true" : "false", countries[rows % 5], company);
        buffer.append(line, static_cast<size_t>(length));
        if (buffer.size() >= (1 << 20)) {
            ok = std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
            written += qint64(buffer.size());
            buffer.clear();
        }
    }
    ok = ok && std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
    ok = std::fclose(file) == 0 && ok;
    return ok ? rows : 0;
}

// A field of /proc/self/status in kB (VmRSS: resident now; VmHWM: the peak so far).
qint64 statusKb(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

QString mib(qint64 kb)
{
    return QString::number(double(kb) / 1024, 'f', 1) + QStringLiteral(" MiB");
}

class Timing
{
public:
    double wallSeconds = 0;
    double cpuSeconds = 0;
};

// Times `work`, in wall-clock time and in this process's CPU time (which other load on the machine
// does not inflate the way it does the wall clock).
Timing timed(const std::function<void()> &work)
{
    const double cpuBefore = cpuSeconds();
    QElapsedTimer timer;
    timer.start();
    work();
    Timing timing;
    timing.wallSeconds = double(timer.nsecsElapsed()) / 1e9;
    timing.cpuSeconds = cpuSeconds() - cpuBefore;
    return timing;
}

void printRate(const QString &stage, qint64 bytes, qint64 rows, const Timing &timing)
{
    const double mb = double(bytes) / 1e6;
    out << QStringLiteral("  %1 %2 s  %3 MB/s  (CPU %4 s: %5 MB/s)  %6 rows/s\n")
               .arg(stage, -28)
               .arg(timing.wallSeconds, 7, 'f', 2)
               .arg(mb / timing.wallSeconds, 6, 'f', 1)
               .arg(timing.cpuSeconds, 6, 'f', 2)
               .arg(mb / timing.cpuSeconds, 6, 'f', 1)
               .arg(double(rows) / timing.wallSeconds, 9, 'f', 0);
    out.flush();
}

// Reads every row with the reader alone, or (write) also checks it and writes its request as the
// journal's text, as ImportPreparer::enqueue does before handing rows to the journal.
bool readAll(const ImportPreparer &preparer, bool write, qint64 *rows)
{
    const ImportRowPlan plan(preparer.kind(), preparer.mapping(), preparer.headers());
    const ImportRowChecker checker(plan);
    const ImportRequestWriter writer(plan);
    QMap<QString, QString> errors;
    qint64 bytesWritten = 0;
    QFile file(preparer.path());
    if (!file.open(QIODevice::ReadOnly))
        return false;
    CsvReader reader(&file);
    QString error;
    if (!reader.start(&error))
        return false;
    *rows = 0;
    ImportRecord record; // reused, as ImportPreparer::scan does
    for (;;) {
        const ImportReader::Status status = reader.next(&record, &error);
        if (status == ImportReader::Status::End)
            return !write || bytesWritten > 0;
        if (status == ImportReader::Status::Error)
            return false;
        ++*rows;
        if (write && checker.check(record, &errors))
            bytesWritten += writer.write(record).size();
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    bool breakdown = true;
    QList<qint64> sizesMb;
    for (const QString &argument : app.arguments().mid(1)) {
        bool ok = false;
        const qint64 mb = argument.toLongLong(&ok);
        if (argument == QLatin1String("--no-breakdown")) {
            breakdown = false;
        } else if (ok && mb > 0) {
            sizesMb.append(mb);
        } else {
            std::fprintf(stderr,
                         "usage: bench_import_throughput [--no-breakdown] [MB]...  (default: 10 100 1000)\n");
            return 1;
        }
    }
    if (sizesMb.isEmpty())
        sizesMb = {10, 100, 1000};

    QTemporaryDir dir;
    if (!dir.isValid()) {
        std::fprintf(stderr, "bench_import_throughput: no temporary directory: %s\n",
                     qPrintable(dir.errorString()));
        return 1;
    }
    out << "read + map + validate (ImportPreparer::open + scan, users, nothing sent) in " << dir.path()
        << '\n';
    out << "before any file: VmRSS " << mib(statusKb("VmRSS")) << ", VmHWM " << mib(statusKb("VmHWM"))
        << "\n\n";
    out.flush();

    bool allOk = true;
    for (const qint64 sizeMb : std::as_const(sizesMb)) {
        const QString path = dir.filePath(QStringLiteral("users-%1MB.csv").arg(sizeMb));
        const qint64 generated = writeCsv(path, sizeMb * 1000 * 1000);
        const qint64 bytes = QFileInfo(path).size();
        if (generated == 0) {
            std::fprintf(stderr, "bench_import_throughput: cannot write %s\n", qPrintable(path));
            return 1;
        }
        out << QStringLiteral("%1 MB file (%2 bytes, %3 rows):\n").arg(sizeMb).arg(bytes).arg(generated);

        ImportPreparer preparer;
        ImportPreparer::Report report;
        QString error;
        bool ok = true;
        const Timing full = timed(
            [&] { ok = preparer.open(path, ImportKind{}, &error) && preparer.scan({}, &report, &error); });
        if (!ok) {
            std::fprintf(stderr, "bench_import_throughput: %s\n", qPrintable(error));
            return 1;
        }
        printRate(QStringLiteral("read + map + validate"), bytes, report.rows, full);
        const qint64 rss = statusKb("VmRSS");
        const qint64 hwm = statusKb("VmHWM");
        if (report.rows != generated || report.invalid != 0) {
            out << "  UNEXPECTED: " << report.rows << " rows, " << report.invalid << " invalid (first: "
                << (report.problems.isEmpty() ? QString() : report.problems.first().errors.first()) << ")\n";
            allOk = false;
        }

        if (breakdown) {
            qint64 rows = 0;
            bool readOk = true;
            const Timing read = timed([&] { readOk = readAll(preparer, false, &rows); });
            printRate(QStringLiteral("read (CsvReader) alone"), bytes, rows, read);
            const Timing mapped = timed([&] { readOk = readAll(preparer, true, &rows) && readOk; });
            printRate(QStringLiteral("read + check + write requests"), bytes, rows, mapped);
            allOk = allOk && readOk;
            // The check a user runs (the wizard's Check, --dry-run): the same scan, each valid row's
            // request also put through the integration lint.
            ImportPreparer::Report linted;
            bool lintOk = true;
            const Timing lint =
                timed([&] { lintOk = preparer.scan({}, &linted, &error, {}, ImportPreparer::Lint::On); });
            printRate(QStringLiteral("read + check + lint (Check, --dry-run)"), bytes, linted.rows, lint);
            allOk = allOk && lintOk && linted.rows == generated;
            // What `journy import` does before its first request: every row, with its request,
            // written to the journal (a fresh SQLite file). Not for the largest files: it writes
            // several times the file's size.
            if (sizeMb <= 100) {
                auto journal = std::make_unique<BulkJournal>();
                ImportPreparer::Report journaled;
                qint64 jobId = 0;
                const QString journalPath = dir.filePath(QStringLiteral("journal-%1MB.sqlite").arg(sizeMb));
                const Timing enqueued = timed([&] {
                    jobId = journal->open(journalPath, &error)
                                ? preparer.enqueue(journal.get(), QStringLiteral("bench"), &journaled, &error)
                                : 0;
                });
                printRate(QStringLiteral("read + check + journal"), bytes, journaled.rows, enqueued);
                allOk = allOk && jobId > 0 && journaled.rows == generated;
                journal.reset(); // closes the file
                for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
                    QFile::remove(journalPath + suffix);
            }
        }
        out << "  after it: VmRSS " << mib(rss) << ", VmHWM " << mib(hwm)
            << (breakdown ? QStringLiteral(" (taken before the breakdown passes)") : QString()) << "\n\n";
        out.flush();
        QFile::remove(path);
    }
    return allOk ? 0 : 1;
}

#pragma once

#include "api/ApiRequest.h"
#include "api/LintFinding.h"
#include "import/BulkJournal.h"
#include "import/ImportKind.h"
#include "import/ImportMapping.h"
#include "import/ImportReader.h"
#include "import/ImportRecord.h"

#include <QFile>
#include <QMap>

#include <functional>
#include <memory>

// Everything between an import file and a journaled job, shared by `journy import` and the
// console's wizard: reads the headers, maps the columns (defaults, a mapping file, --map
// overrides, types inferred from a sample), previews the first rows as the exact bodies, checks
// the whole file row by row with the pre-flight validator, and writes a job's rows to the journal.
// The file is streamed every time; it is never held in memory.
class ImportPreparer
{
public:
    class RowProblem
    {
    public:
        qint64 number = 0;
        qint64 line = 0;
        QMap<QString, QString> errors; // field path (or "row") -> message
    };
    // How many valid rows one integration-lint rule found something in, with the first ones.
    class LintCount
    {
    public:
        QString rule;
        LintFinding::Severity severity = LintFinding::Severity::Info;
        qint64 rows = 0;
        QList<qint64> examples; // the first MaxLintExamples row numbers
        QString path;           // the first example's field path
        QString text;           // the first example's finding, as LintFinding::text() says it
    };
    class Report
    {
    public:
        qint64 rows = 0;
        qint64 valid = 0;
        qint64 invalid = 0;
        QList<RowProblem> problems;    // the first MaxProblems
        QMap<QString, LintCount> lint; // by rule ID; scan() with Lint::On only
        qint64 lintedRows = 0;         // the valid rows linted: the first MaxLintedRows
        qint64 bytes = 0;
        // enqueue() and finishPreparing(): the job, also when preparing stopped before the end
        // (then it stays unfinished and unprepared, for a resume to finish), and whether the
        // progress sink stopped it.
        qint64 job = 0;
        bool stopped = false;
    };
    // A file's identity: a resume checks that the file is still the one the job was made from.
    class FileIdentity
    {
    public:
        qint64 size = -1;
        QString sha256; // hex
    };
    // Called for each row while scanning: the record and its problems (the reader's, conversion
    // and pre-flight errors; empty when the row is valid).
    using RowSink = std::function<void(const ImportRecord &, const QMap<QString, QString> &)>;
    // Called with bytes read so far while scanning; return false to stop.
    using ProgressSink = std::function<bool(qint64 bytesRead, qint64 bytesTotal)>;

    static constexpr int SampleRows = 200;
    static constexpr int MaxProblems = 1000;
    static constexpr int MaxLintExamples = 5;
    // Lint costs about 30 µs a row, 40 times the check (bench_import_throughput): it judges how an
    // integration writes its data, which the first rows show as well as all of them, so a file of
    // millions of rows is checked in seconds, not minutes. The report says how many were linted.
    static constexpr qint64 MaxLintedRows = 100000;
    // Whether scan() also lints every valid row (IntegrationLint on the request the row would
    // send): the check a user asks for does; it costs the JSON of each row, so it is not free.
    enum class Lint
    {
        Off,
        On
    };
    static constexpr int RowsPerBatch = 2000; // rows per journal transaction when enqueuing

    bool open(const QString &path, const ImportKind &kind, QString *error);
    const QString &path() const { return m_path; }
    const ImportKind &kind() const { return m_kind; }
    const QStringList &headers() const { return m_headers; }
    const QList<ImportRecord> &sample() const { return m_sample; }
    ImportMapping &mapping() { return m_mapping; }
    const ImportMapping &mapping() const { return m_mapping; }

    // The first rows as the requests they would send (or their problems).
    QList<QPair<ImportRecord, QPair<ApiRequest, QMap<QString, QString>>>> preview(int rows) const;
    // Builds and validates one row.
    bool buildRow(const ImportRecord &record, ApiRequest *request, QMap<QString, QString> *errors) const;
    // Reads the whole file again, row by row; false with *error when it cannot be read.
    bool scan(const RowSink &sink, Report *report, QString *error, const ProgressSink &progress = {},
              Lint lint = Lint::Off) const;
    // Creates a job for target (a profile name or base URL, never a key) with the file's identity
    // and journals every row: valid rows pending, invalid rows failed with their problems; the job
    // is marked prepared at the end. Returns the job ID, 0 on error: a file that cannot be read to
    // its end leaves the job finished (it is never sent as the file); a stop asked for by progress
    // (report->stopped) leaves it unprepared for finishPreparing(); a kill leaves it so too.
    qint64 enqueue(BulkJournal *journal, const QString &target, Report *report, QString *error,
                   const ProgressSink &progress = {}) const;
    // A job stopped while it was prepared: after open(job's file, job's kind) and the job's
    // mapping, checks that the file is the same (size, SHA-256) and journals the rows after the
    // last one journaled. False with *error saying why the job cannot be finished.
    bool finishPreparing(BulkJournal *journal, qint64 jobId, Report *report, QString *error,
                         const ProgressSink &progress = {}) const;
    // Size and SHA-256 of path, read once; progress (bytes hashed, total) may stop it.
    static bool identify(const QString &path, FileIdentity *identity, QString *error,
                         const ProgressSink &progress = {});
    // Why the file at path is not the job's file (size or content differ, or it cannot be read);
    // empty when it is.
    static QString differenceFromJob(const BulkJournal::Job &job, const QString &path,
                                     const ProgressSink &progress = {});

    // A test seam (the CLI sets it from JOURNY_TEST_HOLD_PREPARING=ROWS): once at least this many
    // rows are journaled and committed, preparing waits, calling holding() every 20 ms, until it
    // returns false; then it stops as if progress had said so. A test kills or interrupts the
    // process there, half-way through preparing, without depending on timing.
    qint64 holdAfterRows = 0;
    std::function<bool()> holding;

private:
    // Journals the rows after skipRows into jobId; then marks it prepared.
    bool journalRows(BulkJournal *journal, qint64 jobId, qint64 skipRows, Report *report, QString *error,
                     const ProgressSink &progress) const;
    bool openReader(QFile *file, std::unique_ptr<ImportReader> *reader, QString *error) const;

    QString m_path;
    ImportKind m_kind;
    QStringList m_headers;
    QList<ImportRecord> m_sample;
    ImportMapping m_mapping;
};

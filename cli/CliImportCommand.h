#pragma once

#include "cli/CliProgress.h"
#include "import/BulkJournal.h"
#include "import/ImportPreparer.h"

#include <QObject>
#include <QTextStream>
#include <QTimer>

#include <memory>

class BulkImporter;
class ClientConfig;
class InterruptWatcher;
class JournyClient;

// `journy import`: prepares a file (or resumes a journaled job), sends it with BulkImporter and
// reports: "job: ID" on stderr at start, progress on stderr as --progress says (CliProgress; not
// with --json), a summary,
// and the failed rows as CSV with an error column when asked.
class CliImportCommand : public QObject
{
    Q_OBJECT
public:
    class Options
    {
    public:
        ImportKind kind;
        QString file;
        QString mappingFile;
        QString saveMappingFile;
        QStringList overrides;
        int rate = 0; // ceiling per window; 0: the server's limit
        int rateWindowSeconds = 60;
        int concurrency = 4;
        // The ranges --rate, --rate-window and --concurrency accept: the console's own limits,
        // and a window whose milliseconds still fit an int.
        static constexpr int MaxRate = 100000;
        static constexpr int MaxRateWindowSeconds = 86400;
        static constexpr int MaxConcurrency = 32;
        bool dryRun = false;
        QString resume; // job ID or "last"; empty: a new job
        // With --resume: FILE, --kind and mapping options repeated from the original command are
        // checked against the job (file, kind and mapping must be the same), never applied.
        bool kindGiven = false;
        bool forceTarget = false; // --force-target: a resume may send the rest elsewhere
        QString failedOut;
        bool json = false;
        CliProgress::Mode progress = CliProgress::Mode::Auto; // never with --json
        QString target;           // profile name or base URL, recorded in the job (never a key)
        bool targetGiven = false; // --profile or --base-url was given
        bool list = false;        // --list
        bool prune = false;       // --prune
        int olderThanDays = 0;    // --prune --older-than DAYS
        static constexpr int MaxOlderThanDays = 36500;
    };

    CliImportCommand(const Options &options, const QString &journalPath, QTextStream &out, QTextStream &err,
                     QObject *parent = nullptr);
    ~CliImportCommand() override;

    // Reads and checks; for a dry run also reports and finishes. Returns false (and finishes
    // with an exit code) on a problem; otherwise run() sends.
    bool prepare();
    // The target a resumed job was sent to, for connecting again ("" for new jobs).
    QString resumedTarget() const { return m_resumedTarget; }
    void run(const ClientConfig &config);

signals:
    void finished(int exitCode);

private:
    void fail(int exitCode, const QString &message);
    QString progressLine(bool final) const;
    // --resume: what in this command differs from the journaled job (file, kind, mapping,
    // target); empty when nothing does.
    QString differenceFromJob(const BulkJournal::Job &job);
    void listJobs();
    void pruneJobs();
    // Journals the rest of a job stopped while it was prepared; false when it cannot (reported).
    bool finishPreparing();
    ImportPreparer::ProgressSink interruptSink() const;
    void onInterrupt();
    QString resumeCommand() const;
    void complete(bool cancelled);
    bool writeFailedRows(QString *error);

    Options m_options;
    QString m_journalPath;
    QTextStream &m_out;
    QTextStream &m_err;
    BulkJournal m_journal;
    ImportPreparer m_preparer;
    qint64 m_jobId = 0;
    int m_recovered = 0;
    QString m_resumedTarget;
    JournyClient *m_client = nullptr;
    BulkImporter *m_importer = nullptr;
    CliProgress *m_progress = nullptr;
    InterruptWatcher *m_interrupts = nullptr;
    bool m_interrupted = false;
    bool m_rateLimited = false; // a 429's wait was said and has not ended
    bool m_done = false;
};

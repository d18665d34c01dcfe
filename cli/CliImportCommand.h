#pragma once

#include "BulkImporter.h"
#include "BulkJournal.h"
#include "ClientConfig.h"
#include "ImportPreparer.h"

#include <QObject>
#include <QTextStream>
#include <QTimer>

#include <memory>

class JournyClient;

// `journy import`: prepares a file (or resumes a journaled job), sends it with BulkImporter and
// reports: "job: ID" on stderr at start, a progress line on stderr (not with --json), a summary,
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
        bool dryRun = false;
        QString resume; // job ID or "last"; empty: a new job
        QString failedOut;
        bool json = false;
        QString target; // profile name or base URL, recorded in the job (never a key)
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
    void printProgress(bool final);
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
    QTimer m_progressTimer;
    bool m_rateLimited = false; // a 429's wait was said and has not ended
    bool m_done = false;
};

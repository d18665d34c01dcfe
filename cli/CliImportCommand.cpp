#include "CliImportCommand.h"

#include "CliApplication.h"
#include "CliOutput.h"
#include "FailedRowsCsv.h"
#include "JournyClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

CliImportCommand::CliImportCommand(const Options &options, const QString &journalPath, QTextStream &out,
                                   QTextStream &err, QObject *parent)
    : QObject(parent), m_options(options), m_journalPath(journalPath), m_out(out), m_err(err)
{
    m_progressTimer.setInterval(500);
    connect(&m_progressTimer, &QTimer::timeout, this, [this] { printProgress(false); });
}

CliImportCommand::~CliImportCommand() = default;

void CliImportCommand::fail(int exitCode, const QString &message)
{
    if (m_options.json) {
        // The CLI's one failure shape, plus the job when there is one to resume.
        QJsonObject object = CliOutput::failureJson(exitCode == CliApplication::UsageError, message);
        object.insert(QLatin1String("job"), m_jobId > 0 ? QJsonValue(m_jobId) : QJsonValue());
        m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
    }
    m_err << "journy: " << message << '\n';
    m_out.flush();
    m_err.flush();
    m_done = true;
    QTimer::singleShot(0, this, [this, exitCode] { emit finished(exitCode); });
}

namespace {

QString describeProblems(const QMap<QString, QString> &errors)
{
    QStringList parts;
    for (auto it = errors.begin(); it != errors.end(); ++it)
        parts << QStringLiteral("%1: %2").arg(it.key(), it.value());
    return parts.join(QLatin1String("; "));
}

} // namespace

bool CliImportCommand::prepare()
{
    QString error;
    if (!m_journal.open(m_journalPath, &error)) {
        fail(CliApplication::UsageError,
             QStringLiteral("the import journal %1 cannot be opened: %2").arg(m_journalPath, error));
        return false;
    }
    if (!m_options.resume.isEmpty()) {
        bool ok = false;
        m_jobId = m_options.resume == QLatin1String("last") ? m_journal.latestUnfinishedJob()
                                                            : m_options.resume.toLongLong(&ok);
        if (m_jobId <= 0 || m_journal.job(m_jobId).id != m_jobId) {
            fail(CliApplication::UsageError, m_options.resume == QLatin1String("last")
                                                 ? QStringLiteral("no unfinished import job to resume")
                                                 : QStringLiteral("no import job %1").arg(m_options.resume));
            return false;
        }
        m_resumedTarget = m_journal.job(m_jobId).profile;
        m_recovered = m_journal.recoverInFlight(m_jobId);
        m_err << "job: " << m_jobId << '\n';
        if (m_recovered > 0)
            m_err << "resuming: " << m_recovered
                  << " row(s) were in flight when the job stopped and will be sent again"
                  << (m_journal.job(m_jobId).kind.kind == ImportKind::Kind::Events
                          ? QStringLiteral(" (events may be duplicated; the report lists them)")
                          : QString())
                  << '\n';
        m_err.flush();
        return true;
    }

    if (!m_preparer.open(m_options.file, m_options.kind, &error)) {
        fail(CliApplication::UsageError, error);
        return false;
    }
    if (!m_options.mappingFile.isEmpty() && !m_preparer.mapping().load(m_options.mappingFile, &error)) {
        fail(CliApplication::UsageError,
             QStringLiteral("--mapping %1: %2").arg(m_options.mappingFile, error));
        return false;
    }
    for (const QString &spec : m_options.overrides) {
        if (!m_preparer.mapping().applyOverride(spec, &error)) {
            fail(CliApplication::UsageError, QStringLiteral("--map %1: %2").arg(spec, error));
            return false;
        }
    }
    if (!m_preparer.mapping().check(m_options.kind.kind, &error)) {
        fail(CliApplication::UsageError, error);
        return false;
    }
    if (!m_options.saveMappingFile.isEmpty() &&
        !m_preparer.mapping().save(m_options.saveMappingFile, &error)) {
        fail(CliApplication::UsageError, error);
        return false;
    }
    if (!m_options.dryRun)
        return true;

    // Dry run: the first rows as the exact bodies, then every row checked; nothing is sent.
    ImportPreparer::Report report;
    if (!m_preparer.scan({}, &report, &error)) {
        fail(CliApplication::UsageError, error);
        return false;
    }
    if (m_options.json) {
        QJsonArray preview;
        for (const auto &entry : m_preparer.preview(3))
            preview.append(QJsonObject{{QLatin1String("row"), entry.first.number},
                                       {QLatin1String("operation"), entry.second.first.info().operationId},
                                       {QLatin1String("body"), entry.second.first.body}});
        QJsonArray problems;
        for (const ImportPreparer::RowProblem &problem : std::as_const(report.problems)) {
            QJsonObject errors;
            for (auto it = problem.errors.begin(); it != problem.errors.end(); ++it)
                errors.insert(it.key(), it.value());
            problems.append(QJsonObject{{QLatin1String("row"), problem.number},
                                        {QLatin1String("line"), problem.line},
                                        {QLatin1String("errors"), errors}});
        }
        m_out << QString::fromUtf8(QJsonDocument(QJsonObject{{QLatin1String("ok"), report.invalid == 0},
                                                             {QLatin1String("rows"), report.rows},
                                                             {QLatin1String("valid"), report.valid},
                                                             {QLatin1String("invalid"), report.invalid},
                                                             {QLatin1String("preview"), preview},
                                                             {QLatin1String("problems"), problems}})
                                       .toJson(QJsonDocument::Compact))
              << '\n';
    } else {
        for (const auto &entry : m_preparer.preview(3))
            m_out << "row " << entry.first.number << ": " << entry.second.first.info().method << ' '
                  << entry.second.first.pathAndQuery() << ' '
                  << QString::fromUtf8(QJsonDocument(entry.second.first.body).toJson(QJsonDocument::Compact))
                  << '\n';
        for (const ImportPreparer::RowProblem &problem : std::as_const(report.problems))
            m_out << "row " << problem.number << " (line " << problem.line
                  << "): " << describeProblems(problem.errors) << '\n';
        m_out << report.rows << " row(s): " << report.valid << " valid, " << report.invalid
              << " invalid; nothing was sent\n";
    }
    m_out.flush();
    m_done = true;
    const int code = report.invalid == 0 ? CliApplication::Success : CliApplication::PreflightFailed;
    QTimer::singleShot(0, this, [this, code] { emit finished(code); });
    return false;
}

void CliImportCommand::run(const ClientConfig &config)
{
    if (m_jobId == 0) {
        ImportPreparer::Report report;
        QString error;
        m_jobId = m_preparer.enqueue(&m_journal, m_options.target, &report, &error);
        if (m_jobId <= 0) {
            fail(CliApplication::UsageError, error);
            return;
        }
        m_err << "job: " << m_jobId << '\n';
        if (report.invalid > 0)
            m_err << report.invalid << " of " << report.rows
                  << " row(s) do not pass pre-flight validation and will not be sent (see the report)\n";
        m_err.flush();
    }
    m_client = new JournyClient(config, nullptr, nullptr, this);
    BulkImporter::Options options;
    options.rateCeiling = m_options.rate;
    options.windowMs = m_options.rateWindowSeconds * 1000;
    options.concurrency = m_options.concurrency;
    m_importer = new BulkImporter(&m_journal, m_client, m_jobId, options, this);
    connect(m_importer, &BulkImporter::finished, this, &CliImportCommand::complete);
    // A 429's wait is said when it starts, on a line of its own (whatever the progress display), so
    // a stall reads as the server's doing and not as a hang.
    connect(m_importer, &BulkImporter::progressed, this, [this](const BulkImporter::Progress &progress) {
        const bool rateLimited = progress.rateLimitedMs > 0;
        if (rateLimited && !m_rateLimited && !m_options.json) {
            m_err << '\r' << progress.rateLimitedNotice() << "   \n";
            m_err.flush();
        }
        m_rateLimited = rateLimited;
    });
    if (!m_options.json)
        m_progressTimer.start();
    m_importer->start();
}

void CliImportCommand::printProgress(bool final)
{
    if (!m_importer || m_options.json)
        return;
    const BulkImporter::Progress progress = m_importer->progress();
    const BulkJournal::Counts &counts = progress.counts;
    m_err << '\r' << counts.done << " done, " << counts.failed << " failed, "
          << counts.pending + counts.inFlight << " remaining, "
          << QString::number(progress.ratePerSecond, 'f', 1) << "/s";
    if (progress.etaSeconds >= 0 && !final)
        m_err << ", ETA " << progress.etaSeconds << " s";
    m_err << "   ";
    if (final)
        m_err << '\n';
    m_err.flush();
}

bool CliImportCommand::writeFailedRows(QString *error)
{
    return FailedRowsCsv::write(m_journal, m_jobId, m_options.failedOut, error);
}

void CliImportCommand::complete(bool cancelled)
{
    m_progressTimer.stop();
    printProgress(true);
    if (!cancelled)
        m_journal.finishJob(m_jobId);
    const BulkJournal::Counts counts = m_journal.counts(m_jobId);
    const QList<BulkJournal::Row> duplicated = m_journal.duplicatedEvents(m_jobId);
    QString failedOutError;
    // Written even with no failed row (headers only), so no file from an earlier run is left there.
    const bool failedWritten = m_options.failedOut.isEmpty() || writeFailedRows(&failedOutError);

    if (m_options.json) {
        QJsonArray duplicates;
        for (const BulkJournal::Row &row : duplicated)
            duplicates.append(row.number);
        m_out << QString::fromUtf8(
                     QJsonDocument(QJsonObject{{QLatin1String("ok"), counts.failed == 0 && !cancelled},
                                               {QLatin1String("job"), m_jobId},
                                               {QLatin1String("rows"), counts.total()},
                                               {QLatin1String("done"), counts.done},
                                               {QLatin1String("failed"), counts.failed},
                                               {QLatin1String("pending"), counts.pending + counts.inFlight},
                                               {QLatin1String("possiblyDuplicated"), duplicates}})
                         .toJson(QJsonDocument::Compact))
              << '\n';
    } else {
        m_out << "job " << m_jobId << ": " << counts.done << " of " << counts.total() << " row(s) done, "
              << counts.failed << " failed"
              << (cancelled ? QStringLiteral(", cancelled (resume with --resume %1)").arg(m_jobId)
                            : QString())
              << '\n';
        if (!duplicated.isEmpty()) {
            QStringList numbers;
            for (const BulkJournal::Row &row : duplicated)
                numbers << QString::number(row.number);
            m_out << "possibly duplicated events (in flight when the job stopped, sent again): rows "
                  << numbers.join(QLatin1String(", ")) << '\n';
        }
        if (counts.failed > 0 && !m_options.failedOut.isEmpty() && failedWritten)
            m_out << "failed rows written to " << m_options.failedOut << '\n';
    }
    m_out.flush();
    if (!failedWritten)
        m_err << "journy: " << failedOutError << '\n';
    m_err.flush();
    const int code = cancelled                             ? CliApplication::Failed
                     : !failedWritten || counts.failed > 0 ? CliApplication::Refused
                                                           : CliApplication::Success;
    QTimer::singleShot(0, this, [this, code] { emit finished(code); });
}

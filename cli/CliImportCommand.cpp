#include "cli/CliImportCommand.h"

#include "api/JournyClient.h"
#include "cli/CliApplication.h"
#include "cli/CliOutput.h"
#include "cli/InterruptWatcher.h"
#include "import/BulkImporter.h"
#include "import/FailedRowsCsv.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

CliImportCommand::CliImportCommand(const Options &options, const QString &journalPath, QTextStream &out,
                                   QTextStream &err, QObject *parent)
    : QObject(parent), m_options(options), m_journalPath(journalPath), m_out(out), m_err(err)
{
    m_progress = new CliProgress(
        options.json ? CliProgress::Mode::None : options.progress, m_err,
        [this](bool final) { return progressLine(final); }, this);
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
    if (m_options.list) {
        listJobs();
        return false;
    }
    if (m_options.prune) {
        pruneJobs();
        return false;
    }
    if (!m_options.resume.isEmpty()) {
        bool ok = false;
        m_jobId = m_options.resume == QLatin1String("last") ? m_journal.latestUnfinishedJob()
                                                            : m_options.resume.toLongLong(&ok);
        const BulkJournal::Job job = m_journal.job(m_jobId);
        if (m_jobId <= 0 || job.id != m_jobId) {
            m_jobId = 0;
            fail(CliApplication::UsageError, m_options.resume == QLatin1String("last")
                                                 ? QStringLiteral("no unfinished import job to resume")
                                                 : QStringLiteral("no import job %1").arg(m_options.resume));
            return false;
        }
        if (job.finished && !job.prepared) {
            fail(CliApplication::Failed,
                 QStringLiteral("job %1 cannot be resumed: %2 could not be read to its end when it was "
                                "prepared, so the job never held the whole file")
                     .arg(m_jobId)
                     .arg(job.file));
            return false;
        }
        const QString difference = differenceFromJob(job);
        if (!difference.isEmpty()) {
            fail(CliApplication::UsageError, QStringLiteral("--resume %1: %2").arg(m_jobId).arg(difference));
            return false;
        }
        if (m_options.targetGiven && m_options.forceTarget)
            m_journal.setTarget(m_jobId, m_options.target);
        m_resumedTarget = m_journal.job(m_jobId).profile;
        m_recovered = m_journal.recoverInFlight(m_jobId);
        m_err << "job: " << m_jobId << '\n';
        if (m_recovered > 0)
            m_err << "resuming: " << m_recovered
                  << " row(s) were in flight when the job stopped and will be sent again"
                  << (job.kind.kind == ImportKind::Kind::Events
                          ? QStringLiteral(" (events may be duplicated; the report lists them)")
                          : QString())
                  << '\n';
        if (!job.prepared && !job.finished)
            m_err << "resuming: the job stopped while " << job.file << " was being prepared ("
                  << job.preparedRows << " row(s) journaled); preparing the rest\n";
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
    if (!m_preparer.scan({}, &report, &error, {}, ImportPreparer::Lint::On)) {
        fail(CliApplication::UsageError, error);
        return false;
    }
    if (m_options.json) {
        auto errorsJson = [](const QMap<QString, QString> &errors) {
            QJsonObject object;
            for (auto it = errors.begin(); it != errors.end(); ++it)
                object.insert(it.key(), it.value());
            return object;
        };
        // An invalid row has no request to show (it would be an empty GET /validate): its errors instead.
        QJsonArray preview;
        for (const auto &entry : m_preparer.preview(3)) {
            if (!entry.second.second.isEmpty())
                preview.append(QJsonObject{{QLatin1String("row"), entry.first.number},
                                           {QLatin1String("line"), entry.first.line},
                                           {QLatin1String("errors"), errorsJson(entry.second.second)}});
            else
                preview.append(
                    QJsonObject{{QLatin1String("row"), entry.first.number},
                                {QLatin1String("operation"), entry.second.first.info().operationId},
                                {QLatin1String("body"), entry.second.first.body}});
        }
        QJsonArray problems;
        for (const ImportPreparer::RowProblem &problem : std::as_const(report.problems))
            problems.append(QJsonObject{{QLatin1String("row"), problem.number},
                                        {QLatin1String("line"), problem.line},
                                        {QLatin1String("errors"), errorsJson(problem.errors)}});
        QJsonArray lint;
        for (const ImportPreparer::LintCount &count : std::as_const(report.lint)) {
            QJsonArray examples;
            for (const qint64 row : count.examples)
                examples.append(row);
            lint.append(QJsonObject{{QLatin1String("rule"), count.rule},
                                    {QLatin1String("severity"), LintFinding::severityName(count.severity)},
                                    {QLatin1String("rows"), count.rows},
                                    {QLatin1String("examples"), examples},
                                    {QLatin1String("path"), count.path},
                                    {QLatin1String("example"), count.text}});
        }
        m_out << QString::fromUtf8(
                     QJsonDocument(QJsonObject{{QLatin1String("ok"), report.invalid == 0},
                                               {QLatin1String("rows"), report.rows},
                                               {QLatin1String("valid"), report.valid},
                                               {QLatin1String("invalid"), report.invalid},
                                               {QLatin1String("preview"), preview},
                                               {QLatin1String("problems"), problems},
                                               {QLatin1String("lint"), lint},
                                               {QLatin1String("lintedRows"), report.lintedRows}})
                         .toJson(QJsonDocument::Compact))
              << '\n';
    } else {
        // The first rows in order, each once: a valid row as its request, an invalid one as its
        // problems (it has no request: it would show as an empty GET /validate); then the other problems.
        qint64 shown = 0;
        auto printProblem = [this](qint64 number, qint64 line, const QMap<QString, QString> &errors) {
            m_out << "row " << number << " (line " << line << "): " << describeProblems(errors) << '\n';
        };
        for (const auto &entry : m_preparer.preview(3)) {
            const ApiRequest &request = entry.second.first;
            if (!entry.second.second.isEmpty())
                printProblem(entry.first.number, entry.first.line, entry.second.second);
            else
                m_out << "row " << entry.first.number << ": " << request.info().method << ' '
                      << request.pathAndQuery() << ' '
                      << QString::fromUtf8(QJsonDocument(request.body).toJson(QJsonDocument::Compact))
                      << '\n';
            shown = entry.first.number;
        }
        for (const ImportPreparer::RowProblem &problem : std::as_const(report.problems)) {
            if (problem.number > shown)
                printProblem(problem.number, problem.line, problem.errors);
        }
        // The integration lint per rule: advice on what the valid rows would send, never a refusal.
        if (report.lintedRows < report.valid)
            m_out << "lint: the first " << report.lintedRows << " valid row(s) of " << report.valid
                  << " were linted\n";
        for (const ImportPreparer::LintCount &count : std::as_const(report.lint)) {
            QStringList examples;
            for (const qint64 row : count.examples)
                examples << QString::number(row);
            m_out << "lint: " << LintFinding::severityName(count.severity) << ' ' << count.rule << " in "
                  << count.rows << " row(s), e.g. row(s) " << examples.join(QStringLiteral(", ")) << ": "
                  << (count.path.isEmpty() ? QString() : count.path + QStringLiteral(": ")) << count.text
                  << '\n';
        }
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
    // From here on the journal changes: Ctrl+C stops cleanly and says how to go on.
    m_interrupts = new InterruptWatcher(this);
    connect(m_interrupts, &InterruptWatcher::interruptedChanged, this, &CliImportCommand::onInterrupt);
    if (m_jobId == 0) {
        ImportPreparer::Report report;
        QString error;
        const bool holdSeam = qEnvironmentVariableIsSet("JOURNY_TEST_HOLD_PREPARING");
        if (holdSeam) {
            m_preparer.holdAfterRows = qEnvironmentVariableIntValue("JOURNY_TEST_HOLD_PREPARING");
            m_preparer.holding = [this] {
                // Said once, so a test knows the rows so far are committed.
                static bool said = false;
                if (!said) {
                    m_err << "preparing held (JOURNY_TEST_HOLD_PREPARING)\n";
                    m_err.flush();
                    said = true;
                }
                return !InterruptWatcher::interrupted();
            };
        }
        m_jobId = m_preparer.enqueue(&m_journal, m_options.target, &report, &error, interruptSink());
        if (m_jobId <= 0) {
            m_jobId = report.stopped ? report.job : 0;
            if (report.stopped && m_jobId > 0)
                fail(CliApplication::Interrupted,
                     QStringLiteral("interrupted while preparing the file (%1 row(s) journaled as job %2); "
                                    "resume with: %3")
                         .arg(m_journal.job(m_jobId).preparedRows)
                         .arg(m_jobId)
                         .arg(resumeCommand()));
            else if (report.stopped)
                fail(CliApplication::Interrupted,
                     QStringLiteral("interrupted; nothing was journaled or sent"));
            else
                fail(CliApplication::UsageError, error);
            return;
        }
        m_err << "job: " << m_jobId << '\n';
        if (report.invalid > 0)
            m_err << report.invalid << " of " << report.rows
                  << " row(s) do not pass pre-flight validation and will not be sent (see the report)\n";
        m_err.flush();
    } else if (!m_journal.job(m_jobId).prepared && !finishPreparing()) {
        return;
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
            m_progress->note(progress.rateLimitedNotice());
        }
        m_rateLimited = rateLimited;
    });
    m_progress->start();
    m_importer->start();
}

ImportPreparer::ProgressSink CliImportCommand::interruptSink() const
{
    return [](qint64, qint64) { return !InterruptWatcher::interrupted(); };
}

QString CliImportCommand::resumeCommand() const
{
    // The job remembers its file, kind, mapping and target: its ID is all a resume needs.
    return QStringLiteral("journy import --resume %1").arg(m_jobId);
}

void CliImportCommand::onInterrupt()
{
    if (m_interrupted || m_done)
        return;
    m_interrupted = true;
    if (m_importer) {
        m_err << "\ninterrupted: waiting for the requests in flight to be answered (Ctrl+C again stops "
                 "at once; the journal keeps every row)\n";
        m_err.flush();
        m_importer->cancel();
    }
}

bool CliImportCommand::finishPreparing()
{
    const BulkJournal::Job job = m_journal.job(m_jobId);
    // The FILE given again (checked against the job in prepare()) may be the job's file moved.
    const QString file = m_options.file.isEmpty() ? job.file : m_options.file;
    QString error;
    if (!m_preparer.open(file, job.kind, &error) || !m_preparer.mapping().fromJson(job.mappingJson, &error)) {
        fail(CliApplication::Failed,
             QStringLiteral("job %1 cannot be resumed: it stopped while its file was prepared, and %2")
                 .arg(m_jobId)
                 .arg(error));
        return false;
    }
    ImportPreparer::Report report;
    if (!m_preparer.finishPreparing(&m_journal, m_jobId, &report, &error, interruptSink())) {
        if (report.stopped)
            fail(CliApplication::Interrupted,
                 QStringLiteral("interrupted while preparing the file (%1 row(s) journaled); resume with: %2")
                     .arg(m_journal.job(m_jobId).preparedRows)
                     .arg(resumeCommand()));
        else
            fail(CliApplication::Failed,
                 QStringLiteral("job %1 cannot be resumed: it stopped while its file was prepared, and %2")
                     .arg(m_jobId)
                     .arg(error));
        return false;
    }
    if (report.invalid > 0)
        m_err << report.invalid << " of " << report.rows
              << " row(s) do not pass pre-flight validation and will not be sent (see the report)\n";
    m_err.flush();
    return true;
}

namespace {

// A mapping's JSON (ImportMapping::toJson) as column -> "target[:type]", in order.
QList<QPair<QString, QString>> mappingEntries(const QString &json)
{
    QList<QPair<QString, QString>> entries;
    const QJsonArray columns =
        QJsonDocument::fromJson(json.toUtf8()).object().value(QLatin1String("columns")).toArray();
    for (const QJsonValue &value : columns) {
        const QJsonObject column = value.toObject();
        QString target = column.value(QLatin1String("target")).toString();
        if (column.contains(QLatin1String("type")))
            target += QLatin1Char(':') + column.value(QLatin1String("type")).toString();
        entries.append({column.value(QLatin1String("column")).toString(), target});
    }
    return entries;
}

QString normalizedTarget(const QString &target)
{
    const QUrl url(target);
    return url.scheme().isEmpty() ? target : url.adjusted(QUrl::StripTrailingSlash).toString();
}

} // namespace

QString CliImportCommand::differenceFromJob(const BulkJournal::Job &job)
{
    if (m_options.kindGiven &&
        (m_options.kind.kind != job.kind.kind || m_options.kind.remove != job.kind.remove)) {
        auto describe = [](const ImportKind &kind) {
            return ImportKind::name(kind.kind) +
                   (kind.remove ? (kind.kind == ImportKind::Kind::Memberships ? QStringLiteral(" --remove")
                                                                              : QStringLiteral(" --delete"))
                                : QString());
        };
        return QStringLiteral("this command imports --kind %1, the job --kind %2")
            .arg(describe(m_options.kind), describe(job.kind));
    }
    if (!m_options.file.isEmpty()) {
        const QString difference = ImportPreparer::differenceFromJob(job, m_options.file);
        if (!difference.isEmpty())
            return QStringLiteral("FILE is not the job's file %1: %2").arg(job.file, difference);
    }
    if (!m_options.file.isEmpty() || !m_options.mappingFile.isEmpty() || !m_options.overrides.isEmpty()) {
        // The mapping this command would make, made as the original command made it.
        QString error;
        ImportPreparer preparer;
        if (!preparer.open(m_options.file.isEmpty() ? job.file : m_options.file, job.kind, &error))
            return error;
        if (!m_options.mappingFile.isEmpty() && !preparer.mapping().load(m_options.mappingFile, &error))
            return QStringLiteral("--mapping %1: %2").arg(m_options.mappingFile, error);
        for (const QString &spec : m_options.overrides) {
            if (!preparer.mapping().applyOverride(spec, &error))
                return QStringLiteral("--map %1: %2").arg(spec, error);
        }
        const auto mine = mappingEntries(preparer.mapping().toJson());
        const auto theirs = mappingEntries(job.mappingJson);
        QStringList differences;
        for (qsizetype i = 0; i < std::max(mine.size(), theirs.size()); ++i) {
            const QString column = i < mine.size() ? mine.at(i).first : theirs.at(i).first;
            const QString here = i < mine.size() ? mine.at(i).second : QStringLiteral("(none)");
            const QString there = i < theirs.size() ? theirs.at(i).second : QStringLiteral("(none)");
            if (here != there || (i < theirs.size() && theirs.at(i).first != column))
                differences
                    << QStringLiteral("column %1 maps to %2 here, to %3 in the job").arg(column, here, there);
        }
        if (!differences.isEmpty())
            return QStringLiteral("the mapping differs from the job's: %1")
                .arg(differences.join(QLatin1String("; ")));
    }
    if (m_options.targetGiven && !m_options.forceTarget &&
        normalizedTarget(m_options.target) != normalizedTarget(job.profile))
        return QStringLiteral("the job sends to %1, this command to %2; add --force-target to send the "
                              "rest of the job to %2")
            .arg(job.profile, m_options.target);
    return QString();
}

namespace {

// A job's state in --list: what a user can still do with it.
QString jobState(const BulkJournal::Job &job)
{
    if (job.finished)
        return job.prepared ? QStringLiteral("finished") : QStringLiteral("abandoned");
    return job.prepared ? QStringLiteral("resumable") : QStringLiteral("stopped-preparing");
}

} // namespace

void CliImportCommand::listJobs()
{
    const QList<BulkJournal::Job> jobs = m_journal.jobs();
    QJsonArray array;
    for (const BulkJournal::Job &job : jobs) {
        const BulkJournal::Counts counts = m_journal.counts(job.id);
        const QString created = job.createdAt.toString(Qt::ISODate);
        if (m_options.json) {
            array.append(QJsonObject{{QLatin1String("job"), job.id},
                                     {QLatin1String("file"), job.file},
                                     {QLatin1String("kind"), ImportKind::name(job.kind.kind)},
                                     {QLatin1String("remove"), job.kind.remove},
                                     {QLatin1String("target"), job.profile},
                                     {QLatin1String("state"), jobState(job)},
                                     {QLatin1String("rows"), counts.total()},
                                     {QLatin1String("done"), counts.done},
                                     {QLatin1String("failed"), counts.failed},
                                     {QLatin1String("pending"), counts.pending + counts.inFlight},
                                     {QLatin1String("created"), created}});
            continue;
        }
        m_out << "job " << job.id << '\t' << jobState(job) << '\t' << ImportKind::name(job.kind.kind)
              << (job.kind.remove ? QStringLiteral(" (remove)") : QString()) << '\t' << counts.total()
              << " row(s): " << counts.done << " done, " << counts.failed << " failed, "
              << counts.pending + counts.inFlight << " left\t" << created << '\t' << job.profile << '\t'
              << job.file << '\n';
    }
    if (m_options.json)
        m_out << QString::fromUtf8(
                     QJsonDocument(QJsonObject{{QLatin1String("ok"), true}, {QLatin1String("jobs"), array}})
                         .toJson(QJsonDocument::Compact))
              << '\n';
    else if (jobs.isEmpty())
        m_out << "no import jobs in " << m_journalPath << '\n';
    m_out.flush();
    m_done = true;
    const int code = m_journal.lastError().isEmpty() ? CliApplication::Success : CliApplication::Failed;
    QTimer::singleShot(0, this, [this, code] { emit finished(code); });
}

void CliImportCommand::pruneJobs()
{
    const QDateTime cutoff = m_options.olderThanDays > 0
                                 ? QDateTime::currentDateTimeUtc().addDays(-m_options.olderThanDays)
                                 : QDateTime();
    const int pruned = m_journal.pruneFinished(cutoff);
    if (pruned < 0) {
        fail(CliApplication::Failed, QStringLiteral("the import journal %1 cannot be pruned: %2")
                                         .arg(m_journalPath, m_journal.lastError()));
        return;
    }
    qint64 unfinished = 0;
    for (const BulkJournal::Job &job : m_journal.jobs())
        unfinished += job.finished ? 0 : 1;
    const qint64 bytes = QFileInfo(m_journalPath).size();
    if (m_options.json)
        m_out << QString::fromUtf8(QJsonDocument(QJsonObject{{QLatin1String("ok"), true},
                                                             {QLatin1String("pruned"), pruned},
                                                             {QLatin1String("unfinished"), unfinished},
                                                             {QLatin1String("journalBytes"), bytes}})
                                       .toJson(QJsonDocument::Compact))
              << '\n';
    else
        m_out << "pruned " << pruned << " finished job(s); " << unfinished
              << " unfinished job(s) kept (resume them, or see --list); " << m_journalPath << " is now "
              << bytes << " bytes\n";
    m_out.flush();
    m_done = true;
    QTimer::singleShot(0, this, [this] { emit finished(CliApplication::Success); });
}

QString CliImportCommand::progressLine(bool final) const
{
    const BulkImporter::Progress progress = m_importer->progress();
    const BulkJournal::Counts &counts = progress.counts;
    QString line = QStringLiteral("%1 done, %2 failed, %3 remaining, %4/s")
                       .arg(counts.done)
                       .arg(counts.failed)
                       .arg(counts.pending + counts.inFlight)
                       .arg(QString::number(progress.ratePerSecond, 'f', 1));
    if (progress.etaSeconds >= 0 && !final)
        line += QStringLiteral(", ETA %1 s").arg(progress.etaSeconds);
    return line;
}

bool CliImportCommand::writeFailedRows(QString *error)
{
    return FailedRowsCsv::write(m_journal, m_jobId, m_options.failedOut, error);
}

void CliImportCommand::complete(bool cancelled)
{
    m_progress->finish();
    // Exit 0 only when every row of the file is journaled and every one was sent or failed.
    const BulkJournal::Counts left = m_journal.counts(m_jobId);
    if (!m_journal.job(m_jobId).prepared || left.pending + left.inFlight > 0)
        cancelled = true;
    if (!cancelled)
        m_journal.finishJob(m_jobId);
    const BulkJournal::Counts counts = m_journal.counts(m_jobId);
    const QList<BulkJournal::Row> duplicated = m_journal.duplicatedEvents(m_jobId);
    const QList<BulkJournal::Row> warned = m_journal.warnedRows(m_jobId);
    QString failedOutError;
    // Written even with no failed row (headers only), so no file from an earlier run is left there.
    const bool failedWritten = m_options.failedOut.isEmpty() || writeFailedRows(&failedOutError);

    if (m_options.json) {
        QJsonArray duplicates;
        for (const BulkJournal::Row &row : duplicated)
            duplicates.append(row.number);
        QJsonObject notStored;
        const QMap<QString, qint64> notStoredCounts = BulkJournal::notStoredCounts(warned);
        for (auto it = notStoredCounts.cbegin(); it != notStoredCounts.cend(); ++it)
            notStored.insert(it.key(), it.value());
        QJsonArray warnedNumbers;
        for (const BulkJournal::Row &row : warned)
            warnedNumbers.append(row.number);
        m_out << QString::fromUtf8(
                     QJsonDocument(QJsonObject{{QLatin1String("ok"), counts.failed == 0 && !cancelled},
                                               {QLatin1String("job"), m_jobId},
                                               {QLatin1String("rows"), counts.total()},
                                               {QLatin1String("done"), counts.done},
                                               {QLatin1String("failed"), counts.failed},
                                               {QLatin1String("pending"), counts.pending + counts.inFlight},
                                               {QLatin1String("possiblyDuplicated"), duplicates},
                                               {QLatin1String("rowsWithPropertiesNotStored"), warnedNumbers},
                                               {QLatin1String("propertiesNotStored"), notStored}})
                         .toJson(QJsonDocument::Compact))
              << '\n';
    } else {
        m_out << "job " << m_jobId << ": " << counts.done << " of " << counts.total() << " row(s) done, "
              << counts.failed << " failed"
              << (cancelled
                      ? QStringLiteral(", %1 (resume with: %2)")
                            .arg(m_interrupted ? QStringLiteral("interrupted") : QStringLiteral("stopped"),
                                 resumeCommand())
                      : QString())
              << '\n';
        if (!duplicated.isEmpty()) {
            QStringList numbers;
            for (const BulkJournal::Row &row : duplicated)
                numbers << QString::number(row.number);
            m_out << "possibly duplicated events (in flight when the job stopped, sent again): rows "
                  << numbers.join(QLatin1String(", ")) << '\n';
        }
        if (!warned.isEmpty())
            m_out << BulkJournal::notStoredSummary(warned) << '\n';
        if (counts.failed + warned.size() > 0 && !m_options.failedOut.isEmpty() && failedWritten)
            m_out << (warned.isEmpty() ? "failed rows written to "
                                       : "failed rows and rows with warnings written to ")
                  << m_options.failedOut << '\n';
    }
    m_out.flush();
    if (!failedWritten)
        m_err << "journy: " << failedOutError << '\n';
    // With --json stdout holds the result object only: how to go on is said on stderr.
    if (cancelled && m_options.json)
        m_err << "journy: job " << m_jobId << (m_interrupted ? " interrupted" : " stopped")
              << "; resume with: " << resumeCommand() << '\n';
    m_err.flush();
    const int code = cancelled && m_interrupted            ? CliApplication::Interrupted
                     : cancelled                           ? CliApplication::Failed
                     : !failedWritten || counts.failed > 0 ? CliApplication::Refused
                                                           : CliApplication::Success;
    QTimer::singleShot(0, this, [this, code] { emit finished(code); });
}

#include "import/ImportPreparer.h"

#include "api/IntegrationLint.h"
#include "import/BulkJournal.h"
#include "import/ImportFileReader.h"
#include "import/ImportRequestWriter.h"
#include "import/ImportRowBuilder.h"
#include "import/ImportRowChecker.h"
#include "import/ImportRowPlan.h"
#include "import/JournalRowWriter.h"

#include <QCryptographicHash>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>
#include <QThread>

bool ImportPreparer::openReader(QFile *file, std::unique_ptr<ImportReader> *reader, QString *error) const
{
    file->setFileName(m_path);
    if (!file->open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(m_path, file->errorString());
        return false;
    }
    *reader = ImportFileReader::create(file, m_path);
    QString startError;
    if (!(*reader)->start(&startError)) {
        *error = QStringLiteral("%1: %2").arg(m_path, startError);
        return false;
    }
    return true;
}

bool ImportPreparer::open(const QString &path, const ImportKind &kind, QString *error)
{
    m_path = path;
    m_kind = kind;
    m_sample.clear();
    QFile file;
    std::unique_ptr<ImportReader> reader;
    if (!openReader(&file, &reader, error))
        return false;
    m_headers = reader->headers();
    for (int i = 0; i < SampleRows; ++i) {
        ImportRecord record;
        QString readError;
        const ImportReader::Status status = reader->next(&record, &readError);
        if (status == ImportReader::Status::End)
            break;
        if (status == ImportReader::Status::Error) {
            *error = QStringLiteral("%1: %2").arg(m_path, readError);
            return false;
        }
        m_sample.append(record);
    }
    // A file with a header and nothing else imports nothing: an error, never "0 of 0 done" and exit 0,
    // which reads as success (it is how a file whose line ends were not understood would look).
    if (m_sample.isEmpty()) {
        *error = QStringLiteral("%1: no rows to import: the file has only a header line (%2 column(s))")
                     .arg(m_path)
                     .arg(m_headers.size());
        return false;
    }
    m_mapping = ImportMapping::defaults(kind.kind, m_headers);
    QList<QStringList> values;
    for (const ImportRecord &record : std::as_const(m_sample)) {
        if (record.error.isEmpty())
            values.append(record.values);
    }
    m_mapping.inferTypes(values);
    return true;
}

bool ImportPreparer::buildRow(const ImportRecord &record, ApiRequest *request,
                              QMap<QString, QString> *errors) const
{
    const bool valid = ImportRowChecker(m_kind, m_mapping, m_headers).check(record, errors);
    // What it would send is built even for a row with problems, for the preview; a row the reader
    // could not read is not (its cells may be in the wrong columns).
    QMap<QString, QString> buildErrors;
    if (record.error.isEmpty())
        ImportRowBuilder::build(m_kind, m_mapping, m_headers, record, request, &buildErrors);
    return valid;
}

QList<QPair<ImportRecord, QPair<ApiRequest, QMap<QString, QString>>>> ImportPreparer::preview(int rows) const
{
    QList<QPair<ImportRecord, QPair<ApiRequest, QMap<QString, QString>>>> list;
    for (const ImportRecord &record : m_sample) {
        if (list.size() >= rows)
            break;
        ApiRequest request;
        QMap<QString, QString> errors;
        buildRow(record, &request, &errors);
        list.append({record, {request, errors}});
    }
    return list;
}

bool ImportPreparer::scan(const RowSink &sink, Report *report, QString *error, const ProgressSink &progress,
                          Lint lint) const
{
    QFile file;
    std::unique_ptr<ImportReader> reader;
    if (!openReader(&file, &reader, error))
        return false;
    const qint64 total = file.size();
    *report = Report();
    const ImportRowPlan plan(m_kind, m_mapping, m_headers);
    const ImportRowChecker checker(plan);
    // Lint reads the request exactly as the journal would keep it (the writer's JSON text).
    const ImportRequestWriter writer(plan);
    ApiRequest linted;
    linted.operation = m_kind.operation();
    const qsizetype bodyStart = ImportRequestWriter::prefix(linted.operation).size();
    // One record for every row: the reader decodes each cell into the string it had for the row
    // before, which saves an allocation and a free per cell.
    ImportRecord record;
    QMap<QString, QString> errors;
    for (;;) {
        QString readError;
        const ImportReader::Status status = reader->next(&record, &readError);
        if (status == ImportReader::Status::End)
            break;
        if (status == ImportReader::Status::Error) {
            *error = QStringLiteral("%1: %2").arg(m_path, readError);
            return false;
        }
        const bool valid = checker.check(record, &errors);
        ++report->rows;
        if (valid) {
            ++report->valid;
            if (lint == Lint::On && report->lintedRows < MaxLintedRows) {
                ++report->lintedRows;
                // The journal's text is {"operation": …, "query": "", "body": {…}}: the body alone.
                const QByteArray text = writer.write(record);
                linted.bodyText = text.mid(bodyStart, text.size() - bodyStart - 1);
                QSet<QString> rowRules; // a row with one rule on two fields counts once
                for (const LintFinding &finding : IntegrationLint::lint(linted)) {
                    if (rowRules.contains(finding.rule))
                        continue;
                    rowRules.insert(finding.rule);
                    LintCount &count = report->lint[finding.rule];
                    if (count.rows == 0) {
                        count.rule = finding.rule;
                        count.severity = finding.severity;
                        count.path = finding.path;
                        count.text = finding.text();
                    }
                    ++count.rows;
                    if (count.examples.size() < MaxLintExamples)
                        count.examples.append(record.number);
                }
            }
        } else {
            ++report->invalid;
            if (report->problems.size() < MaxProblems)
                report->problems.append(RowProblem{record.number, record.line, errors});
        }
        if (sink)
            sink(record, errors);
        // Every 4096 rows is often enough for a progress bar and cheap enough for 100 MB/s.
        if (progress && (report->rows & 4095) == 0 && !progress(reader->bytesRead(), total)) {
            *error = QStringLiteral("cancelled");
            return false;
        }
    }
    report->bytes = reader->bytesRead();
    if (progress)
        progress(report->bytes, total);
    return true;
}

bool ImportPreparer::identify(const QString &path, FileIdentity *identity, QString *error,
                              const ProgressSink &progress)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    const qint64 total = file.size();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    qint64 hashed = 0;
    for (;;) {
        const qint64 read = file.read(buffer.data(), buffer.size());
        if (read < 0) {
            *error = QStringLiteral("%1: %2").arg(path, file.errorString());
            return false;
        }
        if (read == 0)
            break;
        hash.addData(QByteArrayView(buffer.constData(), read));
        hashed += read;
        // Progress shows 0 while hashing: the bytes that count are those read for the rows.
        if (progress && !progress(0, total)) {
            *error = QStringLiteral("cancelled");
            return false;
        }
    }
    identity->size = hashed;
    identity->sha256 = QString::fromLatin1(hash.result().toHex());
    return true;
}

QString ImportPreparer::differenceFromJob(const BulkJournal::Job &job, const QString &path,
                                          const ProgressSink &progress)
{
    if (job.fileSize < 0)
        return QStringLiteral("job %1 did not record its file's size and hash").arg(job.id);
    FileIdentity identity;
    QString error;
    if (!identify(path, &identity, &error, progress))
        return error;
    if (identity.size != job.fileSize)
        return QStringLiteral("%1 has %2 bytes, the job's file had %3")
            .arg(path)
            .arg(identity.size)
            .arg(job.fileSize);
    if (identity.sha256 != job.fileSha256)
        return QStringLiteral("%1 has the job's size but other content (SHA-256 %2, the job's %3)")
            .arg(path, identity.sha256.left(12), job.fileSha256.left(12));
    return QString();
}

qint64 ImportPreparer::enqueue(BulkJournal *journal, const QString &target, Report *report, QString *error,
                               const ProgressSink &progress) const
{
    *report = Report();
    FileIdentity identity;
    if (!identify(m_path, &identity, error, progress)) {
        report->stopped = *error == QLatin1String("cancelled");
        return 0;
    }
    BulkJournal::Job job;
    job.kind = m_kind;
    // Absolute: a resume from another folder finds the file again.
    job.file = QFileInfo(m_path).absoluteFilePath();
    job.headers = m_headers;
    job.mappingJson = m_mapping.toJson();
    job.profile = target;
    job.fileSize = identity.size;
    job.fileSha256 = identity.sha256;
    // Unprepared until its last row is journaled: a job killed before that is never taken for
    // the whole file (the rows journaled so far are all it would send).
    job.prepared = false;
    const qint64 jobId = journal->createJob(job);
    if (jobId <= 0) {
        *error = QStringLiteral("the import journal cannot record a new job");
        return 0;
    }
    return journalRows(journal, jobId, 0, report, error, progress) ? jobId : 0;
}

bool ImportPreparer::finishPreparing(BulkJournal *journal, qint64 jobId, Report *report, QString *error,
                                     const ProgressSink &progress) const
{
    *report = Report();
    report->job = jobId;
    const BulkJournal::Job job = journal->job(jobId);
    const QString difference = differenceFromJob(job, m_path, progress);
    if (!difference.isEmpty()) {
        report->stopped = difference == QLatin1String("cancelled");
        *error = difference;
        return false;
    }
    if (m_mapping.toJson() != job.mappingJson) {
        *error = QStringLiteral("the job's mapping does not apply to %1 as it did").arg(m_path);
        return false;
    }
    return journalRows(journal, jobId, job.preparedRows, report, error, progress);
}

bool ImportPreparer::journalRows(BulkJournal *journal, qint64 jobId, qint64 skipRows, Report *report,
                                 QString *error, const ProgressSink &progress) const
{
    report->job = jobId;
    // Rows are written by a second connection on a worker thread while this one reads, checks and
    // builds the next ones (JournalRowWriter).
    JournalRowWriter writer(journal->path(), jobId);
    QList<BulkJournal::Row> batch;
    auto flush = [&] {
        writer.push(std::move(batch));
        batch = QList<BulkJournal::Row>();
    };
    bool stopped = false;
    bool held = holdAfterRows <= 0;
    // A write that failed stops the scan: the job could never be complete.
    const ProgressSink progressOrStop = [&](qint64 bytesRead, qint64 bytesTotal) {
        if (!stopped && progress && !progress(bytesRead, bytesTotal))
            stopped = true;
        return !writer.failed() && !stopped;
    };
    // A valid row's request is written as the journal's text straight from its cells; a row with
    // problems (rare, and never sent) goes through ImportRowBuilder, as the preview does.
    const ImportRequestWriter requestWriter(ImportRowPlan(m_kind, m_mapping, m_headers));
    bool scanned = scan(
        [&](const ImportRecord &record, const QMap<QString, QString> &errors) {
            // Rows journaled before the job stopped (the file is the same: same numbers).
            if (record.number <= skipRows || stopped)
                return;
            // The request each row becomes is kept with it, so a resumed job sends exactly what
            // was checked even if the file or the mapping changed since. A row the reader could
            // not read keeps an empty one (it is failed, never sent).
            BulkJournal::Row row;
            row.number = record.number;
            row.line = record.line;
            row.values = record.values;
            if (errors.isEmpty()) {
                row.request = requestWriter.write(record);
            } else {
                ApiRequest request;
                QMap<QString, QString> buildErrors;
                if (record.error.isEmpty())
                    ImportRowBuilder::build(m_kind, m_mapping, m_headers, record, &request, &buildErrors);
                row.request =
                    QJsonDocument(
                        QJsonObject{{QLatin1String("operation"), request.info().operationId},
                                    {QLatin1String("body"), request.body},
                                    {QLatin1String("query"), request.query.toString(QUrl::FullyEncoded)}})
                        .toJson(QJsonDocument::Compact);
                row.state = BulkJournal::RowState::Failed;
                row.error = errors.first();
                for (auto it = errors.begin(); it != errors.end(); ++it)
                    row.fieldErrors.insert(it.key(), it.value());
            }
            batch.append(std::move(row));
            if (batch.size() >= RowsPerBatch)
                flush();
            if (!held && record.number >= holdAfterRows && batch.isEmpty()) {
                held = true;
                writer.drain();
                while (!stopped && holding && holding())
                    QThread::msleep(20);
                stopped = true;
            }
        },
        report, error, progressOrStop);
    report->job = jobId;
    if (scanned && !stopped && !batch.isEmpty())
        flush();
    QString writeError;
    const bool written = writer.finish(&writeError);
    if (stopped && written) {
        // Everything pushed is journaled and the job says how far: a resume goes on from there.
        report->stopped = true;
        *error = QStringLiteral("stopped while preparing");
        return false;
    }
    if (!scanned || !written || !journal->markPrepared(jobId)) {
        // The job holds part of the file at most: marked finished, so that neither `--resume last`
        // nor the wizard's "Resume last job" ever sends half a file as if it were the file.
        journal->finishJob(jobId);
        if (!written)
            *error = writeError;
        else if (scanned)
            *error = journal->lastError();
        return false;
    }
    return true;
}

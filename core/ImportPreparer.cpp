#include "ImportPreparer.h"

#include "BulkJournal.h"
#include "ImportFileReader.h"
#include "ImportRequestWriter.h"
#include "ImportRowBuilder.h"
#include "ImportRowChecker.h"
#include "ImportRowPlan.h"
#include "JournalRowWriter.h"

#include <QJsonDocument>

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

bool ImportPreparer::scan(const RowSink &sink, Report *report, QString *error,
                          const ProgressSink &progress) const
{
    QFile file;
    std::unique_ptr<ImportReader> reader;
    if (!openReader(&file, &reader, error))
        return false;
    const qint64 total = file.size();
    *report = Report();
    const ImportRowChecker checker(m_kind, m_mapping, m_headers);
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

qint64 ImportPreparer::enqueue(BulkJournal *journal, const QString &target, Report *report, QString *error,
                               const ProgressSink &progress) const
{
    BulkJournal::Job job;
    job.kind = m_kind;
    job.file = m_path;
    job.headers = m_headers;
    job.mappingJson = m_mapping.toJson();
    job.profile = target;
    const qint64 jobId = journal->createJob(job);
    if (jobId <= 0) {
        *error = QStringLiteral("the import journal cannot record a new job");
        return 0;
    }
    // Rows are written by a second connection on a worker thread while this one reads, checks and
    // builds the next ones (JournalRowWriter).
    JournalRowWriter writer(journal->path(), jobId);
    QList<BulkJournal::Row> batch;
    auto flush = [&] {
        writer.push(std::move(batch));
        batch = QList<BulkJournal::Row>();
    };
    // A write that failed stops the scan: the job could never be complete.
    const ProgressSink progressOrStop = [&writer, &progress](qint64 bytesRead, qint64 bytesTotal) {
        return !writer.failed() && (!progress || progress(bytesRead, bytesTotal));
    };
    // A valid row's request is written as the journal's text straight from its cells; a row with
    // problems (rare, and never sent) goes through ImportRowBuilder, as the preview does.
    const ImportRequestWriter requestWriter(ImportRowPlan(m_kind, m_mapping, m_headers));
    bool scanned = scan(
        [&](const ImportRecord &record, const QMap<QString, QString> &errors) {
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
        },
        report, error, progressOrStop);
    if (scanned && !batch.isEmpty())
        flush();
    QString writeError;
    const bool written = writer.finish(&writeError);
    if (!scanned || !written) {
        // The job holds part of the file at most: marked finished, so that neither `--resume last`
        // nor the wizard's "Resume last job" ever sends half a file as if it were the file.
        journal->finishJob(jobId);
        if (!written)
            *error = writeError;
        return 0;
    }
    return jobId;
}

#pragma once

#include "ApiRequest.h"
#include "ImportKind.h"
#include "ImportMapping.h"
#include "ImportReader.h"

#include <QFile>
#include <QMap>

#include <functional>
#include <memory>

class BulkJournal;

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
    class Report
    {
    public:
        qint64 rows = 0;
        qint64 valid = 0;
        qint64 invalid = 0;
        QList<RowProblem> problems; // the first MaxProblems
        qint64 bytes = 0;
    };
    // Called for each row while scanning: the record and its problems (the reader's, conversion
    // and pre-flight errors; empty when the row is valid).
    using RowSink = std::function<void(const ImportRecord &, const QMap<QString, QString> &)>;
    // Called with bytes read so far while scanning; return false to stop.
    using ProgressSink = std::function<bool(qint64 bytesRead, qint64 bytesTotal)>;

    static constexpr int SampleRows = 200;
    static constexpr int MaxProblems = 1000;
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
    bool scan(const RowSink &sink, Report *report, QString *error, const ProgressSink &progress = {}) const;
    // Creates a job for target (a profile name or base URL, never a key) and journals every row:
    // valid rows pending, invalid rows failed with their problems. Returns the job ID, 0 on error
    // (a job that got only part of the rows is then marked finished, so it is never resumed).
    qint64 enqueue(BulkJournal *journal, const QString &target, Report *report, QString *error,
                   const ProgressSink &progress = {}) const;

private:
    bool openReader(QFile *file, std::unique_ptr<ImportReader> *reader, QString *error) const;

    QString m_path;
    ImportKind m_kind;
    QStringList m_headers;
    QList<ImportRecord> m_sample;
    ImportMapping m_mapping;
};

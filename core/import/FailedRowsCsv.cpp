#include "import/FailedRowsCsv.h"

#include <algorithm>

#include "import/BulkJournal.h"
#include "store/PrivateFile.h"

#include <QSaveFile>

namespace {

// Quoted only when needed, like the CLI, so both write byte-identical files for the same job.
QString quote(const QString &cell)
{
    if (!cell.contains(QLatin1Char(',')) && !cell.contains(QLatin1Char('"')) &&
        !cell.contains(QLatin1Char('\n')) && !cell.contains(QLatin1Char('\r')))
        return cell;
    QString quoted = cell;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

QByteArray FailedRowsCsv::line(const QStringList &cells)
{
    QStringList quoted;
    for (const QString &cell : cells)
        quoted << quote(cell);
    return (quoted.join(QLatin1Char(',')) + QLatin1String("\r\n")).toUtf8();
}

bool FailedRowsCsv::write(const BulkJournal &journal, qint64 jobId, const QString &path, QString *error)
{
    const BulkJournal::Job job = journal.job(jobId);
    QSaveFile file(path);
    if (!PrivateFile::openForWriting(&file, error))
        return false;
    file.write(line(job.headers + QStringList{QStringLiteral("error")}));
    // Rows done with properties not stored are upserts (sending one again is harmless), so they go
    // in the same file, in row order, marked as a warning: fixing the cells and importing the file
    // again stores what was missing.
    QList<BulkJournal::Row> rows = journal.failedRows(jobId) + journal.warnedRows(jobId);
    std::stable_sort(rows.begin(), rows.end(), [](const BulkJournal::Row &a, const BulkJournal::Row &b) {
        return a.number < b.number;
    });
    for (const BulkJournal::Row &row : rows) {
        QStringList details;
        for (auto it = row.fieldErrors.begin(); it != row.fieldErrors.end(); ++it)
            details << QStringLiteral("%1: %2").arg(it.key(), it.value().toString());
        if (row.state == BulkJournal::RowState::Done)
            details = QStringList{
                QStringLiteral("warning: stored without %1").arg(details.join(QLatin1String("; ")))};
        // A row with fewer cells than the header (a short CSV row, a broken JSON Lines line kept as
        // its one cell of text) is padded, so the reason is always in the "error" column.
        QStringList cells = row.values;
        while (cells.size() < job.headers.size())
            cells.append(QString());
        file.write(
            line(cells + QStringList{details.isEmpty() ? row.error : details.join(QLatin1String("; "))}));
    }
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

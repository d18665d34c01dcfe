#pragma once

#include <QString>

class BulkJournal;

// The failed rows of an import job as CSV, in the format `journy import --failed-out` writes:
// the file's headers plus an "error" column, each failed row's original cells (a broken JSON Lines
// line: its text, in the first column) and why it failed
// (the field errors as "path: message; ...", else the reason), RFC 4180 quoting, CRLF line ends.
// Ready to fix and import again.
class FailedRowsCsv
{
public:
    // Writes atomically (QSaveFile); false with *error when the file cannot be written.
    static bool write(const BulkJournal &journal, qint64 jobId, const QString &path, QString *error);
    // One CSV line (with its CRLF) of cells, quoted where RFC 4180 needs it.
    static QByteArray line(const QStringList &cells);
};

#pragma once

#include <QStringList>

class ImportRecord;

// A streaming source of import rows: CSV (CsvReader) or JSON Lines (JsonLinesReader). Reads
// one row at a time from an open QIODevice and never holds the whole file.
class ImportReader
{
public:
    enum class Status
    {
        Row,   // *record holds a row (record->error may say it is broken; reading can go on)
        End,   // no more rows
        Error, // the file cannot be read further (*error says where and why)
    };

    virtual ~ImportReader() = default;
    // Reads what comes before the first row (BOM, header line; the delimiter for CSV).
    virtual bool start(QString *error) = 0;
    virtual QStringList headers() const = 0;
    virtual Status next(ImportRecord *record, QString *error) = 0;
    // Bytes consumed so far, for progress over the file's size.
    virtual qint64 bytesRead() const = 0;
};

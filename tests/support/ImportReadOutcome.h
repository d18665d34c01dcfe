#pragma once

#include "import/ImportReader.h"
#include "import/ImportRecord.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

#include <functional>
#include <memory>

class QIODevice;

// Where a reader test's input comes from: a QBuffer, a real file in a temporary folder, or a
// TrickleDevice handing out a few bytes at a time.
enum class ImportSource
{
    Buffer,
    File,
    Trickle,
};

// Everything an import reader gives for one input, read to the end or to its first error.
class ImportReadOutcome
{
public:
    using ReaderFactory = std::function<std::unique_ptr<ImportReader>(QIODevice *)>;

    bool started = false;
    QString startError;
    QStringList headers;
    char delimiter = 0; // CsvReader's; 0 for other readers
    QList<ImportRecord> rows;
    ImportReader::Status last = ImportReader::Status::End;
    QString error;
    qint64 bytesRead = 0;

    static ImportReadOutcome read(ImportSource source, const QByteArray &input,
                                  const ReaderFactory &makeReader);
    // read() with a Reader (CsvReader, JsonLinesReader) over the device, limited to maxRowBytes.
    template <class Reader>
    static ImportReadOutcome readWith(ImportSource source, const QByteArray &input, qsizetype maxRowBytes)
    {
        return read(source, input, [maxRowBytes](QIODevice *device) {
            auto reader = std::make_unique<Reader>(device);
            reader->setMaxRowBytes(maxRowBytes);
            return std::unique_ptr<ImportReader>(std::move(reader));
        });
    }
    static const QList<ImportSource> &allSources();
    static QString sourceName(ImportSource source);
};

#include "support/ImportReadOutcome.h"

#include "import/CsvReader.h"
#include "support/TrickleDevice.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>

namespace {

ImportReadOutcome readAll(QIODevice *device, const ImportReadOutcome::ReaderFactory &makeReader)
{
    ImportReadOutcome outcome;
    const std::unique_ptr<ImportReader> reader = makeReader(device);
    outcome.started = reader->start(&outcome.startError);
    outcome.headers = reader->headers();
    if (const auto *csv = dynamic_cast<const CsvReader *>(reader.get()))
        outcome.delimiter = csv->delimiter();
    if (!outcome.started)
        return outcome;
    for (;;) {
        ImportRecord record;
        outcome.last = reader->next(&record, &outcome.error);
        if (outcome.last != ImportReader::Status::Row)
            break;
        outcome.rows.append(record);
        if (outcome.rows.size() > 100000)
            break; // a reader stuck on one row must fail the test, not hang it
    }
    outcome.bytesRead = reader->bytesRead();
    return outcome;
}

} // namespace

ImportReadOutcome ImportReadOutcome::read(ImportSource source, const QByteArray &input,
                                          const ReaderFactory &makeReader)
{
    switch (source) {
    case ImportSource::Buffer: {
        QBuffer buffer;
        buffer.setData(input);
        buffer.open(QIODevice::ReadOnly);
        return readAll(&buffer, makeReader);
    }
    case ImportSource::File: {
        QTemporaryDir dir;
        if (!dir.isValid())
            qFatal("no temporary folder");
        QFile out(dir.filePath(QStringLiteral("import.data")));
        if (!out.open(QIODevice::WriteOnly) || out.write(input) != input.size())
            qFatal("cannot write the test file");
        out.close();
        QFile in(out.fileName());
        if (!in.open(QIODevice::ReadOnly))
            qFatal("cannot open the test file");
        return readAll(&in, makeReader);
    }
    case ImportSource::Trickle: {
        TrickleDevice device(input);
        return readAll(&device, makeReader);
    }
    }
    return {};
}

const QList<ImportSource> &ImportReadOutcome::allSources()
{
    static const QList<ImportSource> sources = {ImportSource::Buffer, ImportSource::File,
                                                ImportSource::Trickle};
    return sources;
}

QString ImportReadOutcome::sourceName(ImportSource source)
{
    switch (source) {
    case ImportSource::Buffer:
        return QStringLiteral("QBuffer");
    case ImportSource::File:
        return QStringLiteral("QFile");
    case ImportSource::Trickle:
        return QStringLiteral("trickle");
    }
    return {};
}

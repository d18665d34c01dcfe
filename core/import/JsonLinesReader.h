#pragma once

#include "import/ImportReader.h"
#include "import/ImportRecord.h"

#include <QByteArray>
#include <QHash>

class QIODevice;
class QJsonObject;
class QJsonValue;

// Reads JSON Lines (one JSON object per line; blank lines skipped) from an open device (not owned), in
// chunks, one line at a time: memory stays at about the longest line.
// There is no header line, so the columns are the keys of the first object, in the order they are
// written in the file (QJsonObject sorts its keys, so that order is read from the line's text); the
// first object is also the first row. Later objects are aligned to those columns: a missing key is an
// empty cell, a key the first object does not have is reported on the row. Values become the text a CSV
// cell would hold, so one mapping serves both formats: a string as is, a number as the shortest text that
// reads back the same, true/false, null as empty, a list as items joined with commas (a comma or backslash
// in an item escaped with a backslash, as in the typed-value syntax); an object cannot be a cell and is
// reported. A line that is not a JSON object is a row with an error whose one value is the line's text
// (for the failed-rows file); reading goes on.
class JsonLinesReader : public ImportReader
{
public:
    static constexpr qsizetype DefaultMaxRowBytes = 16 * 1024 * 1024;
    static constexpr qsizetype ChunkBytes = 64 * 1024;

    explicit JsonLinesReader(QIODevice *device);

    bool start(QString *error) override;
    QStringList headers() const override { return m_headers; }
    Status next(ImportRecord *record, QString *error) override;
    qint64 bytesRead() const override { return m_bufferOffset + m_lineStart; }

    // A guard against a file that is not JSON Lines making one "line" of gigabytes.
    qsizetype maxRowBytes() const { return m_maxRowBytes; }
    void setMaxRowBytes(qsizetype bytes) { m_maxRowBytes = bytes; }

    // A cell's text for a JSON value (see above); false with *problem for an object or a list of
    // something else than strings, numbers and booleans.
    static bool valueText(const QJsonValue &value, QString *text, QString *problem);

private:
    enum class LineResult
    {
        Line,
        End,
        Error,
    };

    bool fill(QString *error);
    LineResult readLine(QString *error);
    void consumeLine();
    QByteArray currentLine() const;
    bool parseLine(QJsonObject *object, QString *problem) const;
    void toRecord(const QJsonObject &object, ImportRecord *record) const;
    static QStringList keysInWrittenOrder(const QByteArray &line, const QJsonObject &object);

    QIODevice *m_device;
    QByteArray m_buffer;
    qint64 m_bufferOffset = 0; // file offset of m_buffer[0]
    bool m_atEnd = false;
    qsizetype m_maxRowBytes = DefaultMaxRowBytes;
    QStringList m_headers;
    QHash<QString, qsizetype> m_columns; // header -> index
    bool m_started = false;
    bool m_havePending = false; // the first object, read by start(), not yet returned by next()
    ImportRecord m_pending;
    qint64 m_rowNumber = 0;
    QString m_fatalError;

    // The current line: [m_lineStart, m_lineEnd) in m_buffer, without its line end; the next one
    // starts at m_nextStart. m_scanPos is where the search for its end goes on after a refill.
    qsizetype m_lineStart = 0;
    qsizetype m_lineEnd = 0;
    qsizetype m_nextStart = 0;
    qsizetype m_scanPos = 0;
    qint64 m_line = 1;
};

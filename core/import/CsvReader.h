#pragma once

#include "import/ImportReader.h"

#include <QByteArray>
#include <QStringDecoder>

#include <vector>

class QIODevice;

// Reads CSV as RFC 4180 describes it, one row at a time from an open device (not owned), in chunks:
// memory stays at about the largest row, never the file. What it accepts beyond the RFC, and why:
// - a UTF-8 BOM is skipped (Excel writes one); a UTF-16 file is refused with a message saying so;
// - the delimiter is `,`, `;` (Excel in many European locales) or tab, whichever the header line has
//   most of outside quotes (ties go to the comma);
// - LF, CRLF or a lone CR (old Mac Excel) ends a row; inside quotes each is kept as written;
// - blank lines (nothing or only spaces) are skipped, wherever they are;
// - a quote inside an unquoted field is data (`5" disk`); text after a closing quote is kept, but
//   the row is reported, since it usually means a quote was not doubled.
// Rows that are readable but wrong (invalid UTF-8, not as many fields as the header, text after a
// closing quote) come back with ImportRecord::error set and reading goes on, with the values as read
// (a ragged row has as many values as it has fields; invalid bytes become U+FFFD); only a quote never
// closed or a row longer than maxRowBytes() stops it, since the rest of the file cannot be trusted.
// Parsing works on the bytes: fields are located in the buffer and decoded once, after the whole
// row's bytes have been checked as UTF-8 (the delimiters and quotes are ASCII, so a valid row has
// valid fields).
class CsvReader : public ImportReader
{
public:
    static constexpr qsizetype DefaultMaxRowBytes = 16 * 1024 * 1024;
    static constexpr qsizetype ChunkBytes = 64 * 1024;

    explicit CsvReader(QIODevice *device);

    bool start(QString *error) override;
    QStringList headers() const override { return m_headers; }
    Status next(ImportRecord *record, QString *error) override;
    qint64 bytesRead() const override { return m_bufferOffset + m_recordStart; }

    // The delimiter found by start(): ',', ';' or '\t'.
    char delimiter() const { return m_delimiter; }
    // A guard against a file that is not CSV (or a quote never closed) making one "row" of gigabytes.
    qsizetype maxRowBytes() const { return m_maxRowBytes; }
    void setMaxRowBytes(qsizetype bytes) { m_maxRowBytes = bytes; }

private:
    enum class ScanState
    {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted, // just after a quote inside a quoted field: the closing one, or the first of a pair
        AfterQuote,    // text after a closing quote, up to the delimiter
    };
    // A field's bytes, as offsets from the start of its row (the buffer moves when it is refilled).
    struct Field
    {
        qsizetype begin = 0;
        qsizetype end = 0;
        qsizetype quoteEnd = 0; // quoted fields: the closing quote; the text up to end follows it
        bool quoted = false;
        bool doubledQuotes = false;
    };
    enum class ReadResult
    {
        Row,
        End,
        Error,
    };

    bool fill(QString *error);
    bool detectDelimiter(QString *error);
    ReadResult readRow(QString *error);
    ReadResult scanRow(QString *error);
    void finishField(qsizetype end);
    void consumeRow();
    bool rowIsBlank() const;
    void decodeField(const Field &field, QString *out);
    QString fieldName(qsizetype index) const;
    QString invalidUtf8Message(qsizetype offset) const;
    QString tooLongMessage() const;

    QIODevice *m_device;
    QByteArray m_buffer;
    qint64 m_bufferOffset = 0; // file offset of m_buffer[0]
    bool m_atEnd = false;
    qsizetype m_maxRowBytes = DefaultMaxRowBytes;
    char m_delimiter = ',';
    QStringList m_headers;
    qint64 m_rowNumber = 0;
    bool m_started = false;
    QString m_fatalError; // once set, every next() returns it
    // Stateless: every field is decoded on its own, and a BOM inside the data is data.
    QStringDecoder m_decoder{QStringDecoder::Utf8,
                             QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom};
    QByteArray m_unquoted; // a quoted field with its doubled quotes made single

    // The row being scanned: where it starts in m_buffer, where scanning goes on, and its state,
    // kept across refills so that a long row is scanned once.
    qsizetype m_recordStart = 0;
    qsizetype m_scanPos = 0;
    ScanState m_state = ScanState::FieldStart;
    Field m_field;
    std::vector<Field> m_fields;
    qint64 m_line = 1;               // the file line where the row starts
    qint64 m_rowNewlines = 0;        // line ends in the row so far, its own end included
    qint64 m_quoteStartNewlines = 0; // line ends before the opening quote of the current field
    qsizetype m_rowEnd = 0;          // after a row: its length in bytes, without the line end
};

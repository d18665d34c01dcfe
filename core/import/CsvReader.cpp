#include "import/CsvReader.h"

#include "import/ChunkedRefill.h"

#include "import/ImportRecord.h"
#include "import/Utf8Validator.h"

#include <QIODevice>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace {

bool isBlankByte(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

// The first delimiter, line feed or carriage return in data[from, size), or size. Most bytes of a
// CSV file are in unquoted fields, so this is the hot loop: it tests eight bytes at a time for any of
// the three (a byte equal to the pattern is a zero byte after the xor; the lowest flagged byte is exact).
qsizetype findDelimiterOrLineEnd(const char *data, qsizetype from, qsizetype size, char delimiter)
{
    qsizetype i = from;
#if Q_BYTE_ORDER == Q_LITTLE_ENDIAN && (defined(Q_CC_GNU) || defined(Q_CC_CLANG))
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const std::uint64_t delimiters = ones * static_cast<unsigned char>(delimiter);
    const std::uint64_t newlines = ones * static_cast<unsigned char>('\n');
    const std::uint64_t returns = ones * static_cast<unsigned char>('\r');
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, sizeof word);
        const std::uint64_t x = word ^ delimiters;
        const std::uint64_t y = word ^ newlines;
        const std::uint64_t z = word ^ returns;
        const std::uint64_t found = (((x - ones) & ~x) | ((y - ones) & ~y) | ((z - ones) & ~z)) & highs;
        if (found)
            return i + (__builtin_ctzll(found) >> 3);
    }
#endif
    while (i < size && data[i] != delimiter && data[i] != '\n' && data[i] != '\r')
        ++i;
    return i;
}

// Line ends in data[from, to): LF, CRLF and a lone CR each count once. The caller knows the byte at
// `to` (if any) is not a LF.
qint64 countLineEnds(const char *data, qsizetype from, qsizetype to)
{
    qint64 count = std::count(data + from, data + to, '\n');
    for (const char *cr = data + from;
         (cr = static_cast<const char *>(std::memchr(cr, '\r', size_t(data + to - cr)))); ++cr) {
        const qsizetype i = cr - data;
        if (i + 1 == to || data[i + 1] != '\n')
            ++count;
    }
    return count;
}

} // namespace

CsvReader::CsvReader(QIODevice *device) : m_device(device) {}

bool CsvReader::fill(QString *error)
{
    return ChunkedRefill::refill(m_device, m_buffer, m_recordStart, m_scanPos, m_bufferOffset, m_atEnd,
                                 error);
}

bool CsvReader::start(QString *error)
{
    if (!m_device || !m_device->isReadable()) {
        *error = QStringLiteral("the file is not open for reading");
        return false;
    }
    while (m_buffer.size() < 3 && !m_atEnd) {
        if (!fill(error))
            return false;
    }
    if (m_buffer.startsWith("\xEF\xBB\xBF")) {
        m_recordStart = m_scanPos = 3;
    } else if (m_buffer.startsWith("\xFF\xFE") || m_buffer.startsWith("\xFE\xFF")) {
        *error = QStringLiteral("the file is UTF-16; save it as UTF-8 CSV");
        return false;
    }
    if (!detectDelimiter(error))
        return false;

    switch (readRow(error)) {
    case ReadResult::Error:
        return false;
    case ReadResult::End:
        *error = QStringLiteral("the file is empty: it has no header line");
        return false;
    case ReadResult::Row:
        break;
    }
    const qsizetype bad = Utf8Validator::firstInvalid(m_buffer.constData() + m_recordStart, m_rowEnd);
    if (bad >= 0) {
        *error = invalidUtf8Message(bad);
        return false;
    }
    m_headers.clear();
    QString header;
    for (const Field &field : m_fields) {
        decodeField(field, &header);
        m_headers.append(header.trimmed());
    }
    consumeRow();
    m_started = true;
    return true;
}

bool CsvReader::detectDelimiter(QString *error)
{
    // Count the candidates on the first non-blank line, outside quotes. A quote toggles anywhere
    // here (the delimiter decides where fields start, and it is what is being found).
    for (;;) {
        const char *data = m_buffer.constData();
        const qsizetype size = m_buffer.size();
        qsizetype lineStart = m_recordStart;
        bool complete = false;
        qsizetype counts[3] = {0, 0, 0}; // ',', ';', '\t'
        qsizetype i = lineStart;
        bool blank = true;
        bool inQuotes = false;
        for (; i < size; ++i) {
            const char c = data[i];
            if (blank) {
                if (c == '\n' || c == '\r') {
                    lineStart = i + 1;
                    continue;
                }
                if (isBlankByte(c))
                    continue;
                blank = false;
            }
            if (c == '"') {
                inQuotes = !inQuotes;
            } else if (!inQuotes) {
                if (c == '\n' || c == '\r') {
                    complete = true;
                    break;
                }
                if (c == ',')
                    ++counts[0];
                else if (c == ';')
                    ++counts[1];
                else if (c == '\t')
                    ++counts[2];
            }
        }
        if (complete || m_atEnd) {
            m_delimiter = ',';
            if (counts[1] > counts[0] && counts[1] >= counts[2])
                m_delimiter = ';';
            else if (counts[2] > counts[0] && counts[2] > counts[1])
                m_delimiter = '\t';
            return true;
        }
        if (size - lineStart > m_maxRowBytes) {
            *error = QStringLiteral("the header line is longer than %1; is this a CSV file?")
                         .arg(ChunkedRefill::sizeText(m_maxRowBytes));
            return false;
        }
        if (!fill(error))
            return false;
    }
}

CsvReader::ReadResult CsvReader::readRow(QString *error)
{
    for (;;) {
        const ReadResult result = scanRow(error);
        if (result != ReadResult::Row || !rowIsBlank())
            return result;
        consumeRow();
    }
}

void CsvReader::consumeRow()
{
    m_line += m_rowNewlines;
    m_rowNewlines = 0;
    m_recordStart = m_scanPos;
    m_fields.clear();
    m_state = ScanState::FieldStart;
}

void CsvReader::finishField(qsizetype end)
{
    // Written member by member into place: copying a Field whole right after storing its members
    // makes the CPU wait on store forwarding, once per field (a sixth of the parsing time).
    Field &field = m_fields.emplace_back();
    field.begin = m_field.begin;
    field.quoteEnd = m_field.quoteEnd;
    field.quoted = m_field.quoted;
    field.doubledQuotes = m_field.doubledQuotes;
    field.end = end;
    m_state = ScanState::FieldStart;
}

CsvReader::ReadResult CsvReader::scanRow(QString *error)
{
    const char delimiter = m_delimiter;
    for (;;) {
        const char *data = m_buffer.constData();
        const qsizetype size = m_buffer.size();
        const qsizetype base = m_recordStart;
        qsizetype i = m_scanPos;
        bool rowDone = false;
        bool needMore = false; // a CR ends the buffer: it may be the first half of a CRLF
        while (i < size && !rowDone && !needMore) {
            switch (m_state) {
            case ScanState::FieldStart:
                m_field = Field();
                if (data[i] == '"') {
                    m_field.quoted = true;
                    m_field.begin = i + 1 - base;
                    m_quoteStartNewlines = m_rowNewlines;
                    m_state = ScanState::Quoted;
                    ++i;
                    break;
                }
                m_field.begin = i - base;
                m_state = ScanState::Unquoted;
                [[fallthrough]];
            case ScanState::Unquoted:
            case ScanState::AfterQuote: {
                i = findDelimiterOrLineEnd(data, i, size, delimiter);
                if (i == size)
                    break;
                const char c = data[i];
                if (c == '\r' && i + 1 == size && !m_atEnd) {
                    needMore = true; // scanned again from this CR once the next byte is in
                    break;
                }
                finishField(i - base);
                if (c == delimiter) {
                    ++i;
                    break;
                }
                m_rowEnd = i - base;
                ++m_rowNewlines;
                rowDone = true;
                i += c == '\r' && i + 1 < size && data[i + 1] == '\n' ? 2 : 1;
                break;
            }
            case ScanState::Quoted: {
                const void *quote = std::memchr(data + i, '"', size_t(size - i));
                qsizetype stop = quote ? static_cast<const char *>(quote) - data : size;
                if (!quote && !m_atEnd && stop > i && data[stop - 1] == '\r') {
                    --stop; // counted once the next byte shows whether it is a CRLF
                    needMore = true;
                }
                m_rowNewlines += countLineEnds(data, i, stop);
                i = stop;
                if (quote) {
                    m_field.quoteEnd = i - base;
                    m_state = ScanState::QuoteInQuoted;
                    ++i;
                }
                break;
            }
            case ScanState::QuoteInQuoted:
                if (data[i] == '"') {
                    m_field.doubledQuotes = true;
                    m_state = ScanState::Quoted;
                    ++i;
                } else {
                    m_state = ScanState::AfterQuote;
                }
                break;
            }
        }
        m_scanPos = i;
        if (rowDone) {
            if (m_rowEnd > m_maxRowBytes) {
                *error = tooLongMessage();
                return ReadResult::Error;
            }
            return ReadResult::Row;
        }
        // The buffer ended inside the row.
        if (size - base > m_maxRowBytes) {
            *error = tooLongMessage();
            return ReadResult::Error;
        }
        if (!m_atEnd) {
            if (!fill(error))
                return ReadResult::Error;
            continue;
        }
        if (m_state == ScanState::FieldStart && m_fields.empty() && i == base)
            return ReadResult::End;
        switch (m_state) {
        case ScanState::Quoted:
            *error = QStringLiteral("line %1: a quoted field that starts here is never closed")
                         .arg(m_line + m_quoteStartNewlines);
            return ReadResult::Error;
        case ScanState::FieldStart: // the file ends just after a delimiter: an empty last field
            m_field = Field();
            m_field.begin = size - base;
            finishField(size - base);
            break;
        case ScanState::Unquoted:
        case ScanState::QuoteInQuoted:
        case ScanState::AfterQuote:
            finishField(size - base);
            break;
        }
        m_rowEnd = size - base;
        return ReadResult::Row;
    }
}

bool CsvReader::rowIsBlank() const
{
    if (m_fields.size() != 1 || m_fields.front().quoted)
        return false;
    const char *row = m_buffer.constData() + m_recordStart;
    const Field &field = m_fields.front();
    return std::all_of(row + field.begin, row + field.end, isBlankByte);
}

void CsvReader::decodeField(const Field &field, QString *out)
{
    const char *row = m_buffer.constData() + m_recordStart;
    const char *bytes = row + field.begin;
    qsizetype size = field.end - field.begin;
    if (field.quoted) {
        const qsizetype tail = field.end - (field.quoteEnd + 1);
        size = field.quoteEnd - field.begin;
        if (field.doubledQuotes || tail > 0) {
            // Copy up to and including each quote, then skip the second quote of its pair.
            m_unquoted.clear();
            qsizetype from = field.begin;
            while (from < field.quoteEnd) {
                const void *quote = std::memchr(row + from, '"', size_t(field.quoteEnd - from));
                const qsizetype to = quote ? static_cast<const char *>(quote) - row + 1 : field.quoteEnd;
                m_unquoted.append(row + from, to - from);
                from = to + 1;
            }
            if (tail > 0)
                m_unquoted.append(row + field.quoteEnd + 1, tail);
            bytes = m_unquoted.constData();
            size = m_unquoted.size();
        }
    }
    // Decoded into the string's own buffer: a record passed to next() again reuses the strings of the
    // previous row, which saves an allocation and a free per field (a quarter of the reading time).
    // A buffer grown by a huge field is let go, so memory stays bounded by the rows being read.
    const qsizetype space = m_decoder.requiredSpace(size);
    if (out->capacity() > 4 * ChunkBytes && space < ChunkBytes)
        *out = QString();
    if (Utf8Validator::isAscii(bytes, size)) {
        // Most cells are ASCII; appending Latin-1 widens them with SIMD, and QStringDecoder does not.
        out->resize(0);
        out->append(QLatin1StringView(bytes, size));
        return;
    }
    out->resize(space);
    QChar *begin = out->data();
    const QChar *end = m_decoder.appendToBuffer(begin, QByteArrayView(bytes, size));
    out->resize(end - begin);
}

QString CsvReader::fieldName(qsizetype index) const
{
    if (index < m_headers.size())
        return QStringLiteral("field %1 '%2'").arg(index + 1).arg(m_headers.at(index));
    return QStringLiteral("field %1").arg(index + 1);
}

QString CsvReader::invalidUtf8Message(qsizetype offset) const
{
    // Name the line of the bad byte itself: in a multi-line field it is not the row's first line.
    const char *row = m_buffer.constData() + m_recordStart;
    const qint64 line = m_line + countLineEnds(row, 0, offset);
    qsizetype index = 0;
    while (index + 1 < qsizetype(m_fields.size()) && m_fields[size_t(index)].end < offset)
        ++index;
    return QStringLiteral("line %1: invalid UTF-8 (byte 0x%2) in %3")
        .arg(line)
        .arg(uint(static_cast<unsigned char>(row[offset])), 2, 16, QLatin1Char('0'))
        .arg(fieldName(index));
}

QString CsvReader::tooLongMessage() const
{
    if (m_state == ScanState::Quoted) {
        return QStringLiteral(
                   "line %1: a quoted field that starts here runs past %2; is a quote never closed?")
            .arg(m_line + m_quoteStartNewlines)
            .arg(ChunkedRefill::sizeText(m_maxRowBytes));
    }
    return QStringLiteral("line %1: a row longer than %2; is this a CSV file?")
        .arg(m_line)
        .arg(ChunkedRefill::sizeText(m_maxRowBytes));
}

ImportReader::Status CsvReader::next(ImportRecord *record, QString *error)
{
    if (!m_started) {
        *error = QStringLiteral("the file has no header (start() did not succeed)");
        return Status::Error;
    }
    if (!m_fatalError.isEmpty()) {
        *error = m_fatalError;
        return Status::Error;
    }
    switch (readRow(&m_fatalError)) {
    case ReadResult::Error:
        *error = m_fatalError;
        return Status::Error;
    case ReadResult::End:
        return Status::End;
    case ReadResult::Row:
        break;
    }

    record->number = ++m_rowNumber;
    record->line = m_line;
    record->values.resize(qsizetype(m_fields.size()));
    qsizetype textAfterQuote = -1;
    for (size_t index = 0; index < m_fields.size(); ++index) {
        const Field &field = m_fields[index];
        decodeField(field, &record->values[qsizetype(index)]);
        if (textAfterQuote < 0 && field.quoted && field.end > field.quoteEnd + 1)
            textAfterQuote = qsizetype(index);
    }

    record->error.clear();
    const qsizetype bad = Utf8Validator::firstInvalid(m_buffer.constData() + m_recordStart, m_rowEnd);
    const bool ragged = qsizetype(m_fields.size()) != m_headers.size();
    if (bad >= 0 || ragged || textAfterQuote >= 0) {
        QStringList problems;
        if (bad >= 0)
            problems.append(invalidUtf8Message(bad));
        if (ragged) {
            problems.append(QStringLiteral("line %1: %2 fields, the header has %3")
                                .arg(m_line)
                                .arg(m_fields.size())
                                .arg(m_headers.size()));
        }
        if (textAfterQuote >= 0) {
            problems.append(QStringLiteral("line %1: text after the closing quote of %2 (a quote inside "
                                           "quotes must be doubled)")
                                .arg(m_line)
                                .arg(fieldName(textAfterQuote)));
        }
        record->error = problems.join(QLatin1String("; "));
    }
    consumeRow();
    return Status::Row;
}

#include "import/JsonLinesReader.h"

#include "api/JsonSyntaxError.h"
#include "import/ChunkedRefill.h"

#include "import/ImportRecord.h"
#include "import/Utf8Validator.h"

#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <cstring>

namespace {

bool isBlankByte(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

QString escapeListItem(QString item)
{
    item.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    item.replace(QLatin1Char(','), QLatin1String("\\,"));
    return item;
}

} // namespace

JsonLinesReader::JsonLinesReader(QIODevice *device) : m_device(device) {}

bool JsonLinesReader::fill(QString *error)
{
    return ChunkedRefill::refill(m_device, m_buffer, m_lineStart, m_scanPos, m_bufferOffset, m_atEnd, error);
}

JsonLinesReader::LineResult JsonLinesReader::readLine(QString *error)
{
    for (;;) {
        const char *data = m_buffer.constData();
        const qsizetype size = m_buffer.size();
        const void *newline = std::memchr(data + m_scanPos, '\n', size_t(size - m_scanPos));
        if (newline) {
            const qsizetype at = static_cast<const char *>(newline) - data;
            m_nextStart = at + 1;
            m_lineEnd = at > m_lineStart && data[at - 1] == '\r' ? at - 1 : at;
        } else if (m_atEnd) {
            if (m_lineStart == size)
                return LineResult::End;
            m_nextStart = m_lineEnd = size;
        } else {
            m_scanPos = size;
            if (size - m_lineStart > m_maxRowBytes) {
                *error = QStringLiteral("line %1: a line longer than %2; is this a JSON Lines file?")
                             .arg(m_line)
                             .arg(ChunkedRefill::sizeText(m_maxRowBytes));
                return LineResult::Error;
            }
            if (!fill(error))
                return LineResult::Error;
            continue;
        }
        m_scanPos = m_nextStart;
        if (m_lineEnd - m_lineStart > m_maxRowBytes) {
            *error = QStringLiteral("line %1: a line longer than %2; is this a JSON Lines file?")
                         .arg(m_line)
                         .arg(ChunkedRefill::sizeText(m_maxRowBytes));
            return LineResult::Error;
        }
        if (!std::all_of(data + m_lineStart, data + m_lineEnd, isBlankByte))
            return LineResult::Line;
        consumeLine();
    }
}

void JsonLinesReader::consumeLine()
{
    m_lineStart = m_nextStart;
    m_scanPos = m_nextStart;
    ++m_line;
}

QByteArray JsonLinesReader::currentLine() const
{
    // No copy: the bytes stay in m_buffer until the line is consumed.
    return QByteArray::fromRawData(m_buffer.constData() + m_lineStart, m_lineEnd - m_lineStart);
}

bool JsonLinesReader::parseLine(QJsonObject *object, QString *problem) const
{
    const QByteArray line = currentLine();
    // QJsonDocument would only say "illegal UTF-8 string"; name the byte, like the CSV reader.
    const qsizetype bad = Utf8Validator::firstInvalid(line.constData(), line.size());
    if (bad >= 0) {
        *problem = QStringLiteral("line %1: invalid UTF-8 (byte 0x%2) at column %3")
                       .arg(m_line)
                       .arg(uint(static_cast<unsigned char>(line.at(bad))), 2, 16, QLatin1Char('0'))
                       .arg(bad + 1);
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Placed again, only for the broken line, in characters as an editor counts them (Qt's
        // offset counts bytes: an accented letter before the mistake would shift the column).
        QJsonDocument unused;
        JsonSyntaxError where;
        JsonSyntaxError::parse(QString::fromUtf8(line), &unused, &where);
        *problem = QStringLiteral("line %1: not a JSON object: %2 at column %3")
                       .arg(m_line)
                       .arg(where.what)
                       .arg(where.column);
        return false;
    }
    if (!document.isObject()) {
        *problem = QStringLiteral("line %1: not a JSON object but an array").arg(m_line);
        return false;
    }
    *object = document.object();
    return true;
}

bool JsonLinesReader::valueText(const QJsonValue &value, QString *text, QString *problem)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        text->clear();
        return true;
    case QJsonValue::Bool:
        *text = value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
        return true;
    case QJsonValue::Double: {
        // Integers beyond 2^53 are kept exactly (Qt keeps them as 64-bit integers); other numbers
        // get the shortest text that reads back as the same double, as TypedValue writes them.
        const qint64 integer = value.toInteger(0);
        if (integer != 0 || value.toDouble() == 0) {
            *text = QString::number(integer);
            return true;
        }
        *text = QLocale::c().toString(value.toDouble(), 'g', QLocale::FloatingPointShortest);
        return true;
    }
    case QJsonValue::String:
        *text = value.toString();
        return true;
    case QJsonValue::Array: {
        QStringList items;
        const QJsonArray array = value.toArray();
        for (const QJsonValue &item : array) {
            QString itemText;
            if (item.isArray() || item.isObject() || item.isNull() || !valueText(item, &itemText, problem)) {
                *problem = QStringLiteral("a list item must be text, a number or a boolean");
                return false;
            }
            items.append(escapeListItem(itemText));
        }
        *text = items.join(QLatin1Char(','));
        return true;
    }
    case QJsonValue::Object:
        *problem = QStringLiteral("an object cannot be imported as a cell (text, a number, a boolean, "
                                  "null or a list)");
        return false;
    }
    return false;
}

void JsonLinesReader::toRecord(const QJsonObject &object, ImportRecord *record) const
{
    record->values = QStringList(m_headers.size(), QString());
    QStringList problems;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto column = m_columns.constFind(it.key());
        if (column == m_columns.constEnd()) {
            problems.append(QStringLiteral("line %1: unknown key '%2'").arg(m_line).arg(it.key()));
            continue;
        }
        QString problem;
        if (!valueText(it.value(), &record->values[column.value()], &problem))
            problems.append(QStringLiteral("line %1: '%2': %3").arg(m_line).arg(it.key(), problem));
    }
    record->error = problems.join(QLatin1String("; "));
}

QStringList JsonLinesReader::keysInWrittenOrder(const QByteArray &line, const QJsonObject &object)
{
    // A small scan of a line already parsed as an object: the strings at depth 1 after '{' or ','
    // are its keys. Each key's escapes are decoded by QJsonDocument.
    QStringList keys;
    int depth = 0;
    bool expectKey = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line.at(i);
        if (c == '"') {
            qsizetype end = i + 1;
            while (end < line.size() && line.at(end) != '"')
                end += line.at(end) == '\\' ? 2 : 1;
            if (depth == 1 && expectKey) {
                const QByteArray wrapped = '[' + line.mid(i, end - i + 1) + ']';
                const QString key = QJsonDocument::fromJson(wrapped).array().at(0).toString();
                if (!keys.contains(key))
                    keys.append(key);
                expectKey = false;
            }
            i = end;
        } else if (c == '{' || c == '[') {
            ++depth;
            expectKey = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            --depth;
        } else if (c == ',' && depth == 1) {
            expectKey = true;
        }
    }
    // Never trust the scan over the parser: on any disagreement, fall back to the sorted keys.
    QStringList sortedScan = keys;
    sortedScan.sort();
    QStringList parsed = object.keys();
    parsed.sort();
    return sortedScan == parsed ? keys : object.keys();
}

bool JsonLinesReader::start(QString *error)
{
    if (!m_device || !m_device->isReadable()) {
        *error = QStringLiteral("the file is not open for reading");
        return false;
    }
    if (!fill(error))
        return false;
    if (m_buffer.startsWith("\xEF\xBB\xBF"))
        m_lineStart = m_scanPos = 3; // not allowed by JSON, but some editors write one
    switch (readLine(error)) {
    case LineResult::Error:
        return false;
    case LineResult::End:
        *error = QStringLiteral("the file is empty: it has no JSON object");
        return false;
    case LineResult::Line:
        break;
    }
    QJsonObject object;
    QString problem;
    if (!parseLine(&object, &problem)) {
        *error = problem + QStringLiteral(" (the first object names the columns)");
        return false;
    }
    m_headers = keysInWrittenOrder(currentLine(), object);
    for (qsizetype i = 0; i < m_headers.size(); ++i)
        m_columns.insert(m_headers.at(i), i);
    m_pending.number = ++m_rowNumber;
    m_pending.line = m_line;
    toRecord(object, &m_pending);
    m_havePending = true;
    consumeLine();
    m_started = true;
    return true;
}

ImportReader::Status JsonLinesReader::next(ImportRecord *record, QString *error)
{
    if (!m_started) {
        *error = QStringLiteral("the file has no columns (start() did not succeed)");
        return Status::Error;
    }
    if (m_havePending) {
        *record = m_pending;
        m_havePending = false;
        return Status::Row;
    }
    if (!m_fatalError.isEmpty()) {
        *error = m_fatalError;
        return Status::Error;
    }
    switch (readLine(&m_fatalError)) {
    case LineResult::Error:
        *error = m_fatalError;
        return Status::Error;
    case LineResult::End:
        return Status::End;
    case LineResult::Line:
        break;
    }
    record->number = ++m_rowNumber;
    record->line = m_line;
    QJsonObject object;
    QString problem;
    if (parseLine(&object, &problem)) {
        toRecord(object, record);
    } else {
        // No cells to split it into: the line as written is the row's one value, so the failed-rows
        // file (and the journal) keep it to be fixed; invalid UTF-8 becomes U+FFFD there.
        record->values = QStringList{QString::fromUtf8(currentLine())};
        record->error = problem;
    }
    consumeLine();
    return Status::Row;
}

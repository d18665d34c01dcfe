#include "sandbox/HttpRequestFramer.h"

#include <QList>

namespace {

using Result = HttpRequestFramer::Result;

// A chunk-size line holds a size and maybe extensions; longer than this is not a real client.
constexpr qsizetype MaxChunkLineBytes = 1024;

Result refused(int status, const QString &message)
{
    Result result;
    result.kind = Result::Kind::Refused;
    result.status = status;
    result.message = message;
    return result;
}

// RFC 9110 5.6.2: token characters.
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

bool isDigits(const QByteArray &text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// Text from the wire, shortened and made printable, to quote in a message.
QString quoted(const QByteArray &text)
{
    QString out;
    for (const char c : text.left(40))
        out += (c >= 0x20 && c < 0x7f) ? QChar::fromLatin1(c) : QChar(u'?');
    if (text.size() > 40)
        out += QStringLiteral("...");
    return out;
}

QList<QByteArray> listItems(const QList<QByteArray> &values)
{
    QList<QByteArray> items;
    for (const QByteArray &value : values) {
        for (const QByteArray &item : value.split(','))
            items.append(item.trimmed());
    }
    return items;
}

// The line that starts at `pos`: its end (the '\n'), or -1 when it has not all arrived.
qsizetype lineEnd(const QByteArray &data, qsizetype pos)
{
    return data.indexOf('\n', pos);
}

QByteArray lineAt(const QByteArray &data, qsizetype pos, qsizetype end)
{
    QByteArray line = data.mid(pos, end - pos);
    if (line.endsWith('\r'))
        line.chop(1);
    return line;
}

// The chunked body that starts at `pos`; its end in Result::length when complete.
Result examineChunked(const QByteArray &data, qsizetype pos, const HttpRequestFramer::Limits &limits)
{
    const QString overLimit =
        QStringLiteral("The chunked request body is over the limit of %1 bytes").arg(limits.maxBodyBytes);
    Result needMore;
    needMore.headComplete = true;
    const qsizetype bodyStart = pos;
    qint64 total = 0;
    for (;;) {
        // Chunk coding of many tiny chunks costs bytes on the wire too: bound those as well.
        if (pos - bodyStart > 2 * limits.maxBodyBytes + MaxChunkLineBytes)
            return refused(413, overLimit);
        const qsizetype end = lineEnd(data, pos);
        if (end < 0) {
            if (data.size() - pos > MaxChunkLineBytes)
                return refused(400,
                               QStringLiteral("A chunk-size line is over %1 bytes").arg(MaxChunkLineBytes));
            return needMore;
        }
        if (end - pos > MaxChunkLineBytes)
            return refused(400, QStringLiteral("A chunk-size line is over %1 bytes").arg(MaxChunkLineBytes));
        const QByteArray line = lineAt(data, pos, end);
        const qsizetype semicolon = line.indexOf(';');
        const QByteArray sizeText = (semicolon < 0 ? line : line.left(semicolon)).trimmed();
        bool hex = !sizeText.isEmpty();
        for (const char c : sizeText)
            hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
        if (!hex)
            return refused(400, QStringLiteral("Invalid chunk size '%1': a chunk size is hexadecimal digits")
                                    .arg(quoted(sizeText)));
        QByteArray significant = sizeText;
        while (significant.size() > 1 && significant.startsWith('0'))
            significant.remove(0, 1);
        if (significant.size() > 15)
            return refused(400, QStringLiteral("Chunk size '%1' overflows").arg(quoted(sizeText)));
        const qint64 size = significant.toLongLong(nullptr, 16);
        pos = end + 1;
        if (size == 0)
            break;
        total += size;
        if (total > limits.maxBodyBytes)
            return refused(413, overLimit);
        // The chunk's data, then CRLF.
        if (data.size() < pos + size + 1)
            return needMore;
        qsizetype after = pos + size;
        if (data.at(after) == '\r') {
            if (data.size() < after + 2)
                return needMore;
            ++after;
        }
        if (data.at(after) != '\n')
            return refused(400,
                           QStringLiteral("Chunk data is not followed by CRLF: the chunk size (%1 bytes) "
                                          "does not match the data sent")
                               .arg(size));
        pos = after + 1;
    }
    // Trailer fields, then an empty line.
    int trailers = 0;
    for (;;) {
        const qsizetype end = lineEnd(data, pos);
        if ((end < 0 ? data.size() : end) - pos > limits.maxLineBytes)
            return refused(431, QStringLiteral("A trailer line is over %1 bytes").arg(limits.maxLineBytes));
        if (end < 0)
            return needMore;
        const QByteArray line = lineAt(data, pos, end);
        pos = end + 1;
        if (line.isEmpty())
            break;
        if (++trailers > limits.maxHeaderLines)
            return refused(
                431, QStringLiteral("The request has more than %1 trailer lines").arg(limits.maxHeaderLines));
    }
    Result complete;
    complete.kind = Result::Kind::Complete;
    complete.headComplete = true;
    complete.length = pos;
    return complete;
}

} // namespace

HttpRequestFramer::Result HttpRequestFramer::examine(const QByteArray &data, const Limits &limits)
{
    Result needMore;
    qsizetype pos = 0;
    // RFC 9112 2.2: empty lines before a request line are ignored (some clients send a CRLF
    // after a body).
    while (pos < data.size() && (data.at(pos) == '\r' || data.at(pos) == '\n'))
        ++pos;

    QByteArray requestLine;
    bool haveRequestLine = false;
    QList<QByteArray> headerLines;
    qsizetype headEnd = -1;
    while (headEnd < 0) {
        const qsizetype end = lineEnd(data, pos);
        if ((end < 0 ? data.size() : end) - pos > limits.maxLineBytes) {
            return haveRequestLine
                       ? refused(431,
                                 QStringLiteral("A header line is over %1 bytes").arg(limits.maxLineBytes))
                       : refused(
                             414,
                             QStringLiteral("The request line is over %1 bytes").arg(limits.maxLineBytes));
        }
        if ((end < 0 ? data.size() : end + 1) > limits.maxHeadBytes)
            return refused(431, QStringLiteral("The request head is over %1 bytes").arg(limits.maxHeadBytes));
        if (end < 0)
            return needMore;
        const QByteArray line = lineAt(data, pos, end);
        pos = end + 1;
        if (!haveRequestLine) {
            requestLine = line;
            haveRequestLine = true;
        } else if (line.isEmpty()) {
            headEnd = pos;
        } else if (headerLines.size() == limits.maxHeaderLines) {
            return refused(
                431, QStringLiteral("The request has more than %1 header lines").arg(limits.maxHeaderLines));
        } else {
            headerLines.append(line);
        }
    }

    const QList<QByteArray> parts = requestLine.split(' ');
    if (parts.size() != 3 || !isToken(parts.at(0)) || parts.at(1).isEmpty())
        return refused(400, QStringLiteral("Malformed request line '%1'").arg(quoted(requestLine)));
    const QByteArray version = parts.at(2);
    if (version.size() != 8 || !version.startsWith("HTTP/") || version.at(6) != '.' ||
        !isDigits(version.mid(5, 1)) || !isDigits(version.mid(7, 1)))
        return refused(400, QStringLiteral("Malformed request line '%1'").arg(quoted(requestLine)));
    if (version.at(5) != '1')
        return refused(505, QStringLiteral("%1 is not supported; send HTTP/1.1").arg(quoted(version)));
    const bool http10 = version.at(7) == '0';

    QList<QByteArray> contentLengths;
    QList<QByteArray> transferCodings;
    QList<QByteArray> connectionOptions;
    for (const QByteArray &line : headerLines) {
        // RFC 9112 5.1 and 5.2: whitespace before the colon and obsolete line folding are errors
        // that a server must refuse, since a proxy may read them differently.
        if (line.startsWith(' ') || line.startsWith('\t'))
            return refused(400, QStringLiteral("Header line folding (a line starting with whitespace) is not "
                                               "accepted"));
        const qsizetype colon = line.indexOf(':');
        const QByteArray name = line.left(colon);
        if (colon <= 0 || !isToken(name))
            return refused(400, QStringLiteral("Malformed header line '%1'").arg(quoted(line)));
        const QByteArray value = line.mid(colon + 1).trimmed();
        // RFC 9110 5.5: NUL in a field value must be refused (other controls may be kept).
        if (value.contains('\0'))
            return refused(400, QStringLiteral("Header %1 holds a NUL character").arg(quoted(name)));
        const QByteArray lower = name.toLower();
        if (lower == "content-length")
            contentLengths.append(value);
        else if (lower == "transfer-encoding")
            transferCodings.append(value);
        else if (lower == "connection")
            connectionOptions.append(value);
    }

    Result result;
    result.headComplete = true;
    const QList<QByteArray> options = listItems(connectionOptions);
    bool close = false;
    bool keepAlive = false;
    for (const QByteArray &option : options) {
        close = close || option.compare("close", Qt::CaseInsensitive) == 0;
        keepAlive = keepAlive || option.compare("keep-alive", Qt::CaseInsensitive) == 0;
    }
    // RFC 9112 9.3: HTTP/1.0 closes after each request unless it asks to keep the connection.
    const bool closeAfter = close || (http10 && !keepAlive);

    if (!transferCodings.isEmpty()) {
        if (!contentLengths.isEmpty())
            return refused(400, QStringLiteral("The request has both Content-Length and Transfer-Encoding; "
                                               "send only one of them"));
        if (http10)
            return refused(400, QStringLiteral("Transfer-Encoding is not allowed in an HTTP/1.0 request"));
        const QList<QByteArray> codings = listItems(transferCodings);
        if (codings.size() != 1 || codings.constFirst().compare("chunked", Qt::CaseInsensitive) != 0)
            return refused(501, QStringLiteral("Transfer-Encoding '%1' is not supported; only chunked is")
                                    .arg(quoted(transferCodings.join(", "))));
        result = examineChunked(data, headEnd, limits);
        result.closeAfter = closeAfter;
        return result;
    }

    qint64 length = 0;
    const QList<QByteArray> lengths = listItems(contentLengths);
    for (const QByteArray &text : lengths) {
        if (!isDigits(text))
            return refused(
                400,
                QStringLiteral("Content-Length must be a whole number of bytes, not '%1'").arg(quoted(text)));
        // Over 18 digits does not fit in 64 bits, and is over the limit in any case.
        const qint64 value = text.size() > 18 ? limits.maxBodyBytes + 1 : text.toLongLong();
        if (value > limits.maxBodyBytes)
            return refused(413, QStringLiteral("The request body is declared as %1 bytes; the limit is %2")
                                    .arg(quoted(text))
                                    .arg(limits.maxBodyBytes));
        if (&text != &lengths.constFirst() && value != length)
            return refused(400, QStringLiteral("The request has conflicting Content-Length values"));
        length = value;
    }
    if (data.size() - headEnd < length) {
        result.closeAfter = closeAfter;
        return result;
    }
    result.kind = Result::Kind::Complete;
    result.length = headEnd + length;
    result.closeAfter = closeAfter;
    return result;
}

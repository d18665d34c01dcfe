#include "HttpConnection.h"

#include <QSslError>
#include <QSslSocket>

#include <algorithm>

namespace {

// What the socket layer buffers ahead of the parser: bounds memory while a large answer streams
// in, and is large enough that a journy.io answer arrives in one read.
constexpr qint64 socketReadBufferBytes = 256 * 1024;
// A chunk-size line is a hex number and maybe an extension; anything longer is not HTTP.
constexpr qsizetype maxChunkLineBytes = 1024;

bool hasToken(const QByteArray &value, const char *token)
{
    for (const QByteArray &part : value.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// A Content-Length value: digits only (RFC 9110 8.6); -2 when invalid. A list of equal values
// (a proxy that merged duplicates) counts as that value.
qint64 parseContentLength(const QByteArray &value)
{
    qint64 result = -1;
    for (const QByteArray &raw : value.split(',')) {
        const QByteArray part = raw.trimmed();
        if (part.isEmpty() || part.size() > 18 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }))
            return -2;
        const qint64 number = part.toLongLong();
        if (result >= 0 && number != result)
            return -2;
        result = number;
    }
    return result;
}

} // namespace

HttpConnection::HttpConnection(bool tls, const QString &host, quint16 port, QObject *parent)
    : QObject(parent), m_tls(tls), m_host(host), m_port(port)
{
    // Plain http goes through a QTcpSocket: a QSslSocket without TLS still copies every byte
    // through a second socket and posts an event per write, a fifth of a bulk import's time.
    // Plain http: connected is the moment to write; https: encrypted, never before, so nothing
    // is written to a peer whose certificate failed.
    if (m_tls) {
        auto *tlsSocket = new QSslSocket(this);
        connect(tlsSocket, &QSslSocket::encrypted, this, &HttpConnection::onReady);
        connect(tlsSocket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            for (const QSslError &error : errors)
                m_tlsErrors.append(error.errorString());
        });
        m_socket = tlsSocket;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &HttpConnection::onReady);
    }
    m_socket->setReadBufferSize(socketReadBufferBytes);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::errorOccurred, this, &HttpConnection::onSocketError);
    connect(m_socket, &QTcpSocket::disconnected, this,
            [this] { onClosed(QStringLiteral("The remote host closed the connection")); });
}

QString HttpConnection::originKey(bool tls, const QString &host, quint16 port)
{
    return (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + host.toLower() +
           QLatin1Char(':') + QString::number(port);
}

void HttpConnection::send(const QByteArray &request, bool headRequest, qint64 maxBodyBytes)
{
    if (m_state == State::Dead) {
        // The server closed this kept-alive connection after the pool handed it out: nothing was
        // written, and the caller hears so now (an idempotent call is resent) instead of waiting
        // out its deadline.
        m_reusedForThis = true;
        m_response = HttpResponse();
        m_state = State::Busy;
        fail(HttpResponse::Error::ClosedBeforeAnswer,
             QStringLiteral("The remote host closed the connection"));
        return;
    }
    Q_ASSERT(m_state == State::Fresh || m_state == State::Idle);
    m_reusedForThis = m_state == State::Idle;
    m_response = HttpResponse();
    m_phase = Phase::Head;
    m_headRequest = headRequest;
    m_maxBodyBytes = maxBodyBytes;
    m_keepAlive = false;
    m_trailerBytes = 0;
    m_remaining = 0;
    m_in.clear();
    const bool fresh = m_state == State::Fresh;
    m_state = State::Busy;
    if (!fresh) {
        m_socket->write(request);
        m_socket->flush(); // now, not on the next event-loop turn
        return;
    }
    m_pending = request;
    if (m_tls) {
        if (!QSslSocket::supportsSsl()) {
            fail(HttpResponse::Error::Tls, QStringLiteral("this system has no TLS library for https"));
            return;
        }
        auto *tlsSocket = static_cast<QSslSocket *>(m_socket);
        tlsSocket->setPeerVerifyMode(QSslSocket::VerifyPeer);
        tlsSocket->connectToHostEncrypted(m_host, m_port);
    } else {
        m_socket->connectToHost(m_host, m_port);
    }
}

void HttpConnection::abort()
{
    if (m_state == State::Dead)
        return;
    m_state = State::Dead;
    m_socket->disconnect(this);
    m_socket->abort();
}

void HttpConnection::onReady()
{
    if (m_state != State::Busy || m_pending.isEmpty())
        return;
    // Requests are small and written whole: Nagle's algorithm would only hold the next one back
    // waiting for the server's delayed ACK.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->write(std::exchange(m_pending, QByteArray()));
    m_socket->flush();
}

void HttpConnection::onReadyRead()
{
    if (m_state == State::Idle) {
        // Between exchanges a server has nothing to say; whatever it sent would be taken for
        // the start of the next answer.
        becomeLost();
        return;
    }
    if (m_state != State::Busy)
        return;
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    m_response.anyBytesReceived = true;
    if (m_in.isEmpty())
        m_in = data;
    else
        m_in.append(data);
    parse();
}

void HttpConnection::onSocketError()
{
    if (m_state == State::Idle) {
        becomeLost();
        return;
    }
    if (m_state != State::Busy)
        return;
    const QString why = m_socket->errorString();
    switch (m_socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        fail(HttpResponse::Error::ConnectionRefused, why);
        return;
    case QAbstractSocket::HostNotFoundError:
        fail(HttpResponse::Error::HostNotFound, why);
        return;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        fail(HttpResponse::Error::Tls, m_tlsErrors.isEmpty() ? why : m_tlsErrors.join(QLatin1String("; ")));
        return;
    case QAbstractSocket::RemoteHostClosedError:
        onClosed(why);
        return;
    default:
        break;
    }
    // A reset after connecting ends the exchange like a close; before, it is a network error.
    if (m_pending.isEmpty())
        onClosed(why);
    else
        fail(m_tlsErrors.isEmpty() ? HttpResponse::Error::Network : HttpResponse::Error::Tls,
             m_tlsErrors.isEmpty() ? why : m_tlsErrors.join(QLatin1String("; ")));
}

void HttpConnection::onClosed(const QString &why)
{
    if (m_state == State::Idle) {
        becomeLost();
        return;
    }
    if (m_state != State::Busy)
        return;
    // What arrived with the close is part of the answer.
    if (m_socket->bytesAvailable() > 0) {
        onReadyRead();
        if (m_state != State::Busy)
            return;
    }
    if (!m_pending.isEmpty() && !m_tlsErrors.isEmpty()) {
        fail(HttpResponse::Error::Tls, m_tlsErrors.join(QLatin1String("; ")));
        return;
    }
    if (m_phase == Phase::UntilClose) {
        m_keepAlive = false;
        complete();
        return;
    }
    fail(m_response.anyBytesReceived ? HttpResponse::Error::ClosedMidAnswer
                                     : HttpResponse::Error::ClosedBeforeAnswer,
         why);
}

void HttpConnection::becomeLost()
{
    abort();
    emit lost();
}

void HttpConnection::parse()
{
    while (m_state == State::Busy) {
        switch (m_phase) {
        case Phase::Head:
            if (!parseHead())
                return;
            break;
        case Phase::LengthBody: {
            const qint64 take = std::min<qint64>(m_remaining, m_in.size());
            if (take == m_in.size() && m_response.body.isEmpty())
                m_response.body = std::exchange(m_in, QByteArray()); // the usual case: no copy
            else {
                m_response.body.append(m_in.constData(), take);
                m_in.remove(0, take);
            }
            m_remaining -= take;
            if (m_remaining > 0)
                return;
            complete();
            return;
        }
        case Phase::ChunkSize:
            if (!parseChunkSize())
                return;
            break;
        case Phase::ChunkData: {
            const qint64 take = std::min<qint64>(m_remaining, m_in.size());
            if (!appendBody(m_in.constData(), take))
                return;
            m_in.remove(0, take);
            m_remaining -= take;
            if (m_remaining > 0)
                return;
            m_phase = Phase::ChunkDataEnd;
            break;
        }
        case Phase::ChunkDataEnd:
            if (m_in.size() < 2)
                return;
            if (!m_in.startsWith("\r\n")) {
                fail(HttpResponse::Error::Protocol,
                     QStringLiteral("a chunk does not end where its size says"));
                return;
            }
            m_in.remove(0, 2);
            m_phase = Phase::ChunkSize;
            break;
        case Phase::Trailers:
            if (!parseTrailers())
                return;
            break;
        case Phase::UntilClose:
            if (appendBody(m_in.constData(), m_in.size()))
                m_in.clear();
            return;
        }
    }
}

bool HttpConnection::parseHead()
{
    const qsizetype end = m_in.indexOf("\r\n\r\n");
    if (end < 0 || end + 4 > MaxHeaderBytes) {
        if (m_in.size() > MaxHeaderBytes || end >= 0)
            fail(HttpResponse::Error::HeadersTooLarge,
                 QStringLiteral("the answer's status line and headers exceed %1 KiB")
                     .arg(MaxHeaderBytes / 1024));
        return false;
    }
    const QList<QByteArray> lines = m_in.left(end).split('\n');
    m_in.remove(0, end + 4);

    // HTTP/1.x SP 3DIGIT [SP reason]
    const QByteArray statusLine = lines.first().trimmed();
    const bool http11 = statusLine.startsWith("HTTP/1.1 ");
    bool ok = (http11 || statusLine.startsWith("HTTP/1.0 ")) && statusLine.size() >= 12 &&
              (statusLine.size() == 12 || statusLine.at(12) == ' ');
    const int status = ok ? statusLine.mid(9, 3).toInt(&ok) : 0;
    if (!ok || status < 100) {
        fail(HttpResponse::Error::Protocol,
             QStringLiteral("the answer does not start with an HTTP/1.x status line: '%1'")
                 .arg(QString::fromLatin1(statusLine.left(80))));
        return false;
    }
    QList<QPair<QByteArray, QByteArray>> headers;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || line.at(0) == ' ' || line.at(0) == '\t') {
            fail(HttpResponse::Error::Protocol, QStringLiteral("a header line is not 'name: value': '%1'")
                                                    .arg(QString::fromLatin1(line.trimmed().left(80))));
            return false;
        }
        headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    if (status < 200) {
        // 100 Continue and other interim answers come before the real one (we never ask to
        // switch protocols, so a 101 is as good as no answer).
        if (status == 101) {
            fail(HttpResponse::Error::Protocol, QStringLiteral("the server switched protocols unasked"));
            return false;
        }
        return true;
    }
    m_response.status = status;
    m_response.headers = std::move(headers);

    const QByteArray connection = m_response.header("Connection");
    m_keepAlive = http11 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    if (m_headRequest || status == 204 || status == 304) {
        // No body by definition (RFC 9110 6.4.1), whatever the headers say.
        complete();
        return false;
    }
    const QByteArray transferEncoding = m_response.header("Transfer-Encoding");
    if (!transferEncoding.isEmpty()) {
        // RFC 9112 6.3: chunked last means chunked (a Content-Length beside it is ignored and
        // the connection not reused: someone on the way may have framed it otherwise);
        // any other coding runs until the close.
        m_keepAlive = m_keepAlive && m_response.header("Content-Length").isEmpty();
        const QList<QByteArray> codings = transferEncoding.split(',');
        if (codings.last().trimmed().compare("chunked", Qt::CaseInsensitive) == 0) {
            m_phase = Phase::ChunkSize;
        } else {
            m_keepAlive = false;
            m_phase = Phase::UntilClose;
        }
        return true;
    }
    const QByteArray lengthHeader = m_response.header("Content-Length");
    if (lengthHeader.isEmpty()) {
        m_keepAlive = false;
        m_phase = Phase::UntilClose;
        return true;
    }
    const qint64 length = parseContentLength(lengthHeader);
    if (length < 0) {
        fail(HttpResponse::Error::Protocol,
             QStringLiteral("the answer's Content-Length is not a number: '%1'")
                 .arg(QString::fromLatin1(lengthHeader.left(40))));
        return false;
    }
    m_response.contentLength = length;
    if (length > m_maxBodyBytes) {
        fail(HttpResponse::Error::BodyTooLarge, QString());
        return false;
    }
    if (length == 0) {
        complete();
        return false;
    }
    m_remaining = length;
    m_phase = Phase::LengthBody;
    return true;
}

bool HttpConnection::parseChunkSize()
{
    const qsizetype end = m_in.indexOf("\r\n");
    if (end < 0) {
        if (m_in.size() > maxChunkLineBytes)
            fail(HttpResponse::Error::Protocol, QStringLiteral("a chunk-size line is too long"));
        return false;
    }
    QByteArray line = m_in.left(end);
    m_in.remove(0, end + 2);
    const qsizetype extension = line.indexOf(';');
    if (extension >= 0)
        line.truncate(extension);
    line = line.trimmed();
    bool ok = !line.isEmpty() && line.size() <= 15;
    const qint64 size = ok ? line.toLongLong(&ok, 16) : -1;
    if (!ok || size < 0) {
        fail(
            HttpResponse::Error::Protocol,
            QStringLiteral("a chunk size is not a hex number: '%1'").arg(QString::fromLatin1(line.left(40))));
        return false;
    }
    if (size == 0) {
        m_phase = Phase::Trailers;
        return true;
    }
    m_remaining = size;
    m_phase = Phase::ChunkData;
    return true;
}

bool HttpConnection::parseTrailers()
{
    const qsizetype end = m_in.indexOf("\r\n");
    if (end < 0 || m_trailerBytes + end + 2 > MaxHeaderBytes) {
        if (end >= 0 || m_trailerBytes + m_in.size() > MaxHeaderBytes)
            fail(HttpResponse::Error::HeadersTooLarge,
                 QStringLiteral("the answer's trailers exceed %1 KiB").arg(MaxHeaderBytes / 1024));
        return false;
    }
    m_trailerBytes += end + 2;
    m_in.remove(0, end + 2);
    if (end == 0)
        complete(); // the empty line after the last chunk (and its trailers, which are ignored)
    return true;
}

bool HttpConnection::appendBody(const char *data, qsizetype size)
{
    const qint64 room = m_maxBodyBytes + 1 - m_response.body.size();
    if (size < room) {
        m_response.body.append(data, size);
        return true;
    }
    // Never more than one byte past the cap, however much the socket has delivered.
    m_response.body.append(data, room);
    fail(HttpResponse::Error::BodyTooLarge, QString());
    return false;
}

void HttpConnection::complete()
{
    // Bytes after the answer's end (say, a body on a 204) would be read as the next answer.
    const bool reusable =
        m_keepAlive && m_in.isEmpty() && m_socket->state() == QAbstractSocket::ConnectedState;
    if (reusable) {
        m_state = State::Idle;
    } else {
        abort();
    }
    emit finished();
}

void HttpConnection::fail(HttpResponse::Error error, const QString &why)
{
    m_response.error = error;
    m_response.errorString = why;
    abort();
    emit finished();
}

#include "sandbox/GuardedSocket.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaMethod>
#include <QUuid>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace {

// How long a refused or closing connection keeps reading (and dropping) what the client still
// sends after the answer: closing with unread data makes the kernel send a reset, which can destroy
// the answer before the client reads it (RFC 9112 9.6).
constexpr int LingerMs = 2000;

// At most this much is read from the wire per turn, so a fast sender cannot grow the buffer
// past what the framer is about to refuse.
constexpr qint64 WireReadBufferBytes = 64 * 1024;

// The statuses the guard answers itself (RFC 9110 15).
QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

} // namespace

GuardedSocket::GuardedSocket(qintptr descriptor, const Settings &settings, std::function<void()> onGone,
                             QObject *parent)
    : QTcpSocket(parent), m_wire(new QTcpSocket(this)), m_settings(settings), m_onGone(std::move(onGone))
{
    m_wire->setReadBufferSize(WireReadBufferBytes);
    m_wire->setSocketDescriptor(descriptor);
    setPeerAddress(m_wire->peerAddress());
    setPeerPort(m_wire->peerPort());
    setLocalAddress(m_wire->localAddress());
    setLocalPort(m_wire->localPort());
    setSocketState(QAbstractSocket::ConnectedState);
    setOpenMode(QIODevice::ReadWrite);

    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &GuardedSocket::onTimeout);
    m_linger.setSingleShot(true);
    connect(&m_linger, &QTimer::timeout, this, &GuardedSocket::onWireGone);
    connect(m_wire, &QTcpSocket::readyRead, this, &GuardedSocket::pump);
    connect(m_wire, &QTcpSocket::bytesWritten, this, [this](qint64 written) {
        if (m_phase == Phase::Closing && m_wire->bytesToWrite() == 0)
            halfClose();
        emit bytesWritten(written);
    });
    connect(m_wire, &QTcpSocket::disconnected, this, &GuardedSocket::onWireGone);
    connect(m_wire, &QTcpSocket::errorOccurred, this, [this] {
        if (m_wire->state() != QAbstractSocket::ConnectedState)
            onWireGone();
    });
    // A client that connects and sends nothing holds a connection as much as one that sends
    // half a head: the header timeout runs from the start.
    m_deadline.start(m_settings.headerTimeoutMs);
    if (m_wire->state() != QAbstractSocket::ConnectedState)
        QMetaObject::invokeMethod(this, &GuardedSocket::onWireGone, Qt::QueuedConnection);
}

GuardedSocket::~GuardedSocket()
{
    // QAbstractSocket's destructor aborts a socket it thinks connected; this one has no engine.
    setSocketState(QAbstractSocket::UnconnectedState);
}

qint64 GuardedSocket::bytesAvailable() const
{
    return QIODevice::bytesAvailable() + m_handedOn.size();
}

qint64 GuardedSocket::bytesToWrite() const
{
    return m_wire->bytesToWrite();
}

qint64 GuardedSocket::readData(char *data, qint64 maxSize)
{
    const qint64 count = qMin<qint64>(maxSize, m_handedOn.size());
    memcpy(data, m_handedOn.constData(), size_t(count));
    m_handedOn.remove(0, count);
    return count;
}

qint64 GuardedSocket::writeData(const char *data, qint64 size)
{
    if (m_gone)
        return -1;
    return m_wire->write(data, size);
}

void GuardedSocket::pump()
{
    if (m_phase == Phase::Closing) {
        m_wire->readAll(); // lingering: what the client still sends is dropped
        return;
    }
    if (m_phase == Phase::Busy || m_gone)
        return; // the wire keeps the rest (up to its buffer size; TCP holds back the sender)
    const qint64 room = qint64(m_settings.limits.maxHeadBytes) + 2 * m_settings.limits.maxBodyBytes +
                        WireReadBufferBytes - m_received.size();
    if (room > 0)
        m_received += m_wire->read(room);
    if (m_received.isEmpty())
        return;

    const HttpRequestFramer::Result result = HttpRequestFramer::examine(m_received, m_settings.limits);
    switch (result.kind) {
    case HttpRequestFramer::Result::Kind::Refused:
        refuse(result.status, result.message);
        return;
    case HttpRequestFramer::Result::Kind::NeedMore:
        if (result.headComplete) {
            // A body that stops arriving is cut off after the idle timeout.
            m_phase = Phase::Body;
            m_deadline.start(m_settings.idleTimeoutMs);
        } else if (m_phase == Phase::Idle) {
            m_phase = Phase::Head;
            m_deadline.start(m_settings.headerTimeoutMs);
        }
        return;
    case HttpRequestFramer::Result::Kind::Complete:
        break;
    }
    m_deadline.stop();
    m_phase = Phase::Busy;
    m_closeAfter = result.closeAfter;
    m_handedOn = m_received.left(result.length);
    m_received.remove(0, result.length);
    emit readyRead();
    // QtHttpServer answers a request its parser cannot read by disconnecting every signal of the
    // socket, without a word: the client would wait for ever and the socket never be deleted.
    if (m_phase == Phase::Busy && !isSignalConnected(QMetaMethod::fromSignal(&QIODevice::readyRead))) {
        connect(this, &GuardedSocket::disconnected, this, &QObject::deleteLater);
        refuse(400, QStringLiteral("The request could not be parsed"));
    }
}

void GuardedSocket::finishRequest()
{
    if (m_phase != Phase::Busy)
        return;
    if (m_closeAfter) {
        closeAfterWriting();
        return;
    }
    m_phase = Phase::Idle;
    m_deadline.start(m_settings.idleTimeoutMs);
    // Queued: this runs inside the server's handler, which must return before the next request.
    QMetaObject::invokeMethod(this, &GuardedSocket::pump, Qt::QueuedConnection);
}

void GuardedSocket::onTimeout()
{
    switch (m_phase) {
    case Phase::Idle:
        closeAfterWriting(); // nothing was asked: a silent close (RFC 9112 9.5)
        return;
    case Phase::Head:
        refuse(
            408,
            QStringLiteral("The request head did not arrive within %1 ms").arg(m_settings.headerTimeoutMs));
        return;
    case Phase::Body:
        refuse(408,
               QStringLiteral("The request body stopped arriving for %1 ms").arg(m_settings.idleTimeoutMs));
        return;
    case Phase::Busy:
    case Phase::Closing:
        return;
    }
}

void GuardedSocket::refuse(int status, const QString &message)
{
    if (m_phase == Phase::Closing || m_gone)
        return;
    const QJsonObject body{
        {QLatin1String("message"), message},
        {QLatin1String("meta"),
         QJsonObject{{QLatin1String("requestId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                     {QLatin1String("status"), status}}}};
    const QByteArray content = QJsonDocument(body).toJson(QJsonDocument::Compact);
    const QByteArray reason = reasonPhrase(status);
    QByteArray answer =
        "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(content.size()) +
        "\r\nConnection: close\r\n\r\n" + content;
    m_wire->write(answer);
    closeAfterWriting();
}

void GuardedSocket::abortConnection()
{
    m_wire->abort();
    onWireGone();
}

void GuardedSocket::disconnectFromHost()
{
    closeAfterWriting();
}

void GuardedSocket::closeAfterWriting()
{
    if (m_phase == Phase::Closing || m_gone)
        return;
    m_phase = Phase::Closing;
    m_deadline.stop();
    m_received.clear();
    m_wire->readAll();
    if (m_wire->bytesToWrite() == 0)
        halfClose();
}

void GuardedSocket::halfClose()
{
    if (m_linger.isActive() || m_gone)
        return;
#ifdef Q_OS_UNIX
    // Sends FIN but keeps reading, so the client sees the end of the answer and then EOF.
    if (::shutdown(int(m_wire->socketDescriptor()), SHUT_WR) == 0) {
        m_linger.start(LingerMs);
        return;
    }
#endif
    m_wire->disconnectFromHost();
}

void GuardedSocket::onWireGone()
{
    if (m_gone)
        return;
    m_gone = true;
    m_deadline.stop();
    m_linger.stop();
    m_phase = Phase::Closing;
    if (m_wire->state() != QAbstractSocket::UnconnectedState)
        m_wire->abort();
    setSocketState(QAbstractSocket::UnconnectedState);
    if (m_onGone)
        m_onGone();
    emit stateChanged(QAbstractSocket::UnconnectedState);
    emit disconnected();
}

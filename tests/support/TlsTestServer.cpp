#include "support/TlsTestServer.h"

#include <QFile>
#include <QSslSocket>
#include <QtGlobal>

#include <memory>

namespace {

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(JOURNY_TEST_DATA_DIR "/") + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The Content-Length of a request's header block (without the blank line); 0 if absent.
qint64 contentLength(const QByteArray &header)
{
    const QList<QByteArray> lines = header.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "content-length")
            return qMax<qint64>(0, line.mid(colon + 1).trimmed().toLongLong());
    }
    return 0;
}

bool closesConnection(const QByteArray &response)
{
    const qsizetype headerEnd = response.indexOf("\r\n\r\n");
    const QByteArray header = (headerEnd < 0 ? response : response.left(headerEnd)).toLower();
    return header.contains("\r\nconnection: close");
}

} // namespace

TlsTestServer::TlsTestServer(QObject *parent, const QString &certName)
    : QTcpServer(parent), m_certificate(readData(certName + QStringLiteral(".crt")), QSsl::Pem),
      m_key(readData(certName + QStringLiteral(".key")), QSsl::Rsa, QSsl::Pem)
{}

bool TlsTestServer::start()
{
    // Callers read false as "no TLS backend" and skip, so a missing pair must not fail here quietly;
    // it is reported, and the handshakes then fail visibly.
    if (m_certificate.isNull() || m_key.isNull())
        qWarning("TlsTestServer: cannot read the certificate or key from %s", JOURNY_TEST_DATA_DIR);
    return QSslSocket::supportsSsl() && listen(QHostAddress::LocalHost, 0);
}

void TlsTestServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setLocalCertificate(m_certificate);
    socket->setPrivateKey(m_key);
    connect(socket, &QSslSocket::encrypted, this, [this] { ++m_encrypted; });
    // Requests can arrive in pieces and several on one kept-alive connection, so bytes wait here until
    // a request is complete.
    auto pending = std::make_shared<QByteArray>();
    connect(socket, &QSslSocket::readyRead, this, [this, socket, pending] {
        const QByteArray data = socket->readAll();
        m_decryptedBytes += data.size();
        pending->append(data);
        if (!takeRequests(*pending, socket))
            socket->disconnectFromHost();
    });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QSslSocket::errorOccurred, socket, [socket] { socket->disconnectFromHost(); });
    socket->startServerEncryption();
}

bool TlsTestServer::takeRequests(QByteArray &buffer, QIODevice *socket)
{
    for (;;) {
        const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
        if (headerEnd < 0)
            return true;
        const qint64 total = headerEnd + 4 + contentLength(buffer.left(headerEnd));
        if (buffer.size() < total)
            return true;
        m_lastRequest = buffer.left(total);
        buffer.remove(0, total);
        ++m_requests;
        if (m_answer.isEmpty())
            continue;
        socket->write(m_answer);
        if (closesConnection(m_answer))
            return false;
    }
}

#include "TlsTestServer.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>

TlsTestServer::TlsTestServer(QObject *parent) : QTcpServer(parent) {}

bool TlsTestServer::start()
{
    return QSslSocket::supportsSsl() && listen(QHostAddress::LocalHost, 0);
}

namespace {

QByteArray readData(const char *name)
{
    QFile file(QStringLiteral(JOURNY_TEST_DATA_DIR "/") + QLatin1String(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

void TlsTestServer::incomingConnection(qintptr socketDescriptor)
{
    auto *socket = new QSslSocket(this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    socket->setLocalCertificate(QSslCertificate(readData("selfsigned.crt"), QSsl::Pem));
    socket->setPrivateKey(QSslKey(readData("selfsigned.key"), QSsl::Rsa, QSsl::Pem));
    connect(socket, &QSslSocket::encrypted, this, [this] { ++m_encrypted; });
    connect(socket, &QSslSocket::readyRead, this,
            [this, socket] { m_decryptedBytes += socket->readAll().size(); });
    connect(socket, &QSslSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QSslSocket::errorOccurred, socket, [socket] { socket->disconnectFromHost(); });
    socket->startServerEncryption();
}

#pragma once

#include <QTcpServer>

// An HTTPS endpoint on 127.0.0.1 with a self-signed certificate no client trusts. It counts
// handshakes that completed and HTTP bytes it decrypted, so a test can prove that a client that
// met the certificate error sent nothing (in particular not its API key).
class TlsTestServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit TlsTestServer(QObject *parent = nullptr);

    bool start();
    int encryptedConnections() const { return m_encrypted; }
    qint64 decryptedBytes() const { return m_decryptedBytes; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    int m_encrypted = 0;
    qint64 m_decryptedBytes = 0;
};

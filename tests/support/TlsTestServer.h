#pragma once

#include <QByteArray>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTcpServer>

// An HTTPS endpoint on 127.0.0.1. By default its certificate is self-signed and no client trusts it;
// it counts handshakes that completed and HTTP bytes it decrypted, so a test can prove that a client
// that met the certificate error sent nothing (in particular not its API key).
//
// certName picks another pair from tests/data, <certName>.crt and <certName>.key: with
// "ca-signed-localhost" (CN and subjectAltName localhost / 127.0.0.1, issued by test-ca.crt) a client
// succeeds only once it trusts test-ca.crt, as behind a corporate TLS-inspecting proxy.
//
// With setAnswer() it also speaks just enough HTTP: after each complete request (header block, then
// Content-Length bytes of body; chunked request bodies are not understood) it writes the raw response
// given, and keeps the connection open for the next request unless the response says
// "Connection: close".
class TlsTestServer : public QTcpServer
{
    Q_OBJECT
public:
    explicit TlsTestServer(QObject *parent = nullptr, const QString &certName = QStringLiteral("selfsigned"));

    // Listens on 127.0.0.1 on a free port; false if there is no TLS backend. A certificate pair that
    // could not be read is only warned about, as before.
    bool start();
    int encryptedConnections() const { return m_encrypted; }
    qint64 decryptedBytes() const { return m_decryptedBytes; }

    // The raw bytes written after each complete request, status line to body, e.g.
    // "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}". Empty (the default) means never answer.
    void setAnswer(const QByteArray &rawHttpResponse) { m_answer = rawHttpResponse; }
    // The decrypted bytes of the last complete request (header block and body), whether answered or not.
    QByteArray lastRequest() const { return m_lastRequest; }
    // Complete requests decrypted so far.
    int requestsReceived() const { return m_requests; }
    QSslCertificate certificate() const { return m_certificate; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    // Takes every complete request off the front of buffer; returns false if the connection should close.
    bool takeRequests(QByteArray &buffer, QIODevice *socket);

    QSslCertificate m_certificate;
    QSslKey m_key;
    QByteArray m_answer;
    QByteArray m_lastRequest;
    int m_encrypted = 0;
    int m_requests = 0;
    qint64 m_decryptedBytes = 0;
};

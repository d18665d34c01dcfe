#pragma once

#include "sandbox/HttpRequestFramer.h"

#include <QTcpSocket>
#include <QTimer>

#include <functional>

// One client connection of the sandbox, as QtHttpServer sees it. The real socket (the wire) stays
// in here: what arrives is framed by HttpRequestFramer and handed on one whole, well-framed request
// at a time, so what QtHttpServer 6.4's parser gets wrong never reaches it: a second request
// hidden behind a body, broken framing, a head or body without end, and two pipelined requests
// read together (it would merge them into one). The server says when its answer is written
// (finishRequest); only then is the next request handed on, and after a request that asked to
// close, the connection closes. Errors are answered here, in the sandbox's JSON shape, with
// `Connection: close`.
class GuardedSocket : public QTcpSocket
{
    Q_OBJECT
public:
    class Settings
    {
    public:
        HttpRequestFramer::Limits limits;
        int headerTimeoutMs = 10000; // from the first byte of a request to the end of its head
        int idleTimeoutMs = 30000;   // between requests, and between reads of a body
        // Who refuses a connection over the cap, in its 503's message (the relay uses these too).
        QString serverName = QStringLiteral("The sandbox");
    };

    // onGone: called once, when the client's connection is gone (closed, aborted or timed out).
    GuardedSocket(qintptr descriptor, const Settings &settings, std::function<void()> onGone,
                  QObject *parent = nullptr);
    ~GuardedSocket() override;

    // The answer to the request handed on is written.
    void finishRequest();
    // Whether the connection closes after the answer to the request handed on.
    bool closesAfterAnswer() const { return m_closeAfter; }
    // Closes at once, dropping what is unsent (an injected fault).
    void abortConnection();
    // Answers with `status` and `message`, then closes (a refusal before any request, e.g. a 503).
    void refuse(int status, const QString &message);

    // Closes once what is written has been sent.
    void disconnectFromHost() override;
    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    enum class Phase
    {
        Idle, // between requests
        Head, // a request has begun; its head is not complete
        Body, // the head is in; the body is arriving
        Busy, // a request is with the server
        Closing,
    };

    void pump();
    void onTimeout();
    void closeAfterWriting();
    void halfClose();
    void onWireGone();

    QTcpSocket *m_wire = nullptr;
    Settings m_settings;
    std::function<void()> m_onGone;
    Phase m_phase = Phase::Head;
    QByteArray m_received; // from the start of the next request on
    QByteArray m_handedOn; // the request the server is reading
    bool m_closeAfter = false;
    bool m_gone = false;
    QTimer m_deadline;
    QTimer m_linger;
};

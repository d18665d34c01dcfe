#pragma once

#include "sandbox/GuardedSocket.h"

#include <QTcpServer>

// The sandbox's listening socket: every connection becomes a GuardedSocket, and beyond
// `maxConnections` open at once a client is answered 503 and closed at once, instead of waiting in
// a queue behind clients that may never finish.
class GuardedTcpServer : public QTcpServer
{
    Q_OBJECT
public:
    GuardedTcpServer(const GuardedSocket::Settings &settings, int maxConnections, QObject *parent = nullptr);

    int openConnections() const { return m_open; }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    static constexpr int AcceptRetryMs = 100;

    GuardedSocket::Settings m_settings;
    int m_maxConnections;
    int m_open = 0;
};

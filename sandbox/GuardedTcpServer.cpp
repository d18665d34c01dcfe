#include "sandbox/GuardedTcpServer.h"

#include <QPointer>
#include <QTimer>

GuardedTcpServer::GuardedTcpServer(const GuardedSocket::Settings &settings, int maxConnections,
                                   QObject *parent)
    : QTcpServer(parent), m_settings(settings), m_maxConnections(maxConnections)
{
    // The kernel's queue of connections not yet accepted: they are accepted (and answered, if
    // only with a 503) at once, so a queue the size of the cap absorbs a burst without the
    // kernel dropping connections; 50, Qt's default, drops them under a few hundred at once.
    setListenBacklogSize(qBound(128, maxConnections, 4096));
    // Out of file descriptors (or a like error), QTcpServer stops accepting for good; a server
    // must take connections again once some have closed.
    connect(this, &QTcpServer::acceptError, this,
            [this] { QTimer::singleShot(AcceptRetryMs, this, &QTcpServer::resumeAccepting); });
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (m_open >= m_maxConnections) {
        auto *socket = new GuardedSocket(descriptor, m_settings, nullptr, this);
        socket->refuse(503, QStringLiteral("%1 is serving its limit of %2 connections; try again shortly")
                                .arg(m_settings.serverName)
                                .arg(m_maxConnections));
        connect(socket, &GuardedSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++m_open;
    // Counted free as soon as the client is gone, not when Qt gets round to deleting the socket.
    // A callback, not a signal: QtHttpServer may disconnect every signal of a socket.
    auto *socket = new GuardedSocket(
        descriptor, m_settings,
        [server = QPointer<GuardedTcpServer>(this)] {
            if (server)
                --server->m_open;
        },
        this);
    addPendingConnection(socket);
}

#include "GuardedTcpServer.h"

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
    auto *socket = new GuardedSocket(descriptor, m_settings, this);
    if (m_open >= m_maxConnections) {
        socket->refuse(503, QStringLiteral("The sandbox is serving its limit of %1 connections; try again "
                                           "shortly")
                                .arg(m_maxConnections));
        connect(socket, &GuardedSocket::disconnected, socket, &QObject::deleteLater);
        return;
    }
    ++m_open;
    // Counted free as soon as the client is gone, not when Qt gets round to deleting the socket.
    connect(socket, &GuardedSocket::disconnected, this, [this] { --m_open; });
    addPendingConnection(socket);
}

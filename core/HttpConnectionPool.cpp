#include "HttpConnectionPool.h"

#include "HttpConnection.h"

#include <algorithm>

HttpConnectionPool::HttpConnectionPool(QObject *parent)
    : HttpConnectionPool(DefaultMaxPerOrigin, DefaultIdleTimeoutMs, parent)
{}

HttpConnectionPool::HttpConnectionPool(int maxPerOrigin, int idleTimeoutMs, QObject *parent)
    : QObject(parent), m_maxPerOrigin(std::max(1, maxPerOrigin)), m_idleTimeoutMs(std::max(0, idleTimeoutMs))
{
    // A sweep rather than a timer per connection: starting and stopping one per call would cost
    // more than the calls it tracks.
    m_sweep.setInterval(std::max(50, m_idleTimeoutMs / 4));
    connect(&m_sweep, &QTimer::timeout, this, &HttpConnectionPool::closeIdleOverTimeout);
}

HttpConnectionPool::~HttpConnectionPool()
{
    // Connections are children and go with the pool; requesters still waiting hit their deadline.
    for (Origin &origin : m_origins) {
        for (const Idle &idle : std::as_const(origin.idle))
            idle.connection->disconnect(this);
    }
}

QString HttpConnectionPool::keyFor(const QUrl &url, Origin *origin)
{
    origin->tls = url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    origin->host = url.host();
    origin->port = static_cast<quint16>(url.port(origin->tls ? 443 : 80));
    return HttpConnection::originKey(origin->tls, origin->host, origin->port);
}

void HttpConnectionPool::acquire(const QUrl &url, QObject *requester, Ready ready, bool fresh)
{
    Origin parsed;
    const QString key = keyFor(url, &parsed);
    auto it = m_origins.find(key);
    if (it == m_origins.end())
        it = m_origins.insert(key, parsed);
    Origin &origin = *it;
    Waiter waiter{requester, std::move(ready), fresh};
    if (!fresh && !origin.idle.isEmpty()) {
        // The most recently used: the least likely to have been closed by the server meanwhile.
        HttpConnection *connection = origin.idle.takeLast().connection;
        ++origin.busy;
        hand(connection, std::move(waiter));
        return;
    }
    if (fresh && origin.busy + origin.idle.size() >= m_maxPerOrigin && !origin.idle.isEmpty())
        discard(origin.idle.takeFirst().connection); // makes room
    if (origin.busy + origin.idle.size() < m_maxPerOrigin) {
        ++origin.busy;
        hand(create(origin), std::move(waiter));
        return;
    }
    origin.waiters.push_back(std::move(waiter));
}

void HttpConnectionPool::cancelAcquire(QObject *requester)
{
    for (Origin &origin : m_origins) {
        origin.waiters.erase(
            std::remove_if(origin.waiters.begin(), origin.waiters.end(),
                           [requester](const Waiter &waiter) { return waiter.requester == requester; }),
            origin.waiters.end());
    }
}

HttpConnection *HttpConnectionPool::create(Origin &origin)
{
    auto *connection = new HttpConnection(origin.tls, origin.host, origin.port, this);
    connect(connection, &HttpConnection::lost, this, [this, connection] { onLost(connection); });
    return connection;
}

void HttpConnectionPool::hand(HttpConnection *connection, Waiter waiter)
{
    // Queued, so a caller's send() returns before anything can finish, and a requester deleted
    // meanwhile hands the connection straight back.
    QPointer<HttpConnection> guard(connection);
    QMetaObject::invokeMethod(
        this,
        [this, guard, waiter = std::move(waiter)] {
            if (!guard)
                return;
            if (!waiter.requester) {
                release(guard);
                return;
            }
            waiter.ready(guard);
        },
        Qt::QueuedConnection);
}

void HttpConnectionPool::release(HttpConnection *connection)
{
    if (!connection)
        return;
    const auto it = m_origins.find(connection->originKey());
    if (it == m_origins.end()) {
        discard(connection);
        return;
    }
    Origin &origin = *it;
    origin.busy = std::max(0, origin.busy - 1);
    if (connection->isReusable()) {
        if (!origin.waiters.empty() && !origin.waiters.front().fresh) {
            Waiter waiter = std::move(origin.waiters.front());
            origin.waiters.pop_front();
            ++origin.busy;
            hand(connection, std::move(waiter));
            return;
        }
        Idle idle;
        idle.connection = connection;
        idle.since.start();
        origin.idle.append(idle);
        if (!m_sweep.isActive())
            m_sweep.start();
    } else {
        discard(connection);
    }
    serveWaiters(origin);
}

void HttpConnectionPool::serveWaiters(Origin &origin)
{
    while (!origin.waiters.empty()) {
        if (!origin.waiters.front().requester) {
            origin.waiters.pop_front();
            continue;
        }
        if (!origin.waiters.front().fresh && !origin.idle.isEmpty()) {
            Waiter waiter = std::move(origin.waiters.front());
            origin.waiters.pop_front();
            ++origin.busy;
            hand(origin.idle.takeLast().connection, std::move(waiter));
            continue;
        }
        if (origin.busy + origin.idle.size() >= m_maxPerOrigin && !origin.idle.isEmpty())
            discard(origin.idle.takeFirst().connection);
        if (origin.busy + origin.idle.size() >= m_maxPerOrigin)
            return;
        Waiter waiter = std::move(origin.waiters.front());
        origin.waiters.pop_front();
        ++origin.busy;
        hand(create(origin), std::move(waiter));
    }
}

void HttpConnectionPool::onLost(HttpConnection *connection)
{
    const auto it = m_origins.find(connection->originKey());
    if (it == m_origins.end())
        return;
    QList<Idle> &idle = it->idle;
    for (qsizetype i = 0; i < idle.size(); ++i) {
        if (idle.at(i).connection == connection) {
            idle.removeAt(i);
            discard(connection);
            serveWaiters(*it);
            return;
        }
    }
}

void HttpConnectionPool::closeIdleOverTimeout()
{
    bool anyIdle = false;
    for (Origin &origin : m_origins) {
        // Oldest first: the list is in the order they went idle.
        while (!origin.idle.isEmpty() && origin.idle.first().since.hasExpired(m_idleTimeoutMs))
            discard(origin.idle.takeFirst().connection);
        anyIdle = anyIdle || !origin.idle.isEmpty();
    }
    if (!anyIdle)
        m_sweep.stop();
}

void HttpConnectionPool::discard(HttpConnection *connection)
{
    connection->disconnect(this);
    connection->abort();
    connection->deleteLater();
}

int HttpConnectionPool::idleCount() const
{
    int count = 0;
    for (const Origin &origin : m_origins)
        count += static_cast<int>(origin.idle.size());
    return count;
}

int HttpConnectionPool::connectionCount() const
{
    int count = 0;
    for (const Origin &origin : m_origins)
        count += static_cast<int>(origin.idle.size()) + origin.busy;
    return count;
}

#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <functional>

class HttpConnection;

// Keeps HTTP connections alive between calls, per origin (scheme, host, port), so a bulk import
// pays for TCP and TLS set-up once per connection rather than once per row. At most
// maxPerOrigin connections per origin (as browsers and QNetworkAccessManager: 6): a call that
// finds them all busy waits for the first to come free. Idle connections are watched: one the
// server closes, or that sends anything while idle, is dropped at once; one idle longer than
// idleTimeoutMs is closed by us, before a server's own keep-alive timeout is likely to close it
// under a request (see JournyClient.h on that race).
//
// Shared the way QNetworkAccessManager was: one per console session for all its profiles'
// clients, or one per client. The pool owns its connections.
class HttpConnectionPool : public QObject
{
    Q_OBJECT
public:
    // Under Node's default server keep-alive timeout (5 s), the shortest common one.
    static constexpr int DefaultIdleTimeoutMs = 4000;
    static constexpr int DefaultMaxPerOrigin = 6;

    explicit HttpConnectionPool(QObject *parent = nullptr);
    HttpConnectionPool(int maxPerOrigin, int idleTimeoutMs, QObject *parent = nullptr);
    ~HttpConnectionPool() override;

    using Ready = std::function<void(HttpConnection *)>;
    // Calls ready with a connection to url's origin for one exchange: an idle one, a new one, or
    // the first that comes free. Always from the event loop, never inside acquire(). fresh: never
    // an idle one. ready is not called once requester is gone or cancelAcquire(requester) ran.
    void acquire(const QUrl &url, QObject *requester, Ready ready, bool fresh = false);
    void cancelAcquire(QObject *requester);
    // Every acquired connection comes back here, after its exchange or after abort(): kept for the
    // next call when it may be reused, else closed.
    void release(HttpConnection *connection);

    // For tests and diagnostics.
    int idleCount() const;
    int connectionCount() const;

private:
    class Waiter
    {
    public:
        QPointer<QObject> requester;
        Ready ready;
        bool fresh = false;
    };
    class Idle
    {
    public:
        HttpConnection *connection = nullptr;
        QElapsedTimer since;
    };
    class Origin
    {
    public:
        bool tls = false;
        QString host;
        quint16 port = 0;
        QList<Idle> idle; // most recently used last
        int busy = 0;
        std::deque<Waiter> waiters;
    };

    static QString keyFor(const QUrl &url, Origin *origin);
    HttpConnection *create(Origin &origin);
    void hand(HttpConnection *connection, Waiter waiter);
    void serveWaiters(Origin &origin);
    void onLost(HttpConnection *connection);
    void closeIdleOverTimeout();
    void discard(HttpConnection *connection);

    const int m_maxPerOrigin;
    const int m_idleTimeoutMs;
    QHash<QString, Origin> m_origins;
    QTimer m_sweep;
};

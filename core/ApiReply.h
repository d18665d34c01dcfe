#pragma once

#include "ApiResult.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class HttpConnection;
class HttpConnectionPool;
class HttpResponse;

// One call in flight, like QNetworkReply for journy.io: finished() fires exactly once, always
// asynchronously (even for calls refused before sending), with the call's ApiResult. The
// JournyClient that made it is its parent; callers may deleteLater() it once finished.
class ApiReply : public QObject
{
    Q_OBJECT
public:
    ~ApiReply() override;

    bool isFinished() const { return m_finished; }
    const ApiResult &result() const { return m_result; }
    // Aborts the call; finished() follows with Failure::Cancelled.
    void cancel();

signals:
    void finished(const ApiResult &result);

private:
    friend class JournyClient;
    ApiReply(const ApiResult &prepared, QObject *parent);

    // Finishes on the next event-loop turn without sending anything.
    void finishUnsent();
    // Sends request (the complete HTTP/1.1 bytes) to url's origin over a connection of pool.
    // resendable: the method is idempotent, so a stale keep-alive may be retried (JournyClient.h).
    void start(HttpConnectionPool *pool, const QUrl &url, const QByteArray &request, bool headRequest,
               bool resendable, int timeoutMs, qint64 maxResponseBytes);
    void acquire(bool fresh);
    void onConnection(HttpConnection *connection);
    void onExchangeFinished();
    void abortWith(ApiResult::Failure reason, const QString &detail);
    // Takes status, headers, body and rate-limit state of the answer as far as it arrived.
    void takeAnswer(HttpResponse response);
    void classify(const HttpResponse &response);
    void releaseConnection();
    void complete();

    ApiResult m_result;
    QPointer<HttpConnectionPool> m_pool;
    QPointer<HttpConnection> m_connection;
    QUrl m_url;
    QByteArray m_request;
    bool m_headRequest = false;
    bool m_resendable = false;
    bool m_resent = false;
    bool m_started = false;
    QTimer m_deadline;
    QElapsedTimer m_clock;
    qint64 m_maxResponseBytes = 0;
    bool m_finished = false;
};

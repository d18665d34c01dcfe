#include "ApiReply.h"

#include "HttpConnection.h"
#include "HttpConnectionPool.h"
#include "ResponseParser.h"

ApiReply::ApiReply(const ApiResult &prepared, QObject *parent) : QObject(parent), m_result(prepared)
{
    m_deadline.setSingleShot(true);
}

ApiReply::~ApiReply()
{
    // Deleted mid-call (its client went away): the connection is in an unknown state, so it is
    // closed, never handed to the next call.
    if (m_connection) {
        m_connection->abort();
        if (m_pool)
            m_pool->release(m_connection);
    } else if (m_pool) {
        m_pool->cancelAcquire(this);
    }
}

void ApiReply::finishUnsent()
{
    QMetaObject::invokeMethod(this, &ApiReply::complete, Qt::QueuedConnection);
}

void ApiReply::start(HttpConnectionPool *pool, const QUrl &url, const QByteArray &request, bool headRequest,
                     bool resendable, int timeoutMs, qint64 maxResponseBytes)
{
    m_started = true;
    m_pool = pool;
    m_url = url;
    m_request = request;
    m_headRequest = headRequest;
    m_resendable = resendable;
    m_maxResponseBytes = maxResponseBytes;
    m_clock.start();
    // A total deadline, not an inactivity timeout: a server trickling one byte a second must not
    // hold a call for ever. It covers waiting for a free connection, connecting and the answer.
    connect(&m_deadline, &QTimer::timeout, this, [this, timeoutMs] {
        abortWith(ApiResult::Failure::Timeout,
                  QStringLiteral("No complete answer within %1 s").arg(timeoutMs / 1000.0, 0, 'g', 3));
    });
    m_deadline.start(timeoutMs);
    acquire(false);
}

void ApiReply::acquire(bool fresh)
{
    QPointer<ApiReply> self(this);
    m_pool->acquire(
        m_url, this,
        [self](HttpConnection *connection) {
            if (self)
                self->onConnection(connection);
        },
        fresh);
}

void ApiReply::onConnection(HttpConnection *connection)
{
    if (m_finished || !m_pool) {
        // Cancelled while waiting: the connection is untouched, and goes back as it came.
        if (m_pool)
            m_pool->release(connection);
        else
            connection->abort();
        return;
    }
    m_connection = connection;
    connect(connection, &HttpConnection::finished, this, &ApiReply::onExchangeFinished);
    connection->send(m_request, m_headRequest, m_maxResponseBytes);
}

void ApiReply::cancel()
{
    if (m_finished)
        return;
    if (!m_started) {
        m_result.failure = ApiResult::Failure::Cancelled;
        m_result.failureDetail = QStringLiteral("Cancelled before it was sent");
        return;
    }
    abortWith(ApiResult::Failure::Cancelled, QStringLiteral("Cancelled"));
}

void ApiReply::abortWith(ApiResult::Failure reason, const QString &detail)
{
    if (m_finished)
        return;
    m_deadline.stop();
    m_result.latencyMs = m_clock.elapsed();
    if (m_connection) {
        // Whatever of the answer arrived (a status, rate-limit headers) is still worth showing.
        m_connection->disconnect(this);
        m_connection->abort();
        takeAnswer(m_connection->takeResponse());
        releaseConnection();
    } else if (m_pool) {
        m_pool->cancelAcquire(this);
    }
    m_result.failure = reason;
    m_result.failureDetail = detail;
    complete();
}

void ApiReply::onExchangeFinished()
{
    HttpConnection *connection = m_connection;
    if (m_finished || !connection)
        return;
    connection->disconnect(this);
    HttpResponse response = connection->takeResponse();
    if (response.error == HttpResponse::Error::ClosedBeforeAnswer && connection->wasReused() &&
        m_resendable && !m_resent) {
        // A kept-alive connection the server closed just as the request went out: an idempotent
        // request is sent once more on a new connection (see JournyClient.h).
        m_resent = true;
        releaseConnection();
        acquire(true);
        return;
    }
    m_deadline.stop();
    m_result.latencyMs = m_clock.elapsed();
    releaseConnection();
    classify(response);
    takeAnswer(std::move(response));
    complete();
}

void ApiReply::releaseConnection()
{
    HttpConnection *connection = m_connection;
    m_connection = nullptr;
    if (connection && m_pool)
        m_pool->release(connection);
}

void ApiReply::takeAnswer(HttpResponse response)
{
    bool ok = false;
    const int limit = response.header("X-RateLimit-Limit").toInt(&ok);
    if (ok) {
        const int remaining = response.header("X-RateLimit-Remaining").toInt(&ok);
        if (ok) {
            m_result.rateLimit.limit = limit;
            m_result.rateLimit.remaining = remaining;
            m_result.rateLimit.observedAt = QDateTime::currentDateTimeUtc();
        }
    }
    m_result.httpStatus = response.status;
    m_result.responseHeaders = std::move(response.headers);
    m_result.responseBody = std::move(response.body);
}

void ApiReply::classify(const HttpResponse &response)
{
    using Failure = ApiResult::Failure;
    using Error = HttpResponse::Error;
    switch (response.error) {
    case Error::None:
        m_result.httpStatus = response.status;
        if (response.status >= 300 && response.status < 400) {
            m_result.failure = Failure::Redirected;
            m_result.failureDetail =
                QStringLiteral("HTTP %1 redirect to '%2' was not followed, so the API key "
                               "stays with the host you chose; check the base URL")
                    .arg(response.status)
                    .arg(QString::fromUtf8(response.header("Location")));
            return;
        }
        ResponseParser::parseBody(&m_result, response.body, response.header("Content-Type"));
        return;
    case Error::ConnectionRefused:
        m_result.failure = Failure::ConnectionRefused;
        m_result.failureDetail = QStringLiteral("Connection refused: %1").arg(response.errorString);
        return;
    case Error::HostNotFound:
        m_result.failure = Failure::HostNotFound;
        m_result.failureDetail =
            QStringLiteral("Host not found: %1 (%2)").arg(m_url.host(), response.errorString);
        return;
    case Error::Tls:
        m_result.failure = Failure::Tls;
        m_result.failureDetail = QStringLiteral("TLS error: %1").arg(response.errorString);
        return;
    case Error::ClosedBeforeAnswer:
        m_result.failure = Failure::ConnectionReset;
        m_result.failureDetail =
            QStringLiteral("The connection closed before an answer: %1").arg(response.errorString);
        return;
    case Error::ClosedMidAnswer:
        m_result.failure = Failure::TruncatedBody;
        if (response.status == 0)
            m_result.failureDetail =
                QStringLiteral("The connection closed in the middle of the answer's headers: %1")
                    .arg(response.errorString);
        else if (response.contentLength >= 0)
            m_result.failureDetail = QStringLiteral("The answer stopped after %1 of %2 bytes")
                                         .arg(response.body.size())
                                         .arg(response.contentLength);
        else
            m_result.failureDetail = QStringLiteral("The connection closed after %1 bytes of the answer: %2")
                                         .arg(response.body.size())
                                         .arg(response.errorString);
        return;
    case Error::HeadersTooLarge:
        m_result.failure = Failure::BodyTooLarge;
        m_result.failureDetail = QStringLiteral("Reading stopped: %1").arg(response.errorString);
        return;
    case Error::BodyTooLarge:
        m_result.failure = Failure::BodyTooLarge;
        if (response.contentLength > m_maxResponseBytes)
            m_result.failureDetail =
                QStringLiteral("The answer announces %1 bytes, over the %2-byte cap; it was not read")
                    .arg(response.contentLength)
                    .arg(m_maxResponseBytes);
        else
            m_result.failureDetail = QStringLiteral("The answer grew over the %1-byte cap; reading stopped")
                                         .arg(m_maxResponseBytes);
        return;
    case Error::Protocol:
        m_result.failure = Failure::Network;
        m_result.failureDetail = QStringLiteral("The answer is not valid HTTP: %1").arg(response.errorString);
        return;
    case Error::Network:
        m_result.failure = Failure::Network;
        m_result.failureDetail = response.errorString;
        return;
    }
}

void ApiReply::complete()
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(m_result);
}

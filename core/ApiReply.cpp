#include "ApiReply.h"

#include "ResponseParser.h"

#include <QNetworkReply>
#include <QSslError>

ApiReply::ApiReply(const ApiResult &prepared, QObject *parent) : QObject(parent), m_result(prepared)
{
    m_deadline.setSingleShot(true);
}

void ApiReply::finishUnsent()
{
    QMetaObject::invokeMethod(this, &ApiReply::complete, Qt::QueuedConnection);
}

void ApiReply::attach(QNetworkReply *reply, int timeoutMs, qint64 maxResponseBytes)
{
    m_reply = reply;
    m_maxResponseBytes = maxResponseBytes;
    m_clock.start();
    reply->setParent(this);
    // Bounds what Qt buffers ahead of us, so the size cap bounds memory too.
    reply->setReadBufferSize(256 * 1024);
    connect(reply, &QNetworkReply::metaDataChanged, this, &ApiReply::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ApiReply::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ApiReply::onNetworkFinished);
    // TLS errors are collected for the message and never ignored: the handshake then fails.
    connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            m_tlsErrors.append(error.errorString());
    });
    // A total deadline, not Qt's inactivity timeout: a server trickling one byte a second
    // must not hold a call for ever.
    connect(&m_deadline, &QTimer::timeout, this, [this, timeoutMs] {
        abortWith(ApiResult::Failure::Timeout,
                  QStringLiteral("No complete answer within %1 s").arg(timeoutMs / 1000.0, 0, 'g', 3));
    });
    m_deadline.start(timeoutMs);
}

void ApiReply::cancel()
{
    if (m_finished)
        return;
    if (!m_reply) {
        m_result.failure = ApiResult::Failure::Cancelled;
        m_result.failureDetail = QStringLiteral("Cancelled before it was sent");
        return;
    }
    abortWith(ApiResult::Failure::Cancelled, QStringLiteral("Cancelled"));
}

void ApiReply::abortWith(ApiResult::Failure reason, const QString &detail)
{
    if (m_abortReason != ApiResult::Failure::None || !m_reply)
        return;
    m_abortReason = reason;
    m_abortDetail = detail;
    m_reply->abort(); // emits finished() synchronously
}

void ApiReply::onMetaDataChanged()
{
    const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() > m_maxResponseBytes)
        abortWith(ApiResult::Failure::BodyTooLarge,
                  QStringLiteral("The answer announces %1 bytes, over the %2-byte cap; it was not read")
                      .arg(length.toLongLong())
                      .arg(m_maxResponseBytes));
}

void ApiReply::onReadyRead()
{
    // Never more than one byte past the cap, however much the socket has buffered.
    m_body.append(m_reply->read(m_maxResponseBytes + 1 - m_body.size()));
    if (m_body.size() > m_maxResponseBytes)
        abortWith(
            ApiResult::Failure::BodyTooLarge,
            QStringLiteral("The answer grew over the %1-byte cap; reading stopped").arg(m_maxResponseBytes));
}

void ApiReply::onNetworkFinished()
{
    if (m_finished)
        return;
    // Reading the rest may still hit the cap and abort; the reply must not call back in here.
    m_reply->disconnect(this);
    m_deadline.stop();
    m_result.latencyMs = m_clock.elapsed();
    if (m_abortReason == ApiResult::Failure::None)
        onReadyRead();

    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    m_result.httpStatus = status.isValid() ? status.toInt() : 0;
    for (const auto &pair : m_reply->rawHeaderPairs())
        m_result.responseHeaders.append(pair);
    m_result.responseBody = m_body;

    bool ok = false;
    const int limit = m_reply->rawHeader("X-RateLimit-Limit").trimmed().toInt(&ok);
    if (ok) {
        const int remaining = m_reply->rawHeader("X-RateLimit-Remaining").trimmed().toInt(&ok);
        if (ok) {
            m_result.rateLimit.limit = limit;
            m_result.rateLimit.remaining = remaining;
            m_result.rateLimit.observedAt = QDateTime::currentDateTimeUtc();
        }
    }

    if (m_abortReason != ApiResult::Failure::None) {
        m_result.failure = m_abortReason;
        m_result.failureDetail = m_abortDetail;
    } else {
        classifyNetworkError();
    }
    complete();
}

void ApiReply::classifyNetworkError()
{
    using Failure = ApiResult::Failure;
    const QNetworkReply::NetworkError error = m_reply->error();
    const bool answered = m_result.httpStatus > 0;
    // Qt reports 4xx/5xx statuses as content, protocol and server errors (400 even as
    // ProtocolInvalidOperationError): those are answers with a body to read, not transport
    // failures. Only a protocol failure after the status line means the answer broke off.
    const bool httpLevel =
        error == QNetworkReply::NoError ||
        (answered && error >= QNetworkReply::ContentAccessDenied && error != QNetworkReply::ProtocolFailure);
    if (httpLevel) {
        const QVariant length = m_reply->header(QNetworkRequest::ContentLengthHeader);
        // A 204 has no body by definition (RFC 9110), so Qt reads none whatever its header says.
        if (m_result.httpStatus != 204 && length.isValid() && length.toLongLong() > m_body.size()) {
            m_result.failure = Failure::TruncatedBody;
            m_result.failureDetail = QStringLiteral("The answer stopped after %1 of %2 bytes")
                                         .arg(m_body.size())
                                         .arg(length.toLongLong());
            return;
        }
        if (m_result.httpStatus >= 300 && m_result.httpStatus < 400) {
            m_result.failure = Failure::Redirected;
            m_result.failureDetail =
                QStringLiteral("HTTP %1 redirect to '%2' was not followed, so the API key "
                               "stays with the host you chose; check the base URL")
                    .arg(m_result.httpStatus)
                    .arg(QString::fromUtf8(m_reply->rawHeader("Location")));
            return;
        }
        ResponseParser::parseBody(&m_result, m_body, m_reply->rawHeader("Content-Type"));
        return;
    }

    const QString qtMessage = m_reply->errorString();
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        m_result.failure = Failure::ConnectionRefused;
        m_result.failureDetail = QStringLiteral("Connection refused: %1").arg(qtMessage);
        return;
    case QNetworkReply::HostNotFoundError:
        m_result.failure = Failure::HostNotFound;
        m_result.failureDetail = QStringLiteral("Host not found: %1").arg(qtMessage);
        return;
    case QNetworkReply::TimeoutError:
        m_result.failure = Failure::Timeout;
        m_result.failureDetail = QStringLiteral("Timed out: %1").arg(qtMessage);
        return;
    case QNetworkReply::SslHandshakeFailedError:
        m_result.failure = Failure::Tls;
        m_result.failureDetail =
            QStringLiteral("TLS error: %1")
                .arg(m_tlsErrors.isEmpty() ? qtMessage : m_tlsErrors.join(QLatin1String("; ")));
        return;
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::ProtocolFailure:
    case QNetworkReply::UnknownNetworkError:
        if (answered) {
            m_result.failure = Failure::TruncatedBody;
            m_result.failureDetail = QStringLiteral("The connection closed after %1 bytes of the answer: %2")
                                         .arg(m_body.size())
                                         .arg(qtMessage);
        } else {
            m_result.failure = Failure::ConnectionReset;
            m_result.failureDetail =
                QStringLiteral("The connection closed before an answer: %1").arg(qtMessage);
        }
        return;
    default:
        break;
    }
    if (!m_tlsErrors.isEmpty()) {
        m_result.failure = Failure::Tls;
        m_result.failureDetail = QStringLiteral("TLS error: %1").arg(m_tlsErrors.join(QLatin1String("; ")));
        return;
    }
    m_result.failure = Failure::Network;
    m_result.failureDetail = qtMessage;
}

void ApiReply::complete()
{
    if (m_finished)
        return;
    m_finished = true;
    emit finished(m_result);
}

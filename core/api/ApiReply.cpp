#include "api/ApiReply.h"

#include "api/ProxyResolver.h"
#include "api/ResponseParser.h"
#include "api/RetryPolicy.h"
#include "api/ServerText.h"

#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslError>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

namespace {

QString protocolName(QSsl::SslProtocol protocol)
{
    switch (protocol) {
    case QSsl::TlsV1_2:
        return QStringLiteral("TLS 1.2");
    case QSsl::TlsV1_3:
        return QStringLiteral("TLS 1.3");
    case QSsl::DtlsV1_2:
        return QStringLiteral("DTLS 1.2");
    default:
        return QStringLiteral("TLS");
    }
}

QString certificateName(const QSslCertificate &certificate, bool issuer)
{
    const QString name = issuer ? certificate.issuerDisplayName() : certificate.subjectDisplayName();
    return name.isEmpty() ? QStringLiteral("(unnamed)") : name;
}

// One wording per transport failure, naming where the call went: host:port, then the URL
// ("Connection refused by 127.0.0.1:9 (http://127.0.0.1:9/validate)"). The console and the CLI
// both show failureDetail; Qt's own text ("Connection refused") would only repeat the kind.
QString transportFailure(ApiResult::Failure failure, const QString &requestUrl, int timeoutMs)
{
    const QUrl url(requestUrl);
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    const QString hostPort = QStringLiteral("%1:%2")
                                 .arg(url.authority(QUrl::RemoveUserInfo | QUrl::RemovePort))
                                 .arg(url.port(defaultPort));
    switch (failure) {
    case ApiResult::Failure::ConnectionRefused:
        return QStringLiteral("Connection refused by %1 (%2)").arg(hostPort, requestUrl);
    case ApiResult::Failure::HostNotFound:
        return QStringLiteral("Host not found: %1 (%2)").arg(hostPort, requestUrl);
    case ApiResult::Failure::Timeout:
        return QStringLiteral("No complete answer from %1 within %2 s (%3)")
            .arg(hostPort, QString::number(timeoutMs / 1000.0, 'g', 3), requestUrl);
    default:
        return QStringLiteral("The connection to %1 closed before an answer (%2)").arg(hostPort, requestUrl);
    }
}

} // namespace

ApiReply::ApiReply(const ApiResult &prepared, QObject *parent) : QObject(parent), m_result(prepared)
{
    m_deadline.setSingleShot(true);
}

ApiReply::~ApiReply()
{
    // The look-up thread cannot be stopped; its result is simply dropped with the watcher.
    if (m_routeLookup)
        m_routeLookup->disconnect(this);
}

void ApiReply::finishUnsent()
{
    QMetaObject::invokeMethod(this, &ApiReply::complete, Qt::QueuedConnection);
}

void ApiReply::startClock(int timeoutMs, qint64 maxResponseBytes)
{
    m_maxResponseBytes = maxResponseBytes;
    m_clock.start();
    // A total deadline, not Qt's inactivity timeout (setTransferTimeout): a server trickling one
    // byte a second must not hold a call for ever. It covers the proxy look-up, connecting, the
    // proxy's login, TLS and the whole answer.
    connect(&m_deadline, &QTimer::timeout, this, [this, timeoutMs] {
        abortWith(ApiResult::Failure::Timeout,
                  transportFailure(ApiResult::Failure::Timeout, m_result.requestUrl, timeoutMs));
    });
    m_deadline.start(timeoutMs);
}

void ApiReply::resolveRouteThen(const NetworkSettings &settings, const QProcessEnvironment &environment,
                                const QUrl &url, std::function<void(const QNetworkProxy &)> dispatch)
{
    m_routeLookup = new QFutureWatcher<QNetworkProxy>(this);
    connect(m_routeLookup, &QFutureWatcher<QNetworkProxy>::finished, this, [this, dispatch] {
        const QNetworkProxy proxy = m_routeLookup->result();
        m_routeLookup->deleteLater();
        m_routeLookup = nullptr;
        if (!m_finished) // else cancelled or timed out during the look-up
            dispatch(proxy);
    });
    m_routeLookup->setFuture(QtConcurrent::run(
        [settings, environment, url] { return ProxyResolver::lookUp(settings, environment, url); }));
}

void ApiReply::attach(QNetworkReply *reply, const QString &route)
{
    m_reply = reply;
    m_result.route = route;
    reply->setParent(this);
    // Bounds what Qt buffers ahead of us, so the size cap bounds memory too.
    reply->setReadBufferSize(256 * 1024);
    connect(reply, &QNetworkReply::metaDataChanged, this, &ApiReply::onMetaDataChanged);
    connect(reply, &QNetworkReply::readyRead, this, &ApiReply::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &ApiReply::onNetworkFinished);
    // Qt 6.4 forgets the negotiated protocol by the time the reply finishes: read it here.
    connect(reply, &QNetworkReply::encrypted, this, &ApiReply::readTlsSession);
    // TLS errors are collected for the message and never ignored: the handshake then fails.
    connect(reply, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
        for (const QSslError &error : errors) {
            const QSslCertificate certificate = error.certificate();
            QString text = error.errorString();
            if (!certificate.isNull())
                text += QStringLiteral(" (certificate '%1' issued by '%2')")
                            .arg(certificateName(certificate, false), certificateName(certificate, true));
            m_tlsErrors.append(text);
            switch (error.error()) {
            case QSslError::UnableToGetIssuerCertificate:
            case QSslError::UnableToGetLocalIssuerCertificate:
            case QSslError::UnableToVerifyFirstCertificate:
            case QSslError::SelfSignedCertificate:
            case QSslError::SelfSignedCertificateInChain:
            case QSslError::CertificateUntrusted:
                m_issuerUnknown = true;
                break;
            default:
                break;
            }
        }
    });
}

void ApiReply::cancel()
{
    if (m_finished)
        return;
    if (!m_clock.isValid()) {
        // Not started: JournyClient refused it before sending and finishes it unsent.
        m_result.failure = ApiResult::Failure::Cancelled;
        m_result.failureDetail = QStringLiteral("Cancelled before it was sent");
        return;
    }
    abortWith(ApiResult::Failure::Cancelled, QStringLiteral("Cancelled"));
}

void ApiReply::abortWith(ApiResult::Failure reason, const QString &detail)
{
    if (m_finished || m_abortReason != ApiResult::Failure::None)
        return;
    m_abortReason = reason;
    m_abortDetail = detail;
    if (m_reply) {
        m_reply->abort(); // emits finished() synchronously
        return;
    }
    // Still looking the route up: nothing went out.
    m_deadline.stop();
    m_result.latencyMs = m_clock.elapsed();
    m_result.failure = reason;
    m_result.failureDetail = detail;
    complete();
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
    readTlsSession();

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

    if (const auto retryAfter =
            RetryPolicy::retryAfterMs(m_reply->rawHeader("Retry-After"), QDateTime::currentDateTimeUtc()))
        m_result.retryAfterMs = *retryAfter;

    if (m_abortReason != ApiResult::Failure::None) {
        m_result.failure = m_abortReason;
        m_result.failureDetail = m_abortDetail;
    } else {
        classifyNetworkError();
    }
    complete();
}

void ApiReply::readTlsSession()
{
    if (m_reply->url().scheme() != QLatin1String("https"))
        return;
    const QSslConfiguration session = m_reply->sslConfiguration();
    const QSslCertificate peer = session.peerCertificate();
    if (peer.isNull())
        return;
    // Read when the handshake is done and again at the end; an unknown protocol then keeps the
    // one seen first.
    if (session.sessionProtocol() != QSsl::UnknownProtocol || m_result.tlsProtocol.isEmpty())
        m_result.tlsProtocol = protocolName(session.sessionProtocol());
    m_result.tlsIssuer = certificateName(peer, true);
}

void ApiReply::classifyNetworkError()
{
    using Failure = ApiResult::Failure;
    const QNetworkReply::NetworkError error = m_reply->error();
    const bool answered = m_result.httpStatus > 0;
    const bool viaProxy = m_result.route.startsWith(QLatin1String("via "));
    const bool viaHttpProxy = m_result.route.startsWith(QLatin1String("via HTTP proxy"));
    const QString proxy = viaProxy ? m_result.route.mid(4) : QStringLiteral("the proxy");
    // One wording per proxy failure, however Qt reported it.
    auto setProxyFailure = [this, &proxy](Failure failure) {
        m_result.failure = failure;
        if (failure == Failure::ProxyAuth)
            m_result.failureDetail =
                QStringLiteral("The proxy wants a login that was missing or refused (%1): "
                               "set the proxy user and password")
                    .arg(proxy);
        else if (failure == Failure::ProxyRefused)
            m_result.failureDetail =
                QStringLiteral("The proxy refused the connection (%1): check the profile's proxy setting")
                    .arg(proxy);
        else
            m_result.failureDetail =
                QStringLiteral("The proxy's host name was not found (%1): check the profile's proxy setting")
                    .arg(proxy);
    };
    // A proxy refuses a login with 407, or, as tinyproxy 1.11 does for a login it was given and
    // refused, with a 401 of its own: an HTML page with a Basic challenge. journy.io's 401 is JSON
    // without a challenge, so a challenge that is not JSON, through a proxy, is the proxy's.
    const bool challenge =
        m_reply->hasRawHeader("Proxy-Authenticate") || m_reply->hasRawHeader("WWW-Authenticate");
    if (viaProxy && (m_result.httpStatus == 401 || m_result.httpStatus == 407) && challenge &&
        !m_reply->rawHeader("Content-Type").toLower().contains("json")) {
        setProxyFailure(Failure::ProxyAuth);
        return;
    }
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
    // Through a proxy the client only ever connects to the proxy, but Qt 6.4 reports a refused
    // proxy as a plain refusal (http through an HTTP proxy) or as an unknown error with the
    // engine's message (CONNECT, SOCKS5), and a proxy host that does not resolve as the target's.
    if (viaProxy && !answered &&
        (error == QNetworkReply::ConnectionRefusedError ||
         qtMessage == QLatin1String("Proxy connection refused") ||
         qtMessage == QLatin1String("Connection to proxy refused"))) {
        setProxyFailure(Failure::ProxyRefused);
        return;
    }
    if (viaHttpProxy && !answered && error == QNetworkReply::HostNotFoundError) {
        setProxyFailure(Failure::ProxyHostNotFound);
        return;
    }
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        m_result.failure = Failure::ConnectionRefused;
        m_result.failureDetail = transportFailure(m_result.failure, m_result.requestUrl, 0);
        return;
    case QNetworkReply::HostNotFoundError:
        m_result.failure = Failure::HostNotFound;
        m_result.failureDetail = transportFailure(m_result.failure, m_result.requestUrl, 0);
        return;
    case QNetworkReply::TimeoutError:
        m_result.failure = Failure::Timeout;
        m_result.failureDetail =
            transportFailure(m_result.failure, m_result.requestUrl, m_deadline.interval());
        return;
    case QNetworkReply::ProxyConnectionRefusedError:
        setProxyFailure(Failure::ProxyRefused);
        return;
    case QNetworkReply::ProxyNotFoundError:
        setProxyFailure(Failure::ProxyHostNotFound);
        return;
    case QNetworkReply::ProxyAuthenticationRequiredError:
        setProxyFailure(Failure::ProxyAuth);
        return;
    case QNetworkReply::ProxyTimeoutError:
        m_result.failure = Failure::Timeout;
        m_result.failureDetail = QStringLiteral("The proxy did not answer in time (%1)").arg(proxy);
        return;
    case QNetworkReply::ProxyConnectionClosedError:
        m_result.failure = Failure::ConnectionReset;
        m_result.failureDetail =
            QStringLiteral("The proxy closed the connection before an answer (%1): %2").arg(proxy, qtMessage);
        return;
    case QNetworkReply::SslHandshakeFailedError:
        m_result.failure = Failure::Tls;
        m_result.failureDetail =
            QStringLiteral("TLS error: %1")
                .arg(m_tlsErrors.isEmpty() ? qtMessage : m_tlsErrors.join(QLatin1String("; ")));
        if (m_issuerUnknown)
            m_result.failureDetail +=
                QStringLiteral(". If your company inspects TLS traffic, add its CA certificate (PEM) to the "
                               "profile's network settings (CLI: --ca-file)");
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
            m_result.failureDetail = transportFailure(m_result.failure, m_result.requestUrl, 0);
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
    cleanServerText();
    emit finished(m_result);
}

namespace {

// Strings anywhere in a JSON value, cleaned; lines kept (a snippet is several lines).
QJsonValue cleanJson(const QJsonValue &value, const QStringList &secrets)
{
    if (value.isString())
        return ServerText::clean(value.toString(), ServerText::Lines::Keep, secrets);
    if (value.isArray()) {
        QJsonArray array;
        for (const QJsonValue &item : value.toArray())
            array.append(cleanJson(item, secrets));
        return array;
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QJsonObject cleaned;
        for (auto it = object.begin(); it != object.end(); ++it)
            cleaned.insert(ServerText::clean(it.key(), ServerText::Lines::Join, secrets),
                           cleanJson(it.value(), secrets));
        return cleaned;
    }
    return value;
}

QMap<QString, QString> cleanMap(const QMap<QString, QString> &map, const QStringList &secrets)
{
    QMap<QString, QString> cleaned;
    for (auto it = map.begin(); it != map.end(); ++it)
        cleaned.insert(ServerText::clean(it.key(), ServerText::Lines::Join, secrets),
                       ServerText::clean(it.value(), ServerText::Lines::Join, secrets));
    return cleaned;
}

} // namespace

void ApiReply::cleanServerText()
{
    // The one place a server's words enter the product: what the CLI prints, the journal,
    // --failed-out, History and the console show all come from here, so a key the server echoes
    // or an escape sequence it slips into a message reaches none of them.
    const auto line = [this](const QString &text) {
        return ServerText::clean(text, ServerText::Lines::Join, m_secrets);
    };
    m_result.requestId = line(m_result.requestId);
    m_result.message = line(m_result.message);
    m_result.failureDetail = line(m_result.failureDetail);
    m_result.route = line(m_result.route);
    m_result.tlsIssuer = line(m_result.tlsIssuer);
    m_result.errors = cleanMap(m_result.errors, m_secrets);
    m_result.rejected = cleanMap(m_result.rejected, m_secrets);
    m_result.data = cleanJson(m_result.data, m_secrets);
    for (auto &header : m_result.responseHeaders)
        header.second = ServerText::redacted(header.second, m_secrets);
    m_result.responseBody = ServerText::redacted(m_result.responseBody, m_secrets);
}

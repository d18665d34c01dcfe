#include "JournyClient.h"

#include "HttpConnectionPool.h"
#include "RateLimitTracker.h"
#include "RequestValidator.h"

#include <QHostAddress>

JournyClient::JournyClient(const ClientConfig &config, HttpConnectionPool *pool, RateLimitTracker *tracker,
                           QObject *parent)
    : QObject(parent), m_pool(pool ? pool : new HttpConnectionPool(this)),
      m_tracker(tracker ? tracker : new RateLimitTracker(this))
{
    setConfig(config);
}

void JournyClient::setConfig(const ClientConfig &config)
{
    m_config = config;
    m_scope = RateLimitTracker::scopeFor(m_config.baseUrl.toString(QUrl::RemoveUserInfo), m_config.apiKey);
}

QByteArray JournyClient::userAgent()
{
    return QByteArrayLiteral("journy-console/" JOURNY_VERSION);
}

QUrl JournyClient::urlFor(const ApiRequest &request) const
{
    QUrl url = m_config.baseUrl;
    QString basePath = url.path();
    while (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + request.info().path);
    url.setQuery(request.query);
    return url;
}

ApiResult::Failure JournyClient::checkBaseUrl(QString *detail) const
{
    const QUrl &url = m_config.baseUrl;
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
        *detail = QStringLiteral("'%1' is not an http(s) base URL such as https://api.journy.io")
                      .arg(url.toString(QUrl::RemoveUserInfo));
        return ApiResult::Failure::InvalidUrl;
    }
    if (scheme == QLatin1String("http")) {
        // journy.io refuses plain HTTP, and the key would cross the network readable; only a
        // server on this machine (the sandbox) may be spoken to without TLS.
        const QString host = url.host();
        const bool loopback = host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
                              QHostAddress(host).isLoopback();
        if (!loopback) {
            *detail =
                QStringLiteral("Refusing plain http:// to %1: the API key would travel unencrypted. Use "
                               "https://, or http:// only for a server on this machine")
                    .arg(host);
            return ApiResult::Failure::InsecureUrl;
        }
    }
    return ApiResult::Failure::None;
}

ApiReply *JournyClient::send(const ApiRequest &request, bool validated)
{
    ApiResult prepared;
    prepared.operation = request.operation;
    prepared.requestMethod = request.info().method;
    const QUrl url = urlFor(request);
    prepared.requestUrl = url.toString(QUrl::RemoveUserInfo);
    prepared.requestBody = request.bodyBytes();

    auto *reply = new ApiReply(prepared, this);
    connect(reply, &ApiReply::finished, this, [this](const ApiResult &result) {
        if (result.rateLimit.isKnown())
            m_tracker->record(rateLimitScope(), result.rateLimit);
        emit requestFinished(result);
    });

    QString detail;
    const ApiResult::Failure urlProblem = checkBaseUrl(&detail);
    if (urlProblem != ApiResult::Failure::None) {
        reply->m_result.failure = urlProblem;
        reply->m_result.failureDetail = detail;
        reply->finishUnsent();
        return reply;
    }
    if (m_config.preflight && !validated) {
        const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
        if (!errors.isEmpty()) {
            reply->m_result.failure = ApiResult::Failure::Preflight;
            reply->m_result.failureDetail = QStringLiteral("Not sent: the request does not match the API");
            reply->m_result.errors = errors;
            reply->finishUnsent();
            return reply;
        }
    }

    const QByteArray method = request.info().method;
    // RFC 9110 9.2.2: these may be sent again without changing the outcome.
    const bool idempotent = method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE";
    reply->start(m_pool, url, serialize(request, url, prepared.requestBody), method == "HEAD", idempotent,
                 m_config.timeoutMs, m_config.maxResponseBytes);
    return reply;
}

QByteArray JournyClient::serialize(const ApiRequest &request, const QUrl &url, const QByteArray &body) const
{
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']'; // an IPv6 literal
    const bool tls = url.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0;
    if (url.port() != -1 && url.port() != (tls ? 443 : 80))
        host += ':' + QByteArray::number(url.port());
    QByteArray apiKey = m_config.apiKey.toUtf8();
    // A key pasted with a line break must not end the header and start another one.
    apiKey.replace('\r', QByteArray()).replace('\n', QByteArray()).replace('\0', QByteArray());

    QByteArray bytes;
    bytes.reserve(256 + apiKey.size() + body.size());
    bytes += request.info().method + ' ' + target + " HTTP/1.1\r\nHost: " + host + "\r\n";
    if (!apiKey.isEmpty())
        bytes += "X-Api-Key: " + apiKey + "\r\n";
    bytes += "Accept: application/json\r\nUser-Agent: " + userAgent() + "\r\n";
    if (request.info().hasBody)
        bytes +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    bytes += "\r\n";
    if (request.info().hasBody)
        bytes += body;
    return bytes;
}

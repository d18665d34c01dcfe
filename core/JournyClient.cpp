#include "JournyClient.h"

#include "RateLimitTracker.h"
#include "RequestValidator.h"

#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

JournyClient::JournyClient(const ClientConfig &config, QNetworkAccessManager *nam, RateLimitTracker *tracker,
                           QObject *parent)
    : QObject(parent), m_config(config), m_nam(nam ? nam : new QNetworkAccessManager(this)),
      m_tracker(tracker ? tracker : new RateLimitTracker(this))
{}

void JournyClient::setConfig(const ClientConfig &config)
{
    m_config = config;
}

QString JournyClient::rateLimitScope() const
{
    return RateLimitTracker::scopeFor(m_config.baseUrl.toString(QUrl::RemoveUserInfo), m_config.apiKey);
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

ApiReply *JournyClient::send(const ApiRequest &request)
{
    ApiResult prepared;
    prepared.operation = request.operation;
    prepared.requestMethod = request.info().method;
    prepared.requestUrl = urlFor(request).toString(QUrl::RemoveUserInfo);
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
    if (m_config.preflight) {
        const RequestValidator::FieldErrors errors = RequestValidator::validate(request);
        if (!errors.isEmpty()) {
            reply->m_result.failure = ApiResult::Failure::Preflight;
            reply->m_result.failureDetail = QStringLiteral("Not sent: the request does not match the API");
            reply->m_result.errors = errors;
            reply->finishUnsent();
            return reply;
        }
    }

    QNetworkRequest networkRequest(urlFor(request));
    if (!m_config.apiKey.isEmpty())
        networkRequest.setRawHeader("X-Api-Key", m_config.apiKey.toUtf8());
    networkRequest.setRawHeader("Accept", "application/json");
    networkRequest.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    if (request.info().hasBody)
        networkRequest.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    networkRequest.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                                QNetworkRequest::ManualRedirectPolicy);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);

    QNetworkReply *networkReply =
        request.info().hasBody
            ? m_nam->sendCustomRequest(networkRequest, request.info().method, prepared.requestBody)
            : m_nam->get(networkRequest);
    reply->attach(networkReply, m_config.timeoutMs, m_config.maxResponseBytes);
    return reply;
}

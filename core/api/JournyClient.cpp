#include "api/JournyClient.h"

#include "api/BaseUrl.h"
#include "api/NetworkAccess.h"
#include "api/ProxyResolver.h"
#include "api/RateLimitTracker.h"
#include "api/RequestValidator.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

JournyClient::JournyClient(const ClientConfig &config, NetworkAccess *network, RateLimitTracker *tracker,
                           QObject *parent)
    : QObject(parent), m_network(network ? network : new NetworkAccess(this)),
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
    switch (BaseUrl::check(m_config.baseUrl, detail)) {
    case BaseUrl::Problem::None:
        return ApiResult::Failure::None;
    case BaseUrl::Problem::Invalid:
        return ApiResult::Failure::InvalidUrl;
    case BaseUrl::Problem::Insecure:
        return ApiResult::Failure::InsecureUrl;
    }
    return ApiResult::Failure::InvalidUrl;
}

ApiReply *JournyClient::send(const ApiRequest &request, bool validated)
{
    ApiResult prepared;
    prepared.operation = request.operation;
    prepared.requestMethod = request.info().method;
    const QUrl url = urlFor(request);
    prepared.requestUrl = url.toString(QUrl::RemoveUserInfo);
    prepared.requestBody = request.bodyBytes();
    prepared.note = request.note;
    prepared.background = request.background;

    auto *reply = new ApiReply(prepared, this);
    reply->m_secrets = {m_config.apiKey, m_config.network.proxyPassword};
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

    reply->startClock(m_config.network.timeoutMs, m_config.maxResponseBytes);
    ProxyResolver *resolver = m_network->resolver(m_config.network);
    if (const auto known = resolver->cached(url)) {
        dispatch(reply, request, url, *known);
    } else if (!resolver->mayBlock(url)) {
        const QNetworkProxy route = ProxyResolver::lookUp(m_config.network, resolver->environment(), url);
        resolver->store(url, route);
        dispatch(reply, request, url, route);
    } else {
        // The OS look-up (WPAD, PAC) runs on a worker; the request goes out when it is known.
        QPointer<NetworkAccess> network(m_network);
        const NetworkSettings settings = m_config.network;
        reply->resolveRouteThen(settings, resolver->environment(), url,
                                [this, reply, request, url, network, settings](const QNetworkProxy &route) {
                                    if (!network)
                                        return;
                                    network->resolver(settings)->store(url, route);
                                    dispatch(reply, request, url, route);
                                });
    }
    return reply;
}

void JournyClient::dispatch(ApiReply *reply, const ApiRequest &request, const QUrl &url,
                            const QNetworkProxy &route)
{
    QNetworkRequest networkRequest(url);
    QByteArray apiKey = m_config.apiKey.toUtf8();
    // A key pasted with a line break must not end the header and start another one.
    apiKey.replace('\r', QByteArray()).replace('\n', QByteArray()).replace('\0', QByteArray());
    if (!apiKey.isEmpty())
        networkRequest.setRawHeader("X-Api-Key", apiKey);
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
    networkRequest.setAttribute(QNetworkRequest::ConnectionCacheExpiryTimeoutSecondsAttribute,
                                IdleConnectionSeconds);
    if (url.scheme() == QLatin1String("https"))
        networkRequest.setSslConfiguration(m_network->tlsConfiguration(m_config.network.caFile));

    QNetworkAccessManager *manager = m_network->manager(m_config.network);
    // The body goes out as the bytes the result records (for bulk import, the row's journaled
    // text): no parse or second serialization.
    const QByteArray &body = reply->m_result.requestBody;
    QNetworkReply *networkReply =
        request.info().hasBody ? manager->sendCustomRequest(networkRequest, request.info().method, body)
                               : manager->sendCustomRequest(networkRequest, request.info().method);
    reply->attach(networkReply, ProxyResolver::describe(route));
}

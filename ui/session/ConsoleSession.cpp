#include "ui/session/ConsoleSession.h"

#include "api/ApiReply.h"
#include "api/JournyClient.h"
#include "api/NetworkAccess.h"
#include "api/ProxyResolver.h"
#include "api/RateLimitTracker.h"
#include "sandbox/SharedSandbox.h"
#include "store/ProfileStore.h"
#include "store/SecretStore.h"

#include <QFutureWatcher>
#include <QNetworkProxy>
#include <QSettings>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>
#include <utility>

ConsoleSession::ConsoleSession(SecretStore *secrets, ProfileStore *profiles, const QString &sandboxDataFile,
                               QObject *parent)
    : QObject(parent), m_secrets(secrets), m_profiles(profiles), m_sandboxDataFile(sandboxDataFile),
      m_network(new NetworkAccess(this)), m_rateLimits(new RateLimitTracker(this))
{}

ConsoleSession::~ConsoleSession()
{
    // Every client, the active one and those retired with calls in flight, goes before the
    // sandbox it may be talking to.
    if (m_client)
        emit clientRetired(m_client);
    m_client = nullptr;
    qDeleteAll(findChildren<JournyClient *>(Qt::FindDirectChildrenOnly));
}

void ConsoleSession::retireClient()
{
    JournyClient *client = std::exchange(m_client, nullptr);
    if (!client)
        return;
    emit clientRetired(client);
    // The calls already sent finish under the profile they were sent with (the client reports
    // them with its profile's name, so History files them there) and the form that sent one
    // leaves "Sending…"; deleting the client would drop them unanswered. Each call has a
    // deadline, so the client does go.
    QList<ApiReply *> inFlight;
    for (ApiReply *reply : client->findChildren<ApiReply *>(Qt::FindDirectChildrenOnly))
        if (!reply->isFinished())
            inFlight.append(reply);
    if (inFlight.isEmpty()) {
        delete client;
        return;
    }
    auto remaining = std::make_shared<qsizetype>(inFlight.size());
    for (ApiReply *reply : inFlight)
        connect(reply, &ApiReply::finished, client, [client, remaining] {
            if (--*remaining == 0)
                client->deleteLater();
        });
}

void ConsoleSession::setState(State state, const QString &problem)
{
    m_state = state;
    m_problem = problem;
    emit stateChanged(state);
}

QUrl ConsoleSession::sandboxUrl() const
{
    return m_sandbox ? m_sandbox->baseUrl() : QUrl();
}

QString ConsoleSession::rateLimitScope() const
{
    return m_client ? m_client->rateLimitScope() : QString();
}

void ConsoleSession::activate(const QString &profileName)
{
    ++m_generation;
    retireClient();
    m_permissions.clear();
    m_permissionsKnown = false;
    emit permissionsChanged(m_permissions);
    m_profile =
        m_profiles->contains(profileName) ? m_profiles->profile(profileName) : Profile::embeddedSandbox();
    setState(State::Connecting);

    if (m_profile.isEmbeddedSandbox()) {
        QString error;
        if (!m_sandbox && !startSandbox(&error)) {
            setState(State::Failed, tr("The embedded sandbox cannot start: %1").arg(error));
            return;
        }
        connectWith(m_sandbox->baseUrl(), SandboxConfig::defaultKey(), m_profile.network);
        return;
    }

    // The keychain may prompt or be slow: the window stays usable while it answers.
    const quint64 generation = m_generation;
    const Profile profile = m_profile;
    m_secrets->read(
        profile.apiKeySecretName(), [this, generation, profile](const SecretStore::Result &result) {
            if (generation != m_generation)
                return;
            if (result.error == SecretStore::Error::NotFound) {
                setState(State::Failed,
                         tr("No API key is stored for the profile %1: edit the profile to add one.")
                             .arg(profile.name));
                return;
            }
            if (!result.ok()) {
                setState(State::Failed, result.message);
                return;
            }
            readProxyPasswordThen(profile, generation, QString::fromUtf8(result.secret));
        });
}

void ConsoleSession::readProxyPasswordThen(const Profile &profile, quint64 generation, const QString &apiKey)
{
    if (profile.network.proxyMode == NetworkSettings::ProxyMode::None ||
        profile.network.proxyUser.isEmpty()) {
        connectWith(profile.baseUrl, apiKey, profile.network);
        return;
    }
    m_secrets->read(profile.proxyPasswordSecretName(),
                    [this, generation, profile, apiKey](const SecretStore::Result &result) {
                        if (generation != m_generation)
                            return;
                        // No stored password is not an error: the proxy may not ask, or the
                        // login prompt asks for it when it does.
                        if (!result.ok() && result.error != SecretStore::Error::NotFound) {
                            setState(State::Failed, result.message);
                            return;
                        }
                        const QString password = QString::fromUtf8(result.secret);
                        if (profile.network.proxyMode == NetworkSettings::ProxyMode::System) {
                            if (password.isEmpty())
                                connectWith(profile.baseUrl, apiKey, profile.network);
                            else
                                lookUpSystemProxyThen(profile, generation, apiKey, password);
                            return;
                        }
                        NetworkSettings network = profile.network;
                        network.proxyPassword = password;
                        connectWith(profile.baseUrl, apiKey, network);
                    });
}

void ConsoleSession::lookUpSystemProxyThen(const Profile &profile, quint64 generation, const QString &apiKey,
                                           const QString &password)
{
    const NetworkSettings network = profile.network;
    const QProcessEnvironment environment = m_network->resolver(network)->environment();
    auto *watcher = new QFutureWatcher<QNetworkProxy>(this);
    connect(watcher, &QFutureWatcher<QNetworkProxy>::finished, this,
            [this, watcher, generation, profile, apiKey, password] {
                watcher->deleteLater();
                if (generation != m_generation)
                    return;
                const QNetworkProxy proxy = watcher->result();
                if (proxy.type() == QNetworkProxy::HttpProxy || proxy.type() == QNetworkProxy::Socks5Proxy)
                    m_network->setProxyLogin(proxy.hostName(), proxy.port(), profile.network.proxyUser,
                                             password);
                connectWith(profile.baseUrl, apiKey, profile.network);
            });
    const QUrl url = profile.baseUrl;
    watcher->setFuture(QtConcurrent::run(
        [network, environment, url] { return ProxyResolver::lookUp(network, environment, url); }));
}

void ConsoleSession::useProxyLogin(const QString &host, quint16 port, const QString &user,
                                   const QString &password)
{
    m_network->setProxyLogin(host, port, user, password);
}

bool ConsoleSession::startSandbox(QString *error)
{
    const QString portKey = QStringLiteral("sandbox/port");
    // A value edited by hand that is no port (text, 0, 70000) is as good as none: a free port.
    const uint stored = m_settingsFile.isEmpty()
                            ? 0
                            : QSettings(m_settingsFile, QSettings::IniFormat).value(portKey).toUInt();
    const quint16 remembered = stored <= 65535 ? quint16(stored) : 0;
    auto sandbox = std::make_unique<SharedSandbox>(m_sandboxDataFile);
    sandbox->setPreferredPort(remembered);
    if (!sandbox->start(error))
        return false;
    m_sandbox = std::move(sandbox);
    // Another process serving the file chose its own port: only the port this process serves on
    // is remembered.
    const quint16 port = quint16(m_sandbox->baseUrl().port());
    if (!m_sandbox->server() || m_settingsFile.isEmpty() || port == remembered)
        return true;
    QSettings(m_settingsFile, QSettings::IniFormat).setValue(portKey, port);
    if (m_sandbox->preferredPortTaken()) {
        const QString message =
            tr("The embedded sandbox's port %1 is taken by another program: it listens on "
               "%2 now, and will next time (curl commands copied before use %1).")
                .arg(remembered)
                .arg(port);
        qInfo("journy-console: %s", qPrintable(message));
        emit notice(message);
    }
    return true;
}

void ConsoleSession::connectWith(const QUrl &baseUrl, const QString &apiKey, const NetworkSettings &network)
{
    ClientConfig config;
    config.baseUrl = baseUrl;
    config.apiKey = apiKey;
    config.network = network;
    m_client = new JournyClient(config, m_network, m_rateLimits, this);
    const QString profileName = m_profile.name;
    connect(m_client, &JournyClient::requestFinished, this,
            [this, profileName](const ApiResult &result) { emit requestFinished(profileName, result); });
    setState(State::Ready);
    refreshPermissions(true);
}

ApiReply *ConsoleSession::send(const ApiRequest &request)
{
    return m_client ? m_client->send(request) : nullptr;
}

void ConsoleSession::refreshPermissions(bool background)
{
    ApiRequest request = ApiRequest::validate();
    request.background = background;
    ApiReply *reply = send(request);
    if (!reply)
        return;
    const quint64 generation = m_generation;
    connect(reply, &ApiReply::finished, this, [this, reply, generation](const ApiResult &result) {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        const auto permissions = result.permissions();
        m_permissionsKnown = result.ok() && permissions.has_value();
        m_permissions = m_permissionsKnown ? *permissions : QStringList();
        emit permissionsChanged(m_permissions);
        emit validated(result);
    });
}

bool ConsoleSession::allows(Operation operation) const
{
    const QString &needed = ApiOperation::info(operation).permission;
    return !m_permissionsKnown || needed.isEmpty() || m_permissions.contains(needed);
}

ClientConfig ConsoleSession::clientConfig() const
{
    return m_client ? m_client->config() : ClientConfig();
}

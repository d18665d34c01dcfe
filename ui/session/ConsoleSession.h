#pragma once

#include "api/ApiRequest.h"
#include "api/ApiResult.h"
#include "api/ClientConfig.h"
#include "store/Profile.h"

#include <QObject>
#include <QStringList>

#include <memory>

class ApiReply;
class JournyClient;
class ProfileStore;
class NetworkAccess;
class RateLimitTracker;
class SecretStore;
class SharedSandbox;

// The console's connection to one profile at a time: finds its key (keychain, or the built-in
// sandbox's own), owns the JournyClient, learns the key's permissions, and reports every result
// for history and the rate-limit gauge. Pages send through it; none of them holds a key.
class ConsoleSession : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Inactive,
        Connecting,
        Ready,
        Failed
    };

    ConsoleSession(SecretStore *secrets, ProfileStore *profiles, const QString &sandboxDataFile,
                   QObject *parent = nullptr);
    ~ConsoleSession() override;

    // Switches to the profile; stateChanged() follows when its key is known (or not).
    void activate(const QString &profileName);
    const Profile &profile() const { return m_profile; }
    State state() const { return m_state; }
    // Why the session is not ready, for the status bar; empty when ready.
    QString problem() const { return m_problem; }

    // Sends through the active profile's client; nullptr when the session is not ready.
    ApiReply *send(const ApiRequest &request);
    // The active profile's client (bulk import sends through it directly); nullptr when the
    // session is not ready. When another profile is activated it is retired (clientRetired()):
    // nothing new may be sent through it, and it is deleted once its calls in flight finished.
    JournyClient *client() const { return m_client; }
    // Where and how the active client connects (base URL, proxy, CA file, timeout; its key too,
    // which a relay ignores); an empty config when the session is not ready.
    ClientConfig clientConfig() const;
    // Asks GET /validate again; permissionsChanged() follows. The check the session makes by
    // itself on connecting is a background call (ApiRequest::background); the user's Test
    // connection is not.
    void refreshPermissions(bool background = false);
    // The key's permissions from GET /validate; empty while unknown.
    QStringList permissions() const { return m_permissions; }
    bool permissionsKnown() const { return m_permissionsKnown; }
    // False only when the permissions are known and lack operation's permission.
    bool allows(Operation operation) const;

    SecretStore *secrets() const { return m_secrets; }
    ProfileStore *profiles() const { return m_profiles; }
    RateLimitTracker *rateLimits() const { return m_rateLimits; }
    // A login typed into the proxy login prompt, for the proxy at host:port until the console
    // quits. A login the proxy refused before is forgotten, so the next request asks again.
    void useProxyLogin(const QString &host, quint16 port, const QString &user, const QString &password);
    QString rateLimitScope() const;
    // The embedded sandbox's URL, once started (empty before).
    QUrl sandboxUrl() const;
    // The console's settings file (console.ini), where the embedded sandbox's port is remembered
    // so that it listens on the same one next run; without it, any free port each run.
    void setSettingsFile(const QString &settingsFile) { m_settingsFile = settingsFile; }

signals:
    void stateChanged(ConsoleSession::State state);
    void permissionsChanged(const QStringList &permissions);
    // The answer of the last GET /validate (Test connection shows it).
    void validated(const ApiResult &result);
    // Every result of every request sent through the session, with the profile it went to.
    void requestFinished(const QString &profileName, const ApiResult &result);
    // client is no longer the active profile's (another was activated, or the console closes):
    // whoever sends through it directly must stop now.
    void clientRetired(JournyClient *client);
    // Something the user should know that is no failure, for the status bar (the sandbox's port
    // moved).
    void notice(const QString &message);

private:
    // A proxy password is in the keychain too; read it before connecting.
    void readProxyPasswordThen(const Profile &profile, quint64 generation, const QString &apiKey);
    // System mode: the proxy is known only once looked up (the OS may take seconds, so on a
    // worker); its stored login is given for it, then the client is made.
    void lookUpSystemProxyThen(const Profile &profile, quint64 generation, const QString &apiKey,
                               const QString &password);
    void connectWith(const QUrl &baseUrl, const QString &apiKey, const NetworkSettings &network);
    void setState(State state, const QString &problem = QString());
    // Starts the embedded sandbox on its remembered port (or a free one, then remembered).
    bool startSandbox(QString *error);
    // Takes the active client out of use; see client().
    void retireClient();

    SecretStore *m_secrets;
    ProfileStore *m_profiles;
    QString m_sandboxDataFile;
    QString m_settingsFile;
    std::unique_ptr<SharedSandbox> m_sandbox;
    NetworkAccess *m_network; // shared by the clients of every profile
    RateLimitTracker *m_rateLimits;
    JournyClient *m_client = nullptr;
    Profile m_profile;
    State m_state = State::Inactive;
    QString m_problem;
    QStringList m_permissions;
    bool m_permissionsKnown = false;
    quint64 m_generation = 0; // drops answers meant for a profile no longer active
};

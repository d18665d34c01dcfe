#pragma once

#include "api/ClientConfig.h"
#include "api/TypedField.h"
#include "cli/CliNetworkOptions.h"
#include "store/Profile.h"
#include "store/ProfileStore.h"
#include "store/SecretStore.h"

#include <QCommandLineParser>
#include <QObject>
#include <QTextStream>

#include <functional>
#include <memory>

class ApiRequest;
class JournyClient;
class SharedSandbox;

// The `journy` command line: parses a command, resolves the profile and its key (environment,
// keychain, or the embedded sandbox), sends through core/api's JournyClient and prints the result. main()
// only wires it to the process. Exit codes: 0 success, 1 usage, 2 pre-flight failed, 3 refused
// by the server (4xx), 4 server or transport failure.
class CliApplication : public QObject
{
    Q_OBJECT
public:
    enum ExitCode
    {
        Success = 0,
        UsageError = 1,
        PreflightFailed = 2,
        Refused = 3,
        Failed = 4,
        Interrupted = 130 // Ctrl+C (128 + SIGINT), as a shell reports a process it interrupted
    };

    // secrets is the keychain in the product; profilesFile is where profiles live.
    CliApplication(SecretStore *secrets, const QString &profilesFile, QObject *parent = nullptr);
    ~CliApplication() override;

    // arguments as in argv, program name first. finished() follows, always asynchronously.
    void start(const QStringList &arguments);

    static QString helpText();

signals:
    void finished(int exitCode);

private:
    // A command's own options, parsed from the words after the command name.
    bool parseCommand(QCommandLineParser &parser, const QStringList &words,
                      const QList<QCommandLineOption> &options);
    void dispatch(const QStringList &words);
    void runApi(const QStringList &words);
    bool buildRequest(const QStringList &words, ApiRequest *request);
    bool parseFields(const QStringList &specs, const QString &flag, QList<TypedField> *fields);
    void runHmac(const QStringList &words);
    void runLint(const QStringList &words);
    void runProfile(const QStringList &words);
    // `profile add NAME` and `profile set NAME`: base URL, label and network settings.
    void addOrSetProfile(bool adding, const QStringList &words);
    void setProxyPassword(const Profile &profile);
    // Removes keychain entries one after the other (a missing one is fine), then calls done;
    // reports and exits on the first failure.
    void removeSecretsThen(QStringList names, const std::function<void()> &done);
    void runImport(const QStringList &words);
    void runRelay(const QStringList &words);
    void listProfiles(QList<Profile> remaining, QList<QPair<Profile, QString>> done);

    // Finds the profile, its network settings (with this run's options over them) and, when
    // needsKey, its key, then calls ready(config); reports and exits on failure. The relay is not keyed: it
    // forwards each caller's own key.
    void resolveConnection(const std::function<void(const ClientConfig &)> &ready, bool needsKey = true);
    bool resolveProfile(Profile *profile);
    // Fills in the manual proxy's password (JOURNY_PROXY_PASSWORD, else the profile's keychain
    // entry when the proxy is the profile's own), then calls ready(config).
    void readProxyPasswordThen(ClientConfig config, const Profile &profile,
                               const std::function<void(const ClientConfig &)> &ready);
    void send(const ApiRequest &request, const ClientConfig &config);

    void print(const QString &text);
    void printJson(const QJsonObject &object);
    void fail(int exitCode, const QString &message);
    // A keychain failure: exit 4 (1 for not-found), context then the keychain's reason.
    void failKeychain(const SecretStore::Result &result, const QString &context = QString());
    // Ends a profile command: text for people, {"ok": true, "profile": NAME} with --json.
    void succeed(const QString &text, const QString &profile);
    void exit(int exitCode);

    SecretStore *m_secrets;
    ProfileStore m_profiles;
    QTextStream m_out;
    QTextStream m_err;

    QCommandLineParser m_global;
    CliNetworkOptions m_networkOptions{CliNetworkOptions::Scope::Run};
    bool m_json = false;
    bool m_exited = false;
    QString m_impliedTarget; // where a resumed import job was sent before
    QStringList m_arguments; // as given to start()
    std::unique_ptr<SharedSandbox> m_sandbox;
    JournyClient *m_client = nullptr;
};

#include "cli/CliApplication.h"

#include "api/ApiReply.h"
#include "api/BaseUrl.h"
#include "api/IdentityVerifier.h"
#include "api/JournyClient.h"
#include "api/NumericOption.h"
#include "cli/CliImportCommand.h"
#include "cli/CliLint.h"
#include "cli/CliOutput.h"
#include "cli/CliProgress.h"
#include "cli/CliRelayCommand.h"
#include "cli/TerminalInput.h"
#include "sandbox/SharedSandbox.h"
#include "store/AppPaths.h"
#include "store/SecretStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

#include <cstdio>

namespace {

QCommandLineOption valueOption(const QString &name, const QString &description, const QString &valueName)
{
    return QCommandLineOption(name, description, valueName);
}

QCommandLineOption flagOption(const QString &name, const QString &description)
{
    return QCommandLineOption(name, description);
}

const QString userIdFlag = QStringLiteral("user-id");
const QString emailFlag = QStringLiteral("email");
const QString accountIdFlag = QStringLiteral("account-id");
const QString domainFlag = QStringLiteral("domain");

QList<QCommandLineOption> userOptions()
{
    return {valueOption(userIdFlag, QStringLiteral("The user's ID."), QStringLiteral("ID")),
            valueOption(emailFlag, QStringLiteral("The user's email."), QStringLiteral("EMAIL"))};
}

// Whether two manual proxies are the same login: a stored proxy password goes to no other.
bool sameProxyLogin(const NetworkSettings &a, const NetworkSettings &b)
{
    return a.proxyMode == b.proxyMode && a.proxyType == b.proxyType &&
           a.proxyHost.compare(b.proxyHost, Qt::CaseInsensitive) == 0 && a.proxyPort == b.proxyPort &&
           a.proxyUser == b.proxyUser;
}

QList<QCommandLineOption> accountOptions()
{
    return {valueOption(accountIdFlag, QStringLiteral("The account's ID."), QStringLiteral("ID")),
            valueOption(domainFlag, QStringLiteral("The account's domain."), QStringLiteral("DOMAIN"))};
}

} // namespace

CliApplication::CliApplication(SecretStore *secrets, const QString &profilesFile, QObject *parent)
    : QObject(parent), m_secrets(secrets), m_profiles(profilesFile), m_out(stdout), m_err(stderr)
{
    m_global.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    m_global.addOptions({
        valueOption(QStringLiteral("profile"),
                    QStringLiteral("Profile to use (default: the default profile)."), QStringLiteral("NAME")),
        valueOption(QStringLiteral("base-url"), QStringLiteral("Server to use instead of a profile."),
                    QStringLiteral("URL")),
        valueOption(QStringLiteral("api-key-env"),
                    QStringLiteral("Environment variable that holds the API key."), QStringLiteral("VAR")),
        flagOption(QStringLiteral("json"), QStringLiteral("Print exactly one JSON object.")),
        flagOption(QStringLiteral("no-validate"), QStringLiteral("Send without pre-flight validation.")),
        QCommandLineOption(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                           QStringLiteral("Show help.")),
        QCommandLineOption(QStringList{QStringLiteral("v"), QStringLiteral("version")},
                           QStringLiteral("Show the version.")),
    });
    // --proxy, --no-proxy, --ca-file, --timeout: this run's network settings.
    m_global.addOptions(m_networkOptions.options());
}

CliApplication::~CliApplication() = default;

QString CliApplication::helpText()
{
    return QStringLiteral(R"(Usage: journy [--profile NAME | --base-url URL] [--api-key-env VAR] [--json]
              [--timeout SECONDS] [--proxy URL | --no-proxy] [--ca-file PEM] [--no-validate]
              COMMAND ...

Talks to the journy.io API (or the local sandbox) from a shell.

Commands:
  validate                                  check the key; list its permissions, the route
                                            (direct or which proxy) and the TLS issuer
  user upsert (--user-id ID | --email EMAIL | both) [--prop SPEC]...
  user delete (--user-id ID | --email EMAIL | both)
  account upsert (--account-id ID | --domain DOMAIN | both) [--prop SPEC]...
  account delete (--account-id ID | --domain DOMAIN | both)
  account add-users (--account-id ID | --domain DOMAIN) (--user ID | --user-email EMAIL)...
  account remove-users (--account-id ID | --domain DOMAIN) (--user ID | --user-email EMAIL)...
  track NAME [--user-id ID] [--email EMAIL] [--account-id ID] [--domain DOMAIN]
             [--meta SPEC]... [--at ISO8601] [--legacy]
  link --device-id ID (--user-id ID | --email EMAIL | both)
  snippet DOMAIN                            the website's tracking snippet
  events                                    event names journy.io knows
  properties users|accounts                 property names
  segments users|accounts                   segments
  lint [FILE|-] [--operation OPERATION_ID] judge what an integration sends, without sending it:
                                            a curl command, a raw HTTP request, a HAR file or
                                            a JSON body (--operation when its shape is ambiguous)
  relay [--profile NAME | --base-url URL] [--port N] [--json]
                                            a local journy.io endpoint (127.0.0.1) for a backend
                                            or SDK: each call is checked, shown and forwarded to
                                            the profile's server with the caller's own key (the
                                            built-in Sandbox profile takes the key "sandbox");
                                            one line per call (--json: one object), Ctrl+C ends
                                            with a summary by lint rule
  hmac ID [--secret-env VAR]                identity-verification hash of a user or account ID
  hmac --verify HASH ID [--secret-env VAR]  check a hash (exit 3 when it does not match)
  profile add NAME [--replace] [--base-url URL] [--label production|staging|sandbox] [NETWORK]...
                                            API key read from stdin (no echo on a terminal);
                                            --replace: an existing NAME, keeping what is not given
  profile set NAME [--base-url URL] [--label ...] [NETWORK]...
                                            change a profile
  profile set-secret NAME                   identity-verification secret from stdin
  profile set-proxy-password NAME           the profile's proxy password from stdin
  profile list | profile remove NAME | profile use NAME
  import --kind users|accounts|memberships|events|links [--delete|--remove] FILE
         [--mapping FILE] [--save-mapping FILE] [--map COLUMN=TARGET[:TYPE]]... [--rate N]
         [--rate-window SECONDS] [--concurrency N] [--dry-run] [--failed-out FILE]
         [--progress auto|plain|none]       bulk import of a CSV or JSON Lines file
  import --resume JOB|last [FILE --kind ... --map ...] [--force-target]
                                            go on with a job that stopped
  import --list | import --prune [--older-than DAYS]
                                            the journal's jobs; drop finished ones

Typed values (SPEC): NAME[:TYPE]=VALUE with TYPE string (default), number, bool, date,
null, empty or list:  plan=Pro  mrr:number=399  is_paying:bool=true
registered_at:date=2024-05-01T10:00:00Z  old_field:null  note:empty  tags:list=a,b

The API key comes from --api-key-env VAR (the variable's name, never the key), else
JOURNY_API_KEY, else the profile's keychain entry. It is never taken as an argument, printed
or written to a file. Without --profile or --base-url the default profile is used; a fresh
installation's default is the built-in "Sandbox" profile, a local sandbox that needs no key.
The hmac secret comes from --secret-env VAR, else the profile's keychain entry, else stdin.

Network: a profile's proxy, CA file and timeout apply to its commands. These options, before
the command, override them for one run:
  --proxy URL        http://[user@]host:port or socks5://[user@]host:port
  --no-proxy         connect directly
  --ca-file PEM      also trust these CA certificates (a company's TLS inspection)
  --timeout SECONDS  total time for a call (default 30)
profile add|set store them in the profile (NETWORK: --proxy URL, --no-proxy, --system-proxy,
--proxy-bypass HOST,..., --ca-file PEM, --timeout SECONDS; --ca-file "" removes the file).
The default proxy setting, system, reads https_proxy/HTTPS_PROXY, http_proxy, all_proxy and
NO_PROXY as curl does, else the OS settings; loopback is never proxied then. The built-in
Sandbox profile connects directly unless --proxy is given. A proxy password is never taken in
--proxy (it would show in the process list): profile set-proxy-password NAME stores it in the
keychain, or JOURNY_PROXY_PASSWORD gives it for one run.

--json prints one object: {"ok", "status", "requestId", "message", "data",
"rateLimit": {"limit", "remaining"}, "errors", "rejected", "error", "latencyMs"}.
Every failure has "error" (its name: "timeout", "tls", "proxy-auth", "proxy-refused", ...)
and a one-line "message" saying why.

Exit codes: 0 success; 1 usage error; 2 pre-flight validation failed (nothing was sent);
3 the server refused the request (4xx); 4 server or transport failure (5xx, timeout,
connection, proxy, TLS, unreadable answer) or a keychain that cannot answer (its reason shown);
130 interrupted by Ctrl+C (an import says how to resume). lint: 0 clean (or information only),
2 a spec error, 5 warnings only, 1 input it cannot read (it says what).
relay: 0 when ended by Ctrl+C, 4 when its port cannot be had.

Import: each row becomes one request (memberships: rows of one account are sent together, up
to 100 users a call). TARGET is userId, email, accountId, domain, deviceId, name (event name),
triggeredAt, prop.NAME, meta.NAME or ignore; without --map/--mapping a column named like a
target maps to it and every other column to prop.<column> (users, accounts) or meta.<column>
(events), typed from a sample. Rows are journaled as they go: a job that stops (Ctrl+C, even
kill -9, also while the file is being prepared) resumes with --resume last, alone or appended to
the original command (its FILE, --kind and mapping must then match the job: same file size and
SHA-256, same mapping); "job: ID" is printed on stderr at start. A resume goes to the job's
profile or base URL; another --base-url or --profile is refused unless --force-target is given.
--list shows every job (ID, state, kind, counts, date, target, file); --prune deletes finished
jobs (--older-than DAYS: only those started more than DAYS ago), never unfinished ones. A
finished job keeps only its summary, failed and possibly duplicated rows. --rate caps requests per
window (--rate-window, default 60 s) below the key's limit; --dry-run checks every row and sends
nothing (exit 2 when a row is invalid); --failed-out writes the failed rows with an error column.
--progress: auto (default) redraws one line on a terminal and writes plain lines otherwise;
plain writes a line every 10 s and one at the end (for logs); none writes no progress.

Examples:
  journy user upsert --user-id u-42 --email ann@acme.com --prop plan=Pro --prop mrr:number=399
  journy track "Invoice paid" --user-id u-42 --account-id acc-7 --meta amount:number=99.5
  printf '%s\n' "$KEY" | journy profile add prod --label production
  journy --profile prod --json validate
  journy profile set prod --proxy http://alice@proxy.corp:3128 --ca-file ~/corp-root.pem
  journy --proxy socks5://127.0.0.1:1080 --profile prod validate
)");
}

void CliApplication::start(const QStringList &arguments)
{
    m_arguments = arguments;
    QTimer::singleShot(0, this, [this, arguments] {
        if (!m_global.parse(arguments)) {
            fail(UsageError, m_global.errorText());
            return;
        }
        m_json = m_global.isSet(QStringLiteral("json"));
        if (m_global.isSet(QStringLiteral("version"))) {
            print(QStringLiteral("journy %1\n").arg(QStringLiteral(JOURNY_VERSION)));
            exit(Success);
            return;
        }
        const QStringList words = m_global.positionalArguments();
        if (m_global.isSet(QStringLiteral("help")) || words.isEmpty() ||
            words.first() == QLatin1String("help")) {
            print(helpText());
            exit(words.isEmpty() && !m_global.isSet(QStringLiteral("help")) ? UsageError : Success);
            return;
        }
        // A bad --proxy or --ca-file is a usage error whatever the command, before anything is
        // read or sent; resolveConnection() puts the options over the profile's settings.
        NetworkSettings probe;
        QString error;
        if (!m_networkOptions.apply(m_global, &probe, &error)) {
            fail(UsageError, error);
            return;
        }
        dispatch(words);
    });
}

void CliApplication::print(const QString &text)
{
    m_out << text;
    m_out.flush();
}

void CliApplication::printJson(const QJsonObject &object)
{
    m_out << QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)) << '\n';
    m_out.flush();
}

void CliApplication::succeed(const QString &text, const QString &profile)
{
    if (m_json)
        printJson({{QLatin1String("ok"), true}, {QLatin1String("profile"), profile}});
    else
        print(text);
    exit(Success);
}

void CliApplication::fail(int exitCode, const QString &message)
{
    if (m_json)
        printJson(CliOutput::failureJson(exitCode == UsageError, message));
    m_err << "journy: " << message << '\n';
    m_err.flush();
    exit(exitCode);
}

void CliApplication::failKeychain(const SecretStore::Result &result, const QString &context)
{
    // A keychain that cannot answer (no service, locked, access refused) is nothing the user
    // typed wrong: exit 4, as for a server that cannot, with the keychain's own reason.
    fail(result.error == SecretStore::Error::NotFound ? UsageError : Failed, context + result.message);
}

void CliApplication::exit(int exitCode)
{
    if (m_exited)
        return;
    m_exited = true;
    QTimer::singleShot(0, this, [this, exitCode] { emit finished(exitCode); });
}

bool CliApplication::parseCommand(QCommandLineParser &parser, const QStringList &words,
                                  const QList<QCommandLineOption> &options)
{
    parser.addOptions(options);
    if (!parser.parse(QStringList{QStringLiteral("journy")} + words)) {
        fail(UsageError, parser.errorText());
        return false;
    }
    return true;
}

void CliApplication::dispatch(const QStringList &words)
{
    // "journy import --help" and the like: one help text covers every command.
    if (words.contains(QLatin1String("--help")) || words.contains(QLatin1String("-h"))) {
        print(helpText());
        exit(Success);
        return;
    }
    const QString command = words.first();
    if (command == QLatin1String("hmac")) {
        runHmac(words.mid(1));
        return;
    }
    if (command == QLatin1String("profile")) {
        runProfile(words.mid(1));
        return;
    }
    if (command == QLatin1String("import")) {
        runImport(words.mid(1));
        return;
    }
    if (command == QLatin1String("lint")) {
        runLint(words.mid(1));
        return;
    }
    if (command == QLatin1String("relay")) {
        runRelay(words.mid(1));
        return;
    }
    runApi(words);
}

bool CliApplication::parseFields(const QStringList &specs, const QString &flag, QList<TypedField> *fields)
{
    for (const QString &spec : specs) {
        TypedField field;
        QString error;
        if (!TypedField::parse(spec, &field, &error)) {
            fail(UsageError, QStringLiteral("--%1 %2").arg(flag, error));
            return false;
        }
        fields->append(field);
    }
    return true;
}

bool CliApplication::buildRequest(const QStringList &words, ApiRequest *request)
{
    const QString command = words.first();
    const QString sub = words.value(1);
    QCommandLineParser parser;
    auto noPositional = [this, &parser](int allowed) {
        if (parser.positionalArguments().size() > allowed) {
            fail(UsageError,
                 QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().at(allowed)));
            return false;
        }
        return true;
    };
    auto user = [&parser] { return UserIdentification{parser.value(userIdFlag), parser.value(emailFlag)}; };
    auto account = [&parser] {
        return AccountIdentification{parser.value(accountIdFlag), parser.value(domainFlag)};
    };

    if (command == QLatin1String("validate") || command == QLatin1String("events")) {
        if (!parseCommand(parser, words.mid(1), {}) || !noPositional(0))
            return false;
        *request = command == QLatin1String("validate") ? ApiRequest::validate() : ApiRequest::listEvents();
        return true;
    }
    if (command == QLatin1String("properties") || command == QLatin1String("segments")) {
        if (!parseCommand(parser, words.mid(2), {}) || !noPositional(0))
            return false;
        const bool properties = command == QLatin1String("properties");
        if (sub == QLatin1String("users")) {
            *request = properties ? ApiRequest::listUserProperties() : ApiRequest::listUserSegments();
            return true;
        }
        if (sub == QLatin1String("accounts")) {
            *request = properties ? ApiRequest::listAccountProperties() : ApiRequest::listAccountSegments();
            return true;
        }
        fail(UsageError, QStringLiteral("%1 needs 'users' or 'accounts'").arg(command));
        return false;
    }
    if (command == QLatin1String("snippet")) {
        if (!parseCommand(parser, words.mid(1), {}) || !noPositional(1))
            return false;
        if (parser.positionalArguments().isEmpty()) {
            fail(UsageError, QStringLiteral("snippet needs a DOMAIN"));
            return false;
        }
        *request = ApiRequest::trackingSnippet(parser.positionalArguments().first());
        return true;
    }
    const QCommandLineOption prop = valueOption(QStringLiteral("prop"), QString(), QStringLiteral("SPEC"));
    const bool isUser = command == QLatin1String("user");
    if ((isUser || command == QLatin1String("account")) &&
        (sub == QLatin1String("upsert") || sub == QLatin1String("delete"))) {
        const bool upsert = sub == QLatin1String("upsert");
        QList<QCommandLineOption> options = isUser ? userOptions() : accountOptions();
        if (upsert)
            options.append(prop);
        if (!parseCommand(parser, words.mid(2), options) || !noPositional(0))
            return false;
        QList<TypedField> fields;
        if (upsert && !parseFields(parser.values(prop), QStringLiteral("prop"), &fields))
            return false;
        if (isUser)
            *request = upsert ? ApiRequest::upsertUser(user(), fields) : ApiRequest::deleteUser(user());
        else
            *request =
                upsert ? ApiRequest::upsertAccount(account(), fields) : ApiRequest::deleteAccount(account());
        return true;
    }
    if (command == QLatin1String("account") &&
        (sub == QLatin1String("add-users") || sub == QLatin1String("remove-users"))) {
        const QCommandLineOption userId =
            valueOption(QStringLiteral("user"), QString(), QStringLiteral("ID"));
        const QCommandLineOption userEmail =
            valueOption(QStringLiteral("user-email"), QString(), QStringLiteral("EMAIL"));
        if (!parseCommand(parser, words.mid(2),
                          accountOptions() + QList<QCommandLineOption>{userId, userEmail}) ||
            !noPositional(0))
            return false;
        QList<UserIdentification> users;
        for (const QString &id : parser.values(userId))
            users.append({id, QString()});
        for (const QString &email : parser.values(userEmail))
            users.append({QString(), email});
        *request = sub == QLatin1String("add-users") ? ApiRequest::addUsersToAccount(account(), users)
                                                     : ApiRequest::removeUsersFromAccount(account(), users);
        return true;
    }
    if (command == QLatin1String("track")) {
        const QCommandLineOption meta =
            valueOption(QStringLiteral("meta"), QString(), QStringLiteral("SPEC"));
        const QCommandLineOption at = valueOption(QStringLiteral("at"), QString(), QStringLiteral("ISO8601"));
        const QCommandLineOption legacy = flagOption(QStringLiteral("legacy"), QString());
        if (!parseCommand(parser, words.mid(1),
                          userOptions() + accountOptions() + QList<QCommandLineOption>{meta, at, legacy}) ||
            !noPositional(1))
            return false;
        if (parser.positionalArguments().isEmpty()) {
            fail(UsageError, QStringLiteral("track needs an event NAME"));
            return false;
        }
        QList<TypedField> fields;
        if (!parseFields(parser.values(meta), QStringLiteral("meta"), &fields))
            return false;
        const QString name = parser.positionalArguments().first();
        *request = parser.isSet(legacy)
                       ? ApiRequest::trackLegacyEvent(name, user(), account(), fields, parser.value(at))
                       : ApiRequest::trackEvent(name, user(), account(), fields, parser.value(at));
        return true;
    }
    if (command == QLatin1String("link")) {
        const QCommandLineOption device =
            valueOption(QStringLiteral("device-id"), QString(), QStringLiteral("ID"));
        if (!parseCommand(parser, words.mid(1), userOptions() + QList<QCommandLineOption>{device}) ||
            !noPositional(0))
            return false;
        if (!parser.isSet(device)) {
            fail(UsageError, QStringLiteral("link needs --device-id"));
            return false;
        }
        *request = ApiRequest::link(parser.value(device), user());
        return true;
    }
    fail(UsageError,
         QStringLiteral("unknown command '%1' (see journy --help)").arg(words.join(QLatin1Char(' '))));
    return false;
}

void CliApplication::runApi(const QStringList &words)
{
    ApiRequest request;
    if (!buildRequest(words, &request))
        return;
    resolveConnection([this, request](const ClientConfig &config) { send(request, config); });
}

bool CliApplication::resolveProfile(Profile *profile)
{
    const bool byProfile = m_global.isSet(QStringLiteral("profile"));
    if (byProfile && m_global.isSet(QStringLiteral("base-url"))) {
        fail(UsageError, QStringLiteral("use --profile or --base-url, not both"));
        return false;
    }
    // A resumed import goes where it went before, unless told otherwise.
    const bool impliedUrl = !byProfile && !m_global.isSet(QStringLiteral("base-url")) &&
                            (m_impliedTarget.startsWith(QLatin1String("http://")) ||
                             m_impliedTarget.startsWith(QLatin1String("https://")));
    if (m_global.isSet(QStringLiteral("base-url")) || impliedUrl) {
        profile->name.clear();
        QString error;
        if (BaseUrl::check(impliedUrl ? m_impliedTarget : m_global.value(QStringLiteral("base-url")),
                           &profile->baseUrl, &error) != BaseUrl::Problem::None) {
            fail(UsageError, QStringLiteral("--base-url: ") + error);
            return false;
        }
        return true;
    }
    const QString name = byProfile                    ? m_global.value(QStringLiteral("profile"))
                         : !m_impliedTarget.isEmpty() ? m_impliedTarget
                                                      : m_profiles.defaultProfileName();
    if (!m_profiles.contains(name)) {
        fail(UsageError, QStringLiteral("no profile named '%1' (see journy profile list)").arg(name));
        return false;
    }
    *profile = m_profiles.profile(name);
    return true;
}

void CliApplication::resolveConnection(const std::function<void(const ClientConfig &)> &ready, bool needsKey)
{
    Profile profile;
    if (!resolveProfile(&profile))
        return;

    ClientConfig config;
    config.preflight = !m_global.isSet(QStringLiteral("no-validate"));
    // The profile's proxy, CA file and timeout, with this run's options over them. The built-in
    // Sandbox profile runs in this process and goes direct, unless --proxy names a proxy (tests
    // route it through a real one so).
    config.network = profile.network;
    QString networkError;
    if (!m_networkOptions.apply(m_global, &config.network, &networkError)) {
        fail(UsageError, profile.name.isEmpty() || m_networkOptions.anySet(m_global)
                             ? networkError
                             : QStringLiteral("profile '%1': %2").arg(profile.name, networkError));
        return;
    }

    if (profile.isEmbeddedSandbox()) {
        m_sandbox = std::make_unique<SharedSandbox>(AppPaths::sandboxDataFile());
        QString error;
        if (!m_sandbox->start(&error)) {
            fail(Failed, QStringLiteral("the embedded sandbox cannot start: %1").arg(error));
            return;
        }
        config.baseUrl = m_sandbox->baseUrl();
    } else {
        config.baseUrl = profile.baseUrl;
    }

    auto withProxyPassword = [this, profile, ready](const ClientConfig &keyed) {
        readProxyPasswordThen(keyed, profile, ready);
    };
    if (!needsKey) {
        withProxyPassword(config);
        return;
    }
    // The key: a named environment variable, JOURNY_API_KEY, then the keychain.
    if (m_global.isSet(QStringLiteral("api-key-env"))) {
        const QString variable = m_global.value(QStringLiteral("api-key-env"));
        config.apiKey = qEnvironmentVariable(variable.toLocal8Bit().constData());
        if (config.apiKey.isEmpty()) {
            fail(UsageError,
                 QStringLiteral("the environment variable %1 (from --api-key-env) is empty or not set")
                     .arg(variable));
            return;
        }
        withProxyPassword(config);
        return;
    }
    // The built-in sandbox has its own key: a production key left in JOURNY_API_KEY must not be
    // sent there (and would only be refused).
    if (profile.isEmbeddedSandbox()) {
        config.apiKey = SandboxConfig::defaultKey();
        withProxyPassword(config);
        return;
    }
    config.apiKey = qEnvironmentVariable("JOURNY_API_KEY");
    if (!config.apiKey.isEmpty()) {
        withProxyPassword(config);
        return;
    }
    if (profile.name.isEmpty()) {
        fail(UsageError,
             QStringLiteral("no API key for --base-url: set JOURNY_API_KEY or use --api-key-env VAR"));
        return;
    }
    m_secrets->read(profile.apiKeySecretName(), [this, config, profile, withProxyPassword](
                                                    const SecretStore::Result &result) mutable {
        if (result.error == SecretStore::Error::NotFound) {
            fail(UsageError,
                 QStringLiteral("no API key stored for profile '%1': run journy profile add %1, or set "
                                "JOURNY_API_KEY")
                     .arg(profile.name));
            return;
        }
        if (!result.ok()) {
            failKeychain(result);
            return;
        }
        config.apiKey = QString::fromUtf8(result.secret);
        withProxyPassword(config);
    });
}

void CliApplication::readProxyPasswordThen(ClientConfig config, const Profile &profile,
                                           const std::function<void(const ClientConfig &)> &ready)
{
    const NetworkSettings &network = config.network;
    if (network.proxyMode != NetworkSettings::ProxyMode::Manual || network.proxyUser.isEmpty()) {
        ready(config);
        return;
    }
    // For one run, like JOURNY_API_KEY for the key.
    const QString fromEnvironment = qEnvironmentVariable("JOURNY_PROXY_PASSWORD");
    if (!fromEnvironment.isEmpty()) {
        config.network.proxyPassword = fromEnvironment;
        ready(config);
        return;
    }
    // The stored password belongs to the profile's own proxy login: a --proxy naming another
    // host or user for this run must not receive it.
    if (profile.name.isEmpty() || profile.isEmbeddedSandbox() || !sameProxyLogin(profile.network, network)) {
        ready(config); // the proxy answers 407 if it wants a password: proxy-auth, with the fix
        return;
    }
    m_secrets->read(profile.proxyPasswordSecretName(),
                    [this, config, profile, ready](const SecretStore::Result &result) mutable {
                        // None stored is fine: the proxy may not ask.
                        if (!result.ok() && result.error != SecretStore::Error::NotFound) {
                            failKeychain(result, QStringLiteral("the proxy password of profile '%1' cannot "
                                                                "be read: ")
                                                     .arg(profile.name));
                            return;
                        }
                        config.network.proxyPassword = QString::fromUtf8(result.secret);
                        ready(config);
                    });
}

void CliApplication::send(const ApiRequest &request, const ClientConfig &config)
{
    m_client = new JournyClient(config, nullptr, nullptr, this);
    ApiReply *reply = m_client->send(request);
    connect(reply, &ApiReply::finished, this, [this](const ApiResult &result) {
        if (m_json)
            printJson(CliOutput::toJson(result));
        else
            print(CliOutput::toText(result));
        switch (result.outcome()) {
        case ApiResult::Outcome::Success:
            exit(Success);
            return;
        case ApiResult::Outcome::PreflightFailed:
            exit(PreflightFailed);
            return;
        case ApiResult::Outcome::Refused:
            // A URL refused before sending is the user's to fix, like any usage error.
            exit(result.httpStatus > 0 ? Refused : UsageError);
            return;
        case ApiResult::Outcome::Failed:
            exit(Failed);
            return;
        }
    });
}

void CliApplication::runImport(const QStringList &words)
{
    QCommandLineParser parser;
    const QCommandLineOption kind = valueOption(QStringLiteral("kind"), QString(), QStringLiteral("KIND"));
    const QCommandLineOption remove = flagOption(QStringLiteral("remove"), QString());
    const QCommandLineOption deleteRows = flagOption(QStringLiteral("delete"), QString());
    const QCommandLineOption mapping =
        valueOption(QStringLiteral("mapping"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption saveMapping =
        valueOption(QStringLiteral("save-mapping"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption map =
        valueOption(QStringLiteral("map"), QString(), QStringLiteral("COLUMN=TARGET[:TYPE]"));
    const QCommandLineOption rate = valueOption(QStringLiteral("rate"), QString(), QStringLiteral("N"));
    const QCommandLineOption rateWindow =
        valueOption(QStringLiteral("rate-window"), QString(), QStringLiteral("SECONDS"));
    const QCommandLineOption concurrency =
        valueOption(QStringLiteral("concurrency"), QString(), QStringLiteral("N"));
    const QCommandLineOption dryRun = flagOption(QStringLiteral("dry-run"), QString());
    const QCommandLineOption resume =
        valueOption(QStringLiteral("resume"), QString(), QStringLiteral("JOB|last"));
    const QCommandLineOption failedOut =
        valueOption(QStringLiteral("failed-out"), QString(), QStringLiteral("FILE"));
    const QCommandLineOption progress =
        valueOption(QStringLiteral("progress"), QString(), QStringLiteral("auto|plain|none"));
    const QCommandLineOption forceTarget = flagOption(QStringLiteral("force-target"), QString());
    const QCommandLineOption list = flagOption(QStringLiteral("list"), QString());
    const QCommandLineOption prune = flagOption(QStringLiteral("prune"), QString());
    const QCommandLineOption olderThan =
        valueOption(QStringLiteral("older-than"), QString(), QStringLiteral("DAYS"));
    if (!parseCommand(parser, words,
                      {kind, remove, deleteRows, mapping, saveMapping, map, rate, rateWindow, concurrency,
                       dryRun, resume, failedOut, progress, forceTarget, list, prune, olderThan}))
        return;

    CliImportCommand::Options options;
    options.json = m_json;
    options.resume = parser.value(resume);
    options.dryRun = parser.isSet(dryRun);
    options.failedOut = parser.value(failedOut);
    options.mappingFile = parser.value(mapping);
    options.saveMappingFile = parser.value(saveMapping);
    options.overrides = parser.values(map);
    if (parser.isSet(progress) && !CliProgress::parseMode(parser.value(progress), &options.progress)) {
        fail(UsageError, QStringLiteral("--progress must be %1, not '%2'")
                             .arg(CliProgress::modeNames(), parser.value(progress)));
        return;
    }
    auto number = [this, &parser](const QCommandLineOption &option, int minimum, int maximum, int *out) {
        QString error;
        if (parser.isSet(option) &&
            !NumericOption::readInt(QStringLiteral("--") + option.names().constFirst(), parser.value(option),
                                    minimum, maximum, out, &error)) {
            fail(UsageError, error);
            return false;
        }
        return true;
    };
    using Limits = CliImportCommand::Options;
    if (!number(rate, 1, Limits::MaxRate, &options.rate) ||
        !number(rateWindow, 1, Limits::MaxRateWindowSeconds, &options.rateWindowSeconds) ||
        !number(concurrency, 1, Limits::MaxConcurrency, &options.concurrency) ||
        !number(olderThan, 0, Limits::MaxOlderThanDays, &options.olderThanDays))
        return;
    options.list = parser.isSet(list);
    options.prune = parser.isSet(prune);
    options.forceTarget = parser.isSet(forceTarget);
    if (options.list || options.prune) {
        // Journal housekeeping: no file, no job, nothing sent.
        QStringList others;
        for (const QCommandLineOption *option :
             {&kind, &remove, &deleteRows, &mapping, &saveMapping, &map, &rate, &rateWindow, &concurrency,
              &dryRun, &resume, &failedOut, &progress, &forceTarget}) {
            if (parser.isSet(*option))
                others << QStringLiteral("--") + option->names().constFirst();
        }
        if (options.list && options.prune)
            others << QStringLiteral("--prune");
        if (parser.isSet(olderThan) && !options.prune)
            others << QStringLiteral("--older-than");
        if (!parser.positionalArguments().isEmpty())
            others << QStringLiteral("FILE");
        if (!others.isEmpty()) {
            fail(UsageError, QStringLiteral("--%1 does not take %2")
                                 .arg(options.list ? QStringLiteral("list") : QStringLiteral("prune"),
                                      others.join(QLatin1String(", "))));
            return;
        }
    } else if (parser.isSet(olderThan)) {
        fail(UsageError, QStringLiteral("--older-than goes with --prune"));
        return;
    } else if (options.forceTarget && options.resume.isEmpty()) {
        fail(UsageError, QStringLiteral("--force-target goes with --resume"));
        return;
    }
    const bool resuming = !options.resume.isEmpty();
    if (!options.list && !options.prune) {
        const QStringList files = parser.positionalArguments();
        if (resuming ? files.size() > 1 : files.size() != 1) {
            fail(UsageError, QStringLiteral("import needs exactly one FILE (or --resume JOB|last)"));
            return;
        }
        options.file = files.value(0);
        options.kindGiven = parser.isSet(kind);
        if ((!resuming || options.kindGiven) &&
            !ImportKind::fromName(parser.value(kind), &options.kind.kind)) {
            fail(UsageError, QStringLiteral("--kind must be users, accounts, memberships, events or links"));
            return;
        }
        options.kind.remove = parser.isSet(remove) || parser.isSet(deleteRows);
        const bool deletable =
            options.kind.kind == ImportKind::Kind::Users || options.kind.kind == ImportKind::Kind::Accounts;
        if ((parser.isSet(deleteRows) && (!options.kindGiven || !deletable)) ||
            (parser.isSet(remove) &&
             (!options.kindGiven || options.kind.kind != ImportKind::Kind::Memberships))) {
            fail(UsageError,
                 QStringLiteral("--delete goes with users or accounts, --remove with memberships"));
            return;
        }
    }
    if (!options.resume.isEmpty()) {
        // A resumed job is sent as it was journaled: the original FILE, --kind and mapping options
        // are checked against it (CliImportCommand), but --dry-run or --save-mapping cannot apply.
        QStringList ignored;
        for (const QCommandLineOption *option : {&saveMapping, &dryRun}) {
            if (parser.isSet(*option))
                ignored << QStringLiteral("--") + option->names().constFirst();
        }
        if (!ignored.isEmpty()) {
            fail(UsageError, QStringLiteral("--resume sends the job as it was journaled; it does not take %1")
                                 .arg(ignored.join(QLatin1String(", "))));
            return;
        }
    }
    options.targetGiven =
        m_global.isSet(QStringLiteral("base-url")) || m_global.isSet(QStringLiteral("profile"));
    options.target = m_global.isSet(QStringLiteral("base-url"))  ? m_global.value(QStringLiteral("base-url"))
                     : m_global.isSet(QStringLiteral("profile")) ? m_global.value(QStringLiteral("profile"))
                                                                 : m_profiles.defaultProfileName();

    QDir().mkpath(AppPaths::dataDir());
    auto *command = new CliImportCommand(options, AppPaths::dataDir() + QStringLiteral("/imports.sqlite"),
                                         m_out, m_err, this);
    // The command prints its own result; the exit code is all it hands back.
    connect(command, &CliImportCommand::finished, this, &CliApplication::exit);
    if (!command->prepare())
        return;
    m_impliedTarget = command->resumedTarget();
    resolveConnection([command](const ClientConfig &config) { command->run(config); });
}

void CliApplication::runRelay(const QStringList &words)
{
    QCommandLineParser parser;
    const QCommandLineOption port = valueOption(QStringLiteral("port"), QString(), QStringLiteral("N"));
    const QCommandLineOption profile =
        valueOption(QStringLiteral("profile"), QString(), QStringLiteral("NAME"));
    const QCommandLineOption baseUrl =
        valueOption(QStringLiteral("base-url"), QString(), QStringLiteral("URL"));
    const QCommandLineOption json = flagOption(QStringLiteral("json"), QString());
    if (!parseCommand(parser, words, {port, profile, baseUrl, json}))
        return;
    // `journy relay --profile NAME` reads as the command is named in the issue and the help; the
    // options mean what they mean before the command, so they are parsed as if given there.
    QStringList moved;
    for (const QCommandLineOption *option : {&profile, &baseUrl}) {
        const QString name = option->names().constFirst();
        if (!parser.isSet(*option))
            continue;
        if (m_global.isSet(name)) {
            fail(UsageError, QStringLiteral("--%1 is given twice").arg(name));
            return;
        }
        moved << QStringLiteral("--") + name << parser.value(*option);
    }
    if (parser.isSet(json))
        moved << QStringLiteral("--json");
    if (!moved.isEmpty()) {
        if (!m_global.parse(m_arguments.mid(0, 1) + moved + m_arguments.mid(1))) {
            fail(UsageError, m_global.errorText());
            return;
        }
        m_json = m_global.isSet(QStringLiteral("json"));
    }
    if (!parser.positionalArguments().isEmpty()) {
        fail(UsageError, QStringLiteral("relay takes no arguments (see journy --help)"));
        return;
    }
    int portNumber = 0; // a free port, said on stderr
    QString error;
    if (parser.isSet(port) && !NumericOption::readInt(QStringLiteral("--port"), parser.value(port), 0, 65535,
                                                      &portNumber, &error)) {
        fail(UsageError, error);
        return;
    }
    auto *command = new CliRelayCommand(quint16(portNumber), m_json, m_out, m_err, this);
    connect(command, &CliRelayCommand::finished, this, &CliApplication::exit);
    resolveConnection([command](const ClientConfig &config) { command->run(config); }, false);
}

void CliApplication::runLint(const QStringList &words)
{
    QCommandLineParser parser;
    const QCommandLineOption operation =
        valueOption(QStringLiteral("operation"), QString(), QStringLiteral("OPERATION_ID"));
    if (!parseCommand(parser, words, {operation}))
        return;
    if (parser.positionalArguments().size() > 1) {
        fail(UsageError, QStringLiteral("lint reads one FILE, or - (the default) for standard input"));
        return;
    }
    std::optional<Operation> chosen;
    if (parser.isSet(operation)) {
        const ApiOperation *info = ApiOperation::byOperationId(parser.value(operation));
        if (!info) {
            fail(UsageError, QStringLiteral("--operation: unknown operation \"%1\" (the spec's operationId, "
                                            "e.g. upsertUser)")
                                 .arg(parser.value(operation)));
            return;
        }
        chosen = info->operation;
    }
    const QString path = parser.positionalArguments().value(0, QStringLiteral("-"));
    QFile file;
    const bool opened = path == QLatin1String("-") ? file.open(stdin, QIODevice::ReadOnly)
                                                   : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        fail(UsageError, QStringLiteral("lint: cannot read %1: %2").arg(path, file.errorString()));
        return;
    }
    // A HAR of a long browser session is big; more than this is not something pasted.
    constexpr qint64 MaxInputBytes = 64 * 1024 * 1024;
    const QByteArray input = file.read(MaxInputBytes + 1);
    if (input.size() > MaxInputBytes) {
        fail(UsageError, QStringLiteral("lint: %1 is larger than 64 MiB").arg(path));
        return;
    }
    const CliLint::Outcome outcome = CliLint::run(input, chosen);
    if (!outcome.error.isEmpty()) {
        fail(UsageError, QStringLiteral("lint: ") + outcome.error);
        return;
    }
    if (m_json)
        printJson(outcome.json);
    else
        print(outcome.text);
    exit(outcome.exitCode);
}

void CliApplication::runHmac(const QStringList &words)
{
    QCommandLineParser parser;
    const QCommandLineOption verify =
        valueOption(QStringLiteral("verify"), QString(), QStringLiteral("HASH"));
    const QCommandLineOption secretEnv =
        valueOption(QStringLiteral("secret-env"), QString(), QStringLiteral("VAR"));
    if (!parseCommand(parser, words, {verify, secretEnv}))
        return;
    if (parser.positionalArguments().size() != 1) {
        fail(UsageError, QStringLiteral("hmac needs exactly one ID"));
        return;
    }
    const QString id = parser.positionalArguments().first();
    const bool verifying = parser.isSet(verify);
    const QString hash = parser.value(verify);

    auto finish = [this, id, verifying, hash](const QByteArray &secret) {
        if (secret.isEmpty()) {
            fail(UsageError, QStringLiteral("the identity-verification secret is empty"));
            return;
        }
        if (!verifying) {
            const QString signature = IdentityVerifier::sign(id, secret);
            if (m_json)
                printJson({{QLatin1String("ok"), true},
                           {QLatin1String("id"), id},
                           {QLatin1String("hash"), signature}});
            else
                print(signature + QLatin1Char('\n'));
            exit(Success);
            return;
        }
        const bool valid = IdentityVerifier::verify(id, secret, hash);
        if (m_json)
            printJson(
                {{QLatin1String("ok"), valid}, {QLatin1String("id"), id}, {QLatin1String("valid"), valid}});
        else
            print(valid ? QStringLiteral("valid: the hash matches %1\n").arg(id)
                        : QStringLiteral("invalid: the hash does not match %1 with this secret\n").arg(id));
        exit(valid ? Success : Refused);
    };

    if (parser.isSet(secretEnv)) {
        const QByteArray secret = qgetenv(parser.value(secretEnv).toLocal8Bit().constData());
        if (secret.isEmpty()) {
            fail(UsageError,
                 QStringLiteral("the environment variable %1 (from --secret-env) is empty or not set")
                     .arg(parser.value(secretEnv)));
            return;
        }
        finish(secret);
        return;
    }
    auto fromStdin = [finish] {
        finish(TerminalInput::readSecretLine(QStringLiteral("Identity-verification secret: ")));
    };
    Profile profile;
    if (m_global.isSet(QStringLiteral("base-url")) || !resolveProfile(&profile) ||
        profile.isEmbeddedSandbox()) {
        if (m_exited)
            return;
        fromStdin();
        return;
    }
    m_secrets->read(profile.verificationSecretName(),
                    [this, fromStdin, finish](const SecretStore::Result &result) {
                        if (result.ok()) {
                            finish(result.secret);
                        } else if (result.error == SecretStore::Error::NotFound) {
                            fromStdin();
                        } else {
                            failKeychain(result);
                        }
                    });
}

void CliApplication::runProfile(const QStringList &words)
{
    const QString sub = words.value(0);
    QCommandLineParser parser;
    if (sub == QLatin1String("list")) {
        if (!parseCommand(parser, words.mid(1), {}))
            return;
        listProfiles(m_profiles.profiles(), {});
        return;
    }
    if (sub == QLatin1String("add") || sub == QLatin1String("set")) {
        addOrSetProfile(sub == QLatin1String("add"), words.mid(1));
        return;
    }
    if (sub == QLatin1String("set-secret") || sub == QLatin1String("set-proxy-password") ||
        sub == QLatin1String("remove") || sub == QLatin1String("use")) {
        if (!parseCommand(parser, words.mid(1), {}))
            return;
        if (parser.positionalArguments().size() != 1) {
            fail(UsageError, QStringLiteral("profile %1 needs exactly one NAME").arg(sub));
            return;
        }
        const QString name = parser.positionalArguments().first();
        QString error;
        if (sub == QLatin1String("use")) {
            if (!m_profiles.setDefaultProfile(name, &error)) {
                fail(UsageError, error);
                return;
            }
            succeed(QStringLiteral("default profile: %1\n").arg(name), name);
            return;
        }
        if (!m_profiles.contains(name) || name == Profile::embeddedSandboxName()) {
            fail(UsageError, name == Profile::embeddedSandboxName()
                                 ? QStringLiteral("the built-in Sandbox profile has no keychain entries")
                                 : QStringLiteral("no profile named '%1'").arg(name));
            return;
        }
        const Profile profile = m_profiles.profile(name);
        if (sub == QLatin1String("set-proxy-password")) {
            setProxyPassword(profile);
            return;
        }
        if (sub == QLatin1String("set-secret")) {
            const QByteArray secret =
                TerminalInput::readSecretLine(QStringLiteral("Identity-verification secret: "));
            if (secret.isEmpty()) {
                fail(UsageError, QStringLiteral("no secret on standard input"));
                return;
            }
            m_secrets->write(
                profile.verificationSecretName(), secret, [this, name](const SecretStore::Result &result) {
                    if (!result.ok()) {
                        failKeychain(result);
                        return;
                    }
                    succeed(QStringLiteral("identity-verification secret of %1 saved in the keychain\n")
                                .arg(name),
                            name);
                });
            return;
        }
        // remove: the keychain entries first, so a failure leaves the profile to retry with.
        removeSecretsThen(
            {profile.apiKeySecretName(), profile.verificationSecretName(), profile.proxyPasswordSecretName()},
            [this, profile] {
                QString removeError;
                if (!m_profiles.remove(profile.name, &removeError)) {
                    fail(UsageError, removeError);
                    return;
                }
                succeed(QStringLiteral("profile %1 removed\n").arg(profile.name), profile.name);
            });
        return;
    }
    fail(UsageError,
         QStringLiteral("profile needs add, set, set-secret, set-proxy-password, list, remove or use"));
}

void CliApplication::removeSecretsThen(QStringList names, const std::function<void()> &done)
{
    if (names.isEmpty()) {
        done();
        return;
    }
    const QString name = names.takeFirst();
    m_secrets->remove(name, [this, names, done](const SecretStore::Result &result) {
        if (!result.ok()) {
            failKeychain(result);
            return;
        }
        removeSecretsThen(names, done);
    });
}

void CliApplication::addOrSetProfile(bool adding, const QStringList &words)
{
    const QString verb = adding ? QStringLiteral("add") : QStringLiteral("set");
    // "journy --proxy URL profile add prod" reads as if it stored the proxy; it would not.
    const QStringList runOptions = m_networkOptions.given(m_global);
    if (!runOptions.isEmpty()) {
        fail(UsageError, QStringLiteral("%1 before 'profile' would apply to this run only; to store it in "
                                        "the profile, put it after the name: journy profile %2 NAME %1 ...")
                             .arg(runOptions.join(QLatin1String(", ")), verb));
        return;
    }
    QCommandLineParser parser;
    const QCommandLineOption baseUrl =
        valueOption(QStringLiteral("base-url"), QString(), QStringLiteral("URL"));
    const QCommandLineOption label =
        valueOption(QStringLiteral("label"), QString(), QStringLiteral("ENVIRONMENT"));
    const QCommandLineOption replace = flagOption(QStringLiteral("replace"), QString());
    const CliNetworkOptions network(CliNetworkOptions::Scope::Profile);
    QList<QCommandLineOption> options{baseUrl, label};
    if (adding)
        options << replace;
    if (!parseCommand(parser, words, options + network.options()))
        return;
    if (parser.positionalArguments().size() != 1) {
        fail(UsageError, QStringLiteral("profile %1 needs exactly one NAME").arg(verb));
        return;
    }
    const QString name = parser.positionalArguments().first();
    Profile profile;
    if (adding) {
        if (!ProfileStore::isValidName(name) || name == Profile::embeddedSandboxName()) {
            fail(UsageError, name == Profile::embeddedSandboxName()
                                 ? QStringLiteral("'Sandbox' is the built-in profile")
                                 : QStringLiteral("'%1' is not a usable profile name").arg(name));
            return;
        }
        if (m_profiles.contains(name)) {
            // Silently overwriting would lose the profile's key, URL and label in one typo.
            if (!parser.isSet(replace)) {
                fail(UsageError, QStringLiteral("a profile named '%1' exists: give --replace to replace it "
                                                "(and its API key), or change it with journy profile set %1")
                                     .arg(name));
                return;
            }
            // Replaced: what is not given again (label, URL, network) stays as it was.
            profile = m_profiles.profile(name);
        } else {
            profile.name = name;
            profile.baseUrl = ClientConfig().baseUrl;
        }
    } else {
        if (!m_profiles.contains(name) || name == Profile::embeddedSandboxName()) {
            fail(UsageError, name == Profile::embeddedSandboxName()
                                 ? QStringLiteral("the built-in Sandbox profile cannot be changed")
                                 : QStringLiteral("no profile named '%1'").arg(name));
            return;
        }
        if (!parser.isSet(baseUrl) && !parser.isSet(label) && !network.anySet(parser)) {
            fail(UsageError, QStringLiteral("profile set needs something to change: --base-url, --label, "
                                            "--proxy, --no-proxy, --system-proxy, --proxy-bypass, "
                                            "--ca-file or --timeout"));
            return;
        }
        profile = m_profiles.profile(name);
    }
    const Profile before = profile;

    QString urlError;
    if (parser.isSet(baseUrl) &&
        BaseUrl::check(parser.value(baseUrl), &profile.baseUrl, &urlError) != BaseUrl::Problem::None) {
        fail(UsageError, QStringLiteral("--base-url: ") + urlError);
        return;
    }
    if (parser.isSet(label) && !Profile::environmentFromName(parser.value(label), &profile.environment)) {
        fail(UsageError, QStringLiteral("--label must be production, staging or sandbox"));
        return;
    }
    QString error;
    if (!network.apply(parser, &profile.network, &error)) {
        fail(UsageError, error);
        return;
    }
    // Everything saving would refuse (a plain-http URL to another host, say) is refused now,
    // before the key is read or the keychain touched: no orphan key, no good key replaced.
    if (!ProfileStore::check(profile, &error)) {
        fail(UsageError, error);
        return;
    }
    const bool wantsPassword = profile.network.proxyMode == NetworkSettings::ProxyMode::Manual &&
                               !profile.network.proxyUser.isEmpty();
    const QString passwordHint =
        wantsPassword
            ? QStringLiteral("store the proxy password with: journy profile set-proxy-password %1\n")
                  .arg(name)
            : QString();

    if (adding) {
        // Everything but the key is checked first, so a typo does not cost the user a paste.
        const QByteArray key =
            TerminalInput::readSecretLine(QStringLiteral("API key for %1: ").arg(profile.name)).trimmed();
        if (key.isEmpty()) {
            fail(UsageError, QStringLiteral("no API key on standard input"));
            return;
        }
        m_secrets->write(
            profile.apiKeySecretName(), key,
            [this, profile, passwordHint](const SecretStore::Result &result) {
                if (!result.ok()) {
                    failKeychain(result);
                    return;
                }
                QString saveError;
                if (!m_profiles.save(profile, &saveError)) {
                    fail(UsageError, saveError);
                    return;
                }
                succeed(
                    QStringLiteral("profile %1 saved; its API key is in the keychain\n").arg(profile.name) +
                        passwordHint,
                    profile.name);
            });
        return;
    }

    auto save = [this, profile](const QString &text) {
        QString saveError;
        if (!m_profiles.save(profile, &saveError)) {
            fail(UsageError, saveError);
            return;
        }
        succeed(text, profile.name);
    };
    const QString saved = QStringLiteral("profile %1 saved\n").arg(name);
    // A stored password was given for the previous proxy login; another proxy host or user must
    // not receive it, so it goes when the login changes.
    const bool hadLogin =
        before.network.proxyMode == NetworkSettings::ProxyMode::Manual && !before.network.proxyUser.isEmpty();
    if (!hadLogin || (wantsPassword && sameProxyLogin(before.network, profile.network))) {
        save(saved);
        return;
    }
    m_secrets->remove(profile.proxyPasswordSecretName(),
                      [this, save, saved, passwordHint](const SecretStore::Result &result) {
                          if (!result.ok()) {
                              failKeychain(result);
                              return;
                          }
                          save(saved +
                               QStringLiteral("the proxy login changed: a stored proxy password was "
                                              "removed\n") +
                               passwordHint);
                      });
}

void CliApplication::setProxyPassword(const Profile &profile)
{
    const NetworkSettings &network = profile.network;
    if (network.proxyMode != NetworkSettings::ProxyMode::Manual || network.proxyUser.isEmpty()) {
        fail(UsageError, QStringLiteral("profile '%1' has no proxy user, so a password would never be sent: "
                                        "set one first with journy profile set %1 --proxy "
                                        "http://USER@HOST:PORT")
                             .arg(profile.name));
        return;
    }
    const QByteArray password =
        TerminalInput::readSecretLine(QStringLiteral("Password of %1: ").arg(network.proxyUrl()));
    if (password.isEmpty()) {
        fail(UsageError, QStringLiteral("no proxy password on standard input"));
        return;
    }
    m_secrets->write(
        profile.proxyPasswordSecretName(), password, [this, profile](const SecretStore::Result &result) {
            if (!result.ok()) {
                failKeychain(result);
                return;
            }
            succeed(QStringLiteral("proxy password of %1 saved in the keychain\n").arg(profile.name),
                    profile.name);
        });
}

void CliApplication::listProfiles(QList<Profile> remaining, QList<QPair<Profile, QString>> done)
{
    if (remaining.isEmpty()) {
        const QString defaultName = m_profiles.defaultProfileName();
        if (m_json) {
            QJsonArray list;
            for (const auto &entry : done) {
                const NetworkSettings &network = entry.first.network;
                list.append(QJsonObject{
                    {QLatin1String("name"), entry.first.name},
                    {QLatin1String("baseUrl"), entry.first.isEmbeddedSandbox()
                                                   ? QStringLiteral("(embedded)")
                                                   : entry.first.baseUrl.toString()},
                    {QLatin1String("environment"), Profile::environmentName(entry.first.environment)},
                    // "system", "direct" or the proxy's URL with its user (never a password).
                    {QLatin1String("proxy"), network.proxyDescription()},
                    {QLatin1String("proxyBypass"), QJsonArray::fromStringList(network.proxyBypass)},
                    {QLatin1String("caFile"),
                     network.caFile.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(network.caFile)},
                    {QLatin1String("timeoutMs"), network.timeoutMs},
                    {QLatin1String("key"), entry.second},
                    {QLatin1String("default"), entry.first.name == defaultName}});
            }
            printJson({{QLatin1String("ok"), true}, {QLatin1String("data"), list}});
        } else {
            QList<QStringList> rows;
            for (const auto &entry : done) {
                const NetworkSettings &network = entry.first.network;
                rows.append({entry.first.name == defaultName ? QStringLiteral("*") : QString(),
                             entry.first.name, Profile::environmentName(entry.first.environment),
                             entry.first.isEmbeddedSandbox() ? QStringLiteral("(embedded)")
                                                             : entry.first.baseUrl.toString(),
                             network.proxyDescription(),
                             network.caFile.isEmpty() ? QStringLiteral("-") : network.caFile, entry.second});
            }
            // KEY stays last: scripts read it as the rest of the line.
            print(CliOutput::table({QString(), QStringLiteral("NAME"), QStringLiteral("ENVIRONMENT"),
                                    QStringLiteral("BASE URL"), QStringLiteral("PROXY"),
                                    QStringLiteral("CA FILE"), QStringLiteral("KEY")},
                                   rows));
        }
        exit(Success);
        return;
    }
    const Profile profile = remaining.takeFirst();
    if (profile.isEmbeddedSandbox()) {
        done.append({profile, QStringLiteral("not needed")});
        listProfiles(remaining, done);
        return;
    }
    // Only whether a key is stored; the key itself is read by the keychain and dropped here.
    m_secrets->read(profile.apiKeySecretName(),
                    [this, profile, remaining, done](const SecretStore::Result &result) mutable {
                        done.append({profile, result.ok() ? QStringLiteral("stored")
                                              : result.error == SecretStore::Error::NotFound
                                                  ? QStringLiteral("missing")
                                                  : QStringLiteral("keychain unavailable")});
                        listProfiles(remaining, done);
                    });
}

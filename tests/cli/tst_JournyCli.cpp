// The `journy` command line as a user runs it: the built executable in a child process with its
// own config, data and home folders, talking over real HTTP to a SandboxServer in this process
// (whose answers need this test's event loop, so no run ever blocks in waitForFinished()).
// Every command of the interface, every exit code, the --json shape, typed values arriving with
// their JSON types, the built-in Sandbox profile, and keys: from the environment, from the real
// Secret Service (gnome-keyring under dbus-run-session in `scripts/dev.sh test`) and without any
// keychain service, and never in any output or file.

#include "sandbox/SandboxServer.h"
#include "sandbox/SharedSandbox.h"
#include "store/KeychainSecretStore.h"
#include "store/Profile.h"
#include "store/ProfileStore.h"
#include "support/CliChild.h"
#include "support/ForwardProxy.h"
#include "support/ScriptedHttpServer.h"
#include "support/TlsTestServer.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <poll.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace {

const QString trackKey = QStringLiteral("sk_track");
const QString disabledKey = QStringLiteral("sk_disabled");
const QString allPermissionsText =
    QStringLiteral("permissions: TrackData, ReadEvents, ReadProperties, ReadSegments, GetTrackingSnippet");

QString randomHex()
{
    return QString::number(QRandomGenerator::global()->generate64(), 16);
}

using Environment = CliChild::Environment;

// Problems with stdout as the issue defines --json: exactly one JSON object with exactly these
// members of exactly these types. Empty when it is right.
QString jsonShapeProblems(const QByteArray &out)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(out, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return QStringLiteral("stdout is not exactly one JSON document (%1): %2")
            .arg(parseError.errorString(), QString::fromUtf8(out));
    if (!document.isObject())
        return QStringLiteral("stdout is not a JSON object: %1").arg(QString::fromUtf8(out));
    if (!out.endsWith('\n'))
        return QStringLiteral("stdout does not end with a line break");
    const QJsonObject object = document.object();
    const QStringList expected{QStringLiteral("data"),      QStringLiteral("error"),
                               QStringLiteral("errors"),    QStringLiteral("latencyMs"),
                               QStringLiteral("message"),   QStringLiteral("ok"),
                               QStringLiteral("rateLimit"), QStringLiteral("rejected"),
                               QStringLiteral("requestId"), QStringLiteral("status")};
    if (object.keys() != expected)
        return QStringLiteral("members %1, expected %2")
            .arg(object.keys().join(QLatin1Char(',')), expected.join(QLatin1Char(',')));

    auto isInt = [](const QJsonValue &value) {
        return value.isDouble() && std::floor(value.toDouble()) == value.toDouble();
    };
    auto intOrNull = [&isInt](const QJsonValue &value) { return value.isNull() || isInt(value); };
    auto stringOrNull = [](const QJsonValue &value) { return value.isNull() || value.isString(); };
    auto stringMap = [](const QJsonValue &value) {
        if (!value.isObject())
            return false;
        const QJsonObject map = value.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it.value().isString())
                return false;
        }
        return true;
    };
    QStringList wrong;
    if (!object.value(QLatin1String("ok")).isBool())
        wrong << QStringLiteral("ok");
    if (!intOrNull(object.value(QLatin1String("status"))))
        wrong << QStringLiteral("status");
    if (!stringOrNull(object.value(QLatin1String("requestId"))))
        wrong << QStringLiteral("requestId");
    if (!stringOrNull(object.value(QLatin1String("message"))))
        wrong << QStringLiteral("message");
    const QJsonObject rateLimit = object.value(QLatin1String("rateLimit")).toObject();
    if (!object.value(QLatin1String("rateLimit")).isObject() ||
        rateLimit.keys() != QStringList{QStringLiteral("limit"), QStringLiteral("remaining")} ||
        !intOrNull(rateLimit.value(QLatin1String("limit"))) ||
        !intOrNull(rateLimit.value(QLatin1String("remaining"))))
        wrong << QStringLiteral("rateLimit");
    if (!stringMap(object.value(QLatin1String("errors"))))
        wrong << QStringLiteral("errors");
    if (!stringMap(object.value(QLatin1String("rejected"))))
        wrong << QStringLiteral("rejected");
    if (!stringOrNull(object.value(QLatin1String("error"))))
        wrong << QStringLiteral("error");
    if (!object.value(QLatin1String("latencyMs")).isDouble() ||
        object.value(QLatin1String("latencyMs")).toDouble() < 0)
        wrong << QStringLiteral("latencyMs");
    if (!wrong.isEmpty())
        return QStringLiteral("wrong type of %1 in %2")
            .arg(wrong.join(QLatin1Char(',')), QString::fromUtf8(out));
    return QString();
}

// The first line of text that contains needle; empty when none does.
QString lineWith(const QString &text, const QString &needle)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.contains(needle))
            return line;
    }
    return QString();
}

// Problems with a table row: each cell must start in its header's column. Empty when aligned.
QString alignmentProblems(const QString &text, const QString &firstHeader,
                          const QList<QPair<QString, QString>> &cells)
{
    const QString header = lineWith(text, firstHeader);
    if (header.isEmpty())
        return QStringLiteral("no header line with %1 in:\n%2").arg(firstHeader, text);
    const QString row = lineWith(text, cells.first().second);
    if (row.isEmpty())
        return QStringLiteral("no row with %1 in:\n%2").arg(cells.first().second, text);
    for (const auto &cell : cells) {
        const qsizetype column = header.indexOf(cell.first);
        if (column < 0 || row.mid(column, cell.second.size()) != cell.second)
            return QStringLiteral("'%1' is not under '%2' in:\n%3").arg(cell.second, cell.first, text);
    }
    return QString();
}

QString hmacOf(const QByteArray &id, const QByteArray &secret)
{
    return QString::fromLatin1(
        QMessageAuthenticationCode::hash(id, secret, QCryptographicHash::Sha256).toHex());
}

quint16 closedPort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort(); // closed again when server goes
}

// A --proxy URL for a proxy on this machine, with a user when given.
QString proxyUrl(quint16 port, const QString &user = QString())
{
    return user.isEmpty() ? QStringLiteral("http://127.0.0.1:%1").arg(port)
                          : QStringLiteral("http://%1@127.0.0.1:%2").arg(user).arg(port);
}

// The CA-signed answer of tests/support/TlsTestServer: journy.io's answer to GET /validate for a
// key with TrackData.
QByteArray validateAnswer()
{
    const QByteArray body =
        R"({"data":{"permissions":["TrackData"]},"meta":{"requestId":"tls-1","status":200}})";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-RateLimit-Limit: 1800\r\n"
           "X-RateLimit-Remaining: 1799\r\nConnection: close\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

// Runs expression once (it may start a process) and checks its exit code, showing the output when wrong.
#define CHECK_JSON_SHAPE(run)                                                                                \
    QVERIFY2(jsonShapeProblems((run).out).isEmpty(),                                                         \
             qPrintable(jsonShapeProblems((run).out) + QLatin1Char('\n') + (run).describe()))

// Skips a test that needs Debian's tinyproxy when it is not installed (scripts/dev.sh installs it).
#define REQUIRE_TINYPROXY()                                                                                  \
    do {                                                                                                     \
        if (!ForwardProxy::isAvailable())                                                                    \
            QSKIP("tinyproxy is not installed (apt-get install tinyproxy, or scripts/dev.sh test)");         \
    } while (false)

// Skips a test that needs the real keychain when initTestCase() found none, saying why.
#define REQUIRE_KEYCHAIN()                                                                                   \
    do {                                                                                                     \
        if (!m_noKeychainReason.isEmpty())                                                                   \
            QSKIP(qPrintable(m_noKeychainReason));                                                           \
    } while (false)

class TestJournyCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void helpAndVersion();
    void validateAndKeySources();
    void userUpsertSendsTypedProperties();
    void rejectedPropertiesAreWarnings();
    void accountsAndMembers();
    void trackOnBothEndpoints();
    void linkDevice();
    void snippet();
    void lintJudgesWhatAnIntegrationSends();
    void lintRefusesWhatItCannotRead();
    void catalogsAsAlignedTables();
    void errorsAreShownAsFieldAndMessage();
    void exitCodes_data();
    void exitCodes();
    void numericOptionsAreFiniteAndInRange_data();
    void numericOptionsAreFiniteAndInRange();
    void baseUrlIsCheckedAsTyped();
    void rateLimitedIsRefused();
    void jsonOutputShape();
    void hmac();
    void sandboxProfileNeedsNoKeyAndKeepsData();
    void sandboxProfileSharesARunningSandbox();
    void profileCommandsWithoutKeychain();
    void keychainProfileLifecycle();
    void profileAddChecksFirstAndReplacesOnlyWhenAsked();
    void noKeychainService();
    void keyFromEnvironmentNeverLeaks();
    void ctrlCAtTheKeyPromptRestoresEcho();
    void serverTextIsCleanedAndKeyRedacted();

    void proxyForOneRun();
    void proxyLoginForOneRun();
    void deadProxy();
    void networkSettingsInProfile();
    void proxyPasswordInKeychain();
    void httpsThroughProxyWithCaFile();
    void systemProxyFromEnvironment();

private:
    CliRun journy(const QStringList &arguments, const Environment &environment = {},
                  const QByteArray &input = {});
    // A command against this test's sandbox with a key from JOURNY_API_KEY (m_key unless given).
    CliRun api(const QStringList &arguments, const QString &key = QString());
    QStringList onServer(const QStringList &arguments) const;
    QJsonObject inspect(const QString &pathAndQuery, const QUrl &base = QUrl());
    QString profilesFile() const;
    QString sandboxFile() const;
    // Where secret appears: in any run's output of this test or in any file under the temp dir.
    QStringList leaksOf(const QByteArray &secret) const;
    SecretStore::Result keychainRead(const QString &name);
    void keychainRemove(const QString &name);

    std::unique_ptr<QTemporaryDir> m_dir;
    SandboxServer *m_server = nullptr;
    QNetworkAccessManager m_nam;
    QString m_key;
    QString m_suffix;
    QString m_noKeychainReason;
    QStringList m_keychainProfiles;
    QList<QByteArray> m_outputs;
};

void TestJournyCli::initTestCase()
{
    QVERIFY2(QFileInfo(QStringLiteral(JOURNY_CLI_EXE)).isExecutable(), JOURNY_CLI_EXE);
    m_suffix = randomHex();
    // Unique per run, so a leak check cannot be fooled by an unrelated string.
    m_key = QStringLiteral("sk_cli_test_%1").arg(m_suffix);

    // A write and read back on the real keychain: a session bus may exist while the Secret
    // Service is missing or locked, so only a round trip says whether the keychain tests can run.
    const QString probe = QStringLiteral("test/tst_journycli-probe-%1").arg(m_suffix);
    KeychainSecretStore store;
    std::optional<SecretStore::Result> written;
    store.write(probe, "probe", [&written](const SecretStore::Result &result) { written = result; });
    QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 15000);
    if (!written->ok()) {
        m_noKeychainReason =
            QStringLiteral("no usable Secret Service on the session bus (%1); run the tests through "
                           "scripts/dev.sh test, which starts gnome-keyring under dbus-run-session")
                .arg(written->message);
        return;
    }
    const SecretStore::Result read = keychainRead(probe);
    if (!read.ok() || read.secret != "probe")
        m_noKeychainReason =
            QStringLiteral("the Secret Service does not give back what was written (%1)").arg(read.message);
    keychainRemove(probe);
}

void TestJournyCli::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_outputs.clear();
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(m_key, {SandboxConfig::allPermissions(), true});
    config.keys.insert(trackKey, {{QStringLiteral("TrackData")}, true});
    config.keys.insert(disabledKey, {SandboxConfig::allPermissions(), false});
    m_server = new SandboxServer(config, this);
    QVERIFY(m_server->start());
}

void TestJournyCli::cleanup()
{
    // Whatever failed, leave no entries of this run in the developer's keychain.
    for (const QString &name : std::as_const(m_keychainProfiles)) {
        Profile profile;
        profile.name = name;
        keychainRemove(profile.apiKeySecretName());
        keychainRemove(profile.verificationSecretName());
        keychainRemove(profile.proxyPasswordSecretName());
    }
    m_keychainProfiles.clear();
    delete m_server;
    m_server = nullptr;
    m_dir.reset();
}

CliRun TestJournyCli::journy(const QStringList &arguments, const Environment &environment,
                             const QByteArray &input)
{
    CliChild child;
    child.start(QStringLiteral(JOURNY_CLI_EXE), arguments, m_dir->path(), environment, input);
    const CliRun run = child.finish(20000);
    m_outputs << run.out << run.err;
    return run;
}

QStringList TestJournyCli::onServer(const QStringList &arguments) const
{
    return QStringList{QStringLiteral("--base-url"), m_server->baseUrl().toString()} + arguments;
}

CliRun TestJournyCli::api(const QStringList &arguments, const QString &key)
{
    return journy(onServer(arguments), {{QStringLiteral("JOURNY_API_KEY"), key.isEmpty() ? m_key : key}});
}

QJsonObject TestJournyCli::inspect(const QString &pathAndQuery, const QUrl &base)
{
    const QUrl url((base.isEmpty() ? m_server->baseUrl() : base).toString() + pathAndQuery);
    QNetworkReply *reply = m_nam.get(QNetworkRequest(url));
    QSignalSpy spy(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        spy.wait(5000);
    reply->deleteLater();
    return QJsonDocument::fromJson(reply->readAll()).object();
}

QString TestJournyCli::profilesFile() const
{
    return m_dir->filePath(QStringLiteral("config/journy-console/profiles.ini"));
}

QString TestJournyCli::sandboxFile() const
{
    return m_dir->filePath(QStringLiteral("data/journy-console/sandbox.sqlite"));
}

QStringList TestJournyCli::leaksOf(const QByteArray &secret) const
{
    QStringList places;
    for (const QByteArray &output : m_outputs) {
        if (output.contains(secret))
            places << QStringLiteral("output: ") + QString::fromUtf8(output);
    }
    QDirIterator it(m_dir->path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly))
            places << QStringLiteral("unreadable file ") + file.fileName();
        else if (file.readAll().contains(secret))
            places << QStringLiteral("file ") + file.fileName();
    }
    return places;
}

SecretStore::Result TestJournyCli::keychainRead(const QString &name)
{
    KeychainSecretStore store;
    auto answer = std::make_shared<std::optional<SecretStore::Result>>();
    store.read(name, [answer](const SecretStore::Result &result) { *answer = result; });
    if (!QTest::qWaitFor([answer] { return answer->has_value(); }, 15000)) {
        SecretStore::Result timeout;
        timeout.error = SecretStore::Error::Other;
        timeout.message = QStringLiteral("the keychain did not answer");
        return timeout;
    }
    return **answer;
}

void TestJournyCli::keychainRemove(const QString &name)
{
    KeychainSecretStore store;
    auto done = std::make_shared<bool>(false);
    store.remove(name, [done, name](const SecretStore::Result &result) {
        *done = true;
        if (!result.ok())
            qWarning("could not remove keychain entry %s: %s", qPrintable(name), qPrintable(result.message));
    });
    if (!QTest::qWaitFor([done] { return *done; }, 15000))
        qWarning("the keychain did not answer the removal of %s", qPrintable(name));
}

void TestJournyCli::helpAndVersion()
{
    CliRun run = journy({QStringLiteral("--help")});
    COMPARE_EXIT(run, 0);
    for (const char *command : {"validate",
                                "user upsert",
                                "user delete",
                                "account upsert",
                                "account delete",
                                "account add-users",
                                "account remove-users",
                                "track NAME",
                                "--legacy",
                                "--at ISO8601",
                                "link --device-id",
                                "snippet DOMAIN",
                                "events",
                                "properties users|accounts",
                                "segments users|accounts",
                                "hmac ID",
                                "hmac --verify",
                                "profile add",
                                "profile list",
                                "profile remove",
                                "profile use",
                                "--api-key-env",
                                "--proxy URL",
                                "--no-proxy",
                                "--ca-file PEM",
                                "--timeout SECONDS",
                                "--system-proxy",
                                "--proxy-bypass",
                                "profile set NAME",
                                "profile set-proxy-password NAME",
                                "JOURNY_PROXY_PASSWORD",
                                "Exit codes"})
        QVERIFY2(run.text().contains(QLatin1String(command)), command);

    run = journy({QStringLiteral("--version")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("journy ")), qPrintable(run.text()));
}

void TestJournyCli::validateAndKeySources()
{
    CliRun run = api({QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("HTTP 200")), qPrintable(run.text()));
    QVERIFY2(run.text().contains(QRegularExpression(QStringLiteral("requestId [0-9a-f-]{36}"))),
             qPrintable(run.text()));
    QVERIFY2(run.text().contains(QRegularExpression(QStringLiteral("rate limit: \\d+ of 1800 left"))),
             qPrintable(run.text()));
    QVERIFY2(run.text().contains(allPermissionsText), qPrintable(run.text()));

    // JOURNY_API_KEY is the key: another key, other permissions.
    run = api({QStringLiteral("validate")}, trackKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("permissions: TrackData\n")), qPrintable(run.text()));

    // --api-key-env names the variable, and wins over JOURNY_API_KEY.
    run = journy(onServer({QStringLiteral("--api-key-env"), QStringLiteral("ACME_JOURNY_KEY"),
                           QStringLiteral("--json"), QStringLiteral("validate")}),
                 {{QStringLiteral("ACME_JOURNY_KEY"), m_key}, {QStringLiteral("JOURNY_API_KEY"), trackKey}});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json()
                 .value(QLatin1String("data"))
                 .toObject()
                 .value(QLatin1String("permissions"))
                 .toArray()
                 .size(),
             SandboxConfig::allPermissions().size());

    run = journy(onServer({QStringLiteral("--api-key-env"), QStringLiteral("JOURNY_TEST_UNSET"),
                           QStringLiteral("validate")}),
                 {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("JOURNY_TEST_UNSET")), qPrintable(run.errors()));

    // No key at all for a bare --base-url: a usage error naming both ways to give one.
    run = journy(onServer({QStringLiteral("validate")}));
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("JOURNY_API_KEY")) &&
                 run.errors().contains(QLatin1String("--api-key-env")),
             qPrintable(run.errors()));

    // A key is never taken as an argument, and the refusal does not repeat it.
    for (const QStringList &arguments :
         {QStringList{QStringLiteral("--api-key"), m_key, QStringLiteral("validate")},
          QStringList{QStringLiteral("--api-key=") + m_key, QStringLiteral("validate")},
          QStringList{QStringLiteral("validate"), QStringLiteral("--api-key=") + m_key}}) {
        run = journy(onServer(arguments));
        COMPARE_EXIT(run, 1);
        QVERIFY2(!run.errors().contains(m_key), qPrintable(run.errors()));
    }
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 3);
}

void TestJournyCli::userUpsertSendsTypedProperties()
{
    CliRun run = api({QStringLiteral("user"),      QStringLiteral("upsert"),
                      QStringLiteral("--user-id"), QStringLiteral("u-42"),
                      QStringLiteral("--email"),   QStringLiteral("ann@acme.com"),
                      QStringLiteral("--prop"),    QStringLiteral("plan=Pro"),
                      QStringLiteral("--prop"),    QStringLiteral("mrr:number=399"),
                      QStringLiteral("--prop"),    QStringLiteral("ratio:number=0.25"),
                      QStringLiteral("--prop"),    QStringLiteral("is_paying:bool=true"),
                      QStringLiteral("--prop"),    QStringLiteral("registered_at:date=2024-05-01T10:00:00Z"),
                      QStringLiteral("--prop"),    QStringLiteral("note:empty"),
                      QStringLiteral("--prop"),    QStringLiteral("tags:list=a,b"),
                      QStringLiteral("--prop"),    QStringLiteral("zip=0042")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201  requestId ")), qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("\nUser will be created or updated\n")),
             qPrintable(run.text()));
    QVERIFY2(!run.text().contains(QLatin1String("warning")), qPrintable(run.text()));

    const QJsonObject user = inspect(QStringLiteral("/_sandbox/users?userId=u-42"));
    QCOMPARE(user.value(QLatin1String("email")).toString(), QStringLiteral("ann@acme.com"));
    const QJsonObject properties = user.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399)); // the number, not "399"
    QCOMPARE(properties.value(QLatin1String("ratio")), QJsonValue(0.25));
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("registered_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(properties.value(QLatin1String("note")), QJsonValue(QString(QLatin1String(""))));
    QCOMPARE(properties.value(QLatin1String("tags")),
             QJsonValue(QJsonArray{QLatin1String("a"), QLatin1String("b")}));
    QCOMPARE(properties.value(QLatin1String("zip")),
             QJsonValue(QStringLiteral("0042"))); // untyped stays a string

    // :null deletes the property and leaves the others alone; identified by email alone.
    run = api({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--email"),
               QStringLiteral("ann@acme.com"), QStringLiteral("--prop"), QStringLiteral("plan:null")});
    COMPARE_EXIT(run, 0);
    const QJsonObject after =
        inspect(QStringLiteral("/_sandbox/users?userId=u-42")).value(QLatin1String("properties")).toObject();
    QVERIFY2(!after.contains(QLatin1String("plan")), QJsonDocument(after).toJson().constData());
    QCOMPARE(after.value(QLatin1String("mrr")), QJsonValue(399));

    run = api({QStringLiteral("user"), QStringLiteral("delete"), QStringLiteral("--user-id"),
               QStringLiteral("u-42"), QStringLiteral("--email"), QStringLiteral("ann@acme.com")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 202")), qPrintable(run.text()));
    QVERIFY(!inspect(QStringLiteral("/_sandbox/users?userId=u-42")).contains(QLatin1String("userId")));
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("users")).toInt(), 0);
}

void TestJournyCli::rejectedPropertiesAreWarnings()
{
    COMPARE_EXIT(api({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
                      QStringLiteral("u-1"), QStringLiteral("--prop"),
                      QStringLiteral("registered_at:date=2024-05-01T10:00:00Z")}),
                 0);
    // The request succeeds (exit 0) but a property of the wrong type was not stored.
    const QStringList wrongType{QStringLiteral("user"),      QStringLiteral("upsert"),
                                QStringLiteral("--user-id"), QStringLiteral("u-1"),
                                QStringLiteral("--prop"),    QStringLiteral("registered_at:bool=true"),
                                QStringLiteral("--prop"),    QStringLiteral("plan=Pro")};
    CliRun run = api(wrongType);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String(
                 "warning: property registered_at was not stored: Expected a date but found a boolean.\n")),
             qPrintable(run.text()));

    run = api(QStringList{QStringLiteral("--json")} + wrongType);
    COMPARE_EXIT(run, 0);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("rejected")).toObject(),
             (QJsonObject{
                 {QLatin1String("registered_at"), QStringLiteral("Expected a date but found a boolean.")}}));
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(true));

    const QJsonObject properties =
        inspect(QStringLiteral("/_sandbox/users?userId=u-1")).value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("registered_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
}

void TestJournyCli::accountsAndMembers()
{
    CliRun run = api({QStringLiteral("account"), QStringLiteral("upsert"), QStringLiteral("--account-id"),
                      QStringLiteral("acc-7"), QStringLiteral("--domain"), QStringLiteral("acme.com"),
                      QStringLiteral("--prop"), QStringLiteral("seats:number=12"), QStringLiteral("--prop"),
                      QStringLiteral("enterprise:bool=false"), QStringLiteral("--prop"),
                      QStringLiteral("regions:list=eu,us\\,ca")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201")), qPrintable(run.text()));
    QJsonObject account = inspect(QStringLiteral("/_sandbox/accounts?accountId=acc-7"));
    QCOMPARE(account.value(QLatin1String("domain")).toString(), QStringLiteral("acme.com"));
    const QJsonObject properties = account.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(12));
    QCOMPARE(properties.value(QLatin1String("enterprise")), QJsonValue(false));
    QCOMPARE(properties.value(QLatin1String("regions")),
             QJsonValue(QJsonArray{QLatin1String("eu"), QLatin1String("us,ca")}));

    run = api({QStringLiteral("account"), QStringLiteral("add-users"), QStringLiteral("--domain"),
               QStringLiteral("acme.com"), QStringLiteral("--user"), QStringLiteral("u-1"),
               QStringLiteral("--user"), QStringLiteral("u-2"), QStringLiteral("--user-email"),
               QStringLiteral("bob@acme.com")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201")), qPrintable(run.text()));
    run = api({QStringLiteral("account"), QStringLiteral("remove-users"), QStringLiteral("--account-id"),
               QStringLiteral("acc-7"), QStringLiteral("--user"), QStringLiteral("u-2")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 204")), qPrintable(run.text()));

    account = inspect(QStringLiteral("/_sandbox/accounts?domain=acme.com"));
    const QJsonArray members = account.value(QLatin1String("members")).toArray();
    QCOMPARE(members.size(), 3);
    QStringList removed;
    QStringList present;
    for (const QJsonValue &member : members) {
        const QJsonObject object = member.toObject();
        const QString who = object.value(QLatin1String("userId")).toString() +
                            object.value(QLatin1String("email")).toString();
        (object.value(QLatin1String("removed")).toBool() ? removed : present) << who;
    }
    QCOMPARE(removed, QStringList{QStringLiteral("u-2")});
    QCOMPARE(present.size(), 2);
    QVERIFY2(present.contains(QStringLiteral("u-1")), qPrintable(present.join(QLatin1Char(','))));

    run = api({QStringLiteral("account"), QStringLiteral("delete"), QStringLiteral("--domain"),
               QStringLiteral("acme.com")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 202")), qPrintable(run.text()));
    QCOMPARE(inspect(QStringLiteral("/_sandbox/stats")).value(QLatin1String("accounts")).toInt(), 0);
}

void TestJournyCli::trackOnBothEndpoints()
{
    CliRun run =
        api({QStringLiteral("track"), QStringLiteral("Invoice paid"), QStringLiteral("--user-id"),
             QStringLiteral("u-1"), QStringLiteral("--account-id"), QStringLiteral("acc-1"),
             QStringLiteral("--meta"), QStringLiteral("amount:number=99.5"), QStringLiteral("--meta"),
             QStringLiteral("currency=EUR"), QStringLiteral("--meta"), QStringLiteral("first:bool=false"),
             QStringLiteral("--meta"), QStringLiteral("due:date=2024-06-01T00:00:00Z"),
             QStringLiteral("--at"), QStringLiteral("2024-05-01T10:00:00Z")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201")), qPrintable(run.text()));
    run = api({QStringLiteral("track"), QStringLiteral("Logged in"), QStringLiteral("--email"),
               QStringLiteral("ann@acme.com"), QStringLiteral("--domain"), QStringLiteral("acme.com"),
               QStringLiteral("--legacy")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201")), qPrintable(run.text()));

    const QJsonArray paid = inspect(QStringLiteral("/_sandbox/events?name=Invoice%20paid&userId=u-1"))
                                .value(QLatin1String("data"))
                                .toArray();
    QCOMPARE(paid.size(), 1);
    const QJsonObject event = paid.first().toObject();
    QCOMPARE(event.value(QLatin1String("endpoint")).toString(), QStringLiteral("/track"));
    QCOMPARE(event.value(QLatin1String("triggeredAt")).toString(), QStringLiteral("2024-05-01T10:00:00Z"));
    const QJsonObject metadata = event.value(QLatin1String("metadata")).toObject();
    QCOMPARE(metadata.value(QLatin1String("amount")), QJsonValue(99.5));
    QCOMPARE(metadata.value(QLatin1String("currency")), QJsonValue(QStringLiteral("EUR")));
    QCOMPARE(metadata.value(QLatin1String("first")), QJsonValue(false));
    QCOMPARE(metadata.value(QLatin1String("due")), QJsonValue(QStringLiteral("2024-06-01T00:00:00Z")));

    const QJsonArray legacy =
        inspect(QStringLiteral("/_sandbox/events?name=Logged%20in")).value(QLatin1String("data")).toArray();
    QCOMPARE(legacy.size(), 1);
    QCOMPARE(legacy.first().toObject().value(QLatin1String("endpoint")).toString(),
             QStringLiteral("/events"));
    // Without --at the server fills in "now".
    QVERIFY(!legacy.first().toObject().value(QLatin1String("triggeredAt")).toString().isEmpty());
}

void TestJournyCli::linkDevice()
{
    CliRun run = api({QStringLiteral("link"), QStringLiteral("--device-id"), QStringLiteral("dev-123"),
                      QStringLiteral("--user-id"), QStringLiteral("u-9"), QStringLiteral("--email"),
                      QStringLiteral("nine@acme.com")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 201")), qPrintable(run.text()));
    COMPARE_EXIT(api({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
                      QStringLiteral("u-9")}),
                 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/users?userId=u-9")).value(QLatin1String("devices")).toArray(),
             QJsonArray{QLatin1String("dev-123")});

    run = api({QStringLiteral("link"), QStringLiteral("--user-id"), QStringLiteral("u-9")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("--device-id")), qPrintable(run.errors()));
}

void TestJournyCli::lintJudgesWhatAnIntegrationSends()
{
    // Chrome's "Copy as cURL" of a Node SDK 3.1.0 call: an email as userId, a number as text, the
    // customer's key in a header.
    const QByteArray key = "sk_live_lint_" + m_suffix.toUtf8();
    const QByteArray curl =
        "curl 'https://api.journy.io/users/upsert' \\\n  -H 'accept: */*' \\\n"
        "  -H 'content-type: application/json' \\\n  -H 'x-api-key: " +
        key +
        "' \\\n  --data-raw "
        "'{\"identification\":{\"userId\":\"ann@acme.com\"},\"properties\":{\"mrr\":\"399\","
        "\"seats\":3}}'";
    CliRun run = journy(onServer({QStringLiteral("lint")}), {}, curl);
    COMPARE_EXIT(run, 5); // warnings only
    QVERIFY2(run.text().startsWith(
                 QStringLiteral("1/1 upsertUser (curl): POST https://api.journy.io/users/upsert\n")),
             qPrintable(run.describe()));
    QVERIFY(run.text().contains(QRegularExpression(QStringLiteral(
        R"(\n  warning  email-as-user-id +identification\.userId: userId 'ann@acme\.com' is an email)"))));
    QVERIFY(run.text().contains(QRegularExpression(
        QStringLiteral(R"(\n  warning  string-number +properties\.mrr: mrr is sent as the text '399')"))));
    QVERIFY(run.text().contains(QStringLiteral("  key      sha256:")));
    QVERIFY(run.text().endsWith(QStringLiteral("1 request(s): 0 error(s), 2 warning(s), 0 info\n")));

    run = journy(onServer({QStringLiteral("--json"), QStringLiteral("lint"), QStringLiteral("-")}), {}, curl);
    COMPARE_EXIT(run, 5);
    const QJsonObject report = run.json();
    QCOMPARE(report.value(QLatin1String("warnings")).toInt(), 2);
    QCOMPARE(report.value(QLatin1String("errors")).toInt(), 0);
    QCOMPARE(report.value(QLatin1String("ok")), QJsonValue(false));
    const QJsonObject request = report.value(QLatin1String("requests")).toArray().first().toObject();
    QCOMPARE(request.value(QLatin1String("operation")).toString(), QStringLiteral("upsertUser"));
    QCOMPARE(request.value(QLatin1String("source")).toString(), QStringLiteral("curl"));
    QVERIFY(request.value(QLatin1String("keyFingerprint")).toString().startsWith(QLatin1String("sha256:")));
    QStringList rules;
    for (const QJsonValue &finding : request.value(QLatin1String("findings")).toArray())
        rules << finding.toObject().value(QLatin1String("rule")).toString() + QLatin1Char(' ') +
                     finding.toObject().value(QLatin1String("path")).toString();
    QCOMPARE(rules, QStringList({QStringLiteral("email-as-user-id identification.userId"),
                                 QStringLiteral("string-number properties.mrr")}));
    // The key is judged by its fingerprint only: no output of this test holds it.
    QCOMPARE(leaksOf(key), QStringList());

    // A spec error outweighs warnings: exit 2, as for pre-flight.
    run = journy({QStringLiteral("lint")}, {},
                 R"({"identification":{"userId":""},"properties":{"plan":"Pro"}})");
    COMPARE_EXIT(run, 2);
    QVERIFY2(run.text().contains(
                 QRegularExpression(QStringLiteral(R"(\n  error    spec +identification\.userId: )"))),
             qPrintable(run.text()));
    // Clean: exit 0, and the operation guessed from the body's shape is said.
    run = journy({QStringLiteral("lint")}, {},
                 R"({"identification":{"userId":"u-1"},"properties":{"plan":"Pro"}})");
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QStringLiteral("  clean\n")), qPrintable(run.text()));
    QVERIFY(run.text().contains(QStringLiteral("guessed")));

    // A file: the HAR's three journy.io calls, each judged.
    const QString har = QStringLiteral(JOURNY_TEST_DATA_DIR "/paste/three-journy-calls.har");
    run = journy({QStringLiteral("--json"), QStringLiteral("lint"), har});
    QVERIFY2(run.exitCode == 0 || run.exitCode == 5, qPrintable(run.describe()));
    QCOMPARE(run.json().value(QLatin1String("requests")).toArray().size(), 3);

    // An ambiguous body needs --operation; with it, the membership is judged.
    const QByteArray membership =
        R"({"account":{"accountId":"acc-1"},"users":[{"identification":{"userId":"u-1"}}]})";
    run = journy({QStringLiteral("lint")}, {}, membership);
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("choose the operation")), qPrintable(run.describe()));
    run = journy(
        {QStringLiteral("lint"), QStringLiteral("--operation"), QStringLiteral("removeUserFromAccount")}, {},
        membership);
    COMPARE_EXIT(run, 0);
    QVERIFY(run.text().startsWith(QStringLiteral("1/1 removeUserFromAccount (json)\n")));

    // Nothing was sent anywhere: lint never connects.
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0);
}

void TestJournyCli::lintRefusesWhatItCannotRead()
{
    CliRun run = journy({QStringLiteral("lint")}, {}, "curl 'https://api.journy.io/track -d '{}'");
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().startsWith(
                 QStringLiteral("journy: lint: curl: unterminated single quote at character ")),
             qPrintable(run.describe()));
    QVERIFY(run.text().isEmpty());
    run = journy({QStringLiteral("lint"), m_dir->filePath(QStringLiteral("missing.har"))});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("cannot read")), qPrintable(run.describe()));
    run = journy({QStringLiteral("lint"), QStringLiteral("--operation"), QStringLiteral("trackEvnt")}, {},
                 "{}");
    COMPARE_EXIT(run, 1);
    QVERIFY(run.errors().contains(QStringLiteral("unknown operation \"trackEvnt\"")));
    run = journy({QStringLiteral("--json"), QStringLiteral("lint")}, {}, "");
    COMPARE_EXIT(run, 1);
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));
}

void TestJournyCli::snippet()
{
    CliRun run = api({QStringLiteral("snippet"), QStringLiteral("demo.example.com")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("<script>")), qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("sandbox-demo")), qPrintable(run.text()));

    run = api({QStringLiteral("--json"), QStringLiteral("snippet"), QStringLiteral("demo.example.com")});
    COMPARE_EXIT(run, 0);
    CHECK_JSON_SHAPE(run);
    const QJsonObject data = run.json().value(QLatin1String("data")).toObject();
    QCOMPARE(data.value(QLatin1String("domain")).toString(), QStringLiteral("demo.example.com"));
    QVERIFY(data.value(QLatin1String("snippet")).toString().startsWith(QLatin1String("<script>")));

    run = api({QStringLiteral("snippet"), QStringLiteral("nope.example.org")});
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 404")), qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("nope.example.org")), qPrintable(run.text()));

    COMPARE_EXIT(api({QStringLiteral("snippet")}), 1);
    COMPARE_EXIT(api({QStringLiteral("snippet"), QStringLiteral("a.com"), QStringLiteral("b.com")}), 1);
    // A key without GetTrackingSnippet is refused by the server.
    COMPARE_EXIT(api({QStringLiteral("snippet"), QStringLiteral("demo.example.com")}, trackKey), 3);
}

void TestJournyCli::catalogsAsAlignedTables()
{
    // An empty catalog says so instead of printing a bare header.
    CliRun run = api({QStringLiteral("events")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().endsWith(QLatin1String("NAME  ID  GROUP\n(none)\n")), qPrintable(run.text()));

    COMPARE_EXIT(api({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
                      QStringLiteral("u-1"), QStringLiteral("--prop"), QStringLiteral("plan=Pro"),
                      QStringLiteral("--prop"), QStringLiteral("lifetime_value:number=1")}),
                 0);
    COMPARE_EXIT(api({QStringLiteral("account"), QStringLiteral("upsert"), QStringLiteral("--account-id"),
                      QStringLiteral("a-1"), QStringLiteral("--prop"), QStringLiteral("seats:number=3")}),
                 0);
    for (const QString &name : {QStringLiteral("Signed up"), QStringLiteral("Invoice paid")})
        COMPARE_EXIT(api({QStringLiteral("track"), name, QStringLiteral("--user-id"), QStringLiteral("u-1")}),
                     0);

    run = api({QStringLiteral("events")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 200")), qPrintable(run.text()));
    run = api({QStringLiteral("--json"), QStringLiteral("events")});
    const QJsonArray events = run.json().value(QLatin1String("data")).toArray();
    QCOMPARE(events.size(), 2);
    run = api({QStringLiteral("events")});
    for (const QJsonValue &event : events) {
        const QString problems = alignmentProblems(
            run.text(), QStringLiteral("NAME"),
            {{QStringLiteral("NAME"), event.toObject().value(QLatin1String("name")).toString()},
             {QStringLiteral("ID"), event.toObject().value(QLatin1String("id")).toString()}});
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }

    run = api({QStringLiteral("properties"), QStringLiteral("users")});
    COMPARE_EXIT(run, 0);
    for (const QString &name : {QStringLiteral("plan"), QStringLiteral("lifetime_value")}) {
        const QString problems = alignmentProblems(run.text(), QStringLiteral("COMPUTED"),
                                                   {{QStringLiteral("NAME"), name + QLatin1String("  ")},
                                                    {QStringLiteral("COMPUTED"), QStringLiteral("no")}});
        QVERIFY2(problems.isEmpty(), qPrintable(problems));
    }
    QVERIFY2(!run.text().contains(QLatin1String("seats")), qPrintable(run.text()));
    run = api({QStringLiteral("properties"), QStringLiteral("accounts")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(alignmentProblems(run.text(), QStringLiteral("COMPUTED"),
                               {{QStringLiteral("NAME"), QStringLiteral("seats")},
                                {QStringLiteral("COMPUTED"), QStringLiteral("no")}})
                 .isEmpty(),
             qPrintable(run.text()));

    const QList<QPair<QString, QList<SandboxConfig::Segment>>> segmentKinds{
        {QStringLiteral("users"), m_server->config().userSegments},
        {QStringLiteral("accounts"), m_server->config().accountSegments}};
    for (const auto &kind : segmentKinds) {
        run = api({QStringLiteral("segments"), kind.first});
        COMPARE_EXIT(run, 0);
        QVERIFY(!kind.second.isEmpty());
        for (const SandboxConfig::Segment &segment : kind.second) {
            const QString problems = alignmentProblems(
                run.text(), QStringLiteral("NAME"),
                {{QStringLiteral("NAME"), segment.name}, {QStringLiteral("ID"), segment.id}});
            QVERIFY2(problems.isEmpty(), qPrintable(problems));
        }
    }

    COMPARE_EXIT(api({QStringLiteral("segments"), QStringLiteral("nope")}), 1);
    COMPARE_EXIT(api({QStringLiteral("properties")}), 1);
    run = api({QStringLiteral("events")}, trackKey);
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().contains(QLatin1String("ReadEvents")), qPrintable(run.text()));
}

void TestJournyCli::errorsAreShownAsFieldAndMessage()
{
    // Pre-flight: nothing is sent; each error as "field: message".
    const QStringList bad{QStringLiteral("track"),   QStringLiteral("Paid"),
                          QStringLiteral("--email"), QStringLiteral("not-an-email"),
                          QStringLiteral("--at"),    QStringLiteral("yesterday")};
    CliRun run = api(bad);
    COMPARE_EXIT(run, 2);
    QVERIFY2(
        run.text().contains(QLatin1String("error: identification.user.email: 'not-an-email' is not a valid "
                                          "email address.\n")),
        qPrintable(run.text()));
    QVERIFY2(run.text().contains(QRegularExpression(QStringLiteral("\nerror: triggeredAt: [^\n]+\n"))),
             qPrintable(run.text()));
    QVERIFY2(!run.text().contains(QLatin1String("HTTP ")), qPrintable(run.text()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0);

    // The server says the same with --no-validate: a 400 with its field errors, exit 3.
    run = api(QStringList{QStringLiteral("--no-validate")} + bad);
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 400  requestId ")), qPrintable(run.text()));
    QVERIFY2(
        run.text().contains(QLatin1String("error: identification.user.email: 'not-an-email' is not a valid "
                                          "email address.\n")),
        qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("\nerror: triggeredAt: ")), qPrintable(run.text()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);

    // A bad SPEC is the user's typo: exit 1 with the property named.
    run = api({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
               QStringLiteral("u"), QStringLiteral("--prop"), QStringLiteral("mrr:number=lots")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().startsWith(QLatin1String("journy: --prop ")) &&
                 run.errors().contains(QLatin1String("mrr")),
             qPrintable(run.errors()));
}

void TestJournyCli::exitCodes_data()
{
    // "@main" is replaced by this test's sandbox, "@closed" by a port nobody listens on,
    // "@failing" by a sandbox that answers 500, "@slow" by one that answers after 3 s. The key
    // "all" stands for this run's key with every permission, which all of them accept.
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("expected");
    const QString onMain = QStringLiteral("@main");
    auto row = [](const char *name, const QStringList &arguments, const QString &key, int expected) {
        QTest::newRow(name) << arguments << key << expected;
    };
    const QString all = QStringLiteral("all");
    const QString u = QStringLiteral("user");
    const QString upsert = QStringLiteral("upsert");
    const QString url = QStringLiteral("--base-url");
    const QString validate = QStringLiteral("validate");

    row("0 validate", {url, onMain, validate}, all, 0);
    row("0 user upsert", {url, onMain, u, upsert, QStringLiteral("--user-id"), QStringLiteral("x")}, all, 0);
    row("0 help", {QStringLiteral("--help")}, QString(), 0);

    row("1 no command", {}, QString(), 1);
    row("1 unknown command", {url, onMain, QStringLiteral("frobnicate")}, all, 1);
    row("1 unknown subcommand", {url, onMain, u, QStringLiteral("frobnicate")}, all, 1);
    row("1 unknown global option", {QStringLiteral("--frob"), validate}, QString(), 1);
    row("1 unknown command option", {url, onMain, validate, QStringLiteral("--frob")}, all, 1);
    row("1 extra argument", {url, onMain, validate, QStringLiteral("extra")}, all, 1);
    row("1 bad SPEC",
        {url, onMain, u, upsert, QStringLiteral("--user-id"), QStringLiteral("x"), QStringLiteral("--prop"),
         QStringLiteral("no value")},
        all, 1);
    row("1 track without name", {url, onMain, QStringLiteral("track")}, all, 1);
    row("1 bad timeout", {url, onMain, QStringLiteral("--timeout"), QStringLiteral("soon"), validate}, all,
        1);
    row("1 unknown profile", {QStringLiteral("--profile"), QStringLiteral("nope"), validate}, all, 1);
    row("1 profile and base url",
        {QStringLiteral("--profile"), QStringLiteral("Sandbox"), url, onMain, validate}, all, 1);
    row("1 no key", {url, onMain, validate}, QString(), 1);
    row("1 plain http to a remote host", {url, QStringLiteral("http://192.0.2.1"), validate}, all, 1);
    row("1 not an http url", {url, QStringLiteral("ftp://example.com"), validate}, all, 1);
    const QString proxy = QStringLiteral("--proxy");
    row("1 proxy url without port", {proxy, QStringLiteral("http://127.0.0.1"), url, onMain, validate}, all,
        1);
    row("1 proxy url of another scheme", {proxy, QStringLiteral("ftp://127.0.0.1:21"), url, onMain, validate},
        all, 1);
    row("1 proxy and no-proxy",
        {proxy, QStringLiteral("http://127.0.0.1:3128"), QStringLiteral("--no-proxy"), url, onMain, validate},
        all, 1);
    row("1 unreadable ca file",
        {QStringLiteral("--ca-file"), QStringLiteral("/nonexistent/ca.pem"), url, onMain, validate}, all, 1);

    row("2 invalid email",
        {url, onMain, u, upsert, QStringLiteral("--email"), QStringLiteral("not-an-email")}, all, 2);
    row("2 no identification", {url, onMain, u, upsert}, all, 2);
    row("2 event without user or account", {url, onMain, QStringLiteral("track"), QStringLiteral("Paid")},
        all, 2);
    row("2 bad --at",
        {url, onMain, QStringLiteral("track"), QStringLiteral("Paid"), QStringLiteral("--user-id"),
         QStringLiteral("x"), QStringLiteral("--at"), QStringLiteral("yesterday")},
        all, 2);
    row("2 add no users",
        {url, onMain, QStringLiteral("account"), QStringLiteral("add-users"), QStringLiteral("--account-id"),
         QStringLiteral("a")},
        all, 2);

    row("3 unknown key 401", {url, onMain, validate}, QStringLiteral("sk_unknown"), 3);
    row("3 disabled key 403", {url, onMain, validate}, disabledKey, 3);
    row("3 missing permission 401", {url, onMain, QStringLiteral("segments"), QStringLiteral("users")},
        trackKey, 3);
    row("3 unknown website 404", {url, onMain, QStringLiteral("snippet"), QStringLiteral("nope.example.org")},
        all, 3);
    row("3 server-side 400",
        {url, onMain, QStringLiteral("--no-validate"), u, upsert, QStringLiteral("--email"),
         QStringLiteral("not-an-email")},
        all, 3);

    row("4 connection refused", {url, QStringLiteral("@closed"), validate}, all, 4);
    row("4 server error 500", {url, QStringLiteral("@failing"), validate}, all, 4);
    row("4 timeout",
        {url, QStringLiteral("@slow"), QStringLiteral("--timeout"), QStringLiteral("0.5"), validate}, all, 4);
    row("4 dead proxy", {proxy, QStringLiteral("@closed"), url, onMain, validate}, all, 4);
}

void TestJournyCli::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, key);
    QFETCH(int, expected);

    std::unique_ptr<SandboxServer> faulty;
    auto faultyServer = [this, &faulty](const std::function<void(SandboxConfig::Faults &)> &configure) {
        SandboxConfig config;
        config.keys.insert(m_key, {SandboxConfig::allPermissions(), true});
        configure(config.faults);
        faulty = std::make_unique<SandboxServer>(config);
        return faulty->start() ? faulty->baseUrl().toString() : QString();
    };
    for (QString &argument : arguments) {
        if (argument == QLatin1String("@main"))
            argument = m_server->baseUrl().toString();
        else if (argument == QLatin1String("@closed"))
            argument = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());
        else if (argument == QLatin1String("@failing"))
            argument = faultyServer([](SandboxConfig::Faults &faults) { faults.failRate = 1; });
        else if (argument == QLatin1String("@slow"))
            argument = faultyServer([](SandboxConfig::Faults &faults) { faults.latencyMs = 3000; });
    }
    if (key == QLatin1String("all"))
        key = m_key;
    const CliRun run = journy(
        arguments, key.isEmpty() ? Environment() : Environment{{QStringLiteral("JOURNY_API_KEY"), key}});
    COMPARE_EXIT(run, expected);
    if (expected != 0)
        QVERIFY2(!run.text().isEmpty() || !run.errors().isEmpty(), "a failure must say why");
    if (expected == 1 && !arguments.isEmpty() && arguments != QStringList{QStringLiteral("--help")})
        QVERIFY2(run.errors().startsWith(QLatin1String("journy: ")) ||
                     run.text().contains(QLatin1String("error")),
                 qPrintable(run.describe()));
    if (expected == 2)
        QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0); // nothing was sent
}

void TestJournyCli::numericOptionsAreFiniteAndInRange_data()
{
    // Every numeric option of the CLI: a value out of range, not finite or not whole is a usage
    // error whose message states the range that is checked and quotes what was typed; the
    // range's own ends are accepted.
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("message"); // empty: accepted
    struct Option
    {
        QString command; // empty: a global option, before validate
        QString name;
        QString range;
        QStringList refused;
        QStringList accepted;
    };
    const QString import = QStringLiteral("import");
    const QList<Option> options{
        {QString(),
         QStringLiteral("--timeout"),
         QStringLiteral("a number of seconds from 0.1 to 3600"),
         {QStringLiteral("nan"), QStringLiteral("-nan"), QStringLiteral("inf"), QStringLiteral("1e400"),
          QStringLiteral("0"), QStringLiteral("-1"), QStringLiteral("3600.5"), QStringLiteral("soon")},
         {QStringLiteral("0.1"), QStringLiteral("3600")}},
        {import,
         QStringLiteral("--rate"),
         QStringLiteral("a whole number from 1 to 100000"),
         {QStringLiteral("nan"), QStringLiteral("0"), QStringLiteral("2.5"), QStringLiteral("99999999")},
         {QStringLiteral("100000")}},
        // Its milliseconds once overflowed an int: 3000000 s was a window of minus 48 days.
        {import,
         QStringLiteral("--rate-window"),
         QStringLiteral("a whole number from 1 to 86400"),
         {QStringLiteral("3000000"), QStringLiteral("inf")},
         {QStringLiteral("86400")}},
        {import,
         QStringLiteral("--concurrency"),
         QStringLiteral("a whole number from 1 to 32"),
         {QStringLiteral("1000000"), QStringLiteral("0")},
         {QStringLiteral("32")}},
    };
    for (const Option &option : options) {
        const QStringList before = option.command.isEmpty() ? QStringList() : QStringList{option.command};
        for (const QString &value : option.refused)
            QTest::newRow(qPrintable(option.name + QLatin1Char(' ') + value))
                << before + QStringList{option.name, value}
                << QStringLiteral("%1 must be %2, not '%3'").arg(option.name, option.range, value);
        for (const QString &value : option.accepted)
            QTest::newRow(qPrintable(option.name + QLatin1Char(' ') + value))
                << before + QStringList{option.name, value} << QString();
    }
}

void TestJournyCli::numericOptionsAreFiniteAndInRange()
{
    QFETCH(QStringList, options);
    QFETCH(QString, message);
    QStringList arguments = onServer({});
    if (options.first() == QLatin1String("import")) {
        QFile file(m_dir->filePath(QStringLiteral("users.csv")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("userId,email\nu1,ann@acme.com\n");
        file.close();
        arguments << options << QStringLiteral("--kind") << QStringLiteral("users")
                  << QStringLiteral("--dry-run") << file.fileName();
    } else {
        arguments = options + arguments + QStringList{QStringLiteral("validate")};
    }
    const CliRun run = journy(arguments, {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    if (message.isEmpty()) {
        COMPARE_EXIT(run, 0);
        return;
    }
    COMPARE_EXIT(run, 1);
    QCOMPARE(run.errors(), QStringLiteral("journy: %1\n").arg(message));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0); // nothing was sent
}

// --base-url and `profile add|set --base-url` share one check: the message quotes what was typed
// (without a password), a URL with user:password@ is refused and never stored or shown.
void TestJournyCli::baseUrlIsCheckedAsTyped()
{
    CliRun run = journy(
        {QStringLiteral("--base-url"), QStringLiteral("http://127.0.0.1:99999"), QStringLiteral("validate")},
        {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 1);
    QCOMPARE(run.errors(),
             QStringLiteral("journy: --base-url: 'http://127.0.0.1:99999' has no usable port: a "
                            "port is a number from 1 to 65535\n"));

    // A proxy URL the same: it once said "'' is not a proxy URL".
    run = journy({QStringLiteral("--proxy"), QStringLiteral("http://ann:pw-in-url@127.0.0.1:99999"),
                  QStringLiteral("--base-url"), m_server->baseUrl().toString(), QStringLiteral("validate")},
                 {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 1);
    QCOMPARE(run.errors(), QStringLiteral("journy: --proxy: 'http://127.0.0.1:99999' has no usable port: a "
                                          "port is a number from 1 to 65535\n"));

    const QString withPassword =
        QStringLiteral("http://ann:pw-in-url@127.0.0.1:%1").arg(m_server->baseUrl().port());
    run = journy({QStringLiteral("--base-url"), withPassword, QStringLiteral("validate")},
                 {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("must not hold a user name or password")),
             qPrintable(run.describe()));
    run = journy({QStringLiteral("profile"), QStringLiteral("add"), QStringLiteral("prod"),
                  QStringLiteral("--base-url"), withPassword},
                 {}, "sk_key\n");
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("must not hold a user name or password")),
             qPrintable(run.describe()));
    QVERIFY(!ProfileStore(profilesFile()).contains(QStringLiteral("prod")));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0);
    const QStringList found = leaksOf("pw-in-url");
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::rateLimitedIsRefused()
{
    SandboxConfig config;
    config.keys.insert(m_key, {SandboxConfig::allPermissions(), true});
    config.rateLimit = 1;
    SandboxServer limited(config);
    QVERIFY(limited.start());
    const QStringList arguments{QStringLiteral("--base-url"), limited.baseUrl().toString(),
                                QStringLiteral("validate")};
    COMPARE_EXIT(journy(arguments, {{QStringLiteral("JOURNY_API_KEY"), m_key}}), 0);
    const CliRun run = journy(arguments, {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().startsWith(QLatin1String("HTTP 429")), qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("rate limit: 0 of 1 left")), qPrintable(run.text()));
}

void TestJournyCli::jsonOutputShape()
{
    auto json = [this](const QStringList &arguments, const QString &key, int expectedExit) {
        const CliRun run = key.isNull() ? journy(QStringList{QStringLiteral("--json")} + arguments)
                                        : journy(QStringList{QStringLiteral("--json")} + arguments,
                                                 {{QStringLiteral("JOURNY_API_KEY"), key}});
        if (run.exitCode != expectedExit)
            qWarning("%s", qPrintable(run.describe()));
        return run;
    };
    const QString url = m_server->baseUrl().toString();
    const QString base = QStringLiteral("--base-url");

    // 201 without data.
    CliRun run = json({base, url, QStringLiteral("user"), QStringLiteral("upsert"),
                       QStringLiteral("--user-id"), QStringLiteral("u-1")},
                      m_key, 0);
    COMPARE_EXIT(run, 0);
    CHECK_JSON_SHAPE(run);
    QJsonObject object = run.json();
    QCOMPARE(object.value(QLatin1String("ok")), QJsonValue(true));
    QCOMPARE(object.value(QLatin1String("status")), QJsonValue(201));
    QVERIFY(object.value(QLatin1String("requestId")).toString().size() >= 8);
    QCOMPARE(object.value(QLatin1String("message")),
             QJsonValue(QStringLiteral("User will be created or updated")));
    QCOMPARE(object.value(QLatin1String("data")), QJsonValue(QJsonValue::Null));
    QCOMPARE(object.value(QLatin1String("rateLimit")).toObject().value(QLatin1String("limit")),
             QJsonValue(1800));
    QVERIFY(object.value(QLatin1String("rateLimit")).toObject().value(QLatin1String("remaining")).toInt() <
            1800);
    QCOMPARE(object.value(QLatin1String("errors")).toObject(), QJsonObject());
    QCOMPARE(object.value(QLatin1String("rejected")).toObject(), QJsonObject());
    QCOMPARE(object.value(QLatin1String("error")), QJsonValue(QJsonValue::Null));

    // GET: data is the server's data.
    run = json({base, url, QStringLiteral("properties"), QStringLiteral("users")}, m_key, 0);
    CHECK_JSON_SHAPE(run);
    QVERIFY(run.json().value(QLatin1String("data")).isArray());
    run = json({base, url, QStringLiteral("validate")}, m_key, 0);
    CHECK_JSON_SHAPE(run);
    QVERIFY(run.json().value(QLatin1String("data")).toObject().value(QLatin1String("permissions")).isArray());

    // Pre-flight: nothing was sent, so no status, request ID or rate limit.
    run = json({base, url, QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--email"),
                QStringLiteral("nope")},
               m_key, 2);
    COMPARE_EXIT(run, 2);
    CHECK_JSON_SHAPE(run);
    object = run.json();
    QCOMPARE(object.value(QLatin1String("ok")), QJsonValue(false));
    QCOMPARE(object.value(QLatin1String("status")), QJsonValue(QJsonValue::Null));
    QCOMPARE(object.value(QLatin1String("requestId")), QJsonValue(QJsonValue::Null));
    QCOMPARE(object.value(QLatin1String("error")), QJsonValue(QStringLiteral("preflight")));
    QCOMPARE(object.value(QLatin1String("errors")).toObject().keys(),
             QStringList{QStringLiteral("identification.email")});
    QCOMPARE(object.value(QLatin1String("rateLimit")).toObject(),
             (QJsonObject{{QLatin1String("limit"), QJsonValue::Null},
                          {QLatin1String("remaining"), QJsonValue::Null}}));

    // The server's 400, 401 and 403.
    run = json({base, url, QStringLiteral("--no-validate"), QStringLiteral("user"), QStringLiteral("upsert"),
                QStringLiteral("--email"), QStringLiteral("nope")},
               m_key, 3);
    COMPARE_EXIT(run, 3);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("status")), QJsonValue(400));
    QCOMPARE(run.json().value(QLatin1String("errors")).toObject().keys(),
             QStringList{QStringLiteral("identification.email")});
    QVERIFY(run.json().value(QLatin1String("requestId")).isString());
    for (const QString &key : {QStringLiteral("sk_unknown"), disabledKey}) {
        run = json({base, url, QStringLiteral("validate")}, key, 3);
        COMPARE_EXIT(run, 3);
        CHECK_JSON_SHAPE(run);
        QCOMPARE(run.json().value(QLatin1String("status")).toInt(), key == disabledKey ? 403 : 401);
        QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));
        QVERIFY(run.json().value(QLatin1String("message")).isString());
    }

    // Transport failure: no HTTP answer at all.
    const quint16 closed = closedPort();
    run =
        json({base, QStringLiteral("http://127.0.0.1:%1").arg(closed), QStringLiteral("validate")}, m_key, 4);
    COMPARE_EXIT(run, 4);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("status")), QJsonValue(QJsonValue::Null));
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("connection-refused")));
    // Its reason, on one line, for a script's log.
    const QString reason = run.json().value(QLatin1String("message")).toString();
    // It names what failed: the host:port and the URL.
    QCOMPARE(reason,
             QStringLiteral("Connection refused by 127.0.0.1:%1 (http://127.0.0.1:%1/validate)").arg(closed));

    // A 500 from a server with a JSON body.
    SandboxConfig failing;
    failing.keys.insert(m_key, {SandboxConfig::allPermissions(), true});
    failing.faults.failRate = 1;
    SandboxServer failingServer(failing);
    QVERIFY(failingServer.start());
    run = json({base, failingServer.baseUrl().toString(), QStringLiteral("validate")}, m_key, 4);
    COMPARE_EXIT(run, 4);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("status")), QJsonValue(500));
    QCOMPARE(run.json().value(QLatin1String("ok")), QJsonValue(false));

    // Usage errors keep the shape too, so a script can always parse stdout; the message goes to stderr as
    // well.
    run = json({base, url, QStringLiteral("frobnicate")}, m_key, 1);
    COMPARE_EXIT(run, 1);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("usage")));
    QVERIFY(run.json().value(QLatin1String("message")).toString().contains(QLatin1String("frobnicate")));
    run = json({base, url, QStringLiteral("validate")}, QString(), 1); // no key
    COMPARE_EXIT(run, 1);
    CHECK_JSON_SHAPE(run);
}

void TestJournyCli::hmac()
{
    const QByteArray secret = "hmac-secret-" + m_suffix.toLatin1();
    const QString expected = hmacOf("20", secret);
    // The spec's own example, computed independently of Qt.
    QCOMPARE(hmacOf("20", "secret"),
             QStringLiteral("359b4c07c1431fe5ae0415f8ebade3f09060478b7e06b6b0822314476a22627f"));

    const Environment withSecret{{QStringLiteral("JOURNY_TEST_SECRET"), QString::fromLatin1(secret)}};
    const QStringList fromEnv{QStringLiteral("--secret-env"), QStringLiteral("JOURNY_TEST_SECRET")};
    CliRun run = journy(QStringList{QStringLiteral("hmac"), QStringLiteral("20")} + fromEnv, withSecret);
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), expected + QLatin1Char('\n'));

    // From stdin: with the default (Sandbox) profile and with --base-url, neither has a stored secret.
    run = journy({QStringLiteral("hmac"), QStringLiteral("20")}, {}, "secret\n");
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), hmacOf("20", "secret") + QLatin1Char('\n'));
    run = journy(onServer({QStringLiteral("hmac"), QStringLiteral("acc 7")}), {}, secret + "\r\n");
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), hmacOf("acc 7", secret) + QLatin1Char('\n'));

    run =
        journy(QStringList{QStringLiteral("--json"), QStringLiteral("hmac"), QStringLiteral("20")} + fromEnv,
               withSecret);
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json(), (QJsonObject{{QLatin1String("ok"), true},
                                      {QLatin1String("id"), QStringLiteral("20")},
                                      {QLatin1String("hash"), expected}}));

    // --verify: 0 when it matches (case of the hex digits does not matter), 3 when it does not.
    run = journy(
        QStringList{QStringLiteral("hmac"), QStringLiteral("--verify"), expected, QStringLiteral("20")} +
            fromEnv,
        withSecret);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().startsWith(QLatin1String("valid")), qPrintable(run.text()));
    run = journy(QStringList{QStringLiteral("hmac"), QStringLiteral("--verify"), expected.toUpper(),
                             QStringLiteral("20")} +
                     fromEnv,
                 withSecret);
    COMPARE_EXIT(run, 0);
    run = journy(
        QStringList{QStringLiteral("hmac"), QStringLiteral("--verify"), expected, QStringLiteral("21")} +
            fromEnv,
        withSecret);
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().startsWith(QLatin1String("invalid")), qPrintable(run.text()));
    run = journy({QStringLiteral("--json"), QStringLiteral("hmac"), QStringLiteral("--verify"), expected,
                  QStringLiteral("20")},
                 {}, secret + "\n");
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json().value(QLatin1String("valid")), QJsonValue(true));
    run = journy({QStringLiteral("--json"), QStringLiteral("hmac"), QStringLiteral("--verify"),
                  QStringLiteral("00"), QStringLiteral("20")},
                 {}, secret + "\n");
    COMPARE_EXIT(run, 3);
    QCOMPARE(run.json().value(QLatin1String("valid")), QJsonValue(false));

    // Usage errors: no ID, two IDs, an unset variable, nothing on stdin.
    COMPARE_EXIT(journy(QStringList{QStringLiteral("hmac")} + fromEnv, withSecret), 1);
    COMPARE_EXIT(
        journy(QStringList{QStringLiteral("hmac"), QStringLiteral("1"), QStringLiteral("2")} + fromEnv,
               withSecret),
        1);
    run = journy({QStringLiteral("hmac"), QStringLiteral("20"), QStringLiteral("--secret-env"),
                  QStringLiteral("JOURNY_TEST_UNSET")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("JOURNY_TEST_UNSET")), qPrintable(run.errors()));
    run = journy({QStringLiteral("hmac"), QStringLiteral("20")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("empty")), qPrintable(run.errors()));

    // The secret itself is never echoed.
    const QStringList found = leaksOf(secret);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::sandboxProfileNeedsNoKeyAndKeepsData()
{
    // No key, no --base-url, no profile file: the built-in Sandbox profile, run in-process.
    CliRun run = journy({QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(allPermissionsText), qPrintable(run.text()));
    run =
        journy({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
                QStringLiteral("persist-1"), QStringLiteral("--prop"), QStringLiteral("plan_of_record=Pro")});
    COMPARE_EXIT(run, 0);
    COMPARE_EXIT(journy({QStringLiteral("track"), QStringLiteral("Signed up"), QStringLiteral("--user-id"),
                         QStringLiteral("persist-1")}),
                 0);
    QVERIFY2(QFile::exists(sandboxFile()), qPrintable(sandboxFile()));
    // The process that served the file released it, so the next run (or the console) serves it again.
    QVERIFY(!QFile::exists(sandboxFile() + QStringLiteral(".lock")));
    QVERIFY(!QFile::exists(sandboxFile() + QStringLiteral(".port")));

    // Later runs see what earlier ones stored.
    run = journy({QStringLiteral("--json"), QStringLiteral("properties"), QStringLiteral("users")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(QJsonDocument(run.json().value(QLatin1String("data")).toArray())
                 .toJson()
                 .contains("\"plan_of_record\""),
             qPrintable(run.text()));
    run = journy({QStringLiteral("--profile"), QStringLiteral("Sandbox"), QStringLiteral("events")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(lineWith(run.text(), QStringLiteral("Signed up")).startsWith(QLatin1String("Signed up")),
             qPrintable(run.text()));

    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    const QString row = lineWith(run.text(), QStringLiteral("Sandbox"));
    QVERIFY2(row.startsWith(QLatin1Char('*')), qPrintable(run.text()));
    QVERIFY2(row.contains(QLatin1String("(embedded)")) && row.contains(QLatin1String("not needed")),
             qPrintable(run.text()));
}

void TestJournyCli::sandboxProfileSharesARunningSandbox()
{
    // The console (here: this process) already serves the file; the CLI must use that sandbox over
    // loopback instead of opening the same SQLite file a second time.
    SharedSandbox console(sandboxFile());
    QString error;
    QVERIFY2(console.start(&error), qPrintable(error));
    QVERIFY(console.server());

    CliRun run =
        journy({QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"),
                QStringLiteral("shared-1"), QStringLiteral("--prop"), QStringLiteral("seats:number=5")});
    COMPARE_EXIT(run, 0);
    const QJsonObject user = inspect(QStringLiteral("/_sandbox/users?userId=shared-1"), console.baseUrl());
    QCOMPARE(user.value(QLatin1String("properties")).toObject().value(QLatin1String("seats")), QJsonValue(5));
    QCOMPARE(console.server()->stats().value(QLatin1String("requests")).toInt(), 1);
    // The CLI did not take over the data file's lock or port file.
    QVERIFY(QFile::exists(sandboxFile() + QStringLiteral(".port")));
}

void TestJournyCli::profileCommandsWithoutKeychain()
{
    // A profile written the way the console writes it, pointing at this test's sandbox.
    const QString name = QStringLiteral("ci %1").arg(m_suffix);
    Profile profile;
    profile.name = name;
    profile.baseUrl = m_server->baseUrl();
    profile.environment = Profile::Environment::Staging;
    ProfileStore store(profilesFile());
    QString error;
    QVERIFY2(store.save(profile, &error), qPrintable(error));

    CliRun run = journy({QStringLiteral("profile"), QStringLiteral("use"), name});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), QStringLiteral("default profile: %1\n").arg(name));
    QCOMPARE(ProfileStore(profilesFile()).defaultProfileName(), name);

    // The default profile is used without --profile; its key here comes from the environment.
    run = journy({QStringLiteral("validate")}, {{QStringLiteral("JOURNY_API_KEY"), m_key}});
    COMPARE_EXIT(run, 0);
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);

    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    // Columns line up although only the default's row has the "*" marker.
    const QString header = lineWith(run.text(), QStringLiteral("ENVIRONMENT"));
    const QString mine = lineWith(run.text(), name);
    const QString sandbox = lineWith(run.text(), QStringLiteral("(embedded)"));
    QVERIFY2(mine.startsWith(QLatin1Char('*')) && !sandbox.startsWith(QLatin1Char('*')),
             qPrintable(run.text()));
    QCOMPARE(mine.indexOf(name), header.indexOf(QLatin1String("NAME")));
    QCOMPARE(sandbox.indexOf(QLatin1String("Sandbox")), header.indexOf(QLatin1String("NAME")));
    QCOMPARE(mine.indexOf(QLatin1String("staging")), header.indexOf(QLatin1String("ENVIRONMENT")));
    QCOMPARE(mine.indexOf(m_server->baseUrl().toString()), header.indexOf(QLatin1String("BASE URL")));
    const QString keyState = mine.mid(header.indexOf(QLatin1String("KEY")));
    QVERIFY2(keyState == QLatin1String("missing") || keyState == QLatin1String("keychain unavailable"),
             qPrintable(run.text()));

    run = journy({QStringLiteral("--json"), QStringLiteral("profile"), QStringLiteral("use"),
                  QStringLiteral("Sandbox")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.json(), (QJsonObject{{QLatin1String("ok"), true},
                                      {QLatin1String("profile"), QStringLiteral("Sandbox")}}));
    run = journy({QStringLiteral("--json"), QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    const QJsonArray list = run.json().value(QLatin1String("data")).toArray();
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).toObject().value(QLatin1String("name")).toString(), QStringLiteral("Sandbox"));
    QCOMPARE(list.at(0).toObject().value(QLatin1String("default")), QJsonValue(true));
    QCOMPARE(list.at(1).toObject().value(QLatin1String("environment")).toString(), QStringLiteral("staging"));
    QCOMPARE(list.at(1).toObject().value(QLatin1String("default")), QJsonValue(false));

    // Refusals that never get as far as the keychain.
    const QByteArray key = m_key.toUtf8() + '\n';
    struct Refusal
    {
        QStringList arguments;
        const char *message;
    };
    const QList<Refusal> refusals{
        {{QStringLiteral("use"), QStringLiteral("nope")}, "no profile named 'nope'"},
        {{QStringLiteral("remove"), QStringLiteral("Sandbox")}, "built-in"},
        {{QStringLiteral("remove"), QStringLiteral("nope")}, "no profile named 'nope'"},
        {{QStringLiteral("set-secret"), QStringLiteral("nope")}, "no profile named 'nope'"},
        {{QStringLiteral("add"), QStringLiteral("Sandbox")}, "built-in"},
        {{QStringLiteral("add"), QStringLiteral("bad/name")}, "not a usable profile name"},
        {{QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("--label"), QStringLiteral("qa")},
         "--label must be production, staging or sandbox"},
        {{QStringLiteral("add")}, "exactly one NAME"},
        {{QStringLiteral("frobnicate")}, "profile needs"},
        {{}, "profile needs"},
    };
    for (const Refusal &refusal : refusals) {
        run = journy(QStringList{QStringLiteral("profile")} + refusal.arguments, {}, key);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().contains(QLatin1String(refusal.message)), qPrintable(run.describe()));
    }
    const QStringList found = leaksOf(m_key.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::keychainProfileLifecycle()
{
    REQUIRE_KEYCHAIN();
    const QString name = QStringLiteral("cli-test-%1").arg(m_suffix);
    m_keychainProfiles << name; // removed from the keychain in cleanup(), whatever happens here
    Profile profile;
    profile.name = name;
    const QString url = m_server->baseUrl().toString();

    CliRun run = journy({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--base-url"),
                         url, QStringLiteral("--label"), QStringLiteral("staging")},
                        {}, m_key.toUtf8() + '\n');
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), QStringLiteral("profile %1 saved; its API key is in the keychain\n").arg(name));
    const Profile saved = ProfileStore(profilesFile()).profile(name);
    QCOMPARE(saved.baseUrl, m_server->baseUrl());
    QCOMPARE(saved.environment, Profile::Environment::Staging);
    // The key is in the real keychain under the profile's entry, exactly as pasted minus the newline.
    QCOMPARE(keychainRead(profile.apiKeySecretName()).secret, m_key.toUtf8());

    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    const QString row = lineWith(run.text(), name);
    QVERIFY2(row.contains(QLatin1String("staging")) && row.contains(url) &&
                 row.endsWith(QLatin1String("stored")),
             qPrintable(run.text()));
    run = journy({QStringLiteral("--json"), QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    const QJsonObject entry = run.json().value(QLatin1String("data")).toArray().at(1).toObject();
    QCOMPARE(entry.value(QLatin1String("name")).toString(), name);
    QCOMPARE(entry.value(QLatin1String("key")).toString(), QStringLiteral("stored"));

    // The key comes from the keychain: no JOURNY_API_KEY in this environment.
    run = journy({QStringLiteral("--profile"), name, QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(allPermissionsText), qPrintable(run.text()));
    run = journy({QStringLiteral("--profile"), name, QStringLiteral("--json"), QStringLiteral("user"),
                  QStringLiteral("upsert"), QStringLiteral("--user-id"), QStringLiteral("kc-1"),
                  QStringLiteral("--prop"), QStringLiteral("mrr:number=7")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/users?userId=kc-1"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("mrr")),
             QJsonValue(7));

    // The profile's identity-verification secret, stored from stdin and used by hmac.
    const QByteArray secret = "kc-hmac-secret-" + m_suffix.toLatin1();
    run = journy({QStringLiteral("profile"), QStringLiteral("set-secret"), name}, {}, secret + '\n');
    COMPARE_EXIT(run, 0);
    run = journy({QStringLiteral("--profile"), name, QStringLiteral("hmac"), QStringLiteral("20")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), hmacOf("20", secret) + QLatin1Char('\n'));

    // As the default profile, without --profile.
    COMPARE_EXIT(journy({QStringLiteral("profile"), QStringLiteral("use"), name}), 0);
    run = journy({QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(allPermissionsText), qPrintable(run.text()));

    run = journy({QStringLiteral("profile"), QStringLiteral("remove"), name});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), QStringLiteral("profile %1 removed\n").arg(name));
    QCOMPARE(keychainRead(profile.apiKeySecretName()).error, SecretStore::Error::NotFound);
    QCOMPARE(keychainRead(profile.verificationSecretName()).error, SecretStore::Error::NotFound);
    QCOMPARE(ProfileStore(profilesFile()).defaultProfileName(), QStringLiteral("Sandbox"));

    run = journy({QStringLiteral("--profile"), name, QStringLiteral("validate")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("no profile named '%1'").arg(name)),
             qPrintable(run.errors()));
    // Even with the profile back (say, from a backup of profiles.ini) the key stays gone.
    QString error;
    QVERIFY(ProfileStore(profilesFile()).save(saved, &error));
    run = journy({QStringLiteral("--profile"), name, QStringLiteral("validate")});
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("no API key stored for profile '%1'").arg(name)),
             qPrintable(run.errors()));
    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    QVERIFY2(lineWith(run.text(), name).endsWith(QLatin1String("missing")), qPrintable(run.text()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 3);

    QVERIFY(QFile::exists(profilesFile())); // so the leak check below reads it
    for (const QByteArray &hidden : {m_key.toUtf8(), secret}) {
        const QStringList found = leaksOf(hidden);
        QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    }
}

// `profile add` refuses what a request would refuse before the key is written, and an existing
// name unless --replace, which keeps what is not given again (the label).
void TestJournyCli::profileAddChecksFirstAndReplacesOnlyWhenAsked()
{
    REQUIRE_KEYCHAIN();
    const QString name = QStringLiteral("cli-add-%1").arg(m_suffix);
    const QString remote = QStringLiteral("cli-remote-%1").arg(m_suffix);
    m_keychainProfiles << name << remote; // removed from the keychain in cleanup(), whatever happens
    Profile profile;
    profile.name = name;
    Profile remoteProfile;
    remoteProfile.name = remote;
    const QString add = QStringLiteral("add");
    auto profileCommand = [this](const QStringList &arguments, const QByteArray &key) {
        return journy(QStringList{QStringLiteral("profile")} + arguments, {}, key + '\n');
    };

    // Plain http to another host: refused at add, not first when used; no key written.
    CliRun run = profileCommand(
        {add, remote, QStringLiteral("--base-url"), QStringLiteral("http://api.journy.io")}, "sk_orphan_key");
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("Refusing plain http:// to api.journy.io")),
             qPrintable(run.describe()));
    QVERIFY(!ProfileStore(profilesFile()).contains(remote));
    QCOMPARE(keychainRead(remoteProfile.apiKeySecretName()).error, SecretStore::Error::NotFound);

    const QString url = m_server->baseUrl().toString();
    run = profileCommand(
        {add, name, QStringLiteral("--base-url"), url, QStringLiteral("--label"), QStringLiteral("staging")},
        "sk_first_key");
    COMPARE_EXIT(run, 0);

    // The same name again: refused, the stored key and label untouched.
    run = profileCommand({add, name}, "sk_second_key");
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QStringLiteral("a profile named '%1' exists: give --replace").arg(name)),
             qPrintable(run.describe()));
    QCOMPARE(keychainRead(profile.apiKeySecretName()).secret, QByteArray("sk_first_key"));

    // --replace: a new key; the label and URL stay, not reset to production and api.journy.io.
    run = profileCommand({add, name, QStringLiteral("--replace")}, "sk_third_key");
    COMPARE_EXIT(run, 0);
    Profile stored = ProfileStore(profilesFile()).profile(name);
    QCOMPARE(stored.environment, Profile::Environment::Staging);
    QCOMPARE(stored.baseUrl, m_server->baseUrl());
    QCOMPARE(keychainRead(profile.apiKeySecretName()).secret, QByteArray("sk_third_key"));
    run = profileCommand(
        {add, name, QStringLiteral("--replace"), QStringLiteral("--label"), QStringLiteral("sandbox")},
        "sk_fourth_key");
    COMPARE_EXIT(run, 0);
    QCOMPARE(ProfileStore(profilesFile()).profile(name).environment, Profile::Environment::Sandbox);

    // A bad URL with --replace keeps the working key.
    run = profileCommand({add, name, QStringLiteral("--replace"), QStringLiteral("--base-url"),
                          QStringLiteral("http://api.journy.io")},
                         "sk_fifth_key");
    COMPARE_EXIT(run, 1);
    QCOMPARE(keychainRead(profile.apiKeySecretName()).secret, QByteArray("sk_fourth_key"));
    QCOMPARE(ProfileStore(profilesFile()).profile(name).baseUrl, m_server->baseUrl());
}

void TestJournyCli::noKeychainService()
{
    // A bus address where nothing listens: no Secret Service for this run, whatever the host has.
    const Environment noBus{
        {QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
         QStringLiteral("unix:path=%1").arg(m_dir->filePath(QStringLiteral("no-such-bus")))}};
    const QString name = QStringLiteral("nokeychain-%1").arg(m_suffix);
    Profile profile;
    profile.name = name;
    profile.baseUrl = m_server->baseUrl();
    QString error;
    QVERIFY(ProfileStore(profilesFile()).save(profile, &error));

    // A keychain that cannot answer is exit 4 with its reason, not 1 (a usage error).
    CliRun run = journy({QStringLiteral("--profile"), name, QStringLiteral("validate")}, noBus);
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.errors().contains(QLatin1String("No keychain service is available")),
             qPrintable(run.describe()));
    QVERIFY2(run.errors().contains(QLatin1String("never stored in a file")), qPrintable(run.describe()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0);

    // Adding a profile fails the same way, and keeps neither the key nor the profile.
    const QString other = QStringLiteral("nokeychain-add-%1").arg(m_suffix);
    run = journy({QStringLiteral("profile"), QStringLiteral("add"), other, QStringLiteral("--base-url"),
                  m_server->baseUrl().toString()},
                 noBus, m_key.toUtf8() + '\n');
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.errors().contains(QLatin1String("No keychain service is available")),
             qPrintable(run.describe()));
    QVERIFY(!ProfileStore(profilesFile()).contains(other));

    run = journy({QStringLiteral("profile"), QStringLiteral("list")}, noBus);
    COMPARE_EXIT(run, 0);
    QVERIFY2(lineWith(run.text(), name).endsWith(QLatin1String("keychain unavailable")),
             qPrintable(run.text()));
    run = journy({QStringLiteral("profile"), QStringLiteral("remove"), name}, noBus);
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.errors().contains(QLatin1String("No keychain service is available")),
             qPrintable(run.describe()));
    QVERIFY(ProfileStore(profilesFile()).contains(name)); // kept, so the removal can be retried
    run = journy({QStringLiteral("profile"), QStringLiteral("set-secret"), name}, noBus, "secret\n");
    COMPARE_EXIT(run, 4);
    run = journy({QStringLiteral("--json"), QStringLiteral("--profile"), name, QStringLiteral("validate")},
                 noBus);
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")).toString(), QStringLiteral("failed"));

    // A key from the environment needs no keychain at all.
    Environment withKey = noBus;
    withKey.insert(QStringLiteral("JOURNY_API_KEY"), m_key);
    COMPARE_EXIT(journy({QStringLiteral("--profile"), name, QStringLiteral("validate")}, withKey), 0);

    const QStringList found = leaksOf(m_key.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::keyFromEnvironmentNeverLeaks()
{
    const Environment viaDefault{{QStringLiteral("JOURNY_API_KEY"), m_key}};
    const Environment viaNamed{{QStringLiteral("ACME_KEY"), m_key}};
    const QStringList named{QStringLiteral("--api-key-env"), QStringLiteral("ACME_KEY")};
    const QString closed = QStringLiteral("http://127.0.0.1:%1").arg(closedPort());

    const QList<QPair<QStringList, Environment>> runs{
        {onServer({QStringLiteral("validate")}), viaDefault},
        {onServer({QStringLiteral("--json"), QStringLiteral("validate")}), viaDefault},
        {onServer(named + QStringList{QStringLiteral("--json"), QStringLiteral("user"),
                                      QStringLiteral("upsert"), QStringLiteral("--user-id"),
                                      QStringLiteral("u"), QStringLiteral("--prop"),
                                      QStringLiteral("created_at:bool=true")}),
         viaNamed},
        {onServer(named + QStringList{QStringLiteral("track"), QStringLiteral("E")}), viaNamed}, // pre-flight
        {onServer({QStringLiteral("--no-validate"), QStringLiteral("user"), QStringLiteral("upsert"),
                   QStringLiteral("--email"), QStringLiteral("x")}),
         viaDefault}, // server 400
        {{QStringLiteral("--base-url"), closed, QStringLiteral("validate")}, viaDefault},
        {{QStringLiteral("--json"), QStringLiteral("--base-url"), closed, QStringLiteral("validate")},
         viaDefault},
        // The built-in Sandbox profile with a key in the environment: the sandbox's own key is used,
        // and the environment's key must not end up in its SQLite file either.
        {{QStringLiteral("user"), QStringLiteral("upsert"), QStringLiteral("--user-id"), QStringLiteral("u")},
         viaDefault},
        {named + QStringList{QStringLiteral("--json"), QStringLiteral("events")}, viaNamed},
    };
    for (const auto &entry : runs) {
        const CliRun run = journy(entry.first, entry.second);
        QVERIFY2(run.exitCode >= 0, qPrintable(run.describe()));
    }
    QVERIFY2(QFile::exists(sandboxFile()), "the embedded sandbox should have written its file");
    // A production key left in JOURNY_API_KEY is not sent to the built-in sandbox: it works with its own.
    COMPARE_EXIT(journy({QStringLiteral("validate")}, viaDefault), 0);
    const QStringList found = leaksOf(m_key.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

// Ctrl+C at `profile add`'s hidden key prompt, on a real pseudo-terminal: the process ends by
// SIGINT as before, and the terminal has its echo back (a shell would otherwise type blind).
void TestJournyCli::ctrlCAtTheKeyPromptRestoresEcho()
{
    const int master = posix_openpt(O_RDWR | O_NOCTTY);
    QVERIFY(master >= 0);
    QVERIFY(grantpt(master) == 0 && unlockpt(master) == 0);
    const QByteArray slavePath = ptsname(master);
    // Held open here too, so the terminal's settings outlive the child and can be read after.
    const int slave = open(slavePath.constData(), O_RDWR | O_NOCTTY);
    QVERIFY(slave >= 0);
    termios before{};
    QVERIFY(tcgetattr(slave, &before) == 0);
    QVERIFY(before.c_lflag & ECHO);
    QVERIFY(before.c_lflag & ISIG);

    const QByteArray exe = JOURNY_CLI_EXE;
    const QDir root(m_dir->path());
    for (const char *name : {"home", "config", "data", "cache"})
        QDir().mkpath(root.filePath(QLatin1String(name)));
    const pid_t child = fork();
    if (child == 0) {
        // The child: its own session with the pseudo-terminal as its controlling terminal.
        setsid();
        const int tty = open(slavePath.constData(), O_RDWR);
        if (tty < 0)
            _exit(120);
        dup2(tty, STDIN_FILENO);
        dup2(tty, STDOUT_FILENO);
        dup2(tty, STDERR_FILENO);
        setenv("HOME", qPrintable(root.filePath(QStringLiteral("home"))), 1);
        setenv("XDG_CONFIG_HOME", qPrintable(root.filePath(QStringLiteral("config"))), 1);
        setenv("XDG_DATA_HOME", qPrintable(root.filePath(QStringLiteral("data"))), 1);
        setenv("XDG_CACHE_HOME", qPrintable(root.filePath(QStringLiteral("cache"))), 1);
        execl(exe.constData(), exe.constData(), "profile", "add", "typed-blind", "--base-url",
              "https://api.journy.io", static_cast<char *>(nullptr));
        _exit(121);
    }
    QVERIFY(child > 0);

    // Wait for the prompt; echo is off then.
    QByteArray seen;
    bool prompted = false;
    for (int tries = 0; tries < 100 && !prompted; ++tries) {
        pollfd readable{master, POLLIN, 0};
        if (poll(&readable, 1, 200) > 0) {
            char buffer[256];
            const ssize_t n = read(master, buffer, sizeof buffer);
            if (n > 0)
                seen.append(buffer, n);
        }
        prompted = seen.contains("API key for typed-blind: ");
    }
    termios during{};
    const bool silent = tcgetattr(slave, &during) == 0 && !(during.c_lflag & ECHO);
    // Ctrl+C as typed: the terminal sends SIGINT to the child.
    const ssize_t written = write(master, "\x03", 1);
    int status = 0;
    pid_t ended = 0;
    for (int tries = 0; tries < 100 && ended == 0; ++tries) {
        ended = waitpid(child, &status, WNOHANG);
        if (ended == 0)
            QTest::qWait(50);
    }
    if (ended == 0) {
        kill(child, SIGKILL);
        waitpid(child, &status, 0);
    }
    termios after{};
    const bool readBack = tcgetattr(slave, &after) == 0;
    close(slave);
    close(master);

    QVERIFY2(prompted, seen.constData());
    QVERIFY(silent);
    QCOMPARE(written, ssize_t(1));
    QVERIFY2(ended == child, "the CLI did not end on Ctrl+C");
    QVERIFY(WIFSIGNALED(status));
    QCOMPARE(WTERMSIG(status), SIGINT);
    QVERIFY(readBack);
    QVERIFY2(after.c_lflag & ECHO, "the terminal was left without echo");
    QVERIFY(!ProfileStore(profilesFile()).contains(QStringLiteral("typed-blind")));
}

// A server controls its message, requestId and field names: escape sequences in them never
// reach the terminal, and a key it echoes back is printed and stored nowhere (stdout, stderr,
// --failed-out, the import journal).
void TestJournyCli::serverTextIsCleanedAndKeyRedacted()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const QString clear = QStringLiteral("\x1b[2J");
    const QJsonObject refusal{
        {QLatin1String("meta"),
         QJsonObject{{QLatin1String("status"), 400},
                     {QLatin1String("requestId"), QStringLiteral("req-\x1b]0;pwned\x07-1")}}},
        {QLatin1String("message"), clear + QStringLiteral("Invalid key %1\r\nHTTP 200").arg(m_key)},
        {QLatin1String("errors"),
         QJsonObject{{QLatin1String("fields"), QJsonObject{{QStringLiteral("identification.userId\x1b[31m"),
                                                            QStringLiteral("\u009b"
                                                                           "2J not %1")
                                                                .arg(m_key)}}}}}};
    const Environment withKey{{QStringLiteral("JOURNY_API_KEY"), m_key}};
    const QStringList onScripted{QStringLiteral("--base-url"), server.baseUrl().toString()};

    server.enqueue(ScriptedResponse::json(400, refusal));
    CliRun run = journy(onScripted + QStringList{QStringLiteral("user"), QStringLiteral("upsert"),
                                                 QStringLiteral("--user-id"), QStringLiteral("u1")},
                        withKey);
    COMPARE_EXIT(run, 3);
    QVERIFY2(run.text().contains(QLatin1String("requestId req--1 ")), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("\nInvalid key [redacted] HTTP 200\n")),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QLatin1String("error: identification.userId:  not [redacted]\n")),
             qPrintable(run.describe()));
    server.enqueue(ScriptedResponse::json(400, refusal));
    run = journy(QStringList{QStringLiteral("--json")} + onScripted +
                     QStringList{QStringLiteral("user"), QStringLiteral("upsert"),
                                 QStringLiteral("--user-id"), QStringLiteral("u1")},
                 withKey);
    COMPARE_EXIT(run, 3);
    QCOMPARE(run.json().value(QLatin1String("requestId")).toString(), QStringLiteral("req--1"));

    // An import whose rows are all refused so: the failed-rows file and the journal.
    QFile file(m_dir->filePath(QStringLiteral("users.csv")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("userId\nu1\nu2\n");
    file.close();
    for (int i = 0; i < 2; ++i)
        server.enqueueFor(QStringLiteral("/users/upsert"), ScriptedResponse::json(400, refusal));
    const QString failedOut = m_dir->filePath(QStringLiteral("failed.csv"));
    run = journy(onScripted + QStringList{QStringLiteral("import"), QStringLiteral("--kind"),
                                          QStringLiteral("users"), QStringLiteral("--failed-out"), failedOut,
                                          file.fileName()},
                 withKey);
    QVERIFY2(run.exitCode != 0 && !run.crashed, qPrintable(run.describe()));
    QFile failed(failedOut);
    QVERIFY(failed.open(QIODevice::ReadOnly));
    const QByteArray failedRows = failed.readAll();
    QVERIFY2(failedRows.contains("identification.userId:  not [redacted]"), failedRows.constData());

    // The key was sent (the server got it) and is nowhere else; no escape sequence in any
    // output or file of this test (the failed rows, the journal).
    QCOMPARE(server.received().first().headers.value("x-api-key"), m_key.toUtf8());
    QStringList found = leaksOf(m_key.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    for (const QByteArray &control :
         {QByteArray("\x1b["), QByteArray("\x1b]"), QByteArray("pwned"), QByteArray("\xc2\x9b")}) {
        found = leaksOf(control);
        QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    }
}

void TestJournyCli::proxyForOneRun()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.logText()));
    const QString via = proxyUrl(proxy.port());
    const QString route = QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port());

    // Without --proxy a --base-url run goes direct: system settings never proxy loopback.
    CliRun run = api({QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("Route: direct\n")), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 0);

    // --proxy: the request goes through tinyproxy, and validate says so.
    run = api({QStringLiteral("--proxy"), via, QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route), qPrintable(run.text()));
    QVERIFY2(run.text().contains(allPermissionsText), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 1);
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 2);

    // The built-in Sandbox profile goes direct, unless --proxy names a proxy.
    run = journy({QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("Route: direct\n")), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 1);
    run = journy({QStringLiteral("--proxy"), via, QStringLiteral("validate")});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 2);

    // A bulk import takes the same way, every row of it.
    const QString file = m_dir->filePath(QStringLiteral("users.csv"));
    QFile csv(file);
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write("userId,plan\nvia-1,Pro\nvia-2,Pro\nvia-3,Free\n");
    csv.close();
    run = api({QStringLiteral("--proxy"), via, QStringLiteral("import"), QStringLiteral("--kind"),
               QStringLiteral("users"), file});
    COMPARE_EXIT(run, 0);
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/users/upsert")), 3);
    QCOMPARE(inspect(QStringLiteral("/_sandbox/users?userId=via-3"))
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("plan")),
             QJsonValue(QStringLiteral("Free")));
}

void TestJournyCli::proxyLoginForOneRun()
{
    REQUIRE_TINYPROXY();
    const QString password = QStringLiteral("proxy-pw-%1").arg(m_suffix);
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("alice"), password), qPrintable(proxy.logText()));
    const QString asAlice = proxyUrl(proxy.port(), QStringLiteral("alice"));
    const QString route = QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port());
    const QStringList validate{QStringLiteral("--proxy"), asAlice, QStringLiteral("validate")};
    const QStringList validateJson{QStringLiteral("--json"), QStringLiteral("--proxy"), asAlice,
                                   QStringLiteral("validate")};

    // No password: the proxy's 407 is proxy-auth, with its reason in message.
    CliRun run = api(validateJson);
    COMPARE_EXIT(run, 4);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));
    QVERIFY2(run.json().value(QLatin1String("message")).toString().contains(QLatin1String("login")),
             qPrintable(run.describe()));
    run = api(validate);
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.text().contains(QLatin1String("error (proxy-auth): ")) && run.text().contains(route),
             qPrintable(run.describe()));

    // JOURNY_PROXY_PASSWORD gives it for one run.
    const Environment right{{QStringLiteral("JOURNY_API_KEY"), m_key},
                            {QStringLiteral("JOURNY_PROXY_PASSWORD"), password}};
    run = journy(onServer(validate), right);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route) && run.text().contains(allPermissionsText), qPrintable(run.text()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);

    // A wrong one is refused by the proxy, never sent on.
    run =
        journy(onServer(validateJson), {{QStringLiteral("JOURNY_API_KEY"), m_key},
                                        {QStringLiteral("JOURNY_PROXY_PASSWORD"), QStringLiteral("wrong")}});
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));
    QVERIFY(!run.json().value(QLatin1String("message")).toString().isEmpty());
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);

    // A password inside --proxy is refused before anything else, and not repeated.
    const QString withPassword =
        QStringLiteral("http://alice:%1@127.0.0.1:%2").arg(password).arg(proxy.port());
    for (const QStringList &arguments :
         {QStringList{QStringLiteral("--proxy"), withPassword, QStringLiteral("validate")},
          QStringList{QStringLiteral("--json"), QStringLiteral("--proxy"), withPassword,
                      QStringLiteral("validate")},
          QStringList{QStringLiteral("--proxy=") + withPassword, QStringLiteral("validate")}}) {
        run = api(arguments);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().contains(QLatin1String("never taken on the command line")) &&
                     run.errors().contains(QLatin1String("JOURNY_PROXY_PASSWORD")),
                 qPrintable(run.describe()));
    }
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);
    const QStringList found = leaksOf(password.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::deadProxy()
{
    const quint16 port = closedPort();
    const QStringList base{QStringLiteral("--proxy"), QStringLiteral("http://127.0.0.1:%1").arg(port)};
    for (const QString &scheme : {QStringLiteral("http"), QStringLiteral("socks5")}) {
        const QStringList arguments{QStringLiteral("--json"), QStringLiteral("--proxy"),
                                    QStringLiteral("%1://127.0.0.1:%2").arg(scheme).arg(port),
                                    QStringLiteral("validate")};
        CliRun run = api(arguments);
        COMPARE_EXIT(run, 4);
        CHECK_JSON_SHAPE(run);
        QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-refused")));
        QVERIFY2(run.json()
                     .value(QLatin1String("message"))
                     .toString()
                     .contains(QStringLiteral("127.0.0.1:%1").arg(port)),
                 qPrintable(run.describe()));
    }
    CliRun run = api(base + QStringList{QStringLiteral("validate")});
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.text().contains(QLatin1String("error (proxy-refused): ")), qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(port)),
             qPrintable(run.describe()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 0);
}

void TestJournyCli::networkSettingsInProfile()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.logText()));
    const QString via = proxyUrl(proxy.port());
    const QString route = QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port());
    const QString caFile = QStringLiteral(JOURNY_TEST_DATA_DIR "/selfsigned.crt"); // any readable PEM
    // A profile written the way the console writes it; its key comes from the environment here,
    // so no keychain is needed.
    const QString name = QStringLiteral("net %1").arg(m_suffix);
    Profile profile;
    profile.name = name;
    profile.baseUrl = m_server->baseUrl();
    QString error;
    QVERIFY2(ProfileStore(profilesFile()).save(profile, &error), qPrintable(error));
    const Environment withKey{{QStringLiteral("JOURNY_API_KEY"), m_key}};
    const QStringList validate{QStringLiteral("--profile"), name, QStringLiteral("validate")};

    CliRun run =
        journy({QStringLiteral("profile"), QStringLiteral("set"), name, QStringLiteral("--proxy"), via,
                QStringLiteral("--proxy-bypass"), QStringLiteral("example.com, 10.0.0.0/8"),
                QStringLiteral("--ca-file"), caFile, QStringLiteral("--timeout"), QStringLiteral("12.5")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), QStringLiteral("profile %1 saved\n").arg(name));
    NetworkSettings stored = ProfileStore(profilesFile()).profile(name).network;
    QCOMPARE(stored.proxyMode, NetworkSettings::ProxyMode::Manual);
    QCOMPARE(stored.proxyUrl(), via);
    QCOMPARE(stored.proxyBypass, (QStringList{QStringLiteral("example.com"), QStringLiteral("10.0.0.0/8")}));
    QCOMPARE(stored.caFile, QFileInfo(caFile).absoluteFilePath());
    QCOMPARE(stored.timeoutMs, 12500);
    QCOMPARE(ProfileStore(profilesFile()).profile(name).baseUrl, m_server->baseUrl()); // untouched

    // profile list shows the proxy and the CA file in their columns; the key stays last.
    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    QString problems = alignmentProblems(run.text(), QStringLiteral("PROXY"),
                                         {{QStringLiteral("NAME"), name},
                                          {QStringLiteral("PROXY"), via},
                                          {QStringLiteral("CA FILE"), stored.caFile}});
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
    QVERIFY2(alignmentProblems(run.text(), QStringLiteral("PROXY"),
                               {{QStringLiteral("NAME"), QStringLiteral("Sandbox")},
                                {QStringLiteral("PROXY"), QStringLiteral("direct")}})
                 .isEmpty(),
             qPrintable(run.text()));
    const QString header = lineWith(run.text(), QStringLiteral("PROXY"));
    const QString keyState = lineWith(run.text(), name).mid(header.indexOf(QLatin1String("KEY")));
    QVERIFY2(keyState == QLatin1String("missing") || keyState == QLatin1String("keychain unavailable"),
             qPrintable(run.text()));
    run = journy({QStringLiteral("--json"), QStringLiteral("profile"), QStringLiteral("list")});
    COMPARE_EXIT(run, 0);
    const QJsonObject listed = run.json().value(QLatin1String("data")).toArray().at(1).toObject();
    QCOMPARE(listed.value(QLatin1String("proxy")).toString(), via);
    QCOMPARE(listed.value(QLatin1String("caFile")).toString(), stored.caFile);
    QCOMPARE(listed.value(QLatin1String("proxyBypass")).toArray(),
             (QJsonArray{QStringLiteral("example.com"), QStringLiteral("10.0.0.0/8")}));
    QCOMPARE(listed.value(QLatin1String("timeoutMs")).toInt(), 12500);
    QCOMPARE(run.json().value(QLatin1String("data")).toArray().at(0).toObject().value(QLatin1String("proxy")),
             QJsonValue(QStringLiteral("direct")));

    // The profile's proxy carries its commands; --no-proxy sends one run direct.
    run = journy(validate, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 1);
    run = journy(QStringList{QStringLiteral("--no-proxy")} + validate, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("Route: direct\n")), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 1);

    // A host in the bypass list goes direct; a --proxy for one run is not bypassed.
    COMPARE_EXIT(journy({QStringLiteral("profile"), QStringLiteral("set"), name,
                         QStringLiteral("--proxy-bypass"), QStringLiteral("127.0.0.1")}),
                 0);
    QCOMPARE(ProfileStore(profilesFile()).profile(name).network.proxyBypass,
             QStringList{QStringLiteral("127.0.0.1")});
    run = journy(validate, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("Route: direct\n")), qPrintable(run.text()));
    run = journy(QStringList{QStringLiteral("--proxy"), via} + validate, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 2);

    // Refusals name the option and change nothing.
    stored = ProfileStore(profilesFile()).profile(name).network;
    const QString secret = QStringLiteral("pw-%1").arg(m_suffix);
    struct Refusal
    {
        QStringList arguments;
        const char *message;
    };
    const QString set = QStringLiteral("set");
    const QList<Refusal> refusals{
        {{set, name}, "needs something to change"},
        {{set, name, QStringLiteral("--proxy"), QStringLiteral("http://alice:%1@127.0.0.1:3128").arg(secret)},
         "never taken on the command line"},
        {{set, name, QStringLiteral("--proxy"), QStringLiteral("ftp://127.0.0.1:21")}, "is not a proxy URL"},
        {{set, name, QStringLiteral("--proxy"), QStringLiteral("http://127.0.0.1")}, "has no port"},
        {{set, name, QStringLiteral("--proxy"), via, QStringLiteral("--no-proxy")},
         "cannot be used together"},
        {{set, name, QStringLiteral("--no-proxy"), QStringLiteral("--system-proxy")},
         "cannot be used together"},
        {{set, name, QStringLiteral("--proxy-bypass"), QStringLiteral("bad host!")}, "--proxy-bypass: "},
        {{set, name, QStringLiteral("--no-proxy"), QStringLiteral("--proxy-bypass"), QStringLiteral("a.com")},
         "--proxy-bypass goes with a manual proxy"},
        {{set, name, QStringLiteral("--ca-file"), QStringLiteral("/nonexistent/ca.pem")}, "cannot be read"},
        {{set, name, QStringLiteral("--ca-file"), QStringLiteral(JOURNY_TEST_DATA_DIR "/selfsigned.key")},
         "holds no PEM certificate"},
        {{set, name, QStringLiteral("--timeout"), QStringLiteral("0")},
         "--timeout must be a number of seconds"},
        {{set, name, QStringLiteral("--base-url"), QStringLiteral("ftp://example.com")},
         "not an http(s) base URL"},
        {{set, QStringLiteral("Sandbox"), QStringLiteral("--proxy"), via}, "built-in"},
        {{set, QStringLiteral("nope"), QStringLiteral("--no-proxy")}, "no profile named 'nope'"},
        {{QStringLiteral("set-proxy-password"), name}, "has no proxy user"},
        {{QStringLiteral("add"), QStringLiteral("other"), QStringLiteral("--proxy"),
          QStringLiteral("http://alice:%1@127.0.0.1:3128").arg(secret)},
         "never taken on the command line"},
    };
    for (const Refusal &refusal : refusals) {
        run = journy(QStringList{QStringLiteral("profile")} + refusal.arguments, {}, "input\n");
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.errors().contains(QLatin1String(refusal.message)), qPrintable(run.describe()));
    }
    // Options before "profile" would apply to one run: refused rather than silently not stored.
    run = journy({QStringLiteral("--proxy"), via, QStringLiteral("profile"), QStringLiteral("add"),
                  QStringLiteral("other")},
                 {}, "key\n");
    COMPARE_EXIT(run, 1);
    QVERIFY2(run.errors().contains(QLatin1String("put it after the name")), qPrintable(run.describe()));
    QVERIFY(ProfileStore(profilesFile()).profile(name).network == stored);
    QVERIFY(!ProfileStore(profilesFile()).contains(QStringLiteral("other")));
    const QStringList found = leaksOf(secret.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));

    // Back to the system settings (loopback: direct), without the CA file.
    run = journy({QStringLiteral("profile"), QStringLiteral("set"), name, QStringLiteral("--system-proxy"),
                  QStringLiteral("--ca-file"), QString()});
    COMPARE_EXIT(run, 0);
    stored = ProfileStore(profilesFile()).profile(name).network;
    QCOMPARE(stored.proxyMode, NetworkSettings::ProxyMode::System);
    QVERIFY(stored.caFile.isEmpty());
    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    problems = alignmentProblems(run.text(), QStringLiteral("PROXY"),
                                 {{QStringLiteral("NAME"), name},
                                  {QStringLiteral("PROXY"), QStringLiteral("system")},
                                  {QStringLiteral("CA FILE"), QStringLiteral("-")}});
    QVERIFY2(problems.isEmpty(), qPrintable(problems));
    run = journy(validate, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("Route: direct\n")), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("/validate")), 2);
}

void TestJournyCli::proxyPasswordInKeychain()
{
    REQUIRE_TINYPROXY();
    REQUIRE_KEYCHAIN();
    const QString name = QStringLiteral("proxy-test-%1").arg(m_suffix);
    m_keychainProfiles << name; // removed from the keychain in cleanup(), whatever happens here
    Profile profile;
    profile.name = name;
    const QByteArray password = "proxy-pw-" + m_suffix.toLatin1();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("alice"), QString::fromLatin1(password)),
             qPrintable(proxy.logText()));
    const QString asAlice = proxyUrl(proxy.port(), QStringLiteral("alice"));
    const QString route = QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port());
    const QStringList validate{QStringLiteral("--profile"), name, QStringLiteral("validate")};
    const QStringList validateJson{QStringLiteral("--json"), QStringLiteral("--profile"), name,
                                   QStringLiteral("validate")};
    auto setPassword = [this, &name](const QByteArray &text) {
        return journy({QStringLiteral("profile"), QStringLiteral("set-proxy-password"), name}, {},
                      text + '\n');
    };

    // profile add stores the proxy with its user (never a password) and says what is missing.
    CliRun run = journy({QStringLiteral("profile"), QStringLiteral("add"), name, QStringLiteral("--base-url"),
                         m_server->baseUrl().toString(), QStringLiteral("--proxy"), asAlice},
                        {}, m_key.toUtf8() + '\n');
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(),
             QStringLiteral("profile %1 saved; its API key is in the keychain\n"
                            "store the proxy password with: journy profile set-proxy-password %1\n")
                 .arg(name));
    QCOMPARE(ProfileStore(profilesFile()).profile(name).network.proxyUrl(), asAlice);
    run = journy({QStringLiteral("profile"), QStringLiteral("list")});
    QVERIFY2(lineWith(run.text(), name).contains(asAlice), qPrintable(run.text()));

    // No password yet: the proxy refuses the login.
    run = journy(validateJson);
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));

    // A wrong password from stdin is stored, and refused by the proxy.
    run = setPassword("wrong");
    COMPARE_EXIT(run, 0);
    QCOMPARE(run.text(), QStringLiteral("proxy password of %1 saved in the keychain\n").arg(name));
    run = journy(validateJson);
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));
    QVERIFY(!run.json().value(QLatin1String("message")).toString().isEmpty());

    // The right one, from the keychain.
    COMPARE_EXIT(setPassword(password), 0);
    QCOMPARE(keychainRead(profile.proxyPasswordSecretName()).secret, password);
    run = journy(validate);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(route) && run.text().contains(allPermissionsText), qPrintable(run.text()));
    QCOMPARE(m_server->stats().value(QLatin1String("requests")).toInt(), 1);

    // JOURNY_PROXY_PASSWORD wins for one run, like JOURNY_API_KEY over the stored key.
    run = journy(validateJson, {{QStringLiteral("JOURNY_PROXY_PASSWORD"), QStringLiteral("wrong")}});
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));

    // The stored password is for the profile's own proxy: a --proxy naming it differently for one
    // run (the same tinyproxy, as "localhost") does not get it.
    run = journy(QStringList{QStringLiteral("--json"), QStringLiteral("--proxy"),
                             QStringLiteral("http://alice@localhost:%1").arg(proxy.port())} +
                 validate);
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));

    // Changing other settings keeps it; changing the proxy login removes it.
    run = journy({QStringLiteral("profile"), QStringLiteral("set"), name, QStringLiteral("--timeout"),
                  QStringLiteral("20")});
    COMPARE_EXIT(run, 0);
    QCOMPARE(keychainRead(profile.proxyPasswordSecretName()).secret, password);
    run = journy({QStringLiteral("profile"), QStringLiteral("set"), name, QStringLiteral("--proxy"),
                  proxyUrl(proxy.port(), QStringLiteral("bob"))});
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QLatin1String("a stored proxy password was removed")),
             qPrintable(run.text()));
    QCOMPARE(keychainRead(profile.proxyPasswordSecretName()).error, SecretStore::Error::NotFound);

    // Removing the profile removes its proxy password too.
    COMPARE_EXIT(
        journy({QStringLiteral("profile"), QStringLiteral("set"), name, QStringLiteral("--proxy"), asAlice}),
        0);
    COMPARE_EXIT(setPassword(password), 0);
    COMPARE_EXIT(journy(validate), 0);
    COMPARE_EXIT(journy({QStringLiteral("profile"), QStringLiteral("remove"), name}), 0);
    QCOMPARE(keychainRead(profile.proxyPasswordSecretName()).error, SecretStore::Error::NotFound);

    QVERIFY(QFile::exists(profilesFile())); // so the leak check below reads it
    const QStringList found = leaksOf(password);
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

void TestJournyCli::httpsThroughProxyWithCaFile()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.logText()));
    TlsTestServer server(nullptr, QStringLiteral("ca-signed-localhost"));
    QVERIFY(server.start());
    server.setAnswer(validateAnswer());
    const QString caFile = QStringLiteral(JOURNY_TEST_DATA_DIR "/test-ca.crt");
    QString error;
    const QString via = proxyUrl(proxy.port());
    const QString base = QStringLiteral("https://localhost:%1").arg(server.serverPort());
    const QString connect = QStringLiteral("CONNECT localhost:%1 ").arg(server.serverPort());
    const QString issuer = QStringLiteral("journy-console Test Root CA");
    const Environment withKey{{QStringLiteral("JOURNY_API_KEY"), m_key}};

    // Through the proxy's CONNECT, trusting the company CA: validate names the route and who
    // issued the server's certificate.
    CliRun run = journy({QStringLiteral("--proxy"), via, QStringLiteral("--ca-file"), caFile,
                         QStringLiteral("--base-url"), base, QStringLiteral("validate")},
                        withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port())),
             qPrintable(run.text()));
    QVERIFY2(
        run.text().contains(QRegularExpression(QStringLiteral("\nTLS: TLS 1\\.[23], certificate issued by ") +
                                               QRegularExpression::escape(issuer) + QLatin1Char('\n'))),
        qPrintable(run.text()));
    QVERIFY2(run.text().contains(QLatin1String("permissions: TrackData\n")), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(connect), 1);
    QCOMPARE(server.requestsReceived(), 1);

    // Without the CA file: a TLS failure naming the issuer and the way out, and nothing sent.
    run = journy({QStringLiteral("--json"), QStringLiteral("--proxy"), via, QStringLiteral("--base-url"),
                  base, QStringLiteral("validate")},
                 withKey);
    COMPARE_EXIT(run, 4);
    CHECK_JSON_SHAPE(run);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("tls")));
    const QString message = run.json().value(QLatin1String("message")).toString();
    QVERIFY2(message.contains(issuer) && message.contains(QLatin1String("--ca-file")),
             qPrintable(run.describe()));
    run = journy(
        {QStringLiteral("--proxy"), via, QStringLiteral("--base-url"), base, QStringLiteral("validate")},
        withKey);
    COMPARE_EXIT(run, 4);
    const QString line = lineWith(run.text(), QStringLiteral("error (tls): "));
    QVERIFY2(line.contains(issuer) && line.contains(QLatin1String("--ca-file")), qPrintable(run.describe()));
    QCOMPARE(proxy.requestsLogged(connect), 3);
    QCOMPARE(server.requestsReceived(), 1);

    // A profile's CA file and proxy do the same without options.
    const QString name = QStringLiteral("tls %1").arg(m_suffix);
    Profile profile;
    profile.name = name;
    profile.baseUrl = QUrl(base);
    QVERIFY(NetworkSettings::parseProxyUrl(via, &profile.network, &error));
    profile.network.caFile = caFile;
    QVERIFY2(ProfileStore(profilesFile()).save(profile, &error), qPrintable(error));
    run = journy({QStringLiteral("--profile"), name, QStringLiteral("validate")}, withKey);
    COMPARE_EXIT(run, 0);
    QVERIFY2(run.text().contains(issuer), qPrintable(run.text()));
    QCOMPARE(proxy.requestsLogged(connect), 4);
    QCOMPARE(server.requestsReceived(), 2);
}

void TestJournyCli::systemProxyFromEnvironment()
{
    REQUIRE_TINYPROXY();
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.logText()));
    const QString password = QStringLiteral("env-pw-%1").arg(m_suffix);
    ForwardProxy guarded;
    QVERIFY2(guarded.start(QStringLiteral("alice"), password), qPrintable(guarded.logText()));
    const QString via = proxyUrl(proxy.port());
    // The system setting never proxies loopback, so the URL names a host that only the proxy
    // looks up: .invalid (RFC 2606) resolves nowhere, so each call fails after the proxy; what
    // counts is whether it went there.
    const QString host = QStringLiteral("journy-api.invalid");
    const QString connect = QStringLiteral("CONNECT %1:443 ").arg(host);
    const QStringList validate{
        QStringLiteral("--json"),     QStringLiteral("--timeout"),       QStringLiteral("10"),
        QStringLiteral("--base-url"), QStringLiteral("https://") + host, QStringLiteral("validate")};
    auto withKey = [this](const Environment &variables) {
        Environment environment = variables;
        environment.insert(QStringLiteral("JOURNY_API_KEY"), m_key);
        return environment;
    };

    // https_proxy and HTTPS_PROXY, as curl reads them.
    int expected = 0;
    for (const QString &variable : {QStringLiteral("https_proxy"), QStringLiteral("HTTPS_PROXY")}) {
        const CliRun run = journy(validate, withKey({{variable, via}}));
        COMPARE_EXIT(run, 4);
        CHECK_JSON_SHAPE(run);
        QCOMPARE(proxy.requestsLogged(connect), ++expected);
        QVERIFY2(!run.json().value(QLatin1String("message")).toString().isEmpty(),
                 qPrintable(run.describe()));
        // The text output names the route the variable chose.
        const CliRun text = journy(validate.mid(1), withKey({{variable, via}}));
        QVERIFY2(
            text.text().contains(QStringLiteral("Route: via HTTP proxy 127.0.0.1:%1\n").arg(proxy.port())),
            qPrintable(text.describe()));
        QCOMPARE(proxy.requestsLogged(connect), ++expected);
    }
    // NO_PROXY covering the host: direct, and the proxy sees nothing.
    CliRun run;
    for (const auto &noProxy :
         {qMakePair(QStringLiteral("NO_PROXY"), QStringLiteral(".invalid")),
          qMakePair(QStringLiteral("no_proxy"), QStringLiteral("example.com,") + host)}) {
        run = journy(validate,
                     withKey({{QStringLiteral("https_proxy"), via}, {noProxy.first, noProxy.second}}));
        COMPARE_EXIT(run, 4);
        QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("host-not-found")));
        QCOMPARE(proxy.requestsLogged(connect), expected);
    }

    // A login inside the variable's URL is used: the guarded proxy lets the CONNECT through (and
    // then tries the host) with it, and refuses without.
    const QString opening = QStringLiteral("opening connection to %1:443").arg(host);
    run = journy(validate, withKey({{QStringLiteral("https_proxy"), proxyUrl(guarded.port())}}));
    COMPARE_EXIT(run, 4);
    QCOMPARE(run.json().value(QLatin1String("error")), QJsonValue(QStringLiteral("proxy-auth")));
    QVERIFY2(!guarded.logText().contains(opening), qPrintable(guarded.logText()));
    run =
        journy(validate,
               withKey({{QStringLiteral("https_proxy"),
                         QStringLiteral("http://alice:%1@127.0.0.1:%2").arg(password).arg(guarded.port())}}));
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.json().value(QLatin1String("error")) != QJsonValue(QStringLiteral("proxy-auth")),
             qPrintable(run.describe()));
    QVERIFY2(guarded.logText().contains(opening), qPrintable(guarded.logText()));
    const QStringList found = leaksOf(password.toUtf8());
    QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestJournyCli)
#include "tst_JournyCli.moc"

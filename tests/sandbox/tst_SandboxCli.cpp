// The journy-sandbox executable as users and scripts run it: its first stdout line, keys from
// flags and from a config file, every flag's effect, refusals of bad configs and flag values with
// a message naming the problem, --help and --version, state across a kill and a restart with
// --data, the rate limit and fault flags. Every process started here is killed by a guard.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

#include <sys/resource.h>

namespace {

const QString Executable = QStringLiteral(JOURNY_SANDBOX_EXE);

QByteArray compact(const QJsonValue &value)
{
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
}

// One journy-sandbox process. The destructor kills it, so a failing QCOMPARE (which returns from
// the test function) never leaves a server behind.
class SandboxProcess
{
public:
    // fileLimit, hardFileLimit: the process's soft and hard limits of open files (RLIMIT_NOFILE),
    // when not 0 (the hard one defaults to the soft one).
    explicit SandboxProcess(const QStringList &arguments, int fileLimit = 0, int hardFileLimit = 0)
    {
        m_process.setProgram(Executable);
        m_process.setArguments(arguments);
        if (fileLimit > 0) {
            const rlim_t hard = rlim_t(hardFileLimit > 0 ? hardFileLimit : fileLimit);
            m_process.setChildProcessModifier([fileLimit, hard] {
                const rlimit limit{rlim_t(fileLimit), hard};
                setrlimit(RLIMIT_NOFILE, &limit);
            });
        }
        m_process.start();
    }
    qint64 processId() const { return m_process.processId(); }
    ~SandboxProcess() { kill(); }
    SandboxProcess(const SandboxProcess &) = delete;
    SandboxProcess &operator=(const SandboxProcess &) = delete;

    // Waits for the first stdout line; empty when the process ended or stayed silent.
    QString firstLine()
    {
        QElapsedTimer clock;
        clock.start();
        while (!m_process.canReadLine() && clock.elapsed() < 10000) {
            if (!m_process.waitForReadyRead(int(10000 - clock.elapsed())))
                break;
        }
        if (!m_process.canReadLine())
            return QString();
        QByteArray line = m_process.readLine();
        if (line.endsWith('\n'))
            line.chop(1);
        m_firstLine = QString::fromUtf8(line);
        return m_firstLine;
    }

    // The base URL from the first line, or an empty URL when it is not the expected line.
    QUrl baseUrl()
    {
        if (m_firstLine.isEmpty())
            firstLine();
        static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
            QStringLiteral("listening on (http://127\\.0\\.0\\.1:(\\d+))")));
        const QRegularExpressionMatch match = pattern.match(m_firstLine);
        if (!match.hasMatch()) {
            qWarning("unexpected first line '%s'; stderr: %s", qPrintable(m_firstLine),
                     m_process.readAllStandardError().constData());
            return QUrl();
        }
        return QUrl(match.captured(1));
    }

    // For processes expected to end on their own (bad flags, --help): waits and returns the exit
    // code, or -1 when it did not exit normally in time.
    int waitForExit()
    {
        if (!m_process.waitForFinished(10000) || m_process.exitStatus() != QProcess::NormalExit)
            return -1;
        m_stdout += m_process.readAllStandardOutput();
        m_stderr += m_process.readAllStandardError();
        return m_process.exitCode();
    }
    QByteArray standardOutput() const { return m_stdout; }
    QByteArray standardError() const { return m_stderr; }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.kill();
        m_process.waitForFinished(5000);
    }

private:
    QProcess m_process;
    QString m_firstLine;
    QByteArray m_stdout;
    QByteArray m_stderr;
};

class Answer
{
public:
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QList<QPair<QByteArray, QByteArray>> headers;
    qint64 elapsedMs = 0;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return pair.second;
        }
        return QByteArray();
    }
    QString message() const { return json.value(QLatin1String("message")).toString(); }
    QJsonValue data() const { return json.value(QLatin1String("data")); }
};

} // namespace

class TestSandboxCli : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void firstLineAndDefaultKey();
    void fixedPort();
    void portInUse();
    void connectionFlags();
    void connectionsFromTheConfigFile();
    void acceptingResumesAfterRunningOutOfFiles();
    void fileLimitIsRaisedToTheHardLimit();
    void keyFlagReplacesTheDefaultKey();
    void configFileIsHonoured();
    void flagsOverrideTheConfigFile();
    void badConfigFile_data();
    void badConfigFile();
    void badFlagValues_data();
    void badFlagValues();
    void help();
    void version();
    void dataSurvivesAKillAndRestart();
    void rateLimitFlags();
    void failRateAndSeed();
    void faultSequenceIsReproducibleAcrossRuns();
    void latencyAndGarbleFlags();
    void injected429sSayRetryAfterOne();

private:
    Answer call(const QUrl &base, const QByteArray &method, const QString &path, const QUrlQuery &query = {},
                const QByteArray &body = QByteArray(), const QByteArray &key = "sandbox");
    Answer get(const QUrl &base, const QString &path, const QByteArray &key = "sandbox",
               const QUrlQuery &query = QUrlQuery())
    {
        return call(base, "GET", path, query, QByteArray(), key);
    }
    Answer post(const QUrl &base, const QString &path, const QByteArray &body,
                const QByteArray &key = "sandbox")
    {
        return call(base, "POST", path, QUrlQuery(), body, key);
    }
    QString writeFile(const QString &name, const QByteArray &content);

    QNetworkAccessManager *m_nam = nullptr;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSandboxCli::init()
{
    QVERIFY2(QFile::exists(Executable), qPrintable(Executable));
    m_nam = new QNetworkAccessManager(this);
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestSandboxCli::cleanup()
{
    delete m_nam;
    m_nam = nullptr;
    m_dir.reset();
}

Answer TestSandboxCli::call(const QUrl &base, const QByteArray &method, const QString &path,
                            const QUrlQuery &query, const QByteArray &body, const QByteArray &key)
{
    QUrl url = base;
    url.setPath(path);
    url.setQuery(query);
    QNetworkRequest request(url);
    if (!key.isEmpty())
        request.setRawHeader("X-Api-Key", key);
    if (method != "GET")
        request.setRawHeader("Content-Type", "application/json");
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply =
        method == "GET" ? m_nam->get(request) : m_nam->sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Answer answer;
    if (!finished.wait(15000)) {
        qWarning("%s %s did not finish", method.constData(), qPrintable(path));
        reply->abort();
    }
    answer.elapsedMs = clock.elapsed();
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    answer.json = QJsonDocument::fromJson(answer.body).object();
    answer.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return answer;
}

QString TestSandboxCli::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qWarning("cannot write %s", qPrintable(path));
    return path;
}

void TestSandboxCli::firstLineAndDefaultKey()
{
    SandboxProcess sandbox({});
    const QString line = sandbox.firstLine();
    QVERIFY2(QRegularExpression(QStringLiteral("^listening on http://127\\.0\\.0\\.1:[1-9][0-9]*$"))
                 .match(line)
                 .hasMatch(),
             qPrintable(line));
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.port() > 0);

    // With no key configured at all, "sandbox" is accepted with every permission.
    const Answer validate = get(base, QStringLiteral("/validate"));
    QCOMPARE(validate.status, 200);
    QCOMPARE(compact(validate.data()),
             QByteArray(R"({"permissions":["TrackData","ReadEvents","ReadProperties","ReadSegments",)"
                        R"("GetTrackingSnippet"]})"));
    QCOMPARE(validate.header("X-RateLimit-Limit"), QByteArray("1800"));
    QCOMPARE(get(base, QStringLiteral("/validate"), "other").status, 401);
    // The default configuration's demo website and segments.
    QUrlQuery demo;
    demo.addQueryItem(QStringLiteral("domain"), QStringLiteral("demo.example.com"));
    QCOMPARE(get(base, QStringLiteral("/tracking/snippet"), "sandbox", demo).status, 200);
    QCOMPARE(get(base, QStringLiteral("/segments/users")).data().toArray().size(), 3);
    QVERIFY(sandbox.isRunning());
}

void TestSandboxCli::fixedPort()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    SandboxProcess sandbox({QStringLiteral("--port"), QString::number(port)});
    QCOMPARE(sandbox.firstLine(), QStringLiteral("listening on http://127.0.0.1:%1").arg(port));
    QCOMPARE(get(sandbox.baseUrl(), QStringLiteral("/validate")).status, 200);
}

void TestSandboxCli::portInUse()
{
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    SandboxProcess sandbox({QStringLiteral("--port"), QString::number(taken.serverPort())});
    QCOMPARE(sandbox.waitForExit(), 1);
    QCOMPARE(sandbox.standardOutput(), QByteArray());
    // One line names the address and the reason.
    QCOMPARE(
        sandbox.standardError(),
        QStringLiteral("journy-sandbox: cannot listen on 127.0.0.1:%1: The bound address is already in use\n")
            .arg(taken.serverPort())
            .toUtf8());
}

void TestSandboxCli::connectionFlags()
{
    // One connection at a time, and 200 ms to send a head: a silent client holds the one place
    // until it is cut off with a 408, and a second client meanwhile gets a 503 at once.
    SandboxProcess sandbox({QStringLiteral("--max-connections"), QStringLiteral("1"),
                            QStringLiteral("--header-timeout"), QStringLiteral("200")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    auto readToEnd = [](QTcpSocket &socket) {
        QByteArray received;
        QElapsedTimer clock;
        clock.start();
        while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 15000) {
            socket.waitForReadyRead(100);
            received += socket.readAll();
        }
        return received + socket.readAll();
    };
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, quint16(base.port()));
    QVERIFY(silent.waitForConnected(5000));
    // A request on another connection shows the silent one was accepted first (in order).
    QTcpSocket second;
    second.connectToHost(QHostAddress::LocalHost, quint16(base.port()));
    QVERIFY(second.waitForConnected(5000));
    second.write("GET /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\n\r\n");
    const QByteArray refused = readToEnd(second);
    QVERIFY2(refused.startsWith("HTTP/1.1 503 Service Unavailable\r\n"), refused.constData());
    QVERIFY2(refused.contains("The sandbox is serving its limit of 1 connections"), refused.constData());
    const QByteArray timedOut = readToEnd(silent);
    QVERIFY2(timedOut.startsWith("HTTP/1.1 408 Request Timeout\r\n"), timedOut.constData());
    QVERIFY2(timedOut.contains("The request head did not arrive within 200 ms"), timedOut.constData());
}

void TestSandboxCli::connectionsFromTheConfigFile()
{
    const QString path = writeFile(QStringLiteral("connections.json"),
                                   R"({"connections": {"headerTimeoutMs": 150, "maxConnections": 3}})");
    SandboxProcess sandbox({QStringLiteral("--config"), path});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, quint16(base.port()));
    QVERIFY(silent.waitForConnected(5000));
    QByteArray received;
    QElapsedTimer clock;
    clock.start();
    while (silent.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 15000) {
        silent.waitForReadyRead(100);
        received += silent.readAll();
    }
    received += silent.readAll();
    QVERIFY2(received.contains("The request head did not arrive within 150 ms"), received.constData());
}

void TestSandboxCli::acceptingResumesAfterRunningOutOfFiles()
{
    // With few file descriptors, 100 silent clients exhaust them and accept() fails. Once the
    // header timeout has closed the silent ones, a new client must be answered, not left in the
    // kernel's queue for ever (as a server that stops accepting on the error would).
    SandboxProcess sandbox({QStringLiteral("--header-timeout"), QStringLiteral("300")}, 48);
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    std::vector<std::unique_ptr<QTcpSocket>> silent;
    for (int i = 0; i < 100; ++i) {
        silent.push_back(std::make_unique<QTcpSocket>());
        silent.back()->connectToHost(QHostAddress::LocalHost, quint16(base.port()));
        QVERIFY(silent.back()->waitForConnected(5000));
    }
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, quint16(base.port()));
    QVERIFY(client.waitForConnected(5000));
    client.write(
        "GET /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\nConnection: close\r\n\r\n");
    QByteArray received;
    QElapsedTimer clock;
    clock.start();
    // The silent clients read their 408s and close (in this event loop), freeing the server's files.
    while (client.state() == QAbstractSocket::ConnectedState && clock.elapsed() < 30000) {
        QTest::qWait(20);
        received += client.readAll();
    }
    received += client.readAll();
    QVERIFY2(received.startsWith("HTTP/1.1 200 "), received.constData());
    QVERIFY(sandbox.isRunning());
}

void TestSandboxCli::fileLimitIsRaisedToTheHardLimit()
{
    // A soft limit of 256 would run out long before the default cap of 512 connections.
    SandboxProcess sandbox({}, 256, 2048);
    QVERIFY(sandbox.baseUrl().isValid());
    QFile limits(QStringLiteral("/proc/%1/limits").arg(sandbox.processId()));
    QVERIFY(limits.open(QIODevice::ReadOnly));
    const QString text = QString::fromLatin1(limits.readAll());
    static const QRegularExpression openFiles(QStringLiteral("Max open files\\s+(\\d+)\\s+(\\d+)"));
    const QRegularExpressionMatch match = openFiles.match(text);
    QVERIFY2(match.hasMatch(), qPrintable(text));
    QCOMPARE(match.captured(1), QStringLiteral("2048"));
    QCOMPARE(match.captured(2), QStringLiteral("2048"));
}

void TestSandboxCli::keyFlagReplacesTheDefaultKey()
{
    SandboxProcess sandbox(
        {QStringLiteral("--key"), QStringLiteral("alpha"), QStringLiteral("--key"), QStringLiteral("beta")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    for (const QByteArray &key : {QByteArray("alpha"), QByteArray("beta")}) {
        const Answer answer = get(base, QStringLiteral("/validate"), key);
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.data().toObject().value(QLatin1String("permissions")).toArray().size(), 5);
        // Every permission: even the snippet, which needs one few keys have.
        QUrlQuery demo;
        demo.addQueryItem(QStringLiteral("domain"), QStringLiteral("demo.example.com"));
        QCOMPARE(get(base, QStringLiteral("/tracking/snippet"), key, demo).status, 200);
    }
    const Answer refused = get(base, QStringLiteral("/validate"), "sandbox");
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.message(), QStringLiteral("The API key is not valid"));
}

namespace {

const QByteArray FullConfig = R"({
    "keys": {
        "k-full": {},
        "k-track": {"permissions": ["TrackData"]},
        "k-read": {"permissions": ["ReadEvents", "ReadSegments"], "enabled": true},
        "k-off": {"enabled": false}
    },
    "rateLimit": 4,
    "rateWindowSeconds": 60,
    "websites": {"Shop.Example.org": "<script>shop</script>"},
    "segments": {"users": [{"id": "s-1", "name": "Beta testers"}], "accounts": []}
})";

} // namespace

void TestSandboxCli::configFileIsHonoured()
{
    const QString config = writeFile(QStringLiteral("sandbox.json"), FullConfig);
    SandboxProcess sandbox({QStringLiteral("--config"), config});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());

    Answer answer = get(base, QStringLiteral("/validate"), "k-full");
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.data().toObject().value(QLatin1String("permissions")).toArray().size(), 5);
    QCOMPARE(answer.header("X-RateLimit-Limit"), QByteArray("4"));
    QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray("3"));
    answer = get(base, QStringLiteral("/validate"), "k-track");
    QCOMPARE(compact(answer.data()), QByteArray(R"({"permissions":["TrackData"]})"));
    answer = get(base, QStringLiteral("/validate"), "k-read");
    QCOMPARE(compact(answer.data()), QByteArray(R"({"permissions":["ReadEvents","ReadSegments"]})"));

    answer = get(base, QStringLiteral("/validate"), "k-off");
    QCOMPARE(answer.status, 403);
    QCOMPARE(answer.message(), QStringLiteral("The API key provided is currently not enabled"));
    answer = get(base, QStringLiteral("/events"), "k-track");
    QCOMPARE(answer.status, 401);
    QCOMPARE(answer.message(),
             QStringLiteral(
                 "The API key is not authorised to perform this action: it needs the ReadEvents permission"));
    answer = post(base, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"u"}})", "k-read");
    QCOMPARE(answer.status, 401);
    QCOMPARE(
        post(base, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"u"}})", "k-track").status,
        201);
    // Keys are configured, so the default key is not accepted.
    QCOMPARE(get(base, QStringLiteral("/validate"), "sandbox").status, 401);

    // The config's website replaces the demo one; domains are not case-sensitive.
    QUrlQuery shop;
    shop.addQueryItem(QStringLiteral("domain"), QStringLiteral("shop.example.org"));
    answer = get(base, QStringLiteral("/tracking/snippet"), "k-full", shop);
    QCOMPARE(answer.status, 200);
    QCOMPARE(compact(answer.data()),
             QByteArray(R"({"domain":"shop.example.org","snippet":"<script>shop</script>"})"));
    QUrlQuery demo;
    demo.addQueryItem(QStringLiteral("domain"), QStringLiteral("demo.example.com"));
    QCOMPARE(get(base, QStringLiteral("/tracking/snippet"), "k-full", demo).status, 404);

    QCOMPARE(compact(get(base, QStringLiteral("/segments/users"), "k-read").data()),
             QByteArray(R"([{"id":"s-1","name":"Beta testers"}])"));
    QCOMPARE(compact(get(base, QStringLiteral("/segments/accounts"), "k-read").data()), QByteArray("[]"));

    // rateLimit 4: k-read has used 3 (validate and the two refused calls above count too).
    answer = get(base, QStringLiteral("/segments/users"), "k-read");
    QCOMPARE(answer.status, 429);
    QCOMPARE(answer.message(), QStringLiteral("Too many requests: the limit is 4 per 60 s"));
}

void TestSandboxCli::flagsOverrideTheConfigFile()
{
    const QString config = writeFile(QStringLiteral("sandbox.json"), FullConfig);
    SandboxProcess sandbox({QStringLiteral("--config"), config, QStringLiteral("--rate-limit"),
                            QStringLiteral("2"), QStringLiteral("--key"), QStringLiteral("k-extra")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    // --key adds to the config's keys.
    QCOMPARE(get(base, QStringLiteral("/validate"), "k-extra").header("X-RateLimit-Limit"), QByteArray("2"));
    QCOMPARE(get(base, QStringLiteral("/validate"), "k-full").status, 200);
    QCOMPARE(get(base, QStringLiteral("/validate"), "k-extra").status, 200);
    QCOMPARE(get(base, QStringLiteral("/validate"), "k-extra").status, 429);
}

void TestSandboxCli::badConfigFile_data()
{
    QTest::addColumn<QByteArray>("content"); // empty: the file does not exist
    QTest::addColumn<QString>("message");    // stderr after "journy-sandbox: FILE: "

    const QString permissions =
        QStringLiteral("TrackData, ReadEvents, ReadProperties, ReadSegments, GetTrackingSnippet");
    QTest::newRow("missing file") << QByteArray() << QStringLiteral("No such file or directory");
    QTest::newRow("not JSON") << QByteArray("{\"keys\": {")
                              << QStringLiteral("not a JSON object (unterminated object at byte 10)");
    QTest::newRow("JSON array") << QByteArray("[]")
                                << QStringLiteral("not a JSON object (the file holds a JSON array)");
    QTest::newRow("unknown member") << QByteArray(R"({"keyz": {}})")
                                    << QStringLiteral("unknown member 'keyz' (known: keys, rateLimit, "
                                                      "rateWindowSeconds, websites, segments, faults, "
                                                      "connections)");
    QTest::newRow("bad permission")
        << QByteArray(R"({"keys": {"k": {"permissions": ["TrackData", "Admin"]}}})")
        << QStringLiteral("keys.k: unknown permission 'Admin' (known: %1)").arg(permissions);
    // A typo in a key's members must not silently give the key every permission.
    QTest::newRow("unknown key member")
        << QByteArray(R"({"keys": {"k": {"permision": ["TrackData"]}}})")
        << QStringLiteral("keys.k: unknown member 'permision' (known: permissions, enabled)");
    QTest::newRow("permissions not a list")
        << QByteArray(R"({"keys": {"k": {"permissions": "TrackData"}}})")
        << QStringLiteral("keys.k.permissions must be a list of permission names");
    // "false" as a string must not leave a key enabled.
    QTest::newRow("enabled not a boolean") << QByteArray(R"({"keys": {"k": {"enabled": "false"}}})")
                                           << QStringLiteral("keys.k.enabled must be true or false");
    QTest::newRow("key not an object")
        << QByteArray(R"({"keys": {"k": true}})")
        << QStringLiteral("keys.k must be {\"permissions\": [...], \"enabled\": bool}");
    QTest::newRow("rate limit zero") << QByteArray(R"({"rateLimit": 0})")
                                     << QStringLiteral("rateLimit must be a whole number of at least 1");
    QTest::newRow("window fraction") << QByteArray(R"({"rateWindowSeconds": 1.5})")
                                     << QStringLiteral(
                                            "rateWindowSeconds must be a whole number of at least 1");
    QTest::newRow("fault rate over 1") << QByteArray(R"({"faults": {"failRate": 2}})")
                                       << QStringLiteral("faults.failRate must be a number from 0 to 1");
    QTest::newRow("fault rates over 1 together")
        << QByteArray(R"({"faults": {"failRate": 0.75, "burstRate": 0.5}})")
        << QStringLiteral("faults: the fault rates add up to 1.25 (fail 0.75 + drop 0 + garble 0 + 429 burst "
                          "0.5); together they must be from 0 to 1");
    QTest::newRow("unknown fault") << QByteArray(R"({"faults": {"failrate": 1}})")
                                   << QStringLiteral(
                                          "faults: unknown member 'failrate' (known: latencyMs, jitterMs, "
                                          "failRate, dropRate, garbleRate, burstRate, burstLength, seed)");
    QTest::newRow("segment without name")
        << QByteArray(R"({"segments": {"users": [{"id": "s"}]}})")
        << QStringLiteral("segments.users: every segment needs a string id and name");
    QTest::newRow("unknown segment list")
        << QByteArray(R"({"segments": {"user": []}})")
        << QStringLiteral("segments: unknown member 'user' (known: users, accounts)");
    QTest::newRow("snippet not a string")
        << QByteArray(R"({"websites": {"demo.example.com": 1}})")
        << QStringLiteral("websites.demo.example.com must be the snippet, a string");
    QTest::newRow("websites not an object") << QByteArray(R"({"websites": ["demo.example.com"]})")
                                            << QStringLiteral("websites must map each domain to its snippet");
    QTest::newRow("header timeout 0")
        << QByteArray(R"({"connections": {"headerTimeoutMs": 0}})")
        << QStringLiteral("connections.headerTimeoutMs must be a whole number from 100 to 600000");
    QTest::newRow("idle timeout too long")
        << QByteArray(R"({"connections": {"idleTimeoutMs": 1e9}})")
        << QStringLiteral("connections.idleTimeoutMs must be a whole number from 100 to 600000");
    QTest::newRow("max connections fraction")
        << QByteArray(R"({"connections": {"maxConnections": 2.5}})")
        << QStringLiteral("connections.maxConnections must be a whole number from 1 to 100000");
    QTest::newRow("unknown connection setting")
        << QByteArray(R"({"connections": {"timeout": 5}})")
        << QStringLiteral("connections: unknown member 'timeout' (known: headerTimeoutMs, idleTimeoutMs, "
                          "maxConnections)");
}

void TestSandboxCli::badConfigFile()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    const QString path = content.isEmpty() ? m_dir->filePath(QStringLiteral("missing.json"))
                                           : writeFile(QStringLiteral("bad.json"), content);
    SandboxProcess sandbox({QStringLiteral("--config"), path});
    QCOMPARE(sandbox.waitForExit(), 1);
    QCOMPARE(QString::fromUtf8(sandbox.standardError()),
             QStringLiteral("journy-sandbox: %1: %2\n").arg(path, message));
    // It never got as far as listening.
    QCOMPARE(sandbox.standardOutput(), QByteArray());
}

void TestSandboxCli::badFlagValues_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    QTest::newRow("fail rate 2") << QStringList{QStringLiteral("--fail-rate"), QStringLiteral("2")}
                                 << QStringLiteral(
                                        "journy-sandbox: --fail-rate must be a number from 0 to 1, not '2'");
    QTest::newRow("drop rate negative")
        << QStringList{QStringLiteral("--drop-rate"), QStringLiteral("-0.1")}
        << QStringLiteral("journy-sandbox: --drop-rate must be a number from 0 to 1, not '-0.1'");
    QTest::newRow("garble rate text")
        << QStringList{QStringLiteral("--garble-rate"), QStringLiteral("half")}
        << QStringLiteral("journy-sandbox: --garble-rate must be a number from 0 to 1, "
                          "not 'half'");
    QTest::newRow("port abc")
        << QStringList{QStringLiteral("--port"), QStringLiteral("abc")}
        << QStringLiteral("journy-sandbox: --port must be a whole number from 0 to 65535, not 'abc'");
    QTest::newRow("port too big") << QStringList{QStringLiteral("--port"), QStringLiteral("70000")}
                                  << QStringLiteral(
                                         "journy-sandbox: --port must be a whole number from 0 to 65535, not "
                                         "'70000'");
    QTest::newRow("rate limit 0")
        << QStringList{QStringLiteral("--rate-limit"), QStringLiteral("0")}
        << QStringLiteral("journy-sandbox: --rate-limit must be a whole number from 1 to 1000000000, "
                          "not '0'");
    QTest::newRow("rate window fraction")
        << QStringList{QStringLiteral("--rate-window"), QStringLiteral("1.5")}
        << QStringLiteral("journy-sandbox: --rate-window must be a whole number from 1 to 86400, not '1.5'");
    // NaN compares false with every bound: it once slipped through as a fault rate.
    QTest::newRow("fail rate nan")
        << QStringList{QStringLiteral("--fail-rate"), QStringLiteral("nan")}
        << QStringLiteral("journy-sandbox: --fail-rate must be a number from 0 to 1, not 'nan'");
    QTest::newRow("rates over 1")
        << QStringList{QStringLiteral("--fail-rate"), QStringLiteral("0.6"), QStringLiteral("--drop-rate"),
                       QStringLiteral("0.5")}
        << QStringLiteral("journy-sandbox: the fault rates add up to 1.1 (fail 0.6 + drop 0.5 + garble 0 + "
                          "429 burst 0); together they must be from 0 to 1");
    QTest::newRow("latency infinite")
        << QStringList{QStringLiteral("--latency"), QStringLiteral("inf")}
        << QStringLiteral("journy-sandbox: --latency must be a whole number from 0 to 600000, not 'inf'");
    QTest::newRow("host name") << QStringList{QStringLiteral("--host"), QStringLiteral("localhost")}
                               << QStringLiteral(
                                      "journy-sandbox: --host must be an IP address, not 'localhost'");
    QTest::newRow("header timeout 0")
        << QStringList{QStringLiteral("--header-timeout"), QStringLiteral("0")}
        << QStringLiteral(
               "journy-sandbox: --header-timeout must be a whole number from 100 to 600000, not '0'");
    QTest::newRow("idle timeout text")
        << QStringList{QStringLiteral("--idle-timeout"), QStringLiteral("soon")}
        << QStringLiteral(
               "journy-sandbox: --idle-timeout must be a whole number from 100 to 600000, not 'soon'");
    QTest::newRow("max connections inf")
        << QStringList{QStringLiteral("--max-connections"), QStringLiteral("inf")}
        << QStringLiteral(
               "journy-sandbox: --max-connections must be a whole number from 1 to 100000, not 'inf'");
    QTest::newRow("unknown flag") << QStringList{QStringLiteral("--fail-rat"), QStringLiteral("1")}
                                  << QStringLiteral("journy-sandbox: Unknown option 'fail-rat'.");
}

void TestSandboxCli::badFlagValues()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    SandboxProcess sandbox(arguments);
    QCOMPARE(sandbox.waitForExit(), 1);
    QCOMPARE(QString::fromUtf8(sandbox.standardError()).trimmed(), message);
    QCOMPARE(sandbox.standardOutput(), QByteArray());
}

void TestSandboxCli::help()
{
    SandboxProcess sandbox({QStringLiteral("--help")});
    QCOMPARE(sandbox.waitForExit(), 0);
    const QString text = QString::fromUtf8(sandbox.standardOutput());
    // Every flag of the command line, including the fault flags beyond the issue's list.
    const QStringList flags = {QStringLiteral("--host <ADDRESS>"),
                               QStringLiteral("--port <PORT>"),
                               QStringLiteral("--header-timeout <MS>"),
                               QStringLiteral("--idle-timeout <MS>"),
                               QStringLiteral("--max-connections <N>"),
                               QStringLiteral("--config <FILE>"),
                               QStringLiteral("--data <FILE>"),
                               QStringLiteral("--key <KEY>"),
                               QStringLiteral("--rate-limit <N>"),
                               QStringLiteral("--rate-window <SECONDS>"),
                               QStringLiteral("--latency <MS>"),
                               QStringLiteral("--jitter <MS>"),
                               QStringLiteral("--fail-rate <P>"),
                               QStringLiteral("--drop-rate <P>"),
                               QStringLiteral("--garble-rate <P>"),
                               QStringLiteral("--burst-rate <P>"),
                               QStringLiteral("--burst-length <N>"),
                               QStringLiteral("--fault-seed, --seed <N>"),
                               QStringLiteral("--help"),
                               QStringLiteral("--version")};
    for (const QString &flag : flags)
        QVERIFY2(text.contains(flag), qPrintable(flag));
    // The config file format: every member, every permission, and the default key rule.
    const QStringList format = {QStringLiteral("\"keys\""),
                                QStringLiteral("\"permissions\""),
                                QStringLiteral("\"enabled\""),
                                QStringLiteral("\"rateLimit\""),
                                QStringLiteral("\"rateWindowSeconds\""),
                                QStringLiteral("\"websites\""),
                                QStringLiteral("\"segments\""),
                                QStringLiteral("\"users\""),
                                QStringLiteral("\"accounts\""),
                                QStringLiteral("\"faults\""),
                                QStringLiteral("\"latencyMs\""),
                                QStringLiteral("\"jitterMs\""),
                                QStringLiteral("\"failRate\""),
                                QStringLiteral("\"dropRate\""),
                                QStringLiteral("\"garbleRate\""),
                                QStringLiteral("\"burstRate\""),
                                QStringLiteral("\"burstLength\""),
                                QStringLiteral("\"seed\""),
                                QStringLiteral("\"connections\""),
                                QStringLiteral("\"headerTimeoutMs\""),
                                QStringLiteral("\"idleTimeoutMs\""),
                                QStringLiteral("\"maxConnections\""),
                                QStringLiteral("\"TrackData\""),
                                QStringLiteral("\"ReadEvents\""),
                                QStringLiteral("\"ReadProperties\""),
                                QStringLiteral("\"ReadSegments\""),
                                QStringLiteral("\"GetTrackingSnippet\""),
                                QStringLiteral("\"sandbox\" is accepted with every permission")};
    for (const QString &item : format)
        QVERIFY2(text.contains(item), qPrintable(item));
    // The sandbox-only endpoints.
    const QStringList endpoints = {QStringLiteral("GET /_sandbox/users?userId=ID|email=EMAIL"),
                                   QStringLiteral("GET /_sandbox/accounts?accountId=ID|domain=D"),
                                   QStringLiteral("GET /_sandbox/events?name=&userId=&accountId="),
                                   QStringLiteral("GET /_sandbox/stats"),
                                   QStringLiteral("rateLimited, maxPerWindow"),
                                   QStringLiteral("POST /_sandbox/reset")};
    for (const QString &endpoint : endpoints)
        QVERIFY2(text.contains(endpoint), qPrintable(endpoint));
}

void TestSandboxCli::version()
{
    SandboxProcess sandbox({QStringLiteral("--version")});
    QCOMPARE(sandbox.waitForExit(), 0);
    QCOMPARE(sandbox.standardOutput(), QByteArray("journy-sandbox " JOURNY_VERSION "\n"));
}

void TestSandboxCli::dataSurvivesAKillAndRestart()
{
    const QString data = m_dir->filePath(QStringLiteral("state.db"));
    {
        SandboxProcess first({QStringLiteral("--data"), data});
        const QUrl base = first.baseUrl();
        QVERIFY(base.isValid());
        QCOMPARE(
            post(
                base, QStringLiteral("/users/upsert"),
                R"({"identification":{"userId":"u1","email":"ann@acme.com"},"properties":{"plan":"Pro","seats":3}})")
                .status,
            201);
        QCOMPARE(post(base, QStringLiteral("/accounts/users/add"),
                      R"({"account":{"accountId":"a1"},"users":[{"identification":{"userId":"u1"}}]})")
                     .status,
                 201);
        QCOMPARE(post(base, QStringLiteral("/track"),
                      R"({"name":"Signed up","identification":{"user":{"userId":"u1"}},"metadata":{"n":1}})")
                     .status,
                 201);
        // Killed, not asked to stop: every accepted change must already be in the file.
        first.kill();
        QVERIFY(!first.isRunning());
    }
    SandboxProcess second({QStringLiteral("--data"), data});
    const QUrl base = second.baseUrl();
    QVERIFY(base.isValid());
    QUrlQuery user;
    user.addQueryItem(QStringLiteral("email"), QStringLiteral("ann@acme.com"));
    const Answer stored = get(base, QStringLiteral("/_sandbox/users"), QByteArray(), user);
    QCOMPARE(stored.status, 200);
    QCOMPARE(stored.json.value(QLatin1String("userId")).toString(), QStringLiteral("u1"));
    QCOMPARE(compact(stored.json.value(QLatin1String("properties"))),
             QByteArray(R"({"plan":"Pro","seats":3})"));
    QCOMPARE(stored.json.value(QLatin1String("accounts")).toArray().size(), 1);
    const Answer events = get(base, QStringLiteral("/_sandbox/events"), QByteArray());
    QCOMPARE(events.json.value(QLatin1String("data")).toArray().size(), 1);
    QCOMPARE(compact(events.json.value(QLatin1String("data"))
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(QLatin1String("metadata"))),
             QByteArray(R"({"n":1})"));
    QCOMPARE(compact(get(base, QStringLiteral("/events")).data()),
             QByteArray(R"([{"id":"evt-1","name":"Signed up"}])"));
    const Answer stats = get(base, QStringLiteral("/_sandbox/stats"), QByteArray());
    QCOMPARE(stats.json.value(QLatin1String("users")).toInt(), 1);
    QCOMPARE(stats.json.value(QLatin1String("accounts")).toInt(), 1);
    QCOMPARE(stats.json.value(QLatin1String("events")).toInt(), 1);

    // And without --data, a new process starts empty: the state above really came from the file.
    SandboxProcess memory({});
    QCOMPARE(get(memory.baseUrl(), QStringLiteral("/_sandbox/users"), QByteArray(), user).status, 404);
}

void TestSandboxCli::rateLimitFlags()
{
    SandboxProcess sandbox({QStringLiteral("--rate-limit"), QStringLiteral("3"),
                            QStringLiteral("--rate-window"), QStringLiteral("60")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    for (int i = 1; i <= 3; ++i) {
        const Answer answer = get(base, QStringLiteral("/validate"));
        QCOMPARE(answer.status, 200);
        QCOMPARE(answer.header("X-RateLimit-Limit"), QByteArray("3"));
        QCOMPARE(answer.header("X-RateLimit-Remaining"), QByteArray::number(3 - i));
    }
    const Answer fourth = get(base, QStringLiteral("/validate"));
    QCOMPARE(fourth.status, 429);
    QCOMPARE(fourth.message(), QStringLiteral("Too many requests: the limit is 3 per 60 s"));
    QCOMPARE(fourth.header("X-RateLimit-Remaining"), QByteArray("0"));
    const Answer stats = get(base, QStringLiteral("/_sandbox/stats"), QByteArray());
    QCOMPARE(stats.json.value(QLatin1String("rateLimited")).toInt(), 1);
    QCOMPARE(stats.json.value(QLatin1String("maxPerWindow")).toInt(), 3);
}

void TestSandboxCli::failRateAndSeed()
{
    SandboxProcess sandbox(
        {QStringLiteral("--fail-rate"), QStringLiteral("1"), QStringLiteral("--seed"), QStringLiteral("7")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    for (int i = 0; i < 3; ++i) {
        const Answer answer = get(base, QStringLiteral("/validate"));
        QCOMPARE(answer.status, 500);
        QCOMPARE(answer.message(), QStringLiteral("Internal server error (injected by the sandbox)"));
        QCOMPARE(answer.json.value(QLatin1String("meta")).toObject().value(QLatin1String("status")).toInt(),
                 500);
    }
    QCOMPARE(post(base, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"u"}})").status, 500);
    // Inspection is exempt from faults, and the failed upsert stored nothing.
    const Answer stats = get(base, QStringLiteral("/_sandbox/stats"), QByteArray());
    QCOMPARE(stats.status, 200);
    QCOMPARE(stats.json.value(QLatin1String("users")).toInt(), 0);
    QCOMPARE(stats.json.value(QLatin1String("requests")).toInt(), 4);
}

void TestSandboxCli::faultSequenceIsReproducibleAcrossRuns()
{
    auto statuses = [this](const QString &seed) {
        SandboxProcess sandbox(
            {QStringLiteral("--fail-rate"), QStringLiteral("0.5"), QStringLiteral("--seed"), seed});
        const QUrl base = sandbox.baseUrl();
        QString sequence;
        for (int i = 0; i < 16; ++i)
            sequence +=
                get(base, QStringLiteral("/validate")).status == 500 ? QLatin1Char('x') : QLatin1Char('.');
        return sequence;
    };
    const QString first = statuses(QStringLiteral("7"));
    QCOMPARE(statuses(QStringLiteral("7")), first);
    QVERIFY2(first.contains(QLatin1Char('x')) && first.contains(QLatin1Char('.')), qPrintable(first));
    QVERIFY(statuses(QStringLiteral("8")) != first);
}

void TestSandboxCli::latencyAndGarbleFlags()
{
    {
        SandboxProcess slow({QStringLiteral("--latency"), QStringLiteral("300")});
        const Answer answer = get(slow.baseUrl(), QStringLiteral("/validate"));
        QCOMPARE(answer.status, 200);
        QVERIFY2(answer.elapsedMs >= 300, qPrintable(QString::number(answer.elapsedMs)));
    }
    SandboxProcess garbled({QStringLiteral("--garble-rate"), QStringLiteral("1"), QStringLiteral("--seed"),
                            QStringLiteral("3")});
    const QUrl base = garbled.baseUrl();
    for (int i = 0; i < 4; ++i) {
        const Answer answer = get(base, QStringLiteral("/validate"));
        QJsonParseError error;
        QJsonDocument::fromJson(answer.body, &error);
        QVERIFY2(error.error != QJsonParseError::NoError, answer.body.constData());
    }
    // A garbled answer comes after the work: the upsert is stored though its answer is spoilt.
    const Answer upsert = post(base, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"g"}})");
    QJsonParseError error;
    QJsonDocument::fromJson(upsert.body, &error);
    QVERIFY2(error.error != QJsonParseError::NoError, upsert.body.constData());
    QCOMPARE(get(base, QStringLiteral("/_sandbox/users"), QByteArray(), QUrlQuery(QStringLiteral("userId=g")))
                 .json.value(QLatin1String("userId"))
                 .toString(),
             QStringLiteral("g"));
}

void TestSandboxCli::injected429sSayRetryAfterOne()
{
    // The rates may add up to exactly 1: every request gets one fault or the other.
    SandboxProcess sandbox({QStringLiteral("--burst-rate"), QStringLiteral("0.5"),
                            QStringLiteral("--fail-rate"), QStringLiteral("0.5"),
                            QStringLiteral("--burst-length"), QStringLiteral("1"),
                            QStringLiteral("--fault-seed"), QStringLiteral("4")});
    const QUrl base = sandbox.baseUrl();
    QVERIFY(base.isValid());
    int limited = 0;
    for (int i = 0; i < 16; ++i) {
        const Answer answer = get(base, QStringLiteral("/validate"));
        QVERIFY2(answer.status == 429 || answer.status == 500, qPrintable(QString::number(answer.status)));
        if (answer.status == 429) {
            ++limited;
            QCOMPARE(answer.header("Retry-After"), QByteArray("1"));
            QCOMPARE(answer.message(), QStringLiteral("Too many requests (a burst injected by the sandbox)"));
        } else {
            QCOMPARE(answer.header("Retry-After"), QByteArray());
        }
    }
    QVERIFY(limited > 0 && limited < 16);
    QCOMPARE(get(base, QStringLiteral("/_sandbox/stats"), QByteArray())
                 .json.value(QLatin1String("rateLimited"))
                 .toInt(),
             limited);
}

QTEST_GUILESS_MAIN(TestSandboxCli)
#include "tst_SandboxCli.moc"

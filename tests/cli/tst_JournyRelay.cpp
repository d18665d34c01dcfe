// `journy relay` as a user runs it: a child process in front of an in-process sandbox, called
// over real HTTP with QNetworkAccessManager as an SDK would, its stdout read line by line, and
// ended with SIGINT (Ctrl+C).

#include "api/PastedRequest.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"
#include "support/CliChild.h"
#include "support/SandboxInspection.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

namespace {

const QByteArray Key = "sk_cli_relay_5e1d";

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        qFatal("no free port");
    return probe.serverPort();
}

} // namespace

class TestJournyRelay : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void relaysReportsEachCallAndSummarisesOnCtrlC();
    void jsonLinesCarryTheFingerprintNotTheKey();
    void theSandboxProfileRelaysToTheEmbeddedSandbox();
    void badOptionsAreUsageErrors();

private:
    // Starts `journy ARGUMENTS` (a relay on port) and waits for its listening line, which names
    // the upstream.
    std::unique_ptr<CliChild> startRelay(const QStringList &arguments, quint16 port, QUrl *upstream);
    int post(quint16 port, const QString &path, const QByteArray &body, const QByteArray &key = Key);
    // Waits until the child has written count lines to stdout.
    bool waitForLines(CliChild *child, int count);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SandboxServer> m_sandbox;
    QNetworkAccessManager m_network;
};

void TestJournyRelay::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(QString::fromLatin1(Key), {SandboxConfig::allPermissions(), true});
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY(m_sandbox->start());
}

void TestJournyRelay::cleanup()
{
    m_sandbox.reset();
    m_dir.reset();
}

std::unique_ptr<CliChild> TestJournyRelay::startRelay(const QStringList &arguments, quint16 port,
                                                      QUrl *upstream)
{
    auto child = std::make_unique<CliChild>();
    if (!child->start(QStringLiteral(JOURNY_CLI_EXE), arguments, m_dir->path()))
        return nullptr;
    const QRegularExpression listening(
        QStringLiteral("^Relay listening on http://127\\.0\\.0\\.1:%1 \u2192 (\\S+)\n").arg(port));
    QRegularExpressionMatch match;
    const bool ended = QTest::qWaitFor(
        [&] {
            child->read();
            match = listening.match(QString::fromUtf8(child->err));
            return match.hasMatch() || child->finished()->size() > 0;
        },
        15000);
    if (!ended || !match.hasMatch()) {
        qWarning("no listening line: %s", child->err.constData());
        return nullptr;
    }
    *upstream = QUrl(match.captured(1));
    return child;
}

int TestJournyRelay::post(quint16 port, const QString &path, const QByteArray &body, const QByteArray &key)
{
    QUrl url(QStringLiteral("http://127.0.0.1"));
    url.setPort(port);
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Api-Key", key);
    std::unique_ptr<QNetworkReply> reply(m_network.post(request, body));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    if (!finished.wait(15000))
        return 0;
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

bool TestJournyRelay::waitForLines(CliChild *child, int count)
{
    return QTest::qWaitFor(
        [&] {
            child->read();
            return child->out.count('\n') >= count;
        },
        15000);
}

void TestJournyRelay::relaysReportsEachCallAndSummarisesOnCtrlC()
{
    const quint16 port = freePort();
    QUrl upstream;
    // The options after the command, as the help writes them.
    auto child =
        startRelay({QStringLiteral("relay"), QStringLiteral("--base-url"), m_sandbox->baseUrl().toString(),
                    QStringLiteral("--port"), QString::number(port)},
                   port, &upstream);
    QVERIFY(child);
    QCOMPARE(upstream, m_sandbox->baseUrl());

    QCOMPARE(post(port, QStringLiteral("/users/upsert"),
                  R"({"identification":{"userId":"u-1"},"properties":{"plan":"pro"}})"),
             201);
    // What the Node SDK 3.1.0 sends for an event.
    QCOMPARE(
        post(
            port, QStringLiteral("/events"),
            R"({"name":"Invoice paid","identification":{"user":{"userId":"u-1"}},"metadata":{"amount":"120"}})"),
        201);
    QVERIFY2(waitForLines(child.get(), 2), child->out.constData());

    const QStringList lines = QString::fromUtf8(child->out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    static const QRegularExpression shape(QStringLiteral(
        "^\\d\\d:\\d\\d:\\d\\d  (\\S+)\\s+(POST \\S+)  (\\d+)  (\\d+)ms  ([0-9a-f-]{36})  (.*)$"));
    const QRegularExpressionMatch first = shape.match(lines.at(0));
    QVERIFY2(first.hasMatch(), qPrintable(lines.at(0)));
    QCOMPARE(first.captured(1), QStringLiteral("CLEAN"));
    QCOMPARE(first.captured(2), QStringLiteral("POST /users/upsert"));
    QCOMPARE(first.captured(3), QStringLiteral("201"));
    QCOMPARE(first.captured(6), QStringLiteral("0 finding(s)"));
    const QRegularExpressionMatch second = shape.match(lines.at(1));
    QVERIFY2(second.hasMatch(), qPrintable(lines.at(1)));
    QCOMPARE(second.captured(1), QStringLiteral("WARNINGS"));
    QCOMPARE(second.captured(2), QStringLiteral("POST /events"));
    QCOMPARE(second.captured(3), QStringLiteral("201"));
    QCOMPARE(second.captured(6), QStringLiteral("2 finding(s) (deprecated-events-endpoint, string-number)"));

    ::kill(pid_t(child->process()->processId()), SIGINT);
    const CliRun run = child->finish(15000);
    COMPARE_EXIT(run, 0);
    QVERIFY2(
        run.text().contains(QLatin1String("Relayed 2 request(s): 0 with errors, 1 with warnings only\n")),
        qPrintable(run.describe()));
    QVERIFY2(run.text().contains(QRegularExpression(
                 QStringLiteral("\n  deprecated-events-endpoint\\s+1  e\\.g\\. POST /events\n"))),
             qPrintable(run.describe()));
    QVERIFY2(run.text().contains(
                 QRegularExpression(QStringLiteral("\n  string-number\\s+1  e\\.g\\. POST /events\n"))),
             qPrintable(run.describe()));
    QVERIFY(!run.out.contains(Key));
    QVERIFY(!run.err.contains(Key));
}

void TestJournyRelay::jsonLinesCarryTheFingerprintNotTheKey()
{
    const quint16 port = freePort();
    QUrl upstream;
    // The options before the command, as for every other command.
    auto child =
        startRelay({QStringLiteral("--base-url"), m_sandbox->baseUrl().toString(), QStringLiteral("--json"),
                    QStringLiteral("relay"), QStringLiteral("--port"), QString::number(port)},
                   port, &upstream);
    QVERIFY(child);
    // Not a route: answered by the relay itself, never forwarded.
    QCOMPARE(post(port, QStringLiteral("/v1/track"), R"({"a":1})"), 404);
    QVERIFY2(waitForLines(child.get(), 1), child->out.constData());

    ::kill(pid_t(child->process()->processId()), SIGINT);
    const CliRun run = child->finish(15000);
    COMPARE_EXIT(run, 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    const QJsonObject record = QJsonDocument::fromJson(lines.first()).object();
    QCOMPARE(record.value(QLatin1String("verdict")).toString(), QStringLiteral("errors"));
    QCOMPARE(record.value(QLatin1String("status")).toInt(), 404);
    QCOMPARE(record.value(QLatin1String("path")).toString(), QStringLiteral("/v1/track"));
    QCOMPARE(record.value(QLatin1String("keyFingerprint")).toString(), PastedRequest::fingerprint(Key));
    QVERIFY(!run.out.contains(Key));
    QVERIFY(!run.err.contains(Key));
    // The summary goes to stderr, so stdout stays JSON Lines.
    QVERIFY2(
        run.err.contains("Relayed 1 request(s): 1 with errors, 0 with warnings only\nNo lint findings.\n"),
        qPrintable(run.describe()));
}

void TestJournyRelay::theSandboxProfileRelaysToTheEmbeddedSandbox()
{
    // A fresh installation's default profile is the built-in Sandbox: the relay starts it in its
    // own process and forwards there.
    const quint16 port = freePort();
    QUrl upstream;
    auto child = startRelay({QStringLiteral("relay"), QStringLiteral("--port"), QString::number(port)}, port,
                            &upstream);
    QVERIFY(child);
    QVERIFY2(upstream != m_sandbox->baseUrl() && upstream.host() == QStringLiteral("127.0.0.1"),
             qPrintable(upstream.toString()));
    const QByteArray sandboxKey = SandboxConfig::defaultKey().toUtf8();
    QCOMPARE(post(port, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"via-relay"}})",
                  sandboxKey),
             201);
    QVERIFY2(waitForLines(child.get(), 1), child->out.constData());
    const SandboxInspection stored = SandboxInspection::get(upstream, QStringLiteral("/_sandbox/users"),
                                                            QUrlQuery(QStringLiteral("userId=via-relay")));
    QCOMPARE(stored.status, 200);
    // A key the sandbox does not know is forwarded all the same, and its 401 passed back.
    QCOMPARE(
        post(port, QStringLiteral("/users/upsert"), R"({"identification":{"userId":"x"}})", "sk_unknown"),
        401);
    QVERIFY2(waitForLines(child.get(), 2), child->out.constData());
    QVERIFY2(child->out.contains("  POST /users/upsert  401  "), child->out.constData());

    ::kill(pid_t(child->process()->processId()), SIGINT);
    COMPARE_EXIT(child->finish(15000), 0);
}

void TestJournyRelay::badOptionsAreUsageErrors()
{
    const QString base = m_sandbox->baseUrl().toString();
    for (const QStringList &arguments :
         {QStringList{QStringLiteral("relay"), QStringLiteral("--port"), QStringLiteral("70000")},
          QStringList{QStringLiteral("--base-url"), base, QStringLiteral("relay"),
                      QStringLiteral("--base-url"), base},
          QStringList{QStringLiteral("relay"), QStringLiteral("--profile"), QStringLiteral("Nope")},
          QStringList{QStringLiteral("relay"), QStringLiteral("extra")}}) {
        CliChild child;
        QVERIFY(child.start(QStringLiteral(JOURNY_CLI_EXE), arguments, m_dir->path()));
        const CliRun run = child.finish(15000);
        COMPARE_EXIT(run, 1);
        QVERIFY2(run.out.isEmpty(), qPrintable(run.describe()));
        QVERIFY2(!run.err.contains("Relay listening"), qPrintable(run.describe()));
    }
    // A port that is taken: the relay says so and exits 4.
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    CliChild child;
    QVERIFY(child.start(QStringLiteral(JOURNY_CLI_EXE),
                        {QStringLiteral("--base-url"), base, QStringLiteral("relay"),
                         QStringLiteral("--port"), QString::number(taken.serverPort())},
                        m_dir->path()));
    const CliRun run = child.finish(15000);
    COMPARE_EXIT(run, 4);
    QVERIFY2(run.errors().contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(taken.serverPort())),
             qPrintable(run.describe()));
}

QTEST_GUILESS_MAIN(TestJournyRelay)
#include "tst_JournyRelay.moc"

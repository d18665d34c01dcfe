#include "support/ForwardProxy.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>

#ifdef Q_OS_LINUX
#include <csignal>
#include <sys/prctl.h>
#endif

namespace {

const QString kTinyproxy = QStringLiteral("/usr/bin/tinyproxy");
const QString kConfigFile = QStringLiteral("tinyproxy.conf");
const QString kLogFile = QStringLiteral("tinyproxy.log");
const QString kOutputFile = QStringLiteral("tinyproxy.out");

// tinyproxy's exit code (EX_OSERR) and message when it cannot bind its port, the one failure worth
// retrying with another port: the port picked may have been taken between our probe and its bind.
constexpr int kExitCannotListen = 71;
const QString kCannotListen = QStringLiteral("Could not create listening sockets");
// Logged once the listening socket is bound and listen() returned, i.e. when connections are
// accepted. Waiting for this line rather than probing with a connection keeps the log free of a
// probe's "Connect" line, and proves that tinyproxy, not some other process, owns the port.
const QString kReady = QStringLiteral("Accepting connections");

constexpr int kAttempts = 5;
constexpr int kStartTimeoutMs = 5000;
constexpr int kStopTimeoutMs = 3000;

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// tinyproxy's grammar takes BasicAuth's user and password as bare words.
bool isConfigWord(const QString &value)
{
    static const QRegularExpression word(QStringLiteral("^[^\\s\"#]+$"));
    return word.match(value).hasMatch();
}

QString lastLines(const QString &text, int count)
{
    QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (lines.size() > count)
        lines = lines.mid(lines.size() - count);
    return lines.join(QLatin1Char('\n'));
}

} // namespace

ForwardProxy::ForwardProxy(QObject *parent) : QObject(parent) {}

ForwardProxy::~ForwardProxy()
{
    stop();
}

bool ForwardProxy::isAvailable()
{
    const QFileInfo info(kTinyproxy);
    return info.isFile() && info.isExecutable();
}

bool ForwardProxy::start(const QString &basicAuthUser, const QString &basicAuthPassword)
{
    stop();
    m_port = 0;
    m_errorString.clear();
    if (!isAvailable()) {
        m_errorString = QStringLiteral("%1 is missing (apt-get install tinyproxy-bin)").arg(kTinyproxy);
        return false;
    }
    if (!basicAuthUser.isEmpty() && (!isConfigWord(basicAuthUser) || !isConfigWord(basicAuthPassword))) {
        m_errorString = QStringLiteral("tinyproxy cannot express these credentials in its config");
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>();
    if (!m_dir->isValid()) {
        m_errorString = QStringLiteral("cannot create a temporary folder: %1").arg(m_dir->errorString());
        return false;
    }
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        const quint16 port = freeLoopbackPort();
        if (port == 0) {
            m_errorString = QStringLiteral("no free port on 127.0.0.1");
            return false;
        }
        switch (startOnce(port, basicAuthUser, basicAuthPassword)) {
        case Attempt::Ready:
            m_port = port;
            m_errorString.clear(); // an earlier attempt's complaint no longer applies
            return true;
        case Attempt::PortTaken:
            continue;
        case Attempt::Failed:
            return false;
        }
    }
    m_errorString = QStringLiteral("tinyproxy could not bind a port in %1 attempts").arg(kAttempts);
    return false;
}

ForwardProxy::Attempt ForwardProxy::startOnce(quint16 port, const QString &user, const QString &password)
{
    // A fresh log per attempt, so the readiness line of a failed attempt cannot be mistaken for ours.
    QFile::remove(m_dir->filePath(kLogFile));
    QFile::remove(m_dir->filePath(kOutputFile));

    // No ConnectPort line on purpose: without any, tinyproxy allows CONNECT to every port
    // (check_allowed_connect_ports), while the sample config's 443/563 would block the test servers'
    // random ports. No rule restricts destinations, so 127.0.0.1 targets are forwarded. No User/Group
    // either: tinyproxy then keeps running as the current user.
    QStringList config = {
        QStringLiteral("Port %1").arg(port),
        QStringLiteral("Listen 127.0.0.1"),
        QStringLiteral("Allow 127.0.0.1"),
        QStringLiteral("Timeout 30"),
        QStringLiteral("MaxClients 50"),
        QStringLiteral("LogLevel Info"),
        QStringLiteral("LogFile \"%1\"").arg(m_dir->filePath(kLogFile)),
        QStringLiteral("PidFile \"%1\"").arg(m_dir->filePath(QStringLiteral("tinyproxy.pid"))),
        // Tests compare what the origin server received; tinyproxy adds no Via header then.
        QStringLiteral("DisableViaHeader Yes"),
    };
    if (!user.isEmpty())
        config << QStringLiteral("BasicAuth %1 %2").arg(user, password);
    QFile configFile(m_dir->filePath(kConfigFile));
    if (!configFile.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        configFile.write(config.join(QLatin1Char('\n')).toUtf8() + '\n') < 0) {
        m_errorString = QStringLiteral("cannot write %1").arg(configFile.fileName());
        return Attempt::Failed;
    }
    configFile.close();

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(kTinyproxy);
    // -d keeps it in the foreground, so it stays our child and QProcess can stop it.
    m_process->setArguments({QStringLiteral("-d"), QStringLiteral("-c"), configFile.fileName()});
    // Into a file rather than a pipe: nobody reads a pipe while the test runs, and a full one would
    // block tinyproxy.
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_dir->filePath(kOutputFile));
#ifdef Q_OS_LINUX
    // If the test process dies without running destructors (crash, SIGKILL, ctest timeout), the kernel
    // kills tinyproxy too instead of leaving it listening.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
    m_process->start();
    if (!m_process->waitForStarted(kStartTimeoutMs)) {
        m_errorString = QStringLiteral("cannot run %1: %2").arg(kTinyproxy, m_process->errorString());
        m_process.reset();
        return Attempt::Failed;
    }

    const QDeadlineTimer deadline(kStartTimeoutMs);
    while (!deadline.hasExpired()) {
        if (m_process->state() == QProcess::NotRunning || m_process->waitForFinished(50)) {
            const QString output = readFile(kOutputFile);
            const bool portTaken = (m_process->exitStatus() == QProcess::NormalExit &&
                                    m_process->exitCode() == kExitCannotListen) ||
                                   output.contains(kCannotListen);
            m_errorString = QStringLiteral("tinyproxy exited with code %1: %2\n%3")
                                .arg(m_process->exitCode())
                                .arg(output.trimmed(), lastLines(readFile(kLogFile), 10));
            m_process.reset();
            return portTaken ? Attempt::PortTaken : Attempt::Failed;
        }
        if (readFile(kLogFile).contains(kReady))
            return Attempt::Ready;
    }
    m_errorString = QStringLiteral("tinyproxy did not start listening within %1 ms:\n%2")
                        .arg(kStartTimeoutMs)
                        .arg(lastLines(readFile(kLogFile), 10));
    stop();
    return Attempt::Failed;
}

void ForwardProxy::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        // SIGTERM lets tinyproxy close its sockets; it may wait for busy connections, hence the kill.
        m_process->terminate();
        if (!m_process->waitForFinished(kStopTimeoutMs)) {
            m_process->kill();
            m_process->waitForFinished(kStopTimeoutMs);
        }
    }
    m_process.reset();
}

bool ForwardProxy::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString ForwardProxy::logFilePath() const
{
    return m_dir ? m_dir->filePath(kLogFile) : QString();
}

QString ForwardProxy::logText() const
{
    return readFile(kLogFile);
}

int ForwardProxy::requestsLogged(const QString &needle) const
{
    int count = 0;
    const QStringList lines = logText().split(QLatin1Char('\n'));
    for (const QString &line : lines) {
        if (line.contains(needle))
            ++count;
    }
    return count;
}

QString ForwardProxy::readFile(const QString &name) const
{
    if (!m_dir)
        return {};
    QFile file(m_dir->filePath(name));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

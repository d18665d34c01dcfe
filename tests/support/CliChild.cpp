#include "support/CliChild.h"

#include <QDir>

CliChild::CliChild()
    : m_process(std::make_unique<QProcess>()),
      m_finished(std::make_unique<QSignalSpy>(m_process.get(), &QProcess::finished))
{}

bool CliChild::start(const QString &program, const QStringList &arguments, const QString &folder,
                     const Environment &environment, const QByteArray &input)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("JOURNY_API_KEY"));
    // A proxy of the machine running the tests must not decide where a child's requests go (nor
    // make a test pass that should fail): a test that wants one sets it.
    for (const char *name : {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}) {
        env.remove(QLatin1String(name));
        env.remove(QString::fromLatin1(name).toUpper());
    }
    env.remove(QStringLiteral("JOURNY_PROXY_PASSWORD"));
    const QDir root(folder);
    env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
    env.insert(QStringLiteral("XDG_STATE_HOME"), root.filePath(QStringLiteral("state")));
    for (auto it = environment.begin(); it != environment.end(); ++it) {
        if (it.value().isNull())
            env.remove(it.key());
        else
            env.insert(it.key(), it.value());
    }
    m_process->setProcessEnvironment(env);
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    m_process->start();
    if (!m_process->waitForStarted(10000))
        return false;
    m_process->write(input);
    m_process->closeWriteChannel();
    return true;
}

void CliChild::read()
{
    out += m_process->readAllStandardOutput();
    err += m_process->readAllStandardError();
}

CliRun CliChild::finish(int timeoutMs)
{
    CliRun run;
    if (m_process->state() == QProcess::NotRunning && m_finished->isEmpty()) {
        run.crashed = true;
        run.err = m_process->errorString().toUtf8();
        return run;
    }
    if (m_finished->isEmpty() && !m_finished->wait(timeoutMs)) {
        m_process->kill();
        m_finished->wait(5000);
        run.crashed = true;
    }
    read();
    run.out = out;
    run.err = err;
    if (m_process->exitStatus() != QProcess::NormalExit)
        run.crashed = true;
    run.exitCode = run.crashed ? -1 : m_process->exitCode();
    return run;
}

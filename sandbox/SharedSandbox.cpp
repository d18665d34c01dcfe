#include "sandbox/SharedSandbox.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace {

QString portFileFor(const QString &dataFile)
{
    return dataFile + QStringLiteral(".port");
}

} // namespace

SharedSandbox::SharedSandbox(const QString &dataFile)
    : m_dataFile(dataFile), m_lock(dataFile + QStringLiteral(".lock"))
{
    m_lock.setStaleLockTime(0); // a crashed owner's lock is detected by its dead PID, not by age
}

SharedSandbox::~SharedSandbox()
{
    if (m_server) {
        m_server.reset();
        QFile::remove(portFileFor(m_dataFile));
        m_lock.unlock();
    }
}

bool SharedSandbox::start(QString *error)
{
    if (!QDir().mkpath(QFileInfo(m_dataFile).absolutePath())) {
        *error = QStringLiteral("cannot create the folder of %1").arg(m_dataFile);
        return false;
    }
    if (!m_lock.tryLock(0)) {
        QFile portFile(portFileFor(m_dataFile));
        bool ok = false;
        const int port = portFile.open(QIODevice::ReadOnly) ? portFile.readAll().trimmed().toInt(&ok) : 0;
        if (!ok || port <= 0) {
            *error =
                QStringLiteral("the sandbox data file %1 is in use by another process that announces no port")
                    .arg(m_dataFile);
            return false;
        }
        m_baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        return true;
    }

    m_server = std::make_unique<SandboxServer>(SandboxConfig::defaults());
    // The preferred port first; when another program holds it, any free one.
    const auto listen = [this] {
        m_preferredPortTaken = false;
        if (m_preferredPort != 0 && m_server->start(QHostAddress::LocalHost, m_preferredPort))
            return true;
        m_preferredPortTaken = m_preferredPort != 0;
        return m_server->start();
    };
    if (!m_server->openData(m_dataFile, error) || !listen()) {
        if (error->isEmpty())
            *error = QStringLiteral("the sandbox cannot listen on 127.0.0.1");
        m_server.reset();
        m_lock.unlock();
        return false;
    }
    QSaveFile portFile(portFileFor(m_dataFile));
    if (portFile.open(QIODevice::WriteOnly)) {
        portFile.write(QByteArray::number(m_server->baseUrl().port()));
        portFile.commit();
    }
    m_baseUrl = m_server->baseUrl();
    return true;
}

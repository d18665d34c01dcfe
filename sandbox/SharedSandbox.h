#pragma once

#include "sandbox/SandboxServer.h"

#include <QLockFile>
#include <QUrl>

#include <memory>

// The sandbox behind the built-in Sandbox profile, shared by the console and the CLI through
// one data file: the first process to come takes the file's lock and serves it in-process,
// announcing its port next to the file; a process that finds the lock taken talks to that
// running sandbox over loopback instead of opening the file twice.
class SharedSandbox
{
public:
    explicit SharedSandbox(const QString &dataFile);
    ~SharedSandbox();

    // The port to serve on when this process serves the file (0, the default: any free port), so
    // the sandbox's URL, and the curl commands copied with it, stay the same between runs.
    void setPreferredPort(quint16 port) { m_preferredPort = port; }
    // Serves or finds the sandbox; false with *error when neither works. A preferred port that is
    // taken is no error: another free port is used (preferredPortTaken()).
    bool start(QString *error);
    // After start(): this process serves the file, but not on the preferred port, which another
    // program holds.
    bool preferredPortTaken() const { return m_preferredPortTaken; }
    QUrl baseUrl() const { return m_baseUrl; }
    // The in-process server, or nullptr when another process serves the file.
    SandboxServer *server() const { return m_server.get(); }

private:
    QString m_dataFile;
    QLockFile m_lock;
    std::unique_ptr<SandboxServer> m_server;
    QUrl m_baseUrl;
    quint16 m_preferredPort = 0;
    bool m_preferredPortTaken = false;
};

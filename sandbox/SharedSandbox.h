#pragma once

#include "SandboxServer.h"

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

    // Serves or finds the sandbox; false with *error when neither works.
    bool start(QString *error);
    QUrl baseUrl() const { return m_baseUrl; }
    // The in-process server, or nullptr when another process serves the file.
    SandboxServer *server() const { return m_server.get(); }

private:
    QString m_dataFile;
    QLockFile m_lock;
    std::unique_ptr<SandboxServer> m_server;
    QUrl m_baseUrl;
};

#pragma once

#include "support/CliRun.h"

#include <QMap>
#include <QProcess>
#include <QSignalSpy>
#include <QStringList>

#include <memory>

// A command-line program run as a user runs it, in a child process with its own folders: HOME and
// the XDG config, data, cache and state folders under a test's temporary folder, no JOURNY_API_KEY,
// JOURNY_PROXY_PASSWORD or *_proxy variable unless given, the rest of the environment (the session
// bus the keychain tests need) inherited.
// Nothing here blocks in waitForFinished(): the test's event loop keeps running while the child
// does, so an in-process sandbox can answer it.
class CliChild
{
public:
    // Variables to set for one run; a null value removes the variable.
    using Environment = QMap<QString, QString>;

    CliChild();

    // Starts program; input is written to its stdin, which is then closed. False if it did not start.
    bool start(const QString &program, const QStringList &arguments, const QString &folder,
               const Environment &environment = {}, const QByteArray &input = {});
    // Takes what the child wrote so far into out and err.
    void read();
    // Waits for the end (killing the child after timeoutMs) and returns the run.
    CliRun finish(int timeoutMs);

    QProcess *process() const { return m_process.get(); }
    // Has seen the child end.
    QSignalSpy *finished() const { return m_finished.get(); }

    QByteArray out;
    QByteArray err;

private:
    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<QSignalSpy> m_finished; // made before the child starts, so it sees every end
};

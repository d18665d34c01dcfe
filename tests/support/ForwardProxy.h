#pragma once

#include <QObject>
#include <QString>

#include <memory>

class QProcess;
class QTemporaryDir;

// A real HTTP forward proxy on 127.0.0.1 for tests: Debian's tinyproxy (1.11), run as a child process
// of the test, unprivileged, from a config file in its own temporary folder. It forwards plain
// requests ("GET http://host:port/path") and tunnels CONNECT to any port, including loopback ones,
// and can demand Basic proxy authentication.
//
// Its log (LogLevel Info) is how a test proves a request went through the proxy. Per request
// tinyproxy 1.11.1 writes, among others:
//   CONNECT ...: Connect (file descriptor 5): 127.0.0.1
//   CONNECT ...: Request (file descriptor 5): GET http://127.0.0.1:34723/x HTTP/1.1
//   CONNECT ...: Request (file descriptor 7): CONNECT 127.0.0.1:34723 HTTP/1.1
//   CONNECT ...: Established connection to host "127.0.0.1" using file descriptor 6.
// so requestsLogged("GET http://127.0.0.1:" + port) or requestsLogged("CONNECT 127.0.0.1:" + port)
// count requests. A request refused for missing or wrong credentials still logs its "Request" line
// but no "Established connection" line.
//
// Tinyproxy answers a request without Proxy-Authorization with 407 and Proxy-Authenticate, but one
// with wrong credentials with 401 Unauthorized and WWW-Authenticate (a quirk of 1.11.1), which a
// client sees as the origin server asking for credentials.
class ForwardProxy : public QObject
{
    Q_OBJECT
public:
    explicit ForwardProxy(QObject *parent = nullptr);
    ~ForwardProxy() override;

    // Whether /usr/bin/tinyproxy exists (Debian package tinyproxy-bin or tinyproxy); tests QSKIP
    // without it.
    static bool isAvailable();

    // Starts tinyproxy on a free port of 127.0.0.1 and returns once it accepts connections (at most
    // about 5 s). With a user name, only requests with those Basic credentials are served; tinyproxy's
    // config syntax allows neither whitespace nor '"' in them. False with errorString() if tinyproxy
    // is missing or does not come up. A running proxy is stopped first.
    bool start(const QString &basicAuthUser = {}, const QString &basicAuthPassword = {});
    // Terminates tinyproxy and waits for it (killing it if it lingers). The log stays readable until
    // the next start() or destruction.
    void stop();

    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString errorString() const { return m_errorString; }

    QString logFilePath() const;
    // The whole log file as it is now (tinyproxy writes each line as it happens).
    QString logText() const;
    // How many log lines contain needle (case-sensitive).
    int requestsLogged(const QString &needle) const;

private:
    enum class Attempt
    {
        Ready,
        PortTaken,
        Failed
    };
    Attempt startOnce(quint16 port, const QString &user, const QString &password);
    QString readFile(const QString &name) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_errorString;
};

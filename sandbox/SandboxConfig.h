#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

// Everything the sandbox is told at start: keys and their permissions, the rate limit, the
// websites and segments it serves, and the faults it injects. Read from a JSON file (format in
// the README and `journy-sandbox --help`) and/or command-line flags.
class SandboxConfig
{
public:
    class Key
    {
    public:
        QStringList permissions;
        bool enabled = true;
    };
    class Segment
    {
    public:
        QString id;
        QString name;
    };
    // Misbehaviour for reliability tests; all off by default, reproducible with a seed. The rates
    // are shares of the API requests (one draw per request picks at most one fault), so together
    // they are at most 1: "30 % faults" is 30 % of the requests.
    class Faults
    {
    public:
        int latencyMs = 0;
        int jitterMs = 0;
        double failRate = 0;   // answer 500
        double dropRate = 0;   // close the connection without an answer
        double garbleRate = 0; // a truncated or non-JSON body
        double burstRate = 0;  // start a burst of 429s, each with Retry-After: 1
        int burstLength = 5;   // requests per 429 burst
        quint32 seed = 1;

        bool any() const
        {
            return latencyMs > 0 || jitterMs > 0 || failRate > 0 || dropRate > 0 || garbleRate > 0 ||
                   burstRate > 0;
        }
        // Each rate finite and from 0 to 1, and their sum at most 1; false with *error saying so.
        bool ratesValid(QString *error) const;
    };

    // How connections are held, as a public server holds them: a client too slow to send its
    // request, or idle too long between requests, is cut off; beyond maxConnections open at once,
    // a client is answered 503 at once.
    class Connections
    {
    public:
        int headerTimeoutMs = 10000;
        int idleTimeoutMs = 30000;
        int maxConnections = 512;

        // The ranges the flags and the config file accept.
        static constexpr int MinTimeoutMs = 100;
        static constexpr int MaxTimeoutMs = 600000;
        static constexpr int MaxConnectionsLimit = 100000;
    };

    QMap<QString, Key> keys;
    int rateLimit = 1800;
    int rateWindowSeconds = 60;
    QMap<QString, QString> websites; // domain -> snippet
    QList<Segment> userSegments;
    QList<Segment> accountSegments;
    Faults faults;
    Connections connections;

    static const QStringList &allPermissions();
    // The key a sandbox accepts when none is configured.
    static QString defaultKey() { return QStringLiteral("sandbox"); }

    // The first-start configuration: a demo website and a few segments, so every page of the
    // console shows something.
    static SandboxConfig defaults();
    // Reads a config file's JSON over the defaults; false with *error naming the bad member.
    bool merge(const QJsonObject &json, QString *error);
    bool loadFile(const QString &path, QString *error);
    // With no key configured at all, the key "sandbox" with every permission.
    void ensureAKey();

    static QString fileFormatHelp();
};

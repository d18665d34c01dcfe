#include "api/NumericOption.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>

#include <cstdio>

#ifdef Q_OS_UNIX
#include <sys/resource.h>
#endif

namespace {

// Reads a numeric flag into *out; false with a message when the text is not a number in range.
bool readNumber(const QCommandLineParser &parser, const QCommandLineOption &option, double minimum,
                double maximum, double *out, NumericOption::Kind kind = NumericOption::Kind::Real)
{
    QString error;
    if (parser.isSet(option) &&
        !NumericOption::read(QStringLiteral("--") + option.names().constFirst(), parser.value(option), kind,
                             minimum, maximum, out, &error)) {
        std::fprintf(stderr, "journy-sandbox: %s\n", qPrintable(error));
        return false;
    }
    return true;
}

// Every connection is an open file: the usual soft limit of 1,024 leaves little room beyond the
// default cap of 512 connections for the 503s answered to a burst, so take what the hard limit
// allows, as servers do.
void raiseFileLimit()
{
#ifdef Q_OS_UNIX
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
#endif
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("journy-sandbox"));
    QCoreApplication::setApplicationVersion(QStringLiteral(JOURNY_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral(
            "A local journy.io-compatible API server for rehearsals and tests.\n\n"
            "It answers the 16 operations of the journy.io backend API over plain HTTP on\n"
            "loopback, with validation, keys and permissions, a sliding-window rate limit\n"
            "and state. Sandbox-only inspection (no key needed):\n"
            "  GET /_sandbox/users?userId=ID|email=EMAIL    a user with properties, accounts, devices\n"
            "  GET /_sandbox/accounts?accountId=ID|domain=D an account with members (removed ones marked)\n"
            "  GET /_sandbox/events?name=&userId=&accountId= events received\n"
            "  GET /_sandbox/stats                          users, accounts, events, requests,\n"
            "                                               rateLimited, maxPerWindow\n"
            "  POST /_sandbox/reset                         forget all users, accounts and events\n\n") +
        SandboxConfig::fileFormatHelp());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host(QStringLiteral("host"),
                                  QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("ADDRESS"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port(QStringLiteral("port"), QStringLiteral("Port (default 0: a free one)."),
                                  QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption config(
        QStringLiteral("config"), QStringLiteral("JSON config file (format below)."), QStringLiteral("FILE"));
    const QCommandLineOption data(
        QStringLiteral("data"),
        QStringLiteral("Keep state in this SQLite file across restarts (default: memory)."),
        QStringLiteral("FILE"));
    const QCommandLineOption key(
        QStringLiteral("key"),
        QStringLiteral("Accept KEY with every permission (repeatable). With no key configured "
                       "at all, the key 'sandbox' is accepted."),
        QStringLiteral("KEY"));
    const QCommandLineOption rateLimit(QStringLiteral("rate-limit"),
                                       QStringLiteral("Requests per key per window (default 1800)."),
                                       QStringLiteral("N"));
    const QCommandLineOption rateWindow(QStringLiteral("rate-window"),
                                        QStringLiteral("Window length (default 60)."),
                                        QStringLiteral("SECONDS"));
    const QCommandLineOption latency(
        QStringLiteral("latency"), QStringLiteral("Fault: added latency per answer."), QStringLiteral("MS"));
    const QCommandLineOption jitter(QStringLiteral("jitter"),
                                    QStringLiteral("Fault: up to this much more, at random."),
                                    QStringLiteral("MS"));
    // The four rates are shares of the API requests: each from 0 to 1, together at most 1.
    const QCommandLineOption failRate(QStringLiteral("fail-rate"),
                                      QStringLiteral("Fault: fraction answered 500."), QStringLiteral("P"));
    const QCommandLineOption dropRate(
        QStringLiteral("drop-rate"),
        QStringLiteral("Fault: fraction whose connection is dropped unanswered."), QStringLiteral("P"));
    const QCommandLineOption garbleRate(
        QStringLiteral("garble-rate"),
        QStringLiteral("Fault: fraction carried out, then answered with a truncated or non-JSON body."),
        QStringLiteral("P"));
    const QCommandLineOption burstRate(QStringLiteral("burst-rate"),
                                       QStringLiteral("Fault: chance per request of a burst of 429 answers "
                                                      "(each with Retry-After: 1). The four rates together "
                                                      "must be at most 1."),
                                       QStringLiteral("P"));
    const QCommandLineOption burstLength(QStringLiteral("burst-length"),
                                         QStringLiteral("Fault: 429 answers per burst (default 5)."),
                                         QStringLiteral("N"));
    const QCommandLineOption seed(QStringList{QStringLiteral("fault-seed"), QStringLiteral("seed")},
                                  QStringLiteral("Seed for the faults (default 1)."), QStringLiteral("N"));
    parser.addOptions({host, port, config, data, key, rateLimit, rateWindow, latency, jitter, failRate,
                       dropRate, garbleRate, burstRate, burstLength, seed});
    const QCommandLineOption headerTimeout(
        QStringLiteral("header-timeout"),
        QStringLiteral("Milliseconds a client has to send a request's head (default 10000); then 408."),
        QStringLiteral("MS"));
    const QCommandLineOption idleTimeout(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Milliseconds a connection may stay idle between requests or within a body "
                       "(default 30000)."),
        QStringLiteral("MS"));
    const QCommandLineOption maxConnections(
        QStringLiteral("max-connections"),
        QStringLiteral("Connections served at once (default 512); beyond them a client gets a 503."),
        QStringLiteral("N"));
    parser.addOptions({headerTimeout, idleTimeout, maxConnections});
    parser.process(app);

    SandboxConfig settings = SandboxConfig::defaults();
    QString error;
    if (parser.isSet(config) && !settings.loadFile(parser.value(config), &error)) {
        std::fprintf(stderr, "journy-sandbox: %s\n", qPrintable(error));
        return 1;
    }
    for (const QString &value : parser.values(key))
        settings.keys.insert(value, SandboxConfig::Key{SandboxConfig::allPermissions(), true});

    auto whole = [&parser](const QCommandLineOption &option, double minimum, double maximum, int *out) {
        double number = *out;
        if (!readNumber(parser, option, minimum, maximum, &number, NumericOption::Kind::Whole))
            return false;
        *out = static_cast<int>(number);
        return true;
    };
    int portNumber = 0;
    int seedNumber = static_cast<int>(settings.faults.seed);
    SandboxConfig::Faults &faults = settings.faults;
    if (!whole(port, 0, 65535, &portNumber) || !whole(rateLimit, 1, 1e9, &settings.rateLimit) ||
        !whole(rateWindow, 1, 86400, &settings.rateWindowSeconds) ||
        !whole(latency, 0, 600000, &faults.latencyMs) || !whole(jitter, 0, 600000, &faults.jitterMs) ||
        !whole(burstLength, 1, 1e6, &faults.burstLength) || !whole(seed, 0, 2147483647, &seedNumber) ||
        !readNumber(parser, failRate, 0, 1, &faults.failRate) ||
        !readNumber(parser, dropRate, 0, 1, &faults.dropRate) ||
        !readNumber(parser, garbleRate, 0, 1, &faults.garbleRate) ||
        !readNumber(parser, burstRate, 0, 1, &faults.burstRate))
        return 1;
    // The flags and the config file's rates are checked together, in one place: the shares of
    // one whole cannot add up to more than all of it.
    faults.seed = static_cast<quint32>(seedNumber);
    if (!faults.ratesValid(&error)) {
        std::fprintf(stderr, "journy-sandbox: %s\n", qPrintable(error));
        return 1;
    }

    const QHostAddress address(parser.value(host));
    if (address.isNull()) {
        std::fprintf(stderr, "journy-sandbox: --host must be an IP address, not '%s'\n",
                     qPrintable(parser.value(host)));
        return 1;
    }
    SandboxConfig::Connections &connections = settings.connections;
    using Limits = SandboxConfig::Connections;
    if (!whole(headerTimeout, Limits::MinTimeoutMs, Limits::MaxTimeoutMs, &connections.headerTimeoutMs) ||
        !whole(idleTimeout, Limits::MinTimeoutMs, Limits::MaxTimeoutMs, &connections.idleTimeoutMs) ||
        !whole(maxConnections, 1, Limits::MaxConnectionsLimit, &connections.maxConnections))
        return 1;
    raiseFileLimit();
    SandboxServer server(settings);
    if (parser.isSet(data) && !server.openData(parser.value(data), &error)) {
        std::fprintf(stderr, "journy-sandbox: %s\n", qPrintable(error));
        return 1;
    }
    if (!server.start(address, static_cast<quint16>(portNumber))) {
        std::fprintf(stderr, "journy-sandbox: cannot listen on %s:%d: %s\n", qPrintable(address.toString()),
                     portNumber, qPrintable(server.listenError()));
        return 1;
    }
    std::printf("listening on %s\n", qPrintable(server.baseUrl().toString()));
    std::fflush(stdout);
    return QCoreApplication::exec();
}

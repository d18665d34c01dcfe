// bench_relay_latency: what `journy relay` adds to a call (issue 15 asks for at most 2 ms, median,
// on loopback). A journy-sandbox and a `journy relay` to it run as their own processes, as a
// customer's backend would meet them; this process is the backend: it sends the same upsert, one
// at a time, alternately straight to the sandbox and through the relay (so drift in the machine's
// load falls on both), and prints the median and 90th percentile of each and their difference.
// Not a test: run it by hand on a Release build, see benchmarks/README.md.
//
//   bench_relay_latency [calls]      default 400 calls each way

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

QTextStream out(stdout);

// Starts program and waits for the line on stderr or stdout that names its URL.
bool startServer(QProcess *process, const QString &program, const QStringList &arguments,
                 const QRegularExpression &ready, QString *url)
{
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->start(program, arguments);
    if (!process->waitForStarted(5000))
        return false;
    QByteArray seen;
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000) {
        if (!process->waitForReadyRead(200) && process->state() != QProcess::Running)
            return false;
        seen += process->readAll();
        const QRegularExpressionMatch match = ready.match(QString::fromUtf8(seen));
        if (match.hasMatch()) {
            *url = match.captured(1);
            return true;
        }
    }
    return false;
}

// One upsert; its wall time in microseconds, or -1 when it did not answer 201.
qint64 call(QNetworkAccessManager *network, const QString &base, int n)
{
    QNetworkRequest request(QUrl(base + QStringLiteral("/users/upsert")));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("X-Api-Key", "bench-key");
    const QByteArray body = QStringLiteral(R"({"identification":{"userId":"bench-%1"},)"
                                           R"("properties":{"plan":"Pro","mrr":"399","seats":%2}})")
                                .arg(n)
                                .arg(n % 250)
                                .toUtf8();
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = network->post(request, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const qint64 micros = clock.nsecsElapsed() / 1000;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    return status == 201 ? micros : -1;
}

double percentile(std::vector<qint64> values, double p)
{
    std::sort(values.begin(), values.end());
    const size_t at = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return double(values[at]) / 1000.0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const int calls = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 400;
    if (calls < 10) {
        std::fprintf(stderr, "usage: bench_relay_latency [calls >= 10]\n");
        return 1;
    }
    QProcess sandbox;
    QProcess relay;
    QString sandboxUrl;
    QString relayUrl;
    // No rate limit in the way: the figure is the relay's own cost.
    if (!startServer(&sandbox, QStringLiteral(JOURNY_SANDBOX_EXE),
                     {QStringLiteral("--key"), QStringLiteral("bench-key"), QStringLiteral("--rate-limit"),
                      QStringLiteral("1000000")},
                     QRegularExpression(QStringLiteral(R"(listening on (http://\S+))")), &sandboxUrl)) {
        std::fprintf(stderr, "bench_relay_latency: journy-sandbox did not start\n");
        return 1;
    }
    if (!startServer(&relay, QStringLiteral(JOURNY_CLI_EXE),
                     {QStringLiteral("relay"), QStringLiteral("--base-url"), sandboxUrl},
                     QRegularExpression(QStringLiteral(R"(Relay listening on (http://\S+))")), &relayUrl)) {
        std::fprintf(stderr, "bench_relay_latency: journy relay did not start\n");
        return 1;
    }
    // The relay prints a line per call: drain it so its pipe never fills.
    QObject::connect(&relay, &QProcess::readyRead, &relay, [&relay] { relay.readAll(); });

    QNetworkAccessManager network;
    std::vector<qint64> direct;
    std::vector<qint64> relayed;
    int failed = 0;
    // Warm-up: connections open, caches filled, on both paths.
    for (int i = 0; i < 20; ++i) {
        call(&network, sandboxUrl, i);
        call(&network, relayUrl, i);
    }
    for (int i = 0; i < calls; ++i) {
        const qint64 a = call(&network, sandboxUrl, 1000 + i);
        const qint64 b = call(&network, relayUrl, 1000 + i);
        if (a < 0 || b < 0) {
            ++failed;
            continue;
        }
        direct.push_back(a);
        relayed.push_back(b);
    }
    relay.terminate();
    sandbox.terminate();
    relay.waitForFinished(3000);
    sandbox.waitForFinished(3000);
    if (direct.empty()) {
        std::fprintf(stderr, "bench_relay_latency: no call answered 201\n");
        return 1;
    }
    const double directMedian = percentile(direct, 0.5);
    const double relayMedian = percentile(relayed, 0.5);
    out << QStringLiteral("%1 upserts each way (%2 failed), one at a time, on loopback\n")
               .arg(direct.size())
               .arg(failed);
    out << QStringLiteral("  direct to journy-sandbox   median %1 ms   p90 %2 ms\n")
               .arg(directMedian, 0, 'f', 2)
               .arg(percentile(direct, 0.9), 0, 'f', 2);
    out << QStringLiteral("  through journy relay      median %1 ms   p90 %2 ms\n")
               .arg(relayMedian, 0, 'f', 2)
               .arg(percentile(relayed, 0.9), 0, 'f', 2);
    out << QStringLiteral("  the relay adds            median %1 ms (target <= 2 ms); ratio %2\n")
               .arg(relayMedian - directMedian, 0, 'f', 2)
               .arg(relayMedian / directMedian, 0, 'f', 2);
    return failed == 0 ? 0 : 1;
}

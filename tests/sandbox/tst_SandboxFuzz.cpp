// Fuzzes the sandbox's request handling over real loopback sockets: mutated JSON bodies for every
// operation that takes one, garbage at the HTTP level, and random query strings. The server must never
// crash, hang or answer 500: every answer to a well-formed request is JSON with a status the spec
// allows, and after each batch a plain GET /validate still answers 200.
//
// Every case comes from one seed, printed at start; JOURNY_FUZZ_SEED=N replays a run. A failure
// names the case (e.g. "bodies/upsertUser/connection 3: flip#12") and shows the bytes that were
// sent; JOURNY_FUZZ_VERBOSE=1 logs what became of every exchange.

#include "api/AccountIdentification.h"
#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "api/TypedField.h"
#include "api/UserIdentification.h"
#include "sandbox/SandboxConfig.h"
#include "sandbox/SandboxServer.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QSet>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

namespace {

constexpr quint32 DefaultSeed = 20240501;
// Long enough for a Debug build on a busy 2-core machine; a server that takes longer is hung.
constexpr int AnswerTimeoutMs = 5000;
constexpr int AliveTimeoutMs = 3000;
// How long a connection that may legitimately get no answer (an incomplete request) is watched
// for a stray or broken answer before it is closed.
constexpr int QuietMs = 100;
constexpr int Parallel = 8;
constexpr int BatchSize = 150;
constexpr int StepsPerConnection = 8;

// The server gets its own thread and event loop: a case that hangs it then shows up as a client
// timeout with the case named, instead of hanging the whole test.
class ServerThread : public QThread
{
public:
    explicit ServerThread(const SandboxConfig &config) : m_config(config) {}

    // The port, once the server listens; 0 when it could not.
    quint16 waitForPort() { return m_ready.tryAcquire(1, 10000) ? m_port : 0; }

protected:
    void run() override
    {
        SandboxServer server(m_config);
        m_port = server.start(QHostAddress::LocalHost, 0) ? quint16(server.baseUrl().port()) : 0;
        m_ready.release();
        if (m_port != 0)
            exec();
    }

private:
    SandboxConfig m_config;
    QSemaphore m_ready;
    quint16 m_port = 0; // written before m_ready is released, read after it is acquired
};

// What the client requires of the server after one step of an exchange.
enum class Expect
{
    Answers,       // a well-formed request: exactly `answers` valid answers, in time
    AnswerOrClose, // complete but odd: one valid answer or a closed connection, in time (never silence)
    Anything,      // incomplete or garbage: the server may wait; any answer that comes must be valid
    Abort,         // the client closes the connection right after writing
};

class HttpAnswer
{
public:
    int status = 0;
    QByteArray contentType;
    bool rateLimitHeaders = false;
    bool closes = false; // Connection: close
    QByteArray body;
};

class Step
{
public:
    QString label;            // names the case in a failure, when an exchange holds several
    QList<QByteArray> pieces; // written in order, a few ms apart when there are several
    Expect expect = Expect::Answers;
    int answers = 1;
    int exactStatus = 0; // 0: any allowed status
    int timeoutMs = AnswerTimeoutMs;
    bool journyPath = false; // a journy.io path: the answer must carry meta and rate-limit headers
    bool head = false;       // HEAD requests: answers have headers only, whatever Content-Length says
    std::function<QString(const HttpAnswer &)> check; // further checks; a message when wrong
};

class Exchange
{
public:
    QString label;
    QList<Step> steps; // on one connection, each after the previous one's answers
};

using Header = QPair<QByteArray, QByteArray>;

QList<Header> apiHeaders()
{
    return {{"X-Api-Key", "sandbox"}, {"Content-Type", "application/json"}};
}

QByteArray httpRequest(const QByteArray &method, const QByteArray &target, const QByteArray &body = {},
                       const QList<Header> &headers = apiHeaders())
{
    QByteArray out = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const Header &header : headers)
        out += header.first + ": " + header.second + "\r\n";
    if (!body.isEmpty() || method == "POST" || method == "DELETE")
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return out + "\r\n" + body;
}

Step step(const QByteArray &bytes, Expect expect = Expect::Answers, bool journyPath = false)
{
    Step result;
    result.pieces = {bytes};
    result.expect = expect;
    result.journyPath = journyPath;
    return result;
}

// Bytes as a failure message can show them: printable ASCII as is, the rest escaped, cut short.
QString printable(const QByteArray &bytes, int limit = 240)
{
    QString out;
    for (qsizetype i = 0; i < bytes.size() && out.size() < limit; ++i) {
        const auto c = static_cast<unsigned char>(bytes.at(i));
        if (c == '\r')
            out += QLatin1String("\\r");
        else if (c == '\n')
            out += QLatin1String("\\n");
        else if (c == '\\')
            out += QLatin1String("\\\\");
        else if (c >= 0x20 && c < 0x7f)
            out += QLatin1Char(char(c));
        else
            out += QStringLiteral("\\x%1").arg(c, 2, 16, QLatin1Char('0'));
    }
    if (out.size() >= limit)
        out += QStringLiteral("... (%1 bytes)").arg(bytes.size());
    return out;
}

// Takes one complete answer off the front of buffer (skipping 1xx interim answers): 1 when taken,
// 0 when more bytes are needed, -1 when the bytes are not an HTTP answer (*error says why).
// bodiless: the answer is to a HEAD request, so it ends with its headers (RFC 9110 9.3.2).
int takeAnswer(QByteArray &buffer, bool bodiless, HttpAnswer *out, QString *error)
{
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (buffer.size() > 64 * 1024 ||
                (!buffer.isEmpty() && !QByteArray("HTTP/1.").startsWith(buffer.left(7))))
                break;
            return 0;
        }
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        bool ok = false;
        const int status = statusLine.size() >= 2 ? statusLine.at(1).toInt(&ok) : 0;
        if (!statusLine.first().startsWith("HTTP/1.") || !ok)
            break;
        if (status >= 100 && status < 200) {
            buffer.remove(0, end + 4);
            continue;
        }
        HttpAnswer answer;
        answer.status = status;
        qint64 length = -1;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0) {
                *error = QStringLiteral("malformed header line in the answer: %1").arg(printable(line));
                return -1;
            }
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length")
                length = value.toLongLong(&ok);
            else if (name == "content-type")
                answer.contentType = value;
            else if (name == "x-ratelimit-limit" || name == "x-ratelimit-remaining")
                answer.rateLimitHeaders = true;
            else if (name == "connection")
                answer.closes = value.compare("close", Qt::CaseInsensitive) == 0;
        }
        if (length < 0 && status != 204 && status != 304) {
            // The sandbox keeps connections open, so an answer without a length never ends.
            *error = QStringLiteral("answer %1 without Content-Length").arg(status);
            return -1;
        }
        length = bodiless ? 0 : std::max<qint64>(length, 0);
        if (buffer.size() < end + 4 + length)
            return 0;
        answer.body = buffer.mid(end + 4, length);
        buffer.remove(0, end + 4 + length);
        *out = answer;
        return 1;
    }
    *error = QStringLiteral("not an HTTP answer: %1").arg(printable(buffer));
    return -1;
}

// Empty when the answer is what the step allows; otherwise what is wrong.
QString checkAnswer(const HttpAnswer &answer, const Step &step)
{
    static const QSet<int> allowed = {200, 201, 202, 204, 400, 401, 403, 404, 405, 429};
    // What the connection's guard refuses before the API sees it (framing, sizes, versions): no
    // rate-limit headers, since no API call was counted, and the connection closes.
    static const QSet<int> refusedAtTheDoor = {400, 408, 413, 414, 431, 501, 505};
    if (refusedAtTheDoor.contains(answer.status) && answer.closes) {
        if (step.exactStatus != 0 && answer.status != step.exactStatus)
            return QStringLiteral("status %1, expected %2").arg(answer.status).arg(step.exactStatus);
        const QJsonObject body = QJsonDocument::fromJson(answer.body).object();
        if (!answer.contentType.startsWith("application/json") ||
            body.value(QLatin1String("message")).toString().isEmpty())
            return QStringLiteral("refusal %1 without a JSON message: %2")
                .arg(answer.status)
                .arg(printable(answer.body));
        return step.check ? step.check(answer) : QString();
    }
    if (!allowed.contains(answer.status))
        return QStringLiteral("status %1 is not one the sandbox may answer").arg(answer.status);
    if (step.exactStatus != 0 && answer.status != step.exactStatus)
        return QStringLiteral("status %1, expected %2").arg(answer.status).arg(step.exactStatus);
    if (answer.status == 204 || step.head) {
        if (!answer.body.isEmpty())
            return QStringLiteral("204 with a body");
    } else {
        if (!answer.contentType.startsWith("application/json"))
            return QStringLiteral("Content-Type '%1'").arg(QString::fromLatin1(answer.contentType));
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(answer.body, &error);
        if (error.error != QJsonParseError::NoError || !document.isObject())
            return QStringLiteral("status %1 with a body that is not a JSON object: %2")
                .arg(answer.status)
                .arg(printable(answer.body));
        if (step.journyPath) {
            const QJsonObject meta = document.object().value(QLatin1String("meta")).toObject();
            if (meta.value(QLatin1String("status")).toInt() != answer.status ||
                meta.value(QLatin1String("requestId")).toString().isEmpty())
                return QStringLiteral("status %1 without a matching meta: %2")
                    .arg(answer.status)
                    .arg(printable(answer.body));
        }
    }
    if (step.journyPath && !answer.rateLimitHeaders)
        return QStringLiteral("status %1 without X-RateLimit headers").arg(answer.status);
    return step.check ? step.check(answer) : QString();
}

// What the server did with the exchanges of a run, so a summary shows the fuzz reached the code it
// aims at (and a pass is not just every case being refused at the door).
class Tally
{
public:
    QMap<int, int> statuses; // answers checked, by status
    int closedByServer = 0;  // exchanges the server ended by closing the connection
    int leftWaiting = 0;     // incomplete requests the server (rightly) kept waiting for
    int abortedByClient = 0;

    void add(const Tally &other)
    {
        for (auto it = other.statuses.begin(); it != other.statuses.end(); ++it)
            statuses[it.key()] += it.value();
        closedByServer += other.closedByServer;
        leftWaiting += other.leftWaiting;
        abortedByClient += other.abortedByClient;
    }
    QString describe() const
    {
        QStringList parts;
        for (auto it = statuses.begin(); it != statuses.end(); ++it)
            parts.append(QStringLiteral("%1×%2").arg(it.value()).arg(it.key()));
        return QStringLiteral(
                   "answers %1; closed by the server %2; left waiting %3; aborted by the client %4")
            .arg(parts.isEmpty() ? QStringLiteral("none") : parts.join(QLatin1Char(' ')))
            .arg(closedByServer)
            .arg(leftWaiting)
            .arg(abortedByClient);
    }
};

// Runs exchanges against the server, a few connections at a time, driven by this thread's event
// loop; returns one message per exchange that went wrong.
class ExchangeRunner : public QObject
{
public:
    explicit ExchangeRunner(quint16 port) : m_port(port)
    {
        m_clock.start();
        m_verbose = qEnvironmentVariableIsSet("JOURNY_FUZZ_VERBOSE");
    }

    // Since the last call.
    Tally takeTally() { return std::exchange(m_tally, Tally()); }

    QStringList run(const QList<Exchange> &exchanges)
    {
        m_exchanges = &exchanges;
        m_next = 0;
        m_failures.clear();
        m_stop = false;
        QEventLoop loop;
        m_loop = &loop;
        QTimer ticker;
        ticker.setTimerType(Qt::PreciseTimer);
        ticker.setInterval(2);
        connect(&ticker, &QTimer::timeout, this, [this] { tick(); });
        ticker.start();
        refill();
        if (!done())
            loop.exec();
        m_loop = nullptr;
        m_exchanges = nullptr;
        return m_failures;
    }

private:
    class Live
    {
    public:
        const Exchange *exchange = nullptr;
        QTcpSocket *socket = nullptr;
        int step = 0;
        int piece = 0;
        int answered = 0;
        QByteArray buffer;
        qint64 startedAt = 0;
        qint64 writtenAt = -1;   // when the current step's last piece went out
        qint64 lastActivity = 0; // last write or read
        qint64 nextPieceAt = -1; // when the next piece is due; -1: none
        QList<int> statuses;     // for the verbose log
        bool connected = false;
        bool finished = false;
    };

    const Step &currentStep(const Live *live) const { return live->exchange->steps.at(live->step); }
    qint64 now() const { return m_clock.elapsed(); }
    bool done() const { return (m_stop || m_next >= m_exchanges->size()) && m_live.empty(); }

    void start(const Exchange *exchange)
    {
        auto owned = std::make_unique<Live>();
        Live *live = owned.get();
        live->exchange = exchange;
        live->socket = new QTcpSocket(this);
        live->startedAt = live->lastActivity = now();
        m_live.push_back(std::move(owned));
        connect(live->socket, &QTcpSocket::connected, this, [this, live] {
            live->connected = true;
            beginStep(live);
        });
        connect(live->socket, &QTcpSocket::readyRead, this, [this, live] { onReadyRead(live); });
        connect(live->socket, &QTcpSocket::disconnected, this, [this, live] { onDisconnected(live); });
        connect(live->socket, &QTcpSocket::errorOccurred, this, [this, live](QAbstractSocket::SocketError) {
            if (!live->connected)
                finish(live, QStringLiteral("cannot connect: %1").arg(live->socket->errorString()), true);
        });
        live->socket->connectToHost(QHostAddress::LocalHost, m_port);
    }

    void beginStep(Live *live)
    {
        live->piece = 0;
        live->answered = 0;
        live->writtenAt = -1;
        writePiece(live);
    }

    void writePiece(Live *live)
    {
        const Step &current = currentStep(live);
        live->socket->write(current.pieces.at(live->piece++));
        live->lastActivity = now();
        if (live->piece < current.pieces.size()) {
            live->nextPieceAt = now() + 2;
            return;
        }
        live->nextPieceAt = -1;
        live->writtenAt = now();
        if (current.expect == Expect::Abort) {
            live->socket->flush();
            ++m_tally.abortedByClient;
            finish(live, QString(), false, "aborted");
        }
    }

    void onReadyRead(Live *live)
    {
        if (live->finished)
            return;
        live->buffer += live->socket->readAll();
        live->lastActivity = now();
        while (!live->finished && !live->buffer.isEmpty()) {
            HttpAnswer answer;
            QString error;
            const int taken = takeAnswer(live->buffer, currentStep(live).head, &answer, &error);
            if (taken == 0)
                return;
            if (taken < 0) {
                finish(live, error);
                return;
            }
            const Step &current = currentStep(live);
            const QString problem = checkAnswer(answer, current);
            if (!problem.isEmpty()) {
                finish(live, problem);
                return;
            }
            ++live->answered;
            ++m_tally.statuses[answer.status];
            live->statuses.append(answer.status);
            const bool stepDone = current.expect == Expect::AnswerOrClose ||
                                  (current.expect == Expect::Answers && live->answered >= current.answers);
            if (!stepDone)
                continue;
            if (live->step + 1 >= live->exchange->steps.size()) {
                finish(live);
                return;
            }
            ++live->step;
            beginStep(live);
        }
    }

    void onDisconnected(Live *live)
    {
        if (live->finished)
            return;
        onReadyRead(live);
        if (live->finished)
            return;
        const Step &current = currentStep(live);
        if (current.expect == Expect::Answers)
            finish(live, QStringLiteral("connection closed after %1 of %2 answers")
                             .arg(live->answered)
                             .arg(current.answers));
        else if (!live->buffer.isEmpty())
            finish(live, QStringLiteral("connection closed in the middle of an answer: %1")
                             .arg(printable(live->buffer)));
        else {
            ++m_tally.closedByServer;
            finish(live, QString(), false, "closed by the server");
        }
    }

    void tick()
    {
        // By index: finish() never removes entries and start() only appends (refill runs last).
        for (size_t i = 0; i < m_live.size(); ++i) {
            Live *live = m_live[i].get();
            if (live->finished)
                continue;
            if (!live->connected) {
                if (now() - live->startedAt > AnswerTimeoutMs)
                    finish(live, QStringLiteral("no connection within %1 ms").arg(AnswerTimeoutMs), true);
                continue;
            }
            if (live->nextPieceAt >= 0 && now() >= live->nextPieceAt)
                writePiece(live);
            if (live->finished || live->writtenAt < 0)
                continue;
            switch (currentStep(live).expect) {
            case Expect::Answers:
            case Expect::AnswerOrClose:
                if (now() - live->writtenAt > currentStep(live).timeoutMs)
                    finish(live,
                           QStringLiteral("no answer within %1 ms: the server hangs")
                               .arg(currentStep(live).timeoutMs),
                           true);
                break;
            case Expect::Anything:
                if (now() - live->lastActivity > QuietMs) {
                    if (live->buffer.isEmpty()) {
                        ++m_tally.leftWaiting;
                        finish(live, QString(), false, "left waiting");
                    } else {
                        finish(live, QStringLiteral("incomplete answer: %1").arg(printable(live->buffer)));
                    }
                }
                break;
            case Expect::Abort:
                break;
            }
        }
        refill();
    }

    // failure: what went wrong (empty when all went well); stop: no further exchanges are started,
    // because a hung server would make each of them wait for the full timeout too.
    void finish(Live *live, const QString &failure = QString(), bool stop = false,
                const char *how = "answered")
    {
        if (live->finished)
            return;
        live->finished = true;
        if (m_verbose) {
            QStringList statuses;
            for (const int status : std::as_const(live->statuses))
                statuses.append(QString::number(status));
            qInfo("%s: %s [%s]%s", qPrintable(live->exchange->label), how,
                  qPrintable(statuses.join(QLatin1Char(' '))), failure.isEmpty() ? "" : " FAILED");
        }
        if (!failure.isEmpty()) {
            const Step &current = currentStep(live);
            QString where = live->exchange->label;
            if (!current.label.isEmpty())
                where += QStringLiteral(": ") + current.label;
            else if (live->exchange->steps.size() > 1)
                where += QStringLiteral(", request %1").arg(live->step + 1);
            m_failures.append(QStringLiteral("[%1] %2\n    sent: %3")
                                  .arg(where, failure, printable(current.pieces.join())));
        }
        m_stop = m_stop || stop;
        live->socket->disconnect();
        live->socket->abort();
        live->socket->deleteLater();
        live->socket = nullptr;
        QTimer::singleShot(0, this, [this] { refill(); });
    }

    void refill()
    {
        if (!m_exchanges)
            return;
        m_live.erase(std::remove_if(m_live.begin(), m_live.end(),
                                    [](const std::unique_ptr<Live> &live) { return live->finished; }),
                     m_live.end());
        while (!m_stop && m_live.size() < size_t(Parallel) && m_next < m_exchanges->size())
            start(&m_exchanges->at(m_next++));
        if (done() && m_loop)
            m_loop->quit();
    }

    quint16 m_port;
    QElapsedTimer m_clock;
    const QList<Exchange> *m_exchanges = nullptr;
    qsizetype m_next = 0;
    std::vector<std::unique_ptr<Live>> m_live;
    QStringList m_failures;
    bool m_stop = false;
    bool m_verbose = false;
    Tally m_tally;
    QEventLoop *m_loop = nullptr;
};

// The random source for one test function, with the helpers the generators share.
class Dice
{
public:
    explicit Dice(quint32 seed) : m_random(seed) {}

    int below(int n) { return n <= 0 ? 0 : int(m_random.bounded(n)); }
    int between(int low, int high) { return low + below(high - low + 1); }
    bool chance(int percent) { return below(100) < percent; }
    template <typename T> const T &pick(const QList<T> &list) { return list.at(below(int(list.size()))); }

    QByteArray bytes(int count)
    {
        QByteArray out(count, '\0');
        for (char &c : out)
            c = char(below(256));
        return out;
    }
    QByteArray printableAscii(int count)
    {
        QByteArray out(count, ' ');
        for (char &c : out)
            c = char(between(0x21, 0x7e));
        return out;
    }
    // One code point anywhere in Unicode except the surrogates, UTF-8 encoded.
    QByteArray codePoint()
    {
        char32_t point = char32_t(below(0x110000));
        if (point >= 0xD800 && point <= 0xDFFF)
            point = 0xFFFD;
        return QString::fromUcs4(&point, 1).toUtf8();
    }

private:
    QRandomGenerator m_random;
};

// Byte sequences that trip up JSON parsers and string handling.
const QList<QByteArray> &oddSnippets()
{
    static const QList<QByteArray> snippets = {QByteArray("\0", 1),
                                               "\\u0000",
                                               "\xC3\xA9",
                                               "\xF0\x9F\x98\x80",
                                               "\xEF\xBF\xBF",
                                               "\xED\xA0\x80",
                                               "\xC0\x80",
                                               "\xFF",
                                               "\xFE\xFF",
                                               "\\ud800",
                                               "\\udc00\\ud800",
                                               "\xE2\x80\xAE",
                                               "\\",
                                               "\"",
                                               "\\\"",
                                               "\\x41",
                                               "\\u12",
                                               "/*c*/",
                                               "//",
                                               "'",
                                               "NaN",
                                               "Infinity",
                                               "-",
                                               "1e",
                                               "{",
                                               "}",
                                               "[",
                                               "]",
                                               ":",
                                               ",",
                                               "\t\r\n ",
                                               "null",
                                               "true",
                                               "%00",
                                               "\xEF\xBB\xBF"};
    return snippets;
}

// Raw JSON text put in place of one value: numbers no double holds, literals JSON does not have,
// deep nesting, long strings, big containers.
QList<QPair<QString, QByteArray>> rawValues()
{
    QList<QPair<QString, QByteArray>> values = {
        {QStringLiteral("1e400"), "1e400"},
        {QStringLiteral("-1e400"), "-1e400"},
        {QStringLiteral("1e-400"), "1e-400"},
        {QStringLiteral("40 digits"), "1234567890123456789012345678901234567890"},
        {QStringLiteral("2^53+1"), "9007199254740993"},
        {QStringLiteral("2^64"), "18446744073709551616"},
        {QStringLiteral("-2^63-1"), "-9223372036854775809"},
        {QStringLiteral("-0"), "-0"},
        {QStringLiteral("huge exponent"), "0.1e99999999999999999999"},
        {QStringLiteral("5000 digits"), "1" + QByteArray(5000, '0')},
        {QStringLiteral("NaN"), "NaN"},
        {QStringLiteral("Infinity"), "Infinity"},
        {QStringLiteral("undefined"), "undefined"},
        {QStringLiteral("hex"), "0x10"},
        {QStringLiteral("leading zero"), "01"},
        {QStringLiteral("plus"), "+1"},
        {QStringLiteral("bare fraction"), ".5"},
        {QStringLiteral("trailing dot"), "1."},
        {QStringLiteral("single quotes"), "'x'"},
        {QStringLiteral("long string"), '"' + QByteArray(100000, 'a') + '"'},
        {QStringLiteral("NUL escapes"), '"' + QByteArray("\\u0000").repeated(10000) + '"'},
        {QStringLiteral("surrogate pairs"), '"' + QByteArray("\\ud83d\\ude00").repeated(5000) + '"'},
        {QStringLiteral("lone surrogates"), '"' + QByteArray("\\udfff\\ud800").repeated(1000) + '"'},
        {QStringLiteral("10000 members"),
         [] {
             QByteArray out = "{";
             for (int i = 0; i < 10000; ++i)
                 out += (i ? ",\"p" : "\"p") + QByteArray::number(i) + "\":" + QByteArray::number(i);
             return out + '}';
         }()},
        {QStringLiteral("5000 items"), '[' + QByteArray("\"a\",").repeated(4999) + "\"a\"]"},
        {QStringLiteral("unbalanced 10000"), QByteArray(10000, '[')},
    };
    for (const int depth : {64, 1023, 1024, 1025, 10000}) {
        values.append(
            {QStringLiteral("%1 nested arrays").arg(depth), QByteArray(depth, '[') + QByteArray(depth, ']')});
        values.append({QStringLiteral("%1 nested objects").arg(depth),
                       QByteArray("{\"a\":").repeated(depth) + "1" + QByteArray(depth, '}')});
    }
    return values;
}

// The valid request of every operation that takes a body, from the client's own builders.
QList<ApiRequest> validBodies()
{
    QList<TypedField> properties;
    for (const char *spec :
         {"plan=Pro", "mrr:number=399", "is_paying:bool=true", "registered_at:date=2024-05-01T10:00:00Z",
          "old_field:null", "note:empty", "tags:list=a,b"}) {
        TypedField field;
        QString error;
        if (TypedField::parse(QString::fromLatin1(spec), &field, &error))
            properties.append(field);
    }
    QList<TypedField> metadata;
    for (const char *spec : {"amount:number=12.5", "currency=EUR", "first:bool=false",
                             "at:date=2024-05-01T10:00:00.123+02:00"}) {
        TypedField field;
        QString error;
        if (TypedField::parse(QString::fromLatin1(spec), &field, &error))
            metadata.append(field);
    }
    const UserIdentification ann{QStringLiteral("fuzz-user-1"), QStringLiteral("ann@example.com")};
    const UserIdentification bob{QStringLiteral("fuzz-user-2"), QString()};
    const UserIdentification cat{QString(), QStringLiteral("cat@example.org")};
    const AccountIdentification acme{QStringLiteral("fuzz-account-1"), QStringLiteral("acme.com")};
    return {
        ApiRequest::upsertUser(ann, properties),
        ApiRequest::deleteUser(bob),
        ApiRequest::upsertAccount(acme, properties),
        ApiRequest::deleteAccount(AccountIdentification{QString(), QStringLiteral("gone.example.com")}),
        ApiRequest::addUsersToAccount(acme, {ann, bob, cat}),
        ApiRequest::removeUsersFromAccount(acme, {bob}),
        ApiRequest::trackEvent(QStringLiteral("signed_up"), ann, acme, metadata,
                               QStringLiteral("2024-05-01T10:00:00Z")),
        ApiRequest::trackLegacyEvent(QStringLiteral("legacy_event"), cat, AccountIdentification(), metadata),
        ApiRequest::link(QStringLiteral("device-1"), ann),
    };
}

QByteArray apiCall(const ApiRequest &request, const QByteArray &body,
                   const QList<Header> &headers = apiHeaders())
{
    return httpRequest(request.info().method, request.info().path.toUtf8(), body, headers);
}

// Where a value sits in a JSON document: object keys (strings) and array indexes (numbers).
using Path = QList<QJsonValue>;

QString describePath(const Path &path)
{
    QStringList parts;
    for (const QJsonValue &part : path)
        parts.append(part.isString() ? part.toString() : QString::number(part.toInt()));
    return parts.isEmpty() ? QStringLiteral("(root)") : parts.join(QLatin1Char('.'));
}

void collectPaths(const QJsonValue &value, const Path &prefix, QList<Path> *out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const Path path = Path(prefix) << QJsonValue(it.key());
            out->append(path);
            collectPaths(it.value(), path, out);
        }
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (int i = 0; i < array.size(); ++i) {
            const Path path = Path(prefix) << QJsonValue(i);
            out->append(path);
            collectPaths(array.at(i), path, out);
        }
    }
}

QJsonValue valueAt(const QJsonValue &value, const Path &path)
{
    QJsonValue current = value;
    for (const QJsonValue &part : path)
        current =
            part.isString() ? current.toObject().value(part.toString()) : current.toArray().at(part.toInt());
    return current;
}

// value with the member or element at path replaced, or removed when replacement is undefined.
QJsonValue replaceAt(const QJsonValue &value, const Path &path, int depth, const QJsonValue &replacement)
{
    const QJsonValue part = path.at(depth);
    const bool last = depth + 1 == path.size();
    if (part.isString()) {
        QJsonObject object = value.toObject();
        if (last && replacement.isUndefined())
            object.remove(part.toString());
        else
            object.insert(part.toString(),
                          last ? replacement
                               : replaceAt(object.value(part.toString()), path, depth + 1, replacement));
        return object;
    }
    QJsonArray array = value.toArray();
    if (last && replacement.isUndefined())
        array.removeAt(part.toInt());
    else
        array.replace(part.toInt(),
                      last ? replacement : replaceAt(array.at(part.toInt()), path, depth + 1, replacement));
    return array;
}

// The body's text with the value at path replaced by raw text that need not be valid JSON.
QByteArray withRawAt(const QJsonObject &body, const Path &path, const QByteArray &raw)
{
    static const QByteArray marker = "@@fuzz-marker@@";
    if (path.isEmpty())
        return raw;
    const QJsonValue marked = replaceAt(body, path, 0, QJsonValue(QString::fromLatin1(marker)));
    QByteArray text = QJsonDocument(marked.toObject()).toJson(QJsonDocument::Compact);
    return text.replace('"' + marker + '"', raw);
}

// An object's text with one member written twice, the second time with another value.
QByteArray withDuplicateKey(const QJsonObject &object, Dice &dice)
{
    QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    const QStringList keys = object.keys();
    const QString key = keys.isEmpty() ? QStringLiteral("identification") : dice.pick(keys);
    const QByteArray other =
        dice.pick(QList<QByteArray>{"null", "1", "\"dup\"", "{\"userId\":\"dup\"}", "[]"});
    const QByteArray member = QJsonDocument(QJsonObject{{key, 0}}).toJson(QJsonDocument::Compact).mid(1);
    text.chop(1);
    return text + (keys.isEmpty() ? "" : ",") + member.left(member.size() - 2) + other + '}';
}

// Any JSON value's text, scalars included (QJsonDocument only writes objects and arrays).
QByteArray jsonText(const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

QJsonValue randomJson(Dice &dice, int depth)
{
    switch (dice.below(depth > 3 ? 5 : 7)) {
    case 0:
        return QJsonValue(QJsonValue::Null);
    case 1:
        return dice.chance(50);
    case 2:
        return dice.chance(50) ? double(dice.between(-1000000, 1000000)) : dice.below(1000000) / 7.0;
    case 3:
    case 4: {
        const QByteArray text = dice.chance(70) ? dice.printableAscii(dice.below(12)) : dice.codePoint();
        return QString::fromUtf8(text);
    }
    case 5: {
        QJsonArray array;
        for (int i = dice.below(5); i > 0; --i)
            array.append(randomJson(dice, depth + 1));
        return array;
    }
    default: {
        QJsonObject object;
        static const QList<QString> keys = {
            QStringLiteral("identification"), QStringLiteral("userId"),   QStringLiteral("email"),
            QStringLiteral("accountId"),      QStringLiteral("domain"),   QStringLiteral("properties"),
            QStringLiteral("users"),          QStringLiteral("account"),  QStringLiteral("name"),
            QStringLiteral("metadata"),       QStringLiteral("deviceId"), QStringLiteral("triggeredAt"),
            QStringLiteral("user"),           QStringLiteral("")};
        for (int i = dice.below(5); i > 0; --i)
            object.insert(dice.pick(keys), randomJson(dice, depth + 1));
        return object;
    }
    }
}

// One byte-level mutation of text; *how names it for the case label.
QByteArray mutateBytes(QByteArray text, Dice &dice, QString *how)
{
    const int size = int(text.size());
    if (size == 0) {
        *how = QStringLiteral("insert-bytes");
        return dice.bytes(dice.between(1, 16));
    }
    switch (dice.below(8)) {
    case 0:
        *how = QStringLiteral("flip");
        for (int i = dice.between(1, 4); i > 0 && size > 0; --i)
            text[dice.below(size)] ^= char(1 << dice.below(8));
        break;
    case 1:
        *how = QStringLiteral("truncate");
        text.truncate(dice.below(size));
        break;
    case 2:
        *how = QStringLiteral("insert-bytes");
        text.insert(dice.below(size + 1), dice.bytes(dice.between(1, 16)));
        break;
    case 3:
        *how = QStringLiteral("insert-odd");
        for (int i = dice.between(1, 3); i > 0; --i)
            text.insert(dice.below(int(text.size()) + 1),
                        dice.chance(50) ? dice.pick(oddSnippets()) : dice.codePoint());
        break;
    case 4: {
        *how = QStringLiteral("delete");
        const int at = dice.below(size);
        text.remove(at, dice.between(1, std::max(1, size - at)));
        break;
    }
    case 5: {
        *how = QStringLiteral("duplicate");
        const int at = dice.below(size);
        const QByteArray slice = text.mid(at, dice.between(1, 40));
        text.insert(dice.below(size + 1), slice);
        break;
    }
    case 6: {
        *how = QStringLiteral("swap-structure");
        static const QByteArray structural = "{}[]:,\"";
        for (int i = dice.between(1, 3); i > 0; --i) {
            const int at = dice.below(size);
            if (structural.contains(text.at(at)))
                text[at] = structural.at(dice.below(int(structural.size())));
            else
                text.insert(at, structural.at(dice.below(int(structural.size()))));
        }
        break;
    }
    default: {
        *how = QStringLiteral("repeat");
        const int at = dice.below(size);
        text.insert(at, text.mid(at, dice.between(1, 8)).repeated(dice.between(100, 2000)));
        break;
    }
    }
    return text;
}

// Query text for a GET: random pairs of likely and unlikely names and values. *wellFormed is false
// when raw control characters went in (those may get the connection closed instead of an answer).
QByteArray randomQuery(Dice &dice, bool *wellFormed)
{
    static const QList<QByteArray> names = {"domain", "userId", "email",    "accountId", "name",
                                            "",       "DOMAIN", "domain[]", "%64omain",  "user%00Id"};
    static const QList<QByteArray> known = {"demo.example.com", "DEMO.EXAMPLE.COM", "fuzz-user-1",
                                            "ann@example.com",  "acme.com",         "fuzz-account-1",
                                            "signed_up",        "cat@example.org",  "demo.example.com."};
    static const QList<QByteArray> broken = {
        "%",     "%G", "%zz", "%%", "%0", "%E2%82", "%C0%AF",    "%FF%FE", "+",   "=",  ";",
        "#frag", "?",  "/",   "..", "*",  "\\",     "%2B%26%3D", "%u0041", "%00", "&&", "%0D%0A"};
    *wellFormed = true;
    QByteArray query;
    for (int i = dice.below(6); i >= 0; --i) {
        if (!query.isEmpty())
            query += dice.chance(90) ? "&" : (dice.chance(50) ? ";" : "&&");
        query +=
            dice.chance(80) ? dice.pick(names) : dice.printableAscii(dice.between(1, 8)).toPercentEncoding();
        if (dice.chance(10))
            continue; // a name without '='
        query += '=';
        switch (dice.below(7)) {
        case 0:
            query += dice.pick(known);
            break;
        case 1:
            query += dice.bytes(dice.below(64)).toPercentEncoding();
            break;
        case 2:
            for (int n = dice.between(1, 8); n > 0; --n)
                query += dice.codePoint().toPercentEncoding("", "", '%');
            break;
        case 3:
            // Raw UTF-8, not percent-encoded: clients do send it.
            for (int n = dice.between(1, 8); n > 0; --n) {
                const QByteArray point = dice.codePoint();
                query += static_cast<unsigned char>(point.at(0)) >= 0x80 ? point : "x";
            }
            break;
        case 4:
            for (int n = dice.between(1, 4); n > 0; --n)
                query += dice.pick(broken);
            break;
        case 5:
            query += QByteArray(dice.between(8 * 1024, 64 * 1024), 'a');
            break;
        default:
            if (dice.chance(50)) {
                *wellFormed = false;
                for (int n = dice.between(1, 4); n > 0; --n) {
                    char c = char(dice.between(0x01, 0x1f));
                    query += (c == '\r' || c == '\n') ? '\x7f' : c;
                }
            } else {
                query += dice.printableAscii(dice.between(1, 30)).replace('#', "%23");
            }
            break;
        }
    }
    return query;
}

} // namespace

class TestSandboxFuzz : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void mutatedBodies();
    void structuredBodies();
    void headerVariants();
    void httpGarbage();
    void queryStrings();
    void stillCorrect();

private:
    // One seed per test function, so each replays alone as well as in a full run.
    quint32 seedFor(quint32 salt) const { return m_seed ^ (salt * 0x9E3779B9u); }
    // Runs exchanges in batches, each followed by a liveness check; false (with a QTest failure
    // recorded) when any exchange or check failed.
    bool runBatches(const QList<Exchange> &exchanges, const char *what);
    QStringList aliveFailures();

    quint32 m_seed = DefaultSeed;
    std::unique_ptr<ServerThread> m_server;
    quint16 m_port = 0;
    std::unique_ptr<ExchangeRunner> m_runner;
};

void TestSandboxFuzz::initTestCase()
{
    const QByteArray fromEnv = qgetenv("JOURNY_FUZZ_SEED");
    if (!fromEnv.isEmpty()) {
        bool ok = false;
        m_seed = fromEnv.toUInt(&ok, 0);
        QVERIFY2(ok, "JOURNY_FUZZ_SEED must be an unsigned 32-bit number");
    }
    qInfo("fuzz seed %u (replay with JOURNY_FUZZ_SEED=%u)", m_seed, m_seed);

    SandboxConfig config = SandboxConfig::defaults();
    // The fuzz sends thousands of requests; a 429 is allowed but would hide what a case does.
    config.rateLimit = 1000000000;
    m_server = std::make_unique<ServerThread>(config);
    m_server->start();
    m_port = m_server->waitForPort();
    QVERIFY2(m_port != 0, "the sandbox did not start listening");
    m_runner = std::make_unique<ExchangeRunner>(m_port);
    const QStringList failures = aliveFailures();
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));

    // The harness must be able to fail: a wrong expectation and a request left unanswered (the
    // body is 1 byte short, so the server keeps waiting) are both reported.
    QList<Exchange> wrong(2);
    wrong[0].label = QStringLiteral("self-check/wrong status");
    wrong[0].steps.append(
        step(httpRequest("GET", "/validate", {}, {{"X-Api-Key", "sandbox"}}), Expect::Answers, true));
    wrong[0].steps.last().exactStatus = 201;
    wrong[1].label = QStringLiteral("self-check/no answer");
    QByteArray unfinished = httpRequest("POST", "/users/upsert", "{}");
    unfinished.chop(1);
    wrong[1].steps.append(step(unfinished, Expect::Answers, true));
    wrong[1].steps.last().timeoutMs = 300;
    const QStringList expected = m_runner->run(wrong);
    QCOMPARE(expected.size(), 2);
    QVERIFY2(expected.at(0).contains(QLatin1String("expected 201")), qPrintable(expected.at(0)));
    QVERIFY2(expected.at(1).contains(QLatin1String("no answer")), qPrintable(expected.at(1)));
    m_runner->takeTally();
}

void TestSandboxFuzz::cleanupTestCase()
{
    m_runner.reset();
    if (!m_server)
        return;
    m_server->quit();
    if (!m_server->wait(10000)) {
        // Destroying a running QThread aborts the process, which would hide the failures above.
        qWarning("the sandbox thread does not stop: it hangs; leaving it running");
        (void)m_server.release();
        QFAIL("the sandbox's thread did not stop within 10 s");
    }
    m_server.reset();
}

QStringList TestSandboxFuzz::aliveFailures()
{
    QList<Exchange> checks(1);
    checks[0].label = QStringLiteral("alive");
    Step validate =
        step(httpRequest("GET", "/validate", {}, {{"X-Api-Key", "sandbox"}}), Expect::Answers, true);
    validate.exactStatus = 200;
    validate.check = [](const HttpAnswer &answer) {
        const QJsonObject data =
            QJsonDocument::fromJson(answer.body).object().value(QLatin1String("data")).toObject();
        return data.value(QLatin1String("permissions")).toArray().size() ==
                       SandboxConfig::allPermissions().size()
                   ? QString()
                   : QStringLiteral("GET /validate without every permission: %1").arg(printable(answer.body));
    };
    checks[0].steps.append(validate);
    // A new connection each time; the deadline is tighter than for fuzz cases.
    QElapsedTimer clock;
    clock.start();
    QStringList failures = m_runner->run(checks);
    if (failures.isEmpty() && clock.elapsed() > AliveTimeoutMs)
        failures.append(QStringLiteral("GET /validate took %1 ms").arg(clock.elapsed()));
    return failures;
}

bool TestSandboxFuzz::runBatches(const QList<Exchange> &exchanges, const char *what)
{
    int requests = 0;
    for (const Exchange &exchange : exchanges)
        requests += int(exchange.steps.size());
    QElapsedTimer clock;
    clock.start();
    Tally tally;
    for (qsizetype from = 0; from < exchanges.size(); from += BatchSize) {
        const QList<Exchange> batch = exchanges.mid(from, BatchSize);
        QStringList failures = m_runner->run(batch);
        tally.add(m_runner->takeTally());
        const QStringList alive = aliveFailures();
        m_runner->takeTally(); // the liveness check's own answer is not a fuzz case
        for (const QString &failure : alive)
            failures.append(QStringLiteral("after cases %1 to %2: the server is not alive: %3")
                                .arg(batch.first().label, batch.last().label, failure));
        if (!failures.isEmpty()) {
            const int shown = std::min(10, int(failures.size()));
            QTest::qFail(qPrintable(QStringLiteral("%1 of %2 exchanges failed (seed %3), first %4:\n%5")
                                        .arg(failures.size())
                                        .arg(batch.size())
                                        .arg(m_seed)
                                        .arg(shown)
                                        .arg(failures.mid(0, shown).join(QLatin1Char('\n')))),
                         __FILE__, __LINE__);
            return false;
        }
    }
    qInfo("%s: %d cases on %d connections in %lld ms, server alive after each batch of %d; %s", what,
          requests, int(exchanges.size()), clock.elapsed(), BatchSize, qPrintable(tally.describe()));
    return true;
}

// (a) Every body-taking operation's valid body, mutated byte by byte.
void TestSandboxFuzz::mutatedBodies()
{
    Dice dice(seedFor(1));
    QList<Exchange> exchanges;
    for (const ApiRequest &request : validBodies()) {
        const QByteArray valid = request.bodyBytes();
        const QString operation = request.info().operationId;
        QList<Step> steps;
        auto add = [&steps](const QByteArray &bytes, const QString &label) {
            steps.append(step(bytes, Expect::Answers, true));
            steps.last().label = label;
        };
        // The unmutated body first: it must be accepted, or the mutations prove nothing.
        add(apiCall(request, valid), QStringLiteral("valid"));
        steps.last().exactStatus = request.info().successStatus;
        for (int i = 0; i < 250; ++i) {
            QString how;
            QByteArray body = valid;
            for (int n = dice.chance(70) ? 1 : dice.between(2, 5); n > 0; --n) {
                QString one;
                body = mutateBytes(body, dice, &one);
                how += (how.isEmpty() ? QString() : QStringLiteral("+")) + one;
            }
            add(apiCall(request, body), QStringLiteral("%1#%2").arg(how).arg(i));
        }
        for (int i = 0; i < 10; ++i)
            add(apiCall(request, jsonText(randomJson(dice, 0))), QStringLiteral("random-json#%1").arg(i));
        for (const QByteArray &body :
             {QByteArray(), QByteArray("null"), QByteArray("[]"), QByteArray("\"x\""), QByteArray("1"),
              QByteArray("{}"), QByteArray(" "), QByteArray("\0", 1), QByteArray("\xEF\xBB\xBF") + valid,
              valid + "garbage", valid + valid})
            add(apiCall(request, body), QStringLiteral("fixed:%1").arg(printable(body, 16)));
        // Keep-alive connections of a few requests each: one case must not spoil the next.
        for (qsizetype from = 0; from < steps.size(); from += StepsPerConnection) {
            Exchange exchange;
            exchange.label =
                QStringLiteral("bodies/%1/connection %2").arg(operation).arg(from / StepsPerConnection);
            exchange.steps = steps.mid(from, StepsPerConnection);
            exchanges.append(exchange);
        }
    }
    runBatches(exchanges, "mutated bodies");
}

// (a) Structure: every position given every wrong type or removed, raw odd values (deep nesting,
// huge numbers, invalid literals, long strings) in random positions, duplicate keys, oversized bodies.
void TestSandboxFuzz::structuredBodies()
{
    Dice dice(seedFor(2));
    static const QList<QJsonValue> wrongTypes = {
        QJsonValue(QJsonValue::Null),
        true,
        false,
        0,
        -1.5,
        1e308,
        QString(),
        QStringLiteral("   "),
        QStringLiteral("x"),
        QJsonArray(),
        QJsonArray{QStringLiteral("a"), QJsonValue()},
        QJsonObject(),
        QJsonObject{{QStringLiteral("userId"), QStringLiteral("nested")}}};
    const QList<QPair<QString, QByteArray>> raws = rawValues();
    QList<Exchange> exchanges;
    auto add = [&exchanges](const QString &label, const QByteArray &bytes) {
        // One connection per case here: some bodies are large, and a label per case reads better.
        Exchange exchange;
        exchange.label = label;
        exchange.steps.append(step(bytes, Expect::Answers, true));
        exchanges.append(exchange);
    };
    for (const ApiRequest &request : validBodies()) {
        const QString operation = request.info().operationId;
        QList<Path> paths;
        collectPaths(request.body, {}, &paths);
        for (const Path &path : std::as_const(paths)) {
            const QJsonValue original = valueAt(request.body, path);
            for (const QJsonValue &wrong : wrongTypes) {
                if (wrong == original)
                    continue;
                const QJsonObject body = replaceAt(request.body, path, 0, wrong).toObject();
                add(QStringLiteral("structure/%1/%2=%3")
                        .arg(operation, describePath(path), QString::fromUtf8(jsonText(wrong))),
                    apiCall(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
            }
            const QJsonObject removed =
                replaceAt(request.body, path, 0, QJsonValue(QJsonValue::Undefined)).toObject();
            add(QStringLiteral("structure/%1/%2 removed").arg(operation, describePath(path)),
                apiCall(request, QJsonDocument(removed).toJson(QJsonDocument::Compact)));
            if (original.isObject())
                add(QStringLiteral("structure/%1/%2 duplicate key").arg(operation, describePath(path)),
                    apiCall(request,
                            withRawAt(request.body, path, withDuplicateKey(original.toObject(), dice))));
        }
        add(QStringLiteral("structure/%1/(root) duplicate key").arg(operation),
            apiCall(request, withDuplicateKey(request.body, dice)));
        // Every odd raw value once per operation, in a random position (or as the whole body).
        paths.prepend(Path());
        for (const auto &raw : raws) {
            const Path &path = dice.pick(paths);
            add(QStringLiteral("structure/%1/%2=%3").arg(operation, describePath(path), raw.first),
                apiCall(request, withRawAt(request.body, path, raw.second)));
        }
    }
    // Size limits: just under and just over 1 MiB, far over it, and 100000 nested arrays.
    const ApiRequest upsert = validBodies().constFirst();
    auto padded = [&upsert](qint64 total) {
        const QByteArray head = "{\"identification\":{\"userId\":\"fuzz-big\"},\"properties\":{\"blob\":\"";
        return apiCall(upsert, head + QByteArray(total - head.size() - 3, 'b') + "\"}}");
    };
    add(QStringLiteral("size/exactly 1 MiB"), padded(SandboxServer::MaxBodyBytes));
    add(QStringLiteral("size/1 MiB + 1"), padded(SandboxServer::MaxBodyBytes + 1));
    add(QStringLiteral("size/4 MiB"), padded(4 * SandboxServer::MaxBodyBytes));
    add(QStringLiteral("size/100000 nested arrays"),
        apiCall(upsert, QByteArray(100000, '[') + QByteArray(100000, ']')));
    // 101 users, one over the limit, and 100 with the same user.
    QJsonArray users;
    for (int i = 0; i <= 100; ++i)
        users.append(
            QJsonObject{{QStringLiteral("identification"),
                         QJsonObject{{QStringLiteral("userId"), QStringLiteral("bulk-%1").arg(i)}}}});
    const ApiRequest add101 = ApiRequest::raw(
        Operation::AddUsersToAccount,
        {{QStringLiteral("account"), QJsonObject{{QStringLiteral("accountId"), QStringLiteral("bulk")}}},
         {QStringLiteral("users"), users}});
    add(QStringLiteral("size/101 users"), apiCall(add101, add101.bodyBytes()));
    runBatches(exchanges, "structured bodies");
}

// (a) The valid bodies with the headers that come with them wrong: content type, key, duplicates.
void TestSandboxFuzz::headerVariants()
{
    Dice dice(seedFor(3));
    const QList<QList<Header>> variants = {
        {{"X-Api-Key", "sandbox"}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", "text/plain"}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", "application/json; charset=utf-8"}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", "APPLICATION/JSON"}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", ""}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", QByteArray(10000, 'j')}},
        {{"X-Api-Key", "sandbox"}, {"Content-Type", "application/json"}, {"Content-Type", "text/html"}},
        {{"Content-Type", "application/json"}},
        {{"X-Api-Key", ""}, {"Content-Type", "application/json"}},
        {{"X-Api-Key", "wrong"}, {"Content-Type", "application/json"}},
        {{"X-Api-Key", "sandbox "}, {"Content-Type", "application/json"}},
        {{"x-api-key", "sandbox"}, {"content-type", "application/json"}},
        {{"X-Api-Key", "\xC3\xA9\xFF\x01"}, {"Content-Type", "application/json"}},
        {{"X-Api-Key", QByteArray(100000, 'k')}, {"Content-Type", "application/json"}},
        {{"X-Api-Key", "wrong"}, {"X-Api-Key", "sandbox"}, {"Content-Type", "application/json"}},
        {{"X-Api-Key", "sandbox"}, {"X-Api-Key", "wrong"}, {"Content-Type", "application/json"}},
    };
    QList<Exchange> exchanges;
    for (const ApiRequest &request : validBodies()) {
        for (qsizetype i = 0; i < variants.size(); ++i) {
            Exchange exchange;
            exchange.label = QStringLiteral("headers/%1/variant %2").arg(request.info().operationId).arg(i);
            QString how;
            const QByteArray body =
                dice.chance(50) ? request.bodyBytes() : mutateBytes(request.bodyBytes(), dice, &how);
            exchange.steps.append(step(apiCall(request, body, variants.at(i)), Expect::Answers, true));
            exchanges.append(exchange);
        }
    }
    runBatches(exchanges, "header variants");
}

// (b) Garbage at the HTTP level on raw sockets.
void TestSandboxFuzz::httpGarbage()
{
    Dice dice(seedFor(4));
    const QByteArray validBody = validBodies().constFirst().bodyBytes();
    const QByteArray valid = httpRequest("POST", "/users/upsert", validBody);
    const QByteArray validGet = httpRequest("GET", "/validate", {}, {{"X-Api-Key", "sandbox"}});
    QList<Exchange> exchanges;
    auto add = [&exchanges](const QString &label, const Step &one) {
        Exchange exchange;
        exchange.label = QStringLiteral("http/") + label;
        exchange.steps.append(one);
        exchanges.append(exchange);
    };
    // A request head with the given first line and headers, and a body with a true length unless
    // the headers already say something about it.
    auto head = [](const QByteArray &line, const QByteArray &headers) {
        return line + "\r\nHost: 127.0.0.1\r\nX-Api-Key: sandbox\r\n" + headers + "\r\n";
    };
    const QByteArray jsonType = "Content-Type: application/json\r\n";

    for (int i = 0; i < 60; ++i)
        add(QStringLiteral("random-bytes#%1").arg(i),
            step(dice.bytes(dice.between(1, 4096)), Expect::Anything));
    for (int i = 0; i < 40; ++i) {
        // Printable nonsense that ends like a request head: rejected or answered, never left waiting.
        QByteArray line = dice.printableAscii(dice.between(1, 200));
        for (int n = dice.below(4); n > 0; --n)
            line.insert(dice.below(int(line.size())) + 1, ' ');
        add(QStringLiteral("random-line#%1").arg(i), step(line + "\r\n\r\n", Expect::AnswerOrClose));
    }
    const QList<QByteArray> requestLines = {"GET",
                                            "GET /validate",
                                            "GET /validate HTTP/9.9",
                                            "GET  /validate  HTTP/1.1",
                                            "GET /validate HTTP/1.1 extra",
                                            "FOO /validate HTTP/1.1",
                                            "GET * HTTP/1.1",
                                            "GET http://evil.example/validate HTTP/1.1",
                                            "GET /../../etc/passwd HTTP/1.1",
                                            "GET /%00 HTTP/1.1",
                                            "GET /validate%00 HTTP/1.1",
                                            "GET /validate?x=%ZZ HTTP/1.1",
                                            "GET //validate HTTP/1.1",
                                            "GET /validate/ HTTP/1.1",
                                            "GET /VALIDATE HTTP/1.1",
                                            "GET /validate#frag HTTP/1.1",
                                            "HTTP/1.1 200 OK",
                                            "GET /validate HTTP/1.0",
                                            "GET /validate HTTP/2.0",
                                            "GET /validate HTTP/1.1x",
                                            "GET /validate HTTP/1",
                                            "get /validate HTTP/1.1",
                                            "GET \x01\x02 HTTP/1.1",
                                            "GET /\xC3\xA9\xFF HTTP/1.1",
                                            "GET /" + QByteArray(65536, 'p') + " HTTP/1.1",
                                            "CONNECT 127.0.0.1:1 HTTP/1.1",
                                            "OPTIONS * HTTP/1.1",
                                            "GET HTTP/1.1",
                                            " GET /validate HTTP/1.1",
                                            "GET /validate\tHTTP/1.1",
                                            QByteArray(70000, 'G')};
    for (qsizetype i = 0; i < requestLines.size(); ++i)
        add(QStringLiteral("request-line#%1").arg(i),
            step(head(requestLines.at(i), {}), Expect::AnswerOrClose));
    // Lines ending in a bare \n are accepted by many servers; either way, no silence.
    add(QStringLiteral("lf-only"), step(QByteArray(validGet).replace("\r\n", "\n"), Expect::AnswerOrClose));
    add(QStringLiteral("http-0.9"), step("GET /validate\r\n\r\n", Expect::AnswerOrClose));
    add(QStringLiteral("http2-preface"), step("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", Expect::Anything));
    add(QStringLiteral("tls-client-hello"),
        step(QByteArray::fromHex("16030100a5010000a10303") + dice.bytes(160), Expect::Anything));

    const QList<QByteArray> oddHeaders = {
        QByteArray("X-Many: 1\r\n").repeated(10000),
        "X-Long: " + QByteArray(1024 * 1024, 'h') + "\r\n",
        QByteArray(100000, 'N') + ": v\r\n",
        "NoColonHere\r\n",
        ": empty-name\r\n",
        "X-Nul: a" + QByteArray("\0b", 2) + "\r\n",
        "X Api Key: sandbox\r\n",
        "X-Folded: a\r\n continued\r\n\tand more\r\n",
        "Host: [::1\r\n",
        "Host: a:b:c\r\n",
        "Host: :99999\r\n",
        "Host: \xFF\xFE\r\n",
        "Host: user:pass@evil.example:80/path?q#f\r\n",
        "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n",
        "Connection: close\r\n",
        "Expect: 100-continue\r\n",
        "Expect: nonsense\r\n",
        "Transfer-Encoding: identity\r\n",
        "X-Utf8: \xE2\x82\xAC\xF0\x9F\x98\x80\r\n",
        "Content-Type: application/json\r\nContent-Type: text/plain\r\n",
    };
    for (qsizetype i = 0; i < oddHeaders.size(); ++i) {
        add(QStringLiteral("odd-header#%1/get").arg(i),
            step(head("GET /validate HTTP/1.1", oddHeaders.at(i)), Expect::AnswerOrClose));
        add(QStringLiteral("odd-header#%1/post").arg(i),
            step(head("POST /users/upsert HTTP/1.1", oddHeaders.at(i) + jsonType + "Content-Length: " +
                                                         QByteArray::number(validBody.size()) + "\r\n") +
                     validBody,
                 Expect::AnswerOrClose));
    }

    // Content-Length lies. Longer than the body: the server waits for the rest, which never comes.
    for (const qint64 extra :
         {qint64(1), qint64(dice.between(2, 1000)), qint64(1) << 31, (qint64(1) << 62)}) {
        add(QStringLiteral("length-longer+%1").arg(extra),
            step(head("POST /users/upsert HTTP/1.1",
                      jsonType + "Content-Length: " + QByteArray::number(validBody.size() + extra) + "\r\n") +
                     validBody,
                 Expect::Anything));
    }
    // Shorter: the first part is a (bad) body, the rest a garbage request.
    for (int i = 0; i < 20; ++i) {
        const int length = dice.below(int(validBody.size()));
        add(QStringLiteral("length-shorter=%1").arg(length),
            step(head("POST /users/upsert HTTP/1.1",
                      jsonType + "Content-Length: " + QByteArray::number(length) + "\r\n") +
                     validBody,
                 Expect::AnswerOrClose));
    }
    for (const QByteArray &value :
         {QByteArray("-1"), QByteArray("abc"), QByteArray("1e3"), QByteArray(" 5 "), QByteArray("0x10"),
          QByteArray("+5"), QByteArray("99999999999999999999999"), QByteArray("18446744073709551615"),
          QByteArray("9223372036854775807"), QByteArray(""), QByteArray("5, 500"), QByteArray("\xFF")}) {
        add(QStringLiteral("length-value=%1").arg(printable(value)),
            step(head("POST /users/upsert HTTP/1.1", jsonType + "Content-Length: " + value + "\r\n") +
                     validBody,
                 Expect::Anything));
    }
    add(QStringLiteral("length-twice"),
        step(head("POST /users/upsert HTTP/1.1", jsonType + "Content-Length: 5\r\nContent-Length: " +
                                                     QByteArray::number(validBody.size()) + "\r\n") +
                 validBody,
             Expect::Anything));

    // Chunked transfer encoding: one correct body, then nonsense.
    auto chunked = [&](const QByteArray &chunks, const QByteArray &encoding = "chunked") {
        return head("POST /users/upsert HTTP/1.1", jsonType + "Transfer-Encoding: " + encoding + "\r\n") +
               chunks;
    };
    const QByteArray half = validBody.left(validBody.size() / 2);
    const QByteArray rest = validBody.mid(half.size());
    auto hex = [](qsizetype n) { return QByteArray::number(qlonglong(n), 16); };
    add(QStringLiteral("chunked/correct"), step(chunked(hex(half.size()) + "\r\n" + half + "\r\n" +
                                                        hex(rest.size()) + "\r\n" + rest + "\r\n0\r\n\r\n"),
                                                Expect::Answers, true));
    const QList<QByteArray> chunkNonsense = {
        "-5\r\nabc\r\n0\r\n\r\n",
        "ffffffffffffffffffff\r\nabc\r\n0\r\n\r\n",
        "7fffffffffffffff\r\nabc\r\n",
        "zz\r\nabc\r\n0\r\n\r\n",
        "5\r\nabcdefghij\r\n0\r\n\r\n",
        "a\r\nabc\r\n0\r\n\r\n",
        "3;ext=\"x\r\nabc\r\n0\r\n\r\n",
        "3\r\nabc0\r\n\r\n",
        "3\nabc\n0\n\n",
        "  3  \r\nabc\r\n0\r\n\r\n",
        "0\r\nTrailer: x\r\nAnother: y\r\n\r\n",
        "0\r\n",
        "\r\n\r\n\r\n",
        "3\r\nabc\r\n" + QByteArray("1\r\nx\r\n").repeated(20000) + "0\r\n\r\n",
        hex(validBody.size()) + "\r\n" + validBody + "\r\n0\r\n\r\n" + "garbage after the end",
        hex(validBody.size()) + "\r\n" + validBody + "XX0\r\n\r\n",
    };
    for (qsizetype i = 0; i < chunkNonsense.size(); ++i)
        add(QStringLiteral("chunked/nonsense#%1").arg(i),
            step(chunked(chunkNonsense.at(i)), Expect::Anything));
    for (const QByteArray &encoding :
         {QByteArray("gzip, chunked"), QByteArray("chunked, gzip"), QByteArray("CHUNKED"),
          QByteArray("chunked\r\nContent-Length: 3"), QByteArray("x-unknown")}) {
        add(QStringLiteral("chunked/encoding=%1").arg(printable(encoding)),
            step(chunked(hex(validBody.size()) + "\r\n" + validBody + "\r\n0\r\n\r\n", encoding),
                 Expect::Anything));
    }
    for (int i = 0; i < 20; ++i) {
        QByteArray chunks;
        for (int n = dice.between(1, 5); n > 0; --n) {
            const QByteArray data = dice.bytes(dice.below(40));
            chunks += (dice.chance(80) ? hex(data.size()) : dice.printableAscii(dice.between(1, 6))) +
                      "\r\n" + data + (dice.chance(80) ? "\r\n" : "");
        }
        if (dice.chance(70))
            chunks += "0\r\n\r\n";
        add(QStringLiteral("chunked/random#%1").arg(i), step(chunked(chunks), Expect::Anything));
    }

    // Expect: 100-continue, then the body: an interim answer, then the real one.
    add(QStringLiteral("expect-continue"),
        step(head("POST /users/upsert HTTP/1.1", jsonType + "Expect: 100-continue\r\nContent-Length: " +
                                                     QByteArray::number(validBody.size()) + "\r\n") +
                 validBody,
             Expect::Answers, true));
    // Closed mid-request, at a random point, by FIN or RST alike (the client just goes away).
    for (int i = 0; i < 40; ++i) {
        const QByteArray &whole = dice.chance(70) ? valid : validGet;
        add(QStringLiteral("closed-mid-request#%1").arg(i),
            step(whole.left(dice.below(int(whole.size()))), Expect::Abort));
    }
    // A well-formed request, written in pieces a few ms apart.
    for (int i = 0; i < 20; ++i) {
        Step slow = step(QByteArray(), Expect::Answers, true);
        slow.pieces.clear();
        const QByteArray &whole = dice.chance(50) ? valid : validGet;
        QList<int> cuts;
        for (int n = dice.between(1, 12); n > 0; --n)
            cuts.append(dice.between(1, int(whole.size()) - 1));
        std::sort(cuts.begin(), cuts.end());
        int from = 0;
        for (const int cut : std::as_const(cuts)) {
            slow.pieces.append(whole.mid(from, cut - from));
            from = cut;
        }
        slow.pieces.append(whole.mid(from));
        add(QStringLiteral("pieces#%1").arg(i), slow);
    }
    // Pipelined: several requests in one write, answered in order.
    for (int i = 0; i < 20; ++i) {
        Step pipelined = step(QByteArray(), Expect::Answers, true);
        pipelined.answers = dice.between(2, 6);
        QByteArray bytes;
        for (int n = 0; n < pipelined.answers; ++n) {
            QString how;
            bytes += dice.chance(30)
                         ? validGet
                         : httpRequest("POST", "/users/upsert",
                                       dice.chance(50) ? validBody : mutateBytes(validBody, dice, &how));
        }
        pipelined.pieces = {bytes};
        add(QStringLiteral("pipelined#%1").arg(i), pipelined);
    }
    // Answered, then garbage on the same connection.
    for (int i = 0; i < 10; ++i)
        add(QStringLiteral("then-garbage#%1").arg(i),
            step(valid + dice.bytes(dice.between(1, 200)), Expect::Answers, true));
    // Methods the API does not have on its paths.
    for (const QByteArray &method :
         {QByteArray("PUT"), QByteArray("PATCH"), QByteArray("HEAD"), QByteArray("OPTIONS"),
          QByteArray("TRACE"), QByteArray("FOO"), QByteArray("DELETE"), QByteArray("GET")}) {
        for (const QByteArray &path : {QByteArray("/users/upsert"), QByteArray("/validate"),
                                       QByteArray("/_sandbox/stats"), QByteArray("/nowhere")}) {
            Step one =
                step(httpRequest(method, path, validBody), Expect::Answers, !path.startsWith("/_sandbox/"));
            one.head = method == "HEAD";
            // A second request on the connection shows the first answer ended where it said.
            Step then = step(validGet, Expect::Answers, true);
            then.exactStatus = 200;
            Exchange exchange;
            exchange.label = QStringLiteral("http/method/%1 %2")
                                 .arg(QString::fromLatin1(method), QString::fromLatin1(path));
            exchange.steps = {one, then};
            exchanges.append(exchange);
        }
    }
    // The head of a valid request, mutated: anything may happen, except a bad answer or a crash.
    const qsizetype headEnd = valid.indexOf("\r\n\r\n") + 4;
    for (int i = 0; i < 80; ++i) {
        QString how;
        const QByteArray mutated = mutateBytes(valid.left(headEnd), dice, &how) + valid.mid(headEnd);
        add(QStringLiteral("mutated-head/%1#%2").arg(how).arg(i), step(mutated, Expect::Anything));
    }
    runBatches(exchanges, "HTTP garbage");
}

// (c) Random query strings for GET /tracking/snippet and the /_sandbox/ endpoints.
void TestSandboxFuzz::queryStrings()
{
    Dice dice(seedFor(5));
    static const QList<QByteArray> paths = {"/tracking/snippet", "/_sandbox/users",  "/_sandbox/accounts",
                                            "/_sandbox/events",  "/_sandbox/stats",  "/_sandbox/",
                                            "/_sandbox/nope",    "/_sandbox/users/", "/tracking/snippet/"};
    QList<Exchange> exchanges;
    for (int i = 0; i < 600; ++i) {
        const QByteArray &path = i % 3 == 0 ? paths.first() : dice.pick(paths);
        bool wellFormed = true;
        const QByteArray query = randomQuery(dice, &wellFormed);
        Exchange exchange;
        exchange.label = QStringLiteral("query#%1 %2").arg(i).arg(QString::fromLatin1(path));
        Step one = step(httpRequest("GET", path + '?' + query, {}, {{"X-Api-Key", "sandbox"}}),
                        wellFormed ? Expect::Answers : Expect::AnswerOrClose, !path.startsWith("/_sandbox/"));
        exchange.steps.append(one);
        exchanges.append(exchange);
    }
    runBatches(exchanges, "query strings");
}

// After everything above, the sandbox still does its job: it stores, finds and counts.
void TestSandboxFuzz::stillCorrect()
{
    auto jsonOf = [](const HttpAnswer &answer) { return QJsonDocument::fromJson(answer.body).object(); };
    QList<Exchange> checks(1);
    checks[0].label = QStringLiteral("still-correct");
    Step upsert = step(httpRequest("POST", "/users/upsert",
                                   R"({"identification":{"userId":"after-fuzz","email":"after@example.com"},)"
                                   R"("properties":{"fuzzed":true}})"),
                       Expect::Answers, true);
    upsert.exactStatus = 201;
    Step found = step(httpRequest("GET", "/_sandbox/users?userId=after-fuzz", {}, {}));
    found.exactStatus = 200;
    found.check = [jsonOf](const HttpAnswer &answer) {
        const QJsonObject user = jsonOf(answer);
        return user.value(QLatin1String("email")).toString() == QLatin1String("after@example.com") &&
                       user.value(QLatin1String("properties"))
                           .toObject()
                           .value(QLatin1String("fuzzed"))
                           .toBool()
                   ? QString()
                   : QStringLiteral("the upserted user is not stored as sent: %1")
                         .arg(printable(answer.body));
    };
    Step snippet =
        step(httpRequest("GET", "/tracking/snippet?domain=demo.example.com", {}, {{"X-Api-Key", "sandbox"}}),
             Expect::Answers, true);
    snippet.exactStatus = 200;
    Step stats = step(httpRequest("GET", "/_sandbox/stats", {}, {}));
    stats.exactStatus = 200;
    stats.check = [jsonOf](const HttpAnswer &answer) {
        const QJsonObject counts = jsonOf(answer);
        return counts.value(QLatin1String("users")).toInt() >= 1 &&
                       counts.value(QLatin1String("requests")).toInt() > 1000
                   ? QString()
                   : QStringLiteral("implausible stats after the fuzz: %1").arg(printable(answer.body));
    };
    Step noKey = step(httpRequest("GET", "/validate", {}, {}), Expect::Answers, true);
    noKey.exactStatus = 401;
    checks[0].steps = {upsert, found, snippet, stats, noKey};
    const QStringList failures = m_runner->run(checks);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestSandboxFuzz)
#include "tst_SandboxFuzz.moc"

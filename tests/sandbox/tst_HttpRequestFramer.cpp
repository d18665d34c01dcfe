// HttpRequestFramer: where a request ends (Content-Length, chunked, none), what asks for the
// connection to close, and each refusal with its status and message: broken framing (400),
// both Content-Length and Transfer-Encoding (400), oversized heads (414, 431), oversized bodies
// declared or streamed (413), unsupported codings and versions (501, 505).

#include "sandbox/HttpRequestFramer.h"

#include <QTest>

using Kind = HttpRequestFramer::Result::Kind;

Q_DECLARE_METATYPE(HttpRequestFramer::Result::Kind)

namespace {

QByteArray post(const QByteArray &framing, const QByteArray &body)
{
    return "POST /users/upsert HTTP/1.1\r\nHost: h\r\n" + framing + "\r\n" + body;
}

} // namespace

class TestHttpRequestFramer : public QObject
{
    Q_OBJECT

private slots:
    void framing_data();
    void framing();
    void everyPrefixNeedsMore();
    void refusals_data();
    void refusals();
    void headerCountAndLineLengthLimits();
    void streamedBodyIsRefusedOnceOverTheLimit();
};

void TestHttpRequestFramer::framing_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("length");
    QTest::addColumn<bool>("closeAfter");

    const QByteArray get = "GET /validate HTTP/1.1\r\nHost: h\r\n\r\n";
    QTest::newRow("GET, no body") << get << qint64(get.size()) << false;
    QTest::newRow("GET then a pipelined request") << get + get << qint64(get.size()) << false;
    QTest::newRow("LF-only lines") << QByteArray("GET / HTTP/1.1\nHost: h\n\n") << qint64(24) << false;
    QTest::newRow("empty line before the request line") << "\r\n" + get << qint64(get.size() + 2) << false;
    const QByteArray sized = post("Content-Length: 2\r\n", "{}");
    QTest::newRow("Content-Length") << sized + "GET" << qint64(sized.size()) << false;
    const QByteArray chunked = post("Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n");
    QTest::newRow("chunked") << chunked + "GET" << qint64(chunked.size()) << false;
    const QByteArray extended =
        post("Transfer-Encoding: Chunked\r\n", "1;name=value\r\n{\r\n001\r\n}\r\n0\r\nTrailer: x\r\n\r\n");
    QTest::newRow("chunk extensions, leading zeros, trailers")
        << extended << qint64(extended.size()) << false;
    const QByteArray close = "GET / HTTP/1.1\r\nConnection: Keep-Alive, Close\r\n\r\n";
    QTest::newRow("Connection: close among options") << close << qint64(close.size()) << true;
    const QByteArray http10 = "GET / HTTP/1.0\r\n\r\n";
    QTest::newRow("HTTP/1.0") << http10 << qint64(http10.size()) << true;
    const QByteArray kept = "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    QTest::newRow("HTTP/1.0 keep-alive") << kept << qint64(kept.size()) << false;
}

void TestHttpRequestFramer::framing()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, length);
    QFETCH(bool, closeAfter);

    const HttpRequestFramer::Result result = HttpRequestFramer::examine(data, HttpRequestFramer::Limits());
    QVERIFY2(result.kind == Kind::Complete, qPrintable(result.message));
    QCOMPARE(result.length, length);
    QCOMPARE(result.closeAfter, closeAfter);
}

void TestHttpRequestFramer::everyPrefixNeedsMore()
{
    // A request cut anywhere is incomplete, never refused and never complete early.
    const QByteArray request =
        post("Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n");
    for (qsizetype cut = 0; cut < request.size(); ++cut) {
        const HttpRequestFramer::Result result =
            HttpRequestFramer::examine(request.left(cut), HttpRequestFramer::Limits());
        QVERIFY2(result.kind == Kind::NeedMore,
                 qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(result.message)));
    }
    QVERIFY(HttpRequestFramer::examine(request, HttpRequestFramer::Limits()).kind == Kind::Complete);
}

void TestHttpRequestFramer::refusals_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");

    QTest::newRow("chunk size ZZ") << post("Transfer-Encoding: chunked\r\n", "ZZ\r\n") << 400
                                   << "Invalid chunk size 'ZZ': a chunk size is hexadecimal digits";
    QTest::newRow("negative chunk size") << post("Transfer-Encoding: chunked\r\n", "-5\r\n") << 400
                                         << "Invalid chunk size '-5': a chunk size is hexadecimal digits";
    QTest::newRow("empty chunk size") << post("Transfer-Encoding: chunked\r\n", "\r\n") << 400
                                      << "Invalid chunk size '': a chunk size is hexadecimal digits";
    QTest::newRow("overflowing chunk size") << post("Transfer-Encoding: chunked\r\n", "10000000000000000\r\n")
                                            << 400 << "Chunk size '10000000000000000' overflows";
    QTest::newRow("chunk longer than its size")
        << post("Transfer-Encoding: chunked\r\n", "1\r\n{}\r\n0\r\n\r\n") << 400
        << "Chunk data is not followed by CRLF: the chunk size (1 bytes) does not match the data sent";
    QTest::newRow("Content-Length -5") << post("Content-Length: -5\r\n", "") << 400
                                       << "Content-Length must be a whole number of bytes, not '-5'";
    QTest::newRow("Content-Length abc") << post("Content-Length: abc\r\n", "") << 400
                                        << "Content-Length must be a whole number of bytes, not 'abc'";
    QTest::newRow("Content-Length 1.5") << post("Content-Length: 1.5\r\n", "") << 400
                                        << "Content-Length must be a whole number of bytes, not '1.5'";
    QTest::newRow("conflicting Content-Lengths")
        << post("Content-Length: 2\r\nContent-Length: 3\r\n", "{}") << 400
        << "The request has conflicting Content-Length values";
    QTest::newRow("Content-Length and chunked")
        << post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nGET / HTTP/1.1\r\n\r\n")
        << 400 << "The request has both Content-Length and Transfer-Encoding; send only one of them";
    QTest::newRow("chunked and Content-Length")
        << post("Transfer-Encoding: chunked\r\nContent-length: 0\r\n", "") << 400
        << "The request has both Content-Length and Transfer-Encoding; send only one of them";
    QTest::newRow("gzip coding") << post("Transfer-Encoding: gzip, chunked\r\n", "") << 501
                                 << "Transfer-Encoding 'gzip, chunked' is not supported; only chunked is";
    QTest::newRow("chunked in HTTP/1.0")
        << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << 400
        << "Transfer-Encoding is not allowed in an HTTP/1.0 request";
    QTest::newRow("declared body over the limit")
        << post("Content-Length: 1048577\r\n", "") << 413
        << "The request body is declared as 1048577 bytes; the limit is 1048576";
    QTest::newRow("declared body beyond 64 bits")
        << post("Content-Length: 99999999999999999999999\r\n", "") << 413
        << "The request body is declared as 99999999999999999999999 bytes; the limit is 1048576";
    QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505
                              << "HTTP/2.0 is not supported; send HTTP/1.1";
    QTest::newRow("no version") << QByteArray("GET /\r\n\r\n") << 400 << "Malformed request line 'GET /'";
    QTest::newRow("space before colon")
        << QByteArray("GET / HTTP/1.1\r\nHost : h\r\n\r\n") << 400 << "Malformed header line 'Host : h'";
    QTest::newRow("line folding") << QByteArray("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n") << 400
                                  << "Header line folding (a line starting with whitespace) is not accepted";
    QTest::newRow("NUL in a value") << QByteArray("GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 26) << 400
                                    << "Header A holds a NUL character";
}

void TestHttpRequestFramer::refusals()
{
    QFETCH(QByteArray, data);
    QFETCH(int, status);
    QFETCH(QString, message);

    const HttpRequestFramer::Result result = HttpRequestFramer::examine(data, HttpRequestFramer::Limits());
    QVERIFY(result.kind == Kind::Refused);
    QCOMPARE(result.status, status);
    QCOMPARE(result.message, message);
}

void TestHttpRequestFramer::headerCountAndLineLengthLimits()
{
    const HttpRequestFramer::Limits limits;
    QByteArray head = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < limits.maxHeaderLines; ++i)
        head += "X-" + QByteArray::number(i) + ": v\r\n";
    QVERIFY(HttpRequestFramer::examine(head + "\r\n", limits).kind == Kind::Complete);
    HttpRequestFramer::Result result = HttpRequestFramer::examine(head + "X-One-More: v\r\n\r\n", limits);
    QCOMPARE(result.status, 431);
    QCOMPARE(result.message, QStringLiteral("The request has more than 100 header lines"));

    // A line over the limit is refused before it ends: a client cannot make the server wait for it.
    const QByteArray longValue(limits.maxLineBytes, 'a');
    result = HttpRequestFramer::examine("GET / HTTP/1.1\r\nX-Long: " + longValue, limits);
    QCOMPARE(result.status, 431);
    QCOMPARE(result.message, QStringLiteral("A header line is over 16384 bytes"));
    result = HttpRequestFramer::examine("GET /" + longValue, limits);
    QCOMPARE(result.status, 414);
    QCOMPARE(result.message, QStringLiteral("The request line is over 16384 bytes"));

    // Many lines each under the limit still make a head over the limit.
    HttpRequestFramer::Limits small;
    small.maxHeadBytes = 100;
    result = HttpRequestFramer::examine(
        "GET / HTTP/1.1\r\n" + QByteArray(60, 'a') + ": b\r\n" + QByteArray(60, 'c') + ": d\r\n", small);
    QCOMPARE(result.status, 431);
    QCOMPARE(result.message, QStringLiteral("The request head is over 100 bytes"));
}

void TestHttpRequestFramer::streamedBodyIsRefusedOnceOverTheLimit()
{
    HttpRequestFramer::Limits limits;
    limits.maxBodyBytes = 10;
    const QByteArray head = post("Transfer-Encoding: chunked\r\n", QByteArray());
    // Exactly at the limit, in two chunks: complete.
    QVERIFY(HttpRequestFramer::examine(head + "5\r\naaaaa\r\n5\r\nbbbbb\r\n0\r\n\r\n", limits).kind ==
            Kind::Complete);
    // One byte over is refused as soon as the chunk that goes over is announced, before its data.
    const HttpRequestFramer::Result result = HttpRequestFramer::examine(head + "5\r\naaaaa\r\n6\r\n", limits);
    QVERIFY(result.kind == Kind::Refused);
    QCOMPARE(result.status, 413);
    QCOMPARE(result.message, QStringLiteral("The chunked request body is over the limit of 10 bytes"));
}

QTEST_GUILESS_MAIN(TestHttpRequestFramer)
#include "tst_HttpRequestFramer.moc"

// The one reading of Retry-After (seconds, the three HTTP-date forms, past dates, garbage,
// negatives, the cap) and the 5xx/transport backoff schedule (0.5 s doubling to 8 s, jittered
// down to half, never above the cap).

#include "api/RetryPolicy.h"

#include <QTest>

class TestRetryPolicy : public QObject
{
    Q_OBJECT

private slots:
    void retryAfter_data();
    void retryAfter();
    void backoffDoublesToTheCap();
};

void TestRetryPolicy::retryAfter_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<qint64>("expectedMs"); // -1: not readable
    QTest::newRow("seconds") << QByteArray("1") << qint64(1000);
    QTest::newRow("zero") << QByteArray("0") << qint64(0);
    QTest::newRow("spaces around") << QByteArray(" 120 ") << qint64(120000);
    QTest::newRow("over the cap") << QByteArray("3600") << RetryPolicy::MaxRetryAfterMs;
    QTest::newRow("huge") << QByteArray("99999999999999999999999") << RetryPolicy::MaxRetryAfterMs;
    QTest::newRow("IMF-fixdate") << QByteArray("Fri, 04 Dec 2026 05:00:30 GMT") << qint64(30000);
    QTest::newRow("RFC 850") << QByteArray("Friday, 04-Dec-26 05:00:10 GMT") << qint64(10000);
    QTest::newRow("asctime") << QByteArray("Fri Dec  4 05:00:05 2026") << qint64(5000);
    QTest::newRow("date in the past") << QByteArray("Fri, 04 Dec 2026 04:59:00 GMT") << qint64(0);
    QTest::newRow("date far ahead") << QByteArray("Sat, 05 Dec 2026 05:00:00 GMT")
                                    << RetryPolicy::MaxRetryAfterMs;
    QTest::newRow("empty") << QByteArray("") << qint64(-1);
    QTest::newRow("negative") << QByteArray("-5") << qint64(-1);
    QTest::newRow("fraction") << QByteArray("1.5") << qint64(-1);
    QTest::newRow("garbage") << QByteArray("soon") << qint64(-1);
    QTest::newRow("no zone") << QByteArray("Fri, 04 Dec 2026 05:00:30") << qint64(-1);
    QTest::newRow("bad month") << QByteArray("Fri, 04 Foo 2026 05:00:30 GMT") << qint64(-1);
    QTest::newRow("bad day") << QByteArray("Fri, 31 Feb 2026 05:00:30 GMT") << qint64(-1);
    QTest::newRow("bad hour") << QByteArray("Fri, 04 Dec 2026 25:00:30 GMT") << qint64(-1);
}

void TestRetryPolicy::retryAfter()
{
    QFETCH(QByteArray, value);
    QFETCH(qint64, expectedMs);
    const QDateTime now(QDate(2026, 12, 4), QTime(5, 0, 0), Qt::UTC);
    const std::optional<qint64> parsed = RetryPolicy::retryAfterMs(value, now);
    if (expectedMs < 0) {
        QVERIFY2(!parsed, qPrintable(QString::number(parsed.value_or(-2))));
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(*parsed, expectedMs);
}

void TestRetryPolicy::backoffDoublesToTheCap()
{
    // Without jitter's help (random 1: the top of the range) the schedule itself.
    QCOMPARE(RetryPolicy::backoffMs(1, 1.0), 500);
    QCOMPARE(RetryPolicy::backoffMs(2, 1.0), 1000);
    QCOMPARE(RetryPolicy::backoffMs(3, 1.0), 2000);
    QCOMPARE(RetryPolicy::backoffMs(4, 1.0), 4000);
    QCOMPARE(RetryPolicy::backoffMs(5, 1.0), 8000);
    QCOMPARE(RetryPolicy::backoffMs(6, 1.0), 8000);
    QCOMPARE(RetryPolicy::backoffMs(1000, 1.0), 8000);
    // Jitter takes it down to half, never below, never above the cap.
    QCOMPARE(RetryPolicy::backoffMs(1, 0.0), 250);
    QCOMPARE(RetryPolicy::backoffMs(9, 0.0), 4000);
    for (int failures = 1; failures < 40; ++failures) {
        for (double r : {0.0, 0.3, 0.99}) {
            const qint64 delay = RetryPolicy::backoffMs(failures, r);
            QVERIFY(delay >= 250 && delay <= 8000);
        }
    }
    // Other bases and caps (the importer's options), and nonsense clamped.
    QCOMPARE(RetryPolicy::backoffMs(3, 1.0, 10, 30), 30);
    QCOMPARE(RetryPolicy::backoffMs(0, 1.0), 500);
    QCOMPARE(RetryPolicy::backoffMs(-3, 5.0), 500);
}

QTEST_APPLESS_MAIN(TestRetryPolicy)
#include "tst_RetryPolicy.moc"

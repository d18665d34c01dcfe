// The pacer on its own, on the real clock: sends as soon as it allows them are evenly spaced, no
// window ever holds more than the limit, the average rate stays within a few percent of the limit
// (late timers do not add up), a backOff() pauses a whole window, and a lower limit applies at once.

#include "RatePacer.h"

#include <QElapsedTimer>
#include <QTest>

#include <thread>

namespace {

// Sends n times, each as soon as the pacer allows; returns the send times (ms from the start).
QList<qint64> sendAsAllowed(RatePacer &pacer, int n)
{
    QElapsedTimer clock;
    clock.start();
    QList<qint64> times;
    while (times.size() < n) {
        const qint64 wait = pacer.delayUntilNextSend();
        if (wait > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(wait));
            continue;
        }
        pacer.recordSend();
        times.append(clock.elapsed());
    }
    return times;
}

} // namespace

class TestRatePacer : public QObject
{
    Q_OBJECT

private slots:
    void evenlySpacedWithinTheWindow();
    void backOffPausesAWindow();
    void lowerLimitAppliesAtOnce();
};

void TestRatePacer::evenlySpacedWithinTheWindow()
{
    RatePacer pacer(20, 1000);
    QCOMPARE(pacer.limit(), 20);
    QCOMPARE(pacer.windowMs(), 1000);
    QCOMPARE(pacer.delayUntilNextSend(), 0);
    const QList<qint64> times = sendAsAllowed(pacer, 50);
    // Any 21 sends span at least a window.
    for (int i = 20; i < times.size(); ++i)
        QVERIFY2(times.at(i) - times.at(i - 20) >= 1000,
                 qPrintable(QString::number(times.at(i) - times.at(i - 20))));
    // Evenly: no two sends closer than about half a spacing (50 ms).
    for (int i = 1; i < times.size(); ++i)
        QVERIFY2(times.at(i) - times.at(i - 1) >= 40,
                 qPrintable(QString::number(times.at(i) - times.at(i - 1))));
    // And not slower than the limit by more than the safety margin and a little timer slack.
    const double perSecond = 49 * 1000.0 / (times.last() - times.first());
    qInfo("50 sends at 20/s allowed: %.2f/s", perSecond);
    QVERIFY2(perSecond > 20 * 0.93 && perSecond <= 20, qPrintable(QString::number(perSecond)));
}

void TestRatePacer::backOffPausesAWindow()
{
    RatePacer pacer(100, 400);
    pacer.recordSend();
    pacer.backOff();
    const qint64 wait = pacer.delayUntilNextSend();
    QVERIFY2(wait >= 395 && wait <= 400, qPrintable(QString::number(wait)));
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    QCOMPARE(pacer.delayUntilNextSend(), 0);
}

void TestRatePacer::lowerLimitAppliesAtOnce()
{
    RatePacer pacer(1800, 1000);
    const QList<qint64> burst = sendAsAllowed(pacer, 5);
    QVERIFY(burst.last() < 100);
    pacer.setLimit(5);
    QCOMPARE(pacer.limit(), 5);
    // Five sends are already in the window: the sixth waits for the first to leave it.
    const qint64 wait = pacer.delayUntilNextSend();
    QVERIFY2(wait >= 900, qPrintable(QString::number(wait)));
    pacer.setLimit(0); // never below one per window
    QCOMPARE(pacer.limit(), 1);
}

QTEST_APPLESS_MAIN(TestRatePacer)
#include "tst_RatePacer.moc"

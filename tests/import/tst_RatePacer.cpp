// The pacer on its own, on the real clock: sends as soon as it allows them are evenly spaced, no
// window ever holds more than the limit, the average rate stays within a few percent of the limit
// (late timers do not add up), a backOff() pauses for the server's Retry-After or, without one, only
// until one slot of the window is free, never past the limit, and a lower limit applies at once.

#include "import/RatePacer.h"

#include <QElapsedTimer>
#include <QTest>

#include <functional>
#include <thread>

namespace {

// Sends n times, each as soon as the pacer allows; returns the send times (ms from the start).
// afterSend(k) runs after the k-th send (1-based), e.g. to play a server's 429.
QList<qint64> sendAsAllowed(RatePacer &pacer, int n, const std::function<void(int)> &afterSend = {})
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
        if (afterSend)
            afterSend(static_cast<int>(times.size()));
    }
    return times;
}

} // namespace

class TestRatePacer : public QObject
{
    Q_OBJECT

private slots:
    void evenlySpacedWithinTheWindow();
    void backOffHonoursRetryAfter();
    void backOffWithoutRetryAfterWaitsForOneSlot();
    void backOffNeverLetsTheWindowOverfill();
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

void TestRatePacer::backOffHonoursRetryAfter()
{
    RatePacer pacer(1000, 10000); // a spacing of 10 ms, a window of 10 s
    pacer.recordSend();
    QCOMPARE(pacer.pausedForMs(), 0);
    pacer.backOff(300); // Retry-After, as RetryPolicy read it
    const qint64 wait = pacer.delayUntilNextSend();
    QVERIFY2(wait > 250 && wait <= 300, qPrintable(QString::number(wait)));
    QVERIFY(pacer.pausedForMs() > 250 && pacer.pausedForMs() <= 300);
    // A shorter Retry-After from an answer that arrives later never cuts the pause short.
    pacer.backOff(50);
    QVERIFY(pacer.delayUntilNextSend() > 250);
    std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    QCOMPARE(pacer.pausedForMs(), 0);
    // Paused for 300 ms, not for the 10 s window.
    QCOMPARE(pacer.delayUntilNextSend(), 0);
}

void TestRatePacer::backOffWithoutRetryAfterWaitsForOneSlot()
{
    // 10 per 1 s: after 10 evenly spaced sends (about 1 s), a 429 with no Retry-After waits until
    // the oldest of them leaves the window, well under a whole window.
    RatePacer pacer(10, 1000);
    const QList<qint64> times = sendAsAllowed(pacer, 10);
    QVERIFY(times.last() >= 800);
    pacer.backOff(-1);
    const qint64 wait = pacer.delayUntilNextSend();
    QVERIFY2(wait > 0 && wait < 500, qPrintable(QString::number(wait)));
    // With nothing of ours in the window (someone else filled it), nothing tells when it empties:
    // the whole window.
    RatePacer idle(10, 1000);
    idle.backOff(-1);
    QVERIFY2(idle.delayUntilNextSend() >= 1000, qPrintable(QString::number(idle.delayUntilNextSend())));
    // "Retry-After: 0" still waits a spacing: never a storm of sends into a full window.
    RatePacer eager(10, 1000);
    eager.backOff(0);
    QVERIFY(eager.delayUntilNextSend() >= 100);
}

void TestRatePacer::backOffNeverLetsTheWindowOverfill()
{
    // 429s from another user of the key, each with a short Retry-After: the pacer's own count of
    // the window still holds; any 6 sends span at least a window.
    RatePacer pacer(5, 400);
    const QList<qint64> times = sendAsAllowed(pacer, 15, [&pacer](int sent) {
        if (sent % 2 == 0)
            pacer.backOff(1);
    });
    for (int i = 5; i < times.size(); ++i)
        QVERIFY2(times.at(i) - times.at(i - 5) >= 400,
                 qPrintable(QString::number(times.at(i) - times.at(i - 5))));
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

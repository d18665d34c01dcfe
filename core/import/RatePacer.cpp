#include "import/RatePacer.h"

#include <QtGlobal>

#include <algorithm>
#include <cmath>

namespace {

// The server counts a request when it reads it, the pacer when it is sent: the two clocks differ by
// the network's (or a busy event loop's) jitter. A window a little longer than the server's keeps
// one late request and one early one from landing in the same server window. 1% (600 ms of
// journy.io's minute) costs 1% of the rate, which the 0.97 target allows; at least 50 ms, for the
// short windows of tests, where a loaded machine delays the in-process server by tens of ms.
qint64 marginFor(int windowMs)
{
    return std::max<qint64>(windowMs / 100, 50);
}

// Evenly spaced sends drift later with every timer that fires a millisecond late; letting a send
// go a little before its slot keeps the average spacing exact without making bursts: up to half a
// spacing, at most 4 ms, and at least the clock's 1 ms tick (else at thousands per second every
// send would wait for the next tick).
double earlyToleranceMs(double spacingMs)
{
    return std::clamp(spacingMs / 2, 1.0, 4.0);
}

} // namespace

RatePacer::RatePacer(int limit, int windowMs) : m_limit(std::max(1, limit)), m_windowMs(std::max(1, windowMs))
{
    m_clock.start();
}

void RatePacer::setLimit(int limit)
{
    m_limit = std::max(1, limit);
}

qint64 RatePacer::effectiveWindowMs() const
{
    return m_windowMs + marginFor(m_windowMs);
}

double RatePacer::spacingMs() const
{
    return double(effectiveWindowMs()) / m_limit;
}

void RatePacer::expire(qint64 now)
{
    const qint64 window = effectiveWindowMs();
    while (!m_sends.empty() && m_sends.front() <= now - window)
        m_sends.pop_front();
}

qint64 RatePacer::delayUntilNextSend()
{
    const qint64 now = m_clock.elapsed();
    expire(now);
    qint64 wait = std::max<qint64>(0, m_pausedUntil - now);
    // The hard rule: never `limit` sends already in the window that would hold this one.
    if (static_cast<qint64>(m_sends.size()) >= m_limit) {
        const qint64 oldestCounted = m_sends[m_sends.size() - static_cast<size_t>(m_limit)];
        wait = std::max(wait, oldestCounted + effectiveWindowMs() - now);
    }
    // Even spacing: a burst at the start of a window would be legal but would leave the server
    // (and anyone else on the key) nothing for the rest of it.
    const double slot = m_nextSlot - earlyToleranceMs(spacingMs());
    if (slot > now)
        wait = std::max(wait, static_cast<qint64>(std::ceil(slot - now)));
    return wait;
}

void RatePacer::recordSend()
{
    const qint64 now = m_clock.elapsed();
    expire(now);
    m_sends.push_back(now);
    // The slot after this one, counted from the schedule rather than from now, so a send that went
    // a little early or late does not shift every later one.
    m_nextSlot = std::max(m_nextSlot, double(now)) + spacingMs();
}

void RatePacer::backOff(qint64 retryAfterMs)
{
    const qint64 now = m_clock.elapsed();
    expire(now);
    qint64 wait = retryAfterMs;
    if (wait < 0) {
        // The server's window is full. Its oldest request is at the latest our oldest one still in
        // the window: when that leaves, one slot is free. With none of ours in the window, someone
        // else filled it and nothing tells when it empties: then a whole window.
        wait = m_sends.empty() ? effectiveWindowMs() : m_sends.front() + effectiveWindowMs() - now;
    }
    // At least one spacing, so a "Retry-After: 0" does not turn into a storm of refused sends.
    wait = std::max(wait, static_cast<qint64>(std::ceil(spacingMs())));
    m_pausedUntil = std::max(m_pausedUntil, now + wait);
}

qint64 RatePacer::pausedForMs() const
{
    return std::max<qint64>(0, m_pausedUntil - m_clock.elapsed());
}

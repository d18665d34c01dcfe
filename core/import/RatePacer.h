#pragma once

#include <QElapsedTimer>

#include <deque>

// Spaces sends so that no sliding window of windowMs ever holds more than the limit: at most
// `limit` sends per window, evenly spread (one every windowMs / limit). The limit is the lower of
// the server's X-RateLimit-Limit and the user's ceiling. A 429 pauses sending for as long as the
// server's Retry-After says, or, without one, until the oldest send on record leaves the window
// (the soonest one slot is sure to be free), never a blind whole window. A pause only ever adds to
// the wait: 429s caused by someone else on the same key never let the pacer's own count of the
// window go above the limit.
class RatePacer
{
public:
    explicit RatePacer(int limit = 1800, int windowMs = 60000);

    void setLimit(int limit);
    int limit() const { return m_limit; }
    int windowMs() const { return m_windowMs; }
    // Milliseconds until the next send is allowed (0: now).
    qint64 delayUntilNextSend();
    // Records a send made now.
    void recordSend();
    // The server said 429: nothing is sent for retryAfterMs (its Retry-After, read by
    // RetryPolicy), or with none (-1) until the sliding window has room for one more send.
    void backOff(qint64 retryAfterMs);
    // Milliseconds a 429 still holds sending (0: not paused), for "rate limited, retrying in N s".
    qint64 pausedForMs() const;

private:
    // windowMs plus a safety margin for the jitter between sending and the server's clock.
    qint64 effectiveWindowMs() const;
    double spacingMs() const;
    void expire(qint64 now);

    int m_limit;
    int m_windowMs;
    QElapsedTimer m_clock;
    std::deque<qint64> m_sends;
    qint64 m_pausedUntil = 0;
    double m_nextSlot = 0; // when the next evenly spaced send is due, on m_clock
};

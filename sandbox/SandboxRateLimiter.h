#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

#include <deque>

// journy.io's limit: N requests per key in any sliding window. Keeps the acceptance times per key;
// a request is accepted while fewer than N were accepted in the window before it.
class SandboxRateLimiter
{
public:
    SandboxRateLimiter(int limit, int windowMs);

    // Records and accepts the request, or refuses it; *remaining is what is left afterwards.
    bool tryAcquire(const QString &key, int *remaining);
    int remaining(const QString &key);
    // Whole seconds until the key's oldest request leaves the window, so a refused client knows
    // when to try again (Retry-After); at least 1.
    int secondsUntilFree(const QString &key);
    int limit() const { return m_limit; }
    // The most requests accepted for any one key within any one window so far.
    int maxPerWindow() const { return m_maxPerWindow; }

private:
    void expire(std::deque<qint64> &times, qint64 now) const;

    int m_limit;
    qint64 m_windowMs;
    QElapsedTimer m_clock;
    QHash<QString, std::deque<qint64>> m_accepted;
    int m_maxPerWindow = 0;
};

#include "sandbox/SandboxRateLimiter.h"

#include <algorithm>

SandboxRateLimiter::SandboxRateLimiter(int limit, int windowMs) : m_limit(limit), m_windowMs(windowMs)
{
    m_clock.start();
}

void SandboxRateLimiter::expire(std::deque<qint64> &times, qint64 now) const
{
    while (!times.empty() && times.front() <= now - m_windowMs)
        times.pop_front();
}

bool SandboxRateLimiter::tryAcquire(const QString &key, int *remaining)
{
    const qint64 now = m_clock.elapsed();
    std::deque<qint64> &times = m_accepted[key];
    expire(times, now);
    if (static_cast<int>(times.size()) >= m_limit) {
        *remaining = 0;
        return false;
    }
    times.push_back(now);
    // The window ending now holds every accepted request; its count can only peak at an acceptance.
    m_maxPerWindow = std::max(m_maxPerWindow, static_cast<int>(times.size()));
    *remaining = m_limit - static_cast<int>(times.size());
    return true;
}

int SandboxRateLimiter::remaining(const QString &key)
{
    auto it = m_accepted.find(key);
    if (it == m_accepted.end())
        return m_limit;
    expire(*it, m_clock.elapsed());
    return m_limit - static_cast<int>(it->size());
}

int SandboxRateLimiter::secondsUntilFree(const QString &key)
{
    auto it = m_accepted.find(key);
    const qint64 now = m_clock.elapsed();
    if (it == m_accepted.end())
        return 1;
    expire(*it, now);
    if (it->empty())
        return 1;
    const qint64 waitMs = it->front() + m_windowMs - now;
    return std::max<qint64>(1, (waitMs + 999) / 1000);
}

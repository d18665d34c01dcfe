#pragma once

#include <QDateTime>

// The latest X-RateLimit-Limit / X-RateLimit-Remaining a server sent; -1 when not (yet) known.
class RateLimitState
{
public:
    int limit = -1;
    int remaining = -1;
    QDateTime observedAt;

    bool isKnown() const { return limit >= 0 && remaining >= 0; }
    bool operator==(const RateLimitState &other) const
    {
        return limit == other.limit && remaining == other.remaining && observedAt == other.observedAt;
    }
};

#pragma once

#include <QByteArray>
#include <QDateTime>

#include <optional>

// When to send again after an answer that asks for it: the one reading of Retry-After (for the
// retry of the refused rows and for the pacer alike) and the one backoff schedule for 5xx and
// transport failures.
class RetryPolicy
{
public:
    // A server that names a wait longer than this is not waited on for longer: an import that
    // stands still for more than five minutes looks hung, and the rows' 429 count still bounds how
    // often they are tried.
    static constexpr qint64 MaxRetryAfterMs = 300000;
    static constexpr qint64 BackoffBaseMs = 500;
    static constexpr qint64 BackoffCapMs = 8000;

    // Retry-After (RFC 9110 10.2.3): delay-seconds (digits only) or an HTTP-date (IMF-fixdate, or
    // the obsolete RFC 850 and asctime forms a recipient must accept). A date in the past is 0.
    // std::nullopt for an empty, negative or unreadable value. Capped at MaxRetryAfterMs.
    static std::optional<qint64> retryAfterMs(const QByteArray &value, const QDateTime &now);

    // Wait before the next attempt after `failures` failed ones (1: the first failure): baseMs
    // doubled per failure, capped at capMs, then jittered down to half of it at random (random01
    // in [0, 1)) so rows that failed together do not come back together. Never above capMs.
    static qint64 backoffMs(int failures, double random01, qint64 baseMs = BackoffBaseMs,
                            qint64 capMs = BackoffCapMs);
};

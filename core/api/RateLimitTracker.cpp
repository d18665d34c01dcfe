#include "api/RateLimitTracker.h"

#include <QCryptographicHash>

RateLimitTracker::RateLimitTracker(QObject *parent) : QObject(parent) {}

QString RateLimitTracker::scopeFor(const QString &baseUrl, const QString &apiKey)
{
    // A truncated hash is enough to tell keys apart and cannot be turned back into the key.
    const QByteArray fingerprint =
        QCryptographicHash::hash(apiKey.toUtf8(), QCryptographicHash::Sha256).toHex().left(16);
    return baseUrl + QLatin1Char('#') + QString::fromLatin1(fingerprint);
}

RateLimitState RateLimitTracker::state(const QString &scope) const
{
    return m_states.value(scope);
}

void RateLimitTracker::record(const QString &scope, const RateLimitState &state)
{
    if (!state.isKnown())
        return;
    // Answers to parallel requests arrive in any order: one that reports more left than an answer
    // a moment ago was counted earlier by the server, so it is not news. (The window does refill,
    // but not within a second.)
    const auto previous = m_states.constFind(scope);
    if (previous != m_states.constEnd() && previous->limit == state.limit &&
        state.remaining > previous->remaining && previous->observedAt.msecsTo(state.observedAt) < 1000)
        return;
    m_states.insert(scope, state);
    emit changed(scope, state);
}

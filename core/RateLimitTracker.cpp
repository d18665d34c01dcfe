#include "RateLimitTracker.h"

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
    m_states.insert(scope, state);
    emit changed(scope, state);
}

#pragma once

#include "api/RateLimitState.h"

#include <QHash>
#include <QObject>
#include <QString>

// The latest rate-limit state per (base URL, API key): the gauge in the status bar listens to
// changed(), bulk import reads state() to pace itself. Keys are identified by a SHA-256
// fingerprint (scopeFor), so the tracker never holds a key.
class RateLimitTracker : public QObject
{
    Q_OBJECT
public:
    explicit RateLimitTracker(QObject *parent = nullptr);

    static QString scopeFor(const QString &baseUrl, const QString &apiKey);

    RateLimitState state(const QString &scope) const;
    // Keeps the newest news: a higher Remaining within a second of a lower one is an answer that
    // overtook another, and is ignored.
    void record(const QString &scope, const RateLimitState &state);

signals:
    void changed(const QString &scope, const RateLimitState &state);

private:
    QHash<QString, RateLimitState> m_states;
};

#pragma once

#include "api/RateLimitState.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QTimer;

// The status bar's view of the rate limit: Remaining / Limit as a bar that turns from green to
// amber to red as it drains, and when the sliding window will have refilled if the console sends
// nothing more (journy.io counts requests over the last 60 seconds).
class RateLimitGauge : public QWidget
{
    Q_OBJECT
public:
    explicit RateLimitGauge(QWidget *parent = nullptr);

    void setState(const RateLimitState &state);
    void reset();
    QString text() const;

    static constexpr int WindowSeconds = 60;

private:
    void updateRefill();
    // The bar's style sheet with its chunk in colour.
    static QString barStyle(const QString &colour);

    QProgressBar *m_rateLimitProgressBar;
    QLabel *m_refillLabel;
    QTimer *m_timer;
    RateLimitState m_state;
};

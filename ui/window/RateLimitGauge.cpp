#include "ui/window/RateLimitGauge.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QTimer>

RateLimitGauge::RateLimitGauge(QWidget *parent)
    : QWidget(parent), m_rateLimitProgressBar(new QProgressBar(this)), m_refillLabel(new QLabel(this)),
      m_timer(new QTimer(this))
{
    setObjectName(QStringLiteral("rateLimitGauge"));
    m_rateLimitProgressBar->setObjectName(QStringLiteral("rateLimitProgressBar"));
    m_refillLabel->setObjectName(QStringLiteral("refillLabel"));
    m_rateLimitProgressBar->setAccessibleName(tr("Rate limit remaining"));
    m_rateLimitProgressBar->setTextVisible(true);
    // "Remaining / Limit" centred inside the bar, whatever the platform's style would do with it
    // (beside the bar, or not at all): the bar is drawn from a style sheet (see barStyle), and is
    // wide enough for the longest reading.
    m_rateLimitProgressBar->setAlignment(Qt::AlignCenter);
    m_rateLimitProgressBar->setMinimumWidth(
        m_rateLimitProgressBar->fontMetrics().horizontalAdvance(tr("%1 / %2").arg(88888).arg(88888)) +
        4 * m_rateLimitProgressBar->fontMetrics().averageCharWidth());
    m_rateLimitProgressBar->setMaximumWidth(std::max(180, m_rateLimitProgressBar->minimumWidth()));
    setToolTip(tr("Requests left in journy.io's sliding 60-second window for this profile's key"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Rate limit:"), this));
    layout->addWidget(m_rateLimitProgressBar);
    layout->addWidget(m_refillLabel);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &RateLimitGauge::updateRefill);
    reset();
}

void RateLimitGauge::reset()
{
    m_state = RateLimitState();
    m_rateLimitProgressBar->setRange(0, 1);
    m_rateLimitProgressBar->setValue(0);
    m_rateLimitProgressBar->setFormat(tr("unknown"));
    m_rateLimitProgressBar->setStyleSheet(barStyle(QStringLiteral("transparent")));
    m_refillLabel->clear();
    m_timer->stop();
}

void RateLimitGauge::setState(const RateLimitState &state)
{
    if (!state.isKnown()) {
        reset();
        return;
    }
    m_state = state;
    m_rateLimitProgressBar->setRange(0, std::max(1, state.limit));
    m_rateLimitProgressBar->setValue(std::clamp(state.remaining, 0, state.limit));
    m_rateLimitProgressBar->setFormat(tr("%1 / %2").arg(state.remaining).arg(state.limit));
    const double share = state.limit > 0 ? double(state.remaining) / state.limit : 0;
    const QString colour = share > 0.5    ? QStringLiteral("#2e7d32")
                           : share > 0.15 ? QStringLiteral("#f9a825")
                                          : QStringLiteral("#c62828");
    m_rateLimitProgressBar->setStyleSheet(barStyle(colour));
    updateRefill();
    m_timer->start();
}

QString RateLimitGauge::barStyle(const QString &colour)
{
    return QStringLiteral(
               "QProgressBar { border: 1px solid palette(mid); border-radius: 3px; text-align: center; }"
               " QProgressBar::chunk { background: %1; }")
        .arg(colour);
}

void RateLimitGauge::updateRefill()
{
    if (!m_state.isKnown() || m_state.remaining >= m_state.limit) {
        m_refillLabel->setText(m_state.isKnown() ? tr("full") : QString());
        m_timer->stop();
        return;
    }
    const qint64 left = WindowSeconds - m_state.observedAt.secsTo(QDateTime::currentDateTimeUtc());
    if (left <= 0) {
        m_refillLabel->setText(tr("full again (if nothing else used the key)"));
        m_timer->stop();
        return;
    }
    m_refillLabel->setText(tr("full in %1 s if idle").arg(left));
}

QString RateLimitGauge::text() const
{
    return m_rateLimitProgressBar->format() + QLatin1Char(' ') + m_refillLabel->text();
}

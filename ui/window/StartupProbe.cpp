#include "ui/window/StartupProbe.h"

#include <QApplication>
#include <QEvent>
#include <QFile>
#include <QTimer>
#include <QWidget>

#include <cstdio>

StartupProbe::StartupProbe(const QElapsedTimer &clock, QObject *parent) : QObject(parent), m_clock(clock) {}

void StartupProbe::watch(QWidget *window, const QElapsedTimer &clock)
{
    std::printf("window-built-ms %lld\n", static_cast<long long>(clock.elapsed()));
    window->installEventFilter(new StartupProbe(clock, window));
}

bool StartupProbe::eventFilter(QObject *watched, QEvent *event)
{
    if (!m_painted && event->type() == QEvent::Paint) {
        m_painted = true;
        const qint64 elapsed = m_clock.elapsed();
        // After the paint has been handled, not before: that is when a user sees the window.
        QTimer::singleShot(0, this, [elapsed] {
            std::printf("first-paint-ms %lld\n", static_cast<long long>(elapsed));
            std::fflush(stdout);
        });
        QTimer::singleShot(2000, this, [] {
            std::printf("idle-rss-kb %lld\n", static_cast<long long>(residentKilobytes()));
            std::fflush(stdout);
            QApplication::quit();
        });
    }
    return QObject::eventFilter(watched, event);
}

qint64 StartupProbe::residentKilobytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1; // not Linux: the benchmark script measures from outside there
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').constFirst().toLongLong();
    }
    return -1;
}

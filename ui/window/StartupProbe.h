#pragma once

#include <QElapsedTimer>
#include <QObject>

class QWidget;

// For the startup benchmark: prints the milliseconds from process start to the window's first
// paint, then, after two idle seconds, the resident memory, and quits.
class StartupProbe : public QObject
{
    Q_OBJECT
public:
    static void watch(QWidget *window, const QElapsedTimer &clock);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    StartupProbe(const QElapsedTimer &clock, QObject *parent);
    static qint64 residentKilobytes();

    QElapsedTimer m_clock;
    bool m_painted = false;
};

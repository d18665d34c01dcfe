#pragma once

#include <QObject>

#include <memory>

class QSocketNotifier;

// Turns Ctrl+C (SIGINT) into a signal of the event loop while an import journals, so the import
// stops cleanly (rows in flight answered and journaled, queued rows returned to pending) and says
// how to resume, instead of dying between two journal writes. A second Ctrl+C kills at once
// (the handler is one-shot); the journal is safe then too. One watcher at a time per process.
class InterruptWatcher : public QObject
{
    Q_OBJECT
public:
    explicit InterruptWatcher(QObject *parent = nullptr);
    // Puts the default handling back.
    ~InterruptWatcher() override;

    // Ctrl+C came: readable from code that blocks the event loop (preparing a file).
    static bool interrupted();

signals:
    void interruptedChanged();

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
};

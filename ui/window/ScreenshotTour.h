#pragma once

#include <QObject>
#include <QString>
#include <QTemporaryDir>

class ConsolePage;
class MainWindow;

// Walks the main window through its pages and saves a PNG of each (for the README; run by
// scripts/screenshots.sh under Xvfb). Before the Users and Events pages it sends a sample
// request, so their response panels show a real answer from the sandbox; on the Bulk import page it
// imports a small sample file (two of its rows invalid) and waits for the summary.
class ScreenshotTour : public QObject
{
    Q_OBJECT
public:
    ScreenshotTour(MainWindow *window, const QString &directory, QObject *parent = nullptr);

    void start();

signals:
    void finished(bool ok);

private:
    void next();
    void grabAndGoOn(int delayMs);
    // Starts the sample import on the Bulk import page; false on any other page.
    bool importSample(ConsolePage *page);
    // On the Live page: the relay started and a customer's calls (an SDK 3.1.0 backend) through it.
    bool liveSample(ConsolePage *page);

    MainWindow *m_window;
    QString m_directory;
    int m_index = 0;
    bool m_ok = true;
    QTemporaryDir m_sampleDir;
};

#pragma once

#include <QObject>
#include <QString>

class MainWindow;

// Walks the main window through its pages and saves a PNG of each (for the README; run by
// scripts/screenshots.sh under Xvfb). Before the Users and Events pages it sends a sample
// request, so their response panels show a real answer from the sandbox.
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

    MainWindow *m_window;
    QString m_directory;
    int m_index = 0;
    bool m_ok = true;
};

#pragma once

#include <QMainWindow>

class KeyCheckPanel;

// The console's main window. For now it holds the connection check; the task pages (users,
// accounts, events, catalog, history, ...) are added by the console issue.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

    KeyCheckPanel *keyCheckPanel() const { return m_keyCheckPanel; }

private:
    KeyCheckPanel *m_keyCheckPanel;
};

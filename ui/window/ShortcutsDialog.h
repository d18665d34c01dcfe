#pragma once

#include <QDialog>

class QTableWidget;

// Every keyboard shortcut of a window, read from its actions (the menus' and the pages'), so the
// list cannot drift from what the keys do: a shortcut is an action, never a bare QShortcut.
// Pages built later are missed, so MainWindow builds them all first.
class ShortcutsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget *window);

private:
    QTableWidget *m_shortcutsTableWidget;
};

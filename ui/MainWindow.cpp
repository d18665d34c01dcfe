#include "MainWindow.h"

#include "KeyCheckPanel.h"

#include <QCoreApplication>

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_keyCheckPanel(new KeyCheckPanel(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    m_keyCheckPanel->setObjectName(QStringLiteral("keyCheckPanel"));
    setCentralWidget(m_keyCheckPanel);
    setWindowTitle(tr("journy-console %1").arg(QCoreApplication::applicationVersion()));
    resize(720, 480);
}

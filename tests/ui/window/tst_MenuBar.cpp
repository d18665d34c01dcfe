// The main window's menu bar on the offscreen platform, as a user drives it: File (new profile,
// bulk import, quit), View (each page with its Ctrl+digit, the keyboard put in the page), Help
// (the keyboard shortcuts, listed from the window's actions, and About with the versions).
// A real ConsoleSession on the in-process sandbox and a real SQLite history.

#include "store/HistoryStore.h"
#include "support/PageTestSession.h"
#include "support/StrayAmpersands.h"
#include "ui/widgets/ConsolePage.h"
#include "ui/window/AboutDialog.h"
#include "ui/window/MainWindow.h"
#include "ui/window/ProfileDialog.h"
#include "ui/window/ShortcutsDialog.h"

#include <QAction>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSettings>
#include <QShortcut>
#include <QStackedWidget>
#include <QTableWidget>
#include <QTest>

#include <memory>

namespace {

// The shortcuts dialog's rows as the user reads them: {keys, action, where}.
QList<QStringList> shortcutRows(const ShortcutsDialog *dialog)
{
    QList<QStringList> rows;
    const auto *table = dialog->findChild<QTableWidget *>(QStringLiteral("shortcutsTableWidget"));
    for (int row = 0; row < table->rowCount(); ++row) {
        QStringList cells;
        for (int column = 0; column < table->columnCount(); ++column)
            cells << table->item(row, column)->text();
        rows << cells;
    }
    return rows;
}

// The menu's action whose text, without its mnemonic, is text.
QAction *menuAction(const QMenu *menu, const QString &text)
{
    for (QAction *action : menu->actions()) {
        if (action->iconText() == text)
            return action;
    }
    return nullptr;
}

} // namespace

class tst_MenuBar : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void menusFollowDesktopConventions();
    void viewActionsOpenPagesWithTheKeyboardInThem();
    void fileMenuOpensTheProfileDialogAndBulkImport();
    void ctrlQClosesTheWindow();
    void shortcutsDialogListsEveryShortcut();
    void readmeListsTheDialogsShortcuts();
    void aboutShowsTheVersions();

private:
    QMenu *menu(const QString &objectName) const { return m_window->findChild<QMenu *>(objectName); }
    // The dialog the Help menu's item opens: not there before, shown after (nullptr otherwise).
    template <class Dialog> Dialog *openFromHelp(const QString &item)
    {
        if (m_window->findChild<Dialog *>())
            return nullptr;
        menuAction(menu(QStringLiteral("helpMenu")), item)->trigger();
        auto *dialog = m_window->findChild<Dialog *>();
        return dialog && QTest::qWaitFor([dialog] { return dialog->isVisible(); }, 5000) ? dialog : nullptr;
    }

    std::unique_ptr<PageTestSession> m_console;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<MainWindow> m_window;
};

void tst_MenuBar::init()
{
    m_console = std::make_unique<PageTestSession>();
    m_history = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_history->open(m_console->dir.filePath(QStringLiteral("history.sqlite")), &error),
             qPrintable(error));
    m_window = std::make_unique<MainWindow>(&m_console->session, m_history.get(),
                                            m_console->dir.filePath(QStringLiteral("console.ini")));
    m_window->show();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_console->session.permissionsKnown(), 10000);
}

void tst_MenuBar::cleanup()
{
    m_window.reset();
    m_history.reset();
    m_console.reset();
}

void tst_MenuBar::menusFollowDesktopConventions()
{
    QStringList titles;
    for (QAction *action : m_window->menuBar()->actions())
        titles << action->iconText();
    QCOMPARE(titles, QStringList({QStringLiteral("File"), QStringLiteral("View"), QStringLiteral("Help")}));
    // Each menu title has one mnemonic (Alt+F, Alt+V, Alt+H), and no menu item shows a stray '&'.
    for (QAction *action : m_window->menuBar()->actions())
        QCOMPARE(action->text().count(QLatin1Char('&')), 1);
    for (const QString &name :
         {QStringLiteral("fileMenu"), QStringLiteral("viewMenu"), QStringLiteral("helpMenu")}) {
        QVERIFY(menu(name));
        for (QAction *action : menu(name)->actions())
            QVERIFY2(QString(action->text()).remove(QLatin1String("&&")).count(QLatin1Char('&')) <= 1,
                     qPrintable(action->text()));
    }
    QVERIFY(menuAction(menu(QStringLiteral("fileMenu")), QStringLiteral("New profile…")));
    QVERIFY(menuAction(menu(QStringLiteral("fileMenu")), QStringLiteral("Bulk import…")));
    QCOMPARE(menuAction(menu(QStringLiteral("fileMenu")), QStringLiteral("Quit"))->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_Q));
    QVERIFY(menuAction(menu(QStringLiteral("helpMenu")), QStringLiteral("Keyboard shortcuts…")));
    QVERIFY(menuAction(menu(QStringLiteral("helpMenu")), QStringLiteral("About journy-console")));
}

void tst_MenuBar::viewActionsOpenPagesWithTheKeyboardInThem()
{
    auto *navigation = m_window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"));
    auto *stack = m_window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    const QList<QAction *> actions = menu(QStringLiteral("viewMenu"))->actions();
    QCOMPARE(actions.size(), navigation->count());
    // One action per page, in the navigation's order, with Ctrl+1…Ctrl+9 and Ctrl+0 for the first
    // ten (Bulk import the tenth); the pages after them have no digit left.
    QVERIFY(actions.size() > 10);
    for (int i = 0; i < actions.size(); ++i) {
        QCOMPARE(actions.at(i)->text(), navigation->item(i)->text());
        const Qt::Key digit = i < 9 ? Qt::Key(Qt::Key_1 + i) : Qt::Key_0;
        QCOMPARE(actions.at(i)->shortcut(), i < 10 ? QKeySequence(Qt::CTRL | digit) : QKeySequence());
    }
    QCOMPARE(actions.at(9)->text(), QStringLiteral("Bulk import"));
    // Chosen in the menu, each shows its page with the keyboard in the page's first field.
    for (int i : {9, 3, 0, 8, 6}) {
        navigation->setFocus();
        actions.at(i)->trigger();
        QCOMPARE(stack->currentIndex(), i);
        QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), navigation->item(i)->text());
        QVERIFY(QApplication::focusWidget());
        QVERIFY2(stack->currentWidget()->isAncestorOf(QApplication::focusWidget()),
                 qPrintable(QApplication::focusWidget()->objectName()));
    }
    // Their keys do the same, from anywhere in the window (one shortcut each: no QShortcut left).
    navigation->setFocus();
    QTest::keyClick(m_window.get(), Qt::Key_2, Qt::ControlModifier);
    QCOMPARE(stack->currentIndex(), 1);
    QVERIFY(stack->currentWidget()->isAncestorOf(QApplication::focusWidget()));
    QTest::keyClick(m_window.get(), Qt::Key_0, Qt::ControlModifier);
    QCOMPARE(stack->currentIndex(), 9);
    QVERIFY(stack->currentWidget()->isAncestorOf(QApplication::focusWidget()));
}

void tst_MenuBar::fileMenuOpensTheProfileDialogAndBulkImport()
{
    auto *stack = m_window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"));
    menuAction(menu(QStringLiteral("fileMenu")), QStringLiteral("Bulk import…"))->trigger();
    QCOMPARE(qobject_cast<ConsolePage *>(stack->currentWidget())->title(), QStringLiteral("Bulk import"));
    QVERIFY(stack->currentWidget()->isAncestorOf(QApplication::focusWidget()));

    QVERIFY(!m_window->findChild<ProfileDialog *>());
    menuAction(menu(QStringLiteral("fileMenu")), QStringLiteral("New profile…"))->trigger();
    auto *dialog = m_window->findChild<ProfileDialog *>(QStringLiteral("profileDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    dialog->reject();
}

void tst_MenuBar::ctrlQClosesTheWindow()
{
    QTest::keyClick(m_window.get(), Qt::Key_4, Qt::ControlModifier); // Events
    QTest::keyClick(m_window.get(), Qt::Key_Q, Qt::ControlModifier);
    QTRY_VERIFY(!m_window->isVisible());
    // Closed as by the window's close button: what it remembers is saved.
    QSettings settings(m_console->dir.filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    QCOMPARE(settings.value(QStringLiteral("window/page")).toInt(), 3);
}

void tst_MenuBar::shortcutsDialogListsEveryShortcut()
{
    auto *dialog = openFromHelp<ShortcutsDialog>(QStringLiteral("Keyboard shortcuts…"));
    QVERIFY(dialog);
    const QList<QStringList> rows = shortcutRows(dialog);
    const auto listed = [&rows](const QStringList &row) { return rows.contains(row); };
    QVERIFY(listed({QStringLiteral("Ctrl+Q"), QStringLiteral("Quit"), QStringLiteral("Anywhere")}));
    QVERIFY(listed({QStringLiteral("Ctrl+1"), QStringLiteral("Users"), QStringLiteral("Anywhere")}));
    QVERIFY(listed({QStringLiteral("Ctrl+9"), QStringLiteral("History"), QStringLiteral("Anywhere")}));
    QVERIFY(listed({QStringLiteral("Ctrl+0"), QStringLiteral("Bulk import"), QStringLiteral("Anywhere")}));
    QVERIFY(listed({QStringLiteral("Ctrl+Return, Ctrl+Enter"), QStringLiteral("Send"),
                    QStringLiteral("Users, Accounts, Memberships, Events, Link device")}));
    QVERIFY(listed({QStringLiteral("Ctrl+F"), QStringLiteral("Search"), QStringLiteral("History")}));
    QVERIFY(listed({QStringLiteral("Ctrl+O"), QStringLiteral("Open in form"), QStringLiteral("History")}));
    QVERIFY(
        listed({QStringLiteral("Ctrl+Shift+C"), QStringLiteral("Copy as curl"), QStringLiteral("History")}));
    // Every key the window answers to is listed once: each is an action, none a bare QShortcut.
    QVERIFY(m_window->findChildren<QShortcut *>().isEmpty());
    QStringList keys;
    for (const QStringList &row : rows) {
        QVERIFY2(!keys.contains(row.at(0)), qPrintable(row.at(0)));
        keys << row.at(0);
        for (const QString &cell : row)
            QVERIFY2(!QString(cell).remove(QLatin1String("&&")).contains(QLatin1Char('&')), qPrintable(cell));
    }
    for (const QAction *action : m_window->findChildren<QAction *>()) {
        for (const QKeySequence &sequence : action->shortcuts()) {
            const QString key = sequence.toString(QKeySequence::NativeText);
            QVERIFY2(std::any_of(keys.cbegin(), keys.cend(),
                                 [&key](const QString &cell) {
                                     return cell.split(QLatin1String(", ")).contains(key);
                                 }),
                     qPrintable(key));
        }
    }
    QCOMPARE(strayAmpersands(dialog), QStringList());
}

void tst_MenuBar::readmeListsTheDialogsShortcuts()
{
    auto *dialog = openFromHelp<ShortcutsDialog>(QStringLiteral("Keyboard shortcuts…"));
    QVERIFY(dialog);
    // The README's table under "### Keyboard shortcuts", after its header and separator rows.
    QFile readme(QStringLiteral(JOURNY_README_FILE));
    QVERIFY(readme.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(readme.readAll()).split(QLatin1Char('\n'));
    qsizetype line = lines.indexOf(QStringLiteral("### Keyboard shortcuts"));
    QVERIFY(line >= 0);
    while (line < lines.size() && !lines.at(line).startsWith(QLatin1Char('|')))
        ++line;
    line += 2;
    QList<QStringList> table;
    for (; line < lines.size() && lines.at(line).startsWith(QLatin1Char('|')); ++line) {
        QStringList cells = lines.at(line).split(QLatin1Char('|'));
        cells = cells.mid(1, cells.size() - 2);
        for (QString &cell : cells)
            cell = cell.trimmed();
        table << cells;
    }
    QCOMPARE(table, shortcutRows(dialog));
}

void tst_MenuBar::aboutShowsTheVersions()
{
    auto *dialog = openFromHelp<AboutDialog>(QStringLiteral("About journy-console"));
    QVERIFY(dialog);
    const auto text = [dialog](const char *name) {
        return dialog->findChild<QLabel *>(QString::fromLatin1(name))->text();
    };
    QCOMPARE(text("versionLabel"), QStringLiteral(JOURNY_VERSION));
    QCOMPARE(text("qtVersionLabel"), QString::fromLatin1(qVersion()));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d+\\.\\d+$"))
                 .match(text("keychainVersionLabel"))
                 .hasMatch(),
             qPrintable(text("keychainVersionLabel")));
    // The spec's own info.version, read here from the file the project follows.
    QFile spec(QStringLiteral(JOURNY_SPEC_FILE));
    QVERIFY(spec.open(QIODevice::ReadOnly));
    const QString specVersion = QJsonDocument::fromJson(spec.readAll())
                                    .object()
                                    .value(QLatin1String("info"))
                                    .toObject()
                                    .value(QLatin1String("version"))
                                    .toString();
    QVERIFY(!specVersion.isEmpty());
    QCOMPARE(text("specVersionLabel"), specVersion);
    QCOMPARE(strayAmpersands(dialog), QStringList());
    dialog->reject();
    QTRY_VERIFY(!m_window->findChild<AboutDialog *>());
}

QTEST_MAIN(tst_MenuBar)
#include "tst_MenuBar.moc"

#include "ui/window/ShortcutsDialog.h"

#include "ui/widgets/ConsolePage.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QKeySequence>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {

// The page an action works in (its parent's page), or nullptr for the whole window.
const ConsolePage *pageOf(const QAction *action)
{
    for (const QObject *object = action->parent(); object; object = object->parent()) {
        if (const auto *page = qobject_cast<const ConsolePage *>(object))
            return page;
    }
    return nullptr;
}

// Where a page is in the window's navigation: its place among the pages stacked with it.
int placeOf(const ConsolePage *page)
{
    const auto *stack = qobject_cast<const QStackedWidget *>(page->parentWidget());
    return stack ? stack->indexOf(page) : 0;
}

class Row
{
public:
    QString keys;
    QString text;
    QList<const ConsolePage *> pages;
};

} // namespace

ShortcutsDialog::ShortcutsDialog(QWidget *window)
    : QDialog(window), m_shortcutsTableWidget(new QTableWidget(this))
{
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard shortcuts"));
    m_shortcutsTableWidget->setObjectName(QStringLiteral("shortcutsTableWidget"));

    // The window's own actions first (menus), then the pages'; an action every form has (Send)
    // is one row naming the pages.
    QList<Row> windowRows;
    QList<Row> pageRows;
    for (const QAction *action : window->findChildren<QAction *>()) {
        if (action->shortcuts().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &sequence : action->shortcuts())
            keys << sequence.toString(QKeySequence::NativeText);
        // iconText() is the label without its mnemonic '&'; a trailing "…" says nothing here.
        QString text = action->iconText();
        if (text.endsWith(QChar(0x2026)))
            text.chop(1);
        const ConsolePage *page = pageOf(action);
        QList<Row> &rows = page ? pageRows : windowRows;
        const Row row{keys.join(QLatin1String(", ")), text, {}};
        auto same = std::find_if(rows.begin(), rows.end(), [&row](const Row &other) {
            return other.keys == row.keys && other.text == row.text;
        });
        if (same == rows.end())
            same = rows.insert(rows.end(), row);
        if (page && !same->pages.contains(page))
            same->pages << page;
    }

    const QList<Row> rows = windowRows + pageRows;
    m_shortcutsTableWidget->setColumnCount(3);
    m_shortcutsTableWidget->setHorizontalHeaderLabels({tr("Keys"), tr("Action"), tr("Where")});
    m_shortcutsTableWidget->setRowCount(int(rows.size()));
    for (int i = 0; i < rows.size(); ++i) {
        Row row = rows.at(i);
        std::sort(row.pages.begin(), row.pages.end(),
                  [](const ConsolePage *a, const ConsolePage *b) { return placeOf(a) < placeOf(b); });
        QStringList titles;
        for (const ConsolePage *page : row.pages)
            titles << page->title();
        const QString where = titles.isEmpty() ? tr("Anywhere") : titles.join(QLatin1String(", "));
        const QStringList cells{row.keys, row.text, where};
        for (int column = 0; column < cells.size(); ++column)
            m_shortcutsTableWidget->setItem(i, column, new QTableWidgetItem(cells.at(column)));
    }
    m_shortcutsTableWidget->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_shortcutsTableWidget->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_shortcutsTableWidget->verticalHeader()->hide();
    m_shortcutsTableWidget->resizeColumnsToContents();
    m_shortcutsTableWidget->horizontalHeader()->setStretchLastSection(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_shortcutsTableWidget);
    layout->addWidget(buttons);
    resize(620, 480);
}

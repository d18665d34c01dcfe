#include "ui/catalog/CatalogPage.h"

#include "ui/catalog/CatalogModel.h"
#include "ui/session/ConsoleSession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

namespace {

CatalogModel::Kind kindOf(CatalogCache::List list)
{
    switch (list) {
    case CatalogCache::List::Events:
        return CatalogModel::Kind::Events;
    case CatalogCache::List::UserProperties:
    case CatalogCache::List::AccountProperties:
        return CatalogModel::Kind::Properties;
    case CatalogCache::List::UserSegments:
    case CatalogCache::List::AccountSegments:
        return CatalogModel::Kind::Segments;
    }
    return CatalogModel::Kind::Events;
}

} // namespace

CatalogPage::CatalogPage(ConsoleSession *session, CatalogCache *cache, QWidget *parent)
    : ConsolePage(session, parent), m_cache(cache), m_filterLineEdit(new QLineEdit(this)),
      m_refreshPushButton(new QPushButton(tr("&Refresh"), this)), m_countLabel(new QLabel(this)),
      m_fetchedAtLabel(new QLabel(this)), m_tabWidget(new QTabWidget(this))
{
    m_filterLineEdit->setObjectName(QStringLiteral("filterLineEdit"));
    m_filterLineEdit->setPlaceholderText(tr("Filter by name, ID, label or group"));
    m_filterLineEdit->setAccessibleName(tr("Filter the catalog"));
    m_filterLineEdit->setClearButtonEnabled(true);
    m_refreshPushButton->setObjectName(QStringLiteral("refreshPushButton"));
    m_refreshPushButton->setAccessibleName(tr("Refresh the catalog"));
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_fetchedAtLabel->setObjectName(QStringLiteral("fetchedAtLabel"));
    m_tabWidget->setObjectName(QStringLiteral("catalogTabWidget"));
    m_tabWidget->setAccessibleName(tr("Catalog lists"));

    addTab(CatalogCache::List::Events, QStringLiteral("events"));
    addTab(CatalogCache::List::UserProperties, QStringLiteral("userProperties"));
    addTab(CatalogCache::List::AccountProperties, QStringLiteral("accountProperties"));
    addTab(CatalogCache::List::UserSegments, QStringLiteral("userSegments"));
    addTab(CatalogCache::List::AccountSegments, QStringLiteral("accountSegments"));

    auto *toolbar = new QHBoxLayout;
    toolbar->addWidget(m_filterLineEdit, 1);
    toolbar->addWidget(m_fetchedAtLabel);
    toolbar->addWidget(m_refreshPushButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(toolbar);
    layout->addWidget(m_tabWidget, 1);
    layout->addWidget(m_countLabel);

    connect(m_filterLineEdit, &QLineEdit::textChanged, this, &CatalogPage::applyFilter);
    connect(m_refreshPushButton, &QPushButton::clicked, m_cache, &CatalogCache::refresh);
    connect(m_tabWidget, &QTabWidget::currentChanged, this, &CatalogPage::updateCounts);
    connect(m_tabWidget, &QTabWidget::currentChanged, this, &CatalogPage::updateFetchedAt);
    connect(m_cache, &CatalogCache::changed, this, &CatalogPage::showCache);
    connect(session, &ConsoleSession::stateChanged, this, &CatalogPage::updateRefreshButton);
    showCache();
}

void CatalogPage::addTab(CatalogCache::List list, const QString &objectNamePrefix)
{
    Tab tab;
    tab.list = list;
    tab.model = new CatalogModel(kindOf(list), this);
    tab.model->setObjectName(objectNamePrefix + QStringLiteral("CatalogModel"));
    tab.proxy = new QSortFilterProxyModel(this);
    tab.proxy->setSourceModel(tab.model);
    tab.proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    tab.proxy->setFilterKeyColumn(-1); // every text column: name, ID or label, group
    tab.proxy->setSortRole(CatalogModel::SortRole);
    tab.proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    auto *page = new QWidget(m_tabWidget);
    tab.messageLabel = new QLabel(page);
    tab.messageLabel->setObjectName(objectNamePrefix + QStringLiteral("MessageLabel"));
    tab.messageLabel->setWordWrap(true);
    tab.messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    tab.messageLabel->hide();
    tab.view = new QTableView(page);
    tab.view->setObjectName(objectNamePrefix + QStringLiteral("TableView"));
    tab.view->setAccessibleName(CatalogCache::displayName(list));
    tab.view->setModel(tab.proxy);
    tab.view->setSelectionBehavior(QAbstractItemView::SelectRows);
    tab.view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    tab.view->setAlternatingRowColors(true);
    tab.view->verticalHeader()->hide();
    tab.view->horizontalHeader()->setStretchLastSection(true);
    tab.view->horizontalHeader()->setSortIndicatorClearable(true);
    tab.view->setSortingEnabled(true);
    // The server's order until the user sorts: journy.io lists them in a meaningful order.
    tab.view->horizontalHeader()->setSortIndicator(-1, Qt::AscendingOrder);

    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tab.messageLabel);
    layout->addWidget(tab.view, 1);
    m_tabWidget->addTab(page, CatalogCache::displayName(list));
    // A list is fetched when its tab is first shown: each costs a request of the key's limit, and
    // a console started on this page spends one, not five.
    m_cache->ensureWhenShown(page, list);
    m_tabs.append(tab);
}

QList<Operation> CatalogPage::operations() const
{
    QList<Operation> operations;
    for (const Tab &tab : m_tabs)
        operations.append(CatalogCache::operationFor(tab.list));
    return operations;
}

bool CatalogPage::loadRequest(const ApiRequest &request)
{
    for (qsizetype i = 0; i < m_tabs.size(); ++i) {
        if (CatalogCache::operationFor(m_tabs.at(i).list) == request.operation) {
            m_tabWidget->setCurrentIndex(int(i));
            return true;
        }
    }
    return false;
}

void CatalogPage::showCache()
{
    for (const Tab &tab : std::as_const(m_tabs)) {
        switch (tab.list) {
        case CatalogCache::List::Events:
            tab.model->setEvents(m_cache->events());
            break;
        case CatalogCache::List::UserProperties:
            tab.model->setProperties(m_cache->userProperties());
            break;
        case CatalogCache::List::AccountProperties:
            tab.model->setProperties(m_cache->accountProperties());
            break;
        case CatalogCache::List::UserSegments:
            tab.model->setSegments(m_cache->userSegments());
            break;
        case CatalogCache::List::AccountSegments:
            tab.model->setSegments(m_cache->accountSegments());
            break;
        }
        showMessage(tab);
    }
    updateCounts();
    updateRefreshButton();
    updateFetchedAt();
}

void CatalogPage::showMessage(const Tab &tab)
{
    const QString error = m_cache->error(tab.list);
    QString text;
    if (!error.isEmpty()) {
        // A failed refresh keeps the last good list: say that what is shown may be out of date.
        text = m_cache->isLoaded(tab.list) ? tr("%1 The list below is from an earlier refresh.").arg(error)
                                           : error;
    } else if (m_cache->isLoading(tab.list) && !m_cache->isLoaded(tab.list)) {
        text = tr("Loading…");
    } else if (m_cache->isLoaded(tab.list) && tab.model->rowCount() == 0) {
        switch (tab.list) {
        case CatalogCache::List::Events:
            text = tr("No events yet: an event appears here once it has been tracked.");
            break;
        case CatalogCache::List::UserProperties:
            text = tr("No user properties yet: they appear once users are upserted with properties.");
            break;
        case CatalogCache::List::AccountProperties:
            text = tr("No account properties yet: they appear once accounts are upserted with properties.");
            break;
        case CatalogCache::List::UserSegments:
        case CatalogCache::List::AccountSegments:
            text = tr("No segments are defined in this project.");
            break;
        }
    }
    QFont font = tab.messageLabel->font();
    font.setBold(!error.isEmpty());
    tab.messageLabel->setFont(font);
    tab.messageLabel->setText(text);
    tab.messageLabel->setVisible(!text.isEmpty());
}

void CatalogPage::applyFilter(const QString &text)
{
    for (const Tab &tab : std::as_const(m_tabs))
        tab.proxy->setFilterFixedString(text.trimmed());
    updateCounts();
}

void CatalogPage::updateCounts()
{
    for (qsizetype i = 0; i < m_tabs.size(); ++i) {
        const Tab &tab = m_tabs.at(i);
        const QString name = CatalogCache::displayName(tab.list);
        m_tabWidget->setTabText(
            int(i), m_cache->isLoaded(tab.list) ? tr("%1 (%2)").arg(name).arg(tab.model->rowCount()) : name);
    }
    const int current = m_tabWidget->currentIndex();
    if (current < 0 || current >= m_tabs.size()) {
        m_countLabel->clear();
        return;
    }
    const Tab &tab = m_tabs.at(current);
    const int total = tab.model->rowCount();
    const QString filter = m_filterLineEdit->text().trimmed();
    m_countLabel->setText(
        filter.isEmpty() ? tr("%1: %2 in total").arg(CatalogCache::displayName(tab.list)).arg(total)
                         : tr("%1: %2 of %3 match “%4”")
                               .arg(CatalogCache::displayName(tab.list),
                                    QString::number(tab.proxy->rowCount()), QString::number(total), filter));
}

void CatalogPage::updateRefreshButton()
{
    bool loading = false;
    for (const Tab &tab : std::as_const(m_tabs))
        loading = loading || m_cache->isLoading(tab.list);
    const bool ready = session()->state() == ConsoleSession::State::Ready;
    m_refreshPushButton->setEnabled(ready && !loading);
    if (!ready)
        m_refreshPushButton->setToolTip(
            tr("The profile %1 is not connected.").arg(session()->profile().name));
    else if (loading)
        m_refreshPushButton->setToolTip(tr("Loading the catalog…"));
    else
        m_refreshPushButton->setToolTip(tr("Fetch events, properties and segments again from the profile %1.")
                                            .arg(session()->profile().name));
}

void CatalogPage::updateFetchedAt()
{
    const int current = m_tabWidget->currentIndex();
    const QDateTime fetched =
        current >= 0 && current < m_tabs.size() ? m_cache->fetchedAt(m_tabs.at(current).list) : QDateTime();
    if (!fetched.isValid()) {
        m_fetchedAtLabel->clear();
        return;
    }
    // The date only when it is not today: a console left open overnight shows yesterday's list.
    const QString when = fetched.date() == QDate::currentDate()
                             ? fetched.toString(QStringLiteral("HH:mm:ss"))
                             : fetched.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_fetchedAtLabel->setText(tr("Fetched %1").arg(when));
    m_fetchedAtLabel->setToolTip(
        tr("When this list was last fetched from the profile %1").arg(session()->profile().name));
}

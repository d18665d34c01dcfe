#pragma once

#include "ui/catalog/CatalogCache.h"
#include "ui/widgets/ConsolePage.h"

#include <QList>

class CatalogModel;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;

// The catalog of the active profile: events, user and account properties, user and account
// segments, one tab each, filtered together by one line edit. It shows what the CatalogCache
// holds (so a profile switch shows that profile's lists at once) and refreshes it on demand.
class CatalogPage : public ConsolePage
{
    Q_OBJECT
public:
    // The cache is shared with the forms, which complete event and property names from it.
    CatalogPage(ConsoleSession *session, CatalogCache *cache, QWidget *parent = nullptr);

    QString title() const override { return tr("Catalog"); }
    QList<Operation> operations() const override;
    // A list request from history opens its tab.
    bool loadRequest(const ApiRequest &request) override;

private:
    class Tab
    {
    public:
        CatalogCache::List list;
        CatalogModel *model;
        QSortFilterProxyModel *proxy;
        QTableView *view;
        QLabel *messageLabel;
    };

    void addTab(CatalogCache::List list, const QString &objectNamePrefix);
    void showCache();
    void showMessage(const Tab &tab);
    void updateCounts();
    void updateRefreshButton();
    // "Fetched 14:02:11" for the list in view: how fresh it is.
    void updateFetchedAt();
    void applyFilter(const QString &text);

    CatalogCache *m_cache;
    QLineEdit *m_filterLineEdit;
    QPushButton *m_refreshPushButton;
    QLabel *m_countLabel;
    QLabel *m_fetchedAtLabel;
    QTabWidget *m_tabWidget;
    QList<Tab> m_tabs;
};

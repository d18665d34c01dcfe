#pragma once

#include "ConsolePage.h"

class CatalogCache;
class OperationForm;
class QSettings;
class QTabWidget;

// A navigation page holding the forms of related operations as tabs: Users (upsert, delete),
// Accounts (upsert, delete), Memberships (add, remove), Events (track), Link device.
class OperationPage : public ConsolePage
{
    Q_OBJECT
public:
    OperationPage(const QString &title, const QList<Operation> &operations, ConsoleSession *session,
                  CatalogCache *catalog, QWidget *parent = nullptr);

    QString title() const override { return m_title; }
    QList<Operation> operations() const override;
    bool loadRequest(const ApiRequest &request) override;

    QList<OperationForm *> forms() const { return m_forms; }
    void saveInputs(QSettings &settings) const;
    void restoreInputs(QSettings &settings);

private:
    QString m_title;
    QTabWidget *m_tabWidget;
    QList<OperationForm *> m_forms;
};

#pragma once

#include "ui/widgets/ConsolePage.h"

class CatalogCache;
class OperationForm;
class QLabel;
class QPushButton;
class QSettings;
class QTabWidget;
class SavedRequestStore;

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

    // Where "Save as…" keeps the current form's request; without one the button is disabled.
    void setSavedRequests(SavedRequestStore *store);
    // "Save as…": asks a name and a scope, and keeps the request the current tab would send.
    void saveAs();

private:
    QString m_title;
    QTabWidget *m_tabWidget;
    QList<OperationForm *> m_forms;
    SavedRequestStore *m_savedRequests = nullptr;
    QPushButton *m_saveAsPushButton;
    QLabel *m_saveMessageLabel;
};

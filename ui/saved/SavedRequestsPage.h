#pragma once

#include "ui/widgets/ConsolePage.h"

#include <optional>

class QLabel;
class QPushButton;
class QTableView;
class SavedRequestModel;
class SavedRequestStore;

// The Saved page: the requests kept with "Save as…" that the active profile sees (its own and
// the all-profiles ones). Open fills the request's form exactly as it was saved and shows it;
// it never sends. Rename, Delete (asked first), Export… and Import… of the shared JSON format
// (SavedRequestStore).
class SavedRequestsPage : public ConsolePage
{
    Q_OBJECT
public:
    SavedRequestsPage(ConsoleSession *session, SavedRequestStore *store, QWidget *parent = nullptr);

    QString title() const override { return tr("Saved"); }
    SavedRequestModel *model() const { return m_model; }

    // The next Export… or Import… uses fileName instead of asking with a file dialog (tests).
    static void setNextFileName(const QString &fileName);

public slots:
    void openSelected();
    void renameSelected();
    void deleteSelected();
    void exportRequests();
    void importRequests();

signals:
    // Open: the window hands the request to the page whose form sends it.
    void openRequested(const ApiRequest &request);

private:
    void refresh();
    void updateButtons();
    // The row of the current request; -1 when none is selected.
    int currentRow() const;
    void showMessage(const QString &text);
    QString askFileName(bool save);

    SavedRequestStore *m_store;
    SavedRequestModel *m_model;
    QTableView *m_table;
    QPushButton *m_openPushButton;
    QPushButton *m_renamePushButton;
    QPushButton *m_deletePushButton;
    QPushButton *m_exportPushButton;
    QPushButton *m_importPushButton;
    QLabel *m_messageLabel;
};

#include "ui/saved/SavedRequestsPage.h"

#include "store/SavedRequestStore.h"
#include "ui/saved/SaveRequestDialog.h"
#include "ui/saved/SavedRequestModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace {

std::optional<QString> nextFileName;

QString scopeText(const SavedRequest &request)
{
    return request.forAllProfiles() ? SavedRequestsPage::tr("all profiles")
                                    : SavedRequestsPage::tr("the profile %1").arg(request.profile);
}

} // namespace

SavedRequestsPage::SavedRequestsPage(ConsoleSession *session, SavedRequestStore *store, QWidget *parent)
    : ConsolePage(session, parent), m_store(store), m_model(new SavedRequestModel(this)),
      m_table(new QTableView(this)), m_openPushButton(new QPushButton(tr("Open"), this)),
      m_renamePushButton(new QPushButton(tr("Rename…"), this)),
      m_deletePushButton(new QPushButton(tr("Delete…"), this)),
      m_exportPushButton(new QPushButton(tr("Export…"), this)),
      m_importPushButton(new QPushButton(tr("Import…"), this)), m_messageLabel(new QLabel(this))
{
    m_table->setObjectName(QStringLiteral("savedRequestsTableView"));
    m_openPushButton->setObjectName(QStringLiteral("openPushButton"));
    m_renamePushButton->setObjectName(QStringLiteral("renamePushButton"));
    m_deletePushButton->setObjectName(QStringLiteral("deletePushButton"));
    m_exportPushButton->setObjectName(QStringLiteral("exportPushButton"));
    m_importPushButton->setObjectName(QStringLiteral("importPushButton"));
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_table->setAccessibleName(tr("Saved requests"));
    m_openPushButton->setToolTip(tr("Fill the request's form as it was saved (nothing is sent)"));
    m_exportPushButton->setToolTip(tr("Write the selected requests (all listed when none is selected) to a "
                                      "JSON file to share"));
    m_importPushButton->setToolTip(tr("Add the requests of an exported JSON file"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->resizeSection(SavedRequestModel::NameColumn, 260);

    auto *intro = new QLabel(tr("Requests kept with Save as… on a form: this profile's and those for all "
                                "profiles. Open fills the form; Send sends it."),
                             this);
    intro->setWordWrap(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_openPushButton);
    buttons->addWidget(m_renamePushButton);
    buttons->addWidget(m_deletePushButton);
    buttons->addStretch();
    buttons->addWidget(m_exportPushButton);
    buttons->addWidget(m_importPushButton);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_messageLabel);

    connect(m_openPushButton, &QPushButton::clicked, this, &SavedRequestsPage::openSelected);
    connect(m_renamePushButton, &QPushButton::clicked, this, &SavedRequestsPage::renameSelected);
    connect(m_deletePushButton, &QPushButton::clicked, this, &SavedRequestsPage::deleteSelected);
    connect(m_exportPushButton, &QPushButton::clicked, this, &SavedRequestsPage::exportRequests);
    connect(m_importPushButton, &QPushButton::clicked, this, &SavedRequestsPage::importRequests);
    connect(m_table, &QTableView::activated, this, &SavedRequestsPage::openSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &SavedRequestsPage::updateButtons);
    connect(m_store, &SavedRequestStore::changed, this, &SavedRequestsPage::refresh);
    connect(session, &ConsoleSession::stateChanged, this, &SavedRequestsPage::refresh);
    refresh();
    if (!m_store->loadError().isEmpty())
        showMessage(tr("The saved requests cannot be read: %1").arg(m_store->loadError()));
}

void SavedRequestsPage::setNextFileName(const QString &fileName)
{
    nextFileName = fileName;
}

void SavedRequestsPage::refresh()
{
    // Keep the selection on the same request across a reload (a rename, another console's save).
    const int row = currentRow();
    const std::optional<SavedRequest> current =
        row >= 0 ? std::optional<SavedRequest>(m_model->requestAt(row)) : std::nullopt;
    const QList<SavedRequest> visible = m_store->visibleTo(session()->profile().name);
    if (visible != m_model->requests())
        m_model->setRequests(visible);
    if (current) {
        const int again = m_model->rowOf(current->name, current->profile);
        if (again >= 0 && again != currentRow())
            m_table->selectRow(again);
    }
    updateButtons();
}

void SavedRequestsPage::updateButtons()
{
    const bool selected = currentRow() >= 0;
    m_openPushButton->setEnabled(selected);
    m_renamePushButton->setEnabled(selected);
    m_deletePushButton->setEnabled(selected);
    m_exportPushButton->setEnabled(m_model->rowCount() > 0);
}

int SavedRequestsPage::currentRow() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

void SavedRequestsPage::showMessage(const QString &text)
{
    m_messageLabel->setText(text);
}

QString SavedRequestsPage::askFileName(bool save)
{
    if (nextFileName) {
        const QString name = *nextFileName;
        nextFileName.reset();
        return name;
    }
    const QString filter = tr("JSON files (*.json)");
    return save ? QFileDialog::getSaveFileName(this, tr("Export saved requests"),
                                               QStringLiteral("journy-saved-requests.json"), filter)
                : QFileDialog::getOpenFileName(this, tr("Import saved requests"), QString(), filter);
}

void SavedRequestsPage::openSelected()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const SavedRequest request = m_model->requestAt(row);
    const ApiOperation *info = ApiOperation::byOperationId(request.operation);
    if (!info)
        return; // the store reads only known operations
    showMessage(tr("Opened \"%1\" in its form; nothing was sent.").arg(request.name));
    emit openRequested(ApiRequest::raw(info->operation, request.body));
}

void SavedRequestsPage::renameSelected()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const SavedRequest request = m_model->requestAt(row);
    const QString profile = session()->profile().name;
    const std::optional<SaveRequestDialog::Answer> answer = SaveRequestDialog::ask(
        this, tr("Rename saved request"), request.forAllProfiles() ? profile : request.profile,
        SaveRequestDialog::Answer{request.name, request.forAllProfiles()});
    if (!answer)
        return;
    const QString newProfile =
        answer->allProfiles ? QString() : (request.forAllProfiles() ? profile : request.profile);
    QString error;
    if (m_store->rename(request.name, request.profile, answer->name, newProfile, &error))
        showMessage(tr("Renamed \"%1\" to \"%2\"").arg(request.name, answer->name.trimmed()));
    else
        showMessage(tr("Not renamed: %1").arg(error));
}

void SavedRequestsPage::deleteSelected()
{
    const int row = currentRow();
    if (row < 0)
        return;
    const SavedRequest request = m_model->requestAt(row);
    if (!ConfirmationDialog::confirm(this, tr("Delete"),
                                     tr("Delete the saved request \"%1\" (%2, for %3)?")
                                         .arg(request.name, request.operation, scopeText(request)),
                                     QString()))
        return;
    QString error;
    if (m_store->remove(request.name, request.profile, &error))
        showMessage(tr("Deleted \"%1\"").arg(request.name));
    else
        showMessage(tr("Not deleted: %1").arg(error));
}

void SavedRequestsPage::exportRequests()
{
    QList<SavedRequest> requests;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        requests.append(m_model->requestAt(index.row()));
    if (requests.isEmpty())
        requests = m_model->requests();
    if (requests.isEmpty())
        return;
    const QString path = askFileName(true);
    if (path.isEmpty())
        return;
    QString error;
    if (SavedRequestStore::exportTo(path, requests, &error))
        showMessage(tr("Exported %n saved request(s) to %1", nullptr, int(requests.size()))
                        .arg(QFileInfo(path).fileName()));
    else
        showMessage(tr("Export failed: %1").arg(error));
}

void SavedRequestsPage::importRequests()
{
    const QString path = askFileName(false);
    if (path.isEmpty())
        return;
    int imported = 0;
    QStringList renamed;
    QString error;
    const int listedBefore = m_model->rowCount();
    if (!m_store->importFrom(path, &imported, &renamed, &error)) {
        showMessage(tr("Nothing was imported: %1").arg(error));
        return;
    }
    QString text =
        tr("Imported %n saved request(s) from %1.", nullptr, imported).arg(QFileInfo(path).fileName());
    // A colleague's requests for a profile this console is not on are kept, listed under it.
    const int elsewhere = imported - (m_model->rowCount() - listedBefore);
    if (elsewhere > 0)
        text += QLatin1Char(' ') +
                tr("%n of them belong to other profiles and are listed under those.", nullptr, elsewhere);
    if (!renamed.isEmpty())
        text += QLatin1Char(' ') +
                tr("Renamed, as the names were taken: %1.").arg(renamed.join(QStringLiteral(", ")));
    showMessage(text);
}

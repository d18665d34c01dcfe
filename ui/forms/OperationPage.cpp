#include "ui/forms/OperationPage.h"

#include "store/SavedRequestStore.h"
#include "ui/forms/OperationForm.h"
#include "ui/saved/SaveRequestDialog.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace {

QString tabTitle(Operation operation)
{
    switch (operation) {
    case Operation::UpsertUser:
    case Operation::UpsertAccount:
        return OperationPage::tr("Create or update");
    case Operation::DeleteUser:
    case Operation::DeleteAccount:
        return OperationPage::tr("Delete");
    case Operation::AddUsersToAccount:
        return OperationPage::tr("Add users");
    case Operation::RemoveUsersFromAccount:
        return OperationPage::tr("Remove users");
    case Operation::TrackEvent:
    case Operation::TrackLegacyEvent:
        return OperationPage::tr("Track an event");
    case Operation::Link:
        return OperationPage::tr("Link a device");
    default:
        return ApiOperation::info(operation).operationId;
    }
}

} // namespace

OperationPage::OperationPage(const QString &title, const QList<Operation> &operations,
                             ConsoleSession *session, CatalogCache *catalog, QWidget *parent)
    : ConsolePage(session, parent), m_title(title), m_tabWidget(new QTabWidget(this))
{
    m_tabWidget->setObjectName(QStringLiteral("operationsTabWidget"));
    for (Operation operation : operations) {
        auto *form = new OperationForm(operation, session, catalog, this);
        m_forms.append(form);
        m_tabWidget->addTab(form, tabTitle(operation));
    }
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (m_forms.size() == 1)
        m_tabWidget->tabBar()->hide();

    // Made after the forms, so it comes after their fields, Send and the response in the tab order.
    m_saveAsPushButton = new QPushButton(tr("Save as…"), this);
    m_saveAsPushButton->setObjectName(QStringLiteral("saveAsPushButton"));
    m_saveAsPushButton->setToolTip(
        tr("Keep this request by name in the Saved list, for this profile or all"));
    m_saveAsPushButton->setEnabled(false);
    m_saveMessageLabel = new QLabel(this);
    m_saveMessageLabel->setObjectName(QStringLiteral("saveMessageLabel"));
    m_saveMessageLabel->setWordWrap(true);
    auto *saveRow = new QHBoxLayout;
    saveRow->addWidget(m_saveMessageLabel, 1);
    saveRow->addWidget(m_saveAsPushButton);
    layout->addLayout(saveRow);
    layout->addWidget(m_tabWidget);
    connect(m_saveAsPushButton, &QPushButton::clicked, this, &OperationPage::saveAs);
    // "Saved … for the profile A" would read as news about the next profile.
    connect(session, &ConsoleSession::stateChanged, m_saveMessageLabel, &QLabel::clear);
}

void OperationPage::setSavedRequests(SavedRequestStore *store)
{
    m_savedRequests = store;
    m_saveAsPushButton->setEnabled(store != nullptr);
}

void OperationPage::saveAs()
{
    auto *form = qobject_cast<OperationForm *>(m_tabWidget->currentWidget());
    if (!form || !m_savedRequests)
        return;
    // What the tab the user is on would send, as Send builds it: the saved request is that body.
    ApiRequest request;
    QMap<QString, QString> errors;
    if (!form->buildRequest(&request, &errors)) {
        QStringList lines;
        for (auto it = errors.begin(); it != errors.end(); ++it)
            lines << QStringLiteral("%1: %2").arg(it.key(), it.value());
        m_saveMessageLabel->setText(tr("Not saved: %1").arg(lines.join(QStringLiteral("; "))));
        return;
    }
    const QString profile = session()->profile().name;
    const std::optional<SaveRequestDialog::Answer> answer =
        SaveRequestDialog::ask(this, tr("Save request as"), profile, SaveRequestDialog::Answer());
    if (!answer)
        return;
    SavedRequest saved;
    saved.name = answer->name.trimmed();
    saved.operation = request.info().operationId;
    saved.body = request.body;
    saved.profile = answer->allProfiles ? QString() : profile;
    const QString where = answer->allProfiles ? tr("all profiles") : tr("the profile %1").arg(profile);
    const SavedRequest *existing = m_savedRequests->clash(saved.name, saved.profile);
    if (existing && existing->profile == saved.profile &&
        !ConfirmationDialog::confirm(
            this, tr("Replace"),
            tr("A saved request named \"%1\" exists for %2. Replace it?").arg(saved.name, where), QString()))
        return;
    QString error;
    if (m_savedRequests->save(saved, &error))
        m_saveMessageLabel->setText(tr("Saved \"%1\" for %2").arg(saved.name, where));
    else
        m_saveMessageLabel->setText(tr("Not saved: %1").arg(error));
}

QList<Operation> OperationPage::operations() const
{
    QList<Operation> list;
    for (OperationForm *form : m_forms)
        list.append(form->operation());
    if (list.contains(Operation::TrackEvent) || list.contains(Operation::TrackLegacyEvent))
        list << Operation::TrackEvent << Operation::TrackLegacyEvent;
    return list;
}

bool OperationPage::loadRequest(const ApiRequest &request)
{
    for (OperationForm *form : m_forms) {
        if (form->handles(request.operation)) {
            form->loadRequest(request);
            m_tabWidget->setCurrentWidget(form);
            return true;
        }
    }
    return false;
}

void OperationPage::saveInputs(QSettings &settings) const
{
    for (OperationForm *form : m_forms)
        form->saveInputs(settings);
}

void OperationPage::restoreInputs(QSettings &settings)
{
    for (OperationForm *form : m_forms)
        form->restoreInputs(settings);
}

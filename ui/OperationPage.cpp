#include "OperationPage.h"

#include "OperationForm.h"

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
    layout->addWidget(m_tabWidget);
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

#include "ui/saved/SavedRequestModel.h"

#include <QLocale>

SavedRequestModel::SavedRequestModel(QObject *parent) : QAbstractTableModel(parent) {}

int SavedRequestModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_requests.size());
}

int SavedRequestModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SavedRequestModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const SavedRequest &request = m_requests.at(index.row());
    if (role == Qt::ToolTipRole && index.column() == ScopeColumn)
        return request.forAllProfiles() ? tr("Listed under every profile")
                                        : tr("Listed under the profile %1 only").arg(request.profile);
    if (role != Qt::DisplayRole)
        return QVariant();
    switch (index.column()) {
    case NameColumn:
        return request.name;
    case OperationColumn:
        return request.operation;
    case ScopeColumn:
        return request.forAllProfiles() ? tr("All profiles") : request.profile;
    case UpdatedColumn:
        return QLocale().toString(request.updated.toLocalTime(), QLocale::ShortFormat);
    default:
        return QVariant();
    }
}

QVariant SavedRequestModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case OperationColumn:
        return tr("Operation");
    case ScopeColumn:
        return tr("Profile");
    case UpdatedColumn:
        return tr("Saved");
    default:
        return QVariant();
    }
}

void SavedRequestModel::setRequests(const QList<SavedRequest> &requests)
{
    beginResetModel();
    m_requests = requests;
    endResetModel();
}

int SavedRequestModel::rowOf(const QString &name, const QString &profile) const
{
    for (int row = 0; row < m_requests.size(); ++row) {
        if (m_requests.at(row).name == name && m_requests.at(row).profile == profile)
            return row;
    }
    return -1;
}

#include "ui/live/LiveFilterModel.h"

#include "ui/live/LiveModel.h"

LiveFilterModel::LiveFilterModel(QObject *parent) : QSortFilterProxyModel(parent) {}

void LiveFilterModel::setFilters(std::optional<RelayRecord::Verdict> verdict, const QString &operationId,
                                 const QString &who)
{
    if (verdict == m_verdict && operationId == m_operation && who.trimmed() == m_who)
        return;
    m_verdict = verdict;
    m_operation = operationId;
    m_who = who.trimmed();
    // A reset, not invalidateFilter(): bringing thousands of rows back one range at a time costs
    // the view tens of milliseconds; a reset with fixed row heights costs it almost nothing.
    beginResetModel();
    endResetModel();
}

bool LiveFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (m_verdict && index.data(LiveModel::VerdictRole).toInt() != int(*m_verdict))
        return false;
    if (!m_operation.isEmpty() && index.data(LiveModel::OperationRole).toString() != m_operation)
        return false;
    return m_who.isEmpty() || index.data(LiveModel::WhoRole).toString().contains(m_who, Qt::CaseInsensitive);
}

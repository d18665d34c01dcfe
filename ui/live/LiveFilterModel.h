#pragma once

#include "relay/RelayRecord.h"

#include <QSortFilterProxyModel>

#include <optional>

// The Live page's filters over a LiveModel: by verdict, by operation and by who the call is about
// (part of a user or account ID or email, case-insensitive). A change re-filters every row at
// once; 10,000 rows take milliseconds.
class LiveFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit LiveFilterModel(QObject *parent = nullptr);

    // Empty operationId: every operation; empty who: everyone. Set together so that the rows are
    // filtered once per change.
    void setFilters(std::optional<RelayRecord::Verdict> verdict, const QString &operationId,
                    const QString &who);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<RelayRecord::Verdict> m_verdict;
    QString m_operation;
    QString m_who;
};

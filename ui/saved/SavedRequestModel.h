#pragma once

#include "store/SavedRequest.h"

#include <QAbstractTableModel>
#include <QList>

// The Saved page's list: one row per saved request (name, operation, where it is shown, when it
// was last saved). The page fills it with what the active profile sees.
class SavedRequestModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        OperationColumn,
        ScopeColumn,
        UpdatedColumn,
        ColumnCount
    };

    explicit SavedRequestModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setRequests(const QList<SavedRequest> &requests);
    QList<SavedRequest> requests() const { return m_requests; }
    // The request at row; row must be valid.
    SavedRequest requestAt(int row) const { return m_requests.at(row); }
    // The row of the request named name for profile; -1 when it is not listed.
    int rowOf(const QString &name, const QString &profile) const;

private:
    QList<SavedRequest> m_requests;
};

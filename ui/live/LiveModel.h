#pragma once

#include "relay/RelayRecord.h"

#include <QAbstractTableModel>
#include <QHash>

// The calls a relay saw, newest last, for the Live page: one row per call, added when it arrives
// and completed when its answer comes back. Appending is one row insert (never a reset), so the
// table keeps up with journy.io's 30 calls a second; past MaxRecords the oldest calls are dropped.
class LiveModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        TimeColumn,
        VerdictColumn,
        RequestColumn,
        WhoColumn,
        StatusColumn,
        LatencyColumn,
        RequestIdColumn,
        FindingsColumn,
        ColumnCount
    };
    enum Role
    {
        VerdictRole = Qt::UserRole, // int(RelayRecord::Verdict)
        OperationRole,              // the operationId, empty when not a route
        WhoRole,                    // who the call is about, for the user filter
    };
    static constexpr int MaxRecords = 100000;

    explicit LiveModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // A call that arrived (a new row) or its answer (the same row, completed).
    void record(const RelayRecord &record);
    void clear();
    const RelayRecord &recordAt(int row) const { return m_rows.at(row).record; }

    // "userId u-1 · email a@b.c · accountId acc-7": who a call's body names.
    static QString who(const QByteArray &body);

private:
    class Row
    {
    public:
        RelayRecord record;
        QString who;
    };
    QList<Row> m_rows;
    QHash<qint64, int> m_rowOfId; // relay id -> row, before dropping old rows
    int m_dropped = 0;            // rows dropped from the front since the hash was built
};

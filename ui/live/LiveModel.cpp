#include "ui/live/LiveModel.h"

#include <QBrush>
#include <QColor>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

void collect(const QJsonObject &object, QStringList *parts)
{
    static const QStringList keys{QStringLiteral("userId"), QStringLiteral("email"),
                                  QStringLiteral("accountId"), QStringLiteral("domain"),
                                  QStringLiteral("deviceId")};
    for (const QString &key : keys) {
        const QJsonValue value = object.value(key);
        if (value.isString() && !value.toString().isEmpty())
            parts->append(key + QLatin1Char(' ') + value.toString());
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        // Identification sits under identification, identification.user/.account, account.
        if (it.value().isObject() &&
            (it.key() == QLatin1String("identification") || it.key() == QLatin1String("user") ||
             it.key() == QLatin1String("account")))
            collect(it.value().toObject(), parts);
    }
}

} // namespace

LiveModel::LiveModel(QObject *parent) : QAbstractTableModel(parent) {}

int LiveModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LiveModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString LiveModel::who(const QByteArray &body)
{
    QStringList parts;
    collect(QJsonDocument::fromJson(body).object(), &parts);
    return parts.join(QStringLiteral(" · "));
}

QVariant LiveModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Row &row = m_rows.at(index.row());
    const RelayRecord &record = row.record;
    switch (role) {
    case VerdictRole:
        return int(record.verdict);
    case OperationRole:
        return record.operationId;
    case WhoRole:
        return row.who;
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn:
            return record.received.toLocalTime().toString(QStringLiteral("HH:mm:ss.zzz"));
        case VerdictColumn:
            return RelayRecord::verdictName(record.verdict);
        case RequestColumn:
            return QString::fromLatin1(record.method) + QLatin1Char(' ') + record.path;
        case WhoColumn:
            return row.who;
        case StatusColumn:
            return record.answered ? QVariant(record.status) : QVariant(tr("…"));
        case LatencyColumn:
            return record.latencyMs >= 0 ? QVariant(tr("%1 ms").arg(record.latencyMs)) : QVariant();
        case RequestIdColumn:
            return record.requestId;
        case FindingsColumn: {
            QStringList rules;
            for (const LintFinding &finding : record.findings)
                rules << finding.rule;
            if (!record.specErrors.isEmpty())
                rules.prepend(tr("%n spec error(s)", nullptr, int(record.specErrors.size())));
            return rules.join(QStringLiteral(", "));
        }
        }
        break;
    case Qt::BackgroundRole:
        if (index.column() == VerdictColumn) {
            if (record.verdict == RelayRecord::Verdict::Errors)
                return QBrush(QColor(255, 205, 210));
            if (record.verdict == RelayRecord::Verdict::Warnings)
                return QBrush(QColor(255, 236, 179));
        }
        break;
    case Qt::ForegroundRole:
        if (index.column() == VerdictColumn && record.verdict != RelayRecord::Verdict::Clean)
            return QBrush(Qt::black);
        break;
    default:
        break;
    }
    return QVariant();
}

QVariant LiveModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QVariant();
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case VerdictColumn:
        return tr("Verdict");
    case RequestColumn:
        return tr("Request");
    case WhoColumn:
        return tr("About");
    case StatusColumn:
        return tr("Status");
    case LatencyColumn:
        return tr("Latency");
    case RequestIdColumn:
        return tr("requestId");
    case FindingsColumn:
        return tr("Findings");
    }
    return QVariant();
}

void LiveModel::record(const RelayRecord &record)
{
    if (const auto it = m_rowOfId.constFind(record.id); it != m_rowOfId.constEnd()) {
        const int row = *it - m_dropped;
        if (row >= 0 && row < m_rows.size()) {
            m_rows[row].record = record;
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
        return;
    }
    if (m_rows.size() >= MaxRecords) {
        // A tenth at a time, so that dropping stays rare at 30 calls a second.
        const int drop = MaxRecords / 10;
        beginRemoveRows(QModelIndex(), 0, drop - 1);
        for (int i = 0; i < drop; ++i)
            m_rowOfId.remove(m_rows.at(i).record.id);
        m_rows.remove(0, drop);
        m_dropped += drop;
        endRemoveRows();
    }
    const int row = int(m_rows.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rows.append(Row{record, who(record.requestBody)});
    m_rowOfId.insert(record.id, row + m_dropped);
    endInsertRows();
}

void LiveModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_rowOfId.clear();
    m_dropped = 0;
    endResetModel();
}

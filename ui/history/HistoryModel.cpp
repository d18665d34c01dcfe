#include "ui/history/HistoryModel.h"

#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace {

constexpr int noFilter = -1;
constexpr int unknownValue = -2; // a filter on a value no entry has: nothing matches

} // namespace

HistoryModel::HistoryModel(QObject *parent) : QAbstractTableModel(parent) {}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const int entry = entryIndex(index.row());
    const Row &item = m_rows[size_t(entry)];
    const Key &key = m_keys[size_t(entry)];

    if (role == EntryIdRole)
        return item.id;
    if (role == Qt::TextAlignmentRole) {
        if (index.column() == StatusColumn || index.column() == LatencyColumn)
            return QVariant::fromValue(int(Qt::AlignRight | Qt::AlignVCenter));
        return QVariant();
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case TimeColumn:
            return QDateTime::fromMSecsSinceEpoch(item.timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
        case OperationColumn:
            return key.background ? tr("A background call: the console sent it on its own") : QVariant();
        case IdentificationColumn:
            return item.identification;
        case NoteColumn:
            return item.note.isEmpty() ? QVariant() : QVariant(item.note);
        case StatusColumn:
            if (item.extra >= 0 && !m_extras[size_t(item.extra)].message.isEmpty())
                return m_extras[size_t(item.extra)].message;
            return QVariant();
        default:
            return QVariant();
        }
    }
    if (role == Qt::FontRole && key.background) {
        // Shown only with "Show background calls": set apart from the user's own requests.
        QFont font;
        font.setItalic(true);
        return font;
    }
    if (role != Qt::DisplayRole)
        return QVariant();

    switch (index.column()) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(item.timeMs, Qt::LocalTime)
            .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    case ProfileColumn:
        return m_profiles.names.at(key.profile);
    case OperationColumn:
        return m_operations.names.at(key.operation);
    case IdentificationColumn:
        return item.identification;
    case StatusColumn:
        return m_statuses.names.at(key.status);
    case RequestIdColumn:
        return item.requestId;
    case LatencyColumn:
        return item.latencyMs < 0 ? QString() : tr("%1 ms").arg(item.latencyMs);
    case NoteColumn:
        return item.note;
    default:
        return QVariant();
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case ProfileColumn:
        return tr("Profile");
    case OperationColumn:
        return tr("Operation");
    case IdentificationColumn:
        return tr("Identification");
    case StatusColumn:
        return tr("Status");
    case RequestIdColumn:
        return tr("requestId");
    case LatencyColumn:
        return tr("Latency");
    case NoteColumn:
        return tr("Note");
    default:
        return QVariant();
    }
}

QString HistoryModel::statusText(int httpStatus, const QString &failure)
{
    if (httpStatus <= 0)
        return failure;
    if (failure.isEmpty())
        return QString::number(httpStatus);
    return QString::number(httpStatus) + QLatin1Char(' ') + failure;
}

bool HistoryModel::statusMatches(StatusClass statusClass, int httpStatus)
{
    switch (statusClass) {
    case StatusClass::All:
        return true;
    case StatusClass::Success:
        return httpStatus >= 200 && httpStatus < 300;
    case StatusClass::ClientError:
        return httpStatus >= 400 && httpStatus < 500;
    case StatusClass::ServerError:
        return httpStatus >= 500 && httpStatus < 600;
    case StatusClass::NoStatus:
        return httpStatus <= 0;
    }
    return false;
}

void HistoryModel::matchTerms(Distinct &values) const
{
    values.termMatches.assign(size_t(m_terms.size()), std::vector<char>(size_t(values.lower.size()), 0));
    for (qsizetype term = 0; term < m_terms.size(); ++term) {
        for (qsizetype value = 0; value < values.lower.size(); ++value)
            values.termMatches[size_t(term)][size_t(value)] =
                values.lower.at(value).contains(m_terms.at(term));
    }
}

int HistoryModel::intern(Distinct &values, const QString &name, bool *added)
{
    const auto it = values.index.constFind(name);
    if (it != values.index.constEnd())
        return it.value();
    const int index = int(values.names.size());
    values.names.append(name);
    values.lower.append(name.toLower());
    values.index.insert(name, index);
    for (qsizetype term = 0; term < m_terms.size(); ++term)
        values.termMatches[size_t(term)].push_back(values.lower.last().contains(m_terms.at(term)));
    *added = true;
    return index;
}

int HistoryModel::filterIndex(const Distinct &values, const QString &name) const
{
    if (name.isEmpty())
        return noFilter;
    return values.index.value(name, unknownValue);
}

bool HistoryModel::matches(const Key &key) const
{
    if (key.background && !m_showBackground)
        return false;
    if (m_profileIndex != noFilter && key.profile != m_profileIndex)
        return false;
    if (m_operationIndex != noFilter && key.operation != m_operationIndex)
        return false;
    if (!statusMatches(m_statusClass, key.httpStatus))
        return false;
    for (qsizetype term = 0; term < m_terms.size(); ++term) {
        const size_t t = size_t(term);
        if (m_profiles.termMatches[t][size_t(key.profile)] ||
            m_operations.termMatches[t][size_t(key.operation)] ||
            m_statuses.termMatches[t][size_t(key.status)])
            continue;
        const QString &word = m_terms.at(term);
        if (!key.identification.contains(word) && !key.requestId.contains(word) && !key.note.contains(word))
            return false;
    }
    return true;
}

int HistoryModel::Pool::intern(const QString &name)
{
    const auto it = index.constFind(name);
    if (it != index.constEnd())
        return it.value();
    names.append(name);
    index.insert(name, int(names.size() - 1));
    return int(names.size() - 1);
}

std::vector<int> HistoryModel::add(const QList<HistoryEntry> &entries, bool *distinctAdded)
{
    std::vector<int> matching;
    // Geometric growth: reserving exactly one more for each live append would copy every row
    // each time.
    const size_t needed = m_rows.size() + size_t(entries.size());
    if (needed > m_rows.capacity()) {
        m_rows.reserve(std::max(needed, m_rows.capacity() * 3 / 2));
        m_keys.reserve(m_rows.capacity());
    }
    for (const HistoryEntry &entry : entries) {
        bool added = false;
        Key key;
        key.identification = entry.identification.toLower();
        key.requestId = entry.requestId.toLower();
        key.note = entry.note.toLower();
        key.profile = intern(m_profiles, entry.profile, &added);
        key.operation = intern(m_operations, entry.operation, &added);
        key.status = intern(m_statuses, statusText(entry.httpStatus, entry.failure), &added);
        key.httpStatus = entry.httpStatus;
        key.background = entry.background;
        if (added) {
            // A filter set before its value first appeared starts matching now.
            m_operationIndex = filterIndex(m_operations, m_operationFilter);
            m_profileIndex = filterIndex(m_profiles, m_profileFilter);
            *distinctAdded = true;
        }

        Row row{entry.id,
                entry.time.isValid() ? entry.time.toMSecsSinceEpoch() : 0,
                entry.latencyMs,
                entry.identification,
                entry.requestId,
                entry.note,
                m_methods.intern(entry.method),
                m_failures.intern(entry.failure),
                -1};
        if (!entry.url.isEmpty() || !entry.message.isEmpty() || !entry.requestBody.isEmpty() ||
            !entry.responseBody.isEmpty() || !entry.responseHeaders.isEmpty()) {
            row.extra = int(m_extras.size());
            m_extras.push_back(
                {entry.url, entry.message, entry.requestBody, entry.responseBody, entry.responseHeaders});
        }
        m_rows.push_back(std::move(row));
        m_keys.push_back(std::move(key));
        if (matches(m_keys.back()))
            matching.push_back(int(m_rows.size() - 1));
    }
    return matching;
}

void HistoryModel::appendEntry(const HistoryEntry &entry)
{
    appendEntries({entry});
}

void HistoryModel::appendEntries(const QList<HistoryEntry> &entries)
{
    if (entries.isEmpty())
        return;
    bool distinctAdded = false;
    const std::vector<int> matching = add(entries, &distinctAdded);
    if (!matching.empty()) {
        // The newest entries are the first rows.
        beginInsertRows(QModelIndex(), 0, int(matching.size()) - 1);
        m_visible.insert(m_visible.end(), matching.begin(), matching.end());
        endInsertRows();
    }
    // Only now: a receiver may change the filter, which must not happen halfway through.
    if (distinctAdded)
        emit distinctValuesChanged();
}

void HistoryModel::setEntries(const QList<HistoryEntry> &entries)
{
    beginResetModel();
    m_rows.clear();
    m_keys.clear();
    m_extras.clear();
    m_visible.clear();
    m_profiles = Distinct();
    m_operations = Distinct();
    m_statuses = Distinct();
    m_methods = Pool();
    m_failures = Pool();
    matchTerms(m_profiles);
    matchTerms(m_operations);
    matchTerms(m_statuses);
    bool distinctAdded = false;
    m_visible = add(entries, &distinctAdded);
    endResetModel();
    emit distinctValuesChanged();
}

void HistoryModel::clear()
{
    setEntries({});
}

HistoryEntry HistoryModel::entryAt(int row) const
{
    Q_ASSERT(row >= 0 && size_t(row) < m_visible.size());
    const size_t index = size_t(entryIndex(row));
    const Row &item = m_rows[index];
    const Key &key = m_keys[index];
    HistoryEntry entry;
    entry.id = item.id;
    entry.time = QDateTime::fromMSecsSinceEpoch(item.timeMs, Qt::UTC);
    entry.profile = m_profiles.names.at(key.profile);
    entry.operation = m_operations.names.at(key.operation);
    entry.identification = item.identification;
    entry.httpStatus = key.httpStatus;
    entry.background = key.background;
    entry.failure = m_failures.names.at(item.failure);
    entry.requestId = item.requestId;
    entry.note = item.note;
    entry.latencyMs = item.latencyMs;
    entry.method = m_methods.names.at(item.method);
    if (item.extra >= 0) {
        const Extra &extra = m_extras[size_t(item.extra)];
        entry.url = extra.url;
        entry.message = extra.message;
        entry.requestBody = extra.requestBody;
        entry.responseBody = extra.responseBody;
        entry.responseHeaders = extra.responseHeaders;
    }
    return entry;
}

qint64 HistoryModel::idAt(int row) const
{
    Q_ASSERT(row >= 0 && size_t(row) < m_visible.size());
    return m_rows[size_t(entryIndex(row))].id;
}

int HistoryModel::rowOfId(qint64 id) const
{
    for (size_t i = 0; i < m_visible.size(); ++i) {
        if (m_rows[size_t(m_visible[i])].id == id)
            return int(m_visible.size() - 1 - i);
    }
    return -1;
}

void HistoryModel::setNoteAt(int row, const QString &note)
{
    Q_ASSERT(row >= 0 && size_t(row) < m_visible.size());
    const size_t index = size_t(entryIndex(row));
    m_rows[index].note = note;
    m_keys[index].note = note.toLower();
    // The note may be what a search word matched: the row may have to go.
    if (!m_terms.isEmpty() && !matches(m_keys[index])) {
        refilter();
        return;
    }
    emit dataChanged(this->index(row, 0), this->index(row, ColumnCount - 1));
}

void HistoryModel::refilter()
{
    beginResetModel();
    m_operationIndex = filterIndex(m_operations, m_operationFilter);
    m_profileIndex = filterIndex(m_profiles, m_profileFilter);
    m_visible.clear();
    if (m_operationIndex != unknownValue && m_profileIndex != unknownValue) {
        for (size_t i = 0; i < m_keys.size(); ++i) {
            if (matches(m_keys[i]))
                m_visible.push_back(int(i));
        }
    }
    endResetModel();
}

void HistoryModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    const QStringList terms = text.simplified().toLower().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (terms == m_terms)
        return;
    m_terms = terms;
    matchTerms(m_profiles);
    matchTerms(m_operations);
    matchTerms(m_statuses);
    refilter();
}

void HistoryModel::setStatusClass(StatusClass statusClass)
{
    if (statusClass == m_statusClass)
        return;
    m_statusClass = statusClass;
    refilter();
}

void HistoryModel::setOperationFilter(const QString &operationId)
{
    if (operationId == m_operationFilter)
        return;
    m_operationFilter = operationId;
    refilter();
}

void HistoryModel::setProfileFilter(const QString &profile)
{
    if (profile == m_profileFilter)
        return;
    m_profileFilter = profile;
    refilter();
}

void HistoryModel::setShowBackground(bool show)
{
    if (show == m_showBackground)
        return;
    m_showBackground = show;
    refilter();
}

QStringList HistoryModel::profiles() const
{
    QStringList names = m_profiles.names;
    names.sort(Qt::CaseInsensitive);
    return names;
}

QStringList HistoryModel::operations() const
{
    QStringList names = m_operations.names;
    names.sort(Qt::CaseInsensitive);
    return names;
}

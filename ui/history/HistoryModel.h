#pragma once

#include "store/HistoryEntry.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QStringList>

#include <vector>

// The history as a table, newest request first, filtered inside the model: each entry keeps
// lower-case copies of its searchable text and small indices into tables of the distinct
// profiles, operations and statuses, and the filter keeps a vector of the visible entries. A
// filter change is one linear pass, so 100,000 entries filter in milliseconds, which a
// QSortFilterProxyModel (a QModelIndex and a data() call per row and column) cannot do.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        TimeColumn,
        ProfileColumn,
        OperationColumn,
        IdentificationColumn,
        StatusColumn,
        RequestIdColumn,
        LatencyColumn,
        NoteColumn,
        ColumnCount
    };
    enum class StatusClass
    {
        All,
        Success,     // 2xx
        ClientError, // 4xx
        ServerError, // 5xx
        NoStatus,    // failures without an HTTP answer: timeouts, refused connections, pre-flight
    };
    Q_ENUM(StatusClass)
    enum Role
    {
        EntryIdRole = Qt::UserRole + 1, // the store's id of the row's entry (qint64)
    };

    explicit HistoryModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Entries are expected oldest first, as the store gives them; each one added is newer than
    // those already there, so a matching one becomes row 0.
    void setEntries(const QList<HistoryEntry> &entries);
    void appendEntry(const HistoryEntry &entry);
    void appendEntries(const QList<HistoryEntry> &entries);
    void clear();

    // The entry shown at row (of the filtered rows), as it was added.
    HistoryEntry entryAt(int row) const;
    // Its store id alone, without building the entry.
    qint64 idAt(int row) const;
    // The row showing the entry with this store id; -1 when it is filtered out or unknown.
    int rowOfId(qint64 id) const;
    // All entries, whatever the filter.
    int entryCount() const { return int(m_rows.size()); }

    // Replaces the note of the entry shown at row (of the filtered rows).
    void setNoteAt(int row, const QString &note);

    // Words separated by spaces, each of which must occur (case-insensitively) in the entry's
    // identification, requestId, note, operation, profile or status.
    void setSearchText(const QString &text);
    void setStatusClass(StatusClass statusClass);
    // An operationId, or empty for every operation.
    void setOperationFilter(const QString &operationId);
    // A profile name, or empty for every profile.
    void setProfileFilter(const QString &profile);
    // Whether the console's own calls (HistoryEntry::background: catalog fetches, the key check
    // at connection) are shown; hidden by default, so the history reads as what the user sent.
    void setShowBackground(bool show);
    bool showsBackground() const { return m_showBackground; }
    QString searchText() const { return m_searchText; }
    StatusClass statusClass() const { return m_statusClass; }
    QString operationFilter() const { return m_operationFilter; }
    QString profileFilter() const { return m_profileFilter; }

    // The distinct profiles and operations of all entries, sorted, for the filter combos.
    QStringList profiles() const;
    QStringList operations() const;

    // The Status column's text: "404", "timeout", or "200 non-json-body".
    static QString statusText(int httpStatus, const QString &failure);
    static bool statusMatches(StatusClass statusClass, int httpStatus);

signals:
    // A profile or operation appeared that profiles() or operations() did not list before.
    void distinctValuesChanged();

private:
    // An entry as the table needs it: 88 bytes plus its texts, where a HistoryEntry is 300.
    // Repeated texts (profile, operation, method, failure) are indices into tables of distinct
    // values; bodies, URL and message, usually left in the store, go to m_extras when given.
    struct Row
    {
        qint64 id;
        qint64 timeMs; // UTC
        qint64 latencyMs;
        QString identification;
        QString requestId;
        QString note;   // usually empty, which costs no allocation
        qint32 method;  // index into m_methods
        qint32 failure; // index into m_failures
        qint32 extra;   // index into m_extras; -1 when the entry had none of those fields
    };
    struct Extra
    {
        QString url;
        QString message;
        QByteArray requestBody;
        QByteArray responseBody;
        QByteArray responseHeaders;
    };
    // What the filter reads of an entry, kept apart so the pass over 100,000 of them stays in
    // cache.
    struct Key
    {
        QString identification; // lower case; shares the row's text when it is lower case already
        QString requestId;      // lower case
        QString note;           // lower case
        qint32 profile;         // index into m_profiles
        qint32 operation;       // index into m_operations
        qint32 status;          // index into m_statuses
        qint32 httpStatus;
        bool background;
    };
    // Distinct values of one column, each with its lower-case text and, per search word,
    // whether the word occurs in it.
    struct Distinct
    {
        QStringList names;
        QStringList lower;
        QHash<QString, int> index;
        std::vector<std::vector<char>> termMatches; // [term][value]
    };
    // Distinct values that are never searched.
    struct Pool
    {
        QStringList names;
        QHash<QString, int> index;
        int intern(const QString &name);
    };

    // The index of name in values, adding it (and its matches against the search words).
    int intern(Distinct &values, const QString &name, bool *added);
    void matchTerms(Distinct &values) const;
    int filterIndex(const Distinct &values, const QString &name) const;
    bool matches(const Key &key) const;
    // Adds entries without telling views; returns the indices of those that pass the filter.
    std::vector<int> add(const QList<HistoryEntry> &entries, bool *distinctAdded);
    void refilter();
    int entryIndex(int row) const { return m_visible[m_visible.size() - 1 - size_t(row)]; }

    std::vector<Row> m_rows;
    std::vector<Key> m_keys; // parallel to m_rows
    std::vector<Extra> m_extras;
    std::vector<int> m_visible; // indices into m_rows, oldest first; row 0 is the last one

    Distinct m_profiles;
    Distinct m_operations;
    Distinct m_statuses;
    Pool m_methods;
    Pool m_failures;

    QString m_searchText;
    QStringList m_terms; // lower case
    StatusClass m_statusClass = StatusClass::All;
    QString m_operationFilter;
    QString m_profileFilter;
    bool m_showBackground = false;
    int m_operationIndex = -1; // -1: every operation; -2: one no entry has
    int m_profileIndex = -1;
};

#pragma once

#include <QSqlDatabase>
#include <QString>

// One named Qt SQL connection to a SQLite file, owned: made with a name of its own (Qt keys
// connections by name, per process), opened with a busy timeout (two processes may share the file:
// a console and a CLI), closed and removed on destruction. HistoryStore, BulkJournal and
// SandboxStore each hold one and add their own pragmas and tables.
class SqliteConnection
{
public:
    // prefix: what the connection is for, in its name ("journy-history", "journy-bulk", ...).
    explicit SqliteConnection(const QString &prefix);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    // Opens path, creating it 0600 and its folder 0700 (PrivateFile); false with *error naming the file and
    // the reason.
    bool open(const QString &path, QString *error);
    // Closes and removes the connection; the caller's prepared queries must be gone first.
    void close();
    QSqlDatabase database() const;
    // Runs one statement; false with *error = "SQL: reason".
    bool exec(const QString &sql, QString *error) const;

private:
    QString m_name;
};

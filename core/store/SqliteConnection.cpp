#include "store/SqliteConnection.h"

#include "store/PrivateFile.h"

#include <QAtomicInteger>
#include <QSqlError>
#include <QSqlQuery>

namespace {

QAtomicInteger<quint64> connectionCounter;

} // namespace

SqliteConnection::SqliteConnection(const QString &prefix)
    : m_name(QStringLiteral("%1-%2").arg(prefix).arg(connectionCounter.fetchAndAddRelaxed(1)))
{}

SqliteConnection::~SqliteConnection()
{
    close();
}

bool SqliteConnection::open(const QString &path, QString *error)
{
    close();
    // Every store holds customer data: the file and its folder are its owner's only.
    if (!PrivateFile::prepare(path, error))
        return false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        // Another process may be writing: wait for its write rather than fail.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (db.open())
            return true;
        *error = QStringLiteral("%1: %2").arg(path, db.lastError().text());
    }
    close();
    return false;
}

void SqliteConnection::close()
{
    if (!QSqlDatabase::contains(m_name))
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    } // the last handle must be gone before the connection is removed
    QSqlDatabase::removeDatabase(m_name);
}

QSqlDatabase SqliteConnection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

bool SqliteConnection::exec(const QString &sql, QString *error) const
{
    QSqlQuery query(database());
    if (query.exec(sql))
        return true;
    *error = QStringLiteral("%1: %2").arg(sql, query.lastError().text());
    return false;
}

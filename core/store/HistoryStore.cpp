#include "store/HistoryStore.h"

#include "api/AccountIdentification.h"
#include "api/ApiOperation.h"
#include "api/ApiResult.h"
#include "api/ServerText.h"
#include "api/UserIdentification.h"
#include "store/AppPaths.h"
#include "store/SqliteConnection.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>

namespace {

// Summary columns first: load() reads the heavy ones only for Detail::Full.
const QString summaryColumns = QStringLiteral(
    "id, time_ms, profile, operation, identification, http_status, failure, request_id, latency_ms, method, "
    "note, background");
const QString fullColumns =
    summaryColumns + QStringLiteral(", url, message, request_body, response_body, response_headers");

// How many users of a membership call the identification names before "+N more".
constexpr int usersNamed = 3;
// SQLite's default limit of bound parameters is 999 on older builds; stay well below it.
constexpr int idsPerQuery = 500;

// A null QString binds as SQL NULL; the text columns are NOT NULL.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QVariant blob(const QByteArray &value)
{
    return value.isNull() ? QVariant(QByteArray("")) : QVariant(value);
}

HistoryEntry readRow(const QSqlQuery &query, HistoryStore::Detail detail)
{
    HistoryEntry entry;
    entry.id = query.value(0).toLongLong();
    entry.time = QDateTime::fromMSecsSinceEpoch(query.value(1).toLongLong(), Qt::UTC);
    entry.profile = query.value(2).toString();
    entry.operation = query.value(3).toString();
    entry.identification = query.value(4).toString();
    entry.httpStatus = query.value(5).toInt();
    entry.failure = query.value(6).toString();
    entry.requestId = query.value(7).toString();
    entry.latencyMs = query.value(8).toLongLong();
    entry.method = query.value(9).toString();
    entry.note = query.value(10).toString();
    entry.background = query.value(11).toBool();
    if (detail == HistoryStore::Detail::Full) {
        entry.url = query.value(12).toString();
        entry.message = query.value(13).toString();
        entry.requestBody = query.value(14).toByteArray();
        entry.responseBody = query.value(15).toByteArray();
        entry.responseHeaders = query.value(16).toByteArray();
    }
    return entry;
}

QString describeUsers(const QJsonArray &users)
{
    QStringList names;
    for (const QJsonValue &item : users) {
        const UserIdentification user =
            UserIdentification::fromJson(item.toObject().value(QLatin1String("identification")).toObject());
        if (names.size() < usersNamed)
            names << (user.userId.isEmpty() ? user.email : user.userId);
    }
    QString text = QStringLiteral("%1 user(s): %2").arg(users.size()).arg(names.join(QLatin1String(", ")));
    if (users.size() > usersNamed)
        text += QStringLiteral(" (+%1 more)").arg(users.size() - usersNamed);
    return text;
}

// Either shape of "identification": a user's or an account's fields directly (upserts, deletes,
// link), or {"user": ..., "account": ...} (events).
void describeIdentification(const QJsonObject &identification, QStringList *parts)
{
    const QJsonValue user = identification.value(QLatin1String("user"));
    const QJsonValue account = identification.value(QLatin1String("account"));
    if (user.isObject() || account.isObject()) {
        parts->append(UserIdentification::fromJson(user.toObject()).describe());
        parts->append(AccountIdentification::fromJson(account.toObject()).describe());
        return;
    }
    parts->append(UserIdentification::fromJson(identification).describe());
    parts->append(AccountIdentification::fromJson(identification).describe());
}

} // namespace

HistoryStore::HistoryStore()
    : m_connection(std::make_unique<SqliteConnection>(QStringLiteral("journy-history")))
{}

HistoryStore::~HistoryStore()
{
    close();
}

void HistoryStore::close()
{
    m_connection->close();
    m_open = false;
}

void HistoryStore::setError(const QString &error) const
{
    m_lastError = error;
    qWarning("history: %s", qPrintable(error));
}

bool HistoryStore::exec(const QString &sql, QString *error) const
{
    QString reason;
    if (m_connection->exec(sql, &reason))
        return true;
    if (error)
        *error = reason;
    setError(reason);
    return false;
}

bool HistoryStore::hasColumn(const QString &column) const
{
    QSqlQuery query(m_connection->database());
    if (!query.exec(QStringLiteral("PRAGMA table_info(history)")))
        return false;
    while (query.next()) {
        if (query.value(1).toString() == column)
            return true;
    }
    return false;
}

bool HistoryStore::addColumnIfMissing(const QString &column, const QString &definition, QString *error)
{
    // A file written by an older build lacks the column; adding it keeps every row, with the
    // default. Another console may add it at the same moment: then it is there, which is fine.
    if (hasColumn(column))
        return true;
    QString reason;
    if (m_connection->exec(QStringLiteral("ALTER TABLE history ADD COLUMN %1 %2").arg(column, definition),
                           &reason) ||
        hasColumn(column))
        return true;
    if (error)
        *error = reason;
    setError(reason);
    return false;
}

bool HistoryStore::open(const QString &path, QString *error)
{
    close();
    m_path = path;
    // Two consoles may share the file: the connection waits for the other's write.
    if (!m_connection->open(path, error))
        return false;
    // WAL with synchronous=NORMAL: a request's row is committed without an fsync, so recording
    // never stalls the window; a crash loses at most the last moments, never the file.
    // AUTOINCREMENT keeps ids growing after clear(), which paged loading relies on.
    const bool ok =
        exec(QStringLiteral("PRAGMA journal_mode=WAL"), error) &&
        exec(QStringLiteral("PRAGMA synchronous=NORMAL"), error) &&
        exec(QStringLiteral("CREATE TABLE IF NOT EXISTS history ("
                            "id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, "
                            "profile TEXT NOT NULL, operation TEXT NOT NULL, identification TEXT NOT NULL, "
                            "http_status INTEGER NOT NULL, failure TEXT NOT NULL, request_id TEXT NOT NULL, "
                            "latency_ms INTEGER NOT NULL, method TEXT NOT NULL, url TEXT NOT NULL, "
                            "message TEXT NOT NULL, request_body BLOB NOT NULL, response_body BLOB NOT NULL, "
                            "response_headers BLOB NOT NULL)"),
             error) &&
        addColumnIfMissing(QStringLiteral("note"), QStringLiteral("TEXT NOT NULL DEFAULT ''"), error) &&
        // Entries of files written before background calls were told apart were all the user's.
        addColumnIfMissing(QStringLiteral("background"), QStringLiteral("INTEGER NOT NULL DEFAULT 0"), error);
    if (!ok) {
        close();
        return false;
    }
    m_open = true;
    return true;
}

qint64 HistoryStore::append(const HistoryEntry &entry)
{
    if (!m_open) {
        m_lastError = QStringLiteral("The history is not open");
        return -1;
    }
    QSqlQuery query(m_connection->database());
    query.prepare(
        QStringLiteral("INSERT INTO history (time_ms, profile, operation, identification, http_status, "
                       "failure, request_id, latency_ms, method, url, message, request_body, "
                       "response_body, response_headers, note, background) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    const QDateTime time = entry.time.isValid() ? entry.time : QDateTime::currentDateTimeUtc();
    query.addBindValue(time.toMSecsSinceEpoch());
    query.addBindValue(text(entry.profile));
    query.addBindValue(text(entry.operation));
    query.addBindValue(text(entry.identification));
    query.addBindValue(entry.httpStatus);
    query.addBindValue(text(entry.failure));
    query.addBindValue(text(entry.requestId));
    query.addBindValue(entry.latencyMs);
    query.addBindValue(text(entry.method));
    query.addBindValue(text(entry.url));
    query.addBindValue(text(entry.message));
    query.addBindValue(blob(entry.requestBody));
    query.addBindValue(blob(entry.responseBody));
    // Entries built elsewhere than fromResult() are redacted too.
    query.addBindValue(blob(redactHeaders(entry.responseHeaders)));
    query.addBindValue(text(cleanNote(entry.note)));
    query.addBindValue(entry.background ? 1 : 0);
    if (!query.exec()) {
        setError(query.lastError().text());
        return -1;
    }
    return query.lastInsertId().toLongLong();
}

QList<HistoryEntry> HistoryStore::all() const
{
    QList<HistoryEntry> entries;
    if (!m_open)
        return entries;
    QSqlQuery query(m_connection->database());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1 FROM history ORDER BY id").arg(fullColumns))) {
        setError(query.lastError().text());
        return entries;
    }
    while (query.next())
        entries.append(readRow(query, Detail::Full));
    return entries;
}

QList<HistoryEntry> HistoryStore::load(qint64 afterId, int limit, Detail detail) const
{
    QList<HistoryEntry> entries;
    if (!m_open)
        return entries;
    QSqlQuery query(m_connection->database());
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM history WHERE id > ? ORDER BY id LIMIT ?")
                      .arg(detail == Detail::Full ? fullColumns : summaryColumns));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!query.exec()) {
        setError(query.lastError().text());
        return entries;
    }
    entries.reserve(qMin(limit, 10000)); // limit may be "everything"
    while (query.next())
        entries.append(readRow(query, detail));
    return entries;
}

std::optional<HistoryEntry> HistoryStore::entry(qint64 id) const
{
    const QList<HistoryEntry> found = entries({id});
    if (found.isEmpty())
        return std::nullopt;
    return found.first();
}

QList<HistoryEntry> HistoryStore::entries(const QList<qint64> &ids) const
{
    QList<HistoryEntry> ordered;
    if (!m_open || ids.isEmpty())
        return ordered;
    QHash<qint64, HistoryEntry> byId;
    for (qsizetype start = 0; start < ids.size(); start += idsPerQuery) {
        const qsizetype count = qMin<qsizetype>(idsPerQuery, ids.size() - start);
        QStringList marks(count, QStringLiteral("?"));
        QSqlQuery query(m_connection->database());
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT %1 FROM history WHERE id IN (%2)")
                          .arg(fullColumns, marks.join(QLatin1Char(','))));
        for (qsizetype i = start; i < start + count; ++i)
            query.addBindValue(ids.at(i));
        if (!query.exec()) {
            setError(query.lastError().text());
            return ordered;
        }
        while (query.next()) {
            HistoryEntry entry = readRow(query, Detail::Full);
            byId.insert(entry.id, entry);
        }
    }
    ordered.reserve(ids.size());
    for (qint64 id : ids) {
        const auto it = byId.constFind(id);
        if (it != byId.constEnd())
            ordered.append(it.value());
    }
    return ordered;
}

bool HistoryStore::setNote(qint64 id, const QString &note)
{
    if (!m_open) {
        m_lastError = QStringLiteral("The history is not open");
        return false;
    }
    QSqlQuery query(m_connection->database());
    query.prepare(QStringLiteral("UPDATE history SET note = ? WHERE id = ?"));
    query.addBindValue(text(cleanNote(note)));
    query.addBindValue(id);
    if (!query.exec()) {
        setError(query.lastError().text());
        return false;
    }
    if (query.numRowsAffected() != 1) {
        m_lastError = QStringLiteral("No request %1 in the history").arg(id);
        return false;
    }
    return true;
}

qint64 HistoryStore::count() const
{
    if (!m_open)
        return 0;
    QSqlQuery query(m_connection->database());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM history")) || !query.next())
        return 0;
    return query.value(0).toLongLong();
}

bool HistoryStore::clear()
{
    if (!m_open)
        return false;
    // VACUUM and the checkpoint make the deleted bodies leave the file and its WAL, not just
    // become free pages.
    return exec(QStringLiteral("DELETE FROM history")) && exec(QStringLiteral("VACUUM")) &&
           exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

QString HistoryStore::defaultPath()
{
    return AppPaths::dataDir() + QStringLiteral("/history.sqlite");
}

QString HistoryStore::identificationOf(const QJsonObject &body, const QUrlQuery &query)
{
    QStringList parts;
    const QJsonValue name = body.value(QLatin1String("name"));
    if (name.isString())
        parts << QStringLiteral("event %1").arg(name.toString());
    const QJsonValue deviceId = body.value(QLatin1String("deviceId"));
    if (deviceId.isString())
        parts << QStringLiteral("deviceId %1").arg(deviceId.toString());
    const QJsonValue account = body.value(QLatin1String("account"));
    if (account.isObject())
        parts << AccountIdentification::fromJson(account.toObject()).describe();
    const QJsonValue identification = body.value(QLatin1String("identification"));
    if (identification.isObject())
        describeIdentification(identification.toObject(), &parts);
    const QJsonValue users = body.value(QLatin1String("users"));
    if (users.isArray())
        parts << describeUsers(users.toArray());
    if (query.hasQueryItem(QStringLiteral("domain")))
        parts << QStringLiteral("domain %1")
                     .arg(query.queryItemValue(QStringLiteral("domain"), QUrl::FullyDecoded));
    parts.removeAll(QString());
    return parts.join(QStringLiteral(" · "));
}

QString HistoryStore::cleanNote(const QString &note)
{
    // The same cleaning as a server's one-line text: no control character, so a note can neither
    // drive a terminal nor end the comment line it becomes in "Copy as curl".
    return ServerText::clean(note, ServerText::Lines::Join).simplified();
}

QByteArray HistoryStore::formatHeaders(const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray lines;
    for (const auto &header : headers)
        lines += header.first + ": " + header.second + '\n';
    return redactHeaders(lines);
}

QByteArray HistoryStore::redactHeaders(const QByteArray &headerLines)
{
    if (!headerLines.toLower().contains("x-api-key"))
        return headerLines;
    QList<QByteArray> lines = headerLines.split('\n');
    for (QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "x-api-key")
            line = line.left(colon) + ": [redacted]";
    }
    return lines.join('\n');
}

HistoryEntry HistoryStore::fromResult(const QString &profile, const ApiResult &result)
{
    HistoryEntry entry;
    entry.time = QDateTime::currentDateTimeUtc();
    entry.profile = profile;
    entry.operation = ApiOperation::info(result.operation).operationId;
    const QUrl url(result.requestUrl);
    entry.identification =
        identificationOf(QJsonDocument::fromJson(result.requestBody).object(), QUrlQuery(url.query()));
    entry.httpStatus = result.httpStatus;
    entry.failure = ApiResult::failureName(result.failure);
    entry.requestId = result.requestId;
    entry.latencyMs = result.latencyMs;
    entry.method = QString::fromLatin1(result.requestMethod);
    // The client already drops user info; a URL from elsewhere might carry a password.
    entry.url = url.userInfo().isEmpty() ? result.requestUrl : url.toString(QUrl::RemoveUserInfo);
    entry.message = result.summary();
    entry.requestBody = result.requestBody;
    entry.responseBody = result.responseBody;
    entry.responseHeaders = formatHeaders(result.responseHeaders);
    entry.note = cleanNote(result.note);
    entry.background = result.background;
    return entry;
}

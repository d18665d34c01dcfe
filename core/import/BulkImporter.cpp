#include "import/BulkImporter.h"

#include "api/ApiResult.h"
#include "api/JournyClient.h"
#include "api/RateLimitTracker.h"
#include "api/RequestValidator.h"
#include "import/ImportRequestWriter.h"
#include "import/ImportRowBuilder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace {

// journy.io's published limit, used until the server says otherwise.
constexpr int defaultLimit = 1800;
// A row answered 429 this often is failed rather than retried for ever: the key is shared with
// someone who keeps the window full, and journy.io blocks keys that keep hitting the limit.
constexpr int maxRateLimited = 10;
// Rows taken from the journal at a time (upserts, deletes, links). Each take is a commit, and a
// commit's fsync holds the event loop (no answer read, no request sent) for a few ms, so takes are
// large enough to ride on the answer flushes rather than commit on their own. A crash sends the
// rows taken but not yet answered again; these calls are idempotent, so that costs only time.
// (Pause stays prompt: queued rows are not sent while paused. Events are taken a few at a time,
// see rowsPerTakeFor().)
constexpr int rowsPerTake = 1024;
// Memberships are queued deeper, so rows of one account spread over the file still fill calls of
// 100 users; the cap bounds memory when accounts are many and interleaved.
constexpr int membershipRowsPerTake = 500;
constexpr size_t membershipQueueCap = 5000;
constexpr int progressIntervalMs = 1000;
// How long answers wait to be written together. A commit with synchronous=FULL costs a few ms of
// fsync, and the event loop stands still meanwhile: writing each answer alone would hold a
// loopback import to a few hundred rows a second, and even one commit per 10 ms cost a loopback
// import of users a third of its time. Rows stay in flight in the journal until their answer is
// written, so the interval only decides how much a crash sends again, never what is lost.
constexpr int answerFlushMs = 100;

QList<qint64> idsOf(const QList<BulkJournal::Row> &rows)
{
    QList<qint64> ids;
    ids.reserve(rows.size());
    for (const BulkJournal::Row &row : rows)
        ids.append(row.id);
    return ids;
}

QJsonObject toJson(const QMap<QString, QString> &errors)
{
    QJsonObject object;
    for (auto it = errors.begin(); it != errors.end(); ++it)
        object.insert(it.key(), it.value());
    return object;
}

int usersOf(const QJsonObject &body)
{
    return std::max<int>(1, static_cast<int>(body.value(QLatin1String("users")).toArray().size()));
}

bool isMembership(Operation operation)
{
    return operation == Operation::AddUsersToAccount || operation == Operation::RemoveUsersFromAccount;
}

// Whether the server may have acted on a call that got no clean answer. Only failures that happen
// before the request leaves (no connection, no TLS) rule it out; a 5xx may come after the work.
bool mayHaveReachedServer(const ApiResult &result)
{
    switch (result.failure) {
    case ApiResult::Failure::None:
        return result.httpStatus >= 500;
    case ApiResult::Failure::Preflight:
    case ApiResult::Failure::InvalidUrl:
    case ApiResult::Failure::InsecureUrl:
    case ApiResult::Failure::ConnectionRefused:
    case ApiResult::Failure::HostNotFound:
    case ApiResult::Failure::Tls:
    case ApiResult::Failure::ProxyRefused:
    case ApiResult::Failure::ProxyAuth:
    case ApiResult::Failure::ProxyHostNotFound:
        return false;
    default:
        return true;
    }
}

} // namespace

BulkImporter::BulkImporter(BulkJournal *journal, JournyClient *client, qint64 jobId, const Options &options,
                           QObject *parent)
    : QObject(parent), m_journal(journal), m_client(client), m_jobId(jobId), m_options(options),
      m_pacer(options.rateCeiling > 0 ? options.rateCeiling : defaultLimit, options.windowMs)
{
    m_options.concurrency = std::max(1, m_options.concurrency);
    m_options.maxAttempts = std::max(1, m_options.maxAttempts);
    m_options.backoffBaseMs = std::max<qint64>(0, m_options.backoffBaseMs);
    m_options.backoffCapMs = std::max(m_options.backoffBaseMs, m_options.backoffCapMs);
    m_sendTimer.setSingleShot(true);
    connect(&m_sendTimer, &QTimer::timeout, this, &BulkImporter::pump);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(answerFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &BulkImporter::flushAnswers);
    m_progressTimer.setInterval(progressIntervalMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &BulkImporter::emitProgress);
}

void BulkImporter::start()
{
    if (m_running || m_done)
        return;
    m_running = true;
    // Never from inside the caller: finished() may follow at once for an empty job.
    QMetaObject::invokeMethod(this, &BulkImporter::run, Qt::QueuedConnection);
}

void BulkImporter::run()
{
    if (m_done)
        return;
    const BulkJournal::Job job = m_journal->job(m_jobId);
    m_kind = job.kind;
    if (!job.prepared) {
        // Part of a file is not the file: ImportPreparer::finishPreparing() must complete it first.
        qWarning("bulk import: job %lld is not completely prepared; not sending it", m_jobId);
        finish(true);
        return;
    }
    m_journal->recoverInFlight(m_jobId);
    const BulkJournal::Counts counts = m_journal->counts(m_jobId);
    if (!journalOk()) {
        finish(true);
        return;
    }
    m_total = counts.total();
    m_doneRows = counts.done;
    m_failedRows = counts.failed;
    m_clock.start();
    updateLimit();
    // A key used a moment ago (an importer cancelled and resumed, the console's other calls) has
    // part of the server's window spent: count those sends as if made now, so a fresh pacer does
    // not open with a burst the server would refuse.
    const RateLimitState state = m_client->rateLimits()->state(m_client->rateLimitScope());
    if (state.isKnown() && state.observedAt.isValid() &&
        state.observedAt.msecsTo(QDateTime::currentDateTimeUtc()) < m_options.windowMs) {
        const int used = std::min(m_pacer.limit(), std::max(0, state.limit - state.remaining));
        for (int i = 0; i < used; ++i)
            m_pacer.recordSend();
    }
    m_progressTimer.start();
    emitProgress();
    pump();
}

void BulkImporter::pause()
{
    if (m_done || m_paused)
        return;
    m_paused = true;
    m_sendTimer.stop();
    emitProgress();
}

void BulkImporter::resume()
{
    if (!m_paused)
        return;
    m_paused = false;
    if (m_running) {
        emitProgress();
        QMetaObject::invokeMethod(this, &BulkImporter::pump, Qt::QueuedConnection);
    }
}

void BulkImporter::cancel()
{
    if (m_done || m_cancelled)
        return;
    m_cancelled = true;
    m_sendTimer.stop();
    if (!m_running)
        return;
    returnQueuedRows();
    emitProgress();
    QMetaObject::invokeMethod(this, &BulkImporter::maybeFinish, Qt::QueuedConnection);
}

BulkImporter::Progress BulkImporter::progress() const
{
    Progress progress;
    progress.counts.done = m_doneRows;
    progress.counts.failed = m_failedRows;
    progress.counts.inFlight = m_inFlightRows;
    // Rows queued or waiting for a retry are in flight in the journal but not on the wire.
    progress.counts.pending = std::max<qint64>(0, m_total - m_doneRows - m_failedRows - m_inFlightRows);
    if (!m_done && !m_paused && !m_cancelled)
        progress.rateLimitedMs = m_pacer.pausedForMs();
    if (!m_clock.isValid())
        return progress;
    const qint64 now = m_clock.elapsed();
    qint64 rows = m_windowRows;
    for (const auto &completion : m_completions) {
        if (completion.first > now - m_options.windowMs)
            break;
        rows -= completion.second; // older than the window, not yet dropped by emitProgress()
    }
    // Over the last window, or since the start when that is shorter (but at least a second, so
    // the first answer does not read as thousands per second).
    const double seconds = std::max<qint64>(1000, std::min<qint64>(now, m_options.windowMs)) / 1000.0;
    progress.ratePerSecond = rows / seconds;
    const qint64 remaining = progress.counts.pending + progress.counts.inFlight;
    if (remaining == 0)
        progress.etaSeconds = 0;
    else if (progress.ratePerSecond > 0)
        progress.etaSeconds = static_cast<qint64>(std::ceil(remaining / progress.ratePerSecond));
    return progress;
}

QString BulkImporter::Progress::rateLimitedNotice() const
{
    if (rateLimitedMs <= 0)
        return QString();
    // Whole seconds, rounded up: "retrying in 0 s" while still waiting would be a lie.
    return QStringLiteral("rate limited, retrying in %1 s").arg((rateLimitedMs + 999) / 1000);
}

void BulkImporter::emitProgress()
{
    if (m_clock.isValid()) {
        const qint64 now = m_clock.elapsed();
        while (!m_completions.empty() && m_completions.front().first <= now - m_options.windowMs) {
            m_windowRows -= m_completions.front().second;
            m_completions.pop_front();
        }
    }
    emit progressed(progress());
}

void BulkImporter::updateLimit()
{
    int limit = m_options.rateCeiling > 0 ? m_options.rateCeiling : 0;
    const int server = m_client->rateLimits()->state(m_client->rateLimitScope()).limit;
    if (server > 0)
        limit = limit > 0 ? std::min(limit, server) : server;
    if (limit <= 0)
        limit = defaultLimit;
    if (limit != m_pacer.limit())
        m_pacer.setLimit(limit);
}

int BulkImporter::concurrencyNow() const
{
    // Until the server has answered once, its limit is unknown: a first burst at the default
    // 1800/min could already overrun a lower limit, so one call goes alone first.
    const bool limitKnown = m_client->rateLimits()->state(m_client->rateLimitScope()).limit > 0;
    return limitKnown || m_sawAnswer ? m_options.concurrency : 1;
}

void BulkImporter::pump()
{
    if (!m_running || m_done)
        return;
    if (m_cancelled || m_paused || m_journalFailed) {
        maybeFinish();
        return;
    }
    while (m_inFlight < concurrencyNow()) {
        if (!fillQueue())
            break;
        if (m_queue.empty())
            break;
        const qint64 wait = m_pacer.delayUntilNextSend();
        if (wait > 0) {
            m_sendTimer.start(static_cast<int>(std::min<qint64>(wait, std::numeric_limits<int>::max())));
            break;
        }
        QList<BulkJournal::Row> rows;
        ApiRequest request;
        nextCall(&rows, &request);
        // Journaled before it goes: after a crash, exactly these rows count as sent (and, for
        // events, as possibly duplicated), not every row taken ahead.
        m_journal->markSent(idsOf(rows));
        if (!journalOk())
            break;
        m_pacer.recordSend();
        send(rows, request);
    }
    maybeFinish();
}

bool BulkImporter::fillQueue(bool topUp)
{
    const bool grouping = m_kind.kind == ImportKind::Kind::Memberships;
    const size_t lowWater =
        grouping || topUp ? size_t(rowsPerTakeFor(grouping)) : size_t(std::max(8, 2 * m_options.concurrency));
    while (!m_drained) {
        bool need = m_queue.size() < lowWater;
        // A partial call for the first account while more of its rows may follow in the file.
        if (!need && grouping && m_queue.size() < membershipQueueCap && !m_queue.front().group.isEmpty())
            need = m_groupSizes.value(m_queue.front().group) < RequestValidator::MaxUsersPerCall;
        if (!need)
            break;
        if (!takeBatch())
            return false;
    }
    return true;
}

int BulkImporter::rowsPerTakeFor(bool grouping) const
{
    if (grouping)
        return membershipRowsPerTake;
    // Events taken ahead count as in flight after a crash, and so as possibly duplicated: take
    // only what is about to be sent, so that list names the events that may really be doubled.
    if (m_kind.kind == ImportKind::Kind::Events)
        return m_options.concurrency + 2;
    return std::max(rowsPerTake, 4 * m_options.concurrency);
}

bool BulkImporter::takeBatch()
{
    const int batch = rowsPerTakeFor(m_kind.kind == ImportKind::Kind::Memberships);
    // Answers not yet written go in the same commit as the take: one fsync for both.
    const bool ownBatch = !m_batchOpen;
    if (ownBatch && !beginWrite()) {
        if (m_batchOpen)
            endWrite();
        return false;
    }
    const bool taken = takeRows(batch);
    if (ownBatch)
        endWrite();
    return taken && !m_journalFailed;
}

bool BulkImporter::takeRows(int batch)
{
    const QList<BulkJournal::Row> rows = m_journal->takePending(m_jobId, batch);
    if (!journalOk())
        return false;
    if (rows.size() < batch)
        m_drained = true;
    // A row ImportRequestWriter journaled passed ImportRowChecker (the pre-flight rules) on its way
    // in: its body is sent as the text it is, without reading it back, checking it again and
    // writing it out again. Memberships are read, to be grouped.
    const Operation operationOfKind = m_kind.operation();
    const QByteArray checkedPrefix =
        isMembership(operationOfKind) ? QByteArray() : ImportRequestWriter::prefix(operationOfKind);
    for (const BulkJournal::Row &row : rows) {
        if (!checkedPrefix.isEmpty() && row.request.startsWith(checkedPrefix) && row.request.endsWith('}')) {
            Queued queued;
            queued.row = row;
            queued.request.operation = operationOfKind;
            queued.request.bodyText =
                row.request.mid(checkedPrefix.size(), row.request.size() - checkedPrefix.size() - 1);
            m_queue.push_back(queued);
            continue;
        }
        const QJsonObject stored = QJsonDocument::fromJson(row.request).object();
        const QString operationId = stored.value(QLatin1String("operation")).toString();
        const ApiOperation *operation = ApiOperation::byOperationId(operationId);
        if (!operation) {
            markFailed({row}, QStringLiteral("Not sent: unknown operation '%1'").arg(operationId),
                       QJsonObject());
            if (m_journalFailed)
                return false;
            continue;
        }
        Queued queued;
        queued.row = row;
        queued.request = ApiRequest::raw(operation->operation, stored.value(QLatin1String("body")).toObject(),
                                         QUrlQuery(stored.value(QLatin1String("query")).toString()));
        // Pre-flight here rather than in the client: a row that cannot be sent must not use up
        // one of the window's sends, and a membership row must fail alone, not its whole call.
        if (m_client->config().preflight) {
            const RequestValidator::FieldErrors errors = RequestValidator::validate(queued.request);
            if (!errors.isEmpty()) {
                ApiResult refused;
                refused.failure = ApiResult::Failure::Preflight;
                refused.errors = errors;
                markFailed({row}, refused.summary(), toJson(errors));
                if (m_journalFailed)
                    return false;
                continue;
            }
        }
        if (isMembership(operation->operation)) {
            const QString account = ImportRowBuilder::groupKey(queued.request);
            if (!account.isEmpty()) {
                queued.group = operationId + QLatin1Char(' ') + account;
                queued.users = usersOf(queued.request.body);
                m_groupSizes[queued.group] += queued.users;
            }
        }
        m_queue.push_back(queued);
    }
    return true;
}

void BulkImporter::nextCall(QList<BulkJournal::Row> *rows, ApiRequest *request)
{
    Queued first = std::move(m_queue.front());
    m_queue.pop_front();
    rows->append(first.row);
    if (first.group.isEmpty()) {
        *request = first.request;
        return;
    }
    // The first row's account, with the rows of the same account that follow it, up to 100 users.
    QList<ApiRequest> requests{first.request};
    int users = first.users;
    std::deque<Queued> rest;
    for (Queued &queued : m_queue) {
        if (queued.group == first.group && users + queued.users <= RequestValidator::MaxUsersPerCall) {
            users += queued.users;
            rows->append(queued.row);
            requests.append(queued.request);
        } else {
            rest.push_back(std::move(queued));
        }
    }
    m_queue.swap(rest);
    int &groupSize = m_groupSizes[first.group];
    groupSize -= users;
    if (groupSize <= 0)
        m_groupSizes.remove(first.group);
    *request = requests.size() == 1 ? first.request : ImportRowBuilder::mergeMemberships(requests);
}

void BulkImporter::send(const QList<BulkJournal::Row> &rows, const ApiRequest &request)
{
    ++m_inFlight;
    m_inFlightRows += rows.size();
    // A row was validated when it was taken; a merged membership call is not the row itself.
    ApiReply *reply = m_client->send(request, rows.size() == 1);
    connect(reply, &ApiReply::finished, this, [this, reply, rows](const ApiResult &result) {
        reply->deleteLater();
        onResult(rows, result);
    });
}

void BulkImporter::onResult(const QList<BulkJournal::Row> &rows, const ApiResult &result)
{
    --m_inFlight;
    m_inFlightRows -= rows.size();
    if (result.httpStatus > 0)
        m_sawAnswer = true;
    updateLimit();
    // At once, not when the answer is written: no send may go into the window the server refused.
    // The user hears of it at once too ("rate limited, retrying in N s").
    const bool rateLimited = result.httpStatus == 429;
    if (rateLimited)
        m_pacer.backOff(result.retryAfterMs);
    m_answers.append({rows, result});
    // Answers are written a few milliseconds later, together: one fsync for all that came in
    // meanwhile. The rows stay in flight in the journal until then, so a crash in between only
    // sends them again.
    if (!m_flushTimer.isActive())
        m_flushTimer.start(answerFlushMs);
    // The freed slot is used now, not after the disk: sending never waits for an fsync.
    pump();
    // The last answers of a job (or of a pause or cancel) have nothing to wait for.
    if (m_inFlight == 0 && m_flushTimer.isActive())
        m_flushTimer.start(0);
    if (rateLimited)
        emitProgress();
}

bool BulkImporter::beginWrite()
{
    if (!m_journal->beginBatch()) {
        journalOk();
        return false;
    }
    m_batchOpen = true;
    const QList<Answer> answers = std::exchange(m_answers, {});
    for (const Answer &answer : answers) {
        if (m_journalFailed)
            break;
        record(answer.rows, answer.result);
    }
    return !m_journalFailed;
}

void BulkImporter::endWrite()
{
    m_batchOpen = false;
    m_journal->commitBatch(); // rolls back if a call inside failed
    journalOk();
}

void BulkImporter::flushAnswers()
{
    m_flushTimer.stop();
    if (m_answers.isEmpty() || m_journalFailed || m_done)
        return;
    if (beginWrite()) {
        // Rows needed soon are taken in the same commit, so sending seldom needs a commit of its own.
        if (!m_cancelled && !m_paused)
            fillQueue(true);
    }
    if (m_batchOpen)
        endWrite();
    emitProgress();
    pump();
}

void BulkImporter::record(const QList<BulkJournal::Row> &rows, const ApiResult &result)
{
    switch (result.outcome()) {
    case ApiResult::Outcome::Success:
        markDone(rows, result.requestId, result.rejected);
        break;
    case ApiResult::Outcome::PreflightFailed:
        markFailed(rows, result.summary(), toJson(result.errors));
        break;
    case ApiResult::Outcome::Refused:
        if (result.httpStatus == 429)
            onRateLimited(rows, result);
        else
            onRefused(rows, result);
        break;
    case ApiResult::Outcome::Failed:
        if (result.failure == ApiResult::Failure::Cancelled)
            markPending(idsOf(rows), false, false);
        else
            retryLater(rows, result);
        break;
    }
}

void BulkImporter::onRateLimited(const QList<BulkJournal::Row> &rows, const ApiResult &result)
{
    // (onResult() already paused the pacer for the answer's Retry-After; the rows go back to
    // pending and are sent when it allows.)
    QList<BulkJournal::Row> givenUp;
    QList<qint64> again;
    for (const BulkJournal::Row &row : rows) {
        if (++m_rateLimitedTimes[row.id] > maxRateLimited)
            givenUp.append(row);
        else
            again.append(row.id);
    }
    if (!givenUp.isEmpty())
        markFailed(givenUp,
                   QStringLiteral("%1 (rate limited %2 times; giving up)")
                       .arg(result.summary())
                       .arg(maxRateLimited + 1),
                   toJson(result.errors));
    if (!again.isEmpty())
        markPending(again, false, false);
}

void BulkImporter::onRefused(const QList<BulkJournal::Row> &rows, const ApiResult &result)
{
    const QString error = result.summary();
    if (rows.size() == 1) {
        markFailed(rows, error, toJson(result.errors));
        return;
    }
    // A merged membership call: errors under users.N belong to the row that brought user N. Those
    // rows fail with their own errors (numbered as in their own request); the others go back to
    // pending, to be sent again without them.
    QList<int> firstUser; // per row, its first user's index in the merged call
    int users = 0;
    for (const BulkJournal::Row &row : rows) {
        firstUser.append(users);
        users +=
            usersOf(QJsonDocument::fromJson(row.request).object().value(QLatin1String("body")).toObject());
    }
    QHash<int, QJsonObject> perRow;
    bool unattributed = result.errors.isEmpty();
    for (auto it = result.errors.begin(); it != result.errors.end() && !unattributed; ++it) {
        const QStringList parts = it.key().split(QLatin1Char('.'));
        bool isIndex = false;
        const int user =
            parts.size() >= 2 && parts.first() == QLatin1String("users") ? parts.at(1).toInt(&isIndex) : -1;
        if (!isIndex || user < 0 || user >= users) {
            unattributed = true;
            break;
        }
        const int row =
            static_cast<int>(std::upper_bound(firstUser.begin(), firstUser.end(), user) - firstUser.begin()) -
            1;
        QStringList local = parts;
        local[1] = QString::number(user - firstUser.at(row));
        perRow[row].insert(local.join(QLatin1Char('.')), it.value());
    }
    if (unattributed) {
        markFailed(rows, error, toJson(result.errors));
        return;
    }
    QList<qint64> others;
    for (int i = 0; i < rows.size(); ++i) {
        if (perRow.contains(i))
            markFailed({rows.at(i)}, error, perRow.value(i));
        else
            others.append(rows.at(i).id);
        if (m_journalFailed)
            return;
    }
    markPending(others, false, false);
}

void BulkImporter::retryLater(const QList<BulkJournal::Row> &rows, const ApiResult &result)
{
    // An event sent again after an answer that does not prove it was not stored may be stored twice.
    const bool duplicate = m_kind.kind == ImportKind::Kind::Events && mayHaveReachedServer(result);
    QList<BulkJournal::Row> givenUp;
    QList<BulkJournal::Row> waiting;
    for (const BulkJournal::Row &row : rows)
        (row.attempts + 1 >= m_options.maxAttempts ? givenUp : waiting).append(row);
    if (!givenUp.isEmpty()) {
        // The last attempt is counted too, so a failed row's attempts say how often it was sent.
        markPending(idsOf(givenUp), true, duplicate);
        markFailed(
            givenUp,
            QStringLiteral("%1 (gave up after %2 attempts)").arg(result.summary()).arg(m_options.maxAttempts),
            toJson(result.errors));
    }
    if (waiting.isEmpty() || m_journalFailed)
        return;
    // Capped exponential backoff from the row's failures so far, with jitter so the rows of a
    // failed burst do not all come back at the same moment (RetryPolicy). A merged call's rows
    // share it. Only these rows wait: the pacer is not paused, so the other rows keep going and a
    // failing call holds nothing but the concurrency slot it had while it was on the wire. A 503
    // that names a Retry-After is not tried sooner than that.
    int attempts = 0;
    for (const BulkJournal::Row &row : waiting)
        attempts = std::max(attempts, row.attempts);
    const qint64 delay =
        std::max(result.retryAfterMs,
                 RetryPolicy::backoffMs(attempts + 1, QRandomGenerator::global()->generateDouble(),
                                        m_options.backoffBaseMs, m_options.backoffCapMs));
    const QList<qint64> ids = idsOf(waiting);
    // The rows stay in flight in the journal while they wait: a crash now sends them again at resume.
    for (qint64 id : ids)
        m_waiting.insert(id, duplicate);
    QTimer::singleShot(static_cast<int>(delay), this, [this, ids] { retryDue(ids); });
}

void BulkImporter::retryDue(const QList<qint64> &rowIds)
{
    if (m_done || m_journalFailed)
        return;
    QList<qint64> duplicates;
    QList<qint64> others;
    for (qint64 id : rowIds) {
        const auto it = m_waiting.constFind(id);
        if (it == m_waiting.constEnd())
            continue; // cancel() already put it back
        (it.value() ? duplicates : others).append(id);
        m_waiting.erase(it);
    }
    markPending(duplicates, true, true);
    markPending(others, true, false);
    pump();
}

void BulkImporter::markDone(const QList<BulkJournal::Row> &rows, const QString &requestId,
                            const QMap<QString, QString> &rejected)
{
    m_journal->markDone(idsOf(rows), requestId, rejected);
    if (!journalOk())
        return;
    m_doneRows += rows.size();
    m_completions.emplace_back(m_clock.elapsed(), rows.size());
    m_windowRows += rows.size();
    for (const BulkJournal::Row &row : rows)
        m_rateLimitedTimes.remove(row.id);
}

void BulkImporter::markFailed(const QList<BulkJournal::Row> &rows, const QString &error,
                              const QJsonObject &fieldErrors)
{
    m_journal->markFailed(idsOf(rows), error, fieldErrors);
    if (!journalOk())
        return;
    m_failedRows += rows.size();
    m_completions.emplace_back(m_clock.elapsed(), rows.size());
    m_windowRows += rows.size();
    for (const BulkJournal::Row &row : rows)
        m_rateLimitedTimes.remove(row.id);
}

void BulkImporter::markPending(const QList<qint64> &rowIds, bool countAttempt, bool possiblyDuplicated)
{
    if (rowIds.isEmpty())
        return;
    m_journal->markPending(rowIds, countAttempt, possiblyDuplicated);
    if (journalOk())
        m_drained = false;
}

bool BulkImporter::journalOk()
{
    if (m_journal->lastError().isEmpty())
        return true;
    // Sending on without recording would lose track of rows: stop, and let a resume sort it out
    // (rows left in flight are recovered then).
    if (!m_journalFailed)
        qWarning("bulk import: stopping, the journal cannot be written: %s",
                 qPrintable(m_journal->lastError()));
    m_journalFailed = true;
    m_sendTimer.stop();
    m_queue.clear();
    m_groupSizes.clear();
    m_waiting.clear();
    m_answers.clear();
    return false;
}

void BulkImporter::returnQueuedRows()
{
    QList<qint64> queued;
    for (const Queued &entry : m_queue)
        queued.append(entry.row.id);
    m_queue.clear();
    m_groupSizes.clear();
    QList<qint64> duplicates;
    QList<qint64> others;
    for (auto it = m_waiting.constBegin(); it != m_waiting.constEnd(); ++it)
        (it.value() ? duplicates : others).append(it.key());
    m_waiting.clear();
    markPending(queued, false, false);
    markPending(duplicates, true, true);
    markPending(others, true, false);
}

void BulkImporter::maybeFinish()
{
    if (!m_running || m_done || m_inFlight > 0 || !m_answers.isEmpty())
        return;
    if (m_journalFailed) {
        finish(true);
        return;
    }
    if (m_cancelled) {
        returnQueuedRows();
        finish(true);
        return;
    }
    if (!m_queue.empty() || !m_waiting.isEmpty() || !m_drained)
        return;
    // The journal has the last word: a row made pending since the last take is sent first.
    const BulkJournal::Counts counts = m_journal->counts(m_jobId);
    if (!journalOk()) {
        finish(true);
        return;
    }
    if (counts.pending > 0) {
        m_drained = false;
        QMetaObject::invokeMethod(this, &BulkImporter::pump, Qt::QueuedConnection);
        return;
    }
    if (counts.inFlight > 0) {
        // Not ours (another importer on the same job?): the job cannot be called finished.
        qWarning("bulk import: %lld row(s) in flight elsewhere; stopping", counts.inFlight);
        finish(true);
        return;
    }
    m_journal->finishJob(m_jobId);
    journalOk();
    finish(false);
}

void BulkImporter::finish(bool cancelled)
{
    if (m_done)
        return;
    m_done = true;
    m_running = false;
    m_sendTimer.stop();
    m_flushTimer.stop();
    m_progressTimer.stop();
    emitProgress();
    emit finished(cancelled);
}

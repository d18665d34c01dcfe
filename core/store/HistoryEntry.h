#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

// One request of the history, as HistoryStore keeps it and HistoryModel shows it. Plain data:
// it never holds the API key (ApiResult has none, and stored headers are redacted).
class HistoryEntry
{
public:
    qint64 id = 0;          // the store's row id; 0 for an entry that was never stored
    QDateTime time;         // when the answer arrived, UTC
    QString profile;        // the profile the request went to
    QString operation;      // the spec's operationId, e.g. "upsertUser"
    QString identification; // who or what the request was about, e.g. "userId u1 · email a@b.c"
    int httpStatus = 0;     // 0 when no HTTP answer arrived
    QString failure;        // ApiResult::failureName(); empty when the call got a clean answer
    QString requestId;      // meta.requestId of the answer
    qint64 latencyMs = -1;  // -1 when unknown
    QString method;         // "POST", "GET", ...
    QString url;            // without user info; the key is a header, never in it
    QString message;        // ApiResult::summary(), e.g. "HTTP 400: Invalid input"
    QString note;           // the user's note (a ticket reference), one line; never sent
    // Sent by the console on its own (ApiRequest::background), not by the user.
    bool background = false;

    // The heavy part, left empty when the store loads summaries only (HistoryStore::Detail).
    QByteArray requestBody;
    QByteArray responseBody;
    QByteArray responseHeaders; // "Name: value" lines; an X-Api-Key value is redacted

    bool operator==(const HistoryEntry &other) const
    {
        return id == other.id && time == other.time && profile == other.profile &&
               operation == other.operation && identification == other.identification &&
               httpStatus == other.httpStatus && failure == other.failure && requestId == other.requestId &&
               latencyMs == other.latencyMs && method == other.method && url == other.url &&
               message == other.message && note == other.note && background == other.background &&
               requestBody == other.requestBody && responseBody == other.responseBody &&
               responseHeaders == other.responseHeaders;
    }
    bool operator!=(const HistoryEntry &other) const { return !(*this == other); }
};

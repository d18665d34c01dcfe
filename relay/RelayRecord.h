#pragma once

#include "api/LintFinding.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

// One call that arrived at a RelayServer: what was sent, how it was judged, and, once the
// upstream answered, what came back. Holds the caller's API key only as a fingerprint
// (PastedRequest::fingerprint), so a record can be shown, exported and shared.
class RelayRecord
{
public:
    enum class Verdict
    {
        Clean,    // no spec error, no lint warning (info findings may be there)
        Warnings, // lint warnings only: the API accepts it, the integration probably meant otherwise
        Errors,   // spec errors, or not an API route at all
    };

    qint64 id = 0; // 1, 2, ... in the order requests arrived at one relay
    QDateTime received;
    QByteArray method;
    QString path;        // path and query as the caller sent them
    QString operationId; // the spec's operationId; empty when not an API route
    QByteArray requestBody;
    QString keyFingerprint;            // empty when the caller sent no X-Api-Key
    QMap<QString, QString> specErrors; // field path -> message; "" for the route itself
    QList<LintFinding> findings;
    Verdict verdict = Verdict::Clean;

    // Filled in when answered.
    bool answered = false;
    int status = 0; // what the caller got: the upstream's status, or the relay's own 404/502/504
    QByteArray responseBody;
    QString requestId; // the upstream's meta.requestId (the relay's own for its own answers)
    qint64 latencyMs = -1;
    QString failure; // why the upstream gave no answer (timeout, unreachable); empty otherwise

    static QString verdictName(Verdict verdict); // "clean", "warnings", "errors"
    // The verdict of specErrors and findings.
    void judge();
    // One line of the JSON Lines export. Bodies that are JSON are embedded as JSON, others as text.
    QJsonObject toJson() const;
};

Q_DECLARE_METATYPE(RelayRecord)

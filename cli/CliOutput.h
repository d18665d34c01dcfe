#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

class ApiResult;

// How the CLI shows an ApiResult: readable text by default, or exactly one JSON object with
// --json. Neither ever contains the API key: ApiResult does not hold it.
class CliOutput
{
public:
    // "message" is the server's message and, for every failure (transport, TLS, proxy, body), its
    // one-line reason; "error" names the failure.
    static QJsonObject toJson(const ApiResult &result);
    // The one --json shape of a command that stops before (or without) an API answer: toJson's
    // members, with "message" saying why and "error" "usage" (a usage problem) or "failed".
    static QJsonObject failureJson(bool usage, const QString &message);
    // validate also shows its route ("Route: via HTTP proxy host:port") and, over https, the
    // TLS protocol and the certificate's issuer.
    static QString toText(const ApiResult &result);
    // Rows under headers, columns padded to their widest cell.
    static QString table(const QStringList &headers, const QList<QStringList> &rows);
};

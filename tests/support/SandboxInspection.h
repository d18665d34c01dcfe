#pragma once

#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>

// What a sandbox's inspection endpoints (GET /_sandbox/users|accounts|events|stats) answer: what
// the server received and stored, read over real HTTP as any client would.
class SandboxInspection
{
public:
    int status = 0; // 0 when no answer arrived within 10 s
    QJsonObject body;

    static SandboxInspection get(const QUrl &base, const QString &path, const QUrlQuery &query = QUrlQuery());
};

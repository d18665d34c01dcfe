#pragma once

#include "api/NetworkSettings.h"

#include <QString>
#include <QUrl>

// Where and how a JournyClient talks: one per profile.
class ClientConfig
{
public:
    QUrl baseUrl = QUrl(QStringLiteral("https://api.journy.io"));
    QString apiKey;
    // Proxy, extra CA file and the total timeout of a call.
    NetworkSettings network;
    // journy.io's answers are small; a cap keeps a misbehaving proxy from filling memory.
    qint64 maxResponseBytes = 4 * 1024 * 1024;
    // Pre-flight validation; turn off to see what the server itself says.
    bool preflight = true;
};

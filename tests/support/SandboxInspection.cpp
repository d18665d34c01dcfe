#include "support/SandboxInspection.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTest>

SandboxInspection SandboxInspection::get(const QUrl &base, const QString &path, const QUrlQuery &query)
{
    QUrl url = base;
    url.setPath(path);
    url.setQuery(query);
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    SandboxInspection inspection;
    if (QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000)) {
        inspection.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        inspection.body = QJsonDocument::fromJson(reply->readAll()).object();
    }
    reply->deleteLater();
    return inspection;
}

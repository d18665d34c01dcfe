#pragma once

#include "ApiResult.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

// One call in flight, like QNetworkReply for journy.io: finished() fires exactly once, always
// asynchronously (even for calls refused before sending), with the call's ApiResult. The
// JournyClient that made it is its parent; callers may deleteLater() it once finished.
class ApiReply : public QObject
{
    Q_OBJECT
public:
    bool isFinished() const { return m_finished; }
    const ApiResult &result() const { return m_result; }
    // Aborts the call; finished() follows with Failure::Cancelled.
    void cancel();

signals:
    void finished(const ApiResult &result);

private:
    friend class JournyClient;
    ApiReply(const ApiResult &prepared, QObject *parent);

    // Finishes on the next event-loop turn without sending anything.
    void finishUnsent();
    void attach(QNetworkReply *reply, int timeoutMs, qint64 maxResponseBytes);
    void onMetaDataChanged();
    void onReadyRead();
    void onNetworkFinished();
    void abortWith(ApiResult::Failure reason, const QString &detail);
    void classifyNetworkError();
    void complete();

    ApiResult m_result;
    QPointer<QNetworkReply> m_reply;
    QTimer m_deadline;
    QElapsedTimer m_clock;
    QByteArray m_body;
    qint64 m_maxResponseBytes = 0;
    ApiResult::Failure m_abortReason = ApiResult::Failure::None;
    QString m_abortDetail;
    QStringList m_tlsErrors;
    bool m_finished = false;
};

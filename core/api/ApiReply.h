#pragma once

#include "api/ApiResult.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTimer>

#include <functional>

class NetworkSettings;
class QNetworkAccessManager;
class QNetworkProxy;
class QNetworkReply;
class QNetworkRequest;
template <typename T> class QFutureWatcher;

// One call in flight, like QNetworkReply for journy.io: finished() fires exactly once, always
// asynchronously (even for calls refused before sending), with the call's ApiResult. The
// JournyClient that made it is its parent; callers may deleteLater() it once finished.
class ApiReply : public QObject
{
    Q_OBJECT
public:
    ~ApiReply() override;

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
    // Starts the total deadline; the call is then sent by dispatch().
    void startClock(int timeoutMs, qint64 maxResponseBytes);
    // Looks the route up on a worker thread (a system proxy look-up may take seconds) and calls
    // dispatch with it on this thread, unless the call finished (cancel, deadline) meanwhile.
    void resolveRouteThen(const NetworkSettings &settings, const QProcessEnvironment &environment,
                          const QUrl &url, std::function<void(const QNetworkProxy &)> dispatch);
    void attach(QNetworkReply *reply, const QString &route);
    void onMetaDataChanged();
    void onReadyRead();
    void onNetworkFinished();
    void abortWith(ApiResult::Failure reason, const QString &detail);
    void classifyNetworkError();
    void readTlsSession();
    void complete();
    // Every text the server sent, through ServerText::clean before anyone sees the result.
    void cleanServerText();

    ApiResult m_result;
    QPointer<QNetworkReply> m_reply;
    QFutureWatcher<QNetworkProxy> *m_routeLookup = nullptr;
    QTimer m_deadline;
    QElapsedTimer m_clock;
    QByteArray m_body;
    qint64 m_maxResponseBytes = 0;
    ApiResult::Failure m_abortReason = ApiResult::Failure::None;
    QString m_abortDetail;
    QStringList m_tlsErrors;
    bool m_issuerUnknown = false;
    bool m_finished = false;
    QStringList m_secrets; // the key and proxy password, redacted from what the server sent
};

#pragma once

#include "HttpResponse.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>

#include <utility>

class QTcpSocket;

// One persistent HTTP/1.1 connection to one origin (scheme, host, port), for one exchange at a
// time (no pipelining: a request is written only once the previous answer was read to its end).
// https uses TLS with peer verification; TLS errors are collected for the message and never
// ignored, so the handshake fails and no byte of the request (or its API key) leaves. Plain and
// TLS connections use the application proxy, as every QAbstractSocket does by default.
//
// The answer is read in whole blocks as the socket delivers them and parsed here: status line,
// headers (capped), then a body framed by Content-Length, chunked transfer coding, or the close of
// the connection; HEAD, 204 and 304 answers have none. A connection whose exchange failed, was
// aborted, or whose answer asked for (or implied) a close is never reused.
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    // Status line plus headers, and chunked trailers. journy.io sends well under 1 KiB; the cap
    // keeps a broken proxy from filling memory before the body cap can apply.
    static constexpr qsizetype MaxHeaderBytes = 64 * 1024;

    HttpConnection(bool tls, const QString &host, quint16 port, QObject *parent = nullptr);

    // "scheme://host:port", the key connections are pooled under.
    static QString originKey(bool tls, const QString &host, quint16 port);
    QString originKey() const { return originKey(m_tls, m_host, m_port); }

    // Connects first if needed, writes request (the complete bytes: head and body) and reads the
    // answer; finished() follows exactly once, unless abort() comes first. A body longer than
    // maxBodyBytes is not read (announced) or stops being read one byte past the cap (streamed).
    void send(const QByteArray &request, bool headRequest, qint64 maxBodyBytes);
    // Closes at once; no finished() follows. The connection is dead from then on.
    void abort();

    // The last exchange ended cleanly and the connection may carry the next one.
    bool isReusable() const { return m_state == State::Idle; }
    // The exchange in progress (or the last one) went over a connection that had carried an
    // earlier one: a close before any byte of the answer may then be a stale keep-alive.
    bool wasReused() const { return m_reusedForThis; }
    HttpResponse takeResponse() { return std::exchange(m_response, HttpResponse()); }

signals:
    void finished();
    // An idle connection became unusable: the server closed it, or sent bytes nobody asked for.
    void lost();

private:
    enum class State
    {
        Fresh, // not connected yet
        Busy,  // an exchange in progress
        Idle,  // connected, between exchanges
        Dead,
    };
    enum class Phase
    {
        Head,
        LengthBody,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Trailers,
        UntilClose,
    };

    void onReady();
    void onReadyRead();
    void onSocketError();
    void onClosed(const QString &why);
    void becomeLost();
    // Parses what m_in holds as far as it goes; may finish the exchange.
    void parse();
    bool parseHead();
    bool parseChunkSize();
    bool parseTrailers();
    // Appends to the body, stopping one byte past the cap; false when the cap was hit.
    bool appendBody(const char *data, qsizetype size);
    void complete();
    void fail(HttpResponse::Error error, const QString &why);

    QTcpSocket *m_socket; // a QSslSocket for https
    const bool m_tls;
    const QString m_host;
    const quint16 m_port;
    State m_state = State::Fresh;
    Phase m_phase = Phase::Head;
    QByteArray m_pending; // the request, until the connection is ready for it
    QByteArray m_in;      // received, not yet parsed
    HttpResponse m_response;
    QStringList m_tlsErrors;
    qint64 m_maxBodyBytes = 0;
    qint64 m_remaining = 0; // of a Content-Length body or of the current chunk
    qsizetype m_trailerBytes = 0;
    bool m_headRequest = false;
    bool m_keepAlive = false;
    bool m_reusedForThis = false;
};

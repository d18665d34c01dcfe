#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// What one HttpConnection exchange produced: the answer as far as it arrived, and how the
// exchange ended. ApiReply turns it into an ApiResult.
class HttpResponse
{
public:
    enum class Error
    {
        None,               // a complete answer
        ConnectionRefused,  //
        HostNotFound,       //
        Tls,                // handshake or certificate; errorString holds the reasons
        ClosedBeforeAnswer, // the connection closed or reset before the first byte of an answer
        ClosedMidAnswer,    // ... after some of it: headers or body incomplete
        HeadersTooLarge,    // the status line and headers ran over the header cap; reading stopped
        BodyTooLarge,       // over the body cap: announced (not read) or grown (reading stopped)
        Protocol,           // not HTTP/1.x as RFC 9112 frames it
        Network,            // any other socket error
    };

    int status = 0; // 0 until a status line arrived
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 contentLength = -1;     // as announced; -1 when absent (chunked or close-delimited)
    bool anyBytesReceived = false; // any byte of an answer arrived

    Error error = Error::None;
    QString errorString; // the socket's or the parser's words, for the message

    // The first header of that name (case-insensitive), trimmed; empty when absent.
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &pair : headers) {
            if (pair.first.compare(name, Qt::CaseInsensitive) == 0)
                return pair.second;
        }
        return QByteArray();
    }
};

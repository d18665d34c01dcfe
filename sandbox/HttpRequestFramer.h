#pragma once

#include <QByteArray>
#include <QString>

// Finds where one HTTP/1.x request ends in the bytes received on a connection, and refuses what a
// real server refuses before any parser acts on it: a head that is too large (431), broken framing
// (400 naming it), a body over the limit, declared or streamed (413), and a request with both
// Content-Length and Transfer-Encoding (400: the two framings disagree about where the request
// ends, which is how a second request is smuggled past a proxy). It only looks at the framing;
// the request's meaning is the server's business.
class HttpRequestFramer
{
public:
    class Limits
    {
    public:
        int maxHeaderLines = 100;
        int maxLineBytes = 16 * 1024; // the request line or one header line
        int maxHeadBytes = 64 * 1024;
        qint64 maxBodyBytes = 1024 * 1024; // the content, after chunked coding is removed
    };

    class Result
    {
    public:
        enum class Kind
        {
            NeedMore, // the request is not complete yet
            Complete, // the first `length` bytes are one whole request
            Refused,  // answer `status` with `message` and close the connection
        };
        Kind kind = Kind::NeedMore;
        bool headComplete = false; // NeedMore: the head is in, the body is still coming
        qint64 length = 0;
        bool closeAfter = false; // Complete: the client asked for the connection to close after it
        int status = 0;
        QString message;
    };

    // Examines `data`, the bytes received from the start of a request on.
    static Result examine(const QByteArray &data, const Limits &limits);
};

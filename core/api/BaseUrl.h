#pragma once

#include <QString>
#include <QUrl>

// The one check of a server's base URL, wherever one comes from (--base-url, `profile add|set`,
// the profile dialog, a profiles file, the client before it sends): an absolute http(s) URL with
// a host and a port in range, no user name or password in it (a URL is shown and stored, a
// password must never be), and plain http only to this machine (the key would otherwise cross
// the network readable). Messages quote what was typed, without any user:password@.
class BaseUrl
{
public:
    enum class Problem
    {
        None,
        Invalid,  // not an absolute http(s) URL with a host, a bad port, or user:password@ in it
        Insecure, // plain http:// to a host that is not loopback
    };

    // text as the user typed it; *url is set when it is usable.
    static Problem check(const QString &text, QUrl *url, QString *error);
    static Problem check(const QUrl &url, QString *error);

    // text with any user:password@ taken out, for a message.
    static QString withoutUserInfo(const QString &text);
    // For a URL (a base URL or a proxy's) that QUrl could not parse: "'TEXT' has no usable
    // port: ..." when its port is the problem, else empty. TEXT is quoted without user info.
    static QString portProblem(const QString &text, const QUrl &parsed);
};

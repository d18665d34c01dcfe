#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

// The one cleaning of text a server sent before it is shown or stored: a server (or anything
// between it and us) controls it, so it must not drive the terminal (escape sequences that
// clear the screen, retitle the window, fake a line of our own output) nor carry a secret of
// ours back into stdout, a --failed-out file, the import journal or History. A key or proxy
// password that a server echoes is replaced by "[redacted]".
class ServerText
{
public:
    enum class Lines
    {
        Join, // one-line fields (a message, a request ID): line breaks and tabs become spaces
        Keep, // multi-line text (a snippet, a table): \n and \t stay
    };

    // ESC sequences (CSI, OSC, DCS and the like), C0 controls (but \n and \t with Lines::Keep),
    // DEL and C1 controls out; then every secret of at least MinSecretLength characters
    // replaced by Redacted.
    static QString clean(const QString &text, Lines lines, const QStringList &secrets = {});
    // The same redaction on raw bytes (a response body as received); control bytes are kept
    // there: the body is shown escaped, as JSON, never raw on a terminal.
    static QByteArray redacted(const QByteArray &bytes, const QStringList &secrets);

    // Shorter "secrets" are left alone: they would garble ordinary text (the built-in sandbox's
    // public key is the word "sandbox"), and a real API key is far longer.
    static constexpr int MinSecretLength = 8;
    static const QString Redacted;
};

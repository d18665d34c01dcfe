#include "api/ServerText.h"

const QString ServerText::Redacted = QStringLiteral("[redacted]");

namespace {

constexpr char16_t Esc = 0x1b;
constexpr char16_t Bel = 0x07;
constexpr char16_t C1Csi = 0x9b;
constexpr char16_t C1String[] = {0x90, 0x98, 0x9d, 0x9e, 0x9f}; // DCS, SOS, OSC, PM, APC
constexpr char16_t C1St = 0x9c;

bool isC1StringStart(char16_t c)
{
    for (const char16_t start : C1String) {
        if (c == start)
            return true;
    }
    return false;
}

// Index just past a control string (OSC, DCS, ...) that starts its payload at i: it ends at
// BEL, ST (ESC \ or U+009C), or the end of the text.
qsizetype skipControlString(const QString &text, qsizetype i)
{
    while (i < text.size()) {
        const char16_t c = text.at(i).unicode();
        if (c == Bel || c == C1St)
            return i + 1;
        if (c == Esc && i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\\'))
            return i + 2;
        ++i;
    }
    return i;
}

// Index just past a CSI sequence whose parameters start at i: parameter and intermediate
// bytes, then one final byte.
qsizetype skipCsi(const QString &text, qsizetype i)
{
    while (i < text.size()) {
        const char16_t c = text.at(i).unicode();
        if (c >= 0x40 && c <= 0x7e)
            return i + 1;
        if (c < 0x20 || c > 0x3f)
            return i; // malformed: stop at what cannot belong to it
        ++i;
    }
    return i;
}

QString stripControls(const QString &text, ServerText::Lines lines)
{
    QString out;
    out.reserve(text.size());
    qsizetype i = 0;
    while (i < text.size()) {
        const char16_t c = text.at(i).unicode();
        if (c == Esc) {
            const char16_t next = i + 1 < text.size() ? text.at(i + 1).unicode() : 0;
            if (next == u'[')
                i = skipCsi(text, i + 2);
            else if (next == u']' || next == u'P' || next == u'X' || next == u'^' || next == u'_')
                i = skipControlString(text, i + 2);
            else
                i += next >= 0x20 && next <= 0x7e ? 2 : 1; // ESC c, ESC 7, ... or a lone ESC
            continue;
        }
        if (c == C1Csi) {
            i = skipCsi(text, i + 1);
            continue;
        }
        if (isC1StringStart(c)) {
            i = skipControlString(text, i + 1);
            continue;
        }
        ++i;
        if (c == u'\n' || c == u'\t') {
            out += lines == ServerText::Lines::Keep ? QChar(c) : QChar(u' ');
            continue;
        }
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))
            continue;
        out += QChar(c);
    }
    return out;
}

} // namespace

QString ServerText::clean(const QString &text, Lines lines, const QStringList &secrets)
{
    // Controls first: a secret split by an escape sequence is whole again, and then redacted.
    QString out = stripControls(text, lines);
    for (const QString &secret : secrets) {
        if (secret.size() >= MinSecretLength)
            out.replace(secret, Redacted);
    }
    return out;
}

QByteArray ServerText::redacted(const QByteArray &bytes, const QStringList &secrets)
{
    QByteArray out = bytes;
    for (const QString &secret : secrets) {
        if (secret.size() >= MinSecretLength)
            out.replace(secret.toUtf8(), Redacted.toUtf8());
    }
    return out;
}

#include "api/PastedRequest.h"

#include "api/JsonSyntaxError.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QUrlQuery>

namespace {

using Header = QPair<QByteArray, QByteArray>;

// What every format is read down to before it becomes an Item.
struct Parsed
{
    QByteArray method;
    QString url;
    QList<Header> headers;
    QByteArray body;
    QStringList notes;
    QString note; // History's "# Note: …" line, kept as the request's note
};

// Errors name places as an editor counts them: characters, not UTF-8 bytes.
int characterAt(const QByteArray &text, qsizetype byte)
{
    return int(QString::fromUtf8(text.constData(), qMin(byte, text.size())).size()) + 1;
}

int lineAt(const QByteArray &text, qsizetype byte)
{
    return int(text.left(byte).count('\n')) + 1;
}

QString plural(qsizetype count, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(count).arg(count == 1 ? one : many);
}

// ---- curl: the shell's words --------------------------------------------------------------------

struct ShellCommand
{
    QList<QByteArray> words;
    QByteArray stdinText; // a here-document's or here-string's text
    bool hasStdin = false;
    bool restIgnored = false; // a pipe, redirection or second command after curl's words
};

bool isBlank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

void appendCodePoint(QByteArray *word, char32_t codePoint)
{
    *word += QString::fromUcs4(&codePoint, 1).toUtf8();
}

int hexDigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Reads up to max hex digits at *i; -1 when there is none.
qint64 readHex(const QByteArray &t, qsizetype *i, int max)
{
    qint64 value = -1;
    for (int n = 0; n < max && *i < t.size() && hexDigit(t.at(*i)) >= 0; ++n, ++*i)
        value = (value < 0 ? 0 : value * 16) + hexDigit(t.at(*i));
    return value;
}

// $'…', as bash reads it: Chrome's "Copy as cURL" writes a body with control characters, '
// or ! this way. *i is just past the opening quote; false when no closing quote follows.
bool readAnsiC(const QByteArray &t, qsizetype *i, QByteArray *word)
{
    while (*i < t.size()) {
        const char c = t.at(*i);
        ++*i;
        if (c == '\'')
            return true;
        if (c != '\\' || *i >= t.size()) {
            *word += c;
            continue;
        }
        const char e = t.at(*i);
        ++*i;
        switch (e) {
        case 'n':
            *word += '\n';
            break;
        case 't':
            *word += '\t';
            break;
        case 'r':
            *word += '\r';
            break;
        case 'a':
            *word += '\a';
            break;
        case 'b':
            *word += '\b';
            break;
        case 'f':
            *word += '\f';
            break;
        case 'v':
            *word += '\v';
            break;
        case 'e':
        case 'E':
            *word += '\x1b';
            break;
        case 'c':
            if (*i < t.size())
                *word += char(t.at((*i)++) & 0x1f);
            break;
        case 'x': {
            const qint64 value = readHex(t, i, 2);
            if (value < 0)
                *word += "\\x";
            else
                *word += char(value); // a byte, as bash writes it
            break;
        }
        case 'u':
        case 'U': {
            const qint64 value = readHex(t, i, e == 'u' ? 4 : 8);
            if (value < 0 || value > 0x10ffff)
                *word += QByteArray("\\") + e;
            else
                appendCodePoint(word, char32_t(value));
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int value = e - '0';
                for (int n = 0; n < 2 && *i < t.size() && t.at(*i) >= '0' && t.at(*i) <= '7'; ++n)
                    value = value * 8 + (t.at((*i)++) - '0');
                *word += char(value);
            } else if (e == '\\' || e == '\'' || e == '"' || e == '?') {
                *word += e;
            } else {
                *word += '\\';
                *word += e;
            }
        }
    }
    return false;
}

// Reads a here-document's lines from *i up to the delimiter line; false when there is none.
bool readHereDocument(const QByteArray &t, qsizetype *i, const QByteArray &delimiter, bool stripTabs,
                      QByteArray *text)
{
    while (*i < t.size()) {
        qsizetype end = t.indexOf('\n', *i);
        const qsizetype next = end < 0 ? t.size() : end + 1;
        if (end < 0)
            end = t.size();
        QByteArray line = t.mid(*i, end - *i);
        if (line.endsWith('\r'))
            line.chop(1);
        *i = next;
        if (stripTabs) {
            while (line.startsWith('\t'))
                line.remove(0, 1);
        }
        if (line == delimiter)
            return true;
        *text += line + '\n';
    }
    return false;
}

// The words of one command, with bash's quoting: '…', "…" with its four escapes, $'…', \ outside
// quotes, \-newline continuations, here-documents (<<EOF, <<'EOF', <<-EOF) and here-strings.
// Shell variables are kept as written ($JOURNY_API_KEY): nothing is expanded.
bool splitBash(const QByteArray &t, qsizetype start, ShellCommand *command, QString *error)
{
    qsizetype i = start;
    QByteArray word;
    bool inWord = false;
    QByteArray hereDelimiter;
    bool hereStripTabs = false;
    bool hereString = false;
    bool skipToLineEnd = false;
    const auto finishWord = [&] {
        if (!inWord)
            return;
        if (hereString) {
            command->stdinText = word + '\n';
            command->hasStdin = true;
            hereString = false;
        } else {
            command->words << word;
        }
        word.clear();
        inWord = false;
    };
    while (i < t.size()) {
        const char c = t.at(i);
        if (skipToLineEnd && c != '\n') {
            ++i;
            continue;
        }
        if (c == '\n') {
            finishWord();
            ++i;
            if (!hereDelimiter.isEmpty()) {
                const qsizetype bodyStart = i;
                if (!readHereDocument(t, &i, hereDelimiter, hereStripTabs, &command->stdinText)) {
                    *error = QStringLiteral("curl: the here-document from line %1 has no %2 line to end it")
                                 .arg(lineAt(t, bodyStart))
                                 .arg(QString::fromUtf8(hereDelimiter));
                    return false;
                }
                command->hasStdin = true;
            }
            break;
        }
        if (c == '\\') {
            if (i + 1 < t.size() && t.at(i + 1) == '\n') {
                i += 2;
            } else if (i + 2 < t.size() && t.at(i + 1) == '\r' && t.at(i + 2) == '\n') {
                i += 3;
            } else if (i + 1 < t.size()) {
                word += t.at(i + 1);
                inWord = true;
                i += 2;
            } else {
                ++i;
            }
            continue;
        }
        if (c == '\'') {
            const qsizetype close = t.indexOf('\'', i + 1);
            if (close < 0) {
                *error =
                    QStringLiteral("curl: unterminated single quote at character %1").arg(characterAt(t, i));
                return false;
            }
            word += t.mid(i + 1, close - i - 1);
            inWord = true;
            i = close + 1;
            continue;
        }
        if (c == '$' && i + 1 < t.size() && t.at(i + 1) == '\'') {
            const qsizetype open = i;
            i += 2;
            if (!readAnsiC(t, &i, &word)) {
                *error =
                    QStringLiteral("curl: unterminated $'…' quote at character %1").arg(characterAt(t, open));
                return false;
            }
            inWord = true;
            continue;
        }
        if (c == '"') {
            const qsizetype open = i;
            ++i;
            bool closed = false;
            while (i < t.size()) {
                const char d = t.at(i);
                if (d == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < t.size()) {
                    const char e = t.at(i + 1);
                    if (e == '$' || e == '`' || e == '"' || e == '\\')
                        word += e;
                    else if (e != '\n')
                        word += QByteArray("\\") + e;
                    i += 2;
                    continue;
                }
                word += d;
                ++i;
            }
            if (!closed) {
                *error = QStringLiteral("curl: unterminated double quote at character %1")
                             .arg(characterAt(t, open));
                return false;
            }
            inWord = true;
            continue;
        }
        if (isBlank(c)) {
            finishWord();
            ++i;
            continue;
        }
        if (c == '#' && !inWord) {
            skipToLineEnd = true;
            continue;
        }
        if (c == '<' && !inWord) {
            finishWord();
            if (t.mid(i, 3) == "<<<") {
                i += 3;
                hereString = true;
                continue;
            }
            if (t.mid(i, 2) == "<<") {
                i += 2;
                hereStripTabs = i < t.size() && t.at(i) == '-';
                if (hereStripTabs)
                    ++i;
                while (i < t.size() && isBlank(t.at(i)))
                    ++i;
                // The delimiter word, quotes removed: quoting it only stops expansion, which
                // is not done here anyway.
                while (i < t.size() && !isBlank(t.at(i)) && t.at(i) != '\n') {
                    if (t.at(i) != '\'' && t.at(i) != '"')
                        hereDelimiter += t.at(i);
                    ++i;
                }
                if (hereDelimiter.isEmpty()) {
                    *error = QStringLiteral("curl: << at line %1 names no here-document delimiter")
                                 .arg(lineAt(t, i));
                    return false;
                }
                continue;
            }
        }
        if (c == '|' || c == ';' || c == '&' || c == '>' || c == '<') {
            finishWord();
            command->restIgnored = true;
            skipToLineEnd = true;
            continue;
        }
        word += c;
        inWord = true;
        ++i;
    }
    finishWord();
    if (hereString) {
        *error = QStringLiteral("curl: <<< is not followed by the text it sends");
        return false;
    }
    if (!hereDelimiter.isEmpty() && !command->hasStdin) {
        *error = QStringLiteral("curl: the here-document %1 has no text after the command's line")
                     .arg(QString::fromUtf8(hereDelimiter));
        return false;
    }
    while (i < t.size() && (isBlank(t.at(i)) || t.at(i) == '\n'))
        ++i;
    if (i < t.size()) {
        *error = QStringLiteral("curl: more text after the command ends at line %1; paste one command "
                                "(a line break without a trailing \\ ends it)")
                     .arg(lineAt(t, i));
        return false;
    }
    return true;
}

// The words of one command as Windows runs it (Chrome's "Copy as cURL (cmd)"): cmd.exe's ^
// escapes and continuations first, then the C runtime's splitting of curl.exe's command line,
// where "…" groups and \" is a quote.
bool splitCmd(const QByteArray &t, qsizetype start, ShellCommand *command, QString *error)
{
    QByteArray line;
    qsizetype i = start;
    bool quoted = false;
    for (; i < t.size(); ++i) {
        const char c = t.at(i);
        if (c == '^' && !quoted && i + 1 < t.size()) {
            ++i;
            if (t.at(i) == '\r' && i + 1 < t.size() && t.at(i + 1) == '\n')
                ++i;
            // ^ at a line's end continues the command and escapes the next line's first
            // character: Chrome writes a line break in a body as ^, then two line breaks.
            if (t.at(i) == '\n') {
                if (i + 1 >= t.size())
                    continue;
                ++i;
                if (t.at(i) == '\r' && i + 1 < t.size() && t.at(i + 1) == '\n')
                    ++i;
            }
            line += t.at(i);
            continue;
        }
        if (c == '"')
            quoted = !quoted;
        if (c == '\n' && !quoted)
            break;
        if (c != '\r')
            line += c;
    }
    while (i < t.size() && (isBlank(t.at(i)) || t.at(i) == '\n'))
        ++i;
    if (i < t.size()) {
        *error = QStringLiteral("curl: more text after the command ends at line %1; paste one command "
                                "(a line break without a trailing ^ ends it)")
                     .arg(lineAt(t, i));
        return false;
    }
    QByteArray word;
    bool inWord = false;
    quoted = false;
    for (qsizetype j = 0; j < line.size(); ++j) {
        const char c = line.at(j);
        if (c == '\\') {
            qsizetype count = 0;
            while (j < line.size() && line.at(j) == '\\') {
                ++count;
                ++j;
            }
            if (j < line.size() && line.at(j) == '"') {
                word += QByteArray(count / 2, '\\');
                if (count % 2 == 1)
                    word += '"';
                else
                    quoted = !quoted;
            } else {
                word += QByteArray(count, '\\');
                --j;
            }
            inWord = true;
            continue;
        }
        if (c == '"') {
            if (quoted && j + 1 < line.size() && line.at(j + 1) == '"') {
                word += '"';
                ++j;
            } else {
                quoted = !quoted;
            }
            inWord = true;
            continue;
        }
        if (isBlank(c) && !quoted) {
            if (inWord)
                command->words << word;
            word.clear();
            inWord = false;
            continue;
        }
        word += c;
        inWord = true;
    }
    if (inWord)
        command->words << word;
    return true;
}

// ---- curl: its options --------------------------------------------------------------------------

QByteArray longName(char option)
{
    switch (option) {
    case 'X':
        return "request";
    case 'H':
        return "header";
    case 'd':
        return "data";
    case 'u':
        return "user";
    case 'F':
        return "form";
    case 'T':
        return "upload-file";
    case 'K':
        return "config";
    case 'G':
        return "get";
    case 'I':
        return "head";
    default:
        return QByteArray(1, option);
    }
}

// curl's options that take a value; every other option is a switch, and switches change nothing
// about the request a paste describes (-s, -v, -k, -L, --compressed, …).
bool takesValue(const QByteArray &name)
{
    // Short options whose long name longName() does not know stand for themselves ("A" for -A).
    static const QSet<QByteArray> names = [] {
        const QList<QByteArray> list =
            QByteArray(
                "request header data data-raw data-binary data-ascii data-urlencode json url url-query "
                "user user-agent referer cookie cookie-jar output max-time connect-timeout proxy "
                "proxy-user cacert capath cert cert-type key key-type pass resolve connect-to retry "
                "retry-delay retry-max-time write-out form form-string upload-file config interface "
                "dns-servers limit-rate max-filesize range oauth2-bearer aws-sigv4 dump-header trace "
                "trace-ascii stderr expect100-timeout keepalive-time local-port noproxy pinnedpubkey "
                "proto proto-redir ciphers unix-socket abstract-unix-socket variable max-redirs "
                "speed-limit speed-time time-cond "
                "A b c C D e E m o P Q r t U w x y Y z")
                .split(' ');
        return QSet<QByteArray>(list.begin(), list.end());
    }();
    return names.contains(name);
}

struct CurlOptions
{
    QByteArray method;
    QList<QByteArray> urls;
    QList<Header> headers;
    QList<QByteArray> data;
    QList<QByteArray> urlQuery;
    bool get = false;
    bool head = false;
    bool json = false;
    QStringList notes;
};

Header headerOf(const QByteArray &line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return {line.trimmed(), QByteArray()};
    return {line.left(colon).trimmed(), line.mid(colon + 1).trimmed()};
}

bool dataValue(const QByteArray &name, const QByteArray &value, const ShellCommand &command, QByteArray *data,
               QString *error)
{
    if (name == "data-raw" || !value.startsWith('@')) {
        *data = value;
        return true;
    }
    if (value != "@-") {
        *error = QStringLiteral("curl: --%1 %2 sends a file the paste does not include; paste the "
                                "file's contents instead")
                     .arg(QString::fromUtf8(name), QString::fromUtf8(value));
        return false;
    }
    if (!command.hasStdin) {
        *error = QStringLiteral("curl: --%1 @- reads the body from standard input, which the paste "
                                "does not include (no here-document)")
                     .arg(QString::fromUtf8(name));
        return false;
    }
    *data = command.stdinText;
    // curl drops line breaks from a file sent with -d / --data / --data-ascii, not --data-binary.
    if (name == "data" || name == "data-ascii") {
        data->replace("\r", "");
        data->replace("\n", "");
    }
    return true;
}

bool applyOption(const QByteArray &name, const QByteArray &value, const ShellCommand &command,
                 CurlOptions *options, QString *error)
{
    if (name == "request") {
        options->method = value;
    } else if (name == "header") {
        options->headers << headerOf(value);
    } else if (name == "data" || name == "data-raw" || name == "data-binary" || name == "data-ascii" ||
               name == "json") {
        QByteArray data;
        if (!dataValue(name, value, command, &data, error))
            return false;
        options->data << data;
        options->json = options->json || name == "json";
    } else if (name == "data-urlencode") {
        const qsizetype equals = value.indexOf('=');
        options->data << (equals < 0 ? value.toPercentEncoding()
                                     : value.left(equals + (equals > 0 ? 1 : 0)) +
                                           value.mid(equals + 1).toPercentEncoding());
    } else if (name == "url") {
        options->urls << value;
    } else if (name == "url-query") {
        options->urlQuery << value;
    } else if (name == "user") {
        options->notes << QStringLiteral("curl's -u credentials ignored");
    } else if (name == "form" || name == "form-string") {
        *error = QStringLiteral("curl: -F sends a multipart form, which no journy.io operation takes");
        return false;
    } else if (name == "upload-file") {
        *error = QStringLiteral("curl: -T uploads a file the paste does not include");
        return false;
    } else if (name == "config") {
        *error = QStringLiteral("curl: -K reads options from a file the paste does not include");
        return false;
    }
    return true;
}

bool readCurlOptions(const ShellCommand &command, CurlOptions *options, QString *error)
{
    const QList<QByteArray> &words = command.words;
    bool optionsEnded = false;
    for (qsizetype w = 1; w < words.size(); ++w) {
        const QByteArray &word = words.at(w);
        const auto valueAfter = [&](const QByteArray &name, QByteArray *value) {
            if (w + 1 >= words.size()) {
                *error = QStringLiteral("curl: --%1 has no value after it").arg(QString::fromUtf8(name));
                return false;
            }
            *value = words.at(++w);
            return true;
        };
        if (optionsEnded || !word.startsWith('-') || word.size() == 1) {
            options->urls << word;
        } else if (word == "--") {
            optionsEnded = true;
        } else if (word.startsWith("--")) {
            const QByteArray name = word.mid(2);
            QByteArray value;
            if (takesValue(name)) {
                if (!valueAfter(name, &value) || !applyOption(name, value, command, options, error))
                    return false;
            } else {
                options->get = options->get || name == "get";
                options->head = options->head || name == "head";
            }
        } else {
            // A cluster of short options (-sSL), the last of which may take a value, attached
            // (-XPOST) or in the next word (-X POST).
            for (qsizetype k = 1; k < word.size(); ++k) {
                const QByteArray name = longName(word.at(k));
                if (!takesValue(name)) {
                    options->get = options->get || name == "get";
                    options->head = options->head || name == "head";
                    continue;
                }
                QByteArray value = word.mid(k + 1);
                if (value.isEmpty() && !valueAfter(name, &value))
                    return false;
                if (!applyOption(name, value, command, options, error))
                    return false;
                break;
            }
        }
    }
    return true;
}

// Where the curl command starts: after blank lines and comments (History's "# Note: …" line, kept
// as *note) and a "$ " prompt; -1 when the text is not a curl command.
qsizetype curlStart(const QByteArray &t, QString *note)
{
    qsizetype i = 0;
    while (i < t.size()) {
        while (i < t.size() && (isBlank(t.at(i)) || t.at(i) == '\n'))
            ++i;
        if (i >= t.size() || t.at(i) != '#')
            break;
        qsizetype end = t.indexOf('\n', i);
        if (end < 0)
            end = t.size();
        const QByteArray comment = t.mid(i, end - i).trimmed();
        if (comment.startsWith("# Note: "))
            *note = QString::fromUtf8(comment.mid(8));
        i = end;
    }
    if (t.mid(i, 2) == "$ ")
        i += 2;
    static const QRegularExpression program(QStringLiteral("^(\\S*[/\\\\])?curl(\\.exe)?(\\s|$)"),
                                            QRegularExpression::CaseInsensitiveOption);
    return program.match(QString::fromLatin1(t.mid(i, 300))).hasMatch() ? i : -1;
}

bool readCurl(const QByteArray &t, qsizetype start, Parsed *parsed, QString *error)
{
    ShellCommand command;
    // cmd.exe's continuation is ^ at a line's end; bash never needs ^ there.
    static const QRegularExpression cmdContinuation(QStringLiteral("\\^\\r?\\n|\\^\""));
    const bool cmd = cmdContinuation.match(QString::fromLatin1(t)).hasMatch();
    if (!(cmd ? splitCmd(t, start, &command, error) : splitBash(t, start, &command, error)))
        return false;
    CurlOptions options;
    if (!readCurlOptions(command, &options, error))
        return false;
    if (options.urls.isEmpty()) {
        *error = QStringLiteral("curl: no URL in the command");
        return false;
    }
    if (options.urls.size() > 1) {
        *error = QStringLiteral("curl: more than one URL (%1 and %2); paste one request")
                     .arg(QString::fromUtf8(options.urls.at(0)), QString::fromUtf8(options.urls.at(1)));
        return false;
    }
    QByteArray url = options.urls.first();
    // curl's default scheme.
    if (!url.contains("://"))
        url.prepend("http://");
    QByteArray body = options.data.join('&');
    QList<QByteArray> query = options.urlQuery;
    if (options.get && !body.isEmpty()) {
        query << body;
        body.clear();
    }
    if (!query.isEmpty())
        url += (url.contains('?') ? "&" : "?") + query.join('&');
    if (!options.method.isEmpty())
        parsed->method = options.method;
    else if (options.head)
        parsed->method = "HEAD";
    else
        parsed->method = body.isEmpty() && !options.json ? "GET" : "POST";
    parsed->url = QString::fromUtf8(url);
    parsed->headers = options.headers;
    parsed->body = body;
    parsed->notes = options.notes;
    if (command.restIgnored)
        parsed->notes << QStringLiteral(
            "the shell text after the curl command (a pipe or redirection) ignored");
    return true;
}

// ---- raw HTTP/1.1 -------------------------------------------------------------------------------

const QRegularExpression &requestLinePattern()
{
    static const QRegularExpression pattern(
        QStringLiteral("^([A-Z]{3,8}) +(/\\S*|https?://\\S+)(?: +(HTTP/[0-9.]+))? *\\r?$"));
    return pattern;
}

bool isLoopback(const QString &host)
{
    return host == QLatin1String("localhost") || host.startsWith(QLatin1String("127.")) ||
           host == QLatin1String("::1");
}

bool readHttp(const QByteArray &t, qsizetype start, Parsed *parsed, QString *error)
{
    qsizetype i = start;
    qsizetype bodyStart = -1;
    QList<QByteArray> lines;
    while (i < t.size()) {
        qsizetype end = t.indexOf('\n', i);
        if (end < 0)
            end = t.size();
        QByteArray line = t.mid(i, end - i);
        if (line.endsWith('\r'))
            line.chop(1);
        i = end + 1;
        if (line.isEmpty() && !lines.isEmpty()) {
            bodyStart = qMin(i, t.size());
            break;
        }
        if (!line.isEmpty() && (line.at(0) == ' ' || line.at(0) == '\t') && lines.size() > 1)
            lines.last() += ' ' + line.trimmed(); // an obsolete folded header line
        else
            lines << line;
    }
    if (bodyStart < 0) {
        *error = QStringLiteral("HTTP request: no blank line after the headers");
        return false;
    }
    const QRegularExpressionMatch requestLine = requestLinePattern().match(QString::fromUtf8(lines.first()));
    if (!requestLine.hasMatch()) {
        *error = QStringLiteral("HTTP request: the first line is not METHOD /path HTTP/1.1");
        return false;
    }
    parsed->method = requestLine.captured(1).toLatin1();
    const QString target = requestLine.captured(2);
    QByteArray host;
    qsizetype contentLength = -1;
    for (qsizetype n = 1; n < lines.size(); ++n) {
        if (!lines.at(n).contains(':')) {
            *error = QStringLiteral("HTTP request: line %1 is not a header (it has no colon)").arg(n + 1);
            return false;
        }
        const Header header = headerOf(lines.at(n));
        const QByteArray name = header.first.toLower();
        if (name == "host") {
            host = header.second;
        } else if (name == "content-length") {
            bool ok = false;
            contentLength = header.second.toLongLong(&ok);
            if (!ok || contentLength < 0) {
                *error = QStringLiteral("HTTP request: Content-Length “%1” is not a number of bytes")
                             .arg(QString::fromUtf8(header.second));
                return false;
            }
        } else if (name == "transfer-encoding" && header.second.toLower().contains("chunked")) {
            *error = QStringLiteral("HTTP request: a chunked body is not read; paste the body without "
                                    "its chunk sizes and Transfer-Encoding");
            return false;
        }
        parsed->headers << header;
    }
    QByteArray body = t.mid(bodyStart);
    if (contentLength >= 0) {
        if (body.size() < contentLength) {
            *error = QStringLiteral("HTTP request: Content-Length is %1 but the body has only %2 bytes "
                                    "(cut short?)")
                         .arg(contentLength)
                         .arg(body.size());
            return false;
        }
        if (!body.mid(contentLength).trimmed().isEmpty())
            parsed->notes << QStringLiteral("%1 after the Content-Length body ignored")
                                 .arg(plural(body.size() - contentLength, QStringLiteral("byte"),
                                             QStringLiteral("bytes")));
        body.truncate(contentLength);
    }
    parsed->body = body;
    if (target.startsWith(QLatin1Char('/')) && host.isEmpty()) {
        parsed->notes << QStringLiteral("no Host header: the URL is the path alone");
        parsed->url = target;
    } else if (target.startsWith(QLatin1Char('/'))) {
        const QString hostText = QString::fromUtf8(host);
        // The sandbox listens on loopback without TLS; journy.io and relays use HTTPS.
        const bool loopback = isLoopback(QUrl(QStringLiteral("http://") + hostText).host());
        const QString scheme = loopback ? QStringLiteral("http") : QStringLiteral("https");
        parsed->url = scheme + QStringLiteral("://") + hostText + target;
    } else {
        parsed->url = target;
    }
    return true;
}

// ---- from what was read to an Item --------------------------------------------------------------

bool isKeyParameter(const QString &name)
{
    static const QSet<QString> names = {QStringLiteral("x-api-key"), QStringLiteral("api-key"),
                                        QStringLiteral("api_key"), QStringLiteral("apikey")};
    return names.contains(name.toLower());
}

// The operation at method and path. The spec's one server, https://api.journy.io, has no path
// prefix, so on that host the path must be a route exactly; a sandbox or relay elsewhere may
// serve the API under a prefix (/relay/users/upsert), which *prefix then names.
const ApiOperation *routeOf(const QByteArray &method, const QUrl &url, QString *prefix)
{
    QString path = url.path();
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    const QByteArray upper = method.toUpper();
    const bool journyHost = url.host().compare(QLatin1String("api.journy.io"), Qt::CaseInsensitive) == 0;
    const ApiOperation *best = nullptr;
    for (const ApiOperation &operation : ApiOperation::all()) {
        if (operation.method != upper)
            continue;
        if (path == operation.path) {
            prefix->clear();
            return &operation;
        }
        if (!journyHost && path.endsWith(operation.path) &&
            (!best || operation.path.size() > best->path.size()))
            best = &operation;
    }
    if (best)
        *prefix = path.chopped(best->path.size());
    return best;
}

QString routeError(const QByteArray &method, const QUrl &url)
{
    QString error =
        QStringLiteral("%1 %2 is not a journy.io API route")
            .arg(QString::fromUtf8(method), url.path().isEmpty() ? QStringLiteral("/") : url.path());
    for (const ApiOperation &operation : ApiOperation::all()) {
        if (operation.path == url.path())
            return error +
                   QStringLiteral(" (%1 %2 is)").arg(QString::fromUtf8(operation.method), operation.path);
    }
    return error;
}

// Takes the key out of the headers and the URL, leaving its fingerprint and a note.
void removeKey(const QList<Header> &headers, QUrl *url, PastedRequest::Item *item)
{
    QByteArray key;
    for (const Header &header : headers) {
        if (header.first.compare("x-api-key", Qt::CaseInsensitive) == 0)
            key = header.second.trimmed();
    }
    const bool inHeader = !key.isEmpty();
    if (!url->userInfo().isEmpty()) {
        url->setUserInfo(QString());
        item->notes << QStringLiteral("user name and password removed from the URL");
    }
    QUrlQuery query(*url);
    const QList<QPair<QString, QString>> items = query.queryItems(QUrl::FullyDecoded);
    bool inQuery = false;
    for (const auto &queryItem : items) {
        if (!isKeyParameter(queryItem.first))
            continue;
        if (key.isEmpty())
            key = queryItem.second.toUtf8();
        query.removeAllQueryItems(queryItem.first);
        inQuery = true;
    }
    if (inQuery) {
        url->setQuery(query.isEmpty() ? QString() : query.query(QUrl::FullyEncoded), QUrl::StrictMode);
        item->notes << QStringLiteral("key removed from the URL's query");
    }
    if (key.isEmpty())
        return;
    static const QRegularExpression variable(QStringLiteral(
        "^(\\$[A-Za-z_][A-Za-z0-9_]*|\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}|%[A-Za-z_][A-Za-z0-9_]*%)$"));
    const QString keyText = QString::fromUtf8(key);
    if (variable.match(keyText).hasMatch()) {
        QString name = keyText;
        name.remove(QLatin1Char('{')).remove(QLatin1Char('}'));
        item->notes << QStringLiteral("key from %1").arg(name);
        return;
    }
    item->keyFingerprint = PastedRequest::fingerprint(key);
    if (inHeader)
        item->notes << QStringLiteral("X-Api-Key removed");
}

// The body as a JSON object; bodyName names it in the error ("curl: the body").
bool bodyObject(const QByteArray &body, const QString &bodyName, QJsonObject *object, QString *error)
{
    QJsonDocument document;
    JsonSyntaxError syntax;
    if (!JsonSyntaxError::parse(QString::fromUtf8(body), &document, &syntax)) {
        *error = QStringLiteral("%1 is not JSON: %2").arg(bodyName, syntax.describe());
        return false;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("%1 is a list, not a JSON object").arg(bodyName);
        return false;
    }
    *object = document.object();
    return true;
}

// chosen is used only when the URL is no route (a HAR's readers skip such requests instead and
// never pass it); bodyName names the body in errors, starting with the format's name.
bool toItem(const Parsed &parsed, const QString &source, const QString &bodyName,
            std::optional<Operation> chosen, PastedRequest::Item *item, QString *error)
{
    item->source = source;
    item->method = parsed.method;
    item->notes = parsed.notes;
    QUrl url(parsed.url, QUrl::TolerantMode);
    if (!url.isValid() || (url.path().isEmpty() && url.host().isEmpty())) {
        // bodyName starts with the format's name ("HAR: entries[2]…"), which the error keeps.
        *error =
            QStringLiteral("%1: “%2” is not a URL").arg(bodyName.section(QLatin1Char(':'), 0, 0), parsed.url);
        return false;
    }
    removeKey(parsed.headers, &url, item);
    item->url = url;

    QString prefix;
    const ApiOperation *route = routeOf(parsed.method, url, &prefix);
    Operation operation;
    if (route) {
        operation = route->operation;
        if (!prefix.isEmpty())
            item->notes << QStringLiteral("path prefix %1 ignored (a relay's); the route is %2 %3")
                               .arg(prefix, QString::fromUtf8(route->method), route->path);
        if (chosen && *chosen != operation)
            item->notes
                << QStringLiteral("the URL's operation %1 used, not the one chosen").arg(route->operationId);
    } else if (chosen) {
        operation = *chosen;
        item->notes << QStringLiteral("operation chosen: %1; %2")
                           .arg(ApiOperation::info(operation).operationId, routeError(parsed.method, url));
    } else {
        *error = routeError(parsed.method, url);
        return false;
    }

    const ApiOperation &info = ApiOperation::info(operation);
    QJsonObject body;
    if (!info.hasBody) {
        if (!parsed.body.trimmed().isEmpty())
            item->notes << QStringLiteral("body ignored: %1 %2 takes none")
                               .arg(QString::fromUtf8(info.method), info.path);
    } else if (parsed.body.trimmed().isEmpty()) {
        item->notes << QStringLiteral("no body");
    } else if (!bodyObject(parsed.body, bodyName, &body, error)) {
        return false;
    }
    item->request = ApiRequest::raw(operation, body, QUrlQuery(url));
    item->request.note = parsed.note;
    return true;
}

// ---- HAR ----------------------------------------------------------------------------------------

bool readHar(const QJsonObject &root, QList<PastedRequest::Item> *items, QString *error)
{
    const QJsonValue entries = root.value(QStringLiteral("log")).toObject().value(QStringLiteral("entries"));
    if (!entries.isArray()) {
        *error = QStringLiteral("HAR: no log.entries list");
        return false;
    }
    const QJsonArray list = entries.toArray();
    qsizetype skipped = 0;
    for (qsizetype n = 0; n < list.size(); ++n) {
        const QString place = QStringLiteral("HAR: entries[%1].request").arg(n);
        const QJsonValue request = list.at(n).toObject().value(QStringLiteral("request"));
        if (!request.isObject()) {
            *error = QStringLiteral("HAR: entries[%1] has no request object").arg(n);
            return false;
        }
        const QJsonObject object = request.toObject();
        Parsed parsed;
        parsed.method = object.value(QStringLiteral("method")).toString().toUtf8();
        parsed.url = object.value(QStringLiteral("url")).toString();
        const QJsonArray headers = object.value(QStringLiteral("headers")).toArray();
        for (const QJsonValue &header : headers) {
            parsed.headers << Header{header[QStringLiteral("name")].toString().toUtf8(),
                                     header[QStringLiteral("value")].toString().toUtf8()};
        }
        parsed.body = object.value(QStringLiteral("postData"))[QStringLiteral("text")].toString().toUtf8();
        QString ignored;
        if (!routeOf(parsed.method, QUrl(parsed.url), &ignored)) {
            ++skipped;
            continue;
        }
        PastedRequest::Item item;
        if (!toItem(parsed, QStringLiteral("har"), place + QStringLiteral(".postData.text"), std::nullopt,
                    &item, error))
            return false;
        *items << item;
    }
    if (items->isEmpty()) {
        *error = QStringLiteral("HAR: none of its %1 is a journy.io API call")
                     .arg(plural(list.size(), QStringLiteral("request"), QStringLiteral("requests")));
        return false;
    }
    if (skipped > 0)
        items->first().notes << QStringLiteral("%1 in the HAR skipped")
                                    .arg(plural(skipped, QStringLiteral("other request"),
                                                QStringLiteral("other requests")));
    return true;
}

// ---- a bare JSON body ---------------------------------------------------------------------------

// What a body's "identification" (or "account") object holds, to tell a user's from an
// account's and an event's.
QSet<QString> keysOf(const QJsonValue &value)
{
    const QStringList keys = value.toObject().keys();
    return QSet<QString>(keys.begin(), keys.end());
}

// The request bodies of resources/journy-openapi.json: the keys each requires and allows at
// the top, and the keys its identifying object (identification, or account) may hold.
struct BodyShape
{
    Operation operation;
    QStringList required;
    QStringList allowed;
    QString identifying;
    QStringList identifyingKeys;
};

const QList<BodyShape> &bodyShapes()
{
    const QString identification = QStringLiteral("identification");
    const QStringList user{QStringLiteral("userId"), QStringLiteral("email")};
    const QStringList account{QStringLiteral("accountId"), QStringLiteral("domain")};
    const QStringList event{QStringLiteral("user"), QStringLiteral("account")};
    const QStringList eventKeys{identification, QStringLiteral("name"), QStringLiteral("metadata"),
                                QStringLiteral("triggeredAt")};
    const QStringList upsertKeys{identification, QStringLiteral("properties")};
    const QStringList members{QStringLiteral("account"), QStringLiteral("users")};
    static const QList<BodyShape> shapes = {
        {Operation::UpsertUser, {identification}, upsertKeys, identification, user},
        {Operation::DeleteUser, {identification}, {identification}, identification, user},
        {Operation::UpsertAccount, {identification}, upsertKeys, identification, account},
        {Operation::DeleteAccount, {identification}, {identification}, identification, account},
        {Operation::AddUsersToAccount, members, members, QStringLiteral("account"), account},
        {Operation::RemoveUsersFromAccount, members, members, QStringLiteral("account"), account},
        {Operation::TrackEvent, {identification, QStringLiteral("name")}, eventKeys, identification, event},
        {Operation::TrackLegacyEvent,
         {identification, QStringLiteral("name")},
         eventKeys,
         identification,
         event},
        {Operation::Link,
         {QStringLiteral("deviceId"), identification},
         {QStringLiteral("deviceId"), identification},
         identification,
         user},
    };
    return shapes;
}

bool fits(const BodyShape &shape, const QJsonObject &body, bool strict)
{
    for (const QString &key : shape.required) {
        if (!body.contains(key))
            return false;
    }
    const QJsonValue identifying = body.value(shape.identifying);
    if (!identifying.isObject())
        return false;
    const QSet<QString> identifyingKeys = keysOf(identifying);
    for (const QString &key : identifyingKeys) {
        if (!shape.identifyingKeys.contains(key))
            return false;
    }
    if (strict) {
        for (auto it = body.begin(); it != body.end(); ++it) {
            if (!shape.allowed.contains(it.key()))
                return false;
        }
    }
    return true;
}

QString listOfOperations(const QList<Operation> &operations)
{
    QStringList names;
    for (Operation operation : operations)
        names << ApiOperation::info(operation).operationId;
    const QString last = names.takeLast();
    return (names.size() == 1 ? QStringLiteral("both ") : QString()) + names.join(QStringLiteral(", ")) +
           QStringLiteral(" and ") + last;
}

// The operations whose body the object fits: those it fits exactly, else those whose required
// keys it has (it may carry a key the spec does not know); a deprecated operation only when no
// current one fits.
QList<Operation> candidates(const QJsonObject &body)
{
    QList<Operation> found;
    for (bool strict : {true, false}) {
        for (const BodyShape &shape : bodyShapes()) {
            if (fits(shape, body, strict))
                found << shape.operation;
        }
        if (!found.isEmpty())
            break;
    }
    QList<Operation> current;
    for (Operation operation : found) {
        if (!ApiOperation::info(operation).deprecated)
            current << operation;
    }
    return current.isEmpty() ? found : current;
}

bool readBareJson(const QJsonObject &body, std::optional<Operation> chosen, PastedRequest::Item *item,
                  QString *error)
{
    item->source = QStringLiteral("json");
    Operation operation;
    if (chosen) {
        operation = *chosen;
        if (!ApiOperation::info(operation).hasBody) {
            *error =
                QStringLiteral("JSON body: %1 takes no body").arg(ApiOperation::info(operation).operationId);
            return false;
        }
    } else {
        const QList<Operation> found = candidates(body);
        if (found.isEmpty()) {
            *error = QStringLiteral("JSON body: its shape (keys %1) fits no journy.io operation's body; "
                                    "choose the operation")
                         .arg(body.keys().join(QStringLiteral(", ")));
            return false;
        }
        if (found.size() > 1) {
            *error =
                QStringLiteral("JSON body: matches %1; choose the operation").arg(listOfOperations(found));
            return false;
        }
        operation = found.first();
        item->notes << QStringLiteral("operation guessed from the body's shape: %1")
                           .arg(ApiOperation::info(operation).operationId);
    }
    item->request = ApiRequest::raw(operation, body);
    return true;
}

QString startOf(const QByteArray &text)
{
    QString start = QString::fromUtf8(text.left(text.indexOf('\n') < 0 ? text.size() : text.indexOf('\n')));
    if (start.size() > 40)
        start = start.left(40) + QStringLiteral("…");
    return start;
}

bool readAny(const QByteArray &text, QList<PastedRequest::Item> *items, QString *error,
             std::optional<Operation> chosen)
{
    qsizetype start = 0;
    while (start < text.size() && QChar::isSpace(uchar(text.at(start))))
        ++start;
    if (start == text.size()) {
        *error = QStringLiteral("Nothing to read: the paste is empty");
        return false;
    }
    Parsed parsed;
    const qsizetype curl = curlStart(text, &parsed.note);
    if (curl >= 0) {
        PastedRequest::Item item;
        if (!readCurl(text, curl, &parsed, error) ||
            !toItem(parsed, QStringLiteral("curl"), QStringLiteral("curl: the body"), chosen, &item, error))
            return false;
        *items << item;
        return true;
    }
    const qsizetype lineEnd = text.indexOf('\n', start);
    const QByteArray firstLine = text.mid(start, lineEnd < 0 ? -1 : lineEnd - start);
    if (requestLinePattern().match(QString::fromUtf8(firstLine)).hasMatch()) {
        PastedRequest::Item item;
        if (!readHttp(text, start, &parsed, error) ||
            !toItem(parsed, QStringLiteral("http"), QStringLiteral("HTTP request: the body"), chosen, &item,
                    error))
            return false;
        *items << item;
        return true;
    }
    const char first = text.at(start);
    if (first == '{' || first == '[') {
        QJsonDocument document;
        JsonSyntaxError syntax;
        const bool har = text.contains("\"log\"");
        if (!JsonSyntaxError::parse(QString::fromUtf8(text), &document, &syntax)) {
            *error = QStringLiteral("%1: %2").arg(har ? QStringLiteral("HAR") : QStringLiteral("JSON body"),
                                                  syntax.describe());
            return false;
        }
        if (!document.isObject()) {
            *error = QStringLiteral("JSON body: the paste is a list, not a JSON object");
            return false;
        }
        if (document.object().contains(QStringLiteral("log")))
            return readHar(document.object(), items, error);
        PastedRequest::Item item;
        if (!readBareJson(document.object(), chosen, &item, error))
            return false;
        *items << item;
        return true;
    }
    *error = QStringLiteral("Not a curl command, an HTTP request, a HAR file or a JSON object: it starts "
                            "with “%1”")
                 .arg(startOf(text.mid(start)));
    return false;
}

} // namespace

bool PastedRequest::read(const QByteArray &text, QList<Item> *items, QString *error,
                         std::optional<Operation> chosen)
{
    items->clear();
    error->clear();
    // A file saved by a Windows editor (journy lint FILE) may start with a UTF-8 byte order mark.
    const QByteArray bom("\xEF\xBB\xBF");
    if (readAny(text.startsWith(bom) ? text.mid(bom.size()) : text, items, error, chosen))
        return true;
    items->clear();
    if (error->isEmpty())
        *error = QStringLiteral("The paste could not be read");
    return false;
}

QString PastedRequest::fingerprint(const QByteArray &key)
{
    return QStringLiteral("sha256:") +
           QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(8));
}

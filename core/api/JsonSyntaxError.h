#pragma once

#include <QJsonDocument>
#include <QString>

// Where JSON text typed by a person stops parsing, in the terms an editor shows: a 1-based line
// and column, and the character position to put the text cursor on. QJsonParseError::offset
// counts UTF-8 bytes of the encoded text (and points just past the byte the parser stumbled on,
// or at it for some errors), while editors count QString characters: an accented letter or a
// symbol before the error would otherwise move the place by a column or more.
class JsonSyntaxError
{
public:
    // Parses text as JSON; false with *error filled when it does not parse.
    static bool parse(const QString &text, QJsonDocument *document, JsonSyntaxError *error);

    int line = 0;     // 1-based
    int column = 0;   // 1-based, in characters (code points) of that line
    int position = 0; // index into the text (UTF-16 units, as QTextCursor counts), where the error is
    QString what;     // Qt's reason, e.g. "missing name separator"

    // "line 3, column 7: missing name separator"
    QString describe() const;
};

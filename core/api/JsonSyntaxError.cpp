#include "api/JsonSyntaxError.h"

#include <QJsonParseError>

bool JsonSyntaxError::parse(const QString &text, QJsonDocument *document, JsonSyntaxError *error)
{
    const QByteArray utf8 = text.toUtf8();
    QJsonParseError parseError;
    *document = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        return true;

    // The byte the parser stumbled on: Qt's offset is just past it, except for trailing garbage
    // and a bad number, where it is the byte itself (or the blank before it).
    qsizetype byte = parseError.offset;
    if (parseError.error != QJsonParseError::GarbageAtEnd &&
        parseError.error != QJsonParseError::IllegalNumber)
        --byte;
    byte = qBound(qsizetype(0), byte, utf8.size());
    // Blanks are never the mistake: the place is the next thing written (or the end).
    while (byte < utf8.size() &&
           (utf8.at(byte) == ' ' || utf8.at(byte) == '\t' || utf8.at(byte) == '\r' || utf8.at(byte) == '\n'))
        ++byte;
    // Back inside a multi-byte character: to its first byte, so that no character is split.
    while (byte > 0 && byte < utf8.size() && (static_cast<unsigned char>(utf8.at(byte)) & 0xC0) == 0x80)
        --byte;

    const QString before = QString::fromUtf8(utf8.constData(), byte);
    const qsizetype lineStart = before.lastIndexOf(QLatin1Char('\n')) + 1;
    error->line = int(before.count(QLatin1Char('\n'))) + 1;
    // Code points, not UTF-16 units: a character outside the BMP is one column, as people count.
    error->column = int(QStringView(before).mid(lineStart).toUcs4().size()) + 1;
    error->position = int(before.size());
    error->what = parseError.errorString();
    return false;
}

QString JsonSyntaxError::describe() const
{
    return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(what);
}

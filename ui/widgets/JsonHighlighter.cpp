#include "ui/widgets/JsonHighlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

JsonHighlighter::JsonHighlighter(QTextDocument *document) : QSyntaxHighlighter(document) {}

void JsonHighlighter::highlightBlock(const QString &text)
{
    // Colours picked per palette, so dark mode stays readable.
    const bool dark = QGuiApplication::palette().color(QPalette::Base).lightness() < 128;
    QTextCharFormat key;
    key.setForeground(dark ? QColor(0x82, 0xaa, 0xff) : QColor(0x1a, 0x4f, 0xa0));
    QTextCharFormat string;
    string.setForeground(dark ? QColor(0xc3, 0xe8, 0x8d) : QColor(0x2e, 0x7d, 0x32));
    QTextCharFormat literal;
    literal.setForeground(dark ? QColor(0xf7, 0x8c, 0x6c) : QColor(0xb0, 0x3a, 0x2e));

    static const QRegularExpression strings(QStringLiteral(R"("(?:[^"\\]|\\.)*"(\s*:)?)"));
    static const QRegularExpression literals(
        QStringLiteral(R"(\b(?:true|false|null)\b|-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)"));
    for (auto it = literals.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        setFormat(int(match.capturedStart()), int(match.capturedLength()), literal);
    }
    for (auto it = strings.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const bool isKey = match.capturedLength(1) > 0;
        setFormat(int(match.capturedStart()), int(match.capturedLength(0) - match.capturedLength(1)),
                  isKey ? key : string);
    }
}

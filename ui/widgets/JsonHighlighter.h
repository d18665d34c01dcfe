#pragma once

#include <QSyntaxHighlighter>

// Colours JSON text: keys, strings, numbers, and true/false/null.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT
public:
    explicit JsonHighlighter(QTextDocument *document);

protected:
    void highlightBlock(const QString &text) override;
};

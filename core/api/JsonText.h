#pragma once

#include <QByteArray>
#include <QStringList>
#include <QStringView>

// JSON text written directly, for the import's per-row paths (the journal's cells and requests),
// where building a QJsonArray or QJsonObject and serializing it cost more than everything else.
// UTF-8, compact, with exactly the escapes RFC 8259 requires.
class JsonText
{
public:
    // Appends text as a JSON string, quotes included.
    static void appendString(QByteArray &json, QStringView text);
    // ["a","b",...]
    static QByteArray stringArray(const QStringList &strings);
};

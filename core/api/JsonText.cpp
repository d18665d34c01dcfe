#include "api/JsonText.h"

void JsonText::appendString(QByteArray &json, QStringView text)
{
    json.append('"');
    qsizetype from = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t c = text.at(i).unicode();
        if (c >= 0x20 && c != u'"' && c != u'\\')
            continue;
        json.append(text.mid(from, i - from).toUtf8());
        from = i + 1;
        if (c == u'"' || c == u'\\') {
            json.append('\\');
            json.append(char(c));
        } else if (c == u'\n') {
            json.append("\\n");
        } else if (c == u'\r') {
            json.append("\\r");
        } else if (c == u'\t') {
            json.append("\\t");
        } else {
            json.append("\\u00");
            json.append("0123456789abcdef"[c >> 4]);
            json.append("0123456789abcdef"[c & 15]);
        }
    }
    json.append(text.mid(from).toUtf8());
    json.append('"');
}

QByteArray JsonText::stringArray(const QStringList &strings)
{
    QByteArray json;
    qsizetype size = 2;
    for (const QString &string : strings)
        size += string.size() + 3;
    json.reserve(size);
    json.append('[');
    for (qsizetype i = 0; i < strings.size(); ++i) {
        if (i > 0)
            json.append(',');
        appendString(json, strings.at(i));
    }
    json.append(']');
    return json;
}

#include "relay/RelayRecord.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

// A body as the export shows it: the JSON itself when it parses, so a reader of the JSON Lines
// does not have to unescape it; the text otherwise (a broken body is what is worth seeing).
QJsonValue bodyValue(const QByteArray &body)
{
    if (body.isEmpty())
        return QJsonValue();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError) {
        if (document.isObject())
            return document.object();
        return document.array();
    }
    return QString::fromUtf8(body);
}

} // namespace

QString RelayRecord::verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Clean:
        return QStringLiteral("clean");
    case Verdict::Warnings:
        return QStringLiteral("warnings");
    case Verdict::Errors:
        return QStringLiteral("errors");
    }
    return QString();
}

void RelayRecord::judge()
{
    bool warnings = false;
    for (const LintFinding &finding : std::as_const(findings))
        warnings = warnings || finding.severity == LintFinding::Severity::Warning;
    verdict = !specErrors.isEmpty() || operationId.isEmpty() ? Verdict::Errors
              : warnings                                     ? Verdict::Warnings
                                                             : Verdict::Clean;
}

QJsonObject RelayRecord::toJson() const
{
    QJsonObject errors;
    for (auto it = specErrors.cbegin(); it != specErrors.cend(); ++it)
        errors.insert(it.key(), it.value());
    QJsonArray lint;
    for (const LintFinding &finding : findings)
        lint.append(finding.toJson());
    QJsonObject json{{QLatin1String("id"), id},
                     {QLatin1String("received"), received.toString(Qt::ISODateWithMs)},
                     {QLatin1String("method"), QString::fromLatin1(method)},
                     {QLatin1String("path"), path},
                     {QLatin1String("operationId"), operationId},
                     {QLatin1String("requestBody"), bodyValue(requestBody)},
                     {QLatin1String("keyFingerprint"), keyFingerprint},
                     {QLatin1String("specErrors"), errors},
                     {QLatin1String("findings"), lint},
                     {QLatin1String("verdict"), verdictName(verdict)}};
    if (answered) {
        json.insert(QLatin1String("status"), status);
        json.insert(QLatin1String("responseBody"), bodyValue(responseBody));
        json.insert(QLatin1String("requestId"), requestId);
        json.insert(QLatin1String("latencyMs"), latencyMs);
        if (!failure.isEmpty())
            json.insert(QLatin1String("failure"), failure);
    }
    return json;
}

#include "cli/CliLint.h"

#include "api/IntegrationLint.h"
#include "api/PastedRequest.h"
#include "api/RequestValidator.h"

#include <QJsonArray>

namespace {

// Fixed-width severity and rule columns, so a long report lines up in a terminal.
QString line(const QString &severity, const QString &rule, const QString &path, const QString &text)
{
    const QString where = path.isEmpty() ? QString() : path + QStringLiteral(": ");
    return QStringLiteral("  %1 %2 %3%4\n").arg(severity, -8).arg(rule, -28).arg(where, text);
}

} // namespace

CliLint::Outcome CliLint::run(const QByteArray &input, const std::optional<Operation> &chosen)
{
    Outcome outcome;
    QList<PastedRequest::Item> items;
    if (!PastedRequest::read(input, &items, &outcome.error, chosen)) {
        outcome.exitCode = 1;
        return outcome;
    }
    int errors = 0;
    int warnings = 0;
    int infos = 0;
    QJsonArray requests;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const PastedRequest::Item &item = items.at(i);
        const ApiOperation &info = item.request.info();
        QString heading =
            QStringLiteral("%1/%2 %3 (%4)").arg(i + 1).arg(items.size()).arg(info.operationId, item.source);
        if (!item.method.isEmpty())
            heading += QStringLiteral(": %1 %2").arg(QString::fromLatin1(item.method), item.url.toString());
        outcome.text += heading + QLatin1Char('\n');
        for (const QString &note : item.notes)
            outcome.text += QStringLiteral("  note     %1\n").arg(note);
        if (!item.keyFingerprint.isEmpty())
            outcome.text += QStringLiteral("  key      %1 (a fingerprint; the key is never shown)\n")
                                .arg(item.keyFingerprint);

        const RequestValidator::FieldErrors specErrors = RequestValidator::validate(item.request);
        QJsonObject errorsJson;
        for (auto it = specErrors.begin(); it != specErrors.end(); ++it) {
            outcome.text += line(QStringLiteral("error"), QStringLiteral("spec"), it.key(), it.value());
            errorsJson.insert(it.key(), it.value());
        }
        errors += int(specErrors.size());

        const QList<LintFinding> findings = IntegrationLint::lint(item.request);
        QJsonArray findingsJson;
        for (const LintFinding &finding : findings) {
            outcome.text +=
                line(LintFinding::severityName(finding.severity), finding.rule, finding.path, finding.text());
            findingsJson.append(finding.toJson());
            (finding.severity == LintFinding::Severity::Warning ? warnings : infos) += 1;
        }
        if (specErrors.isEmpty() && findings.isEmpty())
            outcome.text += QStringLiteral("  clean\n");

        QJsonObject request{{QLatin1String("operation"), info.operationId},
                            {QLatin1String("source"), item.source},
                            {QLatin1String("notes"), QJsonArray::fromStringList(item.notes)},
                            {QLatin1String("errors"), errorsJson},
                            {QLatin1String("findings"), findingsJson},
                            {QLatin1String("body"), item.request.body}};
        if (!item.method.isEmpty()) {
            request.insert(QLatin1String("method"), QString::fromLatin1(item.method));
            request.insert(QLatin1String("url"), item.url.toString());
        }
        if (!item.keyFingerprint.isEmpty())
            request.insert(QLatin1String("keyFingerprint"), item.keyFingerprint);
        requests.append(request);
    }
    outcome.exitCode = errors > 0 ? 2 : warnings > 0 ? WarningsOnly : 0;
    outcome.text += QStringLiteral("%1 request(s): %2 error(s), %3 warning(s), %4 info\n")
                        .arg(items.size())
                        .arg(errors)
                        .arg(warnings)
                        .arg(infos);
    outcome.json = {{QLatin1String("ok"), outcome.exitCode == 0},
                    {QLatin1String("requests"), requests},
                    {QLatin1String("errors"), errors},
                    {QLatin1String("warnings"), warnings},
                    {QLatin1String("info"), infos}};
    return outcome;
}

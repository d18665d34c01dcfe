#pragma once

#include <QJsonObject>
#include <QString>

// One remark of IntegrationLint on a request a customer's integration sends: something the API
// accepts but that is probably not what the integration meant ("399" sent as text, an email as
// userId). Never an error: a finding never stops a request from being sent.
class LintFinding
{
public:
    enum class Severity
    {
        Warning, // probably a mistake in the integration
        Info     // worth knowing, often intended
    };

    QString rule; // stable kebab-case ID from IntegrationLint::rules()
    Severity severity = Severity::Info;
    // The field as RequestValidator and the server's 400s spell it ("properties.plan",
    // "identification.user.userId"); empty for the request as a whole (its endpoint).
    QString path;
    QString message; // one sentence naming the value
    QString fix;     // one sentence: what to send instead

    static QString severityName(Severity severity); // "warning" or "info"
    // The message and the fix as one text, as the forms, History and the CLI show a finding.
    QString text() const;
    // "warning · string-number · properties.mrr: …": one line, as History and the Live page list it.
    QString line() const;
    // {rule, severity, path, message, fix}, for the CLI, a relay and History exports.
    QJsonObject toJson() const;

    bool operator==(const LintFinding &other) const;
    bool operator!=(const LintFinding &other) const { return !(*this == other); }
};

#include "api/LintFinding.h"

QString LintFinding::severityName(Severity severity)
{
    switch (severity) {
    case Severity::Warning:
        return QStringLiteral("warning");
    case Severity::Info:
        break;
    }
    return QStringLiteral("info");
}

QJsonObject LintFinding::toJson() const
{
    return QJsonObject{{QStringLiteral("rule"), rule},
                       {QStringLiteral("severity"), severityName(severity)},
                       {QStringLiteral("path"), path},
                       {QStringLiteral("message"), message},
                       {QStringLiteral("fix"), fix}};
}

bool LintFinding::operator==(const LintFinding &other) const
{
    return rule == other.rule && severity == other.severity && path == other.path &&
           message == other.message && fix == other.fix;
}

QString LintFinding::text() const
{
    return fix.isEmpty() ? message : message + QLatin1Char(' ') + fix;
}

QString LintFinding::line() const
{
    const QString where = path.isEmpty() ? QString() : path + QStringLiteral(": ");
    return QStringLiteral("%1 · %2 · %3%4").arg(severityName(severity), rule, where, text());
}

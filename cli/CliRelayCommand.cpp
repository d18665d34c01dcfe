#include "cli/CliRelayCommand.h"

#include "cli/CliApplication.h"
#include "cli/InterruptWatcher.h"
#include "relay/RelayServer.h"

#include <QJsonDocument>

CliRelayCommand::CliRelayCommand(quint16 port, bool json, QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent), m_port(port), m_json(json), m_out(out), m_err(err)
{}

CliRelayCommand::~CliRelayCommand() = default;

void CliRelayCommand::run(const ClientConfig &upstream)
{
    m_relay = new RelayServer(upstream, this);
    if (!m_relay->listen(m_port)) {
        m_err << QStringLiteral("journy: relay: cannot listen on 127.0.0.1:%1: %2\n")
                     .arg(m_port)
                     .arg(m_relay->listenError());
        m_err.flush();
        emit finished(CliApplication::Failed);
        return;
    }
    connect(m_relay, &RelayServer::answered, this, &CliRelayCommand::onAnswered);
    m_interrupts = new InterruptWatcher(this);
    connect(m_interrupts, &InterruptWatcher::interruptedChanged, this, &CliRelayCommand::onInterrupt);
    m_err << QStringLiteral("Relay listening on %1 → %2\n")
                 .arg(m_relay->url().toString(), upstream.baseUrl.toString());
    m_err.flush();
}

QString CliRelayCommand::line(const RelayRecord &record)
{
    QStringList rules;
    for (const LintFinding &finding : record.findings)
        rules << finding.rule;
    QString findings = QStringLiteral("%1 finding(s)").arg(record.findings.size());
    if (!rules.isEmpty())
        findings += QStringLiteral(" (%1)").arg(rules.join(QLatin1String(", ")));
    if (!record.specErrors.isEmpty())
        findings += QStringLiteral(", %1 spec error(s)").arg(record.specErrors.size());
    return QStringLiteral("%1  %2  %3 %4  %5  %6ms  %7  %8")
        .arg(record.received.toLocalTime().toString(QStringLiteral("HH:mm:ss")),
             RelayRecord::verdictName(record.verdict).toUpper().leftJustified(8),
             QString::fromLatin1(record.method), record.path, QString::number(record.status),
             QString::number(record.latencyMs),
             record.requestId.isEmpty() ? QStringLiteral("-") : record.requestId, findings);
}

void CliRelayCommand::onAnswered(const RelayRecord &record)
{
    ++m_requests;
    if (record.verdict == RelayRecord::Verdict::Errors)
        ++m_withErrors;
    else if (record.verdict == RelayRecord::Verdict::Warnings)
        ++m_withWarnings;
    for (const LintFinding &finding : record.findings) {
        Tally &tally = m_rules[finding.rule];
        if (tally.count++ == 0)
            tally.example = QString::fromLatin1(record.method) + QLatin1Char(' ') + record.path;
    }
    if (m_json)
        m_out << QString::fromUtf8(QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact)) << '\n';
    else
        m_out << line(record) << '\n';
    m_out.flush();
}

QString CliRelayCommand::summary() const
{
    QString text = QStringLiteral("Relayed %1 request(s): %2 with errors, %3 with warnings only\n")
                       .arg(m_requests)
                       .arg(m_withErrors)
                       .arg(m_withWarnings);
    if (m_rules.isEmpty())
        return text + QStringLiteral("No lint findings.\n");
    int width = 0;
    for (auto it = m_rules.cbegin(); it != m_rules.cend(); ++it)
        width = qMax(width, int(it.key().size()));
    for (auto it = m_rules.cbegin(); it != m_rules.cend(); ++it)
        text += QStringLiteral("  %1  %2  e.g. %3\n")
                    .arg(it.key().leftJustified(width), QString::number(it.value().count).rightJustified(4),
                         it.value().example);
    return text;
}

void CliRelayCommand::onInterrupt()
{
    // Ctrl+C is how a relay session ends, not a failure: the summary, then exit 0. With --json the
    // summary goes to stderr, so stdout stays one JSON object per line.
    QTextStream &stream = m_json ? m_err : m_out;
    stream << summary();
    stream.flush();
    emit finished(CliApplication::Success);
}

#include "cli/CliNetworkOptions.h"

#include "api/NetworkSettings.h"
#include "api/NumericOption.h"

#include <QFileInfo>

#include <cmath>

CliNetworkOptions::CliNetworkOptions(Scope scope)
    : m_scope(scope), m_proxy(QStringLiteral("proxy"),
                              QStringLiteral("Proxy: http://[user@]host:port or socks5://[user@]host:port."),
                              QStringLiteral("URL")),
      m_noProxy(QStringLiteral("no-proxy"), QStringLiteral("Connect directly, whatever the settings.")),
      m_systemProxy(QStringLiteral("system-proxy"), QStringLiteral("The OS settings and *_PROXY variables.")),
      m_proxyBypass(QStringLiteral("proxy-bypass"),
                    QStringLiteral("Hosts that skip the proxy, comma-separated."), QStringLiteral("LIST")),
      m_caFile(QStringLiteral("ca-file"), QStringLiteral("Extra CA certificates (PEM) to trust."),
               QStringLiteral("PEM")),
      m_timeout(QStringLiteral("timeout"), QStringLiteral("Seconds to wait for an answer (default 30)."),
                QStringLiteral("SECONDS"))
{}

QList<QCommandLineOption> CliNetworkOptions::options() const
{
    if (m_scope == Scope::Run)
        return {m_proxy, m_noProxy, m_caFile, m_timeout};
    return {m_proxy, m_noProxy, m_systemProxy, m_proxyBypass, m_caFile, m_timeout};
}

QStringList CliNetworkOptions::given(const QCommandLineParser &parser) const
{
    QStringList names;
    for (const QCommandLineOption &option : options()) {
        if (parser.isSet(option))
            names << QStringLiteral("--") + option.names().constFirst();
    }
    return names;
}

bool CliNetworkOptions::anySet(const QCommandLineParser &parser) const
{
    return !given(parser).isEmpty();
}

bool CliNetworkOptions::apply(const QCommandLineParser &parser, NetworkSettings *settings,
                              QString *error) const
{
    NetworkSettings result = *settings;

    QStringList modes;
    for (const QCommandLineOption *option : {&m_proxy, &m_noProxy, &m_systemProxy}) {
        if ((m_scope == Scope::Profile || option != &m_systemProxy) && parser.isSet(*option))
            modes << QStringLiteral("--") + option->names().constFirst();
    }
    if (modes.size() > 1) {
        *error =
            QStringLiteral("%1 cannot be used together: give one").arg(modes.join(QLatin1String(" and ")));
        return false;
    }
    if (parser.isSet(m_proxy)) {
        QString proxyError;
        if (!NetworkSettings::parseProxyUrl(parser.value(m_proxy), &result, &proxyError)) {
            *error = QStringLiteral("--proxy: ") + proxyError;
            return false;
        }
        // Named for this run, the proxy is meant for this run's request: a bypass list stored
        // for the profile's own proxy would quietly send it direct instead.
        if (m_scope == Scope::Run)
            result.proxyBypass.clear();
    } else if (parser.isSet(m_noProxy)) {
        result.proxyMode = NetworkSettings::ProxyMode::None;
    } else if (m_scope == Scope::Profile && parser.isSet(m_systemProxy)) {
        result.proxyMode = NetworkSettings::ProxyMode::System;
    }

    if (m_scope == Scope::Profile && parser.isSet(m_proxyBypass)) {
        if (result.proxyMode != NetworkSettings::ProxyMode::Manual) {
            *error = QStringLiteral("--proxy-bypass goes with a manual proxy: give --proxy URL as well");
            return false;
        }
        QStringList bypass;
        const QStringList entries = parser.value(m_proxyBypass).split(QLatin1Char(','));
        for (const QString &entry : entries) {
            if (!entry.trimmed().isEmpty())
                bypass << entry.trimmed();
        }
        NetworkSettings probe = result;
        probe.proxyBypass = bypass;
        probe.caFile.clear();
        QString bypassError;
        if (!probe.check(&bypassError)) {
            *error = QStringLiteral("--proxy-bypass: ") + bypassError;
            return false;
        }
        result.proxyBypass = bypass;
    }

    if (parser.isSet(m_caFile)) {
        // Stored as an absolute path: the CLI and the console run from other folders later.
        const QString path = parser.value(m_caFile).trimmed();
        result.caFile = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
        NetworkSettings probe;
        probe.caFile = result.caFile;
        QString caError;
        if (!probe.check(&caError)) {
            *error = QStringLiteral("--ca-file: ") + caError;
            return false;
        }
    }

    if (parser.isSet(m_timeout)) {
        double seconds = 0;
        if (!NumericOption::read(QStringLiteral("--timeout"), parser.value(m_timeout),
                                 NumericOption::Kind::Real, NetworkSettings::MinTimeoutMs / 1000.0,
                                 NetworkSettings::MaxTimeoutMs / 1000.0, &seconds, error,
                                 QStringLiteral("seconds")))
            return false;
        // Rounded to whole milliseconds; the range's ends are whole milliseconds too.
        result.timeoutMs = static_cast<int>(std::round(seconds * 1000));
    }

    // What was there before (a profile written by hand, say) is checked with what was given.
    if (!result.check(error))
        return false;
    *settings = result;
    return true;
}

#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QString>

class NetworkSettings;

// The network options of the command line, in two places with one meaning: before the command
// (--proxy, --no-proxy, --ca-file, --timeout) they change the settings of one run, on top of the
// profile's; after `profile add|set NAME` (the same, plus --system-proxy and --proxy-bypass)
// they are stored in the profile. Values are checked here, so a typo is a usage error with the
// option named, before anything is read from the keychain or sent.
class CliNetworkOptions
{
public:
    enum class Scope
    {
        Run,     // global options: this run only
        Profile, // `profile add|set`: stored
    };

    explicit CliNetworkOptions(Scope scope);

    QList<QCommandLineOption> options() const;
    // Whether any of them is on the command line.
    bool anySet(const QCommandLineParser &parser) const;
    // Whether --proxy is: the built-in Sandbox profile goes through a proxy only then.
    bool proxyGiven(const QCommandLineParser &parser) const { return parser.isSet(m_proxy); }
    // The names of the options given, "--proxy, --timeout": for a refusal that lists them.
    QStringList given(const QCommandLineParser &parser) const;

    // Puts the options given in parser over *settings, then checks the result as a whole
    // (NetworkSettings::check). False with *error, naming the option, when a value is unusable;
    // *settings is then unchanged. Never touches the proxy password.
    bool apply(const QCommandLineParser &parser, NetworkSettings *settings, QString *error) const;

private:
    Scope m_scope;
    QCommandLineOption m_proxy;
    QCommandLineOption m_noProxy;
    QCommandLineOption m_systemProxy;
    QCommandLineOption m_proxyBypass;
    QCommandLineOption m_caFile;
    QCommandLineOption m_timeout;
};

#pragma once

#include <QString>
#include <QStringList>

// How a profile reaches its server: the proxy, an extra CA file and the timeout. Stored per
// profile in profiles.ini by ProfileStore, except the proxy password, which lives in the
// keychain (Profile::proxyPasswordSecretName()) and is filled in here only for the time a client
// uses it. The console and the CLI share these settings.
class NetworkSettings
{
public:
    enum class ProxyMode
    {
        System, // the OS settings (WinHTTP/CFNetwork/libproxy) and the *_PROXY variables, like curl
        None,   // always direct
        Manual, // proxyType at proxyHost:proxyPort, except for hosts in proxyBypass
    };
    enum class ProxyType
    {
        Http, // CONNECT for https, absolute-URI requests for http
        Socks5,
    };

    ProxyMode proxyMode = ProxyMode::System;
    ProxyType proxyType = ProxyType::Http;
    QString proxyHost;
    quint16 proxyPort = 0;
    // Hosts that never go through the manual proxy: "example.com" (and its subdomains),
    // ".example.com", an IP address, a CIDR range ("10.0.0.0/8") or "*".
    QStringList proxyBypass;
    // Empty: no login, or (Windows) the user's own login for NTLM/Negotiate.
    QString proxyUser;
    // Never written to a file: read from the keychain when a client is made.
    QString proxyPassword;
    // A PEM file with one or more CA certificates trusted in addition to the OS trust store
    // (a company's TLS-inspecting proxy). There is deliberately no way to turn verification off.
    QString caFile;
    int timeoutMs = 30000;

    static constexpr int MinTimeoutMs = 100;
    static constexpr int MaxTimeoutMs = 3600 * 1000;

    static QString proxyModeName(ProxyMode mode);
    static bool proxyModeFromName(const QString &name, ProxyMode *mode);

    // Parses the CLI's --proxy value: http://[user@]host:port or socks5://[user@]host:port.
    // A password is refused: it would show in the process list and shell history.
    static bool parseProxyUrl(const QString &text, NetworkSettings *into, QString *error);
    // The manual proxy as a URL without a password ("http://alice@proxy.corp:3128"); empty
    // unless the mode is Manual.
    QString proxyUrl() const;
    // "direct", "system", or the manual proxy URL: for listings.
    QString proxyDescription() const;

    // False with *error when the settings cannot be used: a manual proxy without host or port,
    // a bad bypass entry, a CA file that cannot be read or holds no certificate, a timeout out of
    // range. Messages name the setting and the allowed values.
    bool check(QString *error) const;

    // Everything but the timeout and the CA file: settings equal here can share one
    // QNetworkAccessManager (NetworkAccess).
    bool sameProxy(const NetworkSettings &other) const;
    bool operator==(const NetworkSettings &other) const;
    bool operator!=(const NetworkSettings &other) const { return !(*this == other); }
};

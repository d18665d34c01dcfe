#pragma once

#include <QString>
#include <QStringList>

// The bypass lists of proxies: a manual proxy's, and NO_PROXY's. Entries are matched as curl
// and most tools do: "example.com" and ".example.com" match the host and its subdomains, an IP
// address matches itself, a CIDR range its addresses, "*" everything. Ports are ignored.
class ProxyBypass
{
public:
    static bool isValidEntry(const QString &entry);
    static bool matches(const QStringList &entries, const QString &host);
    // NO_PROXY's text: entries separated by commas or spaces.
    static QStringList split(const QString &text);
};

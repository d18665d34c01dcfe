#include "api/ProxyBypass.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace {

// "[::1]" and "host:port" are written in NO_PROXY; the port never decides here.
QString bareHost(QString entry)
{
    entry = entry.trimmed().toLower();
    if (entry.startsWith(QLatin1Char('['))) {
        const int end = entry.indexOf(QLatin1Char(']'));
        return end > 0 ? entry.mid(1, end - 1) : entry;
    }
    if (entry.count(QLatin1Char(':')) == 1 && !entry.contains(QLatin1Char('/')))
        entry.truncate(entry.indexOf(QLatin1Char(':')));
    return entry;
}

bool isHostName(const QString &name)
{
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("\\.?(\\*\\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?"
                                                           "(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\\.?")));
    return pattern.match(name).hasMatch();
}

} // namespace

bool ProxyBypass::isValidEntry(const QString &entry)
{
    const QString host = bareHost(entry);
    if (host.isEmpty())
        return false;
    if (host == QLatin1String("*"))
        return true;
    if (host.contains(QLatin1Char('/')))
        return !QHostAddress::parseSubnet(host).first.isNull();
    return !QHostAddress(host).isNull() || isHostName(host);
}

bool ProxyBypass::matches(const QStringList &entries, const QString &hostName)
{
    QString host = hostName.toLower();
    if (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    const QHostAddress address(host);
    for (const QString &raw : entries) {
        QString entry = bareHost(raw);
        if (entry.isEmpty())
            continue;
        if (entry == QLatin1String("*"))
            return true;
        if (entry.contains(QLatin1Char('/'))) {
            const auto subnet = QHostAddress::parseSubnet(entry);
            if (!address.isNull() && !subnet.first.isNull() && address.isInSubnet(subnet))
                return true;
            continue;
        }
        const QHostAddress entryAddress(entry);
        if (!entryAddress.isNull()) {
            if (!address.isNull() && address.isEqual(entryAddress, QHostAddress::TolerantConversion))
                return true;
            continue;
        }
        if (entry.startsWith(QLatin1String("*.")))
            entry.remove(0, 1);
        if (entry.endsWith(QLatin1Char('.')))
            entry.chop(1);
        if (entry.startsWith(QLatin1Char('.'))) {
            if (host.endsWith(entry) || host == entry.mid(1))
                return true;
        } else if (host == entry || host.endsWith(QLatin1Char('.') + entry)) {
            return true;
        }
    }
    return false;
}

QStringList ProxyBypass::split(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

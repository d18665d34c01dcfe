#include "api/NetworkSettings.h"

#include "api/BaseUrl.h"
#include "api/ProxyBypass.h"

#include <QFileInfo>
#include <QSslCertificate>
#include <QUrl>

QString NetworkSettings::proxyModeName(ProxyMode mode)
{
    switch (mode) {
    case ProxyMode::System:
        return QStringLiteral("system");
    case ProxyMode::None:
        return QStringLiteral("none");
    case ProxyMode::Manual:
        return QStringLiteral("manual");
    }
    return QString();
}

bool NetworkSettings::proxyModeFromName(const QString &name, ProxyMode *mode)
{
    for (ProxyMode candidate : {ProxyMode::System, ProxyMode::None, ProxyMode::Manual}) {
        if (proxyModeName(candidate) == name.trimmed().toLower()) {
            *mode = candidate;
            return true;
        }
    }
    return false;
}

bool NetworkSettings::parseProxyUrl(const QString &text, NetworkSettings *into, QString *error)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("http") && scheme != QLatin1String("socks5"))) {
        // An unparsable URL prints as '': the message quotes what was typed (without user info).
        const QString port = BaseUrl::portProblem(text, url);
        *error = !port.isEmpty() ? port
                                 : QStringLiteral("'%1' is not a proxy URL: use http://[user@]host:port or "
                                                  "socks5://[user@]host:port")
                                       .arg(url.isValid() ? url.toString(QUrl::RemovePassword)
                                                          : BaseUrl::withoutUserInfo(text.trimmed()));
        return false;
    }
    if (!url.password().isEmpty()) {
        *error = QStringLiteral("a proxy password is never taken on the command line (it would show in "
                                "the process list): give the user only, and store the password with "
                                "'journy profile set-proxy-password' or JOURNY_PROXY_PASSWORD");
        return false;
    }
    if (url.port() <= 0) {
        *error = QStringLiteral("'%1' has no port: a proxy URL needs one, e.g. http://proxy.corp:3128")
                     .arg(url.toString());
        return false;
    }
    if ((!url.path().isEmpty() && url.path() != QLatin1String("/")) || url.hasQuery() || url.hasFragment()) {
        *error =
            QStringLiteral("'%1' is not a proxy URL: it must not have a path or a query").arg(url.toString());
        return false;
    }
    into->proxyMode = ProxyMode::Manual;
    into->proxyType = scheme == QLatin1String("socks5") ? ProxyType::Socks5 : ProxyType::Http;
    into->proxyHost = url.host();
    into->proxyPort = static_cast<quint16>(url.port());
    into->proxyUser = url.userName();
    return true;
}

QString NetworkSettings::proxyUrl() const
{
    if (proxyMode != ProxyMode::Manual)
        return QString();
    QUrl url;
    url.setScheme(proxyType == ProxyType::Socks5 ? QStringLiteral("socks5") : QStringLiteral("http"));
    url.setHost(proxyHost);
    url.setPort(proxyPort);
    // An empty but non-null user would still print as "http://@host:port".
    if (!proxyUser.isEmpty())
        url.setUserName(proxyUser);
    return url.toString();
}

QString NetworkSettings::proxyDescription() const
{
    switch (proxyMode) {
    case ProxyMode::System:
        return QStringLiteral("system");
    case ProxyMode::None:
        return QStringLiteral("direct");
    case ProxyMode::Manual:
        return proxyUrl();
    }
    return QString();
}

bool NetworkSettings::check(QString *error) const
{
    if (proxyMode == ProxyMode::Manual) {
        if (proxyHost.trimmed().isEmpty()) {
            *error = QStringLiteral("the manual proxy needs a host");
            return false;
        }
        if (proxyPort == 0) {
            *error = QStringLiteral("the manual proxy needs a port from 1 to 65535");
            return false;
        }
        for (const QString &entry : proxyBypass) {
            if (!ProxyBypass::isValidEntry(entry)) {
                *error = QStringLiteral("'%1' is not a proxy bypass entry: use a host name (example.com, "
                                        ".example.com), an IP address, a CIDR range (10.0.0.0/8) or *")
                             .arg(entry);
                return false;
            }
        }
    }
    if (!caFile.isEmpty()) {
        const QFileInfo info(caFile);
        if (!info.isFile() || !info.isReadable()) {
            *error = QStringLiteral("the CA file '%1' cannot be read").arg(caFile);
            return false;
        }
        if (QSslCertificate::fromPath(caFile, QSsl::Pem).isEmpty()) {
            *error = QStringLiteral("the CA file '%1' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
                         .arg(caFile);
            return false;
        }
    }
    if (timeoutMs < MinTimeoutMs || timeoutMs > MaxTimeoutMs) {
        *error = QStringLiteral("the timeout must be from %1 to %2 seconds")
                     .arg(MinTimeoutMs / 1000.0)
                     .arg(MaxTimeoutMs / 1000);
        return false;
    }
    return true;
}

bool NetworkSettings::sameProxy(const NetworkSettings &other) const
{
    return proxyMode == other.proxyMode && proxyType == other.proxyType && proxyHost == other.proxyHost &&
           proxyPort == other.proxyPort && proxyBypass == other.proxyBypass && proxyUser == other.proxyUser &&
           proxyPassword == other.proxyPassword;
}

bool NetworkSettings::operator==(const NetworkSettings &other) const
{
    return sameProxy(other) && caFile == other.caFile && timeoutMs == other.timeoutMs;
}

#include "api/BaseUrl.h"

#include <QHostAddress>
#include <QRegularExpression>

namespace {

const QString example = QStringLiteral("such as https://api.journy.io");

bool isLoopback(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
           QHostAddress(host).isLoopback();
}

} // namespace

QString BaseUrl::withoutUserInfo(const QString &text)
{
    // Everything between "scheme://" and the last '@' of the authority.
    static const QRegularExpression userInfo(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@"));
    return QString(text).replace(userInfo, QStringLiteral("\\1"));
}

QString BaseUrl::portProblem(const QString &text, const QUrl &parsed)
{
    // QUrl's own message quotes the whole source, a password included: only its kind is used.
    if (parsed.isValid() || !parsed.errorString().contains(QLatin1String("port"), Qt::CaseInsensitive))
        return QString();
    return QStringLiteral("'%1' has no usable port: a port is a number from 1 to 65535")
        .arg(withoutUserInfo(text.trimmed()));
}

BaseUrl::Problem BaseUrl::check(const QString &text, QUrl *url, QString *error)
{
    const QString trimmed = text.trimmed();
    const QUrl parsed(trimmed, QUrl::StrictMode);
    const QString shown = withoutUserInfo(trimmed);
    if (!parsed.isValid()) {
        const QString port = portProblem(trimmed, parsed);
        *error =
            !port.isEmpty() ? port : QStringLiteral("'%1' is not an http(s) base URL %2").arg(shown, example);
        return Problem::Invalid;
    }
    const Problem problem = check(parsed, error);
    if (problem == Problem::None)
        *url = parsed;
    return problem;
}

BaseUrl::Problem BaseUrl::check(const QUrl &url, QString *error)
{
    const QString shown = url.toString(QUrl::RemoveUserInfo);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty() ||
        (scheme != QLatin1String("https") && scheme != QLatin1String("http"))) {
        *error = QStringLiteral("'%1' is not an http(s) base URL %2").arg(shown, example);
        return Problem::Invalid;
    }
    if (!url.userInfo().isEmpty()) {
        *error = QStringLiteral("'%1' must not hold a user name or password (user:password@): the URL is "
                                "stored and shown, and journy.io takes the API key only")
                     .arg(shown);
        return Problem::Invalid;
    }
    if (url.port() == 0) {
        *error = QStringLiteral("'%1' has no usable port: a port is a number from 1 to 65535").arg(shown);
        return Problem::Invalid;
    }
    // journy.io refuses plain HTTP, and the key would cross the network readable; only a server
    // on this machine (the sandbox) may be spoken to without TLS.
    if (scheme == QLatin1String("http") && !isLoopback(url.host())) {
        *error = QStringLiteral("Refusing plain http:// to %1: the API key would travel unencrypted. Use "
                                "https://, or http:// only for a server on this machine")
                     .arg(url.host());
        return Problem::Insecure;
    }
    return Problem::None;
}

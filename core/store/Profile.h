#pragma once

#include "api/NetworkSettings.h"

#include <QString>
#include <QUrl>

// A named place to send requests: a base URL, an environment label and how to reach it. Its
// API key, identity-verification secret and proxy password are not here: they live in the keychain under
// secretName().
class Profile
{
public:
    enum class Environment
    {
        Production,
        Staging,
        Sandbox
    };

    QString name;
    QUrl baseUrl; // empty for the embedded sandbox
    Environment environment = Environment::Production;
    // Proxy, CA file, timeout; the proxy password is in the keychain (proxyPasswordSecretName).
    NetworkSettings network;

    // The built-in profile that runs the sandbox in-process; it needs no key.
    static Profile embeddedSandbox();
    static QString embeddedSandboxName() { return QStringLiteral("Sandbox"); }
    bool isEmbeddedSandbox() const { return baseUrl.isEmpty() && environment == Environment::Sandbox; }

    static QString environmentName(Environment environment);
    static bool environmentFromName(const QString &name, Environment *environment);

    // Keychain entry names; the profile name keeps entries of different profiles apart.
    QString apiKeySecretName() const { return QStringLiteral("profile/%1/api-key").arg(name); }
    QString verificationSecretName() const
    {
        return QStringLiteral("profile/%1/verification-secret").arg(name);
    }
    QString proxyPasswordSecretName() const { return QStringLiteral("profile/%1/proxy-password").arg(name); }
};

#include "store/Profile.h"

Profile Profile::embeddedSandbox()
{
    Profile profile;
    profile.name = embeddedSandboxName();
    profile.environment = Environment::Sandbox;
    // It runs in this process: a proxy could only get in the way.
    profile.network.proxyMode = NetworkSettings::ProxyMode::None;
    return profile;
}

QString Profile::environmentName(Environment environment)
{
    switch (environment) {
    case Environment::Production:
        return QStringLiteral("production");
    case Environment::Staging:
        return QStringLiteral("staging");
    case Environment::Sandbox:
        return QStringLiteral("sandbox");
    }
    return QString();
}

bool Profile::environmentFromName(const QString &name, Environment *environment)
{
    for (Environment candidate : {Environment::Production, Environment::Staging, Environment::Sandbox}) {
        if (environmentName(candidate) == name.trimmed().toLower()) {
            *environment = candidate;
            return true;
        }
    }
    return false;
}

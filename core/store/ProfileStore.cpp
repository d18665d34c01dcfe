#include "store/ProfileStore.h"

#include "api/BaseUrl.h"
#include "store/PrivateFile.h"

#include <QRegularExpression>
#include <QSettings>

namespace {

const QString profilesGroup = QStringLiteral("profiles");
const QString defaultKey = QStringLiteral("default");

// The network settings of a profile's group; a missing or hand-broken value keeps its default.
NetworkSettings readNetwork(const QSettings &settings)
{
    NetworkSettings network;
    NetworkSettings::proxyModeFromName(settings.value(QStringLiteral("proxyMode")).toString(),
                                       &network.proxyMode);
    if (settings.value(QStringLiteral("proxyType")).toString() == QLatin1String("socks5"))
        network.proxyType = NetworkSettings::ProxyType::Socks5;
    network.proxyHost = settings.value(QStringLiteral("proxyHost")).toString();
    const uint port = settings.value(QStringLiteral("proxyPort")).toUInt();
    network.proxyPort = port <= 65535 ? static_cast<quint16>(port) : 0;
    network.proxyBypass = settings.value(QStringLiteral("proxyBypass")).toStringList();
    network.proxyUser = settings.value(QStringLiteral("proxyUser")).toString();
    network.caFile = settings.value(QStringLiteral("caFile")).toString();
    bool ok = false;
    const int timeoutMs = settings.value(QStringLiteral("timeoutMs")).toInt(&ok);
    if (ok && timeoutMs >= NetworkSettings::MinTimeoutMs && timeoutMs <= NetworkSettings::MaxTimeoutMs)
        network.timeoutMs = timeoutMs;
    return network;
}

void writeNetwork(QSettings *settings, const NetworkSettings &network)
{
    // The proxy password is never written here: it lives in the keychain.
    settings->setValue(QStringLiteral("proxyMode"), NetworkSettings::proxyModeName(network.proxyMode));
    settings->setValue(QStringLiteral("proxyType"), network.proxyType == NetworkSettings::ProxyType::Socks5
                                                        ? QStringLiteral("socks5")
                                                        : QStringLiteral("http"));
    settings->setValue(QStringLiteral("proxyHost"), network.proxyHost);
    settings->setValue(QStringLiteral("proxyPort"), network.proxyPort);
    settings->setValue(QStringLiteral("proxyBypass"), network.proxyBypass);
    settings->setValue(QStringLiteral("proxyUser"), network.proxyUser);
    settings->setValue(QStringLiteral("caFile"), network.caFile);
    settings->setValue(QStringLiteral("timeoutMs"), network.timeoutMs);
}

} // namespace

ProfileStore::ProfileStore(const QString &file) : m_file(file) {}

bool ProfileStore::isValidName(const QString &name)
{
    // Names end up in keychain entry names and INI groups: keep them plain.
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")));
    return pattern.match(name).hasMatch();
}

QList<Profile> ProfileStore::profiles() const
{
    QList<Profile> list{Profile::embeddedSandbox()};
    QSettings settings(m_file, QSettings::IniFormat);
    settings.beginGroup(profilesGroup);
    for (const QString &group : settings.childGroups()) {
        settings.beginGroup(group);
        Profile profile;
        profile.name = settings.value(QStringLiteral("name")).toString();
        profile.baseUrl = QUrl(settings.value(QStringLiteral("baseUrl")).toString());
        // An entry saved before user:password@ was refused (or edited by hand): the password is
        // neither shown nor sent, and the next save writes the URL without it.
        profile.baseUrl.setUserInfo(QString());
        Profile::environmentFromName(settings.value(QStringLiteral("environment")).toString(),
                                     &profile.environment);
        profile.network = readNetwork(settings);
        settings.endGroup();
        // A hand-edited entry without a usable URL is skipped, never taken for the built-in sandbox.
        if (isValidName(profile.name) && profile.name != Profile::embeddedSandboxName() &&
            profile.baseUrl.isValid() && !profile.baseUrl.host().isEmpty())
            list.append(profile);
    }
    return list;
}

bool ProfileStore::contains(const QString &name) const
{
    for (const Profile &profile : profiles()) {
        if (profile.name == name)
            return true;
    }
    return false;
}

Profile ProfileStore::profile(const QString &name) const
{
    for (const Profile &profile : profiles()) {
        if (profile.name == name)
            return profile;
    }
    return Profile();
}

namespace {

// INI group names cannot hold every character a profile name may; the name itself is a value.
QString groupFor(const QString &name)
{
    return QString::fromLatin1(name.toUtf8().toHex());
}

} // namespace

bool ProfileStore::check(const Profile &profile, QString *error)
{
    if (!isValidName(profile.name)) {
        *error = QStringLiteral("'%1' is not a usable profile name (letters, digits, space, . _ -; up to 64)")
                     .arg(profile.name);
        return false;
    }
    if (profile.name == Profile::embeddedSandboxName()) {
        *error = QStringLiteral("'%1' is the built-in embedded sandbox profile").arg(profile.name);
        return false;
    }
    QString networkError;
    if (!profile.network.check(&networkError)) {
        *error = networkError;
        return false;
    }
    return BaseUrl::check(profile.baseUrl, error) == BaseUrl::Problem::None;
}

bool ProfileStore::save(const Profile &profile, QString *error)
{
    if (!check(profile, error) || !PrivateFile::prepare(m_file, error))
        return false;
    // QSettings writes through a save file that keeps the existing file's 0600.
    QSettings settings(m_file, QSettings::IniFormat);
    settings.beginGroup(profilesGroup);
    settings.beginGroup(groupFor(profile.name));
    settings.setValue(QStringLiteral("name"), profile.name);
    settings.setValue(QStringLiteral("baseUrl"), profile.baseUrl.toString());
    settings.setValue(QStringLiteral("environment"), Profile::environmentName(profile.environment));
    writeNetwork(&settings, profile.network);
    settings.endGroup();
    settings.endGroup();
    settings.sync();
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot write %1").arg(m_file);
        return false;
    }
    return true;
}

bool ProfileStore::remove(const QString &name, QString *error)
{
    if (name == Profile::embeddedSandboxName()) {
        *error = QStringLiteral("the built-in Sandbox profile cannot be removed");
        return false;
    }
    if (!contains(name)) {
        *error = QStringLiteral("no profile named '%1'").arg(name);
        return false;
    }
    if (!PrivateFile::prepare(m_file, error))
        return false;
    QSettings settings(m_file, QSettings::IniFormat);
    settings.remove(profilesGroup + QLatin1Char('/') + groupFor(name));
    if (settings.value(defaultKey).toString() == name)
        settings.remove(defaultKey);
    settings.sync();
    return true;
}

QString ProfileStore::defaultProfileName() const
{
    QSettings settings(m_file, QSettings::IniFormat);
    const QString name = settings.value(defaultKey).toString();
    return contains(name) ? name : Profile::embeddedSandboxName();
}

bool ProfileStore::setDefaultProfile(const QString &name, QString *error)
{
    if (!contains(name)) {
        *error = QStringLiteral("no profile named '%1'").arg(name);
        return false;
    }
    if (!PrivateFile::prepare(m_file, error))
        return false;
    QSettings settings(m_file, QSettings::IniFormat);
    settings.setValue(defaultKey, name);
    settings.sync();
    return true;
}

#pragma once

#include "store/Profile.h"

#include <QList>
#include <QString>

// The profiles the console and the CLI share, in an INI file (AppPaths::profilesFile()):
// names, base URLs, environments and which one is the default — never a key or a secret.
// The embedded Sandbox profile always exists and is the default of a fresh installation.
class ProfileStore
{
public:
    explicit ProfileStore(const QString &file);

    QList<Profile> profiles() const;
    bool contains(const QString &name) const;
    Profile profile(const QString &name) const;
    // Adds or replaces; false with *error when check() refuses it.
    bool save(const Profile &profile, QString *error);
    // What save() refuses: a bad name, the built-in profile's name, unusable network settings or
    // base URL (BaseUrl::check). Callers check before writing a key, so a profile that cannot be
    // saved never leaves one behind.
    static bool check(const Profile &profile, QString *error);
    bool remove(const QString &name, QString *error);

    QString defaultProfileName() const;
    bool setDefaultProfile(const QString &name, QString *error);

    static bool isValidName(const QString &name);

private:
    QString m_file;
};

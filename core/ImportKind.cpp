#include "ImportKind.h"

bool ImportKind::fromName(const QString &name, Kind *kind)
{
    for (Kind candidate : {Kind::Users, Kind::Accounts, Kind::Memberships, Kind::Events, Kind::Links}) {
        if (ImportKind::name(candidate) == name.trimmed().toLower()) {
            *kind = candidate;
            return true;
        }
    }
    return false;
}

QString ImportKind::name(Kind kind)
{
    switch (kind) {
    case Kind::Users:
        return QStringLiteral("users");
    case Kind::Accounts:
        return QStringLiteral("accounts");
    case Kind::Memberships:
        return QStringLiteral("memberships");
    case Kind::Events:
        return QStringLiteral("events");
    case Kind::Links:
        return QStringLiteral("links");
    }
    return QString();
}

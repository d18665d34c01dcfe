#include "import/ImportKind.h"

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

Operation ImportKind::operation() const
{
    switch (kind) {
    case Kind::Users:
        return remove ? Operation::DeleteUser : Operation::UpsertUser;
    case Kind::Accounts:
        return remove ? Operation::DeleteAccount : Operation::UpsertAccount;
    case Kind::Memberships:
        return remove ? Operation::RemoveUsersFromAccount : Operation::AddUsersToAccount;
    case Kind::Events:
        return Operation::TrackEvent;
    case Kind::Links:
        break;
    }
    return Operation::Link;
}

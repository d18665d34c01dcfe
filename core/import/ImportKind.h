#pragma once

#include "api/ApiOperation.h"

#include <QString>

// What an import file holds and what is done with each row.
class ImportKind
{
public:
    enum class Kind
    {
        Users,
        Accounts,
        Memberships,
        Events,
        Links
    };

    Kind kind = Kind::Users;
    bool remove = false; // users/accounts: delete; memberships: remove users from accounts

    static bool fromName(const QString &name,
                         Kind *kind); // "users", "accounts", "memberships", "events", "links"
    static QString name(Kind kind);
    // The operation each row is sent as (what the key must be allowed to do).
    Operation operation() const;
};

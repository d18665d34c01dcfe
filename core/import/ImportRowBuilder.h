#pragma once

#include "api/ApiRequest.h"

#include <QMap>

class ImportKind;
class ImportMapping;
class ImportRecord;

// Turns one import row into the request it stands for: users/accounts -> upsert (or delete),
// memberships -> add (or remove) of one user to one account (the importer groups rows of the
// same account into calls of at most 100 users), events -> track, links -> link. Values are read
// with the mapping's types (TypedValue::fromText); empty cells are left out. Problems come back as
// field path -> message, like pre-flight errors; the caller runs RequestValidator after.
class ImportRowBuilder
{
public:
    static bool build(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers,
                      const ImportRecord &record, ApiRequest *request, QMap<QString, QString> *errors);
    // The account a membership request is for ("accountId:acc-7" or "domain:acme.com"), used to
    // group rows; empty for other operations.
    static QString groupKey(const ApiRequest &request);
    // Several one-user membership requests of the same account as one call.
    static ApiRequest mergeMemberships(const QList<ApiRequest> &requests);
};

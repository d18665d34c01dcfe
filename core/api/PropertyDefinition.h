#pragma once

#include <QString>

// One entry of GET /properties/users or /properties/accounts.
class PropertyDefinition
{
public:
    QString name;
    QString label;
    bool isComputed = false;
    QString groupId; // empty when the property has no group
    QString groupName;
};

#pragma once

#include <QString>

// One entry of GET /segments/users or /segments/accounts.
class SegmentDefinition
{
public:
    QString id;
    QString name;
};

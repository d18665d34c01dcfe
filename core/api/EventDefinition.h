#pragma once

#include <QString>

// One entry of GET /events.
class EventDefinition
{
public:
    QString id;
    QString name;
    QString groupId; // empty when the event has no group
    QString groupName;
};

#pragma once

#include "api/EventDefinition.h"
#include "api/PropertyDefinition.h"
#include "api/SegmentDefinition.h"

#include <QAbstractTableModel>
#include <QList>

// One catalog list as a table: events (name, ID, group), properties (name, label, group,
// computed) or segments (name, ID). The kind is fixed at construction; the page keeps one model
// per list and refills it from the CatalogCache.
class CatalogModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Kind
    {
        Events,
        Properties,
        Segments,
    };
    enum Column
    {
        NameColumn = 0,
        // Events and segments: the ID; properties: the label.
        SecondColumn = 1,
        // Events: the group; properties: the group.
        GroupColumn = 2,
        // Properties only.
        ComputedColumn = 3,
    };
    enum Role
    {
        // A value that sorts the way a user expects, including the computed flag (a check box,
        // which has no display text to sort by).
        SortRole = Qt::UserRole + 1,
    };

    explicit CatalogModel(Kind kind, QObject *parent = nullptr);

    Kind kind() const { return m_kind; }
    // Replace the list; the model resets only when the content really changed, so a refresh that
    // brings nothing new keeps the user's selection and scroll position.
    void setEvents(const QList<EventDefinition> &events);
    void setProperties(const QList<PropertyDefinition> &properties);
    void setSegments(const QList<SegmentDefinition> &segments);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    QVariant eventData(const EventDefinition &event, int column, int role) const;
    QVariant propertyData(const PropertyDefinition &property, int column, int role) const;
    QVariant segmentData(const SegmentDefinition &segment, int column, int role) const;

    Kind m_kind;
    QList<EventDefinition> m_events;
    QList<PropertyDefinition> m_properties;
    QList<SegmentDefinition> m_segments;
};

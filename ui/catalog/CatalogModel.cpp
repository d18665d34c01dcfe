#include "ui/catalog/CatalogModel.h"

namespace {

bool same(const EventDefinition &a, const EventDefinition &b)
{
    return a.id == b.id && a.name == b.name && a.groupId == b.groupId && a.groupName == b.groupName;
}

bool same(const PropertyDefinition &a, const PropertyDefinition &b)
{
    return a.name == b.name && a.label == b.label && a.isComputed == b.isComputed && a.groupId == b.groupId &&
           a.groupName == b.groupName;
}

bool same(const SegmentDefinition &a, const SegmentDefinition &b)
{
    return a.id == b.id && a.name == b.name;
}

template <typename T> bool sameList(const QList<T> &a, const QList<T> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!same(a.at(i), b.at(i)))
            return false;
    }
    return true;
}

QVariant groupData(const QString &groupId, const QString &groupName, int role)
{
    switch (role) {
    case Qt::DisplayRole:
    case CatalogModel::SortRole:
        return groupName;
    case Qt::ToolTipRole:
        return groupId.isEmpty() ? QVariant() : CatalogModel::tr("Group ID: %1").arg(groupId);
    default:
        return QVariant();
    }
}

} // namespace

CatalogModel::CatalogModel(Kind kind, QObject *parent) : QAbstractTableModel(parent), m_kind(kind) {}

void CatalogModel::setEvents(const QList<EventDefinition> &events)
{
    if (sameList(m_events, events))
        return;
    beginResetModel();
    m_events = events;
    endResetModel();
}

void CatalogModel::setProperties(const QList<PropertyDefinition> &properties)
{
    if (sameList(m_properties, properties))
        return;
    beginResetModel();
    m_properties = properties;
    endResetModel();
}

void CatalogModel::setSegments(const QList<SegmentDefinition> &segments)
{
    if (sameList(m_segments, segments))
        return;
    beginResetModel();
    m_segments = segments;
    endResetModel();
}

int CatalogModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    switch (m_kind) {
    case Kind::Events:
        return int(m_events.size());
    case Kind::Properties:
        return int(m_properties.size());
    case Kind::Segments:
        return int(m_segments.size());
    }
    return 0;
}

int CatalogModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    switch (m_kind) {
    case Kind::Events:
        return 3;
    case Kind::Properties:
        return 4;
    case Kind::Segments:
        return 2;
    }
    return 0;
}

QVariant CatalogModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    switch (m_kind) {
    case Kind::Events:
        return eventData(m_events.at(index.row()), index.column(), role);
    case Kind::Properties:
        return propertyData(m_properties.at(index.row()), index.column(), role);
    case Kind::Segments:
        return segmentData(m_segments.at(index.row()), index.column(), role);
    }
    return QVariant();
}

QVariant CatalogModel::eventData(const EventDefinition &event, int column, int role) const
{
    if (column == GroupColumn)
        return groupData(event.groupId, event.groupName, role);
    if (role != Qt::DisplayRole && role != SortRole)
        return QVariant();
    return column == NameColumn ? event.name : event.id;
}

QVariant CatalogModel::propertyData(const PropertyDefinition &property, int column, int role) const
{
    switch (column) {
    case NameColumn:
        return role == Qt::DisplayRole || role == SortRole ? QVariant(property.name) : QVariant();
    case SecondColumn:
        return role == Qt::DisplayRole || role == SortRole ? QVariant(property.label) : QVariant();
    case GroupColumn:
        return groupData(property.groupId, property.groupName, role);
    case ComputedColumn:
        // A check box rather than "yes"/"no" text, so filtering for "no" does not match every row.
        if (role == Qt::CheckStateRole)
            return property.isComputed ? Qt::Checked : Qt::Unchecked;
        if (role == SortRole)
            return property.isComputed;
        if (role == Qt::ToolTipRole)
            return property.isComputed ? tr("Computed by journy.io; it cannot be set through the API.")
                                       : tr("Set through the API.");
        if (role == Qt::AccessibleTextRole)
            return property.isComputed ? tr("Computed") : tr("Not computed");
        return QVariant();
    default:
        return QVariant();
    }
}

QVariant CatalogModel::segmentData(const SegmentDefinition &segment, int column, int role) const
{
    if (role != Qt::DisplayRole && role != SortRole)
        return QVariant();
    return column == NameColumn ? segment.name : segment.id;
}

QVariant CatalogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case SecondColumn:
        return m_kind == Kind::Properties ? tr("Label") : tr("ID");
    case GroupColumn:
        return tr("Group");
    case ComputedColumn:
        return tr("Computed");
    default:
        return QVariant();
    }
}

Qt::ItemFlags CatalogModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() ||
        !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    // Read-only: the catalog is what journy.io reports, not something edited here.
    return Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemNeverHasChildren;
}

#include "ui/import/ImportMappingModel.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

namespace {

const QString ignoreTarget = QStringLiteral("ignore");

} // namespace

ImportMappingModel::ImportMappingModel(QObject *parent) : QAbstractTableModel(parent) {}

void ImportMappingModel::setMapping(const ImportMapping &mapping)
{
    beginResetModel();
    m_mapping = mapping;
    endResetModel();
}

QStringList ImportMappingModel::targetChoices(int row) const
{
    QStringList choices{QStringLiteral("userId"),     QStringLiteral("email"),    QStringLiteral("accountId"),
                        QStringLiteral("domain"),     QStringLiteral("deviceId"), QStringLiteral("name"),
                        QStringLiteral("triggeredAt")};
    if (row >= 0 && row < m_mapping.columns.size()) {
        const QString &column = m_mapping.columns.at(row).column;
        choices << QStringLiteral("prop.") + column << QStringLiteral("meta.") + column;
    }
    choices << ignoreTarget;
    return choices;
}

QList<TypedValue::Type> ImportMappingModel::types(const QString &target)
{
    QList<TypedValue::Type> list{TypedValue::Type::String, TypedValue::Type::Number,
                                 TypedValue::Type::Boolean, TypedValue::Type::DateTime};
    // A null or empty type clears the property on every row; a list is sent as a JSON array.
    if (target.startsWith(QLatin1String("prop.")))
        list << TypedValue::Type::List << TypedValue::Type::Null << TypedValue::Type::Empty;
    return list;
}

bool ImportMappingModel::isTyped(const QString &target)
{
    return target.startsWith(QLatin1String("prop.")) || target.startsWith(QLatin1String("meta."));
}

int ImportMappingModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_mapping.columns.size());
}

int ImportMappingModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImportMappingModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const ImportMapping::Column &column = m_mapping.columns.at(index.row());
    const bool typed = isTyped(column.target);
    switch (index.column()) {
    case ColumnColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return column.column;
        break;
    case TargetColumn:
        if (role == Qt::DisplayRole || role == Qt::EditRole)
            return column.target;
        if (role == Qt::ForegroundRole && column.target == ignoreTarget)
            return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
        break;
    case TypeColumn:
        // Identification, name and triggeredAt cells are sent as text; a type would mean nothing.
        if (role == Qt::DisplayRole)
            return typed ? TypedValue::typeName(column.type) : QString();
        if (role == Qt::EditRole)
            return static_cast<int>(column.type);
        if (role == Qt::ToolTipRole && typed)
            return column.typeSet ? tr("Chosen by you") : tr("Inferred from the first rows of the file");
        if (role == Qt::FontRole && typed && !column.typeSet) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        break;
    default:
        break;
    }
    return QVariant();
}

bool ImportMappingModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return false;
    ImportMapping::Column &column = m_mapping.columns[index.row()];
    if (index.column() == TargetColumn) {
        const QString target = value.toString().trimmed();
        if (target != ignoreTarget && !ImportMapping::isTarget(target))
            return false;
        if (target == column.target)
            return true;
        column.target = target;
        // A chosen type goes with prop./meta. targets only (the mapping refuses one elsewhere),
        // and metadata cannot take every type a property can.
        if (!types(target).contains(column.type)) {
            column.type = TypedValue::Type::String;
            column.typeSet = false;
        }
        if (!isTyped(target))
            column.typeSet = false;
        emit dataChanged(index, index.siblingAtColumn(TypeColumn));
        emit mappingEdited();
        return true;
    }
    if (index.column() == TypeColumn) {
        if (!isTyped(column.target))
            return false;
        TypedValue::Type type = TypedValue::Type::String;
        bool isNumber = false;
        const int number = value.toInt(&isNumber);
        if (isNumber && value.typeId() != QMetaType::QString)
            type = static_cast<TypedValue::Type>(number);
        else if (!TypedValue::typeFromName(value.toString(), &type))
            return false;
        if (!types(column.target).contains(type))
            return false;
        // A type the user picks is kept even when it equals the inferred one: inference on
        // another sample (a reloaded file) must not change it.
        column.type = type;
        column.typeSet = true;
        emit dataChanged(index, index);
        emit mappingEdited();
        return true;
    }
    return false;
}

Qt::ItemFlags ImportMappingModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::ParentIsInvalid))
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == TargetColumn ||
        (index.column() == TypeColumn && isTyped(m_mapping.columns.at(index.row()).target)))
        flags |= Qt::ItemIsEditable;
    return flags;
}

QVariant ImportMappingModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ColumnColumn:
        return tr("Column");
    case TargetColumn:
        return tr("Target");
    case TypeColumn:
        return tr("Type");
    default:
        return QVariant();
    }
}

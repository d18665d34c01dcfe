#include "ui/forms/TypedFieldModel.h"

#include <QBrush>
#include <QColor>

TypedFieldModel::TypedFieldModel(bool metadata, QObject *parent)
    : QAbstractTableModel(parent), m_metadata(metadata)
{}

int TypedFieldModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TypedFieldModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QList<TypedValue::Type> TypedFieldModel::allowedTypes() const
{
    using Type = TypedValue::Type;
    if (m_metadata)
        return {Type::String, Type::Number, Type::Boolean, Type::DateTime};
    return {Type::String, Type::Number, Type::Boolean, Type::DateTime, Type::List, Type::Empty, Type::Null};
}

QVariant TypedFieldModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return QVariant();
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case TypeColumn:
            return role == Qt::EditRole ? QVariant(static_cast<int>(row.type))
                                        : QVariant(TypedValue::typeName(row.type));
        case ValueColumn:
            if (row.type == TypedValue::Type::Null)
                return role == Qt::DisplayRole ? tr("(delete)") : QVariant();
            if (row.type == TypedValue::Type::Empty)
                return role == Qt::DisplayRole ? tr("(empty)") : QVariant();
            return row.text;
        }
        break;
    case Qt::ToolTipRole:
        return row.description().isEmpty() ? QVariant() : QVariant(row.description());
    case Qt::BackgroundRole:
        if (row.severity == Severity::Error)
            return QBrush(QColor(255, 205, 210));
        if (row.severity == Severity::Warning || !row.note.isEmpty())
            return QBrush(QColor(255, 236, 179));
        break;
    case Qt::ForegroundRole:
        // Light backgrounds need dark text even under a dark palette.
        if (row.severity != Severity::None || !row.note.isEmpty())
            return QBrush(Qt::black);
        break;
    case Qt::AccessibleDescriptionRole:
        return row.description();
    default:
        break;
    }
    return QVariant();
}

bool TypedFieldModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (!index.isValid() || role != Qt::EditRole || index.row() >= m_rows.size())
        return false;
    Row &row = m_rows[index.row()];
    switch (index.column()) {
    case NameColumn:
        row.name = value.toString().trimmed();
        break;
    case TypeColumn: {
        const auto type = static_cast<TypedValue::Type>(value.toInt());
        if (!allowedTypes().contains(type))
            return false;
        row.type = type;
        emit dataChanged(this->index(index.row(), ValueColumn), this->index(index.row(), ValueColumn));
        break;
    }
    case ValueColumn:
        row.text = value.toString();
        break;
    default:
        return false;
    }
    // An edited row's old message no longer describes it.
    row.message.clear();
    row.severity = Severity::None;
    // A value its type cannot take is marked at once, with the message Send would give.
    QString error;
    if (row.type != TypedValue::Type::Null && row.type != TypedValue::Type::Empty &&
        !row.text.trimmed().isEmpty() && !TypedValue::checkText(row.type, row.text, &error)) {
        row.message = error;
        row.severity = Severity::Error;
    }
    emit dataChanged(this->index(index.row(), 0), this->index(index.row(), ColumnCount - 1));
    return true;
}

Qt::ItemFlags TypedFieldModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    const TypedValue::Type type = m_rows.at(index.row()).type;
    if (index.column() != ValueColumn || (type != TypedValue::Type::Null && type != TypedValue::Type::Empty))
        flags |= Qt::ItemIsEditable;
    return flags;
}

QVariant TypedFieldModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case TypeColumn:
        return tr("Type");
    case ValueColumn:
        return tr("Value");
    }
    return QVariant();
}

bool TypedFieldModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count <= 0 || row + count > m_rows.size())
        return false;
    beginRemoveRows(parent, row, row + count - 1);
    m_rows.remove(row, count);
    endRemoveRows();
    return true;
}

int TypedFieldModel::addRow(const QString &name, TypedValue::Type type, const QString &text)
{
    const int row = int(m_rows.size());
    beginInsertRows(QModelIndex(), row, row);
    m_rows.append(Row{name, allowedTypes().contains(type) ? type : TypedValue::Type::String, text, QString(),
                      Severity::None, QString()});
    endInsertRows();
    return row;
}

void TypedFieldModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

bool TypedFieldModel::fields(QList<TypedField> *out, QMap<QString, QString> *errors) const
{
    out->clear();
    for (const Row &row : m_rows) {
        if (row.name.isEmpty())
            continue;
        TypedValue value;
        QString error;
        if (!TypedValue::fromText(row.type,
                                  row.type == TypedValue::Type::Null || row.type == TypedValue::Type::Empty
                                      ? QString()
                                      : row.text,
                                  &value, &error)) {
            errors->insert(row.name, error);
            continue;
        }
        out->append(TypedField{row.name, value});
    }
    return errors->isEmpty();
}

void TypedFieldModel::setFields(const QList<TypedField> &fields)
{
    beginResetModel();
    m_rows.clear();
    for (const TypedField &field : fields)
        m_rows.append(
            Row{field.name, field.value.type(), field.value.toText(), QString(), Severity::None, QString()});
    endResetModel();
}

void TypedFieldModel::setMessages(const QMap<QString, QString> &messages, Severity severity)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        const auto it = messages.constFind(m_rows.at(i).name);
        if (it == messages.constEnd())
            continue;
        m_rows[i].message = *it;
        m_rows[i].severity = severity;
        emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

void TypedFieldModel::clearMessages()
{
    for (Row &row : m_rows) {
        row.message.clear();
        row.severity = Severity::None;
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
}

QString TypedFieldModel::messageFor(int row) const
{
    return m_rows.value(row).message;
}

void TypedFieldModel::setNotes(const QMap<QString, QString> &notes)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        const QString note = notes.value(m_rows.at(i).name);
        if (note == m_rows.at(i).note)
            continue;
        m_rows[i].note = note;
        emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

QString TypedFieldModel::noteFor(int row) const
{
    return m_rows.value(row).note;
}

QString TypedFieldModel::Row::description() const
{
    if (message.isEmpty() || note.isEmpty())
        return message + note;
    return message + QLatin1Char('\n') + note;
}

TypedFieldModel::Severity TypedFieldModel::severityFor(int row) const
{
    return m_rows.value(row).severity;
}

#include "ui/import/ImportMappingDelegate.h"

#include "ui/import/ImportMappingModel.h"

#include <QComboBox>

ImportMappingDelegate::ImportMappingDelegate(QObject *parent) : QStyledItemDelegate(parent) {}

QWidget *ImportMappingDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                             const QModelIndex &index) const
{
    const auto *model = qobject_cast<const ImportMappingModel *>(index.model());
    if (!model)
        return QStyledItemDelegate::createEditor(parent, option, index);
    if (index.column() == ImportMappingModel::TargetColumn) {
        auto *combo = new QComboBox(parent);
        combo->setObjectName(QStringLiteral("targetComboBox"));
        combo->setAccessibleName(tr("Target"));
        // Editable: a column may feed a property or metadata key of another name.
        combo->setEditable(true);
        combo->setInsertPolicy(QComboBox::NoInsert);
        combo->addItems(model->targetChoices(index.row()));
        return combo;
    }
    if (index.column() == ImportMappingModel::TypeColumn) {
        auto *combo = new QComboBox(parent);
        combo->setObjectName(QStringLiteral("typeComboBox"));
        combo->setAccessibleName(tr("Type"));
        const QString target =
            index.siblingAtColumn(ImportMappingModel::TargetColumn).data(Qt::EditRole).toString();
        for (TypedValue::Type type : ImportMappingModel::types(target))
            combo->addItem(TypedValue::typeName(type), static_cast<int>(type));
        return combo;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void ImportMappingDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    auto *combo = qobject_cast<QComboBox *>(editor);
    if (!combo) {
        QStyledItemDelegate::setEditorData(editor, index);
        return;
    }
    if (index.column() == ImportMappingModel::TypeColumn)
        combo->setCurrentIndex(combo->findData(index.data(Qt::EditRole).toInt()));
    else
        combo->setCurrentText(index.data(Qt::EditRole).toString());
}

void ImportMappingDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                         const QModelIndex &index) const
{
    auto *combo = qobject_cast<QComboBox *>(editor);
    if (!combo) {
        QStyledItemDelegate::setModelData(editor, model, index);
        return;
    }
    // The model refuses an unknown target; the cell then keeps its previous one.
    model->setData(index, index.column() == ImportMappingModel::TypeColumn ? combo->currentData()
                                                                           : QVariant(combo->currentText()));
}

#pragma once

#include <QStyledItemDelegate>

// Editors for an ImportMappingModel: a combo of the targets a column may map to (editable, for a
// prop.NAME or meta.NAME other than the column's own) and a combo of the types a cell is read as.
class ImportMappingDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    explicit ImportMappingDelegate(QObject *parent = nullptr);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;
};

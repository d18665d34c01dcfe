#pragma once

#include <QStyledItemDelegate>

#include <functional>

// Type-aware editors for a TypedFieldModel: a type chooser, a true/false chooser for booleans,
// a date-time picker for dates, a number field, a comma list field, and name completion from the
// catalog.
class TypedFieldDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using NameSource = std::function<QStringList()>;

    explicit TypedFieldDelegate(NameSource names, QObject *parent = nullptr);

    QWidget *createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                          const QModelIndex &index) const override;
    void setEditorData(QWidget *editor, const QModelIndex &index) const override;
    void setModelData(QWidget *editor, QAbstractItemModel *model, const QModelIndex &index) const override;

private:
    NameSource m_names;
};

#pragma once

#include "import/ImportMapping.h"

#include <QAbstractTableModel>

// The columns of an import file and where each goes, for the import wizard's table: the header
// as in the file, its target (userId, email, ..., prop.NAME, meta.NAME or ignore) and, for
// property and metadata targets, the type its cells are read with. The model keeps its own copy
// of the mapping; the page hands it to the ImportPreparer after each edit, so the view never
// writes into the preparer behind its back.
class ImportMappingModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        ColumnColumn,
        TargetColumn,
        TypeColumn,
        ColumnCount
    };

    explicit ImportMappingModel(QObject *parent = nullptr);

    void setMapping(const ImportMapping &mapping);
    const ImportMapping &mapping() const { return m_mapping; }

    // What the target editor offers for a row: the fixed targets, prop.<column>, meta.<column>
    // and ignore (the editor also takes prop.NAME or meta.NAME typed by hand).
    QStringList targetChoices(int row) const;
    // The types a cell of a target can be read as, in the order the type editor lists them:
    // metadata takes no list, null or empty value; properties take every type.
    static QList<TypedValue::Type> types(const QString &target);
    // True when the target carries a typed value (prop.NAME, meta.NAME).
    static bool isTyped(const QString &target);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

signals:
    // The user changed a target or a type (not emitted by setMapping()).
    void mappingEdited();

private:
    ImportMapping m_mapping;
};

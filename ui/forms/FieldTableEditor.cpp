#include "ui/forms/FieldTableEditor.h"

#include "ui/forms/TypedFieldModel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

FieldTableEditor::FieldTableEditor(const QString &objectPrefix, bool metadata,
                                   TypedFieldDelegate::NameSource names, QWidget *parent)
    : QWidget(parent), m_model(new TypedFieldModel(metadata, this)), m_view(new QTableView(this)),
      m_addPushButton(new QPushButton(tr("Add"), this)),
      m_removePushButton(new QPushButton(tr("Remove"), this))
{
    setObjectName(objectPrefix + QStringLiteral("FieldTableEditor"));
    m_view->setObjectName(objectPrefix + QStringLiteral("TableView"));
    m_addPushButton->setObjectName(objectPrefix + QStringLiteral("AddPushButton"));
    m_removePushButton->setObjectName(objectPrefix + QStringLiteral("RemovePushButton"));
    m_view->setAccessibleName(metadata ? tr("Metadata") : tr("Properties"));
    m_addPushButton->setAccessibleName(metadata ? tr("Add metadata") : tr("Add property"));
    m_removePushButton->setAccessibleName(metadata ? tr("Remove metadata") : tr("Remove property"));

    m_view->setModel(m_model);
    m_view->setItemDelegate(new TypedFieldDelegate(std::move(names), m_view));
    m_view->horizontalHeader()->setSectionResizeMode(TypedFieldModel::ValueColumn, QHeaderView::Stretch);
    m_view->verticalHeader()->hide();
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::AllEditTriggers);
    m_view->setMinimumHeight(120);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_addPushButton);
    buttons->addWidget(m_removePushButton);
    buttons->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    layout->addLayout(buttons);

    connect(m_addPushButton, &QPushButton::clicked, this, [this] {
        const int row = m_model->addRow();
        const QModelIndex name = m_model->index(row, TypedFieldModel::NameColumn);
        m_view->setCurrentIndex(name);
        // The view's CurrentChanged trigger may have opened the editor already.
        if (!m_view->indexWidget(name))
            m_view->edit(name);
    });
    connect(m_removePushButton, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid())
            m_model->removeRow(current.row());
    });
}

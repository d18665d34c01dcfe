#pragma once

#include "ui/forms/TypedFieldDelegate.h"

#include <QWidget>

class QPushButton;
class QTableView;
class TypedFieldModel;

// The property (or metadata) editor of a form: a table of name, type and value with add and
// remove buttons, type-aware editors and name completion.
class FieldTableEditor : public QWidget
{
    Q_OBJECT
public:
    // objectPrefix names the children, e.g. "properties" -> propertiesTableView, propertiesAddPushButton.
    FieldTableEditor(const QString &objectPrefix, bool metadata, TypedFieldDelegate::NameSource names,
                     QWidget *parent = nullptr);

    TypedFieldModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

private:
    TypedFieldModel *m_model;
    QTableView *m_view;
    QPushButton *m_addPushButton;
    QPushButton *m_removePushButton;
};

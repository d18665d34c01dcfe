#include "ui/forms/TypedFieldDelegate.h"

#include "ui/forms/TypedFieldModel.h"

#include <QComboBox>
#include <QCompleter>
#include <QDateTimeEdit>
#include <QLineEdit>

namespace {

TypedValue::Type typeAt(const QModelIndex &index)
{
    return static_cast<TypedValue::Type>(
        index.sibling(index.row(), TypedFieldModel::TypeColumn).data(Qt::EditRole).toInt());
}

} // namespace

TypedFieldDelegate::TypedFieldDelegate(NameSource names, QObject *parent)
    : QStyledItemDelegate(parent), m_names(std::move(names))
{}

QWidget *TypedFieldDelegate::createEditor(QWidget *parent, const QStyleOptionViewItem &option,
                                          const QModelIndex &index) const
{
    const auto *model = qobject_cast<const TypedFieldModel *>(index.model());
    if (index.column() == TypedFieldModel::NameColumn) {
        auto *edit = new QLineEdit(parent);
        edit->setObjectName(QStringLiteral("nameLineEdit"));
        auto *completer = new QCompleter(m_names ? m_names() : QStringList(), edit);
        completer->setCaseSensitivity(Qt::CaseInsensitive);
        edit->setCompleter(completer);
        return edit;
    }
    if (index.column() == TypedFieldModel::TypeColumn && model) {
        auto *combo = new QComboBox(parent);
        combo->setObjectName(QStringLiteral("typeComboBox"));
        for (TypedValue::Type type : model->allowedTypes())
            combo->addItem(TypedValue::typeName(type), static_cast<int>(type));
        return combo;
    }
    switch (typeAt(index)) {
    case TypedValue::Type::Boolean: {
        auto *combo = new QComboBox(parent);
        combo->setObjectName(QStringLiteral("booleanComboBox"));
        combo->addItems({QStringLiteral("true"), QStringLiteral("false")});
        return combo;
    }
    case TypedValue::Type::DateTime: {
        auto *edit = new QDateTimeEdit(parent);
        edit->setObjectName(QStringLiteral("dateTimeEdit"));
        edit->setTimeSpec(Qt::UTC);
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-ddTHH:mm:ss'Z'"));
        edit->setCalendarPopup(true);
        return edit;
    }
    case TypedValue::Type::Number: {
        auto *edit = new QLineEdit(parent);
        edit->setObjectName(QStringLiteral("numberLineEdit"));
        // No QValidator: its fixup reads "12,5" as 125 (a group separator) and rewrites it as
        // 1.25e+02. The cell keeps the text as typed and TypedValue, the CLI's and CSV import's
        // parser, judges it ('12,5' is not a number: a dot is the decimal separator).
        edit->setPlaceholderText(tr("e.g. 12.5 (a dot for decimals)"));
        return edit;
    }
    case TypedValue::Type::List: {
        auto *edit = new QLineEdit(parent);
        edit->setObjectName(QStringLiteral("listLineEdit"));
        edit->setPlaceholderText(tr("a,b,c (\\, for a comma inside an item)"));
        return edit;
    }
    default:
        break;
    }
    return QStyledItemDelegate::createEditor(parent, option, index);
}

void TypedFieldDelegate::setEditorData(QWidget *editor, const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        if (index.column() == TypedFieldModel::TypeColumn)
            combo->setCurrentIndex(combo->findData(index.data(Qt::EditRole).toInt()));
        else
            combo->setCurrentText(index.data(Qt::EditRole).toString() == QLatin1String("false")
                                      ? QStringLiteral("false")
                                      : QStringLiteral("true"));
        return;
    }
    if (auto *dateTime = qobject_cast<QDateTimeEdit *>(editor)) {
        QDateTime value = QDateTime::fromString(index.data(Qt::EditRole).toString(), Qt::ISODate);
        dateTime->setDateTime(value.isValid() ? value.toUTC() : QDateTime::currentDateTimeUtc());
        return;
    }
    QStyledItemDelegate::setEditorData(editor, index);
}

void TypedFieldDelegate::setModelData(QWidget *editor, QAbstractItemModel *model,
                                      const QModelIndex &index) const
{
    if (auto *combo = qobject_cast<QComboBox *>(editor)) {
        model->setData(index, index.column() == TypedFieldModel::TypeColumn ? combo->currentData()
                                                                            : combo->currentText());
        return;
    }
    if (auto *dateTime = qobject_cast<QDateTimeEdit *>(editor)) {
        model->setData(index, dateTime->dateTime().toUTC().toString(Qt::ISODate));
        return;
    }
    QStyledItemDelegate::setModelData(editor, model, index);
}

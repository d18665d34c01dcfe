#pragma once

#include "api/TypedField.h"

#include <QAbstractTableModel>
#include <QMap>

// The rows of a property or metadata editor: name, type and the value as text, plus a message
// per row (a pre-flight or server error, or a `rejected` warning) and the integration lint's note
// (amber advice, kept apart so linting again never hides an error). Values are kept as the user
// typed them and converted only by fields(), so a half-typed number is never lost.
class TypedFieldModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        TypeColumn,
        ValueColumn,
        ColumnCount
    };
    enum class Severity
    {
        None,
        Warning,
        Error
    };

    // Metadata takes no null, empty or list (the spec's metadata types).
    explicit TypedFieldModel(bool metadata, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool removeRows(int row, int count, const QModelIndex &parent = QModelIndex()) override;

    int addRow(const QString &name = QString(), TypedValue::Type type = TypedValue::Type::String,
               const QString &text = QString());
    void clear();
    QList<TypedValue::Type> allowedTypes() const;

    // The rows as typed fields; rows without a name are skipped. On a value that does not
    // convert, returns false and fills *errors (name -> message).
    bool fields(QList<TypedField> *out, QMap<QString, QString> *errors) const;
    void setFields(const QList<TypedField> &fields);

    // Marks rows by property name; names not in the table are ignored.
    void setMessages(const QMap<QString, QString> &messages, Severity severity);
    void clearMessages();
    QString messageFor(int row) const;
    Severity severityFor(int row) const;
    // Replaces every row's lint note (name -> note); rows not named lose theirs.
    void setNotes(const QMap<QString, QString> &notes);
    QString noteFor(int row) const;

private:
    class Row
    {
    public:
        QString name;
        TypedValue::Type type = TypedValue::Type::String;
        QString text;
        QString message;
        Severity severity = Severity::None;
        QString note;
        // The message and the note, as the tooltip and screen readers give them.
        QString description() const;
    };
    QList<Row> m_rows;
    bool m_metadata;
};

#include "ui/forms/FormField.h"

#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QStyle>
#include <QVBoxLayout>

FormField::FormField(QWidget *editor, QWidget *parent)
    : QWidget(parent), m_editor(editor), m_errorLabel(new QLabel(this)), m_noteLabel(new QLabel(this))
{
    m_errorLabel->setObjectName(editor->objectName() + QStringLiteral("ErrorLabel"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_errorLabel->hide();
    m_noteLabel->setObjectName(editor->objectName() + QStringLiteral("LintLabel"));
    m_noteLabel->setWordWrap(true);
    // Amber, dark enough to read on a light background: a warning, not an error.
    m_noteLabel->setStyleSheet(QStringLiteral("color: #8d6e00;"));
    m_noteLabel->hide();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(editor);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_noteLabel);
    // An error describes the value it was given: once the user changes the value, it is stale.
    if (auto *line = qobject_cast<QLineEdit *>(editor))
        connect(line, &QLineEdit::textEdited, this, &FormField::clearError);
    else if (auto *text = qobject_cast<QPlainTextEdit *>(editor))
        connect(text, &QPlainTextEdit::textChanged, this, &FormField::clearError);
}

void FormField::setError(const QString &message)
{
    // The editor's own tooltip (its description) comes back when the error goes.
    if (m_errorLabel->isHidden())
        m_toolTip = m_editor->toolTip();
    // A property rather than a palette change: the window's style sheet draws the outline, so it
    // looks right in light and dark palettes alike.
    m_editor->setProperty("invalid", true);
    m_editor->style()->unpolish(m_editor);
    m_editor->style()->polish(m_editor);
    m_editor->setToolTip(message);
    m_errorLabel->setText(message);
    m_errorLabel->show();
}

void FormField::clearError()
{
    if (m_errorLabel->isHidden())
        return;
    m_editor->setProperty("invalid", false);
    m_editor->style()->unpolish(m_editor);
    m_editor->style()->polish(m_editor);
    m_editor->setToolTip(m_toolTip);
    m_errorLabel->clear();
    m_errorLabel->hide();
}

QString FormField::error() const
{
    // Shown under the field, even while the field's tab or window is not on screen.
    return m_errorLabel->isHidden() ? QString() : m_errorLabel->text();
}

void FormField::setNote(const QString &note)
{
    m_noteLabel->setText(note);
    m_noteLabel->setVisible(!note.isEmpty());
}

QString FormField::note() const
{
    return m_noteLabel->isHidden() ? QString() : m_noteLabel->text();
}

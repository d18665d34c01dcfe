#include "ConfirmationDialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

std::optional<bool> ConfirmationDialog::s_nextAnswer;
QString ConfirmationDialog::s_lastQuestion;

void ConfirmationDialog::setNextAnswer(bool confirmed)
{
    s_nextAnswer = confirmed;
}

QString ConfirmationDialog::lastQuestion()
{
    return s_lastQuestion;
}

bool ConfirmationDialog::confirm(QWidget *parent, const QString &title, const QString &text,
                                 const QString &typeToConfirm)
{
    s_lastQuestion = text;
    if (!typeToConfirm.isEmpty())
        s_lastQuestion += QLatin1Char('\n') + tr("Type %1 to confirm.").arg(typeToConfirm);
    if (s_nextAnswer) {
        const bool answer = *s_nextAnswer;
        s_nextAnswer.reset();
        return answer;
    }
    ConfirmationDialog dialog(parent, title, text, typeToConfirm);
    return dialog.exec() == QDialog::Accepted;
}

ConfirmationDialog::ConfirmationDialog(QWidget *parent, const QString &title, const QString &text,
                                       const QString &typeToConfirm)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("confirmationDialog"));
    setWindowTitle(title);
    auto *label = new QLabel(text, this);
    label->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_confirmPushButton = buttons->addButton(title, QDialogButtonBox::DestructiveRole);
    m_confirmPushButton->setObjectName(QStringLiteral("confirmPushButton"));
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    if (!typeToConfirm.isEmpty()) {
        layout->addWidget(
            new QLabel(tr("This is a production profile. Type %1 to confirm:").arg(typeToConfirm), this));
        m_confirmLineEdit = new QLineEdit(this);
        m_confirmLineEdit->setObjectName(QStringLiteral("confirmLineEdit"));
        m_confirmLineEdit->setAccessibleName(tr("Type the ID to confirm"));
        layout->addWidget(m_confirmLineEdit);
        m_confirmPushButton->setEnabled(false);
        connect(m_confirmLineEdit, &QLineEdit::textChanged, this,
                [this, typeToConfirm](const QString &typed) {
                    m_confirmPushButton->setEnabled(typed == typeToConfirm);
                });
    }
    layout->addWidget(buttons);
    connect(m_confirmPushButton, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

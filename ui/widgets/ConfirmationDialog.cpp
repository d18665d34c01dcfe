#include "ui/widgets/ConfirmationDialog.h"

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
    QPushButton *cancel = buttons->button(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelPushButton"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(label);
    if (!typeToConfirm.isEmpty()) {
        layout->addWidget(
            new QLabel(tr("This is a production profile. Type %1 to confirm:").arg(typeToConfirm), this));
        m_confirmLineEdit = new QLineEdit(this);
        m_confirmLineEdit->setObjectName(QStringLiteral("confirmLineEdit"));
        m_confirmLineEdit->setAccessibleName(tr("Type the ID to confirm"));
        layout->addWidget(m_confirmLineEdit);
        // Typing the ID is the safeguard, so Enter confirms, but only once the ID matches: the
        // default button is disabled until then, and QDialog ignores Enter on a disabled default.
        // Cancel stays on Esc, or on Enter once the user tabs to it.
        m_confirmPushButton->setEnabled(false);
        m_confirmPushButton->setDefault(true);
        m_confirmLineEdit->setFocus();
        connect(m_confirmLineEdit, &QLineEdit::textChanged, this,
                [this, typeToConfirm](const QString &typed) {
                    m_confirmPushButton->setEnabled(typed == typeToConfirm);
                });
    }
    if (!m_confirmLineEdit)
        cancel->setDefault(true); // a plain yes/no: Enter without reading must not confirm
    layout->addWidget(buttons);
    connect(m_confirmPushButton, &QPushButton::clicked, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

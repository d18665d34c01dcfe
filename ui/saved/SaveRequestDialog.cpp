#include "ui/saved/SaveRequestDialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QVBoxLayout>

std::optional<std::optional<SaveRequestDialog::Answer>> SaveRequestDialog::s_nextAnswer;

void SaveRequestDialog::setNextAnswer(const std::optional<Answer> &answer)
{
    s_nextAnswer = answer;
}

std::optional<SaveRequestDialog::Answer> SaveRequestDialog::ask(QWidget *parent, const QString &title,
                                                                const QString &profileName,
                                                                const Answer &initial)
{
    if (s_nextAnswer) {
        const std::optional<Answer> answer = *s_nextAnswer;
        s_nextAnswer.reset();
        return answer;
    }
    SaveRequestDialog dialog(parent, title, profileName, initial);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return Answer{dialog.m_nameLineEdit->text().trimmed(), dialog.m_allProfilesRadioButton->isChecked()};
}

SaveRequestDialog::SaveRequestDialog(QWidget *parent, const QString &title, const QString &profileName,
                                     const Answer &initial)
    : QDialog(parent), m_nameLineEdit(new QLineEdit(initial.name, this)),
      m_thisProfileRadioButton(new QRadioButton(tr("Only for the profile %1").arg(profileName), this)),
      m_allProfilesRadioButton(new QRadioButton(tr("For all profiles"), this))
{
    setObjectName(QStringLiteral("saveRequestDialog"));
    setWindowTitle(title);
    m_nameLineEdit->setObjectName(QStringLiteral("nameLineEdit"));
    m_nameLineEdit->setAccessibleName(tr("Name"));
    m_nameLineEdit->setPlaceholderText(tr("e.g. ACME-1234 trial ends"));
    m_thisProfileRadioButton->setObjectName(QStringLiteral("thisProfileRadioButton"));
    m_allProfilesRadioButton->setObjectName(QStringLiteral("allProfilesRadioButton"));
    (initial.allProfiles ? m_allProfilesRadioButton : m_thisProfileRadioButton)->setChecked(true);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_okPushButton = buttons->button(QDialogButtonBox::Ok);
    m_okPushButton->setObjectName(QStringLiteral("okPushButton"));
    buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelPushButton"));

    auto *form = new QFormLayout;
    form->addRow(tr("Name:"), m_nameLineEdit);
    form->addRow(tr("Shown:"), m_thisProfileRadioButton);
    form->addRow(QString(), m_allProfilesRadioButton);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);
    setMinimumWidth(420);

    // Typing goes to the name; Enter saves once there is one.
    m_nameLineEdit->setFocus();
    m_nameLineEdit->selectAll();
    m_okPushButton->setDefault(true);
    // A request without a name could not be found again in the list.
    const auto updateOk = [this] { m_okPushButton->setEnabled(!m_nameLineEdit->text().trimmed().isEmpty()); };
    updateOk();
    connect(m_nameLineEdit, &QLineEdit::textChanged, this, updateOk);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

#pragma once

#include <QDialog>

#include <optional>

class QLineEdit;
class QPushButton;
class QRadioButton;

// Asks for a saved request's name and scope: the active profile only, or every profile. Used by
// "Save as…" on the forms and by Rename on the Saved page. Tests answer it with setNextAnswer(),
// as ConfirmationDialog's tests do, instead of clicking a modal dialog.
class SaveRequestDialog : public QDialog
{
    Q_OBJECT
public:
    class Answer
    {
    public:
        QString name;
        bool allProfiles = false;
    };

    // The user's answer; std::nullopt when cancelled. profileName names the "this profile" choice.
    static std::optional<Answer> ask(QWidget *parent, const QString &title, const QString &profileName,
                                     const Answer &initial);
    // The answer of the next ask() call, without showing a dialog (tests only); nullopt: Cancel.
    static void setNextAnswer(const std::optional<Answer> &answer);

private:
    SaveRequestDialog(QWidget *parent, const QString &title, const QString &profileName,
                      const Answer &initial);

    QLineEdit *m_nameLineEdit;
    QRadioButton *m_thisProfileRadioButton;
    QRadioButton *m_allProfilesRadioButton;
    QPushButton *m_okPushButton;
    static std::optional<std::optional<Answer>> s_nextAnswer;
};

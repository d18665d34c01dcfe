#pragma once

#include <QDialog>

#include <optional>

class QLineEdit;
class QPushButton;

// Asks before a destructive call, naming the target and the profile. On a production profile
// the user must type the target's ID to confirm. Tests answer it with setNextAnswer(), as
// KeePassXC's MessageBox does, instead of clicking a modal dialog.
class ConfirmationDialog : public QDialog
{
    Q_OBJECT
public:
    // true if the user confirmed. typeToConfirm: the text to type (empty: a plain yes/no).
    static bool confirm(QWidget *parent, const QString &title, const QString &text,
                        const QString &typeToConfirm);

    // The answer of the next confirm() call, without showing a dialog (tests only).
    static void setNextAnswer(bool confirmed);
    // What the last confirm() asked (tests check it names the target and the profile).
    static QString lastQuestion();

private:
    ConfirmationDialog(QWidget *parent, const QString &title, const QString &text,
                       const QString &typeToConfirm);

    QLineEdit *m_confirmLineEdit = nullptr;
    QPushButton *m_confirmPushButton;
    static std::optional<bool> s_nextAnswer;
    static QString s_lastQuestion;
};

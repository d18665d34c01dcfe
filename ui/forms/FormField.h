#pragma once

#include <QWidget>

class QLabel;

// An input with its error message underneath: setError() outlines the editor in red and shows
// the message (pre-flight or server 400, keyed by the same field path), clearError() hides it,
// as does the user's next change to the value. Under it, in amber, the integration lint's notes
// (setNote): advice that never blocks sending, replaced whenever the form is linted again.
class FormField : public QWidget
{
    Q_OBJECT
public:
    FormField(QWidget *editor, QWidget *parent = nullptr);

    QWidget *editor() const { return m_editor; }
    void setError(const QString &message);
    void clearError();
    QString error() const;
    void setNote(const QString &note); // empty hides it
    QString note() const;

private:
    QWidget *m_editor;
    QLabel *m_errorLabel;
    QLabel *m_noteLabel;
    QString m_toolTip; // the editor's tooltip while an error replaces it
};

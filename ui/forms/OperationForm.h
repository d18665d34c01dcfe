#pragma once

#include "api/ApiRequest.h"
#include "api/ApiResult.h"
#include "api/LintFinding.h"

#include <QMap>
#include <QPointer>
#include <QWidget>

class ApiReply;
class CatalogCache;
class ConsoleSession;
class ElidedLabel;
class FieldTableEditor;
class FormField;
class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QLabel;
class QPushButton;
class QSettings;
class QTabWidget;
class QTimer;
class ResponsePanel;

// A form for one journy.io operation: identification fields, a property or metadata table, the
// operation's own fields, a JSON tab with the exact body (editable, checked before sending), Send
// (Ctrl+Return) and the response. Errors, from pre-flight or the server's 400, appear on the field
// their path names; rejected properties are marked on their rows. The integration lint's findings
// on what Send would send (a number sent as text, an email as userId…) appear in amber under their
// fields as the user types; they never stop Send.
class OperationForm : public QWidget
{
    Q_OBJECT
public:
    OperationForm(Operation operation, ConsoleSession *session, CatalogCache *catalog,
                  QWidget *parent = nullptr);

    // The operation the form sends now (the event form switches between /track and /events).
    Operation operation() const;
    bool handles(Operation operation) const;
    // The request Send sends: the JSON tab's body when the user is on it, else the form's. False
    // with *errors (field path -> message) when a value cannot be read (a number that is not one,
    // JSON that does not parse).
    bool buildRequest(ApiRequest *request, QMap<QString, QString> *errors) const;
    void loadRequest(const ApiRequest &request);
    void send();

    // The field showing errors for a path (nullptr if none): tests and the error list use it.
    FormField *fieldFor(const QString &path) const;
    // The lint findings shown now, on what Send would send. The form lints LintDelayMs after the
    // last change (typing is not slowed down by it) and at once when a request is loaded.
    QList<LintFinding> findings() const { return m_findings; }
    static constexpr int LintDelayMs = 250;

    void saveInputs(QSettings &settings) const;
    void restoreInputs(QSettings &settings);

signals:
    void finished(const ApiResult &result);

private:
    FormField *addLineField(const QString &objectName, const QString &label, const QString &tooltip,
                            class QFormLayout *form);
    void showErrors(const QMap<QString, QString> &errors);
    // userLines: the typed line of each entry of the users list (see typedUserLines), so that
    // users.2 shows as "line 3: ..." on the users field.
    void showErrors(const QMap<QString, QString> &errors, const QList<int> &userLines);
    // The 1-based line of the users list each user was typed on (blank lines are not users).
    QList<int> typedUserLines() const;
    // errors with users.N renamed to the line it was typed on ("users, line 3"), for the error list.
    QMap<QString, QString> errorsAsTyped(const QMap<QString, QString> &errors,
                                         const QList<int> &userLines) const;
    void clearErrors();
    void scheduleLint();
    void lint();
    void showFindings(const QList<LintFinding> &findings);
    void updateSendState();
    void refreshJson();
    // Shows the form's body on the JSON tab; false with *errors when the form cannot be read.
    bool formToJson(QMap<QString, QString> *errors);
    bool onJsonTab() const;
    bool formRequest(ApiRequest *request, QMap<QString, QString> *errors) const;
    bool jsonRequest(ApiRequest *request, QMap<QString, QString> *errors) const;
    void fillForm(const ApiRequest &request);
    // Fills the form from the JSON tab; false with *why, and the form as it was, when the JSON
    // does not parse or holds what the form has no place for.
    bool jsonToForm(QString *why);
    void tabChanged(int index);
    // JSON that does not parse: the text cursor to where it stops, and the keyboard in the editor.
    void moveToJsonMistake();
    void setTab(int index);
    bool confirmDestructive(const ApiRequest &request);
    QString settingsKey() const;

    Operation m_operation;
    ConsoleSession *m_session;
    CatalogCache *m_catalog;

    QTabWidget *m_tabWidget;
    QLineEdit *m_userIdLineEdit = nullptr;
    QLineEdit *m_emailLineEdit = nullptr;
    QLineEdit *m_accountIdLineEdit = nullptr;
    QLineEdit *m_domainLineEdit = nullptr;
    QLineEdit *m_eventNameLineEdit = nullptr;
    QLineEdit *m_triggeredAtLineEdit = nullptr;
    QCheckBox *m_legacyCheckBox = nullptr;
    QLineEdit *m_deviceIdLineEdit = nullptr;
    QPlainTextEdit *m_usersPlainTextEdit = nullptr;
    FieldTableEditor *m_fieldTable = nullptr;
    QPlainTextEdit *m_jsonPlainTextEdit;
    FormField *m_jsonField;
    QPushButton *m_resetJsonPushButton;
    QPushButton *m_sendPushButton;
    QLineEdit *m_noteLineEdit; // the request's note for History (ApiRequest::note), never sent
    ElidedLabel *m_connectionLabel;
    ResponsePanel *m_responsePanel;
    QLabel *m_lintLabel; // findings no field shows (the endpoint, a path the form has no field for)
    QTimer *m_lintTimer;
    QList<LintFinding> m_findings;

    // The form's last request while in flight: its answer is the one the form shows.
    QPointer<ApiReply> m_reply;
    QString m_replyProfile;              // the profile m_reply was sent with
    QString m_shownProfile;              // the profile whose answer or errors the form shows
    QMap<QString, FormField *> m_fields; // field path -> field, with aliases
    int m_tab = 0;                       // the tab the user is on, for turning back a refused switch
    bool m_converting = false;           // filling the form from JSON: its edits must not rewrite the JSON
};

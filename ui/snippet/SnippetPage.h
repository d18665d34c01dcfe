#pragma once

#include "ui/widgets/ConsolePage.h"

#include <QPointer>

class ApiReply;
class ApiResult;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

// The website snippet: a domain in, GET /tracking/snippet, the snippet out with a copy button.
// An invalid domain is shown under the field; an unknown one (404) says so plainly.
class SnippetPage : public ConsolePage
{
    Q_OBJECT
public:
    explicit SnippetPage(ConsoleSession *session, QWidget *parent = nullptr);

    QString title() const override { return tr("Website snippet"); }
    QList<Operation> operations() const override { return {Operation::TrackingSnippet}; }
    // Fills the domain from a history entry, without sending.
    bool loadRequest(const ApiRequest &request) override;

private:
    void get();
    void showResult(const QString &domain, const ApiResult &result);
    void setDomainError(const QString &message);
    void clearSnippet();
    void updateGetButton();
    void onSessionChanged();

    QLineEdit *m_domainLineEdit;
    QLabel *m_domainErrorLabel;
    QPushButton *m_getPushButton;
    QLabel *m_statusLabel;
    QPlainTextEdit *m_snippetPlainTextEdit;
    QPushButton *m_copyPushButton;
    // The request in flight, if any; a profile switch deletes it with the session's client.
    QPointer<ApiReply> m_reply;
    QString m_profileName; // the profile the shown snippet came from
};

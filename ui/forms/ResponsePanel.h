#pragma once

#include <QWidget>

class ApiResult;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

// The answer to the last request of a form: status, requestId (one click to copy), message,
// latency, rate limit, every error and rejected property in a list, the response headers and
// the body as pretty, highlighted JSON.
class ResponsePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ResponsePanel(QWidget *parent = nullptr);

    void showResult(const ApiResult &result);
    void showSending();
    // A line instead of an answer, e.g. where the answer went instead of this panel.
    void showNotice(const QString &text);
    void clear();
    // Its widgets in the order Tab visits them: the answer's body first.
    QList<QWidget *> tabOrder() const;

private:
    QLabel *m_statusLabel;
    QLabel *m_requestIdLabel;
    QPushButton *m_copyRequestIdPushButton;
    QLabel *m_messageLabel;
    QListWidget *m_errorsListWidget;
    QTabWidget *m_tabWidget;
    QPlainTextEdit *m_bodyPlainTextEdit;
    QPlainTextEdit *m_headersPlainTextEdit;
    QString m_requestId;
};

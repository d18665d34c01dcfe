#pragma once

#include <QWidget>

class JournyClient;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class ApiResult;

// Checks a base URL and API key with GET /validate and shows what the server said: status,
// requestId, the key's permissions, the rate limit, or the classified failure. The key lives
// only in the password field's memory; it is never saved.
class KeyCheckPanel : public QWidget
{
    Q_OBJECT
public:
    explicit KeyCheckPanel(QWidget *parent = nullptr);

    void setBaseUrl(const QString &baseUrl);
    void setApiKey(const QString &apiKey);

private:
    void check();
    void showResult(const ApiResult &result);

    QLineEdit *m_baseUrlLineEdit;
    QLineEdit *m_apiKeyLineEdit;
    QPushButton *m_checkPushButton;
    QLabel *m_statusLabel;
    QPlainTextEdit *m_detailPlainTextEdit;
    JournyClient *m_client = nullptr;
};

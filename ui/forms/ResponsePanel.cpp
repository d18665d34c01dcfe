#include "ui/forms/ResponsePanel.h"

#include "api/ApiResult.h"
#include "ui/widgets/JsonHighlighter.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

ResponsePanel::ResponsePanel(QWidget *parent)
    : QWidget(parent), m_statusLabel(new QLabel(this)), m_requestIdLabel(new QLabel(this)),
      m_copyRequestIdPushButton(new QPushButton(tr("Copy requestId"), this)),
      m_messageLabel(new QLabel(this)), m_errorsListWidget(new QListWidget(this)),
      m_tabWidget(new QTabWidget(this)), m_bodyPlainTextEdit(new QPlainTextEdit(this)),
      m_headersPlainTextEdit(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("responsePanel"));
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_requestIdLabel->setObjectName(QStringLiteral("requestIdLabel"));
    m_copyRequestIdPushButton->setObjectName(QStringLiteral("copyRequestIdPushButton"));
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_errorsListWidget->setObjectName(QStringLiteral("errorsListWidget"));
    m_bodyPlainTextEdit->setObjectName(QStringLiteral("bodyPlainTextEdit"));
    m_headersPlainTextEdit->setObjectName(QStringLiteral("headersPlainTextEdit"));
    m_errorsListWidget->setAccessibleName(tr("Errors and warnings"));
    m_bodyPlainTextEdit->setAccessibleName(tr("Response body"));
    m_headersPlainTextEdit->setAccessibleName(tr("Response headers"));

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QPlainTextEdit *edit : {m_bodyPlainTextEdit, m_headersPlainTextEdit}) {
        edit->setReadOnly(true);
        edit->setTabChangesFocus(true); // read-only: Tab moves on
        edit->setFont(mono);
    }
    new JsonHighlighter(m_bodyPlainTextEdit->document());
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_requestIdLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The status may carry a server's words (a notice quotes its message): never read as markup.
    m_statusLabel->setTextFormat(Qt::PlainText);
    m_statusLabel->setWordWrap(true);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorsListWidget->setMaximumHeight(110);
    m_copyRequestIdPushButton->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(m_statusLabel, 1);
    top->addWidget(m_requestIdLabel);
    top->addWidget(m_copyRequestIdPushButton);
    m_tabWidget->addTab(m_bodyPlainTextEdit, tr("Body"));
    m_tabWidget->addTab(m_headersPlainTextEdit, tr("Headers"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_messageLabel);
    layout->addWidget(m_errorsListWidget);
    layout->addWidget(m_tabWidget, 1);

    connect(m_copyRequestIdPushButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_requestId); });
    clear();
}

void ResponsePanel::clear()
{
    m_statusLabel->setText(tr("No request sent yet. Send with Ctrl+Return."));
    m_statusLabel->setStyleSheet(QString());
    m_requestIdLabel->clear();
    m_requestId.clear();
    m_copyRequestIdPushButton->setEnabled(false);
    m_messageLabel->clear();
    m_errorsListWidget->clear();
    m_errorsListWidget->hide();
    m_bodyPlainTextEdit->clear();
    m_headersPlainTextEdit->clear();
}

QList<QWidget *> ResponsePanel::tabOrder() const
{
    return {m_bodyPlainTextEdit, m_tabWidget->tabBar(), m_headersPlainTextEdit, m_copyRequestIdPushButton,
            m_errorsListWidget};
}

void ResponsePanel::showSending()
{
    clear();
    m_statusLabel->setText(tr("Sending…"));
}

void ResponsePanel::showNotice(const QString &text)
{
    clear();
    m_statusLabel->setText(text);
}

void ResponsePanel::showResult(const ApiResult &result)
{
    QString status;
    if (result.failure == ApiResult::Failure::Preflight)
        status = tr("Not sent: %n error(s) found before sending", nullptr, int(result.errors.size()));
    else if (result.httpStatus > 0)
        status = tr("HTTP %1 · %2 ms").arg(result.httpStatus).arg(result.latencyMs);
    else
        status = tr("No answer · %1 ms").arg(result.latencyMs);
    if (result.rateLimit.isKnown())
        status +=
            tr(" · rate limit %1 of %2 left").arg(result.rateLimit.remaining).arg(result.rateLimit.limit);
    m_statusLabel->setText(status);
    m_statusLabel->setStyleSheet(result.ok() ? QStringLiteral("color: #2e7d32; font-weight: bold;")
                                             : QStringLiteral("color: #c62828; font-weight: bold;"));

    m_requestId = result.requestId;
    m_requestIdLabel->setText(result.requestId.isEmpty() ? QString()
                                                         : tr("requestId %1").arg(result.requestId));
    m_copyRequestIdPushButton->setEnabled(!result.requestId.isEmpty());

    QString message = result.message;
    if (result.failure != ApiResult::Failure::None && result.failure != ApiResult::Failure::Preflight)
        message += (message.isEmpty() ? QString() : QStringLiteral("\n")) + result.failureDetail;
    m_messageLabel->setText(message);

    m_errorsListWidget->clear();
    for (auto it = result.errors.begin(); it != result.errors.end(); ++it) {
        auto *item = new QListWidgetItem(tr("Error: %1: %2").arg(it.key(), it.value()), m_errorsListWidget);
        item->setData(Qt::UserRole, it.key());
        item->setForeground(QColor(0xc6, 0x28, 0x28));
    }
    for (auto it = result.rejected.begin(); it != result.rejected.end(); ++it) {
        auto *item = new QListWidgetItem(
            tr("Warning: property %1 was not stored: %2").arg(it.key(), it.value()), m_errorsListWidget);
        item->setData(Qt::UserRole, it.key());
        item->setForeground(QColor(0xb2, 0x6a, 0x00));
    }
    m_errorsListWidget->setVisible(m_errorsListWidget->count() > 0);

    QStringList headers;
    for (const auto &header : result.responseHeaders)
        headers << QString::fromLatin1(header.first + ": " + header.second);
    m_headersPlainTextEdit->setPlainText(headers.join(QLatin1Char('\n')));

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.responseBody, &error);
    m_bodyPlainTextEdit->setPlainText(error.error == QJsonParseError::NoError
                                          ? QString::fromUtf8(document.toJson(QJsonDocument::Indented))
                                          : QString::fromUtf8(result.responseBody.left(256 * 1024)));
}

#include "KeyCheckPanel.h"

#include "ApiReply.h"
#include "JournyClient.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

KeyCheckPanel::KeyCheckPanel(QWidget *parent)
    : QWidget(parent), m_baseUrlLineEdit(new QLineEdit(this)), m_apiKeyLineEdit(new QLineEdit(this)),
      m_checkPushButton(new QPushButton(tr("Test connection"), this)), m_statusLabel(new QLabel(this)),
      m_detailPlainTextEdit(new QPlainTextEdit(this))
{
    m_baseUrlLineEdit->setObjectName(QStringLiteral("baseUrlLineEdit"));
    m_apiKeyLineEdit->setObjectName(QStringLiteral("apiKeyLineEdit"));
    m_checkPushButton->setObjectName(QStringLiteral("checkPushButton"));
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_detailPlainTextEdit->setObjectName(QStringLiteral("detailPlainTextEdit"));

    m_baseUrlLineEdit->setText(ClientConfig().baseUrl.toString());
    m_apiKeyLineEdit->setEchoMode(QLineEdit::Password);
    m_apiKeyLineEdit->setPlaceholderText(tr("API key (kept in memory only)"));
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusLabel->setWordWrap(true);
    m_detailPlainTextEdit->setReadOnly(true);

    auto *form = new QFormLayout;
    form->addRow(tr("Base URL"), m_baseUrlLineEdit);
    form->addRow(tr("API key"), m_apiKeyLineEdit);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_checkPushButton, 0, Qt::AlignLeft);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_detailPlainTextEdit, 1);

    connect(m_checkPushButton, &QPushButton::clicked, this, &KeyCheckPanel::check);
    connect(m_apiKeyLineEdit, &QLineEdit::returnPressed, this, &KeyCheckPanel::check);
}

void KeyCheckPanel::setBaseUrl(const QString &baseUrl)
{
    m_baseUrlLineEdit->setText(baseUrl);
}

void KeyCheckPanel::setApiKey(const QString &apiKey)
{
    m_apiKeyLineEdit->setText(apiKey);
}

void KeyCheckPanel::check()
{
    ClientConfig config;
    config.baseUrl = QUrl(m_baseUrlLineEdit->text().trimmed());
    config.apiKey = m_apiKeyLineEdit->text();
    if (!m_client)
        m_client = new JournyClient(config, nullptr, nullptr, this);
    else
        m_client->setConfig(config);

    m_checkPushButton->setEnabled(false);
    m_statusLabel->setText(tr("Checking…"));
    ApiReply *reply = m_client->send(ApiRequest::validate());
    connect(reply, &ApiReply::finished, this, [this, reply](const ApiResult &result) {
        showResult(result);
        m_checkPushButton->setEnabled(true);
        reply->deleteLater();
    });
}

void KeyCheckPanel::showResult(const ApiResult &result)
{
    QString status = result.ok() ? tr("Connected: HTTP %1").arg(result.httpStatus) : result.summary();
    if (result.rateLimit.isKnown())
        status +=
            tr(" · rate limit %1 of %2 left").arg(result.rateLimit.remaining).arg(result.rateLimit.limit);
    m_statusLabel->setText(status);

    QStringList lines;
    if (!result.requestId.isEmpty())
        lines << tr("requestId: %1").arg(result.requestId);
    if (result.latencyMs >= 0)
        lines << tr("latency: %1 ms").arg(result.latencyMs);
    if (const auto permissions = result.permissions(); permissions && result.ok())
        lines << tr("permissions: %1")
                     .arg(permissions->isEmpty() ? tr("(none)") : permissions->join(QLatin1String(", ")));
    for (auto it = result.errors.begin(); it != result.errors.end(); ++it)
        lines << QStringLiteral("%1: %2").arg(it.key(), it.value());
    if (result.failure != ApiResult::Failure::None)
        lines << tr("error: %1").arg(ApiResult::failureName(result.failure));
    m_detailPlainTextEdit->setPlainText(lines.join(QLatin1Char('\n')));
}

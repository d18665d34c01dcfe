#include "ui/snippet/SnippetPage.h"

#include "api/ApiReply.h"
#include "api/ApiResult.h"
#include "ui/session/ConsoleSession.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

const QString domainErrorKey = QStringLiteral("parameters.query.domain");

} // namespace

SnippetPage::SnippetPage(ConsoleSession *session, QWidget *parent)
    : ConsolePage(session, parent), m_domainLineEdit(new QLineEdit(this)),
      m_domainErrorLabel(new QLabel(this)), m_getPushButton(new QPushButton(tr("&Get snippet"), this)),
      m_statusLabel(new QLabel(this)), m_snippetPlainTextEdit(new QPlainTextEdit(this)),
      m_copyPushButton(new QPushButton(tr("&Copy"), this))
{
    m_domainLineEdit->setObjectName(QStringLiteral("domainLineEdit"));
    m_domainLineEdit->setAccessibleName(tr("Website domain"));
    m_domainLineEdit->setPlaceholderText(tr("The website's domain, e.g. acme.com"));
    m_domainErrorLabel->setObjectName(QStringLiteral("domainErrorLabel"));
    m_domainErrorLabel->setWordWrap(true);
    m_domainErrorLabel->hide();
    {
        QPalette palette = m_domainErrorLabel->palette();
        palette.setColor(QPalette::WindowText, QColor(0xd3, 0x2f, 0x2f));
        m_domainErrorLabel->setPalette(palette);
    }
    m_getPushButton->setObjectName(QStringLiteral("getPushButton"));
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_snippetPlainTextEdit->setObjectName(QStringLiteral("snippetPlainTextEdit"));
    m_snippetPlainTextEdit->setAccessibleName(tr("Tracking snippet"));
    m_snippetPlainTextEdit->setReadOnly(true);
    m_snippetPlainTextEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_snippetPlainTextEdit->setPlaceholderText(
        tr("The snippet to paste into the website's pages appears here."));
    m_copyPushButton->setObjectName(QStringLiteral("copyPushButton"));
    m_copyPushButton->setAccessibleName(tr("Copy the snippet"));
    m_copyPushButton->setEnabled(false);

    auto *domainRow = new QHBoxLayout;
    domainRow->addWidget(m_domainLineEdit, 1);
    domainRow->addWidget(m_getPushButton);
    auto *form = new QFormLayout;
    // A row that is a layout gets no buddy from QFormLayout: without one the label shows "&Domain"
    // literally and Alt+D does nothing.
    auto *domainLabel = new QLabel(tr("&Domain"), this);
    domainLabel->setBuddy(m_domainLineEdit);
    form->addRow(domainLabel, domainRow);
    form->addRow(QString(), m_domainErrorLabel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_snippetPlainTextEdit, 1);
    layout->addWidget(m_copyPushButton, 0, Qt::AlignLeft);

    connect(m_getPushButton, &QPushButton::clicked, this, &SnippetPage::get);
    connect(m_domainLineEdit, &QLineEdit::returnPressed, this, &SnippetPage::get);
    // The error belongs to the text that caused it.
    connect(m_domainLineEdit, &QLineEdit::textEdited, this, [this] { setDomainError(QString()); });
    connect(m_copyPushButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_snippetPlainTextEdit->toPlainText()); });
    connect(session, &ConsoleSession::stateChanged, this, &SnippetPage::onSessionChanged);
    connect(session, &ConsoleSession::permissionsChanged, this, &SnippetPage::updateGetButton);
    onSessionChanged();
}

bool SnippetPage::loadRequest(const ApiRequest &request)
{
    if (request.operation != Operation::TrackingSnippet)
        return false;
    m_domainLineEdit->setText(request.query.queryItemValue(QStringLiteral("domain"), QUrl::FullyDecoded));
    setDomainError(QString());
    return true;
}

void SnippetPage::get()
{
    // Return in the field must not get past a disabled button (no permission, or a request running).
    if (!m_getPushButton->isEnabled())
        return;
    const QString domain = m_domainLineEdit->text().trimmed();
    setDomainError(QString());
    clearSnippet();
    ApiReply *reply = session()->send(ApiRequest::trackingSnippet(domain));
    if (!reply) {
        m_statusLabel->setText(tr("Not sent: %1")
                                   .arg(session()->problem().isEmpty()
                                            ? tr("the profile is not connected yet.")
                                            : session()->problem()));
        return;
    }
    m_reply = reply;
    m_statusLabel->setText(tr("Getting the snippet for %1…").arg(domain));
    updateGetButton();
    connect(reply, &ApiReply::finished, this, [this, reply, domain](const ApiResult &result) {
        reply->deleteLater();
        if (reply != m_reply)
            return;
        m_reply = nullptr;
        showResult(domain, result);
        updateGetButton();
    });
}

void SnippetPage::showResult(const QString &domain, const ApiResult &result)
{
    m_profileName = session()->profile().name;
    const QString requestId =
        result.requestId.isEmpty() ? QString() : tr(" (requestId %1)").arg(result.requestId);
    if (result.ok()) {
        const auto snippet = result.trackingSnippet();
        if (!snippet) {
            m_statusLabel->setText(
                tr("The answer does not have the shape the API describes%1.").arg(requestId));
            return;
        }
        m_snippetPlainTextEdit->setPlainText(snippet->snippet);
        m_copyPushButton->setEnabled(!snippet->snippet.isEmpty());
        m_statusLabel->setText(tr("The tracking snippet for %1%2: paste it into every page of the website.")
                                   .arg(snippet->domain, requestId));
        return;
    }

    const QString domainError = result.errors.value(domainErrorKey);
    if (!domainError.isEmpty())
        setDomainError(domainError);
    QStringList otherErrors;
    for (auto it = result.errors.begin(); it != result.errors.end(); ++it) {
        if (it.key() != domainErrorKey)
            otherErrors.append(tr("%1: %2").arg(it.key(), it.value()));
    }

    QString status;
    if (result.httpStatus == 404) {
        status = tr("No website with the domain %1 is set up in this journy.io project (HTTP 404: %2)%3.")
                     .arg(domain, result.message, requestId);
    } else if (result.failure == ApiResult::Failure::Preflight) {
        status = domainError.isEmpty() ? tr("Not sent: the request does not match the API.")
                                       : tr("Not sent: the domain is not valid.");
    } else if (result.httpStatus == 400 && !domainError.isEmpty()) {
        status = tr("The server refused the domain (HTTP 400: %1)%2.").arg(result.message, requestId);
    } else {
        status = result.summary() + requestId;
    }
    if (!otherErrors.isEmpty())
        status += QLatin1Char('\n') + otherErrors.join(QLatin1Char('\n'));
    m_statusLabel->setText(status);
}

void SnippetPage::setDomainError(const QString &message)
{
    m_domainErrorLabel->setText(message);
    m_domainErrorLabel->setVisible(!message.isEmpty());
    m_domainLineEdit->setAccessibleDescription(message);
    m_domainLineEdit->setProperty("invalid", !message.isEmpty());
    // An outline on the field itself, so the eye goes from the message to what to fix.
    m_domainLineEdit->setStyleSheet(
        message.isEmpty() ? QString()
                          : QStringLiteral("QLineEdit { border: 2px solid #d32f2f; border-radius: 3px; }"));
}

void SnippetPage::clearSnippet()
{
    m_snippetPlainTextEdit->clear();
    m_copyPushButton->setEnabled(false);
    m_statusLabel->clear();
}

void SnippetPage::updateGetButton()
{
    const QString permission = ApiOperation::info(Operation::TrackingSnippet).permission;
    const bool allowed = session()->allows(Operation::TrackingSnippet);
    m_getPushButton->setEnabled(allowed && !m_reply);
    m_getPushButton->setToolTip(allowed ? tr("Get the snippet for this domain (GET /tracking/snippet).")
                                        : tr("The API key of the profile %1 lacks the %2 permission.")
                                              .arg(session()->profile().name, permission));
}

void SnippetPage::onSessionChanged()
{
    // A snippet belongs to the project of the profile it came from.
    if (!m_profileName.isEmpty() && m_profileName != session()->profile().name) {
        m_profileName.clear();
        clearSnippet();
        setDomainError(QString());
    }
    updateGetButton();
}

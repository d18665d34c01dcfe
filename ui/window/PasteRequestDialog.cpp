#include "ui/window/PasteRequestDialog.h"

#include "api/ApiOperation.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace {
// Typing pauses this long before the text is read again, so a long HAR is not parsed per key.
constexpr int ReadDelayMs = 250;

std::function<bool(PasteRequestDialog *)> &nextAnswer()
{
    static std::function<bool(PasteRequestDialog *)> answer;
    return answer;
}
} // namespace

PasteRequestDialog::PasteRequestDialog(const QString &text, QWidget *parent)
    : QDialog(parent), m_textPlainTextEdit(new QPlainTextEdit(this)),
      m_operationComboBox(new QComboBox(this)), m_errorLabel(new QLabel(this)),
      m_itemListWidget(new QListWidget(this)), m_itemLabel(new QLabel(this))
{
    setWindowTitle(tr("Open pasted request"));
    m_textPlainTextEdit->setObjectName(QStringLiteral("pasteTextPlainTextEdit"));
    m_textPlainTextEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_textPlainTextEdit->setPlaceholderText(
        tr("Paste a curl command, an HTTP request, a HAR file or a JSON body"));
    m_textPlainTextEdit->setPlainText(text);
    m_operationComboBox->setObjectName(QStringLiteral("operationComboBox"));
    m_operationComboBox->addItem(tr("Guess from the request"), -1);
    for (const ApiOperation &operation : ApiOperation::all())
        m_operationComboBox->addItem(operation.operationId, int(operation.operation));
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_itemListWidget->setObjectName(QStringLiteral("itemListWidget"));
    m_itemLabel->setObjectName(QStringLiteral("itemLabel"));
    m_itemLabel->setWordWrap(true);
    m_itemLabel->setTextFormat(Qt::PlainText);
    m_itemLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_openPushButton = buttons->addButton(tr("Open in form"), QDialogButtonBox::AcceptRole);
    m_openPushButton->setObjectName(QStringLiteral("openPushButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *operationRow = new QFormLayout;
    operationRow->addRow(tr("Operation:"), m_operationComboBox);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_textPlainTextEdit, 2);
    layout->addLayout(operationRow);
    layout->addWidget(m_errorLabel);
    layout->addWidget(m_itemListWidget, 1);
    layout->addWidget(m_itemLabel);
    layout->addWidget(buttons);

    m_readTimer.setSingleShot(true);
    m_readTimer.setInterval(ReadDelayMs);
    connect(&m_readTimer, &QTimer::timeout, this, &PasteRequestDialog::read);
    connect(m_textPlainTextEdit, &QPlainTextEdit::textChanged, &m_readTimer, qOverload<>(&QTimer::start));
    connect(m_operationComboBox, &QComboBox::currentIndexChanged, this, &PasteRequestDialog::read);
    connect(m_itemListWidget, &QListWidget::currentRowChanged, this, &PasteRequestDialog::showItem);
    resize(720, 560);
    read();
}

void PasteRequestDialog::read()
{
    m_readTimer.stop();
    m_items.clear();
    m_itemListWidget->clear();
    QString error;
    const int chosen = m_operationComboBox->currentData().toInt();
    const QByteArray text = m_textPlainTextEdit->toPlainText().toUtf8();
    if (text.trimmed().isEmpty()) {
        m_errorLabel->clear();
    } else if (!PastedRequest::read(text, &m_items, &error,
                                    chosen < 0 ? std::nullopt
                                               : std::optional<Operation>(Operation(chosen)))) {
        m_errorLabel->setText(error);
    } else {
        m_errorLabel->clear();
    }
    m_errorLabel->setVisible(!m_errorLabel->text().isEmpty());
    for (const PastedRequest::Item &item : m_items) {
        // The URL as PastedRequest kept it: user-info and key already removed.
        m_itemListWidget->addItem(item.method.isEmpty()
                                      ? QStringLiteral("%1 (JSON body)").arg(item.request.info().operationId)
                                      : QStringLiteral("%1 %2 → %3")
                                            .arg(QString::fromLatin1(item.method), item.url.toString(),
                                                 item.request.info().operationId));
    }
    // One request is chosen already; several (a HAR) wait for the reader to pick one.
    m_itemListWidget->setVisible(m_items.size() > 1);
    if (m_items.size() == 1)
        m_itemListWidget->setCurrentRow(0);
    showItem();
}

void PasteRequestDialog::showItem()
{
    const int row = m_itemListWidget->currentRow();
    if (row < 0 || row >= m_items.size()) {
        m_itemLabel->setText(m_items.isEmpty()
                                 ? QString()
                                 : tr("%n request(s) found: pick one.", nullptr, int(m_items.size())));
        m_openPushButton->setEnabled(false);
        return;
    }
    const PastedRequest::Item &item = m_items.at(row);
    QStringList lines;
    lines << tr("Source: %1").arg(item.source);
    if (!item.method.isEmpty())
        lines << QStringLiteral("%1 %2").arg(QString::fromLatin1(item.method), item.url.toString());
    lines << tr("Operation: %1").arg(item.request.info().operationId);
    if (!item.keyFingerprint.isEmpty())
        lines << tr("Key: %1").arg(item.keyFingerprint);
    for (const QString &note : item.notes)
        lines << QStringLiteral("• ") + note;
    m_itemLabel->setText(lines.join(QLatin1Char('\n')));
    m_openPushButton->setEnabled(true);
}

std::optional<ApiRequest> PasteRequestDialog::chosenRequest() const
{
    const int row = m_itemListWidget->currentRow();
    if (row < 0 || row >= m_items.size())
        return std::nullopt;
    return m_items.at(row).request;
}

std::optional<ApiRequest> PasteRequestDialog::ask(QWidget *parent, const QString &text)
{
    PasteRequestDialog dialog(text, parent);
    bool accepted;
    if (nextAnswer()) {
        const auto answer = std::exchange(nextAnswer(), nullptr);
        accepted = answer(&dialog);
    } else {
        accepted = dialog.exec() == QDialog::Accepted;
    }
    return accepted ? dialog.chosenRequest() : std::nullopt;
}

void PasteRequestDialog::setNextAnswer(std::function<bool(PasteRequestDialog *)> answer)
{
    nextAnswer() = std::move(answer);
}

bool PasteRequestDialog::looksLikeRequest(const QString &text)
{
    static const QRegularExpression shape(
        QStringLiteral(R"(^\s*(curl\b|\{|(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \S+ HTTP/))"),
        QRegularExpression::CaseInsensitiveOption);
    return shape.match(text).hasMatch();
}

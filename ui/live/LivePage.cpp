#include "ui/live/LivePage.h"

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"
#include "relay/RelayServer.h"
#include "store/PrivateFile.h"
#include "ui/live/LiveFilterModel.h"
#include "ui/live/LiveModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace {

QString nextExportPath;

QString pretty(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    return document.isNull() ? QString::fromUtf8(body)
                             : QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

QPlainTextEdit *readOnlyText(const QString &objectName, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(objectName);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

LivePage::LivePage(ConsoleSession *session, QWidget *parent)
    : ConsolePage(session, parent), m_model(new LiveModel(this)), m_filter(new LiveFilterModel(this))
{
    m_filter->setSourceModel(m_model);

    m_portSpinBox = new QSpinBox(this);
    m_portSpinBox->setObjectName(QStringLiteral("portSpinBox"));
    m_portSpinBox->setRange(0, 65535);
    m_portSpinBox->setSpecialValueText(tr("any free port"));
    m_portSpinBox->setAccessibleName(tr("Relay port"));
    m_startPushButton = new QPushButton(tr("Start relay"), this);
    m_startPushButton->setObjectName(QStringLiteral("startPushButton"));
    m_urlLineEdit = new QLineEdit(this);
    m_urlLineEdit->setObjectName(QStringLiteral("urlLineEdit"));
    m_urlLineEdit->setReadOnly(true);
    m_urlLineEdit->setPlaceholderText(tr("The SDK's rootUrl, once the relay runs"));
    m_copyUrlPushButton = new QPushButton(tr("Copy"), this);
    m_copyUrlPushButton->setObjectName(QStringLiteral("copyUrlPushButton"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    auto *relayRow = new QHBoxLayout;
    relayRow->addWidget(new QLabel(tr("Port"), this));
    relayRow->addWidget(m_portSpinBox);
    relayRow->addWidget(m_startPushButton);
    relayRow->addWidget(m_urlLineEdit, 1);
    relayRow->addWidget(m_copyUrlPushButton);

    m_verdictComboBox = new QComboBox(this);
    m_verdictComboBox->setObjectName(QStringLiteral("verdictComboBox"));
    m_verdictComboBox->addItem(tr("Every verdict"), -1);
    m_verdictComboBox->addItem(tr("Clean"), int(RelayRecord::Verdict::Clean));
    m_verdictComboBox->addItem(tr("Warnings"), int(RelayRecord::Verdict::Warnings));
    m_verdictComboBox->addItem(tr("Errors"), int(RelayRecord::Verdict::Errors));
    m_operationComboBox = new QComboBox(this);
    m_operationComboBox->setObjectName(QStringLiteral("operationComboBox"));
    m_operationComboBox->addItem(tr("Every operation"), QString());
    for (const ApiOperation &operation : ApiOperation::all())
        m_operationComboBox->addItem(operation.operationId, operation.operationId);
    m_whoLineEdit = new QLineEdit(this);
    m_whoLineEdit->setObjectName(QStringLiteral("whoLineEdit"));
    m_whoLineEdit->setPlaceholderText(tr("User or account (ID or email)"));
    m_whoLineEdit->setClearButtonEnabled(true);
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_verdictComboBox);
    filterRow->addWidget(m_operationComboBox);
    filterRow->addWidget(m_whoLineEdit, 1);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("liveTableView"));
    m_table->setModel(m_filter);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    // Fixed row heights and no resizing to contents: a table of thousands of calls stays cheap.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    const int charWidth = m_table->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_table->setColumnWidth(LiveModel::TimeColumn, charWidth * 13);
    m_table->setColumnWidth(LiveModel::VerdictColumn, charWidth * 10);
    m_table->setColumnWidth(LiveModel::RequestColumn, charWidth * 24);
    m_table->setColumnWidth(LiveModel::WhoColumn, charWidth * 22);
    m_table->setColumnWidth(LiveModel::StatusColumn, charWidth * 7);
    m_table->setColumnWidth(LiveModel::LatencyColumn, charWidth * 8);
    m_table->setColumnWidth(LiveModel::RequestIdColumn, charWidth * 14);

    m_requestPlainTextEdit = readOnlyText(QStringLiteral("requestPlainTextEdit"), this);
    m_responsePlainTextEdit = readOnlyText(QStringLiteral("responsePlainTextEdit"), this);
    m_findingsListWidget = new QListWidget(this);
    m_findingsListWidget->setObjectName(QStringLiteral("findingsListWidget"));
    m_findingsListWidget->setWordWrap(true);
    auto *details = new QTabWidget(this);
    details->setObjectName(QStringLiteral("detailsTabWidget"));
    details->addTab(m_requestPlainTextEdit, tr("Request"));
    details->addTab(m_responsePlainTextEdit, tr("Response"));
    details->addTab(m_findingsListWidget, tr("Findings"));

    m_exportPushButton = new QPushButton(tr("Export JSON Lines…"), this);
    m_exportPushButton->setObjectName(QStringLiteral("exportPushButton"));
    m_openPushButton = new QPushButton(tr("Open in form"), this);
    m_openPushButton->setObjectName(QStringLiteral("openPushButton"));
    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(m_openPushButton);
    buttons->addWidget(m_exportPushButton);

    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(details);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(relayRow);
    layout->addWidget(m_statusLabel);
    layout->addLayout(filterRow);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    connect(m_startPushButton, &QPushButton::clicked, this, [this] { isRelaying() ? stop() : start(); });
    connect(m_copyUrlPushButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_urlLineEdit->text()); });
    connect(m_verdictComboBox, &QComboBox::currentIndexChanged, this, &LivePage::applyFilters);
    connect(m_operationComboBox, &QComboBox::currentIndexChanged, this, &LivePage::applyFilters);
    connect(m_whoLineEdit, &QLineEdit::textChanged, this, &LivePage::applyFilters);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &LivePage::showCurrent);
    connect(m_exportPushButton, &QPushButton::clicked, this, &LivePage::exportJsonLines);
    connect(m_openPushButton, &QPushButton::clicked, this, &LivePage::openInForm);
    // The relay forwards to the profile it was started for: another profile stops it.
    connect(session, &ConsoleSession::stateChanged, this, [this] {
        if (isRelaying() && this->session()->profile().name != m_relayProfile)
            stop(tr("The relay stopped: the profile changed from %1 to %2. Start it again to forward to %2.")
                     .arg(m_relayProfile, this->session()->profile().name));
        updateControls();
    });
    updateControls();
}

LivePage::~LivePage() = default;

bool LivePage::isRelaying() const
{
    return m_relay != nullptr;
}

QUrl LivePage::relayUrl() const
{
    return m_relay ? m_relay->url() : QUrl();
}

void LivePage::start()
{
    if (isRelaying() || session()->state() != ConsoleSession::State::Ready)
        return;
    const Profile &profile = session()->profile();
    const ClientConfig upstream = session()->clientConfig();
    if (profile.environment == Profile::Environment::Production &&
        !ConfirmationDialog::confirm(
            this, tr("Start relay"),
            tr("Forward every call that reaches the relay to the production profile %1 (%2), with each "
               "caller's own key?")
                .arg(profile.name, upstream.baseUrl.toString()),
            profile.name))
        return;
    auto relay = std::make_unique<RelayServer>(upstream);
    if (!relay->listen(quint16(m_portSpinBox->value()))) {
        m_statusLabel->setText(tr("The relay cannot listen: %1").arg(relay->listenError()));
        return;
    }
    connect(relay.get(), &RelayServer::received, m_model, &LiveModel::record);
    connect(relay.get(), &RelayServer::answered, m_model, &LiveModel::record);
    m_relay = std::move(relay);
    m_relayProfile = profile.name;
    m_urlLineEdit->setText(m_relay->url().toString());
    m_statusLabel->setText(tr("Relaying to %1 (%2): each caller's own key is used and never kept.")
                               .arg(profile.name, upstream.baseUrl.toString()));
    updateControls();
}

void LivePage::stop(const QString &why)
{
    m_relay.reset();
    m_relayProfile.clear();
    m_urlLineEdit->clear();
    m_statusLabel->setText(why.isEmpty() ? tr("The relay is stopped; the calls it saw stay below.") : why);
    updateControls();
}

void LivePage::updateControls()
{
    const bool relaying = isRelaying();
    m_startPushButton->setText(relaying ? tr("Stop relay") : tr("Start relay"));
    m_startPushButton->setEnabled(relaying || session()->state() == ConsoleSession::State::Ready);
    m_portSpinBox->setEnabled(!relaying);
    m_copyUrlPushButton->setEnabled(relaying);
    const QModelIndex current = m_table->currentIndex();
    m_openPushButton->setEnabled(
        current.isValid() && !m_model->recordAt(m_filter->mapToSource(current).row()).operationId.isEmpty());
    m_exportPushButton->setEnabled(m_filter->rowCount() > 0);
}

void LivePage::applyFilters()
{
    const int verdict = m_verdictComboBox->currentData().toInt();
    m_filter->setFilters(verdict < 0 ? std::nullopt : std::optional(RelayRecord::Verdict(verdict)),
                         m_operationComboBox->currentData().toString(), m_whoLineEdit->text());
    updateControls();
}

void LivePage::showCurrent()
{
    const QModelIndex current = m_table->currentIndex();
    m_findingsListWidget->clear();
    if (!current.isValid()) {
        m_requestPlainTextEdit->clear();
        m_responsePlainTextEdit->clear();
        updateControls();
        return;
    }
    const RelayRecord &record = m_model->recordAt(m_filter->mapToSource(current).row());
    m_requestPlainTextEdit->setPlainText(pretty(record.requestBody));
    m_responsePlainTextEdit->setPlainText(record.answered ? pretty(record.responseBody)
                                                          : tr("(waiting for the answer)"));
    for (auto it = record.specErrors.begin(); it != record.specErrors.end(); ++it)
        m_findingsListWidget->addItem(
            tr("error · spec · %1%2")
                .arg(it.key().isEmpty() ? QString() : it.key() + QStringLiteral(": "), it.value()));
    for (const LintFinding &finding : record.findings)
        m_findingsListWidget->addItem(finding.line());
    updateControls();
}

void LivePage::setNextExportPath(const QString &path)
{
    nextExportPath = path;
}

bool LivePage::exportTo(const QString &path, QString *error) const
{
    // What the filters show, in order; never a key (a record holds only its fingerprint).
    QSaveFile file(path);
    if (!PrivateFile::openForWriting(&file, error))
        return false;
    for (int row = 0; row < m_filter->rowCount(); ++row) {
        const RelayRecord &record = m_model->recordAt(m_filter->mapToSource(m_filter->index(row, 0)).row());
        file.write(QJsonDocument(record.toJson()).toJson(QJsonDocument::Compact) + '\n');
    }
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void LivePage::exportJsonLines()
{
    QString path = nextExportPath;
    nextExportPath.clear();
    if (path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Export calls as JSON Lines"),
                                            QStringLiteral("journy-relay.jsonl"),
                                            tr("JSON Lines files (*.jsonl)"));
        if (path.isEmpty())
            return;
    }
    QString error;
    m_statusLabel->setText(exportTo(path, &error)
                               ? tr("Exported %n call(s) to %1", nullptr, m_filter->rowCount()).arg(path)
                               : tr("Export failed: %1").arg(error));
}

void LivePage::openInForm()
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return;
    const RelayRecord &record = m_model->recordAt(m_filter->mapToSource(current).row());
    const ApiOperation *operation = ApiOperation::byOperationId(record.operationId);
    if (!operation)
        return;
    const int query = record.path.indexOf(QLatin1Char('?'));
    // Opened, never sent: the user corrects it in the form and sends it with the console's key.
    emit openRequested(ApiRequest::raw(operation->operation,
                                       QJsonDocument::fromJson(record.requestBody).object(),
                                       QUrlQuery(query < 0 ? QString() : record.path.mid(query + 1))));
}

#include "ui/history/HistoryPage.h"

#include "api/ApiOperation.h"
#include "api/IntegrationLint.h"
#include "store/HistoryStore.h"
#include "store/PrivateFile.h"
#include "ui/history/HistoryModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/JsonHighlighter.h"

#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSaveFile>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace {

// Rows read from the store per event-loop turn: a few milliseconds each, so the window stays
// responsive while a large history loads.
constexpr int loadChunkRows = 5000;
// Rows whose bodies are read from the store at once while exporting.
constexpr int exportChunkRows = 1000;

QString nextExportPath;

// Pretty JSON when the bytes are JSON, else the bytes as text.
QString pretty(const QByteArray &body)
{
    if (body.isEmpty())
        return QString();
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError)
        return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    return QString::fromUtf8(body);
}

// A body in the JSON export: itself when it is JSON, a string when it is not, null when empty.
QJsonValue bodyValue(const QByteArray &body)
{
    if (body.isEmpty())
        return QJsonValue::Null;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return QString::fromUtf8(body);
    if (document.isArray())
        return document.array();
    return document.object();
}

QString isoTime(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QJsonObject toJson(const HistoryEntry &entry)
{
    return {
        {QLatin1String("id"), entry.id},
        {QLatin1String("time"), isoTime(entry.time)},
        {QLatin1String("profile"), entry.profile},
        {QLatin1String("operation"), entry.operation},
        {QLatin1String("identification"), entry.identification},
        {QLatin1String("httpStatus"), entry.httpStatus > 0 ? QJsonValue(entry.httpStatus) : QJsonValue()},
        {QLatin1String("failure"), entry.failure.isEmpty() ? QJsonValue() : QJsonValue(entry.failure)},
        {QLatin1String("requestId"), entry.requestId},
        {QLatin1String("latencyMs"), entry.latencyMs >= 0 ? QJsonValue(entry.latencyMs) : QJsonValue()},
        {QLatin1String("method"), entry.method},
        {QLatin1String("url"), entry.url},
        {QLatin1String("message"), entry.message},
        {QLatin1String("note"), entry.note},
        // An export of the background calls too says which calls the console made on its own.
        {QLatin1String("background"), entry.background},
        {QLatin1String("requestBody"), bodyValue(entry.requestBody)},
        {QLatin1String("responseBody"), bodyValue(entry.responseBody)},
        {QLatin1String("responseHeaders"), QString::fromUtf8(entry.responseHeaders)},
    };
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r')) {
        bytes.replace('"', "\"\"");
        bytes = '"' + bytes + '"';
    }
    return bytes;
}

QByteArray csvLine(const QStringList &fields)
{
    QByteArrayList quoted;
    for (const QString &field : fields)
        quoted << csvField(field);
    return quoted.join(',') + "\r\n";
}

QStringList csvFields(const HistoryEntry &entry)
{
    return {isoTime(entry.time),
            entry.profile,
            entry.operation,
            entry.identification,
            entry.httpStatus > 0 ? QString::number(entry.httpStatus) : QString(),
            entry.failure,
            entry.requestId,
            entry.latencyMs >= 0 ? QString::number(entry.latencyMs) : QString(),
            entry.method,
            entry.url,
            entry.message,
            QString::fromUtf8(entry.requestBody),
            QString::fromUtf8(entry.responseBody),
            entry.background ? QStringLiteral("true") : QStringLiteral("false"),
            entry.note};
}

QPlainTextEdit *readOnlyText(const QString &objectName, const QString &accessibleName, bool json)
{
    auto *edit = new QPlainTextEdit;
    edit->setObjectName(objectName);
    edit->setAccessibleName(accessibleName);
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    if (json)
        new JsonHighlighter(edit->document());
    return edit;
}

} // namespace

HistoryPage::HistoryPage(ConsoleSession *session, HistoryStore *store, QWidget *parent)
    : ConsolePage(session, parent), m_store(store), m_model(new HistoryModel(this))
{
    m_search = new QLineEdit;
    m_search->setObjectName(QStringLiteral("searchLineEdit"));
    m_search->setPlaceholderText(tr("Search identification, requestId, note, operation, profile, status"));
    m_search->setAccessibleName(tr("Search history"));
    m_search->setClearButtonEnabled(true);

    m_status = new QComboBox;
    m_status->setObjectName(QStringLiteral("statusComboBox"));
    m_status->setAccessibleName(tr("Status filter"));
    m_status->addItem(tr("All statuses"), int(HistoryModel::StatusClass::All));
    m_status->addItem(tr("2xx success"), int(HistoryModel::StatusClass::Success));
    m_status->addItem(tr("4xx refused"), int(HistoryModel::StatusClass::ClientError));
    m_status->addItem(tr("5xx server errors"), int(HistoryModel::StatusClass::ServerError));
    m_status->addItem(tr("No answer (failures)"), int(HistoryModel::StatusClass::NoStatus));

    m_operation = new QComboBox;
    m_operation->setObjectName(QStringLiteral("operationComboBox"));
    m_operation->setAccessibleName(tr("Operation filter"));
    m_operation->addItem(tr("All operations"), QString());
    m_profile = new QComboBox;
    m_profile->setObjectName(QStringLiteral("profileComboBox"));
    m_profile->setAccessibleName(tr("Profile filter"));
    m_profile->addItem(tr("All profiles"), QString());
    updateOperationFilterItems();
    m_showBackground = new QCheckBox(tr("Show background calls"));
    m_showBackground->setObjectName(QStringLiteral("showBackgroundCheckBox"));
    m_showBackground->setToolTip(
        tr("Also list the calls the console makes on its own: the catalog's lists and "
           "the key check when a profile connects"));

    m_count = new QLabel;
    m_count->setObjectName(QStringLiteral("countLabel"));

    m_table = new QTableView;
    m_table->setObjectName(QStringLiteral("historyTableView"));
    m_table->setAccessibleName(tr("Requests"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setWordWrap(false);
    m_table->setAlternatingRowColors(true);
    // Fixed row heights and no content-based column sizing: both would visit every row.
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(HistoryModel::IdentificationColumn,
                                                      QHeaderView::Stretch);
    const int charWidth = m_table->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_table->setColumnWidth(HistoryModel::TimeColumn, charWidth * 21);
    m_table->setColumnWidth(HistoryModel::ProfileColumn, charWidth * 12);
    m_table->setColumnWidth(HistoryModel::OperationColumn, charWidth * 20);
    m_table->setColumnWidth(HistoryModel::StatusColumn, charWidth * 10);
    m_table->setColumnWidth(HistoryModel::RequestIdColumn, charWidth * 24);
    m_table->setColumnWidth(HistoryModel::LatencyColumn, charWidth * 9);
    m_table->setColumnWidth(HistoryModel::NoteColumn, charWidth * 18);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_summary->setWordWrap(true);
    m_request = readOnlyText(QStringLiteral("requestPlainTextEdit"), tr("Request body"), true);
    m_response = readOnlyText(QStringLiteral("responsePlainTextEdit"), tr("Response body"), true);
    m_headers = readOnlyText(QStringLiteral("headersPlainTextEdit"), tr("Response headers"), false);
    m_responseTabs = new QTabWidget;
    m_responseTabs->setObjectName(QStringLiteral("responseTabWidget"));
    m_responseTabs->addTab(m_response, tr("Response"));
    m_responseTabs->addTab(m_headers, tr("Headers"));
    m_lint = new QListWidget;
    m_lint->setObjectName(QStringLiteral("lintListWidget"));
    m_lint->setAccessibleName(tr("Lint findings"));
    m_lint->setWordWrap(true);
    auto *requestPane = new QTabWidget;
    m_requestTabs = requestPane;
    requestPane->setObjectName(QStringLiteral("requestTabWidget"));
    requestPane->addTab(m_request, tr("Request"));
    requestPane->addTab(m_lint, tr("Lint"));
    auto *bodies = new QSplitter(Qt::Horizontal);
    bodies->setObjectName(QStringLiteral("bodiesSplitter"));
    bodies->addWidget(requestPane);
    bodies->addWidget(m_responseTabs);
    auto *detail = new QWidget;
    auto *detailLayout = new QVBoxLayout(detail);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_summary);
    detailLayout->addWidget(bodies, 1);

    auto *split = new QSplitter(Qt::Vertical);
    split->setObjectName(QStringLiteral("historySplitter"));
    split->addWidget(m_table);
    split->addWidget(detail);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);

    // Actions live on the table (context menu, shortcuts) and behind the buttons below it.
    auto makeAction = [this](const QString &objectName, const QString &text, const QKeySequence &shortcut,
                             void (HistoryPage::*slot)()) {
        auto *action = new QAction(text, this);
        action->setObjectName(objectName);
        action->setShortcut(shortcut);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_table->addAction(action);
        return action;
    };
    m_openAction = makeAction(QStringLiteral("openInFormAction"), tr("Open in form"),
                              QKeySequence(Qt::CTRL | Qt::Key_O), &HistoryPage::openInForm);
    m_openAction->setToolTip(tr("Open this request in its form, to change and send it again"));
    m_curlAction = makeAction(QStringLiteral("copyAsCurlAction"), tr("Copy as curl"),
                              QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), &HistoryPage::copyAsCurl);
    m_curlAction->setToolTip(
        tr("Copy a curl command that sends this request with the key from $JOURNY_API_KEY"));
    m_editNoteAction = makeAction(QStringLiteral("editNoteAction"), tr("Edit note…"), QKeySequence(),
                                  &HistoryPage::editNote);
    m_editNoteAction->setToolTip(tr("Change the note kept with this request (a ticket reference, say)"));
    m_exportJsonAction = makeAction(QStringLiteral("exportJsonAction"), tr("Export JSON…"), QKeySequence(),
                                    &HistoryPage::exportJson);
    m_exportJsonAction->setToolTip(tr("Save the requests shown, with their bodies, as a JSON array"));
    m_exportCsvAction = makeAction(QStringLiteral("exportCsvAction"), tr("Export CSV…"), QKeySequence(),
                                   &HistoryPage::exportCsv);
    m_exportCsvAction->setToolTip(tr("Save the requests shown, with their bodies, as CSV"));
    auto *findAction = new QAction(tr("Search"), this);
    findAction->setShortcut(QKeySequence::Find);
    findAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(findAction, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(findAction);

    auto makeButton = [](const QString &objectName, QAction *action) {
        auto *button = new QPushButton(action->text());
        button->setObjectName(objectName);
        button->setToolTip(action->toolTip());
        connect(button, &QPushButton::clicked, action, &QAction::trigger);
        connect(action, &QAction::changed, button,
                [button, action] { button->setEnabled(action->isEnabled()); });
        return button;
    };
    m_openButton = makeButton(QStringLiteral("openInFormPushButton"), m_openAction);
    m_curlButton = makeButton(QStringLiteral("copyAsCurlPushButton"), m_curlAction);
    m_editNoteButton = makeButton(QStringLiteral("editNotePushButton"), m_editNoteAction);
    m_exportJsonButton = makeButton(QStringLiteral("exportJsonPushButton"), m_exportJsonAction);
    m_exportCsvButton = makeButton(QStringLiteral("exportCsvPushButton"), m_exportCsvAction);
    m_message = new QLabel;
    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Two rows: on one, the filters made the page wider than a laptop's window leaves for it.
    auto *search = new QHBoxLayout;
    search->addWidget(m_search, 1);
    search->addWidget(m_count);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_status);
    filters->addWidget(m_operation);
    filters->addWidget(m_profile);
    filters->addWidget(m_showBackground);
    filters->addStretch(1);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_openButton);
    buttons->addWidget(m_curlButton);
    buttons->addWidget(m_editNoteButton);
    buttons->addWidget(m_exportJsonButton);
    buttons->addWidget(m_exportCsvButton);
    buttons->addWidget(m_message, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(search);
    layout->addLayout(filters);
    layout->addWidget(split, 1);
    layout->addLayout(buttons);

    connect(m_search, &QLineEdit::textChanged, this, &HistoryPage::applyFilters);
    for (QComboBox *combo : {m_status, m_operation, m_profile})
        connect(combo, &QComboBox::currentIndexChanged, this, &HistoryPage::applyFilters);
    connect(m_showBackground, &QCheckBox::toggled, this, &HistoryPage::applyFilters);
    connect(m_table, &QTableView::activated, this, &HistoryPage::openInForm);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &HistoryPage::showCurrent);
    // A filter change resets the model; the selected request stays selected when it still shows.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const QModelIndex current = m_table->currentIndex();
        m_selectedId = current.isValid() ? m_model->idAt(current.row()) : -1;
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_selectedId > 0 ? m_model->rowOfId(m_selectedId) : -1;
        if (row >= 0)
            m_table->setCurrentIndex(m_model->index(row, 0));
        showCurrent();
        updateCount();
    });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &HistoryPage::updateCount);
    connect(m_model, &HistoryModel::distinctValuesChanged, this, [this] {
        updateOperationFilterItems();
        updateProfileFilterItems();
    });
    if (session)
        connect(session, &ConsoleSession::requestFinished, this, &HistoryPage::record);

    showCurrent();
    updateCount();
    // After the event loop starts: the window paints first, the history arrives right after.
    QTimer::singleShot(0, this, &HistoryPage::loadChunk);
}

void HistoryPage::loadChunk()
{
    if (!m_store || !m_store->isOpen()) {
        m_loaded = true;
        updateCount();
        emit loaded();
        return;
    }
    const QList<HistoryEntry> chunk =
        m_store->load(m_loadedUpTo, loadChunkRows, HistoryStore::Detail::Summary);
    if (!chunk.isEmpty()) {
        m_loadedUpTo = chunk.last().id;
        m_model->appendEntries(chunk);
    }
    if (chunk.size() == loadChunkRows) {
        QTimer::singleShot(0, this, &HistoryPage::loadChunk);
        return;
    }
    m_loaded = true;
    updateCount();
    emit loaded();
}

HistoryEntry HistoryPage::summaryOf(const HistoryEntry &entry)
{
    HistoryEntry summary = entry;
    summary.url.clear();
    summary.message.clear();
    summary.requestBody.clear();
    summary.responseBody.clear();
    summary.responseHeaders.clear();
    return summary;
}

void HistoryPage::record(const QString &profileName, const ApiResult &result)
{
    // History is what was sent: a request stopped by pre-flight never left the console.
    if (result.failure == ApiResult::Failure::Preflight)
        return;
    HistoryEntry entry = HistoryStore::fromResult(profileName, result);
    const qint64 id = m_store && m_store->isOpen() ? m_store->append(entry) : -1;
    if (id > 0) {
        // While the stored history is still loading, the loader reads this entry in its turn
        // and in its place; adding it now would put it before older entries.
        if (!m_loaded)
            return;
        entry.id = id;
        m_loadedUpTo = id;
        m_model->appendEntry(summaryOf(entry));
        return;
    }
    if (m_store && m_store->isOpen())
        showMessage(tr("This request could not be saved to the history: %1").arg(m_store->lastError()));
    // Without a store the model keeps the whole entry: it is the only copy.
    m_model->appendEntry(entry);
}

HistoryEntry HistoryPage::fullEntry(const HistoryEntry &summary) const
{
    if (summary.id > 0 && m_store && m_store->isOpen()) {
        if (const std::optional<HistoryEntry> stored = m_store->entry(summary.id))
            return *stored;
    }
    return summary;
}

std::optional<HistoryEntry> HistoryPage::currentEntry() const
{
    const QModelIndex index = m_table->currentIndex();
    if (!index.isValid())
        return std::nullopt;
    return fullEntry(m_model->entryAt(index.row()));
}

void HistoryPage::applyFilters()
{
    m_model->setSearchText(m_search->text());
    m_model->setStatusClass(HistoryModel::StatusClass(m_status->currentData().toInt()));
    m_model->setOperationFilter(m_operation->currentData().toString());
    m_model->setProfileFilter(m_profile->currentData().toString());
    m_model->setShowBackground(m_showBackground->isChecked());
}

void HistoryPage::updateOperationFilterItems()
{
    QStringList names = m_model->operations();
    for (const ApiOperation &operation : ApiOperation::all()) {
        if (!names.contains(operation.operationId))
            names.append(operation.operationId);
    }
    names.sort(Qt::CaseInsensitive);
    if (m_operation->count() == names.size() + 1)
        return;
    const QString current = m_operation->currentData().toString();
    const QSignalBlocker blocker(m_operation);
    while (m_operation->count() > 1)
        m_operation->removeItem(1);
    for (const QString &name : names)
        m_operation->addItem(name, name);
    m_operation->setCurrentIndex(qMax(0, m_operation->findData(current)));
}

void HistoryPage::updateProfileFilterItems()
{
    const QStringList names = m_model->profiles();
    if (m_profile->count() == names.size() + 1)
        return;
    const QString current = m_profile->currentData().toString();
    const QSignalBlocker blocker(m_profile);
    while (m_profile->count() > 1)
        m_profile->removeItem(1);
    for (const QString &name : names)
        m_profile->addItem(name, name);
    m_profile->setCurrentIndex(qMax(0, m_profile->findData(current)));
}

void HistoryPage::updateCount()
{
    if (!m_loaded) {
        m_count->setText(tr("Loading… %n request(s)", nullptr, m_model->entryCount()));
        return;
    }
    if (m_model->rowCount() == m_model->entryCount())
        m_count->setText(tr("%n request(s)", nullptr, m_model->entryCount()));
    else
        m_count->setText(tr("%1 of %n request(s)", nullptr, m_model->entryCount()).arg(m_model->rowCount()));
}

void HistoryPage::showMessage(const QString &text)
{
    m_message->setText(text);
}

void HistoryPage::showCurrent()
{
    const std::optional<HistoryEntry> entry = currentEntry();
    m_curlAction->setEnabled(entry.has_value());
    m_editNoteAction->setEnabled(entry.has_value());
    m_openAction->setEnabled(entry && ApiOperation::byOperationId(entry->operation));
    if (!entry) {
        m_summary->setText(tr("Select a request to see its bodies."));
        m_request->clear();
        showFindings(QList<LintFinding>());
        m_response->clear();
        m_headers->clear();
        return;
    }
    QStringList parts;
    if (!entry->note.isEmpty())
        parts << tr("Note: %1").arg(entry->note);
    parts << entry->method + QLatin1Char(' ') + entry->url;
    if (!entry->message.isEmpty())
        parts << entry->message;
    if (!entry->requestId.isEmpty())
        parts << tr("requestId %1").arg(entry->requestId);
    if (entry->latencyMs >= 0)
        parts << tr("%1 ms").arg(entry->latencyMs);
    m_summary->setText(parts.join(QStringLiteral(" — ")));
    m_request->setPlainText(entry->requestBody.isEmpty() ? tr("(no body)") : pretty(entry->requestBody));
    m_response->setPlainText(entry->responseBody.isEmpty() ? tr("(no body)") : pretty(entry->responseBody));
    m_headers->setPlainText(QString::fromUtf8(entry->responseHeaders));
    QList<LintFinding> findings;
    if (const std::optional<ApiRequest> request = requestOf(*entry)) {
        // Judged as of when it was sent: a triggeredAt that was fine then is not "old" today.
        IntegrationLint::Context context;
        context.now = entry->time;
        findings = IntegrationLint::lint(*request, context);
    }
    showFindings(findings);
}

void HistoryPage::showFindings(const QList<LintFinding> &findings)
{
    m_lint->clear();
    for (const LintFinding &finding : findings) {
        auto *item = new QListWidgetItem(finding.line(), m_lint);
        item->setData(Qt::UserRole, finding.rule);
    }
    m_requestTabs->setTabText(m_requestTabs->indexOf(m_lint),
                              findings.isEmpty() ? tr("Lint") : tr("Lint (%1)").arg(findings.size()));
}

std::optional<ApiRequest> HistoryPage::requestOf(const HistoryEntry &entry)
{
    const ApiOperation *operation = ApiOperation::byOperationId(entry.operation);
    if (!operation)
        return std::nullopt;
    ApiRequest request =
        ApiRequest::raw(operation->operation, QJsonDocument::fromJson(entry.requestBody).object(),
                        QUrlQuery(QUrl(entry.url)));
    request.note = entry.note; // sent again, it is filed under the same ticket
    return request;
}

void HistoryPage::openInForm()
{
    const std::optional<HistoryEntry> entry = currentEntry();
    if (!entry)
        return;
    const std::optional<ApiRequest> request = requestOf(*entry);
    if (!request) {
        showMessage(tr("%1 is not an operation this console knows.").arg(entry->operation));
        return;
    }
    emit openRequested(*request);
}

QString HistoryPage::shellQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QString HistoryPage::curlCommand(const HistoryEntry &entry)
{
    // The note is cleaned again: an entry may come from elsewhere than the store, and one line
    // break in it would end the comment and make the rest a command.
    const QString note = HistoryStore::cleanNote(entry.note);
    const QString comment = note.isEmpty() ? QString() : QStringLiteral("# Note: %1\n").arg(note);
    // Double quotes on purpose: the shell expands $JOURNY_API_KEY when the command runs.
    QStringList lines{QStringLiteral("curl -X %1 %2").arg(entry.method, shellQuote(entry.url)),
                      QStringLiteral("-H \"X-Api-Key: $JOURNY_API_KEY\"")};
    if (!entry.requestBody.isEmpty()) {
        lines << QStringLiteral("-H %1").arg(shellQuote(QStringLiteral("Content-Type: application/json")));
        // --data-raw, not --data: a body starting with @ must not name a file to send.
        lines << QStringLiteral("--data-raw %1").arg(shellQuote(QString::fromUtf8(entry.requestBody)));
    }
    return comment + lines.join(QStringLiteral(" \\\n  "));
}

void HistoryPage::copyAsCurl()
{
    const std::optional<HistoryEntry> entry = currentEntry();
    if (!entry)
        return;
    QGuiApplication::clipboard()->setText(curlCommand(*entry));
    showMessage(tr("Copied a curl command; set JOURNY_API_KEY in the shell before running it."));
}

void HistoryPage::editNote()
{
    const std::optional<HistoryEntry> entry = currentEntry();
    if (!entry)
        return;
    QInputDialog dialog(this);
    dialog.setObjectName(QStringLiteral("noteInputDialog"));
    dialog.setWindowTitle(tr("Edit note"));
    dialog.setLabelText(
        tr("Note for %1 %2 (kept in History, never sent):").arg(entry->operation, entry->identification));
    dialog.setTextValue(entry->note);
    if (dialog.exec() != QDialog::Accepted)
        return;
    setCurrentNote(dialog.textValue());
}

bool HistoryPage::setCurrentNote(const QString &text)
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return false;
    const QString note = HistoryStore::cleanNote(text);
    const qint64 id = m_model->idAt(current.row());
    if (id > 0 && m_store && m_store->isOpen() && !m_store->setNote(id, note)) {
        showMessage(tr("The note could not be saved: %1").arg(m_store->lastError()));
        return false;
    }
    m_model->setNoteAt(current.row(), note);
    showCurrent();
    showMessage(note.isEmpty() ? tr("Note removed.") : tr("Note saved."));
    return true;
}

void HistoryPage::setNextExportPath(const QString &path)
{
    nextExportPath = path;
}

void HistoryPage::exportJson()
{
    exportAs(ExportFormat::Json);
}

void HistoryPage::exportCsv()
{
    exportAs(ExportFormat::Csv);
}

void HistoryPage::exportAs(ExportFormat format)
{
    QString path = nextExportPath;
    nextExportPath.clear();
    if (path.isEmpty()) {
        const bool json = format == ExportFormat::Json;
        path = QFileDialog::getSaveFileName(
            this, json ? tr("Export history as JSON") : tr("Export history as CSV"),
            json ? QStringLiteral("journy-history.json") : QStringLiteral("journy-history.csv"),
            json ? tr("JSON files (*.json)") : tr("CSV files (*.csv)"));
        if (path.isEmpty())
            return;
    }
    QString error;
    if (exportTo(path, format, &error))
        showMessage(
            tr("Exported %n request(s) to %1", nullptr, m_model->rowCount()).arg(QFileInfo(path).fileName()));
    else
        showMessage(tr("Export failed: %1").arg(error));
}

bool HistoryPage::exportTo(const QString &path, ExportFormat format, QString *error)
{
    QSaveFile file(path);
    if (!PrivateFile::openForWriting(&file, error))
        return false;
    static const QStringList csvHeader{QStringLiteral("time"),         QStringLiteral("profile"),
                                       QStringLiteral("operation"),    QStringLiteral("identification"),
                                       QStringLiteral("httpStatus"),   QStringLiteral("failure"),
                                       QStringLiteral("requestId"),    QStringLiteral("latencyMs"),
                                       QStringLiteral("method"),       QStringLiteral("url"),
                                       QStringLiteral("message"),      QStringLiteral("requestBody"),
                                       QStringLiteral("responseBody"), QStringLiteral("background"),
                                       QStringLiteral("note")};
    file.write(format == ExportFormat::Json ? QByteArray("[") : csvLine(csvHeader));

    // Bodies are read from the store a chunk at a time: a whole large history with its bodies
    // would not fit in memory comfortably.
    const int rows = m_model->rowCount();
    for (int start = 0; start < rows; start += exportChunkRows) {
        const int end = qMin(rows, start + exportChunkRows);
        QList<qint64> ids;
        for (int row = start; row < end; ++row) {
            if (m_model->idAt(row) > 0)
                ids << m_model->idAt(row);
        }
        QHash<qint64, HistoryEntry> stored;
        if (m_store && m_store->isOpen()) {
            for (const HistoryEntry &entry : m_store->entries(ids))
                stored.insert(entry.id, entry);
        }
        for (int row = start; row < end; ++row) {
            const qint64 id = m_model->idAt(row);
            const HistoryEntry entry = stored.contains(id) ? stored.value(id) : m_model->entryAt(row);
            if (format == ExportFormat::Json) {
                QByteArray object = QJsonDocument(toJson(entry)).toJson(QJsonDocument::Indented);
                object.chop(1); // its trailing newline
                file.write(row == 0 ? "\n" : ",\n");
                file.write(object);
            } else {
                file.write(csvLine(csvFields(entry)));
            }
        }
    }
    if (format == ExportFormat::Json)
        file.write("\n]\n");
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

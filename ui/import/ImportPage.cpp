#include "ui/import/ImportPage.h"

#include "api/ApiOperation.h"
#include "api/JournyClient.h"
#include "import/FailedRowsCsv.h"
#include "import/ImportRecord.h"
#include "ui/import/ImportMappingDelegate.h"
#include "ui/import/ImportMappingModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

#include <memory>
#include <optional>

namespace {

// Rows shown as bodies in the preview: enough to see the mapping at work, few enough to read.
constexpr int previewRows = 5;
// Rows listed in the report; the rest are counted (the failed-rows CSV has every one).
constexpr int listedRows = 1000;
// Event numbers listed as possibly duplicated before "and N more".
constexpr int listedDuplicates = 50;
// While a file is read on the GUI thread, the event loop gets a turn at least this often, so
// the window paints and Cancel is heard.
constexpr qint64 sliceMs = 40;
// The progress bar counts in thousandths: files and jobs can be larger than an int.
constexpr int progressScale = 1000;

std::optional<QString> nextFileName;

QString describeProblems(const QMap<QString, QString> &errors)
{
    QStringList parts;
    for (auto it = errors.begin(); it != errors.end(); ++it)
        parts << QStringLiteral("%1: %2").arg(it.key(), it.value());
    return parts.join(QLatin1String("; "));
}

bool removable(ImportKind::Kind kind)
{
    return kind == ImportKind::Kind::Users || kind == ImportKind::Kind::Accounts ||
           kind == ImportKind::Kind::Memberships;
}

int permille(qint64 part, qint64 whole)
{
    return whole > 0 ? int(qBound(qint64(0), part * progressScale / whole, qint64(progressScale))) : 0;
}

QString duration(qint64 seconds)
{
    if (seconds < 0)
        return ImportPage::tr("unknown");
    if (seconds < 60)
        return ImportPage::tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return ImportPage::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return ImportPage::tr("%1 h %2 min")
        .arg(seconds / 3600)
        .arg((seconds % 3600) / 60, 2, 10, QLatin1Char('0'));
}

QPushButton *button(const QString &text, const QString &objectName, QWidget *parent)
{
    auto *pushButton = new QPushButton(text, parent);
    pushButton->setObjectName(objectName);
    return pushButton;
}

} // namespace

ImportPage::ImportPage(ConsoleSession *session, const QString &journalPath, QWidget *parent)
    : ConsolePage(session, parent), m_journalPath(journalPath), m_mappingModel(new ImportMappingModel(this))
{
    m_fileLineEdit = new QLineEdit(this);
    m_fileLineEdit->setObjectName(QStringLiteral("fileLineEdit"));
    m_fileLineEdit->setAccessibleName(tr("File to import"));
    m_fileLineEdit->setPlaceholderText(tr("A CSV file (header line first) or a JSON Lines file"));
    m_fileLineEdit->setClearButtonEnabled(true);
    m_browsePushButton = button(tr("Browse…"), QStringLiteral("browsePushButton"), this);

    m_kindComboBox = new QComboBox(this);
    m_kindComboBox->setObjectName(QStringLiteral("kindComboBox"));
    m_kindComboBox->setAccessibleName(tr("What the file holds"));
    m_kindComboBox->addItem(tr("Users"), int(ImportKind::Kind::Users));
    m_kindComboBox->addItem(tr("Accounts"), int(ImportKind::Kind::Accounts));
    m_kindComboBox->addItem(tr("Memberships (users of accounts)"), int(ImportKind::Kind::Memberships));
    m_kindComboBox->addItem(tr("Events"), int(ImportKind::Kind::Events));
    m_kindComboBox->addItem(tr("Device links"), int(ImportKind::Kind::Links));
    m_removeCheckBox = new QCheckBox(this);
    m_removeCheckBox->setObjectName(QStringLiteral("removeCheckBox"));

    m_mappingTableView = new QTableView(this);
    m_mappingTableView->setObjectName(QStringLiteral("mappingTableView"));
    m_mappingTableView->setAccessibleName(tr("Column mapping"));
    m_mappingTableView->setModel(m_mappingModel);
    m_mappingTableView->setItemDelegate(new ImportMappingDelegate(m_mappingTableView));
    m_mappingTableView->setEditTriggers(QAbstractItemView::DoubleClicked |
                                        QAbstractItemView::SelectedClicked |
                                        QAbstractItemView::EditKeyPressed);
    m_mappingTableView->setSelectionBehavior(QAbstractItemView::SelectItems);
    m_mappingTableView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_mappingTableView->verticalHeader()->hide();
    m_mappingTableView->horizontalHeader()->setSectionResizeMode(ImportMappingModel::ColumnColumn,
                                                                 QHeaderView::Stretch);
    m_mappingTableView->horizontalHeader()->setSectionResizeMode(ImportMappingModel::TargetColumn,
                                                                 QHeaderView::Stretch);
    m_loadMappingPushButton = button(tr("Load mapping…"), QStringLiteral("loadMappingPushButton"), this);
    m_saveMappingPushButton = button(tr("Save mapping…"), QStringLiteral("saveMappingPushButton"), this);

    m_previewPlainTextEdit = new QPlainTextEdit(this);
    m_previewPlainTextEdit->setObjectName(QStringLiteral("previewPlainTextEdit"));
    m_previewPlainTextEdit->setAccessibleName(tr("Preview of the first rows as requests"));
    m_previewPlainTextEdit->setReadOnly(true);
    m_previewPlainTextEdit->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_previewPlainTextEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    m_rateSpinBox = new QSpinBox(this);
    m_rateSpinBox->setObjectName(QStringLiteral("rateSpinBox"));
    m_rateSpinBox->setAccessibleName(tr("Most requests per minute"));
    m_rateSpinBox->setRange(0, 100000);
    m_rateSpinBox->setSpecialValueText(tr("the key's limit"));
    m_rateSpinBox->setSuffix(tr(" per minute"));
    m_rateSpinBox->setToolTip(tr("A ceiling below the key's rate limit, e.g. to leave room for other "
                                 "clients of the same key; the key's limit always applies"));
    m_concurrencySpinBox = new QSpinBox(this);
    m_concurrencySpinBox->setObjectName(QStringLiteral("concurrencySpinBox"));
    m_concurrencySpinBox->setAccessibleName(tr("Requests in flight"));
    m_concurrencySpinBox->setRange(1, 32);
    m_concurrencySpinBox->setValue(BulkImporter::Options().concurrency);

    m_checkPushButton = button(tr("Check"), QStringLiteral("checkPushButton"), this);
    m_checkPushButton->setToolTip(tr("Checks every row of the file as it would be sent; nothing is sent"));
    m_startPushButton = button(tr("Start"), QStringLiteral("startPushButton"), this);
    m_pausePushButton = button(tr("Pause"), QStringLiteral("pausePushButton"), this);
    m_cancelPushButton = button(tr("Cancel"), QStringLiteral("cancelPushButton"), this);
    m_resumePushButton = button(tr("Resume last job"), QStringLiteral("resumePushButton"), this);
    m_resumePushButton->setToolTip(tr("Sends what is left of the newest unfinished import job, "
                                      "whether it was started here or with journy import"));

    m_progressBar = new QProgressBar(this);
    m_progressBar->setObjectName(QStringLiteral("progressBar"));
    m_progressBar->setRange(0, progressScale);
    m_progressBar->setValue(0);
    m_progressLabel = new QLabel(this);
    m_progressLabel->setObjectName(QStringLiteral("progressLabel"));
    m_progressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progressLabel->setWordWrap(true); // a long message wraps instead of widening the window

    m_reportListWidget = new QListWidget(this);
    m_reportListWidget->setObjectName(QStringLiteral("reportListWidget"));
    m_reportListWidget->setAccessibleName(tr("Rows with problems"));
    m_reportListWidget->setUniformItemSizes(true); // up to listedRows items: no per-item measuring

    m_summaryLabel = new QLabel(this);
    m_summaryLabel->setObjectName(QStringLiteral("summaryLabel"));
    m_summaryLabel->setWordWrap(true);
    m_summaryLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_exportFailedPushButton =
        button(tr("Export failed rows…"), QStringLiteral("exportFailedPushButton"), this);
    m_exportFailedPushButton->setToolTip(tr("Writes the failed rows as CSV with an error column, ready to "
                                            "fix and import again"));

    m_profileNoticeLabel = new QLabel(this);
    m_profileNoticeLabel->setObjectName(QStringLiteral("profileNoticeLabel"));
    m_profileNoticeLabel->setWordWrap(true);
    m_profileNoticeLabel->setStyleSheet(QStringLiteral("color: #b26a00; font-weight: bold;"));
    m_profileNoticeLabel->hide();

    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // Layout: the file and kind on top; mapping and preview side by side; then sending and the
    // report, which grows with the window.
    auto *source = new QFormLayout;
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_fileLineEdit, 1);
    fileRow->addWidget(m_browsePushButton);
    source->addRow(tr("&File:"), fileRow);
    auto *kindRow = new QHBoxLayout;
    kindRow->addWidget(m_kindComboBox);
    kindRow->addWidget(m_removeCheckBox);
    kindRow->addStretch(1);
    source->addRow(tr("&Kind:"), kindRow);
    static_cast<QLabel *>(source->labelForField(fileRow))->setBuddy(m_fileLineEdit);
    static_cast<QLabel *>(source->labelForField(kindRow))->setBuddy(m_kindComboBox);

    auto *mappingBox = new QGroupBox(tr("Mapping"), this);
    auto *mappingLayout = new QVBoxLayout(mappingBox);
    mappingLayout->addWidget(m_mappingTableView, 1);
    auto *mappingButtons = new QHBoxLayout;
    mappingButtons->addWidget(m_loadMappingPushButton);
    mappingButtons->addWidget(m_saveMappingPushButton);
    mappingButtons->addStretch(1);
    mappingLayout->addLayout(mappingButtons);
    auto *previewBox = new QGroupBox(tr("First rows as they will be sent"), this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->addWidget(m_previewPlainTextEdit);
    auto *upper = new QSplitter(Qt::Horizontal, this);
    upper->addWidget(mappingBox);
    upper->addWidget(previewBox);
    upper->setStretchFactor(1, 1);

    auto *sendBox = new QGroupBox(tr("Check and send"), this);
    auto *sendLayout = new QVBoxLayout(sendBox);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_checkPushButton);
    actions->addWidget(m_startPushButton);
    actions->addWidget(m_pausePushButton);
    actions->addWidget(m_cancelPushButton);
    actions->addWidget(m_resumePushButton);
    actions->addStretch(1);
    // The pace on a row of its own: beside the five buttons it made the page wider than a
    // laptop's window leaves for it.
    auto *pace = new QHBoxLayout;
    pace->addWidget(new QLabel(tr("At most:"), this));
    pace->addWidget(m_rateSpinBox);
    pace->addWidget(new QLabel(tr("In flight:"), this));
    pace->addWidget(m_concurrencySpinBox);
    pace->addStretch(1);
    sendLayout->addLayout(actions);
    sendLayout->addLayout(pace);
    sendLayout->addWidget(m_progressBar);
    sendLayout->addWidget(m_progressLabel);
    sendLayout->addWidget(m_reportListWidget, 1);
    auto *summaryRow = new QHBoxLayout;
    summaryRow->addWidget(m_summaryLabel, 1);
    summaryRow->addWidget(m_exportFailedPushButton, 0, Qt::AlignTop);
    sendLayout->addLayout(summaryRow);

    auto *lower = new QSplitter(Qt::Vertical, this);
    lower->addWidget(upper);
    lower->addWidget(sendBox);
    lower->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(source);
    layout->addWidget(m_profileNoticeLabel);
    layout->addWidget(lower, 1);
    layout->addWidget(m_messageLabel);

    connect(m_browsePushButton, &QPushButton::clicked, this, &ImportPage::browse);
    connect(m_fileLineEdit, &QLineEdit::editingFinished, this, [this] {
        // editingFinished also comes when the field merely loses focus: only a new name reopens.
        if (m_fileLineEdit->text().trimmed() != m_preparer.path() || !m_fileOpen)
            openFile();
    });
    connect(m_kindComboBox, &QComboBox::currentIndexChanged, this, &ImportPage::kindChanged);
    connect(m_removeCheckBox, &QCheckBox::toggled, this, &ImportPage::removeChanged);
    connect(m_mappingModel, &ImportMappingModel::mappingEdited, this, &ImportPage::mappingEdited);
    connect(m_loadMappingPushButton, &QPushButton::clicked, this, &ImportPage::loadMapping);
    connect(m_saveMappingPushButton, &QPushButton::clicked, this, &ImportPage::saveMapping);
    connect(m_checkPushButton, &QPushButton::clicked, this, &ImportPage::check);
    connect(m_startPushButton, &QPushButton::clicked, this, &ImportPage::start);
    connect(m_pausePushButton, &QPushButton::clicked, this, &ImportPage::togglePause);
    connect(m_cancelPushButton, &QPushButton::clicked, this, &ImportPage::cancel);
    connect(m_resumePushButton, &QPushButton::clicked, this, &ImportPage::resumeLastJob);
    connect(m_exportFailedPushButton, &QPushButton::clicked, this, &ImportPage::exportFailedRows);
    // A check or a job being written runs in this page's own event-loop turns, which quitting
    // does not end: closing the last window stops it instead of waiting for the file's end.
    if (auto *application = qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        connect(application, &QGuiApplication::lastWindowClosed, this, [this] { m_stopRequested = true; });
    connect(session, &ConsoleSession::stateChanged, this, &ImportPage::updateControls);
    connect(session, &ConsoleSession::stateChanged, this, &ImportPage::updateProfileNotice);
    connect(session, &ConsoleSession::permissionsChanged, this, &ImportPage::updateControls);

    updateRemoveCheckBox();
    updateControls();
}

ImportPage::~ImportPage()
{
    // The importer writes to m_journal, which goes before the QObject children do. Rows it has in
    // flight stay in flight in the journal; "Resume last job" sends them again.
    disconnect(m_clientDestroyed);
    delete m_importer;
    m_importer = nullptr;
}

void ImportPage::setNextFileName(const QString &fileName)
{
    nextFileName = fileName;
}

QString ImportPage::askFileName(bool save, const QString &caption, const QString &filter,
                                const QString &suggested)
{
    if (nextFileName) {
        const QString name = *nextFileName;
        nextFileName.reset();
        return name;
    }
    return save ? QFileDialog::getSaveFileName(this, caption, suggested, filter)
                : QFileDialog::getOpenFileName(this, caption, suggested, filter);
}

ImportKind ImportPage::chosenKind() const
{
    ImportKind kind;
    kind.kind = static_cast<ImportKind::Kind>(m_kindComboBox->currentData().toInt());
    kind.remove = removable(kind.kind) && m_removeCheckBox->isChecked();
    return kind;
}

void ImportPage::browse()
{
    const QString name = askFileName(false, tr("Import file"),
                                     tr("Import files (*.csv *.tsv *.txt *.jsonl *.ndjson);;All files (*)"),
                                     m_fileLineEdit->text());
    if (name.isEmpty())
        return;
    m_fileLineEdit->setText(name);
    openFile();
}

void ImportPage::openFile()
{
    if (isBusy())
        return;
    const QString path = m_fileLineEdit->text().trimmed();
    // The same file opened again (another kind) keeps the profile it was prepared for.
    const bool sameFile = m_fileOpen && path == m_preparer.path();
    m_reportListWidget->clear();
    m_progressLabel->clear();
    m_progressBar->setValue(0);
    m_messageLabel->clear();
    m_fileOpen = false;
    if (!path.isEmpty()) {
        QString error;
        m_fileOpen = m_preparer.open(path, chosenKind(), &error);
        if (m_fileOpen)
            showMessage(
                tr("%1: %n column(s); each maps to a target below, with types inferred from the first "
                   "rows.",
                   nullptr, int(m_preparer.headers().size()))
                    .arg(QFileInfo(path).fileName()));
        else
            showMessage(tr("The file cannot be read: %1").arg(error));
    }
    if (!sameFile)
        m_preparedFor = session()->profile().name;
    showMapping();
    updatePreview();
    updateControls();
    updateProfileNotice();
}

void ImportPage::updateProfileNotice()
{
    const QString current = session()->profile().name;
    // A file chosen before any profile was active belongs to the first one that is.
    if (m_preparedFor.isEmpty())
        m_preparedFor = current;
    const bool elsewhere = m_fileOpen && !current.isEmpty() && m_preparedFor != current;
    if (elsewhere)
        m_profileNoticeLabel->setText(tr("Prepared for profile %1 — check the mapping before importing into "
                                         "%2. Start asks to confirm.")
                                          .arg(m_preparedFor, current));
    m_profileNoticeLabel->setVisible(elsewhere);
}

QString ImportPage::preparedElsewhere() const
{
    if (m_preparedFor.isEmpty() || m_preparedFor == session()->profile().name)
        return QString();
    return tr("%1 and its mapping were prepared for the profile %2.")
        .arg(QFileInfo(m_preparer.path()).fileName(), m_preparedFor);
}

bool ImportPage::confirmPreparedProfile()
{
    const QString elsewhere = preparedElsewhere();
    const Profile &profile = session()->profile();
    // A removal and a production import ask anyway, and their question says it: one question.
    if (elsewhere.isEmpty() || m_preparer.kind().remove ||
        profile.environment == Profile::Environment::Production)
        return true;
    // Another workspace may name and type its properties differently: the user says the mapping
    // made for one profile is right for this one before any row goes there.
    const QString question = elsewhere + QLatin1Char(' ') +
                             tr("Import them into the profile %1 (%2)?")
                                 .arg(profile.name, Profile::environmentName(profile.environment));
    if (ConfirmationDialog::confirm(this, tr("Import"), question, QString()))
        return true;
    showMessage(tr("Nothing was sent: the file prepared for %1 was not confirmed for %2.")
                    .arg(m_preparedFor, profile.name));
    return false;
}

void ImportPage::reopen(bool keepMapping)
{
    if (!m_fileOpen) {
        if (!m_fileLineEdit->text().trimmed().isEmpty())
            openFile();
        return;
    }
    // The preparer takes the kind when it opens the file; a mapping the user made for the same
    // kind (only delete/remove changed) is put back.
    const QString mapping = m_preparer.mapping().toJson();
    openFile();
    if (!m_fileOpen || !keepMapping)
        return;
    QString error;
    if (m_preparer.mapping().fromJson(mapping, &error)) {
        showMapping();
        updatePreview();
    }
}

void ImportPage::kindChanged()
{
    updateRemoveCheckBox();
    reopen(false); // another kind: another default mapping (prop. vs meta., what is ignored)
    updateControls();
}

void ImportPage::removeChanged()
{
    reopen(true);
    updateControls();
}

void ImportPage::updateRemoveCheckBox()
{
    const ImportKind::Kind kind = static_cast<ImportKind::Kind>(m_kindComboBox->currentData().toInt());
    QString text;
    switch (kind) {
    case ImportKind::Kind::Users:
        text = tr("Delete these users");
        break;
    case ImportKind::Kind::Accounts:
        text = tr("Delete these accounts");
        break;
    case ImportKind::Kind::Memberships:
        text = tr("Remove these users from their accounts");
        break;
    default:
        text = tr("Delete / remove");
        break;
    }
    m_removeCheckBox->setText(text);
    if (!removable(kind)) {
        const QSignalBlocker blocker(m_removeCheckBox);
        m_removeCheckBox->setChecked(false);
    }
}

void ImportPage::showMapping()
{
    m_mappingModel->setMapping(m_fileOpen ? m_preparer.mapping() : ImportMapping());
    m_mappingTableView->resizeColumnToContents(ImportMappingModel::TypeColumn);
}

void ImportPage::mappingEdited()
{
    m_preparer.mapping() = m_mappingModel->mapping();
    // A check of another mapping says nothing about this one.
    m_reportListWidget->clear();
    m_progressLabel->clear();
    updatePreview();
}

void ImportPage::updatePreview()
{
    if (!m_fileOpen) {
        m_previewPlainTextEdit->clear();
        return;
    }
    QStringList blocks;
    QString mappingError;
    if (!m_preparer.mapping().check(m_preparer.kind().kind, &mappingError))
        blocks << tr("The mapping cannot be used yet: %1").arg(mappingError);
    const auto rows = m_preparer.preview(previewRows);
    if (rows.isEmpty())
        blocks << tr("The file has no rows.");
    for (const auto &entry : rows) {
        const ImportRecord &record = entry.first;
        const ApiRequest &request = entry.second.first;
        const QMap<QString, QString> &errors = entry.second.second;
        const QString where = tr("row %1 (line %2)").arg(record.number).arg(record.line);
        if (!errors.isEmpty()) {
            blocks << tr("%1: will not be sent: %2").arg(where, describeProblems(errors));
            continue;
        }
        // The body exactly as it goes on the wire (compact), not a re-indented copy.
        blocks << QStringLiteral("%1: %2 %3\n%4")
                      .arg(where, QString::fromLatin1(request.info().method), request.pathAndQuery(),
                           QString::fromUtf8(request.bodyBytes()));
    }
    if (m_preparer.kind().kind == ImportKind::Kind::Memberships)
        blocks << tr("Rows of the same account are sent together, up to 100 users per call.");
    m_previewPlainTextEdit->setPlainText(blocks.join(QLatin1String("\n\n")));
}

void ImportPage::loadMapping()
{
    if (isBusy() || !m_fileOpen)
        return;
    const QString path =
        askFileName(false, tr("Load mapping"), tr("Mapping files (*.json);;All files (*)"), QString());
    if (path.isEmpty())
        return;
    ImportMapping mapping = m_preparer.mapping();
    QString error;
    if (!mapping.load(path, &error)) {
        showMessage(tr("The mapping %1 cannot be loaded: %2").arg(path, error));
        return;
    }
    m_preparer.mapping() = mapping;
    showMapping();
    m_reportListWidget->clear();
    updatePreview();
    showMessage(tr("Mapping loaded from %1.").arg(path));
}

void ImportPage::saveMapping()
{
    if (isBusy() || !m_fileOpen)
        return;
    const QString suggested =
        QFileInfo(m_preparer.path())
            .dir()
            .filePath(QFileInfo(m_preparer.path()).completeBaseName() + QStringLiteral(".mapping.json"));
    const QString path =
        askFileName(true, tr("Save mapping"), tr("Mapping files (*.json);;All files (*)"), suggested);
    if (path.isEmpty())
        return;
    QString error;
    if (!m_preparer.mapping().save(path, &error))
        showMessage(tr("The mapping cannot be saved: %1").arg(error));
    else
        showMessage(tr("Mapping saved to %1; journy import --mapping reads it too.").arg(path));
}

bool ImportPage::checkMapping()
{
    QString error;
    if (m_preparer.mapping().check(m_preparer.kind().kind, &error))
        return true;
    showMessage(tr("The mapping cannot be used: %1").arg(error));
    return false;
}

ImportPreparer::ProgressSink ImportPage::progressSink()
{
    return [this](qint64 bytesRead, qint64 bytesTotal) {
        m_progressBar->setValue(permille(bytesRead, bytesTotal));
        QCoreApplication::processEvents();
        return !m_stopRequested;
    };
}

ImportPreparer::RowSink ImportPage::keepResponsive()
{
    // The preparer reports progress every few thousand rows; rows can be large (JSON Lines), so
    // the clock decides too.
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    return [clock](const ImportRecord &, const QMap<QString, QString> &) {
        if (clock->elapsed() < sliceMs)
            return;
        QCoreApplication::processEvents();
        clock->restart();
    };
}

void ImportPage::showProblems(const ImportPreparer::Report &report)
{
    m_reportListWidget->clear();
    for (const ImportPreparer::RowProblem &problem : report.problems) {
        auto *item = new QListWidgetItem(tr("row %1 (line %2): %3")
                                             .arg(problem.number)
                                             .arg(problem.line)
                                             .arg(describeProblems(problem.errors)),
                                         m_reportListWidget);
        item->setData(Qt::UserRole, problem.number);
        item->setData(Qt::UserRole + 1, problem.line);
    }
    if (report.invalid > report.problems.size())
        m_reportListWidget->addItem(
            tr("… and %n more row(s) with problems", nullptr, int(report.invalid - report.problems.size())));
    // The integration lint per rule, after the problems: advice on what valid rows would send.
    if (report.lintedRows < report.valid)
        m_reportListWidget->addItem(
            tr("lint: the first %1 valid row(s) of %2 were linted").arg(report.lintedRows).arg(report.valid));
    for (const ImportPreparer::LintCount &count : report.lint) {
        QStringList examples;
        for (const qint64 row : count.examples)
            examples << QString::number(row);
        auto *item = new QListWidgetItem(
            tr("lint %1 %2: %n row(s), e.g. %3 — %4", nullptr, int(count.rows))
                .arg(LintFinding::severityName(count.severity), count.rule,
                     examples.join(QStringLiteral(", ")),
                     count.path.isEmpty() ? count.text : count.path + QStringLiteral(": ") + count.text),
            m_reportListWidget);
        item->setData(Qt::UserRole, count.examples.value(0));
        item->setData(Qt::UserRole + 2, count.rule);
        item->setForeground(QColor(0x8d, 0x6e, 0x00)); // the forms' amber
    }
}

void ImportPage::check()
{
    if (isBusy() || !m_fileOpen || !checkMapping())
        return;
    m_activity = Activity::Checking;
    m_stopRequested = false;
    m_reportListWidget->clear();
    m_summaryLabel->clear();
    m_messageLabel->clear();
    m_progressBar->setValue(0);
    m_progressLabel->setText(tr("Checking every row…"));
    updateControls();

    ImportPreparer::Report report;
    QString error;
    const bool completed =
        m_preparer.scan(keepResponsive(), &report, &error, progressSink(), ImportPreparer::Lint::On);
    m_activity = Activity::Idle;
    showProblems(report);
    if (completed) {
        m_progressBar->setValue(progressScale);
        m_progressLabel->setText(
            tr("%n row(s) checked: %1 valid, %2 with problems; nothing was sent.", nullptr, int(report.rows))
                .arg(report.valid)
                .arg(report.invalid));
    } else if (m_stopRequested) {
        m_progressLabel->setText(
            tr("Check stopped after %n row(s): %1 valid, %2 with problems so far.", nullptr, int(report.rows))
                .arg(report.valid)
                .arg(report.invalid));
    } else {
        m_progressLabel->setText(tr("The check stopped after %n row(s).", nullptr, int(report.rows)));
        showMessage(tr("The file cannot be read to its end: %1").arg(error));
    }
    updateControls();
    emit checkFinished(completed);
}

bool ImportPage::openJournal(QString *error)
{
    if (m_journalOpen)
        return true;
    QDir().mkpath(QFileInfo(m_journalPath).absolutePath());
    QString openError;
    if (!m_journal.open(m_journalPath, &openError)) {
        *error = tr("The import journal %1 cannot be opened: %2").arg(m_journalPath, openError);
        return false;
    }
    m_journalOpen = true;
    return true;
}

bool ImportPage::confirmRemoval()
{
    const ImportKind kind = m_preparer.kind();
    if (!kind.remove)
        return true;
    const Profile &profile = session()->profile();
    const QString file = QFileInfo(m_preparer.path()).fileName();
    QString what;
    switch (kind.kind) {
    case ImportKind::Kind::Users:
        what = tr("Delete every user listed in %1").arg(file);
        break;
    case ImportKind::Kind::Accounts:
        what = tr("Delete every account listed in %1").arg(file);
        break;
    default:
        what = tr("Remove the users listed in %1 from their accounts").arg(file);
        break;
    }
    QString question = tr("%1 on the profile %2 (%3)?")
                           .arg(what, profile.name, Profile::environmentName(profile.environment));
    if (const QString elsewhere = preparedElsewhere(); !elsewhere.isEmpty())
        question = elsewhere + QLatin1Char(' ') + question;
    // On production a whole file of deletions asks for the profile's name to be typed.
    const bool production = profile.environment == Profile::Environment::Production;
    return ConfirmationDialog::confirm(
        this, kind.kind == ImportKind::Kind::Memberships ? tr("Remove") : tr("Delete"), question,
        production ? profile.name : QString());
}

bool ImportPage::confirmProductionImport(const QString &file, const ImportKind &kind, qint64 rows,
                                         const QString &note)
{
    const Profile &profile = session()->profile();
    if (profile.environment != Profile::Environment::Production)
        return true;
    const ApiOperation &operation = ApiOperation::info(kind.operation());
    QString question =
        tr("Send %n row(s) of %1 as %2 %3 (%4) to the production profile %5?", nullptr, int(rows))
            .arg(QFileInfo(file).fileName(), QString::fromLatin1(operation.method), operation.path,
                 operation.operationId, profile.name);
    if (!note.isEmpty())
        question = note + QLatin1Char(' ') + question;
    return ConfirmationDialog::confirm(this, tr("Import"), question, profile.name);
}

void ImportPage::start()
{
    if (isBusy() || !m_fileOpen || !m_startPushButton->isEnabled() || !checkMapping())
        return;
    QString error;
    if (!openJournal(&error)) {
        showMessage(error);
        return;
    }
    if (!confirmPreparedProfile() || !confirmRemoval())
        return;
    m_activity = Activity::Preparing;
    m_stopRequested = false;
    m_resumeNote.clear();
    m_failedRows = 0;
    m_warnedRows = 0;
    m_reportListWidget->clear();
    m_summaryLabel->clear();
    m_messageLabel->clear();
    m_progressBar->setValue(0);
    m_progressLabel->setText(tr("Writing every row to the import journal…"));
    updateControls();

    // The job records the profile, never the key; a resumed job goes back to the same profile.
    const QString target = session()->profile().name;
    const qint64 before = m_journal.latestUnfinishedJob();
    ImportPreparer::Report report;
    const qint64 jobId = m_preparer.enqueue(&m_journal, target, &report, &error, progressSink());
    if (jobId <= 0) {
        // The preparer creates the job before reading the file: a read that stopped half-way
        // leaves a job with only some rows, which "Resume last job" must never send.
        const qint64 partial = m_journal.latestUnfinishedJob();
        if (partial > before && m_journal.job(partial).file == m_preparer.path())
            m_journal.finishJob(partial);
        m_activity = Activity::Idle;
        m_progressBar->setValue(0);
        m_progressLabel->setText(m_stopRequested ? tr("Stopped before sending anything.")
                                                 : tr("Nothing was sent: %1").arg(error));
        updateControls();
        return;
    }
    m_jobId = jobId;
    showProblems(report);
    if (report.invalid > 0)
        showMessage(tr("%n row(s) do not pass pre-flight validation and will not be sent (see the report).",
                       nullptr, int(report.invalid)));
    if (session()->profile().name != target) {
        // The profile changed while the file was read: the job waits for its own profile.
        m_activity = Activity::Idle;
        showSummary(true, tr("The profile changed while the job was prepared; switch back to %1 and use "
                             "“Resume last job”.")
                              .arg(target));
        updateControls();
        return;
    }
    // Removals were asked before the file was read (confirmRemoval), on every profile.
    if (!m_preparer.kind().remove &&
        !confirmProductionImport(m_preparer.path(), m_preparer.kind(), report.valid, preparedElsewhere())) {
        // Not confirmed: the job is closed, so "Resume last job" can never send it unasked.
        m_journal.finishJob(jobId);
        m_activity = Activity::Idle;
        m_progressBar->setValue(0);
        m_progressLabel->setText(tr("Nothing was sent: the import to %1 was not confirmed.").arg(target));
        updateControls();
        return;
    }
    // Confirmed for this profile: the file and its mapping are its own now.
    m_preparedFor = session()->profile().name;
    updateProfileNotice();
    startImporter(jobId);
}

void ImportPage::startImporter(qint64 jobId)
{
    JournyClient *client = session()->client();
    if (!client || session()->state() != ConsoleSession::State::Ready) {
        m_activity = Activity::Idle;
        showSummary(true, tr("Not connected: the job waits in the journal; “Resume last job” sends it once "
                             "connected."));
        updateControls();
        return;
    }
    BulkImporter::Options options;
    options.rateCeiling = m_rateSpinBox->value();
    options.windowMs = 60000; // the ceiling is per minute, journy.io's window
    options.concurrency = m_concurrencySpinBox->value();
    m_importer = new BulkImporter(&m_journal, client, jobId, options, this);
    connect(m_importer, &BulkImporter::progressed, this, &ImportPage::showProgress);
    connect(m_importer, &BulkImporter::finished, this, &ImportPage::importerFinished);
    // The session retires its client when another profile is activated; the importer must not
    // send through it after that.
    m_clientDestroyed =
        connect(session(), &ConsoleSession::clientRetired, this, [this, client](JournyClient *retired) {
            if (retired == client)
                clientLost();
        });
    m_activity = Activity::Sending;
    m_pausePushButton->setText(tr("Pause"));
    BulkImporter::Progress initial;
    initial.counts = m_journal.counts(jobId);
    showProgress(initial);
    updateControls();
    m_importer->start();
}

void ImportPage::showProgress(const BulkImporter::Progress &progress)
{
    const BulkJournal::Counts &counts = progress.counts;
    const qint64 total = counts.total();
    m_progressBar->setValue(permille(counts.done + counts.failed, total));
    QString text = tr("%1 done / %2 failed / %3 remaining")
                       .arg(counts.done)
                       .arg(counts.failed)
                       .arg(counts.pending + counts.inFlight);
    if (m_activity == Activity::Sending)
        text += tr(" · %1 rows/s · ETA %2")
                    .arg(QLocale().toString(progress.ratePerSecond, 'f', 1), duration(progress.etaSeconds));
    if (m_importer && m_importer->isPaused())
        text += tr(" · paused");
    else if (m_activity == Activity::Sending && progress.rateLimitedMs > 0)
        text += QStringLiteral(" · ") + progress.rateLimitedNotice();
    m_progressLabel->setText(text);
}

void ImportPage::importerFinished(bool cancelled)
{
    disconnect(m_clientDestroyed);
    if (!cancelled)
        m_journal.finishJob(m_jobId);
    m_importer->deleteLater();
    m_importer = nullptr;
    m_activity = Activity::Idle;
    BulkImporter::Progress final;
    final.counts = m_journal.counts(m_jobId);
    showProgress(final);
    showSummary(cancelled, QString());
    updateControls();
    emit importFinished(cancelled);
}

void ImportPage::clientLost()
{
    // Called while the session retires the client (another profile, or the console closing): the
    // importer goes at once, before it sends more through a client that is no longer the
    // profile's. Its calls in flight still finish (into History), unseen by the journal: their
    // rows stay in flight there and are sent again at resume.
    disconnect(m_clientDestroyed);
    delete m_importer;
    m_importer = nullptr;
    m_activity = Activity::Idle;
    BulkImporter::Progress last;
    last.counts = m_journal.counts(m_jobId);
    showProgress(last);
    showSummary(true, tr("The profile changed while the job was being sent, so it stopped. Switch back to %1 "
                         "and use “Resume last job” to send the rest.")
                          .arg(m_journal.job(m_jobId).profile));
    updateControls();
    emit importFinished(true);
}

void ImportPage::showSummary(bool cancelled, const QString &note)
{
    const BulkJournal::Counts counts = m_journal.counts(m_jobId);
    m_failedRows = counts.failed;
    const QList<BulkJournal::Row> warned = m_journal.warnedRows(m_jobId);
    m_warnedRows = warned.size();
    const qint64 remaining = counts.pending + counts.inFlight;
    QStringList lines;
    lines << tr("Job %1: %2 of %n row(s) done, %3 failed.", nullptr, int(counts.total()))
                 .arg(m_jobId)
                 .arg(counts.done)
                 .arg(counts.failed);
    if (cancelled && remaining > 0)
        lines << tr("Stopped with %n row(s) not sent; “Resume last job” sends them.", nullptr,
                    int(remaining));
    if (!m_resumeNote.isEmpty())
        lines << m_resumeNote;
    if (!note.isEmpty())
        lines << note;
    const QList<BulkJournal::Row> duplicated = m_journal.duplicatedEvents(m_jobId);
    if (!duplicated.isEmpty()) {
        QStringList numbers;
        for (const BulkJournal::Row &row : duplicated) {
            if (numbers.size() == listedDuplicates)
                break;
            numbers << QString::number(row.number);
        }
        QString list = numbers.join(QLatin1String(", "));
        if (duplicated.size() > listedDuplicates)
            list += tr(" and %n more", nullptr, int(duplicated.size() - listedDuplicates));
        lines << tr("Possibly duplicated events (in flight when the job stopped, sent again): rows %1.")
                     .arg(list);
    }
    if (!warned.isEmpty())
        lines << BulkJournal::notStoredSummary(warned) +
                     tr(". “Export failed rows…” writes them too, marked as a warning.");
    if (counts.failed > 0)
        lines << tr(
            "The failed rows are listed above; “Export failed rows…” writes them as CSV with an error "
            "column.");
    m_summaryLabel->setText(lines.join(QLatin1Char('\n')));

    m_reportListWidget->clear();
    if (counts.failed == 0)
        return;
    const QList<BulkJournal::Row> failed = m_journal.failedRows(m_jobId);
    for (const BulkJournal::Row &row : failed) {
        if (m_reportListWidget->count() == listedRows)
            break;
        QStringList details;
        for (auto it = row.fieldErrors.begin(); it != row.fieldErrors.end(); ++it)
            details << QStringLiteral("%1: %2").arg(it.key(), it.value().toString());
        auto *item =
            new QListWidgetItem(tr("row %1 (line %2): %3")
                                    .arg(row.number)
                                    .arg(row.line)
                                    .arg(details.isEmpty() ? row.error : details.join(QLatin1String("; "))),
                                m_reportListWidget);
        item->setData(Qt::UserRole, row.number);
        item->setData(Qt::UserRole + 1, row.line);
    }
    if (failed.size() > listedRows)
        m_reportListWidget->addItem(
            tr("… and %n more failed row(s)", nullptr, int(failed.size() - listedRows)));
}

void ImportPage::togglePause()
{
    if (!m_importer)
        return;
    if (m_importer->isPaused()) {
        m_importer->resume();
        m_pausePushButton->setText(tr("Pause"));
    } else {
        m_importer->pause();
        m_pausePushButton->setText(tr("Resume"));
    }
    BulkImporter::Progress now = m_importer->progress();
    showProgress(now);
}

void ImportPage::cancel()
{
    if (m_activity == Activity::Checking || m_activity == Activity::Preparing) {
        m_stopRequested = true;
        return;
    }
    if (!m_importer)
        return;
    // finished(true) follows once the requests in flight are answered.
    m_cancelPushButton->setEnabled(false);
    m_pausePushButton->setEnabled(false);
    m_progressLabel->setText(tr("Cancelling: waiting for the requests in flight…"));
    m_importer->cancel();
}

void ImportPage::resumeLastJob()
{
    if (isBusy())
        return;
    QString error;
    if (!openJournal(&error)) {
        showMessage(error);
        return;
    }
    const qint64 jobId = m_journal.latestUnfinishedJob();
    if (jobId <= 0) {
        showMessage(tr("There is no unfinished import job to resume."));
        return;
    }
    const BulkJournal::Job job = m_journal.job(jobId);
    if (!job.prepared) {
        showMessage(tr("Job %1 stopped while %2 was being prepared; finish it with: journy import "
                       "--resume %1")
                        .arg(jobId)
                        .arg(job.file));
        return;
    }
    // A job goes only where it was meant to go: one started for staging must not land in
    // production because that profile happens to be active now. The CLI records a profile name
    // or, with --base-url, the URL.
    const Profile &profile = session()->profile();
    JournyClient *client = session()->client();
    const bool sameTarget = job.profile == profile.name ||
                            (client && QUrl(job.profile).adjusted(QUrl::StripTrailingSlash) ==
                                           client->config().baseUrl.adjusted(QUrl::StripTrailingSlash));
    if (!sameTarget) {
        showMessage(tr("Job %1 was started for %2; switch to that profile to resume it.")
                        .arg(jobId)
                        .arg(job.profile));
        return;
    }
    const Operation operation = job.kind.operation();
    if (!session()->allows(operation)) {
        showMessage(tr("The key of %1 may not send %2, which job %3 needs.")
                        .arg(profile.name, ApiOperation::info(operation).operationId)
                        .arg(jobId));
        return;
    }
    if (!client || session()->state() != ConsoleSession::State::Ready) {
        showMessage(tr("Not connected to %1.").arg(profile.name));
        return;
    }
    // A resumed job sends to production as a new one would: asked, naming what is left to send,
    // whoever started it (the CLI, another session) and whatever it was asked then.
    const BulkJournal::Counts counts = m_journal.counts(jobId);
    if (!confirmProductionImport(job.file, job.kind, counts.pending + counts.inFlight, QString())) {
        showMessage(tr("Job %1 was not resumed: sending to %2 was not confirmed. Nothing was sent; "
                       "“Resume last job” asks again.")
                        .arg(jobId)
                        .arg(profile.name));
        return;
    }
    const int recovered = m_journal.recoverInFlight(jobId);
    m_jobId = jobId;
    m_failedRows = 0;
    m_warnedRows = 0;
    m_resumeNote.clear();
    if (recovered > 0)
        m_resumeNote =
            tr("%n row(s) were in flight when the job stopped and were sent again.", nullptr, recovered) +
            (job.kind.kind == ImportKind::Kind::Events
                 ? tr(" Events among them may now be recorded twice; they are listed below.")
                 : QString());
    m_reportListWidget->clear();
    m_summaryLabel->clear();
    showMessage(tr("Resuming job %1: %2 from %3.").arg(jobId).arg(ImportKind::name(job.kind.kind), job.file));
    startImporter(jobId);
}

void ImportPage::exportFailedRows()
{
    if (isBusy() || m_jobId <= 0 || !m_journalOpen)
        return;
    const QString source = m_journal.job(m_jobId).file;
    const QString suggested = QFileInfo(source).dir().filePath(QFileInfo(source).completeBaseName() +
                                                               QStringLiteral("-failed.csv"));
    const QString path =
        askFileName(true, tr("Export failed rows"), tr("CSV files (*.csv);;All files (*)"), suggested);
    if (path.isEmpty())
        return;
    QString error;
    if (!FailedRowsCsv::write(m_journal, m_jobId, path, &error))
        showMessage(tr("The failed rows cannot be written: %1").arg(error));
    else
        showMessage(tr("%n failed row(s)", nullptr, int(m_failedRows)) +
                    (m_warnedRows > 0
                         ? tr(" and %n row(s) with properties not stored", nullptr, int(m_warnedRows))
                         : QString()) +
                    tr(" written to %1.").arg(path));
}

void ImportPage::showMessage(const QString &text)
{
    m_messageLabel->setText(text);
}

void ImportPage::updateControls()
{
    const bool idle = m_activity == Activity::Idle;
    const bool ready = session()->state() == ConsoleSession::State::Ready && session()->client();
    const ImportKind kind = chosenKind();
    const Operation operation = kind.operation();
    const bool allowed = session()->allows(operation);

    for (QWidget *widget :
         {static_cast<QWidget *>(m_fileLineEdit), static_cast<QWidget *>(m_browsePushButton),
          static_cast<QWidget *>(m_kindComboBox), static_cast<QWidget *>(m_mappingTableView),
          static_cast<QWidget *>(m_rateSpinBox), static_cast<QWidget *>(m_concurrencySpinBox)})
        widget->setEnabled(idle);
    m_removeCheckBox->setEnabled(idle && removable(kind.kind));
    m_loadMappingPushButton->setEnabled(idle && m_fileOpen);
    m_saveMappingPushButton->setEnabled(idle && m_fileOpen);
    m_checkPushButton->setEnabled(idle && m_fileOpen);

    QString startProblem;
    if (!ready)
        startProblem =
            session()->problem().isEmpty() ? tr("Not connected to a profile.") : session()->problem();
    else if (!allowed)
        startProblem = tr("The key of %1 may not send %2 (it needs the %3 permission).")
                           .arg(session()->profile().name, ApiOperation::info(operation).operationId,
                                ApiOperation::info(operation).permission);
    else if (!m_fileOpen)
        startProblem = tr("Choose a file first.");
    m_startPushButton->setEnabled(idle && startProblem.isEmpty());
    m_startPushButton->setToolTip(startProblem.isEmpty()
                                      ? tr("Writes every row to the import journal, then sends them to %1")
                                            .arg(session()->profile().name)
                                      : startProblem);
    m_pausePushButton->setEnabled(m_activity == Activity::Sending);
    m_cancelPushButton->setEnabled(!idle);
    m_resumePushButton->setEnabled(idle && ready);
    m_exportFailedPushButton->setEnabled(idle && m_journalOpen && m_jobId > 0 &&
                                         m_failedRows + m_warnedRows > 0);
}

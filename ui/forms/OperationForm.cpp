#include "ui/forms/OperationForm.h"

#include "api/ApiReply.h"
#include "api/IntegrationLint.h"
#include "api/JsonSyntaxError.h"
#include "api/RequestValidator.h"
#include "ui/catalog/CatalogCache.h"
#include "ui/forms/FieldTableEditor.h"
#include "ui/forms/FormField.h"
#include "ui/forms/ResponsePanel.h"
#include "ui/forms/TypedFieldModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"
#include "ui/widgets/ElidedLabel.h"
#include "ui/widgets/JsonHighlighter.h"

#include <QAction>
#include <QCheckBox>
#include <QCompleter>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStringListModel>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTextCursor>
#include <QTimer>
#include <QVBoxLayout>

namespace {

bool isUserOperation(Operation operation)
{
    return operation == Operation::UpsertUser || operation == Operation::DeleteUser ||
           operation == Operation::Link;
}

bool isAccountOperation(Operation operation)
{
    return operation == Operation::UpsertAccount || operation == Operation::DeleteAccount;
}

bool isMembership(Operation operation)
{
    return operation == Operation::AddUsersToAccount || operation == Operation::RemoveUsersFromAccount;
}

bool isEvent(Operation operation)
{
    return operation == Operation::TrackEvent || operation == Operation::TrackLegacyEvent;
}

// "u-1\n\nann@acme.com" -> a userId and an email (a line with an @ is an email), and the 1-based
// line each was typed on (1 and 3): blank lines are skipped, so users.N is not line N + 1.
QList<UserIdentification> usersFromText(const QString &text, QList<int> *lineNumbers = nullptr)
{
    QList<UserIdentification> users;
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString trimmed = lines.at(i).trimmed();
        if (trimmed.isEmpty())
            continue;
        users.append(trimmed.contains(QLatin1Char('@')) ? UserIdentification{QString(), trimmed}
                                                        : UserIdentification{trimmed, QString()});
        if (lineNumbers)
            lineNumbers->append(i + 1);
    }
    return users;
}

// The typed line a path of the users list names ("users.2.identification.email" -> the line of
// the third user), 0 when it names no user of the list.
int typedLine(const QString &path, const QList<int> &userLines)
{
    static const QRegularExpression userPath(QStringLiteral("^users\\.(\\d+)(\\..*)?$"));
    const QRegularExpressionMatch match = userPath.match(path);
    if (!match.hasMatch())
        return 0;
    bool ok = false;
    const int index = match.captured(1).toInt(&ok);
    return ok && index < userLines.size() ? userLines.at(index) : 0;
}

constexpr int FormTab = 0;
constexpr int JsonTab = 1;

// The paths of wanted that shown does not hold as they are: what the form has no place for.
void differences(const QJsonValue &wanted, const QJsonValue &shown, const QString &path, QStringList *out)
{
    if (wanted.isObject() && shown.isObject()) {
        const QJsonObject wantedObject = wanted.toObject();
        const QJsonObject shownObject = shown.toObject();
        for (auto it = wantedObject.begin(); it != wantedObject.end(); ++it)
            differences(it.value(), shownObject.value(it.key()),
                        path.isEmpty() ? it.key() : path + QLatin1Char('.') + it.key(), out);
        return;
    }
    if (wanted != shown)
        out->append(path);
}

} // namespace

OperationForm::OperationForm(Operation operation, ConsoleSession *session, CatalogCache *catalog,
                             QWidget *parent)
    : QWidget(parent), m_operation(operation), m_session(session), m_catalog(catalog),
      m_tabWidget(new QTabWidget(this)), m_jsonPlainTextEdit(new QPlainTextEdit(this)),
      m_resetJsonPushButton(new QPushButton(tr("Rebuild from the form"), this)),
      m_sendPushButton(new QPushButton(tr("Send"), this)), m_connectionLabel(new ElidedLabel(this)),
      m_responsePanel(new ResponsePanel(this))
{
    const ApiOperation &info = ApiOperation::info(operation);
    setObjectName(info.operationId + QStringLiteral("OperationForm"));
    m_tabWidget->setObjectName(QStringLiteral("formTabWidget"));
    m_jsonPlainTextEdit->setObjectName(QStringLiteral("jsonPlainTextEdit"));
    m_resetJsonPushButton->setObjectName(QStringLiteral("resetJsonPushButton"));
    m_sendPushButton->setObjectName(QStringLiteral("sendPushButton"));
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_sendPushButton->setAccessibleName(tr("Send the request"));
    m_jsonPlainTextEdit->setAccessibleName(tr("Request body as JSON"));

    auto *formPage = new QWidget(this);
    auto *form = new QFormLayout;
    auto *formLayout = new QVBoxLayout(formPage);
    formLayout->addLayout(form);

    if (isEvent(operation)) {
        FormField *name = addLineField(QStringLiteral("eventNameLineEdit"), tr("Event name"),
                                       tr("The name of the event, e.g. Invoice paid"), form);
        m_eventNameLineEdit = qobject_cast<QLineEdit *>(name->editor());
        m_fields.insert(QStringLiteral("name"), name);
        if (m_catalog) {
            auto *completer = new QCompleter(m_catalog->eventNames(), m_eventNameLineEdit);
            completer->setCaseSensitivity(Qt::CaseInsensitive);
            m_eventNameLineEdit->setCompleter(completer);
            m_catalog->ensureWhenShown(m_eventNameLineEdit, CatalogCache::List::Events);
            connect(m_catalog, &CatalogCache::changed, completer, [this, completer] {
                completer->setModel(new QStringListModel(m_catalog->eventNames(), completer));
            });
        }
    }
    if (operation == Operation::Link) {
        FormField *device =
            addLineField(QStringLiteral("deviceIdLineEdit"), tr("Device ID"),
                         tr("The value of the __journey cookie set by the journy.io snippet"), form);
        m_deviceIdLineEdit = qobject_cast<QLineEdit *>(device->editor());
        m_fields.insert(QStringLiteral("deviceId"), device);
    }
    if (isUserOperation(operation) || isEvent(operation)) {
        const QString prefix =
            isEvent(operation) ? QStringLiteral("identification.user") : QStringLiteral("identification");
        FormField *userId = addLineField(QStringLiteral("userIdLineEdit"), tr("User ID"),
                                         tr("Unique identifier for the user in your database"), form);
        FormField *email =
            addLineField(QStringLiteral("emailLineEdit"), tr("Email"), tr("Email address of the user"), form);
        m_userIdLineEdit = qobject_cast<QLineEdit *>(userId->editor());
        m_emailLineEdit = qobject_cast<QLineEdit *>(email->editor());
        m_fields.insert(prefix, userId);
        m_fields.insert(prefix + QStringLiteral(".userId"), userId);
        m_fields.insert(prefix + QStringLiteral(".email"), email);
        if (isEvent(operation))
            m_fields.insert(QStringLiteral("identification"), userId);
    }
    if (isAccountOperation(operation) || isMembership(operation) || isEvent(operation)) {
        const QString prefix = isMembership(operation) ? QStringLiteral("account")
                               : isEvent(operation)    ? QStringLiteral("identification.account")
                                                       : QStringLiteral("identification");
        FormField *accountId = addLineField(QStringLiteral("accountIdLineEdit"), tr("Account ID"),
                                            tr("Unique identifier for the account in your database"), form);
        FormField *domain = addLineField(QStringLiteral("domainLineEdit"), tr("Domain"),
                                         tr("The account's domain, e.g. acme.com"), form);
        m_accountIdLineEdit = qobject_cast<QLineEdit *>(accountId->editor());
        m_domainLineEdit = qobject_cast<QLineEdit *>(domain->editor());
        m_fields.insert(prefix, accountId);
        m_fields.insert(prefix + QStringLiteral(".accountId"), accountId);
        m_fields.insert(prefix + QStringLiteral(".domain"), domain);
    }
    if (isMembership(operation)) {
        m_usersPlainTextEdit = new QPlainTextEdit(this);
        m_usersPlainTextEdit->setObjectName(QStringLiteral("usersPlainTextEdit"));
        m_usersPlainTextEdit->setAccessibleName(tr("Users"));
        m_usersPlainTextEdit->setPlaceholderText(
            tr("One user per line: a user ID, or an email (1 to 100 users)"));
        m_usersPlainTextEdit->setMaximumHeight(120);
        // A tab is never part of a user list: Tab moves on, as in every other field.
        m_usersPlainTextEdit->setTabChangesFocus(true);
        auto *users = new FormField(m_usersPlainTextEdit, this);
        form->addRow(tr("Users"), users);
        m_fields.insert(QStringLiteral("users"), users);
    }
    if (isEvent(operation)) {
        FormField *at =
            addLineField(QStringLiteral("triggeredAtLineEdit"), tr("Triggered at"),
                         tr("ISO 8601 date-time; leave empty for the time journy.io receives it"), form);
        m_triggeredAtLineEdit = qobject_cast<QLineEdit *>(at->editor());
        m_triggeredAtLineEdit->setPlaceholderText(tr("now, or e.g. 2024-05-01T10:00:00Z"));
        m_fields.insert(QStringLiteral("triggeredAt"), at);
        m_legacyCheckBox = new QCheckBox(tr("Send to the deprecated POST /events"), this);
        m_legacyCheckBox->setObjectName(QStringLiteral("legacyCheckBox"));
        m_legacyCheckBox->setChecked(operation == Operation::TrackLegacyEvent);
        form->addRow(QString(), m_legacyCheckBox);
        connect(m_legacyCheckBox, &QCheckBox::toggled, this, [this](bool legacy) {
            m_operation = legacy ? Operation::TrackLegacyEvent : Operation::TrackEvent;
            updateSendState();
        });
    }
    if (operation == Operation::UpsertUser || operation == Operation::UpsertAccount || isEvent(operation)) {
        const bool metadata = isEvent(operation);
        const bool users = operation == Operation::UpsertUser;
        CatalogCache *catalogCache = m_catalog;
        m_fieldTable = new FieldTableEditor(
            metadata ? QStringLiteral("metadata") : QStringLiteral("properties"), metadata,
            [catalogCache, metadata, users] {
                if (!catalogCache || metadata)
                    return QStringList();
                return users ? catalogCache->userPropertyNames() : catalogCache->accountPropertyNames();
            },
            this);
        // Errors on "properties.NAME" mark their rows in the table itself (see showErrors).
        formLayout->addWidget(new QLabel(metadata ? tr("Metadata") : tr("Properties"), this));
        formLayout->addWidget(m_fieldTable, 1);
        if (m_catalog && !metadata) // the property names it completes
            m_catalog->ensureWhenShown(m_fieldTable, users ? CatalogCache::List::UserProperties
                                                           : CatalogCache::List::AccountProperties);
        connect(m_fieldTable->model(), &QAbstractItemModel::dataChanged, this, [this] { refreshJson(); });
        connect(m_fieldTable->model(), &QAbstractItemModel::rowsRemoved, this, [this] { refreshJson(); });
        connect(m_fieldTable->model(), &QAbstractItemModel::rowsInserted, this, [this] { refreshJson(); });
        connect(m_fieldTable->model(), &QAbstractItemModel::modelReset, this, [this] { refreshJson(); });
    } else {
        formLayout->addStretch();
    }

    // The JSON tab: the exact body, editable. The tab the user is on is what Send sends, and a
    // switch converts (see tabChanged), so the form and the JSON never disagree unseen.
    auto *jsonPage = new QWidget(this);
    auto *jsonLayout = new QVBoxLayout(jsonPage);
    m_jsonPlainTextEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new JsonHighlighter(m_jsonPlainTextEdit->document());
    m_jsonField = new FormField(m_jsonPlainTextEdit, jsonPage);
    jsonLayout->addWidget(new QLabel(
        tr("The exact body Send sends from this tab. Back on Form, the form shows it."), jsonPage));
    jsonLayout->addWidget(m_jsonField, 1);
    jsonLayout->addWidget(m_resetJsonPushButton, 0, Qt::AlignLeft);
    // A tall form (the event's) scrolls rather than making the window taller than a laptop's screen.
    auto *formScrollArea = new QScrollArea(this);
    formScrollArea->setObjectName(QStringLiteral("formScrollArea"));
    formScrollArea->setWidgetResizable(true);
    formScrollArea->setFrameShape(QFrame::NoFrame);
    formScrollArea->setFocusPolicy(Qt::NoFocus); // Tab goes to the fields, which it scrolls into view
    formScrollArea->setWidget(formPage);
    m_tabWidget->addTab(formScrollArea, tr("Form"));
    if (info.hasBody)
        m_tabWidget->addTab(jsonPage, tr("JSON"));
    else
        jsonPage->hide();

    m_noteLineEdit = new QLineEdit(this);
    m_noteLineEdit->setObjectName(QStringLiteral("noteLineEdit"));
    m_noteLineEdit->setPlaceholderText(tr("Note, e.g. ticket SUP-1234 (kept in History, never sent)"));
    m_noteLineEdit->setAccessibleName(tr("Note"));
    m_noteLineEdit->setToolTip(tr("A note for History (a ticket reference, say): it is searchable there, "
                                  "exported and shown in Copy as curl, and never sent to the server"));
    m_noteLineEdit->setMaxLength(200);
    m_noteLineEdit->setClearButtonEnabled(true);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_sendPushButton);
    sendRow->addWidget(m_noteLineEdit, 1);
    sendRow->addWidget(m_connectionLabel, 1);
    m_lintLabel = new QLabel(this);
    m_lintLabel->setObjectName(QStringLiteral("lintLabel"));
    m_lintLabel->setWordWrap(true);
    m_lintLabel->setStyleSheet(QStringLiteral("color: #8d6e00;")); // the fields' amber (FormField)
    m_lintLabel->hide();
    auto *top = new QWidget(this);
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_tabWidget, 1);
    topLayout->addWidget(m_lintLabel);
    topLayout->addLayout(sendRow);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(top);
    splitter->addWidget(m_responsePanel);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(splitter);

    // Tab follows the form top to bottom, then Send, then the answer (the widgets were made in
    // another order: Send and the response panel first).
    QList<QWidget *> tabOrder{m_tabWidget->tabBar()};
    for (int row = 0; row < form->rowCount(); ++row) {
        if (QLayoutItem *item = form->itemAt(row, QFormLayout::FieldRole); item && item->widget()) {
            auto *field = qobject_cast<FormField *>(item->widget());
            tabOrder << (field ? field->editor() : item->widget());
        }
    }
    if (m_fieldTable) {
        for (QWidget *child : m_fieldTable->findChildren<QWidget *>(Qt::FindDirectChildrenOnly))
            tabOrder << child;
    }
    tabOrder << m_jsonPlainTextEdit << m_resetJsonPushButton;
    // What the send row holds besides Send is typed before sending: it comes first.
    for (int i = 0; i < sendRow->count(); ++i) {
        QWidget *widget = sendRow->itemAt(i)->widget();
        if (widget && widget != m_sendPushButton && (widget->focusPolicy() & Qt::TabFocus))
            tabOrder << widget;
    }
    tabOrder << m_sendPushButton << m_responsePanel->tabOrder();
    for (qsizetype i = 1; i < tabOrder.size(); ++i)
        QWidget::setTabOrder(tabOrder.at(i - 1), tabOrder.at(i));

    // An action, not a QShortcut: the Keyboard shortcuts dialog lists the window's actions.
    auto *sendAction = new QAction(tr("Send"), this);
    sendAction->setObjectName(QStringLiteral("sendAction"));
    sendAction->setShortcuts(
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    sendAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(sendAction, &QAction::triggered, this, &OperationForm::send);
    addAction(sendAction);
    m_sendPushButton->setToolTip(
        tr("Send (%1)").arg(sendAction->shortcut().toString(QKeySequence::NativeText)));
    connect(m_sendPushButton, &QPushButton::clicked, this, &OperationForm::send);
    connect(m_tabWidget, &QTabWidget::currentChanged, this, &OperationForm::tabChanged);
    connect(m_resetJsonPushButton, &QPushButton::clicked, this, [this] {
        clearErrors();
        QMap<QString, QString> errors;
        if (!formToJson(&errors))
            showErrors(errors);
    });
    connect(m_session, &ConsoleSession::stateChanged, this, &OperationForm::updateSendState);
    connect(m_session, &ConsoleSession::stateChanged, this, [this] {
        const QString active = m_session->profile().name;
        // Still on its way to the profile it was sent with, whichever is active now.
        if (m_reply && m_replyProfile != active) {
            m_responsePanel->showNotice(tr("Sending with the profile %1 (sent before the switch to %2)…")
                                            .arg(m_replyProfile, active));
            return;
        }
        // Another profile's answer and errors must not read as this one's.
        if (!m_reply && !m_shownProfile.isEmpty() && m_shownProfile != active) {
            m_shownProfile.clear();
            m_responsePanel->clear();
            clearErrors();
        }
    });
    connect(m_session, &ConsoleSession::permissionsChanged, this, &OperationForm::updateSendState);
    updateSendState();

    // Lint once typing pauses: every change to what Send would send passes through one of these
    // (the form rewrites the JSON text on each edit it can read).
    m_lintTimer = new QTimer(this);
    m_lintTimer->setSingleShot(true);
    m_lintTimer->setInterval(LintDelayMs);
    connect(m_lintTimer, &QTimer::timeout, this, &OperationForm::lint);
    connect(m_jsonPlainTextEdit, &QPlainTextEdit::textChanged, this, &OperationForm::scheduleLint);
    connect(m_tabWidget, &QTabWidget::currentChanged, this, &OperationForm::scheduleLint);
    for (FormField *field : std::as_const(m_fields)) {
        if (auto *line = qobject_cast<QLineEdit *>(field->editor()))
            connect(line, &QLineEdit::textChanged, this, &OperationForm::scheduleLint);
    }
    if (m_usersPlainTextEdit)
        connect(m_usersPlainTextEdit, &QPlainTextEdit::textChanged, this, &OperationForm::scheduleLint);
    if (m_legacyCheckBox)
        connect(m_legacyCheckBox, &QCheckBox::toggled, this, &OperationForm::scheduleLint);
    if (m_catalog) // a name the catalog now knows may make another a near-duplicate
        connect(m_catalog, &CatalogCache::changed, this, &OperationForm::scheduleLint);
    scheduleLint();
}

FormField *OperationForm::addLineField(const QString &objectName, const QString &label,
                                       const QString &tooltip, QFormLayout *form)
{
    auto *edit = new QLineEdit(this);
    edit->setObjectName(objectName);
    edit->setAccessibleName(label);
    edit->setToolTip(tooltip);
    edit->setPlaceholderText(tooltip);
    auto *field = new FormField(edit, this);
    form->addRow(label, field);
    connect(edit, &QLineEdit::textChanged, this, [this] { refreshJson(); });
    return field;
}

Operation OperationForm::operation() const
{
    return m_operation;
}

bool OperationForm::handles(Operation operation) const
{
    return operation == m_operation || (isEvent(operation) && isEvent(m_operation));
}

bool OperationForm::onJsonTab() const
{
    return m_tabWidget->currentIndex() == JsonTab;
}

bool OperationForm::buildRequest(ApiRequest *request, QMap<QString, QString> *errors) const
{
    const bool ok = onJsonTab() ? jsonRequest(request, errors) : formRequest(request, errors);
    request->note = m_noteLineEdit->text();
    return ok;
}

bool OperationForm::jsonRequest(ApiRequest *request, QMap<QString, QString> *errors) const
{
    QJsonDocument document;
    JsonSyntaxError error;
    if (!JsonSyntaxError::parse(m_jsonPlainTextEdit->toPlainText(), &document, &error)) {
        errors->insert(QStringLiteral("json"), tr("Not valid JSON, %1").arg(error.describe()));
        return false;
    }
    if (!document.isObject()) {
        errors->insert(QStringLiteral("json"), tr("The body must be a JSON object"));
        return false;
    }
    *request = ApiRequest::raw(m_operation, document.object());
    return true;
}

bool OperationForm::formRequest(ApiRequest *request, QMap<QString, QString> *errors) const
{
    const UserIdentification user{m_userIdLineEdit ? m_userIdLineEdit->text().trimmed() : QString(),
                                  m_emailLineEdit ? m_emailLineEdit->text().trimmed() : QString()};
    const AccountIdentification account{m_accountIdLineEdit ? m_accountIdLineEdit->text().trimmed()
                                                            : QString(),
                                        m_domainLineEdit ? m_domainLineEdit->text().trimmed() : QString()};
    QList<TypedField> fields;
    if (m_fieldTable) {
        QMap<QString, QString> valueErrors;
        if (!m_fieldTable->model()->fields(&fields, &valueErrors)) {
            const QString prefix =
                isEvent(m_operation) ? QStringLiteral("metadata.") : QStringLiteral("properties.");
            for (auto it = valueErrors.begin(); it != valueErrors.end(); ++it)
                errors->insert(prefix + it.key(), it.value());
            return false;
        }
    }
    switch (m_operation) {
    case Operation::UpsertUser:
        *request = ApiRequest::upsertUser(user, fields);
        break;
    case Operation::DeleteUser:
        *request = ApiRequest::deleteUser(user);
        break;
    case Operation::UpsertAccount:
        *request = ApiRequest::upsertAccount(account, fields);
        break;
    case Operation::DeleteAccount:
        *request = ApiRequest::deleteAccount(account);
        break;
    case Operation::AddUsersToAccount:
        *request = ApiRequest::addUsersToAccount(account, usersFromText(m_usersPlainTextEdit->toPlainText()));
        break;
    case Operation::RemoveUsersFromAccount:
        *request =
            ApiRequest::removeUsersFromAccount(account, usersFromText(m_usersPlainTextEdit->toPlainText()));
        break;
    case Operation::TrackEvent:
        *request = ApiRequest::trackEvent(m_eventNameLineEdit->text().trimmed(), user, account, fields,
                                          m_triggeredAtLineEdit->text().trimmed());
        break;
    case Operation::TrackLegacyEvent:
        *request = ApiRequest::trackLegacyEvent(m_eventNameLineEdit->text().trimmed(), user, account, fields,
                                                m_triggeredAtLineEdit->text().trimmed());
        break;
    case Operation::Link:
        *request = ApiRequest::link(m_deviceIdLineEdit->text().trimmed(), user);
        break;
    default:
        *request = ApiRequest::raw(m_operation, {});
        break;
    }
    return true;
}

void OperationForm::loadRequest(const ApiRequest &request)
{
    m_noteLineEdit->setText(request.note);
    fillForm(request);
    ApiRequest shown;
    QMap<QString, QString> errors;
    const bool fits = formRequest(&shown, &errors) && shown.body == request.body;
    clearErrors();
    if (fits || m_tabWidget->count() <= JsonTab) {
        setTab(FormTab);
        refreshJson();
        lint();
        return;
    }
    // A body the form cannot show (History's raw JSON, say) opens on the JSON tab, whole.
    setTab(JsonTab);
    m_jsonPlainTextEdit->setPlainText(
        QString::fromUtf8(QJsonDocument(request.body).toJson(QJsonDocument::Indented)));
    lint();
}

void OperationForm::fillForm(const ApiRequest &request)
{
    const QJsonObject body = request.body;
    if (m_legacyCheckBox)
        m_legacyCheckBox->setChecked(request.operation == Operation::TrackLegacyEvent);
    QJsonObject userJson;
    QJsonObject accountJson;
    if (isEvent(request.operation)) {
        const QJsonObject identification = body.value(QLatin1String("identification")).toObject();
        userJson = identification.value(QLatin1String("user")).toObject();
        accountJson = identification.value(QLatin1String("account")).toObject();
        m_eventNameLineEdit->setText(body.value(QLatin1String("name")).toString());
        m_triggeredAtLineEdit->setText(body.value(QLatin1String("triggeredAt")).toString());
    } else if (isMembership(request.operation)) {
        accountJson = body.value(QLatin1String("account")).toObject();
        QStringList lines;
        for (const QJsonValue &user : body.value(QLatin1String("users")).toArray()) {
            const UserIdentification id = UserIdentification::fromJson(
                user.toObject().value(QLatin1String("identification")).toObject());
            lines << (id.userId.isEmpty() ? id.email : id.userId);
        }
        m_usersPlainTextEdit->setPlainText(lines.join(QLatin1Char('\n')));
    } else if (isAccountOperation(request.operation)) {
        accountJson = body.value(QLatin1String("identification")).toObject();
    } else {
        userJson = body.value(QLatin1String("identification")).toObject();
    }
    if (m_deviceIdLineEdit)
        m_deviceIdLineEdit->setText(body.value(QLatin1String("deviceId")).toString());
    if (m_userIdLineEdit) {
        const UserIdentification user = UserIdentification::fromJson(userJson);
        m_userIdLineEdit->setText(user.userId);
        m_emailLineEdit->setText(user.email);
    }
    if (m_accountIdLineEdit) {
        const AccountIdentification account = AccountIdentification::fromJson(accountJson);
        m_accountIdLineEdit->setText(account.accountId);
        m_domainLineEdit->setText(account.domain);
    }
    if (m_fieldTable) {
        const QJsonObject values =
            body.value(isEvent(request.operation) ? QLatin1String("metadata") : QLatin1String("properties"))
                .toObject();
        QList<TypedField> fields;
        for (auto it = values.begin(); it != values.end(); ++it)
            fields.append(TypedField{it.key(), TypedValue::fromJson(it.value())});
        m_fieldTable->model()->setFields(fields);
    }
}

void OperationForm::refreshJson()
{
    // On the JSON tab its text is the user's; the next switch to it shows the form's body.
    // m_tab, not the tab widget: during a switch the widget is already on the new tab.
    if (m_converting || m_tab == JsonTab)
        return;
    QMap<QString, QString> errors;
    formToJson(&errors);
}

bool OperationForm::formToJson(QMap<QString, QString> *errors)
{
    ApiRequest request;
    if (!formRequest(&request, errors))
        return false;
    m_jsonPlainTextEdit->setPlainText(
        QString::fromUtf8(QJsonDocument(request.body).toJson(QJsonDocument::Indented)));
    return true;
}

bool OperationForm::jsonToForm(QString *why)
{
    ApiRequest wanted;
    QMap<QString, QString> errors;
    if (!jsonRequest(&wanted, &errors)) {
        *why = errors.value(QStringLiteral("json"));
        return false;
    }
    ApiRequest before;
    QMap<QString, QString> beforeErrors;
    const bool hadForm = formRequest(&before, &beforeErrors);
    m_converting = true;
    fillForm(wanted);
    ApiRequest shown;
    QMap<QString, QString> shownErrors;
    const bool fits = formRequest(&shown, &shownErrors) && shown.body == wanted.body;
    if (!fits && hadForm)
        fillForm(before);
    m_converting = false;
    if (fits)
        return true;
    QStringList paths;
    differences(wanted.body, shown.body, QString(), &paths);
    *why = paths.isEmpty()
               ? tr("The form cannot show this JSON as it is: edit it here, or use Rebuild from the form.")
               : tr("The form has no place for %1 as written here: edit it on this tab, or use Rebuild "
                    "from the form.")
                     .arg(paths.join(QStringLiteral(", ")));
    return false;
}

void OperationForm::setTab(int index)
{
    const QSignalBlocker blocker(m_tabWidget);
    m_tabWidget->setCurrentIndex(index);
    m_tab = index;
}

void OperationForm::tabChanged(int index)
{
    if (index == m_tab)
        return;
    clearErrors();
    if (index == JsonTab) {
        QMap<QString, QString> errors;
        if (!formToJson(&errors)) {
            // The JSON would not be the form's body: the form keeps the user, its errors shown.
            setTab(FormTab);
            showErrors(errors);
            return;
        }
        m_tab = index;
        return;
    }
    QString why;
    if (!jsonToForm(&why)) {
        setTab(JsonTab);
        m_jsonField->setError(why);
        moveToJsonMistake();
        return;
    }
    m_tab = index;
    refreshJson();
}

void OperationForm::moveToJsonMistake()
{
    QJsonDocument document;
    JsonSyntaxError error;
    if (JsonSyntaxError::parse(m_jsonPlainTextEdit->toPlainText(), &document, &error))
        return;
    // The error names a line and column; the cursor waits there, so the fix is one keystroke away.
    QTextCursor cursor = m_jsonPlainTextEdit->textCursor();
    cursor.setPosition(error.position);
    m_jsonPlainTextEdit->setTextCursor(cursor);
    m_jsonPlainTextEdit->ensureCursorVisible();
    m_jsonPlainTextEdit->setFocus(Qt::OtherFocusReason);
}

FormField *OperationForm::fieldFor(const QString &path) const
{
    if (path == QLatin1String("json"))
        return m_jsonField;
    if (const auto exact = m_fields.constFind(path); exact != m_fields.constEnd())
        return *exact;
    // users.3.identification.email and the like: the users list shows them.
    if (path.startsWith(QLatin1String("users")))
        return m_fields.value(QStringLiteral("users"));
    return nullptr;
}

void OperationForm::clearErrors()
{
    for (FormField *field : m_fields)
        field->clearError();
    m_jsonField->clearError();
    if (m_fieldTable)
        m_fieldTable->model()->clearMessages();
}

void OperationForm::scheduleLint()
{
    m_lintTimer->start();
}

void OperationForm::lint()
{
    m_lintTimer->stop();
    ApiRequest request;
    QMap<QString, QString> errors;
    QList<LintFinding> findings;
    // What cannot be read yet (a half-typed number) has its error on Send; lint judges only
    // requests that could go out.
    if (buildRequest(&request, &errors)) {
        IntegrationLint::Context context;
        if (m_catalog) {
            context.eventNames = m_catalog->eventNames();
            context.userPropertyNames = m_catalog->userPropertyNames();
            context.accountPropertyNames = m_catalog->accountPropertyNames();
        }
        findings = IntegrationLint::lint(request, context);
    }
    showFindings(findings);
}

void OperationForm::showFindings(const QList<LintFinding> &findings)
{
    m_findings = findings;
    const QString tablePrefix =
        isEvent(m_operation) ? QStringLiteral("metadata.") : QStringLiteral("properties.");
    const QList<int> userLines = typedUserLines();
    QMap<FormField *, QStringList> fieldNotes;
    QMap<QString, QString> rowNotes;
    QStringList unplaced;
    for (const LintFinding &finding : findings) {
        const QString text = finding.text();
        const QString withPath = finding.path.isEmpty() ? text : finding.path + QStringLiteral(": ") + text;
        // On the JSON tab the form is out of sight: the findings go under the JSON, by path.
        if (onJsonTab()) {
            fieldNotes[m_jsonField] << withPath;
        } else if (m_fieldTable && finding.path.startsWith(tablePrefix)) {
            QString &note = rowNotes[finding.path.mid(tablePrefix.size())];
            note = note.isEmpty() ? text : note + QLatin1Char('\n') + text;
        } else if (const int line = typedLine(finding.path, userLines); line > 0) {
            fieldNotes[m_fields.value(QStringLiteral("users"))] << tr("line %1: %2").arg(line).arg(text);
        } else if (FormField *field = finding.path.isEmpty() ? nullptr : fieldFor(finding.path)) {
            fieldNotes[field] << text;
        } else {
            unplaced << withPath;
        }
    }
    for (FormField *field : std::as_const(m_fields))
        field->setNote(fieldNotes.value(field).join(QLatin1Char('\n')));
    m_jsonField->setNote(fieldNotes.value(m_jsonField).join(QLatin1Char('\n')));
    if (m_fieldTable)
        m_fieldTable->model()->setNotes(rowNotes);
    m_lintLabel->setText(unplaced.join(QLatin1Char('\n')));
    m_lintLabel->setVisible(!unplaced.isEmpty());
}

QList<int> OperationForm::typedUserLines() const
{
    QList<int> lines;
    if (m_usersPlainTextEdit)
        usersFromText(m_usersPlainTextEdit->toPlainText(), &lines);
    return lines;
}

QMap<QString, QString> OperationForm::errorsAsTyped(const QMap<QString, QString> &errors,
                                                    const QList<int> &userLines) const
{
    QMap<QString, QString> named;
    for (auto it = errors.begin(); it != errors.end(); ++it) {
        const int line = typedLine(it.key(), userLines);
        QString key = line > 0 ? tr("users, line %1").arg(line) : it.key();
        // Two errors of one user (its ID and its email): both stay, told apart by their paths.
        if (line > 0 && named.contains(key))
            key = tr("users, line %1 (%2)").arg(line).arg(it.key());
        named.insert(key, it.value());
    }
    return named;
}

void OperationForm::showErrors(const QMap<QString, QString> &errors)
{
    showErrors(errors, typedUserLines());
}

void OperationForm::showErrors(const QMap<QString, QString> &errors, const QList<int> &userLines)
{
    QMap<QString, QString> rowErrors;
    const QString tablePrefix =
        isEvent(m_operation) ? QStringLiteral("metadata.") : QStringLiteral("properties.");
    // Errors of the users list, by the line the user typed ("line 3: ..."), in the lines' order.
    QMultiMap<int, QString> lineErrors;
    for (auto it = errors.begin(); it != errors.end(); ++it) {
        if (m_fieldTable && it.key().startsWith(tablePrefix)) {
            rowErrors.insert(it.key().mid(tablePrefix.size()), it.value());
            continue;
        }
        if (const int line = typedLine(it.key(), userLines); line > 0) {
            lineErrors.insert(line, tr("line %1: %2").arg(line).arg(it.value()));
            continue;
        }
        if (FormField *field = fieldFor(it.key())) {
            // Several paths may land on one field (users.0..., users.7...): keep them all.
            const QString previous = field->error();
            field->setError(previous.isEmpty() ? it.value()
                                               : previous + QLatin1Char('\n') + it.key() +
                                                     QStringLiteral(": ") + it.value());
        }
    }
    if (!lineErrors.isEmpty()) {
        FormField *users = m_fields.value(QStringLiteral("users"));
        QStringList messages(lineErrors.begin(), lineErrors.end());
        if (!users->error().isEmpty())
            messages.prepend(users->error());
        users->setError(messages.join(QLatin1Char('\n')));
    }
    if (m_fieldTable)
        m_fieldTable->model()->setMessages(rowErrors, TypedFieldModel::Severity::Error);
}

void OperationForm::updateSendState()
{
    const bool ready = m_session->state() == ConsoleSession::State::Ready;
    const bool allowed = m_session->allows(m_operation);
    m_sendPushButton->setEnabled(ready && allowed);
    const QString permission = ApiOperation::info(m_operation).permission;
    m_sendPushButton->setToolTip(
        allowed ? tr("Send (Ctrl+Return)")
                : tr("The API key of this profile lacks the %1 permission").arg(permission));
    if (!ready)
        m_connectionLabel->setText(m_session->state() == ConsoleSession::State::Connecting
                                       ? tr("Connecting…")
                                       : m_session->problem());
    else if (!allowed)
        m_connectionLabel->setText(tr("The key lacks the %1 permission").arg(permission));
    else
        m_connectionLabel->clear();
}

bool OperationForm::confirmDestructive(const ApiRequest &request)
{
    if (m_operation != Operation::DeleteUser && m_operation != Operation::DeleteAccount &&
        m_operation != Operation::RemoveUsersFromAccount)
        return true;
    const Profile &profile = m_session->profile();
    QString target;
    QString typed;
    if (m_operation == Operation::DeleteUser) {
        const UserIdentification user =
            UserIdentification::fromJson(request.body.value(QLatin1String("identification")).toObject());
        target = tr("the user %1").arg(user.describe());
        typed = user.userId.isEmpty() ? user.email : user.userId;
    } else {
        const QString key = m_operation == Operation::DeleteAccount ? QStringLiteral("identification")
                                                                    : QStringLiteral("account");
        const AccountIdentification account =
            AccountIdentification::fromJson(request.body.value(key).toObject());
        typed = account.accountId.isEmpty() ? account.domain : account.accountId;
        target = m_operation == Operation::DeleteAccount
                     ? tr("the account %1").arg(account.describe())
                     : tr("%n user(s) from the account %1", nullptr,
                          int(request.body.value(QLatin1String("users")).toArray().size()))
                           .arg(account.describe());
    }
    const QString verb = m_operation == Operation::RemoveUsersFromAccount ? tr("Remove") : tr("Delete");
    const QString question =
        tr("%1 %2 on the profile %3 (%4)?")
            .arg(verb, target, profile.name, Profile::environmentName(profile.environment));
    const bool production = profile.environment == Profile::Environment::Production;
    return ConfirmationDialog::confirm(this, verb, question, production ? typed : QString());
}

void OperationForm::send()
{
    if (!m_sendPushButton->isEnabled())
        return;
    clearErrors();
    m_shownProfile = m_session->profile().name;
    ApiRequest request;
    QMap<QString, QString> errors;
    if (!buildRequest(&request, &errors)) {
        showErrors(errors);
        ApiResult local;
        local.operation = m_operation;
        local.failure = ApiResult::Failure::Preflight;
        local.errors = errors;
        m_responsePanel->showResult(local);
        if (onJsonTab())
            moveToJsonMistake();
        return;
    }
    // From the JSON tab the form follows the body when it can show it, so that errors and
    // `rejected` warnings on its fields describe what was sent; when it cannot, they go on the JSON.
    QString notShown;
    const bool formShowsBody = !onJsonTab() || jsonToForm(&notShown);
    // The lines the users were typed on, as sent: the answer's users.N name them even if the text
    // is edited while the request is on its way. From the JSON tab, users.N is what the user wrote.
    const bool fromForm = !onJsonTab();
    const QList<int> userLines = typedUserLines();
    // Pre-flight here too, so nothing is confirmed that would not be sent anyway.
    const RequestValidator::FieldErrors preflight = RequestValidator::validate(request);
    if (preflight.isEmpty() && !confirmDestructive(request))
        return;
    ApiReply *reply = m_session->send(request);
    if (!reply)
        return;
    m_reply = reply;
    m_replyProfile = m_session->profile().name;
    const QString profileName = m_replyProfile;
    m_sendPushButton->setEnabled(false);
    m_responsePanel->showSending();
    connect(reply, &ApiReply::finished, this,
            [this, reply, profileName, formShowsBody, fromForm, userLines](const ApiResult &result) {
                reply->deleteLater();
                // Sent before the profile switched, and the form has sent to the new one since: the
                // newer request's answer is the one to show. This one is in History.
                if (reply != m_reply)
                    return;
                m_reply = nullptr;
                updateSendState();
                if (profileName != m_session->profile().name) {
                    // The profile switched while the request was in flight: its answer, from the other
                    // profile's server, must not read as the active profile's.
                    // The notice is for the active profile's user: it stays until the next switch.
                    m_shownProfile = m_session->profile().name;
                    m_responsePanel->showNotice(
                        tr("Sent with the profile %1 before the switch to %2: %3. Its answer "
                           "is in History under %1.")
                            .arg(profileName, m_session->profile().name, result.summary()));
                    emit finished(result);
                    return;
                }
                if (fromForm) {
                    ApiResult shown = result;
                    shown.errors = errorsAsTyped(result.errors, userLines);
                    m_responsePanel->showResult(shown);
                } else {
                    m_responsePanel->showResult(result);
                }
                if (!formShowsBody) {
                    QStringList lines;
                    for (auto it = result.errors.begin(); it != result.errors.end(); ++it)
                        lines << it.key() + QStringLiteral(": ") + it.value();
                    if (!lines.isEmpty())
                        m_jsonField->setError(lines.join(QLatin1Char('\n')));
                    emit finished(result);
                    return;
                }
                showErrors(result.errors, userLines);
                if (m_fieldTable && !result.rejected.isEmpty())
                    m_fieldTable->model()->setMessages(result.rejected, TypedFieldModel::Severity::Warning);
                emit finished(result);
            });
}

QString OperationForm::settingsKey() const
{
    // The form's name, not m_operation: the event form switches between /track and /events and
    // must find its inputs again whichever it was on.
    QString id = objectName();
    id.chop(int(QStringLiteral("OperationForm").size()));
    return QStringLiteral("forms/") + id;
}

void OperationForm::saveInputs(QSettings &settings) const
{
    ApiRequest request;
    QMap<QString, QString> errors;
    if (formRequest(&request, &errors))
        settings.setValue(settingsKey(),
                          QString::fromUtf8(QJsonDocument(request.body).toJson(QJsonDocument::Compact)));
    // The JSON text, as typed, only when the user is on its tab: a next start shows what Send
    // would send, and never brings back JSON the user had left for the form.
    if (onJsonTab())
        settings.setValue(settingsKey() + QStringLiteral("Json"), m_jsonPlainTextEdit->toPlainText());
    else
        settings.remove(settingsKey() + QStringLiteral("Json"));
    if (m_legacyCheckBox)
        settings.setValue(settingsKey() + QStringLiteral("Legacy"), m_legacyCheckBox->isChecked());
}

void OperationForm::restoreInputs(QSettings &settings)
{
    const QJsonObject body =
        QJsonDocument::fromJson(settings.value(settingsKey()).toString().toUtf8()).object();
    if (!body.isEmpty()) {
        const bool legacy =
            m_legacyCheckBox && settings.value(settingsKey() + QStringLiteral("Legacy")).toBool();
        loadRequest(ApiRequest::raw(legacy ? Operation::TrackLegacyEvent : m_operation, body));
    }
    const QString json = settings.value(settingsKey() + QStringLiteral("Json")).toString();
    if (!json.isEmpty() && m_tabWidget->count() > JsonTab) {
        setTab(JsonTab);
        m_jsonPlainTextEdit->setPlainText(json);
    }
}

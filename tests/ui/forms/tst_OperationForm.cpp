// The operation forms as a user drives them, on the offscreen platform: a real ConsoleSession on
// the built-in Sandbox profile (an in-process sandbox on a temporary data file), text typed into
// the line edits, property rows added through the table, Send by Ctrl+Return or the button. Each
// test checks what the response panel shows and what the sandbox then holds, read back through
// its /_sandbox/ inspection endpoints. Other profiles point at further in-process SandboxServers
// (production, a key without TrackData) or at a scripted server that answers a 400.

#include "api/ApiReply.h"
#include "sandbox/SandboxServer.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "support/ScriptedHttpServer.h"
#include "support/TestFields.h"
#include "ui/forms/FormField.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/TypedFieldModel.h"
#include "ui/session/ConsoleSession.h"
#include "ui/widgets/ConfirmationDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialog>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTimer>
#include <QUrlQuery>

#include <memory>
#include <optional>
#include <vector>

namespace {

using Type = TypedValue::Type;

// What a GET to the sandbox's inspection endpoints answered.
class Inspection
{
public:
    int status = 0;
    QJsonObject body;
};

Inspection inspect(QNetworkAccessManager *nam, const QUrl &base, const QString &path,
                   const QList<QPair<QString, QString>> &query = {})
{
    QUrl url = base;
    url.setPath(path);
    QUrlQuery items;
    for (const auto &item : query)
        items.addQueryItem(item.first, QString::fromUtf8(QUrl::toPercentEncoding(item.second)));
    url.setQuery(items);
    QNetworkReply *reply = nam->get(QNetworkRequest(url));
    Inspection result;
    if (QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000)) {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = QJsonDocument::fromJson(reply->readAll()).object();
    }
    reply->deleteLater();
    return result;
}

QLineEdit *lineEdit(const OperationForm *form, const char *name)
{
    return form->findChild<QLineEdit *>(QLatin1String(name));
}

QLabel *label(const OperationForm *form, const char *name)
{
    return form->findChild<QLabel *>(QLatin1String(name));
}

QPushButton *button(const OperationForm *form, const char *name)
{
    return form->findChild<QPushButton *>(QLatin1String(name));
}

QPlainTextEdit *plainTextEdit(const OperationForm *form, const char *name)
{
    return form->findChild<QPlainTextEdit *>(QLatin1String(name));
}

QTableView *tableView(const OperationForm *form)
{
    auto *view = form->findChild<QTableView *>(QStringLiteral("propertiesTableView"));
    return view ? view : form->findChild<QTableView *>(QStringLiteral("metadataTableView"));
}

TypedFieldModel *fieldModel(const OperationForm *form)
{
    QTableView *view = tableView(form);
    return view ? qobject_cast<TypedFieldModel *>(view->model()) : nullptr;
}

QStringList errorItems(const OperationForm *form)
{
    QStringList items;
    const auto *list = form->findChild<QListWidget *>(QStringLiteral("errorsListWidget"));
    for (int i = 0; list && i < list->count(); ++i)
        items << list->item(i)->text();
    return items;
}

// The row's cell as the table shows it.
QVariant cell(const TypedFieldModel *model, int row, int column, int role = Qt::DisplayRole)
{
    return model->data(model->index(row, column), role);
}

QJsonObject jsonTab(const OperationForm *form)
{
    return QJsonDocument::fromJson(plainTextEdit(form, "jsonPlainTextEdit")->toPlainText().toUtf8()).object();
}

// The editor holding the keyboard focus (or the one its focused part belongs to).
template <typename Editor> Editor *focusedEditor()
{
    for (QWidget *widget = QApplication::focusWidget(); widget; widget = widget->parentWidget()) {
        if (auto *editor = qobject_cast<Editor *>(widget))
            return editor;
    }
    return nullptr;
}

// Opens the row's value cell in its editor, replaces what it holds with text and commits it with
// Return, as the user does; the line edit that took the text (nullptr if none opened).
QLineEdit *typeIntoValueCell(QTableView *view, int row, const QString &text)
{
    view->setCurrentIndex(view->model()->index(row, TypedFieldModel::NameColumn));
    view->setCurrentIndex(view->model()->index(row, TypedFieldModel::ValueColumn));
    if (!QTest::qWaitFor([] { return qobject_cast<QLineEdit *>(QApplication::focusWidget()) != nullptr; }))
        return nullptr;
    auto *editor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    editor->selectAll();
    QTest::keyClicks(editor, text);
    QTest::keyClick(editor, Qt::Key_Return);
    return editor;
}

// Types text as key presses, one character each (any character, not only Latin-1), a line break
// as Return: what a user's typing gives the editor.
void typeText(QWidget *editor, const QString &text)
{
    for (const uint codePoint : text.toUcs4()) {
        if (codePoint == '\n') {
            QTest::keyClick(editor, Qt::Key_Return);
            continue;
        }
        const char32_t character = codePoint;
        QTest::sendKeyEvent(QTest::Click, editor, Qt::Key_unknown, QString::fromUcs4(&character, 1),
                            Qt::NoModifier);
    }
}

// Answers every confirmation dialog that opens with "Cancel" and counts them: a test that expects
// no question still ends if one comes.
class DialogGuard : public QObject
{
public:
    DialogGuard()
    {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
            if (dialog && dialog->objectName() == QLatin1String("confirmationDialog")) {
                ++m_seen;
                dialog->reject();
            }
        });
        m_timer.start();
    }
    int seen() const { return m_seen; }

private:
    QTimer m_timer;
    int m_seen = 0;
};

} // namespace

class tst_OperationForm : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();

    void upsertUserSendsTypedProperties();
    void keyboardOnly();
    void nullRowDeletesAndEmptyRowEmpties();
    void propertyRowThroughAddButtonAndEditors();
    void editorsFollowTheRowType();
    void badEmailIsStoppedBeforeSending();
    void anErrorClearsWhenItsFieldChanges();
    void invalidJsonIsStoppedBeforeSending();
    void rawJsonIsCheckedAndErrorsLandOnFields();
    void jsonErrorNamesLineAndColumnAndTheCursorGoesThere();
    void resetJsonRebuildsFromTheForm();
    void editedJsonShowsInTheFormAndTheFormSendsWhatItShows();
    void jsonTheFormCannotShowKeepsTheUserOnJson();
    void restartDoesNotBringBackJsonTheUserLeft();
    void serverBadRequestLandsOnNamedFieldsAndRows();
    void rejectedPropertyIsAWarningOnItsRow();
    void badNumberMarksItsRowAndSendsNothing();
    void decimalCommaIsNotANumberWhateverTheLocale();
    void upsertAndDeleteAccount();
    void deleteUserNeedsConfirmation();
    void addAndRemoveUsers();
    void membershipErrorsNameTheTypedLine();
    void trackEventOnTrackAndLegacyEndpoint();
    void eventErrorsLandOnTheirFields();
    void linkDevice();
    void productionDeleteAsksToTypeTheId();
    void sendDisabledWithoutPermission();
    void loadRequestFillsTheForm();
    void inputsRoundTripWithoutTheKey();
    void legacyEventInputsRoundTrip();
    void lintFindingsShowUnderTheirFieldsAndNeverBlockSend();
    void lintFindingsOfAnEventAndOnTheJsonTab();

private:
    // Switches the session to the profile and waits for its key's permissions.
    bool activate(const QString &name);
    // Another in-process sandbox knowing only key (with permissions); owned by the test case.
    SandboxServer *startServer(const QString &key, const QStringList &permissions);
    // A profile in the profiles file, its key in the in-memory keychain.
    bool addProfile(const QString &name, const QUrl &baseUrl, Profile::Environment environment,
                    const QByteArray &key);
    // A form as its own window, shown and active, with the keyboard focus inside it.
    std::unique_ptr<OperationForm> openForm(Operation operation);
    // Sends as the user does (Ctrl+Return, or a click on Send) and waits for the answer.
    std::optional<ApiResult> sendByKeyboard(OperationForm *form);
    std::optional<ApiResult> sendByButton(OperationForm *form);
    // Sends a request through the session, as another page would.
    ApiResult sendThroughSession(const ApiRequest &request);
    Inspection sandbox(const QString &path, const QList<QPair<QString, QString>> &query = {});
    qint64 requestsServed(const QUrl &base);

    QTemporaryDir m_dir;
    QNetworkAccessManager m_nam;
    MemorySecretStore m_secrets;
    std::unique_ptr<ProfileStore> m_profiles;
    std::vector<std::unique_ptr<SandboxServer>> m_servers;
    std::unique_ptr<ConsoleSession> m_session;
};

bool tst_OperationForm::activate(const QString &name)
{
    m_session->activate(name);
    return QTest::qWaitFor(
        [this] {
            return m_session->state() == ConsoleSession::State::Ready && m_session->permissionsKnown();
        },
        10000);
}

SandboxServer *tst_OperationForm::startServer(const QString &key, const QStringList &permissions)
{
    SandboxConfig config = SandboxConfig::defaults();
    config.keys.insert(key, SandboxConfig::Key{permissions, true});
    auto server = std::make_unique<SandboxServer>(config);
    QString error;
    if (!server->openData(m_dir.filePath(QStringLiteral("server-%1.sqlite").arg(m_servers.size())), &error) ||
        !server->start())
        return nullptr;
    m_servers.push_back(std::move(server));
    return m_servers.back().get();
}

bool tst_OperationForm::addProfile(const QString &name, const QUrl &baseUrl, Profile::Environment environment,
                                   const QByteArray &key)
{
    Profile profile;
    profile.name = name;
    profile.baseUrl = baseUrl;
    profile.environment = environment;
    QString error;
    if (!m_profiles->save(profile, &error))
        return false;
    bool done = false;
    bool ok = false;
    m_secrets.write(profile.apiKeySecretName(), key, [&done, &ok](const SecretStore::Result &result) {
        ok = result.ok();
        done = true;
    });
    return QTest::qWaitFor([&done] { return done; }, 5000) && ok;
}

std::unique_ptr<OperationForm> tst_OperationForm::openForm(Operation operation)
{
    auto form = std::make_unique<OperationForm>(operation, m_session.get(), nullptr);
    form->resize(900, 760);
    form->show();
    form->activateWindow();
    if (!QTest::qWaitForWindowActive(form.get()))
        return nullptr;
    // Ctrl+Return is a shortcut of the form and its children: the focus must be inside it.
    if (auto *first = form->findChild<QLineEdit *>())
        first->setFocus();
    else
        form->setFocus();
    return form;
}

std::optional<ApiResult> tst_OperationForm::sendByKeyboard(OperationForm *form)
{
    std::optional<ApiResult> answer;
    const QMetaObject::Connection connection = connect(
        form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    QTest::keyClick(form, Qt::Key_Return, Qt::ControlModifier);
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        qWarning("No answer within 10 s");
    disconnect(connection);
    return answer;
}

std::optional<ApiResult> tst_OperationForm::sendByButton(OperationForm *form)
{
    std::optional<ApiResult> answer;
    const QMetaObject::Connection connection = connect(
        form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    QTest::mouseClick(button(form, "sendPushButton"), Qt::LeftButton);
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 10000))
        qWarning("No answer within 10 s");
    disconnect(connection);
    return answer;
}

ApiResult tst_OperationForm::sendThroughSession(const ApiRequest &request)
{
    ApiReply *reply = m_session->send(request);
    if (!reply)
        return ApiResult();
    if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
        qWarning("No answer within 10 s");
    const ApiResult result = reply->result();
    reply->deleteLater();
    return result;
}

Inspection tst_OperationForm::sandbox(const QString &path, const QList<QPair<QString, QString>> &query)
{
    return inspect(&m_nam, m_session->sandboxUrl(), path, query);
}

qint64 tst_OperationForm::requestsServed(const QUrl &base)
{
    return inspect(&m_nam, base, QStringLiteral("/_sandbox/stats"))
        .body.value(QLatin1String("requests"))
        .toInteger(-1);
}

void tst_OperationForm::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_profiles = std::make_unique<ProfileStore>(m_dir.filePath(QStringLiteral("profiles.ini")));
    m_session = std::make_unique<ConsoleSession>(&m_secrets, m_profiles.get(),
                                                 m_dir.filePath(QStringLiteral("sandbox/sandbox.sqlite")));
    QVERIFY(activate(Profile::embeddedSandboxName()));
    QVERIFY(m_session->sandboxUrl().isValid());
    QVERIFY(m_session->permissions().contains(QStringLiteral("TrackData")));
}

void tst_OperationForm::cleanup()
{
    // Tests that switch to another profile leave the session where the next one expects it.
    if (m_session->profile().name != Profile::embeddedSandboxName())
        QVERIFY(activate(Profile::embeddedSandboxName()));
}

void tst_OperationForm::upsertUserSendsTypedProperties()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QCOMPARE(form->objectName(), QStringLiteral("upsertUserOperationForm"));
    QVERIFY(button(form.get(), "sendPushButton")->isEnabled());
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-typed"));
    QTest::keyClicks(lineEdit(form.get(), "emailLineEdit"), QStringLiteral("Ann@Acme.com"));
    TypedFieldModel *model = fieldModel(form.get());
    QVERIFY(model);
    model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    model->addRow(QStringLiteral("mrr"), Type::Number, QStringLiteral("399"));
    model->addRow(QStringLiteral("is_paying"), Type::Boolean, QStringLiteral("true"));
    model->addRow(QStringLiteral("tags"), Type::List, QStringLiteral("a,b"));
    model->addRow(QStringLiteral("registered_at"), Type::DateTime, QStringLiteral("2024-05-01T10:00:00Z"));
    // A row is added and then filled in cell by cell, as the table's editors do.
    const int seats = model->addRow();
    QVERIFY(model->setData(model->index(seats, TypedFieldModel::NameColumn), QStringLiteral("seats")));
    QVERIFY(model->setData(model->index(seats, TypedFieldModel::TypeColumn), int(Type::Number)));
    QVERIFY(model->setData(model->index(seats, TypedFieldModel::ValueColumn), QStringLiteral("12")));
    QCOMPARE(cell(model, seats, TypedFieldModel::TypeColumn).toString(), QStringLiteral("number"));

    // The JSON tab shows the exact body, with the types the rows say.
    const QJsonObject shown = jsonTab(form.get());
    const QJsonObject shownProperties = shown.value(QLatin1String("properties")).toObject();
    QCOMPARE(
        shown.value(QLatin1String("identification")).toObject().value(QLatin1String("userId")).toString(),
        QStringLiteral("u-typed"));
    QVERIFY(shownProperties.value(QLatin1String("mrr")).isDouble());
    QCOMPARE(shownProperties.value(QLatin1String("mrr")).toDouble(), 399.0);
    QCOMPARE(shownProperties.value(QLatin1String("is_paying")), QJsonValue(true));

    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(QJsonDocument::fromJson(result->requestBody).object(), shown);

    // What the user sees.
    QVERIFY2(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("HTTP 201")),
             qPrintable(label(form.get(), "statusLabel")->text()));
    QCOMPARE(label(form.get(), "messageLabel")->text(), QStringLiteral("User will be created or updated"));
    const QJsonObject body =
        QJsonDocument::fromJson(plainTextEdit(form.get(), "bodyPlainTextEdit")->toPlainText().toUtf8())
            .object();
    const QString requestId =
        body.value(QLatin1String("meta")).toObject().value(QLatin1String("requestId")).toString();
    QVERIFY(!requestId.isEmpty());
    QVERIFY(label(form.get(), "requestIdLabel")->text().contains(requestId));
    QVERIFY(errorItems(form.get()).isEmpty());
    QVERIFY(!form->findChild<QListWidget *>(QStringLiteral("errorsListWidget"))->isVisible());
    // Latency and the rate limit in the status line, the headers and the pretty body in tabs.
    static const QRegularExpression statusLine(
        QStringLiteral(R"(^HTTP 201 · \d+ ms · rate limit \d+ of 1800 left$)"));
    QVERIFY2(statusLine.match(label(form.get(), "statusLabel")->text()).hasMatch(),
             qPrintable(label(form.get(), "statusLabel")->text()));
    QVERIFY(plainTextEdit(form.get(), "headersPlainTextEdit")
                ->toPlainText()
                .contains(QStringLiteral("x-ratelimit-remaining: "), Qt::CaseInsensitive));
    QVERIFY(plainTextEdit(form.get(), "bodyPlainTextEdit")
                ->toPlainText()
                .contains(QStringLiteral("\n    \"meta\": {")));
    QPushButton *copy = button(form.get(), "copyRequestIdPushButton");
    QVERIFY(copy->isEnabled());
    QTest::mouseClick(copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), requestId);
    QVERIFY(button(form.get(), "sendPushButton")->isEnabled());

    // What the server holds, with JSON types intact.
    const Inspection user =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-typed")}});
    QCOMPARE(user.status, 200);
    QCOMPARE(user.body.value(QLatin1String("email")).toString(), QStringLiteral("ann@acme.com"));
    const QJsonObject properties = user.body.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));
    QVERIFY(properties.value(QLatin1String("mrr")).isDouble());
    QCOMPARE(properties.value(QLatin1String("mrr")).toDouble(), 399.0);
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(12));
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("tags")),
             QJsonValue(QJsonArray{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(properties.value(QLatin1String("registered_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
}

void tst_OperationForm::keyboardOnly()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QLineEdit *userId = lineEdit(form.get(), "userIdLineEdit");
    userId->setFocus();
    QTest::keyClicks(userId, QStringLiteral("u-keys"));
    QTest::keyClick(userId, Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), lineEdit(form.get(), "emailLineEdit"));
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("keys@acme.com"));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-keys")}})
            .body.value(QLatin1String("email")),
        QJsonValue(QStringLiteral("keys@acme.com")));
}

void tst_OperationForm::nullRowDeletesAndEmptyRowEmpties()
{
    QCOMPARE(sendThroughSession(ApiRequest::upsertUser({QStringLiteral("u-null"), QString()},
                                                       {TestFields::parse(QStringLiteral("plan=Pro")),
                                                        TestFields::parse(QStringLiteral("note=hello")),
                                                        TestFields::parse(QStringLiteral("seats:number=3"))}))
                 .httpStatus,
             201);

    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-null"));
    TypedFieldModel *model = fieldModel(form.get());
    const int plan = model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    const int note = model->addRow(QStringLiteral("note"), Type::String, QStringLiteral("hello"));
    QVERIFY(model->setData(model->index(plan, TypedFieldModel::TypeColumn), int(Type::Null)));
    QVERIFY(model->setData(model->index(note, TypedFieldModel::TypeColumn), int(Type::Empty)));
    // The table says what the rows do; their value cells take no input.
    QCOMPARE(cell(model, plan, TypedFieldModel::ValueColumn).toString(), QStringLiteral("(delete)"));
    QCOMPARE(cell(model, note, TypedFieldModel::ValueColumn).toString(), QStringLiteral("(empty)"));
    QVERIFY(!(model->flags(model->index(plan, TypedFieldModel::ValueColumn)) & Qt::ItemIsEditable));
    const QJsonObject shown = jsonTab(form.get()).value(QLatin1String("properties")).toObject();
    QVERIFY(shown.value(QLatin1String("plan")).isNull());
    QCOMPARE(shown.value(QLatin1String("note")), QJsonValue(QString()));

    const std::optional<ApiResult> result = sendByButton(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    const QJsonObject properties =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-null")}})
            .body.value(QLatin1String("properties"))
            .toObject();
    QVERIFY2(!properties.contains(QLatin1String("plan")), QJsonDocument(properties).toJson().constData());
    QCOMPARE(properties.value(QLatin1String("note")), QJsonValue(QString()));
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(3)); // untouched
}

void tst_OperationForm::propertyRowThroughAddButtonAndEditors()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-editors"));
    TypedFieldModel *model = fieldModel(form.get());
    QTableView *view = tableView(form.get());
    QCOMPARE(view->objectName(), QStringLiteral("propertiesTableView"));

    // Add opens the new row's name for typing.
    QTest::mouseClick(button(form.get(), "propertiesAddPushButton"), Qt::LeftButton);
    QCOMPARE(model->rowCount(), 1);
    QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()));
    auto *nameEditor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QCOMPARE(nameEditor->objectName(), QStringLiteral("nameLineEdit"));
    QTest::keyClicks(nameEditor, QStringLiteral("mrr"));
    QTest::keyClick(nameEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, 0, TypedFieldModel::NameColumn).toString(), QStringLiteral("mrr"));

    // The type through its chooser.
    view->setCurrentIndex(model->index(0, TypedFieldModel::TypeColumn));
    QTRY_VERIFY(qobject_cast<QComboBox *>(QApplication::focusWidget()));
    auto *typeEditor = qobject_cast<QComboBox *>(QApplication::focusWidget());
    QCOMPARE(typeEditor->objectName(), QStringLiteral("typeComboBox"));
    typeEditor->setCurrentIndex(typeEditor->findText(QStringLiteral("number")));
    QTest::keyClick(typeEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, 0, TypedFieldModel::TypeColumn).toString(), QStringLiteral("number"));

    // The number field keeps what was typed; a value that is no number is marked on its row.
    view->setCurrentIndex(model->index(0, TypedFieldModel::ValueColumn));
    QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()) &&
                QApplication::focusWidget()->objectName() == QLatin1String("numberLineEdit"));
    auto *numberEditor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    QTest::keyClicks(numberEditor, QStringLiteral("3x99"));
    QTest::keyClick(numberEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, 0, TypedFieldModel::ValueColumn).toString(), QStringLiteral("3x99"));
    QCOMPARE(model->severityFor(0), TypedFieldModel::Severity::Error);
    QCOMPARE(model->messageFor(0), QStringLiteral("'3x99' is not a number"));
    view->setCurrentIndex(model->index(0, TypedFieldModel::NameColumn));
    view->setCurrentIndex(model->index(0, TypedFieldModel::ValueColumn));
    QTRY_VERIFY(qobject_cast<QLineEdit *>(QApplication::focusWidget()) &&
                QApplication::focusWidget()->objectName() == QLatin1String("numberLineEdit"));
    numberEditor = qobject_cast<QLineEdit *>(QApplication::focusWidget());
    numberEditor->selectAll();
    QTest::keyClicks(numberEditor, QStringLiteral("399"));
    QTest::keyClick(numberEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, 0, TypedFieldModel::ValueColumn).toString(), QStringLiteral("399"));
    // Changing the value clears its error.
    QCOMPARE(model->severityFor(0), TypedFieldModel::Severity::None);
    lineEdit(form.get(), "userIdLineEdit")->setFocus();

    QCOMPARE(jsonTab(form.get()).value(QLatin1String("properties")).toObject().value(QLatin1String("mrr")),
             QJsonValue(399));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    const QJsonObject properties =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-editors")}})
            .body.value(QLatin1String("properties"))
            .toObject();
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399));
}

void tst_OperationForm::editorsFollowTheRowType()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    TypedFieldModel *model = fieldModel(form.get());
    QTableView *view = tableView(form.get());
    const int flag = model->addRow(QStringLiteral("is_paying"), Type::Boolean, QStringLiteral("false"));
    const int date =
        model->addRow(QStringLiteral("trial_ends"), Type::DateTime, QStringLiteral("2024-05-01T10:00:00Z"));
    const int tags = model->addRow(QStringLiteral("tags"), Type::List, QStringLiteral("a,b"));

    view->setCurrentIndex(model->index(flag, TypedFieldModel::ValueColumn));
    QTRY_VERIFY(qobject_cast<QComboBox *>(QApplication::focusWidget()));
    auto *booleanEditor = qobject_cast<QComboBox *>(QApplication::focusWidget());
    QCOMPARE(booleanEditor->objectName(), QStringLiteral("booleanComboBox"));
    QCOMPARE(booleanEditor->currentText(), QStringLiteral("false"));
    booleanEditor->setCurrentText(QStringLiteral("true"));
    QTest::keyClick(booleanEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, flag, TypedFieldModel::ValueColumn).toString(), QStringLiteral("true"));

    view->setCurrentIndex(model->index(date, TypedFieldModel::ValueColumn));
    QTRY_VERIFY(focusedEditor<QDateTimeEdit>());
    auto *dateEditor = focusedEditor<QDateTimeEdit>();
    QCOMPARE(dateEditor->objectName(), QStringLiteral("dateTimeEdit"));
    QCOMPARE(dateEditor->dateTime(), QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC));
    dateEditor->setDateTime(QDateTime(QDate(2025, 1, 31), QTime(23, 30), Qt::UTC));
    QTest::keyClick(dateEditor, Qt::Key_Return);
    QTRY_COMPARE(cell(model, date, TypedFieldModel::ValueColumn).toString(),
                 QStringLiteral("2025-01-31T23:30:00Z"));

    view->setCurrentIndex(model->index(tags, TypedFieldModel::ValueColumn));
    QTRY_VERIFY(QApplication::focusWidget() &&
                QApplication::focusWidget()->objectName() == QLatin1String("listLineEdit"));

    const QJsonObject properties = jsonTab(form.get()).value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("trial_ends")),
             QJsonValue(QStringLiteral("2025-01-31T23:30:00Z")));

    // The metadata table offers only the spec's metadata types: no null, empty or list.
    auto event = std::make_unique<OperationForm>(Operation::TrackEvent, m_session.get(), nullptr);
    TypedFieldModel *metadata = fieldModel(event.get());
    QCOMPARE(tableView(event.get())->objectName(), QStringLiteral("metadataTableView"));
    const int row = metadata->addRow(QStringLiteral("amount"), Type::Number, QStringLiteral("12.5"));
    QVERIFY(!metadata->setData(metadata->index(row, TypedFieldModel::TypeColumn), int(Type::Null)));
    QVERIFY(!metadata->setData(metadata->index(row, TypedFieldModel::TypeColumn), int(Type::List)));
    QCOMPARE(cell(metadata, row, TypedFieldModel::TypeColumn).toString(), QStringLiteral("number"));
    QCOMPARE(jsonTab(event.get()).value(QLatin1String("metadata")).toObject(),
             (QJsonObject{{QLatin1String("amount"), 12.5}}));
}

void tst_OperationForm::anErrorClearsWhenItsFieldChanges()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QLineEdit *email = lineEdit(form.get(), "emailLineEdit");
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-clears"));
    QTest::keyClicks(email, QStringLiteral("ann@@acme"));
    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    FormField *emailField = form->fieldFor(QStringLiteral("identification.email"));
    QCOMPARE(emailField->error(), QStringLiteral("'ann@@acme' is not a valid email address."));

    // Typing in the email clears its error, its outline, and brings its own tooltip back.
    email->setFocus();
    QTest::keyClick(email, Qt::Key_Backspace);
    QVERIFY(emailField->error().isEmpty());
    QCOMPARE(email->property("invalid").toBool(), false);
    QCOMPARE(email->toolTip(), QStringLiteral("Email address of the user"));

    // The same on the JSON tab.
    form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"))->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{"));
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier); // refused: nothing to wait for
    FormField *jsonField = form->fieldFor(QStringLiteral("json"));
    QVERIFY2(jsonField->error().startsWith(QStringLiteral("Not valid JSON")), qPrintable(jsonField->error()));
    QTest::keyClicks(json, QStringLiteral("}"));
    QVERIFY(jsonField->error().isEmpty());
}

void tst_OperationForm::badEmailIsStoppedBeforeSending()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QLineEdit *email = lineEdit(form.get(), "emailLineEdit");
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-bad-email"));
    QTest::keyClicks(email, QStringLiteral("ann@@acme"));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);

    FormField *field = form->fieldFor(QStringLiteral("identification.email"));
    QVERIFY(field);
    QCOMPARE(field->editor(), email);
    QCOMPARE(field->error(), QStringLiteral("'ann@@acme' is not a valid email address."));
    QCOMPARE(email->property("invalid").toBool(), true);
    QCOMPARE(email->toolTip(), field->error());
    QVERIFY(form->fieldFor(QStringLiteral("identification.userId"))->error().isEmpty());
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->property("invalid").toBool(), false);
    QVERIFY2(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("Not sent")),
             qPrintable(label(form.get(), "statusLabel")->text()));
    QCOMPARE(errorItems(form.get()),
             QStringList{
                 QStringLiteral("Error: identification.email: 'ann@@acme' is not a valid email address.")});
    QVERIFY(label(form.get(), "requestIdLabel")->text().isEmpty());
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-bad-email")}})
                 .status,
             404);

    // Corrected, it goes through and the error goes away.
    email->clear();
    QTest::keyClicks(email, QStringLiteral("ann@acme.com"));
    const std::optional<ApiResult> second = sendByKeyboard(form.get());
    QVERIFY(second);
    QCOMPARE(second->httpStatus, 201);
    QVERIFY(field->error().isEmpty());
    QCOMPARE(email->property("invalid").toBool(), false);
    QVERIFY(errorItems(form.get()).isEmpty());
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before + 1);
    // The fields' own tooltips (from the spec's descriptions) come back once the error is gone.
    QCOMPARE(email->toolTip(), QStringLiteral("Email address of the user"));
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->toolTip(),
             QStringLiteral("Unique identifier for the user in your database"));
}

void tst_OperationForm::invalidJsonIsStoppedBeforeSending()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-json"));
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    tabs->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    QVERIFY(json->isVisible());
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-json\"},"));

    // Nothing is answered: the form never sends.
    std::optional<ApiResult> answer;
    connect(form.get(), &OperationForm::finished, this,
            [&answer](const ApiResult &result) { answer = result; });
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(200);
    QVERIFY(!answer);

    FormField *field = form->fieldFor(QStringLiteral("json"));
    QVERIFY(field);
    QCOMPARE(field->editor(), json);
    QVERIFY2(field->error().startsWith(QStringLiteral("Not valid JSON")), qPrintable(field->error()));
    QCOMPARE(json->property("invalid").toBool(), true);
    QVERIFY(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("Not sent")));
    QCOMPARE(errorItems(form.get()).size(), 1);
    QVERIFY(errorItems(form.get()).first().startsWith(QStringLiteral("Error: json: Not valid JSON")));
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);

    // A JSON array parses but is no body.
    json->setPlainText(QStringLiteral("[1, 2]"));
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(field->error(), QStringLiteral("The body must be a JSON object"));
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
}

void tst_OperationForm::jsonErrorNamesLineAndColumnAndTheCursorGoesThere()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    tabs->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClick(json, Qt::Key_Delete);
    // A comma missing on line 3, after text that UTF-8 encodes in more bytes than characters
    // (two bytes for è, three for €, four and two UTF-16 units for the emoji).
    typeText(json, QStringLiteral("{\n  \"identification\": {\"userId\": \"u-€\"},\n"
                                  "  \"properties\": {\"ville\": \"Liège 😀\" \"plan\": \"Pro\"}\n}"));
    QCOMPARE(json->document()->findBlockByNumber(2).text(),
             QStringLiteral("  \"properties\": {\"ville\": \"Liège 😀\" \"plan\": \"Pro\"}"));
    QCOMPARE(json->textCursor().blockNumber(), 3); // typed to the end

    std::optional<ApiResult> answer;
    connect(form.get(), &OperationForm::finished, this,
            [&answer](const ApiResult &result) { answer = result; });
    QTest::keyClick(json, Qt::Key_Return, Qt::ControlModifier);
    FormField *field = form->fieldFor(QStringLiteral("json"));
    QCOMPARE(field->error(), QStringLiteral("Not valid JSON, line 3, column 37: unterminated object"));
    auto *errorLabel = form->findChild<QLabel *>(QStringLiteral("jsonPlainTextEditErrorLabel"));
    QVERIFY(errorLabel);
    QVERIFY(errorLabel->isVisible());
    QCOMPARE(errorLabel->text(), field->error());
    // The cursor is where the comma is missing: before "plan" (column 37 counts the emoji as one
    // character, the cursor as two UTF-16 units).
    QTextCursor cursor = json->textCursor();
    QCOMPARE(cursor.blockNumber(), 2);
    QCOMPARE(cursor.positionInBlock(), 37);
    QVERIFY2(cursor.block().text().mid(cursor.positionInBlock()).startsWith(QStringLiteral("\"plan\"")),
             qPrintable(cursor.block().text().mid(cursor.positionInBlock())));
    QCOMPARE(QApplication::focusWidget(), json);

    // The fix is typed right there; the error goes as the text changes.
    QTest::keyClick(json, Qt::Key_Comma);
    QVERIFY(field->error().isEmpty());
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    QVERIFY(!answer);

    // From the Send button (the keyboard on the button) and another mistake at the start of a
    // line: the cursor and the keyboard go back into the editor.
    json->moveCursor(QTextCursor::End);
    QTest::keyClick(json, Qt::Key_Backspace); // the closing brace
    QTest::mouseClick(button(form.get(), "sendPushButton"), Qt::LeftButton);
    QCOMPARE(field->error(), QStringLiteral("Not valid JSON, line 4, column 1: unterminated object"));
    QCOMPARE(json->textCursor().blockNumber(), 3);
    QCOMPARE(json->textCursor().positionInBlock(), 0);
    QCOMPARE(QApplication::focusWidget(), json);

    // Going back to Form with the JSON broken: refused, the place named and the cursor on it.
    json->moveCursor(QTextCursor::Start);
    tabs->setCurrentIndex(0);
    QCOMPARE(tabs->currentIndex(), 1);
    QVERIFY2(field->error().contains(QStringLiteral("line 4, column 1: unterminated object")),
             qPrintable(field->error()));
    QCOMPARE(json->textCursor().blockNumber(), 3);

    QTest::qWait(100);
    QVERIFY(!answer);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
}

void tst_OperationForm::rawJsonIsCheckedAndErrorsLandOnFields()
{
    // The client checks raw JSON against the API as it checks the form's own body: the errors
    // come back keyed by path and land on the fields and rows they name, nothing is sent.
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    TypedFieldModel *model = fieldModel(form.get());
    model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    model->addRow(QStringLiteral("seats"), Type::Number, QStringLiteral("3"));
    form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"))->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \" \", \"email\": \"nope\"}, "
                                          "\"properties\": {\"plan\": {\"tier\": 1}, \"seats\": 3}}"));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    QCOMPARE(result->httpStatus, 0);

    // The form cannot show this body (an object as a property, a blank userId): its fields keep
    // their own values and no error that is not theirs; the errors are on the JSON sent.
    QVERIFY(form->fieldFor(QStringLiteral("identification.userId"))->error().isEmpty());
    QCOMPARE(lineEdit(form.get(), "emailLineEdit")->property("invalid").toBool(), false);
    QCOMPARE(model->severityFor(0), TypedFieldModel::Severity::None);
    QCOMPARE(cell(model, 0, TypedFieldModel::ValueColumn).toString(), QStringLiteral("Pro"));
    const QString jsonError = form->fieldFor(QStringLiteral("json"))->error();
    QVERIFY2(jsonError.contains(QStringLiteral("identification.userId: Must not be empty.")),
             qPrintable(jsonError));
    QVERIFY2(jsonError.contains(QStringLiteral("identification.email: 'nope' is not a valid email address.")),
             qPrintable(jsonError));
    QVERIFY2(jsonError.contains(QStringLiteral("found an object")), qPrintable(jsonError));
    QCOMPARE(errorItems(form.get()).size(), 3);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
}

void tst_OperationForm::resetJsonRebuildsFromTheForm()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-from-form"));
    form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"))->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-from-json\"}}"));
    // On the JSON tab the JSON is what Send sends; the form then shows what was sent.
    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-from-json")}})
                 .status,
             200);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-from-form")}})
                 .status,
             404);
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->text(), QStringLiteral("u-from-json"));

    // JSON edited but not sent: Rebuild puts the form's body back.
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-discarded\"}}"));
    QTest::mouseClick(button(form.get(), "resetJsonPushButton"), Qt::LeftButton);
    QCOMPARE(
        jsonTab(form.get()).value(QLatin1String("identification")).toObject().value(QLatin1String("userId")),
        QJsonValue(QStringLiteral("u-from-json")));
    result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-discarded")}})
                 .status,
             404);
}

void tst_OperationForm::editedJsonShowsInTheFormAndTheFormSendsWhatItShows()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0);
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-form-old"));
    TypedFieldModel *model = fieldModel(form.get());
    model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    tabs->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    QCOMPARE(
        jsonTab(form.get()).value(QLatin1String("identification")).toObject().value(QLatin1String("userId")),
        QJsonValue(QStringLiteral("u-form-old")));
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-json-new\"}, "
                                          "\"properties\": {\"plan\": \"Business\", \"seats\": 12.5}}"));

    // Back on the form: it shows the edited values, and Ctrl+Return sends exactly those.
    tabs->setCurrentIndex(0);
    QCOMPARE(tabs->currentIndex(), 0);
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->text(), QStringLiteral("u-json-new"));
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(cell(model, 0, TypedFieldModel::ValueColumn).toString(), QStringLiteral("Business"));
    QCOMPARE(cell(model, 1, TypedFieldModel::NameColumn).toString(), QStringLiteral("seats"));
    QCOMPARE(cell(model, 1, TypedFieldModel::TypeColumn).toString(), QStringLiteral("number"));
    QCOMPARE(cell(model, 1, TypedFieldModel::ValueColumn).toString(), QStringLiteral("12.5"));
    QVERIFY(model->setData(model->index(0, TypedFieldModel::ValueColumn), QStringLiteral("Team")));
    lineEdit(form.get(), "userIdLineEdit")->setFocus();
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before + 1);
    const Inspection stored = sandbox(QStringLiteral("/_sandbox/users"),
                                      {{QStringLiteral("userId"), QStringLiteral("u-json-new")}});
    QCOMPARE(stored.status, 200);
    const QJsonObject properties = stored.body.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Team")));
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(12.5));
    QCOMPARE(
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-form-old")}})
            .status,
        404);
}

void tst_OperationForm::jsonTheFormCannotShowKeepsTheUserOnJson()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0);
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-kept"));
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    tabs->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-half\"},"));

    // Invalid JSON: the switch is refused with a message, the text and the form stay as they were.
    tabs->setCurrentIndex(0);
    QCOMPARE(tabs->currentIndex(), 1);
    QVERIFY(json->isVisible());
    FormField *jsonField = form->fieldFor(QStringLiteral("json"));
    QVERIFY2(jsonField->error().startsWith(QStringLiteral("Not valid JSON")), qPrintable(jsonField->error()));
    QCOMPARE(json->toPlainText(), QStringLiteral("{\"identification\": {\"userId\": \"u-half\"},"));
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->text(), QStringLiteral("u-kept"));

    // Valid JSON with a field the form has no place for: refused too, naming the field.
    json->setPlainText(QStringLiteral("{\"identification\": {\"userId\": \"u-extra\"}, \"extra\": 1}"));
    tabs->setCurrentIndex(0);
    QCOMPARE(tabs->currentIndex(), 1);
    QVERIFY2(jsonField->error().contains(QStringLiteral("no place for extra")),
             qPrintable(jsonField->error()));
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->text(), QStringLiteral("u-kept"));
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
}

void tst_OperationForm::restartDoesNotBringBackJsonTheUserLeft()
{
    const QString file = m_dir.filePath(QStringLiteral("json-tab.ini"));
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-first"));
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    tabs->setCurrentIndex(1);
    QPlainTextEdit *json = plainTextEdit(form.get(), "jsonPlainTextEdit");
    json->setFocus();
    json->selectAll();
    QTest::keyClicks(json, QStringLiteral("{\"identification\": {\"userId\": \"u-json-left\"}}"));
    tabs->setCurrentIndex(0);
    QLineEdit *userId = lineEdit(form.get(), "userIdLineEdit");
    QCOMPARE(userId->text(), QStringLiteral("u-json-left"));
    userId->selectAll();
    QTest::keyClicks(userId, QStringLiteral("u-last"));
    {
        QSettings settings(file, QSettings::IniFormat);
        form->saveInputs(settings);
    }
    form.reset();

    // The next start shows the form as the user left it, and sends it.
    auto restored = openForm(Operation::UpsertUser);
    QVERIFY(restored);
    {
        QSettings settings(file, QSettings::IniFormat);
        restored->restoreInputs(settings);
    }
    auto *restoredTabs = restored->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    QCOMPARE(restoredTabs->currentIndex(), 0);
    QCOMPARE(lineEdit(restored.get(), "userIdLineEdit")->text(), QStringLiteral("u-last"));
    lineEdit(restored.get(), "userIdLineEdit")->setFocus();
    const std::optional<ApiResult> result = sendByKeyboard(restored.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-last")}})
            .status,
        200);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-json-left")}})
                 .status,
             404);

    // Left on the JSON tab, the JSON comes back there, as typed.
    restoredTabs->setCurrentIndex(1);
    QPlainTextEdit *restoredJson = plainTextEdit(restored.get(), "jsonPlainTextEdit");
    restoredJson->setPlainText(QStringLiteral("{\"identification\": {\"userId\": \"u-on-json\"}"));
    {
        QSettings settings(file, QSettings::IniFormat);
        restored->saveInputs(settings);
    }
    auto again = std::make_unique<OperationForm>(Operation::UpsertUser, m_session.get(), nullptr);
    {
        QSettings settings(file, QSettings::IniFormat);
        again->restoreInputs(settings);
    }
    QCOMPARE(again->findChild<QTabWidget *>(QStringLiteral("formTabWidget"))->currentIndex(), 1);
    QCOMPARE(plainTextEdit(again.get(), "jsonPlainTextEdit")->toPlainText(),
             QStringLiteral("{\"identification\": {\"userId\": \"u-on-json\"}"));
    QCOMPARE(lineEdit(again.get(), "userIdLineEdit")->text(), QStringLiteral("u-last"));
}

void tst_OperationForm::serverBadRequestLandsOnNamedFieldsAndRows()
{
    // The sandbox applies the same checks as pre-flight, so a 400 that gets past pre-flight comes
    // from a scripted server: one that knows more than the schema (an email taken, a plan unknown).
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    const QJsonObject meta{{QLatin1String("status"), 200},
                           {QLatin1String("requestId"), QStringLiteral("req-validate")}};
    server.enqueue(ScriptedResponse::json(
        200, {{QLatin1String("data"),
               QJsonObject{{QLatin1String("permissions"), QJsonArray{QStringLiteral("TrackData")}}}},
              {QLatin1String("meta"), meta}}));
    server.enqueue(ScriptedResponse::json(
        400,
        {{QLatin1String("message"), QStringLiteral("Bad request, some fields or parameters are incorrect")},
         {QLatin1String("errors"),
          QJsonObject{{QLatin1String("fields"),
                       QJsonObject{{QLatin1String("identification.email"),
                                    QStringLiteral("Belongs to another user.")},
                                   {QLatin1String("properties.plan"), QStringLiteral("Unknown plan.")}}},
                      {QLatin1String("parameters"), QJsonObject()}}},
         {QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 400},
                                             {QLatin1String("requestId"), QStringLiteral("req-400")}}}},
        1800, 1795));
    server.enqueue(ScriptedResponse::json(
        201,
        {{QLatin1String("message"), QStringLiteral("User will be created or updated")},
         {QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 201},
                                             {QLatin1String("requestId"), QStringLiteral("req-201")}}}}));
    QVERIFY(addProfile(QStringLiteral("Scripted"), server.baseUrl(), Profile::Environment::Staging,
                       "jk_scripted_key"));
    QVERIFY(activate(QStringLiteral("Scripted")));

    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-400"));
    QTest::keyClicks(lineEdit(form.get(), "emailLineEdit"), QStringLiteral("taken@acme.com"));
    TypedFieldModel *model = fieldModel(form.get());
    model->addRow(QStringLiteral("seats"), Type::Number, QStringLiteral("3"));
    model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Enterprise"));
    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 400);
    QCOMPARE(server.received().size(), 2);
    QCOMPARE(server.received().at(1).path, QStringLiteral("/users/upsert"));
    QCOMPARE(QJsonDocument::fromJson(server.received().at(1).body)
                 .object()
                 .value(QLatin1String("properties"))
                 .toObject()
                 .value(QLatin1String("plan")),
             QJsonValue(QStringLiteral("Enterprise")));

    QVERIFY2(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("HTTP 400")),
             qPrintable(label(form.get(), "statusLabel")->text()));
    QVERIFY(label(form.get(), "statusLabel")->text().contains(QStringLiteral("1795 of 1800")));
    QCOMPARE(label(form.get(), "requestIdLabel")->text(), QStringLiteral("requestId req-400"));
    QCOMPARE(label(form.get(), "messageLabel")->text(),
             QStringLiteral("Bad request, some fields or parameters are incorrect"));
    QCOMPARE(errorItems(form.get()),
             (QStringList{QStringLiteral("Error: identification.email: Belongs to another user."),
                          QStringLiteral("Error: properties.plan: Unknown plan.")}));
    QCOMPARE(form->fieldFor(QStringLiteral("identification.email"))->error(),
             QStringLiteral("Belongs to another user."));
    QCOMPARE(lineEdit(form.get(), "emailLineEdit")->property("invalid").toBool(), true);
    QVERIFY(form->fieldFor(QStringLiteral("identification.userId"))->error().isEmpty());
    QCOMPARE(model->severityFor(0), TypedFieldModel::Severity::None);
    QCOMPARE(model->severityFor(1), TypedFieldModel::Severity::Error);
    QCOMPARE(cell(model, 1, TypedFieldModel::ValueColumn, Qt::ToolTipRole).toString(),
             QStringLiteral("Unknown plan."));

    // The next answer clears what no longer applies.
    model->setData(model->index(1, TypedFieldModel::ValueColumn), QStringLiteral("Pro"));
    result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(form->fieldFor(QStringLiteral("identification.email"))->error().isEmpty());
    QCOMPARE(lineEdit(form.get(), "emailLineEdit")->property("invalid").toBool(), false);
    QCOMPARE(model->severityFor(1), TypedFieldModel::Severity::None);
    QVERIFY(errorItems(form.get()).isEmpty());
    QCOMPARE(label(form.get(), "requestIdLabel")->text(), QStringLiteral("requestId req-201"));
}

void tst_OperationForm::rejectedPropertyIsAWarningOnItsRow()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-rejected"));
    TypedFieldModel *model = fieldModel(form.get());
    const int plan = model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    const int created =
        model->addRow(QStringLiteral("created_at"), Type::DateTime, QStringLiteral("2024-05-01T10:00:00Z"));
    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(result->rejected.isEmpty());
    QCOMPARE(model->severityFor(created), TypedFieldModel::Severity::None);

    // The same property as a boolean: the request succeeds, the property is not stored.
    QVERIFY(model->setData(model->index(created, TypedFieldModel::TypeColumn), int(Type::Boolean)));
    QVERIFY(model->setData(model->index(created, TypedFieldModel::ValueColumn), QStringLiteral("true")));
    QVERIFY(model->setData(model->index(plan, TypedFieldModel::ValueColumn), QStringLiteral("Business")));
    result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("HTTP 201")));
    const QString reason = QStringLiteral("Expected a date but found a boolean.");
    QCOMPARE(model->severityFor(created), TypedFieldModel::Severity::Warning);
    QCOMPARE(model->messageFor(created), reason);
    QCOMPARE(cell(model, created, TypedFieldModel::ValueColumn, Qt::ToolTipRole).toString(), reason);
    QCOMPARE(cell(model, created, TypedFieldModel::NameColumn, Qt::BackgroundRole).value<QBrush>().color(),
             QColor(255, 236, 179));
    QCOMPARE(model->severityFor(plan), TypedFieldModel::Severity::None);
    QVERIFY(!cell(model, plan, TypedFieldModel::NameColumn, Qt::ToolTipRole).isValid());
    QCOMPARE(errorItems(form.get()),
             QStringList{QStringLiteral("Warning: property created_at was not stored: %1").arg(reason)});
    QVERIFY(form->findChild<QListWidget *>(QStringLiteral("errorsListWidget"))->isVisible());

    const QJsonObject properties =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-rejected")}})
            .body.value(QLatin1String("properties"))
            .toObject();
    QCOMPARE(properties.value(QLatin1String("created_at")),
             QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    QCOMPARE(properties.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Business")));

    // Editing the row clears its warning; a type its value does not fit is an error at once.
    QVERIFY(model->setData(model->index(created, TypedFieldModel::ValueColumn), QStringLiteral("false")));
    QCOMPARE(model->severityFor(created), TypedFieldModel::Severity::None);
    QVERIFY(model->setData(model->index(created, TypedFieldModel::TypeColumn), int(Type::DateTime)));
    QCOMPARE(model->severityFor(created), TypedFieldModel::Severity::Error);
    QCOMPARE(model->messageFor(created),
             QStringLiteral("'false' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)"));
}

void tst_OperationForm::badNumberMarksItsRowAndSendsNothing()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-abc"));
    TypedFieldModel *model = fieldModel(form.get());
    const int plan = model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));
    // A string row switched to number keeps its text.
    const int mrr = model->addRow(QStringLiteral("mrr"), Type::String, QStringLiteral("abc"));
    QVERIFY(model->setData(model->index(mrr, TypedFieldModel::TypeColumn), int(Type::Number)));

    std::optional<ApiResult> answer;
    connect(form.get(), &OperationForm::finished, this,
            [&answer](const ApiResult &result) { answer = result; });
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(200);
    QVERIFY(!answer);

    QCOMPARE(model->severityFor(mrr), TypedFieldModel::Severity::Error);
    QCOMPARE(model->messageFor(mrr), QStringLiteral("'abc' is not a number"));
    QCOMPARE(cell(model, mrr, TypedFieldModel::ValueColumn, Qt::BackgroundRole).value<QBrush>().color(),
             QColor(255, 205, 210));
    QCOMPARE(model->severityFor(plan), TypedFieldModel::Severity::None);
    QVERIFY(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("Not sent")));
    QCOMPARE(errorItems(form.get()),
             QStringList{QStringLiteral("Error: properties.mrr: 'abc' is not a number")});
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-abc")}})
                 .status,
             404);
}

void tst_OperationForm::decimalCommaIsNotANumberWhateverTheLocale()
{
    // A German desktop writes 12,5; the typed-value syntax (CLI, CSV import, console) takes a dot
    // only, so the comma is an error on the cell and not 125 sent as a number.
    const QLocale previous;
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    const auto restoreLocale = qScopeGuard([previous] { QLocale::setDefault(previous); });
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-comma"));
    TypedFieldModel *model = fieldModel(form.get());
    QTableView *view = tableView(form.get());
    const int seats = model->addRow(QStringLiteral("seats"), Type::Number);

    QLineEdit *editor = typeIntoValueCell(view, seats, QStringLiteral("12,5"));
    QVERIFY(editor);
    QCOMPARE(editor->objectName(), QStringLiteral("numberLineEdit"));
    QTRY_COMPARE(cell(model, seats, TypedFieldModel::ValueColumn).toString(), QStringLiteral("12,5"));
    QCOMPARE(model->severityFor(seats), TypedFieldModel::Severity::Error);
    QCOMPARE(model->messageFor(seats), QStringLiteral("'12,5' is not a number"));
    lineEdit(form.get(), "userIdLineEdit")->setFocus();

    std::optional<ApiResult> answer;
    const QMetaObject::Connection connection = connect(
        form.get(), &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(200);
    disconnect(connection);
    QVERIFY(!answer);
    QCOMPARE(model->messageFor(seats), QStringLiteral("'12,5' is not a number"));
    QCOMPARE(cell(model, seats, TypedFieldModel::ValueColumn).toString(), QStringLiteral("12,5"));
    QCOMPARE(errorItems(form.get()),
             QStringList{QStringLiteral("Error: properties.seats: '12,5' is not a number")});
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);

    // With a dot it is 12.5, shown as typed (no 1.25e+01) and sent as a number.
    QVERIFY(typeIntoValueCell(view, seats, QStringLiteral("12.5")));
    QTRY_COMPARE(cell(model, seats, TypedFieldModel::ValueColumn).toString(), QStringLiteral("12.5"));
    QCOMPARE(model->severityFor(seats), TypedFieldModel::Severity::None);
    lineEdit(form.get(), "userIdLineEdit")->setFocus();
    QCOMPARE(jsonTab(form.get()).value(QLatin1String("properties")).toObject().value(QLatin1String("seats")),
             QJsonValue(12.5));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before + 1);
    const QJsonObject properties =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-comma")}})
            .body.value(QLatin1String("properties"))
            .toObject();
    QCOMPARE(properties.value(QLatin1String("seats")), QJsonValue(12.5));

    // A large value read back from JSON is shown in full, not in exponent notation.
    form->loadRequest(ApiRequest::raw(
        Operation::UpsertUser,
        QJsonObject{{QStringLiteral("properties"), QJsonObject{{QStringLiteral("seats"), 1250000}}}}));
    QCOMPARE(cell(model, 0, TypedFieldModel::ValueColumn).toString(), QStringLiteral("1250000"));
}

void tst_OperationForm::upsertAndDeleteAccount()
{
    auto form = openForm(Operation::UpsertAccount);
    QVERIFY(form);
    QCOMPARE(form->objectName(), QStringLiteral("upsertAccountOperationForm"));
    QLineEdit *domain = lineEdit(form.get(), "domainLineEdit");
    QTest::keyClicks(lineEdit(form.get(), "accountIdLineEdit"), QStringLiteral("acc-1"));
    QTest::keyClicks(domain, QStringLiteral("acme dot com"));
    TypedFieldModel *model = fieldModel(form.get());
    model->addRow(QStringLiteral("mrr"), Type::Number, QStringLiteral("399"));
    model->addRow(QStringLiteral("is_paying"), Type::Boolean, QStringLiteral("true"));
    model->addRow(QStringLiteral("tags"), Type::List, QStringLiteral("a,b"));

    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    QCOMPARE(form->fieldFor(QStringLiteral("identification.domain"))->error(),
             QStringLiteral("'acme dot com' is not a valid domain (e.g. acme.com)."));
    QCOMPARE(domain->property("invalid").toBool(), true);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/accounts"),
                     {{QStringLiteral("accountId"), QStringLiteral("acc-1")}})
                 .status,
             404);

    domain->clear();
    QTest::keyClicks(domain, QStringLiteral("acme.com"));
    result = sendByButton(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(label(form.get(), "messageLabel")->text(), QStringLiteral("Account will be created or updated"));
    QCOMPARE(domain->property("invalid").toBool(), false);
    const Inspection account = sandbox(QStringLiteral("/_sandbox/accounts"),
                                       {{QStringLiteral("accountId"), QStringLiteral("acc-1")}});
    QCOMPARE(account.status, 200);
    QCOMPARE(account.body.value(QLatin1String("domain")), QJsonValue(QStringLiteral("acme.com")));
    const QJsonObject properties = account.body.value(QLatin1String("properties")).toObject();
    QCOMPARE(properties.value(QLatin1String("mrr")), QJsonValue(399));
    QCOMPARE(properties.value(QLatin1String("is_paying")), QJsonValue(true));
    QCOMPARE(properties.value(QLatin1String("tags")),
             QJsonValue(QJsonArray{QStringLiteral("a"), QStringLiteral("b")}));

    // Deleting it asks first, naming the account and the profile.
    auto remove = openForm(Operation::DeleteAccount);
    QVERIFY(remove);
    QCOMPARE(remove->objectName(), QStringLiteral("deleteAccountOperationForm"));
    QVERIFY(!fieldModel(remove.get()));
    QTest::keyClicks(lineEdit(remove.get(), "accountIdLineEdit"), QStringLiteral("acc-1"));
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    ConfirmationDialog::setNextAnswer(false);
    QTest::keyClick(remove.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(100);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QStringLiteral("acc-1")));
    QVERIFY(ConfirmationDialog::lastQuestion().contains(QStringLiteral("profile Sandbox")));
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/accounts"),
                     {{QStringLiteral("accountId"), QStringLiteral("acc-1")}})
                 .status,
             200);

    ConfirmationDialog::setNextAnswer(true);
    result = sendByKeyboard(remove.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 202);
    QVERIFY(label(remove.get(), "statusLabel")->text().startsWith(QStringLiteral("HTTP 202")));
    QCOMPARE(label(remove.get(), "messageLabel")->text(), QStringLiteral("Account will be deleted"));
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/accounts"),
                     {{QStringLiteral("accountId"), QStringLiteral("acc-1")}})
                 .status,
             404);
}

void tst_OperationForm::deleteUserNeedsConfirmation()
{
    QCOMPARE(sendThroughSession(
                 ApiRequest::upsertUser({QStringLiteral("u-del"), QStringLiteral("del@acme.com")}, {}))
                 .httpStatus,
             201);
    auto form = openForm(Operation::DeleteUser);
    QVERIFY(form);
    QCOMPARE(form->objectName(), QStringLiteral("deleteUserOperationForm"));
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-del"));
    const QString statusBefore = label(form.get(), "statusLabel")->text();
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something

    // Cancelled: nothing is sent, the user is still there.
    ConfirmationDialog::setNextAnswer(false);
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(100);
    const QString question = ConfirmationDialog::lastQuestion();
    QVERIFY2(question.contains(QStringLiteral("u-del")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("profile Sandbox")), qPrintable(question));
    QVERIFY2(!question.contains(QStringLiteral("Type")), qPrintable(question)); // no typing off production
    QCOMPARE(label(form.get(), "statusLabel")->text(), statusBefore);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-del")}})
                 .status,
             200);

    // Confirmed: deleted.
    ConfirmationDialog::setNextAnswer(true);
    const std::optional<ApiResult> result = sendByButton(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 202);
    QCOMPARE(label(form.get(), "messageLabel")->text(), QStringLiteral("User will be deleted"));
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before + 1);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-del")}})
                 .status,
             404);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("email"), QStringLiteral("del@acme.com")}})
                 .status,
             404);

    // A request that pre-flight refuses is not worth a question: it is not sent anyway.
    QLineEdit *userId = lineEdit(form.get(), "userIdLineEdit");
    userId->clear();
    QTest::keyClicks(lineEdit(form.get(), "emailLineEdit"), QStringLiteral("not-an-email"));
    const DialogGuard guard;
    const std::optional<ApiResult> refused = sendByKeyboard(form.get());
    QCOMPARE(guard.seen(), 0);
    QVERIFY(refused);
    QCOMPARE(refused->failure, ApiResult::Failure::Preflight);
    QVERIFY(!form->fieldFor(QStringLiteral("identification.email"))->error().isEmpty());
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before + 1);
}

void tst_OperationForm::addAndRemoveUsers()
{
    auto add = openForm(Operation::AddUsersToAccount);
    QVERIFY(add);
    QCOMPARE(add->objectName(), QStringLiteral("addUserToAccountOperationForm"));
    QTest::keyClicks(lineEdit(add.get(), "accountIdLineEdit"), QStringLiteral("acc-team"));
    QPlainTextEdit *users = plainTextEdit(add.get(), "usersPlainTextEdit");
    QTest::keyClicks(users, QStringLiteral("u-m1"));
    QTest::keyClick(users, Qt::Key_Return);
    QTest::keyClicks(users, QStringLiteral("bob@"));

    // A bad line: the users field says which.
    std::optional<ApiResult> result = sendByKeyboard(add.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    FormField *usersField = add->fieldFor(QStringLiteral("users.1.identification.email"));
    QVERIFY(usersField);
    QCOMPARE(usersField->editor(), users);
    QVERIFY2(usersField->error().contains(QStringLiteral("'bob@' is not a valid email address.")),
             qPrintable(usersField->error()));
    QCOMPARE(users->property("invalid").toBool(), true);
    QCOMPARE(sandbox(QStringLiteral("/_sandbox/accounts"),
                     {{QStringLiteral("accountId"), QStringLiteral("acc-team")}})
                 .status,
             404);

    QTest::keyClicks(users, QStringLiteral("acme.com"));
    QCOMPARE(users->toPlainText(), QStringLiteral("u-m1\nbob@acme.com"));
    result = sendByKeyboard(add.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(label(add.get(), "messageLabel")->text(), QStringLiteral("Users will be added to the account"));
    QVERIFY(usersField->error().isEmpty());
    Inspection account = sandbox(QStringLiteral("/_sandbox/accounts"),
                                 {{QStringLiteral("accountId"), QStringLiteral("acc-team")}});
    QCOMPARE(account.status, 200);
    QJsonArray members = account.body.value(QLatin1String("members")).toArray();
    QCOMPARE(members.size(), 2);
    for (const QJsonValue &member : members)
        QCOMPARE(member.toObject().value(QLatin1String("removed")), QJsonValue(false));

    auto remove = openForm(Operation::RemoveUsersFromAccount);
    QVERIFY(remove);
    QTest::keyClicks(lineEdit(remove.get(), "accountIdLineEdit"), QStringLiteral("acc-team"));
    QTest::keyClicks(plainTextEdit(remove.get(), "usersPlainTextEdit"), QStringLiteral("u-m1"));
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    ConfirmationDialog::setNextAnswer(false);
    QTest::keyClick(remove.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(100);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
    const QString question = ConfirmationDialog::lastQuestion();
    QVERIFY2(question.startsWith(QStringLiteral("Remove 1 user")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("acc-team")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("profile Sandbox")), qPrintable(question));

    ConfirmationDialog::setNextAnswer(true);
    result = sendByKeyboard(remove.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 204);
    QVERIFY(label(remove.get(), "statusLabel")->text().startsWith(QStringLiteral("HTTP 204")));
    account = sandbox(QStringLiteral("/_sandbox/accounts"),
                      {{QStringLiteral("accountId"), QStringLiteral("acc-team")}});
    members = account.body.value(QLatin1String("members")).toArray();
    QCOMPARE(members.size(), 2);
    for (const QJsonValue &member : members) {
        const QJsonObject object = member.toObject();
        const bool removed = object.value(QLatin1String("userId")).toString() == QLatin1String("u-m1");
        QCOMPARE(object.value(QLatin1String("removed")), QJsonValue(removed));
    }
}

void tst_OperationForm::membershipErrorsNameTheTypedLine()
{
    // Pre-flight: users.1 and users.3 are the users typed on lines 3 and 6 (lines 2 and 5 blank).
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto add = openForm(Operation::AddUsersToAccount);
    QVERIFY(add);
    QTest::keyClicks(lineEdit(add.get(), "accountIdLineEdit"), QStringLiteral("acc-lines"));
    QPlainTextEdit *users = plainTextEdit(add.get(), "usersPlainTextEdit");
    users->setFocus();
    typeText(users, QStringLiteral("u-l1\n\nbob@\nu-l4\n   \ncarol@"));
    std::optional<ApiResult> result = sendByKeyboard(add.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    QVERIFY(result->errors.contains(QStringLiteral("users.1.identification.email")));
    FormField *usersField = add->fieldFor(QStringLiteral("users"));
    QCOMPARE(usersField->error(), QStringLiteral("line 3: 'bob@' is not a valid email address.\n"
                                                 "line 6: 'carol@' is not a valid email address."));
    QCOMPARE(users->property("invalid").toBool(), true);
    QCOMPARE(errorItems(add.get()),
             (QStringList{QStringLiteral("Error: users, line 3: 'bob@' is not a valid email address."),
                          QStringLiteral("Error: users, line 6: 'carol@' is not a valid email address.")}));
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);

    // The server's answer the same way: a scripted server that knows which users exist.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::json(
        200, {{QLatin1String("data"),
               QJsonObject{{QLatin1String("permissions"), QJsonArray{QStringLiteral("TrackData")}}}},
              {QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 200},
                                                  {QLatin1String("requestId"), QStringLiteral("req-ok")}}}}));
    server.enqueue(ScriptedResponse::json(
        400,
        {{QLatin1String("message"), QStringLiteral("Bad request, some fields or parameters are incorrect")},
         {QLatin1String("errors"),
          QJsonObject{{QLatin1String("fields"), QJsonObject{{QLatin1String("users.1.identification.userId"),
                                                             QStringLiteral("No such user.")}}},
                      {QLatin1String("parameters"), QJsonObject()}}},
         {QLatin1String("meta"), QJsonObject{{QLatin1String("status"), 400},
                                             {QLatin1String("requestId"), QStringLiteral("req-400")}}}}));
    QVERIFY(addProfile(QStringLiteral("ScriptedMembers"), server.baseUrl(), Profile::Environment::Staging,
                       "jk_members_key"));
    QVERIFY(activate(QStringLiteral("ScriptedMembers")));
    users->setFocus();
    users->selectAll();
    typeText(users, QStringLiteral("u-a\n\nu-ghost\nu-b"));
    QVERIFY(usersField->error().isEmpty()); // the edit cleared the old errors
    result = sendByKeyboard(add.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 400);
    QCOMPARE(server.received().size(), 2);
    const QJsonArray sent = QJsonDocument::fromJson(server.received().at(1).body)
                                .object()
                                .value(QLatin1String("users"))
                                .toArray();
    QCOMPARE(sent.size(), 3);
    QCOMPARE(sent.at(1)
                 .toObject()
                 .value(QLatin1String("identification"))
                 .toObject()
                 .value(QLatin1String("userId")),
             QJsonValue(QStringLiteral("u-ghost")));
    QCOMPARE(usersField->error(), QStringLiteral("line 3: No such user."));
    QCOMPARE(errorItems(add.get()), QStringList{QStringLiteral("Error: users, line 3: No such user.")});
}

void tst_OperationForm::trackEventOnTrackAndLegacyEndpoint()
{
    auto form = openForm(Operation::TrackEvent);
    QVERIFY(form);
    QCOMPARE(form->objectName(), QStringLiteral("trackEventOperationForm"));
    QTest::keyClicks(lineEdit(form.get(), "eventNameLineEdit"), QStringLiteral("Invoice paid"));
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-ev"));
    QTest::keyClicks(lineEdit(form.get(), "accountIdLineEdit"), QStringLiteral("acc-ev"));
    QTest::keyClicks(lineEdit(form.get(), "triggeredAtLineEdit"), QStringLiteral("2024-05-01T10:00:00Z"));
    TypedFieldModel *model = fieldModel(form.get());
    model->addRow(QStringLiteral("amount"), Type::Number, QStringLiteral("12.5"));
    model->addRow(QStringLiteral("paid"), Type::Boolean, QStringLiteral("true"));
    model->addRow(QStringLiteral("plan"), Type::String, QStringLiteral("Pro"));

    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(result->requestUrl.endsWith(QStringLiteral("/track")));
    QCOMPARE(label(form.get(), "messageLabel")->text(), QStringLiteral("Event will be processed"));
    QJsonArray events = sandbox(QStringLiteral("/_sandbox/events"),
                                {{QStringLiteral("name"), QStringLiteral("Invoice paid")}})
                            .body.value(QLatin1String("data"))
                            .toArray();
    QCOMPARE(events.size(), 1);
    QJsonObject event = events.first().toObject();
    QCOMPARE(event.value(QLatin1String("endpoint")), QJsonValue(QStringLiteral("/track")));
    QCOMPARE(event.value(QLatin1String("triggeredAt")), QJsonValue(QStringLiteral("2024-05-01T10:00:00Z")));
    const QJsonObject identification = event.value(QLatin1String("identification")).toObject();
    QCOMPARE(identification.value(QLatin1String("user")).toObject().value(QLatin1String("userId")),
             QJsonValue(QStringLiteral("u-ev")));
    QCOMPARE(identification.value(QLatin1String("account")).toObject().value(QLatin1String("accountId")),
             QJsonValue(QStringLiteral("acc-ev")));
    const QJsonObject metadata = event.value(QLatin1String("metadata")).toObject();
    QCOMPARE(metadata.value(QLatin1String("amount")), QJsonValue(12.5));
    QCOMPARE(metadata.value(QLatin1String("paid")), QJsonValue(true));
    QCOMPARE(metadata.value(QLatin1String("plan")), QJsonValue(QStringLiteral("Pro")));

    // The deprecated POST /events, a click away; triggeredAt left out means now.
    QCheckBox *legacy = form->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"));
    QVERIFY(legacy && !legacy->isChecked());
    legacy->setFocus();
    QTest::keyClick(legacy, Qt::Key_Space);
    QVERIFY(legacy->isChecked());
    QCOMPARE(form->operation(), Operation::TrackLegacyEvent);
    QLineEdit *name = lineEdit(form.get(), "eventNameLineEdit");
    name->clear();
    QTest::keyClicks(name, QStringLiteral("Legacy signup"));
    lineEdit(form.get(), "triggeredAtLineEdit")->clear();
    QVERIFY(!jsonTab(form.get()).contains(QLatin1String("triggeredAt")));
    result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(result->requestUrl.endsWith(QStringLiteral("/events")));
    events = sandbox(QStringLiteral("/_sandbox/events"),
                     {{QStringLiteral("name"), QStringLiteral("Legacy signup")}})
                 .body.value(QLatin1String("data"))
                 .toArray();
    QCOMPARE(events.size(), 1);
    event = events.first().toObject();
    QCOMPARE(event.value(QLatin1String("endpoint")), QJsonValue(QStringLiteral("/events")));
    QVERIFY(TypedValue::isIso8601(event.value(QLatin1String("triggeredAt")).toString()));
}

void tst_OperationForm::eventErrorsLandOnTheirFields()
{
    const qint64 before = requestsServed(m_session->sandboxUrl());
    QVERIFY(before >= 0); // the sandbox answered, so "nothing more was sent" means something
    auto form = openForm(Operation::TrackEvent);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "eventNameLineEdit"), QStringLiteral("Orphan"));
    QTest::keyClicks(lineEdit(form.get(), "triggeredAtLineEdit"), QStringLiteral("yesterday"));
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    QCOMPARE(form->fieldFor(QStringLiteral("triggeredAt"))->editor(),
             lineEdit(form.get(), "triggeredAtLineEdit"));
    QCOMPARE(form->fieldFor(QStringLiteral("triggeredAt"))->error(),
             QStringLiteral("'yesterday' is not an ISO 8601 date-time (e.g. 2024-05-01T10:00:00Z)."));
    // No user and no account: said on the first identification field.
    QCOMPARE(form->fieldFor(QStringLiteral("identification"))->editor(),
             lineEdit(form.get(), "userIdLineEdit"));
    QCOMPARE(form->fieldFor(QStringLiteral("identification"))->error(),
             QStringLiteral("Requires a user, an account or both."));
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->property("invalid").toBool(), true);
    QVERIFY(form->fieldFor(QStringLiteral("name"))->error().isEmpty());
    QCOMPARE(errorItems(form.get()).size(), 2);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), before);
}

void tst_OperationForm::linkDevice()
{
    QCOMPARE(sendThroughSession(ApiRequest::upsertUser({QStringLiteral("u-link"), QString()}, {})).httpStatus,
             201);
    auto form = openForm(Operation::Link);
    QVERIFY(form);
    QCOMPARE(form->objectName(), QStringLiteral("linkOperationForm"));
    QVERIFY(!fieldModel(form.get()));
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-link"));
    // Without a device ID, the device field says so.
    std::optional<ApiResult> result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->failure, ApiResult::Failure::Preflight);
    QCOMPARE(form->fieldFor(QStringLiteral("deviceId"))->error(), QStringLiteral("Must not be empty."));
    QCOMPARE(lineEdit(form.get(), "deviceIdLineEdit")->property("invalid").toBool(), true);

    QTest::keyClicks(lineEdit(form.get(), "deviceIdLineEdit"), QStringLiteral("dev-123"));
    result = sendByKeyboard(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QCOMPARE(label(form.get(), "messageLabel")->text(), QStringLiteral("Device will be linked to the user"));
    QCOMPARE(lineEdit(form.get(), "deviceIdLineEdit")->property("invalid").toBool(), false);
    const Inspection user =
        sandbox(QStringLiteral("/_sandbox/users"), {{QStringLiteral("userId"), QStringLiteral("u-link")}});
    QCOMPARE(user.body.value(QLatin1String("devices")), QJsonValue(QJsonArray{QStringLiteral("dev-123")}));
}

void tst_OperationForm::productionDeleteAsksToTypeTheId()
{
    const QString key = QStringLiteral("jk_live_7d41c0a9e2b84f36a5c1d0e9f8a7b6c5");
    SandboxServer *production = startServer(key, SandboxConfig::allPermissions());
    QVERIFY(production);
    QVERIFY(addProfile(QStringLiteral("Acme Prod"), production->baseUrl(), Profile::Environment::Production,
                       key.toUtf8()));
    QVERIFY(activate(QStringLiteral("Acme Prod")));
    QCOMPARE(sendThroughSession(ApiRequest::upsertUser({QStringLiteral("u-prod"), QString()}, {})).httpStatus,
             201);
    const qint64 sandboxBefore = requestsServed(m_session->sandboxUrl());

    auto form = openForm(Operation::DeleteUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-prod"));
    ConfirmationDialog::setNextAnswer(false);
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(100);
    const QString question = ConfirmationDialog::lastQuestion();
    QVERIFY2(question.contains(QStringLiteral("profile Acme Prod (production)")), qPrintable(question));
    QVERIFY2(question.contains(QStringLiteral("Type u-prod to confirm.")), qPrintable(question));
    QCOMPARE(inspect(&m_nam, production->baseUrl(), QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-prod")}})
                 .status,
             200);

    // The real dialog: its confirm button stays disabled until the ID is typed exactly.
    bool sawDialog = false;
    bool disabledWhenWrong = false;
    QTimer poll;
    poll.setInterval(20);
    connect(&poll, &QTimer::timeout, this, [&] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog || dialog->objectName() != QLatin1String("confirmationDialog"))
            return;
        poll.stop();
        sawDialog = true;
        auto *typed = dialog->findChild<QLineEdit *>(QStringLiteral("confirmLineEdit"));
        auto *confirm = dialog->findChild<QPushButton *>(QStringLiteral("confirmPushButton"));
        if (!typed || !confirm) {
            dialog->reject();
            return;
        }
        QTest::keyClicks(typed, QStringLiteral("u-pro"));
        disabledWhenWrong = !confirm->isEnabled();
        QTest::keyClicks(typed, QStringLiteral("d"));
        QTest::mouseClick(confirm, Qt::LeftButton);
        if (dialog->isVisible())
            dialog->reject();
    });
    poll.start();
    const std::optional<ApiResult> result = sendByKeyboard(form.get());
    poll.stop();
    QVERIFY(sawDialog);
    QVERIFY(disabledWhenWrong);
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 202);
    QCOMPARE(inspect(&m_nam, production->baseUrl(), QStringLiteral("/_sandbox/users"),
                     {{QStringLiteral("userId"), QStringLiteral("u-prod")}})
                 .status,
             404);
    QCOMPARE(requestsServed(m_session->sandboxUrl()), sandboxBefore);
}

void tst_OperationForm::sendDisabledWithoutPermission()
{
    const QString key = QStringLiteral("jk_read_only_0c1d2e3f4a5b6c7d");
    SandboxServer *readOnly =
        startServer(key, {QStringLiteral("ReadEvents"), QStringLiteral("ReadProperties")});
    QVERIFY(readOnly);
    QVERIFY(addProfile(QStringLiteral("Read only"), readOnly->baseUrl(), Profile::Environment::Staging,
                       key.toUtf8()));
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QPushButton *send = button(form.get(), "sendPushButton");
    QVERIFY(send->isEnabled());

    QVERIFY(activate(QStringLiteral("Read only")));
    QVERIFY(!send->isEnabled());
    QVERIFY2(send->toolTip().contains(QStringLiteral("TrackData")), qPrintable(send->toolTip()));
    QVERIFY2(label(form.get(), "connectionLabel")->text().contains(QStringLiteral("TrackData")),
             qPrintable(label(form.get(), "connectionLabel")->text()));
    const qint64 before = requestsServed(readOnly->baseUrl());
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-denied"));
    QTest::keyClick(form.get(), Qt::Key_Return, Qt::ControlModifier);
    QTest::mouseClick(send, Qt::LeftButton);
    QTest::qWait(100);
    QCOMPARE(requestsServed(readOnly->baseUrl()), before);
    QVERIFY(label(form.get(), "statusLabel")->text().startsWith(QStringLiteral("No request sent yet")));

    // Back on a key with the permission, Send comes back.
    QVERIFY(activate(Profile::embeddedSandboxName()));
    QVERIFY(send->isEnabled());
    QCOMPARE(send->toolTip(), QStringLiteral("Send (Ctrl+Return)"));
    QVERIFY(label(form.get(), "connectionLabel")->text().isEmpty());
}

void tst_OperationForm::loadRequestFillsTheForm()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    const ApiRequest request = ApiRequest::upsertUser(
        {QStringLiteral("u-load"), QStringLiteral("load@acme.com")},
        {TestFields::parse(QStringLiteral("plan=Pro")), TestFields::parse(QStringLiteral("mrr:number=399")),
         TestFields::parse(QStringLiteral("is_paying:bool=true")),
         TestFields::parse(QStringLiteral("tags:list=a,b")),
         TestFields::parse(QStringLiteral("old_field:null"))});
    form->loadRequest(request);
    QCOMPARE(lineEdit(form.get(), "userIdLineEdit")->text(), QStringLiteral("u-load"));
    QCOMPARE(lineEdit(form.get(), "emailLineEdit")->text(), QStringLiteral("load@acme.com"));
    TypedFieldModel *model = fieldModel(form.get());
    QCOMPARE(model->rowCount(), 5);
    QMap<QString, QPair<QString, QString>> rows; // name -> (type, value) as the table shows them
    for (int row = 0; row < model->rowCount(); ++row)
        rows.insert(cell(model, row, TypedFieldModel::NameColumn).toString(),
                    {cell(model, row, TypedFieldModel::TypeColumn).toString(),
                     cell(model, row, TypedFieldModel::ValueColumn).toString()});
    QCOMPARE(rows.value(QStringLiteral("plan")), qMakePair(QStringLiteral("string"), QStringLiteral("Pro")));
    QCOMPARE(rows.value(QStringLiteral("mrr")), qMakePair(QStringLiteral("number"), QStringLiteral("399")));
    QCOMPARE(rows.value(QStringLiteral("is_paying")),
             qMakePair(QStringLiteral("bool"), QStringLiteral("true")));
    QCOMPARE(rows.value(QStringLiteral("tags")).first, QStringLiteral("list"));
    QCOMPARE(rows.value(QStringLiteral("old_field")).second, QStringLiteral("(delete)"));
    QCOMPARE(jsonTab(form.get()), request.body);
    ApiRequest rebuilt;
    QMap<QString, QString> errors;
    QVERIFY(form->buildRequest(&rebuilt, &errors));
    QCOMPARE(rebuilt.body, request.body);

    // An event request brings its endpoint with it.
    auto event = openForm(Operation::TrackEvent);
    QVERIFY(event);
    const ApiRequest legacy = ApiRequest::trackLegacyEvent(
        QStringLiteral("Signed up"), {QString(), QStringLiteral("ann@acme.com")},
        {QStringLiteral("acc-9"), QString()}, {TestFields::parse(QStringLiteral("amount:number=12.5"))},
        QStringLiteral("2024-05-01T10:00:00Z"));
    event->loadRequest(legacy);
    QVERIFY(event->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"))->isChecked());
    QCOMPARE(event->operation(), Operation::TrackLegacyEvent);
    QCOMPARE(lineEdit(event.get(), "eventNameLineEdit")->text(), QStringLiteral("Signed up"));
    QCOMPARE(lineEdit(event.get(), "emailLineEdit")->text(), QStringLiteral("ann@acme.com"));
    QCOMPARE(lineEdit(event.get(), "accountIdLineEdit")->text(), QStringLiteral("acc-9"));
    QCOMPARE(lineEdit(event.get(), "triggeredAtLineEdit")->text(), QStringLiteral("2024-05-01T10:00:00Z"));
    QCOMPARE(jsonTab(event.get()), legacy.body);
    const std::optional<ApiResult> result = sendByKeyboard(event.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(result->requestUrl.endsWith(QStringLiteral("/events")));

    // Membership lines: a user ID, or an email.
    auto members = openForm(Operation::AddUsersToAccount);
    QVERIFY(members);
    members->loadRequest(ApiRequest::addUsersToAccount(
        {QStringLiteral("acc-9"), QString()},
        {{QStringLiteral("u-1"), QString()}, {QString(), QStringLiteral("bob@acme.com")}}));
    QCOMPARE(plainTextEdit(members.get(), "usersPlainTextEdit")->toPlainText(),
             QStringLiteral("u-1\nbob@acme.com"));
    QCOMPARE(lineEdit(members.get(), "accountIdLineEdit")->text(), QStringLiteral("acc-9"));
}

void tst_OperationForm::inputsRoundTripWithoutTheKey()
{
    const QString key = QStringLiteral("jk_live_c0ffee0123456789abcdef0123456789");
    SandboxServer *server = startServer(key, SandboxConfig::allPermissions());
    QVERIFY(server);
    QVERIFY(addProfile(QStringLiteral("Live"), server->baseUrl(), Profile::Environment::Production,
                       key.toUtf8()));
    QVERIFY(activate(QStringLiteral("Live")));

    const QString file = m_dir.filePath(QStringLiteral("inputs.ini"));
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-remember"));
    QTest::keyClicks(lineEdit(form.get(), "emailLineEdit"), QStringLiteral("remember@acme.com"));
    fieldModel(form.get())->addRow(QStringLiteral("mrr"), Type::Number, QStringLiteral("399"));
    fieldModel(form.get())->addRow(QStringLiteral("tags"), Type::List, QStringLiteral("a,b"));
    {
        QSettings settings(file, QSettings::IniFormat);
        form->saveInputs(settings);
    }
    QFile raw(file);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray bytes = raw.readAll();
    QVERIFY(bytes.contains("u-remember"));
    QVERIFY(!bytes.contains(key.toUtf8()));
    QVERIFY(!bytes.contains("jk_live"));

    auto restored = std::make_unique<OperationForm>(Operation::UpsertUser, m_session.get(), nullptr);
    {
        QSettings settings(file, QSettings::IniFormat);
        restored->restoreInputs(settings);
    }
    QCOMPARE(lineEdit(restored.get(), "userIdLineEdit")->text(), QStringLiteral("u-remember"));
    QCOMPARE(lineEdit(restored.get(), "emailLineEdit")->text(), QStringLiteral("remember@acme.com"));
    TypedFieldModel *model = fieldModel(restored.get());
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(cell(model, 0, TypedFieldModel::NameColumn).toString(), QStringLiteral("mrr"));
    QCOMPARE(cell(model, 0, TypedFieldModel::TypeColumn).toString(), QStringLiteral("number"));
    QCOMPARE(cell(model, 1, TypedFieldModel::TypeColumn).toString(), QStringLiteral("list"));
    QCOMPARE(jsonTab(restored.get()), jsonTab(form.get()));

    // Another form's inputs are its own.
    auto other = std::make_unique<OperationForm>(Operation::DeleteUser, m_session.get(), nullptr);
    {
        QSettings settings(file, QSettings::IniFormat);
        other->restoreInputs(settings);
    }
    QVERIFY(lineEdit(other.get(), "userIdLineEdit")->text().isEmpty());
}

void tst_OperationForm::legacyEventInputsRoundTrip()
{
    const QString file = m_dir.filePath(QStringLiteral("legacy-inputs.ini"));
    auto form = std::make_unique<OperationForm>(Operation::TrackEvent, m_session.get(), nullptr);
    lineEdit(form.get(), "eventNameLineEdit")->setText(QStringLiteral("Old style"));
    lineEdit(form.get(), "userIdLineEdit")->setText(QStringLiteral("u-old"));
    form->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"))->setChecked(true);
    {
        QSettings settings(file, QSettings::IniFormat);
        form->saveInputs(settings);
    }
    auto restored = std::make_unique<OperationForm>(Operation::TrackEvent, m_session.get(), nullptr);
    {
        QSettings settings(file, QSettings::IniFormat);
        restored->restoreInputs(settings);
    }
    QCOMPARE(lineEdit(restored.get(), "eventNameLineEdit")->text(), QStringLiteral("Old style"));
    QCOMPARE(lineEdit(restored.get(), "userIdLineEdit")->text(), QStringLiteral("u-old"));
    QVERIFY(restored->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"))->isChecked());
    QCOMPARE(restored->operation(), Operation::TrackLegacyEvent);

    // And back to /track: the next start does not bring back the old legacy inputs.
    form->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"))->setChecked(false);
    lineEdit(form.get(), "eventNameLineEdit")->setText(QStringLiteral("New style"));
    {
        QSettings settings(file, QSettings::IniFormat);
        form->saveInputs(settings);
    }
    auto again = std::make_unique<OperationForm>(Operation::TrackEvent, m_session.get(), nullptr);
    {
        QSettings settings(file, QSettings::IniFormat);
        again->restoreInputs(settings);
    }
    QCOMPARE(lineEdit(again.get(), "eventNameLineEdit")->text(), QStringLiteral("New style"));
    QVERIFY(!again->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"))->isChecked());
}

QTEST_MAIN(tst_OperationForm)

void tst_OperationForm::lintFindingsShowUnderTheirFieldsAndNeverBlockSend()
{
    auto form = openForm(Operation::UpsertUser);
    QVERIFY(form);
    // What the Node SDK 3.1.0 does: an email as userId and every number sent as text.
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("ann@lint.example"));
    TypedFieldModel *model = fieldModel(form.get());
    const int mrr = model->addRow(QStringLiteral("lint_mrr"), Type::String, QStringLiteral("399"));
    const int seats = model->addRow(QStringLiteral("seats"), Type::Number, QStringLiteral("12"));
    FormField *userId = form->fieldFor(QStringLiteral("identification.userId"));
    QVERIFY(userId);
    QTRY_VERIFY(!form->findings().isEmpty());
    QVERIFY2(userId->note().contains(QStringLiteral("ann@lint.example")), qPrintable(userId->note()));
    QVERIFY(userId->error().isEmpty()); // advice, not an error
    QLabel *userIdNote = form->findChild<QLabel *>(QStringLiteral("userIdLineEditLintLabel"));
    QVERIFY(userIdNote && userIdNote->isVisible());
    QCOMPARE(userIdNote->text(), userId->note());
    // The mixed request (a real number next to "399") makes the text a warning on its row.
    QVERIFY2(model->noteFor(mrr).contains(QStringLiteral("'399'")), qPrintable(model->noteFor(mrr)));
    QCOMPARE(cell(model, mrr, TypedFieldModel::NameColumn, Qt::BackgroundRole).value<QBrush>().color(),
             QColor(255, 236, 179));
    QCOMPARE(cell(model, mrr, TypedFieldModel::ValueColumn, Qt::ToolTipRole).toString(), model->noteFor(mrr));
    QCOMPARE(model->severityFor(mrr), TypedFieldModel::Severity::None);
    QVERIFY(model->noteFor(seats).isEmpty());
    QStringList rules;
    for (const LintFinding &finding : form->findings())
        rules << finding.rule + QLatin1Char(' ') + finding.path + QLatin1Char(' ') +
                     LintFinding::severityName(finding.severity);
    QCOMPARE(rules, QStringList({QStringLiteral("email-as-user-id identification.userId warning"),
                                 QStringLiteral("string-number properties.lint_mrr warning")}));

    // Findings never stop Send: the server gets exactly what the form shows. (A property name of
    // its own: the sandbox, like journy.io, rejects text for a property it has stored as a number.)
    const std::optional<ApiResult> result = sendByButton(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    const Inspection user = sandbox(QStringLiteral("/_sandbox/users"),
                                    {{QStringLiteral("userId"), QStringLiteral("ann@lint.example")}});
    QCOMPARE(user.status, 200);
    QCOMPARE(user.body.value(QLatin1String("properties")).toObject().value(QLatin1String("lint_mrr")),
             QJsonValue(QStringLiteral("399")));

    // Fixed values lose their notes once typing pauses.
    QLineEdit *edit = lineEdit(form.get(), "userIdLineEdit");
    edit->selectAll();
    QTest::keyClicks(edit, QStringLiteral("u-lint"));
    QVERIFY(model->setData(model->index(mrr, TypedFieldModel::TypeColumn), int(Type::Number)));
    QTRY_VERIFY(form->findings().isEmpty());
    QVERIFY(userId->note().isEmpty());
    QVERIFY(!userIdNote->isVisible());
    QVERIFY(model->noteFor(mrr).isEmpty());
    QVERIFY(!cell(model, mrr, TypedFieldModel::NameColumn, Qt::BackgroundRole).isValid());
}

void tst_OperationForm::lintFindingsOfAnEventAndOnTheJsonTab()
{
    auto form = openForm(Operation::TrackEvent);
    QVERIFY(form);
    QTest::keyClicks(lineEdit(form.get(), "eventNameLineEdit"), QStringLiteral("Order 12345 paid"));
    QTest::keyClicks(lineEdit(form.get(), "userIdLineEdit"), QStringLiteral("u-ev-lint"));
    QTRY_VERIFY(!form->findings().isEmpty());
    FormField *name = form->fieldFor(QStringLiteral("name"));
    QVERIFY2(name->note().contains(QStringLiteral("Order 12345 paid")), qPrintable(name->note()));
    QLabel *unplaced = form->findChild<QLabel *>(QStringLiteral("lintLabel"));
    QVERIFY(unplaced && !unplaced->isVisible());

    // The deprecated endpoint is about the request as a whole: the label under the tabs says it.
    auto *legacy = form->findChild<QCheckBox *>(QStringLiteral("legacyCheckBox"));
    legacy->setChecked(true);
    QTRY_VERIFY(unplaced->isVisible());
    QVERIFY2(unplaced->text().contains(QStringLiteral("/track")), qPrintable(unplaced->text()));

    // On the JSON tab the form is out of sight: every finding is listed under the JSON, by path.
    auto *tabs = form->findChild<QTabWidget *>(QStringLiteral("formTabWidget"));
    QVERIFY(tabs);
    tabs->setCurrentIndex(1);
    FormField *json = form->fieldFor(QStringLiteral("json"));
    QTRY_VERIFY2(json->note().contains(QStringLiteral("name: ")), qPrintable(json->note()));
    QVERIFY(json->note().contains(QStringLiteral("/track")));
    QVERIFY(name->note().isEmpty());
    QVERIFY(!unplaced->isVisible());

    // Sent anyway, to the endpoint the user chose.
    const std::optional<ApiResult> result = sendByButton(form.get());
    QVERIFY(result);
    QCOMPARE(result->httpStatus, 201);
    QVERIFY(result->requestUrl.endsWith(QStringLiteral("/events")));
}

#include "tst_OperationForm.moc"

#include "store/HistoryStore.h"
#include "support/PageTestSession.h"
#include "support/SandboxInspection.h"
#include "ui/forms/FormField.h"
#include "ui/forms/OperationForm.h"
#include "ui/forms/OperationPage.h"
#include "ui/forms/TypedFieldModel.h"
#include "ui/window/MainWindow.h"
#include "ui/window/PasteRequestDialog.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTest>

#include <memory>

namespace {
const QString Secret = QStringLiteral("sk_live_SECRET123");

// Chrome's "Copy as cURL (bash)" of an upsertUser as the Node SDK 3.1.0 sends it: an email as
// userId, a number as text next to a real number.
QString chromeCurl()
{
    return QStringLiteral("curl 'https://api.journy.io/users/upsert' \\\n"
                          "  -H 'accept: application/json' \\\n"
                          "  -H 'content-type: application/json' \\\n"
                          "  -H 'X-Api-Key: sk_live_SECRET123' \\\n"
                          "  --data-raw '{\"identification\":{\"userId\":\"ann@paste.example\"},"
                          "\"properties\":{\"mrr\":\"399\",\"seats\":12}}' \\\n"
                          "  --compressed");
}

QString har()
{
    QFile file(QStringLiteral(JOURNY_TEST_DATA_DIR "/paste/three-journy-calls.har"));
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Everything the dialog shows in its labels and list (not the editor, which holds the paste).
QString visibleText(PasteRequestDialog *dialog)
{
    QStringList texts;
    for (QLabel *label : dialog->findChildren<QLabel *>())
        texts << label->text();
    auto *list = dialog->findChild<QListWidget *>(QStringLiteral("itemListWidget"));
    for (int i = 0; i < list->count(); ++i)
        texts << list->item(i)->text();
    return texts.join(QLatin1Char('\n'));
}
} // namespace

class tst_PasteRequest : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void chromeCurlOpensTheUsersFormWithoutSending();
    void ambiguousJsonBodyWaitsForTheOperation();
    void harListsItsCallsToPickOne();
    void malformedInputShowsTheParsersError();
    void droppedFileOpensTheDialogAndTooLargeIsRefused();
    void droppedTextAndTheClipboardPrefillTheEditor();

private:
    qint64 requestsServed() const
    {
        return SandboxInspection::get(m_console->session.sandboxUrl(), QStringLiteral("/_sandbox/stats"))
            .body.value(QLatin1String("requests"))
            .toInteger(-1);
    }
    OperationPage *currentPage() const
    {
        return qobject_cast<OperationPage *>(
            m_window->findChild<QStackedWidget *>(QStringLiteral("pagesStackedWidget"))->currentWidget());
    }
    OperationForm *form(Operation operation) const
    {
        for (OperationForm *f : currentPage()->forms()) {
            if (f->operation() == operation)
                return f;
        }
        return nullptr;
    }

    std::unique_ptr<PageTestSession> m_console;
    std::unique_ptr<HistoryStore> m_history;
    std::unique_ptr<MainWindow> m_window;
};

void tst_PasteRequest::init()
{
    m_console = std::make_unique<PageTestSession>();
    m_history = std::make_unique<HistoryStore>();
    QString error;
    QVERIFY2(m_history->open(m_console->dir.filePath(QStringLiteral("history.sqlite")), &error),
             qPrintable(error));
    m_window = std::make_unique<MainWindow>(&m_console->session, m_history.get(),
                                            m_console->dir.filePath(QStringLiteral("console.ini")));
    m_window->show();
    m_window->start();
    QTRY_VERIFY_WITH_TIMEOUT(m_console->session.permissionsKnown(), 10000);
}

void tst_PasteRequest::cleanup()
{
    PasteRequestDialog::setNextAnswer(nullptr);
    m_window.reset();
    m_history.reset();
    m_console.reset();
}

void tst_PasteRequest::chromeCurlOpensTheUsersFormWithoutSending()
{
    const qint64 servedBefore = requestsServed();
    QVERIFY(servedBefore > 0); // the key's validation at least
    QString shown;
    bool openEnabled = false;
    PasteRequestDialog::setNextAnswer([&](PasteRequestDialog *dialog) {
        shown = visibleText(dialog);
        openEnabled = dialog->findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled();
        return true;
    });
    const qint64 historyBefore = m_history->count();
    m_window->openPasted(chromeCurl());
    QVERIFY(openEnabled);
    QVERIFY2(shown.contains(QStringLiteral("POST https://api.journy.io/users/upsert")), qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("Operation: upsertUser")), qPrintable(shown));
    QVERIFY2(shown.contains(QStringLiteral("Key: sha256:")), qPrintable(shown));
    QVERIFY2(!shown.contains(Secret), qPrintable(shown));

    QCOMPARE(currentPage()->title(), QStringLiteral("Users"));
    OperationForm *upsert = form(Operation::UpsertUser);
    QVERIFY(upsert && upsert->isVisible());
    QCOMPARE(upsert->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(),
             QStringLiteral("ann@paste.example"));
    // Linted as soon as it is loaded: the email as userId is noted in amber, not an error.
    FormField *userId = upsert->fieldFor(QStringLiteral("identification.userId"));
    QVERIFY(userId);
    QVERIFY2(userId->note().contains(QStringLiteral("ann@paste.example")), qPrintable(userId->note()));
    QLabel *note = upsert->findChild<QLabel *>(QStringLiteral("userIdLineEditLintLabel"));
    QVERIFY(note && note->isVisible());
    // The property rows exactly as pasted, the number sent as text noted in amber on its row.
    auto *model = qobject_cast<TypedFieldModel *>(
        upsert->findChild<QTableView *>(QStringLiteral("propertiesTableView"))->model());
    QVERIFY(model);
    QList<QStringList> rows;
    for (int row = 0; row < model->rowCount(); ++row) {
        rows << QStringList{model->index(row, TypedFieldModel::NameColumn).data().toString(),
                            model->index(row, TypedFieldModel::ValueColumn).data().toString()};
    }
    QCOMPARE(rows, (QList<QStringList>{{QStringLiteral("mrr"), QStringLiteral("399")},
                                       {QStringLiteral("seats"), QStringLiteral("12")}}));
    QVERIFY2(model->noteFor(0).contains(QStringLiteral("'399'")), qPrintable(model->noteFor(0)));
    QCOMPARE(model->index(0, TypedFieldModel::NameColumn).data(Qt::BackgroundRole).value<QBrush>().color(),
             QColor(255, 236, 179));
    for (QLineEdit *edit : m_window->findChildren<QLineEdit *>())
        QVERIFY2(!edit->text().contains(Secret), qPrintable(edit->objectName()));
    for (QPlainTextEdit *edit : m_window->findChildren<QPlainTextEdit *>())
        QVERIFY2(!edit->toPlainText().contains(Secret), qPrintable(edit->objectName()));
    // Opened, never sent: nothing in History, and the sandbox does not know the user.
    QCOMPARE(m_history->count(), historyBefore);
    QCOMPARE(requestsServed(), servedBefore);
}

void tst_PasteRequest::ambiguousJsonBodyWaitsForTheOperation()
{
    bool enabledBefore = true;
    bool enabledAfter = false;
    QString error;
    PasteRequestDialog::setNextAnswer([&](PasteRequestDialog *dialog) {
        error = dialog->findChild<QLabel *>(QStringLiteral("errorLabel"))->text();
        enabledBefore = dialog->findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled();
        auto *operation = dialog->findChild<QComboBox *>(QStringLiteral("operationComboBox"));
        operation->setCurrentIndex(operation->findText(QStringLiteral("removeUserFromAccount")));
        enabledAfter = dialog->findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled();
        return true;
    });
    const qint64 historyBefore = m_history->count();
    m_window->openPasted(
        QStringLiteral(R"({"account":{"accountId":"a"},"users":[{"identification":{"userId":"u"}}]})"));
    QCOMPARE(error, QStringLiteral("JSON body: matches both addUserToAccount and removeUserFromAccount; "
                                   "choose the operation"));
    QVERIFY(!enabledBefore);
    QVERIFY(enabledAfter);
    QCOMPARE(currentPage()->title(), QStringLiteral("Memberships"));
    OperationForm *remove = form(Operation::RemoveUsersFromAccount);
    QVERIFY(remove && remove->isVisible());
    QCOMPARE(m_history->count(), historyBefore);
}

void tst_PasteRequest::harListsItsCallsToPickOne()
{
    const QString text = har();
    QVERIFY(!text.isEmpty());
    int listed = 0;
    bool enabledBefore = true;
    PasteRequestDialog::setNextAnswer([&](PasteRequestDialog *dialog) {
        auto *list = dialog->findChild<QListWidget *>(QStringLiteral("itemListWidget"));
        listed = list->count();
        enabledBefore = dialog->findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled();
        list->setCurrentRow(1);
        return true;
    });
    const qint64 historyBefore = m_history->count();
    m_window->openPasted(text);
    QCOMPARE(listed, 3);
    QVERIFY(!enabledBefore);
    QCOMPARE(currentPage()->title(), QStringLiteral("Events"));
    OperationForm *track = form(Operation::TrackEvent);
    QVERIFY(track && track->isVisible());
    auto *eventName = track->findChild<QLineEdit *>(QStringLiteral("eventNameLineEdit"));
    QVERIFY(eventName);
    QCOMPARE(eventName->text(), QStringLiteral("opened_app"));
    QCOMPARE(m_history->count(), historyBefore);
}

void tst_PasteRequest::malformedInputShowsTheParsersError()
{
    PasteRequestDialog dialog(QStringLiteral(
        "curl 'https://api.journy.io/track' -H 'X-Note: café' --data-raw '{\"name\":\"signed_up}"));
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->text(),
             QStringLiteral("curl: unterminated single quote at character 65"));
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled());
    QVERIFY(!dialog.chosenRequest());
    // Typing is read once it pauses: the fixed command then opens.
    auto *edit = dialog.findChild<QPlainTextEdit *>(QStringLiteral("pasteTextPlainTextEdit"));
    edit->moveCursor(QTextCursor::End);
    QTest::keyClicks(edit, QStringLiteral("\"}'"));
    QTRY_VERIFY(dialog.findChild<QPushButton *>(QStringLiteral("openPushButton"))->isEnabled());
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("errorLabel"))->text(), QString());
    QCOMPARE(dialog.chosenRequest()->operation, Operation::TrackEvent);
}

void tst_PasteRequest::droppedFileOpensTheDialogAndTooLargeIsRefused()
{
    const QString path = m_console->dir.filePath(QStringLiteral("ticket.curl"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(chromeCurl().toUtf8());
    file.close();
    QString editorText;
    PasteRequestDialog::setNextAnswer([&](PasteRequestDialog *dialog) {
        editorText =
            dialog->findChild<QPlainTextEdit *>(QStringLiteral("pasteTextPlainTextEdit"))->toPlainText();
        return false; // cancelled: nothing opens
    });
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &drop);
    QCOMPARE(editorText, chromeCurl());

    const QString big = m_console->dir.filePath(QStringLiteral("big.har"));
    QFile bigFile(big);
    QVERIFY(bigFile.open(QIODevice::WriteOnly));
    QVERIFY(bigFile.resize(MainWindow::MaxDroppedFileSize + 1));
    bigFile.close();
    bool opened = false;
    PasteRequestDialog::setNextAnswer([&](PasteRequestDialog *) {
        opened = true;
        return false;
    });
    QCOMPARE(m_window->openDroppedFile(big),
             QStringLiteral("big.har was not opened: it is larger than 10 MiB."));
    QVERIFY(!opened);
    QCOMPARE(m_window->statusBar()->currentMessage(),
             QStringLiteral("big.har was not opened: it is larger than 10 MiB."));
    QCOMPARE(m_window->openDroppedFile(m_console->dir.filePath(QStringLiteral("missing.txt"))),
             QStringLiteral("missing.txt could not be read: No such file or directory"));
    QCOMPARE(m_window->openDroppedFile(m_console->dir.filePath(QStringLiteral("screenshot.png"))),
             QStringLiteral("screenshot.png was not opened: only .har, .txt, .sh, .http, .json and .curl "
                            "files are read."));
    QVERIFY(!opened);
}

void tst_PasteRequest::droppedTextAndTheClipboardPrefillTheEditor()
{
    QStringList editorTexts;
    const auto record = [&](PasteRequestDialog *dialog) {
        editorTexts
            << dialog->findChild<QPlainTextEdit *>(QStringLiteral("pasteTextPlainTextEdit"))->toPlainText();
        return false;
    };
    const QString body =
        QStringLiteral(R"({"name":"opened_app","identification":{"user":{"userId":"u-5"}}})");
    QMimeData mime;
    mime.setText(body);
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    PasteRequestDialog::setNextAnswer(record);
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window.get(), &drop);

    // File ▸ Open pasted request… takes the clipboard only when it looks like a request.
    QAction *action = m_window->findChild<QAction *>(QStringLiteral("openPastedRequestAction"));
    QVERIFY(action);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    QGuiApplication::clipboard()->setText(chromeCurl());
    PasteRequestDialog::setNextAnswer(record);
    action->trigger();
    QGuiApplication::clipboard()->setText(QStringLiteral("Hi, the call below fails:"));
    PasteRequestDialog::setNextAnswer(record);
    action->trigger();
    QCOMPARE(editorTexts, (QStringList{body, chromeCurl(), QString()}));
}

QTEST_MAIN(tst_PasteRequest)
#include "tst_PasteRequest.moc"

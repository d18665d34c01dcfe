// The confirmation asked before destructive calls, as a real modal dialog driven by the keyboard
// (no setNextAnswer()): on production the type-the-ID field has focus, Enter confirms only once
// the typed ID matches, and Cancel is not what Enter presses.

#include "ui/widgets/ConfirmationDialog.h"

#include <QApplication>
#include <QDialog>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>
#include <QTimer>

#include <functional>

namespace {

// What the test saw inside the open dialog.
class Seen
{
public:
    bool dialogShown = false;
    bool focusOnField = false;
    bool confirmDefault = false;
    bool cancelDefault = false;
    bool openAfterEarlyEnter = false;
};

// Runs drive on the modal dialog once confirm() shows it; whatever drive leaves open is rejected,
// so a failing check never leaves the test hanging in exec().
bool confirmDriven(const QString &typeToConfirm, Seen *seen, std::function<void(QDialog *)> drive)
{
    QTimer::singleShot(0, qApp, [seen, drive] {
        auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        seen->dialogShown = true;
        auto *field = dialog->findChild<QLineEdit *>(QStringLiteral("confirmLineEdit"));
        seen->focusOnField = field && dialog->focusWidget() == field;
        seen->confirmDefault =
            dialog->findChild<QPushButton *>(QStringLiteral("confirmPushButton"))->isDefault();
        seen->cancelDefault =
            dialog->findChild<QPushButton *>(QStringLiteral("cancelPushButton"))->isDefault();
        drive(dialog);
        if (dialog->isVisible())
            dialog->reject();
    });
    return ConfirmationDialog::confirm(
        nullptr, QStringLiteral("Delete"),
        QStringLiteral("Delete the user u-42 on the profile Live (Production)?"), typeToConfirm);
}

} // namespace

class tst_ConfirmationDialog : public QObject
{
    Q_OBJECT
private slots:
    void enterConfirmsOnlyOnceTheIdMatches();
    void escapeCancels();
    void plainQuestionDefaultsToCancel();
};

void tst_ConfirmationDialog::enterConfirmsOnlyOnceTheIdMatches()
{
    Seen seen;
    const bool confirmed = confirmDriven(QStringLiteral("u-42"), &seen, [&seen](QDialog *dialog) {
        QWidget *field = dialog->focusWidget();
        // Enter with nothing typed, then with a part of the ID: the dialog stays open.
        QTest::keyClick(field, Qt::Key_Return);
        QTest::keyClicks(field, QStringLiteral("u-4"));
        QTest::keyClick(field, Qt::Key_Return);
        seen.openAfterEarlyEnter = dialog->isVisible() && dialog->result() == 0;
        QTest::keyClicks(field, QStringLiteral("2"));
        QTest::keyClick(field, Qt::Key_Return);
    });
    QVERIFY(seen.dialogShown);
    QVERIFY(seen.focusOnField);
    QVERIFY(seen.confirmDefault);
    QVERIFY(!seen.cancelDefault);
    QVERIFY(seen.openAfterEarlyEnter);
    QVERIFY(confirmed);
}

void tst_ConfirmationDialog::escapeCancels()
{
    Seen seen;
    const bool confirmed = confirmDriven(QStringLiteral("u-42"), &seen, [](QDialog *dialog) {
        QTest::keyClicks(dialog->focusWidget(), QStringLiteral("u-42"));
        QTest::keyClick(dialog->focusWidget(), Qt::Key_Escape);
    });
    QVERIFY(seen.dialogShown);
    QVERIFY(!confirmed);
}

void tst_ConfirmationDialog::plainQuestionDefaultsToCancel()
{
    Seen seen;
    bool closedByEnter = false;
    const bool confirmed = confirmDriven(QString(), &seen, [&closedByEnter](QDialog *dialog) {
        QTest::keyClick(dialog, Qt::Key_Return);
        closedByEnter = !dialog->isVisible();
    });
    QVERIFY(seen.dialogShown);
    QVERIFY(seen.cancelDefault);
    QVERIFY(closedByEnter);
    QVERIFY(!confirmed);
}

QTEST_MAIN(tst_ConfirmationDialog)
#include "tst_ConfirmationDialog.moc"

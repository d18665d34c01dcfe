// The console on a 1366×768 laptop screen (the offscreen platform given that screen, see main()):
// the window fits it and never grows itself, the profile dialog shows a whole URL, the status bar
// never cuts its text, Tab follows each form, and a profile switch clears the old profile's
// answers. A real ConsoleSession (the built-in Sandbox profile on a temporary data file), a real
// SQLite history, an in-memory keychain; other profiles point at further in-process sandboxes.

#include "sandbox/SandboxConfig.h"
#include "support/PageTestSession.h"
#include "ui/forms/OperationForm.h"
#include "ui/widgets/ConfirmationDialog.h"
#include "ui/widgets/ConsolePage.h"
#include "ui/window/MainWindow.h"
#include "ui/window/ProfileDialog.h"

#include "store/HistoryStore.h"

#include <QApplication>
#include <QComboBox>
#include <QHelpEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QStyleOptionProgressBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

#include <memory>
#include <optional>

namespace {

// Everything a MainWindow is given, as journy-console builds it, in a temporary folder.
class Console : public PageTestSession
{
public:
    Console()
    {
        QString error;
        historyOpen = history.open(dir.filePath(QStringLiteral("history.sqlite")), &error);
    }

    QString settingsFile() const { return dir.filePath(QStringLiteral("console.ini")); }

    // Connected with the key's permissions known, or failed.
    bool settled() const
    {
        const ConsoleSession::State state = session.state();
        return state == ConsoleSession::State::Failed ||
               (state == ConsoleSession::State::Ready && session.permissionsKnown());
    }

    HistoryStore history;
    bool historyOpen = false;
};

constexpr int TitleBar = 40;
// The most the window may ask for, whatever it shows: it must fit a 1366×768 screen with room to spare.
constexpr int MinimumWidth = 1024;
constexpr int MinimumHeight = 640;

QString describe(const QRect &rect)
{
    return QStringLiteral("%1x%2 at %3,%4").arg(rect.width()).arg(rect.height()).arg(rect.x()).arg(rect.y());
}

// Lets a change of size travel up to the window: each widget without a layout of its own (a
// splitter, a scroll area) passes it on to its parent in a further posted event, one level a round.
void settleLayouts()
{
    for (int round = 0; round < 32; ++round) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
    }
}

QRect availableGeometry()
{
    return QGuiApplication::primaryScreen()->availableGeometry();
}

} // namespace

class tst_FitAndFinish : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void windowFitsALaptopScreenOnEveryPage();
    void windowFromABiggerScreenIsFittedToThisOne();
    void longErrorsNeverWidenTheWindow();
    void profileDialogShowsAWholeUrl();
    void statusBarCountsPermissionsAndTheGaugeReadsInItsBar();
    void profileSwitchClearsTheOldProfilesAnswersAndErrors();
    void tabFollowsEachFormThenSendThenTheAnswer();

private:
    // Picks the profile in the switcher as a user does (no production one: no confirmation) and
    // waits until it is connected or has failed.
    bool chooseProfile(MainWindow *window, Console &console, const QString &name);
    // The window as journy-console opens it: shown, then started; waits for the session.
    std::unique_ptr<MainWindow> openWindow(Console &console);
};

std::unique_ptr<MainWindow> tst_FitAndFinish::openWindow(Console &console)
{
    auto window = std::make_unique<MainWindow>(&console.session, &console.history, console.settingsFile());
    window->show();
    window->activateWindow();
    window->start();
    const bool settled = QTest::qWaitFor([&console] { return console.settled(); }, 10000);
    return settled && QTest::qWaitForWindowActive(window.get()) ? std::move(window) : nullptr;
}

bool tst_FitAndFinish::chooseProfile(MainWindow *window, Console &console, const QString &name)
{
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    const int index = combo->findData(name);
    if (index < 0)
        return false;
    combo->setCurrentIndex(index);
    emit combo->activated(index);
    return console.session.profile().name == name &&
           QTest::qWaitFor([&console] { return console.settled(); }, 10000);
}

void tst_FitAndFinish::initTestCase()
{
    // The screen main() asked for: without it every test below would prove nothing.
    QCOMPARE(QGuiApplication::primaryScreen()->geometry().size(), QSize(1366, 768));
}

void tst_FitAndFinish::windowFitsALaptopScreenOnEveryPage()
{
    Console console;
    QVERIFY(console.historyOpen);
    // A production profile (its key missing): the tallest the window's top gets, with the red
    // banner, and an error in the forms and the status bar.
    Profile production;
    production.name = QStringLiteral("Production");
    production.baseUrl = QUrl(QStringLiteral("https://api.journy.io"));
    production.environment = Profile::Environment::Production;
    QString error;
    QVERIFY2(console.profiles.save(production, &error), qPrintable(error));
    auto window = openWindow(console);
    QVERIFY(window);
    // Within the screen, with room for a window manager's title bar (30 to 40 px; the offscreen
    // platform's frame is 2 px).
    const QRect frame = window->frameGeometry();
    QVERIFY2(availableGeometry().contains(frame), qPrintable(describe(frame)));
    QVERIFY2(frame.height() + TitleBar <= availableGeometry().height(), qPrintable(describe(frame)));
    ConfirmationDialog::setNextAnswer(true);
    QVERIFY(chooseProfile(window.get(), console, production.name));
    QVERIFY(window->findChild<QLabel *>(QStringLiteral("productionBannerLabel"))->isVisible());

    auto *navigation = window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"));
    QVERIFY(navigation);
    const QSize limit(MinimumWidth, MinimumHeight);
    QStringList tooBig;
    for (int row = 0; row < navigation->count(); ++row) {
        navigation->setCurrentRow(row);
        settleLayouts();
        const QString page = navigation->item(row)->text();
        const QSize minimum = window->minimumSizeHint().expandedTo(window->minimumSize());
        if (minimum.width() > limit.width() || minimum.height() > limit.height())
            tooBig << QStringLiteral("%1 needs at least %2x%3")
                          .arg(page)
                          .arg(minimum.width())
                          .arg(minimum.height());
        if (!availableGeometry().contains(window->frameGeometry()))
            tooBig << QStringLiteral("%1 grew the window to %2x%3")
                          .arg(page)
                          .arg(window->width())
                          .arg(window->height());
    }
    QVERIFY2(tooBig.isEmpty(), qPrintable(tooBig.join(QStringLiteral("; "))));
}

void tst_FitAndFinish::windowFromABiggerScreenIsFittedToThisOne()
{
    Console console;
    {
        // Closed on a 1920×1200 monitor, as big as it went.
        MainWindow big(&console.session, &console.history, console.settingsFile());
        big.setGeometry(0, 0, 1880, 1150);
        big.show();
        QVERIFY(QTest::qWaitForWindowExposed(&big));
        big.close();
    }
    QVERIFY(
        QSettings(console.settingsFile(), QSettings::IniFormat).contains(QStringLiteral("window/geometry")));
    auto window = openWindow(console);
    QVERIFY(window);
    settleLayouts();
    const QRect frame = window->frameGeometry();
    QVERIFY2(availableGeometry().contains(frame), qPrintable(describe(frame)));
}

void tst_FitAndFinish::longErrorsNeverWidenTheWindow()
{
    Console console;
    QVERIFY(console.historyOpen);
    // A profile whose key is not in the keychain (a long name: the error names it), and one whose
    // server refuses connections, at a long URL (the errors name it).
    const QString longName = QStringLiteral("Customer with a rather long profile name - staging eu-west 2");
    Profile noKey;
    noKey.name = longName;
    noKey.baseUrl = QUrl(QStringLiteral("https://api.journy.io"));
    noKey.environment = Profile::Environment::Staging;
    QString error;
    QVERIFY2(console.profiles.save(noKey, &error), qPrintable(error));
    Profile refusing;
    refusing.name = QStringLiteral("Refusing");
    refusing.baseUrl =
        QUrl(QStringLiteral("http://127.0.0.1:9/a/long/path/through/the/company/gateway/to/the/"
                            "journy/api/for/the/support/team/of/the/european/customers"));
    refusing.environment = Profile::Environment::Staging;
    QVERIFY2(console.profiles.save(refusing, &error), qPrintable(error));
    QVERIFY(console.writeSecret(refusing.apiKeySecretName(), "jk_test_refused0123456789abcdef"));
    auto window = openWindow(console);
    QVERIFY(window);
    // Every page shown once: the window's minimum is the largest page's.
    auto *navigation = window->findChild<QListWidget *>(QStringLiteral("navigationListWidget"));
    QVERIFY(navigation);
    for (int row = navigation->count() - 1; row >= 0; --row) {
        navigation->setCurrentRow(row);
        settleLayouts();
    }
    // The user made the window as small as it goes (half of a laptop's screen, say): an error
    // must fit in what it has.
    window->resize(window->minimumSizeHint());
    settleLayouts();
    const QSize before = window->size();
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    auto *status = window->statusBar()->findChild<QLabel *>(QStringLiteral("connectionLabel"));
    QVERIFY(combo && status);

    combo->setCurrentIndex(combo->findData(longName));
    emit combo->activated(combo->currentIndex());
    QTRY_COMPARE(console.session.state(), ConsoleSession::State::Failed);
    QVERIFY2(status->text().contains(longName), qPrintable(status->text()));
    settleLayouts();
    QCOMPARE(window->size(), before);
    // Cut with "…" in the form's line, it is whole in the tooltip.
    auto *line = window->findChild<OperationForm *>(QStringLiteral("upsertUserOperationForm"))
                     ->findChild<QLabel *>(QStringLiteral("connectionLabel"));
    QVERIFY(line->isVisible());
    QVERIFY2(line->fontMetrics().horizontalAdvance(line->text()) > line->contentsRect().width(),
             qPrintable(line->text()));
    QHelpEvent help(QEvent::ToolTip, QPoint(1, 1), line->mapToGlobal(QPoint(1, 1)));
    QApplication::sendEvent(line, &help);
    QTRY_COMPARE(QToolTip::text(), line->text());
    QToolTip::hideText();
    QVERIFY2(window->minimumSizeHint().width() <= MinimumWidth,
             qPrintable(QString::number(window->minimumSizeHint().width())));

    combo->setCurrentIndex(combo->findData(refusing.name));
    emit combo->activated(combo->currentIndex());
    QTRY_VERIFY2(status->text().contains(QLatin1String("european")), qPrintable(status->text()));
    auto *form = window->findChild<OperationForm *>(QStringLiteral("upsertUserOperationForm"));
    QVERIFY(form);
    window->showPage(window->page(QStringLiteral("Users")));
    form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->setText(QStringLiteral("u-1"));
    std::optional<ApiResult> answer;
    connect(form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    form->send();
    QTRY_VERIFY(answer.has_value());
    auto *message = form->findChild<QLabel *>(QStringLiteral("messageLabel"));
    QVERIFY2(message->text().contains(QLatin1String("european")), qPrintable(message->text()));
    settleLayouts();
    QCOMPARE(window->size(), before);
    QVERIFY2(window->minimumSizeHint().width() <= MinimumWidth,
             qPrintable(QString::number(window->minimumSizeHint().width())));
    QVERIFY(availableGeometry().contains(window->frameGeometry()));
}

void tst_FitAndFinish::profileDialogShowsAWholeUrl()
{
    Console console;
    ProfileDialog dialog(&console.profiles, &console.secrets, Profile());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"));
    QVERIFY(url);
    // journy.io's own, and a company gateway's with wide letters (60 characters or so).
    for (const QString &address :
         {QStringLiteral("https://api.journy.io/"),
          QStringLiteral("https://journy-gateway.support.example-company.com:8443/api/"),
          QStringLiteral("https://www.wayward-widgets-worldwide.example.com/journy/api/")}) {
        url->setText(address);
        const int needed = url->fontMetrics().horizontalAdvance(address);
        QVERIFY2(url->width() >= needed, qPrintable(QStringLiteral("%1 < %2").arg(url->width()).arg(needed)));
        // The cursor at the end is where the whole text ends: the field did not scroll it.
        url->end(false);
        QVERIFY2(url->inputMethodQuery(Qt::ImCursorRectangle).toRect().center().x() >= needed,
                 qPrintable(address));
    }
    QVERIFY(availableGeometry().contains(dialog.frameGeometry()));
}

void tst_FitAndFinish::statusBarCountsPermissionsAndTheGaugeReadsInItsBar()
{
    Console console;
    QVERIFY(console.addProfile(QStringLiteral("Everything"),
                               QStringLiteral("jk_test_everything_0123456789ab"),
                               SandboxConfig::allPermissions()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Everything")));
    QCOMPARE(console.session.permissions().size(), SandboxConfig::allPermissions().size());
    auto *status = window->statusBar()->findChild<QLabel *>(QStringLiteral("connectionLabel"));
    QVERIFY(status);
    QTRY_VERIFY2(status->text().endsWith(
                     QStringLiteral(" · %1 permissions").arg(SandboxConfig::allPermissions().size())),
                 qPrintable(status->text()));
    settleLayouts();
    // The whole line fits the label; the tooltip lists every permission.
    QVERIFY2(status->fontMetrics().horizontalAdvance(status->text()) <= status->contentsRect().width(),
             qPrintable(QStringLiteral("%1 px for %2 px of text")
                            .arg(status->contentsRect().width())
                            .arg(status->fontMetrics().horizontalAdvance(status->text()))));
    for (const QString &permission : SandboxConfig::allPermissions())
        QVERIFY2(status->toolTip().contains(permission), qPrintable(status->toolTip()));

    // The gauge: "remaining / limit" in the bar, centred, with room for it.
    auto *bar = window->findChild<QProgressBar *>(QStringLiteral("rateLimitProgressBar"));
    QVERIFY(bar);
    static const QRegularExpression reading(
        QRegularExpression::anchoredPattern(QStringLiteral(R"(\d+ / 1800)")));
    QTRY_VERIFY2(reading.match(bar->text()).hasMatch(), qPrintable(bar->text()));
    QVERIFY(bar->alignment() & Qt::AlignHCenter);
    QStyleOptionProgressBar option;
    option.initFrom(bar);
    option.minimum = bar->minimum();
    option.maximum = bar->maximum();
    option.progress = bar->value();
    option.text = bar->text();
    option.textVisible = bar->isTextVisible();
    option.textAlignment = bar->alignment();
    option.state |= QStyle::State_Horizontal;
    const QRect label = bar->style()->subElementRect(QStyle::SE_ProgressBarLabel, &option, bar);
    const QRect groove = bar->style()->subElementRect(QStyle::SE_ProgressBarGroove, &option, bar);
    QVERIFY2(groove.contains(label), qPrintable(describe(label) + QStringLiteral(" in ") + describe(groove)));
    QVERIFY2(label.width() >= bar->fontMetrics().horizontalAdvance(bar->text()), qPrintable(describe(label)));
    QVERIFY(bar->isVisible());
}

void tst_FitAndFinish::profileSwitchClearsTheOldProfilesAnswersAndErrors()
{
    Console console;
    QVERIFY(console.addProfile(QStringLiteral("Other"), QStringLiteral("jk_test_other_0123456789abcdef"),
                               SandboxConfig::allPermissions()));
    auto window = openWindow(console);
    QVERIFY(window);
    window->pages();
    const QList<OperationForm *> forms = window->findChildren<OperationForm *>();
    QVERIFY(forms.size() >= 7);
    // On the Sandbox: an upsert the server answers, and on every other form what it finds before
    // sending (its fields are empty): errors under the fields and in the response panel.
    auto *upsert = window->findChild<OperationForm *>(QStringLiteral("upsertUserOperationForm"));
    QVERIFY(upsert);
    upsert->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->setText(QStringLiteral("u-switch"));
    std::optional<ApiResult> answer;
    connect(upsert, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    for (OperationForm *form : forms)
        form->send();
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(answer->httpStatus, 201);
    const auto shown = [](OperationForm *form) {
        QStringList what;
        for (const char *name : {"statusLabel", "requestIdLabel", "messageLabel"}) {
            const QString text = form->findChild<QLabel *>(QLatin1String(name))->text();
            if (text.contains(QLatin1String("HTTP")) || text.contains(QLatin1String("Not sent")) ||
                text.contains(QLatin1String("requestId")) ||
                (qstrcmp(name, "messageLabel") == 0 && !text.isEmpty()))
                what << text;
        }
        if (!form->findChild<QPlainTextEdit *>(QStringLiteral("bodyPlainTextEdit"))->toPlainText().isEmpty())
            what << QStringLiteral("a body");
        if (form->findChild<QListWidget *>(QStringLiteral("errorsListWidget"))->count() > 0)
            what << QStringLiteral("an error list");
        for (const QLabel *label : form->findChildren<QLabel *>()) {
            if (label->objectName().endsWith(QLatin1String("ErrorLabel")) && !label->isHidden())
                what << label->text();
        }
        return what;
    };
    for (OperationForm *form : forms) {
        const QStringList before = shown(form);
        QVERIFY2(!before.isEmpty(), qPrintable(form->objectName()));
        if (form != upsert)
            QVERIFY2(before.contains(QStringLiteral("an error list")), qPrintable(form->objectName()));
    }
    QVERIFY(shown(upsert).contains(QStringLiteral("a body")));

    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Other")));
    for (OperationForm *form : forms)
        QVERIFY2(shown(form).isEmpty(), qPrintable(form->objectName() + QStringLiteral(": ") +
                                                   shown(form).join(QStringLiteral(" | "))));
    // What was typed stays: only the other profile's answers went.
    QCOMPARE(upsert->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"))->text(),
             QStringLiteral("u-switch"));
}

void tst_FitAndFinish::tabFollowsEachFormThenSendThenTheAnswer()
{
    Console console;
    auto window = openWindow(console);
    QVERIFY(window);
    for (ConsolePage *page : window->pages()) {
        for (OperationForm *form : page->findChildren<OperationForm *>()) {
            window->showPage(page);
            if (auto *tabs = page->findChild<QTabWidget *>(QStringLiteral("operationsTabWidget")))
                tabs->setCurrentWidget(form);
            settleLayouts();
            // What the form's tab offers to the keyboard, top to bottom and left to right.
            auto *area = form->findChild<QWidget *>(QStringLiteral("formScrollArea"));
            QVERIFY(area);
            QList<QWidget *> fields;
            for (QWidget *widget : area->findChildren<QWidget *>()) {
                if (widget->isVisible() && widget->isEnabled() && (widget->focusPolicy() & Qt::TabFocus) &&
                    !qobject_cast<QAbstractScrollArea *>(widget->parentWidget()) && widget != area)
                    fields << widget;
            }
            const auto position = [form](QWidget *widget) { return widget->mapTo(form, QPoint(0, 0)); };
            std::sort(fields.begin(), fields.end(), [&position](QWidget *a, QWidget *b) {
                const QPoint pa = position(a);
                const QPoint pb = position(b);
                return pa.y() != pb.y() ? pa.y() < pb.y() : pa.x() < pb.x();
            });
            QVERIFY2(fields.size() >= 2, qPrintable(form->objectName()));
            // Then what the send row has for typing (left to right), Send, and the answer.
            auto *send = form->findChild<QPushButton *>(QStringLiteral("sendPushButton"));
            QList<QWidget *> sendRow;
            for (QWidget *widget :
                 send->parentWidget()->findChildren<QWidget *>(Qt::FindDirectChildrenOnly)) {
                if (widget != send && widget->isVisible() && (widget->focusPolicy() & Qt::TabFocus) &&
                    qAbs(widget->geometry().center().y() - send->geometry().center().y()) <
                        send->height() / 2)
                    sendRow << widget;
            }
            std::sort(sendRow.begin(), sendRow.end(), [](QWidget *a, QWidget *b) { return a->x() < b->x(); });
            QList<QWidget *> expected = fields.mid(1) + sendRow;
            expected << send << form->findChild<QPlainTextEdit *>(QStringLiteral("bodyPlainTextEdit"));
            QVERIFY(expected.constLast()->isVisible() && expected.at(expected.size() - 2)->isEnabled());

            fields.constFirst()->setFocus(Qt::TabFocusReason);
            QTRY_COMPARE(QApplication::focusWidget(), fields.constFirst());
            QStringList visited;
            QStringList wanted;
            for (QWidget *next : expected) {
                QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
                visited << QApplication::focusWidget()->objectName();
                wanted << next->objectName();
            }
            QVERIFY2(visited == wanted,
                     qPrintable(form->objectName() + QStringLiteral(": ") +
                                visited.join(QStringLiteral(", ")) + QStringLiteral(" instead of ") +
                                wanted.join(QStringLiteral(", "))));
        }
    }
}

int main(int argc, char **argv)
{
    // A 1366×768 laptop screen: the offscreen platform reads its screens from a JSON file (its
    // default is one 800×800 screen). Data and config in temporary folders (Bulk import opens its
    // journal in the data folder).
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" JOURNY_TEST_DATA_DIR "/screen-1366x768.json");
    QTemporaryDir home;
    qputenv("XDG_DATA_HOME", QFile::encodeName(home.filePath(QStringLiteral("data"))));
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(home.filePath(QStringLiteral("config"))));
    QApplication app(argc, argv);
    tst_FitAndFinish test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_FitAndFinish.moc"

// The website-snippet page as a user drives it, against the in-process sandbox (its demo website),
// another sandbox whose key lacks GetTrackingSnippet, and a scripted server for a server-side 400.

#include "support/PageTestSession.h"
#include "support/ScriptedHttpServer.h"
#include "support/StrayAmpersands.h"
#include "ui/snippet/SnippetPage.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTcpServer>

namespace {

class SnippetWidgets
{
public:
    explicit SnippetWidgets(SnippetPage &page)
        : domain(page.findChild<QLineEdit *>(QStringLiteral("domainLineEdit"))),
          domainError(page.findChild<QLabel *>(QStringLiteral("domainErrorLabel"))),
          get(page.findChild<QPushButton *>(QStringLiteral("getPushButton"))),
          status(page.findChild<QLabel *>(QStringLiteral("statusLabel"))),
          snippet(page.findChild<QPlainTextEdit *>(QStringLiteral("snippetPlainTextEdit"))),
          copy(page.findChild<QPushButton *>(QStringLiteral("copyPushButton")))
    {}

    bool complete() const { return domain && domainError && get && status && snippet && copy; }

    QLineEdit *domain;
    QLabel *domainError;
    QPushButton *get;
    QLabel *status;
    QPlainTextEdit *snippet;
    QPushButton *copy;
};

QJsonObject meta(int status)
{
    return {{QLatin1String("requestId"), QStringLiteral("req-%1").arg(status)},
            {QLatin1String("status"), status}};
}

} // namespace

class TestSnippetPage : public QObject
{
    Q_OBJECT

private slots:
    void getsTheDemoSnippetAndCopiesIt();
    void saysWhenTheDomainIsUnknown();
    void showsAnInvalidDomainUnderTheField();
    void showsTheServersDomainErrorUnderTheField();
    void needsTheGetTrackingSnippetPermission();
    void loadsARequestFromHistory();
    void labelsShowNoStrayAmpersand();
    void namesWhatFailedWhenNothingListens();
};

void TestSnippetPage::getsTheDemoSnippetAndCopiesIt()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    SnippetPage page(&t.session);
    page.show();
    QCOMPARE(page.title(), QStringLiteral("Website snippet"));
    QCOMPARE(page.operations(), QList<Operation>{Operation::TrackingSnippet});
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    QVERIFY(!w.domain->accessibleName().isEmpty());
    QVERIFY(w.snippet->isReadOnly());
    QCOMPARE(w.snippet->font().family(), QFontDatabase::systemFont(QFontDatabase::FixedFont).family());
    QVERIFY(w.get->isEnabled());
    QVERIFY(!w.copy->isEnabled());

    QTest::keyClicks(w.domain, QStringLiteral("demo.example.com"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    const QString expected = SandboxConfig::defaults().websites.value(QStringLiteral("demo.example.com"));
    QVERIFY(!expected.isEmpty());
    QTRY_COMPARE(w.snippet->toPlainText(), expected);
    QVERIFY2(w.status->text().contains(QLatin1String("demo.example.com")), qPrintable(w.status->text()));
    QVERIFY(w.domainError->isHidden());
    QVERIFY(w.get->isEnabled());

    QGuiApplication::clipboard()->clear();
    QVERIFY(w.copy->isEnabled());
    QTest::mouseClick(w.copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), expected);

    // Return in the field asks again; a leading or trailing space is not part of a domain.
    w.domain->setText(QStringLiteral("  demo.example.com "));
    QTest::keyClick(w.domain, Qt::Key_Return);
    QVERIFY(w.snippet->toPlainText().isEmpty()); // cleared while the new answer comes
    QTRY_COMPARE(w.snippet->toPlainText(), expected);
}

void TestSnippetPage::saysWhenTheDomainIsUnknown()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    SnippetPage page(&t.session);
    page.show();
    const SnippetWidgets w(page);
    QVERIFY(w.complete());

    // A snippet from before must not stay on screen under another domain's error.
    QTest::keyClicks(w.domain, QStringLiteral("demo.example.com"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    QTRY_VERIFY(!w.snippet->toPlainText().isEmpty());

    w.domain->setText(QStringLiteral("unknown.example.org"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    QTRY_VERIFY2(w.status->text().startsWith(QLatin1String("No website with the domain unknown.example.org")),
                 qPrintable(w.status->text()));
    QVERIFY(w.status->text().contains(QLatin1String("HTTP 404")));
    QVERIFY(w.status->text().contains(QLatin1String("requestId")));
    QVERIFY(w.snippet->toPlainText().isEmpty());
    QVERIFY(!w.copy->isEnabled());
    // The domain is well-formed: nothing to fix in the field itself.
    QVERIFY(w.domainError->isHidden());
}

void TestSnippetPage::showsAnInvalidDomainUnderTheField()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    SnippetPage page(&t.session);
    page.show();
    const SnippetWidgets w(page);
    QVERIFY(w.complete());

    QTest::keyClicks(w.domain, QStringLiteral("not a domain"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    QTRY_VERIFY(!w.domainError->isHidden());
    QCOMPARE(w.domainError->text(), QStringLiteral("'not a domain' is not a valid domain (e.g. acme.com)."));
    QVERIFY(w.domain->property("invalid").toBool());
    QCOMPARE(w.domain->accessibleDescription(), w.domainError->text());
    QVERIFY(w.status->text().contains(QLatin1String("domain is not valid")));
    QVERIFY(w.snippet->toPlainText().isEmpty());

    // Editing the field clears its error.
    QTest::keyClick(w.domain, Qt::Key_Backspace);
    QVERIFY(w.domainError->isHidden());
    QVERIFY(!w.domain->property("invalid").toBool());
}

void TestSnippetPage::showsTheServersDomainErrorUnderTheField()
{
    // A domain the client accepts but the server refuses, answered the way the spec describes a 400.
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::json(
        200, {{QLatin1String("meta"), meta(200)},
              {QLatin1String("data"), QJsonObject{{QLatin1String("permissions"),
                                                   QJsonArray{QLatin1String("GetTrackingSnippet")}}}}}));
    server.enqueue(ScriptedResponse::json(
        400,
        {{QLatin1String("meta"), meta(400)},
         {QLatin1String("message"), QStringLiteral("Bad request, some fields or parameters are incorrect")},
         {QLatin1String("errors"),
          QJsonObject{
              {QLatin1String("fields"), QJsonObject()},
              {QLatin1String("parameters"),
               QJsonObject{{QLatin1String("query"),
                            QJsonObject{{QLatin1String("domain"),
                                         QStringLiteral("Domain is not registered as a website")}}}}}}}}));

    PageTestSession t;
    Profile profile;
    profile.name = QStringLiteral("Scripted");
    profile.baseUrl = server.baseUrl();
    profile.environment = Profile::Environment::Staging;
    QString error;
    QVERIFY2(t.profiles.save(profile, &error), qPrintable(error));
    QVERIFY(t.writeSecret(profile.apiKeySecretName(), "scripted-key"));
    QVERIFY(t.activate(profile.name));

    SnippetPage page(&t.session);
    page.show();
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.domain, QStringLiteral("shop.example.net"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    QTRY_VERIFY(!w.domainError->isHidden());
    QCOMPARE(w.domainError->text(), QStringLiteral("Domain is not registered as a website"));
    QVERIFY2(w.status->text().contains(QLatin1String("HTTP 400")), qPrintable(w.status->text()));
    QVERIFY(w.status->text().contains(QLatin1String("req-400")));
    QCOMPARE(server.received().size(), 2);
    QCOMPARE(server.received().last().query.queryItemValue(QStringLiteral("domain")),
             QStringLiteral("shop.example.net"));
}

void TestSnippetPage::needsTheGetTrackingSnippetPermission()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(t.addProfile(QStringLiteral("No snippet"), QStringLiteral("tracking-only"),
                         {QStringLiteral("TrackData"), QStringLiteral("ReadEvents")}));
    SnippetPage page(&t.session);
    page.show();
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    QVERIFY(w.get->isEnabled());
    QVERIFY(!w.get->toolTip().contains(QLatin1String("lacks")));

    QVERIFY(t.activate(QStringLiteral("No snippet")));
    QVERIFY(!w.get->isEnabled());
    QVERIFY2(w.get->toolTip().contains(QLatin1String("GetTrackingSnippet")), qPrintable(w.get->toolTip()));
    QVERIFY(w.get->toolTip().contains(QLatin1String("No snippet")));
    // Return in the field does not get around the disabled button.
    const qint64 requests = t.otherServer->stats().value(QLatin1String("requests")).toInteger();
    QTest::keyClicks(w.domain, QStringLiteral("demo.example.com"));
    QTest::keyClick(w.domain, Qt::Key_Return);
    QTest::qWait(100);
    QCOMPARE(t.otherServer->stats().value(QLatin1String("requests")).toInteger(), requests);
    QVERIFY(w.status->text().isEmpty());

    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(w.get->isEnabled());
}

void TestSnippetPage::loadsARequestFromHistory()
{
    PageTestSession t;
    SnippetPage page(&t.session);
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    QVERIFY(!page.loadRequest(ApiRequest::validate()));
    QVERIFY(page.loadRequest(ApiRequest::trackingSnippet(QStringLiteral("journy.io"))));
    QCOMPARE(w.domain->text(), QStringLiteral("journy.io"));
}

// Every mnemonic label has its buddy, and its shortcut (Alt+D) reaches the field.
void TestSnippetPage::labelsShowNoStrayAmpersand()
{
    PageTestSession t;
    SnippetPage page(&t.session);
    page.show();
    QVERIFY(QTest::qWaitForWindowExposed(&page));
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    int mnemonics = 0;
    QCOMPARE(strayAmpersands(&page, &mnemonics), QStringList());
    QVERIFY(mnemonics > 0);
    w.get->setFocus();
    QTest::keyClick(&page, Qt::Key_D, Qt::AltModifier);
    QCOMPARE(QApplication::focusWidget(), w.domain);
}

// A server that is down: the console says what failed, where (host:port and the URL), in the
// same words as the CLI — not Qt's "Connection refused".
void TestSnippetPage::namesWhatFailedWhenNothingListens()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();

    PageTestSession t;
    Profile profile;
    profile.name = QStringLiteral("Down");
    profile.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    profile.environment = Profile::Environment::Staging;
    QString error;
    QVERIFY2(t.profiles.save(profile, &error), qPrintable(error));
    QVERIFY(t.writeSecret(profile.apiKeySecretName(), "down-key"));
    t.session.activate(profile.name);
    QTRY_COMPARE(t.session.state(), ConsoleSession::State::Ready);

    SnippetPage page(&t.session);
    page.show();
    const SnippetWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.domain, QStringLiteral("shop.example.net"));
    QTest::mouseClick(w.get, Qt::LeftButton);
    QTRY_COMPARE(w.status->text(),
                 QStringLiteral("Connection refused by 127.0.0.1:%1 "
                                "(http://127.0.0.1:%1/tracking/snippet?domain=shop.example.net)")
                     .arg(port));
}

QTEST_MAIN(TestSnippetPage)
#include "tst_SnippetPage.moc"

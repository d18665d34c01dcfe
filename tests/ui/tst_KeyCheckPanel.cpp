// The connection check as a user drives it: real widgets on the offscreen platform, a real
// server on loopback; the assertions are on what the window shows and what the server received.

#include "KeyCheckPanel.h"
#include "MainWindow.h"
#include "ScriptedHttpServer.h"

#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTest>

class TestKeyCheckPanel : public QObject
{
    Q_OBJECT

private slots:
    void showsPermissionsAndRateLimit();
    void showsRefusalOfPlainHttp();
};

void TestKeyCheckPanel::showsPermissionsAndRateLimit()
{
    ScriptedHttpServer server;
    QVERIFY(server.listen());
    server.enqueue(ScriptedResponse::json(
        200,
        {{QLatin1String("meta"),
          QJsonObject{{QLatin1String("requestId"), QLatin1String("req-77")}, {QLatin1String("status"), 200}}},
         {QLatin1String("data"),
          QJsonObject{{QLatin1String("permissions"),
                       QJsonArray{QLatin1String("TrackData"), QLatin1String("ReadSegments")}}}}},
        1800, 1797));

    MainWindow window;
    window.show();
    auto *panel = window.findChild<KeyCheckPanel *>(QStringLiteral("keyCheckPanel"));
    QVERIFY(panel);
    auto *baseUrl = panel->findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"));
    auto *apiKey = panel->findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit"));
    auto *check = panel->findChild<QPushButton *>(QStringLiteral("checkPushButton"));
    auto *status = panel->findChild<QLabel *>(QStringLiteral("statusLabel"));
    auto *detail = panel->findChild<QPlainTextEdit *>(QStringLiteral("detailPlainTextEdit"));
    QVERIFY(baseUrl && apiKey && check && status && detail);
    QCOMPARE(apiKey->echoMode(), QLineEdit::Password);

    baseUrl->setText(server.baseUrl().toString());
    QTest::keyClicks(apiKey, QStringLiteral("sk_gui_key"));
    QTest::mouseClick(check, Qt::LeftButton);

    QTRY_VERIFY(status->text().startsWith(QLatin1String("Connected: HTTP 200")));
    QVERIFY(status->text().contains(QLatin1String("1797 of 1800")));
    QVERIFY(detail->toPlainText().contains(QLatin1String("permissions: TrackData, ReadSegments")));
    QVERIFY(detail->toPlainText().contains(QLatin1String("requestId: req-77")));
    QVERIFY(!detail->toPlainText().contains(QLatin1String("sk_gui_key")));
    QCOMPARE(server.received().size(), 1);
    QCOMPARE(server.received().first().headers.value("x-api-key"), QByteArray("sk_gui_key"));
    QVERIFY(check->isEnabled());
}

void TestKeyCheckPanel::showsRefusalOfPlainHttp()
{
    KeyCheckPanel panel;
    panel.show();
    panel.findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"))
        ->setText(QStringLiteral("http://api.journy.io"));
    QTest::mouseClick(panel.findChild<QPushButton *>(QStringLiteral("checkPushButton")), Qt::LeftButton);
    auto *status = panel.findChild<QLabel *>(QStringLiteral("statusLabel"));
    QTRY_VERIFY(status->text().contains(QLatin1String("Refusing plain http://")));
    QVERIFY(panel.findChild<QPlainTextEdit *>(QStringLiteral("detailPlainTextEdit"))
                ->toPlainText()
                .contains(QLatin1String("insecure-url")));
}

QTEST_MAIN(TestKeyCheckPanel)
#include "tst_KeyCheckPanel.moc"

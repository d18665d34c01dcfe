// The embedded sandbox keeps its port between runs of the console, so copied curl commands keep
// working: a free port is chosen once and remembered in console.ini; the next run (same config
// and data folders) listens on it again; when another program holds it, the console picks another
// free port, remembers that one and says so in the status bar. Real sessions one after the other
// on the same files, a real QTcpServer holding the port, real requests to the sandbox.

#include "store/HistoryStore.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "ui/history/HistoryPage.h"
#include "ui/session/ConsoleSession.h"
#include "ui/window/MainWindow.h"

#include <QSettings>
#include <QStatusBar>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

class TestSandboxPort : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void portIsKeptBetweenRuns();
    void takenPortIsReplacedAndRemembered();
    void unusableSettingIsReplaced_data();
    void unusableSettingIsReplaced();

private:
    // One run of the console's session on the test's folders: the port its sandbox listens on
    // (0 when it did not start), and the notice it gave, if any.
    quint16 run(QString *notice = nullptr);
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("config/console.ini")); }
    quint16 rememberedPort() const
    {
        return quint16(
            QSettings(settingsFile(), QSettings::IniFormat).value(QStringLiteral("sandbox/port")).toUInt());
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestSandboxPort::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

quint16 TestSandboxPort::run(QString *notice)
{
    MemorySecretStore secrets;
    ProfileStore profiles(m_dir->filePath(QStringLiteral("config/profiles.ini")));
    ConsoleSession session(&secrets, &profiles, m_dir->filePath(QStringLiteral("data/sandbox.sqlite")));
    session.setSettingsFile(settingsFile());
    QObject context;
    connect(&session, &ConsoleSession::notice, &context, [notice](const QString &text) {
        if (notice)
            *notice = text;
    });
    session.activate(Profile::embeddedSandboxName());
    // The sandbox answers on that port: the session's key check went through.
    if (!QTest::qWaitFor([&session] { return session.permissionsKnown(); }, 10000))
        return 0;
    return quint16(session.sandboxUrl().port());
}

void TestSandboxPort::portIsKeptBetweenRuns()
{
    QCOMPARE(rememberedPort(), quint16(0));
    QString notice;
    const quint16 first = run(&notice);
    QVERIFY(first > 0);
    QCOMPARE(rememberedPort(), first);
    QVERIFY2(notice.isEmpty(), qPrintable(notice)); // a first choice is nothing to tell
    const quint16 second = run(&notice);
    QCOMPARE(second, first);
    QCOMPARE(run(&notice), first);
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
}

void TestSandboxPort::takenPortIsReplacedAndRemembered()
{
    const quint16 first = run();
    QVERIFY(first > 0);

    // Another program takes the port while the console is closed.
    QTcpServer squatter;
    QVERIFY2(squatter.listen(QHostAddress::LocalHost, first), qPrintable(squatter.errorString()));

    // The whole console: the status bar says what happened, History's curl commands use the new port.
    quint16 second = 0;
    {
        MemorySecretStore secrets;
        ProfileStore profiles(m_dir->filePath(QStringLiteral("config/profiles.ini")));
        ConsoleSession session(&secrets, &profiles, m_dir->filePath(QStringLiteral("data/sandbox.sqlite")));
        HistoryStore history;
        QString error;
        QVERIFY2(history.open(m_dir->filePath(QStringLiteral("data/history.sqlite")), &error),
                 qPrintable(error));
        MainWindow window(&session, &history, settingsFile());
        window.show();
        window.start();
        QTRY_VERIFY(session.permissionsKnown());
        second = quint16(session.sandboxUrl().port());
        QVERIFY(second > 0 && second != first);
        QCOMPARE(rememberedPort(), second);
        const QString message = window.statusBar()->currentMessage();
        QVERIFY2(message.contains(QStringLiteral("port %1 is taken").arg(first)) &&
                     message.contains(QString::number(second)),
                 qPrintable(message));

        // The key check on connecting is in History (a background call): copied as curl, it
        // goes to the new port.
        const auto keyCheck = [&history] {
            for (const HistoryEntry &entry : history.all()) {
                if (entry.operation == QLatin1String("getValidity"))
                    return entry;
            }
            return HistoryEntry();
        };
        QTRY_VERIFY(keyCheck().id > 0);
        const QString curl = HistoryPage::curlCommand(keyCheck());
        QVERIFY2(curl.contains(QStringLiteral("http://127.0.0.1:%1/validate").arg(second)), qPrintable(curl));
        window.saveSettings(); // what closing the window does: the port stays remembered
    }
    QCOMPARE(rememberedPort(), second);
    // The next run, the old port still taken, listens on the new one without a word.
    QString notice;
    QCOMPARE(run(&notice), second);
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
}

void TestSandboxPort::unusableSettingIsReplaced_data()
{
    QTest::addColumn<QString>("value");
    QTest::newRow("text") << QStringLiteral("eighty");
    QTest::newRow("zero") << QStringLiteral("0");
    QTest::newRow("beyond 65535") << QStringLiteral("70000"); // never read as 70000 - 65536
    QTest::newRow("negative") << QStringLiteral("-1");
}

// console.ini edited by hand: a value that is no port is no error, just no preference.
void TestSandboxPort::unusableSettingIsReplaced()
{
    QFETCH(QString, value);
    QSettings(settingsFile(), QSettings::IniFormat).setValue(QStringLiteral("sandbox/port"), value);
    QString notice;
    const quint16 port = run(&notice);
    QVERIFY(port > 0);
    QVERIFY(port != 70000 - 65536);
    QCOMPARE(rememberedPort(), port);
    QVERIFY2(notice.isEmpty(), qPrintable(notice));
}

QTEST_MAIN(TestSandboxPort)
#include "tst_SandboxPort.moc"

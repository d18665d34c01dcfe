// ServerText::clean, the one cleaning of server text: every kind of terminal control a server
// could slip into a message, the line modes, and redaction of secrets (also when an escape
// sequence splits one).
#include "api/ServerText.h"

#include <QTest>

class TestServerText : public QObject
{
    Q_OBJECT

private slots:
    void clean_data();
    void clean();
    void redactsBytes();
};

void TestServerText::clean_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("lines");
    QTest::addColumn<QString>("expected");
    const int join = int(ServerText::Lines::Join);
    const int keep = int(ServerText::Lines::Keep);
    QTest::newRow("plain") << QStringLiteral("Invalid email") << join << QStringLiteral("Invalid email");
    QTest::newRow("csi clear screen") << QStringLiteral("\x1b[2Jhi") << join << QStringLiteral("hi");
    QTest::newRow("csi colour") << QStringLiteral("a\x1b[1;31mb\x1b[0m") << join << QStringLiteral("ab");
    QTest::newRow("osc title, BEL") << QStringLiteral("a\x1b]0;owned\x07"
                                                      "b")
                                    << join << QStringLiteral("ab");
    QTest::newRow("osc link, ST") << QStringLiteral("a\x1b]8;;http://x\x1b\\b") << join
                                  << QStringLiteral("ab");
    QTest::newRow("dcs") << QStringLiteral("a\x1bPq#0\x1b\\b") << join << QStringLiteral("ab");
    QTest::newRow("two-char escape") << QStringLiteral("a\x1b"
                                                       "cb")
                                     << join << QStringLiteral("ab");
    QTest::newRow("lone escape at end") << QStringLiteral("ab\x1b") << join << QStringLiteral("ab");
    QTest::newRow("c1 csi") << QStringLiteral("a\u009b2Jb") << join << QStringLiteral("ab");
    QTest::newRow("c1 osc") << QStringLiteral("a\u009d0;t\u009cb") << join << QStringLiteral("ab");
    QTest::newRow("c0, del, c1") << QStringLiteral("a\x01\x08\x7f\u0085b") << join << QStringLiteral("ab");
    QTest::newRow("carriage return") << QStringLiteral("ok\rHTTP 200") << join
                                     << QStringLiteral("okHTTP 200");
    QTest::newRow("join lines") << QStringLiteral("a\nb\tc") << join << QStringLiteral("a b c");
    QTest::newRow("keep lines") << QStringLiteral("a\r\nb\tc") << keep << QStringLiteral("a\nb\tc");
    QTest::newRow("not controls") << QStringLiteral("é ü 日本 [x]") << join << QStringLiteral("é ü 日本 [x]");
}

void TestServerText::clean()
{
    QFETCH(QString, text);
    QFETCH(int, lines);
    QFETCH(QString, expected);
    QCOMPARE(ServerText::clean(text, ServerText::Lines(lines)), expected);
}

void TestServerText::redactsBytes()
{
    const QStringList secrets{QStringLiteral("sk_live_abc123"), QStringLiteral("proxy-pw"),
                              QStringLiteral("sandbox")};
    // Split by an escape sequence, the key is whole again after cleaning, then redacted.
    QCOMPARE(ServerText::clean(QStringLiteral("key sk_live_\x1b[0mabc123 via proxy-pw"),
                               ServerText::Lines::Join, secrets),
             QStringLiteral("key [redacted] via [redacted]"));
    // A short "secret" (the built-in sandbox's public key) would garble ordinary text: below
    // MinSecretLength it is left alone.
    QCOMPARE(ServerText::clean(QStringLiteral("injected by the sandbox"), ServerText::Lines::Join, secrets),
             QStringLiteral("injected by the sandbox"));
    QCOMPARE(ServerText::redacted("{\"message\":\"bad key sk_live_abc123\"}", secrets),
             QByteArray("{\"message\":\"bad key [redacted]\"}"));
}

QTEST_GUILESS_MAIN(TestServerText)
#include "tst_ServerText.moc"

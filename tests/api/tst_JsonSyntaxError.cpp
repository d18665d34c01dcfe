// Where JSON typed by a person stops parsing, as an editor shows it: line, column and the cursor
// position, with text before the mistake that UTF-8 encodes in more bytes than characters.

#include "api/JsonSyntaxError.h"

#include <QJsonObject>
#include <QTest>

class TestJsonSyntaxError : public QObject
{
    Q_OBJECT

private slots:
    void validJsonParses();
    void placesTheMistake_data();
    void placesTheMistake();
};

void TestJsonSyntaxError::validJsonParses()
{
    QJsonDocument document;
    JsonSyntaxError error;
    QVERIFY(JsonSyntaxError::parse(QStringLiteral("{\"a\": \"é€😀\"}"), &document, &error));
    QCOMPARE(document.object().value(QLatin1String("a")).toString(), QStringLiteral("é€😀"));
    QCOMPARE(error.line, 0);
}

void TestJsonSyntaxError::placesTheMistake_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("at"); // what the text holds from the error's position on
    QTest::addColumn<QString>("what");

    QTest::newRow("missing comma, next line")
        << QStringLiteral("{\"a\": 1\n  \"b\": 2}") << 2 << 3 << QStringLiteral("\"b\": 2}")
        << QStringLiteral("unterminated object");
    QTest::newRow("non-ASCII before, same line")
        << QStringLiteral("{\"a\": 1,\n\"b\": \"é€\",\n  \"ü\": \"ß\" \"c\": 3}") << 3 << 12
        << QStringLiteral("\"c\": 3}") << QStringLiteral("unterminated object");
    QTest::newRow("a character outside the BMP is one column")
        << QStringLiteral("{\"😀\": tru}") << 1 << 7 << QStringLiteral("tru}")
        << QStringLiteral("illegal value");
    QTest::newRow("missing colon") << QStringLiteral("{\"a\": 1,\n\"b\" 2}") << 2 << 5 << QStringLiteral("2}")
                                   << QStringLiteral("missing name separator");
    QTest::newRow("trailing comma") << QStringLiteral("{\"a\": 1,\n}") << 2 << 1 << QStringLiteral("}")
                                    << QStringLiteral("object is missing after a comma");
    QTest::newRow("garbage after the object")
        << QStringLiteral("{\"é\": 1}\n  x") << 2 << 3 << QStringLiteral("x")
        << QStringLiteral("garbage at the end of the document");
    QTest::newRow("bad number after blanks") << QStringLiteral("{\"a\":   @}") << 1 << 9
                                             << QStringLiteral("@}") << QStringLiteral("illegal number");
    QTest::newRow("cut off") << QStringLiteral("{\"a\": \"é") << 1 << 9 << QString()
                             << QStringLiteral("unterminated string");
    QTest::newRow("empty") << QString() << 1 << 1 << QString() << QStringLiteral("illegal value");
}

void TestJsonSyntaxError::placesTheMistake()
{
    QFETCH(QString, text);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, at);
    QFETCH(QString, what);
    QJsonDocument document;
    JsonSyntaxError error;
    QVERIFY(!JsonSyntaxError::parse(text, &document, &error));
    QCOMPARE(error.what, what);
    QCOMPARE(error.line, line);
    QCOMPARE(error.column, column);
    QCOMPARE(text.mid(error.position), at);
    QCOMPARE(error.describe(), QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(what));
}

QTEST_GUILESS_MAIN(TestJsonSyntaxError)
#include "tst_JsonSyntaxError.moc"

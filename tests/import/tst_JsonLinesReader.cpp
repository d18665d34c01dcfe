#include <QTest>

#include "import/CsvReader.h"
#include "import/ImportFileReader.h"
#include "import/ImportRecord.h"
#include "import/JsonLinesReader.h"
#include "support/ImportReadOutcome.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QTemporaryDir>

#include <algorithm>
#include <cstring>

namespace {

using ReadOutcome = ImportReadOutcome;
using Source = ImportSource;
const QList<ImportSource> &allSources = ImportReadOutcome::allSources();

// Reads input from a QBuffer, from a real file in a temporary folder, or a few bytes at a time.
ReadOutcome readFrom(Source source, const QByteArray &input,
                     qsizetype maxRowBytes = JsonLinesReader::DefaultMaxRowBytes)
{
    return ImportReadOutcome::readWith<JsonLinesReader>(source, input, maxRowBytes);
}

} // namespace

// JsonLinesReader: one object per line, columns from the first object in the order written, cells
// as the text a CSV file would hold. Every input is read from a QBuffer, a real file and a device
// that hands out a few bytes at a time.
class TestJsonLinesReader : public QObject
{
    Q_OBJECT

private slots:
    void rows_data();
    void rows();
    void valueText_data();
    void valueText();
    void startErrors_data();
    void startErrors();
    void lineOverTheGuard();
    void guardStopsReadingEarly();
    void manyLinesFromARealFile();
    void bytesReadFollowsTheLines();
    void fileReaderChoosesByName_data();
    void fileReaderChoosesByName();
    void fileReaderReadsWhatItChose();
};

void TestJsonLinesReader::rows_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QList<QStringList>>("values");
    QTest::addColumn<QList<qint64>>("lines");
    QTest::addColumn<QStringList>("errors");

    // Not alphabetical, so that a reader returning QJsonObject's sorted keys fails.
    const QStringList columns{"userId", "email", "age"};

    QTest::newRow("columns in written order")
        << QByteArray("{\"userId\":\"u1\",\"email\":\"a@x.io\",\"age\":30}\n"
                      "{\"age\":31,\"userId\":\"u2\",\"email\":\"b@x.io\"}\n")
        << columns << QList<QStringList>{{"u1", "a@x.io", "30"}, {"u2", "b@x.io", "31"}}
        << QList<qint64>{1, 2} << QStringList{QString(), QString()};
    QTest::newRow("no trailing newline, CRLF, spaces")
        << QByteArray(" { \"userId\" : \"u1\" , \"email\":null, \"age\":1 } \r\n{\"userId\":\"u2\"}")
        << columns << QList<QStringList>{{"u1", "", "1"}, {"u2", "", ""}} << QList<qint64>{1, 2}
        << QStringList{QString(), QString()};
    QTest::newRow("blank lines") << QByteArray("\n  \r\n{\"userId\":\"u1\",\"email\":\"e\",\"age\":2}\n\n\t\n"
                                               "{\"userId\":\"u2\"}\n\n")
                                 << columns << QList<QStringList>{{"u1", "e", "2"}, {"u2", "", ""}}
                                 << QList<qint64>{3, 6} << QStringList{QString(), QString()};
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF{\"b\":1,\"a\":2}\n") << QStringList{"b", "a"}
                         << QList<QStringList>{{"1", "2"}} << QList<qint64>{1} << QStringList{QString()};
    QTest::newRow("unknown key") << QByteArray("{\"userId\":\"u1\"}\n{\"userId\":\"u2\",\"plan\":\"pro\"}\n"
                                               "{\"userId\":\"u3\"}\n")
                                 << QStringList{"userId"} << QList<QStringList>{{"u1"}, {"u2"}, {"u3"}}
                                 << QList<qint64>{1, 2, 3}
                                 << QStringList{QString(), "line 2: unknown key 'plan'", QString()};
    QTest::newRow("value types")
        << QByteArray("{\"s\":\"t\\u00e9xt, \\\"q\\\"\",\"i\":-42,\"d\":0.1,\"b\":true,\"n\":null,"
                      "\"l\":[\"a\",\"b,c\",\"d\\\\e\",7,false]}\n")
        << QStringList{"s", "i", "d", "b", "n", "l"}
        << QList<QStringList>{{QStringLiteral("téxt, \"q\""), "-42", "0.1", "true", "",
                               "a,b\\,c,d\\\\e,7,false"}}
        << QList<qint64>{1} << QStringList{QString()};
    QTest::newRow("object value") << QByteArray("{\"a\":1,\"o\":null}\n{\"a\":2,\"o\":{\"x\":1}}\n")
                                  << QStringList{"a", "o"} << QList<QStringList>{{"1", ""}, {"2", ""}}
                                  << QList<qint64>{1, 2}
                                  << QStringList{QString(),
                                                 "line 2: 'o': an object cannot be imported as a cell "
                                                 "(text, a number, a boolean, null or a list)"};
    QTest::newRow("nested values in the first object do not add columns")
        << QByteArray("{\"z\":{\"y\":1,\"x\":[{\"w\":2}]},\"a\":[\"v\"]}\n") << QStringList{"z", "a"}
        << QList<QStringList>{{"", "v"}} << QList<qint64>{1}
        << QStringList{
               "line 1: 'z': an object cannot be imported as a cell (text, a number, a boolean, null or a "
               "list)"};
    QTest::newRow("keys with escapes")
        << QByteArray("{\"a\\\"b\":1,\"c\\u00e9\":2,\"x,y\":3}\n")
        << QStringList{"a\"b", QStringLiteral("cé"), "x,y"} << QList<QStringList>{{"1", "2", "3"}}
        << QList<qint64>{1} << QStringList{QString()};
    QTest::newRow("not objects") << QByteArray("{\"a\":1}\n[1,2]\nnot json\n{\"a\":2\n\"text\"\n{\"a\":3}\n")
                                 << QStringList{"a"}
                                 << QList<QStringList>{{"1"},        {"[1,2]"},    {"not json"},
                                                       {"{\"a\":2"}, {"\"text\""}, {"3"}}
                                 << QList<qint64>{1, 2, 3, 4, 5, 6}
                                 << QStringList{QString(),
                                                "line 2: not a JSON object but an array",
                                                "line 3: not a JSON object: *",
                                                "line 4: not a JSON object: *",
                                                "line 5: not a JSON object: *",
                                                QString()};
    QTest::newRow("invalid UTF-8")
        << QByteArray("{\"a\":\"x\"}\n{\"a\":\"\xC3\"}\n{\"a\":\"\xC3\xA9\"}\n") << QStringList{"a"}
        << QList<QStringList>{{"x"}, {QStringLiteral("{\"a\":\"\uFFFD\"}")}, {QStringLiteral("é")}}
        << QList<qint64>{1, 2, 3}
        << QStringList{QString(), "line 2: invalid UTF-8 (byte 0xc3) at column 7", QString()};
}

void TestJsonLinesReader::rows()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, headers);
    QFETCH(QList<QStringList>, values);
    QFETCH(QList<qint64>, lines);
    QFETCH(QStringList, errors);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QCOMPARE(outcome.headers, headers);
        QVERIFY2(outcome.last == ImportReader::Status::End, qPrintable(outcome.error));
        QList<QStringList> gotValues;
        QList<qint64> gotLines;
        QStringList gotErrors;
        for (qsizetype i = 0; i < outcome.rows.size(); ++i) {
            const ImportRecord &row = outcome.rows.at(i);
            QCOMPARE(row.number, i + 1);
            gotValues.append(row.values);
            gotLines.append(row.line);
            gotErrors.append(row.error);
        }
        // An expected error ending in '*' is a prefix: the rest is the JSON parser's own wording.
        QCOMPARE(gotErrors.size(), errors.size());
        for (qsizetype i = 0; i < errors.size(); ++i) {
            if (errors.at(i).endsWith(QLatin1Char('*')))
                QVERIFY2(gotErrors.at(i).startsWith(errors.at(i).chopped(1)), qPrintable(gotErrors.at(i)));
            else
                QCOMPARE(gotErrors.at(i), errors.at(i));
        }
        QCOMPARE(gotValues, values);
        QCOMPARE(gotLines, lines);
        QCOMPARE(outcome.bytesRead, input.size());
    }
}

void TestJsonLinesReader::valueText_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("text");

    QTest::newRow("string") << QByteArray("\" spaced \"") << QStringLiteral(" spaced ");
    QTest::newRow("empty string") << QByteArray("\"\"") << QString();
    QTest::newRow("integer") << QByteArray("399") << QStringLiteral("399");
    QTest::newRow("integral double") << QByteArray("3.0") << QStringLiteral("3");
    QTest::newRow("zero") << QByteArray("0") << QStringLiteral("0");
    QTest::newRow("negative zero") << QByteArray("-0.0") << QStringLiteral("0");
    QTest::newRow("fraction") << QByteArray("0.1") << QStringLiteral("0.1");
    QTest::newRow("shortest round trip")
        << QByteArray("1.0000000000000002") << QStringLiteral("1.0000000000000002");
    QTest::newRow("large integer kept exactly")
        << QByteArray("9007199254740993") << QStringLiteral("9007199254740993");
    QTest::newRow("exponent") << QByteArray("1e21") << QStringLiteral("1e+21");
    QTest::newRow("small") << QByteArray("1.5e-7") << QStringLiteral("1.5e-07");
    QTest::newRow("true") << QByteArray("true") << QStringLiteral("true");
    QTest::newRow("false") << QByteArray("false") << QStringLiteral("false");
    QTest::newRow("null") << QByteArray("null") << QString();
    QTest::newRow("list") << QByteArray("[\"a\",\"b\"]") << QStringLiteral("a,b");
    QTest::newRow("list with commas and backslashes")
        << QByteArray("[\"a,b\",\"c\\\\d\",\"\"]") << QStringLiteral("a\\,b,c\\\\d,");
    QTest::newRow("empty list") << QByteArray("[]") << QString();
}

void TestJsonLinesReader::valueText()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, text);

    const QJsonDocument document = QJsonDocument::fromJson("[" + json + "]");
    QVERIFY(document.isArray());
    QString got = QStringLiteral("untouched");
    QString problem;
    QVERIFY2(JsonLinesReader::valueText(document.array().at(0), &got, &problem), qPrintable(problem));
    QCOMPARE(got, text);
    // Numbers must read back as the same double.
    if (document.array().at(0).isDouble())
        QCOMPARE(got.toDouble(), document.array().at(0).toDouble());
}

void TestJsonLinesReader::startErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty file") << QByteArray() << QStringLiteral("the file is empty: it has no JSON object");
    QTest::newRow("blank lines only")
        << QByteArray("\n  \r\n\n") << QStringLiteral("the file is empty: it has no JSON object");
    QTest::newRow("first line an array")
        << QByteArray("\n[{\"a\":1}]\n{\"a\":1}\n")
        << QStringLiteral("line 2: not a JSON object but an array (the first object names the columns)");
    QTest::newRow("first line not JSON")
        << QByteArray("a,b\n1,2\n")
        << QStringLiteral("line 1: not a JSON object: illegal value at column 1 (the "
                          "first object names the columns)");
    QTest::newRow("first line not JSON after accented letters")
        << QByteArray("{\"pr\xC3\xA9nom\":\"Zo\xC3\xAB\" \"b\":1}\n")
        << QStringLiteral("line 1: not a JSON object: unterminated object at column 17 (the "
                          "first object names the columns)");
    QTest::newRow("first line invalid UTF-8")
        << QByteArray("{\"\xFF\":1}\n")
        << QStringLiteral(
               "line 1: invalid UTF-8 (byte 0xff) at column 3 (the first object names the columns)");
    QTest::newRow("first line too long")
        << QByteArray("{\"a\":\"" + QByteArray(3000, 'x') + "\"}\n")
        << QStringLiteral("line 1: a line longer than 1000 bytes; is this a JSON "
                          "Lines file?");
}

void TestJsonLinesReader::startErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input, 1000);
        QVERIFY(!outcome.started);
        QCOMPARE(outcome.startError, error);
    }
}

void TestJsonLinesReader::lineOverTheGuard()
{
    const QByteArray big = "{\"a\":\"" + QByteArray(5000, 'x') + "\"}";
    for (const QByteArray &input :
         {QByteArray("{\"a\":1}\n\n" + big + "\n{\"a\":2}\n"), QByteArray("{\"a\":1}\n\n" + big)}) {
        for (Source source : allSources) {
            const ReadOutcome outcome = readFrom(source, input, 1000);
            QVERIFY2(outcome.started, qPrintable(outcome.startError));
            QCOMPARE(outcome.rows.size(), 1);
            QCOMPARE(outcome.last, ImportReader::Status::Error);
            QCOMPARE(outcome.error,
                     QStringLiteral("line 3: a line longer than 1000 bytes; is this a JSON Lines file?"));
        }
        // Under a larger guard the same line is a row.
        const ReadOutcome outcome = readFrom(Source::Buffer, input, 10000);
        QVERIFY(outcome.rows.size() >= 2);
        QCOMPARE(outcome.rows.at(1).values.at(0).size(), 5000);
    }
}

void TestJsonLinesReader::guardStopsReadingEarly()
{
    // The guard is checked as the line grows, not once it is complete: a line with no end is not
    // read to the end of the file first.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile out(dir.filePath(QStringLiteral("no-line-end.jsonl")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("{\"a\":1}\n{\"a\":\"" + QByteArray(4 * 1024 * 1024, 'x'));
    out.close();

    QFile in(out.fileName());
    QVERIFY(in.open(QIODevice::ReadOnly));
    JsonLinesReader reader(&in);
    reader.setMaxRowBytes(1000);
    QString error;
    QVERIFY(reader.start(&error));
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QCOMPARE(error, QStringLiteral("line 2: a line longer than 1000 bytes; is this a JSON Lines file?"));
    QVERIFY2(in.pos() <= 4 * JsonLinesReader::ChunkBytes, qPrintable(QString::number(in.pos())));
}

void TestJsonLinesReader::manyLinesFromARealFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile out(dir.filePath(QStringLiteral("events.ndjson")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    const int rows = 20000;
    for (int i = 0; i < rows; ++i) {
        out.write("{\"name\":\"signed up\",\"userId\":\"u" + QByteArray::number(i) +
                  "\",\"n\":" + QByteArray::number(i) + ",\"city\":\"Li\xC3\xA8ge\"}\n");
        if (i % 500 == 0)
            out.write("\n");
    }
    out.close();

    QFile in(out.fileName());
    QVERIFY(in.open(QIODevice::ReadOnly));
    const std::unique_ptr<ImportReader> reader = ImportFileReader::create(&in, in.fileName());
    QString error;
    QVERIFY2(reader->start(&error), qPrintable(error));
    QCOMPARE(reader->headers(), (QStringList{"name", "userId", "n", "city"}));
    ImportRecord record;
    qint64 line = 1;
    for (int i = 0; i < rows; ++i) {
        QCOMPARE(reader->next(&record, &error), ImportReader::Status::Row);
        QCOMPARE(record.number, i + 1);
        QCOMPARE(record.line, line);
        QVERIFY2(record.error.isEmpty(), qPrintable(record.error));
        QCOMPARE(record.values, (QStringList{"signed up", QStringLiteral("u%1").arg(i), QString::number(i),
                                             QStringLiteral("Liège")}));
        line += i % 500 == 0 ? 2 : 1;
    }
    QCOMPARE(reader->next(&record, &error), ImportReader::Status::End);
    QCOMPARE(reader->bytesRead(), in.size());
}

void TestJsonLinesReader::bytesReadFollowsTheLines()
{
    const QByteArray first = "{\"a\":1}\r\n";
    const QByteArray second = "\n{\"a\":2}";
    QBuffer buffer;
    buffer.setData(first + second);
    buffer.open(QIODevice::ReadOnly);
    JsonLinesReader reader(&buffer);
    QString error;
    QCOMPARE(reader.bytesRead(), 0);
    QVERIFY(reader.start(&error));
    QCOMPARE(reader.bytesRead(), first.size());
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(record.values, QStringList{"1"});
    QCOMPARE(reader.bytesRead(), first.size());
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(record.values, QStringList{"2"});
    QCOMPARE(reader.bytesRead(), first.size() + second.size());
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::End);
}

void TestJsonLinesReader::fileReaderChoosesByName_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<bool>("jsonLines");

    QTest::newRow(".jsonl") << QStringLiteral("/data/users.jsonl") << true;
    QTest::newRow(".ndjson") << QStringLiteral("events.ndjson") << true;
    QTest::newRow("upper case") << QStringLiteral("EVENTS.JSONL") << true;
    QTest::newRow(".csv") << QStringLiteral("users.csv") << false;
    QTest::newRow(".tsv") << QStringLiteral("users.tsv") << false;
    QTest::newRow(".txt") << QStringLiteral("users.txt") << false;
    QTest::newRow("no extension") << QStringLiteral("users") << false;
    QTest::newRow(".json is not JSON Lines") << QStringLiteral("users.json") << false;
    QTest::newRow("jsonl in a folder name") << QStringLiteral("/tmp/x.jsonl/users.csv") << false;
}

void TestJsonLinesReader::fileReaderChoosesByName()
{
    QFETCH(QString, fileName);
    QFETCH(bool, jsonLines);

    QBuffer buffer;
    const std::unique_ptr<ImportReader> reader = ImportFileReader::create(&buffer, fileName);
    QVERIFY(reader);
    QCOMPARE(dynamic_cast<JsonLinesReader *>(reader.get()) != nullptr, jsonLines);
    QCOMPARE(dynamic_cast<CsvReader *>(reader.get()) != nullptr, !jsonLines);
}

void TestJsonLinesReader::fileReaderReadsWhatItChose()
{
    // The same two rows as a tab-separated file and as JSON Lines give the same headers and cells.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QList<QPair<QString, QByteArray>> files{
        {QStringLiteral("users.tsv"), QByteArray("userId\temail\nu1\ta@x.io\nu2\tb@x.io\n")},
        {QStringLiteral("users.jsonl"),
         QByteArray("{\"userId\":\"u1\",\"email\":\"a@x.io\"}\n{\"userId\":\"u2\",\"email\":\"b@x.io\"}\n")},
    };
    for (const auto &[name, content] : files) {
        QFile out(dir.filePath(name));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(content);
        out.close();
        QFile in(out.fileName());
        QVERIFY(in.open(QIODevice::ReadOnly));
        const std::unique_ptr<ImportReader> reader = ImportFileReader::create(&in, in.fileName());
        QString error;
        QVERIFY2(reader->start(&error), qPrintable(error));
        QCOMPARE(reader->headers(), (QStringList{"userId", "email"}));
        ImportRecord record;
        QCOMPARE(reader->next(&record, &error), ImportReader::Status::Row);
        QCOMPARE(record.values, (QStringList{"u1", "a@x.io"}));
        QCOMPARE(reader->next(&record, &error), ImportReader::Status::Row);
        QCOMPARE(record.values, (QStringList{"u2", "b@x.io"}));
        QCOMPARE(reader->next(&record, &error), ImportReader::Status::End);
    }
}

QTEST_GUILESS_MAIN(TestJsonLinesReader)
#include "tst_JsonLinesReader.moc"

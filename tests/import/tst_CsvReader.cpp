#include <QTest>

#include "import/CsvReader.h"
#include "import/ImportRecord.h"
#include "import/Utf8Validator.h"
#include "support/ImportReadOutcome.h"

#include <QBuffer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstring>

namespace {

using ReadOutcome = ImportReadOutcome;
using Source = ImportSource;
const QList<ImportSource> &allSources = ImportReadOutcome::allSources();

// Reads input from a QBuffer, from a real file in a temporary folder, or a few bytes at a time.
ReadOutcome readFrom(Source source, const QByteArray &input,
                     qsizetype maxRowBytes = CsvReader::DefaultMaxRowBytes)
{
    return ImportReadOutcome::readWith<CsvReader>(source, input, maxRowBytes);
}

QList<QStringList> valuesOf(const QList<ImportRecord> &rows)
{
    QList<QStringList> values;
    for (const ImportRecord &row : rows)
        values.append(row.values);
    return values;
}

QList<qint64> linesOf(const QList<ImportRecord> &rows)
{
    QList<qint64> lines;
    for (const ImportRecord &row : rows)
        lines.append(row.line);
    return lines;
}

QStringList errorsOf(const QList<ImportRecord> &rows)
{
    QStringList errors;
    for (const ImportRecord &row : rows)
        errors.append(row.error);
    return errors;
}

} // namespace

// CsvReader: RFC 4180 plus what real exports do (BOM, `;` and tab, CRLF, blank lines), read in
// chunks. Every input is read from a QBuffer, from a real file and through a device that hands out
// a few bytes at a time, so that each case is also a case of a row split across refills.
class TestCsvReader : public QObject
{
    Q_OBJECT

private slots:
    void rows_data();
    void rows();
    void delimiter_data();
    void delimiter();
    void startErrors_data();
    void startErrors();
    void unterminatedQuote_data();
    void unterminatedQuote();
    void errorIsFinal();
    void rowOverTheGuard_data();
    void rowOverTheGuard();
    void rowOverTheDefaultGuardInARealFile();
    void guardStopsReadingEarly();
    void longRowsAcrossManyChunks();
    void manyRowsFromARealFile();
    void fieldsOfEveryLengthAndOffset();
    void reusedRecordLeavesCopiesAlone();
    void bytesReadFollowsTheRows();
    void nextWithoutStartFails();
    void utf8Validator_data();
    void utf8Validator();
    void utf8ValidatorFindsABadByteAtEveryOffset();
    void utf8ValidatorStopsAtTheSize();
};

void TestCsvReader::rows_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QStringList>("headers");
    QTest::addColumn<QList<QStringList>>("values");
    QTest::addColumn<QList<qint64>>("lines");
    QTest::addColumn<QStringList>("errors");

    const QStringList ab{QStringLiteral("a"), QStringLiteral("b")};
    const QStringList ok2{QString(), QString()};

    QTest::newRow("simple") << QByteArray("a,b\n1,2\n3,4\n") << ab
                            << QList<QStringList>{{"1", "2"}, {"3", "4"}} << QList<qint64>{2, 3} << ok2;
    QTest::newRow("no trailing newline")
        << QByteArray("a,b\n1,2\n3,4") << ab << QList<QStringList>{{"1", "2"}, {"3", "4"}}
        << QList<qint64>{2, 3} << ok2;
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << ab
                          << QList<QStringList>{{"1", "2"}, {"3", "4"}} << QList<qint64>{2, 3} << ok2;
    QTest::newRow("CRLF, no trailing newline")
        << QByteArray("a,b\r\n1,2\r\n3,4") << ab << QList<QStringList>{{"1", "2"}, {"3", "4"}}
        << QList<qint64>{2, 3} << ok2;
    QTest::newRow("quoted delimiter")
        << QByteArray("a,b\n\"x,y\",2\n\"\",\"3\"\n") << ab << QList<QStringList>{{"x,y", "2"}, {"", "3"}}
        << QList<qint64>{2, 3} << ok2;
    QTest::newRow("doubled quotes") << QByteArray("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n") << ab
                                    << QList<QStringList>{{"say \"hi\"", "\""}} << QList<qint64>{2}
                                    << QStringList{QString()};
    QTest::newRow("quoted last field, CRLF")
        << QByteArray("a,b\r\n1,\"x\"\r\n2,\"y\"") << ab << QList<QStringList>{{"1", "x"}, {"2", "y"}}
        << QList<qint64>{2, 3} << ok2;
    QTest::newRow("embedded LF") << QByteArray("a,b\n\"l1\nl2\n\nl4\",2\n3,4\n") << ab
                                 << QList<QStringList>{{"l1\nl2\n\nl4", "2"}, {"3", "4"}}
                                 << QList<qint64>{2, 6} << ok2;
    QTest::newRow("embedded CRLF and quotes")
        << QByteArray("a,b\r\n\"l1\r\n\"\"l2\"\"\",2\r\n3,4\r\n") << ab
        << QList<QStringList>{{"l1\r\n\"l2\"", "2"}, {"3", "4"}} << QList<qint64>{2, 4} << ok2;
    QTest::newRow("BOM") << QByteArray("\xEF\xBB\xBF"
                                       "a,b\n1,2\n")
                         << ab << QList<QStringList>{{"1", "2"}} << QList<qint64>{2}
                         << QStringList{QString()};
    QTest::newRow("BOM and quoted header")
        << QByteArray("\xEF\xBB\xBF\"a\",b\n1,2\n") << ab << QList<QStringList>{{"1", "2"}}
        << QList<qint64>{2} << QStringList{QString()};
    QTest::newRow("semicolon") << QByteArray("a;b\n1,5;2\n\"x;y\";3\n") << ab
                               << QList<QStringList>{{"1,5", "2"}, {"x;y", "3"}} << QList<qint64>{2, 3}
                               << ok2;
    QTest::newRow("tab") << QByteArray("a\tb\n1,2\t3;4\n") << ab << QList<QStringList>{{"1,2", "3;4"}}
                         << QList<qint64>{2} << QStringList{QString()};
    QTest::newRow("blank lines") << QByteArray("\n\r\na,b\n\n1,2\n   \n\r\n\t\n3,4\n\n\n") << ab
                                 << QList<QStringList>{{"1", "2"}, {"3", "4"}} << QList<qint64>{5, 9} << ok2;
    QTest::newRow("headers with spaces")
        << QByteArray(" first name ,\" email \"\t\n x ,y\n")
        << QStringList{QStringLiteral("first name"), QStringLiteral("email")}
        << QList<QStringList>{{" x ", "y"}} << QList<qint64>{2} << QStringList{QString()};
    QTest::newRow("header only") << QByteArray("a,b\n") << ab << QList<QStringList>{} << QList<qint64>{}
                                 << QStringList{};
    QTest::newRow("header only, no newline")
        << QByteArray("a,b") << ab << QList<QStringList>{} << QList<qint64>{} << QStringList{};
    QTest::newRow("empty fields") << QByteArray("a,b,c\n1,,\n,,\n4,5,") << QStringList{"a", "b", "c"}
                                  << QList<QStringList>{{"1", "", ""}, {"", "", ""}, {"4", "5", ""}}
                                  << QList<qint64>{2, 3, 4} << QStringList{QString(), QString(), QString()};
    QTest::newRow("one column: quoted empty is a row, blank is not")
        << QByteArray("a\nx\n\n\"\"\ny\n") << QStringList{"a"} << QList<QStringList>{{"x"}, {""}, {"y"}}
        << QList<qint64>{2, 4, 5} << QStringList{QString(), QString(), QString()};
    QTest::newRow("quote inside an unquoted field")
        << QByteArray("a,b\n5\" disk,2\n") << ab << QList<QStringList>{{"5\" disk", "2"}} << QList<qint64>{2}
        << QStringList{QString()};
    // Old Mac Excel ends lines with a lone CR: before, such a file was one header line and 0 rows.
    QTest::newRow("CR only") << QByteArray("a,b\r1,2\r3,4\r") << ab
                             << QList<QStringList>{{"1", "2"}, {"3", "4"}} << QList<qint64>{2, 3} << ok2;
    QTest::newRow("CR only, no trailing CR, blank lines")
        << QByteArray("\r \ra,b\r\r1,2\r\r3,4") << ab << QList<QStringList>{{"1", "2"}, {"3", "4"}}
        << QList<qint64>{5, 7} << ok2;
    QTest::newRow("CR only, quoted CR kept")
        << QByteArray("a,b\r\"x\ry\",1\r\"z\"\r3,4\r") << ab
        << QList<QStringList>{{"x\ry", "1"}, {"z"}, {"3", "4"}} << QList<qint64>{2, 4, 5}
        << QStringList{QString(), "line 4: 1 fields, the header has 2", QString()};
    QTest::newRow("LF, CRLF and CR mixed")
        << QByteArray("a,b\n1,2\r\n3,4\r5,6\n") << ab
        << QList<QStringList>{{"1", "2"}, {"3", "4"}, {"5", "6"}} << QList<qint64>{2, 3, 4}
        << QStringList{QString(), QString(), QString()};
    QTest::newRow("lone CR mid-row ends it")
        << QByteArray("a,b\n1\r2,3\n") << ab << QList<QStringList>{{"1"}, {"2", "3"}} << QList<qint64>{2, 3}
        << QStringList{"line 2: 1 fields, the header has 2", QString()};
    QTest::newRow("invalid UTF-8 after a CR in quotes")
        << QByteArray("a,b\r1,\"x\ry\xFF\"\r3,4\r") << ab
        << QList<QStringList>{{"1", "x\ry\xEF\xBF\xBD"}, {"3", "4"}} << QList<qint64>{2, 4}
        << QStringList{"line 3: invalid UTF-8 (byte 0xff) in field 2 'b'", QString()};
    QTest::newRow("UTF-8") << QByteArray("naam,stad\nJos\xC3\xA9,Z\xC3\xBCrich \xF0\x9F\x9A\x80\n")
                           << QStringList{"naam", "stad"}
                           << QList<QStringList>{{QStringLiteral("José"), QStringLiteral("Zürich 🚀")}}
                           << QList<qint64>{2} << QStringList{QString()};
    QTest::newRow("ragged: short") << QByteArray("a,b,c\n1,2\n3,4,5\n") << QStringList{"a", "b", "c"}
                                   << QList<QStringList>{{"1", "2"}, {"3", "4", "5"}} << QList<qint64>{2, 3}
                                   << QStringList{"line 2: 2 fields, the header has 3", QString()};
    QTest::newRow("ragged: long") << QByteArray("a,b\n1,2,3\n4,5\n") << ab
                                  << QList<QStringList>{{"1", "2", "3"}, {"4", "5"}} << QList<qint64>{2, 3}
                                  << QStringList{"line 2: 3 fields, the header has 2", QString()};
    QTest::newRow("ragged after a multi-line field")
        << QByteArray("a,b\n\"x\ny\",1\n2\n3,4\n") << ab
        << QList<QStringList>{{"x\ny", "1"}, {"2"}, {"3", "4"}} << QList<qint64>{2, 4, 5}
        << QStringList{QString(), "line 4: 1 fields, the header has 2", QString()};
    QTest::newRow("invalid UTF-8") << QByteArray("a,b\n1,\xFF\n3,4\n") << ab
                                   << QList<QStringList>{{"1", QString(QChar::ReplacementCharacter)},
                                                         {"3", "4"}}
                                   << QList<qint64>{2, 3}
                                   << QStringList{"line 2: invalid UTF-8 (byte 0xff) in field 2 'b'",
                                                  QString()};
    QTest::newRow("invalid UTF-8 after a multi-line field")
        << QByteArray("a,b\n\"x\ny\nz\",1\nbad\xC3(,2\n3,4\n") << ab
        << QList<QStringList>{{"x\ny\nz", "1"}, {"bad\xEF\xBF\xBD(", "2"}, {"3", "4"}}
        << QList<qint64>{2, 5, 6}
        << QStringList{QString(), "line 5: invalid UTF-8 (byte 0xc3) in field 1 'a'", QString()};
    QTest::newRow("invalid UTF-8 on the second line of a field")
        << QByteArray("a,b\n1,\"x\r\ny\xED\xA0\x80\"\n3,4\n") << ab
        << QList<QStringList>{{"1", "x\r\ny\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, {"3", "4"}}
        << QList<qint64>{2, 4} << QStringList{"line 3: invalid UTF-8 (byte 0xed) in field 2 'b'", QString()};
    QTest::newRow("overlong UTF-8") << QByteArray("a\n\xC0\xAF\n") << QStringList{"a"}
                                    << QList<QStringList>{{"\xEF\xBF\xBD\xEF\xBF\xBD"}} << QList<qint64>{2}
                                    << QStringList{"line 2: invalid UTF-8 (byte 0xc0) in field 1 'a'"};
    QTest::newRow("ragged and invalid UTF-8")
        << QByteArray("a,b\n\xFF\n") << ab << QList<QStringList>{{"\xEF\xBF\xBD"}} << QList<qint64>{2}
        << QStringList{
               "line 2: invalid UTF-8 (byte 0xff) in field 1 'a'; line 2: 1 fields, the header has 2"};
    QTest::newRow("text after a closing quote")
        << QByteArray("a,b\n\"x\"y,2\n3,4\n") << ab << QList<QStringList>{{"xy", "2"}, {"3", "4"}}
        << QList<qint64>{2, 3}
        << QStringList{
               "line 2: text after the closing quote of field 1 'a' (a quote inside quotes must be doubled)",
               QString()};
}

void TestCsvReader::rows()
{
    QFETCH(QByteArray, input);
    QFETCH(QStringList, headers);
    QFETCH(QList<QStringList>, values);
    QFETCH(QList<qint64>, lines);
    QFETCH(QStringList, errors);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        const QByteArray context = ImportReadOutcome::sourceName(source).toUtf8();
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QCOMPARE(outcome.headers, headers);
        QVERIFY2(outcome.last == ImportReader::Status::End, qPrintable(outcome.error));
        QCOMPARE(valuesOf(outcome.rows), values);
        QCOMPARE(linesOf(outcome.rows), lines);
        QCOMPARE(errorsOf(outcome.rows), errors);
        for (qsizetype i = 0; i < outcome.rows.size(); ++i)
            QCOMPARE(outcome.rows.at(i).number, i + 1);
        QVERIFY2(outcome.bytesRead == input.size(), context.constData());
    }
}

void TestCsvReader::delimiter_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<char>("delimiter");
    QTest::addColumn<QStringList>("headers");

    QTest::newRow("comma") << QByteArray("a,b,c\n") << ',' << QStringList{"a", "b", "c"};
    QTest::newRow("semicolon") << QByteArray("a;b;c\n") << ';' << QStringList{"a", "b", "c"};
    QTest::newRow("tab") << QByteArray("a\tb\tc\n") << '\t' << QStringList{"a", "b", "c"};
    QTest::newRow("single column") << QByteArray("email\n") << ',' << QStringList{"email"};
    QTest::newRow("tie goes to the comma") << QByteArray("a;b,c\n") << ',' << QStringList{"a;b", "c"};
    QTest::newRow("semicolon and tab tie: not a comma")
        << QByteArray("a;b\tc\n") << ';' << QStringList{"a", "b\tc"};
    QTest::newRow("most wins") << QByteArray("a,b;c;d\n") << ';' << QStringList{"a,b", "c", "d"};
    QTest::newRow("quoted delimiters do not count")
        << QByteArray("\"a;b;c\",d,e\n") << ',' << QStringList{"a;b;c", "d", "e"};
    QTest::newRow("quoted newline in the header")
        << QByteArray("\"a\nb\";c;d\n1;2;3\n") << ';' << QStringList{"a\nb", "c", "d"};
    QTest::newRow("only the header line counts")
        << QByteArray("a;b\n1,2,3,4,5\n") << ';' << QStringList{"a", "b"};
    QTest::newRow("after blank lines") << QByteArray("\n  \na\tb\n") << '\t' << QStringList{"a", "b"};
    QTest::newRow("CR-only line ends")
        << QByteArray("\r\ra;b;c\r1,2,3,4,5\r") << ';' << QStringList{"a", "b", "c"};
}

void TestCsvReader::delimiter()
{
    QFETCH(QByteArray, input);
    QFETCH(char, delimiter);
    QFETCH(QStringList, headers);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QCOMPARE(outcome.delimiter, delimiter);
        QCOMPARE(outcome.headers, headers);
    }
}

void TestCsvReader::startErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty file") << QByteArray() << QStringLiteral("the file is empty: it has no header line");
    QTest::newRow("BOM only") << QByteArray("\xEF\xBB\xBF")
                              << QStringLiteral("the file is empty: it has no header line");
    QTest::newRow("blank lines only")
        << QByteArray("\n \r\n\t\n") << QStringLiteral("the file is empty: it has no header line");
    QTest::newRow("UTF-16") << QByteArray("\xFF\xFE"
                                          "a\0,\0b\0",
                                          8)
                            << QStringLiteral("the file is UTF-16; save it as UTF-8 CSV");
    QTest::newRow("invalid UTF-8 in the header")
        << QByteArray("\n\"a\nb\",c\xE9\n1,2\n")
        << QStringLiteral("line 3: invalid UTF-8 (byte 0xe9) in field 2");
    QTest::newRow("unterminated quote in the header")
        << QByteArray("a,\"b\n1,2\n")
        << QStringLiteral("line 1: a quoted field that starts here is never closed");
}

void TestCsvReader::startErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY(!outcome.started);
        QCOMPARE(outcome.startError, error);
    }
}

void TestCsvReader::unterminatedQuote_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("rowsBefore");
    QTest::addColumn<QString>("error");

    QTest::newRow("last row") << QByteArray("a,b\n1,2\n3,\"abc\n\ndef\n") << 1
                              << QStringLiteral("line 3: a quoted field that starts here is never closed");
    QTest::newRow("after multi-line fields")
        << QByteArray("a,b\r\n\"x\r\ny\",1\r\n2,\"z\r\n\"\r\n3,4\r\n5,\"never") << 3
        << QStringLiteral("line 7: a quoted field that starts here is never closed");
    QTest::newRow("CR-only line ends")
        << QByteArray("a,b\r1,2\r3,\"abc\r\rdef\r") << 1
        << QStringLiteral("line 3: a quoted field that starts here is never closed");
    QTest::newRow("on the second line of a row")
        << QByteArray("a,b\n\"x\ny\",\"\n") << 0
        << QStringLiteral("line 3: a quoted field that starts here is never closed");
    QTest::newRow("a doubled quote is not a closing one")
        << QByteArray("a\n\"x\"\"\n") << 0
        << QStringLiteral("line 2: a quoted field that starts here is never closed");
}

void TestCsvReader::unterminatedQuote()
{
    QFETCH(QByteArray, input);
    QFETCH(int, rowsBefore);
    QFETCH(QString, error);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QCOMPARE(outcome.rows.size(), rowsBefore);
        QCOMPARE(outcome.last, ImportReader::Status::Error);
        QCOMPARE(outcome.error, error);
    }
}

void TestCsvReader::errorIsFinal()
{
    // After a fatal error the position in the file means nothing: later calls must not make up rows.
    QBuffer buffer;
    buffer.setData("a,b\n\"open\n1,2\n3,4\n");
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(&buffer);
    QString error;
    QVERIFY(reader.start(&error));
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QCOMPARE(error, QStringLiteral("line 2: a quoted field that starts here is never closed"));
    error.clear();
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QCOMPARE(error, QStringLiteral("line 2: a quoted field that starts here is never closed"));
}

void TestCsvReader::rowOverTheGuard_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("error");

    const QByteArray big(5000, 'x');
    QTest::newRow("unquoted") << QByteArray("a,b\n1,2\n" + big + ",y\n3,4\n")
                              << QStringLiteral("line 3: a row longer than 1000 bytes; is this a CSV file?");
    QTest::newRow("unquoted, at the end of the file")
        << QByteArray("a,b\n1,2\n" + big)
        << QStringLiteral("line 3: a row longer than 1000 bytes; is this a CSV file?");
    QTest::newRow("many fields") << QByteArray("a,b\n1,2\n" + QByteArray(3000, ',') + "\n3,4\n")
                                 << QStringLiteral(
                                        "line 3: a row longer than 1000 bytes; is this a CSV file?");
    QTest::newRow("quote never closed")
        << QByteArray("a,b\n1,2\n3,\"" + big + "\n" + big + "\n")
        << QStringLiteral(
               "line 3: a quoted field that starts here runs past 1000 bytes; is a quote never closed?");
}

void TestCsvReader::rowOverTheGuard()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, error);

    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input, 1000);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QCOMPARE(outcome.rows.size(), 1);
        QCOMPARE(outcome.last, ImportReader::Status::Error);
        QCOMPARE(outcome.error, error);
    }
    // The same rows under the guard are fine: it is the size that is refused, not the content.
    const ReadOutcome outcome = readFrom(Source::Buffer, input, 100000);
    QVERIFY(outcome.rows.size() >= 2 || outcome.last == ImportReader::Status::Error);
    QVERIFY(outcome.error != error);
}

void TestCsvReader::rowOverTheDefaultGuardInARealFile()
{
    // A file with no line ends at all (a binary file picked by mistake) must stop at 16 MiB, not
    // be read into memory whole.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile out(dir.filePath(QStringLiteral("huge.csv")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("a,b\n1,2\n");
    const QByteArray chunk(1024 * 1024, 'x');
    for (int i = 0; i < 40; ++i)
        out.write(chunk);
    out.close();

    QFile in(out.fileName());
    QVERIFY(in.open(QIODevice::ReadOnly));
    CsvReader reader(&in);
    QString error;
    QVERIFY(reader.start(&error));
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QCOMPARE(error, QStringLiteral("line 3: a row longer than 16 MiB; is this a CSV file?"));
    // What was read is bounded by the guard and a read or two, not the 40 MiB of the file.
    QVERIFY2(in.pos() <= 3 * CsvReader::DefaultMaxRowBytes, qPrintable(QString::number(in.pos())));
}

void TestCsvReader::guardStopsReadingEarly()
{
    // The guard is checked as the row grows, not once it is complete: a row with no end is not
    // read to the end of the file first.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile out(dir.filePath(QStringLiteral("no-line-end.csv")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("a,b\n1,2\n" + QByteArray(4 * 1024 * 1024, 'x'));
    out.close();

    QFile in(out.fileName());
    QVERIFY(in.open(QIODevice::ReadOnly));
    CsvReader reader(&in);
    reader.setMaxRowBytes(1000);
    QString error;
    QVERIFY(reader.start(&error));
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QCOMPARE(error, QStringLiteral("line 3: a row longer than 1000 bytes; is this a CSV file?"));
    QVERIFY2(in.pos() <= 4 * CsvReader::ChunkBytes, qPrintable(QString::number(in.pos())));
}

void TestCsvReader::longRowsAcrossManyChunks()
{
    // Fields much longer than a chunk, quoted with newlines and doubled quotes, and unquoted.
    QByteArray quoted;
    QString quotedText;
    for (int i = 0; i < 40000; ++i) {
        quoted += "line \"\"" + QByteArray::number(i) + "\"\"\r\n";
        quotedText += QStringLiteral("line \"%1\"\r\n").arg(i);
    }
    const QByteArray unquoted(300 * 1024, 'u');
    const QByteArray input = "a,b,c\n\"" + quoted + "\"," + unquoted + ",end\nlast,x,y\n";

    for (Source source : {Source::Buffer, Source::File}) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QVERIFY2(outcome.last == ImportReader::Status::End, qPrintable(outcome.error));
        QCOMPARE(outcome.rows.size(), 2);
        QCOMPARE(outcome.rows.at(0).values.size(), 3);
        QVERIFY(outcome.rows.at(0).values.at(0) == quotedText);
        QVERIFY(outcome.rows.at(0).values.at(1) == QString::fromLatin1(unquoted));
        QCOMPARE(outcome.rows.at(0).values.at(2), QStringLiteral("end"));
        QCOMPARE(outcome.rows.at(1).line, 3 + 40000); // the header, the row's first line, its line feeds
        QCOMPARE(outcome.rows.at(1).values, (QStringList{"last", "x", "y"}));
    }
}

void TestCsvReader::manyRowsFromARealFile()
{
    // Enough rows for many refills, each with something that must survive a chunk boundary.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile out(dir.filePath(QStringLiteral("users.csv")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write("\xEF\xBB\xBFuserId;email;note\r\n");
    const int rows = 30000;
    for (int i = 0; i < rows; ++i) {
        out.write("u" + QByteArray::number(i) + ";user" + QByteArray::number(i) + "@example.com;");
        if (i % 3 == 0)
            out.write("\"multi\r\nline \"\"" + QByteArray::number(i) + "\"\"; caf\xC3\xA9\"\r\n");
        else
            out.write("plain " + QByteArray::number(i) + "\r\n");
        if (i % 1000 == 999)
            out.write("\r\n");
    }
    out.close();

    QFile in(out.fileName());
    QVERIFY(in.open(QIODevice::ReadOnly));
    CsvReader reader(&in);
    QString error;
    QVERIFY2(reader.start(&error), qPrintable(error));
    QCOMPARE(reader.headers(), (QStringList{"userId", "email", "note"}));
    ImportRecord record;
    qint64 line = 2;
    qint64 lastBytes = reader.bytesRead();
    for (int i = 0; i < rows; ++i) {
        QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
        QCOMPARE(record.number, i + 1);
        QCOMPARE(record.line, line);
        QVERIFY2(record.error.isEmpty(), qPrintable(record.error));
        QCOMPARE(record.values.at(0), QStringLiteral("u%1").arg(i));
        if (i % 3 == 0) {
            QCOMPARE(record.values.at(2), QStringLiteral("multi\r\nline \"%1\"; café").arg(i));
            line += 2;
        } else {
            QCOMPARE(record.values.at(2), QStringLiteral("plain %1").arg(i));
            line += 1;
        }
        if (i % 1000 == 999)
            line += 1;
        QVERIFY(reader.bytesRead() > lastBytes);
        lastBytes = reader.bytesRead();
    }
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::End);
    QCOMPARE(reader.bytesRead(), in.size());
}

void TestCsvReader::fieldsOfEveryLengthAndOffset()
{
    // Delimiters and line ends at every position of an eight-byte word, in ASCII and not.
    QByteArray input = "a,b,c\n";
    QList<QStringList> expected;
    for (int length = 0; length < 20; ++length) {
        for (int shift = 0; shift < 8; ++shift) {
            const QByteArray first(shift, 's');
            const QByteArray second(length, char('a' + length));
            const QByteArray third =
                length % 3 ? QByteArray(length, 'z') : "\xC3\xA9" + QByteArray(length, 'z');
            input += first + ',' + second + ',' + third + (length % 2 ? "\n" : "\r\n");
            expected.append({QString::fromUtf8(first), QString::fromUtf8(second), QString::fromUtf8(third)});
        }
    }
    for (Source source : allSources) {
        const ReadOutcome outcome = readFrom(source, input);
        QVERIFY2(outcome.started, qPrintable(outcome.startError));
        QVERIFY2(outcome.last == ImportReader::Status::End, qPrintable(outcome.error));
        QCOMPARE(valuesOf(outcome.rows), expected);
    }
}

void TestCsvReader::reusedRecordLeavesCopiesAlone()
{
    // next() decodes into the record's own strings to save allocations; a copy kept by the caller
    // must not change when the record is reused for the next row.
    QBuffer buffer;
    buffer.setData("a,b\nfirst long value,\"x\"\"y\"\nz,\xC3\xA9t\xC3\xA9\n" + QByteArray(300000, 'h') +
                   ",w\nshort,\n");
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(&buffer);
    QString error;
    QVERIFY(reader.start(&error));
    ImportRecord record;
    QList<ImportRecord> kept;
    while (reader.next(&record, &error) == ImportReader::Status::Row)
        kept.append(record);
    QCOMPARE(kept.size(), 4);
    QCOMPARE(kept.at(0).values, (QStringList{"first long value", "x\"y"}));
    QCOMPARE(kept.at(1).values, (QStringList{"z", QStringLiteral("été")}));
    QCOMPARE(kept.at(2).values.at(0), QString(300000, QLatin1Char('h')));
    QCOMPARE(kept.at(3).values, (QStringList{"short", ""}));
    QCOMPARE(record.values, (QStringList{"short", ""}));
}

void TestCsvReader::bytesReadFollowsTheRows()
{
    const QByteArray header = "\xEF\xBB\xBF"
                              "a,b\r\n";
    const QByteArray row1 = "1,\"x\ny\"\r\n";
    const QByteArray row2 = "\r\n3,4";
    QBuffer buffer;
    buffer.setData(header + row1 + row2);
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(&buffer);
    QString error;
    QCOMPARE(reader.bytesRead(), 0);
    QVERIFY(reader.start(&error));
    QCOMPARE(reader.bytesRead(), header.size());
    ImportRecord record;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(reader.bytesRead(), header.size() + row1.size());
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Row);
    QCOMPARE(reader.bytesRead(), header.size() + row1.size() + row2.size());
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::End);
}

void TestCsvReader::nextWithoutStartFails()
{
    QBuffer buffer;
    buffer.setData("a\n1\n");
    buffer.open(QIODevice::ReadOnly);
    CsvReader reader(&buffer);
    ImportRecord record;
    QString error;
    QCOMPARE(reader.next(&record, &error), ImportReader::Status::Error);
    QVERIFY(!error.isEmpty());
}

void TestCsvReader::utf8Validator_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("firstInvalid");

    QTest::newRow("empty") << QByteArray() << -1;
    QTest::newRow("ASCII, longer than a word") << QByteArray("0123456789abcdef0123") << -1;
    QTest::newRow("two, three and four bytes") << QByteArray("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x9A\x80") << -1;
    QTest::newRow("highest code point") << QByteArray("\xF4\x8F\xBF\xBF") << -1;
    QTest::newRow("after a word of ASCII") << QByteArray("01234567890\xFF") << 11;
    QTest::newRow("lone continuation") << QByteArray("ab\x80") << 2;
    QTest::newRow("C0 overlong") << QByteArray("\xC0\xAF") << 0;
    QTest::newRow("C1 overlong") << QByteArray("\xC1\xBF") << 0;
    QTest::newRow("E0 overlong") << QByteArray("x\xE0\x80\xAF") << 1;
    QTest::newRow("F0 overlong") << QByteArray("\xF0\x8F\xBF\xBF") << 0;
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << 0;
    QTest::newRow("past U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << 0;
    QTest::newRow("F5") << QByteArray("\xF5\x80\x80\x80") << 0;
    QTest::newRow("truncated at the end") << QByteArray("abc\xE2\x82") << 3;
    QTest::newRow("truncated by ASCII") << QByteArray("\xE2\x82,x") << 0;
    QTest::newRow("bad third byte") << QByteArray("\xF0\x9F\x41\x80") << 0;
}

void TestCsvReader::utf8Validator()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, firstInvalid);

    // Through a copy with nothing after it, so that reading past the end cannot go unnoticed under
    // a sanitizer, and nothing valid follows to hide a missing length check.
    const QByteArray exact(bytes.constData(), bytes.size());
    QCOMPARE(Utf8Validator::firstInvalid(exact.constData(), exact.size()), qsizetype(firstInvalid));
}

void TestCsvReader::utf8ValidatorFindsABadByteAtEveryOffset()
{
    // The ASCII fast path tests eight bytes at once: each of them must be looked at.
    for (int at = 0; at < 24; ++at) {
        QByteArray bytes(24, 'a');
        bytes[at] = '\xFF';
        QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), bytes.size()), qsizetype(at));
        bytes[at] = '\x80';
        QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), bytes.size()), qsizetype(at));
    }
}

void TestCsvReader::utf8ValidatorStopsAtTheSize()
{
    // A sequence cut by the size is invalid even if the bytes after the size would complete it.
    const QByteArray bytes("abc\xE2\x82\xAC");
    QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), bytes.size()), qsizetype(-1));
    QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), 5), qsizetype(3));
    QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), 4), qsizetype(3));
    QCOMPARE(Utf8Validator::firstInvalid(bytes.constData(), 3), qsizetype(-1));
}

QTEST_GUILESS_MAIN(TestCsvReader)
#include "tst_CsvReader.moc"

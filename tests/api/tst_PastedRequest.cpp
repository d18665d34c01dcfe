// What a customer sends a support engineer, read back into journy.io requests: browsers' "Copy as
// cURL" (bash and Windows cmd), History's own "Copy as curl", a here-document, raw HTTP/1.1 with
// CRLF and LF, a HAR file, bare bodies for every operation that has one, the errors for what
// cannot be read, and a fuzz loop over mangled pastes. The key must never survive into an Item.

#include "api/PastedRequest.h"
#include "support/SpecSchema.h"

#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

namespace {

const QByteArray Key = "jy_live_Q3v9TzL0c8KpW2eXa7Rm";
// sha256("jy_live_Q3v9TzL0c8KpW2eXa7Rm"), first 8 hex digits, computed outside the code under test.
const QString KeyFingerprint = QStringLiteral("sha256:c20871f6");

QByteArray withKey(QByteArray text)
{
    return text.replace("KEY", Key);
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray compact(const QByteArray &json)
{
    return compact(QJsonDocument::fromJson(json).object());
}

// Everything an Item holds, as text, to search for the key in.
QByteArray everything(const PastedRequest::Item &item)
{
    const ApiRequest &r = item.request;
    QStringList parts{item.source,
                      QString::fromUtf8(item.method),
                      item.url.toString(QUrl::FullyEncoded),
                      item.url.toString(),
                      QUrl::fromPercentEncoding(item.url.toEncoded()),
                      item.url.userInfo(),
                      item.keyFingerprint,
                      item.notes.join(QLatin1Char('\n')),
                      r.query.toString(QUrl::FullyEncoded),
                      r.query.toString(QUrl::FullyDecoded),
                      r.pathAndQuery(),
                      r.note};
    return parts.join(QLatin1Char('\n')).toUtf8() + compact(r.body) + r.bodyText + r.bodyBytes();
}

bool readOne(const QByteArray &text, PastedRequest::Item *item, QString *error,
             std::optional<Operation> chosen = std::nullopt)
{
    QList<PastedRequest::Item> items;
    if (!PastedRequest::read(text, &items, error, chosen))
        return false;
    if (items.size() != 1) {
        *error = QStringLiteral("%1 items, not 1").arg(items.size());
        return false;
    }
    *item = items.first();
    return true;
}

// History's "Copy as curl" (ui/history/HistoryPage::curlCommand, in the GUI library a core test
// cannot link), written here exactly as it writes it: a "# Note: …" line when there is a note,
// single quotes with ' as '\'', the key as "$JOURNY_API_KEY", lines joined with " \" + "  ".
QString historyQuote(const QString &text)
{
    QString quoted = text;
    quoted.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + quoted + QLatin1Char('\'');
}

QByteArray historyCurl(const QString &note, const QString &method, const QString &url, const QByteArray &body)
{
    const QString comment = note.isEmpty() ? QString() : QStringLiteral("# Note: %1\n").arg(note);
    QStringList lines{QStringLiteral("curl -X %1 %2").arg(method, historyQuote(url)),
                      QStringLiteral("-H \"X-Api-Key: $JOURNY_API_KEY\"")};
    if (!body.isEmpty()) {
        lines << QStringLiteral("-H %1").arg(historyQuote(QStringLiteral("Content-Type: application/json")));
        lines << QStringLiteral("--data-raw %1").arg(historyQuote(QString::fromUtf8(body)));
    }
    return (comment + lines.join(QStringLiteral(" \\\n  "))).toUtf8();
}

const QByteArray ChromeCurl = R"(curl 'https://api.journy.io/users/upsert' \
  -H 'accept: */*' \
  -H 'accept-language: en-GB,en-US;q=0.9,en;q=0.8' \
  -H 'content-type: application/json' \
  -H 'origin: https://app.acme.com' \
  -H 'priority: u=1, i' \
  -H 'referer: https://app.acme.com/' \
  -H 'sec-ch-ua: "Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  -H 'sec-fetch-dest: empty' \
  -H 'sec-fetch-mode: cors' \
  -H 'sec-fetch-site: cross-site' \
  -H 'user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' \
  -H 'x-api-key: KEY' \
  --data-raw '{"identification":{"userId":"u-42","email":"ann@acme.com"},"properties":{"plan":"pro","seats":3,"city":"Gent"}}')";

const QByteArray ChromeAnsiCCurl = R"(curl 'https://api.journy.io/track' \
  -H 'accept: */*' \
  -H 'content-type: application/json' \
  -H 'x-api-key: KEY' \
  --data-raw $'{"name":"signed_up","identification":{"user":{"userId":"u-1"}},"metadata":{"quote":"it\'s","bang":"wow\u0021","café":"naïve","tab":"a\\tb","back":"c:\\\\d"}}')";

const QByteArray FirefoxCurl =
    R"(curl 'https://api.journy.io/track' -X POST -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' -H 'X-Api-Key: KEY' -H 'Origin: https://app.acme.com' -H 'Connection: keep-alive' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: cross-site' -H 'Priority: u=4' --data-raw '{"name":"invoice_paid","identification":{"account":{"accountId":"a-7"}},"metadata":{"amount":120.5}}')";

const QByteArray HeredocCurl = R"(curl -sS -X POST https://api.journy.io/link \
  -H "X-Api-Key: $JOURNY_API_KEY" \
  -H 'Content-Type: application/json' \
  -d @- <<'EOF'
{
  "deviceId": "dev-9",
  "identification": {"email": "bo@acme.com"}
}
EOF
)";

const QByteArray JsonHeredocCurl = "curl --json @- \"https://api.journy.io/accounts/users/add\" "
                                   "-H \"X-Api-Key: ${JOURNY_API_KEY}\" <<EOF\n"
                                   "{\"account\": {\"domain\": \"acme.com\"},\n"
                                   " \"users\": [{\"identification\": {\"userId\": \"u-1\"}}]}\n"
                                   "EOF\n";

// Chrome's "Copy as cURL (cmd)": every special character ^-escaped, quotes as ^\^".
const QByteArray WindowsCurl = "curl ^\"https://api.journy.io/accounts/users/add^\" ^\n"
                               "  -H ^\"accept: */*^\" ^\n"
                               "  -H ^\"content-type: application/json^\" ^\n"
                               "  -H ^\"x-api-key: KEY^\" ^\n"
                               "  --data-raw "
                               "^\"^{^\\^\"account^\\^\":^{^\\^\"accountId^\\^\":^\\^\"a-1^\\^\"^},^\\^"
                               "\"users^\\^\":^[^{^\\^\"identification^"
                               "\\^\":^{^\\^\"userId^\\^\":^\\^\"u-1^\\^\"^}^}^]^}^\"";

const QByteArray RawCrLfBody =
    R"({"identification":{"accountId":"a-9","domain":"acme.com"},"properties":{"mrr":399}})";

QByteArray rawCrLf()
{
    return "POST /accounts/upsert HTTP/1.1\r\n"
           "Host: api.journy.io\r\n"
           "Content-Type: application/json\r\n"
           "X-Api-Key: " +
           Key + "\r\nContent-Length: " + QByteArray::number(RawCrLfBody.size()) + "\r\n\r\n" + RawCrLfBody;
}

const QByteArray RawLf = "DELETE /users HTTP/1.1\n"
                         "Host: 127.0.0.1:8765\n"
                         "Content-Type: application/json\n"
                         "X-Api-Key: KEY\n"
                         "\n"
                         "{\"identification\": {\"email\": \"gone@acme.com\"}}\n";

const QByteArray RawGet = "GET /tracking/snippet?domain=acme.com HTTP/1.1\n"
                          "Host: api.journy.io\n"
                          "X-Api-Key: KEY\n"
                          "\n";

// A browser's HAR export: three journy.io calls among two other requests, the key as KEY.
QByteArray har()
{
    QFile file(QStringLiteral(JOURNY_TEST_DATA_DIR "/paste/three-journy-calls.har"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return withKey(file.readAll());
}

} // namespace

class TestPastedRequest : public QObject
{
    Q_OBJECT

private slots:
    void chromeCopyAsCurl();
    void chromeAnsiCQuoting();
    void firefoxCopyAsCurl();
    void hereDocuments();
    void historyCopyAsCurl();
    void windowsCmdCurl();
    void shortOptionsAndGetData();
    void postmanAndBodies();
    void keyInUserInfoAndQuery();
    void rawRequestCrLf();
    void rawRequestLf();
    void harFile();
    void bareBodies_data();
    void bareBodies();
    void relayPrefixAndChosenOperation();
    void errors_data();
    void errors();
    void fuzzNeverCrashes();

private:
    static void checkNoKey(const PastedRequest::Item &item);
};

void TestPastedRequest::checkNoKey(const PastedRequest::Item &item)
{
    QVERIFY2(!everything(item).contains(Key), everything(item).constData());
}

void TestPastedRequest::chromeCopyAsCurl()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(ChromeCurl), &item, &error), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("curl"));
    QCOMPARE(item.request.operation, Operation::UpsertUser);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/users/upsert")));
    QCOMPARE(
        compact(item.request.body),
        compact(
            R"({"identification":{"userId":"u-42","email":"ann@acme.com"},"properties":{"plan":"pro","seats":3,"city":"Gent"}})"));
    QVERIFY(item.request.query.isEmpty());
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    QCOMPARE(item.notes, QStringList{QStringLiteral("X-Api-Key removed")});
    checkNoKey(item);
}

void TestPastedRequest::chromeAnsiCQuoting()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(ChromeAnsiCCurl), &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::TrackEvent);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    const QJsonObject metadata = item.request.body.value(QLatin1String("metadata")).toObject();
    QCOMPARE(metadata.value(QLatin1String("quote")).toString(), QStringLiteral("it's"));
    QCOMPARE(metadata.value(QLatin1String("bang")).toString(), QStringLiteral("wow!"));
    QCOMPARE(metadata.value(QStringLiteral("café")).toString(), QStringLiteral("naïve"));
    QCOMPARE(metadata.value(QLatin1String("tab")).toString(), QStringLiteral("a\tb"));
    QCOMPARE(metadata.value(QLatin1String("back")).toString(), QStringLiteral("c:\\d"));
    QCOMPARE(item.request.body.value(QLatin1String("name")).toString(), QStringLiteral("signed_up"));
    checkNoKey(item);
}

void TestPastedRequest::firefoxCopyAsCurl()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(FirefoxCurl), &item, &error), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("curl"));
    QCOMPARE(item.request.operation, Operation::TrackEvent);
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/track")));
    QCOMPARE(
        compact(item.request.body),
        compact(
            R"({"name":"invoice_paid","identification":{"account":{"accountId":"a-7"}},"metadata":{"amount":120.5}})"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    checkNoKey(item);
}

void TestPastedRequest::hereDocuments()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(HeredocCurl, &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Link);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(compact(item.request.body),
             compact(R"({"deviceId":"dev-9","identification":{"email":"bo@acme.com"}})"));
    QCOMPARE(item.keyFingerprint, QString());
    QCOMPARE(item.notes, QStringList{QStringLiteral("key from $JOURNY_API_KEY")});

    // The same saved by a Windows editor: CRLF line ends and a byte order mark.
    QVERIFY2(readOne("\xEF\xBB\xBF" + QByteArray(HeredocCurl).replace("\n", "\r\n"), &item, &error),
             qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Link);
    QCOMPARE(compact(item.request.body),
             compact(R"({"deviceId":"dev-9","identification":{"email":"bo@acme.com"}})"));

    // --json implies POST; an unquoted <<EOF and ${…} work the same.
    QVERIFY2(readOne(JsonHeredocCurl, &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::AddUsersToAccount);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(compact(item.request.body),
             compact(R"({"account":{"domain":"acme.com"},"users":[{"identification":{"userId":"u-1"}}]})"));
    QCOMPARE(item.keyFingerprint, QString());
    QCOMPARE(item.notes, QStringList{QStringLiteral("key from $JOURNY_API_KEY")});
}

void TestPastedRequest::historyCopyAsCurl()
{
    const QByteArray body = R"({"identification":{"accountId":"a-1"},"properties":{"name":"O'Brien & Co"}})";
    PastedRequest::Item item;
    QString error;
    const QByteArray post = historyCurl(QStringLiteral("TICKET-12 customer's import"), QStringLiteral("POST"),
                                        QStringLiteral("https://api.journy.io/accounts/upsert"), body);
    QVERIFY(post.startsWith("# Note: TICKET-12"));
    QVERIFY(post.contains("O'\\''Brien"));
    QVERIFY2(readOne(post, &item, &error), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("curl"));
    QCOMPARE(item.request.operation, Operation::UpsertAccount);
    QCOMPARE(compact(item.request.body), compact(body));
    QCOMPARE(item.request.note, QStringLiteral("TICKET-12 customer's import"));
    QCOMPARE(item.keyFingerprint, QString());
    QCOMPARE(item.notes, QStringList{QStringLiteral("key from $JOURNY_API_KEY")});

    const QByteArray get =
        historyCurl(QString(), QStringLiteral("GET"),
                    QStringLiteral("https://api.journy.io/tracking/snippet?domain=acme.com"), {});
    QVERIFY2(readOne(get, &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::TrackingSnippet);
    QCOMPARE(item.request.query.toString(), QStringLiteral("domain=acme.com"));
    QCOMPARE(item.request.pathAndQuery(), QStringLiteral("/tracking/snippet?domain=acme.com"));
    QCOMPARE(item.request.note, QString());
    QCOMPARE(item.keyFingerprint, QString());
}

void TestPastedRequest::windowsCmdCurl()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(WindowsCurl), &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::AddUsersToAccount);
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/accounts/users/add")));
    QCOMPARE(compact(item.request.body),
             compact(R"({"account":{"accountId":"a-1"},"users":[{"identification":{"userId":"u-1"}}]})"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    checkNoKey(item);

    // A line break in the body: Chrome writes ^, then two line breaks (the first continues the
    // command, the second is the escaped character).
    const QByteArray multiLine =
        "curl ^\"https://api.journy.io/link^\" ^\n"
        "  --data-raw ^\"^{^\n\n  ^\\^\"deviceId^\\^\": ^\\^\"d-1^\\^\",^\n\n"
        "  ^\\^\"identification^\\^\": ^{^\\^\"userId^\\^\": ^\\^\"u 1^\\^\"^}^\n\n^}^\"";
    QVERIFY2(readOne(multiLine, &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Link);
    QCOMPARE(compact(item.request.body), compact(R"({"deviceId":"d-1","identification":{"userId":"u 1"}})"));
    QCOMPARE(item.keyFingerprint, QString());
}

void TestPastedRequest::shortOptionsAndGetData()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(
        readOne(
            withKey(
                R"(curl -sSL -XPOST -H'X-Api-Key: KEY' --compressed -d '{"account":{"accountId":"a-2"},"users":[{"identification":{"email":"x@acme.com"}}]}' https://api.journy.io/accounts/users/remove | jq .)"),
            &item, &error),
        qPrintable(error));
    QCOMPARE(item.request.operation, Operation::RemoveUsersFromAccount);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(
        compact(item.request.body),
        compact(R"({"account":{"accountId":"a-2"},"users":[{"identification":{"email":"x@acme.com"}}]})"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    QCOMPARE(
        item.notes,
        (QStringList{QStringLiteral("the shell text after the curl command (a pipe or redirection) ignored"),
                     QStringLiteral("X-Api-Key removed")}));
    checkNoKey(item);

    // -G sends -d / --data-urlencode data in the query; no scheme means curl's http://.
    QVERIFY2(readOne(R"(curl -G 127.0.0.1:8765/tracking/snippet --data-urlencode 'domain=acme.com')", &item,
                     &error),
             qPrintable(error));
    QCOMPARE(item.request.operation, Operation::TrackingSnippet);
    QCOMPARE(item.method, QByteArray("GET"));
    QCOMPARE(item.url, QUrl(QStringLiteral("http://127.0.0.1:8765/tracking/snippet?domain=acme.com")));
    QCOMPARE(item.request.query.queryItemValue(QStringLiteral("domain")), QStringLiteral("acme.com"));
    QVERIFY(item.request.body.isEmpty());
}

void TestPastedRequest::postmanAndBodies()
{
    // Postman's "Code snippet: cURL": long options, a multi-line body in single quotes.
    const QByteArray postman = R"(curl --location --request POST 'https://api.journy.io/accounts/users/add' \
--header 'Content-Type: application/json' \
--header 'X-Api-Key: KEY' \
--data '{
    "account": {"accountId": "a-3"},
    "users": [{"identification": {"userId": "u-3"}}]
}')";
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(postman), &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::AddUsersToAccount);
    QCOMPARE(compact(item.request.body),
             compact(R"({"account":{"accountId":"a-3"},"users":[{"identification":{"userId":"u-3"}}]})"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    checkNoKey(item);

    // A body sent to an operation that takes none is dropped, and said to be.
    QVERIFY2(readOne("curl --url https://api.journy.io/validate -X GET -d 'x=1'", &item, &error),
             qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Validate);
    QVERIFY(item.request.body.isEmpty());
    QCOMPARE(item.notes, QStringList{QStringLiteral("body ignored: GET /validate takes none")});

    // A POST without a body reads as an empty one, which pre-flight validation then reports.
    QVERIFY2(readOne("curl -X POST https://api.journy.io/users/upsert", &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::UpsertUser);
    QVERIFY(item.request.body.isEmpty());
    QCOMPARE(item.notes, QStringList{QStringLiteral("no body")});
}

void TestPastedRequest::keyInUserInfoAndQuery()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(
        readOne(
            withKey("curl -u admin:hunter2 'https://admin:hunter2@api.journy.io/validate?api_key=KEY&x=1'"),
            &item, &error),
        qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Validate);
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/validate?x=1")));
    QCOMPARE(item.request.query.toString(), QStringLiteral("x=1"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    QCOMPARE(item.notes, (QStringList{QStringLiteral("curl's -u credentials ignored"),
                                      QStringLiteral("user name and password removed from the URL"),
                                      QStringLiteral("key removed from the URL's query")}));
    checkNoKey(item);
    QVERIFY(!everything(item).contains("hunter2"));
}

void TestPastedRequest::rawRequestCrLf()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(rawCrLf(), &item, &error), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("http"));
    QCOMPARE(item.request.operation, Operation::UpsertAccount);
    QCOMPARE(item.method, QByteArray("POST"));
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/accounts/upsert")));
    QCOMPARE(compact(item.request.body), compact(RawCrLfBody));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    QCOMPARE(item.notes, QStringList{QStringLiteral("X-Api-Key removed")});
    checkNoKey(item);
}

void TestPastedRequest::rawRequestLf()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(readOne(withKey(RawLf), &item, &error), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("http"));
    QCOMPARE(item.request.operation, Operation::DeleteUser);
    QCOMPARE(item.method, QByteArray("DELETE"));
    QCOMPARE(item.url, QUrl(QStringLiteral("http://127.0.0.1:8765/users")));
    QCOMPARE(compact(item.request.body), compact(R"({"identification":{"email":"gone@acme.com"}})"));
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    checkNoKey(item);

    QVERIFY2(readOne(withKey(RawGet), &item, &error), qPrintable(error));
    QCOMPARE(item.request.operation, Operation::TrackingSnippet);
    QCOMPARE(item.url, QUrl(QStringLiteral("https://api.journy.io/tracking/snippet?domain=acme.com")));
    QCOMPARE(item.request.query.queryItemValue(QStringLiteral("domain")), QStringLiteral("acme.com"));
    QVERIFY(item.request.body.isEmpty());
    QCOMPARE(item.keyFingerprint, KeyFingerprint);
    checkNoKey(item);
}

void TestPastedRequest::harFile()
{
    QList<PastedRequest::Item> items;
    QString error;
    QVERIFY2(PastedRequest::read(har(), &items, &error), qPrintable(error));
    QCOMPARE(error, QString());
    QCOMPARE(items.size(), 3);
    QCOMPARE(items.at(0).request.operation, Operation::UpsertUser);
    QCOMPARE(compact(items.at(0).request.body),
             compact(R"({"identification":{"userId":"u-5"},"properties":{"plan":"free"}})"));
    QCOMPARE(items.at(0).notes, (QStringList{QStringLiteral("X-Api-Key removed"),
                                             QStringLiteral("2 other requests in the HAR skipped")}));
    QCOMPARE(items.at(1).request.operation, Operation::TrackEvent);
    QCOMPARE(compact(items.at(1).request.body),
             compact(R"({"name":"opened_app","identification":{"user":{"userId":"u-5"}}})"));
    QCOMPARE(items.at(1).notes, QStringList{QStringLiteral("X-Api-Key removed")});
    QCOMPARE(items.at(2).request.operation, Operation::TrackingSnippet);
    QCOMPARE(items.at(2).method, QByteArray("GET"));
    QCOMPARE(items.at(2).request.query.toString(), QStringLiteral("domain=acme.com"));
    for (const PastedRequest::Item &item : items) {
        QCOMPARE(item.source, QStringLiteral("har"));
        QCOMPARE(item.keyFingerprint, KeyFingerprint);
        checkNoKey(item);
    }
}

void TestPastedRequest::bareBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("chosen"); // -1: guessed from the shape
    QTest::addColumn<Operation>("operation");

    QTest::newRow("upsertUser")
        << QByteArray(
               R"({"identification":{"userId":"u-1","email":"a@acme.com"},"properties":{"plan":"pro"}})")
        << -1 << Operation::UpsertUser;
    QTest::newRow("upsertAccount")
        << QByteArray(R"({"identification":{"accountId":"a-1","domain":"acme.com"},"properties":{"mrr":10}})")
        << -1 << Operation::UpsertAccount;
    QTest::newRow("trackEvent")
        << QByteArray(
               R"({"name":"x","identification":{"user":{"userId":"u"},"account":{"accountId":"a"}},"metadata":{"k":1},"triggeredAt":"2026-12-01T10:00:00Z"})")
        << -1 << Operation::TrackEvent;
    QTest::newRow("link") << QByteArray(R"({"deviceId":"d-1","identification":{"userId":"u-1"}})") << -1
                          << Operation::Link;
    QTest::newRow("deleteUser") << QByteArray(R"({"identification":{"userId":"u-1"}})")
                                << int(Operation::DeleteUser) << Operation::DeleteUser;
    QTest::newRow("deleteAccount") << QByteArray(R"({"identification":{"domain":"acme.com"}})")
                                   << int(Operation::DeleteAccount) << Operation::DeleteAccount;
    QTest::newRow("addUserToAccount")
        << QByteArray(R"({"account":{"accountId":"a"},"users":[{"identification":{"userId":"u"}}]})")
        << int(Operation::AddUsersToAccount) << Operation::AddUsersToAccount;
    QTest::newRow("removeUserFromAccount")
        << QByteArray(R"({"account":{"accountId":"a"},"users":[{"identification":{"userId":"u"}}]})")
        << int(Operation::RemoveUsersFromAccount) << Operation::RemoveUsersFromAccount;
    QTest::newRow("trackJourneyEvent")
        << QByteArray(R"({"name":"x","identification":{"user":{"userId":"u"}}})")
        << int(Operation::TrackLegacyEvent) << Operation::TrackLegacyEvent;
}

void TestPastedRequest::bareBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(int, chosen);
    QFETCH(Operation, operation);
    PastedRequest::Item item;
    QString error;
    const std::optional<Operation> choice =
        chosen < 0 ? std::nullopt : std::optional<Operation>(static_cast<Operation>(chosen));
    QVERIFY2(readOne("\n  " + body + "\n", &item, &error, choice), qPrintable(error));
    QCOMPARE(item.source, QStringLiteral("json"));
    QCOMPARE(item.request.operation, operation);
    QCOMPARE(compact(item.request.body), compact(body));
    // The corpus is what the spec accepts for the operation, not only what the reader expects.
    const QString operationId = ApiOperation::info(operation).operationId;
    QCOMPARE(SpecSchema().checkRequest(operationId, QJsonDocument::fromJson(body).object()), QStringList());
    QCOMPARE(item.method, QByteArray());
    QCOMPARE(item.url, QUrl());
    QCOMPARE(item.keyFingerprint, QString());
    const QStringList notes = chosen < 0
                                  ? QStringList{QStringLiteral("operation guessed from the body's shape: %1")
                                                    .arg(ApiOperation::info(operation).operationId)}
                                  : QStringList();
    QCOMPARE(item.notes, notes);
}

void TestPastedRequest::relayPrefixAndChosenOperation()
{
    PastedRequest::Item item;
    QString error;
    QVERIFY2(
        readOne(R"(curl http://127.0.0.1:8080/relay/users/upsert -d '{"identification":{"userId":"u"}}')",
                &item, &error),
        qPrintable(error));
    QCOMPARE(item.request.operation, Operation::UpsertUser);
    QCOMPARE(item.notes, QStringList{QStringLiteral(
                             "path prefix /relay ignored (a relay's); the route is POST /users/upsert")});

    QVERIFY2(
        readOne(
            R"(curl https://hooks.acme.com/journy -d '{"name":"x","identification":{"user":{"userId":"u"}}}')",
            &item, &error, Operation::TrackEvent),
        qPrintable(error));
    QCOMPARE(item.request.operation, Operation::TrackEvent);
    QCOMPARE(compact(item.request.body), compact(R"({"name":"x","identification":{"user":{"userId":"u"}}})"));
    QCOMPARE(item.notes, QStringList{QStringLiteral(
                             "operation chosen: trackEvent; POST /journy is not a journy.io API route")});

    // The URL's route wins over a chosen operation, and says so.
    QVERIFY2(
        readOne(R"(curl https://api.journy.io/link -d '{"deviceId":"d","identification":{"userId":"u"}}')",
                &item, &error, Operation::UpsertUser),
        qPrintable(error));
    QCOMPARE(item.request.operation, Operation::Link);
    QCOMPARE(item.notes, QStringList{QStringLiteral("the URL's operation link used, not the one chosen")});
}

void TestPastedRequest::errors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("chosen");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QByteArray() << -1 << QStringLiteral("Nothing to read: the paste is empty");
    QTest::newRow("blank") << QByteArray(" \n\t\r\n") << -1
                           << QStringLiteral("Nothing to read: the paste is empty");
    QTest::newRow("prose") << QByteArray("Hi, the call below fails:\nPOST …") << -1
                           << QStringLiteral(
                                  "Not a curl command, an HTTP request, a HAR file or a JSON object: it "
                                  "starts with “Hi, the call below fails:”");
    // The quote is the 65th character (the 66th byte: "café" before it is 5 UTF-8 bytes).
    QTest::newRow("unterminated single quote")
        << QByteArray(
               "curl 'https://api.journy.io/track' -H 'X-Note: café' --data-raw '{\"name\":\"signed_up}")
        << -1 << QStringLiteral("curl: unterminated single quote at character 65");
    QTest::newRow("unterminated double quote")
        << QByteArray("curl \"https://api.journy.io/track\" -H \"X-Api-Key: $JOURNY_API_KEY") << -1
        << QStringLiteral("curl: unterminated double quote at character 39");
    QTest::newRow("unterminated ansi-c quote")
        << QByteArray("curl https://api.journy.io/track -d $'{\\'") << -1
        << QStringLiteral("curl: unterminated $'…' quote at character 37");
    QTest::newRow("here-document without its end")
        << QByteArray("curl https://api.journy.io/track -d @- <<EOF\n{\"name\":\"x\"}\n") << -1
        << QStringLiteral("curl: the here-document from line 2 has no EOF line to end it");
    QTest::newRow("stdin without here-document")
        << QByteArray("curl https://api.journy.io/track -d @-") << -1
        << QStringLiteral("curl: --data @- reads the body from standard input, "
                          "which the paste does not include (no here-document)");
    QTest::newRow("file body") << QByteArray("curl https://api.journy.io/track --data-binary @event.json")
                               << -1
                               << QStringLiteral(
                                      "curl: --data-binary @event.json sends a file the paste does not "
                                      "include; paste the file's contents instead");
    QTest::newRow("form") << QByteArray("curl https://api.journy.io/track -F name=x") << -1
                          << QStringLiteral(
                                 "curl: -F sends a multipart form, which no journy.io operation takes");
    QTest::newRow("no URL") << QByteArray("curl -X POST -d '{}'") << -1
                            << QStringLiteral("curl: no URL in the command");
    QTest::newRow("option without value") << QByteArray("curl https://api.journy.io/validate -H") << -1
                                          << QStringLiteral("curl: --header has no value after it");
    QTest::newRow("two commands")
        << QByteArray("curl https://api.journy.io/validate\ncurl https://api.journy.io/events") << -1
        << QStringLiteral("curl: more text after the command ends at line 2; paste one "
                          "command (a line break without a trailing \\ ends it)");
    QTest::newRow("curl bad URL") << QByteArray("curl 'http://[::1'") << -1
                                  << QStringLiteral("curl: “http://[::1” is not a URL");
    QTest::newRow("HAR entry without request")
        << QByteArray(
               R"({"log":{"entries":[{"request":{"method":"GET","url":"https://api.journy.io/validate"}}, 7]}})")
        << -1 << QStringLiteral("HAR: entries[1] has no request object");
    QTest::newRow("curl body not JSON")
        << QByteArray("curl https://api.journy.io/track -d '{\"name\": x}'") << -1
        << QStringLiteral("curl: the body is not JSON: line 1, column 10: illegal number");
    QTest::newRow("unknown route") << QByteArray("curl https://api.journy.io/v1/users/upsert -d '{}'") << -1
                                   << QStringLiteral("POST /v1/users/upsert is not a journy.io API route");
    QTest::newRow("wrong method")
        << QByteArray("GET /users/upsert HTTP/1.1\nHost: api.journy.io\n\n") << -1
        << QStringLiteral("GET /users/upsert is not a journy.io API route (POST /users/upsert is)");
    QTest::newRow("raw without blank line")
        << QByteArray("POST /track HTTP/1.1\r\nHost: api.journy.io\r\nContent-Type: application/json\r\n")
        << -1 << QStringLiteral("HTTP request: no blank line after the headers");
    QTest::newRow("raw cut short")
        << QByteArray(
               "POST /track HTTP/1.1\nHost: api.journy.io\nContent-Length: 80\n\n{\"name\":\"x\",\"identifi")
        << -1
        << QStringLiteral("HTTP request: Content-Length is 80 but the body has only 21 bytes (cut short?)");
    QTest::newRow("raw header without colon")
        << QByteArray("POST /track HTTP/1.1\nHost api.journy.io\n\n{}") << -1
        << QStringLiteral("HTTP request: line 2 is not a header (it has no colon)");
    QTest::newRow("raw bad content-length")
        << QByteArray("POST /track HTTP/1.1\nContent-Length: many\n\n{}") << -1
        << QStringLiteral("HTTP request: Content-Length “many” is not a number of bytes");
    QTest::newRow("HAR without entries") << QByteArray(R"({"log":{"version":"1.2","creator":{"name":"x"}}})")
                                         << -1 << QStringLiteral("HAR: no log.entries list");
    QTest::newRow("HAR without journy.io calls")
        << QByteArray(R"({"log":{"entries":[{"request":{"method":"GET","url":"https://acme.com/"}},
                     {"request":{"method":"POST","url":"https://acme.com/api/login"}}]}})")
        << -1 << QStringLiteral("HAR: none of its 2 requests is a journy.io API call");
    QTest::newRow("HAR body not JSON")
        << QByteArray(R"({"log":{"entries":[{"request":{"method":"GET","url":"https://acme.com/"}},
                     {"request":{"method":"POST","url":"https://api.journy.io/track",
                      "postData":{"text":"{\"name\": tru}"}}}]}})")
        << -1
        << QStringLiteral(
               "HAR: entries[1].request.postData.text is not JSON: line 1, column 10: illegal value");
    QTest::newRow("HAR not JSON") << QByteArray("{\"log\": {\"entries\": [}") << -1
                                  << QStringLiteral(
                                         "HAR: line 1, column 22: object is missing after a comma");
    QTest::newRow("JSON not JSON") << QByteArray("{\"name\": \"x\",\n \"identification\" {}}") << -1
                                   << QStringLiteral("JSON body: line 2, column 19: missing name separator");
    QTest::newRow("JSON list") << QByteArray("[{\"name\": \"x\"}]") << -1
                               << QStringLiteral("JSON body: the paste is a list, not a JSON object");
    QTest::newRow("members ambiguous")
        << QByteArray(R"({"account":{"accountId":"a"},"users":[{"identification":{"userId":"u"}}]})") << -1
        << QStringLiteral(
               "JSON body: matches both addUserToAccount and removeUserFromAccount; choose the operation");
    QTest::newRow("upsert or delete")
        << QByteArray(R"({"identification":{"email":"a@acme.com"}})") << -1
        << QStringLiteral("JSON body: matches both upsertUser and deleteUser; choose "
                          "the operation");
    QTest::newRow("empty identification")
        << QByteArray(R"({"identification":{}})") << -1
        << QStringLiteral("JSON body: matches upsertUser, deleteUser, upsertAccount "
                          "and deleteAccount; choose the operation");
    QTest::newRow("no shape") << QByteArray(R"({"foo":1,"bar":2})") << -1
                              << QStringLiteral(
                                     "JSON body: its shape (keys bar, foo) fits no journy.io operation's "
                                     "body; choose the operation");
    QTest::newRow("chosen without body") << QByteArray(R"({"domain":"acme.com"})") << int(Operation::Validate)
                                         << QStringLiteral("JSON body: getValidity takes no body");
}

void TestPastedRequest::errors()
{
    QFETCH(QByteArray, text);
    QFETCH(int, chosen);
    QFETCH(QString, error);
    QList<PastedRequest::Item> items{PastedRequest::Item()};
    QString actual;
    const std::optional<Operation> choice =
        chosen < 0 ? std::nullopt : std::optional<Operation>(static_cast<Operation>(chosen));
    QVERIFY(!PastedRequest::read(text, &items, &actual, choice));
    QCOMPARE(actual, error);
    QVERIFY(items.isEmpty());
}

void TestPastedRequest::fuzzNeverCrashes()
{
    const QList<QByteArray> seeds{withKey(ChromeCurl),
                                  withKey(ChromeAnsiCCurl),
                                  withKey(FirefoxCurl),
                                  HeredocCurl,
                                  JsonHeredocCurl,
                                  withKey(WindowsCurl),
                                  rawCrLf(),
                                  withKey(RawLf),
                                  withKey(RawGet),
                                  har(),
                                  RawCrLfBody};
    QRandomGenerator random(15);
    int accepted = 0;
    for (int round = 0; round < 4000; ++round) {
        QByteArray text = seeds.at(random.bounded(int(seeds.size())));
        switch (random.bounded(5)) {
        case 0: // cut short, as a paste that missed its end
            text.truncate(random.bounded(int(text.size()) + 1));
            break;
        case 1: // a few bytes changed
            for (int n = random.bounded(1, 6); n > 0; --n)
                text[random.bounded(int(text.size()))] = char(random.bounded(256));
            break;
        case 2: // a run removed
        {
            const int from = random.bounded(int(text.size()));
            text.remove(from, random.bounded(1, 40));
            break;
        }
        case 3: // quotes, escapes and shell characters inserted
        {
            static const QByteArray special = "'\"\\$^<>|;&{}[]:\n\r \t#@-";
            for (int n = random.bounded(1, 4); n > 0; --n)
                text.insert(random.bounded(int(text.size()) + 1),
                            special.at(random.bounded(int(special.size()))));
            break;
        }
        default: // noise
            text.resize(random.bounded(200));
            for (char &c : text)
                c = char(random.bounded(256));
        }
        QList<PastedRequest::Item> items;
        QString error;
        const bool ok = PastedRequest::read(text, &items, &error);
        if (ok) {
            QVERIFY2(!items.isEmpty() && error.isEmpty(), text.constData());
            ++accepted;
        } else {
            QVERIFY2(items.isEmpty() && !error.isEmpty(), text.constData());
        }
    }
    // Mutations that miss what matters (a changed header byte) still read: the loop reached the
    // success path, not only the error paths.
    QVERIFY(accepted > 100);
}

QTEST_GUILESS_MAIN(TestPastedRequest)
#include "tst_PastedRequest.moc"

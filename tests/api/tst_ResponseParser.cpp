// ResponseParser on bodies no fixture server needs to send: nested error maps, non-string
// messages, truncation at every position of a real answer.

#include "api/ApiResult.h"
#include "api/ResponseParser.h"

#include <QTest>

using Failure = ApiResult::Failure;

class TestResponseParser : public QObject
{
    Q_OBJECT

private slots:
    void truncationAtEveryByteIsNeverSuccess();
    void nestedAndNonStringErrorsAreKept();
    void leadingGarbageIsNotJson();
    void twoHundredFourEmpty();
};

namespace {

ApiResult parsed(Operation operation, int status, const QByteArray &body,
                 const QByteArray &contentType = "application/json")
{
    ApiResult result;
    result.operation = operation;
    result.httpStatus = status;
    ResponseParser::parseBody(&result, body, contentType);
    return result;
}

} // namespace

void TestResponseParser::truncationAtEveryByteIsNeverSuccess()
{
    const QByteArray full =
        R"({"meta":{"requestId":"abc","status":200},"data":[{"id":"1","name":"Signed up","group":{"id":"g","name":"G"}}]})";
    QCOMPARE(parsed(Operation::ListEvents, 200, full).failure, Failure::None);
    for (qsizetype cut = 1; cut < full.size(); ++cut) {
        const ApiResult result = parsed(Operation::ListEvents, 200, full.left(cut));
        QVERIFY2(
            result.failure == Failure::TruncatedBody,
            qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(ApiResult::failureName(result.failure))));
        QVERIFY(!result.ok());
    }
}

void TestResponseParser::nestedAndNonStringErrorsAreKept()
{
    const ApiResult result = parsed(
        Operation::UpsertUser, 400,
        R"({"meta":{"requestId":"r","status":400},"message":"Bad","errors":{"fields":{"identification":{"email":"Invalid"},"properties.seats":42}}})");
    QCOMPARE(result.errors.value(QStringLiteral("identification.email")), QStringLiteral("Invalid"));
    QCOMPARE(result.errors.value(QStringLiteral("properties.seats")), QStringLiteral("42"));
    QCOMPARE(result.errors.size(), 2);
}

void TestResponseParser::leadingGarbageIsNotJson()
{
    const ApiResult result = parsed(Operation::Validate, 200, "HTTP/1.1 200 OK {\"meta\":{}}", "");
    QCOMPARE(result.failure, Failure::NonJsonBody);
}

void TestResponseParser::twoHundredFourEmpty()
{
    const ApiResult result = parsed(Operation::RemoveUsersFromAccount, 204, "  \r\n", "");
    QCOMPARE(result.failure, Failure::None);
    QVERIFY(result.ok());
}

QTEST_GUILESS_MAIN(TestResponseParser)
#include "tst_ResponseParser.moc"

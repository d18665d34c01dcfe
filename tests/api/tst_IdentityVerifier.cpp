#include <QTest>

#include "api/IdentityVerifier.h"

// IdentityVerifier against HMAC-SHA256 vectors computed outside Qt, with OpenSSL 3.0 (and cross-checked
// with Python's hmac module), so a bug shared by QMessageAuthenticationCode and this code cannot hide.
// Each vector carries the exact command that produced it.
class TestIdentityVerifier : public QObject
{
    Q_OBJECT

private slots:
    void sign_data();
    void sign();
    void signIsLowerCaseHex();

    void verifyAcceptsTheRightHash_data();
    void verifyAcceptsTheRightHash();
    void verifyIgnoresHexCase();
    void verifyIgnoresSurroundingWhitespace();
    void verifyRejects_data();
    void verifyRejects();
    void verifyRejectsTheRightHashForAnotherIdOrSecret();
};

namespace {

// The spec README's example: hmac.new(b'secret', b'20', sha256).hexdigest()
// printf '%s' 20 | openssl dgst -sha256 -hmac secret
const char *const ExampleHash = "359b4c07c1431fe5ae0415f8ebade3f09060478b7e06b6b0822314476a22627f";

} // namespace

void TestIdentityVerifier::sign_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QString>("expected");

    // printf '%s' 20 | openssl dgst -sha256 -hmac secret
    QTest::newRow("spec README example")
        << QStringLiteral("20") << QByteArray("secret") << QString::fromLatin1(ExampleHash);

    // printf '%s' '' | openssl dgst -sha256 -hmac secret
    QTest::newRow("empty id") << QString() << QByteArray("secret")
                              << QStringLiteral(
                                     "f9e66e179b6747ae54108f82f8ade8b3c25d76fd30afde6c395822c530196169");

    // The ID is signed as UTF-8: 'ü' must be the two bytes c3 bc, not Latin-1 fc.
    // printf '%s' 'üser-42' | openssl dgst -sha256 -hmac secret      (input bytes: c3 bc 73 65 72 2d 34 32)
    QTest::newRow("unicode id, UTF-8")
        << QStringLiteral("\u00fcser-42") << QByteArray("secret")
        << QStringLiteral("1f6ca8b0ab2e5901ee532c93f77f0e9afa4c1929f69e0e1563fc230193ffe586");

    // printf '%s' acme-account-9 | openssl dgst -sha256 -hmac website-secret-123
    QTest::newRow("account id") << QStringLiteral("acme-account-9") << QByteArray("website-secret-123")
                                << QStringLiteral(
                                       "518dbe49b3ad27de9abe02f515b481f826568b6a11df9cf5cae2b13eeb6eda6d");

    // Exactly one SHA-256 block (64 bytes): used as the key as is, zero-padded to nothing.
    // printf '%s' 20 | openssl dgst -sha256 -hmac "$(printf 'a%.0s' $(seq 1 64))"
    QTest::newRow("64-byte secret")
        << QStringLiteral("20") << QByteArray(64, 'a')
        << QStringLiteral("e15ea473860f2425cbab122e845a26e978f187c9faa2e7493f7825ffcd130f1d");

    // One byte longer than a block: HMAC must hash the key first (RFC 2104), the classic off-by-one.
    // printf '%s' 20 | openssl dgst -sha256 -hmac "$(printf 'a%.0s' $(seq 1 65))"
    QTest::newRow("65-byte secret")
        << QStringLiteral("20") << QByteArray(65, 'a')
        << QStringLiteral("4f94980ff96e21e91f693be8188b9f6c8618076fc38785a57909437c2ed8dd6b");

    // printf '%s' 20 | openssl dgst -sha256 -hmac "$(printf 'k%.0s' $(seq 1 100))"
    QTest::newRow("100-byte secret")
        << QStringLiteral("20") << QByteArray(100, 'k')
        << QStringLiteral("07668610925ad548d7e1a99f3acf92a21e5f05a1bc69404dcce3ccb829b96229");

    // A secret with NUL, high and control bytes: the key is raw bytes, never a C string or text.
    // printf '%s' user-1 | openssl dgst -sha256 -mac HMAC -macopt hexkey:00ff10800a0d7f
    QTest::newRow("binary secret") << QStringLiteral("user-1") << QByteArray::fromHex("00ff10800a0d7f")
                                   << QStringLiteral(
                                          "337048eff80f9603375b8eef31a54118337b7aa036ae94fdf824ebd18b834114");

    // printf '%s' 20 | openssl dgst -sha256 -hmac ''
    QTest::newRow("empty secret") << QStringLiteral("20") << QByteArray()
                                  << QStringLiteral(
                                         "a0dc953cb364349795c710d8547273fd8a89163eeeaecb90bfacaeb53c8ea2e8");
}

void TestIdentityVerifier::sign()
{
    QFETCH(QString, id);
    QFETCH(QByteArray, secret);
    QFETCH(QString, expected);

    QCOMPARE(IdentityVerifier::sign(id, secret), expected);
}

void TestIdentityVerifier::signIsLowerCaseHex()
{
    // The snippet compares strings; journy.io's own example is lower-case hexdigest().
    const QString hash = IdentityVerifier::sign(QStringLiteral("20"), "secret");
    QCOMPARE(hash.size(), 64);
    QCOMPARE(hash, hash.toLower());
}

void TestIdentityVerifier::verifyAcceptsTheRightHash_data()
{
    sign_data();
}

void TestIdentityVerifier::verifyAcceptsTheRightHash()
{
    QFETCH(QString, id);
    QFETCH(QByteArray, secret);
    QFETCH(QString, expected);

    QVERIFY(IdentityVerifier::verify(id, secret, expected));
}

void TestIdentityVerifier::verifyIgnoresHexCase()
{
    // printf '%s' 20 | openssl dgst -sha256 -hmac secret, upper-cased
    QVERIFY(IdentityVerifier::verify(
        QStringLiteral("20"), "secret",
        QStringLiteral("359B4C07C1431FE5AE0415F8EBADE3F09060478B7E06B6B0822314476A22627F")));
    // Mixed case too, as a hash pasted from a tool that upper-cases only some output.
    QVERIFY(IdentityVerifier::verify(
        QStringLiteral("20"), "secret",
        QStringLiteral("359b4c07C1431fe5ae0415f8ebade3f09060478b7e06b6b0822314476A22627f")));
}

void TestIdentityVerifier::verifyIgnoresSurroundingWhitespace()
{
    // A hash pasted from a terminal often carries a newline.
    QVERIFY(
        IdentityVerifier::verify(QStringLiteral("20"), "secret", QString::fromLatin1(ExampleHash) + u'\n'));
}

void TestIdentityVerifier::verifyRejects_data()
{
    QTest::addColumn<QString>("hash");

    const QString right = QString::fromLatin1(ExampleHash);
    QString lastChanged = right;
    lastChanged[63] = u'e'; // ...627f -> ...627e
    QString firstChanged = right;
    firstChanged[0] = u'4'; // 359b... -> 459b...
    QString middleChanged = right;
    middleChanged[32] = u'0'; // 9 -> 0 in the middle

    QTest::newRow("last character changed") << lastChanged;
    QTest::newRow("first character changed") << firstChanged;
    QTest::newRow("middle character changed") << middleChanged;
    QTest::newRow("one character short") << right.left(63);
    QTest::newRow("one character long") << right + u'0';
    QTest::newRow("half the hash") << right.left(32);
    QTest::newRow("raw 32 bytes, not hex") << QString::fromLatin1(QByteArray::fromHex(ExampleHash));
    QTest::newRow("empty") << QString();
    QTest::newRow("blank") << QStringLiteral("   ");
    QTest::newRow("non-hex of the right length") << QString(64, u'z');
}

void TestIdentityVerifier::verifyRejects()
{
    QFETCH(QString, hash);

    QVERIFY(!IdentityVerifier::verify(QStringLiteral("20"), "secret", hash));
}

void TestIdentityVerifier::verifyRejectsTheRightHashForAnotherIdOrSecret()
{
    // The example's hash binds both the ID and the secret.
    const QString hash = QString::fromLatin1(ExampleHash);
    QVERIFY(!IdentityVerifier::verify(QStringLiteral("21"), "secret", hash));
    QVERIFY(!IdentityVerifier::verify(QStringLiteral("20 "), "secret", hash));
    QVERIFY(!IdentityVerifier::verify(QStringLiteral("20"), "Secret", hash));
    // A leading NUL byte changes the key...
    QVERIFY(!IdentityVerifier::verify(QStringLiteral("20"), QByteArray("\0secret", 7), hash));
    // ...a trailing one does not: RFC 2104 zero-pads short keys to the block size, so "secret\0" and
    // "secret" are the same HMAC key (openssl -macopt hexkey:73656372657400 gives the same digest).
    QVERIFY(IdentityVerifier::verify(QStringLiteral("20"), QByteArray("secret\0", 7), hash));
}

QTEST_GUILESS_MAIN(TestIdentityVerifier)
#include "tst_IdentityVerifier.moc"

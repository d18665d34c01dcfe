// The HMAC tool as a user drives it: typed ID and secret, the profile's secret from the (memory)
// keychain, verification, the clipboard, and code snippets that compute the same hash when run.

#include "api/IdentityVerifier.h"
#include "support/PageTestSession.h"
#include "support/StrayAmpersands.h"
#include "ui/hmac/HmacPage.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QTimer>

namespace {

const QString secretHash20 =
    QStringLiteral("359b4c07c1431fe5ae0415f8ebade3f09060478b7e06b6b0822314476a22627f");

class HmacWidgets
{
public:
    explicit HmacWidgets(HmacPage &page)
        : id(page.findChild<QLineEdit *>(QStringLiteral("idLineEdit"))),
          secret(page.findChild<QLineEdit *>(QStringLiteral("secretLineEdit"))),
          show(page.findChild<QPushButton *>(QStringLiteral("showSecretPushButton"))),
          useProfile(page.findChild<QPushButton *>(QStringLiteral("useProfileSecretPushButton"))),
          secretStatus(page.findChild<QLabel *>(QStringLiteral("secretStatusLabel"))),
          hash(page.findChild<QLineEdit *>(QStringLiteral("hashLineEdit"))),
          copy(page.findChild<QPushButton *>(QStringLiteral("copyPushButton"))),
          verify(page.findChild<QLineEdit *>(QStringLiteral("verifyLineEdit"))),
          verdict(page.findChild<QLabel *>(QStringLiteral("verifyResultLabel"))),
          snippets{page.findChild<QPlainTextEdit *>(QStringLiteral("phpPlainTextEdit")),
                   page.findChild<QPlainTextEdit *>(QStringLiteral("nodePlainTextEdit")),
                   page.findChild<QPlainTextEdit *>(QStringLiteral("rubyPlainTextEdit")),
                   page.findChild<QPlainTextEdit *>(QStringLiteral("pythonPlainTextEdit"))}
    {}

    bool complete() const
    {
        return id && secret && show && useProfile && secretStatus && hash && copy && verify && verdict &&
               !snippets.contains(nullptr);
    }

    QLineEdit *id;
    QLineEdit *secret;
    QPushButton *show;
    QPushButton *useProfile;
    QLabel *secretStatus;
    QLineEdit *hash;
    QPushButton *copy;
    QLineEdit *verify;
    QLabel *verdict;
    QList<QPlainTextEdit *> snippets; // PHP, Node.js, Ruby, Python
};

} // namespace

class TestHmacPage : public QObject
{
    Q_OBJECT

private slots:
    void signsKnownVectors_data();
    void signsKnownVectors();
    void keepsTheSecretMasked();
    void verifiesAHash();
    void snippetsCarryTheIdButNotTheSecret();
    void snippetsComputeTheSameHash_data();
    void snippetsComputeTheSameHash();
    void usesTheProfilesSecret();
    void saysWhenTheProfileHasNoSecret();
    void saysWhenTheKeychainIsUnavailable();
    void forgetsTheProfilesSecretOnProfileSwitch();
    void dropsAKeychainReadOfThePreviousProfile();
    void labelsShowNoStrayAmpersand();
};

void TestHmacPage::signsKnownVectors_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("hash");
    // The spec's own example: hmac.new(b'secret', b'20', sha256).hexdigest().
    QTest::newRow("spec example") << QStringLiteral("20") << QStringLiteral("secret") << secretHash20;
    // RFC 4231, test case 2.
    QTest::newRow("RFC 4231 case 2")
        << QStringLiteral("what do ya want for nothing?") << QStringLiteral("Jefe")
        << QStringLiteral("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

void TestHmacPage::signsKnownVectors()
{
    QFETCH(QString, id);
    QFETCH(QString, secret);
    QFETCH(QString, hash);

    PageTestSession t;
    HmacPage page(&t.session);
    page.show();
    QCOMPARE(page.title(), QStringLiteral("HMAC"));
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QVERIFY(!w.id->accessibleName().isEmpty() && !w.secret->accessibleName().isEmpty());
    QVERIFY(w.hash->isReadOnly());

    // Nothing to sign yet: no hash, nothing to copy.
    QVERIFY(w.hash->text().isEmpty());
    QVERIFY(!w.copy->isEnabled());
    QTest::keyClicks(w.id, id);
    QVERIFY(w.hash->text().isEmpty());
    QTest::keyClicks(w.secret, secret);
    QCOMPARE(w.hash->text(), hash);

    QGuiApplication::clipboard()->clear();
    QVERIFY(w.copy->isEnabled());
    QTest::mouseClick(w.copy, Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), hash);

    // Live: one more character changes the hash.
    QTest::keyClicks(w.id, QStringLiteral("1"));
    QVERIFY(w.hash->text() != hash);
    QCOMPARE(w.hash->text().size(), 64);
}

void TestHmacPage::keepsTheSecretMasked()
{
    PageTestSession t;
    HmacPage page(&t.session);
    page.show();
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.secret, QStringLiteral("hunter2"));
    QCOMPARE(w.secret->echoMode(), QLineEdit::Password);
    QVERIFY(!w.secret->displayText().contains(QLatin1String("hunter2")));

    QTest::mouseClick(w.show, Qt::LeftButton);
    QCOMPARE(w.secret->echoMode(), QLineEdit::Normal);
    QCOMPARE(w.secret->displayText(), QStringLiteral("hunter2"));
    QTest::mouseClick(w.show, Qt::LeftButton);
    QCOMPARE(w.secret->echoMode(), QLineEdit::Password);
    QVERIFY(!w.secret->displayText().contains(QLatin1String("hunter2")));
}

void TestHmacPage::verifiesAHash()
{
    PageTestSession t;
    HmacPage page(&t.session);
    page.show();
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QVERIFY(!w.verify->accessibleName().isEmpty());

    QTest::keyClicks(w.verify, secretHash20.toUpper());
    QVERIFY2(w.verdict->text().contains(QLatin1String("Enter an ID and a secret")),
             qPrintable(w.verdict->text()));
    QTest::keyClicks(w.id, QStringLiteral("20"));
    QTest::keyClicks(w.secret, QStringLiteral("secret"));
    // Hex case does not matter.
    QVERIFY2(w.verdict->text().startsWith(QLatin1String("Match")), qPrintable(w.verdict->text()));

    // One character off, too short, another ID: no match.
    QString wrong = secretHash20;
    wrong[10] = QLatin1Char(wrong.at(10) == QLatin1Char('0') ? '1' : '0');
    w.verify->setText(wrong);
    QVERIFY2(w.verdict->text().startsWith(QLatin1String("No match")), qPrintable(w.verdict->text()));
    w.verify->setText(secretHash20.left(63));
    QVERIFY(w.verdict->text().startsWith(QLatin1String("No match")));
    w.verify->setText(secretHash20);
    QVERIFY(w.verdict->text().startsWith(QLatin1String("Match")));
    QTest::keyClicks(w.id, QStringLiteral("1"));
    QVERIFY(w.verdict->text().startsWith(QLatin1String("No match")));
    QTest::keyClick(w.id, Qt::Key_Backspace);
    QVERIFY(w.verdict->text().startsWith(QLatin1String("Match")));

    w.verify->clear();
    QVERIFY(w.verdict->text().isEmpty());
}

void TestHmacPage::snippetsCarryTheIdButNotTheSecret()
{
    PageTestSession t;
    HmacPage page(&t.session);
    page.show();
    const HmacWidgets w(page);
    QVERIFY(w.complete());

    const QString secret = QStringLiteral("s3cr3t-never-in-code");
    QTest::keyClicks(w.secret, secret);
    QTest::keyClicks(w.id, QStringLiteral("user-42"));
    const QStringList markers = {
        QStringLiteral("hash_hmac('sha256'"), QStringLiteral("createHmac(\"sha256\""),
        QStringLiteral("OpenSSL::HMAC.hexdigest('SHA256'"), QStringLiteral("hashlib.sha256")};
    for (qsizetype i = 0; i < w.snippets.size(); ++i) {
        const QString code = w.snippets.at(i)->toPlainText();
        QVERIFY(w.snippets.at(i)->isReadOnly());
        QVERIFY2(code.contains(markers.at(i)), qPrintable(code));
        QVERIFY2(code.contains(QLatin1String("user-42")), qPrintable(code));
        QVERIFY2(code.contains(HmacPage::secretVariableName()), qPrintable(code));
        QVERIFY2(!code.contains(secret), qPrintable(code));
    }

    // The ID is a literal in each language, quotes and backslashes escaped.
    w.id->setText(QStringLiteral("O'Neil \"x\" \\ y"));
    QVERIFY(w.snippets.at(0)->toPlainText().contains(QStringLiteral("$userId = 'O\\'Neil \"x\" \\\\ y';")));
    QVERIFY(w.snippets.at(1)->toPlainText().contains(
        QStringLiteral("const userId = \"O'Neil \\\"x\\\" \\\\ y\";")));
    QVERIFY(w.snippets.at(2)->toPlainText().contains(QStringLiteral("user_id = 'O\\'Neil \"x\" \\\\ y'")));
    QVERIFY(
        w.snippets.at(3)->toPlainText().contains(QStringLiteral("user_id = \"O'Neil \\\"x\\\" \\\\ y\"")));
    for (QPlainTextEdit *snippet : w.snippets)
        QVERIFY(!snippet->toPlainText().contains(secret));
}

void TestHmacPage::snippetsComputeTheSameHash_data()
{
    QTest::addColumn<QString>("interpreter");
    QTest::addColumn<QString>("snippet");
    QTest::addColumn<QString>("suffix");
    QTest::newRow("php") << QStringLiteral("php") << QStringLiteral("phpPlainTextEdit")
                         << QStringLiteral(".php");
    QTest::newRow("node") << QStringLiteral("node") << QStringLiteral("nodePlainTextEdit")
                          << QStringLiteral(".js");
    QTest::newRow("ruby") << QStringLiteral("ruby") << QStringLiteral("rubyPlainTextEdit")
                          << QStringLiteral(".rb");
    QTest::newRow("python") << QStringLiteral("python3") << QStringLiteral("pythonPlainTextEdit")
                            << QStringLiteral(".py");
}

void TestHmacPage::snippetsComputeTheSameHash()
{
    QFETCH(QString, interpreter);
    QFETCH(QString, snippet);
    QFETCH(QString, suffix);
    const QString program = QStandardPaths::findExecutable(interpreter);
    if (program.isEmpty())
        QSKIP(qPrintable(QStringLiteral("%1 is not installed").arg(interpreter)));

    PageTestSession t;
    HmacPage page(&t.session);
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    // An ID that needs escaping and is not ASCII, so the snippet's literal must be exact.
    w.id->setText(QStringLiteral("O'Neil \"é\" \\ 20"));
    w.secret->setText(QStringLiteral("secret with spaces ü"));
    const QString expected = w.hash->text();
    QCOMPARE(expected, IdentityVerifier::sign(w.id->text(), QStringLiteral("secret with spaces ü").toUtf8()));

    QFile file(t.dir.filePath(QStringLiteral("snippet") + suffix));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(page.findChild<QPlainTextEdit *>(snippet)->toPlainText().toUtf8());
    file.close();

    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(HmacPage::secretVariableName(), QStringLiteral("secret with spaces ü"));
    environment.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    process.setProcessEnvironment(environment);
    process.start(program, {file.fileName()});
    QVERIFY(process.waitForFinished(30000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QCOMPARE(QString::fromUtf8(process.readAllStandardOutput()).trimmed(), expected);
}

void TestHmacPage::usesTheProfilesSecret()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(t.writeSecret(t.session.profile().verificationSecretName(), "secret"));
    HmacPage page(&t.session);
    page.show();
    const HmacWidgets w(page);
    QVERIFY(w.complete());

    QTest::keyClicks(w.id, QStringLiteral("20"));
    // Even with the field shown in clear before, the keychain's secret arrives masked.
    QTest::mouseClick(w.show, Qt::LeftButton);
    QCOMPARE(w.secret->echoMode(), QLineEdit::Normal);
    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QTRY_COMPARE(w.hash->text(), secretHash20);
    QCOMPARE(w.secret->echoMode(), QLineEdit::Password);
    QVERIFY(!w.show->isChecked());
    QVERIFY(!w.secret->displayText().contains(QLatin1String("secret")));
    QVERIFY2(w.secretStatus->text().contains(QLatin1String("Sandbox")), qPrintable(w.secretStatus->text()));
    QVERIFY(w.useProfile->isEnabled());
    for (QPlainTextEdit *snippet : w.snippets)
        QVERIFY(!snippet->toPlainText().contains(QLatin1String("\"secret\"")) &&
                !snippet->toPlainText().contains(QLatin1String("'secret'")));

    // Typing over it makes it the user's secret again.
    QTest::keyClicks(w.secret, QStringLiteral("x"));
    QCOMPARE(w.hash->text(), IdentityVerifier::sign(QStringLiteral("20"), "secretx"));
    QVERIFY(w.secretStatus->text().isEmpty());
}

void TestHmacPage::saysWhenTheProfileHasNoSecret()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    HmacPage page(&t.session);
    page.show();
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.id, QStringLiteral("20"));
    QTest::keyClicks(w.secret, QStringLiteral("typed"));
    const QString typedHash = w.hash->text();

    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QVERIFY(!w.useProfile->isEnabled()); // while the keychain answers
    QTRY_VERIFY(w.useProfile->isEnabled());
    QVERIFY2(w.secretStatus->text().contains(
                 QLatin1String("No identity-verification secret is stored for the profile Sandbox")),
             qPrintable(w.secretStatus->text()));
    // What the user typed is left alone.
    QCOMPARE(w.secret->text(), QStringLiteral("typed"));
    QCOMPARE(w.hash->text(), typedHash);
}

void TestHmacPage::saysWhenTheKeychainIsUnavailable()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    t.secrets.setAvailable(false);
    HmacPage page(&t.session);
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QTRY_VERIFY(w.secretStatus->text().startsWith(QLatin1String("The keychain could not be read")));
    QVERIFY(w.secretStatus->text().contains(QLatin1String("No keychain service")));
    QVERIFY(w.secret->text().isEmpty());
}

void TestHmacPage::forgetsTheProfilesSecretOnProfileSwitch()
{
    PageTestSession t;
    QVERIFY(t.activate(Profile::embeddedSandboxName()));
    QVERIFY(t.writeSecret(t.session.profile().verificationSecretName(), "secret"));
    QVERIFY(
        t.addProfile(QStringLiteral("Other"), QStringLiteral("other-key"), {QStringLiteral("TrackData")}));
    HmacPage page(&t.session);
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.id, QStringLiteral("20"));
    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QTRY_COMPARE(w.hash->text(), secretHash20);

    t.session.activate(QStringLiteral("Other"));
    QVERIFY(w.secret->text().isEmpty());
    QVERIFY(w.hash->text().isEmpty());
    QVERIFY(w.secretStatus->text().contains(QLatin1String("cleared")));
    QVERIFY(w.useProfile->toolTip().contains(QLatin1String("Other")));
}

void TestHmacPage::dropsAKeychainReadOfThePreviousProfile()
{
    PageTestSession t;
    QVERIFY(
        t.addProfile(QStringLiteral("Other"), QStringLiteral("other-key"), {QStringLiteral("TrackData")}));
    QVERIFY(t.activate(QStringLiteral("Other")));
    QVERIFY(t.writeSecret(t.session.profile().verificationSecretName(), "other-secret"));
    HmacPage page(&t.session);
    const HmacWidgets w(page);
    QVERIFY(w.complete());
    QTest::keyClicks(w.id, QStringLiteral("20"));
    // Everything the secret field and the status ever show from here on.
    QStringList secretsShown;
    QStringList statusesShown;
    connect(w.secret, &QLineEdit::textChanged, this, [&secretsShown](const QString &text) {
        if (!text.isEmpty())
            secretsShown << text;
    });
    QTimer watch; // the label has no change signal: look at it on every turn of the loop
    connect(&watch, &QTimer::timeout, this,
            [&w, &statusesShown] { statusesShown << w.secretStatus->text(); });
    watch.start(0);

    // Other's keychain read is under way when the user switches to the built-in Sandbox, which
    // is ready at once (its key is not in the keychain): nothing later clears the page again.
    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QVERIFY(!w.useProfile->isEnabled());
    t.session.activate(Profile::embeddedSandboxName());
    QCOMPARE(t.session.state(), ConsoleSession::State::Ready);

    // The memory keychain answers in order: once this read is answered, Other's was too.
    bool answered = false;
    t.secrets.read(QStringLiteral("anything"), [&answered](const SecretStore::Result &) { answered = true; });
    QTRY_VERIFY(answered);
    QTest::qWait(0);
    watch.stop();

    QVERIFY2(secretsShown.isEmpty(), qPrintable(secretsShown.join(QLatin1Char(','))));
    QVERIFY(w.secret->text().isEmpty());
    QVERIFY(w.hash->text().isEmpty());
    for (const QString &status : statusesShown)
        QVERIFY2(!status.contains(QLatin1String("Using the identity-verification secret")),
                 qPrintable(status));
    QVERIFY2(!w.secretStatus->text().contains(QLatin1String("Other")), qPrintable(w.secretStatus->text()));
    QVERIFY(w.useProfile->isEnabled());
    QVERIFY(w.useProfile->toolTip().contains(QLatin1String("Sandbox")));

    // The Sandbox's own secret is still one click away.
    QVERIFY(t.writeSecret(t.session.profile().verificationSecretName(), "secret"));
    QTest::mouseClick(w.useProfile, Qt::LeftButton);
    QTRY_COMPARE(w.hash->text(), secretHash20);
}

// Every mnemonic label ("&Secret" beside a row that is a layout) has its buddy.
void TestHmacPage::labelsShowNoStrayAmpersand()
{
    PageTestSession t;
    HmacPage page(&t.session);
    page.show();
    int mnemonics = 0;
    QCOMPARE(strayAmpersands(&page, &mnemonics), QStringList());
    QCOMPARE(mnemonics, 3); // &ID, &Secret, &Verify
}

QTEST_MAIN(TestHmacPage)
#include "tst_HmacPage.moc"

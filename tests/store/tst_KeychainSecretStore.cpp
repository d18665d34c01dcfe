// KeychainSecretStore on the real OS keychain: under `scripts/dev.sh test` that is a private
// gnome-keyring on a dbus-run-session bus, so nothing here touches a developer's own keychain
// unless the suite is started inside a desktop session (every entry is removed again then).
// Round trips with binary bytes, NotFound, idempotent removal, queued jobs in order and
// asynchronous callbacks; then the same calls without any Secret Service, which must fail with
// NoBackend and leave no plaintext file behind. MemorySecretStore, the tests' stand-in, must
// behave the same way, including its simulated missing service.

#include "store/KeychainSecretStore.h"
#include "store/MemorySecretStore.h"

#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>

namespace {

// Set in the child process that noBackend() starts: its value is the temporary home folder.
const char childFlag[] = "JOURNY_TEST_KEYCHAIN_NO_BACKEND_CHILD";

bool isNoBackendChild()
{
    return qEnvironmentVariableIsSet(childFlag);
}

QString randomHex()
{
    return QString::number(QRandomGenerator::global()->generate64(), 16);
}

// Starts one call and waits for its answer. The state is shared so a callback arriving after a
// timeout does not write to a dead stack frame.
SecretStore::Result await(const std::function<void(SecretStore::Callback)> &start, int timeoutMs = 15000)
{
    auto answer = std::make_shared<std::optional<SecretStore::Result>>();
    start([answer](const SecretStore::Result &result) { *answer = result; });
    if (!QTest::qWaitFor([answer] { return answer->has_value(); }, timeoutMs)) {
        SecretStore::Result timeout;
        timeout.error = SecretStore::Error::Other;
        timeout.message = QStringLiteral("no answer within %1 ms").arg(timeoutMs);
        return timeout;
    }
    return **answer;
}

SecretStore::Result readSecret(SecretStore &store, const QString &name)
{
    return await([&store, name](SecretStore::Callback done) { store.read(name, std::move(done)); });
}

SecretStore::Result writeSecret(SecretStore &store, const QString &name, const QByteArray &secret)
{
    return await(
        [&store, name, secret](SecretStore::Callback done) { store.write(name, secret, std::move(done)); });
}

SecretStore::Result removeSecret(SecretStore &store, const QString &name)
{
    return await([&store, name](SecretStore::Callback done) { store.remove(name, std::move(done)); });
}

const char *errorName(SecretStore::Error error)
{
    switch (error) {
    case SecretStore::Error::None:
        return "None";
    case SecretStore::Error::NotFound:
        return "NotFound";
    case SecretStore::Error::NoBackend:
        return "NoBackend";
    case SecretStore::Error::AccessDenied:
        return "AccessDenied";
    case SecretStore::Error::Other:
        return "Other";
    }
    return "?";
}

QString describe(const SecretStore::Result &result)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(errorName(result.error)), result.message);
}

// Bytes a text-only keychain API would mangle: NUL, invalid UTF-8, line breaks, all 256 values.
QByteArray binarySecret()
{
    QByteArray bytes("\0\xff\xfe\n\r\x80sk_\0tail", 13);
    for (int i = 0; i < 256; ++i)
        bytes.append(static_cast<char>(i));
    return bytes;
}

} // namespace

// Skips a test that needs the real keychain when initTestCase() found none, saying why.
#define REQUIRE_KEYCHAIN()                                                                                   \
    do {                                                                                                     \
        if (!m_noKeychainReason.isEmpty())                                                                   \
            QSKIP(qPrintable(m_noKeychainReason));                                                           \
    } while (false)

class TestKeychainSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void writeReadOverwriteRemove();
    void binaryBytesRoundTrip();
    void missingEntryIsNotFound();
    void removingAMissingEntrySucceeds();
    void queuedOperationsCompleteInOrder();
    void callbacksAreAsynchronous();
    void noBackend();

    void memoryStoreRoundTrip();
    void memoryStoreUnavailable();
    void memoryStoreIsAsynchronous();

private:
    // A fresh entry name under this run's prefix, remembered for cleanupTestCase().
    QString entry(const QString &what);
    void runNoBackendChecks();

    QString m_prefix;
    QStringList m_entries;
    QString m_noKeychainReason;
};

QString TestKeychainSecretStore::entry(const QString &what)
{
    const QString name = m_prefix + what;
    m_entries.append(name);
    return name;
}

void TestKeychainSecretStore::initTestCase()
{
    m_prefix = QStringLiteral("test/tst_keychainsecretstore-%1/").arg(randomHex());
    if (isNoBackendChild())
        return; // the child must not touch any bus before noBackend() runs

    // One write and read back: a session bus can exist while the Secret Service is missing or
    // locked, so only a real round trip says whether the keychain tests can run.
    KeychainSecretStore store;
    const QString probe = entry(QStringLiteral("probe"));
    const SecretStore::Result written = writeSecret(store, probe, "probe");
    const SecretStore::Result read = written.ok() ? readSecret(store, probe) : written;
    if (!read.ok() || read.secret != "probe") {
        m_noKeychainReason =
            QStringLiteral("no usable Secret Service on the session bus (%1); run the tests through "
                           "scripts/dev.sh test, which starts gnome-keyring under dbus-run-session")
                .arg(read.ok() ? QStringLiteral("read back other bytes") : describe(read));
    }
    removeSecret(store, probe);
}

void TestKeychainSecretStore::cleanupTestCase()
{
    if (isNoBackendChild() || !m_noKeychainReason.isEmpty())
        return;
    // Leave no test entries in the keychain, whichever test failed half-way.
    KeychainSecretStore store;
    for (const QString &name : std::as_const(m_entries)) {
        const SecretStore::Result removed = removeSecret(store, name);
        if (!removed.ok())
            qWarning("could not remove keychain entry %s: %s", qPrintable(name), qPrintable(removed.message));
    }
}

void TestKeychainSecretStore::writeReadOverwriteRemove()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("round-trip"));

    SecretStore::Result result = writeSecret(store, name, "sk_first_value_that_is_long");
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QVERIFY(result.secret.isEmpty()); // only read() carries a secret
    result = readSecret(store, name);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.secret, QByteArray("sk_first_value_that_is_long"));

    // A shorter value replaces the old one completely (no leftover tail).
    QVERIFY(writeSecret(store, name, "sk_short").ok());
    QCOMPARE(readSecret(store, name).secret, QByteArray("sk_short"));

    // Another instance, as another process (console vs CLI) would, sees the same entry.
    KeychainSecretStore other;
    QCOMPARE(readSecret(other, name).secret, QByteArray("sk_short"));

    result = removeSecret(store, name);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    result = readSecret(other, name);
    QCOMPARE(result.error, SecretStore::Error::NotFound);
}

void TestKeychainSecretStore::binaryBytesRoundTrip()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("binary"));
    const QByteArray secret = binarySecret();
    QVERIFY2(writeSecret(store, name, secret).ok(), "write failed");
    const SecretStore::Result result = readSecret(store, name);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    QCOMPARE(result.secret.size(), secret.size());
    QCOMPARE(result.secret, secret);

    // Entry names themselves may hold what profile names allow: spaces and dots.
    const QString spaced = entry(QStringLiteral("profile/Acme staging 2.0/api-key"));
    QVERIFY(writeSecret(store, spaced, "spaced").ok());
    QCOMPARE(readSecret(store, spaced).secret, QByteArray("spaced"));
    QCOMPARE(readSecret(store, name).secret, secret); // and did not disturb the other entry
    QVERIFY(removeSecret(store, spaced).ok());
    QVERIFY(removeSecret(store, name).ok());
}

void TestKeychainSecretStore::missingEntryIsNotFound()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("never-written"));
    const SecretStore::Result result = readSecret(store, name);
    QCOMPARE(result.error, SecretStore::Error::NotFound);
    QVERIFY(!result.ok());
    QVERIFY(result.secret.isEmpty());
    QVERIFY2(result.message.contains(name), qPrintable(result.message));
}

void TestKeychainSecretStore::removingAMissingEntrySucceeds()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("remove-missing"));
    SecretStore::Result result = removeSecret(store, name);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
    // Twice in a row, as `profile remove` does after a half-finished earlier attempt.
    QVERIFY(writeSecret(store, name, "x").ok());
    QVERIFY(removeSecret(store, name).ok());
    result = removeSecret(store, name);
    QVERIFY2(result.ok(), qPrintable(describe(result)));
}

void TestKeychainSecretStore::queuedOperationsCompleteInOrder()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString a = entry(QStringLiteral("queue-a"));
    const QString b = entry(QStringLiteral("queue-b"));

    // All queued before any answer: if jobs overlapped or ran out of order, the reads would see
    // the wrong value or a missing entry.
    QList<int> order;
    QList<SecretStore::Result> results(7);
    auto record = [&order, &results](int index) {
        return [&order, &results, index](const SecretStore::Result &result) {
            order.append(index);
            results[index] = result;
        };
    };
    store.write(a, "one", record(0));
    store.write(a, "two", record(1));
    store.read(a, record(2));
    store.write(b, "bee", record(3));
    store.remove(a, record(4));
    store.read(a, record(5));
    store.read(b, record(6));
    QVERIFY(order.isEmpty());
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 7, 20000);

    QCOMPARE(order, (QList<int>{0, 1, 2, 3, 4, 5, 6}));
    for (int i : {0, 1, 3, 4})
        QVERIFY2(results.at(i).ok(),
                 qPrintable(QStringLiteral("#%1 %2").arg(i).arg(describe(results.at(i)))));
    QCOMPARE(results.at(2).secret, QByteArray("two"));
    QCOMPARE(results.at(5).error, SecretStore::Error::NotFound);
    QCOMPARE(results.at(6).secret, QByteArray("bee"));
    QVERIFY(removeSecret(store, b).ok());
}

void TestKeychainSecretStore::callbacksAreAsynchronous()
{
    REQUIRE_KEYCHAIN();
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("async"));
    int answered = 0;
    auto count = [&answered](const SecretStore::Result &) { ++answered; };

    // The first call of an idle store and calls behind it: neither may answer from inside the call.
    store.write(name, "value", count);
    QCOMPARE(answered, 0);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 1, 15000);
    store.read(name, count);
    QCOMPARE(answered, 1);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 2, 15000);
    store.remove(name, count);
    QCOMPARE(answered, 2);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 3, 15000);

    // A call made from inside a callback runs after that callback has returned.
    bool inCallback = false;
    bool nestedAnsweredInside = false;
    bool nestedAnswered = false;
    store.read(name, [&](const SecretStore::Result &) {
        inCallback = true;
        store.read(name, [&](const SecretStore::Result &) {
            nestedAnswered = true;
            nestedAnsweredInside = inCallback;
        });
        inCallback = false;
    });
    QTRY_VERIFY_WITH_TIMEOUT(nestedAnswered, 15000);
    QVERIFY(!nestedAnsweredInside);
}

void TestKeychainSecretStore::noBackend()
{
    if (isNoBackendChild()) {
        runNoBackendChecks();
        return;
    }
    // QtDBus and libsecret read DBUS_SESSION_BUS_ADDRESS once, at their first use, so a process
    // that has already talked to the keychain cannot lose it: run this test again as a child
    // whose environment has no usable bus from the start, and whose home is an empty folder.
    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QLatin1String(childFlag), home.path());
    environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                       QStringLiteral("unix:path=%1/no-such-bus").arg(home.path()));
    environment.insert(QStringLiteral("HOME"), home.path());
    for (const char *variable : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"})
        environment.insert(QLatin1String(variable),
                           home.filePath(QString::fromLatin1(variable).mid(4).toLower())); // config_home, ...
    environment.remove(QStringLiteral("XDG_RUNTIME_DIR"));

    QProcess child;
    child.setProcessEnvironment(environment);
    child.setProgram(QCoreApplication::applicationFilePath());
    child.setArguments({QStringLiteral("noBackend")});
    QSignalSpy finished(&child, &QProcess::finished);
    child.start();
    QVERIFY2(child.waitForStarted(), qPrintable(child.errorString()));
    if (finished.isEmpty())
        QVERIFY(finished.wait(30000));
    const QString output =
        QString::fromLocal8Bit(child.readAllStandardOutput() + child.readAllStandardError());
    QVERIFY2(child.exitStatus() == QProcess::NormalExit && child.exitCode() == 0, qPrintable(output));
    QVERIFY2(output.contains(QLatin1String("PASS   : TestKeychainSecretStore::noBackend()")),
             qPrintable(output));

    // No plaintext fallback anywhere: the child's home and XDG folders hold no file at all.
    QStringList files;
    QDirIterator it(home.path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    QVERIFY2(files.isEmpty(), qPrintable(files.join(QLatin1Char('\n'))));
}

void TestKeychainSecretStore::runNoBackendChecks()
{
    KeychainSecretStore store;
    const QString name = entry(QStringLiteral("no-backend"));
    const QByteArray canary = "sk_no_backend_canary_" + randomHex().toLatin1();

    auto checkNoBackend = [](const SecretStore::Result &result, const char *call) {
        QVERIFY2(result.error == SecretStore::Error::NoBackend,
                 qPrintable(QStringLiteral("%1: %2").arg(QLatin1String(call), describe(result))));
        QVERIFY(result.secret.isEmpty());
        QVERIFY2(result.message.contains(QLatin1String("No keychain service is available")),
                 qPrintable(result.message));
        QVERIFY2(result.message.contains(QLatin1String("never stored in a file")),
                 qPrintable(result.message));
    };
    checkNoBackend(writeSecret(store, name, canary), "write");
    if (QTest::currentTestFailed())
        return;
    checkNoBackend(readSecret(store, name), "read");
    if (QTest::currentTestFailed())
        return;
    checkNoBackend(removeSecret(store, name), "remove");
    if (QTest::currentTestFailed())
        return;

    // Failing is still asynchronous, and the queue keeps going after failures.
    int answered = 0;
    store.read(name, [&answered](const SecretStore::Result &) { ++answered; });
    store.write(name, canary, [&answered](const SecretStore::Result &) { ++answered; });
    QCOMPARE(answered, 0);
    QTRY_COMPARE_WITH_TIMEOUT(answered, 2, 15000);
    // A read after the failed write still finds nothing: the write was not kept anywhere.
    checkNoBackend(readSecret(store, name), "read after write");
}

void TestKeychainSecretStore::memoryStoreRoundTrip()
{
    MemorySecretStore store;
    QCOMPARE(readSecret(store, QStringLiteral("a")).error, SecretStore::Error::NotFound);
    QVERIFY(!readSecret(store, QStringLiteral("a")).message.isEmpty());
    QVERIFY(writeSecret(store, QStringLiteral("a"), binarySecret()).ok());
    QCOMPARE(readSecret(store, QStringLiteral("a")).secret, binarySecret());
    QVERIFY(writeSecret(store, QStringLiteral("a"), "short").ok());
    QCOMPARE(readSecret(store, QStringLiteral("a")).secret, QByteArray("short"));
    QCOMPARE(readSecret(store, QStringLiteral("b")).error, SecretStore::Error::NotFound);
    QVERIFY(removeSecret(store, QStringLiteral("a")).ok());
    QCOMPARE(readSecret(store, QStringLiteral("a")).error, SecretStore::Error::NotFound);
    QVERIFY(removeSecret(store, QStringLiteral("a")).ok()); // removing what is not there is fine
}

void TestKeychainSecretStore::memoryStoreUnavailable()
{
    MemorySecretStore store;
    QVERIFY(writeSecret(store, QStringLiteral("kept"), "before").ok());
    store.setAvailable(false);
    for (const SecretStore::Result &result :
         {readSecret(store, QStringLiteral("kept")), writeSecret(store, QStringLiteral("new"), "x"),
          removeSecret(store, QStringLiteral("kept"))}) {
        QCOMPARE(result.error, SecretStore::Error::NoBackend);
        QVERIFY(!result.ok());
        QVERIFY(result.secret.isEmpty()); // an unavailable keychain does not leak what it holds
        QVERIFY(result.message.contains(QLatin1String("No keychain service")));
    }
    // Back again: the failed calls changed nothing.
    store.setAvailable(true);
    QCOMPARE(readSecret(store, QStringLiteral("kept")).secret, QByteArray("before"));
    QCOMPARE(readSecret(store, QStringLiteral("new")).error, SecretStore::Error::NotFound);
}

void TestKeychainSecretStore::memoryStoreIsAsynchronous()
{
    MemorySecretStore store;
    QList<int> order;
    store.write(QStringLiteral("a"), "1", [&order](const SecretStore::Result &) { order.append(0); });
    store.read(QStringLiteral("a"), [&order](const SecretStore::Result &) { order.append(1); });
    store.remove(QStringLiteral("a"), [&order](const SecretStore::Result &) { order.append(2); });
    store.setAvailable(false);
    store.read(QStringLiteral("a"), [&order](const SecretStore::Result &) { order.append(3); });
    QVERIFY(order.isEmpty());
    QTRY_COMPARE(order, (QList<int>{0, 1, 2, 3}));
}

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_KeychainSecretStore.moc"

// ProfileStore on a real INI file: the built-in Sandbox profile is always there and is the
// default of a fresh file, profiles are saved, replaced, removed and made default, bad names and
// URLs are refused with messages a user can act on, and the file holds nothing but each
// profile's name, base URL and environment plus the default's name: never a key or a secret.

#include "store/ProfileStore.h"

#include <QFile>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_DECLARE_METATYPE(NetworkSettings)

class TestProfileStore : public QObject
{
    Q_OBJECT

private slots:
    void init();

    void freshFileHasOnlyTheSandbox();
    void saveReplaceAndRemove();
    void useSetsTheDefault();
    void removingTheDefaultFallsBackToSandbox();
    void defaultNamingAMissingProfileFallsBackToSandbox();
    void namesWithSpacesAndDotsRoundTrip();
    void invalidNamesAreRejected_data();
    void invalidNamesAreRejected();
    void invalidUrlsAreRejected_data();
    void invalidUrlsAreRejected();
    void unsafeUrlsAreRefused_data();
    void unsafeUrlsAreRefused();
    void sandboxProfileIsBuiltIn();
    void handEditedSandboxEntryIsIgnored();
    void storedPasswordInUrlIsDropped();
    void fileHoldsNothingButTheProfileFields();
    void networkSettingsRoundTripWithoutThePassword();
    void unusableNetworkSettingsAreRefused_data();
    void unusableNetworkSettingsAreRefused();

private:
    static Profile makeProfile(const QString &name, const QString &url,
                               Profile::Environment environment = Profile::Environment::Production);
    static QStringList names(const ProfileStore &store);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_file;
};

Profile TestProfileStore::makeProfile(const QString &name, const QString &url,
                                      Profile::Environment environment)
{
    Profile profile;
    profile.name = name;
    profile.baseUrl = QUrl(url);
    profile.environment = environment;
    return profile;
}

QStringList TestProfileStore::names(const ProfileStore &store)
{
    QStringList list;
    const QList<Profile> profiles = store.profiles();
    for (const Profile &profile : profiles)
        list << profile.name;
    return list;
}

void TestProfileStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    // A folder that does not exist yet, as on a first start.
    m_file = m_dir->filePath(QStringLiteral("journy-console/profiles.ini"));
}

void TestProfileStore::freshFileHasOnlyTheSandbox()
{
    const ProfileStore store(m_file);
    const QList<Profile> profiles = store.profiles();
    QCOMPARE(profiles.size(), 1);
    QCOMPARE(profiles.first().name, QStringLiteral("Sandbox"));
    QVERIFY(profiles.first().isEmbeddedSandbox());
    QCOMPARE(profiles.first().environment, Profile::Environment::Sandbox);
    QVERIFY(profiles.first().baseUrl.isEmpty());
    QCOMPARE(store.defaultProfileName(), QStringLiteral("Sandbox"));
    QVERIFY(store.contains(QStringLiteral("Sandbox")));
    QVERIFY(store.profile(QStringLiteral("Sandbox")).isEmbeddedSandbox());
    QVERIFY(!store.contains(QStringLiteral("prod")));
    QVERIFY(store.profile(QStringLiteral("prod")).name.isEmpty());
    // Reading alone must not create the file.
    QVERIFY(!QFile::exists(m_file));
}

void TestProfileStore::saveReplaceAndRemove()
{
    ProfileStore store(m_file);
    QString error;
    QVERIFY2(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error),
             qPrintable(error));
    QVERIFY2(
        store.save(makeProfile(QStringLiteral("staging"), QStringLiteral("https://staging.example.com/api"),
                               Profile::Environment::Staging),
                   &error),
        qPrintable(error));
    QVERIFY(QFile::exists(m_file));

    // A second store on the same file sees the same, as the console and the CLI do.
    const ProfileStore other(m_file);
    QCOMPARE(names(other),
             (QStringList{QStringLiteral("Sandbox"), QStringLiteral("prod"), QStringLiteral("staging")}));
    const Profile staging = other.profile(QStringLiteral("staging"));
    QCOMPARE(staging.baseUrl, QUrl(QStringLiteral("https://staging.example.com/api")));
    QCOMPARE(staging.environment, Profile::Environment::Staging);
    QVERIFY(!staging.isEmbeddedSandbox());

    // Saving under an existing name replaces that profile instead of adding a second one.
    QVERIFY(store.save(makeProfile(QStringLiteral("staging"), QStringLiteral("http://127.0.0.1:8080"),
                                   Profile::Environment::Sandbox),
                       &error));
    QCOMPARE(names(other).count(QStringLiteral("staging")), 1);
    QCOMPARE(other.profile(QStringLiteral("staging")).baseUrl, QUrl(QStringLiteral("http://127.0.0.1:8080")));
    QCOMPARE(other.profile(QStringLiteral("staging")).environment, Profile::Environment::Sandbox);
    // A sandbox-labelled profile with a URL is a remote server, not the embedded sandbox.
    QVERIFY(!other.profile(QStringLiteral("staging")).isEmbeddedSandbox());

    QVERIFY2(store.remove(QStringLiteral("prod"), &error), qPrintable(error));
    QCOMPARE(names(other), (QStringList{QStringLiteral("Sandbox"), QStringLiteral("staging")}));

    error.clear();
    QVERIFY(!store.remove(QStringLiteral("prod"), &error));
    QVERIFY2(error.contains(QLatin1String("prod")), qPrintable(error));
}

void TestProfileStore::useSetsTheDefault()
{
    ProfileStore store(m_file);
    QString error;
    QVERIFY(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error));
    QVERIFY2(store.setDefaultProfile(QStringLiteral("prod"), &error), qPrintable(error));
    QCOMPARE(ProfileStore(m_file).defaultProfileName(), QStringLiteral("prod"));
    QVERIFY(store.setDefaultProfile(QStringLiteral("Sandbox"), &error));
    QCOMPARE(ProfileStore(m_file).defaultProfileName(), QStringLiteral("Sandbox"));

    error.clear();
    QVERIFY(!store.setDefaultProfile(QStringLiteral("nowhere"), &error));
    QVERIFY2(error.contains(QLatin1String("nowhere")), qPrintable(error));
    QCOMPARE(store.defaultProfileName(), QStringLiteral("Sandbox"));
}

void TestProfileStore::removingTheDefaultFallsBackToSandbox()
{
    ProfileStore store(m_file);
    QString error;
    QVERIFY(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error));
    QVERIFY(store.setDefaultProfile(QStringLiteral("prod"), &error));
    QVERIFY(store.remove(QStringLiteral("prod"), &error));
    QCOMPARE(store.defaultProfileName(), QStringLiteral("Sandbox"));
    // The stale default is gone from the file too, so a new "prod" does not silently become default.
    QVERIFY(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error));
    QCOMPARE(store.defaultProfileName(), QStringLiteral("Sandbox"));
}

void TestProfileStore::defaultNamingAMissingProfileFallsBackToSandbox()
{
    {
        QSettings settings(m_file, QSettings::IniFormat);
        settings.setValue(QStringLiteral("default"), QStringLiteral("deleted-by-hand"));
    }
    QCOMPARE(ProfileStore(m_file).defaultProfileName(), QStringLiteral("Sandbox"));
}

void TestProfileStore::namesWithSpacesAndDotsRoundTrip()
{
    ProfileStore store(m_file);
    // Spaces and dots are special to QSettings' INI keys; they must survive as typed.
    const QStringList tricky{QStringLiteral("Acme staging 2.0"), QStringLiteral("eu.prod_1-b"),
                             QStringLiteral("a"), QString(64, QLatin1Char('x')), QStringLiteral("1 2 3")};
    QString error;
    for (const QString &name : tricky)
        QVERIFY2(store.save(makeProfile(name, QStringLiteral("https://api.journy.io")), &error),
                 qPrintable(error));

    ProfileStore reread(m_file);
    for (const QString &name : tricky) {
        QVERIFY2(reread.contains(name), qPrintable(name));
        QCOMPARE(reread.profile(name).name, name);
        QVERIFY(reread.setDefaultProfile(name, &error));
        QCOMPARE(ProfileStore(m_file).defaultProfileName(), name);
    }
    QVERIFY(store.remove(QStringLiteral("Acme staging 2.0"), &error));
    QVERIFY(!ProfileStore(m_file).contains(QStringLiteral("Acme staging 2.0")));
    QVERIFY(ProfileStore(m_file).contains(QStringLiteral("eu.prod_1-b")));
}

void TestProfileStore::invalidNamesAreRejected_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("leading space") << QStringLiteral(" prod");
    QTest::newRow("leading dot") << QStringLiteral(".prod");
    QTest::newRow("leading dash") << QStringLiteral("-prod");
    QTest::newRow("slash") << QStringLiteral("a/b");
    QTest::newRow("backslash") << QStringLiteral("a\\b");
    QTest::newRow("equals") << QStringLiteral("a=b");
    QTest::newRow("brackets") << QStringLiteral("[a]");
    QTest::newRow("newline") << QStringLiteral("a\nb");
    QTest::newRow("non-ascii") << QStringLiteral("pr\u00f6d");
    QTest::newRow("65 characters") << QString(65, QLatin1Char('x'));
}

void TestProfileStore::invalidNamesAreRejected()
{
    QFETCH(QString, name);
    QVERIFY(!ProfileStore::isValidName(name));
    ProfileStore store(m_file);
    QString error;
    QVERIFY(!store.save(makeProfile(name, QStringLiteral("https://api.journy.io")), &error));
    QVERIFY2(error.contains(QLatin1String("not a usable profile name")), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("letters, digits")), qPrintable(error)); // says what is allowed
    QCOMPARE(names(store), QStringList{QStringLiteral("Sandbox")});
}

void TestProfileStore::invalidUrlsAreRejected_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("empty") << QString();
    QTest::newRow("no scheme") << QStringLiteral("api.journy.io");
    QTest::newRow("ftp") << QStringLiteral("ftp://api.journy.io");
    QTest::newRow("file") << QStringLiteral("file:///tmp/api");
    QTest::newRow("no host") << QStringLiteral("https://");
    QTest::newRow("garbage") << QStringLiteral("http://exa mple.com");
}

void TestProfileStore::invalidUrlsAreRejected()
{
    QFETCH(QString, url);
    ProfileStore store(m_file);
    QString error;
    QVERIFY(!store.save(makeProfile(QStringLiteral("prod"), url), &error));
    QVERIFY2(error.contains(QLatin1String("is not an http(s) base URL")), qPrintable(error));
    QVERIFY(!store.contains(QStringLiteral("prod")));
}

void TestProfileStore::unsafeUrlsAreRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::newRow("user and password")
        << QStringLiteral("https://ann:pw-in-url@api.journy.io")
        << QStringLiteral("'https://api.journy.io' must not hold a user name or "
                          "password");
    QTest::newRow("user") << QStringLiteral("https://ann@api.journy.io")
                          << QStringLiteral("must not hold a user name or password");
    QTest::newRow("plain http to another host") << QStringLiteral("http://api.journy.io")
                                                << QStringLiteral("Refusing plain http:// to api.journy.io");
    QTest::newRow("port 0") << QStringLiteral("https://api.journy.io:0")
                            << QStringLiteral("a port is a number from 1 to 65535");
}

// A URL that a request would refuse is refused when it is stored, and the error never shows a
// password that was in it.
void TestProfileStore::unsafeUrlsAreRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    ProfileStore store(m_file);
    QString error;
    QVERIFY(!store.save(makeProfile(QStringLiteral("prod"), url), &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY2(!error.contains(QLatin1String("pw-in-url")), qPrintable(error));
    QVERIFY(!store.contains(QStringLiteral("prod")));
    QFile file(m_file);
    QVERIFY(!file.exists() || (file.open(QIODevice::ReadOnly) && !file.readAll().contains("pw-in-url")));
}

void TestProfileStore::sandboxProfileIsBuiltIn()
{
    ProfileStore store(m_file);
    QString error;
    QVERIFY(!store.save(makeProfile(QStringLiteral("Sandbox"), QStringLiteral("https://evil.example.com")),
                        &error));
    QVERIFY2(error.contains(QLatin1String("built-in")), qPrintable(error));
    QVERIFY(store.profile(QStringLiteral("Sandbox")).isEmbeddedSandbox());

    error.clear();
    QVERIFY(!store.remove(QStringLiteral("Sandbox"), &error));
    QVERIFY2(error.contains(QLatin1String("built-in")), qPrintable(error));
    QVERIFY(store.contains(QStringLiteral("Sandbox")));
    QCOMPARE(names(store).count(QStringLiteral("Sandbox")), 1);
}

void TestProfileStore::handEditedSandboxEntryIsIgnored()
{
    // Someone (or an older version) wrote a "Sandbox" entry with a URL: it must not shadow the
    // built-in profile, or the "no key needed" profile would point to a remote server.
    {
        QSettings settings(m_file, QSettings::IniFormat);
        settings.setValue(QStringLiteral("profiles/53616e64626f78/name"), QStringLiteral("Sandbox"));
        settings.setValue(QStringLiteral("profiles/53616e64626f78/baseUrl"),
                          QStringLiteral("https://evil.example"));
        settings.setValue(QStringLiteral("profiles/53616e64626f78/environment"), QStringLiteral("sandbox"));
    }
    const ProfileStore store(m_file);
    QCOMPARE(names(store), QStringList{QStringLiteral("Sandbox")});
    QVERIFY(store.profile(QStringLiteral("Sandbox")).isEmbeddedSandbox());
}

void TestProfileStore::storedPasswordInUrlIsDropped()
{
    // Written before user:password@ was refused: read without it, and saved back without it.
    {
        QSettings settings(m_file, QSettings::IniFormat);
        settings.setValue(QStringLiteral("profiles/70726f64/name"), QStringLiteral("prod"));
        settings.setValue(QStringLiteral("profiles/70726f64/baseUrl"),
                          QStringLiteral("https://ann:pw-in-url@api.journy.io/v1"));
    }
    ProfileStore store(m_file);
    const Profile profile = store.profile(QStringLiteral("prod"));
    QCOMPARE(profile.baseUrl, QUrl(QStringLiteral("https://api.journy.io/v1")));
    QString error;
    QVERIFY2(store.save(profile, &error), qPrintable(error));
    QFile file(m_file);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("pw-in-url"));
}

void TestProfileStore::fileHoldsNothingButTheProfileFields()
{
    ProfileStore store(m_file);
    QString error;
    QVERIFY(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error));
    QVERIFY(store.save(makeProfile(QStringLiteral("Acme staging 2.0"),
                                   QStringLiteral("https://staging.acme.com"), Profile::Environment::Staging),
                       &error));
    QVERIFY(store.setDefaultProfile(QStringLiteral("prod"), &error));
    QVERIFY(store.remove(QStringLiteral("prod"), &error));
    QVERIFY(store.save(makeProfile(QStringLiteral("prod"), QStringLiteral("https://api.journy.io")), &error));
    QVERIFY(store.setDefaultProfile(QStringLiteral("Acme staging 2.0"), &error));

    QSettings settings(m_file, QSettings::IniFormat);
    const QStringList keys = settings.allKeys();
    QVERIFY(!keys.isEmpty());
    static const QRegularExpression allowed(QRegularExpression::anchoredPattern(
        QStringLiteral("default|profiles/[0-9a-f]+/"
                       "(name|baseUrl|environment|proxyMode|proxyType|proxyHost|proxyPort|proxyBypass|"
                       "proxyUser|caFile|timeoutMs)")));
    for (const QString &key : keys)
        QVERIFY2(allowed.match(key).hasMatch(), qPrintable(QStringLiteral("unexpected INI key %1").arg(key)));
    QCOMPARE(keys.size(), 1 + 2 * 11);

    // The raw text, in case QSettings hides something (comments, another section).
    QFile file(m_file);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(file.readAll());
    QVERIFY2(!text.contains(QLatin1String("key"), Qt::CaseInsensitive), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("secret"), Qt::CaseInsensitive), qPrintable(text));
    QVERIFY2(!text.contains(QLatin1String("password"), Qt::CaseInsensitive), qPrintable(text));
    static const QRegularExpression line(QRegularExpression::anchoredPattern(QStringLiteral(
        "\\[profiles\\]|\\[General\\]|default=.*|[0-9a-f]+\\\\(name|baseUrl|environment|proxyMode|proxyType|"
        "proxyHost|proxyPort|proxyBypass|proxyUser|caFile|timeoutMs)=.*")));
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (const QString &entry : lines)
        QVERIFY2(line.match(entry.trimmed()).hasMatch(),
                 qPrintable(QStringLiteral("unexpected line: %1").arg(entry)));
}

void TestProfileStore::networkSettingsRoundTripWithoutThePassword()
{
    ProfileStore store(m_file);
    Profile profile = makeProfile(QStringLiteral("corp"), QStringLiteral("https://api.journy.io"));
    profile.network.proxyMode = NetworkSettings::ProxyMode::Manual;
    profile.network.proxyType = NetworkSettings::ProxyType::Socks5;
    profile.network.proxyHost = QStringLiteral("proxy.corp.example");
    profile.network.proxyPort = 1080;
    profile.network.proxyBypass = {QStringLiteral(".corp.example"), QStringLiteral("10.0.0.0/8")};
    profile.network.proxyUser = QStringLiteral("alice");
    profile.network.proxyPassword = QStringLiteral("pr0xy-pa55");
    profile.network.caFile = QStringLiteral(JOURNY_TEST_DATA_DIR "/selfsigned.crt");
    profile.network.timeoutMs = 12500;
    QString error;
    QVERIFY2(store.save(profile, &error), qPrintable(error));

    const Profile read = ProfileStore(m_file).profile(QStringLiteral("corp"));
    NetworkSettings expected = profile.network;
    expected.proxyPassword.clear(); // the keychain's, never the file's
    QVERIFY(read.network == expected);

    QFile file(m_file);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray text = file.readAll();
    QVERIFY2(!text.contains("pr0xy-pa55"), text.constData());
    QVERIFY(text.contains("proxy.corp.example"));

    // A profile written before network settings existed reads as System, 30 s.
    QSettings settings(m_file, QSettings::IniFormat);
    settings.setValue(QStringLiteral("profiles/6f6c64/name"), QStringLiteral("old"));
    settings.setValue(QStringLiteral("profiles/6f6c64/baseUrl"), QStringLiteral("https://api.journy.io"));
    settings.setValue(QStringLiteral("profiles/6f6c64/environment"), QStringLiteral("production"));
    settings.sync();
    QVERIFY(ProfileStore(m_file).profile(QStringLiteral("old")).network == NetworkSettings());
}

void TestProfileStore::unusableNetworkSettingsAreRefused_data()
{
    QTest::addColumn<NetworkSettings>("network");
    QTest::addColumn<QString>("message");
    NetworkSettings manual;
    manual.proxyMode = NetworkSettings::ProxyMode::Manual;
    manual.proxyHost = QStringLiteral("proxy.corp.example");
    manual.proxyPort = 3128;

    NetworkSettings noHost = manual;
    noHost.proxyHost.clear();
    QTest::newRow("manual without host") << noHost << QStringLiteral("needs a host");
    NetworkSettings noPort = manual;
    noPort.proxyPort = 0;
    QTest::newRow("manual without port") << noPort << QStringLiteral("port from 1 to 65535");
    NetworkSettings badBypass = manual;
    badBypass.proxyBypass = {QStringLiteral("10.0.0.0/99")};
    QTest::newRow("bad CIDR") << badBypass << QStringLiteral("'10.0.0.0/99' is not a proxy bypass entry");
    NetworkSettings missingCa;
    missingCa.caFile = QStringLiteral("/nonexistent/ca.pem");
    QTest::newRow("missing CA file") << missingCa << QStringLiteral("cannot be read");
    NetworkSettings notPem;
    notPem.caFile = QStringLiteral(JOURNY_TEST_DATA_DIR "/README.md");
    QTest::newRow("CA file without a certificate") << notPem << QStringLiteral("holds no PEM certificate");
    NetworkSettings zeroTimeout;
    zeroTimeout.timeoutMs = 0;
    QTest::newRow("timeout 0") << zeroTimeout << QStringLiteral("from 0.1 to 3600 seconds");
}

void TestProfileStore::unusableNetworkSettingsAreRefused()
{
    QFETCH(NetworkSettings, network);
    QFETCH(QString, message);
    ProfileStore store(m_file);
    Profile profile = makeProfile(QStringLiteral("corp"), QStringLiteral("https://api.journy.io"));
    profile.network = network;
    QString error;
    QVERIFY(!store.save(profile, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!store.contains(QStringLiteral("corp")));
}

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_ProfileStore.moc"

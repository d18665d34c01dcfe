// Saved requests (issue #13, "a workbench for daily support work"): the store keeps a named
// request per profile or for all profiles in a private JSON file, exports and imports the same
// format, and refuses a bad import whole, naming what is wrong.
#include "store/SavedRequestStore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

SavedRequest trackRequest(const QString &name, const QString &profile)
{
    SavedRequest request;
    request.name = name;
    request.operation = QStringLiteral("trackEvent");
    request.profile = profile;
    request.body = QJsonDocument::fromJson(R"({"name": "Trial ends",
        "identification": {"user": {"userId": "u-1"}}, "metadata": {"seats": 12.5, "plan": "Pro"}})")
                       .object();
    return request;
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeAll(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

QStringList names(const QList<SavedRequest> &requests)
{
    QStringList list;
    for (const SavedRequest &request : requests)
        list << request.name;
    return list;
}

const char *validHeader = R"({"format": "journy-console saved requests", "version": 1, "requests": )";

} // namespace

class tst_SavedRequestStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { ::umask(022); }

    void listedUnderItsProfileOnly()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY2(store.save(trackRequest(QStringLiteral("for A"), QStringLiteral("A")), &error),
                 qPrintable(error));
        QVERIFY2(store.save(trackRequest(QStringLiteral("for all"), QString()), &error), qPrintable(error));
        QCOMPARE(names(store.visibleTo(QStringLiteral("A"))), QStringList({"for A", "for all"}));
        QCOMPARE(names(store.visibleTo(QStringLiteral("B"))), QStringList({"for all"}));

        // Another store on the same file (a second console, or the next start) reads the same.
        SavedRequestStore again(store.path());
        QVERIFY2(again.load(&error), qPrintable(error));
        QCOMPARE(again.all(), store.all());
        QCOMPARE(again.all().first().body, trackRequest(QString(), QString()).body);
    }

    void theFileIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data/journy-console/saved-requests.json"));
        SavedRequestStore store(path);
        QString error;
        QVERIFY2(store.save(trackRequest(QStringLiteral("x"), QString()), &error), qPrintable(error));
        const auto owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        // Qt shows the owner's bits twice (Owner and User): compare the owner's, the group's, the others'.
        const auto mask = QFileDevice::Permissions(0x7077);
        QCOMPARE(QFile::permissions(path) & mask, owner);
        QCOMPARE(QFile::permissions(QFileInfo(path).absolutePath()) & mask, owner | QFileDevice::ExeOwner);

        // A file made readable by all (copied in by hand) is tightened when it is read.
        QVERIFY(QFile::setPermissions(path, owner | QFileDevice::ReadGroup | QFileDevice::ReadOther));
        SavedRequestStore again(path);
        QVERIFY2(again.load(&error), qPrintable(error));
        QCOMPARE(again.all().size(), 1);
        QCOMPARE(QFile::permissions(path) & mask, owner);
    }

    void savingTheSameNameReplacesItAndKeepsItsCreationTime()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY(store.save(trackRequest(QStringLiteral("x"), QStringLiteral("A")), &error));
        const SavedRequest first = store.all().first();
        QTest::qWait(5); // the update time must be able to differ from the creation time
        SavedRequest edited = trackRequest(QStringLiteral("x"), QStringLiteral("A"));
        edited.body.insert(QStringLiteral("triggeredAt"), QStringLiteral("2024-05-01T10:00:00Z"));
        QVERIFY2(store.save(edited, &error), qPrintable(error));
        QCOMPARE(store.all().size(), 1);
        QCOMPARE(store.all().first().body, edited.body);
        QCOMPARE(store.all().first().created, first.created);
        QVERIFY(store.all().first().updated > first.updated);
    }

    void aNameShownTwiceUnderOneProfileIsRefused()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY(store.save(trackRequest(QStringLiteral("x"), QStringLiteral("A")), &error));
        // The same name for another profile is fine: the lists never show both.
        QVERIFY2(store.save(trackRequest(QStringLiteral("x"), QStringLiteral("B")), &error),
                 qPrintable(error));
        // For all profiles it would sit beside A's and B's.
        QVERIFY(!store.save(trackRequest(QStringLiteral("x"), QString()), &error));
        QVERIFY2(error.contains(QLatin1String("\"x\"")) && error.contains(QLatin1String("profile A")),
                 qPrintable(error));
        QCOMPARE(store.all().size(), 2);
        QVERIFY(
            !store.rename(QStringLiteral("x"), QStringLiteral("B"), QStringLiteral("x"), QString(), &error));
        QVERIFY(
            store.rename(QStringLiteral("x"), QStringLiteral("B"), QStringLiteral("y"), QString(), &error));
        QCOMPARE(names(store.visibleTo(QStringLiteral("A"))), QStringList({"x", "y"}));
        QVERIFY(store.remove(QStringLiteral("y"), QString(), &error));
        QCOMPARE(names(store.all()), QStringList({"x"}));
    }

    void exportThenImportRoundTripsExactly()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY(store.save(trackRequest(QStringLiteral("for A"), QStringLiteral("A")), &error));
        SavedRequest upsert;
        upsert.name = QStringLiteral("Upsert ünïcode ✓");
        upsert.operation = QStringLiteral("upsertUser");
        upsert.body = QJsonDocument::fromJson(R"({"identification": {"email": "ann@acme.com"},
            "properties": {"old": null, "note": "", "tags": ["a", "b"], "paying": true}})")
                          .object();
        QVERIFY(store.save(upsert, &error));
        const QString exported = dir.filePath(QStringLiteral("share/export.json"));
        QVERIFY(QDir().mkpath(QFileInfo(exported).absolutePath()));
        QVERIFY2(SavedRequestStore::exportTo(exported, store.all(), &error), qPrintable(error));

        SavedRequestStore fresh(dir.filePath(QStringLiteral("fresh.json")));
        int imported = 0;
        QStringList renamed;
        QVERIFY2(fresh.importFrom(exported, &imported, &renamed, &error), qPrintable(error));
        QCOMPARE(imported, 2);
        QVERIFY(renamed.isEmpty());
        QCOMPARE(fresh.all(), store.all());
        SavedRequestStore reread(fresh.path());
        QVERIFY(reread.load(&error));
        QCOMPARE(reread.all(), store.all());
    }

    void anImportedNameThatClashesIsNumbered()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY(store.save(trackRequest(QStringLiteral("x"), QString()), &error));
        const QString exported = dir.filePath(QStringLiteral("export.json"));
        QVERIFY(SavedRequestStore::exportTo(
            exported, {trackRequest(QStringLiteral("x"), QStringLiteral("A"))}, &error));
        int imported = 0;
        QStringList renamed;
        QVERIFY2(store.importFrom(exported, &imported, &renamed, &error), qPrintable(error));
        QVERIFY2(store.importFrom(exported, &imported, &renamed, &error), qPrintable(error));
        QCOMPARE(renamed, QStringList({QStringLiteral("x → x (3)")}));
        QCOMPARE(names(store.visibleTo(QStringLiteral("A"))), QStringList({"x", "x (2)", "x (3)"}));
        QCOMPARE(store.all().size(), 3);
    }

    void aBadImportIsRefusedWhole_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("named");
        const QByteArray good = R"({"name": "ok", "operation": "upsertUser", "profile": null, "body": {}})";
        QTest::newRow("not JSON") << QByteArray("{\"format\": ") << QStringLiteral("not valid JSON");
        QTest::newRow("not an object") << QByteArray("[1]") << QStringLiteral("not a saved-requests file");
        QTest::newRow("other format") << QByteArray(R"({"format": "history", "version": 1, "requests": []})")
                                      << QStringLiteral("format: expected \"journy-console saved requests\"");
        QTest::newRow("newer version")
            << QByteArray(R"({"format": "journy-console saved requests", "version": 2, "requests": []})")
            << QStringLiteral("version: 2");
        QTest::newRow("requests not a list") << QByteArray(validHeader) + "{}}"
                                             << QStringLiteral("requests: expected a list, found an object");
        QTest::newRow("unknown operation")
            << QByteArray(validHeader) + "[" + good +
                   R"(, {"name": "b", "operation": "trackEvnt", "profile": null, "body": {}}]})"
            << QStringLiteral("requests[1].operation: unknown operation \"trackEvnt\"");
        QTest::newRow("an operation without a form")
            << QByteArray(validHeader) +
                   R"([{"name": "b", "operation": "validate", "profile": null, "body": {}}]})"
            << QStringLiteral("requests[0].operation: unknown operation \"validate\"");
        QTest::newRow("body not an object")
            << QByteArray(validHeader) + "[" + good +
                   R"(, {"name": "b", "operation": "upsertUser", "profile": null, "body": "{}"}]})"
            << QStringLiteral("requests[1].body: expected an object, found a string");
        QTest::newRow("name a number")
            << QByteArray(validHeader) +
                   R"([{"name": 7, "operation": "upsertUser", "profile": null, "body": {}}]})"
            << QStringLiteral("requests[0].name: expected a string, found a number");
        QTest::newRow("name missing")
            << QByteArray(validHeader) + R"([{"operation": "upsertUser", "profile": null, "body": {}}]})"
            << QStringLiteral("requests[0].name: expected a string, found nothing");
        QTest::newRow("profile a list")
            << QByteArray(validHeader) +
                   R"([{"name": "b", "operation": "upsertUser", "profile": [], "body": {}}]})"
            << QStringLiteral("requests[0].profile: expected a profile name, or null");
        QTest::newRow("bad date")
            << QByteArray(validHeader) +
                   R"([{"name": "b", "operation": "upsertUser", "profile": null, "body": {}, "created": "yesterday"}]})"
            << QStringLiteral("requests[0].created: \"yesterday\" is not an ISO 8601 date-time");
    }

    void aBadImportIsRefusedWhole()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, named);
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        QString error;
        QVERIFY(store.save(trackRequest(QStringLiteral("mine"), QString()), &error));
        const QByteArray before = readAll(store.path());
        const QString file = dir.filePath(QStringLiteral("colleague.json"));
        writeAll(file, content);
        QSignalSpy changed(&store, &SavedRequestStore::changed);
        int imported = -1;
        QStringList renamed;
        QVERIFY(!store.importFrom(file, &imported, &renamed, &error));
        QVERIFY2(error.contains(named), qPrintable(error));
        QVERIFY2(error.contains(file), qPrintable(error));
        QCOMPARE(imported, -1);
        QCOMPARE(readAll(store.path()), before);
        QCOMPARE(names(store.all()), QStringList({"mine"}));
        QCOMPARE(changed.count(), 0);
    }

    void aMissingImportFileIsNamed()
    {
        QTemporaryDir dir;
        SavedRequestStore store(dir.filePath(QStringLiteral("saved.json")));
        int imported = 0;
        QStringList renamed;
        QString error;
        QVERIFY(!store.importFrom(dir.filePath(QStringLiteral("nope.json")), &imported, &renamed, &error));
        QVERIFY2(error.contains(QLatin1String("nope.json: no such file")), qPrintable(error));
        QVERIFY(!QFile::exists(store.path()));
    }

    void aStoreFileThatCannotBeReadIsNeverOverwritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("saved.json"));
        const QByteArray damaged = QByteArray(validHeader) + "[{\"name\": \"half";
        writeAll(path, damaged);
        SavedRequestStore store(path);
        QString error;
        QVERIFY(!store.load(&error));
        QVERIFY2(error.contains(path) && error.contains(QLatin1String("not valid JSON")), qPrintable(error));
        QVERIFY(!store.save(trackRequest(QStringLiteral("x"), QString()), &error));
        QVERIFY2(error.contains(QLatin1String("nothing was changed")), qPrintable(error));
        QCOMPARE(readAll(path), damaged);
    }
};

QTEST_GUILESS_MAIN(tst_SavedRequestStore)
#include "tst_SavedRequestStore.moc"

// Data and config files are their owner's only (issue #13, defect 7): the real stores create
// their SQLite files 0600 in a 0700 folder under the usual umask 022, and tighten an existing
// 0644 file on open.
#include "import/BulkJournal.h"
#include "import/FailedRowsCsv.h"
#include "import/ImportMapping.h"
#include "sandbox/SandboxStore.h"
#include "store/AppPaths.h"
#include "store/HistoryStore.h"
#include "store/Profile.h"
#include "store/ProfileStore.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

namespace {

const QFileDevice::Permissions ownerFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
const QFileDevice::Permissions ownerFolder = ownerFile | QFileDevice::ExeOwner;
const QFileDevice::Permissions openFolder = ownerFolder | QFileDevice::ReadGroup | QFileDevice::ExeGroup |
                                            QFileDevice::ReadOther | QFileDevice::ExeOther;
// Owner bits show twice in Qt (ReadOwner and ReadUser); compare the group and other bits and
// the owner's.
const QFileDevice::Permissions compared =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup |
    QFileDevice::WriteGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther |
    QFileDevice::ExeOther;

// Qt keeps one hex digit per class (owner, user, group, other): readable in a failure message.
QString bits(QFileDevice::Permissions permissions)
{
    return QString::number(int(permissions & compared), 16);
}

// The database and whichever of SQLite's companions exist are 0600; the folder is 0700.
void verifyPrivate(const QString &path)
{
    const QString folder = QFileInfo(path).absolutePath();
    QCOMPARE(bits(QFile::permissions(folder)), bits(ownerFolder));
    QVERIFY2(QFile::exists(path), qPrintable(path));
    for (const QString &name : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm"),
                                path + QStringLiteral("-journal")}) {
        if (QFile::exists(name))
            QCOMPARE(bits(QFile::permissions(name)), bits(ownerFile));
    }
}

} // namespace

class tst_PrivateFile : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { ::umask(022); }

    void historyIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data/journy-console/history.sqlite"));
        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QVERIFY(QFile::exists(path + QStringLiteral("-wal")));
        verifyPrivate(path);
    }

    void sandboxStoreIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data/journy-console/sandbox.sqlite"));
        SandboxStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QVERIFY(QFile::exists(path + QStringLiteral("-wal")));
        verifyPrivate(path);
    }

    void profilesFileIsPrivate()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config/journy-console/profiles.ini"));
        ProfileStore store(path);
        Profile profile;
        profile.name = QStringLiteral("staging");
        profile.baseUrl = QUrl(QStringLiteral("https://staging.example.com/api"));
        QString error;
        QVERIFY2(store.save(profile, &error), qPrintable(error));
        verifyPrivate(path);
        QCOMPARE(store.profiles().size(), 2); // the save went through QSettings, still private
        QVERIFY2(store.setDefaultProfile(QStringLiteral("staging"), &error), qPrintable(error));
        verifyPrivate(path);
    }

    // A file an older build made 0644 in the app's data folder made 0755 is tightened, with the
    // folder, when it is opened.
    void existingOpenFileIsTightened()
    {
        QTemporaryDir dir;
        qputenv("XDG_DATA_HOME", dir.path().toLocal8Bit());
        const QString path = AppPaths::dataDir() + QStringLiteral("/history.sqlite");
        QVERIFY(path.startsWith(dir.path()));
        {
            HistoryStore store;
            QString error;
            QVERIFY2(store.open(path, &error), qPrintable(error));
        }
        const QFileDevice::Permissions wide = ownerFile | QFileDevice::ReadGroup | QFileDevice::ReadOther;
        QVERIFY(QFile::setPermissions(path, wide));
        QVERIFY(QFile::setPermissions(AppPaths::dataDir(), openFolder));
        QCOMPARE(bits(QFile::permissions(path)), bits(wide));

        HistoryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        verifyPrivate(path);
        qunsetenv("XDG_DATA_HOME");
    }

    // A folder the user chose that was there already (journy-sandbox --data /tmp/x.sqlite) keeps
    // its permissions; the file in it is private.
    void usersOwnFolderIsLeftAlone()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("shared"));
        QVERIFY(QDir().mkpath(folder));
        QVERIFY(QFile::setPermissions(folder, openFolder));
        const QString path = folder + QStringLiteral("/sandbox.sqlite");
        SandboxStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(bits(QFile::permissions(folder)), bits(openFolder));
        QCOMPARE(bits(QFile::permissions(path)), bits(ownerFile));
    }

    // The import journal (imports.sqlite), and files the user names: a --failed-out file and a
    // saved mapping are 0600 too, even when they replace a 0644 file; their folder is the user's.
    void importFilesArePrivate()
    {
        QTemporaryDir dir;
        const QString journalPath = dir.filePath(QStringLiteral("data/journy-console/imports.sqlite"));
        BulkJournal journal;
        QString error;
        QVERIFY2(journal.open(journalPath, &error), qPrintable(error));
        verifyPrivate(journalPath);
        BulkJournal::Job job;
        job.kind.kind = ImportKind::Kind::Users;
        job.file = dir.filePath(QStringLiteral("users.csv"));
        job.headers = {QStringLiteral("userId"), QStringLiteral("email")};
        job.mappingJson = QStringLiteral(R"({"columns":[]})");
        job.profile = QStringLiteral("Sandbox");
        const qint64 jobId = journal.createJob(job);
        QVERIFY(jobId > 0);

        const QString failedOut = dir.filePath(QStringLiteral("failed.csv"));
        const QString mappingFile = dir.filePath(QStringLiteral("users.mapping.json"));
        const QFileDevice::Permissions wide = ownerFile | QFileDevice::ReadGroup | QFileDevice::ReadOther;
        for (const QString &path : {failedOut, mappingFile}) {
            QFile old(path);
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.close();
            QVERIFY(QFile::setPermissions(path, wide));
        }
        QVERIFY2(FailedRowsCsv::write(journal, jobId, failedOut, &error), qPrintable(error));
        QVERIFY2(ImportMapping::defaults(ImportKind::Kind::Users, job.headers).save(mappingFile, &error),
                 qPrintable(error));
        for (const QString &path : {failedOut, mappingFile}) {
            QVERIFY2(QFileInfo(path).size() > 0, qPrintable(path));
            QCOMPARE(bits(QFile::permissions(path)), bits(ownerFile));
        }
    }
};

QTEST_GUILESS_MAIN(tst_PrivateFile)
#include "tst_PrivateFile.moc"

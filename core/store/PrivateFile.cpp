#include "store/PrivateFile.h"

#include "store/AppPaths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace {

const QFileDevice::Permissions ownerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

} // namespace

bool PrivateFile::makeFolder(const QString &folder, QString *error)
{
    const QString absolute = QFileInfo(folder).absoluteFilePath();
    const bool existed = QFileInfo::exists(absolute);
    if (!QDir().mkpath(absolute)) {
        *error = QStringLiteral("Cannot create the folder %1").arg(absolute);
        return false;
    }
#ifdef Q_OS_UNIX
    // A folder made here, or the application's own (which an older build made 0755); never a
    // folder the user chose that was there already (journy-sandbox --data /tmp/x.sqlite must not
    // touch /tmp), nor the parents (~/.local/share, ...).
    const bool ours = !existed || absolute == QFileInfo(AppPaths::dataDir()).absoluteFilePath() ||
                      absolute == QFileInfo(AppPaths::configDir()).absoluteFilePath();
    const QFileDevice::Permissions ownerOnlyFolder = ownerOnlyFile | QFileDevice::ExeOwner;
    if (ours && !QFile::setPermissions(absolute, ownerOnlyFolder)) {
        *error = QStringLiteral("%1: cannot make the folder private to its owner").arg(absolute);
        return false;
    }
#else
    // Elsewhere a folder's Unix bits mean nothing (Windows maps them to the read-only attribute);
    // %APPDATA% is the user's own already.
    Q_UNUSED(existed)
#endif
    return true;
}

bool PrivateFile::prepare(const QString &path, QString *error)
{
    if (!makeFolder(QFileInfo(path).absolutePath(), error))
        return false;
    QFile file(path);
    // NewOnly: another process may create it at the same moment; then it exists, which is fine.
    if (!file.exists() && !file.open(QIODevice::WriteOnly | QIODevice::NewOnly, ownerOnlyFile) &&
        !file.exists()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    for (const QString &name : {path, path + QStringLiteral("-wal"), path + QStringLiteral("-shm"),
                                path + QStringLiteral("-journal")}) {
        if (QFile::exists(name) && !QFile::setPermissions(name, ownerOnlyFile)) {
            *error = QStringLiteral("%1: cannot make it private to its owner").arg(name);
            return false;
        }
    }
    return true;
}

bool PrivateFile::openForWriting(QSaveFile *file, QString *error)
{
    // QSaveFile gives its new file the replaced file's permissions: narrowed after open, before
    // a byte is written.
    if (!file->open(QIODevice::WriteOnly) || !file->setPermissions(ownerOnlyFile)) {
        *error = QStringLiteral("%1: %2").arg(file->fileName(), file->errorString());
        file->cancelWriting();
        return false;
    }
    return true;
}

#include "PrivateFile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace {

const QFileDevice::Permissions ownerOnlyFile = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
const QFileDevice::Permissions ownerOnlyFolder = ownerOnlyFile | QFileDevice::ExeOwner;

} // namespace

bool PrivateFile::makeFolder(const QString &folder, QString *error)
{
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("Cannot create the folder %1").arg(folder);
        return false;
    }
    // Only the application's own folder: its parents (~/.local/share, ...) are the user's.
    if (!QFile::setPermissions(folder, ownerOnlyFolder)) {
        *error = QStringLiteral("%1: cannot make the folder private to its owner").arg(folder);
        return false;
    }
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

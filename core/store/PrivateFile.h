#pragma once

#include <QString>

class QSaveFile;

// The one way the console, the CLI and the sandbox make their data and config files: history,
// import journals and the sandbox's store hold customer emails and bodies, profiles.ini the
// endpoints; so files are 0600 and their folder 0700, whatever the umask. (On Windows the bits
// mean little; the per-user folders there and on macOS are private already.)
class PrivateFile
{
public:
    // Creates folder (and its parents) and makes folder itself 0700 when it made it or when it is
    // AppPaths' data or config folder; false with *error naming it.
    static bool makeFolder(const QString &folder, QString *error);
    // Makes path's folder 0700 and path 0600, creating an empty file when there is none. An
    // existing file that is 0644 (made by an older build) is tightened here, on open, and so are
    // SQLite's companions (-wal, -shm, -journal): SQLite gives new companions the database
    // file's permissions, so tightening the database first keeps them private too.
    static bool prepare(const QString &path, QString *error);
    // Opens a file the user asked for (an export, a --failed-out file, a saved mapping) for
    // writing, 0600 whatever the umask or the permissions of the file it replaces; its folder is
    // the user's choice and left alone. false with *error = "path: reason".
    static bool openForWriting(QSaveFile *file, QString *error);
};

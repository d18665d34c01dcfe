#pragma once

#include <QString>

// The folders the console and the CLI share, whatever each executable is called: one place
// for profiles and one for the sandbox's data, so both see the same.
class AppPaths
{
public:
    static QString configDir(); // profiles.ini
    static QString dataDir();   // sandbox.sqlite, history
    static QString profilesFile();
    static QString sandboxDataFile();
};

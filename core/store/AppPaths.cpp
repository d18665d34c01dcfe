#include "store/AppPaths.h"

#include <QStandardPaths>

namespace {

const QString folder = QStringLiteral("/journy-console");

} // namespace

QString AppPaths::configDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) + folder;
}

QString AppPaths::dataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + folder;
}

QString AppPaths::profilesFile()
{
    return configDir() + QStringLiteral("/profiles.ini");
}

QString AppPaths::sandboxDataFile()
{
    return dataDir() + QStringLiteral("/sandbox.sqlite");
}

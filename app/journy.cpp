#include "cli/CliApplication.h"
#include "store/AppPaths.h"
#include "store/KeychainSecretStore.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("journy"));
    QCoreApplication::setApplicationVersion(QStringLiteral(JOURNY_VERSION));

    KeychainSecretStore keychain;
    CliApplication cli(&keychain, AppPaths::profilesFile());
    QObject::connect(&cli, &CliApplication::finished, &app, &QCoreApplication::exit);
    cli.start(QCoreApplication::arguments());
    return QCoreApplication::exec();
}

#include "AppPaths.h"
#include "KeyCheckPanel.h"
#include "MainWindow.h"
#include "SharedSandbox.h"

#include <QApplication>
#include <QCommandLineParser>

#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    // Options are parsed before QApplication exists, so --version and --help work without a
    // display (installers and scripts run them headless).
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Desktop console for the journy.io API"));
    const QCommandLineOption help(QStringList{QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringList{QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Show the version."));
    const QCommandLineOption baseUrl(QStringLiteral("base-url"),
                                     QStringLiteral("Server to check (default https://api.journy.io)."),
                                     QStringLiteral("URL"));
    parser.addOptions({help, version, baseUrl});
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "%s\n", qPrintable(parser.errorText()));
        return 1;
    }
    if (parser.isSet(version)) {
        std::printf("journy-console %s\n", JOURNY_VERSION);
        return 0;
    }
    if (parser.isSet(help)) {
        std::printf("%s", qPrintable(parser.helpText()));
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("journy-console"));
    QApplication::setOrganizationName(QStringLiteral("journy-console"));
    QApplication::setApplicationVersion(QStringLiteral(JOURNY_VERSION));

    // The embedded sandbox is the default, so the console works on first start with no key. It
    // shares its data file (and, while running, its server) with the journy CLI.
    std::unique_ptr<SharedSandbox> sandbox;
    MainWindow window;
    if (parser.isSet(baseUrl)) {
        window.keyCheckPanel()->setBaseUrl(parser.value(baseUrl));
    } else {
        sandbox = std::make_unique<SharedSandbox>(AppPaths::sandboxDataFile());
        QString error;
        if (sandbox->start(&error)) {
            window.keyCheckPanel()->setBaseUrl(sandbox->baseUrl().toString());
            window.keyCheckPanel()->setApiKey(SandboxConfig::defaultKey());
            window.setWindowTitle(window.windowTitle() + QStringLiteral(" — Sandbox"));
        } else {
            std::fprintf(stderr, "journy-console: the embedded sandbox cannot start: %s\n",
                         qPrintable(error));
        }
    }
    window.show();
    return QApplication::exec();
}

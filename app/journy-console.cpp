#include "store/AppPaths.h"
#include "store/HistoryStore.h"
#include "store/KeychainSecretStore.h"
#include "store/PrivateFile.h"
#include "store/ProfileStore.h"
#include "ui/session/ConsoleSession.h"
#include "ui/window/MainWindow.h"
#include "ui/window/ScreenshotTour.h"
#include "ui/window/StartupProbe.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QElapsedTimer clock;
    clock.start();
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
    const QCommandLineOption screenshots(QStringLiteral("screenshots"),
                                         QStringLiteral("Save a PNG of every page to DIR, then quit."),
                                         QStringLiteral("DIR"));
    const QCommandLineOption measureStartup(
        QStringLiteral("measure-startup"),
        QStringLiteral("Print the time to the first painted window and the idle "
                       "memory two seconds later, then quit (benchmarks)."));
    parser.addOptions({help, version, screenshots, measureStartup});
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
    // Wayland matches the window to the installed .desktop file (and its icon) by this name.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.journy.Console"));

    QString error;
    // The window's settings file: made 0600 (and the folders 0700) before QSettings writes it.
    const QString consoleSettings = AppPaths::configDir() + QStringLiteral("/console.ini");
    if (!PrivateFile::makeFolder(AppPaths::dataDir(), &error) ||
        !PrivateFile::prepare(consoleSettings, &error))
        std::fprintf(stderr, "journy-console: %s\n", qPrintable(error));
    KeychainSecretStore keychain;
    ProfileStore profiles(AppPaths::profilesFile());
    ConsoleSession session(&keychain, &profiles, AppPaths::sandboxDataFile());
    HistoryStore history;
    if (!history.open(AppPaths::dataDir() + QStringLiteral("/history.sqlite"), &error))
        std::fprintf(stderr, "journy-console: history is kept for this session only: %s\n",
                     qPrintable(error));

    MainWindow window(&session, &history, consoleSettings);
    if (parser.isSet(measureStartup))
        StartupProbe::watch(&window, clock);
    window.show();
    // The keychain, the sandbox and the history load after the first paint.
    QTimer::singleShot(0, &window, &MainWindow::start);
    if (parser.isSet(screenshots)) {
        auto *tour = new ScreenshotTour(&window, parser.value(screenshots), &window);
        QObject::connect(tour, &ScreenshotTour::finished, &app,
                         [](bool ok) { QApplication::exit(ok ? 0 : 1); });
        QTimer::singleShot(0, tour, &ScreenshotTour::start);
    }
    return QApplication::exec();
}

// A profile's network settings as a user meets them, on the offscreen platform with real widgets:
// the profile dialog's Network tab (what it writes to the profiles file and the keychain, what it
// refuses), Test connection through a real tinyproxy (tests/support/ForwardProxy) to an in-process
// sandbox or a TLS server signed by the test CA, and the proxy login prompt against a tinyproxy that
// demands Basic credentials. The keychain is the in-memory one tst_MainWindow uses; the proxy's log
// proves which requests went through it.

#include "api/ApiReply.h"
#include "sandbox/SandboxServer.h"
#include "store/HistoryStore.h"
#include "store/MemorySecretStore.h"
#include "store/ProfileStore.h"
#include "support/ComboPopup.h"
#include "support/ForwardProxy.h"
#include "support/TlsTestServer.h"
#include "ui/forms/OperationForm.h"
#include "ui/session/ConsoleSession.h"
#include "ui/window/MainWindow.h"
#include "ui/window/ProfileDialog.h"
#include "ui/window/ProxyLoginDialog.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QHostAddress>
#include <QHostInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

namespace {

const QString kCaFile = QStringLiteral(JOURNY_TEST_DATA_DIR "/test-ca.crt");

// Everything a MainWindow is given, as journy-console builds it, in a temporary folder.
class Console
{
public:
    Console()
        : profiles(dir.filePath(QStringLiteral("profiles.ini"))),
          session(&secrets, &profiles, dir.filePath(QStringLiteral("sandbox/sandbox.sqlite")))
    {
        QString error;
        historyOpen = history.open(dir.filePath(QStringLiteral("history.sqlite")), &error);
    }

    QString profilesFile() const { return dir.filePath(QStringLiteral("profiles.ini")); }

    // An in-process sandbox knowing only key.
    SandboxServer *startServer(const QString &key)
    {
        SandboxConfig config = SandboxConfig::defaults();
        config.keys.insert(key, SandboxConfig::Key{SandboxConfig::allPermissions(), true});
        auto server = std::make_unique<SandboxServer>(config);
        QString error;
        if (!server->openData(dir.filePath(QStringLiteral("server-%1.sqlite").arg(servers.size())), &error) ||
            !server->start())
            return nullptr;
        servers.push_back(std::move(server));
        return servers.back().get();
    }

    // A profile routed through the manual HTTP proxy at 127.0.0.1:proxyPort, its key in the keychain.
    bool addProxiedProfile(const QString &name, const QUrl &baseUrl, quint16 proxyPort, const QByteArray &key,
                           const QString &caFile = QString())
    {
        Profile profile;
        profile.name = name;
        profile.baseUrl = baseUrl;
        profile.environment = Profile::Environment::Staging;
        profile.network.proxyMode = NetworkSettings::ProxyMode::Manual;
        profile.network.proxyHost = QStringLiteral("127.0.0.1");
        profile.network.proxyPort = proxyPort;
        profile.network.caFile = caFile;
        QString error;
        if (!profiles.save(profile, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        return writeSecret(profile.apiKeySecretName(), key);
    }

    bool writeSecret(const QString &name, const QByteArray &secret)
    {
        bool done = false;
        bool ok = false;
        secrets.write(name, secret, [&done, &ok](const SecretStore::Result &result) {
            ok = result.ok();
            done = true;
        });
        return QTest::qWaitFor([&done] { return done; }, 5000) && ok;
    }

    // The secret, or the error's kind when there is none.
    SecretStore::Result readSecret(const QString &name)
    {
        bool done = false;
        SecretStore::Result answer;
        answer.error = SecretStore::Error::Other;
        secrets.read(name, [&done, &answer](const SecretStore::Result &result) {
            answer = result;
            done = true;
        });
        if (!QTest::qWaitFor([&done] { return done; }, 5000))
            qWarning("The keychain did not answer");
        return answer;
    }

    // Sends through the session, as a page does, and waits for the answer.
    ApiResult send(const ApiRequest &request)
    {
        ApiReply *reply = session.send(request);
        if (!reply)
            return ApiResult();
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 15000))
            qWarning("No answer within 15 s");
        const ApiResult result = reply->result();
        reply->deleteLater();
        return result;
    }

    QTemporaryDir dir;
    MemorySecretStore secrets;
    ProfileStore profiles;
    ConsoleSession session;
    HistoryStore history;
    bool historyOpen = false;
    std::vector<std::unique_ptr<SandboxServer>> servers;
};

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QLabel *connectionLabel(const MainWindow *window)
{
    return window->statusBar()->findChild<QLabel *>(QStringLiteral("connectionLabel"));
}

// The proxy login prompt on screen, if any (one closed a moment ago may not be deleted yet).
ProxyLoginDialog *visiblePrompt(const QWidget *window)
{
    for (ProxyLoginDialog *dialog : window->findChildren<ProxyLoginDialog *>()) {
        if (dialog->isVisible())
            return dialog;
    }
    return nullptr;
}

void clickTab(QTabWidget *tabs, const QString &title)
{
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i) == title)
            QTest::mouseClick(tabs->tabBar(), Qt::LeftButton, {}, tabs->tabBar()->tabRect(i).center());
    }
}

// Picks the entry of a combo box with the keyboard, as a user does.
bool chooseByKeyboard(QComboBox *combo, const QString &text)
{
    const int target = combo->findText(text);
    if (target < 0)
        return false;
    combo->setFocus();
    while (combo->currentIndex() < target)
        QTest::keyClick(combo, Qt::Key_Down);
    while (combo->currentIndex() > target)
        QTest::keyClick(combo, Qt::Key_Up);
    return combo->currentIndex() == target;
}

void typeInto(QAbstractSpinBox *box, const QString &text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
}

void replaceText(QLineEdit *edit, const QString &text)
{
    edit->setFocus();
    edit->selectAll();
    if (text.isEmpty())
        QTest::keyClick(edit, Qt::Key_Delete);
    else
        QTest::keyClicks(edit, text);
}

// GET /validate's answer, as the TLS test server gives it.
QByteArray validateAnswer()
{
    const QByteArray body =
        R"({"data":{"permissions":["TrackData","ReadEvents"]},"meta":{"status":200,"requestId":"r1"}})";
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace

class tst_ProfileNetwork : public QObject
{
    Q_OBJECT

private slots:
    void networkTabRoundTripsToProfilesFileAndKeychain();
    void changedProxyLoginDropsTheStoredPassword();
    void invalidNetworkSettingsShowTheErrorAndWriteNothing();
    void unusableBaseUrlWritesNoKey();
    void sandboxNetworkTabIsDisabled();
    void testConnectionShowsTheProxyRoute();
    void testConnectionOverTlsShowsProtocolAndIssuer();
    void proxyLoginPromptForThisSession();
    void proxyLoginPromptSavesToTheKeychain();
    void systemProxyGetsTheSavedLogin();

private:
    std::unique_ptr<MainWindow> openWindow(Console &console);
    bool chooseProfile(MainWindow *window, Console &console, const QString &name);
};

std::unique_ptr<MainWindow> tst_ProfileNetwork::openWindow(Console &console)
{
    auto window = std::make_unique<MainWindow>(&console.session, &console.history,
                                               console.dir.filePath(QStringLiteral("console.ini")));
    window->show();
    window->activateWindow();
    if (!QTest::qWaitForWindowActive(window.get()))
        return nullptr;
    window->start();
    if (!QTest::qWaitFor([&console] { return console.session.permissionsKnown(); }, 10000))
        return nullptr;
    return window;
}

// Picks the profile in the switcher's popup, as a user does, and waits until it has connected
// (its GET /validate may still fail: the proxy may want a login).
bool tst_ProfileNetwork::chooseProfile(MainWindow *window, Console &console, const QString &name)
{
    auto *combo = window->findChild<QComboBox *>(QStringLiteral("profileComboBox"));
    if (!chooseInPopup(combo, combo->findData(name)))
        return false;
    return console.session.profile().name == name &&
           QTest::qWaitFor(
               [&console] { return console.session.state() != ConsoleSession::State::Connecting; }, 10000);
}

void tst_ProfileNetwork::networkTabRoundTripsToProfilesFileAndKeychain()
{
    Console console;
    const QString key = QStringLiteral("jk_test_7d1c5e9a3b2f4c6e8a0b1d3f");
    const QString proxyPassword = QStringLiteral("pr0xy-Pa55-8c1f");
    ProfileDialog dialog(&console.profiles, &console.secrets);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")), QStringLiteral("Corp"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")), key);

    auto *tabs = dialog.findChild<QTabWidget *>(QStringLiteral("profileTabWidget"));
    clickTab(tabs, QStringLiteral("Network"));
    QCOMPARE(tabs->currentWidget()->objectName(), QStringLiteral("networkPageWidget"));
    auto *mode = dialog.findChild<QComboBox *>(QStringLiteral("proxyModeComboBox"));
    auto *host = dialog.findChild<QLineEdit *>(QStringLiteral("proxyHostLineEdit"));
    auto *user = dialog.findChild<QLineEdit *>(QStringLiteral("proxyUserLineEdit"));
    auto *password = dialog.findChild<QLineEdit *>(QStringLiteral("proxyPasswordLineEdit"));
    // A new profile follows the system's proxy, with the default 30 s; manual fields wait.
    QCOMPARE(mode->currentText(), QStringLiteral("System settings"));
    QVERIFY(!host->isEnabled());
    QCOMPARE(dialog.findChild<QDoubleSpinBox *>(QStringLiteral("timeoutSpinBox"))->value(), 30.0);
    QVERIFY(chooseByKeyboard(mode, QStringLiteral("Manual")));
    QVERIFY(host->isEnabled());
    QVERIFY(chooseByKeyboard(dialog.findChild<QComboBox *>(QStringLiteral("proxyTypeComboBox")),
                             QStringLiteral("SOCKS5")));
    QTest::keyClicks(host, QStringLiteral("proxy.corp.example"));
    typeInto(dialog.findChild<QSpinBox *>(QStringLiteral("proxyPortSpinBox")), QStringLiteral("1080"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("proxyBypassLineEdit")),
                     QStringLiteral("localhost, .internal.example ,10.0.0.0/8"));
    QTest::keyClicks(user, QStringLiteral("alice"));
    QCOMPARE(password->echoMode(), QLineEdit::Password);
    QTest::keyClicks(password, proxyPassword);
    // Browse… fills the CA file field; a cancelled dialog leaves it alone.
    auto *caFile = dialog.findChild<QLineEdit *>(QStringLiteral("caFileLineEdit"));
    auto *browse = dialog.findChild<QPushButton *>(QStringLiteral("caFileBrowsePushButton"));
    ProfileDialog::setNextCaFile(kCaFile);
    QTest::mouseClick(browse, Qt::LeftButton);
    QCOMPARE(caFile->text(), kCaFile);
    ProfileDialog::setNextCaFile(QString());
    QTest::mouseClick(browse, Qt::LeftButton);
    QCOMPARE(caFile->text(), kCaFile);
    typeInto(dialog.findChild<QDoubleSpinBox *>(QStringLiteral("timeoutSpinBox")), QStringLiteral("12.5"));

    QSignalSpy saved(&dialog, &ProfileDialog::saved);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY2(saved.count() == 1 || saved.wait(5000), qPrintable(dialog.errorText()));

    // The settings are in the profiles file, the password in the keychain only.
    const NetworkSettings network = console.profiles.profile(QStringLiteral("Corp")).network;
    QCOMPARE(network.proxyMode, NetworkSettings::ProxyMode::Manual);
    QCOMPARE(network.proxyType, NetworkSettings::ProxyType::Socks5);
    QCOMPARE(network.proxyHost, QStringLiteral("proxy.corp.example"));
    QCOMPARE(network.proxyPort, quint16(1080));
    QCOMPARE(network.proxyBypass,
             (QStringList{QStringLiteral("localhost"), QStringLiteral(".internal.example"),
                          QStringLiteral("10.0.0.0/8")}));
    QCOMPARE(network.proxyUser, QStringLiteral("alice"));
    QCOMPARE(network.caFile, kCaFile);
    QCOMPARE(network.timeoutMs, 12500);
    const QByteArray file = fileBytes(console.profilesFile());
    QVERIFY2(file.contains("proxyHost=proxy.corp.example"), file.constData());
    QVERIFY(file.contains("timeoutMs=12500"));
    QVERIFY(!file.contains(proxyPassword.toUtf8()));
    QVERIFY(!file.contains(key.toUtf8()));
    const Profile stored = console.profiles.profile(QStringLiteral("Corp"));
    QCOMPARE(console.readSecret(stored.proxyPasswordSecretName()).secret, proxyPassword.toUtf8());
    QCOMPARE(console.readSecret(stored.apiKeySecretName()).secret, key.toUtf8());

    // Opened again, the tab shows what is stored, never the password; saved untouched, nothing changes.
    ProfileDialog edit(&console.profiles, &console.secrets, stored);
    edit.show();
    QCOMPARE(edit.findChild<QComboBox *>(QStringLiteral("proxyModeComboBox"))->currentText(),
             QStringLiteral("Manual"));
    QCOMPARE(edit.findChild<QComboBox *>(QStringLiteral("proxyTypeComboBox"))->currentText(),
             QStringLiteral("SOCKS5"));
    QCOMPARE(edit.findChild<QLineEdit *>(QStringLiteral("proxyHostLineEdit"))->text(),
             QStringLiteral("proxy.corp.example"));
    QCOMPARE(edit.findChild<QSpinBox *>(QStringLiteral("proxyPortSpinBox"))->value(), 1080);
    QCOMPARE(edit.findChild<QLineEdit *>(QStringLiteral("proxyBypassLineEdit"))->text(),
             QStringLiteral("localhost, .internal.example, 10.0.0.0/8"));
    QCOMPARE(edit.findChild<QLineEdit *>(QStringLiteral("proxyUserLineEdit"))->text(),
             QStringLiteral("alice"));
    auto *editPassword = edit.findChild<QLineEdit *>(QStringLiteral("proxyPasswordLineEdit"));
    QVERIFY(editPassword->text().isEmpty());
    QCOMPARE(editPassword->placeholderText(), QStringLiteral("Leave empty to keep the stored password"));
    QCOMPARE(edit.findChild<QLineEdit *>(QStringLiteral("caFileLineEdit"))->text(), kCaFile);
    QCOMPARE(edit.findChild<QDoubleSpinBox *>(QStringLiteral("timeoutSpinBox"))->value(), 12.5);
    QSignalSpy editSaved(&edit, &ProfileDialog::saved);
    QTest::mouseClick(edit.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY2(editSaved.count() == 1 || editSaved.wait(5000), qPrintable(edit.errorText()));
    QCOMPARE(console.profiles.profile(QStringLiteral("Corp")).network, network);
    QCOMPARE(console.readSecret(stored.proxyPasswordSecretName()).secret, proxyPassword.toUtf8());
    QCOMPARE(console.readSecret(stored.apiKeySecretName()).secret, key.toUtf8());
}

void tst_ProfileNetwork::changedProxyLoginDropsTheStoredPassword()
{
    Console console;
    Profile profile;
    profile.name = QStringLiteral("Corp");
    profile.baseUrl = QUrl(QStringLiteral("https://api.journy.io"));
    profile.network.proxyMode = NetworkSettings::ProxyMode::Manual;
    profile.network.proxyHost = QStringLiteral("proxy.corp.example");
    profile.network.proxyPort = 3128;
    profile.network.proxyUser = QStringLiteral("alice");
    QString error;
    QVERIFY2(console.profiles.save(profile, &error), qPrintable(error));
    QVERIFY(console.writeSecret(profile.apiKeySecretName(), "jk_kept"));
    QVERIFY(console.writeSecret(profile.proxyPasswordSecretName(), "alice-secret"));

    // Another proxy host, no new password: alice's password must not go to that host.
    ProfileDialog dialog(&console.profiles, &console.secrets, profile);
    dialog.show();
    clickTab(dialog.findChild<QTabWidget *>(QStringLiteral("profileTabWidget")), QStringLiteral("Network"));
    replaceText(dialog.findChild<QLineEdit *>(QStringLiteral("proxyHostLineEdit")),
                QStringLiteral("other-proxy.corp.example"));
    QSignalSpy saved(&dialog, &ProfileDialog::saved);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY2(saved.count() == 1 || saved.wait(5000), qPrintable(dialog.errorText()));
    QCOMPARE(console.profiles.profile(profile.name).network.proxyHost,
             QStringLiteral("other-proxy.corp.example"));
    QCOMPARE(console.readSecret(profile.proxyPasswordSecretName()).error, SecretStore::Error::NotFound);
    QCOMPARE(console.readSecret(profile.apiKeySecretName()).secret, QByteArray("jk_kept"));

    // A password without a user would never be sent: refused, and nothing written.
    QVERIFY(console.writeSecret(profile.proxyPasswordSecretName(), "alice-secret"));
    ProfileDialog noUser(&console.profiles, &console.secrets, console.profiles.profile(profile.name));
    noUser.show();
    replaceText(noUser.findChild<QLineEdit *>(QStringLiteral("proxyUserLineEdit")), QString());
    QTest::keyClicks(noUser.findChild<QLineEdit *>(QStringLiteral("proxyPasswordLineEdit")),
                     QStringLiteral("orphan"));
    QTest::mouseClick(noUser.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QCOMPARE(noUser.errorText(), QStringLiteral("Network settings: a proxy password needs a proxy user"));
    QCOMPARE(console.profiles.profile(profile.name).network.proxyUser, QStringLiteral("alice"));
    QCOMPARE(console.readSecret(profile.proxyPasswordSecretName()).secret, QByteArray("alice-secret"));

    // No proxy at all: the user goes, and so does the password.
    replaceText(noUser.findChild<QLineEdit *>(QStringLiteral("proxyPasswordLineEdit")), QString());
    QVERIFY(chooseByKeyboard(noUser.findChild<QComboBox *>(QStringLiteral("proxyModeComboBox")),
                             QStringLiteral("No proxy")));
    QVERIFY(!noUser.findChild<QLineEdit *>(QStringLiteral("proxyUserLineEdit"))->isEnabled());
    QVERIFY(!noUser.findChild<QLineEdit *>(QStringLiteral("proxyHostLineEdit"))->isEnabled());
    QSignalSpy noUserSaved(&noUser, &ProfileDialog::saved);
    QTest::mouseClick(noUser.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY2(noUserSaved.count() == 1 || noUserSaved.wait(5000), qPrintable(noUser.errorText()));
    const NetworkSettings none = console.profiles.profile(profile.name).network;
    QCOMPARE(none.proxyMode, NetworkSettings::ProxyMode::None);
    QVERIFY(none.proxyUser.isEmpty());
    QVERIFY(none.proxyHost.isEmpty());
    QCOMPARE(console.readSecret(profile.proxyPasswordSecretName()).error, SecretStore::Error::NotFound);
}

void tst_ProfileNetwork::invalidNetworkSettingsShowTheErrorAndWriteNothing()
{
    Console console;
    QTemporaryDir scratch;
    const QString notPem = scratch.filePath(QStringLiteral("not-a-cert.pem"));
    {
        QFile file(notPem);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a certificate\n");
    }
    const QString key = QStringLiteral("jk_test_never_written_4e2a9c");
    ProfileDialog dialog(&console.profiles, &console.secrets);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")), QStringLiteral("Broken"));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")), key);
    auto *tabs = dialog.findChild<QTabWidget *>(QStringLiteral("profileTabWidget"));
    auto *save = dialog.findChild<QPushButton *>(QStringLiteral("savePushButton"));
    auto *errorLabel = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    clickTab(tabs, QStringLiteral("Network"));
    QVERIFY(chooseByKeyboard(dialog.findChild<QComboBox *>(QStringLiteral("proxyModeComboBox")),
                             QStringLiteral("Manual")));
    clickTab(tabs, QStringLiteral("General"));

    // Each bad value is named, on the Network tab, with the dialog open and nothing written.
    const auto saveFails = [&](const QString &expected) {
        QSignalSpy failed(&dialog, &ProfileDialog::failed);
        QTest::mouseClick(save, Qt::LeftButton);
        if (failed.count() == 0 && !failed.wait(2000))
            return QStringLiteral("no failure; error text '%1'").arg(dialog.errorText());
        if (dialog.errorText() != expected)
            return QStringLiteral("error '%1', expected '%2'").arg(dialog.errorText(), expected);
        if (!errorLabel->isVisible() || !dialog.isVisible() || !save->isEnabled())
            return QStringLiteral("the dialog does not show the error or cannot be saved again");
        if (tabs->currentWidget()->objectName() != QLatin1String("networkPageWidget"))
            return QStringLiteral("the Network tab is not shown");
        return QString();
    };
    QString problem = saveFails(QStringLiteral("Network settings: the manual proxy needs a host"));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QTest::keyClicks(dialog.findChild<QLineEdit *>(QStringLiteral("proxyHostLineEdit")),
                     QStringLiteral("proxy.corp.example"));
    problem = saveFails(QStringLiteral("Network settings: the manual proxy needs a port from 1 to 65535"));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    typeInto(dialog.findChild<QSpinBox *>(QStringLiteral("proxyPortSpinBox")), QStringLiteral("3128"));
    auto *bypass = dialog.findChild<QLineEdit *>(QStringLiteral("proxyBypassLineEdit"));
    QTest::keyClicks(bypass, QStringLiteral("localhost, not a host!"));
    problem =
        saveFails(QStringLiteral("Network settings: 'not a host!' is not a proxy bypass entry: use a host "
                                 "name (example.com, .example.com), an IP address, a CIDR range "
                                 "(10.0.0.0/8) or *"));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    replaceText(bypass, QStringLiteral("localhost"));
    ProfileDialog::setNextCaFile(notPem);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("caFileBrowsePushButton")),
                      Qt::LeftButton);
    problem = saveFails(
        QStringLiteral(
            "Network settings: the CA file '%1' holds no PEM certificate (-----BEGIN CERTIFICATE-----)")
            .arg(notPem));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    replaceText(dialog.findChild<QLineEdit *>(QStringLiteral("caFileLineEdit")), QString());
    typeInto(dialog.findChild<QDoubleSpinBox *>(QStringLiteral("timeoutSpinBox")), QStringLiteral("0"));
    problem = saveFails(QStringLiteral("Network settings: the timeout must be from 0.1 to 3600 seconds"));
    QVERIFY2(problem.isEmpty(), qPrintable(problem));

    QVERIFY(!console.profiles.contains(QStringLiteral("Broken")));
    QVERIFY(!fileBytes(console.profilesFile()).contains("Broken"));
    Profile broken;
    broken.name = QStringLiteral("Broken");
    QCOMPARE(console.readSecret(broken.apiKeySecretName()).error, SecretStore::Error::NotFound);

    // Fixed, it saves.
    typeInto(dialog.findChild<QDoubleSpinBox *>(QStringLiteral("timeoutSpinBox")), QStringLiteral("5"));
    QSignalSpy saved(&dialog, &ProfileDialog::saved);
    QTest::mouseClick(save, Qt::LeftButton);
    QVERIFY2(saved.count() == 1 || saved.wait(5000), qPrintable(dialog.errorText()));
    QCOMPARE(console.profiles.profile(QStringLiteral("Broken")).network.timeoutMs, 5000);
    QCOMPARE(console.profiles.profile(QStringLiteral("Broken")).network.proxyBypass,
             QStringList{QStringLiteral("localhost")});
}

// The base URL is checked before the keychain is touched: a URL that cannot be saved neither
// replaces a working key nor leaves an orphan one, and the error quotes the URL as typed.
void tst_ProfileNetwork::unusableBaseUrlWritesNoKey()
{
    Console console;
    Profile profile;
    profile.name = QStringLiteral("Prod");
    profile.baseUrl = QUrl(QStringLiteral("https://api.journy.io"));
    QString error;
    QVERIFY2(console.profiles.save(profile, &error), qPrintable(error));
    QVERIFY(console.writeSecret(profile.apiKeySecretName(), "jk_good_key"));

    const auto saveFails = [](ProfileDialog &dialog) {
        QSignalSpy failed(&dialog, &ProfileDialog::failed);
        QSignalSpy saved(&dialog, &ProfileDialog::saved);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
        return (failed.count() == 1 || failed.wait(2000)) && saved.isEmpty();
    };

    // Editing: a new key with a plain-http URL to another host.
    ProfileDialog edit(&console.profiles, &console.secrets, profile);
    edit.show();
    replaceText(edit.findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit")),
                QStringLiteral("http://api.journy.io"));
    QTest::keyClicks(edit.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")),
                     QStringLiteral("jk_new_key"));
    QVERIFY(saveFails(edit));
    QVERIFY2(edit.errorText().startsWith(QLatin1String("Refusing plain http:// to api.journy.io")),
             qPrintable(edit.errorText()));
    QCOMPARE(console.readSecret(profile.apiKeySecretName()).secret, QByteArray("jk_good_key"));
    QCOMPARE(console.profiles.profile(profile.name).baseUrl, profile.baseUrl);

    // Adding: user:password@ in the URL, then a port out of range.
    ProfileDialog add(&console.profiles, &console.secrets);
    add.show();
    QTest::keyClicks(add.findChild<QLineEdit *>(QStringLiteral("nameLineEdit")), QStringLiteral("Fresh"));
    QTest::keyClicks(add.findChild<QLineEdit *>(QStringLiteral("apiKeyLineEdit")),
                     QStringLiteral("jk_orphan"));
    auto *url = add.findChild<QLineEdit *>(QStringLiteral("baseUrlLineEdit"));
    replaceText(url, QStringLiteral("https://ann:pw-in-url@api.journy.io"));
    QVERIFY(saveFails(add));
    QVERIFY2(add.errorText().contains(QLatin1String("must not hold a user name or password")),
             qPrintable(add.errorText()));
    QVERIFY(!add.errorText().contains(QLatin1String("pw-in-url")));
    replaceText(url, QStringLiteral("http://127.0.0.1:99999"));
    QVERIFY(saveFails(add));
    QCOMPARE(add.errorText(),
             QStringLiteral("'http://127.0.0.1:99999' has no usable port: a port is a number "
                            "from 1 to 65535"));
    Profile fresh;
    fresh.name = QStringLiteral("Fresh");
    QCOMPARE(console.readSecret(fresh.apiKeySecretName()).error, SecretStore::Error::NotFound);
    QVERIFY(!console.profiles.contains(fresh.name));
    QVERIFY(!fileBytes(console.profilesFile()).contains("pw-in-url"));

    // Fixed, it saves, with its key.
    replaceText(url, QStringLiteral("http://127.0.0.1:8080"));
    QSignalSpy saved(&add, &ProfileDialog::saved);
    QTest::mouseClick(add.findChild<QPushButton *>(QStringLiteral("savePushButton")), Qt::LeftButton);
    QVERIFY2(saved.count() == 1 || saved.wait(5000), qPrintable(add.errorText()));
    QCOMPARE(console.readSecret(fresh.apiKeySecretName()).secret, QByteArray("jk_orphan"));
}

void tst_ProfileNetwork::sandboxNetworkTabIsDisabled()
{
    Console console;
    ProfileDialog dialog(&console.profiles, &console.secrets, Profile::embeddedSandbox());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *tabs = dialog.findChild<QTabWidget *>(QStringLiteral("profileTabWidget"));
    const int network = tabs->indexOf(dialog.findChild<QWidget *>(QStringLiteral("networkPageWidget")));
    QVERIFY(network >= 0);
    QCOMPARE(tabs->tabText(network), QStringLiteral("Network"));
    QVERIFY(!tabs->isTabEnabled(network));
    // A click on the disabled tab does not open it, and its fields cannot be reached.
    clickTab(tabs, QStringLiteral("Network"));
    QVERIFY(tabs->currentIndex() != network);
    auto *mode = dialog.findChild<QComboBox *>(QStringLiteral("proxyModeComboBox"));
    QVERIFY(!mode->isEnabled());
    QCOMPARE(mode->currentText(), QStringLiteral("No proxy"));
    QVERIFY(tabs->tabToolTip(network).contains(QStringLiteral("never uses a proxy")));
    // A profile of one's own has it enabled.
    ProfileDialog other(&console.profiles, &console.secrets);
    auto *otherTabs = other.findChild<QTabWidget *>(QStringLiteral("profileTabWidget"));
    QVERIFY(otherTabs->isTabEnabled(
        otherTabs->indexOf(other.findChild<QWidget *>(QStringLiteral("networkPageWidget")))));
}

void tst_ProfileNetwork::testConnectionShowsTheProxyRoute()
{
    if (!ForwardProxy::isAvailable())
        QSKIP("tinyproxy is not installed");
    Console console;
    const QString key = QStringLiteral("jk_test_via_proxy_5a7c9e1b");
    SandboxServer *server = console.startServer(key);
    QVERIFY(server);
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    QVERIFY(console.addProxiedProfile(QStringLiteral("Via proxy"), server->baseUrl(), proxy.port(),
                                      key.toUtf8()));
    auto window = openWindow(console);
    QVERIFY(window);
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Via proxy")));
    QTRY_VERIFY(console.session.permissionsKnown());

    const QString validate = QStringLiteral("GET http://127.0.0.1:%1/validate").arg(server->baseUrl().port());
    const int before = proxy.requestsLogged(validate);
    QVERIFY(before >= 1); // connecting asked GET /validate, through the proxy
    connectionLabel(window.get())->clear();
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    const QString route = QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port());
    QTRY_VERIFY(connectionLabel(window.get())->text().contains(QStringLiteral("permissions")));
    const QString status = connectionLabel(window.get())->toolTip();
    QVERIFY2(status.contains(QStringLiteral("Connected to %1 (%2)").arg(server->baseUrl().toString(), route)),
             qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral("TrackData")), qPrintable(status));
    QTRY_COMPARE(proxy.requestsLogged(validate), before + 1);

    // The proxy gone, Test connection says why in one line, naming it.
    proxy.stop();
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(connectionLabel(window.get())->text().startsWith(QStringLiteral("Test connection failed")));
    const QString failed = connectionLabel(window.get())->text();
    QVERIFY2(failed.contains(QStringLiteral("refused")), qPrintable(failed));
    QVERIFY2(failed.contains(QStringLiteral("HTTP proxy 127.0.0.1:%1").arg(proxy.port())),
             qPrintable(failed));
    QVERIFY(!failed.contains(QLatin1Char('\n')));
}

void tst_ProfileNetwork::testConnectionOverTlsShowsProtocolAndIssuer()
{
    if (!ForwardProxy::isAvailable())
        QSKIP("tinyproxy is not installed");
    Console console;
    TlsTestServer tls(nullptr, QStringLiteral("ca-signed-localhost"));
    QVERIFY(tls.start());
    tls.setAnswer(validateAnswer());
    ForwardProxy proxy;
    QVERIFY2(proxy.start(), qPrintable(proxy.errorString()));
    const QUrl url(QStringLiteral("https://127.0.0.1:%1").arg(tls.serverPort()));
    // Each profile through its own proxy: NetworkAccess gives settings that differ only in the CA
    // file one QNetworkAccessManager, whose cached connection to the server keeps the TLS
    // configuration of the request that opened it.
    ForwardProxy otherProxy;
    QVERIFY2(otherProxy.start(), qPrintable(otherProxy.errorString()));
    QVERIFY(console.addProxiedProfile(QStringLiteral("Inspected"), url, proxy.port(), "jk_tls", kCaFile));
    QVERIFY(console.addProxiedProfile(QStringLiteral("Untrusting"), url, otherProxy.port(), "jk_tls"));
    auto window = openWindow(console);
    QVERIFY(window);

    // Without the company CA, the failure names the certificate's issuer and what to do.
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Untrusting")));
    QTRY_VERIFY(connectionLabel(window.get())->text().startsWith(QStringLiteral("Could not validate")));
    const QString connect = QStringLiteral("CONNECT 127.0.0.1:%1").arg(tls.serverPort());
    const int tunnels = otherProxy.requestsLogged(connect);
    QVERIFY(tunnels >= 1);
    QCOMPARE(tls.requestsReceived(), 0); // nothing, in particular not the key, crossed the bad connection
    connectionLabel(window.get())->clear();
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(connectionLabel(window.get())->text().startsWith(QStringLiteral("Test connection failed")));
    const QString failed = connectionLabel(window.get())->text();
    QVERIFY2(failed.contains(QStringLiteral("TLS error")), qPrintable(failed));
    QVERIFY2(failed.contains(QStringLiteral("issued by 'journy-console Test Root CA'")), qPrintable(failed));
    QVERIFY2(failed.contains(QStringLiteral("add its CA certificate")), qPrintable(failed));
    QVERIFY2(failed.contains(QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(otherProxy.port())),
             qPrintable(failed));
    QTRY_VERIFY(otherProxy.requestsLogged(connect) > tunnels);

    // Given the company CA, the connection works and shows how it went.
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Inspected")));
    QTRY_VERIFY2(console.session.permissionsKnown(), qPrintable(connectionLabel(window.get())->text()));
    QVERIFY(proxy.requestsLogged(connect) >= 1);
    // Once the catalog's lists, asked on connecting too, have arrived.
    int requests = -1;
    for (int i = 0; i < 50 && requests != tls.requestsReceived(); ++i) {
        requests = tls.requestsReceived();
        QTest::qWait(300);
    }
    connectionLabel(window.get())->clear();
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(connectionLabel(window.get())->text().contains(QStringLiteral("permissions")));
    const QString status = connectionLabel(window.get())->toolTip();
    const QRegularExpression expected(
        QStringLiteral(R"(\(via HTTP proxy 127\.0\.0\.1:%1; TLS 1\.[23], certificate issued by )"
                       R"(journy-console Test Root CA\)\nPermissions of the key: TrackData, ReadEvents$)")
            .arg(proxy.port()));
    QVERIFY2(expected.match(status).hasMatch(), qPrintable(status));
    QCOMPARE(tls.requestsReceived(), requests + 1);
    QVERIFY(tls.lastRequest().startsWith("GET /validate "));
}

void tst_ProfileNetwork::proxyLoginPromptForThisSession()
{
    if (!ForwardProxy::isAvailable())
        QSKIP("tinyproxy is not installed");
    Console console;
    const QString key = QStringLiteral("jk_test_behind_login_3b5d7f");
    SandboxServer *server = console.startServer(key);
    QVERIFY(server);
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("alice"), QStringLiteral("s3cret-proxy")),
             qPrintable(proxy.errorString()));
    QVERIFY(
        console.addProxiedProfile(QStringLiteral("Guarded"), server->baseUrl(), proxy.port(), key.toUtf8()));
    const QString route = QStringLiteral("HTTP proxy 127.0.0.1:%1").arg(proxy.port());
    auto window = openWindow(console);
    QVERIFY(window);

    // Connecting meets the proxy's 407: the prompt names the proxy and the profile.
    QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Guarded")));
    QTRY_VERIFY(visiblePrompt(window.get()));
    ProxyLoginDialog *prompt = visiblePrompt(window.get());
    QCOMPARE(window->findChildren<ProxyLoginDialog *>().size(), 1); // one prompt for every failed request
    QCOMPARE(prompt->findChild<QLabel *>(QStringLiteral("proxyLabel"))->text(),
             QStringLiteral("%1 wants a login for the profile Guarded.").arg(route));
    QTRY_VERIFY2(connectionLabel(window.get())->text().contains(QStringLiteral("proxy wants a login")),
                 qPrintable(connectionLabel(window.get())->text()));
    QVERIFY(!console.session.permissionsKnown());
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Established connection")), 0);
    QCOMPARE(prompt->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit"))->echoMode(),
             QLineEdit::Password);
    QVERIFY(!prompt->findChild<QCheckBox *>(QStringLiteral("savePasswordCheckBox"))->isChecked());

    // Cancelled, it does not come back for every failed request, only for Test connection.
    QPointer<ProxyLoginDialog> cancelled(prompt);
    QTest::keyClick(prompt, Qt::Key_Escape);
    QTRY_VERIFY(cancelled.isNull());
    QVERIFY(ProxyLoginDialog::asksForLogin(console.send(ApiRequest::validate())));
    QTest::qWait(200);
    QVERIFY(!visiblePrompt(window.get()));
    QTest::mouseClick(window->findChild<QPushButton *>(QStringLiteral("testConnectionPushButton")),
                      Qt::LeftButton);
    QTRY_VERIFY(visiblePrompt(window.get()));
    prompt = visiblePrompt(window.get());
    QTRY_VERIFY(connectionLabel(window.get())->text().startsWith(QStringLiteral("Test connection failed")));
    QVERIFY2(connectionLabel(window.get())->text().contains(QStringLiteral("proxy wants a login")),
             qPrintable(connectionLabel(window.get())->text()));

    // A wrong password: the proxy refuses it, the prompt comes back, nothing hangs.
    QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("userLineEdit")), QStringLiteral("alice"));
    QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit")),
                     QStringLiteral("wrong"));
    QTest::mouseClick(prompt->findChild<QPushButton *>(QStringLiteral("logInPushButton")), Qt::LeftButton);
    QTRY_VERIFY(!prompt->isVisible());
    QCOMPARE(window->statusBar()->currentMessage(),
             QStringLiteral("Logged in to the proxy: send the request again"));
    const QPointer<ProxyLoginDialog> first(prompt);
    QTRY_VERIFY(first.isNull() && visiblePrompt(window.get()));
    prompt = visiblePrompt(window.get());
    const ApiResult refused = console.send(ApiRequest::validate());
    QVERIFY2(ProxyLoginDialog::asksForLogin(refused), qPrintable(refused.summary()));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.route, QStringLiteral("via %1").arg(route));
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Established connection")), 0);
    QCOMPARE(window->findChildren<ProxyLoginDialog *>().size(), 1);

    // The right one: the next send goes through the proxy and succeeds.
    QCOMPARE(prompt->findChild<QLineEdit *>(QStringLiteral("userLineEdit"))->text(), QString());
    QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("userLineEdit")), QStringLiteral("alice"));
    QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit")),
                     QStringLiteral("s3cret-proxy"));
    QTest::mouseClick(prompt->findChild<QPushButton *>(QStringLiteral("logInPushButton")), Qt::LeftButton);
    QTRY_VERIFY(!prompt->isVisible());
    QCOMPARE(window->statusBar()->currentMessage(),
             QStringLiteral("Logged in to the proxy: send the request again"));
    // The connection check is asked again by itself (never the user's request): permissions known.
    QTRY_VERIFY(console.session.permissionsKnown());
    QVERIFY(!visiblePrompt(window.get()));

    window->showPage(window->page(QStringLiteral("Users")));
    auto *form = window->findChild<OperationForm *>(QStringLiteral("upsertUserOperationForm"));
    QVERIFY(form && form->isVisible());
    const int established = proxy.requestsLogged(QStringLiteral("Established connection"));
    QVERIFY(established >= 1);
    std::optional<ApiResult> answer;
    connect(form, &OperationForm::finished, this, [&answer](const ApiResult &result) { answer = result; });
    auto *userId = form->findChild<QLineEdit *>(QStringLiteral("userIdLineEdit"));
    userId->setFocus();
    QTest::keyClicks(userId, QStringLiteral("u-proxied"));
    auto *send = form->findChild<QPushButton *>(QStringLiteral("sendPushButton"));
    QVERIFY(send->isEnabled());
    QTest::mouseClick(send, Qt::LeftButton);
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(answer->httpStatus, 201);
    QCOMPARE(answer->route, QStringLiteral("via %1").arg(route));
    QVERIFY(proxy.requestsLogged(
                QStringLiteral("POST http://127.0.0.1:%1/users/upsert").arg(server->baseUrl().port())) >= 1);
    QTRY_VERIFY(proxy.requestsLogged(QStringLiteral("Established connection")) > established);

    // For this session only: nothing was saved.
    const Profile stored = console.profiles.profile(QStringLiteral("Guarded"));
    QVERIFY(stored.network.proxyUser.isEmpty());
    QCOMPARE(console.readSecret(stored.proxyPasswordSecretName()).error, SecretStore::Error::NotFound);
    QVERIFY(!fileBytes(console.profilesFile()).contains("s3cret-proxy"));
}

void tst_ProfileNetwork::proxyLoginPromptSavesToTheKeychain()
{
    if (!ForwardProxy::isAvailable())
        QSKIP("tinyproxy is not installed");
    Console console;
    const QString key = QStringLiteral("jk_test_saved_login_9e1a3c");
    SandboxServer *server = console.startServer(key);
    QVERIFY(server);
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("bob"), QStringLiteral("kept-in-keychain")),
             qPrintable(proxy.errorString()));
    QVERIFY(
        console.addProxiedProfile(QStringLiteral("Saved"), server->baseUrl(), proxy.port(), key.toUtf8()));
    {
        auto window = openWindow(console);
        QVERIFY(window);
        QVERIFY(chooseProfile(window.get(), console, QStringLiteral("Saved")));
        QTRY_VERIFY(visiblePrompt(window.get()));
        ProxyLoginDialog *prompt = visiblePrompt(window.get());
        QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("userLineEdit")),
                         QStringLiteral("bob"));
        QTest::keyClicks(prompt->findChild<QLineEdit *>(QStringLiteral("passwordLineEdit")),
                         QStringLiteral("kept-in-keychain"));
        auto *save = prompt->findChild<QCheckBox *>(QStringLiteral("savePasswordCheckBox"));
        QVERIFY(save->isEnabled());
        QTest::mouseClick(save, Qt::LeftButton, {}, QPoint(5, save->height() / 2));
        QVERIFY(save->isChecked());
        QTest::mouseClick(prompt->findChild<QPushButton *>(QStringLiteral("logInPushButton")),
                          Qt::LeftButton);
        QTRY_VERIFY(!prompt->isVisible());

        // The user in the profile, the password in the keychain; the profile connects again with them.
        const Profile stored = console.profiles.profile(QStringLiteral("Saved"));
        QCOMPARE(stored.network.proxyUser, QStringLiteral("bob"));
        QCOMPARE(console.readSecret(stored.proxyPasswordSecretName()).secret, QByteArray("kept-in-keychain"));
        QVERIFY(!fileBytes(console.profilesFile()).contains("kept-in-keychain"));
        QTRY_VERIFY(console.session.permissionsKnown());
        QVERIFY(!visiblePrompt(window.get()));
        QTRY_VERIFY2(connectionLabel(window.get())->text().contains(QStringLiteral("via HTTP proxy")),
                     qPrintable(connectionLabel(window.get())->text()));
        QCOMPARE(window->statusBar()->currentMessage(),
                 QStringLiteral("Logged in to the proxy: send the request again"));
    }

    // Another console (a new session, no login typed): the saved login works at once, without a prompt.
    ProfileStore profiles(console.profilesFile());
    ConsoleSession session(&console.secrets, &profiles,
                           console.dir.filePath(QStringLiteral("sandbox2.sqlite")));
    session.activate(QStringLiteral("Saved"));
    QTRY_VERIFY(session.permissionsKnown());
    QVERIFY(session.allows(Operation::UpsertUser));
}

void tst_ProfileNetwork::systemProxyGetsTheSavedLogin()
{
    if (!ForwardProxy::isAvailable())
        QSKIP("tinyproxy is not installed");
    // System mode never proxies loopback names, and a non-loopback server needs TLS: the TLS test
    // server under this machine's own name, when that name resolves to loopback (Debian's
    // /etc/hosts). Its certificate is for localhost, so the call fails at TLS, after the tunnel
    // through the proxy is established: what counts here is that the proxy took the login.
    const QString hostName = QHostInfo::localHostName();
    const QHostInfo resolved = QHostInfo::fromName(hostName);
    if (hostName.isEmpty() || hostName.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0 ||
        resolved.addresses().isEmpty() || !resolved.addresses().first().isLoopback())
        QSKIP("this machine's name does not resolve to a loopback address");
    TlsTestServer tls(nullptr, QStringLiteral("ca-signed-localhost"));
    QVERIFY(tls.start());
    ForwardProxy proxy;
    QVERIFY2(proxy.start(QStringLiteral("carol"), QStringLiteral("system-login")),
             qPrintable(proxy.errorString()));
    // The session reads *_PROXY when it is made, like curl.
    const QByteArray oldProxy = qgetenv("https_proxy");
    const QByteArray oldNoProxy = qgetenv("no_proxy");
    const QByteArray oldNoProxyUpper = qgetenv("NO_PROXY");
    const auto restore = qScopeGuard([&] {
        const auto put = [](const char *name, const QByteArray &value) {
            if (value.isEmpty())
                qunsetenv(name);
            else
                qputenv(name, value);
        };
        put("https_proxy", oldProxy);
        put("no_proxy", oldNoProxy);
        put("NO_PROXY", oldNoProxyUpper);
    });
    qputenv("https_proxy", QStringLiteral("http://127.0.0.1:%1").arg(proxy.port()).toUtf8());
    qunsetenv("no_proxy");
    qunsetenv("NO_PROXY");
    Console console;
    const QUrl url(QStringLiteral("https://%1:%2").arg(hostName).arg(tls.serverPort()));
    for (const QString &name : {QStringLiteral("No login"), QStringLiteral("Saved login")}) {
        Profile profile;
        profile.name = name;
        profile.baseUrl = url;
        profile.environment = Profile::Environment::Staging;
        profile.network.proxyMode = NetworkSettings::ProxyMode::System;
        QString error;
        QVERIFY2(console.profiles.save(profile, &error), qPrintable(error));
        QVERIFY(console.writeSecret(profile.apiKeySecretName(), "jk_system"));
    }
    const QString tunnel = QStringLiteral("CONNECT %1:%2").arg(hostName).arg(tls.serverPort());
    const auto validateNow = [&console](const QString &name) {
        QSignalSpy validated(&console.session, &ConsoleSession::validated);
        console.session.activate(name);
        if (!validated.wait(10000))
            return ApiResult();
        return validated.first().first().value<ApiResult>();
    };

    // Without a login, the system's proxy wants one.
    const ApiResult refused = validateNow(QStringLiteral("No login"));
    QCOMPARE(refused.route, QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port()));
    QVERIFY2(ProxyLoginDialog::asksForLogin(refused), qPrintable(refused.summary()));
    QVERIFY(proxy.requestsLogged(tunnel) >= 1);
    QCOMPARE(proxy.requestsLogged(QStringLiteral("Established connection")), 0);

    // The login prompt's saved answer for a system proxy: the user in the profile, the password in
    // the keychain. Activated, the profile gives it to the proxy the system names.
    Profile saved = console.profiles.profile(QStringLiteral("Saved login"));
    saved.network.proxyUser = QStringLiteral("carol");
    QString error;
    QVERIFY2(console.profiles.save(saved, &error), qPrintable(error));
    QVERIFY(console.writeSecret(saved.proxyPasswordSecretName(), "system-login"));
    const ApiResult through = validateNow(QStringLiteral("Saved login"));
    QCOMPARE(through.route, QStringLiteral("via HTTP proxy 127.0.0.1:%1").arg(proxy.port()));
    QCOMPARE(through.failure, ApiResult::Failure::Tls); // past the proxy, at the server's certificate
    QVERIFY(proxy.requestsLogged(QStringLiteral("Established connection")) >= 1);
}

QTEST_MAIN(tst_ProfileNetwork)
#include "tst_ProfileNetwork.moc"

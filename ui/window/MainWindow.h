#pragma once

#include <QElapsedTimer>
#include <QList>
#include <QMainWindow>
#include <QPair>
#include <QPointer>
#include <QString>

#include <functional>

class CatalogCache;
class ConsolePage;
class ConsoleSession;
class ElidedLabel;
class HistoryPage;
class HistoryStore;
class Profile;
class ProxyLoginDialog;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QStackedWidget;
class RateLimitGauge;
class SavedRequestStore;

// The console: navigation by task on the left (Users, Accounts, Memberships, Events, Link device,
// Website snippet, Catalog, HMAC, History, Bulk import, Saved), the active profile on top (a red banner and
// title for production), and the connection and rate-limit gauge in the status bar. Geometry, the last
// profile and page and the forms' inputs are remembered in settingsFile (never a key).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(ConsoleSession *session, HistoryStore *history, const QString &settingsFile,
               QWidget *parent = nullptr);
    ConsoleSession *session() const { return m_session; }
    ~MainWindow() override;

    // Restores the remembered state and connects to the last profile (the Sandbox at first).
    void start();
    // Every page, building those not shown yet.
    QList<ConsolePage *> pages();
    // The page with this navigation title (built if needed); nullptr if there is none.
    ConsolePage *page(const QString &title);
    void showPage(ConsolePage *page);
    CatalogCache *catalog() const { return m_catalog; }

    void saveSettings() const;

    // File ▸ Open pasted request…: the dialog on text, then the chosen request in its page's form,
    // never sent.
    void openPasted(const QString &text);
    // A file dropped on the window, read into the same dialog. Empty when it opened; otherwise
    // why it could not be read (also shown in the status bar).
    QString openDroppedFile(const QString &path);
    // Files larger than this are refused: no request a customer pastes comes near it.
    static constexpr qint64 MaxDroppedFileSize = 10 * 1024 * 1024;

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // Room left above the window for the window manager's title bar when choosing the first size.
    static constexpr int TitleBarAllowance = 48;

    void addPage(const QString &title, std::function<ConsolePage *()> make);
    ConsolePage *build(int index);
    void reloadProfiles(const QString &select);
    void profileChosen();
    // The user picked a profile in the box: a production one is confirmed first.
    void profileActivated();
    // File (new profile, bulk import, quit), View (each page, Ctrl+1…Ctrl+9, Ctrl+0), Help
    // (keyboard shortcuts, About).
    void buildMenuBar();
    // Shows the page and puts the keyboard in it.
    void openPage(int index);
    // Keyboard focus into the current page's first field.
    void focusPage();
    void sessionStateChanged();
    void updateTitle();
    void testConnection();
    // Opens the proxy login prompt for the proxy on route, unless it is open already (the
    // requests that met the proxy together ask once).
    void askProxyLogin(const QString &route);
    void addProfile();
    void editProfile();
    void removeProfile();
    // Removes the profile's keychain entries one by one ({entry name, what it is for the user}),
    // then the profile; stops at the first entry the keychain refuses to remove.
    void removeProfileSecrets(const Profile &profile, QList<QPair<QString, QString>> secrets);
    void profileRemovalFailed(const Profile &profile, const QString &why);
    // A message about the profiles under the profile bar (empty: hidden); it stays until the
    // next profile is chosen, unlike the status bar's.
    void showProfileMessage(const QString &text);
    void openRequest(const class ApiRequest &request);

    ConsoleSession *m_session;
    HistoryStore *m_history;
    QString m_settingsFile;
    CatalogCache *m_catalog;

    QComboBox *m_profileComboBox;
    QLabel *m_environmentLabel;
    QLabel *m_productionBannerLabel;
    QPushButton *m_testConnectionPushButton;
    QPushButton *m_addProfilePushButton;
    QPushButton *m_editProfilePushButton;
    QPushButton *m_removeProfilePushButton;
    QLabel *m_profileMessageLabel;
    QListWidget *m_navigationListWidget;
    QStackedWidget *m_pagesStackedWidget;
    ElidedLabel *m_connectionLabel;
    RateLimitGauge *m_rateLimitGauge;
    class PageSlot
    {
    public:
        QString title;
        std::function<ConsolePage *()> make;
        ConsolePage *page = nullptr;
        QWidget *placeholder = nullptr;
    };
    QList<PageSlot> m_slots;
    HistoryPage *m_historyPage = nullptr;
    // The Saved page's requests; the forms' "Save as…" adds to them.
    SavedRequestStore *m_savedRequests = nullptr;
    // How the last GET /validate of the active profile travelled: route, TLS protocol, issuer.
    QString m_connectionRoute;
    QPointer<ProxyLoginDialog> m_proxyLoginDialog;
    // The profile whose proxy login prompt the user cancelled: not asked again for every failed
    // request (a bulk import has many) until Test connection or another activation.
    QString m_proxyLoginDeclined;
    // Since the last proxy login: a 407 of a request that left before it must not ask again.
    QElapsedTimer m_sinceProxyLogin;
};

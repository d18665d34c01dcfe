#include "ui/window/MainWindow.h"

#include "api/RateLimitTracker.h"
#include "store/AppPaths.h"
#include "store/ProfileStore.h"
#include "store/SavedRequestStore.h"
#include "store/SecretStore.h"
#include "ui/catalog/CatalogCache.h"
#include "ui/catalog/CatalogPage.h"
#include "ui/forms/OperationPage.h"
#include "ui/history/HistoryPage.h"
#include "ui/hmac/HmacPage.h"
#include "ui/import/ImportPage.h"
#include "ui/live/LivePage.h"
#include "ui/saved/SavedRequestsPage.h"
#include "ui/session/ConsoleSession.h"
#include "ui/snippet/SnippetPage.h"
#include "ui/widgets/ConfirmationDialog.h"
#include "ui/widgets/ElidedLabel.h"
#include "ui/window/AboutDialog.h"
#include "ui/window/PasteRequestDialog.h"
#include "ui/window/ProfileDialog.h"
#include "ui/window/ProxyLoginDialog.h"
#include "ui/window/RateLimitGauge.h"
#include "ui/window/ShortcutsDialog.h"

#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QIcon>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabBar>
#include <QVBoxLayout>

namespace {

// A failure's one line, with the way the request went unless the line names it already.
QString failureText(const ApiResult &result)
{
    QString text = result.summary();
    const QString way = result.route.startsWith(QLatin1String("via ")) ? result.route.mid(4) : result.route;
    if (!way.isEmpty() && !text.contains(way))
        text += QStringLiteral(" (%1)").arg(result.route);
    return text;
}

// The keys a closed profile box may take: those that open its popup (where arrows and Enter
// choose) or move the focus on. Every other key would step or search through the profiles.
bool opensOrLeavesTheBox(const QKeyEvent *key)
{
    switch (key->key()) {
    case Qt::Key_Space:
    case Qt::Key_Select:
    case Qt::Key_F4:
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
    case Qt::Key_Escape:
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return true;
    case Qt::Key_Down:
        return key->modifiers() & Qt::AltModifier;
    default:
        return false;
    }
}

} // namespace

MainWindow::MainWindow(ConsoleSession *session, HistoryStore *history, const QString &settingsFile,
                       QWidget *parent)
    : QMainWindow(parent), m_session(session), m_history(history), m_settingsFile(settingsFile),
      m_catalog(new CatalogCache(session, this)), m_profileComboBox(new QComboBox(this)),
      m_environmentLabel(new QLabel(this)), m_productionBannerLabel(new QLabel(this)),
      m_testConnectionPushButton(new QPushButton(tr("Test connection"), this)),
      m_addProfilePushButton(new QPushButton(tr("Add…"), this)),
      m_editProfilePushButton(new QPushButton(tr("Edit…"), this)),
      m_removeProfilePushButton(new QPushButton(tr("Remove"), this)), m_profileMessageLabel(new QLabel(this)),
      m_navigationListWidget(new QListWidget(this)), m_pagesStackedWidget(new QStackedWidget(this)),
      m_connectionLabel(new ElidedLabel(this)), m_rateLimitGauge(new RateLimitGauge(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/journy/journy-console.svg")));
    m_profileComboBox->setObjectName(QStringLiteral("profileComboBox"));
    m_environmentLabel->setObjectName(QStringLiteral("environmentLabel"));
    m_productionBannerLabel->setObjectName(QStringLiteral("productionBannerLabel"));
    m_testConnectionPushButton->setObjectName(QStringLiteral("testConnectionPushButton"));
    m_addProfilePushButton->setObjectName(QStringLiteral("addProfilePushButton"));
    m_editProfilePushButton->setObjectName(QStringLiteral("editProfilePushButton"));
    m_removeProfilePushButton->setObjectName(QStringLiteral("removeProfilePushButton"));
    m_profileMessageLabel->setObjectName(QStringLiteral("profileMessageLabel"));
    m_navigationListWidget->setObjectName(QStringLiteral("navigationListWidget"));
    m_pagesStackedWidget->setObjectName(QStringLiteral("pagesStackedWidget"));
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_profileComboBox->setAccessibleName(tr("Profile"));
    // Typing meant for a form must never pick a profile (keyboard search would select
    // "Production" on a "P"): the box takes focus only from a click, and only its popup
    // changes it (see eventFilter()).
    m_profileComboBox->setFocusPolicy(Qt::ClickFocus);
    m_profileComboBox->installEventFilter(this);
    m_navigationListWidget->setAccessibleName(tr("Pages"));
    m_addProfilePushButton->setToolTip(tr("Add a profile"));
    m_editProfilePushButton->setToolTip(
        tr("Edit the profile: its key, its verification secret, its network settings (proxy, CA file)"));

    // Invalid fields get a red outline; a property selector keeps the native look elsewhere.
    setStyleSheet(QStringLiteral("*[invalid=\"true\"] { border: 2px solid #c62828; }"));

    m_productionBannerLabel->setText(tr("PRODUCTION — every change here affects real customer data"));
    m_productionBannerLabel->setAlignment(Qt::AlignCenter);
    m_productionBannerLabel->setStyleSheet(
        QStringLiteral("background: #c62828; color: white; font-weight: bold; padding: 6px;"));
    m_productionBannerLabel->hide();
    m_profileMessageLabel->setWordWrap(true);
    m_profileMessageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_profileMessageLabel->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_profileMessageLabel->hide();

    auto *profileBar = new QHBoxLayout;
    profileBar->addWidget(new QLabel(tr("Profile:"), this));
    profileBar->addWidget(m_profileComboBox, 1);
    profileBar->addWidget(m_environmentLabel);
    profileBar->addWidget(m_testConnectionPushButton);
    profileBar->addWidget(m_addProfilePushButton);
    profileBar->addWidget(m_editProfilePushButton);
    profileBar->addWidget(m_removeProfilePushButton);

    // Pages are built when first shown (History at start(), as it records every request), so
    // the window paints without waiting for widgets the user may not open.
    addPage(tr("Users"), [this] {
        return new OperationPage(tr("Users"), {Operation::UpsertUser, Operation::DeleteUser}, m_session,
                                 m_catalog, this);
    });
    addPage(tr("Accounts"), [this] {
        return new OperationPage(tr("Accounts"), {Operation::UpsertAccount, Operation::DeleteAccount},
                                 m_session, m_catalog, this);
    });
    addPage(tr("Memberships"), [this] {
        return new OperationPage(tr("Memberships"),
                                 {Operation::AddUsersToAccount, Operation::RemoveUsersFromAccount}, m_session,
                                 m_catalog, this);
    });
    addPage(tr("Events"), [this] {
        return new OperationPage(tr("Events"), {Operation::TrackEvent}, m_session, m_catalog, this);
    });
    addPage(tr("Link device"), [this] {
        return new OperationPage(tr("Link device"), {Operation::Link}, m_session, m_catalog, this);
    });
    addPage(tr("Website snippet"), [this] { return new SnippetPage(m_session, this); });
    addPage(tr("Catalog"), [this] { return new CatalogPage(m_session, m_catalog, this); });
    addPage(tr("HMAC"), [this] { return new HmacPage(m_session, this); });
    addPage(tr("History"), [this] {
        m_historyPage = new HistoryPage(m_session, m_history, this);
        connect(m_historyPage, &HistoryPage::openRequested, this, &MainWindow::openRequest);
        return m_historyPage;
    });
    addPage(tr("Bulk import"), [this] {
        return new ImportPage(m_session, AppPaths::dataDir() + QStringLiteral("/imports.sqlite"), this);
    });
    // A file that cannot be read is reported on the Saved page (SavedRequestStore::loadError).
    m_savedRequests = new SavedRequestStore(SavedRequestStore::defaultPath(), this);
    QString savedError;
    m_savedRequests->load(&savedError);
    addPage(tr("Saved"), [this] {
        auto *saved = new SavedRequestsPage(m_session, m_savedRequests, this);
        connect(saved, &SavedRequestsPage::openRequested, this, &MainWindow::openRequest);
        return saved;
    });
    // A relay a customer's backend or SDK points at: its calls live, judged; one opens in its form.
    addPage(tr("Live"), [this] {
        auto *live = new LivePage(m_session, this);
        connect(live, &LivePage::openRequested, this, &MainWindow::openRequest);
        return live;
    });

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_navigationListWidget);
    splitter->addWidget(m_pagesStackedWidget);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({170, 930});

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->addWidget(m_productionBannerLabel);
    layout->addLayout(profileBar);
    layout->addWidget(m_profileMessageLabel);
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    statusBar()->addWidget(m_connectionLabel, 1);
    statusBar()->addPermanentWidget(m_rateLimitGauge);

    connect(m_navigationListWidget, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row < 0 || row >= m_slots.size())
            return;
        build(row);
        m_pagesStackedWidget->setCurrentIndex(row);
    });
    buildMenuBar();
    setAcceptDrops(true);
    connect(m_profileComboBox, &QComboBox::activated, this, &MainWindow::profileActivated);
    connect(m_testConnectionPushButton, &QPushButton::clicked, this, &MainWindow::testConnection);
    connect(m_addProfilePushButton, &QPushButton::clicked, this, &MainWindow::addProfile);
    connect(m_editProfilePushButton, &QPushButton::clicked, this, &MainWindow::editProfile);
    connect(m_removeProfilePushButton, &QPushButton::clicked, this, &MainWindow::removeProfile);
    connect(session, &ConsoleSession::stateChanged, this, &MainWindow::sessionStateChanged);
    // The embedded sandbox keeps its port in this settings file; when the port had to move, say so.
    session->setSettingsFile(settingsFile);
    connect(session, &ConsoleSession::notice, this,
            [this](const QString &text) { statusBar()->showMessage(text, 30000); });
    connect(session, &ConsoleSession::permissionsChanged, this, &MainWindow::sessionStateChanged);
    // A key the server refuses (or a server that does not answer) must not read as "Connected".
    connect(session, &ConsoleSession::validated, this, [this](const ApiResult &result) {
        m_connectionRoute.clear();
        if (!result.ok()) {
            m_connectionLabel->setToolTip(QString()); // the whole line, when it does not fit
            m_connectionLabel->setText(tr("Could not validate the key of %1: %2")
                                           .arg(m_session->profile().name, failureText(result)));
            return;
        }
        m_connectionRoute = result.route;
        if (!result.tlsProtocol.isEmpty())
            m_connectionRoute +=
                tr("; %1, certificate issued by %2").arg(result.tlsProtocol, result.tlsIssuer);
        sessionStateChanged();
    });
    // A proxy that wants a login gets one from the user; the request is never sent again by itself.
    connect(session, &ConsoleSession::requestFinished, this,
            [this](const QString &profileName, const ApiResult &result) {
                if (profileName != m_session->profile().name || !ProxyLoginDialog::asksForLogin(result))
                    return;
                // Sent before the user logged in (a catalog list racing the key check): the
                // login typed since answers it; asking again would be the same question twice.
                // Strictly longer in flight than the time since the login, in nanoseconds against
                // whole milliseconds, so a request sent after the login is never taken for one.
                if (m_sinceProxyLogin.isValid() && result.latencyMs > 0 &&
                    m_sinceProxyLogin.nsecsElapsed() < result.latencyMs * 1000000)
                    return;
                askProxyLogin(result.route);
            });
    connect(session->rateLimits(), &RateLimitTracker::changed, this,
            [this](const QString &scope, const RateLimitState &state) {
                if (scope == m_session->rateLimitScope())
                    m_rateLimitGauge->setState(state);
            });
    // Roomy where the screen allows; on a laptop's 1366×768 (less a task bar) what is left once
    // the window manager has added its title bar, which the window cannot know before it is shown.
    const QRect available = screen()->availableGeometry();
    resize(QSize(1100, 720).boundedTo(available.size() - QSize(0, TitleBarAllowance)));
}

MainWindow::~MainWindow() = default;

bool MainWindow::eventFilter(QObject *watched, QEvent *event)
{
    // Only an opened popup changes the profile: the wheel, arrows, Home/End and typing on the
    // closed box do nothing (the popup's list gets its keys itself, not through the box).
    if (watched == m_profileComboBox) {
        if (event->type() == QEvent::Wheel || event->type() == QEvent::InputMethod)
            return true;
        if (event->type() == QEvent::KeyPress && !opensOrLeavesTheBox(static_cast<QKeyEvent *>(event)))
            return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

void MainWindow::profileActivated()
{
    const QString chosen = m_profileComboBox->currentData().toString();
    if (chosen != m_session->profile().name &&
        m_session->profiles()->profile(chosen).environment == Profile::Environment::Production &&
        !ConfirmationDialog::confirm(
            this, tr("Switch"),
            tr("Switch to the production profile %1? Every change there affects real customer data.")
                .arg(chosen),
            QString())) {
        m_profileComboBox->setCurrentIndex(m_profileComboBox->findData(m_session->profile().name));
        return;
    }
    profileChosen();
}

void MainWindow::buildMenuBar()
{
    // Every shortcut of the window is an action here (and the pages' on their widgets), so the
    // Keyboard shortcuts dialog can list them all from the actions themselves.
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->setObjectName(QStringLiteral("fileMenu"));
    QAction *newProfile = file->addAction(tr("&New profile…"), this, &MainWindow::addProfile);
    newProfile->setObjectName(QStringLiteral("newProfileAction"));
    int bulkImport = 0;
    for (int i = 0; i < m_slots.size(); ++i) {
        if (m_slots.at(i).title == tr("Bulk import"))
            bulkImport = i;
    }
    QAction *import =
        file->addAction(tr("&Bulk import…"), this, [this, bulkImport] { openPage(bulkImport); });
    import->setObjectName(QStringLiteral("bulkImportAction"));
    // Ctrl+Shift+O, not Ctrl+Shift+V: the latter pastes as plain text in text fields.
    QAction *paste = file->addAction(tr("Open &pasted request…"), this, [this] {
        const QString clipboard = QGuiApplication::clipboard()->text();
        openPasted(PasteRequestDialog::looksLikeRequest(clipboard) ? clipboard : QString());
    });
    paste->setObjectName(QStringLiteral("openPastedRequestAction"));
    paste->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    file->addSeparator();
    // Ctrl+Q on every system: QKeySequence::Quit has no key on Windows.
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    // Ctrl+1…Ctrl+9 for the first nine pages and Ctrl+0 for the tenth (Bulk import), as the
    // digit row reads.
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setObjectName(QStringLiteral("viewMenu"));
    for (int i = 0; i < m_slots.size(); ++i) {
        QAction *action = view->addAction(m_slots.at(i).title, this, [this, i] { openPage(i); });
        action->setObjectName(m_slots.at(i).title.toLower().remove(QLatin1Char(' ')) +
                              QStringLiteral("PageAction"));
        if (i < 10)
            action->setShortcut(QKeySequence(Qt::CTRL | (i < 9 ? Qt::Key(Qt::Key_1 + i) : Qt::Key_0)));
    }

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction *shortcuts = help->addAction(tr("&Keyboard shortcuts…"), this, [this] {
        pages(); // the pages' shortcuts live on their widgets
        auto *dialog = new ShortcutsDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    shortcuts->setObjectName(QStringLiteral("keyboardShortcutsAction"));
    QAction *about = help->addAction(tr("&About journy-console"), this, [this] {
        auto *dialog = new AboutDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->open();
    });
    about->setObjectName(QStringLiteral("aboutAction"));
    about->setMenuRole(QAction::AboutRole);
}

void MainWindow::openPage(int index)
{
    m_navigationListWidget->setCurrentRow(index);
    focusPage();
}

void MainWindow::focusPage()
{
    QWidget *page = m_pagesStackedWidget->currentWidget();
    if (!page)
        return;
    for (QWidget *w = page->nextInFocusChain(); w && w != page; w = w->nextInFocusChain()) {
        // A widget that hands its focus on (a tab widget to its tab bar, hidden with one form)
        // counts only when the widget taking the focus is shown.
        QWidget *target = w;
        while (target->focusProxy())
            target = target->focusProxy();
        // Tab bars (Upsert/Delete, Form/JSON) are skipped: the keyboard goes to the first field.
        if (page->isAncestorOf(w) && w->isEnabled() && (w->focusPolicy() & Qt::TabFocus) &&
            target->isVisibleTo(page) && !qobject_cast<QTabBar *>(target)) {
            w->setFocus(Qt::ShortcutFocusReason);
            return;
        }
    }
}

void MainWindow::addPage(const QString &title, std::function<ConsolePage *()> make)
{
    auto *placeholder = new QWidget(this);
    m_slots.append(PageSlot{title, std::move(make), nullptr, placeholder});
    m_pagesStackedWidget->addWidget(placeholder);
    m_navigationListWidget->addItem(title);
}

ConsolePage *MainWindow::build(int index)
{
    PageSlot &slot = m_slots[index];
    if (slot.page)
        return slot.page;
    ConsolePage *page = slot.make();
    page->setObjectName(slot.title.toLower().remove(QLatin1Char(' ')) + QStringLiteral("ConsolePage"));
    if (auto *operations = qobject_cast<OperationPage *>(page)) {
        QSettings settings(m_settingsFile, QSettings::IniFormat);
        operations->restoreInputs(settings);
        operations->setSavedRequests(m_savedRequests);
    }
    const bool current = m_pagesStackedWidget->currentIndex() == index;
    m_pagesStackedWidget->insertWidget(index, page);
    m_pagesStackedWidget->removeWidget(slot.placeholder);
    slot.placeholder->deleteLater();
    slot.placeholder = nullptr;
    slot.page = page;
    if (current)
        m_pagesStackedWidget->setCurrentIndex(index);
    return page;
}

QList<ConsolePage *> MainWindow::pages()
{
    QList<ConsolePage *> list;
    for (int i = 0; i < m_slots.size(); ++i)
        list.append(build(i));
    return list;
}

ConsolePage *MainWindow::page(const QString &title)
{
    for (int i = 0; i < m_slots.size(); ++i) {
        if (m_slots.at(i).title == title)
            return build(i);
    }
    return nullptr;
}

void MainWindow::showPage(ConsolePage *page)
{
    for (int i = 0; i < m_slots.size(); ++i) {
        if (m_slots.at(i).page == page)
            m_navigationListWidget->setCurrentRow(i);
    }
}

void MainWindow::start()
{
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    // A geometry saved on a bigger screen comes back within this one (Qt keeps it as it was when
    // the screen looks the same).
    const QRect available = screen()->availableGeometry();
    if (!isMaximized() && !isFullScreen() && !available.contains(frameGeometry())) {
        const QSize decoration = isVisible() ? frameGeometry().size() - size() : QSize(0, TitleBarAllowance);
        resize(size().boundedTo(available.size() - decoration));
        move(available.topLeft());
    }
    page(tr("History")); // records every request from now on
    m_navigationListWidget->setCurrentRow(
        std::clamp(settings.value(QStringLiteral("window/page")).toInt(), 0, int(m_slots.size()) - 1));
    const QString last = settings.value(QStringLiteral("session/profile")).toString();
    reloadProfiles(m_session->profiles()->contains(last) ? last
                                                         : m_session->profiles()->defaultProfileName());
    profileChosen();
    focusPage();
}

void MainWindow::saveSettings() const
{
    // Only layout, the profile's name and form inputs: keys live in the keychain alone. Pages
    // never opened keep the inputs saved before.
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/page"), m_navigationListWidget->currentRow());
    settings.setValue(QStringLiteral("session/profile"), m_session->profile().name);
    for (const PageSlot &slot : m_slots) {
        if (auto *operations = qobject_cast<OperationPage *>(slot.page))
            operations->saveInputs(settings);
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::reloadProfiles(const QString &select)
{
    m_profileComboBox->clear();
    for (const Profile &profile : m_session->profiles()->profiles())
        m_profileComboBox->addItem(
            tr("%1 (%2)").arg(profile.name, Profile::environmentName(profile.environment)), profile.name);
    const int index = m_profileComboBox->findData(select);
    m_profileComboBox->setCurrentIndex(index >= 0 ? index : 0);
}

void MainWindow::profileChosen()
{
    showProfileMessage(QString());
    m_rateLimitGauge->reset();
    m_connectionRoute.clear();
    m_proxyLoginDeclined.clear();
    m_session->activate(m_profileComboBox->currentData().toString());
    const Profile &profile = m_session->profile();
    m_environmentLabel->setText(Profile::environmentName(profile.environment));
    m_productionBannerLabel->setVisible(profile.environment == Profile::Environment::Production);
    m_editProfilePushButton->setEnabled(!profile.isEmbeddedSandbox());
    m_removeProfilePushButton->setEnabled(!profile.isEmbeddedSandbox());
    updateTitle();
}

void MainWindow::updateTitle()
{
    const Profile &profile = m_session->profile();
    const QString base =
        tr("journy-console %1 — %2").arg(QCoreApplication::applicationVersion(), profile.name);
    setWindowTitle(profile.environment == Profile::Environment::Production ? tr("[PRODUCTION] %1").arg(base)
                                                                           : base);
}

void MainWindow::sessionStateChanged()
{
    m_connectionLabel->setToolTip(QString()); // the whole line, when it does not fit
    switch (m_session->state()) {
    case ConsoleSession::State::Inactive:
        m_connectionLabel->clear();
        break;
    case ConsoleSession::State::Connecting:
        m_connectionLabel->setText(tr("Connecting to %1…").arg(m_session->profile().name));
        break;
    case ConsoleSession::State::Failed:
        m_connectionLabel->setText(m_session->problem());
        break;
    case ConsoleSession::State::Ready: {
        const Profile &profile = m_session->profile();
        const QString where = profile.isEmbeddedSandbox()
                                  ? tr("the embedded sandbox (%1)").arg(m_session->sandboxUrl().toString())
                                  : profile.baseUrl.toString();
        QString text = tr("Connected to %1").arg(where);
        if (!m_connectionRoute.isEmpty())
            text += tr(" (%1)").arg(m_connectionRoute);
        // A count keeps the line short enough for the status bar; the tooltip lists them all.
        QString toolTip = text;
        if (m_session->permissionsKnown()) {
            const QStringList permissions = m_session->permissions();
            text += permissions.size() == 1 ? tr(" · 1 permission")
                                            : tr(" · %1 permissions").arg(permissions.size());
            toolTip += tr("\nPermissions of the key: %1")
                           .arg(permissions.isEmpty() ? tr("none") : permissions.join(QLatin1String(", ")));
        }
        m_connectionLabel->setText(text);
        m_connectionLabel->setToolTip(toolTip);
        break;
    }
    }
}

void MainWindow::testConnection()
{
    if (m_session->state() != ConsoleSession::State::Ready) {
        profileChosen();
        return;
    }
    // The answer shows how the request went (direct or which proxy; TLS and the certificate's
    // issuer), then the key's permissions, or the failure's one line.
    auto *context = new QObject(this);
    connect(m_session, &ConsoleSession::validated, context, [this, context](const ApiResult &result) {
        context->deleteLater();
        if (!result.ok()) {
            m_connectionLabel->setToolTip(QString());
            m_connectionLabel->setText(tr("Test connection failed: %1").arg(failureText(result)));
        }
    });
    m_connectionLabel->setText(tr("Testing the connection of %1…").arg(m_session->profile().name));
    m_proxyLoginDeclined.clear(); // a proxy that wants a login asks again
    m_session->refreshPermissions();
}

void MainWindow::askProxyLogin(const QString &route)
{
    if ((m_proxyLoginDialog && m_proxyLoginDialog->isVisible()) ||
        m_proxyLoginDeclined == m_session->profile().name)
        return;
    auto *dialog = new ProxyLoginDialog(m_session, route, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_proxyLoginDialog = dialog;
    connect(dialog, &QDialog::rejected, this,
            [this, dialog] { m_proxyLoginDeclined = dialog->profileName(); });
    connect(dialog, &ProxyLoginDialog::loggedIn, this, [this](const QString &profileName, bool reconnect) {
        if (m_session->profile().name != profileName)
            return;
        m_sinceProxyLogin.start();
        // A saved manual login is part of the profile's settings: a new client takes it. Either
        // way GET /validate is asked again, so the status bar and the Send buttons know the
        // key's permissions; the user's own request is left for the user to send.
        if (reconnect)
            profileChosen();
        else
            m_session->refreshPermissions();
        statusBar()->showMessage(tr("Logged in to the proxy: send the request again"), 15000);
    });
    dialog->open();
}

void MainWindow::addProfile()
{
    auto *dialog = new ProfileDialog(m_session->profiles(), m_session->secrets(), Profile(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProfileDialog::saved, this, [this](const QString &name) {
        reloadProfiles(name);
        profileChosen();
    });
    dialog->open();
}

void MainWindow::editProfile()
{
    auto *dialog = new ProfileDialog(m_session->profiles(), m_session->secrets(), m_session->profile(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ProfileDialog::saved, this, [this](const QString &name) {
        reloadProfiles(name);
        profileChosen();
    });
    dialog->open();
}

void MainWindow::showProfileMessage(const QString &text)
{
    m_profileMessageLabel->setText(text);
    m_profileMessageLabel->setVisible(!text.isEmpty());
}

void MainWindow::removeProfile()
{
    const Profile profile = m_session->profile();
    if (profile.isEmbeddedSandbox())
        return;
    if (!ConfirmationDialog::confirm(
            this, tr("Remove"), tr("Remove the profile %1 and its key from the keychain?").arg(profile.name),
            QString()))
        return;
    showProfileMessage(QString());
    m_removeProfilePushButton->setEnabled(false); // one removal at a time
    // The verification secret and the proxy password first, the key last: should the keychain
    // refuse one, the profile stays as usable as it can be, to retry with.
    removeProfileSecrets(profile, {{profile.verificationSecretName(), tr("identity-verification secret")},
                                   {profile.proxyPasswordSecretName(), tr("proxy password")},
                                   {profile.apiKeySecretName(), tr("API key")}});
}

void MainWindow::removeProfileSecrets(const Profile &profile, QList<QPair<QString, QString>> secrets)
{
    if (secrets.isEmpty()) {
        QString error;
        if (!m_session->profiles()->remove(profile.name, &error)) {
            profileRemovalFailed(profile, error);
            return;
        }
        const QString active = m_session->profile().name;
        reloadProfiles(active == profile.name ? Profile::embeddedSandboxName() : active);
        profileChosen();
        statusBar()->showMessage(
            tr("The profile %1 and its keychain entries were removed.").arg(profile.name), 15000);
        return;
    }
    const QPair<QString, QString> secret = secrets.takeFirst();
    m_session->secrets()->remove(secret.first, [this, profile, secrets,
                                                secret](const SecretStore::Result &result) {
        // An entry that was never stored (no proxy login, no verification secret) is as good as
        // removed. Any other failure keeps the profile: its entries must not be left behind
        // unseen, with nothing left in the console to remove them with.
        if (!result.ok() && result.error != SecretStore::Error::NotFound) {
            profileRemovalFailed(
                profile,
                tr("its %1 could not be removed from the keychain: %2").arg(secret.second, result.message));
            return;
        }
        removeProfileSecrets(profile, secrets);
    });
}

void MainWindow::profileRemovalFailed(const Profile &profile, const QString &why)
{
    showProfileMessage(tr("The profile %1 was kept, %2. Remove it again once the keychain allows it.")
                           .arg(profile.name, why));
    m_removeProfilePushButton->setEnabled(!m_session->profile().isEmbeddedSandbox());
}

void MainWindow::openPasted(const QString &text)
{
    if (const std::optional<ApiRequest> request = PasteRequestDialog::ask(this, text))
        openRequest(*request);
}

QString MainWindow::openDroppedFile(const QString &path)
{
    QFile file(path);
    QString error;
    // What customers attach to a ticket; anything else (a screenshot, an archive) is no request.
    static const QStringList readable{QStringLiteral("har"),  QStringLiteral("txt"),  QStringLiteral("sh"),
                                      QStringLiteral("http"), QStringLiteral("json"), QStringLiteral("curl")};
    if (!readable.contains(QFileInfo(path).suffix().toLower()))
        error = tr("%1 was not opened: only .har, .txt, .sh, .http, .json and .curl files are read.")
                    .arg(QFileInfo(path).fileName());
    else if (QFileInfo(path).size() > MaxDroppedFileSize)
        error = tr("%1 was not opened: it is larger than 10 MiB.").arg(QFileInfo(path).fileName());
    else if (!file.open(QIODevice::ReadOnly))
        error = tr("%1 could not be read: %2").arg(QFileInfo(path).fileName(), file.errorString());
    if (!error.isEmpty()) {
        statusBar()->showMessage(error);
        return error;
    }
    openPasted(QString::fromUtf8(file.readAll()));
    return QString();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QMimeData *mime = event->mimeData();
    if ((mime->hasUrls() && mime->urls().size() == 1 && mime->urls().constFirst().isLocalFile()) ||
        mime->hasText())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QMimeData *mime = event->mimeData();
    event->acceptProposedAction();
    if (mime->hasUrls() && !mime->urls().isEmpty() && mime->urls().constFirst().isLocalFile())
        openDroppedFile(mime->urls().constFirst().toLocalFile());
    else if (mime->hasText())
        openPasted(mime->text());
}

void MainWindow::openRequest(const ApiRequest &request)
{
    for (int i = 0; i < m_slots.size(); ++i) {
        ConsolePage *page = build(i);
        if (page->operations().contains(request.operation) && page->loadRequest(request)) {
            showPage(page);
            return;
        }
    }
}

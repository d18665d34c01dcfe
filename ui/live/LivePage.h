#pragma once

#include "ui/widgets/ConsolePage.h"

#include <memory>

class LiveFilterModel;
class LiveModel;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableView;
class RelayRecord;
class RelayServer;

// The Live page: a relay (RelayServer) on 127.0.0.1 that a customer's backend or SDK points at
// (rootUrl = the URL shown, with a copy button), every call shown as it arrives with its verdict,
// status, latency and requestId, filtered by verdict, operation and user; a call's bodies and
// findings below; JSON Lines export; "Open in form" to correct and resend a call. The relay
// forwards to the profile active when it started, with each caller's own key; a profile switch
// stops it, and a production profile is named and confirmed before it starts.
class LivePage : public ConsolePage
{
    Q_OBJECT
public:
    explicit LivePage(ConsoleSession *session, QWidget *parent = nullptr);
    ~LivePage() override;

    QString title() const override { return tr("Live"); }

    bool isRelaying() const;
    QUrl relayUrl() const;
    LiveModel *model() const { return m_model; }
    LiveFilterModel *filter() const { return m_filter; }
    // Test seam for the export's file dialog: the next export writes here without asking.
    static void setNextExportPath(const QString &path);
    bool exportTo(const QString &path, QString *error) const;

signals:
    void openRequested(const ApiRequest &request);

private:
    void start();
    void stop(const QString &why = QString());
    void updateControls();
    void showCurrent();
    void exportJsonLines();
    void openInForm();
    void applyFilters();

    std::unique_ptr<RelayServer> m_relay;
    QString m_relayProfile; // the profile the relay forwards to
    LiveModel *m_model;
    LiveFilterModel *m_filter;
    QSpinBox *m_portSpinBox;
    QPushButton *m_startPushButton;
    QLineEdit *m_urlLineEdit;
    QPushButton *m_copyUrlPushButton;
    QLabel *m_statusLabel;
    QComboBox *m_verdictComboBox;
    QComboBox *m_operationComboBox;
    QLineEdit *m_whoLineEdit;
    QTableView *m_table;
    QPlainTextEdit *m_requestPlainTextEdit;
    QPlainTextEdit *m_responsePlainTextEdit;
    QListWidget *m_findingsListWidget;
    QPushButton *m_exportPushButton;
    QPushButton *m_openPushButton;
};

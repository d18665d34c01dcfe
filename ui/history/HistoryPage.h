#pragma once

#include "api/ApiResult.h"
#include "api/LintFinding.h"
#include "store/HistoryEntry.h"
#include "ui/widgets/ConsolePage.h"

#include <optional>

class HistoryModel;
class HistoryStore;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTabWidget;

// Every request sent through the session, newest first: search and filters over the table, the
// selected request's bodies, and actions to open it again in its form, copy it as a curl command
// (the key as $JOURNY_API_KEY) or export the shown rows. The page records each
// ConsoleSession::requestFinished into the store and the model; the stored history is read in
// chunks after the event loop starts, so a large history never delays the window's first paint.
class HistoryPage : public ConsolePage
{
    Q_OBJECT
public:
    enum class ExportFormat
    {
        Json,
        Csv
    };

    // store may be closed (no history file): the page then keeps this session's requests only.
    HistoryPage(ConsoleSession *session, HistoryStore *store, QWidget *parent = nullptr);

    QString title() const override { return tr("History"); }

    HistoryModel *model() const { return m_model; }
    // True once the stored history is in the model.
    bool isLoaded() const { return m_loaded; }

    // The selected entry with its bodies; std::nullopt when no row is selected.
    std::optional<HistoryEntry> currentEntry() const;
    // The entry with its bodies (read from the store when the model has only its summary).
    HistoryEntry fullEntry(const HistoryEntry &summary) const;

    // Writes the rows the filters show, in their order, to path; false with *error.
    bool exportTo(const QString &path, ExportFormat format, QString *error);
    // The next "Export" action writes to path instead of asking with a file dialog (tests).
    static void setNextExportPath(const QString &path);

    // The request of an entry as its form takes it; std::nullopt for an unknown operationId.
    static std::optional<ApiRequest> requestOf(const HistoryEntry &entry);
    // A curl command line for a POSIX shell that sends the entry's request again with the key
    // from the environment variable JOURNY_API_KEY; it never contains a key.
    // The entry's note, if any, comes first as a "# Note: ..." comment line.
    static QString curlCommand(const HistoryEntry &entry);
    // Replaces the note of the selected request, in the store and the table; false (with the
    // reason on the page) when nothing is selected or the store cannot write it.
    bool setCurrentNote(const QString &note);
    // text in single quotes, safe for a POSIX shell whatever it contains.
    static QString shellQuote(const QString &text);

public slots:
    // Records one finished request (ConsoleSession::requestFinished).
    void record(const QString &profileName, const ApiResult &result);
    void openInForm();
    void copyAsCurl();
    // Asks for a new note for the selected request (an empty one removes it).
    void editNote();
    void exportJson();
    void exportCsv();

signals:
    // "Open in form": the window hands the request to the page whose operations() include it.
    void openRequested(const ApiRequest &request);
    // The stored history has been read into the model.
    void loaded();

private:
    void loadChunk();
    void exportAs(ExportFormat format);
    void updateOperationFilterItems();
    void updateProfileFilterItems();
    void applyFilters();
    void showCurrent();
    void showFindings(const QList<LintFinding> &findings);
    void updateCount();
    void showMessage(const QString &text);
    // The summary the model keeps of a stored entry: no bodies, like the store's summaries.
    static HistoryEntry summaryOf(const HistoryEntry &entry);

    HistoryStore *m_store;
    HistoryModel *m_model;
    bool m_loaded = false;
    qint64 m_loadedUpTo = 0;  // the highest store id in the model
    qint64 m_selectedId = -1; // kept over filter changes, which reset the model

    QLineEdit *m_search;
    QComboBox *m_status;
    QComboBox *m_operation;
    QComboBox *m_profile;
    QCheckBox *m_showBackground;
    QLabel *m_count;
    QTableView *m_table;
    QLabel *m_summary;
    QPlainTextEdit *m_request;
    QTabWidget *m_requestTabs;
    // The integration lint's findings on the entry's request, judged at the time it was sent.
    QListWidget *m_lint;
    QTabWidget *m_responseTabs;
    QPlainTextEdit *m_response;
    QPlainTextEdit *m_headers;
    QLabel *m_message;
    QAction *m_openAction;
    QAction *m_curlAction;
    QAction *m_editNoteAction;
    QAction *m_exportJsonAction;
    QAction *m_exportCsvAction;
    QPushButton *m_openButton;
    QPushButton *m_curlButton;
    QPushButton *m_editNoteButton;
    QPushButton *m_exportJsonButton;
    QPushButton *m_exportCsvButton;
};

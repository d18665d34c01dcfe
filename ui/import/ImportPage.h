#pragma once

#include "import/BulkImporter.h"
#include "import/BulkJournal.h"
#include "import/ImportPreparer.h"
#include "ui/widgets/ConsolePage.h"

class ImportMappingModel;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

// The "Bulk import" wizard, the console's face of `journy import`, on the same classes: a CSV or
// JSON Lines file and a kind (with delete/remove), the column mapping (defaults with inferred
// types, editable, saved to and loaded from a mapping file), the first rows as the exact bodies,
// a check of the whole file with a per-row report, then a job journaled in the same SQLite file
// the CLI uses and sent by a BulkImporter through the session's client, with progress, pause,
// resume, cancel, a summary (possibly duplicated events listed) and the failed rows as CSV.
// "Resume last job" picks up the newest unfinished job of the journal, the CLI's or the page's.
//
// Reading a large file (check, and journaling the job) runs on the GUI thread in slices: the
// preparer's callbacks hand the event loop a turn every few dozen milliseconds, so the window
// keeps painting and Cancel keeps working.
class ImportPage : public ConsolePage
{
    Q_OBJECT
public:
    // journalPath: the import journal (AppPaths::dataDir()/imports.sqlite in the console); it is
    // opened when first needed, so a page that is only looked at creates no file.
    ImportPage(ConsoleSession *session, const QString &journalPath, QWidget *parent = nullptr);
    ~ImportPage() override;

    QString title() const override { return tr("Bulk import"); }

    ImportMappingModel *mappingModel() const { return m_mappingModel; }
    // The job being sent or last sent from this page; 0 before the first.
    qint64 jobId() const { return m_jobId; }
    bool isBusy() const { return m_activity != Activity::Idle; }

    // The next file dialog (open or save) answers fileName without showing; an empty name is a
    // cancelled dialog (tests).
    static void setNextFileName(const QString &fileName);

public slots:
    void browse();
    // Opens the file named in the file field with the chosen kind; the mapping starts from the
    // defaults with types inferred from the first rows.
    void openFile();
    void loadMapping();
    void saveMapping();
    void check();
    void start();
    void togglePause();
    void cancel();
    void resumeLastJob();
    void exportFailedRows();

signals:
    // A check ran to its end (or was stopped: report holds the rows read until then).
    void checkFinished(bool completed);
    // The importer finished (cancelled: pending rows stay in the journal for a later resume).
    void importFinished(bool cancelled);

private:
    enum class Activity
    {
        Idle,
        Checking,
        Preparing, // writing a new job's rows to the journal
        Sending
    };

    ImportKind chosenKind() const;
    void kindChanged();
    void removeChanged();
    void reopen(bool keepMapping);
    void mappingEdited();
    void showMapping();
    void updatePreview();
    void updateRemoveCheckBox();
    void updateControls();
    bool openJournal(QString *error);
    bool checkMapping();
    bool confirmRemoval();
    // The file and mapping were prepared under another profile: shown in a notice after a switch,
    // and Start asks before they are used for the active one (in the removal or production
    // question when there is one, else in a question of its own).
    void updateProfileNotice();
    QString preparedElsewhere() const; // "x.csv and its mapping were prepared for …", or empty
    bool confirmPreparedProfile();
    // Production: the rows, the file, the operation and the profile named, and the profile's name
    // typed, before anything of a prepared or resumed job is sent. True on other profiles.
    // note: said first (a file prepared for another profile).
    bool confirmProductionImport(const QString &file, const ImportKind &kind, qint64 rows,
                                 const QString &note);
    void showProblems(const ImportPreparer::Report &report);
    ImportPreparer::ProgressSink progressSink();
    ImportPreparer::RowSink keepResponsive();
    void startImporter(qint64 jobId);
    void showProgress(const BulkImporter::Progress &progress);
    void importerFinished(bool cancelled);
    void clientLost();
    void showSummary(bool cancelled, const QString &note);
    void showMessage(const QString &text);
    // The next file dialog's answer: the test seam's name, or what the user picks ("" when the
    // dialog was cancelled).
    QString askFileName(bool save, const QString &caption, const QString &filter, const QString &suggested);

    QString m_journalPath;
    BulkJournal m_journal;
    bool m_journalOpen = false;
    ImportPreparer m_preparer;
    bool m_fileOpen = false;
    ImportMappingModel *m_mappingModel;
    Activity m_activity = Activity::Idle;
    bool m_stopRequested = false;
    qint64 m_jobId = 0;
    qint64 m_failedRows = 0;
    qint64 m_warnedRows = 0; // done, with properties the server did not store
    BulkImporter *m_importer = nullptr;
    QMetaObject::Connection m_clientDestroyed;
    QString m_resumeNote;  // said again in the summary of a resumed job
    QString m_preparedFor; // the profile the open file and its mapping were prepared under

    QLineEdit *m_fileLineEdit;
    QPushButton *m_browsePushButton;
    QComboBox *m_kindComboBox;
    QCheckBox *m_removeCheckBox;
    QTableView *m_mappingTableView;
    QPushButton *m_loadMappingPushButton;
    QPushButton *m_saveMappingPushButton;
    QPlainTextEdit *m_previewPlainTextEdit;
    QSpinBox *m_rateSpinBox;
    QSpinBox *m_concurrencySpinBox;
    QPushButton *m_checkPushButton;
    QPushButton *m_startPushButton;
    QPushButton *m_pausePushButton;
    QPushButton *m_cancelPushButton;
    QPushButton *m_resumePushButton;
    QProgressBar *m_progressBar;
    QLabel *m_progressLabel;
    QListWidget *m_reportListWidget;
    QLabel *m_summaryLabel;
    QPushButton *m_exportFailedPushButton;
    QLabel *m_profileNoticeLabel;
    QLabel *m_messageLabel;
};

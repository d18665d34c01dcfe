#pragma once

#include "BulkJournal.h"
#include "RatePacer.h"

#include <QObject>

class JournyClient;

// Sends a journaled import job through a JournyClient: paced to the key's limit (never more in
// any sliding window), with bounded concurrency; 429 waits for the window and retries; 5xx and
// transport failures retry with exponential backoff and jitter (bounded); a 4xx fails the row
// with the server's field errors. Membership rows of the same account go together, up to 100 per
// call. Every state change is written to the journal before the next send.
class BulkImporter : public QObject
{
    Q_OBJECT
public:
    class Options
    {
    public:
        int rateCeiling = 0;    // requests per window the user allows; 0: the server's limit only
        int windowMs = 60000;   // journy.io counts over 60 s
        int concurrency = 4;
        int maxAttempts = 5;    // for 5xx and transport failures
        int backoffBaseMs = 500;
    };
    class Progress
    {
    public:
        BulkJournal::Counts counts;
        double ratePerSecond = 0; // over the last window
        qint64 etaSeconds = -1;   // -1 while unknown
    };

    BulkImporter(BulkJournal *journal, JournyClient *client, qint64 jobId, const Options &options,
                 QObject *parent = nullptr);

    void start();
    void pause();
    void resume();
    void cancel();
    bool isPaused() const { return m_paused; }
    Progress progress() const;

signals:
    void progressed(const BulkImporter::Progress &progress);
    // All rows done or failed (or cancelled: then pending rows stay pending for a later resume).
    void finished(bool cancelled);

private:
    BulkJournal *m_journal;
    JournyClient *m_client;
    qint64 m_jobId;
    Options m_options;
    RatePacer m_pacer;
    bool m_paused = false;
    bool m_cancelled = false;
    int m_inFlight = 0;
};

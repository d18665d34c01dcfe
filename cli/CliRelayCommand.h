#pragma once

#include <QMap>
#include <QObject>
#include <QTextStream>

class ClientConfig;
class InterruptWatcher;
class RelayRecord;
class RelayServer;

// `journy relay`: a RelayServer on 127.0.0.1 in front of a profile's server (the embedded sandbox
// for the built-in Sandbox profile). Says where it listens on stderr, then one line per answered
// request on stdout (a RelayRecord as JSON with --json), until Ctrl+C; then a summary of the
// findings by rule, and exit 0.
class CliRelayCommand : public QObject
{
    Q_OBJECT
public:
    CliRelayCommand(quint16 port, bool json, QTextStream &out, QTextStream &err, QObject *parent = nullptr);
    ~CliRelayCommand() override;

    // Listens and relays to upstream (its apiKey is not used: each call carries its caller's key);
    // finished(4) at once when the port cannot be had.
    void run(const ClientConfig &upstream);

    // One request as the text output shows it:
    // HH:MM:SS  VERDICT  METHOD PATH  STATUS  LATENCYms  requestId  N finding(s) (rules)
    static QString line(const RelayRecord &record);

signals:
    void finished(int exitCode);

private:
    class Tally
    {
    public:
        int count = 0;
        QString example; // METHOD PATH of the first request with a finding of the rule
    };

    void onAnswered(const RelayRecord &record);
    void onInterrupt();
    QString summary() const;

    quint16 m_port;
    bool m_json;
    QTextStream &m_out;
    QTextStream &m_err;
    RelayServer *m_relay = nullptr;
    InterruptWatcher *m_interrupts = nullptr;
    QMap<QString, Tally> m_rules; // rule ID -> how often, with an example
    int m_requests = 0;
    int m_withErrors = 0;
    int m_withWarnings = 0;
};

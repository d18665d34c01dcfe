#pragma once

#include <QObject>
#include <QString>
#include <QTextStream>
#include <QTimer>

#include <functional>

// The progress of a long command on stderr, as --progress asks:
// - redrawn in place with a carriage return twice a second on a terminal (auto there);
// - plain lines, one every 10 s and one at the end, when stderr is a file or a pipe (auto there,
//   or plain anywhere): a log then gets a line a person can read, not ~1,000 redraws;
// - none at all.
class CliProgress : public QObject
{
    Q_OBJECT
public:
    enum class Mode
    {
        Auto,
        Plain,
        None,
    };

    static constexpr int RedrawIntervalMs = 500;
    static constexpr int PlainIntervalMs = 10000;
    // Hidden: lets a test see several plain lines without waiting 10 s for each.
    static constexpr const char *PlainIntervalVariable = "JOURNY_PROGRESS_INTERVAL_MS";

    // "auto", "plain" or "none"; false for anything else.
    static bool parseMode(const QString &text, Mode *mode);
    // The accepted values, for --help and the error message.
    static QString modeNames() { return QStringLiteral("auto, plain or none"); }

    // line gives the text of one update; final is true for the last one.
    using LineSource = std::function<QString(bool final)>;
    CliProgress(Mode mode, QTextStream &err, LineSource line, QObject *parent = nullptr);

    void start();
    // A notice on a line of its own (a 429's wait), whatever the mode: on a terminal it replaces
    // the redrawn line, which the next update draws again below it.
    void note(const QString &line);
    // The last update, ended with a line break; nothing after it.
    void finish();

private:
    void print(bool final);

    QTextStream &m_err;
    LineSource m_line;
    bool m_enabled = true;
    bool m_redraw = false;
    bool m_finished = false;
    QTimer m_timer;
};

#include "cli/TerminalInput.h"

#include <cstdio>
#include <iterator>
#include <string>

#ifdef Q_OS_WIN
#include <io.h>
#include <windows.h>
#else
#include <csignal>
#include <termios.h>
#include <unistd.h>
#endif

#ifndef Q_OS_WIN
namespace {

// While echo is off: the terminal's settings to put back, and the signals that would otherwise
// end the process with them off (Ctrl+C, Ctrl+\, a closed terminal, kill), with what each did
// before. Plain globals: a signal handler may touch nothing else.
termios savedTerminal{};
constexpr int interruptingSignals[] = {SIGINT, SIGQUIT, SIGHUP, SIGTERM};
struct sigaction previousActions[sizeof(interruptingSignals) / sizeof(int)];

extern "C" void restoreEchoThenRaise(int signal)
{
    // Only async-signal-safe calls: tcsetattr, write, sigaction, raise.
    tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal);
    const ssize_t ignored = write(STDERR_FILENO, "\n", 1); // the shell's prompt on a line of its own
    (void)ignored;
    for (std::size_t i = 0; i < std::size(interruptingSignals); ++i) {
        if (interruptingSignals[i] == signal)
            sigaction(signal, &previousActions[i], nullptr);
    }
    // Pending until this handler returns, then handled as it would have been: the process still
    // ends by the signal (the shell sees Ctrl+C), only with the terminal as it found it.
    raise(signal);
}

void catchInterruptions()
{
    struct sigaction action
    {};
    action.sa_handler = restoreEchoThenRaise;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < std::size(interruptingSignals); ++i)
        sigaction(interruptingSignals[i], &action, &previousActions[i]);
}

void releaseInterruptions()
{
    for (std::size_t i = 0; i < std::size(interruptingSignals); ++i)
        sigaction(interruptingSignals[i], &previousActions[i], nullptr);
}

} // namespace
#endif

bool TerminalInput::isTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stdin));
#else
    return isatty(STDIN_FILENO);
#endif
}

QByteArray TerminalInput::readSecretLine(const QString &prompt)
{
    const bool terminal = isTerminal();
#ifdef Q_OS_WIN
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    if (terminal && GetConsoleMode(input, &mode))
        SetConsoleMode(input, mode & ~ENABLE_ECHO_INPUT);
#else
    bool silenced = false;
    if (terminal && tcgetattr(STDIN_FILENO, &savedTerminal) == 0) {
        termios silent = savedTerminal;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        catchInterruptions(); // before echo goes off, so no moment is left uncovered
        silenced = tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent) == 0;
        if (!silenced)
            releaseInterruptions();
    }
#endif
    // The prompt once echo is off: what is typed as soon as it shows is never on screen.
    if (terminal) {
        std::fprintf(stderr, "%s", qPrintable(prompt));
        std::fflush(stderr);
    }
    std::string line;
    int c = 0;
    while ((c = std::fgetc(stdin)) != EOF && c != '\n')
        line.push_back(static_cast<char>(c));
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
#ifdef Q_OS_WIN
    if (terminal)
        SetConsoleMode(input, mode);
#else
    if (silenced) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal);
        releaseInterruptions();
    }
#endif
    if (terminal)
        std::fprintf(stderr, "\n");
    return QByteArray::fromStdString(line);
}

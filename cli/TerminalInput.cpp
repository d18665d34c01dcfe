#include "TerminalInput.h"

#include <cstdio>
#include <string>

#ifdef Q_OS_WIN
#include <io.h>
#include <windows.h>
#else
#include <termios.h>
#include <unistd.h>
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
    if (terminal) {
        std::fprintf(stderr, "%s", qPrintable(prompt));
        std::fflush(stderr);
    }
#ifdef Q_OS_WIN
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    DWORD mode = 0;
    if (terminal && GetConsoleMode(input, &mode))
        SetConsoleMode(input, mode & ~ENABLE_ECHO_INPUT);
#else
    termios saved{};
    if (terminal && tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
#endif
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
    if (terminal)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
#endif
    if (terminal)
        std::fprintf(stderr, "\n");
    return QByteArray::fromStdString(line);
}

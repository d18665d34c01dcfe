#pragma once

#include <QByteArray>
#include <QString>

// Reads a secret from standard input: with echo off when stdin is a terminal (so a pasted key
// is not left on screen or in a terminal recording), as is when it is a pipe.
class TerminalInput
{
public:
    static bool isTerminal();
    // One line without its line break; prompt goes to stderr, only on a terminal.
    static QByteArray readSecretLine(const QString &prompt);
};

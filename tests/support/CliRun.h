#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QTest>

// One finished run of a command-line program (journy, journy-sandbox) started by CliChild.
class CliRun
{
public:
    int exitCode = -1;
    bool crashed = false; // crashed, killed, timed out or never started
    QByteArray out;
    QByteArray err;

    QString text() const { return QString::fromUtf8(out); }
    QString errors() const { return QString::fromUtf8(err); }
    QJsonObject json() const;
    // Exit code, stdout and stderr, for a failure message.
    QString describe() const;
};

// Fails the test, showing the run's output, when its exit code is not the expected one.
#define COMPARE_EXIT(expression, expected)                                                                   \
    do {                                                                                                     \
        const CliRun checked_ = (expression);                                                                \
        QVERIFY2(checked_.exitCode == (expected), qPrintable(checked_.describe()));                          \
    } while (false)

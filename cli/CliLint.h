#pragma once

#include "api/ApiOperation.h"

#include <QJsonObject>
#include <QString>

#include <optional>

// `journy lint [FILE|-]`: what a customer's integration sent (a curl command, a raw HTTP request,
// a HAR file or a bare JSON body, read by PastedRequest) judged without sending it: the spec's
// rules (RequestValidator, errors) and the integration lint (IntegrationLint, warnings and
// information). Kept apart from CliApplication so the judging and its exit code are one function.
class CliLint
{
public:
    class Outcome
    {
    public:
        // 0 clean or information only, 2 a spec error in any request, 5 warnings only; 1 when the
        // input could not be read (error says what).
        int exitCode = 0;
        QString error;
        QString text;     // the report for a terminal, one block per request and a summary line
        QJsonObject json; // the same as one object, for --json
    };

    static constexpr int WarningsOnly = 5;

    static Outcome run(const QByteArray &input, const std::optional<Operation> &chosen);
};

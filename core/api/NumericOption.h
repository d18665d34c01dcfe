#pragma once

#include <QString>

// The one reading of a numeric command-line value (the CLI's options, journy-sandbox's flags):
// finite, in range, and whole when it counts something. The message names the option, states
// the range as it is checked and quotes what was typed, so the user never meets a refusal that
// contradicts itself or a NaN that slips past a "less than" comparison.
class NumericOption
{
public:
    enum class Kind
    {
        Whole, // a count, a port, a seed
        Real,  // seconds, a rate
    };

    // *out is set only when text is a finite number (a whole one for Kind::Whole) from minimum
    // to maximum, both included; otherwise false with *error such as
    // "--timeout must be a number of seconds from 0.1 to 3600, not 'nan'". unit ("seconds") may
    // be empty.
    static bool read(const QString &option, const QString &text, Kind kind, double minimum, double maximum,
                     double *out, QString *error, const QString &unit = QString());
    static bool readInt(const QString &option, const QString &text, int minimum, int maximum, int *out,
                        QString *error, const QString &unit = QString());

    // "from 0.1 to 3600": the bounds as the check uses them, printed without rounding.
    static QString rangeText(double minimum, double maximum);
};

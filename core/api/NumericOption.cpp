#include "api/NumericOption.h"

#include <QRegularExpression>

#include <cmath>

namespace {

// Shortest text that reads back as the same number: 0.1, 3600, 1000000 (never 1e+06).
QString numberText(double value)
{
    return QString::number(value, 'f', 6).remove(QRegularExpression(QStringLiteral("\\.?0+$")));
}

} // namespace

QString NumericOption::rangeText(double minimum, double maximum)
{
    return QStringLiteral("from %1 to %2").arg(numberText(minimum), numberText(maximum));
}

bool NumericOption::read(const QString &option, const QString &text, Kind kind, double minimum,
                         double maximum, double *out, QString *error, const QString &unit)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    // Written so that NaN, which compares false with everything, fails the test.
    const bool inRange = ok && std::isfinite(value) && value >= minimum && value <= maximum;
    const bool whole = kind == Kind::Real || std::floor(value) == value;
    if (!inRange || !whole) {
        *error = QStringLiteral("%1 must be %2%3 %4, not '%5'")
                     .arg(option,
                          kind == Kind::Whole ? QStringLiteral("a whole number") : QStringLiteral("a number"),
                          unit.isEmpty() ? QString() : QStringLiteral(" of ") + unit,
                          rangeText(minimum, maximum), text);
        return false;
    }
    *out = value;
    return true;
}

bool NumericOption::readInt(const QString &option, const QString &text, int minimum, int maximum, int *out,
                            QString *error, const QString &unit)
{
    double value = 0;
    if (!read(option, text, Kind::Whole, minimum, maximum, &value, error, unit))
        return false;
    *out = static_cast<int>(value);
    return true;
}

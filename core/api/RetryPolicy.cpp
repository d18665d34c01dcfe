#include "api/RetryPolicy.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace {

// The three forms RFC 9110 5.6.7 names, all in GMT; the day name is not checked against the date
// beyond its spelling (a sender that gets it wrong still means the date).
QDateTime parseHttpDate(const QString &text)
{
    static const QRegularExpression imfFixdate(QStringLiteral(
        R"(^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$)"));
    static const QRegularExpression rfc850(QStringLiteral(
        R"(^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$)"));
    static const QRegularExpression asctime(QStringLiteral(
        R"(^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$)"));
    static const QStringList months{QStringLiteral("Jan"), QStringLiteral("Feb"), QStringLiteral("Mar"),
                                    QStringLiteral("Apr"), QStringLiteral("May"), QStringLiteral("Jun"),
                                    QStringLiteral("Jul"), QStringLiteral("Aug"), QStringLiteral("Sep"),
                                    QStringLiteral("Oct"), QStringLiteral("Nov"), QStringLiteral("Dec")};
    int day = 0, month = 0, year = 0, hour = 0, minute = 0, second = 0;
    QRegularExpressionMatch match;
    if ((match = imfFixdate.match(text)).hasMatch()) {
        day = match.captured(1).toInt();
        month = static_cast<int>(months.indexOf(match.captured(2))) + 1;
        year = match.captured(3).toInt();
        hour = match.captured(4).toInt();
        minute = match.captured(5).toInt();
        second = match.captured(6).toInt();
    } else if ((match = rfc850.match(text)).hasMatch()) {
        day = match.captured(1).toInt();
        month = static_cast<int>(months.indexOf(match.captured(2))) + 1;
        // Two-digit years: RFC 9110 says to read one that looks more than 50 years ahead as the
        // past century; journy.io will not send one, so 19xx/20xx by the usual 70 split.
        year = match.captured(3).toInt();
        year += year < 70 ? 2000 : 1900;
        hour = match.captured(4).toInt();
        minute = match.captured(5).toInt();
        second = match.captured(6).toInt();
    } else if ((match = asctime.match(text)).hasMatch()) {
        month = static_cast<int>(months.indexOf(match.captured(1))) + 1;
        day = match.captured(2).trimmed().toInt();
        hour = match.captured(3).toInt();
        minute = match.captured(4).toInt();
        second = match.captured(5).toInt();
        year = match.captured(6).toInt();
    } else {
        return QDateTime();
    }
    const QDate date(year, month, day);
    const QTime time(hour, minute, second);
    if (month < 1 || !date.isValid() || !time.isValid())
        return QDateTime();
    return QDateTime(date, time, Qt::UTC);
}

} // namespace

std::optional<qint64> RetryPolicy::retryAfterMs(const QByteArray &value, const QDateTime &now)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    if (std::all_of(trimmed.begin(), trimmed.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        // Digits only, so never negative; a huge number is not an error, only capped.
        if (trimmed.size() > 9)
            return MaxRetryAfterMs;
        return std::min<qint64>(MaxRetryAfterMs, trimmed.toLongLong() * 1000);
    }
    const QDateTime at = parseHttpDate(QString::fromLatin1(trimmed));
    if (!at.isValid())
        return std::nullopt;
    return std::clamp<qint64>(now.msecsTo(at), 0, MaxRetryAfterMs);
}

qint64 RetryPolicy::backoffMs(int failures, double random01, qint64 baseMs, qint64 capMs)
{
    const double exponential =
        double(std::max<qint64>(0, baseMs)) * std::pow(2.0, std::clamp(failures - 1, 0, 30));
    const double capped = std::min(exponential, double(std::max<qint64>(0, capMs)));
    const double jitter = 0.5 + 0.5 * std::clamp(random01, 0.0, 1.0);
    return static_cast<qint64>(capped * jitter);
}

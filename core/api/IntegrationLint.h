#pragma once

#include "api/LintFinding.h"

#include <QDateTime>
#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

class ApiRequest;

// Judges a request the way a reviewer of a customer's integration would, beyond the spec's own
// rules (those are RequestValidator's errors): values typed as text, dates journy.io cannot read
// as dates, IDs in event names, near-duplicate names, the deprecated endpoint. One rule table
// (rules()) holds every rule's ID, severity and title; forms, bulk import, History, the relay and
// `journy lint` all show the findings of lint(), which never block sending.
//
// Rule choices, in one place:
// - Typing (string-number, string-boolean): a warning when the name was seen typed elsewhere
//   (Context::observedTypes) or the same request sends real numbers or booleans (a mixed request,
//   so the integration can type values and forgot this one); otherwise info (e.g. the Node SDK
//   3.1.0 sends everything as text). Identifiers and codes are left alone: leading zeros, over 15
//   digits, a leading "+", and names whose words say identifier (phone, zip, code, id, number...).
// - Dates: on a date-like name (see isDateLikeName in the .cpp: last word at, on, date, time,
//   datetime, timestamp or ts; any word date, datetime, timestamp, birthday or dob; or the whole
//   name created, updated, deleted, expires, expiry, since or until) a value that is not an ISO
//   8601 date-time (date only, a space instead of T, local formats, month names, epoch seconds or
//   milliseconds) is date-format; on other names, a string that reads as a date in a form journy.io
//   stores as text is string-date (info; JSON has no date type, so there is no typing evidence).
//   A date-like name's value is judged by date-format only, so "1714557600" there is not also a
//   string-number.
// - null-deletes-property: only for a property known to hold a value (in the catalog or in
//   observedTypes with a non-null type); nulling an unknown property deletes nothing.
// - empty-properties: an upsert without properties or with {}; empty-metadata: an event whose
//   metadata is {} (leaving metadata out is normal and not a finding).
// - url-as-domain: a scheme or path in any domain; a "www." prefix only in an account's domain
//   (a website's domain for the tracking snippet may well be www.).
// - Findings of the whole request (the deprecated endpoint) have an empty path.
class IntegrationLint
{
public:
    struct Context
    {
        QStringList eventNames;           // the catalog's event names
        QStringList userPropertyNames;    // the catalog's user property names
        QStringList accountPropertyNames; // the catalog's account property names
        // Property or metadata name -> the JSON type it was seen with elsewhere (other rows of an
        // import, other recorded requests).
        QHash<QString, QJsonValue::Type> observedTypes;
        QDateTime now; // invalid: the current time
    };

    struct Rule
    {
        QString id;                     // stable kebab-case ID, e.g. "string-number"
        LintFinding::Severity severity; // the highest severity its findings carry
        QString title;                  // one line, for summaries that list every rule
    };

    // The findings on request's body (bodyText when set) for its operation, sorted by path then
    // rule. A body that is not a JSON object gets none (RequestValidator reports that).
    static QList<LintFinding> lint(const ApiRequest &request, const Context &context = Context());
    static QList<Rule> rules();
};

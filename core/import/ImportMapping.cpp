#include "import/ImportMapping.h"

#include "api/JsonSyntaxError.h"
#include "store/PrivateFile.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace {

const QString PropPrefix = QStringLiteral("prop.");
const QString MetaPrefix = QStringLiteral("meta.");
const QString Ignore = QStringLiteral("ignore");

// The fixed targets, spelled as the mapping stores them.
const QStringList &fixedTargets()
{
    static const QStringList targets = {
        QStringLiteral("userId"),      QStringLiteral("email"),    QStringLiteral("accountId"),
        QStringLiteral("domain"),      QStringLiteral("deviceId"), QStringLiteral("name"),
        QStringLiteral("triggeredAt"),
    };
    return targets;
}

QString targetList()
{
    return QStringLiteral(
        "userId, email, accountId, domain, deviceId, name, triggeredAt, prop.NAME, meta.NAME or "
        "ignore");
}

// A header reduced to what people vary when they name the same thing: case, '_', '-' and spaces
// ("User ID", "user_id", "user-id" and "userId" all mean the target userId).
QString headerKey(const QString &header)
{
    QString key;
    key.reserve(header.size());
    for (const QChar c : header) {
        if (c != QLatin1Char('_') && c != QLatin1Char('-') && !c.isSpace())
            key.append(c.toLower());
    }
    return key;
}

// The target a header names by itself, or an empty string.
QString targetOfHeader(const QString &header)
{
    static const QList<QPair<QString, QString>> keys = {
        {QStringLiteral("userid"), QStringLiteral("userId")},
        {QStringLiteral("email"), QStringLiteral("email")},
        {QStringLiteral("accountid"), QStringLiteral("accountId")},
        {QStringLiteral("domain"), QStringLiteral("domain")},
        {QStringLiteral("deviceid"), QStringLiteral("deviceId")},
        {QStringLiteral("name"), QStringLiteral("name")},
        {QStringLiteral("event"), QStringLiteral("name")},
        {QStringLiteral("eventname"), QStringLiteral("name")},
        {QStringLiteral("triggeredat"), QStringLiteral("triggeredAt")},
    };
    const QString key = headerKey(header);
    for (const auto &entry : keys) {
        if (entry.first == key)
            return entry.second;
    }
    return QString();
}

bool isProp(const QString &target)
{
    return target.startsWith(PropPrefix);
}

bool isMeta(const QString &target)
{
    return target.startsWith(MetaPrefix);
}

bool takesType(const QString &target)
{
    return isProp(target) || isMeta(target);
}

// The fixed targets that mean something for a kind. Everything else a header names is data: a
// users file's "name" column is the user's name, not an event name, so it stays a property.
QStringList fixedTargetsOf(ImportKind::Kind kind)
{
    switch (kind) {
    case ImportKind::Kind::Users:
        return {QStringLiteral("userId"), QStringLiteral("email")};
    case ImportKind::Kind::Accounts:
        return {QStringLiteral("accountId"), QStringLiteral("domain")};
    case ImportKind::Kind::Memberships:
        return {QStringLiteral("accountId"), QStringLiteral("domain"), QStringLiteral("userId"),
                QStringLiteral("email")};
    case ImportKind::Kind::Events:
        return {QStringLiteral("name"),      QStringLiteral("userId"), QStringLiteral("email"),
                QStringLiteral("accountId"), QStringLiteral("domain"), QStringLiteral("triggeredAt")};
    case ImportKind::Kind::Links:
        return {QStringLiteral("deviceId"), QStringLiteral("userId"), QStringLiteral("email")};
    }
    return {};
}

// "prop." for users and accounts, "meta." for events, nothing for the others.
QString dataPrefixOf(ImportKind::Kind kind)
{
    switch (kind) {
    case ImportKind::Kind::Users:
    case ImportKind::Kind::Accounts:
        return PropPrefix;
    case ImportKind::Kind::Events:
        return MetaPrefix;
    case ImportKind::Kind::Memberships:
    case ImportKind::Kind::Links:
        break;
    }
    return QString();
}

// User text (--map, a mapping file) to a stored target: fixed targets and the prefixes in any
// case, the property or metadata name trimmed and kept as written.
bool normalizeTarget(const QString &text, QString *target, QString *error)
{
    const QString trimmed = text.trimmed();
    for (const QString &fixed : fixedTargets()) {
        if (trimmed.compare(fixed, Qt::CaseInsensitive) == 0) {
            *target = fixed;
            return true;
        }
    }
    if (trimmed.compare(Ignore, Qt::CaseInsensitive) == 0) {
        *target = Ignore;
        return true;
    }
    for (const QString &prefix : {PropPrefix, MetaPrefix}) {
        if (trimmed.startsWith(prefix, Qt::CaseInsensitive)) {
            const QString name = trimmed.mid(prefix.size()).trimmed();
            if (name.isEmpty()) {
                *error = QStringLiteral("target '%1' needs a name after '%2'").arg(text, prefix);
                return false;
            }
            *target = prefix + name;
            return true;
        }
    }
    *error = QStringLiteral("unknown target '%1' (use %2)").arg(text, targetList());
    return false;
}

// The type rules that do not depend on the kind: a type only for prop./meta. targets, and
// metadata only takes what the spec allows (no null, no "", no lists).
bool checkType(const QString &target, TypedValue::Type type, bool typeSet, QString *error)
{
    if (!typeSet)
        return true;
    if (!takesType(target)) {
        *error =
            QStringLiteral("target '%1' takes no type (types are for prop.NAME and meta.NAME)").arg(target);
        return false;
    }
    if (isMeta(target) && (type == TypedValue::Type::Null || type == TypedValue::Type::Empty ||
                           type == TypedValue::Type::List)) {
        *error = QStringLiteral("%1: metadata cannot be of type %2 (use string, number, bool or date)")
                     .arg(target, TypedValue::typeName(type));
        return false;
    }
    return true;
}

bool parseType(const QString &text, TypedValue::Type *type, QString *error)
{
    if (TypedValue::typeFromName(text, type))
        return true;
    *error =
        QStringLiteral("unknown type '%1' (use string, number, bool, date, null, empty or list)").arg(text);
    return false;
}

// Index of the occurrence-th (0-based) column named name: exact first, then ignoring case and
// surrounding spaces, so a mapping saved for "Email" still fits a file whose header is "email ".
qsizetype findColumn(const QList<ImportMapping::Column> &columns, const QString &name, int occurrence)
{
    int seen = 0;
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns.at(i).column == name && seen++ == occurrence)
            return i;
    }
    seen = 0;
    const QString trimmed = name.trimmed();
    for (qsizetype i = 0; i < columns.size(); ++i) {
        if (columns.at(i).column.trimmed().compare(trimmed, Qt::CaseInsensitive) == 0 && seen++ == occurrence)
            return i;
    }
    return -1;
}

// A cell as inference sees it: blank cells say nothing about a column's type.
enum Vote
{
    VotesNumber = 1,
    VotesBool = 2,
    VotesDate = 4,
};

bool looksLikeNumber(const QString &cell)
{
    // Digits with a leading zero ("007", "02134") are codes (ZIP, phone, IDs), and integers of
    // more than 15 digits do not survive a double: as numbers both would lose digits on the wire.
    qsizetype start = 0;
    if (start < cell.size() && (cell.at(start) == QLatin1Char('-') || cell.at(start) == QLatin1Char('+')))
        ++start;
    qsizetype digits = 0;
    while (start + digits < cell.size() && cell.at(start + digits).isDigit())
        ++digits;
    if (digits > 1 && cell.at(start) == QLatin1Char('0'))
        return false;
    if (digits > 15 && start + digits == cell.size())
        return false;
    // The same conversion the builder uses, so an inferred number always converts.
    TypedValue value;
    QString error;
    return TypedValue::fromText(TypedValue::Type::Number, cell, &value, &error);
}

int votesOf(const QString &cell)
{
    int votes = 0;
    if (looksLikeNumber(cell))
        votes |= VotesNumber;
    // Only true/false: "1"/"0" are numbers and "yes"/"no" are words until the user says bool.
    if (cell.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0 ||
        cell.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
        votes |= VotesBool;
    if (TypedValue::isIso8601(cell))
        votes |= VotesDate;
    return votes;
}

} // namespace

ImportMapping ImportMapping::defaults(ImportKind::Kind kind, const QStringList &headers)
{
    const QStringList fixed = fixedTargetsOf(kind);
    const QString prefix = dataPrefixOf(kind);
    ImportMapping mapping;
    for (const QString &header : headers) {
        Column column;
        column.column = header;
        const QString target = targetOfHeader(header);
        if (!target.isEmpty() && fixed.contains(target))
            column.target = target;
        // The failed-rows file adds an "error" column: importing it again must not send the
        // error messages as data.
        else if (header.trimmed().compare(QLatin1String("error"), Qt::CaseInsensitive) == 0)
            column.target = Ignore;
        else if (!prefix.isEmpty() && !header.trimmed().isEmpty())
            column.target = prefix + header.trimmed();
        else
            column.target = Ignore; // memberships and links carry no data; a nameless column has no name
        mapping.columns.append(column);
    }
    return mapping;
}

void ImportMapping::inferTypes(const QList<QStringList> &sample)
{
    // Column i reads cell i: the mapping is the one defaults() made from the same headers (a
    // loaded mapping file or --map only change targets and types in place). Columns that are not
    // prop./meta. get a type too, so it is ready if an override later makes them one.
    for (qsizetype i = 0; i < columns.size(); ++i) {
        Column &column = columns[i];
        if (column.typeSet)
            continue;
        int votes = VotesNumber | VotesBool | VotesDate;
        bool voted = false;
        for (const QStringList &row : sample) {
            if (i >= row.size())
                continue;
            const QString cell = row.at(i).trimmed();
            if (cell.isEmpty())
                continue;
            voted = true;
            votes &= votesOf(cell);
            if (votes == 0)
                break;
        }
        if (!voted)
            column.type = TypedValue::Type::String;
        else if (votes & VotesNumber)
            column.type = TypedValue::Type::Number;
        else if (votes & VotesBool)
            column.type = TypedValue::Type::Boolean;
        else if (votes & VotesDate)
            column.type = TypedValue::Type::DateTime;
        else
            column.type = TypedValue::Type::String;
    }
}

bool ImportMapping::applyOverride(const QString &spec, QString *error)
{
    // Split at the last '=': a header may hold '=' ("a=b"), a target never does (a property
    // whose name holds '=' needs a mapping file).
    const qsizetype equals = spec.lastIndexOf(QLatin1Char('='));
    if (equals < 0) {
        *error = QStringLiteral("expected COLUMN=TARGET[:TYPE], e.g. plan=prop.plan:string");
        return false;
    }
    const QString name = spec.left(equals);
    QString targetText = spec.mid(equals + 1);

    // Like NAME[:TYPE]=VALUE, the type follows the last ':'; a property named "utm:source"
    // therefore needs its type spelled out: prop.utm:source:string.
    TypedValue::Type type = TypedValue::Type::String;
    bool typeSet = false;
    const qsizetype colon = targetText.lastIndexOf(QLatin1Char(':'));
    if (colon >= 0) {
        if (!parseType(targetText.mid(colon + 1), &type, error))
            return false;
        typeSet = true;
        targetText = targetText.left(colon);
    }
    QString target;
    if (!normalizeTarget(targetText, &target, error))
        return false;
    if (!checkType(target, type, typeSet, error))
        return false;

    const qsizetype index = findColumn(columns, name, 0);
    if (index < 0) {
        QStringList names;
        for (const Column &column : std::as_const(columns))
            names.append(column.column);
        *error = QStringLiteral("no column '%1' in the file (its columns: %2)")
                     .arg(name, names.join(QLatin1String(", ")));
        return false;
    }
    Column &column = columns[index];
    column.target = target;
    if (typeSet) {
        column.type = type;
        column.typeSet = true;
    } else if (!takesType(target)) {
        column.typeSet = false;
    }
    // Without a TYPE a prop./meta. column keeps the type it had (inferred or chosen before), so
    // renaming a property does not lose its type.
    return true;
}

bool ImportMapping::check(ImportKind::Kind kind, QString *error) const
{
    const QStringList fixed = fixedTargetsOf(kind);
    const QString prefix = dataPrefixOf(kind);
    const QString kindName = ImportKind::name(kind);
    QStringList seen;
    for (const Column &column : columns) {
        const QString &target = column.target;
        if (!isTarget(target)) {
            *error = QStringLiteral("column '%1': unknown target '%2' (use %3)")
                         .arg(column.column, target, targetList());
            return false;
        }
        if (target == Ignore)
            continue;
        const bool applies = fixed.contains(target) || (!prefix.isEmpty() && target.startsWith(prefix));
        if (!applies) {
            QStringList allowed = fixed;
            if (!prefix.isEmpty())
                allowed.append(prefix + QLatin1String("NAME"));
            allowed.append(Ignore);
            *error = QStringLiteral("column '%1': target '%2' does not apply to %3 (use %4)")
                         .arg(column.column, target, kindName, allowed.join(QLatin1String(", ")));
            return false;
        }
        QString typeError;
        if (!checkType(target, column.type, column.typeSet, &typeError)) {
            *error = QStringLiteral("column '%1': %2").arg(column.column, typeError);
            return false;
        }
        // Two columns for one target would have one silently overwrite the other, row by row.
        if (seen.contains(target)) {
            *error =
                QStringLiteral("column '%1': target '%2' is already mapped from another column (map one of "
                               "them to ignore)")
                    .arg(column.column, target);
            return false;
        }
        seen.append(target);
    }

    const auto has = [&seen](const QString &target) { return seen.contains(target); };
    const bool user = has(QStringLiteral("userId")) || has(QStringLiteral("email"));
    const bool account = has(QStringLiteral("accountId")) || has(QStringLiteral("domain"));
    switch (kind) {
    case ImportKind::Kind::Users:
        if (!user) {
            *error = QStringLiteral("users need a userId or an email column");
            return false;
        }
        break;
    case ImportKind::Kind::Accounts:
        if (!account) {
            *error = QStringLiteral("accounts need an accountId or a domain column");
            return false;
        }
        break;
    case ImportKind::Kind::Memberships:
        if (!account) {
            *error = QStringLiteral("memberships need an accountId or a domain column");
            return false;
        }
        if (!user) {
            *error = QStringLiteral("memberships need a userId or an email column");
            return false;
        }
        break;
    case ImportKind::Kind::Events:
        if (!has(QStringLiteral("name"))) {
            *error =
                QStringLiteral("events need a name column (the event name; map one with --map COLUMN=name)");
            return false;
        }
        if (!user && !account) {
            *error = QStringLiteral("events need a userId, email, accountId or domain column");
            return false;
        }
        break;
    case ImportKind::Kind::Links:
        if (!has(QStringLiteral("deviceId"))) {
            *error = QStringLiteral("links need a deviceId column");
            return false;
        }
        if (!user) {
            *error = QStringLiteral("links need a userId or an email column");
            return false;
        }
        break;
    }
    return true;
}

bool ImportMapping::save(const QString &path, QString *error) const
{
    // QSaveFile: an interrupted save leaves the previous mapping file, never half of one.
    QSaveFile file(path);
    if (!PrivateFile::openForWriting(&file, error))
        return false;
    file.write(toJson().toUtf8());
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ImportMapping::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    QString parseError;
    if (!fromJson(QString::fromUtf8(file.readAll()), &parseError)) {
        *error = QStringLiteral("%1: %2").arg(path, parseError);
        return false;
    }
    return true;
}

QString ImportMapping::toJson() const
{
    QJsonArray array;
    for (const Column &column : columns) {
        QJsonObject entry{{QLatin1String("column"), column.column}, {QLatin1String("target"), column.target}};
        // Only a type the user chose: an inferred one is inferred again from the next file.
        if (column.typeSet && takesType(column.target))
            entry.insert(QLatin1String("type"), TypedValue::typeName(column.type));
        array.append(entry);
    }
    return QString::fromUtf8(QJsonDocument(QJsonObject{{QLatin1String("columns"), array}}).toJson());
}

bool ImportMapping::fromJson(const QString &json, QString *error)
{
    QJsonDocument document;
    JsonSyntaxError syntaxError;
    if (!JsonSyntaxError::parse(json, &document, &syntaxError)) {
        *error = QStringLiteral("not valid JSON, %1").arg(syntaxError.describe());
        return false;
    }
    if (!document.isObject() || !document.object().value(QLatin1String("columns")).isArray()) {
        *error = QStringLiteral(
            "expected {\"columns\": [{\"column\": ..., \"target\": ..., \"type\": ...}, ...]}");
        return false;
    }

    // Everything is read and checked before anything changes: a bad entry leaves the mapping as it was.
    const QJsonArray array = document.object().value(QLatin1String("columns")).toArray();
    QList<Column> entries;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("columns[%1]").arg(i);
        const QJsonObject object = array.at(i).toObject();
        const QJsonValue name = object.value(QLatin1String("column"));
        const QJsonValue target = object.value(QLatin1String("target"));
        const QJsonValue type = object.value(QLatin1String("type"));
        if (!array.at(i).isObject() || !name.isString() || !target.isString()) {
            *error =
                QStringLiteral("%1: expected an object with a \"column\" and a \"target\" string").arg(where);
            return false;
        }
        Column entry;
        entry.column = name.toString();
        QString entryError;
        if (!normalizeTarget(target.toString(), &entry.target, &entryError)) {
            *error = QStringLiteral("%1 (%2): %3").arg(where, entry.column, entryError);
            return false;
        }
        if (!type.isUndefined() && !type.isNull()) {
            if (!type.isString() || !parseType(type.toString(), &entry.type, &entryError) ||
                !checkType(entry.target, entry.type, true, &entryError)) {
                if (!type.isString())
                    entryError = QStringLiteral("\"type\" must be a string");
                *error = QStringLiteral("%1 (%2): %3").arg(where, entry.column, entryError);
                return false;
            }
            entry.typeSet = true;
        }
        entries.append(entry);
    }

    // Columns named in the file replace the mapping's (the n-th entry of a name the n-th column
    // of that name); columns the file does not name keep their defaults; unknown ones are added.
    QHash<QString, int> occurrences;
    for (const Column &entry : std::as_const(entries)) {
        const qsizetype index = findColumn(columns, entry.column, occurrences[entry.column]++);
        if (index < 0) {
            columns.append(entry);
            continue;
        }
        Column &column = columns[index];
        column.target = entry.target;
        if (entry.typeSet) {
            column.type = entry.type;
            column.typeSet = true;
        } else {
            // An entry without a type keeps the type inferred from this file's sample.
            column.typeSet = false;
        }
    }
    return true;
}

bool ImportMapping::isTarget(const QString &target)
{
    if (target == Ignore || fixedTargets().contains(target))
        return true;
    for (const QString &prefix : {PropPrefix, MetaPrefix}) {
        if (target.startsWith(prefix) && !target.mid(prefix.size()).trimmed().isEmpty())
            return true;
    }
    return false;
}

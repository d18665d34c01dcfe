#include "import/ImportRowChecker.h"

#include "api/RequestValidator.h"
#include "import/ImportRequestWriter.h"

#include <QJsonArray>

namespace {

void checkUser(QStringView userId, QStringView email, const QString &path, QMap<QString, QString> *errors)
{
    if (userId.isEmpty() && email.isEmpty())
        errors->insert(path, RequestValidator::identificationMissingMessage(false));
    else if (!email.isEmpty() && !RequestValidator::isEmail(email))
        errors->insert(path + QLatin1String(".email"), RequestValidator::notEmailMessage(email));
}

void checkAccount(QStringView accountId, QStringView domain, const QString &path,
                  QMap<QString, QString> *errors)
{
    if (accountId.isEmpty() && domain.isEmpty())
        errors->insert(path, RequestValidator::identificationMissingMessage(true));
    else if (!domain.isEmpty() && !RequestValidator::isDomain(domain.toString()))
        errors->insert(path + QLatin1String(".domain"), RequestValidator::notDomainMessage(domain));
}

} // namespace

QString ImportRowChecker::cellError(QStringView cell, const QString &message)
{
    const QString quoted = QLatin1Char('\'') + cell.toString() + QLatin1Char('\'');
    return message.contains(quoted) ? message : QStringLiteral("%1: %2").arg(quoted, message);
}

ImportRowChecker::ImportRowChecker(const ImportRowPlan &plan) : m_plan(plan) {}

void ImportRowChecker::checkBodySize(const ImportRecord &record, QMap<QString, QString> *errors) const
{
    // The body's size without writing it: a cell's character is at most 6 bytes of JSON ("\u001f"),
    // a property name too, and its quotes, colon, comma and a number's longest text fit in 32. Only
    // a row that could be over the limit by that bound (rare: a cell of ~170,000 characters) is
    // written, as it would be sent, and measured.
    qint64 bound = 256;
    for (const QString &value : record.values)
        bound += 6 * value.size() + 32;
    for (const ImportRowPlan::Column &slot : m_plan.columns())
        bound += 6 * slot.name.size() + 32;
    if (bound <= RequestValidator::MaxBodyBytes)
        return;
    const ImportRequestWriter writer(m_plan);
    const qint64 bytes =
        writer.write(record).size() - ImportRequestWriter::prefix(m_plan.kind().operation()).size() - 1;
    if (bytes > RequestValidator::MaxBodyBytes)
        errors->insert(QStringLiteral("body"), RequestValidator::bodyTooLargeMessage(bytes));
}

ImportRowChecker::ImportRowChecker(const ImportKind &kind, const ImportMapping &mapping,
                                   const QStringList &headers)
    : m_plan(kind, mapping, headers)
{}

bool ImportRowChecker::check(const ImportRecord &record, QMap<QString, QString> *errors) const
{
    errors->clear();
    // A row the reader could not read as it should may have its cells in the wrong columns.
    if (!record.error.isEmpty()) {
        errors->insert(QStringLiteral("row"), record.error);
        return false;
    }
    const ImportRowPlan::Identifiers ids = m_plan.identifiers(record);
    bool blankPropertyName = false;
    bool blankMetadataName = false;
    QString error;
    for (const ImportRowPlan::Column &slot : m_plan.columns()) {
        if (slot.role != ImportRowPlan::Role::Property && slot.role != ImportRowPlan::Role::Metadata)
            continue;
        const QStringView cell = ImportRowPlan::cell(slot, record);
        const bool blank = cell.trimmed().isEmpty();
        // A blank cell is left out rather than sent as "", unless its type says to send one.
        if (blank && !slot.sendsBlank)
            continue;
        if (!TypedValue::checkText(slot.type, blank ? QStringView() : cell, &error))
            errors->insert(slot.errorPath, cellError(cell, error));
        else if (slot.role == ImportRowPlan::Role::Metadata && slot.type == TypedValue::Type::List)
            errors->insert(slot.errorPath, RequestValidator::metadataTypeMessage(QJsonArray()));
        else if (slot.nameIsBlank)
            (slot.role == ImportRowPlan::Role::Property ? blankPropertyName : blankMetadataName) = true;
    }

    const QString identification = QStringLiteral("identification");
    switch (m_plan.kind().kind) {
    case ImportKind::Kind::Users:
        checkUser(ids.userId, ids.email, identification, errors);
        break;
    case ImportKind::Kind::Accounts:
        checkAccount(ids.accountId, ids.domain, identification, errors);
        break;
    case ImportKind::Kind::Memberships:
        checkAccount(ids.accountId, ids.domain, QStringLiteral("account"), errors);
        checkUser(ids.userId, ids.email, QStringLiteral("users.0.identification"), errors);
        break;
    case ImportKind::Kind::Events:
        if (ids.name.isEmpty())
            errors->insert(QStringLiteral("name"), RequestValidator::requiredMessage());
        if (ids.userId.isEmpty() && ids.email.isEmpty() && ids.accountId.isEmpty() && ids.domain.isEmpty())
            errors->insert(identification, RequestValidator::eventIdentificationMissingMessage());
        if (!ids.userId.isEmpty() || !ids.email.isEmpty())
            checkUser(ids.userId, ids.email, QStringLiteral("identification.user"), errors);
        if (!ids.accountId.isEmpty() || !ids.domain.isEmpty())
            checkAccount(ids.accountId, ids.domain, QStringLiteral("identification.account"), errors);
        if (!ids.triggeredAt.isEmpty() && !TypedValue::isIso8601(ids.triggeredAt))
            errors->insert(QStringLiteral("triggeredAt"),
                           RequestValidator::notIso8601Message(ids.triggeredAt));
        break;
    case ImportKind::Kind::Links:
        if (ids.deviceId.isEmpty())
            errors->insert(QStringLiteral("deviceId"), RequestValidator::requiredMessage());
        checkUser(ids.userId, ids.email, identification, errors);
        break;
    }
    if (blankPropertyName)
        errors->insert(QStringLiteral("properties"), RequestValidator::emptyPropertyNameMessage());
    if (blankMetadataName)
        errors->insert(QStringLiteral("metadata"), RequestValidator::emptyMetadataNameMessage());
    if (errors->isEmpty())
        checkBodySize(record, errors);
    return errors->isEmpty();
}

#pragma once

#include "import/ImportRowPlan.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

class ImportKind;
class ImportMapping;
class ImportRecord;

// The pre-flight check of import rows, made straight from the cells: the errors are exactly those
// ImportRowBuilder::build followed by RequestValidator::validate give for the row (same field paths,
// same messages; tst_ImportRowChecker compares the two on many rows), without building a request
// and reading it back, which cost ten times more than reading the file. The mapping is resolved
// against the headers once (ImportRowPlan); check() then runs for every row of the file.
class ImportRowChecker
{
public:
    explicit ImportRowChecker(const ImportRowPlan &plan);
    ImportRowChecker(const ImportKind &kind, const ImportMapping &mapping, const QStringList &headers);

    // Fills *errors (field path, or "row" -> message) and returns true when the row has none.
    bool check(const ImportRecord &record, QMap<QString, QString> *errors) const;

    // A conversion error that names the row's value: TypedValue's messages for numbers, booleans and
    // dates already quote it; the others ("list items must not be empty") get it in front.
    static QString cellError(QStringView cell, const QString &message);

private:
    // A valid row whose request body would be over RequestValidator::MaxBodyBytes: a "body" error.
    void checkBodySize(const ImportRecord &record, QMap<QString, QString> *errors) const;

    ImportRowPlan m_plan;
};

#pragma once

#include "import/ImportRowPlan.h"

#include <QByteArray>

class ImportRecord;

// Writes the request of a row that passed ImportRowChecker as the JSON text the import journal
// keeps, {"operation": ..., "query": "", "body": {...}} in that order, straight from the cells. It is the
// request ImportRowBuilder builds (tst_ImportRowChecker parses the text back and compares the two on many
// rows), without a QJsonObject per row and its serialization, which made journaling a file cost
// five times more than checking it. Rows with problems are not written here (their cells may not
// convert); the journal gets those from ImportRowBuilder.
class ImportRequestWriter
{
public:
    explicit ImportRequestWriter(const ImportRowPlan &plan);

    QByteArray write(const ImportRecord &record) const;
    // What every text written for the operation starts with; the body follows, then a final '}'.
    // BulkImporter sends a row whose text has this shape as it is, without reading it back (no
    // other writer puts "operation" first: QJsonDocument sorts the keys).
    static QByteArray prefix(Operation operation);

private:
    ImportRowPlan m_plan;
    QByteArray m_prefix;
};

#pragma once

#include "import/ImportReader.h"

#include <memory>

class QIODevice;

// Picks the reader for an import file by its name: JSON Lines for .jsonl and .ndjson, CSV for
// everything else (.csv, .tsv, .txt, no extension), since CsvReader finds the delimiter itself.
class ImportFileReader
{
public:
    static std::unique_ptr<ImportReader> create(QIODevice *device, const QString &fileName);
    static bool isJsonLines(const QString &fileName);
};

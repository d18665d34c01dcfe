#include "import/ImportFileReader.h"

#include "import/CsvReader.h"
#include "import/JsonLinesReader.h"

bool ImportFileReader::isJsonLines(const QString &fileName)
{
    return fileName.endsWith(QLatin1String(".jsonl"), Qt::CaseInsensitive) ||
           fileName.endsWith(QLatin1String(".ndjson"), Qt::CaseInsensitive);
}

std::unique_ptr<ImportReader> ImportFileReader::create(QIODevice *device, const QString &fileName)
{
    if (isJsonLines(fileName))
        return std::make_unique<JsonLinesReader>(device);
    return std::make_unique<CsvReader>(device);
}

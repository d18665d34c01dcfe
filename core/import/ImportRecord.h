#pragma once

#include <QString>
#include <QStringList>

// One data row of an import file, with where it came from, so every report can point at a line.
class ImportRecord
{
public:
    qint64 number = 0;  // 1-based data row (the header is not a row)
    qint64 line = 0;    // 1-based line of the file where the row starts
    QStringList values; // one per header column
    QString error;      // a row that could not be read as it should (ragged, invalid UTF-8); empty if fine
};

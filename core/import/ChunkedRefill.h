#pragma once

#include <QByteArray>
#include <QString>

class QIODevice;

// The buffer refill both streaming import readers share: keep only the row being read (moved to
// the front), then read a chunk, or as much again as is pending when a row is long, so a long row
// is refilled a logarithmic number of times and memory stays bounded by the longest row.
class ChunkedRefill
{
public:
    static constexpr qsizetype ChunkBytes = 64 * 1024;

    // rowStart and scanPos index into buffer and are moved with it; bufferOffset is the file
    // offset of buffer[0]; atEnd turns true when the device has no more. False with *error when
    // the device cannot be read.
    static bool refill(QIODevice *device, QByteArray &buffer, qsizetype &rowStart, qsizetype &scanPos,
                       qint64 &bufferOffset, bool &atEnd, QString *error);
    // "16 MiB" or "1000 bytes", for the row-size guard's messages.
    static QString sizeText(qsizetype bytes);
};

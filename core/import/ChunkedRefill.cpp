#include "import/ChunkedRefill.h"

#include <QIODevice>

#include <algorithm>
#include <cstring>

bool ChunkedRefill::refill(QIODevice *device, QByteArray &buffer, qsizetype &rowStart, qsizetype &scanPos,
                           qint64 &bufferOffset, bool &atEnd, QString *error)
{
    const qsizetype pending = buffer.size() - rowStart;
    if (rowStart > 0) {
        if (pending > 0)
            std::memmove(buffer.data(), buffer.constData() + rowStart, size_t(pending));
        buffer.resize(pending); // shrinking keeps the capacity for the next read
        // ...unless a long row made it large: then let it go, so that one long row does not keep
        // its memory for the rest of the file.
        if (buffer.capacity() > 8 * ChunkBytes && pending < ChunkBytes)
            buffer.squeeze();
        bufferOffset += rowStart;
        scanPos -= rowStart;
        rowStart = 0;
    }
    const qsizetype want = std::max(ChunkBytes, pending);
    buffer.resize(pending + want);
    qint64 got = device->read(buffer.data() + pending, want);
    // Pipes and sockets may have nothing yet without being at their end; files block in read().
    while (got == 0 && device->isSequential() && device->waitForReadyRead(-1))
        got = device->read(buffer.data() + pending, want);
    if (got < 0) {
        buffer.resize(pending);
        *error = QStringLiteral("cannot read the file: %1").arg(device->errorString());
        return false;
    }
    buffer.resize(pending + qsizetype(got));
    if (got == 0)
        atEnd = true;
    return true;
}

QString ChunkedRefill::sizeText(qsizetype bytes)
{
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        return QStringLiteral("%1 MiB").arg(bytes / (1024 * 1024));
    return QStringLiteral("%1 bytes").arg(bytes);
}

#include "support/TrickleDevice.h"

#include <algorithm>
#include <cstring>

TrickleDevice::TrickleDevice(const QByteArray &data) : m_data(data)
{
    open(QIODevice::ReadOnly);
}

qint64 TrickleDevice::bytesAvailable() const
{
    return m_data.size() - m_pos + QIODevice::bytesAvailable();
}

qint64 TrickleDevice::readData(char *data, qint64 maxSize)
{
    // Boundaries fall at every offset of short inputs.
    const qint64 n = std::min<qint64>({maxSize, m_data.size() - m_pos, m_step % 7 + 1});
    ++m_step;
    std::memcpy(data, m_data.constData() + m_pos, size_t(n));
    m_pos += n;
    return n;
}

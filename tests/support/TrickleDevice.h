#pragma once

#include <QByteArray>
#include <QIODevice>

// A pipe-like device that hands out a few bytes per read (1, 2, ... 7, 1, ...), so that every row,
// quote, line end and UTF-8 sequence of a test input gets split across a reader's refills somewhere.
class TrickleDevice : public QIODevice
{
public:
    explicit TrickleDevice(const QByteArray &data);
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_pos = 0;
    qint64 m_step = 0;
};

#pragma once

#include "store/SecretStore.h"

#include <QHash>

// A SecretStore in memory, for unit tests and for simulating a missing keychain service.
class MemorySecretStore : public SecretStore
{
    Q_OBJECT
public:
    explicit MemorySecretStore(QObject *parent = nullptr);

    // Makes every call fail as a machine without a keychain service does.
    void setAvailable(bool available) { m_available = available; }

    void read(const QString &name, Callback done) override;
    void write(const QString &name, const QByteArray &secret, Callback done) override;
    void remove(const QString &name, Callback done) override;

private:
    void answer(Callback done, const Result &result);

    QHash<QString, QByteArray> m_secrets;
    bool m_available = true;
};

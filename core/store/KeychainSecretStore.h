#pragma once

#include "store/SecretStore.h"

#include <QQueue>

// The OS keychain through QtKeychain: Secret Service on Linux, Keychain on macOS, Credential
// Manager on Windows. Jobs run one at a time (QtKeychain's backends do not like overlap); there
// is no plaintext fallback: without a keychain service every call fails with NoBackend.
class KeychainSecretStore : public SecretStore
{
    Q_OBJECT
public:
    explicit KeychainSecretStore(QObject *parent = nullptr);

    void read(const QString &name, Callback done) override;
    void write(const QString &name, const QByteArray &secret, Callback done) override;
    void remove(const QString &name, Callback done) override;

    // The service name and the prefix of every entry. Windows ignores the service, so the
    // entry names themselves carry it to stay globally unique.
    static QString service();

private:
    enum class Kind
    {
        Read,
        Write,
        Remove
    };
    class Pending
    {
    public:
        Kind kind;
        QString name;
        QByteArray secret;
        Callback done;
    };

    void enqueue(Pending pending);
    void startNext();

    QQueue<Pending> m_queue;
    bool m_busy = false;
};

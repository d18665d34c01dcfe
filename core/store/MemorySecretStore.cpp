#include "store/MemorySecretStore.h"

#include <QTimer>

MemorySecretStore::MemorySecretStore(QObject *parent) : SecretStore(parent) {}

void MemorySecretStore::answer(Callback done, const Result &result)
{
    // Asynchronous like a real keychain, so callers cannot come to rely on an immediate answer.
    QTimer::singleShot(0, this, [done, result] { done(result); });
}

void MemorySecretStore::read(const QString &name, Callback done)
{
    Result result;
    if (!m_available) {
        result.error = Error::NoBackend;
        result.message = QStringLiteral("No keychain service is available");
    } else if (!m_secrets.contains(name)) {
        result.error = Error::NotFound;
        result.message = QStringLiteral("No secret stored under %1").arg(name);
    } else {
        result.secret = m_secrets.value(name);
    }
    answer(done, result);
}

void MemorySecretStore::write(const QString &name, const QByteArray &secret, Callback done)
{
    Result result;
    if (!m_available) {
        result.error = Error::NoBackend;
        result.message = QStringLiteral("No keychain service is available");
    } else {
        m_secrets.insert(name, secret);
    }
    answer(done, result);
}

void MemorySecretStore::remove(const QString &name, Callback done)
{
    Result result;
    if (!m_available) {
        result.error = Error::NoBackend;
        result.message = QStringLiteral("No keychain service is available");
    } else {
        m_secrets.remove(name);
    }
    answer(done, result);
}

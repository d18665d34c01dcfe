#include "store/KeychainSecretStore.h"

#include <qt6keychain/keychain.h>

KeychainSecretStore::KeychainSecretStore(QObject *parent) : SecretStore(parent) {}

QString KeychainSecretStore::service()
{
    return QStringLiteral("journy-console");
}

void KeychainSecretStore::read(const QString &name, Callback done)
{
    enqueue({Kind::Read, name, QByteArray(), std::move(done)});
}

void KeychainSecretStore::write(const QString &name, const QByteArray &secret, Callback done)
{
    enqueue({Kind::Write, name, secret, std::move(done)});
}

void KeychainSecretStore::remove(const QString &name, Callback done)
{
    enqueue({Kind::Remove, name, QByteArray(), std::move(done)});
}

void KeychainSecretStore::enqueue(Pending pending)
{
    m_queue.enqueue(std::move(pending));
    if (!m_busy)
        startNext();
}

namespace {

SecretStore::Result resultOf(const QKeychain::Job &job, const QString &name)
{
    SecretStore::Result result;
    switch (job.error()) {
    case QKeychain::NoError:
        return result;
    case QKeychain::EntryNotFound:
        result.error = SecretStore::Error::NotFound;
        result.message = QStringLiteral("No secret stored for %1 in the keychain").arg(name);
        return result;
    case QKeychain::AccessDenied:
    case QKeychain::AccessDeniedByUser:
        result.error = SecretStore::Error::AccessDenied;
        result.message = QStringLiteral("The keychain refused access: %1").arg(job.errorString());
        return result;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
        // On Linux without a Secret Service daemon, QtKeychain reports OtherError although
        // isAvailable() said yes: it means the same thing as NoBackendAvailable.
        result.error = SecretStore::Error::NoBackend;
        result.message =
            QStringLiteral(
                "No keychain service is available, or it failed (%1). On Linux, start a Secret "
                "Service such as gnome-keyring or KWallet; keys are never stored in a file instead")
                .arg(job.errorString());
        return result;
    case QKeychain::CouldNotDeleteEntry:
        break;
    }
    result.error = SecretStore::Error::Other;
    result.message = QStringLiteral("Keychain error: %1").arg(job.errorString());
    return result;
}

} // namespace

void KeychainSecretStore::startNext()
{
    if (m_queue.isEmpty()) {
        m_busy = false;
        return;
    }
    m_busy = true;
    Pending pending = m_queue.dequeue();
    const QString entry = service() + QLatin1Char('/') + pending.name;

    QKeychain::Job *job = nullptr;
    switch (pending.kind) {
    case Kind::Read:
        job = new QKeychain::ReadPasswordJob(service(), this);
        break;
    case Kind::Write: {
        auto *write = new QKeychain::WritePasswordJob(service(), this);
        write->setBinaryData(pending.secret);
        job = write;
        break;
    }
    case Kind::Remove:
        job = new QKeychain::DeletePasswordJob(service(), this);
        break;
    }
    job->setKey(entry);
    job->setAutoDelete(true);
    job->setInsecureFallback(false); // never a plaintext file
    connect(job, &QKeychain::Job::finished, this, [this, pending](QKeychain::Job *finished) {
        SecretStore::Result result = resultOf(*finished, pending.name);
        if (pending.kind == Kind::Read && result.ok())
            result.secret = static_cast<QKeychain::ReadPasswordJob *>(finished)->binaryData();
        // Removing what is not there is what the caller wanted.
        if (pending.kind == Kind::Remove && result.error == SecretStore::Error::NotFound)
            result = SecretStore::Result();
        pending.done(result);
        startNext();
    });
    job->start();
}

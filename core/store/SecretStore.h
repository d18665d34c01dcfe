#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

// Where API keys and verification secrets live: the OS keychain in the product
// (KeychainSecretStore), memory in unit tests (MemorySecretStore). Never a file. Every call
// answers asynchronously, so nothing ever blocks a UI on a keychain prompt.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    enum class Error
    {
        None,
        NotFound,
        NoBackend,    // no keychain service (on Linux: no Secret Service on the session bus)
        AccessDenied, // the user or the OS refused
        Other,
    };

    class Result
    {
    public:
        Error error = Error::None;
        QByteArray secret; // read() only
        QString message;   // for the user when error != None

        bool ok() const { return error == Error::None; }
    };
    using Callback = std::function<void(const Result &)>;

    using QObject::QObject;

    virtual void read(const QString &name, Callback done) = 0;
    virtual void write(const QString &name, const QByteArray &secret, Callback done) = 0;
    virtual void remove(const QString &name, Callback done) = 0;
};

#include "api/IdentityVerifier.h"

#include <QMessageAuthenticationCode>

QString IdentityVerifier::sign(const QString &id, const QByteArray &secret)
{
    return QString::fromLatin1(
        QMessageAuthenticationCode::hash(id.toUtf8(), secret, QCryptographicHash::Sha256).toHex());
}

bool IdentityVerifier::verify(const QString &id, const QByteArray &secret, const QString &hexHash)
{
    const QByteArray expected = sign(id, secret).toLatin1();
    const QByteArray given = hexHash.trimmed().toLower().toLatin1();
    if (given.size() != expected.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(expected.at(i) ^ given.at(i));
    return difference == 0;
}

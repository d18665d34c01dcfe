#pragma once

#include <QByteArray>
#include <QString>

// journy.io's identity verification for the frontend snippet: the hex HMAC-SHA256 of a user or
// account ID, keyed with the website's secret.
class IdentityVerifier
{
public:
    static QString sign(const QString &id, const QByteArray &secret);
    // Compares in constant time, so a verifier exposed to users does not leak the hash byte by byte.
    // Hex case is ignored; a hash of the wrong length is simply not equal.
    static bool verify(const QString &id, const QByteArray &secret, const QString &hexHash);
};

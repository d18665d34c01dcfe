#pragma once

#include "api/ApiOperation.h"
#include "api/ApiRequest.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

// What a customer sent a support engineer — a curl command (bash or Windows cmd quoting, as
// browsers copy it, or as History's "Copy as curl" writes it), a raw HTTP/1.1 request, a HAR file,
// or a bare JSON body — read back into the journy.io requests it makes, without sending anything.
// The customer's API key is never kept: an Item carries only a fingerprint of it, so a support
// engineer can tell whether two pastes used the same key without anyone being able to reuse it.
class PastedRequest
{
public:
    struct Item
    {
        ApiRequest request;
        QString source;    // "curl", "http", "har", "json"
        QByteArray method; // as given; empty for a bare JSON body
        QUrl url;          // as given, user-info and key removed; empty for a bare JSON body
        // "sha256:" and the first 8 hex digits of the key's SHA-256, when the paste carried a
        // literal key; empty when it carried none or a shell variable ($JOURNY_API_KEY).
        QString keyFingerprint;
        QStringList notes; // what was guessed, dropped or ignored, for the reader to check
    };

    // Reads text in whichever of the four formats it is. chosen is the operation for a bare JSON
    // body, or for a curl command or HTTP request whose URL is not a journy.io route; without it
    // a bare body's operation is guessed from its shape. False with *error naming what could not
    // be read; *items is then left empty.
    static bool read(const QByteArray &text, QList<Item> *items, QString *error,
                     std::optional<Operation> chosen = std::nullopt);

    // The fingerprint keyFingerprint holds for a key.
    static QString fingerprint(const QByteArray &key);
};

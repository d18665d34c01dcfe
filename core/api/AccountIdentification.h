#pragma once

#include <QJsonObject>
#include <QString>

// Which account a call is about: journy.io needs an accountId, a domain or both. Empty fields are
// left out of the JSON.
class AccountIdentification
{
public:
    QString accountId;
    QString domain;

    bool isEmpty() const { return accountId.isEmpty() && domain.isEmpty(); }
    QJsonObject toJson() const;
    static AccountIdentification fromJson(const QJsonObject &json);
    QString describe() const;
};

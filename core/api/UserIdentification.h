#pragma once

#include <QJsonObject>
#include <QString>

// Who a call is about: journy.io needs a userId, an email or both. Empty fields are left out
// of the JSON, so a form's blank field never sends "".
class UserIdentification
{
public:
    QString userId;
    QString email;

    bool isEmpty() const { return userId.isEmpty() && email.isEmpty(); }
    QJsonObject toJson() const;
    static UserIdentification fromJson(const QJsonObject &json);
    // "userId u1 / email a@b.c", for confirmations and history.
    QString describe() const;
};

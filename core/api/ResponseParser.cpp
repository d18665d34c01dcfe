#include "api/ResponseParser.h"

#include "api/ApiOperation.h"
#include "api/ApiResult.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace {

// errors.fields is flat in the spec ("identification.userId": "..."), but nested objects are
// flattened too so that no message is lost whatever shape a server uses.
void flatten(const QString &prefix, const QJsonValue &value, QMap<QString, QString> *out)
{
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            flatten(prefix.isEmpty() ? it.key() : prefix + QLatin1Char('.') + it.key(), it.value(), out);
        return;
    }
    if (value.isString())
        out->insert(prefix, value.toString());
    else
        out->insert(prefix, QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact))
                                .mid(1)
                                .chopped(1));
}

QString preview(const QByteArray &body)
{
    QString text = QString::fromUtf8(body.left(120)).simplified();
    if (body.size() > 120)
        text += QStringLiteral("…");
    return text;
}

bool looksLikeMarkup(const QByteArray &body, const QByteArray &contentType)
{
    return contentType.toLower().contains("html") || body.trimmed().startsWith('<');
}

} // namespace

void ResponseParser::parseBody(ApiResult *result, const QByteArray &body, const QByteArray &contentType)
{
    using Failure = ApiResult::Failure;
    const QByteArray trimmed = body.trimmed();
    if (trimmed.isEmpty()) {
        // removeUserFromAccount declares 204 with a JSON body; real 204s usually carry none.
        if (result->httpStatus == 204)
            return;
        result->failure = Failure::NonJsonBody;
        result->failureDetail =
            QStringLiteral("HTTP %1 came with an empty body instead of JSON").arg(result->httpStatus);
        return;
    }

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError) {
        if (looksLikeMarkup(body, contentType)) {
            result->failure = Failure::NonJsonBody;
            result->failureDetail =
                QStringLiteral("HTTP %1 answered %2 instead of JSON: %3")
                    .arg(result->httpStatus)
                    .arg(contentType.isEmpty() ? QStringLiteral("markup") : QString::fromLatin1(contentType),
                         preview(body));
            return;
        }
        // A parser that ran off the end of the input was reading JSON that stopped too early.
        qsizetype end = body.size();
        while (end > 0 && QChar::isSpace(static_cast<unsigned char>(body.at(end - 1))))
            --end;
        const bool ranOut = error.offset >= end - 1 || error.error == QJsonParseError::UnterminatedObject ||
                            error.error == QJsonParseError::UnterminatedArray ||
                            error.error == QJsonParseError::UnterminatedString;
        const bool jsonStart = trimmed.startsWith('{') || trimmed.startsWith('[');
        result->failure = ranOut && jsonStart ? Failure::TruncatedBody : Failure::NonJsonBody;
        result->failureDetail = QStringLiteral("%1 (%2 at byte %3 of %4): %5")
                                    .arg(result->failure == Failure::TruncatedBody
                                             ? QStringLiteral("The JSON answer stops before its end")
                                             : QStringLiteral("The answer is not JSON"),
                                         error.errorString())
                                    .arg(error.offset)
                                    .arg(body.size())
                                    .arg(preview(body));
        return;
    }
    if (!document.isObject()) {
        result->failure = Failure::UnexpectedShape;
        result->failureDetail = QStringLiteral("The answer is JSON but not an object: %1").arg(preview(body));
        return;
    }

    const QJsonObject object = document.object();
    const QJsonObject meta = object.value(QLatin1String("meta")).toObject();
    result->requestId = meta.value(QLatin1String("requestId")).toString();
    result->message = object.value(QLatin1String("message")).toString();
    result->data = object.value(QLatin1String("data"));

    const QJsonObject rejected = object.value(QLatin1String("rejected")).toObject();
    flatten(QString(), rejected, &result->rejected);

    const QJsonObject errors = object.value(QLatin1String("errors")).toObject();
    flatten(QString(), errors.value(QLatin1String("fields")), &result->errors);
    const QJsonObject parameters = errors.value(QLatin1String("parameters")).toObject();
    for (auto it = parameters.begin(); it != parameters.end(); ++it)
        flatten(QStringLiteral("parameters.") + it.key(), it.value(), &result->errors);
    result->errors.remove(QString()); // an empty "fields": {} flattens to nothing but guard anyway

    if (result->httpStatus >= 200 && result->httpStatus < 300 && !result->dataMatchesSpec()) {
        result->failure = Failure::UnexpectedShape;
        result->failureDetail =
            QStringLiteral("The answer's data does not have the shape the spec declares for %1")
                .arg(ApiOperation::info(result->operation).operationId);
    }
}

#pragma once

#include <QByteArray>

class ApiResult;

// Reads an HTTP answer's body into an ApiResult: meta.requestId, message, data, rejected and
// the 400 error maps flattened to field paths; classifies a body that is not clean JSON.
class ResponseParser
{
public:
    // result->httpStatus must already be set. contentType is the Content-Type header's value.
    static void parseBody(ApiResult *result, const QByteArray &body, const QByteArray &contentType);
};

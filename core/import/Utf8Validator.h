#pragma once

#include <QtGlobal>

// Finds the first byte that breaks UTF-8 (Unicode 15, table 3-7: no overlong forms, no surrogates, nothing
// past U+10FFFF). The import readers check each row's bytes with it before decoding, because
// QString::fromUtf8 silently turns bad bytes into U+FFFD and a wrong value would then be sent.
class Utf8Validator
{
public:
    // The offset of the first byte of the first invalid sequence, or -1 if all of data is valid.
    static qsizetype firstInvalid(const char *data, qsizetype size);
    // True if no byte has its high bit set: such text needs no decoding, only widening.
    static bool isAscii(const char *data, qsizetype size);
};

#include "support/TestFields.h"

#include <QtGlobal>

TypedField TestFields::parse(const QString &spec)
{
    TypedField parsed;
    QString error;
    if (!TypedField::parse(spec, &parsed, &error))
        qFatal("bad typed-value spec in a test: %s", qPrintable(error));
    return parsed;
}

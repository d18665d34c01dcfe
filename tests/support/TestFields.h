#pragma once

#include "api/TypedField.h"

// Typed fields for test data, written in the product's own typed-value syntax.
class TestFields
{
public:
    // The parsed SPEC; a SPEC that does not parse is a broken test, so it aborts.
    static TypedField parse(const QString &spec);
};

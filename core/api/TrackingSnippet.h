#pragma once

#include <QString>

// The answer of GET /tracking/snippet.
class TrackingSnippet
{
public:
    QString domain;
    QString snippet;
};

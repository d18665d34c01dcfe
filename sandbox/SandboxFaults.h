#pragma once

#include "sandbox/SandboxConfig.h"

#include <QRandomGenerator>

// Decides, request by request, which fault (if any) the sandbox injects. Deterministic for a
// given seed and request order, so a failing reliability test can be replayed.
class SandboxFaults
{
public:
    enum class Fault
    {
        None,
        Fail,
        Drop,
        Garble,
        Burst429
    };

    explicit SandboxFaults(const SandboxConfig::Faults &config);

    bool enabled() const { return m_config.any(); }
    Fault next();
    int nextDelayMs();
    // Half the garbled answers are cut short, half are not JSON at all. Either way the request was
    // carried out first: the client cannot tell whether it was, as when an answer breaks on the
    // way back.
    bool nextGarbleIsTruncation();

private:
    SandboxConfig::Faults m_config;
    QRandomGenerator m_random;
    int m_burstLeft = 0;
};

#include "sandbox/SandboxFaults.h"

SandboxFaults::SandboxFaults(const SandboxConfig::Faults &config) : m_config(config), m_random(config.seed) {}

SandboxFaults::Fault SandboxFaults::next()
{
    if (!enabled())
        return Fault::None;
    if (m_burstLeft > 0) {
        --m_burstLeft;
        return Fault::Burst429;
    }
    // One draw per request, cut into the rates' shares (they add up to at most 1), so the rates
    // are fractions of the requests: "fail 0.1 + drop 0.1 + garble 0.1" faults 30 % of them.
    const double draw = m_random.generateDouble();
    double edge = m_config.dropRate;
    if (draw < edge)
        return Fault::Drop;
    edge += m_config.failRate;
    if (draw < edge)
        return Fault::Fail;
    edge += m_config.burstRate;
    if (draw < edge) {
        m_burstLeft = m_config.burstLength - 1;
        return Fault::Burst429;
    }
    edge += m_config.garbleRate;
    if (draw < edge)
        return Fault::Garble;
    return Fault::None;
}

int SandboxFaults::nextDelayMs()
{
    if (m_config.jitterMs <= 0)
        return m_config.latencyMs;
    return m_config.latencyMs + static_cast<int>(m_random.bounded(m_config.jitterMs + 1));
}

bool SandboxFaults::nextGarbleIsTruncation()
{
    return m_random.bounded(2) == 0;
}

#include "SandboxFaults.h"

SandboxFaults::SandboxFaults(const SandboxConfig::Faults &config) : m_config(config), m_random(config.seed) {}

bool SandboxFaults::roll(double rate)
{
    return rate > 0 && m_random.generateDouble() < rate;
}

SandboxFaults::Fault SandboxFaults::next()
{
    if (!enabled())
        return Fault::None;
    if (m_burstLeft > 0) {
        --m_burstLeft;
        return Fault::Burst429;
    }
    // One roll per kind, in a fixed order, keeps the sequence stable when one rate changes.
    const bool drop = roll(m_config.dropRate);
    const bool fail = roll(m_config.failRate);
    const bool garble = roll(m_config.garbleRate);
    const bool burst = roll(m_config.burstRate);
    if (drop)
        return Fault::Drop;
    if (fail)
        return Fault::Fail;
    if (burst) {
        m_burstLeft = m_config.burstLength - 1;
        return Fault::Burst429;
    }
    if (garble)
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

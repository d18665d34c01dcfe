#include "cli/CliProgress.h"

#include <QtGlobal>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {

bool stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr));
#else
    return isatty(STDERR_FILENO);
#endif
}

int plainIntervalMs()
{
    bool ok = false;
    const int ms = qEnvironmentVariableIntValue(CliProgress::PlainIntervalVariable, &ok);
    return ok && ms > 0 ? ms : CliProgress::PlainIntervalMs;
}

} // namespace

bool CliProgress::parseMode(const QString &text, Mode *mode)
{
    if (text == QLatin1String("auto"))
        *mode = Mode::Auto;
    else if (text == QLatin1String("plain"))
        *mode = Mode::Plain;
    else if (text == QLatin1String("none"))
        *mode = Mode::None;
    else
        return false;
    return true;
}

CliProgress::CliProgress(Mode mode, QTextStream &err, LineSource line, QObject *parent)
    : QObject(parent), m_err(err), m_line(std::move(line))
{
    m_enabled = mode != Mode::None;
    m_redraw = mode == Mode::Auto && stderrIsTerminal();
    m_timer.setInterval(m_redraw ? RedrawIntervalMs : plainIntervalMs());
    connect(&m_timer, &QTimer::timeout, this, [this] { print(false); });
}

void CliProgress::start()
{
    if (m_enabled && !m_finished)
        m_timer.start();
}

void CliProgress::finish()
{
    m_timer.stop();
    if (m_enabled && !m_finished)
        print(true);
    m_finished = true;
}

void CliProgress::note(const QString &line)
{
    if (m_finished)
        return;
    if (m_redraw)
        m_err << '\r' << line << "   \n";
    else
        m_err << line << '\n';
    m_err.flush();
}

void CliProgress::print(bool final)
{
    if (m_redraw) {
        // Spaces after the text wipe what a longer previous line left on the terminal.
        m_err << '\r' << m_line(final) << "   ";
        if (final)
            m_err << '\n';
    } else {
        m_err << m_line(final) << '\n';
    }
    m_err.flush();
}

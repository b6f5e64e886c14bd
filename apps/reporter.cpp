#include "reporter.hpp"

#include "hotspot/io/postgis.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace hotspot::app
{

Reporter::Reporter(bool quiet) : m_quiet(quiet), m_tty(::isatty(STDERR_FILENO) != 0)
{
    const char* progress = std::getenv("HOTSPOT_PROGRESS");
    m_lines = progress && std::string_view(progress) == "lines";
}

Reporter::Reporter(std::string* log) : m_quiet(false), m_tty(false), m_log(log) {}

void Reporter::info(const std::string& text) const
{
    const std::string line = io::without_passwords(text);
    if (m_log)
        m_log->append(line).append("\n");
    else if (!m_quiet)
    {
        std::printf("%s\n", line.c_str());
        std::fflush(stdout); // in order with what goes to stderr, also when both are piped
    }
}

void Reporter::warn(const std::string& text) const
{
    const std::string line = io::without_passwords(text);
    if (m_log)
        m_log->append("warning: ").append(line).append("\n");
    else if (!m_quiet)
        std::fprintf(stderr, "warning: %s\n", line.c_str());
}

engine::ProgressFn Reporter::progress(const std::string& label)
{
    if (m_quiet || !(m_tty || m_lines) || m_log)
        return {};
    m_label = label;
    m_shown_percent = -1;
    m_printed_percent = -1;
    m_start = std::chrono::steady_clock::now();
    return [this](double fraction)
    {
        const int percent = static_cast<int>(fraction * 100.0);
        int shown = m_shown_percent.load();
        // Redraw only when the whole percentage moves, from whichever thread gets there first.
        while (percent > shown)
        {
            if (m_shown_percent.compare_exchange_weak(shown, percent))
            {
                std::lock_guard lock(m_mutex);
                if (m_lines)
                {
                    // In order: another thread may have printed a higher figure meanwhile.
                    if (percent <= m_printed_percent)
                        break;
                    m_printed_percent = percent;
                    std::fprintf(stderr, "progress %s %d%%\n", m_label.c_str(), percent);
                    std::fflush(stderr);
                    break;
                }
                const double elapsed =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start)
                        .count();
                if (percent > 0 && elapsed > 0.5)
                    std::fprintf(stderr, "\r%s %3d%%  %.1f s, about %.0f s left   ",
                                 m_label.c_str(), percent, elapsed,
                                 elapsed * (100.0 - percent) / percent);
                else
                    std::fprintf(stderr, "\r%s %3d%%", m_label.c_str(), percent);
                std::fflush(stderr);
                break;
            }
        }
    };
}

void Reporter::done()
{
    if (!m_quiet && m_tty && m_shown_percent >= 0)
    {
        std::fprintf(stderr, "\r%*s\r", static_cast<int>(m_label.size()) + 40, "");
        std::fflush(stderr);
    }
    m_shown_percent = -1;
}

} // namespace hotspot::app

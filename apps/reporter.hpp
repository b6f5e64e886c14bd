#pragma once

#include "hotspot/engine/core/run_context.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>

namespace hotspot::app
{

/// Where a command tells the analyst what it is doing: results on stdout, warnings on stderr,
/// and a progress line on stderr only when stderr is a terminal. `quiet` keeps all but errors away.
class Reporter
{
  public:
    explicit Reporter(bool quiet);
    /// A reporter that writes everything into `log` instead (a batch query's log), with no
    /// progress.
    explicit Reporter(std::string* log);

    void info(const std::string& line) const;
    void warn(const std::string& line) const;
    /// A progress callback for one stage; draws "label  42%  3.1 s, about 4.2 s left" in place,
    /// on a terminal only (nothing when stderr is piped, in a batch, or with --quiet).
    engine::ProgressFn progress(const std::string& label);
    /// Ends the current progress line.
    void done();

  private:
    bool m_quiet;
    bool m_tty;
    /// HOTSPOT_PROGRESS=lines: progress as whole lines ("progress kde 42%"), for a front end that
    /// runs hotspot as a process (the QGIS provider) and has no terminal to draw on.
    bool m_lines = false;
    int m_printed_percent = -1; ///< the last progress line's figure (under m_mutex)
    std::string* m_log = nullptr;
    std::mutex m_mutex;
    std::string m_label;
    std::atomic<int> m_shown_percent{-1};
    std::chrono::steady_clock::time_point m_start;
};

} // namespace hotspot::app

#pragma once

#include <functional>

namespace hotspot::engine
{

/// Receives the fraction of a long computation done, from 0 to 1. It may be called from several
/// threads at once, so it must be thread-safe; it should return quickly.
using ProgressFn = std::function<void(double fraction)>;

/// What a long-running engine call needs from its caller besides its inputs.
/// The thread count is not here: the application sets it once for the whole process.
struct RunContext
{
    ProgressFn progress;

    void report(double fraction) const
    {
        if (progress)
            progress(fraction);
    }
};

} // namespace hotspot::engine

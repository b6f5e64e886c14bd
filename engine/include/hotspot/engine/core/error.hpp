#pragma once

#include <stdexcept>
#include <string>

namespace hotspot
{

/// What went wrong, in the terms the command line reports as its exit code.
/// The values are the documented exit codes; they stay clear of 124-127 and 137 (timeout, signals).
enum class Errc
{
    Internal = 1, ///< a defect in hotspot itself
    Usage = 2, ///< the request cannot be met as given: bad option, unknown field, refused parameter
    BadData = 3, ///< the input data cannot be used: unreadable records, nothing left after filters
    Io = 4,      ///< a file could not be read or written
};

/// The one exception type hotspot throws on purpose. Its message is written for an analyst:
/// it names the file or option, the offending value and, where there is one, the fix.
class Error : public std::runtime_error
{
  public:
    Error(Errc code, const std::string& message) : std::runtime_error(message), m_code(code) {}
    Errc code() const noexcept { return m_code; }

  private:
    Errc m_code;
};

} // namespace hotspot

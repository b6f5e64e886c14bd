#pragma once

#include <functional>
#include <string>

namespace hotspot::io
{

/// The whole file as bytes. Throws Error(Io) naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

/// Checks, before any work is done, that `path` can be written: its folder exists and is writable,
/// and the file does not exist unless `overwrite`. Throws Error(Io) saying which.
void check_output_path(const std::string& path, bool overwrite);

/// Writes a file atomically: `write` receives a temporary path beside `path` and fills it; only
/// when it returns is the temporary renamed over `path`. If it throws, the temporary is removed and
/// `path` is left as it was.
void write_atomically(const std::string& path, bool overwrite, const std::function<void(const std::string&)>& write);

/// Writes text atomically (see write_atomically).
void write_text_file(const std::string& path, const std::string& text, bool overwrite);

} // namespace hotspot::io

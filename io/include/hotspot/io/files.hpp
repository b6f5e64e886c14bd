#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace hotspot::io
{

/// The whole file as bytes. Throws Error(Io) naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

/// A file mapped read-only into memory: no copy, and no page to zero, however large the file.
class MappedFile
{
  public:
    /// Throws Error(Io) naming the file when it cannot be opened or mapped.
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::string_view text() const { return {m_data, m_size}; }

  private:
    const char* m_data = nullptr;
    std::size_t m_size = 0;
};

/// Checks, before any work is done, that `path` can be written: its folder exists and is writable,
/// and the file does not exist unless `overwrite`. Throws Error(Io) saying which.
void check_output_path(const std::string& path, bool overwrite);

/// A hidden temporary path beside `path` with the same extension (GDAL drivers look at it), from
/// which a rename into place is atomic.
std::string temp_path_beside(const std::string& path);

/// Writes a file atomically: `write` receives a temporary path beside `path` and fills it; only
/// when it returns is the temporary renamed over `path`. If it throws, the temporary is removed and
/// `path` is left as it was.
void write_atomically(const std::string& path, bool overwrite,
                      const std::function<void(const std::string&)>& write);

/// Writes text atomically (see write_atomically).
void write_text_file(const std::string& path, const std::string& text, bool overwrite);

} // namespace hotspot::io

#pragma once

#include "hotspot/engine/core/error.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace hotspot::io
{

/// The whole file as bytes. Throws Error(Io) naming the file when it cannot be read.
std::string read_text_file(const std::string& path);

/// A name as a safe part of a file name: lower case letters, digits, '-' and '_', other runs as
/// one '-' ("Brenchley Gardens (1)" gives "brenchley-gardens-1"); "" when nothing is left.
std::string file_name_part(const std::string& name);

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

/// The same for an output folder: its parent exists and is writable, and the folder does not
/// exist unless `overwrite`. Throws Error(Io) saying which.
void check_output_folder(const std::string& folder, bool overwrite);

/// A hidden temporary path beside `path`, from which a rename into place is atomic:
/// `.<stem>.hotspot-partial-<pid>[-<purpose>]<extension>` (GDAL drivers look at the extension).
/// The name says what it is: a partial output of a hotspot run. Those of runs that are no longer
/// alive (killed, say) for the same output are removed first (see remove_stale_partials).
std::string temp_path_beside(const std::string& path, const std::string& purpose = "");

/// Removes what runs no longer alive left beside `path` while writing it: files and folders named
/// `.<stem>.hotspot-partial-<pid>...` whose process has ended. Those of live runs are kept.
/// Returns how many were removed.
std::size_t remove_stale_partials(const std::string& path);

/// Moves the complete folder `staged` to `folder`. An existing `folder` is replaced in one atomic
/// exchange where the filesystem allows it (Linux renameat2), so that a run killed at any moment
/// leaves the old folder or the new one whole; the old one is then removed.
/// Throws Error(Io) naming the folder.
void replace_folder(const std::string& staged, const std::string& folder);

/// True when the filesystem holding `path` has (next to) no room left: GDAL, SQLite and cairo
/// report a full disk in their own words, or not at all, so a failed write asks.
bool disk_full(const std::string& path);
/// "PATH: cannot be written: no space left on the disk (CAUSE)".
std::string disk_full_message(const std::string& path, const std::string& cause);
/// A failed write's error, reworded by disk_full_message when it is an Io error and the
/// filesystem holding `partial` (the file being written) is full; else as it was.
Error reworded_if_disk_full(const Error& error, const std::string& path,
                            const std::string& partial);

/// Writes a file atomically: `write` receives a temporary path beside `path` and fills it; only
/// when it returns is the temporary renamed over `path`. If it throws, the temporary is removed and
/// `path` is left as it was.
void write_atomically(const std::string& path, bool overwrite,
                      const std::function<void(const std::string&)>& write);

/// Writes text atomically (see write_atomically).
void write_text_file(const std::string& path, const std::string& text, bool overwrite);

} // namespace hotspot::io

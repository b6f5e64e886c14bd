#include "hotspot/io/files.hpp"

#include "hotspot/engine/core/error.hpp"

#include <cctype>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h> // renameat2
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hotspot::io
{

namespace fs = std::filesystem;

std::string file_name_part(const std::string& name)
{
    std::string out;
    for (const char c : name)
    {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        if (keep)
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        else if (!out.empty() && out.back() != '-')
            out.push_back('-');
    }
    while (!out.empty() && out.back() == '-')
        out.pop_back();
    return out;
}

std::string read_text_file(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(Errc::Io, path + ": no such file");
    if (fs::is_directory(path, ec))
        throw Error(Errc::Io, path + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
    std::string text;
    in.seekg(0, std::ios::end);
    text.resize(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (!in)
        throw Error(Errc::Io, path + ": read failed");
    return text;
}

MappedFile::MappedFile(const std::string& path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(Errc::Io, path + ": no such file");
    if (fs::is_directory(path, ec))
        throw Error(Errc::Io, path + ": is a folder, not a file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
    struct stat info
    {
    };
    if (::fstat(fd, &info) != 0)
    {
        ::close(fd);
        throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
    }
    m_size = static_cast<std::size_t>(info.st_size);
    if (m_size > 0)
    {
        void* data = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED)
        {
            ::close(fd);
            throw Error(Errc::Io, path + ": cannot be read (" + std::strerror(errno) + ")");
        }
        ::madvise(data, m_size, MADV_SEQUENTIAL);
        m_data = static_cast<const char*>(data);
    }
    ::close(fd);
}

MappedFile::~MappedFile()
{
    if (m_data)
        ::munmap(const_cast<char*>(m_data), m_size);
}

namespace
{
// The output's folder exists and is writable, and the output does not exist unless `overwrite`;
// a file may not be a folder.
void check_output(const std::string& path, bool overwrite, bool is_folder)
{
    const fs::path p(path);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(Errc::Io, path + ": folder '" + folder.string() + "' does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        throw Error(Errc::Io, path + ": folder '" + folder.string() + "' is not writable");
    if (!is_folder && fs::is_directory(p, ec))
        throw Error(Errc::Io, path + ": is a folder");
    if (fs::exists(p, ec) && !overwrite)
        throw Error(Errc::Io, path + ": already exists; add --overwrite to replace it");
}
} // namespace

void check_output_path(const std::string& path, bool overwrite)
{
    check_output(path, overwrite, false);
}

void check_output_folder(const std::string& folder, bool overwrite)
{
    check_output(folder, overwrite, true);
}

namespace
{
// The name part that marks a partial output of `path`: ".<stem>.hotspot-partial-".
std::string partial_prefix(const fs::path& p)
{
    return "." + p.stem().string() + ".hotspot-partial-";
}

bool process_alive(long pid)
{
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}
} // namespace

bool disk_full(const std::string& path)
{
    struct statvfs info
    {
    };
    const fs::path p(path);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    // A failed write may leave up to a few blocks free (a GeoTIFF tile, a SQLite page run).
    return ::statvfs(folder.c_str(), &info) == 0 &&
           static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize < (16u << 20);
}

std::string disk_full_message(const std::string& path, const std::string& cause)
{
    // The cause without the path and the wording this message gives already.
    std::string_view detail = cause;
    if (detail.starts_with(path + ": "))
        detail.remove_prefix(path.size() + 2);
    constexpr std::string_view written = "cannot be written (";
    if (detail.starts_with(written) && detail.ends_with(')'))
        detail = detail.substr(written.size(), detail.size() - written.size() - 1);
    return path + ": cannot be written: no space left on the disk" +
           (detail.empty() ? std::string() : " (" + std::string(detail) + ")");
}

Error reworded_if_disk_full(const Error& error, const std::string& path, const std::string& partial)
{
    if (error.code() == Errc::Io && disk_full(partial))
        return Error(Errc::Io, disk_full_message(path, error.what()));
    return error;
}

std::size_t remove_stale_partials(const std::string& path)
{
    const fs::path p(path);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    const std::string prefix = partial_prefix(p);
    std::size_t removed = 0;
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    {
        const std::string name = it->path().filename().string();
        if (name.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string rest = name.substr(prefix.size());
        const std::size_t digits = rest.find_first_not_of("0123456789");
        if (rest.empty() || digits == 0)
            continue;
        const long pid = std::strtol(rest.substr(0, digits).c_str(), nullptr, 10);
        if (pid == static_cast<long>(::getpid()) || process_alive(pid))
            continue;
        std::error_code ignored;
        removed += fs::remove_all(it->path(), ignored) > 0;
    }
    return removed;
}

std::string temp_path_beside(const std::string& path, const std::string& purpose)
{
    remove_stale_partials(path);
    const fs::path p(path);
    return (p.parent_path() / (partial_prefix(p) + std::to_string(::getpid()) +
                               (purpose.empty() ? "" : "-" + purpose) + p.extension().string()))
        .string();
}

void replace_folder(const std::string& staged, const std::string& folder)
{
    std::error_code ec;
    if (fs::exists(folder, ec))
    {
        // One atomic exchange: the old folder takes the staged name, and is then removed.
        if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, folder.c_str(), RENAME_EXCHANGE) == 0)
        {
            std::error_code ignored;
            fs::remove_all(staged, ignored);
            return;
        }
        if (errno != EINVAL && errno != ENOSYS)
            throw Error(Errc::Io, folder + ": cannot be replaced (" + std::strerror(errno) + ")");
        // A filesystem without the exchange: the old folder is moved aside first, to a name that
        // the next run recognises as partial.
        const std::string aside = temp_path_beside(folder, "previous");
        fs::rename(folder, aside, ec);
        if (ec)
            throw Error(Errc::Io, folder + ": cannot be replaced (" + ec.message() + ")");
        fs::rename(staged, folder, ec);
        if (ec)
        {
            std::error_code ignored;
            fs::rename(aside, folder, ignored);
            throw Error(Errc::Io, folder + ": cannot be replaced (" + ec.message() + ")");
        }
        std::error_code ignored;
        fs::remove_all(aside, ignored);
        return;
    }
    fs::rename(staged, folder, ec);
    if (ec)
        throw Error(Errc::Io, folder + ": cannot be written (" + ec.message() + ")");
}

void write_atomically(const std::string& path, bool overwrite,
                      const std::function<void(const std::string&)>& write)
{
    check_output_path(path, overwrite);
    const fs::path p(path);
    const fs::path tmp = temp_path_beside(path);
    try
    {
        write(tmp.string());
    }
    catch (const Error& e)
    {
        // Looked at before the partial file is removed, which frees the space again.
        const Error error = reworded_if_disk_full(e, path, tmp.string());
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw error;
    }
    catch (...)
    {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw;
    }
    std::error_code ec;
    fs::rename(tmp, p, ec);
    if (ec)
    {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw Error(Errc::Io, path + ": cannot be written (" + ec.message() + ")");
    }
}

void write_text_file(const std::string& path, const std::string& text, bool overwrite)
{
    write_atomically(path, overwrite,
                     [&](const std::string& tmp)
                     {
                         std::ofstream out(tmp, std::ios::binary);
                         out << text;
                         out.close();
                         if (!out)
                             throw Error(Errc::Io, path + ": cannot be written (" +
                                                       std::strerror(errno) + ")");
                     });
}

} // namespace hotspot::io

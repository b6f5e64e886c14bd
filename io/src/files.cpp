#include "hotspot/io/files.hpp"

#include "hotspot/engine/error.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace hotspot::io
{

namespace fs = std::filesystem;

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

void check_output_path(const std::string& path, bool overwrite)
{
    const fs::path p(path);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::error_code ec;
    if (!fs::is_directory(folder, ec))
        throw Error(Errc::Io, path + ": folder '" + folder.string() + "' does not exist");
    if (::access(folder.c_str(), W_OK) != 0)
        throw Error(Errc::Io, path + ": folder '" + folder.string() + "' is not writable");
    if (fs::is_directory(p, ec))
        throw Error(Errc::Io, path + ": is a folder");
    if (fs::exists(p, ec) && !overwrite)
        throw Error(Errc::Io, path + ": already exists; add --overwrite to replace it");
}

std::string temp_path_beside(const std::string& path)
{
    const fs::path p(path);
    return (p.parent_path() / ("." + p.stem().string() + ".tmp-" + std::to_string(::getpid()) +
                               p.extension().string()))
        .string();
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

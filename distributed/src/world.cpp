#include "hotspot/distributed/world.hpp"

#include "hotspot/engine/core/error.hpp"

#ifdef HOTSPOT_HAVE_MPI
#include <mpi.h>
#endif

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>

namespace hotspot::distributed
{

namespace
{
World* g_world = nullptr;

#ifdef HOTSPOT_HAVE_MPI
// Launchers say so in the environment: Open MPI's mpirun, PMIx (srun --mpi=pmix, prterun) and PMI
// (MPICH's hydra, srun --mpi=pmi2).
bool started_by_launcher()
{
    for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
        if (std::getenv(name))
            return true;
    return false;
}
#endif

// MPI counts in int: a message goes in pieces of at most 1 GiB.
constexpr std::size_t piece_bytes = std::size_t{1} << 30;

class Timer
{
  public:
    explicit Timer(double& total) : m_total(total) {}
    ~Timer()
    {
        m_total +=
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
    }

  private:
    double& m_total;
    std::chrono::steady_clock::time_point m_start = std::chrono::steady_clock::now();
};

#ifndef HOTSPOT_HAVE_MPI
[[noreturn]] void no_mpi()
{
    throw Error(Errc::Internal, "a message between ranks in a build without MPI");
}
#endif
} // namespace

bool built_with_mpi()
{
#ifdef HOTSPOT_HAVE_MPI
    return true;
#else
    return false;
#endif
}

std::string mpi_library_version()
{
#ifdef HOTSPOT_HAVE_MPI
    char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(text, &length);
    std::string version(text, static_cast<std::size_t>(std::max(length, 0)));
    return version.substr(0, version.find_first_of(",\n"));
#else
    return "";
#endif
}

World::World() = default;

World::World(int& argc, char**& argv)
{
#ifdef HOTSPOT_HAVE_MPI
    if (started_by_launcher())
    {
        int provided = 0;
        // Only the main thread talks to MPI; TBB's threads compute.
        MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
        MPI_Comm_rank(MPI_COMM_WORLD, &m_rank);
        MPI_Comm_size(MPI_COMM_WORLD, &m_size);
        m_joined = true;
    }
#else
    (void)argc;
    (void)argv;
#endif
    g_world = this;
}

World::~World()
{
#ifdef HOTSPOT_HAVE_MPI
    if (m_joined)
        MPI_Finalize();
#endif
    if (g_world == this)
        g_world = nullptr;
}

World& World::current()
{
    static World alone;
    return g_world ? *g_world : alone;
}

void World::send(int to, int tag, const void* data, std::size_t bytes)
{
#ifdef HOTSPOT_HAVE_MPI
    Timer timer(m_traffic.seconds);
    const char* p = static_cast<const char*>(data);
    do
    {
        const std::size_t n = std::min(bytes, piece_bytes);
        MPI_Send(p, static_cast<int>(n), MPI_BYTE, to, tag, MPI_COMM_WORLD);
        p += n;
        bytes -= n;
        m_traffic.bytes_sent += n;
    } while (bytes > 0);
#else
    (void)to, (void)tag, (void)data, (void)bytes;
    no_mpi();
#endif
}

void World::receive(int from, int tag, void* data, std::size_t bytes)
{
#ifdef HOTSPOT_HAVE_MPI
    Timer timer(m_traffic.seconds);
    char* p = static_cast<char*>(data);
    do
    {
        const std::size_t n = std::min(bytes, piece_bytes);
        MPI_Recv(p, static_cast<int>(n), MPI_BYTE, from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        p += n;
        bytes -= n;
        m_traffic.bytes_received += n;
    } while (bytes > 0);
#else
    (void)from, (void)tag, (void)data, (void)bytes;
    no_mpi();
#endif
}

void World::send_text(int to, int tag, std::string_view text)
{
    const std::uint64_t length = text.size();
    send(to, tag, &length, sizeof length);
    if (length > 0)
        send(to, tag, text.data(), text.size());
}

std::string World::receive_text(int from, int tag)
{
    std::uint64_t length = 0;
    receive(from, tag, &length, sizeof length);
    std::string text(length, '\0');
    if (length > 0)
        receive(from, tag, text.data(), text.size());
    return text;
}

std::string World::broadcast(std::string text)
{
    if (!distributed())
        return text;
    constexpr int tag = 9001;
    if (root())
    {
        for (int r = 1; r < m_size; ++r)
            send_text(r, tag, text);
        return text;
    }
    return receive_text(0, tag);
}

std::vector<std::string> World::gather(const std::string& text)
{
    if (!distributed())
        return {text};
    constexpr int tag = 9002;
    if (!root())
    {
        send_text(0, tag, text);
        return {};
    }
    std::vector<std::string> all{text};
    for (int r = 1; r < m_size; ++r)
        all.push_back(receive_text(r, tag));
    return all;
}

World::Failure World::first_failure(const std::string& mine)
{
    if (!distributed())
        return {mine.empty() ? -1 : 0, mine};
    std::string verdict; // "<rank> <message>", or "" when none failed
    if (const std::vector<std::string> all = gather(mine); root())
        for (std::size_t r = 0; r < all.size(); ++r)
            if (!all[r].empty())
            {
                verdict = std::to_string(r) + " " + all[r];
                break;
            }
    verdict = broadcast(verdict);
    if (verdict.empty())
        return {};
    const std::size_t space = verdict.find(' ');
    return {std::stoi(verdict.substr(0, space)), verdict.substr(space + 1)};
}

bool World::fault(std::string_view kind) const
{
    const char* fault = std::getenv("HOTSPOT_FAULT");
    if (!fault)
        return false;
    const std::string me = ":" + std::to_string(m_rank);
    if (fault == "kill" + me)
        std::raise(SIGKILL);
    return fault == std::string(kind) + me;
}

void World::barrier()
{
#ifdef HOTSPOT_HAVE_MPI
    if (m_joined)
    {
        Timer timer(m_traffic.seconds);
        MPI_Barrier(MPI_COMM_WORLD);
    }
#endif
}

} // namespace hotspot::distributed

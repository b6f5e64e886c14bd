#pragma once
// The ranks of an MPI job, as hotspot uses them: rank 0 reads, decides and writes; the others
// compute what it sends them. A process not started by mpirun or srun is a world of one rank and
// never touches MPI.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::distributed
{

/// Whether this build links MPI.
bool built_with_mpi();

/// The MPI library's own first line ("Open MPI v4.1.4, ..."), or "" without MPI.
std::string mpi_library_version();

/// What one rank sent and received, and the seconds it spent doing so (waiting included).
struct Traffic
{
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
    double seconds = 0;
};

/// The job this process belongs to. Made once, in main: it joins the MPI job when a launcher
/// started the process (mpirun, srun: seen from the variables they set), and leaves it when
/// destroyed. Messages of any size are cut into pieces MPI can count.
class World
{
  public:
    World(int& argc, char**& argv);
    ~World();
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    /// The process's world; a world of one rank when none was made (tests, the Python module).
    static World& current();

    int rank() const { return m_rank; }
    int size() const { return m_size; }
    bool root() const { return m_rank == 0; }
    /// More than one rank: work is to be shared out.
    bool distributed() const { return m_size > 1; }

    void send(int to, int tag, const void* data, std::size_t bytes);
    void receive(int from, int tag, void* data, std::size_t bytes);
    /// A message whose size the receiver does not know: its length goes first.
    void send_text(int to, int tag, std::string_view text);
    std::string receive_text(int from, int tag);
    /// Rank 0's text, on every rank.
    std::string broadcast(std::string text);
    /// Every rank's text, in rank order, on rank 0 (empty elsewhere).
    std::vector<std::string> gather(const std::string& text);
    void barrier();
    /// Every rank says what went wrong with its part ("" for nothing); every rank learns the
    /// first failure in rank order, so that all fail together rather than wait on one another.
    struct Failure
    {
        int rank = -1; ///< -1: none failed
        std::string message;
    };
    Failure first_failure(const std::string& mine);

    const Traffic& traffic() const { return m_traffic; }

    /// For tests of failure: HOTSPOT_FAULT=KIND:N asks rank N to fail as KIND says: "kill" dies at
    /// once (SIGKILL, as a lost node), "fail" fails its share of a job as if out of memory,
    /// "unreadable" finds a batch's sources, or its share of the offences, unreadable. True when
    /// this rank is asked for `kind`; a rank asked to be killed dies here whatever `kind` is.
    bool fault(std::string_view kind) const;

  private:
    World(); // one rank
    int m_rank = 0;
    int m_size = 1;
    bool m_joined = false;
    Traffic m_traffic;
};

} // namespace hotspot::distributed

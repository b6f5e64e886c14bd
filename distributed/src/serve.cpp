#include "hotspot/distributed/serve.hpp"

#include "hotspot/engine/core/error.hpp"
#include "protocol.hpp"

#include <csignal>
#include <cstdlib>

namespace hotspot::distributed
{

namespace detail
{
void announce(World& world, const Job& job)
{
    for (int r = 1; r < world.size(); ++r)
        world.send(r, job_tag, &job, sizeof job);
}

void Packet::read(void* p, std::size_t n)
{
    if (m_read + n > bytes.size())
        throw Error(Errc::Internal, "a message between ranks is shorter than it says");
    std::memcpy(p, bytes.data() + m_read, n);
    m_read += n;
}

double seconds_since(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Traffic traffic_since(const World& world, const Traffic& before)
{
    Traffic t = world.traffic();
    t.bytes_sent -= before.bytes_sent;
    t.bytes_received -= before.bytes_received;
    t.seconds -= before.seconds;
    return t;
}

bool injected_failure(const World& world)
{
    const char* fault = std::getenv("HOTSPOT_FAULT");
    if (!fault)
        return false;
    const std::string me = ":" + std::to_string(world.rank());
    if (fault == "kill" + me)
        std::raise(SIGKILL);
    return fault == "fail" + me;
}
} // namespace detail

int serve(World& world)
{
    using namespace detail;
    for (;;)
    {
        Job job;
        world.receive(0, job_tag, &job, sizeof job);
        switch (job.kind)
        {
        case JobKind::stop:
            return job.exit_code;
        case JobKind::kernel_sums:
            serve_kernel_sums(world, job);
            break;
        case JobKind::locate:
            serve_locate(world, job);
            break;
        case JobKind::classify:
            serve_classify(world, job);
            break;
        }
    }
}

void stop_serving(World& world, int exit_code)
{
    detail::Job stop;
    stop.exit_code = exit_code;
    detail::announce(world, stop);
}

} // namespace hotspot::distributed

#include "hotspot/distributed/serve.hpp"

#include "hotspot/engine/core/error.hpp"
#include "protocol.hpp"

namespace hotspot::distributed
{

namespace detail
{
void announce(World& world, const Job& job)
{
    for (int r = 1; r < world.size(); ++r)
        world.send(r, job_tag, &job, sizeof job);
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
} // namespace detail

void put_shapes(Packet& packet, const std::vector<const engine::MultiPolygon*>& shapes)
{
    std::vector<std::uint64_t> counts{shapes.size()};
    std::vector<double> coordinates;
    const auto ring = [&](const engine::Ring& r)
    {
        counts.push_back(r.size());
        for (const auto& p : r)
            coordinates.insert(coordinates.end(), {p.x, p.y});
    };
    for (const auto* shape : shapes)
    {
        counts.push_back(shape->size());
        for (const auto& polygon : *shape)
        {
            counts.push_back(1 + polygon.holes.size());
            ring(polygon.outer);
            for (const auto& hole : polygon.holes)
                ring(hole);
        }
    }
    packet.put(counts);
    packet.put(coordinates);
}

std::vector<engine::MultiPolygon> take_shapes(Packet& packet)
{
    const auto counts = packet.take<std::uint64_t>();
    const auto coordinates = packet.take<double>();
    std::size_t c = 0, k = 0;
    const auto next = [&]
    {
        if (c >= counts.size())
            throw Error(Errc::Internal, "the polygons sent between ranks are cut short");
        return counts[c++];
    };
    const auto ring = [&]
    {
        engine::Ring r(next());
        for (auto& p : r)
        {
            p = {coordinates.at(k), coordinates.at(k + 1)};
            k += 2;
        }
        return r;
    };
    std::vector<engine::MultiPolygon> shapes(next());
    for (auto& shape : shapes)
    {
        shape.resize(next());
        for (auto& polygon : shape)
        {
            const std::uint64_t rings = next();
            polygon.outer = ring();
            for (std::uint64_t h = 1; h < rings; ++h)
                polygon.holes.push_back(ring());
        }
    }
    return shapes;
}

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
        case JobKind::read_offences:
            serve_read_offences(world, job);
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

#include "hotspot/distributed/tile_strips.hpp"

#include "hotspot/distributed/packet.hpp"

#include <memory>
#include <optional>

namespace hotspot::distributed
{

// Under mpirun, a surface written as tiles has each strip finished and written on the rank that
// computed it: everything that takes, in one message.
std::string tile_context(const engine::StripFinish& f, const engine::StudyWindow& window,
                         const engine::KdeOptions& options, const io::GeoTiffTileWriter& tiles)
{
    Packet p;
    p.put_one(f.grid);
    put_shapes(p, f.shapes);
    p.put_one<std::uint8_t>(f.edge ? 1 : 0);
    p.put_one<std::uint8_t>(window.rectangular() ? 1 : 0);
    p.put_one(window.frame);
    p.put_one(options.kernel);
    p.put_one(options.bandwidth_m);
    p.put(tiles.staging());
    p.put(tiles.crs().authority);
    p.put(tiles.crs().wkt);
    const io::GeoTiffOptions& tiff = tiles.options();
    p.put_one<std::uint8_t>(tiff.float64 ? 1 : 0);
    p.put_one(tiff.nodata);
    p.put(tiff.description);
    p.put(tiff.unit);
    p.put_one<std::uint64_t>(tiff.metadata.size());
    for (const auto& [key, value] : tiff.metadata)
    {
        p.put(key);
        p.put(value);
    }
    return p.bytes();
}

namespace
{
// The other side of tile_context, kept for the job's strips.
struct TileStrips
{
    std::string context;
    std::vector<engine::MultiPolygon> shapes;
    std::optional<engine::EdgeFactor> edge;
    engine::StripFinish finish;
    std::string folder;
    io::Crs crs;
    io::GeoTiffOptions tiff;

    explicit TileStrips(const std::string& bytes) : context(bytes)
    {
        Packet p(bytes);
        finish.grid = p.take_one<engine::GridSpec>();
        shapes = take_shapes(p);
        for (const auto& shape : shapes)
            finish.shapes.push_back(&shape);
        const bool uniform = p.take_one<std::uint8_t>() != 0;
        const bool rectangular = p.take_one<std::uint8_t>() != 0;
        const auto frame = p.take_one<engine::Box2>();
        const auto kernel = p.take_one<engine::Kernel>();
        const auto bandwidth_m = p.take_one<double>();
        if (uniform)
        {
            edge.emplace(rectangular ? engine::StudyWindow::rectangle(frame)
                                     : engine::StudyWindow::polygons(finish.shapes),
                         kernel, bandwidth_m);
            finish.edge = &*edge;
        }
        folder = p.take_text();
        crs.authority = p.take_text();
        crs.wkt = p.take_text();
        tiff.float64 = p.take_one<std::uint8_t>() != 0;
        tiff.nodata = p.take_one<double>();
        tiff.description = p.take_text();
        tiff.unit = p.take_text();
        for (auto n = p.take_one<std::uint64_t>(); n > 0; --n)
        {
            std::string key = p.take_text();
            tiff.metadata.emplace_back(std::move(key), p.take_text());
        }
        finish.nodata = tiff.nodata;
    }
};
} // namespace

std::string finish_tile_strip(const std::string& context, std::int64_t first, std::int64_t count,
                              const std::vector<double>& values)
{
    // A job's strips share one context: unpacked (polygons, edge factor) once.
    thread_local std::unique_ptr<TileStrips> job;
    if (!job || job->context != context)
        job = std::make_unique<TileStrips>(context);
    std::vector<double> finished = values;
    const engine::StripFigures figures = engine::finish_rows(job->finish, first, count, finished);
    io::write_tile(job->folder, job->finish.grid, first, count, finished.data(), job->crs,
                   job->tiff);
    Packet result;
    result.put_one(figures);
    return result.bytes();
}

} // namespace hotspot::distributed

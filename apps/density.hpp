#pragma once
// The density stage shared by `kde`, `hotspots` and `evaluate`: options, checks and the surface.

#include "cli.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/density/adaptive.hpp"
#include "hotspot/engine/density/bandwidth.hpp"
#include "hotspot/engine/density/kde.hpp"
#include "hotspot/engine/density/plan.hpp"
#include "hotspot/engine/density/study_window.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/map.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hotspot::app
{

constexpr double nodata_value = -9999.0;

/// How to compute a surface: kernel, bandwidth, units and grid.
struct DensitySpec
{
    std::string kernel = "quartic";
    std::string bandwidth; ///< metres, or a selector (arcgis, the default, scott, ppl, diggle, cvl)
    std::string edge_correction = "none"; ///< none, uniform or diggle
    bool adaptive = false;
    std::string pilot_bandwidth; ///< metres or a selector; default: the bandwidth itself
    double trim = 5.0;
    int min_count = 0;           ///< disclosure control: cells reached by fewer offences are nodata
    std::string publish;         ///< a --publish preset: a floor for min_count and the bandwidth
    double spread_stacked_m = 0; ///< spread records stacked on one coordinate over this radius
    std::string units = "per-km2";
    std::optional<double> cell_m; ///< default: shorter extent side / 250
    std::string extent;           ///< "xmin,ymin,xmax,ymax" in the target CRS
    std::vector<std::string>
        boundaries; ///< boundary layers: --area is looked up in the first that has it
    std::string boundaries_layer;
    std::string area;
};

void add_density_options(CLI::App& command, DensitySpec& spec);

/// The density unit the spec names. Throws Error(Usage) for another name.
engine::DensityUnits units_of(const DensitySpec& spec);

/// The edge correction the spec names. Throws Error(Usage) for another name.
engine::EdgeCorrection edge_of(const DensitySpec& spec);

/// Refuses a spec that cannot work, before any data is read. Throws Error(Usage).
void check_density_spec(const DensitySpec& spec);

/// The --min-count in force: the analyst's, or the --publish preset's floor.
int min_count_of(const DensitySpec& spec);

/// The --boundaries layers, and the --area features found in them.
struct StudyArea
{
    std::vector<std::shared_ptr<const io::AreaLayer>> layers; ///< in the target CRS, as given
    std::size_t layer = 0;                                    ///< the layer --area was found in
    std::vector<std::size_t> features; ///< the --area features; none without --area
    std::vector<const engine::MultiPolygon*> shapes() const;
    engine::Box2 bounds() const;
};

/// A computed surface and how it was made: the engine's plan (kernel, bandwidth, window, whom it
/// counts), and the grid's values and figures.
struct Density : engine::DensityPlan
{
    engine::Raster<double> surface; ///< nodata_value outside the area mask; no values if streamed
    bool streamed = false;          ///< too large for memory: sent to the SurfaceStream instead
    std::string edge_correction = "none";
    std::optional<engine::Raster<std::uint8_t>> mask; ///< cells inside --area
    StudyArea study_area;              ///< every --boundaries layer, and --area in them
    std::string period;                ///< "YYYY-MM..YYYY-MM" of the offences used
    int min_count = 0;                 ///< the --min-count in force (with --publish, its floor)
    std::string publish;               ///< the --publish preset
    std::int64_t suppressed_cells = 0; ///< by --min-count
    std::optional<engine::Raster<std::uint8_t>> sparse; ///< cells --min-count withholds
    double peak = 0;
    std::int64_t cells_with_data = 0;
    std::int64_t offences_given = 0; ///< after the filters, wherever they lie
    std::string window_name;         ///< the --area, or "the extent"
};

/// Reads the --boundaries layers (or shares them from the run's cache) and finds --area in the
/// first layer that has it. Throws Error(Usage) naming the nearest names when none has it.
StudyArea load_study_area(const std::vector<std::string>& boundaries, const std::string& layer,
                          const std::string& area, const io::Crs& crs, const RunOptions& run,
                          Reporter& reporter);

/// Names a point after the boundary polygon holding it ("" outside them all), from the first
/// --boundaries layer that --area was not found in (wards given beside a district), else the
/// first. An empty function without boundaries.
std::function<std::string(engine::Point2)> area_namer(const StudyArea& area,
                                                      const std::vector<std::string>& boundaries,
                                                      const std::string& layer, const io::Crs& crs,
                                                      const RunOptions& run);

/// The boundaries a briefing map draws within `extent`: the --area's own outline unlabelled, and
/// every feature of the other --boundaries layers with its name.
std::vector<io::MapLabelledShape> map_boundaries(const StudyArea& area,
                                                 const std::vector<std::string>& boundaries,
                                                 const std::string& layer, const io::Crs& crs,
                                                 const RunOptions& run, const engine::Box2& extent);

/// A grid for counting rather than smoothing (trends, predict): the --area's bounds, else --extent,
/// else the offences' bounds, snapped outwards to whole cells (except a given extent); the cells
/// inside --area marked.
struct StudyGrid
{
    StudyArea area;
    engine::GridSpec grid;
    std::optional<engine::Raster<std::uint8_t>> mask; ///< with --area
};
/// Throws Error(Usage) for a grid that would not fit in memory.
StudyGrid study_grid(const std::vector<std::string>& boundaries, const std::string& layer,
                     const std::string& area, const std::string& extent,
                     std::optional<double> cell_m, const engine::Incidents& offences,
                     const io::Crs& crs, const RunOptions& run, Reporter& reporter);

struct Density;
/// Where `kde` sends a surface too large to hold in memory (or one asked for in tiles): `begin`
/// learns how it is made (grid, bandwidth, period: all but its values), then `rows` receives every
/// strip of rows in order from the north, nodata already in place.
struct SurfaceStream
{
    std::function<void(const Density&)> begin;
    engine::StripSink rows;
    bool always = false; ///< stream even a grid that fits in memory
    /// The tile writer, once begun, when the strips are written as tiles: under mpirun each rank
    /// then writes the tiles it computed.
    std::function<io::GeoTiffTileWriter*()> tiles;
};

/// Computes the surface of `incidents`. `grid_like`, when given, fixes the grid (to compare periods
/// on one grid); `bandwidth_m`, when given, overrides the spec's. A run estimated to need more
/// memory than --memory-limit is refused, unless `stream` is given and a strip at a time fits.
Density compute_density(const DensitySpec& spec, const engine::Incidents& incidents,
                        const io::Crs& crs, const RunOptions& run, Reporter& reporter,
                        const std::optional<engine::GridSpec>& grid_like = std::nullopt,
                        std::optional<double> bandwidth_m = std::nullopt,
                        bool float64_output = false, const SurfaceStream* stream = nullptr);

/// GeoTIFF tags that record how a surface was made.
std::vector<std::pair<std::string, std::string>>
density_metadata(const DensitySpec& spec, const Density& density, const OffenceInput& input,
                 const engine::Incidents& incidents);

/// The surface as published: the cells --min-count marks set to nodata.
engine::Raster<double> published_surface(const Density& density);

using engine::nominal_bandwidth;

/// The bandwidth, selector, edge correction and adaptive figures, for --summary-json.
nlohmann::json density_json(const Density& density);

using engine::fixed;
} // namespace hotspot::app

#pragma once

#include "hotspot/engine/core/geometry.hpp"

#include <memory>
#include <optional>
#include <span>
#include <string>

namespace hotspot::io
{

/// A coordinate reference system, held as WKT so that engine code and threads can share it freely.
struct Crs
{
    std::string wkt;
    std::string name;      ///< e.g. "OSGB36 / British National Grid"
    std::string authority; ///< e.g. "EPSG:27700", empty when the CRS has no code
    bool geographic = false;
    bool metric = false; ///< projected with metre units
    double unit_m = 0;   ///< projected: metres per unit of its coordinates (0.3048 for feet)
    std::optional<engine::Box2> area_of_use; ///< lon/lat degrees (west, south, east, north)

    /// "EPSG:27700 (OSGB36 / British National Grid)", or the name alone.
    std::string label() const;
};

/// A CRS from what a user types: "EPSG:27700", "27700", a PROJ string or WKT. Throws Error(Usage).
Crs parse_crs(const std::string& text);

/// WGS 84 longitude/latitude (EPSG:4326, longitude first).
Crs wgs84();

/// True for a longitude/latitude in Great Britain (and its islands), excluding the island of
/// Ireland.
bool in_great_britain(double lon, double lat);

/// The default metric CRS for data centred at (lon, lat): EPSG:27700 in Great Britain, else the
/// WGS 84 UTM zone. `reason` receives a sentence saying why.
Crs default_target_crs(double lon, double lat, std::string& reason);

/// A projected CRS whose unit is not the metre (state plane feet), redrawn in metres: the same
/// projection with every coordinate times `unit_m`, so that a grid drawn in it is a grid drawn in
/// the original, scaled (not rotated, and its cells the same areas). The engine's lengths are
/// metres; outputs that must be in the original units scale back by `unit_m`. Any other CRS is
/// returned as it is.
Crs in_metres(const Crs& crs);

/// Refuses (Error(Usage)) a CRS that is not projected in metres: a bandwidth in degrees is
/// meaningless.
void require_metric(const Crs& crs, const std::string& what);

/// Transforms coordinates between two CRSs, longitude first for geographic ones.
class Reprojector
{
  public:
    Reprojector(const Crs& from, const Crs& to);
    ~Reprojector();
    Reprojector(const Reprojector&) = delete;
    Reprojector& operator=(const Reprojector&) = delete;

    bool is_identity() const { return m_identity; }
    /// In place, in parallel. Points that cannot be transformed become NaN.
    void transform(std::span<double> x, std::span<double> y) const;
    /// One point; NaN coordinates when it cannot be transformed.
    engine::Point2 transform(engine::Point2 p) const;

  private:
    struct PerThread;
    std::string m_from_wkt;
    std::string m_to_wkt;
    bool m_identity = false;
    double m_scale = 0; ///< non-zero between a CRS and itself in metres: a factor, no PROJ
    std::unique_ptr<PerThread> m_per_thread; // one OGR transformation per thread, made on first use
};

} // namespace hotspot::io

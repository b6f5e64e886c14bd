#include "hotspot/io/crs.hpp"

#include "gdal_util.hpp"

#include <ogr_spatialref.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>

#include <cmath>
#include <limits>
#include <map>
#include <mutex>

namespace hotspot::io
{

namespace
{
Crs describe(OGRSpatialReference& srs)
{
    Crs crs;
    char* wkt = nullptr;
    const char* options[] = {"FORMAT=WKT2_2018", nullptr};
    srs.exportToWkt(&wkt, options);
    crs.wkt = wkt ? wkt : "";
    CPLFree(wkt);
    crs.name = srs.GetName() ? srs.GetName() : "";
    const char* target = srs.IsProjected() ? "PROJCS" : (srs.IsGeographic() ? "GEOGCS" : nullptr);
    if (srs.GetAuthorityName(target) && srs.GetAuthorityCode(target))
        crs.authority =
            std::string(srs.GetAuthorityName(target)) + ":" + srs.GetAuthorityCode(target);
    crs.geographic = srs.IsGeographic();
    crs.metric = srs.IsProjected() && std::abs(srs.GetLinearUnits() - 1.0) < 1e-12;
    crs.unit_m = srs.IsProjected() ? srs.GetLinearUnits() : 0.0;
    double west = 0, south = 0, east = 0, north = 0;
    const char* area_name = nullptr;
    if (srs.GetAreaOfUse(&west, &south, &east, &north, &area_name) && west > -1000)
        crs.area_of_use = engine::Box2{west, south, east, north};
    return crs;
}

std::unique_ptr<OGRSpatialReference> srs_from_wkt(const std::string& wkt)
{
    auto srs = std::make_unique<OGRSpatialReference>();
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (srs->importFromWkt(wkt.c_str()) != OGRERR_NONE)
        throw Error(Errc::Internal, "crs: cannot read back a WKT definition");
    return srs;
}

struct TransformDeleter
{
    void operator()(OGRCoordinateTransformation* t) const
    {
        OGRCoordinateTransformation::DestroyCT(t);
    }
};
using TransformPtr = std::unique_ptr<OGRCoordinateTransformation, TransformDeleter>;

TransformPtr make_transform(const std::string& from_wkt, const std::string& to_wkt)
{
    const auto from = srs_from_wkt(from_wkt);
    const auto to = srs_from_wkt(to_wkt);
    TransformPtr t(OGRCreateCoordinateTransformation(from.get(), to.get()));
    if (!t)
        throw Error(Errc::Usage, "crs: no transformation from " + describe(*from).label() + " to " +
                                     describe(*to).label() + " (" + detail::gdal_error() + ")");
    return t;
}
} // namespace

std::string Crs::label() const
{
    if (authority.empty())
        return name.empty() ? std::string("unnamed CRS") : name;
    return name.empty() ? authority : authority + " (" + name + ")";
}

Crs parse_crs(const std::string& text)
{
    // Each lookup queries PROJ's database; a run asks for the same few CRSs many times.
    static std::mutex mutex;
    static std::map<std::string, Crs> known;
    {
        std::lock_guard lock(mutex);
        if (const auto it = known.find(text); it != known.end())
            return it->second;
    }
    detail::ensure_gdal();
    std::string input = text;
    if (!input.empty() && input.find_first_not_of("0123456789") == std::string::npos)
        input = "EPSG:" + input;
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (input.empty() || srs.SetFromUserInput(input.c_str()) != OGRERR_NONE)
        throw Error(Errc::Usage, "crs: '" + text +
                                     "' is not a coordinate reference system hotspot knows "
                                     "(try an EPSG code such as EPSG:27700)");
    Crs crs = describe(srs);
    std::lock_guard lock(mutex);
    return known.emplace(text, std::move(crs)).first->second;
}

Crs wgs84()
{
    return parse_crs("EPSG:4326");
}

bool in_great_britain(double lon, double lat)
{
    if (!(lat >= 49.8 && lat <= 60.95 && lon >= -8.75 && lon <= 1.8))
        return false;
    // The island of Ireland lies west of 5.4 W between 51.4 N and 55.25 N.
    return !(lon < -5.4 && lat > 51.4 && lat < 55.25);
}

Crs default_target_crs(double lon, double lat, std::string& reason)
{
    if (in_great_britain(lon, lat))
    {
        reason = "the data lie in Great Britain";
        return parse_crs("EPSG:27700");
    }
    const int zone = std::clamp(static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1, 1, 60);
    const int code = (lat >= 0 ? 32600 : 32700) + zone;
    reason =
        "the UTM zone of the data's centre (" + std::to_string(zone) + (lat >= 0 ? "N" : "S") + ")";
    return parse_crs("EPSG:" + std::to_string(code));
}

Crs in_metres(const Crs& crs)
{
    if (crs.geographic || crs.metric || crs.unit_m <= 0)
        return crs;
    const auto srs = srs_from_wkt(crs.wkt);
    if (srs->SetLinearUnitsAndUpdateParameters(SRS_UL_METER, 1.0) != OGRERR_NONE)
        throw Error(Errc::Usage, "crs: " + crs.label() + " cannot be redrawn in metres (" +
                                     detail::gdal_error() + ")");
    const std::string name = crs.name + ", in metres";
    srs->SetProjCS(name.c_str());
    Crs metres = describe(*srs);
    metres.name = name;
    metres.authority.clear(); // no longer the registered CRS: its coordinates are scaled
    return metres;
}

void require_metric(const Crs& crs, const std::string& what)
{
    if (crs.geographic)
        throw Error(Errc::Usage,
                    what + ": " + crs.label() +
                        " is geographic (degrees); densities need a projected CRS in metres, "
                        "such as EPSG:27700 in Great Britain, because a bandwidth in degrees "
                        "is meaningless");
    if (!crs.metric)
        throw Error(Errc::Usage, what + ": " + crs.label() + " is not a projected CRS in metres");
}

// OGR transformations are not thread-safe: each thread builds its own from the WKT.
struct Reprojector::PerThread
{
    tbb::enumerable_thread_specific<TransformPtr> transforms;
};

Reprojector::Reprojector(const Crs& from, const Crs& to) : m_from_wkt(from.wkt), m_to_wkt(to.wkt)
{
    detail::ensure_gdal();
    const auto a = srs_from_wkt(from.wkt);
    const auto b = srs_from_wkt(to.wkt);
    m_identity = a->IsSame(b.get());
    // A CRS and itself redrawn in metres (in_metres) differ by a factor alone: scaled exactly,
    // rather than through PROJ's inverse and forward projections (which leave a millimetre).
    if (!m_identity && !from.geographic && !to.geographic && from.unit_m > 0 && to.unit_m > 0)
    {
        if (!from.metric && to.metric && srs_from_wkt(in_metres(from).wkt)->IsSame(b.get()))
            m_scale = from.unit_m;
        else if (from.metric && !to.metric && srs_from_wkt(in_metres(to).wkt)->IsSame(a.get()))
            m_scale = 1.0 / to.unit_m;
    }
    if (!m_identity && m_scale == 0)
    {
        // Made now, on the calling thread, so that a missing path fails here; kept as this
        // thread's, since making one asks PROJ's database for the operations (tens of ms).
        m_per_thread = std::make_unique<PerThread>();
        m_per_thread->transforms.local() = make_transform(m_from_wkt, m_to_wkt);
    }
}

Reprojector::~Reprojector() = default;

void Reprojector::transform(std::span<double> x, std::span<double> y) const
{
    if (m_identity)
        return;
    if (m_scale != 0)
    {
        for (std::size_t i = 0; i < x.size(); ++i)
        {
            x[i] *= m_scale;
            y[i] *= m_scale;
        }
        return;
    }
    auto& transforms = m_per_thread->transforms;
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, x.size(), 16384),
                      [&](const tbb::blocked_range<std::size_t>& range)
                      {
                          auto& t = transforms.local();
                          if (!t)
                              t = make_transform(m_from_wkt, m_to_wkt);
                          const std::size_t n = range.size();
                          std::vector<int> ok(n);
                          t->Transform(n, x.data() + range.begin(), y.data() + range.begin(),
                                       nullptr, ok.data());
                          for (std::size_t i = 0; i < n; ++i)
                          {
                              double& px = x[range.begin() + i];
                              double& py = y[range.begin() + i];
                              if (!ok[i] || !std::isfinite(px) || !std::isfinite(py))
                                  px = py = std::numeric_limits<double>::quiet_NaN();
                          }
                      });
}

engine::Point2 Reprojector::transform(engine::Point2 p) const
{
    transform(std::span<double>(&p.x, 1), std::span<double>(&p.y, 1));
    return p;
}

} // namespace hotspot::io

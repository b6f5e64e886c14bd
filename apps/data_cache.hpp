#pragma once
// Data read once and shared read-only: by the queries of a batch, which run in parallel.

#include "hotspot/engine/areas/area_index.hpp"
#include "hotspot/io/areas.hpp"
#include "hotspot/io/offences.hpp"
#include "hotspot/io/places.hpp"

#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace hotspot::app
{

/// Thread-safe: the first query to ask for a source reads it; others asking meanwhile wait for that
/// read rather than repeating it.
class DataCache
{
  public:
    /// Every record of the source (io::read_all_offences), in the given target CRS, with each
    /// record's text.
    std::shared_ptr<const io::OffenceTable> offences(const io::OffenceSource& source,
                                                     const std::string& target_crs);
    std::shared_ptr<const io::AreaLayer> areas(const std::string& path, const std::string& layer,
                                               const io::Crs& crs);
    /// The spatial index of a layer's areas, built once.
    std::shared_ptr<const engine::AreaIndex>
    area_index(const std::string& path, const std::string& layer, const io::Crs& crs);
    std::shared_ptr<const std::vector<io::Place>> places(const std::string& path,
                                                         const io::Crs& crs);

  private:
    template <class T, class Load>
    std::shared_ptr<const T>
    get(std::map<std::string, std::shared_future<std::shared_ptr<const T>>>& store,
        const std::string& key, Load&& load);
    std::mutex m_mutex;
    std::map<std::string, std::shared_future<std::shared_ptr<const io::OffenceTable>>> m_offences;
    std::map<std::string, std::shared_future<std::shared_ptr<const io::AreaLayer>>> m_areas;
    std::map<std::string, std::shared_future<std::shared_ptr<const engine::AreaIndex>>> m_indexes;
    std::map<std::string, std::shared_future<std::shared_ptr<const std::vector<io::Place>>>>
        m_places;
};

} // namespace hotspot::app

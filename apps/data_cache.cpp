#include "data_cache.hpp"

#include "hotspot/engine/core/text.hpp"

namespace hotspot::app
{

template <class T, class Load>
std::shared_ptr<const T>
DataCache::get(std::map<std::string, std::shared_future<std::shared_ptr<const T>>>& store,
               const std::string& key, Load&& load)
{
    std::promise<std::shared_ptr<const T>> promise;
    std::shared_future<std::shared_ptr<const T>> future;
    bool mine = false;
    {
        std::lock_guard lock(m_mutex);
        auto it = store.find(key);
        if (it == store.end())
        {
            future = promise.get_future().share();
            store.emplace(key, future);
            mine = true;
        }
        else
            future = it->second;
    }
    if (mine)
    {
        try
        {
            promise.set_value(std::make_shared<const T>(load()));
        }
        catch (...)
        {
            promise.set_exception(
                std::current_exception()); // every waiting query sees the same error
        }
    }
    return future.get();
}

std::shared_ptr<const io::OffenceTable> DataCache::offences(const io::OffenceSource& s,
                                                            const std::string& target_crs)
{
    const std::string key = engine::join(s.paths, "\t") + '\n' + engine::join(s.forces, "\t") +
                            '\n' + s.layer + '\n' + s.sql + '\n' + s.x_field + '\n' + s.y_field +
                            '\n' + s.crs + '\n' + s.date_field + '\n' + s.type_field + '\n' +
                            s.id_field + '\n' + s.weight_field + '\n' + s.code_field + '\n' +
                            s.time_field + '\n' + s.end_date_field + '\n' + s.end_time_field +
                            '\n' + (s.drop_untimed ? "drop" : "day") + '\n' + s.date_format + '\n' +
                            s.delimiter + '\n' + target_crs;
    return get(m_offences, key,
               [&]
               {
                   io::ReadOptions options;
                   options.target_crs = target_crs;
                   options.keep_raw = true;
                   return io::read_all_offences(s, options);
               });
}

std::shared_ptr<const io::AreaLayer> DataCache::areas(const std::string& path,
                                                      const std::string& layer, const io::Crs& crs)
{
    return get(m_areas, path + '\n' + layer + '\n' + crs.wkt,
               [&] { return io::read_areas(path, layer, crs); });
}

std::shared_ptr<const engine::AreaIndex>
DataCache::area_index(const std::string& path, const std::string& layer, const io::Crs& crs)
{
    return get(m_indexes, path + '\n' + layer + '\n' + crs.wkt,
               [&] { return engine::AreaIndex(io::shapes(*areas(path, layer, crs))); });
}

std::shared_ptr<const std::vector<io::Place>> DataCache::places(const std::string& path,
                                                                const io::Crs& crs)
{
    return get(m_places, path + '\n' + crs.wkt, [&] { return io::read_places(path, crs); });
}

} // namespace hotspot::app

#include "hotspot/io/streets.hpp"

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/ranking.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"

#include <algorithm>
#include <map>

namespace hotspot::io
{

namespace
{
// "On or near High Street" is police.uk's way of saying High Street.
std::string_view street_of(std::string_view text)
{
    text = engine::trim(text);
    constexpr std::string_view prefix = "on or near ";
    if (text.size() >= prefix.size() && engine::same_text(text.substr(0, prefix.size()), prefix))
        text = engine::trim(text.substr(prefix.size()));
    return text;
}
} // namespace

int street_field(const OffenceTable& table, const std::string& name)
{
    const auto find = [&](std::string_view wanted)
    {
        for (std::size_t f = 0; f < table.field_names.size(); ++f)
            if (engine::same_text(table.field_names[f], wanted))
                return static_cast<int>(f);
        return -1;
    };
    if (!name.empty())
    {
        const int f = find(name);
        if (f < 0)
            throw Error(Errc::Usage, table.source_path + ": no field '" + name +
                                         "' for --street-field (fields are: " +
                                         engine::join(table.field_names) + ")");
        return f;
    }
    for (const char* candidate : {"location", "street", "street_name", "address"})
        if (const int f = find(candidate); f >= 0)
            return f;
    return -1;
}

std::vector<std::string> top_streets(const OffenceTable& table, const std::string& name,
                                     std::size_t groups,
                                     const std::function<std::int32_t(std::size_t)>& group_of)
{
    std::vector<std::string> out(groups);
    const int field = street_field(table, name);
    if (field < 0 || groups == 0)
        return out;
    if (table.mixed_fields)
        return out;
    const engine::Incidents& inc = table.incidents;
    struct Wanted
    {
        std::int64_t key; ///< record_key: RecordTexts reads forwards
        std::size_t offence;
        std::int32_t group;
    };
    std::vector<Wanted> wanted;
    for (std::size_t i = 0; i < inc.size(); ++i)
        if (const std::int32_t g = group_of(i); g >= 0)
            wanted.push_back({inc.source_row[i], i, g});
    std::sort(wanted.begin(), wanted.end(),
              [](const Wanted& a, const Wanted& b) { return a.key < b.key; });
    std::vector<std::map<std::string, std::int64_t>> counts(groups);
    RecordTexts texts(table.files);
    std::vector<std::string_view> fields;
    for (const auto& [key, i, group] : wanted)
    {
        const std::string_view text =
            i < table.raw.size() && !table.raw[i].empty() ? table.raw[i] : texts.text(key);
        CsvReader reader(text, table.source_path);
        reader.set_separator(table.separators.empty() ? ',' : table.separators[record_file(key)]);
        if (!reader.next(fields) || static_cast<std::size_t>(field) >= fields.size())
            continue;
        const std::string_view street = street_of(fields[static_cast<std::size_t>(field)]);
        if (!street.empty())
            ++counts[static_cast<std::size_t>(group)][std::string(street)];
    }
    for (std::size_t g = 0; g < groups; ++g)
    {
        std::vector<std::string> top;
        for (const auto& [street, n] : engine::ranked_by_count(counts[g], 3))
            top.push_back(street + " " + std::to_string(n));
        out[g] = engine::join(top, "; ");
    }
    return out;
}

std::vector<std::string> street_names(const std::string& text)
{
    // police.uk's anonymised map points on premises rather than streets.
    static const std::vector<std::string_view> generic{"Parking Area",
                                                       "Supermarket",
                                                       "Shopping Area",
                                                       "Sports/Recreation Area",
                                                       "Petrol Station",
                                                       "Nightclub",
                                                       "Hospital",
                                                       "Police Station",
                                                       "Bus/Coach Station",
                                                       "Train Station",
                                                       "Further/Higher Educational Building",
                                                       "Theatre/Concert Hall",
                                                       "Conference/Exhibition Centre",
                                                       "Park/Open Space",
                                                       "Pedestrian Subway",
                                                       "Airport/Airfield",
                                                       "Prison",
                                                       "Underground Station"};
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size())
    {
        std::size_t end = text.find("; ", start);
        if (end == std::string::npos)
            end = text.size();
        std::string_view item = engine::trim(std::string_view(text).substr(start, end - start));
        if (const auto space = item.rfind(' ');
            space != std::string_view::npos &&
            item.find_first_not_of("0123456789", space + 1) == std::string_view::npos)
            item = engine::trim(item.substr(0, space));
        const bool is_generic =
            std::any_of(generic.begin(), generic.end(),
                        [&](std::string_view g) { return engine::same_text(g, item); });
        if (!item.empty() && !is_generic)
            out.emplace_back(item);
        start = end + 2;
    }
    return out;
}

} // namespace hotspot::io

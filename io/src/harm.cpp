#include "hotspot/io/harm.hpp"

#include <algorithm>
#include <filesystem>

#include "hotspot/data/tables.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <cmath>

namespace hotspot::io
{

namespace
{
struct Shipped
{
    std::string_view name;
    const char* const* text;
    std::string_view file;
};
const Shipped shipped[] = {
    {"ons-css", &data::harm_ons_css_police_uk_csv, "data/harm/ons_css_police_uk.csv"},
    {"ons-css-codes", &data::harm_ons_css_offence_codes_csv,
     "data/harm/ons_css_offence_codes.csv"}};
} // namespace

const double* HarmTable::find(std::string_view key) const
{
    const auto it = weight.find(engine::fold(key));
    return it == weight.end() ? nullptr : &it->second;
}

HarmTable parse_harm_table(std::string_view text, const std::string& source_name)
{
    HarmTable table;
    table.name = source_name;
    // The notes: every leading line that starts with '#'.
    std::size_t begin = 0;
    std::int64_t line = 1;
    if (text.substr(0, 3) == "\xEF\xBB\xBF")
        begin = 3;
    while (begin < text.size() && text[begin] == '#')
    {
        const std::size_t end = std::min(text.find('\n', begin), text.size());
        std::string note(engine::trim(text.substr(begin + 1, end - begin - 1)));
        table.notes.push_back(note);
        begin = end + 1;
        ++line;
    }
    CsvReader reader(text, source_name, std::min(begin, text.size()), line);
    std::vector<std::string_view> fields;
    if (!reader.next(fields) || fields.size() < 2 || !engine::same_text(fields[0], "key") ||
        !engine::same_text(fields[1], "weight"))
        throw Error(Errc::BadData, source_name + ": line " + std::to_string(reader.line()) +
                                       ": a harm table's header starts with key,weight (crime "
                                       "type or offence code, then its weight)");
    while (reader.next(fields))
    {
        const std::string where = source_name + ": line " + std::to_string(reader.line());
        if (fields.size() < 2)
            throw Error(Errc::BadData, where + ": expected a key and a weight");
        const std::string key = engine::fold(fields[0]);
        double w = 0;
        if (key.empty())
            throw Error(Errc::BadData, where + ": the key is empty");
        if (!parse_number(fields[1], w) || w < 0)
            throw Error(Errc::BadData, where + ": weight '" + std::string(fields[1]) + "' of '" +
                                           std::string(fields[0]) +
                                           "' is not a number of at least 0");
        if (!table.weight.emplace(key, w).second)
            throw Error(Errc::BadData,
                        where + ": '" + std::string(fields[0]) + "' has a weight already");
    }
    if (table.weight.empty())
        throw Error(Errc::BadData, source_name + ": the harm table has no weights");
    return table;
}

std::string harm_table_name(const std::string& name_or_path)
{
    for (const auto& s : shipped)
        if (engine::same_text(s.name, name_or_path))
            return std::string(s.name) + " (" + std::string(s.file) + ")";
    return name_or_path;
}

bool is_shipped_harm_table(const std::string& name_or_path)
{
    return std::any_of(std::begin(shipped), std::end(shipped),
                       [&](const Shipped& s) { return engine::same_text(s.name, name_or_path); });
}

std::string harm_measure(const std::string& name_or_path)
{
    return is_shipped_harm_table(name_or_path)
               ? "ONS Crime Severity Score (sentence days)"
               : "harm weight (" + std::filesystem::path(name_or_path).filename().string() + ")";
}

HarmTable load_harm_table(const std::string& name_or_path)
{
    for (const auto& s : shipped)
        if (engine::same_text(s.name, name_or_path))
        {
            HarmTable t = parse_harm_table(*s.text, std::string(s.file));
            t.name = harm_table_name(name_or_path);
            return t;
        }
    return parse_harm_table(read_text_file(name_or_path), name_or_path);
}

std::vector<std::string> shipped_harm_tables()
{
    std::vector<std::string> names;
    for (const auto& s : shipped)
        names.emplace_back(s.name);
    return names;
}

HarmWeighing weigh_by_harm(const HarmTable& harm, engine::Incidents& incidents)
{
    // One weight per crime type; offences of a type the table lacks weigh 0, and are counted.
    std::vector<const double*> by_type(incidents.crime_type_names.size(), nullptr);
    for (std::size_t t = 0; t < by_type.size(); ++t)
        by_type[t] = harm.find(incidents.crime_type_names[t]);
    std::vector<std::size_t> unweighted(by_type.size() + 1, 0);
    HarmWeighing result;
    for (std::size_t i = 0; i < incidents.size(); ++i)
    {
        const std::int32_t t = incidents.crime_type[i];
        const double* w = t >= 0 ? by_type[static_cast<std::size_t>(t)] : nullptr;
        if (!w)
            ++unweighted[t >= 0 ? static_cast<std::size_t>(t) : by_type.size()];
        const double weight = incidents.weight_of(i) * (w ? *w : 0.0);
        incidents.set_weight(i, weight);
        result.total += weight;
    }
    for (std::size_t t = 0; t < unweighted.size(); ++t)
        if (unweighted[t] > 0)
            result.unweighted.emplace_back(t < by_type.size() ? incidents.crime_type_names[t]
                                                              : std::string("no crime type"),
                                           unweighted[t]);
    return result;
}

} // namespace hotspot::io

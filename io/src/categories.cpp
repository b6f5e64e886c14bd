#include "hotspot/io/categories.hpp"

#include "hotspot/data/tables.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <set>

namespace hotspot::io
{

std::vector<std::string> known_ho_codes()
{
    CsvReader reader(data::offence_codes_csv, "data/offence_codes.csv");
    std::vector<std::string_view> fields;
    reader.next(fields);
    std::vector<std::string> codes;
    while (reader.next(fields))
        codes.push_back(engine::normalise_ho_code(fields.at(0)));
    return codes;
}

std::vector<engine::Category> parse_categories(std::string_view csv, const std::string& source_name)
{
    CsvReader reader(csv, source_name);
    std::vector<std::string_view> fields;
    if (!reader.next(fields) || fields.size() < 5 || !engine::same_text(fields[0], "category") ||
        !engine::same_text(fields[2], "ho_codes") ||
        !engine::same_text(fields[3], "police_uk_types"))
        throw Error(Errc::BadData, source_name +
                                       ": a category file starts with the header "
                                       "category,source,ho_codes,police_uk_types,description");
    const auto known = known_ho_codes();
    const std::set<std::string> index(known.begin(), known.end());
    std::set<std::string> names;
    std::vector<engine::Category> categories;
    while (reader.next(fields))
    {
        const std::string where = source_name + ": line " + std::to_string(reader.line());
        if (fields.size() < 5)
            throw Error(Errc::BadData,
                        where + ": expected 5 fields, found " + std::to_string(fields.size()));
        engine::Category c;
        c.name = std::string(fields[0]);
        if (engine::fold(c.name).empty())
            throw Error(Errc::BadData, where + ": a category needs a name");
        if (!names.insert(engine::fold(c.name)).second)
            throw Error(Errc::BadData, where + ": category '" + c.name + "' is defined twice");
        c.ho_codes = engine::split(fields[2], ' ');
        for (const auto& code : c.ho_codes)
            if (!index.count(engine::normalise_ho_code(code)))
                throw Error(Errc::BadData,
                            where + ": '" + code +
                                "' is not a code of the Offence Classification Index");
        c.police_uk_types = engine::split(fields[3], ';');
        c.description = std::string(fields[4]);
        categories.push_back(std::move(c));
    }
    if (categories.empty())
        throw Error(Errc::BadData, source_name + ": defines no category");
    return categories;
}

std::vector<engine::Category> load_categories(const std::string& path)
{
    if (path.empty())
        return parse_categories(data::categories_csv, "data/categories.csv");
    const std::string text = read_text_file(path);
    return parse_categories(text, path);
}

} // namespace hotspot::io

#include "hotspot/engine/areas/tables.hpp"

#include "hotspot/engine/core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace hotspot::engine
{

std::string normalise_ho_code(std::string_view code)
{
    std::string out;
    for (const char c : code)
        if (!std::isspace(static_cast<unsigned char>(c)))
            out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    return out;
}

std::vector<std::vector<std::int32_t>>
categories_of_classes(const std::vector<Category>& categories,
                      const std::vector<std::string>& class_names, CategoryBasis basis)
{
    std::vector<std::vector<std::int32_t>> out(class_names.size());
    for (std::size_t k = 0; k < class_names.size(); ++k)
        for (std::size_t c = 0; c < categories.size(); ++c)
        {
            bool member = false;
            if (basis == CategoryBasis::HoCode)
            {
                const std::string code = normalise_ho_code(class_names[k]);
                member =
                    std::any_of(categories[c].ho_codes.begin(), categories[c].ho_codes.end(),
                                [&](const std::string& h) { return normalise_ho_code(h) == code; });
            }
            else
                member = std::any_of(
                    categories[c].police_uk_types.begin(), categories[c].police_uk_types.end(),
                    [&](const std::string& t) { return same_text(t, class_names[k]); });
            if (member)
                out[k].push_back(static_cast<std::int32_t>(c));
        }
    return out;
}

std::int64_t CountCube::total(std::size_t category, std::size_t period) const
{
    std::int64_t sum = 0;
    for (std::size_t a = 0; a < areas; ++a)
        sum += at(a, category, period);
    return sum;
}

CountCube count_cube(const std::vector<std::int32_t>& area,
                     const std::vector<std::int32_t>& class_of,
                     const std::vector<std::int32_t>& period,
                     const std::vector<std::vector<std::int32_t>>& categories_of_class,
                     std::size_t areas, std::size_t categories, std::size_t periods)
{
    CountCube cube{areas, categories, periods,
                   std::vector<std::int64_t>(areas * categories * periods, 0)};
    for (std::size_t i = 0; i < area.size(); ++i)
    {
        if (area[i] < 0 || class_of[i] < 0 || period[i] < 0)
            continue;
        for (const auto c : categories_of_class[static_cast<std::size_t>(class_of[i])])
            ++cube.counts[(static_cast<std::size_t>(area[i]) * categories +
                           static_cast<std::size_t>(c)) *
                              periods +
                          static_cast<std::size_t>(period[i])];
    }
    return cube;
}

std::string percent_change_text(std::int64_t this_count, std::int64_t last_count)
{
    if (last_count == 0)
        return "n/a";
    // Tenths of a percent, rounded half away from zero: round(1000 * (this - last) / last).
    const std::int64_t numerator = 1000 * (this_count - last_count);
    const std::int64_t magnitude = std::llabs(numerator);
    const std::int64_t denominator = std::llabs(last_count);
    const std::int64_t tenths = (2 * magnitude + denominator) / (2 * denominator);
    const bool negative = (numerator < 0) != (last_count < 0) && tenths > 0;
    return std::string(negative ? "-" : "") + std::to_string(tenths / 10) + "." +
           std::to_string(tenths % 10) + "%";
}

} // namespace hotspot::engine

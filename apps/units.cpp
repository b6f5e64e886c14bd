#include "units.hpp"

#include "hotspot/engine/core/text.hpp"
#include "hotspot/engine/hotspots/forecast_entry.hpp"
#include "hotspot/io/csv.hpp"
#include "hotspot/io/files.hpp"

#include <span>

namespace hotspot::app
{

engine::Box2 parse_extent(const std::string& text)
{
    std::vector<double> v;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ','))
    {
        double value = 0;
        if (!io::parse_number(item, value))
        {
            v.clear();
            break;
        }
        v.push_back(value);
    }
    if (v.size() != 4)
        throw Error(Errc::Usage,
                    "--extent takes four numbers xmin,ymin,xmax,ymax in metres (got '" + text +
                        "')");
    if (!(v[0] < v[2] && v[1] < v[3]))
        throw Error(Errc::Usage, "--extent needs xmin < xmax and ymin < ymax (got '" + text + "')");
    return {v[0], v[1], v[2], v[3]};
}

namespace
{
using Units = std::span<const std::pair<std::string_view, double>>;

// A number with an optional unit from `units` (the longest that fits is listed first), in the
// first unit's base.
std::optional<double> parse_measure(std::string_view text, Units units)
{
    text = engine::trim(text);
    double scale = 1.0;
    for (const auto& [unit, base] : units)
        if (text.size() > unit.size() &&
            engine::same_text(text.substr(text.size() - unit.size()), unit))
        {
            const std::string_view number = engine::trim(text.substr(0, text.size() - unit.size()));
            // "5km" is kilometres, not "5k" metres: the number must end in a digit or a point.
            if (!number.empty() &&
                (std::isdigit(static_cast<unsigned char>(number.back())) || number.back() == '.'))
            {
                text = number;
                scale = base;
                break;
            }
        }
    double value = 0;
    if (!io::parse_number(text, value))
        return std::nullopt;
    return value * scale;
}

constexpr std::pair<std::string_view, double> length_units[] = {
    {"km", 1000.0}, {"m", 1.0}, {"ft", 0.3048}, {"mi", 1609.344}, {"yd", 0.9144}};
constexpr std::pair<std::string_view, double> area_units[] = {{"km2", 1e6},
                                                              {"sqkm", 1e6},
                                                              {"m2", 1.0},
                                                              {"sqm", 1.0},
                                                              {"ha", 1e4},
                                                              {"sqft", engine::m2_per_sq_ft},
                                                              {"sqmi", engine::m2_per_sq_mile}};

// Rewrites a value with a unit (or a list of them: "0,100,200m") as the bare number in the base
// unit, so that options read plain numbers.
CLI::Validator unit_validator(Units units, std::string name)
{
    return CLI::Validator(
        [units](std::string& value)
        {
            std::string out;
            std::size_t start = 0;
            bool changed = false;
            while (start <= value.size())
            {
                std::size_t end = value.find(',', start);
                if (end == std::string::npos)
                    end = value.size();
                const std::string item = value.substr(start, end - start);
                std::string converted = item;
                double bare = 0;
                if (const auto m = parse_measure(item, units); m && !io::parse_number(item, bare))
                {
                    char buffer[64];
                    std::snprintf(buffer, sizeof buffer, "%.17g", *m);
                    converted = buffer;
                    changed = true;
                }
                out += (start == 0 ? "" : ",") + converted;
                start = end + 1;
            }
            if (changed)
                value = out;
            return std::string();
        },
        "", std::move(name));
}
} // namespace

std::optional<double> parse_length_m(std::string_view text)
{
    return parse_measure(text, length_units);
}

CLI::Validator length_unit()
{
    return unit_validator(length_units, "length unit");
}

CLI::Validator area_unit()
{
    return unit_validator(area_units, "area unit");
}

void require_positive(double value, const std::string& option)
{
    if (!(value > 0) || !std::isfinite(value))
        throw Error(Errc::Usage, option + " must be a positive number of metres (got " +
                                     std::to_string(value) + ")");
}

} // namespace hotspot::app

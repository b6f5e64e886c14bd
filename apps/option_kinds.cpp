#include "option_kinds.hpp"

#include <algorithm>
#include <map>

namespace hotspot::app
{
namespace
{
constexpr const char* kind_prefix = "kind:";
constexpr char separator = '\x1f'; // never in a choice, a field name or an extension

std::string kind_name(const OptionKind& kind)
{
    std::string name = kind_prefix + kind.kind + separator + kind.detail;
    for (const auto& c : kind.choices)
        name += separator + c;
    return name;
}

// Accepts every value; its name carries the kind, and its description is empty, so that --help
// does not show it.
CLI::Validator declare(const OptionKind& kind)
{
    return CLI::Validator([](const std::string&) { return std::string(); }, "", kind_name(kind));
}

std::vector<std::string> split(const std::string& text)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find(separator, start)) != std::string::npos; start = end + 1)
        parts.push_back(text.substr(start, end - start));
    parts.push_back(text.substr(start));
    return parts;
}
} // namespace

CLI::Validator points_input()
{
    return declare({"points", "point", {}});
}
CLI::Validator layer_input(const std::string& geometry)
{
    return declare({"layer", geometry, {}});
}
CLI::Validator raster_input()
{
    return declare({"raster", "tif", {}});
}
CLI::Validator file_input(const std::string& extensions)
{
    return declare({"file", extensions, {}});
}
CLI::Validator field_of(const std::string& layer_option)
{
    return declare({"field", layer_option, {}});
}
CLI::Validator extent_value()
{
    return declare({"extent", "", {}});
}
CLI::Validator crs_value()
{
    return declare({"crs", "", {}});
}
CLI::Validator date_value()
{
    return declare({"date", "", {}});
}
CLI::Validator output_folder()
{
    return declare({"output-folder", "", {}});
}
CLI::Validator output_file(const std::string& extensions)
{
    return declare({"output-file", extensions, {}});
}

CLI::Validator choice(const std::vector<std::string>& values)
{
    std::string listed;
    for (const auto& v : values)
        listed += (listed.empty() ? "" : ",") + v;
    listed = "{" + listed + "}";
    // Read case aside, as the engine reads its names; the command gets the value as listed.
    return CLI::Validator(
        [values](std::string& value)
        {
            for (const auto& v : values)
                if (engine::same_text(v, value))
                {
                    value = v;
                    return std::string();
                }
            return "'" + value + "' is not one of " + engine::join(values);
        },
        listed, kind_name({"choice", "", values}));
}

OptionKind kind_of(CLI::Option& option)
{
    bool length = false, area = false;
    for (int i = 0;; ++i)
    {
        const CLI::Validator* v = nullptr;
        try
        {
            v = option.get_validator(i);
        }
        catch (const CLI::OptionNotFound&)
        {
            break;
        }
        const std::string& name = v->get_name();
        if (name.rfind(kind_prefix, 0) == 0)
        {
            std::vector<std::string> parts = split(name.substr(std::string(kind_prefix).size()));
            OptionKind kind{parts[0], parts.size() > 1 ? parts[1] : "", {}};
            if (parts.size() > 2)
                kind.choices.assign(parts.begin() + 2, parts.end());
            return kind;
        }
        length = length || name == "length unit";
        area = area || name == "area unit";
    }
    if (length)
        return {"length", "m", {}};
    if (area)
        return {"area", "m2", {}};
    if (option.get_expected_max() == 0)
        return {"flag", "", {}};
    const std::string type = option.get_type_name();
    if (type.find("INT") != std::string::npos || type == "N" || type.rfind("N:", 0) == 0)
        return {"integer", "", {}};
    if (type.find("FLOAT") != std::string::npos || type.find("NUMBER") != std::string::npos)
        return {"number", "", {}};
    return {"text", "", {}};
}

void name_value_types(CLI::App& command)
{
    static const std::map<std::string, std::string> type_names = {
        {"points", "FILE"},      {"layer", "FILE"},
        {"raster", "FILE"},      {"file", "FILE"},
        {"field", "FIELD"},      {"extent", "XMIN,YMIN,XMAX,YMAX"},
        {"crs", "CRS"},          {"date", "DATE"},
        {"output-file", "FILE"}, {"output-folder", "FOLDER"}};
    for (CLI::Option* option : command.get_options())
    {
        const auto it = type_names.find(kind_of(*option).kind);
        if (it != type_names.end() && option->get_type_name() == "TEXT")
            option->type_name(it->second);
    }
}

} // namespace hotspot::app

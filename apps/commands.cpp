#include "commands.hpp"

#include "option_kinds.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace hotspot::app
{

namespace
{
// Each entry's name is the name its add_*_command registers; register_commands checks that.
constexpr CommandEntry table[] = {
    {"kde",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_kde_command(app, q.kde), &q.kde.run,
                 [&q](Reporter& r) { return run_kde(q.kde, r); }, &q.kde.input, &q.kde.density};
     },
     {"--out", "density.tif", 1}},
    {"hotspots",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_hotspots_command(app, q.hotspots),
                 &q.hotspots.run,
                 [&q](Reporter& r) { return run_hotspots(q.hotspots, r); },
                 &q.hotspots.input,
                 &q.hotspots.density,
                 &q.hotspots.surface_path};
     },
     {"--out-dir", "", 4}},
    {"map",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_map_command(app, q.map),
                 &q.map.run,
                 [&q](Reporter& r) { return run_map(q.map, r); },
                 &q.map.input,
                 &q.map.density,
                 &q.map.surface_path};
     },
     {"--out", "map.png", 3}},
    {"evaluate",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_evaluate_command(app, q.evaluate), &q.evaluate.run,
                 [&q](Reporter& r) { return run_evaluate(q.evaluate, r); }, &q.evaluate.input,
                 &q.evaluate.density};
     },
     {"--out-dir", "", 5}},
    {"displacement",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_displacement_command(app, q.displacement), &q.displacement.run,
                 [&q](Reporter& r) { return run_displacement(q.displacement, r); },
                 &q.displacement.input};
     },
     {"--out", "displacement.csv", 3}},
    {"reconcile",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_reconcile_command(app, q.reconcile), &q.reconcile.run,
                 [&q](Reporter& r) { return run_reconcile(q.reconcile, r); },
                 &q.reconcile.setup.input};
     },
     {"--out", "reconciled.gpkg", 6}},
    {"tables",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_tables_command(app, q.tables), &q.tables.run,
                 [&q](Reporter& r) { return run_tables(q.tables, r); }, &q.tables.setup.input};
     },
     {"--out", "table.csv", 2}},
    {"compare",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_compare_command(app, q.compare), &q.compare.run,
                 [&q](Reporter& r) { return run_compare(q.compare, r); }, &q.compare.input,
                 &q.compare.density};
     },
     {"--out-dir", "", 4}},
    {"snap-points",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_snap_points_command(app, q.snap_points), &q.snap_points.run,
                 [&q](Reporter& r) { return run_snap_points(q.snap_points, r); },
                 &q.snap_points.input};
     },
     {"--out", "snap_points.csv", 1}},
    {"trends",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_trends_command(app, q.trends), &q.trends.run,
                 [&q](Reporter& r) { return run_trends(q.trends, r); }, &q.trends.input};
     },
     {"--out-dir", "", 4}},
    {"near-repeat",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_near_repeat_command(app, q.near_repeat), &q.near_repeat.run,
                 [&q](Reporter& r) { return run_near_repeat(q.near_repeat, r); },
                 &q.near_repeat.input};
     },
     {"--out", "near_repeat.csv", 3}},
    {"predict",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_predict_command(app, q.predict), &q.predict.run,
                 [&q](Reporter& r) { return run_predict(q.predict, r); }, &q.predict.input,
                 &q.predict.density};
     },
     {"--out-dir", "", 2}},
    {"when",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_when_command(app, q.when), &q.when.run,
                 [&q](Reporter& r) { return run_when(q.when, r); }, &q.when.input};
     },
     {"--out-dir", "", 3}},
    {"patrol-plan",
     [](CLI::App& app, Requests& q) -> Command
     {
         return {add_patrol_plan_command(app, q.patrol_plan), &q.patrol_plan.run,
                 [&q](Reporter& r) { return run_patrol_plan(q.patrol_plan, r); },
                 &q.patrol_plan.input};
     },
     {"--out-dir", "", 2}},
};

Command add_entry(const CommandEntry& entry, CLI::App& app, Requests& q)
{
    Command c = entry.add(app, q);
    if (c.app->get_name() != entry.name)
        throw std::logic_error("the command table names '" + std::string(entry.name) +
                               "' what registers as '" + c.app->get_name() + "'");
    return c;
}
} // namespace

std::span<const CommandEntry> analysis_commands()
{
    return table;
}

const CommandEntry* find_analysis_command(std::string_view name)
{
    for (const CommandEntry& entry : table)
        if (entry.name == name)
            return &entry;
    return nullptr;
}

std::vector<std::string> command_names()
{
    std::vector<std::string> names;
    for (const CommandEntry& entry : table)
        names.emplace_back(entry.name);
    names.emplace_back("batch");
    return names;
}

std::vector<Command> register_commands(CLI::App& app, Requests& q, std::string_view only)
{
    if (const CommandEntry* entry = find_analysis_command(only))
        return {add_entry(*entry, app, q)};
    std::vector<Command> commands;
    for (const CommandEntry& entry : table)
        commands.push_back(add_entry(entry, app, q));
    return commands;
}

namespace
{
std::string long_name(const CLI::Option* option)
{
    return option->get_lnames().empty() ? option->get_name() : "--" + option->get_lnames().front();
}

// --crime-type: CRIME_TYPE, the name QGIS Processing parameters take.
std::string parameter_name(const CLI::Option* option)
{
    std::string name =
        option->get_lnames().empty() ? option->get_name() : option->get_lnames().front();
    for (char& c : name)
        c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

nlohmann::json names_of(const std::set<CLI::Option*>& options)
{
    std::vector<std::string> names;
    for (const CLI::Option* o : options)
        names.push_back(long_name(o));
    std::sort(names.begin(), names.end());
    return names;
}

nlohmann::json describe_option(CLI::Option& option)
{
    const OptionKind kind = kind_of(option);
    nlohmann::json o = {{"name", long_name(&option)},
                        {"parameter", parameter_name(&option)},
                        {"kind", kind.kind},
                        {"type", option.get_type_name()},
                        {"help", option.get_description()},
                        {"group", option.get_group()},
                        {"required", option.get_required()},
                        {"repeatable", option.get_expected_max() > 1}};
    if (!kind.detail.empty())
        o[kind.kind == "field"                            ? "layer"
          : kind.kind == "length" || kind.kind == "area"  ? "unit"
          : kind.kind == "points" || kind.kind == "layer" ? "geometry"
                                                          : "extensions"] = kind.detail;
    if (!kind.choices.empty())
        o["choices"] = kind.choices;
    if (!option.get_default_str().empty())
        o["default"] = option.get_default_str();
    if (!option.get_excludes().empty())
        o["excludes"] = names_of(option.get_excludes());
    if (!option.get_needs().empty())
        o["needs"] = names_of(option.get_needs());
    return o;
}
} // namespace

std::vector<Command> register_every_command(CLI::App& app, Requests& q, std::string_view only)
{
    std::vector<Command> commands;
    if (only != "batch")
        commands = register_commands(app, q, only);
    if (only == "batch" || !find_analysis_command(only))
        commands.push_back({add_batch_command(app, q.batch), &q.batch.run,
                            [&q](Reporter& r) { return run_batch(q.batch, r); }});
    return commands;
}

nlohmann::json describe_commands(const std::vector<Command>& commands)
{
    nlohmann::json list = nlohmann::json::array();
    for (const Command& c : commands)
    {
        nlohmann::json options = nlohmann::json::array();
        for (CLI::Option* option : c.app->get_options())
            if (option != c.app->get_help_ptr())
                options.push_back(describe_option(*option));
        std::string id = c.app->get_name();
        id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
        list.push_back({{"name", c.app->get_name()},
                        {"algorithm", id},
                        {"summary", c.app->get_description()},
                        {"footer", c.app->get_footer()},
                        {"options", options}});
    }
    return {{"program", "hotspot"}, {"version", HOTSPOT_VERSION_STRING}, {"commands", list}};
}

} // namespace hotspot::app

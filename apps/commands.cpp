#include "commands.hpp"

#include "option_kinds.hpp"

#include <algorithm>
#include <cctype>

namespace hotspot::app
{

std::vector<Command> register_commands(CLI::App& app, Requests& q)
{
    return {
        {add_kde_command(app, q.kde), &q.kde.run, [&q](Reporter& r) { return run_kde(q.kde, r); }},
        {add_hotspots_command(app, q.hotspots), &q.hotspots.run,
         [&q](Reporter& r) { return run_hotspots(q.hotspots, r); }},
        {add_map_command(app, q.map), &q.map.run, [&q](Reporter& r) { return run_map(q.map, r); }},
        {add_evaluate_command(app, q.evaluate), &q.evaluate.run,
         [&q](Reporter& r) { return run_evaluate(q.evaluate, r); }},
        {add_displacement_command(app, q.displacement), &q.displacement.run,
         [&q](Reporter& r) { return run_displacement(q.displacement, r); }},
        {add_reconcile_command(app, q.reconcile), &q.reconcile.run,
         [&q](Reporter& r) { return run_reconcile(q.reconcile, r); }},
        {add_tables_command(app, q.tables), &q.tables.run,
         [&q](Reporter& r) { return run_tables(q.tables, r); }},
        {add_compare_command(app, q.compare), &q.compare.run,
         [&q](Reporter& r) { return run_compare(q.compare, r); }},
        {add_snap_points_command(app, q.snap_points), &q.snap_points.run,
         [&q](Reporter& r) { return run_snap_points(q.snap_points, r); }},
        {add_trends_command(app, q.trends), &q.trends.run,
         [&q](Reporter& r) { return run_trends(q.trends, r); }},
        {add_near_repeat_command(app, q.near_repeat), &q.near_repeat.run,
         [&q](Reporter& r) { return run_near_repeat(q.near_repeat, r); }},
        {add_predict_command(app, q.predict), &q.predict.run,
         [&q](Reporter& r) { return run_predict(q.predict, r); }},
        {add_when_command(app, q.when), &q.when.run,
         [&q](Reporter& r) { return run_when(q.when, r); }},
        {add_patrol_plan_command(app, q.patrol_plan), &q.patrol_plan.run,
         [&q](Reporter& r) { return run_patrol_plan(q.patrol_plan, r); }},
    };
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

std::vector<Command> register_every_command(CLI::App& app, Requests& q)
{
    std::vector<Command> commands = register_commands(app, q);
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

#include "commands.hpp"

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

} // namespace hotspot::app

#include "batch_command.hpp"
#include "option_kinds.hpp"

#include <unistd.h>

#include "commands.hpp"
#include "data_cache.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <toml++/toml.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <set>

namespace hotspot::app
{

namespace
{
namespace fs = std::filesystem;

// Options a query may not set: the batch places every output and runs every query the same way.
const std::set<std::string> reserved{"out",       "out-dir", "summary-json",
                                     "overwrite", "quiet",   "threads"};
// Optional outputs a query turns on with `= true`; the batch names the file.
const std::map<std::string, std::string> optional_outputs{
    {"map", "map.png"}, {"report", "report.csv"}, {"rejects", "rejects.csv"}};
// Options whose values are files: named entries of [sources], [layers] or [places], or paths
// relative to the batch file.
const std::set<std::string> path_options{"offences", "test-offences", "offences-after",
                                         "surface",  "boundaries",    "areas",
                                         "places",   "aliases",       "categories"};

struct Problem
{
    std::size_t line;
    std::string query;
    std::string message;
};

struct Query
{
    std::string name;
    std::string folder; // sanitised name
    std::string operation;
    std::size_t line = 0;
    std::vector<std::string> args;
    std::unique_ptr<Requests> requests;
    std::unique_ptr<CLI::App> app;
    const CommandEntry* entry = nullptr; ///< the operation's row of the command table
    std::vector<Command> commands;
    Command* command = nullptr;
    bool parsed = false; ///< its options parsed: the data checks apply
    // Results.
    bool ok = false;
    int exit_code = 0;
    std::string error;
    double seconds = 0;
    nlohmann::json summary;
};

std::size_t line_of(const toml::node& node)
{
    return node.source().begin.line;
}

std::string text_of(const toml::node& node)
{
    if (const auto* s = node.as_string())
        return s->get();
    if (const auto* i = node.as_integer())
        return std::to_string(i->get());
    if (const auto* f = node.as_floating_point())
    {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "%.17g", f->get());
        return buffer;
    }
    return "";
}

// The batch file's named data: [sources], [layers] and [places].
struct Catalogue
{
    fs::path base;
    // name -> offence options; offences (files, folders, patterns) and force may be lists
    std::map<std::string, std::map<std::string, std::vector<std::string>>> sources;
    std::map<std::string, std::string> files; // layers and places: name -> path

    std::string path(const std::string& value) const
    {
        if (const auto it = files.find(value); it != files.end())
            return it->second;
        const fs::path p(value);
        return p.is_absolute() || value.find(':') != std::string::npos
                   ? value
                   : (base / p).lexically_normal().string();
    }
};

// Turns one query table into the arguments of its command, checking every key against the command's
// own options.
void build_arguments(Query& q, const toml::table& query, const toml::table* defaults,
                     const Catalogue& catalogue, const std::string& query_dir,
                     std::vector<Problem>& problems)
{
    const auto problem = [&](std::size_t line, const std::string& message) {
        problems.push_back({line, q.name, message});
    };
    CLI::App* command = q.command->app;
    std::vector<std::string> option_names;
    for (const CLI::Option* o : command->get_options())
        if (!o->get_lnames().empty() && !reserved.count(o->get_lnames().front()) &&
            o->get_lnames().front() != "help")
            option_names.push_back(o->get_lnames().front());

    // The query's own keys win over [defaults]; defaults that the command does not have are
    // skipped.
    std::map<std::string, const toml::node*> keys;
    if (defaults)
        for (const auto& [key, node] : *defaults)
        {
            std::string k(key.str());
            std::replace(k.begin(), k.end(), '_', '-');
            if (command->get_option_no_throw("--" + k) && !reserved.count(k))
                keys[k] = &node;
        }
    for (const auto& [key, node] : query)
    {
        std::string k(key.str());
        std::replace(k.begin(), k.end(), '_', '-');
        if (k == "name" || k == "operation")
            continue;
        keys[k] = &node;
    }
    // A named source brings its options (fields, CRS) along, unless the query sets them itself.
    if (const auto it = keys.find("offences"); it != keys.end())
        if (const auto* s = it->second->as_string(); s && catalogue.sources.count(s->get()))
            for (const auto& [k, values] : catalogue.sources.at(s->get()))
                if (k != "offences" && !keys.count(k))
                    for (const auto& v : values)
                        q.args.insert(q.args.end(), {"--" + k, v});

    for (const auto& entry : keys)
    {
        // Named, not bound: lambdas below use it, and clang 14 cannot capture structured bindings.
        const std::string& key = entry.first;
        const toml::node* node = entry.second;
        const std::size_t line = line_of(*node);
        if (reserved.count(key))
        {
            problem(line, "'" + key +
                              "' is set by the batch: every output goes to the query's own folder");
            continue;
        }
        if (const auto out = optional_outputs.find(key);
            out != optional_outputs.end() && node->is_boolean())
        {
            if (!command->get_option_no_throw("--" + key))
                problem(line, "'" + key + "' is not an output of " + q.operation);
            else if (node->as_boolean()->get())
                q.args.insert(q.args.end(),
                              {"--" + key, (fs::path(query_dir) / out->second).string()});
            continue;
        }
        CLI::Option* option = command->get_option_no_throw("--" + key);
        if (!option)
        {
            const auto near = engine::near_matches(key, option_names, 3);
            problem(line,
                    "unknown option '" + key + "' for " + q.operation +
                        (near.empty() ? "" : "; did you mean " + engine::join(near, " or ") + "?"));
            continue;
        }
        const bool flag = option->get_type_size() == 0;
        const bool many = option->get_items_expected_max() > 1;
        // As `hotspot help --json` tells front ends: lengths and areas also take text with a unit.
        const std::string kind = kind_of(*option).kind;
        const bool numeric = kind == "integer" || kind == "number";
        const auto add_value = [&](const toml::node& value)
        {
            if (value.is_boolean())
            {
                if (!flag)
                    problem(line_of(value), "'" + key + "' takes a value, not true or false");
                else if (value.as_boolean()->get())
                    q.args.push_back("--" + key);
                return;
            }
            if (flag)
            {
                problem(line_of(value), "'" + key + "' is a switch: write " + key + " = true");
                return;
            }
            if (!value.is_string() && !value.is_number())
            {
                problem(line_of(value), "'" + key + "' takes a text or a number");
                return;
            }
            if (numeric && !value.is_number())
            {
                problem(line_of(value),
                        "'" + key + "' takes a number (got \"" + text_of(value) + "\")");
                return;
            }
            const std::string text = text_of(value);
            const bool offences_option =
                key == "offences" || key == "test-offences" || key == "offences-after";
            if (offences_option && catalogue.sources.count(text))
            {
                // A named source: its files, folders and patterns.
                const auto& paths = catalogue.sources.at(text).at("offences");
                if (key != "offences" && paths.size() > 1)
                    problem(line_of(value), "'" + key + "' takes one file or folder; source '" +
                                                text + "' names " + std::to_string(paths.size()));
                for (const auto& path : paths)
                    q.args.insert(q.args.end(), {"--" + key, catalogue.path(path)});
                return;
            }
            q.args.insert(q.args.end(),
                          {"--" + key, path_options.count(key) ? catalogue.path(text) : text});
        };
        if (const auto* array = node->as_array())
        {
            if (!many)
                problem(line, "'" + key + "' takes one value, not a list");
            else
                for (const auto& item : *array)
                    add_value(item);
        }
        else
            add_value(*node);
    }
    const BatchPlace& place = q.entry->batch;
    q.args.insert(q.args.end(),
                  {std::string(place.option),
                   place.file.empty() ? query_dir : (fs::path(query_dir) / place.file).string()});
    q.args.insert(q.args.end(),
                  {"--summary-json", (fs::path(query_dir) / "summary.json").string()});
}

// Checks that need the data: crime types, areas, places. Reads each source once, into the cache.
void check_against_data(Query& q, DataCache& cache, std::vector<Problem>& problems)
{
    const auto problem = [&](const std::string& message) {
        problems.push_back({q.line, q.name, message});
    };
    const Requests& r = *q.requests;
    const OffenceInput* input = q.command->input;
    const DensitySpec* density = q.command->density;
    // What the command checks before reading, checked before anything runs: --bandwidth takes a
    // selector's name too, so CLI11 takes any text for it. A query given a --surface computes none.
    if (density && (!q.command->surface || q.command->surface->empty()))
        try
        {
            check_density_spec(*density);
        }
        catch (const Error& e)
        {
            problem(e.what());
        }
    try
    {
        const auto table = cache.offences(input->source, input->target_crs);
        for (const auto& type : input->crime_types)
            if (std::none_of(table->incidents.crime_type_names.begin(),
                             table->incidents.crime_type_names.end(),
                             [&](const std::string& t) { return engine::same_text(t, type); }))
                problem(
                    "crime type '" + type + "' is not in " + input->source.label() + "; nearest: " +
                    engine::join(engine::near_matches(type, table->incidents.crime_type_names, 3)));
        // An area, target or control must be found in one of the query's boundary layers.
        const auto find_in =
            [&](const std::vector<std::string>& layers, const std::string& name, const char* what)
        {
            if (name.empty() || layers.empty() || engine::same_text(name, "rest"))
                return;
            std::string first_error;
            for (const auto& path : layers)
                try
                {
                    io::find_area(*cache.areas(path, "", table->target_crs), name);
                    return;
                }
                catch (const Error& e)
                {
                    if (first_error.empty())
                        first_error = e.what();
                }
            problem(std::string(what) + ": " + first_error);
        };
        if (density)
            find_in(density->boundaries, density->area, "--area");
        if (q.operation == "displacement")
        {
            find_in(r.displacement.boundaries, r.displacement.target, "--target");
            find_in(r.displacement.boundaries, r.displacement.control, "--control");
            if (!r.displacement.place.empty() && !r.displacement.places_path.empty())
                io::find_places(*cache.places(r.displacement.places_path, table->target_crs),
                                r.displacement.place);
        }
        for (const auto* places : {&r.hotspots.places_path, &r.map.places_path})
            if (!places->empty() && (q.operation == "hotspots" || q.operation == "map"))
                cache.places(*places, table->target_crs);
    }
    catch (const Error& e)
    {
        problem(e.what());
    }
}

// The folder as a path whose last part names it ("weekly/" is "weekly").
std::string folder_path(const std::string& folder)
{
    fs::path p = fs::path(folder).lexically_normal();
    if (!p.has_filename() && p.has_parent_path())
        p = p.parent_path();
    return p.string();
}

// Runs the checked queries in parallel, each into its folder under `write_dir`, and writes the
// manifest there; returns it.
nlohmann::json run_queries(const BatchRequest& r, std::vector<std::unique_ptr<Query>>& queries,
                           const std::shared_ptr<DataCache>& cache, const std::string& write_dir,
                           std::chrono::steady_clock::time_point started);
} // namespace

CLI::App* add_batch_command(CLI::App& app, BatchRequest& r)
{
    CLI::App* cmd = app.add_subcommand(
        "batch", "Run a file of queries (any analysis command: kde, hotspots, tables, trends, "
                 "predict...) over data read once, into one folder of results");
    cmd->add_option("file", r.path, "The queries, a TOML file (see data/batch_weekly.toml)")
        ->check(file_input("toml"))
        ->required();
    cmd->add_option("--out", r.out_dir, "Folder of results: one folder per query and manifest.json")
        ->check(output_folder())
        ->required();
    cmd->add_flag("--dry-run", r.dry_run,
                  "Check the whole file, data included, and stop before running anything");
    cmd->add_flag("--commands", r.commands,
                  "Print each query as the 'hotspot' command that runs it alone (into the same "
                  "folders), and stop");
    cmd->add_option("--threads", r.run.threads, "Worker threads (default: all cores)")
        ->check(CLI::Range(0, 4096));
    cmd->add_flag("--quiet,-q", r.run.quiet, "Print nothing but errors");
    cmd->add_option("--summary-json", r.run.summary_json_path,
                    "Also write the batch's summary (manifest.json's content: every query's "
                    "status, outputs and figures) to this JSON file")
        ->check(output_file("json"));
    cmd->add_flag("--overwrite", r.run.overwrite,
                  "Replace an existing folder: the new results are written beside it and take "
                  "its place only when complete");
    cmd->footer("A query's keys are the long options of its command (crime_type or crime-type = "
                "--crime-type);\n"
                "[defaults] apply to every query that has the option; [sources], [layers] and "
                "[places] name files\n"
                "that queries refer to by name. Paths are relative to the batch file. Every "
                "query's results go to\n"
                "OUT/<query name>/ with its log and summary; OUT/manifest.json lists every query's "
                "status, outputs,\n"
                "key figures and time. One failing query does not stop the others; the exit code "
                "is 5 if any failed.\n"
                "Example: hotspot batch data/batch_weekly.toml --out weekly");
    return cmd;
}

namespace
{
nlohmann::json run_batch_queries(const BatchRequest& r, Reporter& reporter)
{
    const auto started = std::chrono::steady_clock::now();
    std::error_code ec;
    if (fs::exists(r.out_dir, ec) && !r.run.overwrite && !r.dry_run && !r.commands)
        throw Error(Errc::Io, r.out_dir + ": already exists; add --overwrite to replace it");
    // Results are written into a partial folder beside --out, which takes its place only when the
    // batch is complete: a batch killed at any moment leaves the previous results whole.
    const std::string out_dir = folder_path(r.out_dir);
    const bool staged = !r.dry_run && !r.commands;
    if (staged)
    {
        const fs::path parent =
            fs::path(out_dir).has_parent_path() ? fs::path(out_dir).parent_path() : fs::path(".");
        make_output_folder(parent.string());
        if (::access(parent.c_str(), W_OK) != 0)
            throw Error(Errc::Io, out_dir + ": folder '" + parent.string() + "' is not writable");
    }
    distributed::World& world = distributed::World::current();
    // Under mpirun every rank writes its queries into rank 0's staging folder (a shared
    // filesystem), and rank 0 alone puts it in place.
    const std::string write_dir =
        world.broadcast(staged && world.root() ? io::temp_path_beside(out_dir) : out_dir);
    if (!fs::exists(r.path))
        throw Error(Errc::Io, r.path + ": no such file");
    toml::table file;
    try
    {
        file = toml::parse_file(r.path);
    }
    catch (const toml::parse_error& e)
    {
        throw Error(Errc::Usage, r.path + ":" + std::to_string(e.source().begin.line) + ":" +
                                     std::to_string(e.source().begin.column) + ": " +
                                     std::string(e.description()));
    }

    std::vector<Problem> problems;
    Catalogue catalogue;
    catalogue.base = fs::path(r.path).parent_path();
    for (const char* section : {"layers", "places"})
        if (const auto* table = file[section].as_table())
            for (const auto& [name, node] : *table)
            {
                if (!node.is_string())
                    problems.push_back({line_of(node), "",
                                        std::string("[") + section + "] " +
                                            std::string(name.str()) + " must be a file path"});
                else
                    catalogue.files[std::string(name.str())] =
                        catalogue.path(node.as_string()->get());
            }
    if (const auto* sources = file["sources"].as_table())
        for (const auto& [name, node] : *sources)
        {
            auto& options = catalogue.sources[std::string(name.str())];
            const auto values_of = [&](const toml::node& v)
            {
                std::vector<std::string> values;
                if (const auto* list = v.as_array())
                    for (const auto& item : *list)
                        values.push_back(text_of(item));
                else
                    values.push_back(text_of(v));
                return values;
            };
            if (node.is_string() || node.is_array())
                options["offences"] = values_of(node);
            else if (const auto* t = node.as_table())
                for (const auto& [k, v] : *t)
                {
                    std::string key(k.str());
                    std::replace(key.begin(), key.end(), '_', '-');
                    options[key] = values_of(v);
                }
            if (!options.count("offences"))
            {
                problems.push_back(
                    {line_of(node), "",
                     "[sources] " + std::string(name.str()) +
                         " needs offences = \"FILE\" (or a folder, a pattern, or a list)"});
                catalogue.sources.erase(std::string(name.str())); // reported once, not used
            }
        }
    for (const auto& [section, node] : file)
        if (!std::set<std::string>{"title", "sources", "layers", "places", "defaults", "query"}
                 .count(std::string(section.str())))
            problems.push_back(
                {line_of(node), "",
                 "unknown section '" + std::string(section.str()) +
                     "'; sections are title, sources, layers, places, defaults, query"});
    const toml::table* defaults = file["defaults"].as_table();
    const toml::array* list = file["query"].as_array();
    if (!list || list->empty())
        throw Error(Errc::Usage, r.path + ": holds no [[query]]");

    // Every query parsed with its own command's options, and checked, before anything runs.
    std::vector<std::unique_ptr<Query>> queries;
    std::map<std::string, std::string> folders;
    for (const auto& node : *list)
    {
        auto q = std::make_unique<Query>();
        q->line = line_of(node);
        const auto* table = node.as_table();
        if (!table)
        {
            problems.push_back({q->line, "", "each [[query]] is a table"});
            continue;
        }
        q->name = (*table)["name"].value_or(std::string());
        q->operation = (*table)["operation"].value_or(std::string());
        if (q->name.empty())
        {
            problems.push_back({q->line, "", "a query needs a name"});
            continue;
        }
        q->folder = io::file_name_part(q->name);
        if (q->folder.empty())
            q->folder = "query-" + std::to_string(queries.size() + 1);
        if (const auto [it, fresh] = folders.emplace(q->folder, q->name); !fresh)
        {
            problems.push_back(
                {q->line, q->name,
                 it->second == q->name
                     ? "the name is used twice"
                     : "its folder '" + q->folder + "' is that of '" + it->second + "' too"});
            continue;
        }
        q->entry = find_analysis_command(q->operation);
        if (!q->entry)
        {
            std::vector<std::string> names;
            for (const CommandEntry& entry : analysis_commands())
                names.emplace_back(entry.name);
            std::sort(names.begin(), names.end());
            problems.push_back(
                {q->line, q->name,
                 "operation '" + q->operation + "' is not one of " + engine::join(names, ", ")});
            continue;
        }
        q->requests = std::make_unique<Requests>();
        q->app = std::make_unique<CLI::App>("", "hotspot");
        q->commands = register_commands(*q->app, *q->requests, q->operation);
        for (auto& c : q->commands)
            if (c.app->get_name() == q->operation)
                q->command = &c;
        // --commands prints where a query run alone would write: the final folder.
        const std::string query_dir = (fs::path(write_dir) / q->folder).string();
        q->args.push_back(q->operation);
        const std::size_t before = problems.size();
        build_arguments(*q, *table, defaults, catalogue, query_dir, problems);
        if (problems.size() == before)
        {
            std::vector<std::string> argv_text{"hotspot"};
            argv_text.insert(argv_text.end(), q->args.begin(), q->args.end());
            std::vector<char*> argv;
            for (auto& a : argv_text)
                argv.push_back(a.data());
            try
            {
                q->app->parse(static_cast<int>(argv.size()), argv.data());
                q->parsed = true;
            }
            catch (const CLI::ParseError& e)
            {
                problems.push_back({q->line, q->name,
                                    usage_message(e, *q->app, command_names(),
                                                  static_cast<int>(argv.size()), argv.data())});
            }
        }
        queries.push_back(std::move(q));
    }

    // Each rank reads the sources once; under mpirun a rank that cannot read them stops them all.
    auto cache = std::make_shared<DataCache>();
    for (auto& q : queries)
        if (q->parsed)
            check_against_data(*q, *cache, problems);
    if (world.fault("unreadable") && !catalogue.sources.empty())
        problems.push_back({0, "",
                            catalogue.sources.begin()->second.at("offences").front() +
                                ": cannot be read on this node"});
    std::string failure;
    if (!problems.empty())
    {
        std::stable_sort(problems.begin(), problems.end(),
                         [](const Problem& a, const Problem& b) { return a.line < b.line; });
        std::string text;
        for (const auto& p : problems)
            text += "\n  " + r.path + ":" + std::to_string(p.line) + ": " +
                    (p.query.empty() ? "" : "query '" + p.query + "': ") + p.message;
        failure = std::to_string(problems.size()) + " problem" + (problems.size() > 1 ? "s" : "") +
                  " in " + r.path + "; nothing was run:" + text;
    }
    if (const auto first = world.first_failure(failure); first.rank >= 0)
        throw Error(Errc::Usage, first.rank == 0
                                     ? first.message
                                     : "rank " + std::to_string(first.rank) + ": " + first.message);
    if (r.commands)
    {
        // Shell-quoted, one per line: what a planner runs to repeat one query by hand.
        const auto quote = [](const std::string& a)
        {
            if (!a.empty() &&
                a.find_first_not_of(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./,:=+") ==
                    std::string::npos)
                return a;
            std::string out = "'";
            for (const char c : a)
                out += c == '\'' ? std::string("'\\''") : std::string(1, c);
            return out + "'";
        };
        for (const auto& q : queries)
        {
            std::string line = "hotspot";
            for (const auto& a : q->args)
                line += " " + quote(a);
            std::printf("%s\n", line.c_str());
        }
        return {{"command", "batch"}, {"queries", queries.size()}, {"failed", 0}};
    }
    reporter.info("batch      " + r.path + ": " + std::to_string(queries.size()) +
                  " queries checked");
    if (r.dry_run)
        return {
            {"command", "batch"}, {"queries", queries.size()}, {"failed", 0}, {"dry_run", true}};

    // Run: in parallel, each query into its own folder with its own log; data shared read-only.
    if (world.root())
        make_output_folder(write_dir);
    world.barrier();
    try
    {
        nlohmann::json manifest = run_queries(r, queries, cache, write_dir, started);
        // Rank 0 puts the results in place; under mpirun the other ranks learn how that went.
        std::string outcome;
        if (world.root())
            try
            {
                // Results cut short by a full disk are not results: the previous folder stays.
                if (manifest["failed"].get<int>() > 0 && io::disk_full(write_dir))
                    throw Error(Errc::Io, std::to_string(manifest["failed"].get<int>()) +
                                              " queries could not write their results");
                io::replace_folder(write_dir, out_dir);
                outcome = "0 " + manifest.dump();
            }
            catch (const Error& e)
            {
                outcome = std::to_string(static_cast<int>(e.code())) + " " + e.what();
            }
        outcome = world.broadcast(outcome);
        const std::size_t space = outcome.find(' ');
        if (const int code = std::stoi(outcome.substr(0, space)); code != 0)
            throw Error(static_cast<Errc>(code), outcome.substr(space + 1));
        if (!world.root())
            return nlohmann::json::parse(outcome.substr(space + 1));
        const int failed = manifest["failed"];
        reporter.info("batch      " +
                      std::to_string(queries.size() - static_cast<std::size_t>(failed)) + " of " +
                      std::to_string(queries.size()) + " queries succeeded in " +
                      fixed(manifest["seconds"].get<double>(), 2) + " s; results in " + out_dir +
                      ", manifest " + (fs::path(out_dir) / "manifest.json").string());
        return manifest;
    }
    catch (const Error& e)
    {
        const bool full = e.code() == Errc::Io && io::disk_full(write_dir);
        std::error_code ignored;
        fs::remove_all(write_dir, ignored);
        if (full)
            throw Error(Errc::Io, io::disk_full_message(out_dir, "") +
                                      "; the partial results were removed" +
                                      (fs::exists(out_dir) ? ", the previous ones kept" : ""));
        throw;
    }
    catch (...)
    {
        std::error_code ignored;
        fs::remove_all(write_dir, ignored);
        throw;
    }
}
} // namespace

nlohmann::json run_batch(const BatchRequest& r, Reporter& reporter)
{
    check_outputs(r.run, {&r.run.summary_json_path});
    const nlohmann::json summary = run_batch_queries(r, reporter);
    // The manifest (or what a dry run checked), as every command writes its summary.
    if (distributed::World::current().root())
        write_summary(r.run, summary);
    return summary;
}

namespace
{
nlohmann::json run_queries(const BatchRequest& r, std::vector<std::unique_ptr<Query>>& queries,
                           const std::shared_ptr<DataCache>& cache, const std::string& write_dir,
                           std::chrono::steady_clock::time_point started)
{
    std::mutex print;
    std::size_t done = 0;
    // The longest queries first, so that none is left running alone at the end; workers take the
    // next query from a shared counter, in that order.
    std::vector<std::size_t> order(queries.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b)
                     { return queries[a]->entry->batch.weight > queries[b]->entry->batch.weight; });
    // Under mpirun the queries are dealt out in that order: rank k takes the k-th, the k+N-th...
    distributed::World& world = distributed::World::current();
    std::vector<std::size_t> mine;
    for (std::size_t t = static_cast<std::size_t>(world.rank()); t < order.size();
         t += static_cast<std::size_t>(world.size()))
        mine.push_back(order[t]);
    const std::string rank_label =
        world.distributed() ? "rank " + std::to_string(world.rank()) + " " : "";
    std::atomic<std::size_t> next{0};
    const auto workers = static_cast<std::size_t>(tbb::this_task_arena::max_concurrency());
    tbb::parallel_for(
        std::size_t{0}, std::min(workers, mine.size()),
        [&](std::size_t)
        {
            for (std::size_t taken; (taken = next++) < mine.size();)
            {
                Query& q = *queries[mine[taken]];
                const auto t0 = std::chrono::steady_clock::now();
                std::string log;
                Reporter query_reporter(&log);
                RunOptions& run = *q.command->run;
                run.cache = cache;
                run.overwrite = r.run.overwrite;
                const fs::path folder = fs::path(write_dir) / q.folder;
                try
                {
                    fs::create_directories(folder);
                    q.summary = q.command->execute(query_reporter);
                    q.ok = true;
                }
                catch (const Error& e)
                {
                    q.error = e.what();
                    q.exit_code = static_cast<int>(e.code());
                }
                catch (const std::exception& e)
                {
                    q.error = std::string("internal error: ") + e.what();
                    q.exit_code = static_cast<int>(Errc::Internal);
                }
                q.seconds =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                if (!q.ok)
                    log += "error: " + q.error + "\n";
                io::write_text_file((folder / "log.txt").string(), log, true);
                std::lock_guard lock(print);
                ++done;
                if (!r.run.quiet)
                    std::fprintf(stderr, "%s[%zu/%zu] %s: %s (%.2f s)\n", rank_label.c_str(), done,
                                 mine.size(), q.name.c_str(),
                                 q.ok ? "ok" : ("failed: " + q.error).c_str(), q.seconds);
            }
        });

    // Rank 0 learns how every other rank's queries went.
    nlohmann::json results = nlohmann::json::array();
    for (const std::size_t i : mine)
    {
        const Query& q = *queries[i];
        results.push_back({i, q.ok, q.exit_code, q.error, q.seconds, q.summary});
    }
    const std::vector<std::string> gathered = world.gather(results.dump());
    if (!world.root())
        return {};
    for (std::size_t rank = 1; rank < gathered.size(); ++rank)
        for (const auto& item : nlohmann::json::parse(gathered[rank]))
        {
            Query& q = *queries[item[0].get<std::size_t>()];
            q.ok = item[1];
            q.exit_code = item[2];
            q.error = item[3];
            q.seconds = item[4];
            q.summary = item[5];
        }

    nlohmann::json entries = nlohmann::json::array();
    int failed = 0;
    for (const auto& q : queries)
    {
        failed += !q->ok;
        // Another rank wrote this folder: rank 0 sees it only on a filesystem they share.
        if (!fs::is_directory(fs::path(write_dir) / q->folder))
            throw Error(Errc::Io, (fs::path(write_dir) / q->folder).string() +
                                      ": another rank's query folder is not here; under mpirun "
                                      "--out must be on a filesystem every node shares");
        std::vector<std::string> outputs;
        for (const auto& entry : fs::directory_iterator(fs::path(write_dir) / q->folder))
            outputs.push_back((fs::path(q->folder) / entry.path().filename()).string());
        std::sort(outputs.begin(), outputs.end());
        entries.push_back({{"name", q->name},
                           {"folder", q->folder},
                           {"operation", q->operation},
                           {"status", q->ok ? "ok" : "failed"},
                           {"exit_code", q->exit_code},
                           {"error", q->error},
                           {"seconds", q->seconds},
                           {"outputs", outputs},
                           {"figures", q->summary}});
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    nlohmann::json manifest =
        summary_json("batch", {{"file", r.path},
                               {"queries", entries},
                               {"succeeded", static_cast<int>(queries.size()) - failed},
                               {"failed", failed},
                               {"seconds", seconds}});
    io::write_text_file((fs::path(write_dir) / "manifest.json").string(), manifest.dump(2) + "\n",
                        true);
    return manifest;
}
} // namespace

} // namespace hotspot::app

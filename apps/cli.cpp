#include "cli.hpp"

#include "batch_command.hpp"
#include "commands.hpp"
#include "hotspot/distributed/serve.hpp"
#include "hotspot/distributed/tile_strips.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/files.hpp"
#include "hotspot/io/postgis.hpp"
#include "option_kinds.hpp"

namespace hotspot::app
{

namespace
{
const char* const conventions_text = R"(Conventions
  Coordinates   Offences and boundaries are reprojected to one projected CRS in metres before
                anything is computed: --target-crs, by default EPSG:27700 (British National Grid)
                when the data lie in Great Britain, else the WGS 84 UTM zone of the data.
                police.uk CSV is WGS 84 longitude/latitude (EPSG:4326).
  Bandwidth     --bandwidth is the kernel's search radius in metres: no offence further away
                than this contributes to a cell (as ArcGIS Kernel Density and the QGIS Heatmap
                use it). For --kernel gaussian it is the standard deviation instead. Left out,
                it follows the ArcGIS rule 0.9 min(SD, sqrt(1/ln 2) Dm) n^-0.2 on the offences
                (those in --area, when given) and is printed. A selector chooses it from the
                data as spatstat does: scott, ppl (likelihood cross-validation; a good first
                choice), diggle, cvl. Selectors choose the Gaussian sigma; compact kernels get
                the radius of the same standard deviation (quartic: 2.83 sigma).
  Edges         --edge-correction uniform or diggle (with --area or --extent) makes up for the
                kernel mass beyond the study area's edge, counting the offences inside it only.
                Default none, as ArcGIS and QGIS. --adaptive narrows the kernel where offences
                are dense (Abramson). --harm ons-css weighs offences by the ONS Crime Severity
                Score of their type.
  Units         per-km2 (default): offences per square kilometre. per-m2: per square metre,
                the value ArcGIS and the QGIS Heatmap ("Scaled") give. count: expected offences
                in each cell. Each kernel integrates to 1, so a surface sums to the number of
                offences used (or their total weight).
  Grid          --cell in metres (default: the shorter side of the extent / 250, rounded to 1,
                2, 2.5 or 5 times a power of ten: 122 m becomes 100 m). The extent is
                --extent, or the --area polygon's box, or the offences' box grown by the search
                radius, snapped outwards to whole cells so that grids of different runs align.
                Offences outside the extent still count in the cells they reach.
  Inputs        --offences is repeatable: files, folders, patterns ('data/2019-*/*.csv') and
                police.uk downloads (.zip). Folders and downloads give their YYYY-MM-<force>-
                street.csv files; --force picks forces and --from/--to skip monthly files by name.
  Time          trends, near-repeat and predict read the date field: police.uk gives the
                month (2019-09); force extracts dated to the day (2019-09-14, 14/09/2019 or
                09/14/2019 as the file's values show, ISO date-times) also allow weekly and
                daily steps and the Knox test. A month the data do not cover is missing, not
                a month without crime: runs over one are refused (see --covers).
  Memory        A run estimated to need more than --memory-limit (default 80% of memory) is
                refused before computing, except kde, which then writes its grid in strips.
  Nothing lost  Every record is used or rejected with a reason; --rejects FILE.csv lists them.
  Outputs       Written as .<name>.hotspot-partial-<pid> beside the output and renamed into place
                when complete: a killed run leaves the previous output or the new one whole,
                and the next run removes what it left. --publish public|partners applies the
                disclosure rules for outputs that leave the force (see help kde).

Exit codes
  0 success   2 usage error (bad option, unknown field or area)   3 bad input data
  4 file could not be read or written   5 some queries of a batch failed   1 internal error

Example
  hotspot kde --offences data/police_uk/2019-09-kent-street.csv \
      --boundaries data/boundaries/kent_districts_2013.geojson --area Maidstone \
      --crime-type "Violence and sexual offences" --bandwidth 300 --cell 25 --out violence.tif
)";

int exit_code(Errc code)
{
    return static_cast<int>(code);
}

} // namespace

namespace
{
// Runs a parsed command and turns what it throws into a message and an exit code.
int run_command(const Command& c)
{
    const distributed::World& world = distributed::World::current();
    try
    {
        const auto threads = limit_threads(*c.run);
        Reporter reporter(c.run->quiet || !world.root());
        const nlohmann::json summary = c.execute(reporter);
        for (const auto& report : c.run->executor.reports())
        {
            const std::string records = std::to_string(report.records_held());
            reporter.info(
                "ranks      " + std::to_string(report.ranks) + ": " +
                (report.tile_rows > 0 ? std::to_string(report.tiles) + " tiles of " +
                                            std::to_string(report.tile_rows) + " rows, " + records +
                                            " offences held in all"
                 : report.work == "reading"
                     ? records + " records read in " + std::to_string(report.tiles) +
                           " pieces of the input"
                     : records + " records in " + std::to_string(report.tiles) + " slices") +
                ", " + human_bytes(static_cast<double>(report.bytes_exchanged())) + " exchanged, " +
                fixed(report.seconds, 2) + " s");
        }
        // A batch says in its summary whether every query succeeded.
        if (summary.contains("failed") && summary["failed"].get<int>() > 0)
            return exit_code_some_queries_failed;
        return 0;
    }
    catch (const Error& e)
    {
        // A batch's ranks fail together; rank 0 says why.
        if (world.root())
            std::fprintf(stderr, "hotspot: %s\n", io::without_passwords(e.what()).c_str());
        return exit_code(e.code());
    }
    catch (const std::bad_alloc&)
    {
        std::fprintf(stderr, "hotspot: out of memory\n");
        return exit_code(Errc::Internal);
    }
    catch (const std::exception& e)
    {
        std::fprintf(stderr, "hotspot: internal error: %s\n",
                     io::without_passwords(e.what()).c_str());
        return exit_code(Errc::Internal);
    }
}
} // namespace

namespace
{
// "--bandwith" -> " Did you mean --bandwidth?" among `command`'s options ("" when none is near).
std::string did_you_mean(const std::string& wanted, const std::vector<std::string>& candidates)
{
    std::string best;
    std::size_t best_distance = 3; // two edits at most: a slip, not another word
    for (const auto& c : candidates)
        if (const std::size_t d = engine::edit_distance(wanted, c); d < best_distance)
        {
            best_distance = d;
            best = c;
        }
    return best.empty() ? std::string() : " Did you mean " + best + "?";
}

} // namespace

// CLI11's messages in the analyst's words: an unknown option or command with the nearest one,
// an option given twice, a value that is not a number.
std::string usage_message(const CLI::ParseError& e, CLI::App& app,
                          const std::vector<std::string>& command_names, int argc, char** argv)
{
    const std::string what = e.what();
    CLI::App* command = nullptr;
    for (CLI::App* sub : app.get_subcommands({}))
        if (sub->parsed())
            command = sub;
    if (!command)
    {
        // No command was recognised: the first word is a misspelt one.
        for (int i = 1; i < argc; ++i)
            if (argv[i][0] != '-')
                return "unknown command '" + std::string(argv[i]) + "'." +
                       did_you_mean(argv[i], command_names) +
                       " Commands: " + engine::join(command_names);
        return what;
    }
    const std::string name = command->get_name();
    std::vector<std::string> options;
    for (const CLI::Option* o : command->get_options())
        for (const auto& long_name : o->get_lnames())
            options.push_back("--" + long_name);
    // A mistyped option is the more useful thing to report than the required ones it hid.
    std::vector<std::string> unknown;
    for (const auto& token : command->remaining())
        if (token.rfind("--", 0) == 0)
        {
            const std::string option = token.substr(0, token.find('='));
            unknown.push_back("unknown option " + option + " for " + name + "." +
                              did_you_mean(option, options));
        }
    if (!unknown.empty())
        return engine::join(unknown, "\n");
    if (const auto remaining = command->remaining(); !remaining.empty())
        return name + " takes no value '" + remaining.front() +
               "' here: is an option's name missing before it?";
    // "--cell: At Most 1 required but received 2"
    if (const auto at = what.find(": At Most 1 required but received"); at != std::string::npos)
    {
        const std::string option = what.substr(0, at);
        int times = 0;
        for (int i = 1; i < argc; ++i)
            times +=
                std::string(argv[i]) == option || std::string(argv[i]).rfind(option + "=", 0) == 0;
        return times > 1
                   ? option + " given " +
                         (times == 2 ? std::string("twice") : std::to_string(times) + " times") +
                         ": give it once"
                   : option + " takes one value: " + what.substr(what.find("received"));
    }
    // "Could not convert: --cell = 25x"
    if (const auto at = what.find("Could not convert: "); at != std::string::npos)
    {
        const std::string rest = what.substr(at + 19);
        const auto eq = rest.find(" = ");
        if (eq != std::string::npos)
            return rest.substr(0, eq) + ": '" + rest.substr(eq + 3) + "' is not a number";
    }
    return what;
}

int run_cli(int argc, char** argv)
{
    CLI::App app{"hotspot: crime hotspot analysis for police analysts and patrol planners.\n"
                 "Reads geocoded offences, computes kernel-density surfaces as GeoTIFFs that open "
                 "in QGIS and ArcGIS.",
                 "hotspot"};
    distributed::World& world = distributed::World::current();
    // Rank 0 speaks for the job: help, versions and results are printed once.
    if (!world.root() && !std::freopen("/dev/null", "w", stdout))
        return exit_code(Errc::Io);
    app.set_version_flag("--version",
                         std::string("hotspot ") + HOTSPOT_VERSION_STRING +
                             (distributed::built_with_mpi()
                                  ? ", with MPI (" + distributed::mpi_library_version() +
                                        "): under mpirun, kde, batch, reconcile and tables share "
                                        "their work out over the ranks"
                                  : ", without MPI"));
    app.require_subcommand(0, 1);
    app.footer(conventions_text);
    app.get_formatter()->column_width(34);

    std::string help_topic;
    CLI::App* help =
        app.add_subcommand("help", "Explain the commands, units and bandwidth conventions");
    help->add_option("command", help_topic, "The command to explain");
    bool help_json = false;
    help->add_flag("--json", help_json,
                   "Print the commands and their options (kind, default, choices, help) as JSON, "
                   "for front ends that build their forms from them");

    // Each command: its options, where they land, and how to run it. A run of one command
    // registers that command alone; help and anything else register them all.
    Requests requests;
    std::vector<Command> commands =
        register_every_command(app, requests, argc > 1 ? std::string_view(argv[1]) : "");
    for (const auto& c : commands)
        name_value_types(*c.app);
    const std::vector<std::string> names = command_names();

    try
    {
        app.parse(argc, argv);
    }
    catch (const CLI::CallForHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForAllHelp& e)
    {
        return app.exit(e);
    }
    catch (const CLI::CallForVersion& e)
    {
        return app.exit(e);
    }
    catch (const CLI::ParseError& e)
    {
        const std::string message = usage_message(e, app, names, argc, argv);
        if (world.root())
            std::fprintf(stderr,
                         "hotspot: %s\nRun 'hotspot help' for the commands and their options.\n",
                         io::without_passwords(message).c_str());
        return exit_code(Errc::Usage);
    }

    if (help->parsed() || app.get_subcommands().empty())
    {
        if (help_json)
        {
            std::vector<Command> described;
            std::copy_if(commands.begin(), commands.end(), std::back_inserter(described),
                         [&](const Command& c)
                         { return help_topic.empty() || c.app->get_name() == help_topic; });
            if (described.empty())
            {
                std::fprintf(stderr, "hotspot: no command '%s'; commands are: %s\n",
                             help_topic.c_str(), engine::join(names).c_str());
                return exit_code(Errc::Usage);
            }
            std::printf("%s\n", describe_commands(described).dump(2).c_str());
            return 0;
        }
        if (help_topic.empty())
            std::printf("%s", app.get_formatter()
                                  ->make_help(&app, "hotspot", CLI::AppFormatMode::Normal)
                                  .c_str());
        else
        {
            const auto it =
                std::find_if(commands.begin(), commands.end(),
                             [&](const Command& c) { return c.app->get_name() == help_topic; });
            if (it == commands.end())
            {
                std::fprintf(stderr, "hotspot: no command '%s'; commands are: %s\n",
                             help_topic.c_str(), engine::join(names).c_str());
                return exit_code(Errc::Usage);
            }
            std::printf("%s", it->app->help("hotspot").c_str());
        }
        return app.get_subcommands().empty() && argc > 1 ? exit_code(Errc::Usage) : 0;
    }

    const auto parsed = std::find_if(commands.begin(), commands.end(),
                                     [](const Command& c) { return c.app->parsed(); });
    // Under mpirun a batch shares its queries out itself; any other command runs on rank 0, and
    // the other ranks compute the tiles of its density surfaces until it is done.
    if (world.distributed() && parsed != commands.end() && parsed->app->get_name() != "batch")
    {
        distributed::set_strip_finisher(distributed::finish_tile_strip);
        if (!world.root())
        {
            const auto threads = limit_threads(*parsed->run);
            return distributed::serve(world);
        }
        parsed->run->executor = distributed::Executor(world);
        const int code = run_command(*parsed);
        distributed::stop_serving(world, code);
        return code;
    }
    return parsed == commands.end() ? 0 : run_command(*parsed);
}

} // namespace hotspot::app

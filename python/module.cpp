// hotspot from Python: a thin front end over the command line's own requests. Keyword arguments
// become the command's options and are parsed by the same CLI11 definitions; the same run_*
// functions do the work, with the GIL released; results come back as numpy arrays without copies.

#include "batch_command.hpp"
#include "commands.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/io/geotiff.hpp"
#include "hotspot/io/offences.hpp"
#include "hotspot/io/postgis.hpp"
#include "hotspot/io/vector.hpp"

#include <cpl_vsi.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>

namespace py = pybind11;
using namespace hotspot;
using namespace hotspot::app;

namespace
{
// Every command's options, registered as the command line registers them.
struct Parsed
{
    CLI::App app{"hotspot"};
    Requests requests;
    std::vector<Command> commands;
    const Command* chosen = nullptr;
};

[[noreturn]] void raise(const std::string& message, int exit_code);

std::unique_ptr<Parsed> parse(const std::string& command, std::vector<std::string> args,
                              bool in_memory)
{
    auto p = std::make_unique<Parsed>();
    p->commands = register_every_command(p->app, p->requests, command);
    if (in_memory && command == "kde")
        p->app.get_subcommand("kde")->get_option("--out")->required(false);
    args.insert(args.begin(), command);
    std::reverse(args.begin(), args.end()); // CLI11 takes them last first
    try
    {
        p->app.parse(args);
    }
    catch (const CLI::ParseError& e)
    {
        raise(io::without_passwords(e.what()), static_cast<int>(Errc::Usage));
    }
    for (const auto& c : p->commands)
        if (c.app->parsed())
            p->chosen = &c;
    if (!p->chosen)
        raise("no command '" + command + "'", static_cast<int>(Errc::Usage));
    return p;
}

py::object json_to_python(const nlohmann::json& summary)
{
    return py::module_::import("json").attr("loads")(summary.dump());
}

// Runs with the GIL released and TBB limited to --threads, as the command line does; hotspot's
// errors become HotspotError with the command line's message and exit code.
template <typename Work> nlohmann::json run_released(const RunOptions& run, Work&& work)
{
    nlohmann::json summary;
    std::string error;
    int code = 0;
    {
        py::gil_scoped_release released;
        try
        {
            const auto threads = limit_threads(run);
            Reporter reporter(run.quiet);
            summary = work(reporter);
        }
        catch (const Error& e)
        {
            error = io::without_passwords(e.what());
            code = static_cast<int>(e.code());
        }
        catch (const std::bad_alloc&)
        {
            error = "out of memory";
            code = static_cast<int>(Errc::Internal);
        }
    }
    if (code != 0)
        raise(error, code);
    return summary;
}

// A numpy array over a vector it takes over: no copy, freed when numpy lets go of it.
template <typename T> py::array_t<T> adopt(std::vector<T>&& values, std::vector<py::ssize_t> shape)
{
    auto* owned = new std::vector<T>(std::move(values));
    py::capsule free_it(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
    return py::array_t<T>(shape, owned->data(), free_it);
}

py::object field_value(const io::FieldValue& v)
{
    if (const auto* text = std::get_if<std::string>(&v))
        return py::str(*text);
    if (const auto* real = std::get_if<double>(&v))
        return py::float_(*real);
    if (const auto* integer = std::get_if<std::int64_t>(&v))
        return py::int_(*integer);
    return py::none();
}

py::object hotspot_error;

void raise(const std::string& message, int exit_code)
{
    py::object error = hotspot_error(message);
    error.attr("exit_code") = exit_code;
    PyErr_SetObject(hotspot_error.ptr(), error.ptr());
    throw py::error_already_set();
}
} // namespace

PYBIND11_MODULE(_hotspot, m)
{
    m.doc() = "The hotspot engine; use the hotspot package, not this module.";
    m.attr("version") = HOTSPOT_VERSION_STRING;
    hotspot_error = py::reinterpret_borrow<py::object>(
        PyErr_NewExceptionWithDoc("hotspot.HotspotError",
                                  "A request hotspot refused or could not carry out; its message "
                                  "is the command line's, exit_code the command line's.",
                                  PyExc_RuntimeError, nullptr));
    m.attr("HotspotError") = hotspot_error;

    m.def(
        "run",
        [](const std::string& command, const std::vector<std::string>& args)
        {
            auto p = parse(command, args, false);
            const auto summary =
                run_released(*p->chosen->run, [&](Reporter& r) { return p->chosen->execute(r); });
            return json_to_python(summary);
        },
        "Runs a command with its command-line arguments; returns its summary.");

    m.def(
        "read_offences",
        [](const std::vector<std::string>& args)
        {
            // The offence options of kde: the same reading as every command's.
            auto p = parse("kde", args, true);
            const KdeRequest& k = p->requests.kde;
            io::OffenceTable table;
            run_released(k.run,
                         [&](Reporter& r)
                         {
                             table = load_offences(k.input, k.run, r);
                             return nlohmann::json(offences_json(table));
                         });
            engine::Incidents& inc = table.incidents;
            const auto n = static_cast<py::ssize_t>(inc.size());
            py::dict out;
            std::vector<std::string> months(inc.size()), types(inc.size());
            for (std::size_t i = 0; i < inc.size(); ++i)
            {
                if (inc.month[i] != engine::no_month)
                    months[i] = io::format_month(inc.month[i]);
                if (inc.crime_type[i] >= 0)
                    types[i] = inc.crime_type_names[static_cast<std::size_t>(inc.crime_type[i])];
            }
            out["summary"] = json_to_python(offences_json(table));
            out["x"] = adopt(std::move(inc.x), {n});
            out["y"] = adopt(std::move(inc.y), {n});
            out["weight"] = inc.weight.empty() ? py::object(py::none())
                                               : py::object(adopt(std::move(inc.weight), {n}));
            out["month"] = py::array(py::cast(months));
            out["crime_type"] = py::array(py::cast(types));
            out["source_row"] = adopt(std::move(inc.source_row), {n});
            out["crs"] = table.target_crs.wkt;
            return out;
        },
        "Reads offences as kde would; returns numpy columns.");

    m.def(
        "kde",
        [](const std::vector<std::string>& args)
        {
            auto p = parse("kde", args, true);
            const KdeRequest& k = p->requests.kde;
            KdeSurface surface;
            const auto summary =
                run_released(k.run, [&](Reporter& r) { return run_kde(k, r, &surface); });
            const auto& g = surface.values.grid;
            py::dict out;
            out["values"] = adopt(std::move(surface.values.values), {g.rows, g.cols});
            out["geotransform"] =
                py::make_tuple(g.origin_x, g.cell_m, 0.0, g.origin_y, 0.0, -g.cell_m);
            out["crs"] = surface.crs.wkt;
            out["nodata"] = nodata_value;
            out["unit"] = surface.unit;
            py::dict tags;
            for (const auto& [key, value] : surface.tags)
                tags[py::str(key)] = io::without_passwords(value);
            out["tags"] = tags;
            out["summary"] = json_to_python(summary);
            return out;
        },
        "kde: the surface as a numpy array, with its geotransform, CRS and tags.");

    m.def(
        "hotspots",
        [](const std::vector<std::string>& args)
        {
            auto p = parse("hotspots", args, true);
            const HotspotsRequest& h = p->requests.hotspots;
            HotspotRows rows;
            const auto summary =
                run_released(h.run, [&](Reporter& r) { return run_hotspots(h, r, &rows); });
            py::dict attributes;
            for (std::size_t f = 0; f < rows.fields.size(); ++f)
            {
                py::list column;
                for (const auto& row : rows.rows)
                    column.append(field_value(row[f]));
                attributes[py::str(rows.fields[f].name)] = column;
            }
            py::list wkb;
            for (const auto& outline : rows.outlines)
                wkb.append(py::bytes(io::wkb_of(outline)));
            py::dict out;
            out["attributes"] = attributes;
            out["wkb"] = wkb;
            out["crs"] = rows.crs.wkt;
            out["summary"] = json_to_python(summary);
            return out;
        },
        "hotspots: polygons as WKB with their attributes, ranked.");

    m.def(
        "read_surface",
        [](const std::string& path)
        {
            io::GeoTiffContents tif;
            {
                py::gil_scoped_release released;
                try
                {
                    tif = io::read_geotiff(path);
                }
                catch (const Error& e)
                {
                    py::gil_scoped_acquire again;
                    raise(e.what(), static_cast<int>(e.code()));
                }
            }
            const auto& g = tif.raster.grid;
            py::dict out;
            out["values"] = adopt(std::move(tif.raster.values), {g.rows, g.cols});
            out["geotransform"] =
                py::make_tuple(tif.geotransform[0], tif.geotransform[1], tif.geotransform[2],
                               tif.geotransform[3], tif.geotransform[4], tif.geotransform[5]);
            out["crs"] = tif.crs.wkt;
            out["nodata"] = tif.nodata ? py::object(py::float_(*tif.nodata)) : py::none();
            out["tags"] = tif.metadata;
            out["data_type"] = tif.data_type;
            return out;
        },
        "A single-band GeoTIFF (a surface hotspot wrote) as numpy, with its geotransform and "
        "tags.");

    m.def(
        "put_memory_file",
        [](const std::string& path, const py::bytes& content)
        {
            const std::string bytes = content;
            auto* copy = static_cast<GByte*>(VSIMalloc(bytes.size()));
            std::memcpy(copy, bytes.data(), bytes.size());
            VSILFILE* f = VSIFileFromMemBuffer(path.c_str(), copy, bytes.size(), TRUE);
            if (!f)
                raise(path + ": cannot be made in memory", static_cast<int>(Errc::Io));
            VSIFCloseL(f);
        },
        "Puts bytes in GDAL's memory file system (/vsimem/...), for in-memory inputs.");
    m.def(
        "remove_memory_file", [](const std::string& path) { VSIUnlink(path.c_str()); },
        "Removes a /vsimem/ file.");
}

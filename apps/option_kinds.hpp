#pragma once
// What an option's value is: a layer, a field of a layer, an extent, a length... Front ends that
// build forms from `hotspot help --json` (the QGIS Processing provider) read it there. The kind
// is declared where the option is, and travels with it as a named CLI11 validator that accepts
// every value, so it is never listed twice.

#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/names.hpp"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace hotspot::app
{

struct OptionKind
{
    /// points, layer, raster, file, field, extent, crs, length, area, date, month, choice,
    /// integer, number, flag, text, output-file, output-folder
    std::string kind;
    /// points/layer: the geometry (point, polygon, any); field: the option naming its layer;
    /// output-file and file: the extensions, '|'-separated (tif, gpkg|geojson, csv)
    std::string detail;
    std::vector<std::string> choices; ///< choice: the values accepted
};

// Each is checked on an option (`->check(field_of("--offences"))`) and accepts every value but
// choice's.

/// Offence records: a file, folder or pattern of files, or a database table, of points or of
/// coordinate columns.
CLI::Validator points_input();
/// A vector layer of `geometry` (polygon, point, line, any).
CLI::Validator layer_input(const std::string& geometry);
/// A raster layer (GeoTIFF).
CLI::Validator raster_input();
/// A file that is not a layer (a CSV table, a TOML batch), of these extensions ('|'-separated).
CLI::Validator file_input(const std::string& extensions);
/// A field of the layer given to `layer_option` (e.g. "--offences").
CLI::Validator field_of(const std::string& layer_option);
/// xmin,ymin,xmax,ymax in the analysis CRS.
CLI::Validator extent_value();
/// A CRS: EPSG:27700, a WKT or a PROJ string.
CLI::Validator crs_value();
/// A day (YYYY-MM-DD) or month (YYYY-MM).
CLI::Validator date_value();
/// Accepts only these values, case aside, and hands on the value as listed (so give it to an
/// option with `transform`, which lets it change the value); --help lists them.
CLI::Validator choice(const std::vector<std::string>& values);
/// Accepts the names of an enum's table (engine/core/names.hpp).
template <class E, std::size_t N>
CLI::Validator choice(const std::array<engine::Named<E>, N>& names)
{
    return choice(engine::names_of(names));
}

/// The value `text` names in `names`, or a usage error naming `option`, what its values are, and
/// every name.
template <class E, std::size_t N>
E named_value(const std::array<engine::Named<E>, N>& names, const std::string& text,
              const std::string& option, const std::string& what)
{
    if (const auto value = engine::parse_named(names, text))
        return *value;
    throw Error(Errc::Usage, option + " '" + text + "' is not " + what + "; choose " +
                                 engine::join(engine::names_of(names)));
}
/// A file written by the command, of these extensions ('|'-separated).
CLI::Validator output_file(const std::string& extensions);
/// A folder the command writes its outputs into.
CLI::Validator output_folder();

/// The option's declared kind, or the one its CLI11 type tells (flag, integer, number, length,
/// area, text).
OptionKind kind_of(CLI::Option& option);

/// Names the value of each option of `command` whose kind is declared and whose type CLI11 calls
/// TEXT (FILE, FIELD, CRS...), for --help.
void name_value_types(CLI::App& command);

} // namespace hotspot::app

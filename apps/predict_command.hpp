#pragma once

#include "cli.hpp"
#include "density.hpp"
#include "style_options.hpp"

#include "hotspot/engine/core/incidents.hpp"
#include "hotspot/engine/spacetime/prospective.hpp"

#include <string>

namespace hotspot::app
{

/// How a prospective surface is made, as given: --method's name and the parameters.
struct ProspectiveSpec
{
    std::string method = "promap"; ///< engine::prospective_method_names
    double band_m = 400;           ///< ProMap's reach
    int weeks = 8;                 ///< ProMap's memory
    double half_life_days = 14;    ///< decay
};
/// --method, --band, --weeks, --half-life; with `compared` (evaluate, which scores every method)
/// no --method, and --promap-band, --promap-weeks beside its own options.
void add_prospective_options(CLI::App& command, ProspectiveSpec& spec, bool compared = false);
/// The parameters `spec` gives, or a usage error naming the option at fault.
engine::ProspectiveParameters prospective_parameters(const ProspectiveSpec& spec);

/// The forecast for `day` on `grid`: ProMap of the offences before it, or (decay) the density of
/// the offences before it weighted by their age, with the density spec's kernel and bandwidth.
/// or (sepp) each cell's expected offences in the `horizon_days` from `day` under the
/// self-exciting point process fitted to every offence before it (engine::fit_sepp).
/// Cells outside the density spec's --area are nodata_value.
engine::Raster<double> prospective_surface(const engine::ProspectiveParameters& parameters,
                                           const DensitySpec& density,
                                           const engine::Incidents& offences, engine::DayIndex day,
                                           const engine::GridSpec& grid,
                                           const std::optional<engine::Raster<std::uint8_t>>& mask,
                                           const io::Crs& crs, const RunOptions& run,
                                           Reporter& reporter, double horizon_days = 1);

/// `hotspot predict`: prospective hotspots for the days ahead, and the cells to patrol.
struct PredictRequest
{
    OffenceInput input;
    DensitySpec density;
    ProspectiveSpec prospective;
    std::string at;      ///< the day forecast, YYYY-MM-DD (default: the day after the data)
    std::string horizon; ///< the period forecast from --at: 1W, 2W, 1M, 2M, 3M
    std::string rules;   ///< "nij2017": write and check an entry in the challenge's form
    std::optional<double> hot_area_m2; ///< the entry's hot cells (default 0.25 sq mi)
    std::string metric = "pai";        ///< --method auto: pai or pei
    int origins = 12;                  ///< --method auto: rolling origins
    int top = 20;                      ///< patrol cells listed
    std::string street_field;          ///< for each patrol cell's streets (police.uk: Location)
    std::string out_dir;
    StyleOptions style;
    RunOptions run;
};

CLI::App* add_predict_command(CLI::App& app, PredictRequest& request);
nlohmann::json run_predict(const PredictRequest& request, Reporter& reporter);

} // namespace hotspot::app

#pragma once

#include "hotspots_command.hpp"
#include "predict_command.hpp"

#include <string>
#include <vector>

namespace hotspot::app
{

/// `hotspot evaluate`: hotspots drawn from one period, scored on another, for one or several
/// bandwidths.
struct EvaluateRequest
{
    OffenceInput input;        ///< the period the hotspots are drawn from
    std::string test_offences; ///< the period scored (default: the same file, with --test)
    std::string train_period;  ///< "YYYY-MM..YYYY-MM" within --offences
    std::string test_period;
    DensitySpec density;
    HotspotMethodSpec method;
    std::vector<double> bandwidths; ///< several bandwidths to compare (metres)
    /// Rolling origins: score kde, promap and decay on each of the last `rolling` months, trained
    /// on the months before it (0: off).
    int rolling = 0;
    int kde_months = 3; ///< the plain kernel density's training months
    ProspectiveSpec prospective;
    /// Score this forecast entry (cells with a 0/1 `hotspot` field) on the offences of --at and
    /// --horizon, inside the police area of --boundaries.
    std::string forecast;
    std::string at;      ///< the forecast's first day, YYYY-MM-DD
    std::string horizon; ///< 1W, 2W, 1M, 2M, 3M
    std::string out_dir;
    RunOptions run;
};

CLI::App* add_evaluate_command(CLI::App& app, EvaluateRequest& request);
nlohmann::json run_evaluate(const EvaluateRequest& request, Reporter& reporter);

/// `hotspot displacement`: did crime fall in a target area, or move into the buffer around it?
struct DisplacementRequest
{
    OffenceInput input;
    std::string after_offences; ///< the after period's file (default: the same file)
    std::string before_period;
    std::string after_period;
    std::vector<std::string> boundaries;
    std::string target; ///< area name or code
    std::string place;  ///< or a named place...
    std::string places_path;
    double radius_m = 0; ///< ...with this radius
    double buffer_m = 500;
    std::string control = "rest"; ///< area name or code, or "rest": every other offence
    std::string out_path;         ///< CSV
    RunOptions run;
};

CLI::App* add_displacement_command(CLI::App& app, DisplacementRequest& request);
nlohmann::json run_displacement(const DisplacementRequest& request, Reporter& reporter);

} // namespace hotspot::app

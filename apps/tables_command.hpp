#pragma once

#include "reconcile_command.hpp"

#include <string>
#include <vector>

namespace hotspot::app
{

/// `hotspot tables`: counts per area x category x month, every combination present, or a
/// This Year / Last Year comparison in the layout of the Community Safety report's Appendix 1.
struct TablesRequest
{
    ReconcileSetup setup;
    std::string categories_path; ///< empty: the shipped data/categories.csv
    std::vector<std::string>
        categories;             ///< only these (by name); empty: every category the data allows
    std::string basis = "auto"; ///< auto, ho-code, crime-type
    std::string this_period;    ///< "YYYY-MM..YYYY-MM"
    std::string last_period;
    std::string missing_months = "refuse"; ///< or "blank"
    std::string population_path; ///< CSV of area code and residents: rates per 1,000 residents
    std::string total_label = "Force";
    int min_count = 0;    ///< disclosure control: counts from 1 to min_count - 1 are written "<K"
    std::string publish;  ///< a --publish preset: a floor for min_count
    std::string out_path; ///< CSV
    RunOptions run;
};

CLI::App* add_tables_command(CLI::App& app, TablesRequest& request);
nlohmann::json run_tables(const TablesRequest& request, Reporter& reporter);

} // namespace hotspot::app

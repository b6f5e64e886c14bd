#pragma once
// Harm weights by crime type or offence code: a published index (the ONS Crime Severity Score is
// shipped) or a force's own table (the Cambridge Crime Harm Index, say).

#include "hotspot/engine/core/incidents.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hotspot::io
{

struct HarmTable
{
    std::string name;                     ///< the file, or the shipped table's name
    std::vector<std::string> notes;       ///< the header comment: source, licence, caveats
    std::map<std::string, double> weight; ///< by folded key (crime type or offence code)

    /// The weight of a crime type or offence code (case and spacing ignored), or nullptr.
    const double* find(std::string_view key) const;
};

/// Parses CSV text: leading lines starting with '#' are the notes (source and licence belong
/// there), then a header whose first two columns are key and weight, then one row a key. Throws
/// Error(BadData) naming the source and line for a missing or negative weight or a repeated key.
HarmTable parse_harm_table(std::string_view text, const std::string& source_name);

/// The shipped tables by name, `ons-css` (police.uk crime types) and `ons-css-codes` (Home Office
/// offence codes), or any file.
HarmTable load_harm_table(const std::string& name_or_path);

/// How load_harm_table names the table `name_or_path`, without reading it: for metadata.
std::string harm_table_name(const std::string& name_or_path);
/// What a harm table's weights measure, for units: "ONS Crime Severity Score (sentence days)" for
/// the shipped tables, "harm weight (FILE)" for one of the analyst's own.
std::string harm_measure(const std::string& name_or_path);
/// True for the shipped tables, whose weights are ONS's (credited on maps).
bool is_shipped_harm_table(const std::string& name_or_path);

/// The names of the shipped tables.
std::vector<std::string> shipped_harm_tables();

/// What weigh_by_harm did: the harm of all offences, and the crime types the table has no weight
/// for, with how many offences of each weigh 0 ("no crime type" for offences without one), in
/// the order of the offences' types.
struct HarmWeighing
{
    double total = 0;
    std::vector<std::pair<std::string, std::size_t>> unweighted;
};

/// Multiplies every offence's weight (1, or the share a --days/--hours filter kept) by the harm of
/// its crime type; offences of a type `harm` lacks weigh 0, and are counted.
HarmWeighing weigh_by_harm(const HarmTable& harm, engine::Incidents& incidents);

} // namespace hotspot::io

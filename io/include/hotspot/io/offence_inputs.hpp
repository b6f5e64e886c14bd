#pragma once
// Which files an --offences list names: files, folders, glob patterns and police.uk download
// archives, narrowed by force and by the month in police.uk file names.

#include "hotspot/engine/core/incidents.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace hotspot::io
{

struct OffenceFilter;

/// One file to read. `path` is what GDAL and the readers open: a path on disk, or a member of a zip
/// archive as /vsizip/ARCHIVE/MEMBER.
struct InputFile
{
    std::string path;
    engine::MonthIndex month = engine::no_month; ///< from a police.uk file name
    std::string force;                           ///< from a police.uk file name
};

struct InputList
{
    std::vector<InputFile> files;            ///< in path order, so months come in order
    std::int64_t skipped_outside_period = 0; ///< police.uk monthly files outside --from/--to
    /// Every input is a police.uk monthly file (by its name): the months they cover are known
    /// from the names.
    bool all_police_uk = true;
    /// The months of each force's police.uk files, read or skipped for --from/--to, sorted.
    std::map<std::string, std::vector<engine::MonthIndex>> police_uk_months;
};

/// Expands the --offences list. A folder or a .zip archive gives the police.uk street files below
/// it (`YYYY-MM-<force>-street.csv`, the bulk download's `YYYY-MM/` layout or any other); a folder
/// with none gives its .csv files. A pattern with *, ? or [ ] gives the files it matches. A file
/// named explicitly is always read; files found in folders, archives and patterns are left out
/// when their police.uk month lies outside the filter's period, or their force is not in `forces`.
/// Throws Error naming the path: Io for a missing path or a pattern that matches nothing; BadData
/// for a folder or archive that holds no offence file, or a --force that matches no file (naming
/// the forces there are).
InputList expand_offence_inputs(const std::vector<std::string>& paths,
                                const std::vector<std::string>& forces,
                                const OffenceFilter& filter);

/// "2019-09-kent-street.csv": month 2019-09, force "kent". False for any other name.
bool parse_police_uk_name(std::string_view file_name, engine::MonthIndex& month,
                          std::string& force);

} // namespace hotspot::io

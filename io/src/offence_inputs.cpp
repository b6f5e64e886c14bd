#include "hotspot/io/offence_inputs.hpp"

#include "hotspot/engine/core/coverage.hpp"
#include "hotspot/engine/core/error.hpp"
#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/offences.hpp"

#include <cpl_string.h>
#include <cpl_vsi.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace hotspot::io
{

namespace fs = std::filesystem;

namespace
{
// "Avon and Somerset", "avon-and-somerset" and "AVON_AND_SOMERSET" name one force.
std::string force_slug(std::string_view name)
{
    std::string slug;
    for (const char c : engine::fold(engine::trim(name)))
        slug += (c == ' ' || c == '_') ? '-' : c;
    return slug;
}

bool is_pattern(const std::string& path)
{
    return path.find_first_of("*?[") != std::string::npos;
}

bool has_extension(const std::string& path, std::string_view ext)
{
    return engine::fold(fs::path(path).extension().string()) == ext;
}

struct Found
{
    std::string path;
    bool named = false; // named explicitly: always read
};

// police.uk street files below a folder or inside an archive, else (folders only) its CSV files.
std::vector<std::string> files_in(const std::string& container, bool archive)
{
    std::vector<std::string> street, csv;
    const auto consider = [&](const std::string& path)
    {
        engine::MonthIndex month;
        std::string force;
        if (parse_police_uk_name(fs::path(path).filename().string(), month, force))
            street.push_back(path);
        else if (has_extension(path, ".csv"))
            csv.push_back(path);
    };
    if (archive)
    {
        const std::string root = "/vsizip/" + container;
        char** entries = VSIReadDirRecursive(root.c_str());
        if (!entries)
            throw Error(Errc::BadData, container + ": cannot be opened as a zip archive");
        for (int i = 0; entries[i]; ++i)
            consider(root + "/" + entries[i]);
        CSLDestroy(entries);
        if (street.empty())
            throw Error(
                Errc::BadData,
                container +
                    ": holds no police.uk street files (YYYY-MM/YYYY-MM-<force>-street.csv); "
                    "is it a police.uk download?");
    }
    else
    {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(container, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec))
                consider(it->path().string());
        if (ec)
            throw Error(Errc::Io, container + ": cannot be listed (" + ec.message() + ")");
        if (street.empty() && csv.empty())
            throw Error(Errc::BadData,
                        container +
                            ": holds no offence files (police.uk YYYY-MM-<force>-street.csv "
                            "or other .csv files)");
    }
    auto& chosen = street.empty() ? csv : street;
    std::sort(chosen.begin(), chosen.end());
    return chosen;
}
} // namespace

bool parse_police_uk_name(std::string_view name, engine::MonthIndex& month, std::string& force)
{
    constexpr std::string_view suffix = "-street.csv";
    if (name.size() < 8 + suffix.size() + 1 || !name.ends_with(suffix))
        return false;
    const auto m = parse_month(name.substr(0, 7));
    if (!m || name[7] != '-')
        return false;
    month = *m;
    force = std::string(name.substr(8, name.size() - 8 - suffix.size()));
    return !force.empty();
}

InputList expand_offence_inputs(const std::vector<std::string>& paths,
                                const std::vector<std::string>& forces, const OffenceFilter& filter)
{
    if (paths.empty())
        throw Error(Errc::Usage, "no --offences given");
    std::vector<Found> found;
    const auto add_path = [&](const std::string& path, bool named)
    {
        std::error_code ec;
        if (path.starts_with("/vsi") || path.starts_with("PG:"))
            found.push_back({path, true});
        else if (fs::is_directory(path, ec))
            for (auto& f : files_in(path, false))
                found.push_back({std::move(f), false});
        else if (!fs::exists(path, ec))
            throw Error(Errc::Io, path + ": no such file or folder");
        else if (has_extension(path, ".zip"))
            for (auto& f : files_in(path, true))
                found.push_back({std::move(f), false});
        else
            found.push_back({path, named});
    };
    for (const auto& path : paths)
    {
        if (!is_pattern(path))
        {
            add_path(path, true);
            continue;
        }
        glob_t matches{};
        const int status = ::glob(path.c_str(), 0, nullptr, &matches);
        std::vector<std::string> hits(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
        ::globfree(&matches);
        if (status != 0 || hits.empty())
            throw Error(Errc::Io, path + ": no file matches this pattern");
        for (const auto& hit : hits)
            add_path(hit, false);
    }

    std::set<std::string> wanted_forces, forces_present;
    for (const auto& f : forces)
        wanted_forces.insert(force_slug(f));
    InputList list;
    std::set<std::string> seen, forces_matched;
    for (auto& f : found)
    {
        if (!seen.insert(f.path).second)
            continue; // named twice, or by a folder and a pattern
        InputFile file{f.path};
        const bool police_uk =
            parse_police_uk_name(fs::path(f.path).filename().string(), file.month, file.force);
        if (police_uk)
        {
            forces_present.insert(force_slug(file.force));
            if (!f.named && !wanted_forces.empty() &&
                !wanted_forces.contains(force_slug(file.force)))
                continue;
            forces_matched.insert(force_slug(file.force));
            engine::add_month(list.police_uk_months[force_slug(file.force)], file.month);
            if (!f.named && ((filter.from && file.month < *filter.from) ||
                             (filter.to && file.month > *filter.to)))
            {
                ++list.skipped_outside_period;
                continue;
            }
        }
        else
            list.all_police_uk = false;
        list.files.push_back(std::move(file));
    }
    for (const auto& w : wanted_forces)
        if (!forces_matched.contains(w))
            throw Error(Errc::BadData,
                        "--force " + w + " matches no police.uk file in " + engine::join(paths) +
                            (forces_present.empty()
                                 ? std::string("; those files carry no force in their names")
                                 : "; forces there: " +
                                       engine::join(std::vector<std::string>(
                                           forces_present.begin(), forces_present.end()))));
    if (list.files.empty())
        throw Error(Errc::BadData, engine::join(paths) + ": no offence file to read (" +
                                       std::to_string(list.skipped_outside_period) +
                                       " monthly files lie outside --from/--to)");
    return list;
}

} // namespace hotspot::io

#include "disclosure.hpp"

#include "hotspot/io/files.hpp"

namespace hotspot::app
{

const std::vector<PublishPreset>& publish_presets()
{
    // Counts under 10 are withheld in what the public sees, under 5 in what partners see, as UK
    // police and ONS small-number rules commonly do. Bandwidths of 400 m and 200 m span several
    // hundred and about a hundred addresses in a town: no kernel narrow enough to point at a house.
    static const std::vector<PublishPreset> presets{
        {"public", 10, 400, "a public website, a press release or an FOI answer"},
        {"partners", 5, 200, "partner agencies under an information-sharing agreement"}};
    return presets;
}

const PublishPreset* find_publish_preset(const std::string& name)
{
    if (name.empty())
        return nullptr;
    for (const auto& preset : publish_presets())
        if (preset.name == name)
            return &preset;
    throw Error(Errc::Usage, "--publish '" + name + "' is not a preset: use public or partners");
}

int publish_min_count(const std::string& publish, int min_count)
{
    if (min_count < 0)
        throw Error(Errc::Usage, "--min-count must be 0 (none) or more offences");
    const PublishPreset* preset = find_publish_preset(publish);
    if (!preset)
        return min_count;
    if (min_count > 0 && min_count < preset->min_count)
        throw Error(Errc::Usage, "--publish " + preset->name + " withholds counts under " +
                                     std::to_string(preset->min_count) + "; --min-count " +
                                     std::to_string(min_count) +
                                     " would publish less safely: leave it out or raise it");
    return std::max(min_count, preset->min_count);
}

std::string publish_help(bool surfaces)
{
    std::string text = "Disclosure control in one word, for outputs that leave the force: ";
    for (const auto& p : publish_presets())
        text += p.name + " (" + p.audience + ": --min-count " + std::to_string(p.min_count) +
                (surfaces ? ", a bandwidth of at least " +
                                std::to_string(static_cast<int>(p.min_bandwidth_m)) + " m"
                          : "") +
                "); ";
    if (surfaces)
        text += "a published surface carries no kernel or bandwidth in its tags or map caption, "
                "since with them it can be deconvolved back towards the points (Wang et al. "
                "2019); --summary-json keeps them for the analyst. --adaptive is refused: its "
                "bandwidths shrink where offences are densest";
    else
        text.resize(text.size() - 2);
    return text;
}

} // namespace hotspot::app

#pragma once
// Disclosure control for outputs that leave the force: the --publish presets, the counts they
// withhold and the bandwidth floor they set.

#include <string>
#include <vector>

namespace hotspot::app
{

/// A --publish preset: disclosure control for outputs that leave the force, in one word.
struct PublishPreset
{
    std::string name;
    int min_count = 0;          ///< cells, hotspots and table counts of fewer offences withheld
    double min_bandwidth_m = 0; ///< surfaces: no narrower kernel, and its size left out of the file
    std::string audience;
};

/// The presets, for help texts and messages.
const std::vector<PublishPreset>& publish_presets();
/// The preset called `name`; nullptr for ""; Error(Usage) naming the presets for any other name.
const PublishPreset* find_publish_preset(const std::string& name);
/// The --min-count to apply: the preset's, or the analyst's own where it is higher. A lower one is
/// refused (Error(Usage)): a preset is a floor; so is a negative one.
int publish_min_count(const std::string& publish, int min_count);
/// The --publish option's help.
std::string publish_help(bool surfaces);

} // namespace hotspot::app

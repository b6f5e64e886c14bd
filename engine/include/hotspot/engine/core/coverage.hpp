#pragma once
// The months a source of offences covers: the months it could hold offences of, whether or not it
// holds any of the kind asked for. A month outside it is missing, not a month without crime.

#include "hotspot/engine/core/incidents.hpp"

#include <string>
#include <vector>

namespace hotspot::engine
{

/// "2019-09".
std::string format_month_label(MonthIndex month);

struct Coverage
{
    std::vector<MonthIndex> months; ///< sorted, distinct
    /// How they were found: "by the police.uk files' names", "by its records' dates", "as --covers
    /// says".
    std::string basis;
    /// The latest day of a dated record, when records carry days (no_day otherwise): a last month
    /// whose records stop early may be covered only in part.
    DayIndex last_day = no_day;
    /// Months left out because only some of the inputs hold them ("2019-10: kent, not essex").
    std::vector<std::string> notes;

    bool known() const { return !months.empty(); }
    bool covers(MonthIndex month) const;
    /// The months of first..last (inclusive) that are not covered.
    std::vector<MonthIndex> missing(MonthIndex first, MonthIndex last) const;
    /// The covered months as runs: "2019-09, 2019-11", "2018-01 to 2019-12"; "no months" when none.
    std::string describe() const;
    /// The last covered month's records stop more than 3 days before its end: it may be covered
    /// only in part (an extract taken mid-month).
    bool last_month_partial() const;
};

/// Adds `month` to a sorted list of distinct months (cheap when it is the last one added).
void add_month(std::vector<MonthIndex>& months, MonthIndex month);

/// Months as runs, as Coverage::describe says them.
std::string describe_months(const std::vector<MonthIndex>& months);

} // namespace hotspot::engine

#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hotspot::engine
{

/// A month as a count of months since January of year 0, so that periods compare and subtract.
using MonthIndex = std::int32_t;
constexpr MonthIndex no_month = -1;
constexpr MonthIndex make_month(int year, int month)
{
    return year * 12 + (month - 1);
}
constexpr int year_of(MonthIndex m)
{
    return m / 12;
}
constexpr int month_of(MonthIndex m)
{
    return m % 12 + 1;
}

/// The first and last month among `months`, ignoring no_month; {no_month, no_month} when none has
/// one.
struct MonthRange
{
    MonthIndex first = no_month;
    MonthIndex last = no_month;
};
MonthRange month_range(const std::vector<MonthIndex>& months);

/// Offences in a projected CRS (metres), one column per attribute (structure of arrays).
struct Incidents
{
    std::vector<double> x;                ///< easting, metres
    std::vector<double> y;                ///< northing, metres
    std::vector<double> weight;           ///< 1 unless a weight field was given
    std::vector<MonthIndex> month;        ///< no_month where the source has no date
    std::vector<std::int32_t> crime_type; ///< index into crime_type_names, -1 where none
    std::vector<std::int64_t> source_row; ///< line number (CSV) or feature id (other sources)
    std::vector<std::string> crime_type_names;

    std::size_t size() const { return x.size(); }
    void reserve(std::size_t n)
    {
        x.reserve(n);
        y.reserve(n);
        weight.reserve(n);
        month.reserve(n);
        crime_type.reserve(n);
        source_row.reserve(n);
    }
    /// Appends one offence.
    void add(double x_m, double y_m, double weight_ = 1.0, MonthIndex month_ = no_month,
             std::int32_t crime_type_ = -1, std::int64_t source_row_ = 0)
    {
        x.push_back(x_m);
        y.push_back(y_m);
        weight.push_back(weight_);
        month.push_back(month_);
        crime_type.push_back(crime_type_);
        source_row.push_back(source_row_);
    }
    double total_weight() const;
};

} // namespace hotspot::engine

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

/// A calendar day as days since 1970-01-01, for records dated to the day (weeks, days,
/// near-repeat).
using DayIndex = std::int32_t;
constexpr DayIndex no_day = INT32_MIN;
/// The day of year-month-day in the proleptic Gregorian calendar.
DayIndex make_day(int year, int month, int day);
/// The month a day lies in.
MonthIndex month_of_day(DayIndex day);
/// The first day of a month (first_day_of(m + 1) - 1 is its last).
DayIndex first_day_of(MonthIndex month);
/// "YYYY-MM-DD".
std::string format_day(DayIndex day);

/// A forecast horizon: 7 or 14 days, or whole calendar months, from the forecast day inclusive.
struct Horizon
{
    int days = 0;
    int months = 0;
    std::string label; ///< "1W", "2W", "1M", "2M", "3M"
    /// The horizon's last day when it starts on `first` (inclusive): 1M from 2017-03-01 is
    /// 2017-03-31; from 2017-03-15, 2017-04-14 (a month-end past a shorter month is its last day).
    DayIndex last_day(DayIndex first) const;
};
/// "1W", "2W", "1M", "2M", "3M" (also "7D", "14D", or any N followed by D, W or M). Throws
/// Error(Usage).
Horizon parse_horizon(const std::string& text);

/// A clock time as minutes since 1970-01-01 00:00, as recorded (no time zone): int32 reaches
/// the years 0 to 5800.
using MinuteIndex = std::int32_t;
constexpr MinuteIndex no_minute = INT32_MIN;
/// time_span of an offence dated to the day without a time: the 24 hours of its day.
constexpr std::int32_t untimed_day_span = -1;

/// When an offence happened: from `start`, for `span` minutes (0: an instant; untimed_day_span:
/// a date without a time, the 24 hours of its day from `start`).
struct TimeWindow
{
    MinuteIndex start = no_minute;
    std::int32_t span = 0;
    /// The minutes the window spreads over: its span, or the 24 hours of an untimed day.
    std::int32_t minutes() const { return span == untimed_day_span ? 1440 : span; }
};

/// The first and last month among `months`, ignoring no_month; {no_month, no_month} when none has
/// one.
struct MonthRange
{
    MonthIndex first = no_month;
    MonthIndex last = no_month;
};
MonthRange month_range(const std::vector<MonthIndex>& months);

/// Offences in a projected CRS (metres), one column per attribute (structure of arrays).
/// 32 bytes an offence, or 40 with weights: national files of tens of millions fit in memory.
struct Incidents
{
    std::vector<double> x; ///< easting, metres
    std::vector<double> y; ///< northing, metres
    /// Empty while every offence weighs 1 (no weight field), else one weight per offence: read it
    /// with weight_of.
    std::vector<double> weight;
    std::vector<MonthIndex> month; ///< no_month where the source has no date
    /// Empty while no offence is dated to the day (police.uk gives months only), else one day per
    /// offence, no_day where it has none: read it with day_of.
    std::vector<DayIndex> day;
    /// Empty while no offence has a day, else where each offence's time window starts (no_minute
    /// where it has no day) and how many minutes it lasts (0: an instant; untimed_day_span: a date
    /// without a time). Read them with window_of.
    std::vector<MinuteIndex> time_start;
    std::vector<std::int32_t> time_span;
    std::vector<std::int32_t> crime_type; ///< index into crime_type_names, -1 where none
    std::vector<std::int64_t> source_row; ///< where the record is in the input (io::record_key)
    std::vector<std::string> crime_type_names;

    std::size_t size() const { return x.size(); }
    bool weighted() const { return !weight.empty(); }
    double weight_of(std::size_t i) const { return weight.empty() ? 1.0 : weight[i]; }
    bool dated_to_day() const { return !day.empty(); }
    DayIndex day_of(std::size_t i) const { return day.empty() ? no_day : day[i]; }
    bool timed() const { return !time_start.empty(); }
    TimeWindow window_of(std::size_t i) const
    {
        return time_start.empty() ? TimeWindow{} : TimeWindow{time_start[i], time_span[i]};
    }
    /// Gives offence i a weight, making the weight column when it is the first other than 1.
    void set_weight(std::size_t i, double w)
    {
        if (weight.empty() && w != 1.0)
            weight.assign(size(), 1.0);
        if (!weight.empty())
            weight[i] = w;
    }
    void reserve(std::size_t n)
    {
        x.reserve(n);
        y.reserve(n);
        month.reserve(n);
        crime_type.reserve(n);
        source_row.reserve(n);
    }
    /// Appends one offence.
    void add(double x_m, double y_m, double weight_ = 1.0, MonthIndex month_ = no_month,
             std::int32_t crime_type_ = -1, std::int64_t source_row_ = 0, DayIndex day_ = no_day,
             TimeWindow window = {})
    {
        if (!time_start.empty())
        {
            time_start.push_back(window.start);
            time_span.push_back(window.span);
        }
        else if (window.start != no_minute)
        {
            time_start.assign(size(), no_minute);
            time_span.assign(size(), 0);
            time_start.push_back(window.start);
            time_span.push_back(window.span);
        }
        if (!day.empty())
            day.push_back(day_);
        else if (day_ != no_day)
        {
            day.assign(size(), no_day);
            day.push_back(day_);
        }
        x.push_back(x_m);
        y.push_back(y_m);
        month.push_back(month_);
        crime_type.push_back(crime_type_);
        source_row.push_back(source_row_);
        if (!weight.empty())
            weight.push_back(weight_);
        else if (weight_ != 1.0)
        {
            weight.assign(size() - 1, 1.0);
            weight.push_back(weight_);
        }
    }
    /// Appends offence i of `other`.
    void add_from(const Incidents& other, std::size_t i)
    {
        add(other.x[i], other.y[i], other.weight_of(i), other.month[i], other.crime_type[i],
            other.source_row[i], other.day_of(i), other.window_of(i));
    }
    /// Keeps the offences whose `keep` is true, in order, in place.
    template <class Keep> void keep_if(Keep&& keep)
    {
        std::size_t out = 0;
        const bool weighted_ = weighted(), dated_ = dated_to_day(), timed_ = timed();
        for (std::size_t i = 0; i < size(); ++i)
        {
            if (!keep(i))
                continue;
            x[out] = x[i];
            y[out] = y[i];
            month[out] = month[i];
            crime_type[out] = crime_type[i];
            source_row[out] = source_row[i];
            if (weighted_)
                weight[out] = weight[i];
            if (dated_)
                day[out] = day[i];
            if (timed_)
            {
                time_start[out] = time_start[i];
                time_span[out] = time_span[i];
            }
            ++out;
        }
        x.resize(out);
        y.resize(out);
        month.resize(out);
        crime_type.resize(out);
        source_row.resize(out);
        if (weighted_)
            weight.resize(out);
        if (dated_)
            day.resize(out);
        if (timed_)
        {
            time_start.resize(out);
            time_span.resize(out);
        }
    }
    /// The offences whose `keep` is true, in order, as a new table with the same crime types:
    /// only the kept ones are copied.
    template <class Keep> Incidents subset(Keep&& keep) const
    {
        Incidents out;
        out.crime_type_names = crime_type_names;
        for (std::size_t i = 0; i < size(); ++i)
            if (keep(i))
                out.add_from(*this, i);
        return out;
    }
    double total_weight() const;
};

} // namespace hotspot::engine

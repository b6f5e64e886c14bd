#include "offence_records.hpp"

#include "hotspot/engine/core/coverage.hpp"

#include "hotspot/engine/core/text.hpp"
#include "hotspot/io/csv.hpp"

#include <climits>
#include <cmath>
#include <cstdio>

namespace hotspot::io::detail
{

using engine::MonthIndex;
using engine::trim;

namespace
{
std::string number(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", v);
    return buffer;
}

template <class T> void append_vector(std::vector<T>& to, std::vector<T>& from)
{
    if (to.empty())
        to.swap(from);
    else
        to.insert(to.end(), std::make_move_iterator(from.begin()),
                  std::make_move_iterator(from.end()));
    std::vector<T>().swap(from);
}

// Index of each of `more` in `names` (adding it when new), for renumbering a chunk's crime types.
// Types are one type whatever their case, and keep the spelling seen first, as a serial pass does.
std::vector<std::int32_t> merge_names(std::vector<std::string>& names,
                                      const std::vector<std::string>& more)
{
    std::vector<std::int32_t> map(more.size());
    for (std::size_t k = 0; k < more.size(); ++k)
    {
        std::int32_t index = -1;
        for (std::size_t i = 0; i < names.size() && index < 0; ++i)
            if (engine::same_text(names[i], more[k]))
                index = static_cast<std::int32_t>(i);
        if (index < 0)
        {
            index = static_cast<std::int32_t>(names.size());
            names.push_back(more[k]);
        }
        map[k] = index;
    }
    return map;
}
} // namespace

std::uint64_t id_hash(std::string_view id)
{
    if (id.empty())
        return 0;
    const std::uint64_t h = std::hash<std::string_view>{}(id);
    return h == 0 ? 1 : h;
}

void RecordColumns::reserve(std::size_t n, const RecordColumns& like)
{
    located.reserve(n);
    if (like.located.weighted())
        located.weight.reserve(n);
    id_hash.reserve(n);
    if (!like.code.empty())
        code.reserve(n);
    if (!like.raw.empty())
        raw.reserve(n);
}

void RecordColumns::append(RecordColumns&& o)
{
    for (const auto m : o.months_dated)
        engine::add_month(months_dated, m);
    if (o.last_day != engine::no_day)
        last_day = std::max(last_day, o.last_day);
    clock_times += o.clock_times;
    if (unreadable_time_example.empty())
        unreadable_time_example = std::move(o.unreadable_time_example);
    unreadable_times += o.unreadable_times;
    // Crime types are few; codes may be tens of thousands, so they are mapped by a hash.
    const auto type_map = merge_names(type_names, o.type_names);
    std::vector<std::int32_t> code_map(o.code_names.size());
    if (!o.code_names.empty())
    {
        std::unordered_map<std::string, std::int32_t> known;
        for (std::size_t i = 0; i < code_names.size(); ++i)
            known.emplace(code_names[i], static_cast<std::int32_t>(i));
        for (std::size_t k = 0; k < o.code_names.size(); ++k)
        {
            const auto [it, added] =
                known.emplace(o.code_names[k], static_cast<std::int32_t>(code_names.size()));
            if (added)
                code_names.push_back(o.code_names[k]);
            code_map[k] = it->second;
        }
    }
    const auto renumber = [](std::vector<std::int32_t>& v, const std::vector<std::int32_t>& map)
    {
        for (auto& i : v)
            if (i >= 0)
                i = map[static_cast<std::size_t>(i)];
    };
    renumber(o.located.crime_type, type_map);
    renumber(o.code, code_map);
    renumber(o.unlocated_code, code_map);
    for (auto& u : o.unlocated)
        if (u.crime_type >= 0)
            u.crime_type = type_map[static_cast<std::size_t>(u.crime_type)];

    if (located.weighted() != o.located.weighted() && o.located.size() > 0)
    {
        if (!located.weighted())
            located.weight.assign(located.size(), 1.0);
        else
            o.located.weight.assign(o.located.size(), 1.0);
    }
    if (located.dated_to_day() != o.located.dated_to_day() && o.located.size() > 0)
    {
        if (!located.dated_to_day())
            located.day.assign(located.size(), engine::no_day);
        else
            o.located.day.assign(o.located.size(), engine::no_day);
    }
    if (located.timed() != o.located.timed() && o.located.size() > 0)
    {
        if (!located.timed())
        {
            located.time_start.assign(located.size(), engine::no_minute);
            located.time_span.assign(located.size(), 0);
        }
        else
        {
            o.located.time_start.assign(o.located.size(), engine::no_minute);
            o.located.time_span.assign(o.located.size(), 0);
        }
    }
    append_vector(located.x, o.located.x);
    append_vector(located.y, o.located.y);
    append_vector(located.weight, o.located.weight);
    append_vector(located.month, o.located.month);
    append_vector(located.day, o.located.day);
    append_vector(located.time_start, o.located.time_start);
    append_vector(located.time_span, o.located.time_span);
    append_vector(located.crime_type, o.located.crime_type);
    append_vector(located.source_row, o.located.source_row);
    append_vector(id_hash, o.id_hash);
    append_vector(code, o.code);
    append_vector(raw, o.raw);
    append_vector(unlocated, o.unlocated);
    append_vector(unlocated_code, o.unlocated_code);
    append_vector(rejected, o.rejected);
    for (std::size_t r = 0; r < reject_reason_count; ++r)
        rejected_by_reason[r] += o.rejected_by_reason[r];
    records_read += o.records_read;
    swapped_out_of_range += o.swapped_out_of_range;
    located_seen += o.located_seen;
}

Classifier::Classifier(const ClassifierSetup& setup, RecordColumns& out)
    : m_setup(setup), m_out(out)
{
}

std::int32_t Classifier::type_index(std::string_view text)
{
    if (text == m_last_type_text && m_last_type >= 0)
        return m_last_type;
    std::int32_t index;
    if (const auto it = m_type_of.find(text); it != m_type_of.end())
    {
        index = it->second;
        m_last_type_text = it->first; // the text read goes away; the key stays
    }
    else
    {
        // Types are matched ignoring case, so "Burglary" and "BURGLARY" are one type.
        const std::string folded = engine::fold(text);
        index = -1;
        auto& names = m_out.type_names;
        for (std::size_t i = 0; i < names.size() && index < 0; ++i)
            if (engine::fold(names[i]) == folded)
                index = static_cast<std::int32_t>(i);
        if (index < 0)
        {
            index = static_cast<std::int32_t>(names.size());
            names.emplace_back(text);
            bool wanted = !m_setup.filter || m_setup.filter->crime_types.empty();
            for (const auto& t :
                 m_setup.filter ? m_setup.filter->crime_types : std::vector<std::string>{})
                wanted = wanted || engine::same_text(t, text);
            m_type_wanted.push_back(wanted);
        }
        m_last_type_text = m_type_spellings.emplace_back(text);
        m_type_of.emplace(m_last_type_text, index);
    }
    m_last_type = index;
    return index;
}

std::int32_t Classifier::code_index(std::string_view text)
{
    if (const auto it = m_code_of.find(text); it != m_code_of.end())
        return it->second;
    const auto index = static_cast<std::int32_t>(m_out.code_names.size());
    m_out.code_names.emplace_back(text);
    m_code_of.emplace(m_code_spellings.emplace_back(text), index);
    return index;
}

template <class Detail>
void Classifier::reject_lazily(std::int64_t row, RejectReason reason, Detail&& detail,
                               std::string_view raw)
{
    // Details are made only when the rejected records are listed: a filter can reject most of a
    // file.
    ++m_out.rejected_by_reason[static_cast<std::size_t>(reason)];
    if (m_setup.list_rejected)
        m_out.rejected.push_back(
            {row, reason, detail(), m_setup.keep_raw ? std::string(raw) : std::string()});
}

void Classifier::reject(std::int64_t row, RejectReason reason, std::string detail,
                        std::string_view raw)
{
    reject_lazily(
        row, reason, [&] { return std::move(detail); }, raw);
}

std::optional<engine::TimeWindow> Classifier::window(const RowValues& r, const ParsedDate& start)
{
    const FieldRoles& roles = m_setup.roles;
    std::string_view unreadable;
    const auto time_in = [&](int role, std::string_view text, int date_minute,
                             bool date_time_unreadable, std::string_view date_text)
    {
        if (role >= 0)
            if (const std::string_view t = trim(text); !t.empty())
            {
                if (const auto minute = parse_time_of_day(t))
                    return *minute;
                unreadable = t;
                return -1;
            }
        if (date_time_unreadable && unreadable.empty())
            unreadable = trim(date_text);
        return date_minute;
    };
    const int start_minute =
        time_in(roles.time, r.time, start.minute_of_day, start.time_unreadable, r.date);

    // The end, where the record gives one: its date (the start's when only a time is given) and
    // its time (the end of its day when only a date is given).
    std::optional<engine::MinuteIndex> end;
    const std::string_view end_date = roles.end_date >= 0 ? trim(r.end_date) : std::string_view();
    const std::string_view end_time = roles.end_time >= 0 ? trim(r.end_time) : std::string_view();
    if (!end_date.empty() || !end_time.empty())
    {
        ParsedDate end_day{start.month, start.day};
        bool readable = true;
        if (!end_date.empty())
        {
            const auto d = parse_date(end_date, m_setup.date_order);
            readable = d && d->day != engine::no_day;
            if (readable)
                end_day = *d;
            else
                unreadable = end_date;
        }
        if (readable)
        {
            const int end_minute = time_in(roles.end_time, end_time, end_day.minute_of_day,
                                           end_day.time_unreadable, end_date);
            if (end_minute >= 0)
                end = engine::make_minute(end_day.day, end_minute);
            else if (!end_date.empty())
                end = engine::make_minute(end_day.day, engine::minutes_per_day);
        }
    }
    if (!unreadable.empty())
    {
        if (m_out.unreadable_times++ == 0)
            m_out.unreadable_time_example =
                "line " + std::to_string(record_line(r.row)) + ": '" + std::string(unreadable) + "'";
    }
    if (start_minute >= 0)
        ++m_out.clock_times;

    const engine::MinuteIndex from = engine::make_minute(start.day, std::max(0, start_minute));
    if (!end)
    {
        if (start_minute >= 0)
            return engine::TimeWindow{from, 0};
        if (m_setup.drop_untimed)
        {
            reject(r.row, RejectReason::NoTime,
                   "dated " + engine::format_day(start.day) + " without a time of day", r.raw);
            return std::nullopt;
        }
        return engine::TimeWindow{from, engine::untimed_day_span};
    }
    const std::int64_t span = static_cast<std::int64_t>(*end) - from;
    if (span < 0)
    {
        reject(r.row, RejectReason::WindowReversed,
               "ends " + engine::format_minute(*end) + ", before it starts " +
                   engine::format_minute(from),
               r.raw);
        return std::nullopt;
    }
    return engine::TimeWindow{
        from, static_cast<std::int32_t>(std::min<std::int64_t>(span, INT32_MAX))};
}

bool Classifier::filtered(std::int64_t row, MonthIndex month, engine::DayIndex day,
                          std::int32_t type, std::string_view raw)
{
    const OffenceFilter* f = m_setup.filter;
    if (!f)
        return false;
    if (const PeriodVerdict verdict = period_verdict(*f, month, day);
        verdict != PeriodVerdict::Inside)
        reject_lazily(
            row,
            verdict == PeriodVerdict::Outside ? RejectReason::OutsidePeriod : RejectReason::BadDate,
            [&] { return period_detail(verdict, month, day); }, raw);
    else if (!f->crime_types.empty() &&
             (type < 0 || !m_type_wanted[static_cast<std::size_t>(type)]))
        reject_lazily(
            row, RejectReason::ExcludedCrimeType,
            [&] {
                return type >= 0 ? m_out.type_names[static_cast<std::size_t>(type)] : std::string();
            },
            raw);
    else
        return false;
    return true;
}

void Classifier::add(const RowValues& r)
{
    ++m_out.records_read;
    if (!r.malformed.empty())
        return reject(r.row, RejectReason::MalformedRow, std::string(r.malformed), r.raw);

    const FieldRoles& roles = m_setup.roles;
    MonthIndex month = engine::no_month;
    engine::DayIndex day = engine::no_day;
    ParsedDate parsed;
    if (roles.date >= 0)
        if (const auto date = parse_date(r.date, m_setup.date_order))
        {
            parsed = *date;
            month = date->month;
            day = date->day;
            if (month != engine::no_month)
                engine::add_month(m_out.months_dated, month);
            if (day != engine::no_day)
                m_out.last_day = std::max(m_out.last_day, day);
        }
    const std::int32_t type = roles.type >= 0 ? type_index(trim(r.type)) : -1;
    const std::string_view raw =
        m_setup.keep_raw && m_setup.text_views ? r.raw : std::string_view();

    double x = r.point_x, y = r.point_y;
    const auto unusable = [&](RejectReason reason, auto&& detail)
    {
        if (filtered(r.row, month, day, type, r.raw))
            return;
        m_out.unlocated.push_back({r.row, reason, detail(), month, type, {}, raw, day});
        m_out.unlocated_code.push_back(roles.code >= 0 ? code_index(trim(r.code)) : -1);
    };
    if (!r.location_problem.empty())
    {
        const auto reason = r.location_problem == "no geometry" ? RejectReason::NoLocation
                                                                : RejectReason::NotAPoint;
        return unusable(reason, [&] { return std::string(r.location_problem); });
    }
    if (!r.has_point)
    {
        const std::string_view xs = trim(r.x), ys = trim(r.y);
        if (xs.empty() && ys.empty())
            return unusable(RejectReason::NoLocation, [] { return std::string("no coordinates"); });
        if (!parse_number(xs, x))
            return unusable(
                RejectReason::BadCoordinate,
                [&] { return m_setup.x_name + " '" + std::string(xs) + "' is not a number"; });
        if (!parse_number(ys, y))
            return unusable(
                RejectReason::BadCoordinate,
                [&] { return m_setup.y_name + " '" + std::string(ys) + "' is not a number"; });
    }
    if (m_setup.geographic && (std::abs(x) > 180.0 || std::abs(y) > 90.0))
    {
        const bool swapped = std::abs(y) > 90.0 && std::abs(x) <= 90.0;
        if (swapped)
            ++m_out.swapped_out_of_range;
        return unusable(RejectReason::OutOfRange,
                        [&]
                        {
                            return "longitude " + number(x) + ", latitude " + number(y) +
                                   " out of range" +
                                   (swapped ? " (latitude and longitude swapped?)" : "");
                        });
    }

    double weight = 1.0;
    if (roles.weight >= 0)
    {
        const std::string_view ws = trim(r.weight);
        if (!parse_number(ws, weight))
            return reject(r.row, RejectReason::BadWeight,
                          "weight '" + std::string(ws) + "' is not a number", r.raw);
        if (weight < 0)
            return reject(r.row, RejectReason::BadWeight,
                          "weight " + std::string(ws) + " is negative", r.raw);
    }
    ++m_out.located_seen;
    engine::TimeWindow window;
    if (day != engine::no_day)
    {
        const auto w = this->window(r, parsed);
        if (!w)
            return;
        window = *w;
    }
    if (filtered(r.row, month, day, type, r.raw))
        return;
    m_out.located.add(x, y, weight, month, type, r.row, day, window);
    m_out.id_hash.push_back(roles.id >= 0 ? id_hash(trim(r.id)) : 0);
    if (roles.code >= 0)
        m_out.code.push_back(code_index(trim(r.code)));
    if (m_setup.keep_raw)
        m_out.raw.push_back(raw);
}

} // namespace hotspot::io::detail

#include "summary.hpp"

#include "hotspot/io/files.hpp"
#include "hotspot/io/postgis.hpp"

namespace hotspot::app
{

nlohmann::json offences_json(const io::OffenceTable& table)
{
    nlohmann::json rejected = nlohmann::json::object();
    for (std::size_t r = 0; r < io::reject_reason_count; ++r)
        if (table.rejected_by_reason[r] > 0)
            rejected[std::string(io::to_string(static_cast<io::RejectReason>(r)))] =
                table.rejected_by_reason[r];
    nlohmann::json out = {{"format", table.format},
                          {"source_crs", table.source_crs.label()},
                          {"fields", table.fields_used},
                          {"records_read", table.records_read},
                          {"used", table.incidents.size()},
                          {"kept_without_location", table.unlocated.size()},
                          {"rejected", table.rejected_count()},
                          {"rejected_by_reason", rejected},
                          {"files", table.files.size()},
                          {"files_skipped", table.files_skipped},
                          {"covers",
                           {{"months", table.coverage.describe()},
                            {"basis", table.coverage.basis},
                            {"last_month_partial", table.coverage.last_month_partial()}}},
                          {"seconds",
                           {{"parse", table.seconds.parse},
                            {"project", table.seconds.project},
                            {"link", table.seconds.link}}}};
    if (!table.hours_label.empty())
        out["hours"] = {{"filter", table.hours_label},
                        {"weight_kept", table.hours_kept},
                        {"meaning", "each offence weighs the share of its time window inside"}};
    return out;
}

namespace
{
nlohmann::json distribution_json(const distributed::DistributionReport& report)
{
    nlohmann::json ranks = nlohmann::json::array();
    for (const auto& share : report.shares)
        ranks.push_back({{"rank", share.rank},
                         {"records", share.offences},
                         {"parts", share.tiles},
                         {"cells", share.cells},
                         {"bytes_read", share.bytes_read},
                         {"compute_seconds", share.compute_seconds},
                         {"finish_seconds", share.finish_seconds},
                         {"bytes_sent", share.traffic.bytes_sent},
                         {"bytes_received", share.traffic.bytes_received},
                         {"communication_seconds", share.traffic.seconds}});
    return {{"work", report.work},
            {"parts", report.tiles},
            {"tile_rows", report.tile_rows},
            {"seconds", report.seconds},
            {"distribute_seconds", report.distribute_seconds},
            {"bytes_exchanged", report.bytes_exchanged()},
            {"per_rank", ranks}};
}
} // namespace

nlohmann::json summary_json(std::string_view command, nlohmann::json fields)
{
    fields["command"] = command;
    fields["version"] = HOTSPOT_VERSION_STRING;
    return fields;
}

void write_summary(const RunOptions& run, const nlohmann::json& summary)
{
    if (run.summary_json_path.empty())
        return;
    nlohmann::json out = summary;
    // Under mpirun: how each job was shared out over the ranks.
    if (const auto& reports = run.executor.reports(); !reports.empty())
    {
        nlohmann::json jobs = nlohmann::json::array();
        for (const auto& report : reports)
            jobs.push_back(distribution_json(report));
        out["distributed"] = {{"ranks", reports.front().ranks}, {"jobs", jobs}};
    }
    io::write_text_file(run.summary_json_path, io::without_passwords(out.dump(2)) + "\n",
                        run.overwrite);
}

} // namespace hotspot::app

// Admin API: GET /v1/admin/reports and /v1/admin/reports/series — shared/core/reports over
// what Store::report_inputs reads (the day roll-up for the sums, the figures that count
// distinct members counted by the database), the program (point value, tiers) and the budgets of
// the merchant's wheel documents; as JSON or, with format=csv, as a CSV download (the
// report's summary, tiers or cohorts table; the series a row per bucket).
// Implemented: every report of PRODUCT.md's list for [from_ms, to_ms) (default: the last
// 30 days), deferred revenue (IFRS 15) and the series by day, week or month; definitions in
// core/reports/reports.hpp; each equals compute_report over the raw rows
// (tests/server/reports_test.cpp).
// Missing: discounts given at the till (the rows hold only what was paid), so the program's
// cost counts points and prizes only; a wheel document that is not a wheel config makes the
// spin budget unknown (null) rather than guessed.
#include "api/admin.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "api/member_write.hpp"
#include "api/routes.hpp"
#include "codec/wheel_json.hpp"
#include "core/csv/csv.hpp"
#include "core/program/lifecycle.hpp"
#include "core/reports/reports.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr std::int64_t kTimeMsMax = 4102444800000;  // 2100-01-01: later is a typo

std::optional<ledger::Reason> reason_from_name(const std::string& name) {
    using ledger::Reason;
    for (const Reason r :
         {Reason::earn, Reason::bonus, Reason::redeem, Reason::reserve, Reason::release,
          Reason::expire, Reason::clawback, Reason::refund, Reason::adjust})
        if (ledger::reason_name(r) == name) return r;
    return std::nullopt;
}

// The store's rows in core terms; *budgets_known turns false when a wheel document is unreadable.
reports::Rows core_rows(const ReportRows& rows, const std::vector<DocumentRecord>& wheels,
                        bool* budgets_known) {
    reports::Rows out;
    for (const auto& r : rows.receipts) out.receipts.push_back({r.member_id, r.at_ms, r.paid});
    for (const auto& e : rows.entries) {
        const auto reason = reason_from_name(e.reason);
        if (!reason) throw std::runtime_error("ledger entry with unknown reason " + e.reason);
        out.entries.push_back({e.member_id, *reason, e.at_ms, e.member_delta});
    }
    for (const auto& m : rows.members) out.members.push_back({m.member_id, m.created_at_ms});
    for (const auto& s : rows.spins) out.spins.push_back({s.prize_id, s.at_ms, s.cost});
    for (const DocumentRecord& d : wheels) {
        codec::DecodeError e;
        const auto j = codec::parse_json(d.document, &e);
        const auto w = j ? codec::decode_wheel(*j) : codec::Decoded<spins::WheelConfig>{};
        if (!w.ok()) {
            *budgets_known = false;
            continue;
        }
        out.wheels.push_back({w.value->day_budget, w.value->campaign_budget});
        for (const spins::Prize& p : w.value->prizes)
            if (p.kind == spins::PrizeKind::nothing) out.nothing_prizes.push_back(p.id);
    }
    return out;
}

// [SECTION] Reading the store
// The sums come from the store's roll-up by day (and the raw rows of the days a cut falls
// inside), the distinct-member figures counted by the database: see Store::report_inputs.

std::vector<reports::Span> spans_from(const ReportInputs& in, const std::vector<std::int64_t>& cuts,
                                      bool* overflow) {
    bool unused = true;
    std::vector<reports::Span> out = reports::spans_of(core_rows(in.near_cuts, {}, &unused), cuts,
                                                       overflow);
    for (const ReportDay& d : in.days) {
        reports::Span s;
        s.from_ms = d.day * day_ms;
        s.to_ms = s.from_ms + day_ms;
        s.totals = {d.receipts, d.receipts_with_card, d.paid_member, d.paid_other,
                    d.issued,   d.redeemed,           d.expired,     d.adjusted,
                    d.balance_delta, d.enrolled,      d.spins,       d.spin_cost};
        out.push_back(s);
    }
    std::sort(out.begin(), out.end(), [](const reports::Span& a, const reports::Span& b) {
        return a.from_ms < b.from_ms;
    });
    return out;
}

// The report of the period; *budgets_known as core_rows says.
reports::Report read_report(Store& store, const std::string& merchant_id,
                            const program::Program& p, const reports::Period& period,
                            bool* budgets_known) {
    ReportAsk ask;
    ask.cuts = reports::report_cuts(period);
    ask.active = {period.from_ms, period.to_ms};
    if (p.tiers) {
        ask.tier_window = {period.to_ms - p.tiers->window_days * day_ms, period.to_ms};
        ask.tier_spend = p.tiers->basis == program::TierBasis::spend;
        for (std::size_t i = 1; i < p.tiers->levels.size(); ++i)
            ask.tier_thresholds.push_back(p.tiers->levels[i].threshold);
    }
    ask.cohorts = {period.from_ms, period.to_ms};
    ask.spins = {period.from_ms, period.to_ms};
    const ReportInputs in = store.report_inputs(merchant_id, ask);

    reports::Report r;
    r.period = period;
    bool overflow = false;
    reports::fill_from_spans(spans_from(in, ask.cuts, &overflow), p, &r);
    reports::member_figures(in.members, p, &r);
    ReportRows spins;
    spins.spins = in.spins;
    reports::spins_and_cost(core_rows(spins, store.documents(merchant_id, "wheel"), budgets_known),
                            p, &r);
    if (overflow) r.status = reports::Status::overflow;
    return r;
}

reports::Series read_series(Store& store, const std::string& merchant_id,
                            const program::Program& p, const reports::Period& period,
                            reports::Bucket bucket) {
    ReportAsk ask;
    ask.cuts = reports::series_cuts(period, bucket);
    for (const reports::Period& b : reports::buckets(period, bucket))
        ask.active_counts.push_back({b.from_ms, b.to_ms});
    const ReportInputs in = store.report_inputs(merchant_id, ask);
    bool overflow = false;
    reports::Series s =
        reports::series_from(spans_from(in, ask.cuts, &overflow), in.active_counts, p, period,
                             bucket);
    if (overflow) s.status = reports::Status::overflow;
    return s;
}

Json deferred_json(const reports::Report::Deferred& d, const program::Program& p) {
    return Json{{"amount", d.amount},
                {"method", "relative_stand_alone_selling_price"},
                {"point_value_minor", p.point_value_minor},
                {"expected_breakage_permille", d.expected_breakage_permille},
                {"breakage_basis", std::string(d.breakage_basis)},
                {"points_outstanding", d.points_outstanding},
                {"allocated_in_period", d.allocated_in_period},
                {"recognised_in_period", d.recognised_in_period}};
}

// "2024-03" (day 0) or "2024-03-05".
std::string date_text(int year, int month, int day = 0) {
    char text[24];
    if (day == 0) std::snprintf(text, sizeof text, "%04d-%02d", year, month);
    else std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
    return text;
}

std::string date_text(std::int64_t ms) {
    const program::Date d = program::date_of(ms);
    return date_text(d.year, d.month, d.day);
}

Json report_json(const reports::Report& r, const program::Program& p, const std::string& currency,
                 bool budgets_known) {
    Json tiers = Json::array();
    for (const auto& t : r.tiers)
        tiers.push_back({{"id", t.id}, {"name", t.name}, {"members", t.members}});
    Json cohorts = Json::array();
    for (const auto& c : r.cohorts) {
        cohorts.push_back({{"month", date_text(c.year, c.month)},
                           {"members", c.members},
                           {"active", c.active},
                           {"retention_permille", c.retention_permille}});
    }
    const bool budget = budgets_known && r.spin_budget.has_value();
    return Json{
        {"from_ms", r.period.from_ms},
        {"to_ms", r.period.to_ms},
        {"currency", currency},
        {"point_value_minor", p.point_value_minor},
        {"receipts",
         {{"count", r.receipts},
          {"with_card", r.receipts_with_card},
          {"card_share_permille", r.card_share_permille},
          {"revenue_minor", r.revenue},
          {"average_member_minor", r.average_receipt_member},
          {"average_non_member_minor", r.average_receipt_non_member}}},
        {"points",
         {{"issued_points", r.points_issued},
          {"redeemed_points", r.points_redeemed},
          {"expired_points", r.points_expired},
          {"adjusted_points", r.points_adjusted},
          {"redemption_ratio_permille", r.redemption_ratio_permille},
          {"breakage_permille", r.breakage_permille}}},
        {"liability", {{"points", r.liability_points}, {"minor", r.liability}}},
        {"members",
         {{"enrolled", r.members_enrolled},
          {"active", r.members_active},
          {"active_permille", r.active_permille},
          {"receipts_per_active_member_x1000", r.receipts_per_active_member_x1000},
          {"active_before", r.members_active_before},
          {"churned", r.members_churned},
          {"churn_permille", r.churn_permille}}},
        {"tiers", tiers},
        {"cohorts", cohorts},
        {"spins",
         {{"count", r.spins},
          {"wins", r.spin_wins},
          {"prize_cost_minor", r.spin_prize_cost},
          {"budget_minor", budget ? Json(*r.spin_budget) : Json(nullptr)},
          {"budget_used_permille", budget ? Json(r.spin_budget_used_permille) : Json(nullptr)}}},
        {"program_cost",
         {{"points_minor", r.program_cost_points},
          {"spins_minor", r.spin_prize_cost},
          {"total_minor", r.program_cost},
          {"share_of_revenue_permille", r.program_cost_share_permille}}},
        {"deferred_revenue", deferred_json(r.deferred, p)},
    };
}

Json series_json(const reports::Series& s, const program::Program& p, const std::string& currency) {
    Json points = Json::array();
    for (const reports::SeriesPoint& x : s.points)
        points.push_back({{"from_ms", x.period.from_ms},
                          {"to_ms", x.period.to_ms},
                          {"receipts", x.receipts},
                          {"receipts_with_card", x.receipts_with_card},
                          {"revenue", x.revenue},
                          {"revenue_member", x.revenue_member},
                          {"revenue_non_member", x.revenue_non_member},
                          {"points_issued", x.points_issued},
                          {"points_redeemed", x.points_redeemed},
                          {"points_expired", x.points_expired},
                          {"liability_points", x.liability_points},
                          {"liability", x.liability},
                          {"deferred_revenue", x.deferred_revenue},
                          {"members_enrolled", x.members_enrolled},
                          {"members_active", x.members_active},
                          {"members_active_before", x.members_active_before},
                          {"members_churned", x.members_churned},
                          {"churn_permille", x.churn_permille},
                          {"spin_prize_cost", x.spin_prize_cost},
                          {"program_cost", x.program_cost}});
    return Json{{"from_ms", s.period.from_ms},
                {"to_ms", s.period.to_ms},
                {"bucket", std::string(reports::bucket_name(s.bucket))},
                {"currency", currency},
                {"point_value_minor", p.point_value_minor},
                {"expected_breakage_permille", s.expected_breakage_permille},
                {"points", points}};
}

// [SECTION] CSV

std::string cell(const Json& v) {
    if (v.is_null()) return "";
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

// A row per figure: "receipts.count,8"; the arrays (tiers, cohorts) have their own tables.
void summary_rows(const Json& j, const std::string& prefix, std::string* out) {
    for (const auto& [key, value] : j.items()) {
        if (value.is_array()) continue;
        if (value.is_object()) {
            summary_rows(value, prefix + key + ".", out);
            continue;
        }
        *out += csv::line({prefix + key, cell(value)});
    }
}

std::string report_csv(const Json& report, const std::string& table) {
    if (table == "tiers") {
        std::string out = csv::line({"id", "name", "members"});
        for (const Json& t : report["tiers"])
            out += csv::line({cell(t["id"]), cell(t["name"]), cell(t["members"])});
        return out;
    }
    if (table == "cohorts") {
        std::size_t months = 0;
        for (const Json& c : report["cohorts"]) months = std::max(months, c["active"].size());
        std::vector<std::string> header{"month", "members"};
        for (const char* key : {"active_m", "retention_permille_m"})
            for (std::size_t k = 0; k < months; ++k) header.push_back(key + std::to_string(k));
        std::string out = csv::line(header);
        for (const Json& c : report["cohorts"]) {
            std::vector<std::string> row{cell(c["month"]), cell(c["members"])};
            for (const char* key : {"active", "retention_permille"})
                for (std::size_t k = 0; k < months; ++k)
                    row.push_back(k < c[key].size() ? cell(c[key][k]) : std::string());
            out += csv::line(row);
        }
        return out;
    }
    std::string out = csv::line({"name", "value"});
    summary_rows(report, "", &out);
    return out;
}

std::string series_csv(const Json& series) {
    std::vector<std::string> header{"from", "to"};
    const Json& points = series["points"];
    if (!points.empty())
        for (const auto& [key, value] : points[0].items()) header.push_back(key);
    std::string out = csv::line(header);
    for (const Json& x : points) {
        std::vector<std::string> row{date_text(x["from_ms"].get<std::int64_t>()),
                                     date_text(x["to_ms"].get<std::int64_t>() - 1)};
        for (const auto& [key, value] : x.items()) row.push_back(cell(value));
        out += csv::line(row);
    }
    return out;
}

std::string file_name(const std::string& what, const reports::Period& p) {
    return "kopilka-" + what + "-" + date_text(p.from_ms) + "-" + date_text(p.to_ms - 1) + ".csv";
}

// [SECTION] The common part of both routes

struct Prepared {
    reports::Period period;
    std::optional<MerchantRecord> merchant;
    std::shared_ptr<const program::Program> program;
    bool csv = false;
};

// Checks the query (format, the period) and finds the merchant and its program; false with
// the answer in *err.
bool prepare(Store& store, const Caller& caller, const ReportQuery& q, std::int64_t now_ms,
             Prepared* out, ApiResult* err) {
    if (q.format && *q.format != "json" && *q.format != "csv") {
        *err = api_error(400, "invalid_value", "format must be json or csv", "format");
        return false;
    }
    out->csv = q.format && *q.format == "csv";
    reports::Period& period = out->period;
    period = {0, now_ms};
    if (q.to_ms && !query_integer("to_ms", *q.to_ms, 1, kTimeMsMax, &period.to_ms, err))
        return false;
    period.from_ms = std::max<std::int64_t>(0, period.to_ms - report_period_default_ms);
    if (q.from_ms && !query_integer("from_ms", *q.from_ms, 0, kTimeMsMax, &period.from_ms, err))
        return false;
    switch (reports::period_status(period)) {
        case reports::Status::ok: break;
        case reports::Status::period_too_long:
            *err = api_error(
                400, "out_of_range",
                "the period may be at most " + std::to_string(reports::period_days_max) + " days",
                "from_ms");
            return false;
        default:
            *err = api_error(400, "invalid_value", "from_ms must be before to_ms", "from_ms");
            return false;
    }
    out->merchant = admin_merchant_record(store, caller, err);
    if (!out->merchant) return false;
    out->program = usable_program(store, out->merchant->merchant_id, now_ms, err);
    return out->program != nullptr;
}

ApiResult overflow_answer(const std::string& merchant_id) {
    return {500, codec::error_json("overflow", "a report total does not fit in 64 bits"),
            merchant_id};
}
}  // namespace

ApiResult admin_report(Store& store, const Caller& caller, const ReportQuery& q,
                       std::int64_t now_ms, ReportFile* file) {
    ApiResult err;
    const std::string table = q.table.value_or("summary");
    if (table != "summary" && table != "tiers" && table != "cohorts")
        return api_error(400, "invalid_value", "table must be summary, tiers or cohorts", "table");
    Prepared in;
    if (!prepare(store, caller, q, now_ms, &in, &err)) return err;
    const std::string& merchant_id = in.merchant->merchant_id;
    bool budgets_known = true;
    const reports::Report r =
        read_report(store, merchant_id, *in.program, in.period, &budgets_known);
    if (r.status != reports::Status::ok) return overflow_answer(merchant_id);
    const Json body = report_json(r, *in.program, in.merchant->currency, budgets_known);
    if (in.csv) {
        file->text = report_csv(body, table);
        file->name = file_name("report-" + table, in.period);
    }
    return {200, body, merchant_id};
}

ApiResult admin_report_series(Store& store, const Caller& caller, const ReportQuery& q,
                              std::int64_t now_ms, ReportFile* file) {
    ApiResult err;
    std::optional<reports::Bucket> bucket;
    if (q.bucket && !(bucket = reports::bucket_from_name(*q.bucket)))
        return api_error(400, "invalid_value", "bucket must be day, week or month", "bucket");
    Prepared in;
    if (!prepare(store, caller, q, now_ms, &in, &err)) return err;
    const std::string& merchant_id = in.merchant->merchant_id;
    if (!bucket) bucket = reports::default_bucket(in.period);
    const reports::Series s = read_series(store, merchant_id, *in.program, in.period, *bucket);
    if (s.status != reports::Status::ok) return overflow_answer(merchant_id);
    const Json body = series_json(s, *in.program, in.merchant->currency);
    if (in.csv) {
        file->text = series_csv(body);
        file->name = file_name("series-" + std::string(reports::bucket_name(*bucket)), in.period);
    }
    return {200, body, merchant_id};
}

void register_report_routes(RouteContext& ctx) {
    RouteContext* c = &ctx;  // outlives the routes (the server owns both)
    using Work =
        ApiResult (*)(Store&, const Caller&, const ReportQuery&, std::int64_t, ReportFile*);
    const auto route = [c](const char* path, Work work) {
        c->route("GET", path, [c, work](const Request& req, Response& res) {
            const auto caller = c->admin(req, res);
            if (!caller) return;
            const auto param = [&](const char* name) -> std::optional<std::string> {
                if (!req.has_param(name)) return std::nullopt;
                return req.get_param_value(name);
            };
            const ReportQuery q{param("from_ms"), param("to_ms"), param("bucket"),
                                param("format"), param("table")};
            ReportFile file;
            const ApiResult r = work(c->store, *caller, q, c->now_ms(), &file);
            if (r.status != 200 || file.name.empty()) return c->respond(res, r);
            res.status = 200;
            res.set_header("Content-Disposition", "attachment; filename=\"" + file.name + "\"");
            res.set_content(std::move(file.text), "text/csv; charset=utf-8");
        });
    };
    route("/v1/admin/reports", admin_report);
    route("/v1/admin/reports/series", admin_report_series);
}

}  // namespace kopilka::server

// Admin API: GET /v1/admin/reports — shared/core/reports over Store::report_rows, the
// program (point value, tiers) and the budgets of the merchant's wheel documents.
// Implemented: every report of PRODUCT.md's list, for [from_ms, to_ms) (default: the last
// 30 days); definitions in core/reports/reports.hpp.
// Missing: discounts given at the till (the rows hold only what was paid), so the program's
// cost counts points and prizes only; a wheel document that is not a wheel config makes the
// spin budget unknown (null) rather than guessed.
#include "api/admin.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "api/member_write.hpp"
#include "codec/wheel_json.hpp"
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
    *budgets_known = true;
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

Json report_json(const reports::Report& r, const program::Program& p, const std::string& currency,
                 bool budgets_known) {
    Json tiers = Json::array();
    for (const auto& t : r.tiers)
        tiers.push_back({{"id", t.id}, {"name", t.name}, {"members", t.members}});
    Json cohorts = Json::array();
    for (const auto& c : r.cohorts) {
        char month[8];
        std::snprintf(month, sizeof month, "%04d-%02d", c.year, c.month);
        cohorts.push_back({{"month", month},
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
    };
}
}  // namespace

ApiResult admin_report(Store& store, const Caller& caller,
                       const std::optional<std::string>& from_ms,
                       const std::optional<std::string>& to_ms, std::int64_t now_ms) {
    reports::Period period{0, now_ms};
    ApiResult err;
    if (to_ms && !query_integer("to_ms", *to_ms, 1, kTimeMsMax, &period.to_ms, &err)) return err;
    period.from_ms = std::max<std::int64_t>(0, period.to_ms - report_period_default_ms);
    if (from_ms && !query_integer("from_ms", *from_ms, 0, kTimeMsMax, &period.from_ms, &err))
        return err;
    if (period.from_ms >= period.to_ms)
        return api_error(400, "invalid_value", "from_ms must be before to_ms", "from_ms");

    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    ApiResult no_program;
    const auto program = usable_program(store, merchant->merchant_id, now_ms, &no_program);
    if (!program) return no_program;
    bool budgets_known = true;
    const reports::Rows rows =
        core_rows(store.report_rows(merchant->merchant_id),
                  store.documents(merchant->merchant_id, "wheel"), &budgets_known);
    const reports::Report r = reports::compute_report(rows, *program, period);
    switch (r.status) {
        case reports::Status::ok: break;
        case reports::Status::period_invalid:
            return api_error(400, "invalid_value", "from_ms must be before to_ms", "from_ms");
        case reports::Status::period_too_long:
            return api_error(
                400, "out_of_range",
                "the period may be at most " + std::to_string(reports::period_days_max) + " days",
                "from_ms");
        case reports::Status::overflow:
            return {500, codec::error_json("overflow", "a report total does not fit in 64 bits"),
                    merchant->merchant_id};
    }
    return {200, report_json(r, *program, merchant->currency, budgets_known),
            merchant->merchant_id};
}

}  // namespace kopilka::server

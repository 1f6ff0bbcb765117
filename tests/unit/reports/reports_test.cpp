// Reports from hand-made rows, every figure worked out by hand in the comments.
#include "core/reports/reports.hpp"

#include <doctest/doctest.h>

#include "core/program/lifecycle.hpp"
#include "core/time.hpp"

using namespace kopilka;
using ledger::Reason;

namespace {
constexpr std::int64_t kDay = day_ms;

std::int64_t at(int month, int day) {
    return program::ms_of({2024, month, day}) + 12 * 3600000;
}  // noon UTC

program::Program sample_program() {
    program::Program p;
    p.id = "p";
    p.point_value_minor = 50;  // 1 point = 0.50
    program::Tiers t;
    t.basis = program::TierBasis::points;
    t.window_days = 30;
    t.levels = {{"base", "Base", 0, 100, 0, {}},
                {"silver", "Silver", 100, 125, 0, {}},
                {"gold", "Gold", 500, 150, 0, {}}};
    p.tiers = t;
    return p;
}

// March 2024 (30 days from 1 March): members a and d enrolled before it, b and c during it,
// e after it.
reports::Rows sample_rows() {
    reports::Rows r;
    r.members = {
        {"a", at(1, 15)}, {"b", at(3, 5)}, {"c", at(3, 20)}, {"d", at(2, 10)}, {"e", at(4, 10)}};
    r.receipts = {
        {"a", at(2, 10), 1000}, {"d", at(2, 20), 3000},  // the period before
        {"a", at(3, 2), 2000},  {"a", at(3, 10), 4000}, {"b", at(3, 6), 1000},
        {"", at(3, 7), 500},    {"", at(3, 8), 1500},   {"c", at(3, 21), 3000},
        {"b", at(4, 2), 700},                            // after
    };
    r.entries = {
        {"a", Reason::earn, at(2, 10), 200},     {"d", Reason::earn, at(2, 20), 300},
        {"d", Reason::redeem, at(2, 25), -100},  {"a", Reason::earn, at(3, 2), 100},
        {"a", Reason::bonus, at(3, 3), 50},      {"a", Reason::earn, at(3, 10), 200},
        {"b", Reason::earn, at(3, 6), 50},       {"c", Reason::earn, at(3, 21), 150},
        {"a", Reason::redeem, at(3, 10), -120},  {"a", Reason::reserve, at(3, 12), -30},
        {"a", Reason::release, at(3, 13), 10},   {"a", Reason::refund, at(3, 15), 20},
        {"c", Reason::clawback, at(3, 22), -50}, {"d", Reason::expire, at(3, 25), -40},
        {"b", Reason::adjust, at(3, 26), 5},     {"a", Reason::earn, at(4, 5), 999},  // after
    };
    r.spins = {{"coffee", at(2, 27), 9000},
               {"coffee", at(3, 5), 9000},
               {"", at(3, 6), 0},
               {"p50", at(3, 7), 500},
               {"next-time", at(3, 8), 0}};
    r.nothing_prizes = {"next-time"};
    r.wheels = {{1000, 20000}, {std::nullopt, 5000}};
    return r;
}

const reports::Period kMarch{program::ms_of({2024, 3, 1}),
                             program::ms_of({2024, 3, 1}) + 30 * kDay};
}  // namespace

TEST_CASE("reports: receipts, points, liability, members and cost for one month") {
    const reports::Report r = reports::compute_report(sample_rows(), sample_program(), kMarch);
    REQUIRE(r.status == reports::Status::ok);
    // 6 receipts in March, 4 with a card: 4/6 = 666 ‰.
    CHECK(r.receipts == 6);
    CHECK(r.receipts_with_card == 4);
    CHECK(r.card_share_permille == 666);
    CHECK(r.revenue == 12000);
    CHECK(r.average_receipt_member == 2500);      // (2000 + 4000 + 1000 + 3000) / 4
    CHECK(r.average_receipt_non_member == 1000);  // (500 + 1500) / 2
    // Issued 100 + 50 + 200 + 50 + 150 − 50 (clawback) = 500; redeemed 120 + 30 − 10 − 20 = 120.
    CHECK(r.points_issued == 500);
    CHECK(r.points_redeemed == 120);
    CHECK(r.points_expired == 40);
    CHECK(r.points_adjusted == 5);
    CHECK(r.redemption_ratio_permille == 240);
    CHECK(r.breakage_permille == 80);
    // Every entry before 31 March: 400 from February, + 345 in March.
    CHECK(r.liability_points == 745);
    CHECK(r.liability == 745 * 50);
    // Enrolled a, b, c, d; active a, b, c; 4 member receipts / 3 members.
    CHECK(r.members_enrolled == 4);
    CHECK(r.members_active == 3);
    CHECK(r.active_permille == 750);
    CHECK(r.receipts_per_active_member_x1000 == 1333);
    // Active in February: a and d; d bought nothing in March.
    CHECK(r.members_active_before == 2);
    CHECK(r.members_churned == 1);
    CHECK(r.churn_permille == 500);
    // Spins: 4 in March, 2 wins ("" and "next-time" win nothing), 9 500 spent; budget
    // min(1000 × 30, 20 000) + 5 000.
    CHECK(r.spins == 4);
    CHECK(r.spin_wins == 2);
    CHECK(r.spin_prize_cost == 9500);
    REQUIRE(r.spin_budget.has_value());
    CHECK(*r.spin_budget == 25000);
    CHECK(r.spin_budget_used_permille == 380);
    // 120 points × 0.50 + 9 500 = 15 500 of 12 000 revenue.
    CHECK(r.program_cost_points == 6000);
    CHECK(r.program_cost == 15500);
    CHECK(r.program_cost_share_permille == 1291);
}

TEST_CASE("reports: tiers by what qualified in the window, bonuses and spending aside") {
    const reports::Report r = reports::compute_report(sample_rows(), sample_program(), kMarch);
    REQUIRE(r.tiers.size() == 3);
    // a: 100 + 200 earned (the bonus does not qualify) → silver; b: 50 → base;
    // c: 150 − 50 clawed back → silver; d: nothing in the window → base; e: not enrolled yet.
    CHECK(r.tiers[0].id == "base");
    CHECK(r.tiers[0].members == 2);
    CHECK(r.tiers[1].members == 2);
    CHECK(r.tiers[2].members == 0);
    program::Program no_tiers = sample_program();
    no_tiers.tiers.reset();
    CHECK(reports::compute_report(sample_rows(), no_tiers, kMarch).tiers.empty());
}

TEST_CASE("reports: cohorts by enrolment month") {
    reports::Rows rows = sample_rows();
    rows.receipts.push_back({"c", at(5, 3), 100});
    const reports::Period spring{program::ms_of({2024, 3, 1}), program::ms_of({2024, 5, 31})};
    const reports::Report r = reports::compute_report(rows, sample_program(), spring);
    REQUIRE(r.cohorts.size() == 2);
    // March: b and c; both bought in March, b in April, c in May.
    CHECK(r.cohorts[0].year == 2024);
    CHECK(r.cohorts[0].month == 3);
    CHECK(r.cohorts[0].members == 2);
    CHECK(r.cohorts[0].active == std::vector<std::int64_t>{2, 1, 1});
    CHECK(r.cohorts[0].retention_permille == std::vector<std::int64_t>{1000, 500, 500});
    // April: e, who never bought.
    CHECK(r.cohorts[1].month == 4);
    CHECK(r.cohorts[1].active == std::vector<std::int64_t>{0, 0});
    // In March alone only the March cohort, for one month.
    const reports::Report march = reports::compute_report(rows, sample_program(), kMarch);
    REQUIRE(march.cohorts.size() == 1);
    CHECK(march.cohorts[0].active == std::vector<std::int64_t>{2});
}

TEST_CASE("reports: nothing to divide by is 0, budgets can be unlimited, periods are checked") {
    const reports::Report empty = reports::compute_report({}, sample_program(), kMarch);
    CHECK(empty.status == reports::Status::ok);
    CHECK(empty.receipts == 0);
    CHECK(empty.card_share_permille == 0);
    CHECK(empty.redemption_ratio_permille == 0);
    CHECK(empty.program_cost_share_permille == 0);
    CHECK_FALSE(empty.spin_budget.has_value());
    CHECK(empty.tiers.size() == 3);
    CHECK(empty.tiers[0].members == 0);

    reports::Rows unlimited = sample_rows();
    unlimited.wheels.push_back({std::nullopt, std::nullopt});
    const reports::Report u = reports::compute_report(unlimited, sample_program(), kMarch);
    CHECK_FALSE(u.spin_budget.has_value());
    CHECK(u.spin_budget_used_permille == 0);

    CHECK(reports::compute_report({}, sample_program(), {kMarch.to_ms, kMarch.to_ms}).status ==
          reports::Status::period_invalid);
    CHECK(reports::compute_report({}, sample_program(), {-1, 5}).status ==
          reports::Status::period_invalid);
    CHECK(reports::compute_report({}, sample_program(), {0, (reports::period_days_max + 1) * kDay})
              .status == reports::Status::period_too_long);
    CHECK(reports::status_name(reports::Status::period_too_long) == "period_too_long");

    reports::Rows huge;
    huge.receipts = {{"a", at(3, 2), INT64_MAX / 2 + 1}, {"", at(3, 3), INT64_MAX / 2 + 1}};
    CHECK(reports::compute_report(huge, sample_program(), kMarch).status ==
          reports::Status::overflow);
}

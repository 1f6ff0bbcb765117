// The distinct-member figures as counts (what a server's database counts): month numbers,
// member_counts over hand-made rows, and member_figures from counts alone.
#include <doctest/doctest.h>

#include <utility>

#include "core/program/lifecycle.hpp"
#include "core/reports/reports.hpp"
#include "core/time.hpp"

using namespace kopilka;

namespace {
std::int64_t noon(int year, int month, int day) {
    return program::ms_of({year, month, day}) + day_ms / 2;
}

// Tiers by spend over 60 days: base, silver from 1 000, gold from 5 000.
program::Program three_tiers() {
    program::Program p;
    p.tiers = program::Tiers{};
    p.tiers->basis = program::TierBasis::spend;
    p.tiers->window_days = 60;
    for (const auto& [id, threshold] : {std::pair<const char*, std::int64_t>{"base", 0},
                                        {"silver", 1000},
                                        {"gold", 5000}})
        p.tiers->levels.push_back({id, id, threshold, 100, 0, {}});
    return p;
}
}  // namespace

TEST_CASE("reports: month numbers count UTC calendar months from year 0") {
    CHECK(reports::month_number(0) == 1970 * 12);
    CHECK(reports::month_number(program::ms_of({2024, 2, 29}) + day_ms - 1) == 2024 * 12 + 1);
    CHECK(reports::month_number(program::ms_of({2024, 3, 1})) == 2024 * 12 + 2);
    CHECK(reports::month_number(program::ms_of({2024, 12, 31}) + 1) == 2024 * 12 + 11);
    CHECK(reports::month_start_ms(2024 * 12 + 2) == program::ms_of({2024, 3, 1}));
    CHECK(reports::month_start_ms(2025 * 12) == program::ms_of({2025, 1, 1}));
}

TEST_CASE("reports: member counts — active, churned, tier levels reached, cohort cells") {
    // April 2024 (30 days); the period before: 2 to 31 March.
    const reports::Period april{program::ms_of({2024, 4, 1}), program::ms_of({2024, 5, 1})};
    reports::Rows rows;
    rows.members = {{"a", noon(2024, 1, 5)}, {"b", noon(2024, 3, 10)}, {"c", noon(2024, 4, 3)},
                    {"d", noon(2024, 4, 20)}, {"e", noon(2024, 5, 2)}};
    rows.receipts = {{"a", noon(2024, 3, 5), 700},  {"b", noon(2024, 3, 12), 400},
                     {"a", noon(2024, 4, 2), 800},  {"c", noon(2024, 4, 4), 6000},
                     {"c", noon(2024, 4, 25), 100}, {"", noon(2024, 4, 6), 9000},
                     {"d", noon(2024, 5, 3), 2000}, {"e", noon(2024, 5, 4), 9000}};
    const reports::MemberCounts c = reports::member_counts(rows, three_tiers(), april);
    // Active in April: a, c; in March: a, b; b churned.
    CHECK(c.active == 2);
    CHECK(c.active_before == 2);
    CHECK(c.churned == 1);
    // Spend in the 60 days before 1 May: a 1 500, b 400, c 6 100; d and e nothing yet.
    REQUIRE(c.tier_reached.size() == 2);
    CHECK(c.tier_reached[0] == 2);  // a and c reach Silver
    CHECK(c.tier_reached[1] == 1);  // c reaches Gold
    // Enrolled in April: c and d (April's cohort); c bought in April, d only in May.
    REQUIRE(c.enrolled_by_month.size() == 1);
    CHECK(c.enrolled_by_month[0].first == 2024 * 12 + 3);
    CHECK(c.enrolled_by_month[0].second == 2);
    REQUIRE(c.active_by_month.size() == 1);
    CHECK(c.active_by_month[0].enrolled == 2024 * 12 + 3);
    CHECK(c.active_by_month[0].month == 2024 * 12 + 3);
    CHECK(c.active_by_month[0].members == 1);

    // The figures from the counts alone: the five members enrolled before May are 4.
    reports::Report r;
    r.period = april;
    r.members_enrolled = 4;
    r.receipts_with_card = 3;
    reports::member_figures(c, three_tiers(), &r);
    CHECK(r.members_active == 2);
    CHECK(r.active_permille == 500);
    CHECK(r.receipts_per_active_member_x1000 == 1500);
    CHECK(r.churn_permille == 500);
    REQUIRE(r.tiers.size() == 3);
    CHECK(r.tiers[0].members == 2);  // b and d
    CHECK(r.tiers[1].members == 1);  // a
    CHECK(r.tiers[2].members == 1);  // c
    REQUIRE(r.cohorts.size() == 1);
    CHECK(r.cohorts[0].year == 2024);
    CHECK(r.cohorts[0].month == 4);
    CHECK(r.cohorts[0].active == std::vector<std::int64_t>{1});
    CHECK(r.cohorts[0].retention_permille == std::vector<std::int64_t>{500});
}

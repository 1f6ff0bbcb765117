// Reports by span and bucket: spans never cross a cut or a midnight, buckets follow UTC days,
// Monday weeks and calendar months, deferred revenue as reports.hpp defines it (worked out
// by hand), and the series adds up to the report of the same period.
#include <doctest/doctest.h>

#include "core/program/lifecycle.hpp"
#include "core/reports/reports.hpp"
#include "core/time.hpp"

using namespace kopilka;
using ledger::Reason;

namespace {
std::int64_t midnight(int y, int m, int d) { return program::ms_of({y, m, d}); }

program::Program plain_program() {
    program::Program p;
    p.id = "p";
    p.point_value_minor = 100;
    return p;
}
}  // namespace

TEST_CASE("reports: buckets by UTC day, Monday week and calendar month, clipped to the period") {
    using reports::Bucket;
    // 1 March 2024 was a Friday.
    const reports::Period march{midnight(2024, 3, 1) + 5, midnight(2024, 4, 1)};
    const auto weeks = reports::buckets(march, Bucket::week);
    REQUIRE(weeks.size() == 5);
    CHECK(weeks[0].from_ms == march.from_ms);
    CHECK(weeks[0].to_ms == midnight(2024, 3, 4));
    CHECK(weeks[4].from_ms == midnight(2024, 3, 25));
    CHECK(weeks[4].to_ms == march.to_ms);
    CHECK(reports::buckets(march, Bucket::day).size() == 31);
    const reports::Period year{midnight(2023, 11, 15), midnight(2024, 2, 10)};
    const auto months = reports::buckets(year, Bucket::month);
    REQUIRE(months.size() == 4);
    CHECK(months[0].from_ms == year.from_ms);
    CHECK(months[1].from_ms == midnight(2023, 12, 1));
    CHECK(months[2].from_ms == midnight(2024, 1, 1));
    CHECK(months[3].to_ms == year.to_ms);

    CHECK(reports::default_bucket({0, 62 * day_ms}) == Bucket::day);
    CHECK(reports::default_bucket({0, 62 * day_ms + 1}) == Bucket::week);
    CHECK(reports::default_bucket({0, 366 * day_ms}) == Bucket::week);
    CHECK(reports::default_bucket({0, 367 * day_ms}) == Bucket::month);
    CHECK(reports::bucket_from_name("week") == Bucket::week);
    CHECK(!reports::bucket_from_name("hour"));
    CHECK(reports::bucket_name(Bucket::month) == "month");
}

TEST_CASE("reports: spans stop at every cut and midnight, and add up to the rows") {
    reports::Rows rows;
    const std::int64_t d = midnight(2024, 5, 10);
    rows.receipts = {{"a", d + 1000, 500}, {"", d + 5000, 700}, {"a", d + day_ms + 1, 100}};
    rows.entries = {{"a", Reason::earn, d + 1000, 5}, {"a", Reason::expire, d + 6000, -2}};
    rows.members = {{"a", d}};
    bool overflow = false;
    const auto spans = reports::spans_of(rows, {d + 3000, d + 2 * day_ms}, &overflow);
    CHECK(!overflow);
    REQUIRE(spans.size() == 3);
    CHECK(spans[0].from_ms == d);
    CHECK(spans[0].to_ms == d + 3000);
    CHECK(spans[0].totals.receipts == 1);
    CHECK(spans[0].totals.paid_member == 500);
    CHECK(spans[0].totals.issued == 5);
    CHECK(spans[0].totals.enrolled == 1);
    CHECK(spans[1].from_ms == d + 3000);
    CHECK(spans[1].to_ms == d + day_ms);
    CHECK(spans[1].totals.paid_other == 700);
    CHECK(spans[1].totals.expired == 2);
    CHECK(spans[1].totals.balance_delta == -2);
    CHECK(spans[2].from_ms == d + day_ms);
    CHECK(spans[2].totals.receipts_with_card == 1);
    // Nothing at or after the last cut.
    CHECK(reports::spans_of(rows, {d + 2000}, &overflow).size() == 1);
}

TEST_CASE("reports: deferred revenue by relative stand-alone selling price") {
    // One day: a member pays 10 000 and earns 100 points worth 100 each; nothing expired in
    // the year before, so b = 0: SSP = 10 000, allocated 10 000 × 10 000 / 20 000 = 5 000.
    // The next day 40 of the points are redeemed: D = 5 000 × (100 − 40) / 100 = 3 000.
    const std::int64_t d = midnight(2024, 6, 3);
    reports::Rows rows;
    rows.members = {{"a", d}};
    rows.receipts = {{"a", d + 100, 10000}};
    rows.entries = {{"a", Reason::earn, d + 100, 100}, {"a", Reason::redeem, d + day_ms, -40}};
    const reports::Report first =
        reports::compute_report(rows, plain_program(), {d, d + day_ms});
    REQUIRE(first.status == reports::Status::ok);
    CHECK(first.deferred.breakage_basis == "trailing_12_months");
    CHECK(first.deferred.expected_breakage_permille == 0);
    CHECK(first.deferred.allocated_in_period == 5000);
    CHECK(first.deferred.amount == 5000);
    CHECK(first.deferred.recognised_in_period == 0);
    const auto two_days = [&rows, d] {
        return reports::compute_report(rows, plain_program(), {d, d + 2 * day_ms}).deferred;
    };
    CHECK(two_days().amount == 3000);
    CHECK(two_days().recognised_in_period == 2000);
    CHECK(two_days().points_outstanding == 60);

    // 20 points expire: b = 20 / 100 = 200 ‰, SSP = 100 × 100 × 0.8 = 8 000, allocated
    // 10 000 × 8 000 / 18 000 = 4 444; expected redemptions 80, 40 redeemed: 4 444 × 40 / 80
    // = 2 222; the liability (40) does not bind.
    rows.entries.push_back({"a", Reason::expire, d + day_ms + 5, -20});
    CHECK(two_days().expected_breakage_permille == 200);
    CHECK(two_days().allocated_in_period == 4444);
    CHECK(two_days().amount == 2222);
    // More redeemed than expected: nothing is left deferred.
    rows.entries.push_back({"a", Reason::redeem, d + day_ms + 9, -40});
    CHECK(two_days().amount == 0);
    // No points in the year before: no basis, nothing deferred.
    const reports::Report none =
        reports::compute_report({}, plain_program(), {d, d + day_ms});
    CHECK(none.deferred.breakage_basis == "none_yet");
    CHECK(none.deferred.amount == 0);
}

TEST_CASE("reports: each bucket of a series equals the report of its own period") {
    reports::Rows rows;
    const std::int64_t d = midnight(2024, 1, 29);  // a Monday
    for (int i = 0; i < 60; ++i) {
        const std::int64_t at = d + i * (day_ms / 3) + 7777 * i;
        const std::string member = i % 4 == 0 ? "" : "m" + std::to_string(i % 7);
        rows.receipts.push_back({member, at, 1000 + 37 * i});
        if (member.empty()) continue;
        rows.entries.push_back({member, Reason::earn, at, 10 + i});
        if (i % 5 == 0) rows.entries.push_back({member, Reason::redeem, at + 1, -7});
    }
    for (int m = 0; m < 7; ++m) rows.members.push_back({"m" + std::to_string(m), d + m * day_ms});
    const reports::Period period{d + 12345, d + 20 * day_ms + 999};
    const reports::Series s =
        reports::compute_series(rows, plain_program(), period, reports::Bucket::week);
    REQUIRE(s.status == reports::Status::ok);
    REQUIRE(s.points.size() == 3);
    std::int64_t receipts = 0;
    for (const reports::SeriesPoint& x : s.points) {
        const reports::Report r = reports::compute_report(rows, plain_program(), x.period);
        CHECK(x.receipts == r.receipts);
        CHECK(x.revenue == r.revenue);
        CHECK(x.points_issued == r.points_issued);
        CHECK(x.points_redeemed == r.points_redeemed);
        CHECK(x.liability_points == r.liability_points);
        CHECK(x.members_enrolled == r.members_enrolled);
        CHECK(x.members_active == r.members_active);
        receipts += x.receipts;
    }
    CHECK(receipts == reports::compute_report(rows, plain_program(), period).receipts);
    CHECK(reports::compute_series(rows, plain_program(), {5, 5}, reports::Bucket::day).status ==
          reports::Status::period_invalid);
}

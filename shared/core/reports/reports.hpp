// The reports merchants expect (PRODUCT.md, "Reports merchants expect"), computed from plain
// rows — receipts, ledger entries' effect on members, members, spins — that the server reads
// for one merchant. Pure: no clock, no storage; the same rows give the same report.
//
// Definitions (period = [from_ms, to_ms); "member receipt" = one with a member id):
//   card share        receipts with a member / all receipts.
//   points issued     earn + bonus entries, less clawbacks (returns), in the period.
//   points redeemed   redeem + reserve − release entries (points spent or still held for
//                     coupons), less refunds (returns), in the period. A committed coupon's
//                     points count when they were reserved: the commit entry moves nothing
//                     from the member.
//   redemption ratio  redeemed / issued; breakage = expired / issued (both in the period).
//   liability         the members' balances at to_ms (every entry before it), in points and
//                     in money at the program's point value. Points held for unredeemed
//                     coupons are not in the balances, so not in it.
//   average receipt   paid / receipts, of member receipts and of the others.
//   purchase freq.    member receipts / active members (× 1000).
//   active, enrolled  members with a receipt in the period; members created before to_ms.
//   churn             of the members active in the equal period just before, those with no
//                     receipt in this one.
//   tiers             every enrolled member's tier by what qualified in the program's window
//                     ending at to_ms: earn entries less clawbacks (basis points) or paid
//                     receipts (basis spend). Tiers held through a demotion grace are not
//                     seen in these rows, so a member may show one step below the kiosk.
//   cohorts           members enrolled in the period, by calendar month (UTC); active[k] =
//                     those with a receipt in the k-th month after their enrolment month,
//                     up to the month of to_ms.
//   spins             spins and wins (a prize that is not "nothing") in the period and the
//                     prizes' cost, against the budget
//                     of the period: per wheel, the day budget × days (rounded up), capped
//                     by the campaign budget; none when any wheel is unlimited on both.
//   program cost      redeemed points at the point value + spin prize cost, / revenue (all
//                     receipts' paid). Discounts given at the till are not in the rows.
//   deferred revenue  IFRS 15, relative stand-alone selling prices; see "Deferred revenue".
//   series            the additive figures by day, week (from Monday) or month, UTC.
// Every figure is an integer: counts, points, minor units, or ratios in permille (floor).
// A ratio with nothing to divide by is 0 ("0 of 0" stays visible through its counts).
//
// Deferred revenue (IFRS 15, relative stand-alone selling price), in integers:
//   expected breakage b (permille): points expired / points issued over the 365 days before
//     to_ms, floor, at most 1000 (basis "trailing_12_months"); 0 with basis "none_yet" when
//     nothing was issued in those days. One b serves the whole answer (every bucket).
//   portfolio: the member receipts and the points issued in one UTC day, up to the instant
//     asked about (IFRS 15's portfolio expedient: the rows do not tie points to receipts).
//     SSP = issued × point value × (1000 − b) / 1000 (floor); the part of the day's paid
//     allocated to the points = paid × SSP / (paid + SSP) (floor); 0 when either is ≤ 0.
//   A(T) = the allocations of every day before T (the day holding T up to T only);
//     I(T), R(T) = points issued and redeemed before T; L(T) = the liability in points.
//   outstanding expected redemptions E(T) = min(L, max(0, I × (1000 − b) / 1000 − R)),
//     kept ×1000 so nothing is rounded; the deferred revenue at T is
//     A × E / (I × (1000 − b) / 1000), floor (0 when I × (1000 − b) ≤ 0): what is allocated
//     is released as the points expected to be redeemed are redeemed, which releases the
//     expected breakage with them (IFRS 15 B46); points beyond the liability cannot be.
//   allocated_in_period = A(to) − A(from); recognised_in_period = D(from) + allocated − D(to).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ledger/entry.hpp"
#include "core/program/program.hpp"

namespace kopilka::reports {

// [SECTION] Inputs

struct Receipt {
    std::string member_id;  // "": no card was shown
    std::int64_t at_ms = 0;
    std::int64_t paid = 0;  // minor units
};

struct Entry {
    std::string member_id;
    ledger::Reason reason = ledger::Reason::earn;
    std::int64_t at_ms = 0;
    std::int64_t member_delta = 0;  // the change of the member's balance
};

struct Member {
    std::string member_id;
    std::int64_t created_at_ms = 0;
};

struct Spin {
    std::string prize_id;   // "": the wheel had nothing left
    std::int64_t at_ms = 0;
    std::int64_t cost = 0;  // minor units
};

struct WheelBudget {
    std::optional<std::int64_t> day;       // minor units per day; nullopt: unlimited
    std::optional<std::int64_t> campaign;  // minor units for the campaign; nullopt: unlimited
};

struct Rows {
    std::vector<Receipt> receipts;
    std::vector<Entry> entries;
    std::vector<Member> members;
    std::vector<Spin> spins;
    std::vector<WheelBudget> wheels;
    std::vector<std::string> nothing_prizes;  // the wheels' prize ids of kind "nothing"
};

struct Period {
    std::int64_t from_ms = 0;  // inclusive
    std::int64_t to_ms = 0;    // exclusive
};

constexpr std::int64_t period_days_max = 1096;  // three years: cohorts stay a small table

// [SECTION] The report

enum class Status : std::uint8_t {
    ok,
    period_invalid,   // from_ms < 0 (before the epoch) or from_ms ≥ to_ms
    period_too_long,  // longer than period_days_max
    overflow,         // a sum does not fit in int64 (amounts near the limits of program.hpp)
};

struct TierCount {
    std::string id;
    std::string name;
    std::int64_t members = 0;
};

struct Cohort {
    int year = 1970, month = 1;                   // the enrolment month
    std::int64_t members = 0;
    std::vector<std::int64_t> active;             // by month since enrolment, 0 first
    std::vector<std::int64_t> retention_permille; // active[k] / members
};

struct Report {
    Status status = Status::ok;
    Period period;

    std::int64_t receipts = 0;
    std::int64_t receipts_with_card = 0;
    std::int64_t card_share_permille = 0;
    std::int64_t revenue = 0;                      // minor units, all receipts
    std::int64_t average_receipt_member = 0;       // minor units
    std::int64_t average_receipt_non_member = 0;   // minor units

    std::int64_t points_issued = 0;
    std::int64_t points_redeemed = 0;
    std::int64_t points_expired = 0;
    std::int64_t points_adjusted = 0;              // manual corrections, signed
    std::int64_t redemption_ratio_permille = 0;
    std::int64_t breakage_permille = 0;

    std::int64_t liability_points = 0;
    std::int64_t liability = 0;                    // minor units

    std::int64_t members_enrolled = 0;
    std::int64_t members_active = 0;
    std::int64_t active_permille = 0;
    std::int64_t receipts_per_active_member_x1000 = 0;
    std::int64_t members_active_before = 0;        // in the equal period just before
    std::int64_t members_churned = 0;
    std::int64_t churn_permille = 0;

    std::vector<TierCount> tiers;                  // empty when the program has none
    std::vector<Cohort> cohorts;                   // oldest first

    std::int64_t spins = 0;
    std::int64_t spin_wins = 0;
    std::int64_t spin_prize_cost = 0;              // minor units
    std::optional<std::int64_t> spin_budget;       // minor units; nullopt: unlimited or no wheel
    std::int64_t spin_budget_used_permille = 0;    // 0 without a budget

    struct Deferred {
        std::int64_t amount = 0;                    // minor units at to_ms
        std::int64_t expected_breakage_permille = 0;
        std::string_view breakage_basis = "none_yet";  // or "trailing_12_months"
        std::int64_t points_outstanding = 0;        // = liability_points
        std::int64_t allocated_in_period = 0;       // minor units
        std::int64_t recognised_in_period = 0;      // minor units
    } deferred;

    std::int64_t program_cost_points = 0;          // minor units: redeemed points' value
    std::int64_t program_cost = 0;                 // minor units: points + spin prizes
    std::int64_t program_cost_share_permille = 0;  // of revenue
};

// p must be valid (the server only holds valid programs).
Report compute_report(const Rows& rows, const program::Program& p, const Period& period);

enum class Bucket : std::uint8_t { day, week, month };

// [SECTION] Additive totals by span
// A span lies inside one UTC day and between two consecutive cuts; its totals add up.

struct Totals {
    std::int64_t receipts = 0;
    std::int64_t receipts_with_card = 0;
    std::int64_t paid_member = 0;    // minor units
    std::int64_t paid_other = 0;     // minor units
    std::int64_t issued = 0;         // points: earn + bonus + clawback
    std::int64_t redeemed = 0;       // points: −(redeem + reserve + release + refund)
    std::int64_t expired = 0;        // points: −expire
    std::int64_t adjusted = 0;       // points: adjust
    std::int64_t balance_delta = 0;  // points: every entry
    std::int64_t enrolled = 0;       // members created
    std::int64_t spins = 0;
    std::int64_t spin_cost = 0;      // minor units
};

struct Span {
    std::int64_t from_ms = 0, to_ms = 0;
    Totals totals;
};

// The spans of the rows before the last cut, oldest first, only those with something in them.
// cuts need not be sorted; a span never crosses a cut or a UTC midnight.
// *overflow turns true when a total does not fit in int64.
std::vector<Span> spans_of(const Rows& rows, std::vector<std::int64_t> cuts, bool* overflow);

// The cuts a report (or a series with these bucket edges) needs: from, to and a year
// before to (the expected breakage).
std::vector<std::int64_t> report_cuts(const Period& period);

// ok, period_invalid or period_too_long.
Status period_status(const Period& period);
// report_cuts and every bucket's start.
std::vector<std::int64_t> series_cuts(const Period& period, Bucket b);

// Adds a's totals to *into; false when a sum does not fit in int64.
bool add(Totals* into, const Totals& a);

// The report from its parts, for a server that reads them from roll-ups: *r holds the period;
// fill_from_spans sets the receipts, points, liability, enrolled members and deferred revenue
// from spans_of(…, report_cuts(period)); member_figures sets active, churn, tiers and
// cohorts; spins_and_cost sets the rest from the period's spins.
void fill_from_spans(const std::vector<Span>& spans, const program::Program& p, Report* r);
void spins_and_cost(const Rows& rows, const program::Program& p, Report* r);
// [SECTION] The figures that count distinct members
// Counted by the server in its database (one aggregate query each, nothing sent row by row)
// or by member_counts from rows (compute_report); member_figures turns the counts into the
// report's figures after fill_from_spans.

// A UTC calendar month as one number: year × 12 + month − 1.
int month_number(std::int64_t ms);
std::int64_t month_start_ms(int month_number);  // its first midnight

struct MemberCounts {
    std::int64_t active = 0;         // members with a receipt in the period
    std::int64_t active_before = 0;  // members with a receipt in the equal period just before
    std::int64_t churned = 0;        // of those, the ones with none in the period
    // From the program's second tier level up: the members enrolled before to_ms whose
    // qualifying amount in the tier window reaches the level's threshold.
    std::vector<std::int64_t> tier_reached;
    // Cohorts: the members enrolled in the period by enrolment month (month_number), and of
    // them, those with a receipt before to_ms in each month from their enrolment month on.
    struct Cell {
        int enrolled = 0, month = 0;
        std::int64_t members = 0;
    };
    std::vector<std::pair<int, std::int64_t>> enrolled_by_month;
    std::vector<Cell> active_by_month;
};

MemberCounts member_counts(const Rows& rows, const program::Program& p, const Period& period);
void member_figures(const MemberCounts& counts, const program::Program& p, Report* r);

// [SECTION] Series

std::string_view bucket_name(Bucket b);
std::optional<Bucket> bucket_from_name(std::string_view name);
// day up to 62 days, week up to 366, month beyond.
Bucket default_bucket(const Period& period);
// The buckets of the period, UTC; weeks start on Monday; the first and last are clipped.
std::vector<Period> buckets(const Period& period, Bucket b);

struct SeriesPoint {
    Period period;
    std::int64_t receipts = 0, receipts_with_card = 0;
    std::int64_t revenue = 0, revenue_member = 0, revenue_non_member = 0;  // minor units
    std::int64_t points_issued = 0, points_redeemed = 0, points_expired = 0;
    std::int64_t liability_points = 0, liability = 0;  // at the bucket's end
    std::int64_t deferred_revenue = 0;                 // minor units, at the bucket's end
    std::int64_t members_enrolled = 0;                 // at the bucket's end
    std::int64_t members_active = 0;                   // with a receipt in the bucket
    // Churn per bucket, as the report's: of the members with a receipt in the equal period
    // just before the bucket, those with none in it, and their share in permille.
    std::int64_t members_active_before = 0, members_churned = 0, churn_permille = 0;
    std::int64_t spin_prize_cost = 0;                  // minor units
    std::int64_t program_cost = 0;  // minor units: redeemed points' value + spin prizes
};

struct Series {
    Status status = Status::ok;
    Period period;
    Bucket bucket = Bucket::day;
    std::int64_t expected_breakage_permille = 0;
    std::vector<SeriesPoint> points;
};

// From spans (spans_of with report_cuts and every bucket edge) and the members active in
// each bucket, in the equal period before it and churned (MemberCounts' first three counts);
// compute_series does both from rows.
Series series_from(const std::vector<Span>& spans, const std::vector<MemberCounts>& active,
                   const program::Program& p, const Period& period, Bucket b);
Series compute_series(const Rows& rows, const program::Program& p, const Period& period,
                      Bucket b);

std::string_view status_name(Status s);  // "period_too_long", …

}  // namespace kopilka::reports

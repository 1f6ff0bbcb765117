// The console's Reports section without drawing: a date range (a preset such as the last 30
// days, or dates typed in the merchant's locale, the last day included), the bucket of the
// series (day, week or month: chosen from the range's length like the server does, or by the
// person), and what the server computed for that range:
//
//   GET /v1/admin/reports?from_ms=&to_ms=                 every figure of the period (summary)
//   GET /v1/admin/reports/series?from_ms=&to_ms=&bucket=  the same figures bucket by bucket
//
// A new range or bucket asks again; an answer for a range no longer shown is dropped. Each
// report is also downloadable as the server's CSV: download() leaves the request for the page
// (take_download), which fetches it with the session and saves the file.
//
// ConsoleFlow owns one ReportsView and lends it its requests (session, 401 and 403 handling).
// Ranges are in UTC days: from_ms is a midnight, to_ms the midnight after the last day.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/console_types.hpp"
#include "client/transport.hpp"
#include "core/i18n/locale.hpp"

namespace kopilka::client {

enum class ReportPreset : std::uint8_t {
    last_7,
    last_30,
    last_90,
    this_month,
    last_month,
    this_year,
    custom,  // typed dates
};
std::string_view report_preset_name(ReportPreset p);  // "last_30"

enum class ReportBucket : std::uint8_t { day, week, month };
std::string_view report_bucket_name(ReportBucket b);  // "week"

struct ReportRange {
    std::int64_t from_ms = 0;  // a midnight (UTC), inclusive
    std::int64_t to_ms = 0;    // the midnight after the last day, exclusive
};

constexpr std::int64_t kDayMs = 86400000;
constexpr std::int64_t report_days_max = 1096;  // the server's longest period

// The preset's days as of now_ms's day (today included; last month ends before this month).
ReportRange preset_range(ReportPreset p, std::int64_t now_ms);
// As the server chooses: day up to 62 days, week up to 366, else month.
ReportBucket automatic_bucket(const ReportRange& r);
// A typed day → its midnight (UTC): "2026-11-23" in any locale, "23.11.2026" (also with / or
// -), and in English "23 Nov 2026". nullopt for anything else or a day that does not exist.
std::optional<std::int64_t> parse_report_date(std::string_view text);

// What the server answers.
struct ReportPoint {
    std::int64_t from_ms = 0, to_ms = 0;
    std::int64_t receipts = 0, receipts_with_card = 0;
    std::int64_t revenue = 0, revenue_member = 0, revenue_non_member = 0;  // minor units
    std::int64_t points_issued = 0, points_redeemed = 0, points_expired = 0;
    std::int64_t liability_points = 0, liability = 0, deferred_revenue = 0;  // at the end
    std::int64_t members_enrolled = 0, members_active = 0;
    // Of the members active in the equal period before the bucket, those not in it.
    std::int64_t members_active_before = 0, members_churned = 0, churn_permille = 0;
    std::int64_t spin_prize_cost = 0, program_cost = 0;  // minor units
};

struct ReportTier {
    std::string id, name;
    std::int64_t members = 0;
};

struct ReportCohort {
    std::string month;  // "2026-03"
    std::int64_t members = 0;
    std::vector<std::int64_t> active;              // by month since enrolment
    std::vector<std::int64_t> retention_permille;  // active[k] / members
};

// IFRS 15's deferred revenue at the period's end and how it was found (reports13's contract).
struct DeferredRevenue {
    std::int64_t amount = 0;  // minor units
    std::string method;       // "relative_stand_alone_selling_price"
    std::int64_t point_value_minor = 0;
    std::int64_t expected_breakage_permille = 0;
    std::string breakage_basis;  // "trailing_12_months", "program_setting", "none_yet", …
    std::int64_t points_outstanding = 0;
    std::int64_t allocated_in_period = 0, recognised_in_period = 0;  // minor units
};

struct ReportSummary {
    std::string currency;
    std::int64_t point_value_minor = 0;
    std::int64_t receipts = 0, receipts_with_card = 0, card_share_permille = 0;
    std::int64_t revenue = 0, average_member = 0, average_non_member = 0;
    std::int64_t points_issued = 0, points_redeemed = 0, points_expired = 0, points_adjusted = 0;
    std::int64_t redemption_ratio_permille = 0, breakage_permille = 0;
    std::int64_t liability_points = 0, liability = 0;
    std::int64_t members_enrolled = 0, members_active = 0, active_permille = 0;
    std::int64_t members_active_before = 0, members_churned = 0, churn_permille = 0;
    std::vector<ReportTier> tiers;
    std::vector<ReportCohort> cohorts;
    std::int64_t spins = 0, spin_wins = 0, spin_prize_cost = 0;
    std::optional<std::int64_t> spin_budget, spin_budget_used_permille;  // none: unlimited
    std::int64_t program_cost_points = 0, program_cost_spins = 0, program_cost = 0;
    std::int64_t program_cost_share_permille = 0;
    std::optional<DeferredRevenue> deferred;  // none: the server does not report it
};

// A CSV the page should fetch (with the session) and save.
struct ReportDownload {
    std::string path;       // "/v1/admin/reports?from_ms=…&format=csv&table=tiers"
    std::string file_name;  // "kopilka-tiers-2026-11-01-2026-11-30.csv" (the server's wins)
};

struct ReportsState {
    bool opened = false;  // the section was shown once: a range is set
    ReportPreset preset = ReportPreset::last_30;
    ReportRange range;                          // the range shown (and asked for)
    std::string from_text, to_text;             // the range as typed, the last day included
    std::optional<ConsoleError> range_error;    // field "from" or "to"; codes in the catalogue
    std::optional<ReportBucket> bucket_chosen;  // none: automatic
    ReportBucket bucket = ReportBucket::day;    // the bucket asked for
    ConsoleBusy busy = ConsoleBusy::none;       // loading while either answer is awaited
    bool summary_loaded = false, series_loaded = false;
    std::optional<ConsoleError> error;         // the summary's refusal or a failure
    std::optional<ConsoleError> series_error;  // the series' (the summary may still show)
    ReportSummary summary;
    std::vector<ReportPoint> series;
    std::optional<ReportDownload> download;  // waiting for the page
};

class ReportsView {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    ReportsView(Call call, Common common, std::function<void()> changed);

    void reset();                                    // signed out: everything forgotten
    void open(std::int64_t now_ms, i18n::Locale l);  // first time: the last 30 days, asked
    void set_locale(i18n::Locale l);                 // the typed dates follow (unless wrong)
    void set_preset(ReportPreset p, std::int64_t now_ms, i18n::Locale l);
    std::string& from_text() { return state_.from_text; }  // typed into by the screen
    std::string& to_text() { return state_.to_text; }
    void apply_typed(i18n::Locale l);                // the typed dates checked, then asked for
    void set_bucket(std::optional<ReportBucket> b);  // none: automatic
    void reload();

    // The CSV of a table: "summary", "tiers", "cohorts" (GET /v1/admin/reports) or "series".
    ReportDownload csv(const std::string& table) const;
    void download(const std::string& table);
    std::optional<ReportDownload> take_download();

    const ReportsState& state() const { return state_; }

  private:
    void show(ReportRange r, i18n::Locale l);
    std::string range_query() const;

    Call call_;
    Common common_;
    std::function<void()> changed_;
    ReportsState state_;
    std::uint64_t asked_ = 0;  // bumped per request pair: older answers are dropped
};

}  // namespace kopilka::client

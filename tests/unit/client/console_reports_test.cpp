// The console's Reports section against a held network: the date range's presets and typed
// dates (checked before anything is asked), the bucket chosen from the range's length or by
// the person, the summary and the series read as the server writes them, answers for an old
// range dropped, the roles that see it, and the CSV download handed to the page.
#include "client/console_reports.hpp"

#include <doctest/doctest.h>

#include "client/console_flow.hpp"
#include "core/program/lifecycle.hpp"
#include "console_reports_fixtures.hpp"
#include "fakes.hpp"

using namespace kopilka;
using namespace kopilka::client;
using kopilka::client::fakes::HeldTransport;
using kopilka::client::fakes::MemoryStorage;
using kopilka::client::fixtures::kSeries;
using kopilka::client::fixtures::kSummary;

namespace {

std::int64_t day(int y, int m, int d) {
    return program::ms_of({y, m, d});
}

const std::int64_t kNow = day(2026, 12, 4) + 13 * 3600000;  // 4 Dec 2026, 13:00 UTC

struct Reports {
    HeldTransport net;
    MemoryStorage session_store, draft_store;
    ConsoleFlow flow{net, session_store, draft_store};

    explicit Reports(const char* role = "owner") {
        flow.start(kNow);
        flow.sign_in_form() = {"demo", "o@demo.example", "long password", false, {}, 0};
        flow.sign_in(kNow);
        net.answer(200, std::string(R"({"token":"kcs_r","user":{"id":"u","role":")") + role +
                            R"("},"merchant":{"code":"demo","name":"Demo","currency":"EUR"}})");
    }
    const ReportsState& st() const { return flow.reports().state(); }
    std::string path(std::size_t i) const { return net.pending.at(i).first.path; }
    // On the reports (the last 30 days), both answered.
    void open_answered() {
        net.pending.clear();
        flow.open_section(ConsoleSection::reports);
        answer_both();
    }
    // Answers the summary and the series asked for last.
    void answer_both(const char* summary = kSummary, const char* series = kSeries) {
        REQUIRE(net.pending.size() == 2);
        net.answer(200, summary);
        net.answer(200, series);
    }
};

std::string range(std::int64_t from, std::int64_t to) {
    return "from_ms=" + std::to_string(from) + "&to_ms=" + std::to_string(to);
}

}  // namespace

TEST_CASE("console reports: presets are whole UTC days up to today, buckets follow the length") {
    const std::int64_t tomorrow = day(2026, 12, 5);
    CHECK(preset_range(ReportPreset::last_7, kNow).from_ms == day(2026, 11, 28));
    CHECK(preset_range(ReportPreset::last_7, kNow).to_ms == tomorrow);
    CHECK(preset_range(ReportPreset::last_30, kNow).from_ms == day(2026, 11, 5));
    CHECK(preset_range(ReportPreset::last_90, kNow).from_ms == day(2026, 9, 6));
    CHECK(preset_range(ReportPreset::this_month, kNow).from_ms == day(2026, 12, 1));
    CHECK(preset_range(ReportPreset::last_month, kNow).from_ms == day(2026, 11, 1));
    CHECK(preset_range(ReportPreset::last_month, kNow).to_ms == day(2026, 12, 1));
    CHECK(preset_range(ReportPreset::this_year, kNow).from_ms == day(2026, 1, 1));
    // January: last month is December of the year before.
    CHECK(preset_range(ReportPreset::last_month, day(2027, 1, 9)).from_ms == day(2026, 12, 1));

    CHECK(automatic_bucket({day(2026, 1, 1), day(2026, 3, 4)}) == ReportBucket::day);   // 62
    CHECK(automatic_bucket({day(2026, 1, 1), day(2026, 3, 5)}) == ReportBucket::week);  // 63
    CHECK(automatic_bucket({day(2025, 1, 1), day(2026, 1, 2)}) == ReportBucket::week);  // 366
    CHECK(automatic_bucket({day(2025, 1, 1), day(2026, 1, 3)}) == ReportBucket::month);
}

TEST_CASE("console reports: dates are read as merchants type them, impossible days refused") {
    CHECK(parse_report_date("2026-11-23") == day(2026, 11, 23));
    CHECK(parse_report_date(" 23.11.2026 ") == day(2026, 11, 23));
    CHECK(parse_report_date("3.2.2026") == day(2026, 2, 3));
    CHECK(parse_report_date("23/11/2026") == day(2026, 11, 23));
    CHECK(parse_report_date("23 Nov 2026") == day(2026, 11, 23));
    CHECK(parse_report_date("23 november 2026") == day(2026, 11, 23));
    CHECK_FALSE(parse_report_date("31.02.2026"));
    CHECK_FALSE(parse_report_date("2026-13-01"));
    CHECK_FALSE(parse_report_date("23 Foo 2026"));
    CHECK_FALSE(parse_report_date("23.11.26"));
    CHECK_FALSE(parse_report_date("yesterday"));
    CHECK_FALSE(parse_report_date(""));
    CHECK_FALSE(parse_report_date("01.01.1969"));
}

TEST_CASE("console reports: a viewer lands on reports, support never sees them") {
    CHECK(section_visible(StaffRole::viewer, ConsoleSection::reports));
    CHECK(section_visible(StaffRole::owner, ConsoleSection::reports));
    CHECK(section_visible(StaffRole::manager, ConsoleSection::reports));
    CHECK_FALSE(section_visible(StaffRole::support, ConsoleSection::reports));

    Reports viewer("viewer");
    CHECK(viewer.flow.state().section == ConsoleSection::reports);
    REQUIRE(viewer.net.pending.size() == 2);
    CHECK(viewer.path(0) == "/v1/admin/reports?" + range(day(2026, 11, 5), day(2026, 12, 5)));
    CHECK(viewer.path(1) ==
          "/v1/admin/reports/series?" + range(day(2026, 11, 5), day(2026, 12, 5)) + "&bucket=day");
    CHECK(viewer.net.pending.at(0).first.credential.secret == "kcs_r");

    Reports support("support");
    CHECK(support.flow.state().section == ConsoleSection::overview);
    support.flow.open_section(ConsoleSection::reports);
    CHECK(support.flow.state().section == ConsoleSection::overview);
    CHECK(support.net.pending.empty());
}

TEST_CASE("console reports: the summary and the series are read as the server writes them") {
    Reports r;
    r.net.pending.clear();
    r.flow.open_section(ConsoleSection::reports);
    CHECK(r.st().busy == ConsoleBusy::loading);
    CHECK(r.st().from_text == "5 Nov 2026");  // the last day included, in the locale
    CHECK(r.st().to_text == "4 Dec 2026");
    r.answer_both();
    CHECK(r.st().busy == ConsoleBusy::none);
    const ReportSummary& s = r.st().summary;
    REQUIRE(r.st().summary_loaded);
    CHECK(s.currency == "EUR");
    CHECK(s.card_share_permille == 400);
    CHECK(s.average_non_member == 11666);
    CHECK(s.points_adjusted == -5);
    CHECK(s.redemption_ratio_permille == 333);
    CHECK(s.liability_points == 505);
    CHECK(s.members_churned == 1);
    REQUIRE(s.tiers.size() == 2);
    CHECK(s.tiers[1].name == "Gold");
    REQUIRE(s.cohorts.size() == 1);
    CHECK(s.cohorts[0].retention_permille == std::vector<std::int64_t>{1000, 500, 250});
    CHECK_FALSE(s.spin_budget);  // null: unlimited
    CHECK(s.program_cost == 1100);
    REQUIRE(s.deferred);
    CHECK(s.deferred->amount == 480);
    CHECK(s.deferred->breakage_basis == "trailing_12_months");
    CHECK(s.deferred->recognised_in_period == 390);
    REQUIRE(r.st().series_loaded);
    REQUIRE(r.st().series.size() == 2);
    CHECK(r.st().bucket == ReportBucket::week);  // what the server says it used
    CHECK(r.st().series[0].deferred_revenue == 30);
    CHECK(r.st().series[0].members_churned == 2);
    CHECK(r.st().series[0].churn_permille == 500);
    CHECK(r.st().series[1].receipts == 4);
    CHECK(r.st().series[1].revenue == 0);  // absent: 0

    // Opening the section again asks nothing; a locale change rewrites the dates.
    r.flow.open_section(ConsoleSection::overview);
    r.flow.open_section(ConsoleSection::reports);
    CHECK(r.net.pending.empty());
    r.flow.set_locale(i18n::Locale::de);
    CHECK(r.st().from_text == "05.11.2026");
}

TEST_CASE("console reports: a preset or a bucket asks again; an older answer is dropped") {
    Reports r;
    r.net.pending.clear();
    r.flow.open_section(ConsoleSection::reports);
    r.flow.reports().set_preset(ReportPreset::this_year, kNow, i18n::Locale::en);
    REQUIRE(r.net.pending.size() == 4);
    // The last 30 days' answers come late: nothing of them shows.
    r.net.answer(200, kSummary);
    r.net.answer(200, kSeries);
    CHECK_FALSE(r.st().summary_loaded);
    CHECK(r.st().busy == ConsoleBusy::loading);
    CHECK(r.path(0) == "/v1/admin/reports?" + range(day(2026, 1, 1), day(2026, 12, 5)));
    CHECK(r.path(1).find("&bucket=week") != std::string::npos);  // 338 days
    r.answer_both();
    CHECK(r.st().summary_loaded);
    CHECK(r.st().preset == ReportPreset::this_year);

    r.flow.reports().set_bucket(ReportBucket::month);
    REQUIRE(r.net.pending.size() == 2);
    CHECK(r.path(1).find("&bucket=month") != std::string::npos);
    r.answer_both(kSummary, R"({"bucket":"month","points":[]})");
    CHECK(r.st().bucket == ReportBucket::month);
    CHECK(r.st().bucket_chosen == ReportBucket::month);
    // Chosen stays chosen across ranges; automatic follows the range again.
    r.flow.reports().set_preset(ReportPreset::last_7, kNow, i18n::Locale::en);
    CHECK(r.path(1).find("&bucket=month") != std::string::npos);
    r.answer_both();
    r.flow.reports().set_bucket(std::nullopt);
    REQUIRE(r.net.pending.size() == 2);
    CHECK(r.path(1).find("&bucket=day") != std::string::npos);
}

TEST_CASE("console reports: typed dates are checked before anything is asked") {
    Reports r;
    r.open_answered();
    ReportsView& v = r.flow.reports();

    v.from_text() = "31.02.2026";
    v.apply_typed(i18n::Locale::de);
    REQUIRE(r.st().range_error);
    CHECK(r.st().range_error->field == "from");
    CHECK(r.st().range_error->code == "date_invalid");
    CHECK(r.net.pending.empty());

    v.from_text() = "10.11.2026";
    v.to_text() = "01.11.2026";
    v.apply_typed(i18n::Locale::de);
    REQUIRE(r.st().range_error);
    CHECK(r.st().range_error->code == "range_order");
    CHECK(r.st().range_error->field == "to");
    r.flow.set_locale(i18n::Locale::en);  // a wrong range keeps what was typed
    CHECK(r.st().to_text == "01.11.2026");

    v.from_text() = "2020-01-01";
    v.to_text() = "2026-11-01";
    v.apply_typed(i18n::Locale::de);
    REQUIRE(r.st().range_error);
    CHECK(r.st().range_error->code == "range_too_long");
    CHECK(r.net.pending.empty());

    v.from_text() = "1.11.2026";
    v.to_text() = "2026-11-30";  // the last day included
    v.apply_typed(i18n::Locale::de);
    CHECK_FALSE(r.st().range_error);
    CHECK(r.st().preset == ReportPreset::custom);
    CHECK(r.st().from_text == "01.11.2026");
    CHECK(r.st().to_text == "30.11.2026");
    REQUIRE(r.net.pending.size() == 2);
    CHECK(r.path(0) == "/v1/admin/reports?" + range(day(2026, 11, 1), day(2026, 12, 1)));
}

TEST_CASE("console reports: refusals keep what was shown; a missing series leaves the summary") {
    Reports r;
    r.net.pending.clear();
    r.flow.open_section(ConsoleSection::reports);
    r.net.answer(200, kSummary);
    r.net.answer(404, R"({"error":{"code":"not_found","message":"no such route"}})");
    CHECK(r.st().summary_loaded);
    CHECK_FALSE(r.st().series_loaded);
    REQUIRE(r.st().series_error);
    CHECK(r.st().series_error->code == "not_found");
    CHECK(r.st().busy == ConsoleBusy::none);

    r.flow.reports().reload();
    r.net.answer(400, R"({"error":{"code":"out_of_range","message":"at most","field":"from_ms"}})");
    r.net.drop();
    REQUIRE(r.st().error);
    CHECK(r.st().error->field == "from_ms");
    CHECK(r.st().series_error->code == "offline");
    CHECK(r.st().summary.revenue == 150000);  // the last answer stays on screen

    r.flow.reports().reload();
    r.net.answer(401, R"({"error":{"code":"session_expired"}})");
    CHECK_FALSE(r.flow.state().signed_in);
    CHECK_FALSE(r.st().opened);  // signed out: forgotten
}

TEST_CASE("console reports: each report's CSV is handed to the page once") {
    Reports r;
    r.open_answered();
    ReportsView& v = r.flow.reports();
    CHECK_FALSE(v.take_download());
    v.download("tiers");
    auto d = v.take_download();
    REQUIRE(d);
    CHECK(d->path == "/v1/admin/reports?" + range(day(2026, 11, 5), day(2026, 12, 5)) +
                         "&format=csv&table=tiers");
    CHECK(d->file_name == "kopilka-tiers-2026-11-05-2026-12-04.csv");
    CHECK_FALSE(v.take_download());
    v.download("series");
    d = v.take_download();
    REQUIRE(d);
    CHECK(d->path == "/v1/admin/reports/series?" + range(day(2026, 11, 5), day(2026, 12, 5)) +
                         "&bucket=week&format=csv");
    CHECK(r.net.pending.empty());  // the page fetches it, not the flow
}

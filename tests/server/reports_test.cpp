// The reports API against a real kopilka-server on SQLite and PostgreSQL: every figure of a
// small data set worked out by hand (in the comments), the series by week, the CSV of each
// table (header, quoting, the formula guard), bad parameters and roles; and on a random data
// set (receipts, returns, redemptions, expiries) the answers equal shared/core's
// compute_report over the raw rows, before and after more writes; the cohorts' roll-up by
// member and month (migration 12) equals the receipts' months, also after an enrolment,
// receipts and a return at the till, an erase and an import through the API, and after the
// migration fills it from the receipts stored before.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "core/ledger/entry.hpp"
#include "core/program/lifecycle.hpp"
#include "core/reports/reports.hpp"
#include "core/time.hpp"
#include "console_helpers.hpp"
#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;
namespace reports = kopilka::reports;
using kopilka::ledger::Reason;

namespace {
constexpr std::int64_t kDay = kopilka::day_ms;

std::int64_t midnight(int year, int month, int day) {
    return kopilka::program::ms_of({year, month, day});
}
std::int64_t noon(int month, int day) { return midnight(2024, month, day) + kDay / 2; }

// A database of either kind that the test writes rows into directly, as the server would.
struct Target {
    std::string db;  // SQLite path or PostgreSQL URL
    bool pg = false;

    void exec(const std::vector<std::string>& statements) const {
        if (pg) {
            pqxx::connection c(db);
            pqxx::work w(c);
            for (const std::string& s : statements) w.exec(s);
            w.commit();
            return;
        }
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
        sqlite3_busy_timeout(h, 10000);
        std::string all = "BEGIN IMMEDIATE;";
        for (const std::string& s : statements) all += s + ";";
        all += "COMMIT;";
        char* err = nullptr;
        const int rc = sqlite3_exec(h, all.c_str(), nullptr, nullptr, &err);
        const std::string why = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(h);
        REQUIRE_MESSAGE(rc == SQLITE_OK, why);
    }

    // Every row as text.
    std::vector<std::vector<std::string>> rows(const std::string& sql) const {
        std::vector<std::vector<std::string>> out;
        if (pg) {
            pqxx::connection c(db);
            pqxx::work w(c);
            for (const auto& r : w.exec(sql)) {
                std::vector<std::string> row;
                for (const auto& f : r) row.push_back(f.is_null() ? "" : f.c_str());
                out.push_back(row);
            }
            return out;
        }
        sqlite3* h = nullptr;
        REQUIRE(sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
        sqlite3_busy_timeout(h, 10000);
        sqlite3_stmt* st = nullptr;
        REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW) {
            std::vector<std::string> row;
            for (int i = 0; i < sqlite3_column_count(st); ++i) {
                const auto* t = sqlite3_column_text(st, i);
                row.push_back(t ? reinterpret_cast<const char*>(t) : "");
            }
            out.push_back(row);
        }
        sqlite3_finalize(st);
        sqlite3_close(h);
        return out;
    }
};

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The rows as the server stores them for merchant "demo"; ids start at `first`.
std::vector<std::string> inserts(const reports::Rows& rows, int first) {
    std::vector<std::string> out;
    int n = first;
    for (const auto& m : rows.members)
        out.push_back("INSERT INTO members (merchant_id, member_id, display_name, created_at_ms) "
                      "VALUES ('demo', " + quoted(m.member_id) + ", 'Report test', " +
                      std::to_string(m.created_at_ms) + ")");
    for (const auto& r : rows.receipts) {
        const std::string id = "rt-" + std::to_string(++n);
        out.push_back("INSERT INTO receipts (merchant_id, receipt_id, member_id, op_id, at_ms, "
                      "paid, tier_qualifying, receipt, quote, returned) VALUES ('demo', " +
                      quoted(id) + ", " + quoted(r.member_id) + ", " + quoted(id) + ", " +
                      std::to_string(r.at_ms) + ", " + std::to_string(r.paid) +
                      ", 0, '{}', '{}', '[]')");
    }
    for (const auto& e : rows.entries) {
        const std::string id = "rt-e-" + std::to_string(++n);
        out.push_back("INSERT INTO member_entries (merchant_id, member_id, seq, entry_id, reason, "
                      "at_ms, member_delta, body) VALUES ('demo', " + quoted(e.member_id) +
                      ", " + std::to_string(1000000 + n) + ", " + quoted(id) + ", " +
                      quoted(std::string(kopilka::ledger::reason_name(e.reason))) + ", " +
                      std::to_string(e.at_ms) + ", " + std::to_string(e.member_delta) + ", '{}')");
    }
    for (const auto& s : rows.spins) {
        const std::string id = "rt-s-" + std::to_string(++n);
        out.push_back("INSERT INTO spins (merchant_id, op_id, member_id, wheel_id, prize_id, seed, "
                      "cost, at_ms) VALUES ('demo', " + quoted(id) + ", '', 'rt-wheel', " +
                      quoted(s.prize_id) + ", '', " + std::to_string(s.cost) + ", " +
                      std::to_string(s.at_ms) + ")");
    }
    return out;
}

// The small data set of the hand computations (2024, noon UTC): a and d enrolled before
// March, b and c in it.
reports::Rows hand_rows() {
    reports::Rows r;
    r.members = {{"r-a", noon(1, 15)}, {"r-b", noon(3, 5)}, {"r-c", noon(3, 20)},
                 {"r-d", noon(2, 10)}};
    r.receipts = {
        {"r-a", noon(2, 10), 10000}, {"r-d", noon(2, 20), 30000},  // the 29 days before March
        {"r-a", noon(3, 2), 20000},  {"r-a", noon(3, 10), 40000}, {"r-b", noon(3, 6), 10000},
        {"", noon(3, 7), 5000},      {"", noon(3, 8), 15000},     {"r-c", noon(3, 21), 30000},
        {"r-b", noon(4, 2), 7000},  // after
    };
    r.entries = {
        {"r-a", Reason::earn, noon(2, 10), 200},     {"r-d", Reason::earn, noon(2, 20), 1300},
        {"r-d", Reason::redeem, noon(2, 25), -100},  {"r-a", Reason::earn, noon(3, 2), 100},
        {"r-a", Reason::bonus, noon(3, 3), 50},      {"r-a", Reason::earn, noon(3, 10), 200},
        {"r-b", Reason::earn, noon(3, 6), 50},       {"r-c", Reason::earn, noon(3, 21), 150},
        {"r-a", Reason::redeem, noon(3, 10), -120},  {"r-a", Reason::reserve, noon(3, 12), -30},
        {"r-a", Reason::release, noon(3, 13), 10},   {"r-a", Reason::refund, noon(3, 15), 20},
        {"r-c", Reason::clawback, noon(3, 22), -50}, {"r-d", Reason::expire, noon(3, 25), -40},
        {"r-b", Reason::adjust, noon(3, 26), 5},     {"r-a", Reason::earn, noon(4, 5), 999},
    };
    r.spins = {{"rt-prize", noon(3, 5), 900}};
    return r;
}

struct Server {
    std::unique_ptr<ServerProcess> process;
    Target target;
    std::string admin;
};

struct Got {
    int status = 0;
    Json body;
    std::string text, type, disposition;
};

Got get(const Server& s, const std::string& path, const std::string& key = "") {
    auto c = s.process->client();
    c->set_read_timeout(30, 0);
    const auto res = c->Get(path.c_str(), bearer(key.empty() ? s.admin : key));
    REQUIRE(res);
    Got g{res->status, Json::parse(res->body, nullptr, false), res->body,
          res->get_header_value("Content-Type"), res->get_header_value("Content-Disposition")};
    if (g.status >= 400) CHECK_MESSAGE(error_shape_problem(g.body) == "", res->body);
    return g;
}

std::string range(std::int64_t from, std::int64_t to) {
    return "from_ms=" + std::to_string(from) + "&to_ms=" + std::to_string(to);
}

const std::int64_t kMarch = midnight(2024, 3, 1), kApril = midnight(2024, 4, 1);

// Every figure of March 2024 (31 days; the period before: 29 January to 1 March).
void check_hand_report(const Server& s) {
    const Got g = get(s, "/v1/admin/reports?" + range(kMarch, kApril));
    REQUIRE_MESSAGE(g.status == 200, g.text);
    const Json& r = g.body;
    // Receipts in March: 20 000 + 40 000 + 10 000 + 30 000 with a card, 5 000 + 15 000
    // without: 6, 4 with a card (666 ‰), revenue 120 000; averages 100 000 / 4 and 20 000 / 2.
    CHECK(r["receipts"]["count"] == 6);
    CHECK(r["receipts"]["with_card"] == 4);
    CHECK(r["receipts"]["card_share_permille"] == 666);
    CHECK(r["receipts"]["revenue_minor"] == 120000);
    CHECK(r["receipts"]["average_member_minor"] == 25000);
    CHECK(r["receipts"]["average_non_member_minor"] == 10000);
    // Issued 100 + 50 + 200 + 50 + 150 − 50 = 500; redeemed 120 + 30 − 10 − 20 = 120 (240 ‰);
    // expired 40 (80 ‰); adjusted 5.
    CHECK(r["points"]["issued_points"] == 500);
    CHECK(r["points"]["redeemed_points"] == 120);
    CHECK(r["points"]["expired_points"] == 40);
    CHECK(r["points"]["adjusted_points"] == 5);
    CHECK(r["points"]["redemption_ratio_permille"] == 240);
    CHECK(r["points"]["breakage_permille"] == 80);
    // Liability on 1 April: February 200 + 1 300 − 100 = 1 400, March's entries add 345.
    // The demo program: 1 point = 100 minor units.
    CHECK(r["liability"]["points"] == 1745);
    CHECK(r["liability"]["minor"] == 174500);
    // a, b, c, d enrolled; a, b, c active (750 ‰), 4 card receipts / 3 = 1.333; a and d active
    // before, d churned (500 ‰).
    CHECK(r["members"]["enrolled"] == 4);
    CHECK(r["members"]["active"] == 3);
    CHECK(r["members"]["active_permille"] == 750);
    CHECK(r["members"]["receipts_per_active_member_x1000"] == 1333);
    CHECK(r["members"]["active_before"] == 2);
    CHECK(r["members"]["churned"] == 1);
    CHECK(r["members"]["churn_permille"] == 500);
    // Tiers by earn + clawback over the 365 days before 1 April (demo: silver from 1 000,
    // gold from 5 000): a 500, b 50, c 100 are base, d 1 300 is silver.
    REQUIRE(r["tiers"].size() == 3);
    CHECK(r["tiers"][0]["members"] == 3);
    CHECK(r["tiers"][1]["members"] == 1);
    CHECK(r["tiers"][2]["members"] == 0);
    // One cohort: b and c enrolled in March and both bought in it.
    REQUIRE(r["cohorts"].size() == 1);
    CHECK(r["cohorts"][0]["month"] == "2024-03");
    CHECK(r["cohorts"][0]["members"] == 2);
    CHECK(r["cohorts"][0]["active"] == Json::array({2}));
    CHECK(r["cohorts"][0]["retention_permille"] == Json::array({1000}));
    // One spin, a prize of 900; cost 120 points × 100 + 900 = 12 900, 107 ‰ of 120 000.
    CHECK(r["spins"]["count"] == 1);
    CHECK(r["spins"]["prize_cost_minor"] == 900);
    CHECK(r["program_cost"]["points_minor"] == 12000);
    CHECK(r["program_cost"]["total_minor"] == 12900);
    CHECK(r["program_cost"]["share_of_revenue_permille"] == 107);
    // Deferred revenue. Expected breakage over the year before 1 April: 40 expired of
    // 1 500 + 500 issued = 20 ‰. By day, SSP = issued × 100 × 980 / 1000 and the allocation
    // paid × SSP / (paid + SSP):
    //   10 Feb 10 000 × 19 600 / 29 600 = 6 621     20 Feb 30 000 × 127 400 / 157 400 = 24 282
    //    2 Mar 20 000 ×  9 800 / 29 800 = 6 577      6 Mar 10 000 ×   4 900 /  14 900 =  3 288
    //   10 Mar 40 000 × 19 600 / 59 600 = 13 154    21 Mar 30 000 ×  14 700 /  44 700 =  9 865
    //   (3 Mar: a bonus without a sale, 22 Mar: a clawback: nothing allocated)
    // A(1 Mar) = 30 903, A(1 Apr) = 63 787: 32 884 allocated in March.
    // D(1 Mar): issued 1 500, redeemed 100, liability 1 400: left = min(1 400 000,
    //   1 500 × 980 − 100 000 = 1 370 000); 30 903 × 1 370 000 / 1 470 000 = 28 800.
    // D(1 Apr): issued 2 000, redeemed 220, liability 1 745: left = min(1 745 000,
    //   1 960 000 − 220 000 = 1 740 000); 63 787 × 1 740 000 / 1 960 000 = 56 627.
    // Recognised: 28 800 + 32 884 − 56 627 = 5 057.
    const Json& d = r["deferred_revenue"];
    CHECK(d["method"] == "relative_stand_alone_selling_price");
    CHECK(d["point_value_minor"] == 100);
    CHECK(d["expected_breakage_permille"] == 20);
    CHECK(d["breakage_basis"] == "trailing_12_months");
    CHECK(d["points_outstanding"] == 1745);
    CHECK(d["amount"] == 56627);
    CHECK(d["allocated_in_period"] == 32884);
    CHECK(d["recognised_in_period"] == 5057);

    // 1 January to 10 April: cohorts of January (a: bought in February and March), February
    // (d: in February only) and March (b: March and April; c: March).
    const Got c = get(s, "/v1/admin/reports?" + range(midnight(2024, 1, 1), midnight(2024, 4, 10)));
    REQUIRE(c.status == 200);
    REQUIRE(c.body["cohorts"].size() == 3);
    CHECK(c.body["cohorts"][0]["active"] == Json::array({0, 1, 1, 0}));
    CHECK(c.body["cohorts"][1]["active"] == Json::array({1, 0, 0}));
    CHECK(c.body["cohorts"][2]["active"] == Json::array({2, 1}));
    CHECK(c.body["cohorts"][2]["retention_permille"] == Json::array({1000, 500}));

    // Before any points: nothing to base the breakage on.
    const Got early = get(s, "/v1/admin/reports?" + range(midnight(2024, 1, 1),
                                                           midnight(2024, 2, 1)));
    CHECK(early.body["deferred_revenue"]["breakage_basis"] == "none_yet");
    CHECK(early.body["deferred_revenue"]["amount"] == 0);
}

// March 2024 by week: 1 March is a Friday, so the first week is clipped to 1-4 March.
void check_hand_series(const Server& s) {
    const Got g = get(s, "/v1/admin/reports/series?" + range(kMarch, kApril) + "&bucket=week");
    REQUIRE_MESSAGE(g.status == 200, g.text);
    const Json& j = g.body;
    CHECK(j["bucket"] == "week");
    CHECK(j["currency"] == "RUB");
    CHECK(j["point_value_minor"] == 100);
    const Json& p = j["points"];
    REQUIRE(p.size() == 5);
    const std::int64_t starts[] = {kMarch, midnight(2024, 3, 4), midnight(2024, 3, 11),
                                   midnight(2024, 3, 18), midnight(2024, 3, 25)};
    for (int i = 0; i < 5; ++i) {
        CHECK(p[i]["from_ms"] == starts[i]);
        CHECK(p[i]["to_ms"] == (i == 4 ? kApril : starts[i + 1]));
    }
    // 4-11 March: receipts of 6 (b), 7, 8 and 10 (a) March: 4, 2 with a card; revenue
    // 70 000 = 50 000 + 20 000; issued 50 + 200, redeemed 120; a and b active; a, d, b
    // enrolled by 11 March; liability 1 400 + 100 + 50 + 50 + 200 − 120 = 1 680.
    CHECK(p[1]["receipts"] == 4);
    CHECK(p[1]["receipts_with_card"] == 2);
    CHECK(p[1]["revenue"] == 70000);
    CHECK(p[1]["revenue_member"] == 50000);
    CHECK(p[1]["revenue_non_member"] == 20000);
    CHECK(p[1]["points_issued"] == 250);
    CHECK(p[1]["points_redeemed"] == 120);
    CHECK(p[1]["points_expired"] == 0);
    CHECK(p[1]["members_active"] == 2);
    CHECK(p[1]["members_enrolled"] == 3);
    CHECK(p[1]["liability_points"] == 1680);
    CHECK(p[1]["liability"] == 168000);
    // Churn by week, each week against the equal period before it (for the clipped first week,
    // 27-29 February): a bought on 2 March, a and b in 4-11 March, nobody in 11-18, c on 21.
    const std::int64_t before[] = {0, 1, 2, 0, 1}, churned[] = {0, 0, 2, 0, 1};
    const std::int64_t churn[] = {0, 0, 1000, 0, 1000};
    for (int i = 0; i < 5; ++i) {
        INFO("week " << i);
        CHECK(p[i]["members_active_before"] == before[i]);
        CHECK(p[i]["members_churned"] == churned[i]);
        CHECK(p[i]["churn_permille"] == churn[i]);
    }
    // The spin of 5 March (900): 120 × 100 + 900.
    CHECK(p[1]["spin_prize_cost"] == 900);
    CHECK(p[1]["program_cost"] == 12900);
    // 1-4 March: 2 March's receipt; liability 1 400 + 100 + 50.
    CHECK(p[0]["spin_prize_cost"] == 0);
    CHECK(p[0]["liability_points"] == 1550);
    // Deferred revenue at 4 March (b = 20 ‰ as of 1 April): A = 30 903 + 6 577 = 37 480;
    // issued 1 650, redeemed 100, liability 1 550: left = min(1 550 000, 1 617 000 − 100 000);
    // 37 480 × 1 517 000 / 1 617 000 = 35 162. The last bucket ends where the report does.
    CHECK(p[0]["deferred_revenue"] == 35162);
    CHECK(p[4]["deferred_revenue"] == 56627);
    CHECK(p[4]["points_expired"] == 40);
    CHECK(p[4]["liability_points"] == 1745);

    // The default bucket: days up to 62 days, weeks up to 366, months beyond.
    CHECK(get(s, "/v1/admin/reports/series?" + range(kMarch, kApril)).body["points"].size() == 31);
    const Got year = get(s, "/v1/admin/reports/series?" +
                                range(midnight(2024, 1, 1), midnight(2024, 12, 31)));
    CHECK(year.body["bucket"] == "week");
    CHECK(year.body["points"].size() == 53);  // 1 January 2024 was a Monday
    const Got two = get(s, "/v1/admin/reports/series?" +
                               range(midnight(2023, 1, 1), midnight(2024, 12, 31)));
    CHECK(two.body["bucket"] == "month");
    CHECK(two.body["points"].size() == 24);
}

std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
    std::vector<std::vector<std::string>> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        REQUIRE(!line.empty());
        CHECK(line.back() == '\r');
        line.pop_back();
        std::vector<std::string> cells;
        std::string cell;
        std::istringstream l(line);
        while (std::getline(l, cell, ',')) cells.push_back(cell);
        out.push_back(cells);
    }
    return out;
}

void check_csv(const Server& s) {
    Got g = get(s, "/v1/admin/reports?" + range(kMarch, kApril) + "&format=csv");
    REQUIRE_MESSAGE(g.status == 200, g.text);
    CHECK(g.type == "text/csv; charset=utf-8");
    CHECK(g.disposition ==
          "attachment; filename=\"kopilka-report-summary-2024-03-01-2024-03-31.csv\"");
    auto rows = csv_rows(g.text);
    REQUIRE(rows.size() > 30);
    CHECK(rows[0] == std::vector<std::string>{"name", "value"});
    const auto value = [&rows](const std::string& name) {
        for (const auto& r : rows)
            if (r[0] == name) return r.size() > 1 ? r[1] : std::string();
        FAIL("no row " << name);
        return std::string();
    };
    CHECK(value("receipts.count") == "6");
    CHECK(value("liability.points") == "1745");
    CHECK(value("deferred_revenue.amount") == "56627");
    CHECK(value("deferred_revenue.breakage_basis") == "trailing_12_months");
    CHECK(value("currency") == "RUB");

    g = get(s, "/v1/admin/reports?" + range(kMarch, kApril) + "&format=csv&table=tiers");
    REQUIRE(g.status == 200);
    CHECK(g.disposition ==
          "attachment; filename=\"kopilka-report-tiers-2024-03-01-2024-03-31.csv\"");
    rows = csv_rows(g.text);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::vector<std::string>{"id", "name", "members"});
    CHECK(rows[1] == std::vector<std::string>{"base", "Base", "3"});
    CHECK(rows[2] == std::vector<std::string>{"silver", "Silver", "1"});

    g = get(s, "/v1/admin/reports?" + range(midnight(2024, 1, 1), midnight(2024, 4, 10)) +
                   "&format=csv&table=cohorts");
    REQUIRE(g.status == 200);
    rows = csv_rows(g.text);
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::vector<std::string>{
                         "month", "members", "active_m0", "active_m1", "active_m2", "active_m3",
                         "retention_permille_m0", "retention_permille_m1",
                         "retention_permille_m2", "retention_permille_m3"});
    CHECK(rows[1] == std::vector<std::string>{"2024-01", "1", "0", "1", "1", "0", "0", "1000",
                                              "1000", "0"});
    // A shorter cohort leaves its later months empty.
    CHECK(g.text.find("\r\n2024-03,2,2,1,,,1000,500,,\r\n") != std::string::npos);

    g = get(s, "/v1/admin/reports/series?" + range(kMarch, kApril) + "&bucket=week&format=csv");
    REQUIRE(g.status == 200);
    CHECK(g.type == "text/csv; charset=utf-8");
    CHECK(g.disposition ==
          "attachment; filename=\"kopilka-series-week-2024-03-01-2024-03-31.csv\"");
    rows = csv_rows(g.text);
    REQUIRE(rows.size() == 6);
    CHECK(rows[0][0] == "from");
    CHECK(rows[0][1] == "to");
    CHECK(std::find(rows[0].begin(), rows[0].end(), "deferred_revenue") != rows[0].end());
    CHECK(rows[2][0] == "2024-03-04");
    CHECK(rows[2][1] == "2024-03-10");
}

void check_bad_parameters(const Server& s) {
    const std::pair<std::string, std::string> bad[] = {
        {"/v1/admin/reports?from_ms=x", "from_ms"},
        {"/v1/admin/reports?to_ms=-5", "to_ms"},
        {"/v1/admin/reports?" + range(kApril, kMarch), "from_ms"},
        {"/v1/admin/reports?" + range(0, 2000 * kDay), "from_ms"},
        {"/v1/admin/reports?format=xml", "format"},
        {"/v1/admin/reports?format=csv&table=people", "table"},
        {"/v1/admin/reports/series?bucket=hour", "bucket"},
        {"/v1/admin/reports/series?format=pdf", "format"},
        {"/v1/admin/reports/series?" + range(kApril, kApril), "from_ms"},
    };
    for (const auto& [path, field] : bad) {
        INFO(path);
        const Got g = get(s, path);
        CHECK(g.status == 400);
        CHECK(g.body["error"]["field"] == field);
    }
}

void check_roles(const Server& s, const std::string& db) {
    const std::string till = api_key(db, "till");
    for (const char* path : {"/v1/admin/reports", "/v1/admin/reports/series",
                             "/v1/admin/reports?format=csv"}) {
        INFO(path);
        CHECK(get(s, path, till).status == 403);
        CHECK(get(s, path, "kpk_admin_AAAAAAAA_" + std::string(32, '0')).status == 401);
    }
}

// A year of random activity for 40 members in 2025: receipts with and without a card,
// points earned on them, returns (clawbacks), redemptions, coupons, expiries, adjustments.
reports::Rows random_rows(std::uint32_t seed, const std::string& prefix, std::int64_t from,
                          std::int64_t to) {
    std::mt19937 rng(seed);
    const auto pick = [&rng](std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
    };
    reports::Rows r;
    for (int m = 0; m < 40; ++m)
        r.members.push_back({prefix + std::to_string(m), pick(from - 60 * kDay, to)});
    for (int i = 0; i < 400; ++i) {
        const auto& m = r.members[static_cast<std::size_t>(pick(0, 39))];
        const bool card = pick(0, 3) != 0;
        const std::int64_t at = pick(card ? m.created_at_ms : from, to + 30 * kDay);
        const std::int64_t paid = pick(100, 90000);
        r.receipts.push_back({card ? m.member_id : "", at, paid});
        if (!card) continue;
        r.entries.push_back({m.member_id, Reason::earn, at, paid / 100});
        switch (pick(0, 5)) {
            case 0: r.entries.push_back({m.member_id, Reason::clawback, at + pick(0, 9) * kDay,
                                         -(paid / 200)}); break;
            case 1: r.entries.push_back({m.member_id, Reason::redeem, at, -pick(1, 50)}); break;
            case 2:
                r.entries.push_back({m.member_id, Reason::reserve, at, -30});
                r.entries.push_back({m.member_id, Reason::release, at + kDay, 30});
                break;
            case 3: r.entries.push_back({m.member_id, Reason::expire, at + 90 * kDay,
                                         -pick(1, paid / 100 + 1)}); break;
            case 4: r.entries.push_back({m.member_id, Reason::adjust, at, pick(-20, 20)}); break;
            default: r.entries.push_back({m.member_id, Reason::bonus, at, 25}); break;
        }
    }
    for (int i = 0; i < 30; ++i)
        r.spins.push_back({pick(0, 2) ? "rt-prize" : "", pick(from, to), pick(0, 1) * 500});
    return r;
}

// The demo merchant's rows as stored, for shared/core's computation.
reports::Rows stored_rows(const Target& t) {
    reports::Rows out;
    for (const auto& r : t.rows("SELECT member_id, at_ms, paid FROM receipts WHERE merchant_id = "
                                "'demo'"))
        out.receipts.push_back({r[0], std::stoll(r[1]), std::stoll(r[2])});
    for (const auto& r : t.rows("SELECT member_id, reason, at_ms, member_delta FROM "
                                "member_entries WHERE merchant_id = 'demo'")) {
        Reason reason = Reason::earn;
        for (const Reason x : {Reason::earn, Reason::bonus, Reason::redeem, Reason::reserve,
                               Reason::release, Reason::expire, Reason::clawback, Reason::refund,
                               Reason::adjust})
            if (kopilka::ledger::reason_name(x) == r[1]) reason = x;
        out.entries.push_back({r[0], reason, std::stoll(r[2]), std::stoll(r[3])});
    }
    for (const auto& r : t.rows("SELECT member_id, created_at_ms FROM members WHERE "
                                "merchant_id = 'demo'"))
        out.members.push_back({r[0], std::stoll(r[1])});
    for (const auto& r : t.rows("SELECT prize_id, at_ms, cost FROM spins WHERE merchant_id = "
                                "'demo'"))
        out.spins.push_back({r[0], std::stoll(r[1]), std::stoll(r[2])});
    return out;
}

kopilka::program::Program demo_program() {
    kopilka::program::Program p;
    p.point_value_minor = 100;
    kopilka::program::Tiers t;
    t.basis = kopilka::program::TierBasis::points;
    t.window_days = 365;
    t.levels = {{"base", "Base", 0, 100, 0, {}},
                {"silver", "Silver", 1000, 125, 0, {}},
                {"gold", "Gold", 5000, 150, 0, {}}};
    p.tiers = t;
    return p;
}

// The API's report and series of the period equal compute_report's and compute_series'
// over the rows.
void check_period_equal(const Server& s, const reports::Rows& rows, const reports::Period& period) {
    INFO("period " << period.from_ms << " " << period.to_ms);
    const reports::Report want = reports::compute_report(rows, demo_program(), period);
    REQUIRE(want.status == reports::Status::ok);
    const Got g = get(s, "/v1/admin/reports?" + range(period.from_ms, period.to_ms));
    REQUIRE_MESSAGE(g.status == 200, g.text);
    const Json& r = g.body;
    CHECK(r["receipts"]["count"] == want.receipts);
    CHECK(r["receipts"]["with_card"] == want.receipts_with_card);
    CHECK(r["receipts"]["revenue_minor"] == want.revenue);
    CHECK(r["receipts"]["average_member_minor"] == want.average_receipt_member);
    CHECK(r["receipts"]["average_non_member_minor"] == want.average_receipt_non_member);
    CHECK(r["points"]["issued_points"] == want.points_issued);
    CHECK(r["points"]["redeemed_points"] == want.points_redeemed);
    CHECK(r["points"]["expired_points"] == want.points_expired);
    CHECK(r["points"]["adjusted_points"] == want.points_adjusted);
    CHECK(r["liability"]["points"] == want.liability_points);
    CHECK(r["members"]["enrolled"] == want.members_enrolled);
    CHECK(r["members"]["active"] == want.members_active);
    CHECK(r["members"]["active_before"] == want.members_active_before);
    CHECK(r["members"]["churned"] == want.members_churned);
    for (std::size_t i = 0; i < want.tiers.size(); ++i)
        CHECK(r["tiers"][i]["members"] == want.tiers[i].members);
    REQUIRE(r["cohorts"].size() == want.cohorts.size());
    for (std::size_t i = 0; i < want.cohorts.size(); ++i) {
        CHECK(r["cohorts"][i]["members"] == want.cohorts[i].members);
        CHECK(r["cohorts"][i]["active"] == Json(want.cohorts[i].active));
    }
    CHECK(r["spins"]["count"] == want.spins);
    CHECK(r["spins"]["prize_cost_minor"] == want.spin_prize_cost);
    CHECK(r["deferred_revenue"]["amount"] == want.deferred.amount);
    CHECK(r["deferred_revenue"]["expected_breakage_permille"] ==
          want.deferred.expected_breakage_permille);
    CHECK(r["deferred_revenue"]["allocated_in_period"] ==
          want.deferred.allocated_in_period);
    CHECK(r["deferred_revenue"]["recognised_in_period"] ==
          want.deferred.recognised_in_period);

    const reports::Bucket bucket = reports::default_bucket(period);
    const reports::Series series =
        reports::compute_series(rows, demo_program(), period, bucket);
    const Got sg = get(s, "/v1/admin/reports/series?" +
                              range(period.from_ms, period.to_ms));
    REQUIRE(sg.status == 200);
    REQUIRE(sg.body["points"].size() == series.points.size());
    for (std::size_t i = 0; i < series.points.size(); ++i) {
        const Json& p = sg.body["points"][i];
        const reports::SeriesPoint& x = series.points[i];
        CHECK(p["receipts"] == x.receipts);
        CHECK(p["revenue"] == x.revenue);
        CHECK(p["points_issued"] == x.points_issued);
        CHECK(p["liability_points"] == x.liability_points);
        CHECK(p["deferred_revenue"] == x.deferred_revenue);
        CHECK(p["members_enrolled"] == x.members_enrolled);
        CHECK(p["members_active"] == x.members_active);
        CHECK(p["members_active_before"] == x.members_active_before);
        CHECK(p["members_churned"] == x.members_churned);
        CHECK(p["churn_permille"] == x.churn_permille);
    }
}

// The API's report equals compute_report over the stored rows, for periods with edges at
// midnight and in the middle of a day, at the start and in the middle of a month.
void check_equal_to_raw(const Server& s) {
    const reports::Rows rows = stored_rows(s.target);
    const std::int64_t starts[] = {midnight(2025, 1, 1), midnight(2025, 3, 17) + 3600123,
                                   midnight(2024, 12, 1) + 1, midnight(2025, 6, 30)};
    const std::int64_t lengths[] = {30 * kDay, 365 * kDay, 7 * kDay + 999, 200 * kDay};
    for (const std::int64_t from : starts)
        for (const std::int64_t length : lengths)
            check_period_equal(s, rows, {from, from + length});
}

using MemberMonths = std::map<std::tuple<std::string, std::string, int>, std::int64_t>;

// report_member_months (migration 12) as stored, and as the stored receipts make it: each
// member's receipts by UTC calendar month.
MemberMonths stored_member_months(const Target& t) {
    MemberMonths out;
    for (const auto& r : t.rows("SELECT merchant_id, member_id, month, receipts FROM "
                                "report_member_months"))
        out[{r[0], r[1], std::stoi(r[2])}] = std::stoll(r[3]);
    return out;
}

MemberMonths member_months_of_receipts(const Target& t) {
    MemberMonths out;
    for (const auto& r : t.rows("SELECT merchant_id, member_id, at_ms FROM receipts WHERE "
                                "member_id <> ''"))
        ++out[{r[0], r[1], reports::month_number(std::stoll(r[2]))}];
    return out;
}

// The roll-up follows what the server writes: an enrolment and two receipts at the till, a
// return, an erase of the member and an import; the report of the last 30 days (its cohort
// holds the new members) still equals the raw computation.
void check_rollup_follows_api_writes(const Server& s, const std::string& db) {
    const std::string till = api_key(db, "till");
    auto c = s.process->client();
    c->set_read_timeout(30, 0);
    Reply a = call(*c, "POST", "/v1/admin/members", s.admin,
                   {{"operation_id", op_id(500)}, {"name", "Roll-up"}, {"consent", true}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    const std::string id = a.body["profile"]["id"], card = a.body["profile"]["card"];
    post_receipt(*c, till, receipt_body(501, card, 20000, 0).dump());
    post_receipt(*c, till, receipt_body(502, card, 30000, 0).dump());
    a = call(*c, "POST", "/v1/returns", till,
             {{"operation_id", op_id(503)}, {"receipt_id", "R-501"}, {"quantities", {1}}});
    REQUIRE_MESSAGE(a.status == 201, a.body.dump());
    a = call(*c, "POST", "/v1/admin/members/" + id + "/erase", s.admin, Json::object());
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    a = reply(c->Post("/v1/admin/imports", bearer(s.admin),
                      "external_id,name,phone,consent\nroll-1,Rolled In,+79000000501,yes\n",
                      "text/csv"));
    REQUIRE_MESSAGE(a.status == 202, a.body.dump());
    for (int i = 0; i < 600; ++i) {
        a = call(*c, "GET", "/v1/admin/imports/" + a.body["job_id"].get<std::string>(), s.admin);
        if (a.body["status"] != "running" && a.body["status"] != "queued") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(a.body["status"] == "done");

    const MemberMonths months = stored_member_months(s.target);
    CHECK(months == member_months_of_receipts(s.target));
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    CHECK(months.at({"demo", id, reports::month_number(now)}) == 2);
    const reports::Period period{now - 30 * kDay, now + 60000};
    const reports::Rows rows = stored_rows(s.target);
    check_period_equal(s, rows, period);
    const reports::Report r = reports::compute_report(rows, demo_program(), period);
    REQUIRE(!r.cohorts.empty());
    CHECK(r.cohorts.back().members >= 2);
    CHECK(r.cohorts.back().active.back() >= 1);
}

// Migration 12 fills the roll-up from the receipts stored before it: with its table, trigger
// (and SQLite's index) dropped, migration 13's checkpoints (and PostgreSQL's index), 14's
// notifications and 15's entry numbers too, and the schema back at 11, a restarted server
// makes it again.
void check_backfill(Server& s) {
    const MemberMonths before = stored_member_months(s.target);
    REQUIRE(!before.empty());
    CHECK(s.process->stop(std::chrono::seconds(10)) == 0);
    std::vector<std::string> back_to_11 = {"DROP TABLE report_member_months",
                                           "DROP TABLE member_state",
                                           "DELETE FROM schema_migrations WHERE version >= 12"};
    if (s.target.pg) {
        back_to_11.push_back("DROP FUNCTION report_member_months_roll() CASCADE");
        back_to_11.push_back("DROP INDEX member_entries_member_at");
        back_to_11.push_back("DROP FUNCTION config_changed() CASCADE");
    } else {
        back_to_11.push_back("DROP TRIGGER report_member_months");
        back_to_11.push_back("DROP INDEX member_entries_member_at");
    }
    // After the trigger: SQLite checks the whole schema when a column goes.
    back_to_11.push_back("ALTER TABLE member_entries DROP COLUMN history_no");
    back_to_11.push_back("ALTER TABLE member_counters DROP COLUMN tier_sum");
    back_to_11.push_back("ALTER TABLE member_counters DROP COLUMN tier_sum_from_ms");
    s.target.exec(back_to_11);
    s.process = start_server(s.target.db, {"--no-rate-limits"});
    CHECK(stored_member_months(s.target) == before);
    CHECK(stored_member_months(s.target) == member_months_of_receipts(s.target));
    CHECK(s.target.rows("SELECT MAX(version) FROM schema_migrations")[0][0] == "19");
}

void run_all(Server& s, const std::string& db) {
    s.target.exec(inserts(hand_rows(), 0));
    check_hand_report(s);
    check_hand_series(s);
    check_csv(s);
    check_bad_parameters(s);
    check_roles(s, db);

    const std::int64_t from = midnight(2025, 1, 1), to = midnight(2026, 1, 1);
    s.target.exec(inserts(random_rows(7, "rr-", from, to), 100000));
    check_equal_to_raw(s);
    // More writes, some of them into days already reported on.
    s.target.exec(inserts(random_rows(8, "rs-", from, to), 200000));
    check_equal_to_raw(s);
    CHECK(stored_member_months(s.target) == member_months_of_receipts(s.target));
    check_rollup_follows_api_writes(s, db);
    check_backfill(s);
}
}  // namespace

TEST_CASE("reports on SQLite: every figure by hand, series, CSV, bad parameters, roles, and "
          "equal to the raw computation") {
    DemoServer demo({"--no-rate-limits"});
    REQUIRE_MESSAGE(demo.ok, demo.why);
    Server s;
    s.target = {demo.db, false};
    s.admin = api_key(demo.db, "admin");
    s.process = std::move(demo.server);
    run_all(s, demo.db);
}

TEST_CASE("reports on PostgreSQL: every figure by hand, series, CSV, bad parameters, roles, "
          "and equal to the raw computation") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    Server s;
    s.process = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    s.target = {db.url, true};
    s.admin = api_key(db.url, "admin");
    run_all(s, db.url);
}

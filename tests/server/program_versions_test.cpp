// Program versions against a real kopilka-server, on SQLite and on PostgreSQL: a version
// published for later leaves the tills earning (and the widget showing) the old one until its
// moment, then the new; the history (paged, one version, who published it), revert as a new
// version, 412 on a stale If-Match or if_version; what-if and the draft simulation against
// figures worked out by hand below, writing nothing; roles.
//
// The two programs (1 point = 1 ₽ = 100 minor units; points = paid × earn_bp / 10000 / 100,
// rounded down):
//   A: bonus 5 %.                 A 1000 ₽ receipt: no discount, 50 points.
//   B: 3 % off, then bonus 10 %.  A 1000 ₽ receipt: 30 ₽ off, 970 ₽ paid, 97 points.
#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "console_helpers.hpp"
#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

const Json kProgramA = Json::parse(R"({"id": "prog-a", "name": "A", "currency": "RUB",
    "point_value_minor": 100, "bonus": {"earn_bp": 500}})");
const Json kProgramB = Json::parse(R"({"id": "prog-b", "name": "B", "currency": "RUB",
    "point_value_minor": 100, "flat_discount": {"rate_bp": 300}, "bonus": {"earn_bp": 1000}})");

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Json one_line(std::int64_t price) {
    return Json{{"lines", {{{"sku", "coat"}, {"category", "clothes"}, {"unit_price", price}}}}};
}

using SimMerchant = OwnMerchant;

// The merchant "sim" with program A as its first version.
SimMerchant sim_merchant(const std::string& db, httplib::Client& c) {
    const SimMerchant m = own_merchant(db, c, "sim", "SIM", kProgramA);
    CHECK(m.program_version == 1);
    return m;
}

// Posts a receipt of one line (for the member, or for no one when member is ""); its quote.
Json post_receipt(httplib::Client& c, const SimMerchant& m, int n, std::int64_t price,
                  const std::string& member, std::int64_t at_ms = 0) {
    Json body = {{"operation_id", op_id(n)}, {"receipt", one_line(price)}};
    body["receipt"]["id"] = "S-" + std::to_string(n);
    if (at_ms) body["receipt"]["at_ms"] = at_ms;
    if (!member.empty()) body["member"] = {{"id", member}};
    const Reply r = call(c, "POST", "/v1/receipts", m.till, body);
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    return r.body.contains("quote") ? r.body["quote"] : Json{{"paid", r.body["paid"]}};
}

// Everything about versions, on whichever database the server runs.
void versions_and_dates(const ServerProcess& server, const std::string& db) {
    auto c = server.client();
    const SimMerchant m = sim_merchant(db, *c);

    // B from 2.5 s from now: until then the till earns under A, and GET shows A with B waiting.
    const std::int64_t switch_ms = wall_ms() + 2500;
    Reply r = call(*c, "PUT", "/v1/admin/program?effective_from=" + std::to_string(switch_ms),
                   m.admin, kProgramB, {{"If-Match", "\"1\""}});
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    CHECK(r.body ==
          Json{{"version", 2}, {"program_id", "prog-b"}, {"effective_from_ms", switch_ms}});
    r = call(*c, "PUT", "/v1/admin/program", m.admin, kProgramB, {{"If-Match", "\"1\""}});
    CHECK(r.status == 412);
    CHECK(code_of(r) == "version_conflict");
    CHECK(r.body["error"]["current_version"] == 2);

    Json q = post_receipt(*c, m, 1, 100000, m.member);
    CHECK(q["points_earned"] == 50);
    CHECK(q["discount"] == 0);
    r = call(*c, "GET", "/v1/admin/program", m.admin);
    CHECK(r.body["version"] == 1);
    CHECK(r.etag == "\"1\"");
    CHECK(r.body["program"] == kProgramA);
    CHECK(r.body["latest_version"] == 2);
    REQUIRE(r.body["scheduled"].size() == 1);
    CHECK(r.body["scheduled"][0]["version"] == 2);
    CHECK(r.body["scheduled"][0]["effective_from_ms"] == switch_ms);

    // The widget's config follows the version in force, too.
    const auto widget_version = [&] {
        const auto res = c->Get("/v1/widget/config?merchant=SIM");
        REQUIRE(res);
        REQUIRE_MESSAGE(res->status == 200, res->body);
        return Json::parse(res->body)["program_version"];
    };
    CHECK(widget_version() == 1);

    std::this_thread::sleep_for(std::chrono::milliseconds(switch_ms + 200 - wall_ms()));
    CHECK(widget_version() == 2);
    q = post_receipt(*c, m, 2, 100000, m.member);
    CHECK(q["points_earned"] == 97);
    CHECK(q["discount"] == 3000);
    // A receipt dated before the switch is quoted under the program of its time.
    q = post_receipt(*c, m, 3, 100000, m.member, switch_ms - 1000);
    CHECK(q["points_earned"] == 50);
    r = call(*c, "GET", "/v1/admin/program", m.admin);
    CHECK(r.body["version"] == 2);
    CHECK(r.body["scheduled"].empty());

    // Bad dates: more than a minute ago, not a date.
    for (const std::string& bad :
         {std::to_string(wall_ms() - 120000), std::string("tomorrow"),
          std::string("2026-02-30T00:00:00Z")}) {
        r = call(*c, "PUT", "/v1/admin/program?effective_from=" + bad, m.admin, kProgramA);
        CHECK(r.status == 400);
        CHECK(r.body["error"]["field"] == "effective_from");
    }

    // The history, newest first, a page at a time, each with who published it.
    r = call(*c, "GET", "/v1/admin/program/versions", m.admin);
    REQUIRE(r.status == 200);
    REQUIRE(r.body["versions"].size() == 2);
    CHECK(r.body["in_force_version"] == 2);
    CHECK(r.body["next_before"].is_null());
    const Json v2 = r.body["versions"][0];
    CHECK(v2["version"] == 2);
    CHECK(v2["in_force"] == true);
    CHECK(v2["summary"] == "B: flat_discount, bonus");
    CHECK(v2["by"]["kind"] == "key");
    CHECK(!v2.contains("program"));
    CHECK(r.body["versions"][1]["summary"] == "A: bonus");
    r = call(*c, "GET", "/v1/admin/program/versions?limit=1", m.admin);
    CHECK(r.body["versions"].size() == 1);
    CHECK(r.body["next_before"] == 2);
    r = call(*c, "GET", "/v1/admin/program/versions?limit=1&before=2", m.admin);
    CHECK(r.body["versions"][0]["version"] == 1);
    CHECK(r.body["next_before"].is_null());
    r = call(*c, "GET", "/v1/admin/program/versions/1", m.admin);
    CHECK(r.body["program"] == kProgramA);
    CHECK(r.body["in_force"] == false);
    CHECK(call(*c, "GET", "/v1/admin/program/versions/9", m.admin).status == 404);
    CHECK(call(*c, "GET", "/v1/admin/program/versions/x", m.admin).status == 400);

    // Revert: version 1's document again as version 3 (a stale if_version is refused).
    r = call(*c, "POST", "/v1/admin/program/versions/1/revert", m.admin, {{"if_version", 1}});
    CHECK(r.status == 412);
    r = call(*c, "POST", "/v1/admin/program/versions/1/revert", m.admin, {{"if_version", 2}});
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    CHECK(r.body["version"] == 3);
    CHECK(r.body["reverted_from"] == 1);
    CHECK(call(*c, "GET", "/v1/admin/program", m.admin).body["program"] == kProgramA);
    CHECK(post_receipt(*c, m, 4, 100000, m.member)["points_earned"] == 50);

    // POST …/versions: the date as RFC 3339 in the body; a bad program names program.<field>.
    r = call(*c, "POST", "/v1/admin/program/versions", m.admin,
             {{"program", kProgramB}, {"effective_from", "2099-01-01T03:00:00+03:00"},
              {"if_version", 3}});
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    CHECK(r.body["version"] == 4);
    CHECK(r.body["effective_from_ms"] == 4070908800000);  // 2099-01-01T00:00:00Z
    r = call(*c, "GET", "/v1/admin/program", m.admin);
    CHECK(r.body["version"] == 3);
    CHECK(r.body["latest_version"] == 4);
    Json euro = kProgramB;
    euro["currency"] = "EUR";
    r = call(*c, "POST", "/v1/admin/program/versions", m.admin, {{"program", euro}});
    CHECK(r.body["error"]["field"] == "program.currency");
    euro["bonus"]["earn_bp"] = -1;
    r = call(*c, "POST", "/v1/admin/program/versions", m.admin, {{"program", euro}});
    CHECK(r.body["error"]["field"] == "program.bonus.earn_bp");
    CHECK(call(*c, "GET", "/v1/admin/program/versions", m.admin).body["versions"].size() == 4);

    // Each publish is one audit line.
    r = call(*c, "GET", "/v1/admin/audit", m.admin);
    REQUIRE(r.status == 200);
    int saves = 0, reverts = 0;
    for (const Json& line : r.body["entries"]) {
        saves += line["action"] == "program.save" ? 1 : 0;
        reverts += line["action"] == "program.revert" ? 1 : 0;
    }
    CHECK(saves == 3);
    CHECK(reverts == 1);
}

// What-if and the simulation over a small seeded set, by hand (the file's header):
//   member 1000 ₽, member 500 ₽, no member 200 ₽: revenue 1700 ₽.
//   A: no discount; points 50 + 25 = 75 (75 ₽); cost 7 500 = 441 bp of 170 000.
//   B: discounts 3 000 + 1 500; paid 97 000 + 48 500 + 20 000 = 165 500; points 97 + 48
//      (48.5 rounded down) = 145 (14 500); cost 4 500 + 14 500 = 19 000 = 1 117 bp.
void what_if_and_simulate(const ServerProcess& server, const std::string& db,
                          const std::function<std::string()>& dump) {
    auto c = server.client();
    const SimMerchant m = sim_merchant(db, *c);
    post_receipt(*c, m, 1, 100000, m.member);
    post_receipt(*c, m, 2, 50000, m.member);
    post_receipt(*c, m, 3, 20000, "");
    const std::string before = dump();

    Reply r = call(*c, "POST", "/v1/admin/program/what-if", m.admin,
                   {{"program", kProgramB}, {"receipt", one_line(100000)}});
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    CHECK(r.body["published_version"] == 1);
    CHECK(r.body["published"]["points_earned"] == 50);
    CHECK(r.body["draft"]["points_earned"] == 97);
    CHECK(r.body["difference"] == Json{{"points_earned", 47}, {"discount", 3000}, {"paid", -3000},
                                       {"cashback", 0}});
    // The stored member: A's 5 % and B's 10 % don't depend on history, so the same figures.
    r = call(*c, "POST", "/v1/admin/program/what-if", m.admin,
             {{"program", kProgramB},
              {"receipt", one_line(100000)},
              {"member", {{"id", m.member}}}});
    CHECK(r.body["difference"]["points_earned"] == 47);
    r = call(*c, "POST", "/v1/admin/program/what-if", m.admin, {{"receipt", one_line(100000)}});
    CHECK(r.body["error"]["field"] == "program");
    Json bad = kProgramB;
    bad["flat_discount"]["rate_bp"] = 20000;
    r = call(*c, "POST", "/v1/admin/program/what-if", m.admin,
             {{"program", bad}, {"receipt", one_line(100000)}});
    CHECK(r.body["error"]["field"] == "program.flat_discount.rate_bp");

    r = call(*c, "POST", "/v1/admin/program/simulate", m.admin,
             {{"program", kProgramB}, {"days", 30}});
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    CHECK(r.body["draft"] == Json{{"receipts", 3},
                                  {"member_receipts", 2},
                                  {"revenue_minor", 170000},
                                  {"paid_minor", 165500},
                                  {"discount_minor", 4500},
                                  {"points_issued", 145},
                                  {"points_value_minor", 14500},
                                  {"cashback_minor", 0},
                                  {"cost_minor", 19000},
                                  {"cost_share_bp", 1117}});
    CHECK(r.body["published"] == Json{{"receipts", 3},
                                      {"member_receipts", 2},
                                      {"revenue_minor", 170000},
                                      {"paid_minor", 170000},
                                      {"discount_minor", 0},
                                      {"points_issued", 75},
                                      {"points_value_minor", 7500},
                                      {"cashback_minor", 0},
                                      {"cost_minor", 7500},
                                      {"cost_share_bp", 441}});
    CHECK(r.body["published_version"] == 1);
    CHECK(r.body["days"] == 30);
    CHECK(r.body["receipts_skipped"] == 0);
    CHECK(!r.body["approximations"].empty());
    for (const Json& bad_body : {Json{{"program", kProgramB}, {"days", 0}},
                                 Json{{"program", kProgramB}, {"days", 367}},
                                 Json{{"program", kProgramB}}}) {
        r = call(*c, "POST", "/v1/admin/program/simulate", m.admin, bad_body);
        CHECK(r.status == 400);
        CHECK(r.body["error"]["field"] == "days");
    }
    CHECK(dump() == before);  // what-if and simulate wrote nothing
}

}  // namespace

TEST_CASE("program versions (SQLite): effective dates, history, revert, 412") {
    DemoServer s({password_hash_min(), "--no-rate-limits"});
    REQUIRE_MESSAGE(s.ok, s.why);
    versions_and_dates(*s.server, s.db);
}

TEST_CASE("program versions (PostgreSQL): effective dates, history, revert, 412") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    versions_and_dates(*server, db.url);
}

TEST_CASE("program what-if and simulation (SQLite): hand-worked figures, nothing written") {
    DemoServer s({password_hash_min(), "--no-rate-limits"});
    REQUIRE_MESSAGE(s.ok, s.why);
    what_if_and_simulate(*s.server, s.db, [&] { return Db(s.db).dump(); });
}

TEST_CASE("program what-if and simulation (PostgreSQL): hand-worked figures, nothing written") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    // Rows of every table a quote or a write could touch, counted (PostgreSQL has no Db dump).
    what_if_and_simulate(*server, db.url, [&] {
        std::string counts;
        for (const char* table : {"programs", "members", "member_entries", "member_counters",
                                  "receipts", "operations", "audit_log", "document_authors"})
            counts += std::to_string(db.scalar(std::string("SELECT COUNT(*) FROM ") + table)) + " ";
        return counts;
    });
}

// Publishers at once without If-Match: each gets a version of its own, none lost or doubled
// (PostgreSQL: the merchant's row is locked while the next number is picked).
TEST_CASE("program versions (PostgreSQL): 8 publishers at once get versions 2 to 9") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    const std::string admin = api_key(db.url, "admin");
    std::vector<std::thread> publishers;
    std::vector<Reply> replies(8);
    for (std::size_t i = 0; i < replies.size(); ++i)
        publishers.emplace_back([&, i] {
            auto c = server->client();
            Json p = kProgramA;
            p["id"] = "demo-points";
            p["bonus"]["earn_bp"] = 100 + static_cast<int>(i);
            const auto res = c->Put("/v1/admin/program", bearer(admin), p.dump(),
                                    "application/json");
            if (res) replies[i] = {res->status, Json::parse(res->body, nullptr, false), "", ""};
        });
    for (auto& t : publishers) t.join();
    std::set<std::int64_t> versions;
    for (const Reply& r : replies) {
        CHECK_MESSAGE(r.status == 200, r.body.dump());
        if (r.status == 200) versions.insert(r.body["version"].get<std::int64_t>());
    }
    CHECK(versions == std::set<std::int64_t>{2, 3, 4, 5, 6, 7, 8, 9});
    CHECK(db.scalar("SELECT COUNT(*) FROM programs WHERE merchant_id = 'demo'") == 9);
}

TEST_CASE("program versions: a viewer and support may not publish, simulate or read versions") {
    for (const char* role : {"viewer", "support"}) {
        SignedIn u(role);
        for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
                 {"GET", "/v1/admin/program/versions"},
                 {"POST", "/v1/admin/program/versions"},
                 {"GET", "/v1/admin/program/versions/1"},
                 {"POST", "/v1/admin/program/versions/1/revert"},
                 {"POST", "/v1/admin/program/what-if"},
                 {"POST", "/v1/admin/program/simulate"}}) {
            INFO(role, " ", method, " ", path);
            const Reply r = call(*u.c, method, path, u.t, Json::object());
            CHECK(r.status == 403);
        }
    }
}

TEST_CASE("program simulation over the demo shop's receipts: every one re-quoted, none skipped") {
    WithDemoServer w;
    auto c = w.s.server->client();
    const std::string key = api_key(w.s.db, "admin");
    const Reply published = call(*c, "GET", "/v1/admin/program", key);
    REQUIRE(published.status == 200);
    const Reply r = call(*c, "POST", "/v1/admin/program/simulate", key,
                         {{"program", published.body["program"]}, {"days", 365}});
    REQUIRE_MESSAGE(r.status == 200, r.body.dump());
    CHECK(r.body["receipts_skipped"] == 0);
    CHECK(r.body["draft"]["receipts"] == Db(w.s.db).count("receipts"));
    CHECK(r.body["draft"]["receipts"].get<std::int64_t>() > 0);
}

// Two kopilka-server processes on one database (on PostgreSQL one of them with
// KOPILKA_PG_PREPARED=off), each keeping decoded copies of the programs
// and settings it has used (ops/decoded_cache.hpp): a program or widget setting published
// through one server is what the other server uses within a second, on PostgreSQL and on one
// SQLite file that both processes open. Each server has decoded the old version first, so a
// server that kept using its copy would fail here.
//
// And on one server, by its /metrics: lookups decode the program, the kiosk settings and the
// wheel on the first request only, and a new program version once more. On PostgreSQL the
// server also keeps the rows themselves (storage/config_cache.hpp) while no NOTIFY says they
// changed: a version scheduled for later still takes over at its time.
//
// The programs (1 point = 1 ₽ = 100 minor units): A earns 5 %, B earns 10 %. A 1000 ₽ receipt
// earns 50 points under A and 100 under B.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
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
    "point_value_minor": 100, "bonus": {"earn_bp": 1000}})");
constexpr auto kSeenWithin = std::chrono::milliseconds(1000);

using Clock = std::chrono::steady_clock;

struct Shop : OwnMerchant {
    int receipts = 0;  // posted so far: the next one's operation and receipt number
};

// Points the member earns on a new 1000 ₽ receipt posted through c.
std::int64_t earned(httplib::Client& c, Shop& s) {
    const int n = ++s.receipts;
    Json body = {
        {"operation_id", op_id(n)},
        {"member", {{"id", s.member}}},
        {"receipt",
         {{"id", "C-" + std::to_string(n)},
          {"lines", {{{"sku", "coat"}, {"category", "clothes"}, {"unit_price", 100000}}}}}}};
    const Reply r = call(c, "POST", "/v1/receipts", s.till, body);
    REQUIRE_MESSAGE(r.status == 201, r.body.dump());
    return r.body["quote"]["points_earned"].get<std::int64_t>();
}

// Publishes `program` through `from`, then posts receipts through `to` until one earns
// `points` or a second has passed since the publish was answered; every receipt meanwhile
// earns either the old `before` or the new `points`.
void publish_then_earn(httplib::Client& from, httplib::Client& to, Shop& s, const Json& program,
                       std::int64_t before, std::int64_t points) {
    const Reply put = call(from, "PUT", "/v1/admin/program", s.admin, program);
    REQUIRE_MESSAGE(put.status == 200, put.body.dump());
    const auto published = Clock::now();
    std::int64_t got = before;
    while (got != points && Clock::now() - published < kSeenWithin) {
        got = earned(to, s);
        CHECK((got == before || got == points));
    }
    CHECK(got == points);
}

// The widget's public config through c.
Json widget_config(httplib::Client& c) {
    const auto res = c.Get("/v1/widget/config?merchant=CACHE");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    return Json::parse(res->body);
}

void publish_on_one_use_on_the_other(const ServerProcess& a, const ServerProcess& b,
                                     const std::string& db) {
    auto ca = a.client();
    auto cb = b.client();
    Shop s{own_merchant(db, *ca, "cache", "CACHE", kProgramA)};
    // Both servers decode program A and keep it.
    CHECK(earned(*ca, s) == 50);
    CHECK(earned(*cb, s) == 50);
    CHECK(earned(*cb, s) == 50);

    publish_then_earn(*ca, *cb, s, kProgramB, 50, 100);
    CHECK(earned(*ca, s) == 100);
    // Back to A's text as a third version, through the other server.
    publish_then_earn(*cb, *ca, s, kProgramA, 100, 50);
    CHECK(earned(*cb, s) == 50);

    // The widget's settings: b has shown the history view; a turns it off.
    CHECK(widget_config(*cb)["views"]["history"] == true);
    Json settings = call(*ca, "GET", "/v1/admin/widget-settings", s.admin).body["settings"];
    settings["views"]["history"] = false;
    const Reply put = call(*ca, "PUT", "/v1/admin/widget-settings", s.admin, settings);
    REQUIRE_MESSAGE(put.status == 200, put.body.dump());
    const auto saved = Clock::now();
    bool shown = true;
    while (shown && Clock::now() - saved < kSeenWithin)
        shown = widget_config(*cb)["views"]["history"].get<bool>();
    CHECK_FALSE(shown);
}

// kopilka_decoded_documents_total{result="hit" or "miss"} from the server's /metrics.
std::int64_t decodes(httplib::Client& c, const std::string& result) {
    return metric(c, "kopilka_decoded_documents_total", result);
}

}  // namespace

TEST_CASE("a server decodes each stored version once, however many requests use it") {
    DemoServer s({"--no-rate-limits"});
    REQUIRE_MESSAGE(s.ok, s.why);
    auto c = s.server->client();
    const std::string qr = demo_cards(s.db).at("demo-anna").qr;
    lookup(*c, qr);  // the program, the kiosk settings (naming the wheel) and the wheel
    const std::int64_t misses = decodes(*c, "miss");
    const std::int64_t hits = decodes(*c, "hit");
    CHECK(misses >= 3);
    for (int i = 0; i < 20; ++i) CHECK(lookup(*c, qr)["member"]["id"] == "demo-anna");
    CHECK(decodes(*c, "miss") == misses);
    CHECK(decodes(*c, "hit") >= hits + 60);

    // A new version of the program is decoded on its first use, once.
    const std::string admin = api_key(s.db, "admin");
    Json program = call(*c, "GET", "/v1/admin/program", admin).body["program"];
    program["bonus"]["earn_bp"] = 700;
    const Reply put = call(*c, "PUT", "/v1/admin/program", admin, program);
    REQUIRE_MESSAGE(put.status == 200, put.body.dump());
    const std::int64_t after_publish = decodes(*c, "miss");
    for (int i = 0; i < 5; ++i) lookup(*c, qr);
    CHECK(decodes(*c, "miss") == after_publish + 1);
}

TEST_CASE("PostgreSQL: a program or setting published on one server is used by another at once") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--no-rate-limits"});
    // The other as behind a pooler in transaction mode: no statement prepared.
    ServerProcess b({"--db", db.url, "--quiet", "--no-rate-limits"}, {"KOPILKA_PG_PREPARED=off"});
    std::string why;
    REQUIRE_MESSAGE(b.start(&why), why);
    publish_on_one_use_on_the_other(*a, b, db.url);
}

TEST_CASE("SQLite: a program or setting published on one server is used by another at once") {
    TempDir dir;
    const std::string file = dir.file("shared.sqlite");
    ServerProcess a({"--db", file, "--quiet", "--no-rate-limits"});
    std::string why;
    REQUIRE_MESSAGE(a.start(&why), why);
    ServerProcess b({"--db", file, "--quiet", "--no-rate-limits"});
    REQUIRE_MESSAGE(b.start(&why), why);
    publish_on_one_use_on_the_other(a, b, file);
}

TEST_CASE(
    "PostgreSQL: a version scheduled for later takes over at its time on a server that "
    "kept the one before") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--no-rate-limits"});
    auto c = server->client();
    Shop s{own_merchant(db.url, *c, "later", "LATER", kProgramA)};
    CHECK(earned(*c, s) == 50);
    const auto from = std::chrono::system_clock::now() + std::chrono::milliseconds(1500);
    const std::int64_t from_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(from.time_since_epoch()).count();
    const Reply put = call(*c, "POST", "/v1/admin/program/versions", s.admin,
                           Json{{"program", kProgramB}, {"effective_from", from_ms}});
    REQUIRE_MESSAGE(put.status == 201, put.body.dump());
    // Until then A, kept again after the publish; from then on B, without another change.
    CHECK(earned(*c, s) == 50);
    CHECK(earned(*c, s) == 50);
    std::this_thread::sleep_until(from + std::chrono::milliseconds(50));
    CHECK(earned(*c, s) == 100);
    CHECK(earned(*c, s) == 100);
}

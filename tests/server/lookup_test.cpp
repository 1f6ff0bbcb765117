// Member lookup against a real kopilka-server with the demo data: /healthz, GET and POST
// /v1/members/lookup by QR payload, and balances cross-checked against the ledger in the
// SQLite file.
#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {

DemoServer& shared_server() {
    static DemoServer s;
    return s;
}

struct Expected {
    const char* id;
    const char* name;
    std::int64_t balance;
    const char* tier;
    const char* tier_id;
    const char* next;
    std::int64_t gap;
    std::int64_t progress_permille;
};

// The demo ledger (tools/server/storage/demo_data.cpp): anna earned 600+450+700 and
// redeemed 500; boris earned 120; dace earned 2500+3100 and redeemed 1400. Tiers qualify on
// points earned in 365 days: Base 0, Silver 1000, Gold 5000.
const Expected kDemo[] = {
    {"demo-anna", "Анна", 1250, "Silver", "silver", "Gold", 3250, 187},   // (1750-1000)*1000/4000
    {"demo-boris", "Борис", 120, "Base", "base", "Silver", 880, 120},     // 120*1000/1000
    {"demo-dace", "Dace", 4200, "Gold", "gold", "", 0, 1000},             // top tier
};

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void check_member(const httplib::Result& res, const Expected& e, std::int64_t t0, std::int64_t t1) {
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    const Json body = Json::parse(res->body, nullptr, false);
    REQUIRE_MESSAGE(body.is_object(), res->body);
    CHECK(body.size() == 1);
    REQUIRE(body.contains("member"));
    const Json& m = body["member"];
    std::set<std::string> keys;
    for (const auto& [k, v] : m.items()) keys.insert(k);
    CHECK(keys == std::set<std::string>{"id", "name", "merchant", "balance", "currency", "tier",
                                        "tier_detail", "as_of_ms", "available", "pending",
                                        "expiring", "rewards_affordable", "reward_next",
                                        "spins_available", "spin_commitment", "history"});

    CHECK(m["id"] == e.id);
    CHECK(m["name"] == e.name);
    CHECK(m["merchant"] == "DEMO");
    CHECK(m["currency"] == "RUB");
    REQUIRE(m["balance"].is_number_integer());
    CHECK(m["balance"].get<std::int64_t>() == e.balance);
    CHECK(m["tier"] == e.tier);
    REQUIRE(m["as_of_ms"].is_number_integer());
    CHECK(m["as_of_ms"].get<std::int64_t>() >= t0);
    CHECK(m["as_of_ms"].get<std::int64_t>() <= t1);

    const Json& t = m["tier_detail"];
    REQUIRE(t.is_object());
    CHECK(t.size() == 6);
    CHECK(t["id"] == e.tier_id);
    CHECK(t["name"] == e.tier);
    CHECK(t["next"] == e.next);
    REQUIRE(t["gap"].is_number_integer());
    CHECK(t["gap"].get<std::int64_t>() == e.gap);
    CHECK(t["basis"] == "points");
    REQUIRE(t["progress_permille"].is_number_integer());
    CHECK(t["progress_permille"].get<std::int64_t>() == e.progress_permille);
}

}  // namespace

TEST_CASE("GET /healthz answers {\"status\":\"ok\"}") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto res = s.server->client()->Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    CHECK(Json::parse(res->body, nullptr, false) == Json{{"status", "ok"}});
}

TEST_CASE("kopilka cards lists the three demo members with QR payloads") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    REQUIRE(cards.size() == 3);
    for (const Expected& e : kDemo) {
        INFO(e.id);
        REQUIRE(cards.count(e.id));
        const DemoCard& c = cards.at(e.id);
        CHECK(c.merchant == "DEMO");
        CHECK(c.name == e.name);
        CHECK(c.card.size() == 13);
        CHECK(c.qr.rfind("K1:DEMO:" + c.card + ":", 0) == 0);
        CHECK(c.qr.size() == std::string("K1:DEMO:").size() + 13 + 1 + 16);
    }
}

TEST_CASE("lookup by QR payload via GET and POST returns each demo member exactly") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    auto client = s.server->client();
    for (const Expected& e : kDemo) {
        INFO("member " << e.id);
        REQUIRE(cards.count(e.id));
        const std::string qr = cards.at(e.id).qr;
        {
            INFO("GET");
            const auto t0 = now_ms();
            const auto res = client->Get(("/v1/members/lookup?code=" + url_encode(qr)).c_str());
            check_member(res, e, t0, now_ms());
        }
        {
            INFO("POST");
            const auto t0 = now_ms();
            const auto res =
                client->Post("/v1/members/lookup", Json{{"code", qr}}.dump(), "application/json");
            check_member(res, e, t0, now_ms());
        }
        {
            INFO("POST with the CR/LF a scanner appends");
            const auto t0 = now_ms();
            const auto res = client->Post("/v1/members/lookup", Json{{"code", qr + "\r\n"}}.dump(),
                                          "application/json");
            check_member(res, e, t0, now_ms());
        }
    }
}

TEST_CASE("balances equal the ledger entries summed straight from the SQLite file") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    auto client = s.server->client();
    Db db(s.db);
    CHECK(db.count("members") == 3);
    // Double entry: every entry's postings sum to zero, so the whole ledger does.
    CHECK(db.scalar(
              "SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0) FROM member_entries e, "
              "json_each(e.body, '$.postings') p") == 0);
    for (const Expected& e : kDemo) {
        INFO("member " << e.id);
        const std::int64_t derived = db.derived_balance("demo", e.id);
        CHECK(derived == e.balance);
        const auto res = client->Post("/v1/members/lookup",
                                      Json{{"code", cards.at(e.id).qr}}.dump(), "application/json");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        const Json body = Json::parse(res->body);
        CHECK(body["member"]["balance"].get<std::int64_t>() == derived);
    }
}

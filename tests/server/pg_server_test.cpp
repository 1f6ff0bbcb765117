// kopilka-server on PostgreSQL: the same answers as on SQLite, and concurrency safety that
// comes from the database — one server with many threads, and two server processes sharing
// one database — never overspending a balance nor losing or doubling an operation.
// tools/test.sh starts a throwaway cluster and passes its URL in KOPILKA_TEST_PG_URL; without
// it these tests fail, saying so. Each test creates its own database kt_<random> on that
// cluster and drops it at the end.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "core/cards/card_code.hpp"
#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

struct Tally {
    std::atomic<std::int64_t> redeemed{0}, earned{0};
    std::atomic<int> created{0}, failed{0};
    std::mutex mutex;
    std::string first_failure;
};

// Posts receipts n = first, first+step, … < end for `card`, each redeeming 50 points on a
// 100 ₽ receipt (the cap: half of it).
void post_receipts(const ServerProcess& server, const std::string& till, const std::string& card,
                   int first, int step, int end, Tally& t) {
    auto c = server.client();
    c->set_read_timeout(30, 0);
    for (int i = first; i < end; i += step) {
        const auto res = c->Post("/v1/receipts", bearer(till),
                                 receipt_body(100 + i, card, 10000, 50).dump(), "application/json");
        if (!res || res->status != 201) {
            ++t.failed;
            std::lock_guard<std::mutex> lock(t.mutex);
            if (t.first_failure.empty())
                t.first_failure = res ? std::to_string(res->status) + " " + res->body
                                      : "no response: " + httplib::to_string(res.error());
            continue;
        }
        const Json j = Json::parse(res->body);
        t.redeemed += j["quote"]["redeemed_points"].get<std::int64_t>();
        t.earned += j["quote"]["points_earned"].get<std::int64_t>();
        ++t.created;
    }
}

}  // namespace

TEST_CASE("PostgreSQL server: member lookup by QR gives the demo balances") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo"});
    const auto cards = demo_cards(db.url);
    REQUIRE(cards.size() == 3);
    auto c = server->client();
    const std::pair<const char*, std::int64_t> expected[] = {
        {"demo-anna", 1250}, {"demo-boris", 120}, {"demo-dace", 4200}};
    for (const auto& [member, balance] : expected) {
        INFO(member);
        const Json j = lookup(*c, cards.at(member).qr);
        CHECK(j["member"]["id"] == member);
        CHECK(j["member"]["balance"] == balance);
        CHECK(db.derived_balance("demo", member) == balance);
    }
    CHECK(db.scalar("SELECT MAX(version) FROM schema_migrations") == 19);
    // A second server on the same database finds the schema and the demo data in place.
    auto second = start_server(db.url, {"--seed-demo"});
    CHECK(second->stdout_text().find("seeded") == std::string::npos);
    CHECK(balance_of(*second->client(), cards.at("demo-dace").qr) == 4200);
    CHECK(db.scalar("SELECT COUNT(*) FROM members") == 3);
}

// Lookups that arrive together are read together (storage/read_groups.hpp: one statement for
// the members by card with their checkpoints): each still gets its own member, as a lookup
// alone gives it, an unknown card its 404, and a member with a card but no checkpoint yet her
// balance (read again in a snapshot).
TEST_CASE("PostgreSQL server: lookups at once, read in groups, each answered with its own member") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    const auto cards = demo_cards(db.url);
    auto c = server->client();
    const std::string secret = [&] {
        pqxx::connection conn(db.url);
        pqxx::work w(conn);
        return w.exec1("SELECT card_secret FROM merchants WHERE code = 'DEMO'")[0]
            .as<std::string>();
    }();
    const auto qr_of = [&](const std::string& twelve) {
        return kopilka::cards::qr_card_payload(
            "DEMO", twelve + kopilka::cards::ean13_check_digit(twelve), secret);
    };
    const Json enrol = {
        {"operation_id", op_id(900)},
        {"id", "fresh"},
        {"name", "Fresh"},
        {"consent", true},
        {"card", std::string("299999999990") + kopilka::cards::ean13_check_digit("299999999990")}};
    const auto res = c->Post("/v1/admin/members", bearer(api_key(db.url, "admin")), enrol.dump(),
                             "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    // No checkpoint: her lookups read the entries again, in a snapshot of their own.
    CHECK(db.scalar("WITH d AS (DELETE FROM member_state WHERE member_id = 'fresh' RETURNING 1) "
                    "SELECT COUNT(*) FROM d") == 1);

    struct Want {
        std::string qr, member;
        std::int64_t balance = 0;
        std::size_t history = 0;
    };
    std::vector<Want> wants = {{cards.at("demo-anna").qr, "demo-anna"},
                               {cards.at("demo-boris").qr, "demo-boris"},
                               {cards.at("demo-dace").qr, "demo-dace"},
                               {qr_of("299999999990"), "fresh"},
                               {qr_of("299999999991"), ""}};  // nobody's card: 404
    for (auto& w : wants) {  // one at a time first: what each lookup alone answers
        if (w.member.empty()) continue;
        const Json j = lookup(*c, w.qr);
        REQUIRE(j["member"]["id"] == w.member);
        w.balance = j["member"]["balance"].get<std::int64_t>();
        w.history = j["member"]["history"].size();
    }
    CHECK(wants[0].balance == 1250);
    CHECK(wants[3].history > 0);  // the welcome bonus, read from the entries

    constexpr int kThreads = 24, kEach = 25;
    std::atomic<int> right{0}, wrong{0};
    std::mutex mutex;
    std::string first_wrong;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            auto client = server->client();
            client->set_read_timeout(30, 0);
            for (int i = 0; i < kEach; ++i) {
                const Want& w = wants[static_cast<std::size_t>(t + i) % wants.size()];
                const auto r = client->Post("/v1/members/lookup", Json{{"code", w.qr}}.dump(),
                                            "application/json");
                bool ok = false;
                if (r && w.member.empty()) {
                    ok = r->status == 404 && Json::parse(r->body)["error"]["code"] == "not_found";
                } else if (r && r->status == 200) {
                    const Json m = Json::parse(r->body)["member"];
                    ok = m["id"] == w.member && m["balance"] == w.balance &&
                         m["history"].size() == w.history;
                }
                if (ok) {
                    ++right;
                    continue;
                }
                ++wrong;
                std::lock_guard<std::mutex> lock(mutex);
                if (first_wrong.empty())
                    first_wrong = w.member + ": " +
                                  (r ? std::to_string(r->status) + " " + r->body.substr(0, 300)
                                     : "no response");
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK_MESSAGE(wrong == 0, first_wrong);
    CHECK(right == kThreads * kEach);
}

// A lookup by card reads the member and her state (checkpoint, counters, the entries after the
// checkpoint, the tier window's sum) in one statement with the lookups beside it
// (Store::member_by_card_ahead): it answers what a server reading each of those alone
// (KOPILKA_READS_TOGETHER=0) answers on the same database — after receipts (points in the tier
// window), with a checkpoint two receipts behind the entries, and with none at all.
TEST_CASE("PostgreSQL server: a lookup reads the state with the card, as lookups alone answer") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto together = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    auto alone = start_server(db.url, {"--no-rate-limits"}, {"KOPILKA_READS_TOGETHER=0"});
    const auto cards = demo_cards(db.url);
    const std::string till = api_key(db.url, "till");
    auto a = together->client();
    auto b = alone->client();
    const auto same = [&](const std::string& member) {
        INFO(member);
        Json x = lookup(*a, cards.at(member).qr)["member"];
        Json y = lookup(*b, cards.at(member).qr)["member"];
        for (Json* j : {&x, &y}) {
            j->erase("as_of_ms");
            j->erase("spin_commitment");
        }
        CHECK(x == y);
        return x;
    };
    for (const char* member : {"demo-anna", "demo-boris", "demo-dace"}) same(member);

    const auto state = [&](const std::string& member) {
        pqxx::connection conn(db.url);
        pqxx::work w(conn);
        const auto r = w.exec_params1(
            "SELECT seq, body FROM member_state WHERE merchant_id = 'demo' AND member_id = $1",
            member);
        return std::make_pair(r[0].as<long long>(), r[1].as<std::string>());
    };
    const auto [seq, body] = state("demo-anna");
    const std::string card = cards.at("demo-anna").card;
    post_receipt(*a, till, receipt_body(1, card, 250000, 0).dump());
    post_receipt(*a, till, receipt_body(2, card, 120000, 300).dump());
    const Json current = same("demo-anna");
    CHECK(current["balance"] != 1250);
    CHECK(current["tier_detail"]["progress_permille"] != 187);  // the receipts' points count
    // Above from the snapshot stored with the checkpoint (inside its window); the same from the
    // batches with the window closed, and again once it is open.
    const auto flip_windows = [&] {
        pqxx::connection conn(db.url);
        pqxx::work w(conn);
        w.exec("UPDATE member_state SET points_until_ms = -points_until_ms");
        w.commit();
    };
    CHECK(db.scalar("SELECT COUNT(*) FROM member_state WHERE points_until_ms > 0") == 3);
    flip_windows();
    for (const char* member : {"demo-anna", "demo-boris", "demo-dace"}) same(member);
    CHECK(same("demo-anna") == current);
    flip_windows();
    {
        pqxx::connection conn(db.url);
        pqxx::work w(conn);
        w.exec_params(
            "UPDATE member_state SET seq = $1, body = $2 WHERE merchant_id = 'demo' "
            "AND member_id = 'demo-anna'",
            seq, body);
        w.commit();
    }
    CHECK(
        db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id = 'demo-anna' AND seq >= " +
                  std::to_string(seq)) >= 2);
    CHECK(same("demo-anna") == current);  // the entries after the older checkpoint, read with it

    CHECK(db.scalar("WITH d AS (DELETE FROM member_state WHERE member_id = 'demo-boris' "
                    "RETURNING 1) SELECT COUNT(*) FROM d") == 1);
    CHECK(same("demo-boris")["balance"] == 120);  // no checkpoint: read again in a snapshot
}

// A lookup's read is queued for the group's runner, which answers it on its own thread
// (ReadQueue), and no event loop waits for it meanwhile: when a group's statement fails (here
// its connection is cut while it waits for a lock), each lookup of the group is answered 500
// naming its own request id, none is left without an answer, and the lookups after it are
// answered as before.
TEST_CASE("PostgreSQL server: lookups whose group's read fails are answered 500, the next 200") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--no-rate-limits"});
    const auto cards = demo_cards(db.url);
    const std::string qr = cards.at("demo-anna").qr;
    auto c = server->client();
    c->set_read_timeout(30, 0);
    const std::int64_t balance = balance_of(*c, qr);  // the merchant and program now cached

    const std::string waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" +
                                db.name +
                                "' AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()";
    pqxx::connection locker(db.url);
    pqxx::work lock(locker);
    lock.exec("LOCK TABLE member_state IN ACCESS EXCLUSIVE MODE");
    constexpr int kLookups = 8;
    struct Got {
        int status = 0;
        std::string body, id;
    };
    std::vector<Got> got(kLookups);
    std::vector<std::thread> threads;
    for (int i = 0; i < kLookups; ++i)
        threads.emplace_back([&, i] {
            auto client = server->client();
            client->set_read_timeout(30, 0);
            const auto r =
                client->Post("/v1/members/lookup", Json{{"code", qr}}.dump(), "application/json");
            if (r) got[i] = {r->status, r->body, r->get_header_value("X-Request-Id")};
        });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (db.scalar(waiting) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    REQUIRE(db.scalar(waiting) > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the rest queue behind
    // The lookups were queued by the event loops that read them (http_server.cpp,
    // handle_here), which wait for nothing: requests on new connections, spread over every
    // loop, are answered while the group's read is stuck.
    for (int i = 0; i < 4; ++i) {
        auto fresh = server->client();
        fresh->set_read_timeout(5, 0);
        const auto start = std::chrono::steady_clock::now();
        const auto r = fresh->Get("/v1/openapi.json");
        CHECK((r && r->status == 200));
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    }
    CHECK(db.scalar("SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM "
                    "pg_stat_activity WHERE datname = '" +
                    db.name + "' AND wait_event_type = 'Lock') t") > 0);
    lock.abort();
    for (auto& t : threads) t.join();

    int failed = 0, right = 0;
    for (const Got& g : got) {
        INFO(g.status << " " << g.body);
        if (g.status == 500) {
            const Json e = Json::parse(g.body)["error"];
            CHECK(e["code"] == "internal");
            CHECK(!g.id.empty());
            CHECK(e["message"].get<std::string>().find(g.id) != std::string::npos);
            ++failed;
        } else {
            CHECK(g.status == 200);
            right += g.status == 200 && Json::parse(g.body)["member"]["balance"] == balance;
        }
    }
    CHECK(failed > 0);
    CHECK(failed + right == kLookups);
    CHECK(balance_of(*c, qr) == balance);
}

// An anonymous lookup is tried on the event loop that read it; one that would read the
// database there (here: a merchant code never seen, so not cached) goes to a worker and runs
// again. The caller is charged one token of the rate limit for it all the same.
TEST_CASE("PostgreSQL server: a lookup that moved to a worker costs one rate-limit token") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo"});  // rate limits on: 2 tokens a second
    const auto cards = demo_cards(db.url);
    auto c = server->client();
    const auto remaining_after = [&](const std::string& qr, int status) {
        const auto r = c->Post("/v1/members/lookup", Json{{"code", qr}}.dump(), "application/json");
        REQUIRE(r);
        CHECK(r->status == status);
        return std::stoll(r->get_header_value("RateLimit-Remaining"));
    };
    const std::string anna = cards.at("demo-anna").qr;
    remaining_after(anna, 200);  // the demo merchant and program cached from here on
    constexpr int kLookups = 10;
    // Each of another merchant, unknown here: not in the cache, so read by a worker (404).
    const std::int64_t before = remaining_after(anna, 200);
    for (int i = 0; i < kLookups; ++i) {
        const std::string twelve = "20000000000" + std::to_string(i);
        remaining_after(kopilka::cards::qr_card_payload(
                            "ZZ" + std::to_string(10 + i),
                            twelve + kopilka::cards::ean13_check_digit(twelve), "no secret"),
                        404);
    }
    const std::int64_t after = remaining_after(anna, 200);
    // One token each and one for the last lookup; a refill may have added one meanwhile.
    CHECK(before - after >= kLookups);
    CHECK(before - after <= kLookups + 1);
}

TEST_CASE("PostgreSQL server: receipts with an API key, replays and conflicts") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo"});
    const auto cards = demo_cards(db.url);
    const std::string till = api_key(db.url, "till");
    auto c = server->client();
    const std::string card = cards.at("demo-anna").card;
    const std::string body = receipt_body(1, card, 100000, 100).dump();

    auto res = c->Post("/v1/receipts", body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 401);

    const std::int64_t before = balance_of(*c, cards.at("demo-anna").qr);
    const Json first = post_receipt(*c, till, body);
    CHECK(first["quote"]["paid"] == 90000);
    CHECK(first["quote"]["points_earned"] == 56);
    CHECK(first["member"]["balance"] == before - 100 + 56);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == before - 100 + 56);
    CHECK(db.derived_balance("demo", "demo-anna") == before - 100 + 56);

    check_receipt_replayed(*c, till, body, first);

    Json changed = receipt_body(1, card, 100000, 200);
    res = c->Post("/v1/receipts", bearer(till), changed.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 409);
    CHECK(Json::parse(res->body)["error"]["field"] == "redeem_points");
    changed = receipt_body(2, card, 100000, 0);
    changed["receipt"]["id"] = "R-1";
    res = c->Post("/v1/receipts", bearer(till), changed.dump(), "application/json");
    REQUIRE(res);
    CHECK(res->status == 409);
    CHECK(Json::parse(res->body)["error"]["field"] == "receipt.id");
    CHECK(db.scalar("SELECT COUNT(*) FROM operations") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM receipts") == 7);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == before - 100 + 56);
}

TEST_CASE("PostgreSQL server: 200 concurrent redemptions against one balance never overspend it") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--threads", "16"});
    const auto cards = demo_cards(db.url);
    const std::string till = api_key(db.url, "till");
    const std::string card = cards.at("demo-boris").card;  // 120 points
    const std::int64_t before = balance_of(*server->client(), cards.at("demo-boris").qr);
    Tally t;
    std::vector<std::thread> threads;
    for (int k = 0; k < 8; ++k)
        threads.emplace_back([&, k] { post_receipts(*server, till, card, k, 8, 200, t); });
    for (auto& th : threads) th.join();
    INFO("first failure: " << t.first_failure);
    CHECK(t.created.load() == 200);
    CHECK(t.failed.load() == 0);
    const std::int64_t after = balance_of(*server->client(), cards.at("demo-boris").qr);
    CHECK(after == before - t.redeemed + t.earned);
    CHECK(after >= 0);
    CHECK(t.redeemed <= before + t.earned);
    CHECK(db.derived_balance("demo", "demo-boris") == after);
    CHECK(db.scalar("SELECT COUNT(*) FROM operations") == 200);
    CHECK(db.scalar("SELECT COUNT(DISTINCT op_id) FROM operations") == 200);
}

TEST_CASE(
    "PostgreSQL server: two server processes sharing one database keep one balance consistent") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo", "--threads", "8"});
    auto b = start_server(db.url, {"--threads", "8"});
    const auto cards = demo_cards(db.url);
    const std::string till = api_key(db.url, "till");
    const std::string card = cards.at("demo-boris").card;
    const std::int64_t before = balance_of(*a->client(), cards.at("demo-boris").qr);
    CHECK(balance_of(*b->client(), cards.at("demo-boris").qr) == before);
    Tally t;
    std::vector<std::thread> threads;
    // Eight client threads, four per server, interleaved: receipt n goes to server n % 2.
    for (int k = 0; k < 8; ++k)
        threads.emplace_back(
            [&, k] { post_receipts(k % 2 == 0 ? *a : *b, till, card, k, 8, 200, t); });
    for (auto& th : threads) th.join();
    INFO("first failure: " << t.first_failure);
    CHECK(t.created.load() == 200);
    CHECK(t.failed.load() == 0);
    const std::int64_t after_a = balance_of(*a->client(), cards.at("demo-boris").qr);
    const std::int64_t after_b = balance_of(*b->client(), cards.at("demo-boris").qr);
    CHECK(after_a == after_b);
    CHECK(after_a == before - t.redeemed + t.earned);
    CHECK(after_a >= 0);
    CHECK(t.redeemed <= before + t.earned);
    CHECK(db.derived_balance("demo", "demo-boris") == after_a);
    // Every acknowledged operation is stored exactly once, and nothing else is.
    CHECK(db.scalar("SELECT COUNT(*) FROM operations") == t.created.load());
    CHECK(db.scalar("SELECT COUNT(DISTINCT op_id) FROM operations") == t.created.load());
    CHECK(db.scalar("SELECT COUNT(*) FROM receipts WHERE member_id = 'demo-boris' AND op_id IN "
                    "(SELECT op_id FROM operations)") == t.created.load());
    // The ledger's sequence has no gaps or duplicates.
    CHECK(
        db.scalar(
            "SELECT COUNT(*) - COUNT(DISTINCT seq) + (MAX(seq) + 1 - COUNT(*)) FROM member_entries "
            "WHERE merchant_id = 'demo' AND member_id = 'demo-boris'") == 0);
}

TEST_CASE("PostgreSQL server: saves of one theme at the same instant: one wins, the rest get 412") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto server = start_server(db.url, {"--seed-demo", "--threads", "16"});
    const std::string admin = api_key(db.url, "admin");
    const auto got = server->client()->Get("/v1/admin/themes/daylight", bearer(admin));
    REQUIRE(got);
    REQUIRE(got->status == 200);
    const std::string etag = got->get_header_value("ETag");
    const std::string body = Json::parse(got->body)["theme"].dump();
    // Every writer read the same version and sends it as If-Match, released together.
    std::atomic<bool> go{false};
    std::mutex mutex;
    std::map<int, int> statuses;
    std::vector<std::thread> threads;
    for (int k = 0; k < 16; ++k)
        threads.emplace_back([&] {
            auto c = server->client();
            c->set_read_timeout(30, 0);
            httplib::Headers h = bearer(admin);
            h.emplace("If-Match", etag);
            while (!go) std::this_thread::yield();
            const auto res = c->Put("/v1/admin/themes/daylight", h, body, "application/json");
            std::lock_guard<std::mutex> lock(mutex);
            ++statuses[res ? res->status : 0];
        });
    go = true;
    for (auto& th : threads) th.join();
    CHECK(statuses[200] == 1);
    CHECK(statuses[412] == 15);
    CHECK(statuses.size() == 2);
    const std::int64_t read_version = std::stoll(etag.substr(1, etag.size() - 2));
    CHECK(db.scalar("SELECT MAX(version) FROM documents WHERE merchant_id = 'demo' AND "
                    "kind = 'theme' AND doc_id = 'daylight'") == read_version + 1);
}

// KOPILKA_PG_CONNECTIONS caps the connections one server keeps (N servers share PostgreSQL's
// max_connections): with one, lookups, receipts and a publish one after another still go
// through (no request waits for a second connection while holding the first); with two,
// concurrent lookups and receipts are all answered on at most those two and the LISTEN one.
// A value out of range stops the server at start, naming the setting.
TEST_CASE("PostgreSQL server: KOPILKA_PG_CONNECTIONS caps the server's connections") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    const auto connections = [&] {
        return db.scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = '" + db.name +
                         "' AND pid <> pg_backend_pid()");
    };
    {
        auto one =
            start_server(db.url, {"--seed-demo", "--no-rate-limits"}, {"KOPILKA_PG_CONNECTIONS=1"});
        const auto cards = demo_cards(db.url);
        const std::string till = api_key(db.url, "till");
        auto c = one->client();
        c->set_read_timeout(10, 0);
        const std::int64_t before = balance_of(*c, cards.at("demo-anna").qr);
        const Json first =
            post_receipt(*c, till, receipt_body(1, cards.at("demo-anna").card, 100000, 0).dump());
        const std::int64_t after = first["member"]["balance"].get<std::int64_t>();
        CHECK(after > before);
        const auto admin = bearer(api_key(db.url, "admin"));
        const auto current = c->Get("/v1/admin/program", admin);
        REQUIRE(current);
        REQUIRE(current->status == 200);
        Json program = Json::parse(current->body)["program"];
        program["bonus"]["earn_bp"] = 600;
        const auto publish = c->Put("/v1/admin/program", admin, program.dump(), "application/json");
        REQUIRE(publish);
        CHECK_MESSAGE(publish->status == 200, publish->body);
        CHECK(Json::parse(c->Get("/v1/admin/program", admin)->body)["version"] == 2);
        CHECK(balance_of(*c, cards.at("demo-anna").qr) == after);
        CHECK(connections() <= 2);  // the pool's one and the LISTEN one
    }

    auto two = start_server(db.url, {"--no-rate-limits"}, {"KOPILKA_PG_CONNECTIONS=2"});
    const auto cards = demo_cards(db.url);
    const std::string till = api_key(db.url, "till");
    const std::vector<std::string> members = {"demo-anna", "demo-boris", "demo-dace"};
    constexpr int kThreads = 16, kEach = 10;
    std::atomic<int> answered{0};
    std::atomic<std::int64_t> most{0};
    std::atomic<bool> done{false};
    std::mutex mutex;
    std::string first_wrong;
    std::thread watch([&] {
        while (!done) {
            const std::int64_t n = connections();
            if (n > most) most = n;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            auto client = two->client();
            client->set_read_timeout(30, 0);
            for (int i = 0; i < kEach; ++i) {
                const auto& card = cards.at(members[static_cast<std::size_t>(t + i) % 3]);
                const bool receipt = (t + i) % 2 == 0;
                const auto r =
                    receipt ? client->Post(
                                  "/v1/receipts", bearer(till),
                                  receipt_body(1000 + t * kEach + i, card.card, 1000, 0).dump(),
                                  "application/json")
                            : client->Post("/v1/members/lookup", Json{{"code", card.qr}}.dump(),
                                           "application/json");
                if (r && r->status == (receipt ? 201 : 200)) {
                    ++answered;
                    continue;
                }
                std::lock_guard<std::mutex> lock(mutex);
                if (first_wrong.empty())
                    first_wrong = r ? std::to_string(r->status) + " " + r->body : "no answer";
            }
        });
    for (auto& t : threads) t.join();
    done = true;
    watch.join();
    CHECK_MESSAGE(answered == kThreads * kEach, first_wrong);
    const std::int64_t seen = most;
    CHECK(seen <= 3);  // two in the pool and the LISTEN one
    CHECK(connections() <= 3);

    for (const char* bad : {"0", "1001", "ten", "-3", "16x"}) {
        ServerProcess s({"--db", db.url, "--quiet"},
                        {std::string("KOPILKA_PG_CONNECTIONS=") + bad});
        std::string why;
        CHECK_FALSE(s.start(&why));
        CHECK_MESSAGE(s.stderr_text().find("KOPILKA_PG_CONNECTIONS must be a whole number from 1 "
                                           "to 1000") != std::string::npos,
                      s.describe());
    }
}

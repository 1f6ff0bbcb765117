// Crash safety: kill -9 the server in the middle of a write load, start it again on the same
// database, and check that every acknowledged operation is there exactly once, that nothing
// is half-written (each operation has its receipt and its ledger entries), and that the
// ledger still balances.
#include <doctest/doctest.h>

#include <signal.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {
Json receipt(int n, const std::string& card) {
    char op[33];
    std::snprintf(op, sizeof op, "%032x", 0x1000 + n);
    return {{"operation_id", op},
            {"member", {{"card", card}}},
            {"redeem_points", n % 3 == 0 ? 30 : 0},
            {"receipt",
             {{"id", "K-" + std::to_string(n)},
              {"lines", {{{"sku", "tea"}, {"category", "food"}, {"unit_price", 25000}}}}}}};
}
}  // namespace

TEST_CASE("SIGKILL during a write load: every acknowledged operation survives exactly once") {
    DemoServer s({"--threads", "8"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    const RunResult key = run_program(
        {cli_binary(), "api-key", "--db", s.db, "--merchant", "demo", "--role", "till"});
    REQUIRE(key.exit_code == 0);
    const httplib::Headers auth = {
        {"Authorization", "Bearer " + json_lines(key.out).at(0).at("key").get<std::string>()}};
    const std::vector<std::string> members = {
        cards.at("demo-anna").card, cards.at("demo-boris").card, cards.at("demo-dace").card};

    std::mutex m;
    std::vector<Json> acknowledged;
    std::atomic<bool> stop{false};
    std::atomic<int> next{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t)
        writers.emplace_back([&] {
            auto c = s.server->client();
            while (!stop) {
                const int n = next++;
                const Json body = receipt(n, members[static_cast<std::size_t>(n) % members.size()]);
                const auto res = c->Post("/v1/receipts", auth, body.dump(), "application/json");
                if (!res) continue;  // the server is gone: not acknowledged
                if (res->status == 201) {
                    std::lock_guard<std::mutex> lock(m);
                    acknowledged.push_back(body);
                }
            }
        });
    // Let the load run, then kill the server without warning.
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    REQUIRE(::kill(s.server->pid(), SIGKILL) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
    for (auto& w : writers) w.join();
    s.server->stop();
    INFO("requests sent: " << next.load() << ", acknowledged: " << acknowledged.size());
    REQUIRE(acknowledged.size() > 20);  // the kill really hit a running load

    ServerProcess again({"--db", s.db});
    std::string why;
    REQUIRE_MESSAGE(again.start(&why), why);
    {
        Db db(s.db);
        std::int64_t demo_receipts = 6;
        CHECK(db.count("receipts") - demo_receipts ==
              db.count("operations"));  // nothing half-written
        CHECK(db.count("operations") >= static_cast<std::int64_t>(acknowledged.size()));
        CHECK(
            db.scalar(
                "SELECT COALESCE(SUM(json_extract(p.value, '$.amount')), 0) FROM member_entries e, "
                "json_each(e.body, '$.postings') p") == 0);
    }
    auto c = again.client();
    // Every acknowledged operation is stored (its id is the primary key: at most once) …
    {
        Db db(s.db);
        for (const Json& body : acknowledged)
            CHECK(db.scalar("SELECT COUNT(*) FROM operations WHERE op_id = ?1",
                            {body["operation_id"].get<std::string>()}) == 1);
    }
    // … and a replay of one gets its original answer (a sample: the till's rate limit).
    for (std::size_t i = 0; i < acknowledged.size();
         i += std::max<std::size_t>(1, acknowledged.size() / 40)) {
        const Json& body = acknowledged[i];
        const auto res = c->Post("/v1/receipts", auth, body.dump(), "application/json");
        REQUIRE(res);
        CHECK(res->status == 201);
        CHECK(res->get_header_value("Idempotent-Replayed") == "true");
    }
    // Balances shown equal the ledger on disk.
    Db db(s.db);
    for (const auto& [member, card] : cards) {
        INFO(member);
        const auto res =
            c->Post("/v1/members/lookup", Json{{"code", card.qr}}.dump(), "application/json");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        CHECK(Json::parse(res->body)["member"]["balance"].get<std::int64_t>() ==
              db.derived_balance("demo", member));
    }
    again.stop();
}

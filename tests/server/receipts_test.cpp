// POST /v1/receipts against a real kopilka-server: API-key auth, the quote and the ledger
// write, idempotent replays, conflicts naming the field, bad input leaving the database
// unchanged, and 200 concurrent redemptions against one balance that never overspend it.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

TEST_CASE_FIXTURE(WithDemoServer,
                  "receipts: auth, the quote written to the ledger, replays and conflicts") {
    const auto cards = demo_cards(s.db);
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    const std::string card = cards.at("demo-anna").card;
    const std::string body = receipt_body(1, card, 100000, 100).dump();

    auto res = c->Post("/v1/receipts", body, "application/json");
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(error_shape_problem(Json::parse(res->body)) == "");
    res = c->Post("/v1/receipts", bearer("kpk_till_AAAAAAAA_" + std::string(32, '0')), body,
                  "application/json");
    CHECK(res->status == 401);

    const std::int64_t before = balance_of(*c, cards.at("demo-anna").qr);
    const Json first = post_receipt(*c, till, body);
    const Json& q = first["quote"];
    CHECK(q["gross"] == 100000);
    CHECK(q["redeemed_points"] == 100);
    CHECK(q["paid"] == 90000);
    // 5 % of 900 ₽ with Silver's ×1.25 = 56.25 → 56 points.
    CHECK(q["points_earned"] == 56);
    CHECK(first["member"]["balance"] == before - 100 + 56);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == before - 100 + 56);
    Db db(s.db);
    CHECK(db.derived_balance("demo", "demo-anna") == before - 100 + 56);

    // The same request again: the original answer, nothing written twice.
    check_receipt_replayed(*c, till, body, first);
    CHECK(balance_of(*c, cards.at("demo-anna").qr) == before - 100 + 56);

    // The same id with other content is refused, naming the field.
    Json changed = receipt_body(1, card, 100000, 200);
    res = c->Post("/v1/receipts", bearer(till), changed.dump(), "application/json");
    CHECK(res->status == 409);
    CHECK(Json::parse(res->body)["error"]["field"] == "redeem_points");
    // A new id for a receipt already posted.
    changed = receipt_body(2, card, 100000, 0);
    changed["receipt"]["id"] = "R-1";
    res = c->Post("/v1/receipts", bearer(till), changed.dump(), "application/json");
    CHECK(res->status == 409);
    CHECK(Json::parse(res->body)["error"]["field"] == "receipt.id");
    CHECK(db.count("operations") == 1);
    CHECK(db.count("receipts") == 7);
}

TEST_CASE_FIXTURE(WithDemoServer, "receipts: bad input names the field and changes nothing") {
    const auto cards = demo_cards(s.db);
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    std::string dump_before;
    {
        Db db(s.db);
        dump_before = db.dump();
    }
    struct Bad {
        Json body;
        int status;
        const char* field;
    };
    Json bad_id = receipt_body(3, cards.at("demo-boris").card, 1000, 0);
    bad_id["operation_id"] = "xyz";
    Json bad_line = receipt_body(4, cards.at("demo-boris").card, -5, 0);
    Json no_receipt = receipt_body(5, cards.at("demo-boris").card, 1000, 0);
    no_receipt.erase("receipt");
    Json stranger = receipt_body(6, "2999999999992", 1000, 0);
    Json both = receipt_body(7, cards.at("demo-boris").card, 1000, 0);
    both["member"]["id"] = "demo-boris";
    Json typo = receipt_body(8, cards.at("demo-boris").card, 1000, 0);
    typo["redeem_pionts"] = 5;
    const Bad cases[] = {
        {bad_id, 400, "operation_id"},   {bad_line, 400, "receipt.lines[0].unit_price"},
        {no_receipt, 400, "receipt"},    {stranger, 404, "member.card"},
        {both, 400, "member"},           {typo, 400, "redeem_pionts"},
    };
    for (const Bad& b : cases) {
        INFO(b.body.dump());
        const auto res = c->Post("/v1/receipts", bearer(till), b.body.dump(), "application/json");
        REQUIRE(res);
        CHECK(res->status == b.status);
        const Json j = Json::parse(res->body, nullptr, false);
        CHECK(error_shape_problem(j) == "");
        CHECK(j["error"]["field"] == b.field);
    }
    const auto res = c->Post("/v1/receipts", bearer(till), "{not json", "application/json");
    CHECK(res->status == 400);
    Db db(s.db);
    CHECK(db.dump() == dump_before);
}

TEST_CASE("receipts: 200 concurrent redemptions against one balance never overspend it") {
    DemoServer s({"--threads", "16"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    const std::string till = api_key(s.db, "till");
    const std::string card = cards.at("demo-boris").card;  // 120 points
    const std::int64_t before = balance_of(*s.server->client(), cards.at("demo-boris").qr);
    std::atomic<std::int64_t> redeemed{0}, earned{0};
    std::atomic<int> created{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            auto c = s.server->client();
            c->set_read_timeout(20, 0);
            for (int i = t; i < 200; i += 8) {
                // Each asks for 50 points on a 100 ₽ receipt (cap: half → 50 points).
                const auto res =
                    c->Post("/v1/receipts", bearer(till),
                            receipt_body(100 + i, card, 10000, 50).dump(), "application/json");
                if (!res || res->status != 201) {
                    ++failed;
                    continue;
                }
                const Json j = Json::parse(res->body);
                redeemed += j["quote"]["redeemed_points"].get<std::int64_t>();
                earned += j["quote"]["points_earned"].get<std::int64_t>();
                ++created;
            }
        });
    for (auto& th : threads) th.join();
    CHECK(created == 200);
    CHECK(failed == 0);
    const std::int64_t after = balance_of(*s.server->client(), cards.at("demo-boris").qr);
    CHECK(after == before - redeemed + earned);
    CHECK(after >= 0);
    CHECK(redeemed <= before + earned);  // never more than there was
    Db db(s.db);
    CHECK(db.derived_balance("demo", "demo-boris") == after);
    CHECK(db.count("operations") == 200);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "returns: claw back exactly what the returned units earned, refund the points "
                  "that paid, in parts") {
    const auto cards = demo_cards(s.db);
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    const std::string qr = cards.at("demo-anna").qr;
    const std::int64_t before = balance_of(*c, qr);
    Json body = receipt_body(10, cards.at("demo-anna").card, 30000, 60);
    body["receipt"]["lines"][0]["quantity"] = 3;
    auto res = c->Post("/v1/receipts", bearer(till), body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    const Json q = Json::parse(res->body)["quote"];
    CHECK(q["redeemed_points"] == 60);
    CHECK(q["paid"] == 84000);
    CHECK(q["points_earned"] == 52);  // 5 % of 840 ₽ × 1.25 (Silver) = 52.5 → 52
    CHECK(balance_of(*c, qr) == before - 60 + 52);

    auto post_return = [&](int n, std::vector<std::int64_t> quantities) {
        const Json r = {
            {"operation_id", op_id(1000 + n)}, {"receipt_id", "R-10"}, {"quantities", quantities}};
        return c->Post("/v1/returns", bearer(till), r.dump(), "application/json");
    };
    res = post_return(1, {1});
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    Json ret = Json::parse(res->body)["return"];
    CHECK(ret["money_refund"] == 28000);
    CHECK(ret["points_refund"] == 20);
    CHECK(ret["points_clawback"] == 17);
    CHECK(balance_of(*c, qr) == before - 60 + 52 + 20 - 17);
    res = post_return(1, {1});  // a replay
    CHECK(res->status == 201);
    CHECK(res->get_header_value("Idempotent-Replayed") == "true");
    CHECK(balance_of(*c, qr) == before - 60 + 52 + 20 - 17);

    res = post_return(2, {3});  // only two are left
    CHECK(res->status == 400);
    CHECK(Json::parse(res->body)["error"]["field"] == "quantities[0]");
    res = post_return(3, {2});
    REQUIRE(res->status == 201);
    ret = Json::parse(res->body)["return"];
    CHECK(ret["money_refund"] == 56000);
    CHECK(ret["points_refund"] == 40);
    CHECK(ret["points_clawback"] == 35);
    CHECK(balance_of(*c, qr) == before);  // everything returned: back where it started
    Db db(s.db);
    CHECK(db.derived_balance("demo", "demo-anna") == before);

    const Json unknown = {
        {"operation_id", op_id(2000)}, {"receipt_id", "nope"}, {"quantities", {1}}};
    res = c->Post("/v1/returns", bearer(till), unknown.dump(), "application/json");
    CHECK(res->status == 404);
    CHECK(Json::parse(res->body)["error"]["field"] == "receipt_id");
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "receipts: a shopper without a card — kept for the reports, nothing earned, idempotent") {
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    Json body = receipt_body(7, "unused", 123400, 0);
    body.erase("member");
    body.erase("redeem_points");
    std::int64_t entries_before = 0;
    {
        Db db(s.db);
        entries_before = db.count("member_entries");
    }
    auto res = c->Post("/v1/receipts", bearer(till), body.dump(), "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 201, res->body);
    const Json first = Json::parse(res->body);
    CHECK(first["paid"] == 123400);
    CHECK(first["member"].is_null());
    res = c->Post("/v1/receipts", bearer(till), body.dump(), "application/json");
    CHECK(res->status == 201);
    CHECK(res->get_header_value("Idempotent-Replayed") == "true");
    body["redeem_points"] = 10;
    body["operation_id"] = op_id(8);
    res = c->Post("/v1/receipts", bearer(till), body.dump(), "application/json");
    CHECK(res->status == 400);
    CHECK(Json::parse(res->body)["error"]["field"] == "redeem_points");
    Db db(s.db);
    CHECK(db.count("member_entries") == entries_before);
    CHECK(db.scalar("SELECT COUNT(*) FROM receipts WHERE member_id = '' AND paid = 123400") == 1);
}

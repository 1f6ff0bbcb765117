// Stopping and restarting kopilka-server: SIGTERM ends it cleanly and quickly, and a second
// server on the same database file sees the same data without seeding it again.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {

Json lookup(ServerProcess& server, const std::string& code) {
    const auto res = server.client()->Post("/v1/members/lookup", Json{{"code", code}}.dump(),
                                           "application/json");
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    Json member = Json::parse(res->body)["member"];
    member.erase("as_of_ms");
    return member;
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer, "SIGTERM stops the server with exit status 0 within 2 s") {
    const auto res = s.server->client()->Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);

    const int port = s.server->port();
    const int code = s.server->stop(std::chrono::seconds(5));
    INFO(s.server->describe());
    CHECK(code == 0);
    CHECK(s.server->stop_duration().count() < 2000);  // ms
    CHECK(s.server->stderr_text().find("SIGTERM received") != std::string::npos);

    httplib::Client after("127.0.0.1", port);
    after.set_connection_timeout(1, 0);
    CHECK_FALSE(after.Get("/healthz"));  // nobody listens any more
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "SIGTERM with an idle keep-alive connection open still exits within 2 s") {
    auto client = s.server->client();
    client->set_keep_alive(true);  // as a browser or kiosk would hold it
    const auto res = client->Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
    // Idle for a moment: the server's worker is now waiting for the next request on it.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    const int code = s.server->stop(std::chrono::seconds(10));
    INFO(s.server->describe());
    CHECK(code == 0);
    CHECK(s.server->stop_duration().count() < 2000);  // ms
}

TEST_CASE("a second server on the same database file sees the same data and seeds nothing twice") {
    DemoServer first;
    REQUIRE_MESSAGE(first.ok, first.why);
    CHECK(first.server->stdout_text().find("seeded demo data: 3 members") != std::string::npos);
    const auto cards = demo_cards(first.db);
    REQUIRE(cards.size() == 3);
    std::map<std::string, Json> seen;
    for (const auto& [member, card] : cards) seen[member] = lookup(*first.server, card.qr);
    REQUIRE(first.server->stop() == 0);

    std::string dump_before;
    {
        Db db(first.db);
        CHECK(db.count("members") == 3);
        dump_before = db.dump();
    }

    ServerProcess second({"--db", first.db, "--seed-demo"});
    std::string why;
    REQUIRE_MESSAGE(second.start(&why), why);
    INFO(second.describe());
    CHECK(second.stdout_text().find("seeded") == std::string::npos);
    {
        Db db(first.db);
        CHECK(db.count("members") == 3);
        CHECK(db.count("merchants") == 1);
        CHECK(db.count("programs") == 1);
        CHECK(db.count("schema_migrations") == 13);
        CHECK(db.dump() == dump_before);
    }
    // The QR payloads printed for the first server still work: same secret, same ledger.
    CHECK(demo_cards(first.db).size() == 3);
    for (const auto& [member, card] : cards) {
        INFO(member);
        CHECK(lookup(second, card.qr) == seen[member]);
    }
    CHECK(second.stop() == 0);
}

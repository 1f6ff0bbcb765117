// Several kopilka-server processes started at the same moment on one empty PostgreSQL
// database: every one of them comes up, the schema is migrated once, the demo data is
// seeded once, and all of them then answer the same.
#include <doctest/doctest.h>

#include <future>
#include <thread>

#include "pg_database.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

TEST_CASE(
    "PostgreSQL: four servers starting together on an empty database migrate and seed it once") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    constexpr int kServers = 4;
    std::vector<std::unique_ptr<ServerProcess>> servers;
    for (int i = 0; i < kServers; ++i)
        servers.push_back(std::make_unique<ServerProcess>(
            std::vector<std::string>{"--db", db.url, "--seed-demo", "--quiet"}));
    std::vector<std::string> why(kServers);
    std::vector<int> started(kServers, 0);
    // Each server is started from its own thread, at once. The threads live until the end
    // of the test: a child started with PR_SET_PDEATHSIG dies with the thread that forked it.
    std::promise<void> finished;
    std::shared_future<void> end = finished.get_future().share();
    std::vector<std::promise<void>> up(kServers);
    std::vector<std::thread> starting;
    struct Join {  // also when a REQUIRE leaves the test early
        std::promise<void>& finished;
        std::vector<std::thread>& threads;
        ~Join() {
            finished.set_value();
            for (auto& t : threads) t.join();
        }
    } join{finished, starting};
    for (int i = 0; i < kServers; ++i)
        starting.emplace_back([&, i] {
            started[i] = servers[i]->start(&why[i], std::chrono::seconds(20)) ? 1 : 0;
            up[i].set_value();
            end.wait();
        });
    for (auto& u : up) u.get_future().wait();
    for (int i = 0; i < kServers; ++i) CHECK_MESSAGE(started[i] == 1, why[i]);

    CHECK(db.scalar("SELECT COUNT(*) FROM schema_migrations") == 19);
    CHECK(db.scalar("SELECT COUNT(DISTINCT version) FROM schema_migrations") == 19);
    CHECK(db.scalar("SELECT COUNT(*) FROM merchants") == 1);
    CHECK(db.scalar("SELECT COUNT(*) FROM members") == 3);
    CHECK(db.scalar("SELECT COUNT(*) FROM programs") == 1);

    const auto cards = demo_cards(db.url);
    for (int i = 0; i < kServers; ++i) {
        if (!started[i]) continue;
        INFO("server " << i << ": " << servers[i]->describe());
        CHECK(balance_of(*servers[i]->client(), cards.at("demo-anna").qr) == 1250);
    }
    for (auto& s : servers) CHECK(s->stop() == 0);
}

// Stopping and restarting kopilka-server: SIGTERM ends it cleanly and quickly, drains
// (requests in flight answered, new connections refused), and a second server on the same
// database file sees the same data without seeding it again.
#include <doctest/doctest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "raw_http.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

namespace raw = kopilka::test::raw_http;

// Sends a request's head with Expect: 100-continue and waits for the server's 100 Continue, so
// the server has read the head; then its body, all of it or all but the last byte.
bool begin_request(raw::Connection& c, const std::string& request, bool hold_last_byte,
                   raw::Clock::time_point deadline) {
    const std::size_t head_end = request.find("\r\n\r\n") + 2;
    const std::string head = request.substr(0, head_end) + "Expect: 100-continue\r\n\r\n";
    const std::string body = request.substr(head_end + 2);
    if (c.fd() < 0 || !c.send(head, deadline)) return false;
    std::string got;
    char buf[256];
    while (got.find("\r\n\r\n") == std::string::npos && raw::Clock::now() < deadline) {
        pollfd p{c.fd(), POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) continue;
        const ssize_t n = ::recv(c.fd(), buf, sizeof buf, 0);
        if (n <= 0) return false;
        got.append(buf, static_cast<std::size_t>(n));
    }
    if (got.rfind("HTTP/1.1 100 ", 0) != 0) return false;
    return c.send(hold_last_byte ? body.substr(0, body.size() - 1) : body, deadline);
}

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

TEST_CASE("SIGTERM drains: requests in flight are answered, new connections are refused") {
    // One worker, so the burst below queues behind it and is still in flight at the signal.
    DemoServer s({"--threads", "1"});
    REQUIRE_MESSAGE(s.ok, s.why);
    INFO(s.server->describe());
    const std::string till = api_key(s.db, "till");
    const auto cards = demo_cards(s.db);
    REQUIRE(cards.size() == 3);
    const std::string card = cards.begin()->second.card;
    const int port = s.server->port();
    const std::int64_t receipts_before = Db(s.db).count("receipts");  // the demo's own
    const auto deadline = raw::Clock::now() + std::chrono::seconds(20);
    auto receipt = [&](int n) {
        return raw::serialize(
            "POST", "/v1/receipts",
            {{"Authorization", "Bearer " + till}, {"Content-Type", "application/json"}},
            receipt_body(n, card, 1000 + n, 0).dump());
    };

    // In flight at the signal, each with its head read: a request whose last byte is held
    // back, and a burst queued for the one worker.
    const std::string held = receipt(0);
    raw::Connection arriving(port, deadline);
    REQUIRE(begin_request(arriving, held, true, deadline));
    std::vector<std::unique_ptr<raw::Connection>> burst;
    for (int n = 1; n <= 16; ++n) {
        burst.push_back(std::make_unique<raw::Connection>(port, deadline));
        REQUIRE(begin_request(*burst.back(), receipt(n), false, deadline));
    }
    // Not begun: a kept-alive connection after its first answer, and a head half sent.
    raw::Connection idle(port, deadline);
    REQUIRE(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", deadline));
    REQUIRE(idle.read_response(deadline).status == 200);
    raw::Connection slow_head(port, deadline);
    REQUIRE(slow_head.send("POST /v1/receipts HTTP/1.1\r\nHost: 127.0.0.1\r\n", deadline));

    REQUIRE(::kill(s.server->pid(), SIGTERM) == 0);
    REQUIRE(s.server->wait_for_stderr(
        [](const std::string& err) { return err.find("SIGTERM received") != std::string::npos; }));
    // While the held request keeps it draining, a new connection is refused (or, in the moment
    // before the listener closes, answered 503 draining).
    bool refused = false;
    while (!refused && raw::Clock::now() < deadline) {
        raw::Connection late(port, deadline);
        if (late.fd() < 0) {
            refused = true;
            break;
        }
        if (late.send(raw::serialize("GET", "/healthz"), deadline)) {
            const auto res = late.read_response(deadline);
            if (res.error.empty()) {
                CHECK(res.status == 503);
                CHECK(res.body.find("\"draining\"") != std::string::npos);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(refused);
    CHECK(idle.closed_within(raw::Clock::now() + std::chrono::seconds(1)));
    CHECK(slow_head.closed_within(raw::Clock::now() + std::chrono::seconds(1)));

    REQUIRE(arriving.send(held.substr(held.size() - 1), deadline));  // the held byte
    const auto answer = arriving.read_response(deadline);
    CHECK_MESSAGE(answer.status == 201, answer.error, answer.body);
    CHECK(answer.header("connection") == "close");
    for (auto& c : burst) {
        const auto res = c->read_response(deadline);
        CHECK_MESSAGE(res.status == 201, res.error, res.body);
    }
    CHECK(s.server->stop(std::chrono::seconds(10)) == 0);
    // The held receipt at least was handled after the signal (its log line comes after it).
    const std::string err = s.server->stderr_text();
    const auto signalled = err.find("SIGTERM received");
    REQUIRE(signalled != std::string::npos);
    CHECK(err.find("\"route\":\"/v1/receipts\"", signalled) != std::string::npos);
    // Every one of the 17 receipts is stored once.
    CHECK(Db(s.db).count("receipts") == receipts_before + 17);
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
        CHECK(db.count("schema_migrations") == 19);
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

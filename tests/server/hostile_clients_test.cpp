// The server under hostile and careless clients: bytes that are not UTF-8 (or are control
// characters) anywhere in a request, heads and bodies that trickle in, idle connections by
// the thousand, too many connections from one address, bursts of new connections. One
// client must never stop or starve the server for the others.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <chrono>
#include <thread>
#include <vector>

#include "raw_http.hpp"
#include "receipt_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;
using raw_http::Clock;
using raw_http::Connection;
using std::chrono::milliseconds;

namespace {
std::string get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n";
}

std::string post(const std::string& target, const std::string& body,
                 const std::string& extra_headers = "") {
    return "POST " + target +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

Clock::time_point in(int ms) { return Clock::now() + milliseconds(ms); }

// A connection from `from`, for the tests that hold many.
std::unique_ptr<Connection> open(const ServerProcess& server,
                                 const std::string& from = "127.0.0.1") {
    return std::make_unique<Connection>(server.port(), in(3000), from);
}

int status_of_get(const ServerProcess& server, const std::string& target) {
    return raw_http::exchange(server.port(), get(target), milliseconds(3000)).status;
}

bool alive(const ServerProcess& server) { return server.running() && ::kill(server.pid(), 0) == 0; }

// The p-th percentile (0..100) of samples, nearest rank.
double percentile(std::vector<double> samples, double p) {
    std::sort(samples.begin(), samples.end());
    const auto rank =
        static_cast<std::size_t>(p / 100.0 * static_cast<double>(samples.size()) + 0.5);
    return samples[std::min(samples.size() - 1, rank == 0 ? 0 : rank - 1)];
}
}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "bytes that are not UTF-8, or are control characters, anywhere in a request: 400 "
                  "naming where, and the server goes on") {
    const std::string admin = "Authorization: Bearer " + api_key(s.db, "admin") + "\r\n";
    struct Case {
        const char* name;
        std::string request;
        const char* field;
    };
    const Case cases[] = {
        {"percent-encoded 0xFF in the path", get("/%FF"), "path"},
        {"a raw 0xFF in the path", get("/\xff"), ""},
        {"a member id that is not UTF-8, no credentials", get("/v1/admin/members/%FF"), "path"},
        {"a member id that is not UTF-8, admin key", get("/v1/admin/members/%FF", admin), "path"},
        {"a member id with a NUL", get("/v1/admin/members/t-bad%00x", admin), "path"},
        {"a search that is not UTF-8", get("/v1/admin/members?q=%FF%FE", admin), "query.q"},
        {"a cursor that is not UTF-8", get("/v1/admin/members?after=%FF", admin), "query.after"},
        {"a lookup code with a control character", get("/v1/members/lookup?code=12%0A34"),
         "query.code"},
        {"a broken percent escape", get("/v1/members/lookup?code=%G1"), "query.code"},
        {"an X-Request-Id that is not UTF-8", get("/healthz", "X-Request-Id: \xff\xfe\r\n"),
         "X-Request-Id"},
        {"a User-Agent that is not UTF-8", get("/healthz", "User-Agent: \xc3\x28\r\n"),
         "User-Agent"},
        {"a body that is not UTF-8", post("/v1/members/lookup", "{\"code\":\"\xff\xfe\"}"), ""},
    };
    for (const Case& c : cases) {
        INFO(c.name);
        const auto answer = raw_http::exchange(s.server->port(), c.request, milliseconds(3000));
        CHECK(answer.status == 400);
        const Json body = Json::parse(answer.body, nullptr, false);  // strict: UTF-8 only
        CHECK(error_shape_problem(body) == "");
        if (*c.field) CHECK(body["error"].value("field", "") == c.field);
        CHECK(answer.header("x-request-id") != "");
        REQUIRE(alive(*s.server));
        CHECK(status_of_get(*s.server, "/healthz") == 200);
    }
    CHECK(s.server->stderr_text().find("terminate called") == std::string::npos);
    // Every one of them has its log line, and the log is JSON throughout. The lines are read
    // from the server's stderr by another thread: the last may still be on its way.
    const std::size_t expected = 2 * std::size(cases);
    s.server->wait_for_stderr(
        [&](const std::string& err) { return json_lines(err).size() >= expected; });
    CHECK(s.server->log_lines().size() >= expected);
}

TEST_CASE(
    "a request that trickles in is cut off at its deadline; the others are served meanwhile") {
    DemoServer s({"--request-deadline-s", "2"});
    REQUIRE_MESSAGE(s.ok, s.why);
    for (const bool in_body : {false, true}) {
        INFO((in_body ? "a slow body" : "a slow head"));
        const auto slow = open(*s.server);
        REQUIRE(slow->fd() >= 0);
        const std::string start =
            in_body ? post("/v1/members/lookup", std::string(200, ' ')).substr(0, 120)
                    : "GET /healthz HTTP/1.1\r\n";
        const auto t0 = Clock::now();
        REQUIRE(slow->send(start, in(1000)));
        bool cut = false;
        for (int i = 0; i < 40 && !cut; ++i) {  // a byte every 150 ms: never a whole request
            cut = !slow->send("X", in(1000)) || slow->closed_within(in(150));
            if (i == 3) CHECK(status_of_get(*s.server, "/healthz") == 200);
        }
        const double ms = ms_since(t0);
        CHECK(cut);
        CHECK(ms >= 1800);
        CHECK(ms <= 3500);
    }
    CHECK(alive(*s.server));
}

TEST_CASE(
    "an idle kept-alive connection is closed after its idle time and holds no worker meanwhile") {
    DemoServer s({"--keep-alive-idle-s", "1", "--threads", "1"});
    REQUIRE_MESSAGE(s.ok, s.why);
    std::vector<std::unique_ptr<Connection>> idle;
    for (int i = 0; i < 20; ++i) {
        idle.push_back(open(*s.server));
        REQUIRE(idle.back()->send(get("/healthz"), in(1000)));
        CHECK(idle.back()->read_response(in(2000)).status == 200);
    }
    // One worker, twenty kept-alive connections: another client is still served at once.
    const auto t0 = Clock::now();
    CHECK(status_of_get(*s.server, "/healthz") == 200);
    CHECK(ms_since(t0) < 500);
    for (auto& c : idle) CHECK(c->closed_within(in(2500)));
}

TEST_CASE("too many connections from one address: the next gets 503, other addresses are served") {
    DemoServer s({"--connections-per-address-max", "5"});
    REQUIRE_MESSAGE(s.ok, s.why);
    std::vector<std::unique_ptr<Connection>> held;
    for (int i = 0; i < 5; ++i) {
        held.push_back(open(*s.server, "127.0.0.2"));
        REQUIRE(held.back()->fd() >= 0);
    }
    const auto extra = open(*s.server, "127.0.0.2");
    REQUIRE(extra->fd() >= 0);
    const auto refused = extra->read_response(in(2000));
    CHECK(refused.status == 503);
    CHECK(Json::parse(refused.body, nullptr, false)["error"].value("code", "") ==
          "too_many_connections");
    CHECK(extra->closed_within(in(3000)));
    CHECK(status_of_get(*s.server, "/healthz") == 200);  // from 127.0.0.1
    // One of the five lets go: the address may connect again.
    held.pop_back();
    bool served = false;
    for (int i = 0; i < 20 && !served; ++i) {
        std::this_thread::sleep_for(milliseconds(50));
        const auto again = open(*s.server, "127.0.0.2");
        served =
            again->send(get("/healthz"), in(1000)) && again->read_response(in(1000)).status == 200;
    }
    CHECK(served);
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "a burst of 600 new connections from three addresses is taken at once (listen backlog)") {
    REQUIRE(raw_http::raise_open_files_limit() > 1000);
    std::vector<int> fds;
    const auto t0 = Clock::now();
    for (int i = 0; i < 600; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(0x7F000000u + 10u + static_cast<unsigned>(i % 3));
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(s.server->port()));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
        ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        fds.push_back(fd);
    }
    // Every connection completes and is answered; nothing waits for a SYN to be sent again.
    // An answer is 200, or 503 "busy" when more requests wait for a worker than the queue
    // holds (the server sheds load rather than queueing without limit).
    const std::string request = get("/healthz");
    std::size_t answered = 0, ok = 0;
    std::vector<bool> sent(fds.size(), false), done(fds.size(), false);
    while (answered < fds.size() && ms_since(t0) < 5000) {
        std::vector<pollfd> polls;
        for (std::size_t i = 0; i < fds.size(); ++i)
            if (!done[i])
                polls.push_back({fds[i], static_cast<short>(sent[i] ? POLLIN : POLLOUT), 0});
        if (::poll(polls.data(), polls.size(), 100) <= 0) continue;
        for (const auto& p : polls) {
            const std::size_t i =
                static_cast<std::size_t>(std::find(fds.begin(), fds.end(), p.fd) - fds.begin());
            if ((p.revents & POLLOUT) && !sent[i]) {
                sent[i] = ::send(p.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                          static_cast<ssize_t>(request.size());
            } else if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                char buf[1024];
                const ssize_t n = ::recv(p.fd, buf, sizeof buf, 0);
                done[i] = true;
                const std::string head = n > 12 ? std::string(buf, 12) : std::string();
                answered += head == "HTTP/1.1 200" || head == "HTTP/1.1 503";
                ok += head == "HTTP/1.1 200";
            }
        }
    }
    const double ms = ms_since(t0);
    for (const int fd : fds) ::close(fd);
    MESSAGE("600 connections opened and answered in " << ms << " ms (" << ok << " with 200, "
                                                      << answered - ok << " with 503 busy)");
    CHECK(answered == fds.size());
    CHECK(ok >= fds.size() / 2);
    CHECK(ms < 1000);  // a dropped SYN is sent again after 1 s
}

TEST_CASE("1 000 idle connections and 100 one-byte-a-second clients don't slow 20 lookups down") {
    DemoServer s({"--anonymous-burst", "100000"});
    REQUIRE_MESSAGE(s.ok, s.why);
    REQUIRE(raw_http::raise_open_files_limit() > 1300);
    const std::string qr = demo_cards(s.db).at("demo-anna").qr;
    auto client = s.server->client();
    auto lookup_ms = [&] {
        const auto t0 = Clock::now();
        const auto res =
            client->Post("/v1/members/lookup", Json{{"code", qr}}.dump(), "application/json");
        const double ms = ms_since(t0);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return ms;
    };
    for (int i = 0; i < 20; ++i) lookup_ms();  // warm up
    std::vector<double> normal;
    for (int i = 0; i < 200; ++i) normal.push_back(lookup_ms());
    const double normal_p99 = percentile(normal, 99);

    // 1 000 idle connections from ten addresses (100 each, under the per-address cap), and
    // 100 clients that send a request head one byte a second from an eleventh.
    std::vector<std::unique_ptr<Connection>> idle, slow;
    for (int i = 0; i < 1000; ++i) {
        idle.push_back(open(*s.server, "127.0.1." + std::to_string(1 + i / 100)));
        REQUIRE(idle.back()->fd() >= 0);
    }
    for (int i = 0; i < 100; ++i) {
        slow.push_back(open(*s.server, "127.0.2.1"));
        REQUIRE(slow.back()->fd() >= 0);
    }
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        const std::string head = "POST /v1/members/lookup HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
        for (std::size_t k = 0; k < head.size() && !stop; ++k) {
            for (auto& c : slow) c->send(head.substr(k, 1), in(100));
            for (int t = 0; t < 10 && !stop; ++t) std::this_thread::sleep_for(milliseconds(100));
        }
    });
    std::this_thread::sleep_for(milliseconds(2500));  // the trickle is under way
    // 20 lookups, all within twice the normal p99, or 50 ms when that is more: a lookup that
    // waits for a worker held by a slow client waits a second (the trickle's pace), while a
    // machine of two cores busy with other work stalls one for a few ms. One more set of 20
    // is measured if the first misses; a flood that slows lookups fails both.
    const double bound = std::max(2 * normal_p99, 50.0);
    std::vector<double> flooded;
    for (int attempt = 0; attempt < 2; ++attempt) {
        flooded.clear();
        for (int i = 0; i < 20; ++i) flooded.push_back(lookup_ms());
        if (*std::max_element(flooded.begin(), flooded.end()) <= bound) break;
        MESSAGE("attempt " << attempt + 1 << ": worst of 20 "
                           << *std::max_element(flooded.begin(), flooded.end()) << " ms");
    }
    stop = true;
    trickle.join();
    const double worst = *std::max_element(flooded.begin(), flooded.end());
    MESSAGE("lookups: normal p50 " << percentile(normal, 50) << " ms, p99 " << normal_p99
                                   << " ms; with 1 000 idle and 100 slow "
                                      "connections p50 "
                                   << percentile(flooded, 50) << " ms, worst of 20 " << worst
                                   << " ms");
    for (const double ms : flooded) CHECK(ms <= bound);
    CHECK(alive(*s.server));
}

TEST_CASE(
    "more requests at once than workers and queue hold: the rest get 503 busy at once, not a "
    "wait") {
    DemoServer s({"--threads", "1", "--queue-max", "1"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const std::string body = Json{{"code", demo_cards(s.db).at("demo-anna").qr}}.dump();
    std::vector<raw_http::Outgoing> burst(50, {s.server->port(), post("/v1/members/lookup", body)});
    const auto answers = raw_http::send_together(burst);
    int ok = 0, busy = 0;
    for (const auto& a : answers) {
        INFO(a.error);
        if (a.status == 200) ++ok;
        if (a.status != 503) continue;
        ++busy;
        CHECK(a.header("retry-after") == "1");
        CHECK(Json::parse(a.body, nullptr, false)["error"].value("code", "") == "busy");
    }
    MESSAGE(ok << " answered, " << busy << " told the server is busy");
    CHECK(ok + busy == 50);
    CHECK(ok >= 1);    // at least the first, which found the queue empty
    CHECK(busy >= 1);  // one worker can't have kept up with 50 at once
    CHECK(status_of_get(*s.server, "/healthz") == 200);
}

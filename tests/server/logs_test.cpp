// Request logs: one JSON line per request on stderr with route, status, latency and request
// id; a client's X-Request-Id is echoed in the response and the log.
#include <doctest/doctest.h>

#include <chrono>
#include <set>
#include <thread>

#include "raw_http.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

std::vector<Json> lines_with_id(const ServerProcess& s, const std::string& id) {
    std::vector<Json> out;
    for (const Json& j : s.log_lines())
        if (j.value("request_id", "") == id) out.push_back(j);
    return out;
}

bool has_log_line(const ServerProcess& s, const std::string& id) {
    return s.wait_for_stderr([&](const std::string& err) {
        return err.find("\"request_id\":\"" + id + "\"") != std::string::npos;
    });
}

// Waits for `n` request log lines in total (lines with a "route").
std::vector<Json> wait_for_requests(const ServerProcess& s, std::size_t n) {
    s.wait_for_stderr([&](const std::string& err) {
        std::size_t k = 0;
        for (const Json& j : json_lines(err)) k += j.contains("route");
        return k >= n;
    });
    std::vector<Json> out;
    for (const Json& j : s.log_lines())
        if (j.contains("route")) out.push_back(j);
    return out;
}

bool is_hex_id(const std::string& s) {
    if (s.size() != 32) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_line_shape(const Json& line) {
    INFO(line.dump());
    for (const char* k :
         {"ts_ms", "method", "route", "status", "latency_ms", "merchant", "request_id"})
        CHECK(line.contains(k));
    CHECK(line["route"].is_string());
    CHECK(line["status"].is_number_integer());
    CHECK(line["request_id"].is_string());
    REQUIRE(line["latency_ms"].is_number());
    CHECK(line["latency_ms"].get<double>() >= 0.0);
    CHECK(line["latency_ms"].get<double>() < 2000.0);  // these requests are all quick
}

}  // namespace

TEST_CASE_FIXTURE(
    WithDemoServer,
    "each request logs exactly one JSON line with route, status, latency and request id") {
    const auto cards = demo_cards(s.db);
    auto client = s.server->client();
    const std::string qr = cards.at("demo-anna").qr;

    struct Call {
        std::string id, method, path, query, body;
        int status;
        std::string merchant;
    };
    const std::vector<Call> calls = {
        {"req-health", "GET", "/healthz", "", "", 200, ""},
        {"req-get-ok", "GET", "/v1/members/lookup", "?code=" + url_encode(qr), "", 200, "demo"},
        {"req-post-ok", "POST", "/v1/members/lookup", "", Json{{"code", qr}}.dump(), 200, "demo"},
        {"req-post-bad", "POST", "/v1/members/lookup", "", "{", 400, ""},
        {"req-get-missing", "GET", "/v1/members/lookup", "", "", 400, ""},
        {"req-unknown-route", "GET", "/nowhere", "", "", 404, ""},
        {"req-too-large", "POST", "/v1/members/lookup", "", std::string(100 * 1024, ' '), 413, ""},
    };
    for (const Call& c : calls) {
        INFO(c.id);
        const httplib::Headers h = {{"X-Request-Id", c.id}};
        const auto res = c.method == "GET"
                             ? client->Get((c.path + c.query).c_str(), h)
                             : client->Post(c.path.c_str(), h, c.body, "application/json");
        REQUIRE(res);
        CHECK(res->status == c.status);
        CHECK(res->get_header_value("X-Request-Id") == c.id);
        CHECK(has_log_line(*s.server, c.id));
    }
    INFO(s.server->stderr_text());
    for (const Call& c : calls) {
        INFO(c.id);
        const auto lines = lines_with_id(*s.server, c.id);
        REQUIRE(lines.size() == 1);
        const Json& line = lines[0];
        check_line_shape(line);
        CHECK(line["method"] == c.method);
        CHECK(line["route"] == c.path);  // the path only: card codes in queries stay out of logs
        CHECK(line["status"] == c.status);
        CHECK(line["merchant"] == c.merchant);
    }
    // Nothing but these requests was logged.
    CHECK(wait_for_requests(*s.server, calls.size()).size() == calls.size());
    CHECK(s.server->stderr_text().find(qr) == std::string::npos);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "X-Request-Id: abc is echoed in the response header and the log line") {
    const auto res = s.server->client()->Get("/healthz", {{"X-Request-Id", "abc"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("X-Request-Id") == "abc");
    REQUIRE(has_log_line(*s.server, "abc"));
    const auto lines = lines_with_id(*s.server, "abc");
    REQUIRE(lines.size() == 1);
    check_line_shape(lines[0]);
    CHECK(lines[0]["route"] == "/healthz");
    CHECK(lines[0]["status"] == 200);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "without X-Request-Id each request gets a fresh id, echoed and logged") {
    auto client = s.server->client();
    std::set<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        const auto res = client->Get("/healthz");
        REQUIRE(res);
        const std::string id = res->get_header_value("X-Request-Id");
        CHECK(is_hex_id(id));
        ids.insert(id);
        REQUIRE(has_log_line(*s.server, id));
        CHECK(lines_with_id(*s.server, id).size() == 1);
    }
    CHECK(ids.size() == 3);
}

TEST_CASE("--quiet logs no request lines") {
    DemoServer s({"--quiet"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto res = s.server->client()->Get("/healthz", {{"X-Request-Id", "quiet-1"}});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("X-Request-Id") == "quiet-1");
    REQUIRE(s.server->stop() == 0);  // all output is in once the process is gone
    CHECK(s.server->stderr_text().find("quiet-1") == std::string::npos);
    for (const Json& j : s.server->log_lines()) CHECK_FALSE(j.contains("route"));
}

// The HTTP layer answers some requests itself before any route runs (a request target over
// 8 KiB: 414; a request line it can't parse: 400). They still reach the request log and must not
// carry another request's id or a latency timed from another request's start.
TEST_CASE("requests refused before routing are logged with their own id and latency") {
    DemoServer s({"--threads", "1"});  // one worker: every request runs on the same thread
    REQUIRE_MESSAGE(s.ok, s.why);
    auto client = s.server->client();
    using Clock = std::chrono::steady_clock;
    auto ms_since = [](Clock::time_point t0) {
        return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    };

    const auto first = client->Get("/healthz", {{"X-Request-Id", "earlier-request"}});
    REQUIRE(first);
    REQUIRE(has_log_line(*s.server, "earlier-request"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));

    const std::string long_target = "/v1/members/lookup?code=" + std::string(9000, '1');
    auto t0 = Clock::now();
    const auto res = client->Get(long_target.c_str(), {{"X-Request-Id", "long-uri"}});
    const double long_ms = ms_since(t0);
    REQUIRE(res);
    CHECK(res->status == 414);
    CHECK(error_shape_problem(Json::parse(res->body, nullptr, false)) == "");

    t0 = Clock::now();
    const auto reply =
        raw_http::exchange(s.server->port(), "NONSENSE\r\n\r\n", std::chrono::seconds(3));
    const double raw_ms = ms_since(t0);
    CHECK(reply.status == 400);

    const auto lines = wait_for_requests(*s.server, 3);
    INFO(s.server->stderr_text());
    REQUIRE(lines.size() == 3);
    CHECK(lines_with_id(*s.server, "earlier-request").size() == 1);
    const double client_ms[3] = {0, long_ms, raw_ms};
    for (std::size_t i = 1; i < 3; ++i) {
        INFO(lines[i].dump() << " (client saw " << client_ms[i] << " ms)");
        CHECK(lines[i]["status"] == (i == 1 ? 414 : 400));
        CHECK(lines[i]["request_id"] != "earlier-request");
        CHECK(lines[i]["request_id"] != "");
        check_line_shape(lines[i]);
        // The server can't have spent longer on a request than the client waited for it.
        if (lines[i]["latency_ms"].is_number())
            CHECK(lines[i]["latency_ms"].get<double>() <= client_ms[i] + 5.0);
    }
    // The id in the log is the one the client got back, so the two can be matched up.
    CHECK(res->get_header_value("X-Request-Id") == lines[1].value("request_id", ""));
}

TEST_CASE("the environment configures the server like its flags") {
    TempDir dir;
    ServerProcess server({"--db", dir.file("k.sqlite"), "--seed-demo"},
                         {"KOPILKA_BODY_BYTES_MAX=100", "KOPILKA_QUIET=1"});
    std::string why;
    REQUIRE_MESSAGE(server.start(&why), why);
    auto c = server.client();
    const auto big = c->Post("/v1/members/lookup", Json{{"code", std::string(150, '1')}}.dump(),
                             "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);
    CHECK(c->Get("/healthz")->status == 200);
    CHECK(server.log_lines().empty());  // KOPILKA_QUIET=1

    const RunResult bad = run_program({"/usr/bin/env", "KOPILKA_THREADS=0", server_binary(),
                                       "--port", "0", "--db", dir.file("k.sqlite")});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("KOPILKA_THREADS") != std::string::npos);
}

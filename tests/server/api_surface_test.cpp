// The server's surface: the OpenAPI document matches what is served, Prometheus metrics
// count requests by route template, anonymous callers are rate-limited with the standard
// headers, and one merchant's credentials see nothing of another merchant's members.
#include <doctest/doctest.h>

#include "server_process.hpp"

using namespace kopilka::test;

namespace {
std::string cli_json_field(const std::vector<std::string>& argv, const char* field) {
    const RunResult r = run_program(argv);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return json_lines(r.out).at(0).at(field).get<std::string>();
}
}  // namespace

TEST_CASE_FIXTURE(
    WithDemoServer,
    "/v1/openapi.json documents every route, and every documented operation answers") {
    auto c = s.server->client();
    const auto res = c->Get("/v1/openapi.json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    const Json doc = Json::parse(res->body, nullptr, false);
    REQUIRE(doc.is_object());
    CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
    int operations = 0;
    for (const auto& path : doc["paths"].items())
        for (const auto& op : path.value().items()) {
            ++operations;
            INFO(op.key() << " " << path.key());
            const std::string& method = op.key();
            const char* p = path.key().c_str();  // "{id}" stands in for an id: an unknown one
            const auto r = method == "get"   ? c->Get(p)
                           : method == "put" ? c->Put(p, "{}", "application/json")
                           : method == "delete" ? c->Delete(p)
                                                : c->Post(p, "{}", "application/json");
            REQUIRE(r);
            CHECK(r->status != 405);
            if (r->status == 404)
                CHECK(Json::parse(r->body)["error"]["code"] != "not_found");  // not "no route"
            CHECK_FALSE(op.value()["responses"].empty());
        }
    CHECK(operations >= 6);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "/metrics counts requests by route template and status, in Prometheus text") {
    auto c = s.server->client();
    c->Get("/healthz");
    c->Get("/healthz");
    c->Get("/v1/members/lookup?code=K1%3ADEMO%3A1%3A0000000000000000");
    c->Get("/no/such/route");
    const auto res = c->Get("/metrics");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
    const std::string& text = res->body;
    CHECK(text.find("# TYPE kopilka_http_requests_total counter") != std::string::npos);
    CHECK(text.find("route=\"/healthz\"") != std::string::npos);
    CHECK(text.find("route=\"/v1/members/lookup\"") != std::string::npos);
    CHECK(text.find("route=\"unmatched\"") != std::string::npos);
    CHECK(text.find("/no/such/route") == std::string::npos);  // raw paths never become labels
    CHECK(text.find("kopilka_http_request_duration_ms_bucket") != std::string::npos);
}

TEST_CASE("anonymous callers get 429 with Retry-After and RateLimit headers past their burst") {
    DemoServer s({"--anonymous-burst", "3"});
    REQUIRE_MESSAGE(s.ok, s.why);
    auto c = s.server->client();
    int limited = 0;
    std::string retry_after, remaining;
    for (int i = 0; i < 6; ++i) {
        const auto r = c->Post("/v1/members/lookup", Json{{"code", "4006381333931"}}.dump(),
                               "application/json");
        REQUIRE(r);
        CHECK(r->has_header("RateLimit-Limit"));
        if (r->status == 429) {
            ++limited;
            retry_after = r->get_header_value("Retry-After");
            CHECK(error_shape_problem(Json::parse(r->body)) == "");
            CHECK(Json::parse(r->body)["error"]["code"] == "rate_limited");
        }
        remaining = r->get_header_value("RateLimit-Remaining");
    }
    CHECK(limited == 3);
    CHECK(std::stoi(retry_after) >= 1);
    CHECK(remaining == "0");
    CHECK(c->Get("/healthz")->status == 200);  // health checks are not limited
}

TEST_CASE_FIXTURE(WithDemoServer, "one merchant's key sees nothing of another merchant's members") {
    const auto cards = demo_cards(s.db);
    cli_json_field({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code", "RIVAL",
                    "--name", "Rival shop"},
                   "merchant");
    const std::string rival = cli_json_field(
        {cli_binary(), "api-key", "--db", s.db, "--merchant", "rival", "--role", "till"}, "key");
    auto c = s.server->client();
    const httplib::Headers auth = {{"Authorization", "Bearer " + rival}};
    for (const auto& member :
         {Json{{"card", cards.at("demo-anna").card}}, Json{{"id", "demo-anna"}}}) {
        INFO(member.dump());
        const Json body = {
            {"operation_id", "000000000000000000000000000000aa"},
            {"member", member},
            {"redeem_points", 100},
            {"receipt", {{"id", "X-1"}, {"lines", {{{"sku", "a"}, {"unit_price", 100000}}}}}}};
        const auto r = c->Post("/v1/receipts", auth, body.dump(), "application/json");
        REQUIRE(r);
        CHECK(r->status == 404);
        CHECK(r->body.find("Анна") == std::string::npos);
        CHECK(r->body.find("1250") == std::string::npos);
    }
    Db db(s.db);
    CHECK(db.count("operations") == 0);
    CHECK(db.derived_balance("demo", "demo-anna") == 1250);
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "GET /v1/me: the widget's member view with a member token; forged or foreign tokens get 401") {
    const RunResult minted = run_program({cli_binary(), "member-token", "--db", s.db, "--merchant",
                                          "demo", "--member", "demo-anna"});
    REQUIRE_MESSAGE(minted.exit_code == 0, minted.err);
    const std::string token = json_lines(minted.out).at(0).at("token").get<std::string>();
    auto c = s.server->client();
    auto res = c->Get("/v1/me", {{"Authorization", "Bearer " + token}});
    REQUIRE(res);
    REQUIRE_MESSAGE(res->status == 200, res->body);
    const Json m = Json::parse(res->body)["member"];
    CHECK(m["id"] == "demo-anna");
    CHECK(m["balance"] == 1250);

    std::string forged = token;
    forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
    res = c->Get("/v1/me", {{"Authorization", "Bearer " + forged}});
    CHECK(res->status == 401);
    CHECK(error_shape_problem(Json::parse(res->body)) == "");
    CHECK(res->body.find("1250") == std::string::npos);
    CHECK(c->Get("/v1/me")->status == 401);

    // A token of another merchant naming demo's member: its signature is checked with that
    // merchant's secret and it finds nothing of demo's.
    REQUIRE(run_program({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code", "RIVAL",
                         "--name", "Rival"})
                .exit_code == 0);
    const RunResult other = run_program({cli_binary(), "member-token", "--db", s.db, "--merchant",
                                         "rival", "--member", "demo-anna"});
    CHECK(other.exit_code != 0);  // no such member at rival: the CLI refuses to mint
}

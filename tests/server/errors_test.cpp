// Bad input to /v1/members/lookup and the HTTP layer: every rejection has the right status
// and exactly the API's error shape, and none of them touches the database.
#include <doctest/doctest.h>

#include <set>

#include "core/cards/card_code.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {

DemoServer& shared_server() {
    static DemoServer s;
    return s;
}

struct BadRequest {
    std::string name;
    std::string method;  // GET or POST
    std::string target;  // path and query
    std::string body;    // POST only
    int status;
    std::string code;
    std::string field;  // "" when the error must not name a field
};

std::string get_lookup(const std::string& code) {
    return "/v1/members/lookup?code=" + url_encode(code);
}
std::string post_code(const std::string& code) { return Json{{"code", code}}.dump(); }

// Cases built from the live demo data: the real card numbers, QR payloads and merchant secret.
std::vector<BadRequest> bad_requests(const std::string& db_path) {
    const auto cards = demo_cards(db_path);
    const DemoCard& anna = cards.at("demo-anna");
    std::string wrong_digit = anna.card;
    wrong_digit[12] = wrong_digit[12] == '9' ? '0' : static_cast<char>(wrong_digit[12] + 1);
    std::string forged = anna.qr;
    forged.back() = forged.back() == '0' ? '1' : '0';
    const std::string mac = anna.qr.substr(anna.qr.rfind(':') + 1);

    // A well-formed card number nobody holds, once with a correct MAC (only the server's
    // secret can make one) and once with a guessed MAC.
    Db db(db_path);
    const std::string secret = db.text("SELECT card_secret FROM merchants WHERE code = 'DEMO'");
    const std::string twelve = "299999999999";
    const std::string unissued = twelve + kopilka::cards::ean13_check_digit(twelve);
    REQUIRE(db.scalar("SELECT COUNT(*) FROM cards WHERE number = ?1", {unissued}) == 0);
    const std::string unissued_qr = kopilka::cards::qr_card_payload("DEMO", unissued, secret);
    const std::string unissued_guess = "K1:DEMO:" + unissued + ":" + mac;

    std::vector<BadRequest> v = {
        {"GET plain EAN-13", "GET", get_lookup(anna.card), "", 401, "device_required", "code"},
        {"POST plain EAN-13", "POST", "/v1/members/lookup", post_code(anna.card), 401,
         "device_required", "code"},
        {"POST phone number", "POST", "/v1/members/lookup", post_code("+79991234567"), 401,
         "device_required", "code"},
        {"GET bad check digit", "GET", get_lookup(wrong_digit), "", 400, "bad_check_digit", "code"},
        {"POST bad check digit", "POST", "/v1/members/lookup", post_code(wrong_digit), 400,
         "bad_check_digit", "code"},
        {"GET forged MAC", "GET", get_lookup(forged), "", 403, "bad_mac", "code"},
        {"POST forged MAC", "POST", "/v1/members/lookup", post_code(forged), 403, "bad_mac",
         "code"},
        {"POST unknown merchant", "POST", "/v1/members/lookup",
         post_code("K1:NOPE:" + anna.card + ":" + mac), 404, "not_found", "code"},
        {"GET unknown merchant", "GET", get_lookup("K1:NOPE:" + anna.card + ":" + mac), "", 404,
         "not_found", "code"},
        {"POST unknown card, valid MAC", "POST", "/v1/members/lookup", post_code(unissued_qr), 404,
         "not_found", "code"},
        {"GET unknown card, valid MAC", "GET", get_lookup(unissued_qr), "", 404, "not_found",
         "code"},
        // The MAC is checked before the card: a guess can't tell issued cards from others.
        {"POST unknown card, guessed MAC", "POST", "/v1/members/lookup", post_code(unissued_guess),
         403, "bad_mac", "code"},
        {"POST malformed QR payload", "POST", "/v1/members/lookup",
         post_code("K1:DEMO:" + anna.card), 400, "bad_qr_payload", "code"},
        {"POST empty code", "POST", "/v1/members/lookup", post_code(" \r\n"), 400, "empty", "code"},
        {"GET empty code", "GET", "/v1/members/lookup?code=", "", 400, "empty", "code"},
        {"POST code over 128 bytes", "POST", "/v1/members/lookup", post_code(std::string(129, '1')),
         400, "too_long", "code"},
        {"POST code over 256 bytes", "POST", "/v1/members/lookup", post_code(std::string(257, '1')),
         400, "out_of_range", "code"},
        {"POST missing code", "POST", "/v1/members/lookup", "{}", 400, "missing_field", "code"},
        {"POST other fields only", "POST", "/v1/members/lookup", R"({"card":"x"})", 400,
         "missing_field", "code"},
        {"GET without code parameter", "GET", "/v1/members/lookup", "", 400, "missing_field",
         "code"},
        {"GET with another parameter", "GET", "/v1/members/lookup?card=" + anna.card, "", 400,
         "missing_field", "code"},
        {"POST non-JSON body", "POST", "/v1/members/lookup", "code=" + anna.card, 400,
         "malformed_json", ""},
        {"POST truncated JSON", "POST", "/v1/members/lookup", R"({"code": ")", 400,
         "malformed_json", ""},
        {"POST empty body", "POST", "/v1/members/lookup", "", 400, "malformed_json", ""},
        {"POST code is a number", "POST", "/v1/members/lookup", R"({"code": 2000000000015})", 400,
         "wrong_type", "code"},
        {"POST code is null", "POST", "/v1/members/lookup", R"({"code": null})", 400, "wrong_type",
         "code"},
        {"POST code is an array", "POST", "/v1/members/lookup", R"({"code": ["x"]})", 400,
         "wrong_type", "code"},
        {"POST body is an array", "POST", "/v1/members/lookup", "[]", 400, "wrong_type", ""},
        {"POST body is a string", "POST", "/v1/members/lookup", R"("K1:DEMO")", 400, "wrong_type",
         ""},
        {"GET unknown route", "GET", "/v1/nothing-here", "", 404, "not_found", ""},
        {"POST unknown route", "POST", "/v1/members/lookup/extra", "{}", 404, "not_found", ""},
        {"GET root without a site", "GET", "/", "", 404, "not_found", ""},
    };
    return v;
}

httplib::Result send(httplib::Client& c, const BadRequest& r) {
    if (r.method == "GET") return c.Get(r.target.c_str());
    return c.Post(r.target.c_str(), r.body, "application/json");
}

void check_error(const httplib::Result& res, int status, const std::string& code,
                 const std::string& field) {
    REQUIRE(res);
    CHECK(res->status == status);
    CHECK(res->get_header_value("Content-Type").rfind("application/json", 0) == 0);
    const Json j = Json::parse(res->body, nullptr, false);
    INFO("body: " << res->body);
    CHECK(error_shape_problem(j) == "");
    if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return;
    CHECK(j["error"].value("code", "") == code);
    if (field.empty()) {
        CHECK_FALSE(j["error"].contains("field"));
    } else {
        CHECK(j["error"].value("field", "") == field);
    }
}

}  // namespace

TEST_CASE("every bad lookup gets its status, error code and field in the one error shape") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    auto client = s.server->client();
    for (const BadRequest& r : bad_requests(s.db)) {
        INFO(r.name << ": " << r.method << " " << r.target.substr(0, 120) << " "
                    << r.body.substr(0, 120));
        check_error(send(*client, r), r.status, r.code, r.field);
    }
    // The server is still fine afterwards.
    const auto res = client->Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
}

TEST_CASE("a 2 MB body with the default limit is refused with 413 in the error shape") {
    DemoServer& s = shared_server();
    REQUIRE_MESSAGE(s.ok, s.why);
    auto client = s.server->client();
    const std::string body = Json{{"code", std::string(2 * 1024 * 1024, 'A')}}.dump();
    check_error(client->Post("/v1/members/lookup", body, "application/json"), 413, "body_too_large",
                "");
    const auto res = client->Get("/healthz");
    REQUIRE(res);
    CHECK(res->status == 200);
}

TEST_CASE("--body-bytes-max 100 refuses a 200-byte JSON body but serves a small one") {
    DemoServer s({"--body-bytes-max", "100"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const auto cards = demo_cards(s.db);
    auto client = s.server->client();

    Json big = {{"code", cards.at("demo-anna").qr}, {"pad", ""}};
    big["pad"] = std::string(200 - big.dump().size(), 'x');
    const std::string body = big.dump();
    REQUIRE(body.size() == 200);
    check_error(client->Post("/v1/members/lookup", body, "application/json"), 413, "body_too_large",
                "");

    const std::string small = Json{{"code", cards.at("demo-anna").qr}}.dump();
    REQUIRE(small.size() <= 100);
    const auto ok = client->Post("/v1/members/lookup", small, "application/json");
    REQUIRE(ok);
    CHECK(ok->status == 200);
}

TEST_CASE_FIXTURE(WithDemoServer, "bad requests leave every table of the database unchanged") {
    const auto requests = bad_requests(s.db);
    std::map<std::string, std::int64_t> counts_before;
    std::string dump_before;
    {
        Db db(s.db);
        counts_before = db.row_counts();
        dump_before = db.dump();
    }
    // The schema this test expects to see, with the demo data in it.
    std::map<std::string, std::int64_t> seeded = {{"api_keys", 0},
                                                  {"audit_log", 0},
                                                  {"cards", 3},
                                                  {"coupons", 0},
                                                  {"devices", 0},
                                                  {"device_state", 0},
                                                  {"document_authors", 0},
                                                  {"documents", 5},
                                                  {"import_files", 0},
                                                  {"import_jobs", 0},
                                                  {"member_counters", 3},
                                                  {"member_entries", 8},
                                                  {"member_phones_blanked", 0},
                                                  {"member_state", 3},
                                                  {"members", 3},
                                                  {"merchants", 1},
                                                  {"operations", 0},
                                                  {"pairings", 0},
                                                  {"programs", 1},
                                                  {"receipts", 6},
                                                  {"referral_codes", 0},
                                                  {"referrals", 0},
                                                  {"report_days", 5},
                                                  {"row_versions", 0},
                                                  {"schema_migrations", 19},
                                                  {"shared_state", 0},
                                                  {"sign_in_failures", 0},
                                                  {"spins", 0},
                                                  {"staff_sessions", 0},
                                                  {"staff_users", 0},
                                                  {"widget_nonces", 0},
                                                  {"widget_sessions", 0}};
    // The demo's receipts by member and month: how many depends on today's date.
    seeded["report_member_months"] =
        Db(s.db).scalar("SELECT COUNT(*) FROM (SELECT DISTINCT member_id, strftime('%Y-%m', "
                        "at_ms / 1000, 'unixepoch') FROM receipts WHERE member_id <> '')");
    CHECK(seeded["report_member_months"] > 0);
    CHECK(counts_before == seeded);

    auto client = s.server->client();
    for (const BadRequest& r : requests) {
        INFO(r.name);
        const auto res = send(*client, r);
        REQUIRE(res);
        CHECK(res->status == r.status);
    }
    const auto big =
        client->Post("/v1/members/lookup", std::string(2 * 1024 * 1024, '{'), "application/json");
    REQUIRE(big);
    CHECK(big->status == 413);

    Db db(s.db);
    CHECK(db.row_counts() == counts_before);
    CHECK(db.dump() == dump_before);
}

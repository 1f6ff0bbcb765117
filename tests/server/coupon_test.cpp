// Reward coupons against a real kopilka-server: a kiosk redemption reserves the reward's
// points and issues a coupon, the till redeems it once (the reservation committed), refusals
// name the field, another merchant's till finds nothing — and 200 concurrent kiosk
// redemptions against one balance never overspend it, on SQLite and on two server processes
// sharing one PostgreSQL database.
#define ZX_USE_UTF8 1
#include <ZXing/ReadBarcode.h>

#include <doctest/doctest.h>

#include <cctype>
#include <functional>
#include <regex>

#include "core/cards/coupon_code.hpp"
#include "core/time.hpp"
#include "kiosk_helpers.hpp"
#include "pg_database.hpp"
#include "server_process.hpp"

using namespace kopilka::test;

namespace {


// 200 redemptions of coffee (300 points) by dace (4200 points) from 4 kiosks and 16 threads
// spread over the servers: exactly 14 coupons, the balance exactly 0.
void check_concurrent_redemptions(const std::vector<const ServerProcess*>& servers,
                                  const std::string& admin,
                                  const std::function<std::int64_t()> dace_balance) {
    auto c = servers[0]->client();
    std::vector<std::string> kiosks;
    for (int k = 0; k < 4; ++k)
        kiosks.push_back(pair_kiosk(*c, admin, "Kiosk " + std::to_string(k)));
    const std::int64_t before = dace_balance();
    REQUIRE(before == 4200);
    Outcomes out;
    concurrent_writes(
        servers, kiosks, "/v1/kiosk/redeem", 200, 16,
        [](int i) { return redeem_body(op_id(2000 + i), "demo-dace", "coffee"); }, out);
    MESSAGE("200 redemptions on " << servers.size() << " server(s): " << out.statuses[201]
                                  << " coupons, " << out.statuses[409]
                                  << " refused; resent after no answer: " << out.resent);
    INFO("first unexpected answer: " << out.first_unexpected);
    CHECK(out.statuses[201] == 14);
    CHECK(out.statuses[409] == 186);
    CHECK(out.coupons.size() == 14);
    CHECK(dace_balance() == 0);
}

// Draws the coupon's "qr_modules" the way a screen does (4 light modules of quiet zone,
// scale pixels per module) and reads it back with ZXing-cpp; "" when nothing is found.
std::string read_qr_modules(const Json& rows, int scale) {
    const int n = static_cast<int>(rows.size());
    const int side = (n + 8) * scale;
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(side) * side, 255);
    for (int y = 0; y < n; ++y) {
        const std::string row = rows[y].get<std::string>();
        for (int x = 0; x < static_cast<int>(row.size()); ++x)
            if (row[x] == '1')
                for (int dy = 0; dy < scale; ++dy)
                    for (int dx = 0; dx < scale; ++dx)
                        pixels[static_cast<std::size_t>((y + 4) * scale + dy) * side +
                               (x + 4) * scale + dx] = 0;
    }
    ZXing::DecodeHints hints;
    hints.setFormats(ZXing::BarcodeFormat::QRCode);
    const ZXing::Result r =
        ZXing::ReadBarcode({pixels.data(), side, side, ZXing::ImageFormat::Lum}, hints);
    return r.isValid() ? r.text() : std::string();
}

std::string lower_without_dashes(const std::string& code) {
    std::string out;
    for (char ch : code)
        if (ch != '-') out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
}

}  // namespace

TEST_CASE_FIXTURE(WithDemoServer,
                  "coupons: a kiosk redemption reserves the points; the till redeems the coupon "
                  "once and commits them") {
    const auto cards = demo_cards(s.db);
    const std::string admin = api_key(s.db, "admin");
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Rewards kiosk");
    const std::string anna = cards.at("demo-anna").qr;

    CHECK(post(*c, "/v1/kiosk/redeem", "", redeem_body(op_id(1), "demo-anna", "coffee")).status ==
          401);
    CHECK(post(*c, "/v1/kiosk/redeem", till, redeem_body(op_id(1), "demo-anna", "coffee")).status ==
          401);
    Answer a = post(*c, "/v1/kiosk/redeem", token, redeem_body(op_id(1), "demo-anna", "caviar"));
    CHECK(a.status == 404);
    CHECK(a.body["error"]["field"] == "reward_id");
    a = post(*c, "/v1/kiosk/redeem", token,
             redeem_body(op_id(1), "demo-boris", "coffee"));  // 120 points
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "insufficient_points");
    CHECK(a.body["error"]["field"] == "reward_id");

    const Answer issued =
        post(*c, "/v1/kiosk/redeem", token, redeem_body(op_id(1), "demo-anna", "coffee"));
    REQUIRE_MESSAGE(issued.status == 201, issued.body.dump());
    const Json& coupon = issued.body["coupon"];
    const std::string code = coupon["code"].get<std::string>();
    CHECK(std::regex_match(code, std::regex("KC-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")));
    CHECK(coupon["qr"] == code);
    CHECK(coupon["source"] == "reward");
    CHECK(coupon["points"] == 300);
    CHECK(coupon["reward"]["id"] == "coffee");
    CHECK(coupon["reward"]["name"] == "Coffee");
    CHECK(coupon["expires_at_ms"].get<std::int64_t>() -
              coupon["issued_at_ms"].get<std::int64_t>() ==
          30 * kopilka::day_ms);
    CHECK(issued.body["member"]["balance"] == 950);  // reserved points are not part of the balance
    CHECK(balance_of(*c, anna) == 950);
    const Answer replay =
        post(*c, "/v1/kiosk/redeem", token, redeem_body(op_id(1), "demo-anna", "coffee"));
    CHECK(replay.status == 201);
    CHECK(replay.replayed);
    CHECK(replay.body["coupon"] == coupon);
    CHECK(balance_of(*c, anna) == 950);
    {
        Db db(s.db);
        CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id = 'demo-anna' AND "
                        "reason = 'reserve'") == 1);
        CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id = 'demo-anna' AND "
                        "reason = 'redeem'") == 1);
    }

    // The till types it in lower case without dashes; a mistyped character is caught before the
    // lookup.
    std::string typo = code;
    typo[3] = typo[3] == 'A' ? 'B' : 'A';
    a = post(*c, "/v1/coupons/redeem", till, {{"operation_id", op_id(2)}, {"code", typo}});
    CHECK(a.status == 400);
    CHECK(a.body["error"]["code"] == "bad_check");
    CHECK(a.body["error"]["field"] == "code");
    a = post(*c, "/v1/coupons/redeem", till, {{"operation_id", op_id(2)}, {"code", "KC-12"}});
    CHECK(a.status == 400);
    CHECK(a.body["error"]["code"] == "bad_format");
    a = post(*c, "/v1/coupons/redeem", till,
             {{"operation_id", op_id(2)}, {"code", kopilka::cards::coupon_code("guess", "1")}});
    CHECK(a.status == 404);
    CHECK(a.body["error"]["field"] == "code");
    CHECK(post(*c, "/v1/coupons/redeem", token, {{"operation_id", op_id(2)}, {"code", code}})
              .status == 401);

    const Json till_body = {
        {"operation_id", op_id(2)}, {"code", lower_without_dashes(code)}, {"receipt_id", "R-77"}};
    const Answer redeemed = post(*c, "/v1/coupons/redeem", till, till_body);
    REQUIRE_MESSAGE(redeemed.status == 200, redeemed.body.dump());
    CHECK(redeemed.body["coupon"]["code"] == code);
    CHECK(redeemed.body["coupon"]["receipt_id"] == "R-77");
    CHECK(redeemed.body["coupon"]["redeemed_at_ms"].get<std::int64_t>() > 0);
    CHECK(redeemed.body["reward"] == Json{{"id", "coffee"},
                                          {"name", "Coffee"},
                                          {"cost_points", 300},
                                          {"kind", "gift"},
                                          {"value", 0},
                                          {"coupon_valid_days", 30}});
    CHECK(balance_of(*c, anna) == 950);
    {
        Db db(s.db);
        CHECK(db.scalar("SELECT COUNT(*) FROM member_entries WHERE member_id = 'demo-anna' AND "
                        "reason = 'redeem'") == 2);
        CHECK(db.derived_balance("demo", "demo-anna") == 950);
    }
    const Answer again = post(*c, "/v1/coupons/redeem", till, till_body);
    CHECK(again.status == 200);
    CHECK(again.replayed);
    a = post(*c, "/v1/coupons/redeem", till, {{"operation_id", op_id(3)}, {"code", code}});
    CHECK(a.status == 409);
    CHECK(a.body["error"]["code"] == "coupon_used");
    CHECK(a.body["error"]["field"] == "code");
    CHECK(balance_of(*c, anna) == 950);
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "coupons: the coupon carries its QR code as a module matrix that reads back as its code") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "QR kiosk");
    const Answer issued =
        post(*c, "/v1/kiosk/redeem", token, redeem_body(op_id(1), "demo-dace", "cake"));
    REQUIRE_MESSAGE(issued.status == 201, issued.body.dump());
    const Json& coupon = issued.body["coupon"];
    const std::string code = coupon["code"].get<std::string>();
    const Json& rows = coupon["qr_modules"];
    REQUIRE(rows.is_array());
    const std::size_t n = rows.size();
    CHECK(n >= 21);             // version 1 and up: 17 + 4 × version modules a side
    CHECK((n - 17) % 4 == 0);
    for (const Json& row : rows) {
        REQUIRE(row.is_string());
        CHECK(row.get<std::string>().size() == n);
        CHECK(row.get<std::string>().find_first_not_of("01") == std::string::npos);
    }
    // No quiet zone: the finder patterns' dark corners are the matrix's corners.
    CHECK(rows[0].get<std::string>().substr(0, 7) == "1111111");
    CHECK(rows[n - 1].get<std::string>().substr(0, 7) == "1111111");
    CHECK(rows[0].get<std::string>().substr(n - 7) == "1111111");
    CHECK(read_qr_modules(rows, 1) == code);
    CHECK(read_qr_modules(rows, 4) == code);
    // The till's answer and the replay carry the same matrix.
    const Answer redeemed = post(*c, "/v1/coupons/redeem", api_key(s.db, "till"),
                                 {{"operation_id", op_id(2)}, {"code", code}});
    REQUIRE(redeemed.status == 200);
    CHECK(redeemed.body["coupon"]["qr_modules"] == rows);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "coupons: another merchant's till finds nothing of this merchant's coupons") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Rewards kiosk");
    const Answer issued =
        post(*c, "/v1/kiosk/redeem", token, redeem_body(op_id(1), "demo-dace", "cake"));
    REQUIRE(issued.status == 201);
    REQUIRE(run_program({cli_binary(), "merchant", "--db", s.db, "--id", "rival", "--code", "RIVAL",
                         "--name", "Rival"})
                .exit_code == 0);
    const std::string rival = api_key(s.db, "till", "rival");
    const Answer a = post(*c, "/v1/coupons/redeem", rival,
                          {{"operation_id", op_id(2)}, {"code", issued.body["coupon"]["code"]}});
    CHECK(a.status == 404);
    CHECK(a.body.dump().find("demo-dace") == std::string::npos);
    CHECK(post(*c, "/v1/coupons/redeem", api_key(s.db, "admin"),
               {{"operation_id", op_id(3)}, {"code", issued.body["coupon"]["code"]}})
              .status == 200);
}

TEST_CASE(
    "coupons: 200 concurrent kiosk redemptions against one balance never overspend it (SQLite)") {
    DemoServer s({"--threads", "16"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const std::string admin = api_key(s.db, "admin");
    check_concurrent_redemptions({s.server.get()}, admin,
                                 [&] { return Db(s.db).derived_balance("demo", "demo-dace"); });
}

TEST_CASE(
    "PostgreSQL: 200 concurrent kiosk redemptions on two servers sharing one database never "
    "overspend a balance") {
    PgDatabase db;
    REQUIRE_MESSAGE(db.why.empty(), db.why);
    auto a = start_server(db.url, {"--seed-demo", "--threads", "8"});
    auto b = start_server(db.url, {"--threads", "8"});
    const std::string admin = api_key(db.url, "admin");
    check_concurrent_redemptions({a.get(), b.get()}, admin,
                                 [&] { return db.derived_balance("demo", "demo-dace"); });
}

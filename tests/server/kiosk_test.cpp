// The kiosk's API against a real kopilka-server: pairing a kiosk end to end (code → token →
// config → revoke → 401), a code that pairs once even when two kiosks race with it, the
// config's ETag and 304, kiosk settings naming stored documents only, card-number lookups only
// from a paired kiosk, and the offline outbox answering replays with their original answers.
#include <doctest/doctest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "codec/kiosk_json.hpp"
#include "codec/program_json.hpp"
#include "kiosk_helpers.hpp"
#include "server_process.hpp"

using namespace kopilka::test;
namespace codec = kopilka::codec;

TEST_CASE_FIXTURE(WithDemoServer,
                  "kiosk pairing: code, token, config, devices, revoke; bad codes name the field") {
    const std::string admin = api_key(s.db, "admin");
    const std::string till = api_key(s.db, "till");
    auto c = s.server->client();

    CHECK(
        post(*c, "/v1/admin/devices/pairing-codes", till, {{"name", "Front door kiosk"}}).status ==
        403);
    CHECK(
        post(*c, "/v1/admin/devices/pairing-codes", admin, Json::object()).body["error"]["field"] ==
        "name");
    const Answer code =
        post(*c, "/v1/admin/devices/pairing-codes", admin, {{"name", "Front door kiosk"}});
    REQUIRE_MESSAGE(code.status == 201, code.body.dump());
    const std::string text = code.body["code"].get<std::string>();
    CHECK(std::regex_match(text, std::regex("[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")));
    CHECK(code.body["expires_at_ms"].get<std::int64_t>() > 0);

    // Typed on the kiosk as it comes: lower case, a space instead of the dash.
    std::string typed;
    for (char ch : text)
        typed += ch == '-' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const Answer paired = post(*c, "/v1/devices/pair", "", {{"code", typed}});
    REQUIRE_MESSAGE(paired.status == 201, paired.body.dump());
    const std::string token = paired.body["token"].get<std::string>();
    CHECK(token.rfind("kdt_", 0) == 0);
    CHECK(paired.body["merchant"] == Json{{"code", "DEMO"}, {"name", "Kopilka Demo Shop"}});
    CHECK(paired.body["name"] == "Front door kiosk");

    Answer again = post(*c, "/v1/devices/pair", "", {{"code", text}});
    CHECK(again.status == 409);
    CHECK(again.body["error"]["code"] == "already_used");
    CHECK(again.body["error"]["field"] == "code");
    again = post(*c, "/v1/devices/pair", "", {{"code", "ABC!"}});
    CHECK(again.status == 400);
    CHECK(again.body["error"]["code"] == "malformed");
    CHECK(again.body["error"]["field"] == "code");
    again = post(*c, "/v1/devices/pair", "", {{"code", "ZZZZ-ZZZZ"}});
    CHECK(again.status == 404);
    CHECK(again.body["error"]["code"] == "wrong_code");
    CHECK(error_shape_problem(again.body) == "");

    CHECK(get(*c, "/v1/kiosk/config", token).status == 200);
    CHECK(get(*c, "/v1/kiosk/config", "").status == 401);
    CHECK(get(*c, "/v1/kiosk/config", till).status == 401);

    const Answer devices = get(*c, "/v1/admin/devices", admin);
    REQUIRE(devices.status == 200);
    REQUIRE(devices.body["devices"].size() == 1);
    const Json& d = devices.body["devices"][0];
    CHECK(d["id"] == paired.body["device_id"]);
    CHECK(d["name"] == "Front door kiosk");
    CHECK(d["paired_at_ms"].get<std::int64_t>() > 0);
    CHECK(d["revoked_at_ms"] == 0);
    CHECK(devices.body.dump().find("hash") == std::string::npos);
    CHECK(devices.body.dump().find("salt") == std::string::npos);

    const std::string id = d["id"].get<std::string>();
    const Answer revoked = post(*c, "/v1/admin/devices/" + id + "/revoke", admin, Json::object());
    REQUIRE_MESSAGE(revoked.status == 200, revoked.body.dump());
    CHECK(revoked.body["device"]["revoked_at_ms"].get<std::int64_t>() > 0);
    const Answer refused = get(*c, "/v1/kiosk/config", token);
    CHECK(refused.status == 401);
    CHECK(error_shape_problem(refused.body) == "");
    CHECK(post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna")).status == 401);
    CHECK(post(*c, "/v1/admin/devices/" + id + "/revoke", admin, Json::object()).body["device"] ==
          revoked.body["device"]);
    CHECK(post(*c, "/v1/admin/devices/NOSUCHID/revoke", admin, Json::object()).status == 404);
}

TEST_CASE("kiosk pairing: eight kiosks racing with one code get exactly one token") {
    DemoServer s({"--threads", "8"});
    REQUIRE_MESSAGE(s.ok, s.why);
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const Answer code = post(*c, "/v1/admin/devices/pairing-codes", admin, {{"name", "Contested"}});
    REQUIRE(code.status == 201);
    std::atomic<int> paired{0}, used{0}, other{0};
    std::vector<std::thread> kiosks;
    for (int k = 0; k < 8; ++k)
        kiosks.emplace_back([&] {
            auto mine = s.server->client();
            const Answer a = post(*mine, "/v1/devices/pair", "", {{"code", code.body["code"]}});
            ++(a.status == 201 ? paired : a.status == 409 ? used : other);
        });
    for (auto& k : kiosks) k.join();
    CHECK(paired.load() == 1);
    CHECK(used.load() == 7);
    CHECK(other.load() == 0);
    CHECK(get(*c, "/v1/admin/devices", admin).body["devices"].size() == 1);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "kiosk config: settings name stored documents; a strong ETag answers 304 until "
                  "something changes") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Till side");

    const Answer first = get(*c, "/v1/kiosk/config", token);
    REQUIRE_MESSAGE(first.status == 200, first.body.dump());
    CHECK(first.etag.size() == 34);
    CHECK(first.etag == "\"" + first.body["version"].get<std::string>() + "\"");
    CHECK(first.body["merchant"] ==
          Json{{"code", "DEMO"}, {"name", "Kopilka Demo Shop"}, {"currency", "RUB"}});
    CHECK(first.body["program"]["id"] == "demo-points");
    CHECK(first.body["rewards"].size() == 3);
    CHECK(first.body["rewards"][0]["id"] == "coffee");
    // The coffee's picture comes once, with the tiles' rewards, not again in the program.
    CHECK(first.body["rewards"][0]["image"].get<std::string>().rfind("data:image/png;base64,", 0) ==
          0);
    for (const auto& r : first.body["program"]["rewards"]) CHECK_FALSE(r.contains("image"));
    CHECK(first.body["theme"]["name"] ==
          "Kopilka Demo Shop");  // the demo's settings: its daylight theme…
    CHECK(first.body["wheel"]["id"] == "demo-wheel");           // …and its wheel
    CHECK(first.body["settings"]["idle_seconds"] == 30);
    // The body is the codec's KioskConfig, whole: the kiosk reads back every part of it.
    const auto decoded = codec::decode_kiosk_config(first.body);
    REQUIRE_MESSAGE(decoded.ok(), decoded.error.message);
    CHECK(codec::encode_kiosk_config(*decoded.value) == first.body);
    CHECK(decoded.value->has_theme);
    CHECK(decoded.value->device_id == first.body["device"]["id"]);
    CHECK(codec::decode_program(decoded.value->program).ok());

    const auto not_modified = c->Get(
        "/v1/kiosk/config", {{"Authorization", "Bearer " + token}, {"If-None-Match", first.etag}});
    REQUIRE(not_modified);
    CHECK(not_modified->status == 304);
    CHECK(not_modified->body.empty());
    CHECK(not_modified->get_header_value("ETag") == first.etag);
    CHECK(get(*c, "/v1/kiosk/config", token, {{"If-None-Match", "\"0000\""}}).status == 200);

    // Settings may only name what is stored.
    Answer bad = put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "no-such-wheel"}});
    CHECK(bad.status == 400);
    CHECK(bad.body["error"]["field"] == "wheel_id");
    bad = put(*c, "/v1/admin/kiosk-settings", admin, {{"theme_id", "no-such-theme"}});
    CHECK(bad.status == 400);
    CHECK(bad.body["error"]["field"] == "theme_id");
    bad = put(*c, "/v1/admin/kiosk-settings", admin, {{"idle_seconds", 1}});
    CHECK(bad.status == 400);
    CHECK(bad.body["error"]["field"] == "idle_seconds");
    const Answer settings =
        put(*c, "/v1/admin/kiosk-settings", admin,
            {{"wheel_id", "demo-wheel"}, {"theme_id", nullptr}, {"idle_seconds", 45}});
    REQUIRE_MESSAGE(settings.status == 200, settings.body.dump());
    CHECK(settings.body["settings"]["version"] == 2);
    CHECK(get(*c, "/v1/admin/kiosk-settings", admin).body["settings"] ==
          Json{{"theme_id", nullptr},
               {"wheel_id", "demo-wheel"},
               {"idle_seconds", 45},
               {"version", 2}});

    const Answer second = get(*c, "/v1/kiosk/config", token, {{"If-None-Match", first.etag}});
    REQUIRE_MESSAGE(second.status == 200, second.body.dump());
    CHECK(second.etag != first.etag);
    CHECK(second.body["settings"]["idle_seconds"] == 45);
    const Json& wheel = second.body["wheel"];
    CHECK(wheel["id"] == "demo-wheel");
    REQUIRE(wheel["prizes"].size() == 5);
    CHECK(wheel["prizes"][2] ==
          Json{{"id", "coffee"}, {"label", "Coffee"}, {"kind", "coupon"}, {"chance_ppm", 120000}});
    std::int64_t total = 0;
    for (const auto& ppm : wheel["odds"]) total += ppm.get<std::int64_t>();
    CHECK(total == 1000000);
    CHECK(wheel["win_chance_ppm"] == 540000);
    CHECK(get(*c, "/v1/kiosk/config", token, {{"If-None-Match", second.etag}}).status == 304);
}

TEST_CASE_FIXTURE(
    WithDemoServer,
    "kiosk lookup: a plain card number needs a paired kiosk; the snapshot counts the spins left") {
    const auto cards = demo_cards(s.db);
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Entrance");
    const std::string ean = cards.at("demo-anna").card;
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", nullptr}}).status ==
            200);  // no wheel on the kiosks

    Answer a = post(*c, "/v1/members/lookup", "", {{"code", ean}});
    CHECK(a.status == 401);
    CHECK(a.body["error"]["code"] == "device_required");
    a = post(*c, "/v1/members/lookup", token, {{"code", ean}});
    REQUIRE_MESSAGE(a.status == 200, a.body.dump());
    CHECK(a.body["member"]["id"] == "demo-anna");
    CHECK(a.body["member"]["spins_available"] == 0);  // no wheel on the kiosks yet

    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "demo-wheel"}}).status == 200);
    a = post(*c, "/v1/members/lookup", token, {{"code", ean}});
    CHECK(a.body["member"]["spins_available"] == 3);  // the demo wheel's member_spins_per_day_max
    CHECK(get(*c, "/v1/members/lookup?code=" + ean, token).body["member"]["balance"] == 1250);
}

TEST_CASE_FIXTURE(WithDemoServer,
                  "kiosk outbox: operations apply in order as their own routes; replays answer the "
                  "original answers") {
    const std::string admin = api_key(s.db, "admin");
    auto c = s.server->client();
    const std::string token = pair_kiosk(*c, admin, "Outbox");
    const Json wheel = Json::parse(
        R"({"currency": "RUB", "day_budget": "unlimited", "campaign_budget": "unlimited",
        "member_spins_per_day_max": "unlimited", "member_wins_per_day_max": "unlimited",
        "member_wins_per_campaign_max": "unlimited",
        "prizes": [{"id": "p100", "label": "100 points", "kind": "points", "points": 100,
                    "weight": 1, "stock": "unlimited", "cost": 100}]})");
    REQUIRE(put(*c, "/v1/admin/wheels/sure", admin, wheel).status == 200);
    REQUIRE(put(*c, "/v1/admin/kiosk-settings", admin, {{"wheel_id", "sure"}}).status == 200);

    // Boris has 120 points: the redemption of coffee (300) is paid by the spins before it.
    Json spin1 = spin_body(op_id(1), "demo-boris"), spin2 = spin_body(op_id(2), "demo-boris");
    Json redeem = redeem_body(op_id(3), "demo-boris", "coffee");
    spin1["type"] = spin2["type"] = "spin";
    redeem["type"] = "redeem";
    const Answer first =
        post(*c, "/v1/kiosk/operations", token, {{"operations", {spin1, spin2, redeem}}});
    REQUIRE_MESSAGE(first.status == 200, first.body.dump());
    const Json& r = first.body["results"];
    REQUIRE(r.size() == 3);
    CHECK(r[0]["operation_id"] == op_id(1));
    CHECK(r[0]["status"] == 201);
    CHECK(r[1]["status"] == 201);
    REQUIRE_MESSAGE(r[2]["status"] == 201, r[2].dump());
    CHECK(r[2]["body"]["member"]["balance"] == 120 + 200 - 300);
    CHECK(r[2]["body"]["coupon"]["reward"]["id"] == "coffee");

    // The same outbox sent again (the kiosk never saw the answer) plus one new operation.
    Json spin4 = spin_body(op_id(4), "demo-boris");
    spin4["type"] = "spin";
    const Answer second =
        post(*c, "/v1/kiosk/operations", token,
             {{"operations", {spin1, spin2, redeem, spin4, {{"type", "dance"}}}}});
    REQUIRE(second.status == 200);
    const Json& r2 = second.body["results"];
    REQUIRE(r2.size() == 5);
    for (int i = 0; i < 3; ++i) {
        INFO(i);
        CHECK(r2[i]["status"] == r[i]["status"]);
        CHECK(r2[i]["body"]["replayed"] == true);
        Json original = r2[i]["body"];
        original.erase("replayed");
        CHECK(original == r[i]["body"]);
    }
    CHECK(r2[3]["status"] == 201);
    CHECK(r2[3]["body"]["member"]["balance"] == 120 + 300 - 300);
    CHECK(r2[4]["status"] == 400);
    CHECK(r2[4]["body"]["error"]["field"] == "type");
    const auto results = codec::decode_operations_answer(second.body);  // the kiosk's reading
    REQUIRE(results.ok());
    CHECK((*results.value)[3].status == 201);
    CHECK(codec::decode_operation_answer((*results.value)[3].body).value->member->balance == 120);

    // The single route answers the outbox's operation as a replay too; other content is a conflict.
    const Answer single = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-boris"));
    CHECK(single.status == 201);
    CHECK(single.replayed);
    const Answer conflict = post(*c, "/v1/kiosk/spin", token, spin_body(op_id(1), "demo-anna"));
    CHECK(conflict.status == 409);
    CHECK(conflict.body["error"]["code"] == "operation_conflict");

    Json many = Json::array();
    for (int i = 0; i < 51; ++i) many.push_back(spin4);
    const Answer too_many = post(*c, "/v1/kiosk/operations", token, {{"operations", many}});
    CHECK(too_many.status == 400);
    CHECK(too_many.body["error"]["field"] == "operations");
}

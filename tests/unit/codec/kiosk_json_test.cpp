// Every kiosk wire type: encode → decode → the same encoding, and a decode of the JSON the
// server sends (its extra fields are tolerated).
#include "codec/kiosk_json.hpp"

#include <doctest/doctest.h>

#include "codec/member_json.hpp"
#include "codec/program_json.hpp"
#include "round_trip.hpp"

using namespace kopilka;
using codec::Json;

namespace {
codec::CouponView sample_coupon() {
    return {"KC-AAAA-BBBB-CCCC-DD",
            "Coffee",
            1795000000000,
            {"101", "010", "101"},
            "coffee",
            "reward",
            300,
            1794000000000};
}

codec::PrizeView sample_prize(const char* kind) {
    return {2,
            "p2",
            "Cake",
            kind,
            std::string(kind) == "points" ? 50 : 0,
            std::string(kind) == "coupon" ? "cake" : ""};
}

members::MemberSnapshot sample_member() {
    members::MemberSnapshot m{"demo-anna", "Anna", "DEMO", 1250};
    m.available = 950;
    return m;
}
}  // namespace

TEST_CASE("kiosk json: the config round-trips, and the server's config decodes") {
    codec::KioskConfig c;
    c.version = "0123abcd";
    c.merchant_code = "DEMO";
    c.merchant_name = "Demo Shop";
    c.currency = money::Currency::EUR;
    c.rewards = {{"coffee", "Coffee", 300}, {"cake", "Cake", 500}};
    c.wheel =
        codec::WheelView{"w1",
                         {{"p1", "50 points", "points", 250000}, {"p2", "", "nothing", 750000}},
                         250000,
                         false,
                         2};
    c.settings = {"", "w1", 45, 3};
    c.device_id = "D1";
    c.device_sound = true;
    c.program = {{"id", "p"}, {"currency", "EUR"}};
    c.program_version = 7;
    c.rewards[1].kind = program::RewardKind::percent_discount;
    c.rewards[1].value = 1000;
    c.has_theme = true;
    c.theme.name = "Night";
    c.theme.background = {10, 20, 30, 255};
    const codec::KioskConfig back =
        round_trip(c, codec::encode_kiosk_config, codec::decode_kiosk_config);
    CHECK(back.currency == money::Currency::EUR);
    CHECK(back.rewards.size() == 2);
    CHECK(back.rewards[1].kind == program::RewardKind::percent_discount);
    CHECK(back.rewards[1].value == 1000);
    CHECK(back.settings.wheel_id == "w1");
    CHECK(back.settings.theme_id.empty());
    CHECK(back.settings.idle_seconds == 45);
    CHECK(back.settings.version == 3);
    CHECK(back.device_id == "D1");
    CHECK(back.device_sound);
    CHECK(back.program == c.program);
    CHECK(back.program_version == 7);
    CHECK(back.theme.name == "Night");
    CHECK(back.theme.background.b == 30);
    CHECK(back.wheel->prizes[0].chance_ppm == 250000);
    CHECK(back.wheel->version == 2);
    CHECK(codec::encode_kiosk_wheel(*c.wheel)["odds"] == Json::array({250000, 750000}));
    c.has_theme = false;
    CHECK(round_trip(c, codec::encode_kiosk_config, codec::decode_kiosk_config).theme.name ==
          "Demo Shop");  // no theme: the merchant's name

    const Json server = Json::parse(R"({
      "merchant": {"code": "DEMO", "name": "Demo Shop", "currency": "RUB"},
      "device": {"id": "D1"}, "program": {"name": "x"}, "program_version": 3,
      "rewards": [{"id": "coffee", "name": "Coffee", "cost_points": 300, "kind": "gift",
                   "coupon_valid_days": 30}],
      "theme": null,
      "wheel": {"id": "w1", "version": 2, "odds": [500000, 500000], "win_chance_ppm": 500000,
                "nothing_left": false, "prizes": [{"id": "a", "label": "A", "kind": "points",
                "chance_ppm": 500000, "stock": 3},
               {"id": "b", "kind": "nothing", "chance_ppm": 500000}]},
      "settings": {"theme_id": null, "wheel_id": "w1", "idle_seconds": 20, "version": 4},
      "version": "00ff00ff00ff00ff00ff00ff00ff00ff"})");
    auto d = codec::decode_kiosk_config(server);
    REQUIRE(d.ok());
    CHECK(d.value->settings.idle_seconds == 20);
    CHECK(!d.value->device_sound);  // an older server's config: no sound
    CHECK(d.value->settings.wheel_id == "w1");
    CHECK(d.value->device_id == "D1");
    CHECK(d.value->program_version == 3);
    CHECK(d.value->wheel->prizes.size() == 2);
    CHECK(d.value->wheel->version == 2);
    CHECK(d.value->rewards[0].cost_points == 300);
    CHECK(d.value->version == "00ff00ff00ff00ff00ff00ff00ff00ff");
}

TEST_CASE("kiosk json: a coupon round-trips with and without the program's reward") {
    codec::CouponView c = sample_coupon();
    codec::CouponView back = round_trip(
        c, [](const codec::CouponView& v) { return codec::encode_coupon(v); },
        [](const Json& j) { return codec::decode_coupon(j); });
    CHECK(back.code == c.code);
    CHECK(back.reward_name == "Coffee");
    CHECK(back.qr_modules == c.qr_modules);
    CHECK(back.points == 300);
    CHECK(back.redeemed_at_ms == 0);

    c.redeemed_at_ms = 1794500000000;
    c.receipt_id = "R-17";
    const Json reward = {
        {"id", "coffee"}, {"name", "Coffee"}, {"cost_points", 300}, {"kind", "gift"}};
    const Json j = codec::encode_coupon(c, reward);
    CHECK(j["reward"] == reward);
    CHECK(j["qr"] == c.code);
    back = *codec::decode_coupon(j).value;
    CHECK(back.receipt_id == "R-17");
    CHECK(back.redeemed_at_ms == 1794500000000);
    CHECK(codec::encode_coupon(back, reward) == j);

    Json bad = j;
    bad.erase("code");
    CHECK(codec::decode_coupon(bad).error.field == "coupon.code");
}

TEST_CASE("kiosk json: prizes of each kind round-trip") {
    for (const char* kind : {"points", "coupon", "nothing"}) {
        const codec::PrizeView p = round_trip(sample_prize(kind), codec::encode_prize,
                                              [](const Json& j) { return codec::decode_prize(j); });
        CHECK(p.kind == kind);
        CHECK(p.index == 2);
    }
    CHECK(codec::encode_prize(sample_prize("points"))["points"] == 50);
    CHECK_FALSE(codec::encode_prize(sample_prize("nothing")).contains("points"));
    CHECK(codec::encode_prize(sample_prize("coupon"))["reward_id"] == "cake");
    Json bad = codec::encode_prize(sample_prize("points"));
    bad["index"] = 40;
    CHECK(codec::decode_prize(bad).error.field == "prize.index");
}

TEST_CASE("kiosk json: operation answers round-trip, and the server's spin answer decodes") {
    codec::OperationAnswer a;
    a.prize = sample_prize("coupon");
    a.coupon = sample_coupon();
    a.member = sample_member();
    const codec::OperationAnswer back =
        round_trip(a, codec::encode_operation_answer, codec::decode_operation_answer);
    CHECK(back.prize->reward_id == "cake");
    CHECK(back.coupon->code == a.coupon->code);
    CHECK(back.member->available == 950);
    round_trip(codec::OperationAnswer{}, codec::encode_operation_answer,
               codec::decode_operation_answer);

    Json server = {
        {"operation_id", "0123456789abcdef0123456789abcdef"},
        {"wheel_id", "w1"},
        {"prize", {{"index", 0}, {"id", "a"}, {"label", "50"}, {"kind", "points"}, {"points", 50}}},
        {"spin", {{"seed", "00ff"}, {"ticket", 7}, {"total_weight", 10}, {"weights", {5, 5}}}},
        {"member", codec::encode_member(sample_member())}};
    auto d = codec::decode_operation_answer(server);
    REQUIRE(d.ok());
    CHECK(d.value->prize->points == 50);
    CHECK_FALSE(d.value->coupon);
    CHECK_FALSE(d.value->spin);  // an older server's seed without a commitment: nothing to check
    CHECK(d.value->operation_id == "0123456789abcdef0123456789abcdef");

    const std::string seed(64, 'a');
    server["spin"] = {{"seed", seed},
                      {"commitment", std::string(64, 'b')},
                      {"draw_seed", "0011223344556677"},
                      {"ticket", 7},
                      {"total_weight", 10},
                      {"weights", {5, 5}}};
    d = codec::decode_operation_answer(server);
    REQUIRE(d.ok());
    REQUIRE(d.value->spin);
    CHECK(d.value->spin->seed == seed);
    CHECK(d.value->spin->weights == std::vector<std::int64_t>{5, 5});
    server["spin"]["weights"] = {5, -1};
    CHECK(codec::decode_operation_answer(server).error.field == "spin.weights[1]");
    server["spin"].erase("weights");
    CHECK(codec::decode_operation_answer(server).error.field == "spin.weights");
    server["spin"]["weights"] = {5, 5};
    server["prize"].erase("kind");
    CHECK(codec::decode_operation_answer(server).error.field == "prize.kind");
}

TEST_CASE("kiosk json: spin and redeem requests round-trip; unknown keys are refused") {
    const codec::SpinRequest s =
        round_trip(codec::SpinRequest{"0123456789abcdef0123456789abcdef", "m1", "w1"},
                   codec::encode_spin_request, codec::decode_spin_request);
    CHECK(s.wheel_id == "w1");
    CHECK(codec::encode_spin_request(s)["member"]["id"] == "m1");
    const codec::SpinRequest any =
        round_trip(codec::SpinRequest{"0123456789abcdef0123456789abcdef", "m1", ""},
                   codec::encode_spin_request, codec::decode_spin_request);
    CHECK(any.wheel_id.empty());
    const codec::RedeemRequest r =
        round_trip(codec::RedeemRequest{"0123456789abcdef0123456789abcdef", "m1", "coffee"},
                   codec::encode_redeem_request, codec::decode_redeem_request);
    CHECK(r.reward_id == "coffee");

    Json bad = codec::encode_redeem_request(r);
    bad.erase("reward_id");
    CHECK(codec::decode_redeem_request(bad).error.field == "reward_id");
    bad = codec::encode_spin_request(s);
    bad["extra"] = 1;
    CHECK(codec::decode_spin_request(bad).error.field == "extra");
    bad = codec::encode_spin_request(s);
    bad.erase("member");
    CHECK(codec::decode_spin_request(bad).error.field == "member");
    // What the server refuses, the codec refuses: it is the server's decoder too.
    bad = codec::encode_spin_request(s);
    bad["member"]["card"] = "x";
    CHECK(codec::decode_spin_request(bad).error.field == "member.card");
    bad = codec::encode_spin_request(s);
    bad["operation_id"] = std::string(32, '0');
    CHECK(codec::decode_spin_request(bad).error.code == "invalid_value");
    bad["operation_id"] = "0123456789abcdef0123456789abcdeg";
    CHECK(codec::decode_spin_request(bad).error.field == "operation_id");
    bad = codec::encode_spin_request(s);
    bad["wheel_id"] = std::string(codec::wheel_id_bytes_max + 1, 'w');
    CHECK(codec::decode_spin_request(bad).error.field == "wheel_id");
    bad = codec::encode_spin_request(s);
    bad["operation_id"] = "0123456789ABCDEF0123456789ABCDEF";
    const auto upper = codec::decode_spin_request(bad);
    REQUIRE(upper.ok());
    CHECK(upper.value->operation_id == "0123456789abcdef0123456789abcdef");
}

TEST_CASE("kiosk json: the pairing answer round-trips; no token is an error") {
    const codec::PairingAnswer a =
        round_trip(codec::PairingAnswer{"D1", "kdt_X", "Till 1", "DEMO", "Demo"},
                   codec::encode_pairing_answer, codec::decode_pairing_answer);
    CHECK(a.token == "kdt_X");
    CHECK(a.merchant_name == "Demo");
    const auto server = codec::decode_pairing_answer(Json::parse(
        R"({"device_id":"D1","token":"kdt_NEW","merchant":{"code":"DEMO","name":"Demo"}})"));
    REQUIRE(server.ok());
    CHECK(server.value->merchant_code == "DEMO");
    CHECK(codec::decode_pairing_answer(Json::parse(R"({"device_id":"D1"})")).error.field ==
          "token");
}

TEST_CASE("kiosk json: error bodies read back what error_json writes") {
    const Json j =
        codec::error_json("insufficient_points", "the member has 5 points\navailable", "reward_id");
    auto e = codec::decode_error_json(j);
    REQUIRE(e.ok());
    CHECK(e.value->code == "insufficient_points");
    CHECK(e.value->field == "reward_id");
    CHECK(codec::error_json(*e.value) == j);
    CHECK(codec::decode_error_json(codec::error_json("not_found", "gone")).value->field.empty());
    CHECK_FALSE(codec::decode_error_json(Json::parse("{\"error\":\"x\"}")).ok());
    CHECK_FALSE(codec::decode_error_json(Json::parse("[1]")).ok());
}

TEST_CASE("kiosk json: settings round-trip; the server refuses what the kiosk ignores") {
    const codec::KioskSettings s{"night", "", 90, 5};
    const auto back = round_trip(
        s, codec::encode_kiosk_settings,
        [](const Json& j) { return codec::decode_kiosk_settings(j, "settings", true); });
    CHECK(back.theme_id == "night");
    CHECK(back.wheel_id.empty());
    CHECK(codec::encode_kiosk_settings(s)["wheel_id"].is_null());

    const Json defaults = Json::object();
    CHECK(codec::decode_kiosk_settings(defaults, "", true).value->idle_seconds == 30);
    const Json extra = {{"idle_seconds", 20}, {"sound", true}};
    CHECK(codec::decode_kiosk_settings(extra, "", false).ok());
    CHECK(codec::decode_kiosk_settings(extra, "", true).error.field == "sound");
    const Json too_short = {{"idle_seconds", 4}};
    CHECK(codec::decode_kiosk_settings(too_short, "settings", false).error.field ==
          "settings.idle_seconds");
    const Json bad_id = {{"theme_id", 7}};
    CHECK(codec::decode_kiosk_settings(bad_id, "", true).error.code == "wrong_type");
}

TEST_CASE("kiosk json: a batch of operations and its answer round-trip") {
    const std::vector<codec::KioskOperation> ops = {
        {"spin", codec::encode_spin_request({std::string(32, 'a'), "m1", ""})},
        {"redeem", codec::encode_redeem_request({std::string(32, 'b'), "m1", "coffee"})}};
    const Json request = codec::encode_operations_request(ops);
    CHECK(request["operations"][1]["type"] == "redeem");
    const auto back = codec::decode_operations_request(request);
    REQUIRE(back.ok());
    REQUIRE(back.value->size() == 2);
    CHECK((*back.value)[1].type == "redeem");
    CHECK((*back.value)[1].request == ops[1].request);  // "type" is not the route's
    CHECK(codec::decode_redeem_request((*back.value)[1].request).ok());
    CHECK(codec::encode_operations_request(*back.value) == request);

    // A bad operation is kept for its own result; a bad list is the request's error.
    const Json odd = {{"operations", {42, {{"type", "dance"}}}}};
    const auto kept = codec::decode_operations_request(odd);
    REQUIRE(kept.ok());
    CHECK((*kept.value)[0].type.empty());
    CHECK((*kept.value)[1].type == "dance");
    CHECK(codec::decode_operations_request(Json::object()).error.field == "operations");
    const Json many = {{"operations", Json::array()}};
    Json too_many = many;
    for (std::size_t i = 0; i <= codec::operations_max; ++i)
        too_many["operations"].push_back(Json::object());
    CHECK(codec::decode_operations_request(many).ok());
    CHECK(codec::decode_operations_request(too_many).error.code == "out_of_range");

    const std::vector<codec::OperationResult> results = {
        {std::string(32, 'a'), 200, {{"prize", {{"id", "p1"}}}}},
        {nullptr, 400, codec::error_json("invalid_value", "type is wrong", "type")}};
    const auto answer = round_trip(results, codec::encode_operations_answer,
                                   codec::decode_operations_answer);
    CHECK(answer[0].status == 200);
    CHECK(answer[1].operation_id.is_null());
    CHECK(codec::decode_error_json(answer[1].body).value->field == "type");
    const Json no_body = {{"results", {{{"status", 200}}}}};
    CHECK(codec::decode_operations_answer(no_body).error.field == "results[0].body");
}

TEST_CASE("kiosk json: code requests; a card's code keeps control characters, a typed one not") {
    const std::string scanned = "]C1DEMO\x1d" "123";
    const Json j = codec::encode_code_request(scanned);
    CHECK(*codec::decode_code_request(j, codec::card_code_bytes_max, false).value == scanned);
    CHECK(codec::decode_code_request(j, codec::card_code_bytes_max, true).error.code ==
          "invalid_value");
    CHECK(codec::decode_code_request(Json::object(), 32, false).error.code == "missing_field");
    const Json extra = {{"code", "ABCD-EFGH"}, {"device", "x"}};
    CHECK(codec::decode_code_request(extra, 32, true).error.field == "device");
    const Json long_code = {{"code", std::string(33, 'A')}};
    CHECK(codec::decode_code_request(long_code, 32, true).error.code == "out_of_range");
}

TEST_CASE("a reward's picture: a data:image or https URL round-trips; anything else is refused") {
    const auto program = [](const Json& image) {
        Json j = {
            {"id", "p"},
            {"currency", "EUR"},
            {"rewards",
             Json::array(
                 {{{"id", "coffee"}, {"name", "Coffee"}, {"cost_points", 300}},
                  {{"id", "cake"}, {"name", "Cake"}, {"cost_points", 500}, {"image", image}}})}};
        return codec::decode_program(j, false);
    };
    const std::string png = "data:image/png;base64,iVBORw0KGgo=";
    const auto ok = program(png);
    REQUIRE(ok.ok());
    CHECK(ok.value->rewards[0].image.empty());
    CHECK(ok.value->rewards[1].image == png);
    // Encoded only where set; the kiosk's config carries it to the tiles.
    CHECK_FALSE(codec::encode_reward(ok.value->rewards[0]).contains("image"));
    CHECK(codec::encode_reward(ok.value->rewards[1])["image"] == png);
    // Left out where asked (a kiosk's program to quote with, a coupon's answer), the rest kept.
    const Json without = codec::encode_program(*ok.value, codec::Pictures::left_out);
    CHECK_FALSE(without["rewards"][1].contains("image"));
    CHECK(without["rewards"][1]["cost_points"] == 500);
    CHECK(codec::encode_program(*ok.value)["rewards"][1]["image"] == png);
    codec::KioskConfig c;
    c.version = "v";
    c.merchant_code = "DEMO";
    c.merchant_name = "Demo";
    c.rewards = ok.value->rewards;
    const auto back = codec::decode_kiosk_config(codec::encode_kiosk_config(c));
    REQUIRE(back.ok());
    CHECK(back.value->rewards[1].image == png);
    CHECK(program("https://shop.example/cake.webp").ok());

    for (const Json& bad :
         {Json("http://shop.example/cake.png"), Json("javascript:alert(1)"),
          Json("data:image/svg+xml;base64,PHN2Zz4="), Json("https://shop.example/a b.png"),
          Json("data:image/png;base64," + std::string(50 * 1024, 'A')), Json(12)}) {
        const auto r = program(bad);
        CHECK_FALSE(r.ok());
        CHECK(r.error.field == "rewards[1].image");
    }
}

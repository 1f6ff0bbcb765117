#include "codec/wheel_json.hpp"

#include <doctest/doctest.h>

using namespace kopilka;
using codec::Json;

namespace {
const char* const kWheel = R"({
  "currency": "RUB",
  "day_budget": 50000,
  "campaign_budget": "unlimited",
  "member_spins_per_day_max": 3,
  "member_wins_per_day_max": 1,
  "member_wins_per_campaign_max": "unlimited",
  "prizes": [
    {"id": "coffee", "label": "Free coffee", "kind": "coupon", "reward_id": "coffee-s",
     "weight": 10, "stock": 100, "cost": 9000},
    {"id": "p50", "label": "50 points", "kind": "points", "points": 50,
     "weight": 20, "stock": "unlimited", "cost": 500},
    {"id": "p10", "label": "10 points", "kind": "points", "points": 10,
     "weight": 30, "stock": "unlimited", "cost": 100},
    {"id": "none", "label": "Next time", "kind": "nothing",
     "weight": 40, "stock": "unlimited", "cost": 0}
  ]
})";

Json wheel_json() {
    codec::DecodeError e;
    return *codec::parse_json(kWheel, &e);
}

// The field a broken copy of the sample wheel is rejected for, and why.
codec::DecodeError error_for(const Json& j) {
    const auto r = codec::decode_wheel(j);
    CHECK_FALSE(r.ok());
    return r.error;
}
}  // namespace

TEST_CASE("wheel config round-trips through JSON") {
    const auto r = codec::decode_wheel(wheel_json());
    REQUIRE(r.ok());
    const spins::WheelConfig& c = *r.value;
    CHECK(c.currency == money::Currency::RUB);
    CHECK(c.day_budget == 50000);
    CHECK_FALSE(c.campaign_budget.has_value());
    CHECK(c.member_spins_per_day_max == 3);
    REQUIRE(c.prizes.size() == 4);
    CHECK(c.prizes[0].kind == spins::PrizeKind::coupon);
    CHECK(c.prizes[0].reward_id == "coffee-s");
    CHECK(c.prizes[0].stock == 100);
    CHECK(c.prizes[1].points == 50);
    CHECK_FALSE(c.prizes[1].stock.has_value());
    CHECK(c.prizes[3].kind == spins::PrizeKind::nothing);
    CHECK(codec::encode_wheel(c) == wheel_json());
}

TEST_CASE("bad wheel JSON names the field") {
    Json j = wheel_json();
    j["prizes"][3]["weight"] = "40";
    codec::DecodeError e = error_for(j);
    CHECK(e.field == "prizes[3].weight");
    CHECK(e.code == "wrong_type");
    CHECK(e.message.find("prizes[3].weight") != std::string::npos);

    j = wheel_json();
    j["prizes"][3]["weight"] = -1;
    e = error_for(j);
    CHECK(e.field == "prizes[3].weight");
    CHECK(e.code == "out_of_range");

    j = wheel_json();
    j["prizes"][1]["stock"] = "lots";
    CHECK(error_for(j).field == "prizes[1].stock");

    j = wheel_json();
    j["prizes"][0].erase("cost");
    e = error_for(j);
    CHECK(e.field == "prizes[0].cost");
    CHECK(e.code == "missing_field");

    j = wheel_json();
    j["prizes"][2]["kind"] = "jackpot";
    e = error_for(j);
    CHECK(e.field == "prizes[2].kind");
    CHECK(e.code == "invalid_value");

    j = wheel_json();
    j["prizes"][1]["points"] = 0;
    CHECK(error_for(j).field == "prizes[1].points");

    j = wheel_json();
    j["prizes"][0].erase("reward_id");
    CHECK(error_for(j).field == "prizes[0].reward_id");

    j = wheel_json();
    j["prizes"][2]["id"] = "coffee";
    e = error_for(j);
    CHECK(e.field == "prizes[2].id");
    CHECK(e.code == "invalid_value");

    j = wheel_json();
    for (auto& p : j["prizes"]) p["weight"] = 0;
    e = error_for(j);
    CHECK(e.field == "prizes");
    CHECK(e.code == "invalid_value");

    j = wheel_json();
    j["prizes"] = Json::array();
    CHECK(error_for(j).field == "prizes");

    j = wheel_json();
    for (std::size_t i = 0; i < spins::wheel_prizes_max; ++i) j["prizes"].push_back(j["prizes"][3]);
    e = error_for(j);
    CHECK(e.field == "prizes");
    CHECK(e.code == "out_of_range");

    j = wheel_json();
    j["day_budget"] = -5;
    CHECK(error_for(j).field == "day_budget");

    j = wheel_json();
    j.erase("member_wins_per_day_max");  // a forgotten limit is an error, not "unlimited"
    e = error_for(j);
    CHECK(e.field == "member_wins_per_day_max");
    CHECK(e.code == "missing_field");

    j = wheel_json();
    j["currency"] = "XXX";
    CHECK(error_for(j).field == "currency");

    CHECK(error_for(Json::array()).code == "wrong_type");

    // Under a path, as part of a larger document.
    Json doc = {{"wheel", wheel_json()}};
    doc["wheel"]["prizes"][3]["weight"] = 1.5;
    CHECK(codec::decode_wheel(doc["wheel"], "wheel").error.field == "wheel.prizes[3].weight");
}

TEST_CASE("a wheel's name, campaign window and segment colours round-trip") {
    Json j = wheel_json();
    j["name"] = "Spring wheel";
    j["starts_at_ms"] = 1772323200000;
    j["ends_at_ms"] = 1775001600000;
    j["prizes"][0]["colour"] = "#2E7D32";
    const auto r = codec::decode_wheel(j);
    REQUIRE(r.ok());
    CHECK(r.value->name == "Spring wheel");
    CHECK(r.value->starts_at_ms == 1772323200000);
    CHECK(r.value->ends_at_ms == 1775001600000);
    CHECK(r.value->prizes[0].colour == theme::Rgba{0x2E, 0x7D, 0x32, 255});
    CHECK_FALSE(r.value->prizes[1].colour.has_value());
    CHECK(codec::encode_wheel(*r.value) == j);
    // The published odds carry the colour for the kiosk's wheel.
    const Json odds = codec::encode_odds(*r.value, spins::wheel_odds(*r.value));
    CHECK(odds["prizes"][0]["colour"] == "#2E7D32");
    CHECK_FALSE(odds["prizes"][1].contains("colour"));
}

TEST_CASE("a wheel stored before names, windows and colours existed still decodes") {
    // kWheel is such a wheel: none of the three fields.
    const auto r = codec::decode_wheel(wheel_json());
    REQUIRE(r.ok());
    CHECK(r.value->name.empty());
    CHECK_FALSE(r.value->starts_at_ms.has_value());
    CHECK_FALSE(r.value->ends_at_ms.has_value());
    for (const auto& p : r.value->prizes) CHECK_FALSE(p.colour.has_value());
    CHECK(spins::wheel_phase(*r.value, 0) == spins::WheelPhase::running);
    const Json again = codec::encode_wheel(*r.value);
    CHECK_FALSE(again.contains("name"));
    CHECK_FALSE(again.contains("starts_at_ms"));
    CHECK_FALSE(again["prizes"][0].contains("colour"));
}

TEST_CASE("a bad name, window or colour names its field") {
    struct Bad {
        void (*spoil)(Json*);
        const char* field;
        const char* code;
    };
    const Bad cases[] = {
        {[](Json* j) { (*j)["prizes"][2]["colour"] = "#12345"; }, "prizes[2].colour",
         "invalid_value"},
        // Translucent: a segment is drawn solid.
        {[](Json* j) { (*j)["prizes"][2]["colour"] = "#11223380"; }, "prizes[2].colour",
         "invalid_value"},
        {[](Json* j) { (*j)["prizes"][1]["colour"] = 0x112233; }, "prizes[1].colour",
         "wrong_type"},
        {[](Json* j) {
             (*j)["starts_at_ms"] = 2000;
             (*j)["ends_at_ms"] = 1000;
         },
         "ends_at_ms", "invalid_value"},
        {[](Json* j) { (*j)["ends_at_ms"] = -1; }, "ends_at_ms", "out_of_range"},
        {[](Json* j) { (*j)["starts_at_ms"] = "tomorrow"; }, "starts_at_ms", "wrong_type"},
        {[](Json* j) { (*j)["name"] = std::string(spins::wheel_name_bytes_max + 1, 'x'); },
         "name", nullptr},
        {[](Json* j) { (*j)["name"] = 5; }, "name", "wrong_type"},
    };
    for (const Bad& b : cases) {
        Json j = wheel_json();
        b.spoil(&j);
        const codec::DecodeError e = error_for(j);
        INFO(j.dump());
        CHECK(e.field == b.field);
        if (b.code) CHECK(e.code == b.code);
        CHECK(e.message.find(b.field) != std::string::npos);
    }
    Json j = wheel_json();
    j["starts_at_ms"] = 2000;
    j["ends_at_ms"] = 2000;
    CHECK(error_for(j).message.find("starts_at_ms") != std::string::npos);  // says after what
}

TEST_CASE("spin outcomes and odds encode for the kiosk") {
    const spins::WheelConfig c = *codec::decode_wheel(wheel_json()).value;
    const spins::WheelState s = spins::initial_wheel_state(c);
    const spins::SpinOutcome o = spins::decide_spin(c, s, {}, 0xDEADBEEF);
    REQUIRE(o.status == spins::SpinStatus::ok);
    Json j = codec::encode_spin_outcome(c, o);
    CHECK(j["status"] == "ok");
    CHECK(j["seed"] == "00000000deadbeef");
    CHECK(j["prize"] == o.prize);
    CHECK(j["prize_id"] == c.prizes[static_cast<std::size_t>(o.prize)].id);
    CHECK(j["weights"] == Json::array({10, 20, 30, 40}));
    CHECK(j["total_weight"] == 100);
    CHECK(j["ticket"] == o.ticket);

    spins::MemberSpinState m;
    m.spins_today = 3;
    j = codec::encode_spin_outcome(c, spins::decide_spin(c, s, m, ~0ULL));
    CHECK(j == Json{{"status", "member_limit_reached"},
                    {"limit", "spins_per_day"},
                    {"seed", "ffffffffffffffff"}});

    j = codec::encode_odds(c, spins::wheel_odds(c));
    CHECK(j["prizes"][0] == Json{{"id", "coffee"},
                                 {"label", "Free coffee"},
                                 {"kind", "coupon"},
                                 {"chance_ppm", 100000}});
    CHECK(j["prizes"][3]["chance_ppm"] == 400000);
    CHECK(j["win_chance_ppm"] == 600000);
    CHECK(j["win_chance_ppm_min"] == 250000);
    CHECK(j["low_win_chance"] == false);
    CHECK(j["nothing_left"] == false);
}

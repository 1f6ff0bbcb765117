#include <doctest/doctest.h>

#include "codec/member_json.hpp"
#include "codec/tiers_json.hpp"

using namespace kopilka;
using codec::Json;

namespace {
members::MemberSnapshot sample() {
    members::MemberSnapshot m;
    m.id = "demo-anna";
    m.name = "Анна";
    m.merchant = "DEMO";
    m.balance = 1250;
    m.currency = money::Currency::RUB;
    m.tier = {"silver", "Silver", "Gold", 3750, 62};
    m.as_of_ms = 1795000000000;
    return m;
}
}  // namespace

TEST_CASE("member snapshots round-trip through JSON") {
    const Json j = codec::encode_member(sample());
    CHECK(j["balance"] == 1250);
    CHECK(j["tier"] == "Silver");
    auto back = codec::decode_member(j);
    REQUIRE(back.ok());
    CHECK(back.value->name == "Анна");
    CHECK(back.value->tier.gap == 3750);
    CHECK(back.value->tier.next_name == "Gold");
    CHECK(codec::encode_member(*back.value) == j);
}

TEST_CASE("bad member JSON names the field") {
    Json j = codec::encode_member(sample());
    j["balance"] = "1250";
    auto r = codec::decode_member(j);
    CHECK_FALSE(r.ok());
    CHECK(r.error.field == "member.balance");
    CHECK(r.error.code == "wrong_type");

    j = codec::encode_member(sample());
    j["tier_detail"].erase("gap");
    r = codec::decode_member(j);
    CHECK(r.error.field == "member.tier_detail.gap");
    CHECK(r.error.code == "missing_field");

    j = codec::encode_member(sample());
    j["currency"] = "XXX";
    CHECK(codec::decode_member(j).error.field == "member.currency");

    j = codec::encode_member(sample());
    j["tier_detail"]["progress_permille"] = 1001;
    CHECK(codec::decode_member(j).error.code == "out_of_range");

    CHECK(codec::decode_member(Json::array()).error.code == "wrong_type");
}

TEST_CASE("malformed JSON text is an error value, not an exception") {
    codec::DecodeError e;
    CHECK_FALSE(codec::parse_json("{\"a\":", &e).has_value());
    CHECK(e.code == "malformed_json");
    CHECK(codec::parse_json("{\"a\":1}", &e).has_value());
    const Json err = codec::error_json("not_found", "no member has this card", "code");
    CHECK(err["error"]["field"] == "code");
}

TEST_CASE("tier ladders: overlapping tiers are refused, naming the tier") {
    auto ok = codec::decode_tier_ladder(Json::parse(R"([{"id":"base","name":"Base","threshold":0},
        {"id":"gold","name":"Gold","threshold":5000}])"));
    REQUIRE(ok.ok());
    CHECK(ok.value->size() == 2);
    auto overlap =
        codec::decode_tier_ladder(Json::parse(R"([{"id":"base","name":"Base","threshold":0},
        {"id":"silver","name":"Silver","threshold":5000},
        {"id":"gold","name":"Gold","threshold":5000}])"));
    CHECK(overlap.error.field == "tiers[2].threshold");
    auto negative =
        codec::decode_tier_ladder(Json::parse(R"([{"id":"base","name":"Base","threshold":-1}])"));
    CHECK(negative.error.field == "tiers[0].threshold");
    CHECK(negative.error.code == "out_of_range");
    CHECK(codec::decode_tier_ladder(Json::object()).error.code == "wrong_type");
    CHECK(codec::decode_tier_ladder(Json::array()).error.code == "invalid_value");
}

TEST_CASE("member_text writes what the answer's tree would, byte for byte") {
    const auto dumped = [](const members::MemberSnapshot& m) {
        return codec::encode_member(m).dump(-1, ' ', false, Json::error_handler_t::replace);
    };
    members::MemberSnapshot m = sample();
    CHECK(codec::member_text(m) == dumped(m));
    m.available = -30;
    m.pending = 400;
    m.spins_available = 2;
    m.spin_commitment = std::string(64, 'a');
    m.expiring = {{120, 1795000100000}, {5, 1795000200000}};
    m.rewards_affordable = {{"coffee", "Кофе \"с собой\"", 500}, {"cake", "Cake\\slice", 900}};
    m.reward_next = members::RewardView{"lunch", "Lunch", 5000};
    m.history = {{"earn", "Welcome\tbonus", 1795000000000, 120},
                 {"redeem", "", 1795000001000, -500}};
    m.tier_basis = "spend";
    m.currency = money::Currency::EUR;
    m.name = "Bad \xff byte";  // not UTF-8: replaced, as every answer's text
    CHECK(codec::member_text(m) == dumped(m));
    CHECK(codec::member_text(m).find("Bad \xEF\xBF\xBD byte") != std::string::npos);  // U+FFFD
    m.name = "Анна";
    m.reward_next.reset();
    m.spin_commitment.clear();
    m.tier = {"top", "Top", "", 0, 1000};
    CHECK(codec::member_text(m) == dumped(m));
    CHECK(Json::parse(codec::member_text(m)) == codec::encode_member(m));
}

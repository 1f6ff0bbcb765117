#include "codec/simulator_json.hpp"

#include <doctest/doctest.h>

#include "codec/settlement_json.hpp"

using namespace kopilka;
using codec::Json;

namespace {
Json example() {
    return Json{{"price", 900000}, {"margin_bp", 3000}, {"rate_bp", 500}, {"visits", 2}};
}
}  // namespace

TEST_CASE("simulator JSON: the worked example in and out") {
    const auto d = codec::decode_economics_input(example());
    REQUIRE(d.ok());
    CHECK(d.value->breakage_bp == 0);  // defaults
    CHECK(d.value->comeback_bp == 10000);
    CHECK(d.value->customers == 1);
    CHECK(d.value->currency == money::Currency::RUB);
    const Json out = codec::encode_economics(*d.value, simulator::simulate_economics(*d.value));
    CHECK(out["schemes"]["bonus"]["profit"] == 495000);
    CHECK(out["schemes"]["discount"]["profit"] == 450000);
    CHECK(out["schemes"]["bonus"]["cost_share_of_margin_bp"] == 833);
    CHECK(out["schemes"]["discount"]["cost_share_of_margin_ppm"] == 166667);
    CHECK(out["bonus_flow"]["liability"] == 42750);
    CHECK(out["bonus_vs_discount"] == 45000);
    CHECK(out["input"]["earn_rounding"] == "floor");

    // Everything optional spelled out survives a round trip.
    Json full = example();
    full["breakage_bp"] = 1500;
    full["comeback_bp"] = 7000;
    full["customers"] = 1000;
    full["currency"] = "EUR";
    full["rounding"] = "half_up";
    full["earn_rounding"] = "ceil";
    const auto back = codec::decode_economics_input(full);
    REQUIRE(back.ok());
    CHECK(back.value->rounding == money::Rounding::half_up);
    CHECK(codec::encode_economics_input(*back.value) == full);
}

TEST_CASE("simulator JSON: errors name the field") {
    struct Case {
        const char* key;
        Json value;  // null: remove the key
        const char* code;
        const char* field;
    };
    const Case cases[] = {
        {"price", nullptr, "missing_field", "price"},
        {"price", 0, "out_of_range", "price"},
        {"price", -9000, "out_of_range", "price"},
        {"price", 9000.5, "wrong_type", "price"},
        {"margin_bp", 10001, "out_of_range", "margin_bp"},
        {"rate_bp", 10001, "out_of_range", "rate_bp"},
        {"visits", 0, "out_of_range", "visits"},
        {"visits", "2", "wrong_type", "visits"},
        {"visits", simulator::visits_max + 1, "out_of_range", "visits"},
        {"breakage_bp", -1, "out_of_range", "breakage_bp"},
        {"comeback_bp", 10001, "out_of_range", "comeback_bp"},
        {"customers", 0, "out_of_range", "customers"},
        {"currency", "XXX", "invalid_value", "currency"},
        {"currency", "PTS", "invalid_value", "currency"},
        {"rounding", "bankers", "invalid_value", "rounding"},
        {"rate", 500, "unknown_field", "rate"},
    };
    for (const auto& c : cases) {
        Json j = example();
        if (c.value.is_null())
            j.erase(c.key);
        else
            j[c.key] = c.value;
        const auto d = codec::decode_economics_input(j);
        INFO(c.key << " = " << c.value.dump());
        CHECK_FALSE(d.ok());
        CHECK(d.error.code == c.code);
        CHECK(d.error.field == c.field);
        CHECK(d.error.message.find(c.field) == 0);  // the sentence starts with the field
    }
    CHECK(codec::decode_economics_input(Json::array()).error.code == "wrong_type");

    // Inside a larger document the path leads to the field.
    Json j = example();
    j["margin_bp"] = 0;
    const auto d = codec::decode_economics_input(j, "simulator");
    CHECK(d.error.field == "simulator.margin_bp");
}

TEST_CASE("simulator JSON: statuses found while simulating become errors too") {
    const auto e = codec::economics_error(simulator::EconomicsStatus::margin_rounds_to_zero);
    CHECK(e.field == "margin_bp");
    CHECK(e.code == "invalid_value");
    simulator::EconomicsInput in;
    simulator::Economics failed;
    failed.status = simulator::EconomicsStatus::overflow;
    const Json out = codec::encode_economics(in, failed);
    CHECK(out["error"]["code"] == "out_of_range");
    CHECK_FALSE(out["error"].contains("field"));
}

// Settlement JSON shares the conventions; its errors name the partner.
TEST_CASE("settlement JSON: a statement with partner ids, and errors naming the partner") {
    const Json input = {{"clearing_price_num", 50},
                        {"partners",
                         {{{"id", "bakery"}, {"issued", 600}, {"burned", 100}},
                          {{"id", "cinema"}, {"issued", 300}, {"burned", 500}},
                          {{"id", "florist"}, {"issued", 100}, {"burned", 400}}}}};
    const auto d = codec::decode_settlement_input(input);
    REQUIRE(d.ok());
    CHECK(d.value->clearing_price_den == 1);
    const Json out = codec::encode_settlement(*d.value, coalition::settle(*d.value));
    CHECK(out["total_value"] == 50000);
    CHECK(out["partners"][0]["id"] == "bakery");
    CHECK(out["partners"][0]["net"] == -25000);
    CHECK(out["transfers"][0] == Json{{"payer", "bakery"}, {"payee", "cinema"}, {"amount", 13500}});
    const auto again = codec::decode_settlement_input(codec::encode_settlement_input(*d.value));
    REQUIRE(again.ok());
    CHECK(codec::encode_settlement_input(*again.value) == codec::encode_settlement_input(*d.value));

    Json j = input;
    j["partners"][2]["burned"] = -1;
    auto e = codec::decode_settlement_input(j);
    CHECK(e.error.field == "partners[2].burned");
    CHECK(e.error.code == "out_of_range");

    j = input;
    j["partners"][1]["id"] = "bakery";
    e = codec::decode_settlement_input(j);
    CHECK(e.error.field == "partners[1].id");
    CHECK(e.error.code == "invalid_value");

    j = input;
    j["partners"][0].erase("issued");
    CHECK(codec::decode_settlement_input(j).error.field == "partners[0].issued");

    j = input;
    j["partners"][0]["share"] = 1;
    CHECK(codec::decode_settlement_input(j).error.field == "partners[0].share");

    j = input;
    j["clearing_price_den"] = 0;
    CHECK(codec::decode_settlement_input(j).error.field == "clearing_price_den");

    j = input;
    j.erase("partners");
    CHECK(codec::decode_settlement_input(j).error.field == "partners");

    j = input;
    j["partners"] = Json::array();
    CHECK(codec::decode_settlement_input(j).error.field == "partners");

    j = input;
    for (auto& p : j["partners"]) p["issued"] = 0;
    const auto none = codec::decode_settlement_input(j);
    REQUIRE(none.ok());  // a valid input; settling it is what fails
    const Json failed = codec::encode_settlement(*none.value, coalition::settle(*none.value));
    CHECK(failed["error"]["field"] == "partners[0].burned");
}

#include "client/product_points.hpp"

#include <doctest/doctest.h>

#include "codec/quote_json.hpp"
#include "core/quote/quote.hpp"
#include "rules_fixtures.hpp"

using namespace kopilka;
using client::PriceStatus;
using client::ProductQuery;
using i18n::Locale;

namespace {

// The demo merchant's kind of program: 5 % in points, Silver ×1.25, Gold ×1.5 and 3 % off.
program::Program tiered() {
    return testing::program_of(codec::Json::parse(R"({
      "id": "tiered", "currency": "RUB", "point_value_minor": 100,
      "bonus": {"earn_bp": 500, "expiry_days": 365},
      "tiers": {"basis": "points", "window_days": 365, "levels": [
        {"id": "base", "name": "Base", "threshold": 0},
        {"id": "silver", "name": "Silver", "threshold": 1000, "earn_multiplier_pct": 125},
        {"id": "gold", "name": "Gold", "threshold": 5000, "earn_multiplier_pct": 150,
         "discount_bp": 300}]}
    })"));
}

client::ProductPoints points(const program::Program& p, const ProductQuery& q,
                             Locale l = Locale::en) {
    return client::product_points(p, q, testing::rules_catalogues(), l);
}

// What the till's quote gives for one unit of the product, worked out independently of
// product_points: the same receipt as the till would send.
std::int64_t till_points(const program::Program& p, const std::string& sku,
                         const std::string& category, std::int64_t price, const std::string& tier) {
    quote::MemberContext m;
    m.tier_held = tier;
    const quote::Quote q =
        quote::quote_receipt(p, m, {"till", {{sku, category, price, 1, false}}, 1767225600000});
    return q.points_earned;
}

}  // namespace

TEST_CASE("product points: 1 990 ₽ earns 99 points, more with a tier, and says so") {
    const program::Program p = tiered();
    REQUIRE(p.id == "tiered");
    const auto guest = points(p, {199000, "boots", "shoes", "", ""});
    CHECK(guest.status == client::ProductPointsStatus::ok);
    CHECK(guest.points == 99);  // 5 % of 1 990 ₽ = 99,50 → rounded down once
    CHECK(guest.paid == 199000);
    CHECK(guest.text == "Earn 99 points");
    CHECK(points(p, {199000, "boots", "shoes", "silver", ""}).points == 124);  // 124,375
    const auto gold = points(p, {199000, "boots", "shoes", "gold", ""});
    CHECK(gold.paid == 193030);  // 3 % off first
    CHECK(gold.points == 144);   // 5 % × 1,5 of 1 930,30 ₽ = 144,77
    CHECK(points(p, {199000, "", "", "no-such-tier", ""}).points == 99);  // the first tier
}

TEST_CASE("product points: the sentence in every language, with plural forms") {
    const program::Program p = tiered();
    auto text = [&](std::int64_t rubles, Locale l) {
        return points(p, {rubles * 2000, "", "", "", ""}, l).text;  // 5 %: 1 point per 20 ₽
    };
    const std::string ru = "\u0412\u044B \u043F\u043E\u043B\u0443\u0447\u0438\u0442\u0435 ";
    const std::string ball = "\u0431\u0430\u043B\u043B";
    CHECK(text(1, Locale::ru) == ru + "1 " + ball);
    CHECK(text(2, Locale::ru) == ru + "2 " + ball + "\u0430");
    CHECK(text(5, Locale::ru) == ru + "5 " + ball + "\u043E\u0432");
    CHECK(text(21, Locale::ru) == ru + "21 " + ball);
    CHECK(text(1, Locale::lv) == "Sa\u0146emiet 1 punktu");
    CHECK(text(2, Locale::lv) == "Sa\u0146emiet 2 punktus");
    CHECK(text(5, Locale::lv) == "Sa\u0146emiet 5 punktus");
    CHECK(text(21, Locale::lv) == "Sa\u0146emiet 21 punktu");
    CHECK(text(10, Locale::lv) == "Sa\u0146emiet 10 punktu");
    CHECK(text(1, Locale::de) == "Sammeln Sie 1 Punkt");
    CHECK(text(1250, Locale::de) == "Sammeln Sie 1.250 Punkte");
    CHECK(text(1, Locale::en) == "Earn 1 point");
    CHECK(text(1250, Locale::en) == "Earn 1,250 points");
}

TEST_CASE("product points equal the till's quote for every scenario program and product") {
    auto programs = testing::scenario_programs();
    programs.emplace_back(testing::full_program(), codec::Json::array());
    programs.emplace_back(tiered(), codec::Json::array());
    int compared = 0;
    for (const auto& program_and_cases : programs) {  // no structured binding: INFO captures p
        const program::Program& p = program_and_cases.first;
        const codec::Json& cases = program_and_cases.second;
        REQUIRE(!p.id.empty());
        std::vector<quote::ReceiptLine> lines;
        for (const auto& c : cases) {
            const auto r = codec::decode_receipt(c["receipt"]);
            REQUIRE(r.ok());
            lines.insert(lines.end(), r.value->lines.begin(), r.value->lines.end());
        }
        // Products of the full program: a multiplier by product and category, exclusions.
        lines.push_back({"cake-special", "bakery", 1990, 1, false});
        lines.push_back({"latte", "coffee", 350, 1, false});
        lines.push_back({"cigarettes", "tobacco", 900, 1, false});
        lines.push_back({"boots", "shoes", 1234567, 1, false});
        std::vector<std::string> tiers = {""};
        if (p.tiers)
            for (const auto& level : p.tiers->levels) tiers.push_back(level.id);
        for (const auto& l : lines)
            for (const auto& tier : tiers) {
                INFO(p.id << ": " << l.sku << " (" << l.category << ") at " << l.unit_price
                          << ", tier " << tier);
                const auto got = points(p, {l.unit_price, l.sku, l.category, tier, ""});
                CHECK(got.points == till_points(p, l.sku, l.category, l.unit_price, tier));
                ++compared;
            }
    }
    CHECK(compared > 100);
}

TEST_CASE("product points by hand: multipliers, exclusions, minimum receipt, VIP") {
    const program::Program p = testing::full_program();  // euros, 1 point = 1 cent, 5 %
    // cake-special ×1.25 beats its category; coffee ×2; tobacco earns nothing.
    CHECK(points(p, {2000, "cake-special", "coffee", "", ""}).points == 125);
    CHECK(points(p, {2000, "latte", "coffee", "", ""}).points == 200);
    CHECK(points(p, {2000, "cigarettes", "tobacco", "", ""}).points == 0);
    CHECK(points(p, {999, "gum", "food", "", ""}).points == 0);  // below the €10 minimum
    // Gold (spend basis): 3 % off (€19.40 paid), then ×1.5: 145.5 → 145.
    CHECK(points(p, {2000, "gum", "food", "gold", ""}).points == 145);
    // VIP Plus: 5 % off beats Gold's 3 % (€19.00), then ×1.5 × ×2: 285.
    CHECK(points(p, {2000, "gum", "food", "gold", "plus"}).points == 285);
}

TEST_CASE("product points: a price the quote refuses gives no text") {
    const program::Program p = tiered();
    const auto negative = points(p, {-1, "", "", "", ""});
    CHECK(negative.status == client::ProductPointsStatus::invalid_price);
    CHECK(negative.text.empty());
    CHECK(points(p, {quote::receipt_gross_max + 1, "", "", "", ""}).status ==
          client::ProductPointsStatus::invalid_price);
    CHECK(points(p, {quote::receipt_gross_max, "", "", "", ""}).points ==
          quote::receipt_gross_max / 2000);
    program::Program bare;
    bare.id = "bare";
    CHECK(points(bare, {199000, "", "", "", ""}).points == 0);
}

TEST_CASE("parse_price reads the price attribute exactly into minor units") {
    using client::parse_price;
    using money::Currency;
    CHECK(parse_price("1990.00", Currency::RUB).minor == 199000);
    CHECK(parse_price("1990", Currency::RUB).minor == 199000);
    CHECK(parse_price("1990.5", Currency::EUR).minor == 199050);
    CHECK(parse_price(" 19.9 \n", Currency::USD).minor == 1990);
    CHECK(parse_price("0.01", Currency::RUB).minor == 1);
    CHECK(parse_price("007.10", Currency::RUB).minor == 710);
    CHECK(parse_price("12", Currency::PTS).minor == 12);
    CHECK(parse_price("10000000000.00", Currency::RUB).minor == quote::receipt_gross_max);
    CHECK(parse_price("1990.00", Currency::RUB).status == PriceStatus::ok);
    // 0.1 + 0.2 in floating point is not 0.3; here it is 30 kopecks.
    CHECK(parse_price("0.30", Currency::RUB).minor == 30);

    CHECK(parse_price("", Currency::RUB).status == PriceStatus::empty);
    CHECK(parse_price("   ", Currency::RUB).status == PriceStatus::empty);
    for (const char* bad : {"1,99", "-5", "+5", "1e3", "1.2.3", ".5", "5.", "12 00", "0x10",
                            "1990.00\u20BD", "NaN", "\u0661\u0662"})
        CHECK_MESSAGE(parse_price(bad, Currency::RUB).status == PriceStatus::malformed, bad);
    const auto decimals = parse_price("1990.001", Currency::RUB);
    CHECK(decimals.status == PriceStatus::too_many_decimals);
    CHECK(decimals.message == "price \"1990.001\" has more than 2 decimals for RUB");
    CHECK(parse_price("12.0", Currency::PTS).status == PriceStatus::too_many_decimals);
    CHECK(parse_price("10000000000.01", Currency::RUB).status == PriceStatus::too_large);
    CHECK(parse_price("99999999999999999999999", Currency::RUB).status == PriceStatus::too_large);
    const auto comma = parse_price("1,99", Currency::EUR);
    CHECK(comma.minor == 0);
    CHECK(comma.message.find("\"1,99\"") != std::string::npos);
}

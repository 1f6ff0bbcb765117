#include "client/program_text.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include "rules_fixtures.hpp"

using namespace kopilka;
using client::RulesText;
using i18n::Locale;

namespace {

const std::string kNbsp = "\u00A0";

RulesText rules(const program::Program& p, Locale l) {
    return client::program_rules_text(p, testing::rules_catalogues(), l);
}

const client::RulesSection* section(const RulesText& t, const std::string& id) {
    for (const auto& s : t.sections)
        if (s.id == id) return &s;
    return nullptr;
}

bool has_item(const RulesText& t, const std::string& id, const std::string& item) {
    const client::RulesSection* s = section(t, id);
    return s && std::find(s->items.begin(), s->items.end(), item) != s->items.end();
}

std::string dump(const RulesText& t) {
    return client::rules_plain_text(t);
}

// The sections a program's mechanics call for, in the order the text gives them.
std::vector<std::string> expected_sections(const program::Program& p) {
    std::vector<std::string> out;
    const bool earns = p.bonus && p.bonus->earn_bp > 0;
    const bool bonuses = p.bonus && (p.bonus->welcome_bonus > 0 || p.bonus->birthday_bonus > 0 ||
                                     !p.bonus->action_bonuses.empty());
    if (earns) out.push_back("earn");
    if (p.cashback) out.push_back("cashback");
    if (!p.stamp_cards.empty()) out.push_back("stamps");
    if (p.flat_discount || p.discount_ladder || !p.segments.empty()) out.push_back("discounts");
    if (p.tiers) out.push_back("tiers");
    if (!p.vip_plans.empty()) out.push_back("vip");
    if (bonuses) out.push_back("bonuses");
    if (p.referral) out.push_back("referral");
    if (p.bonus) out.push_back("spend");
    if (!p.rewards.empty()) out.push_back("rewards");
    if (p.coalition) out.push_back("coalition");
    return out;
}

// Every section expected, each with a heading and items without a raw key or a leftover
// placeholder. Only l's catalogue is given, so a key l lacks shows as the raw key instead of
// falling back to English.
void check_complete(const program::Program& p, Locale l) {
    i18n::Catalogues only;
    only.by_locale[l] = testing::rules_catalogues().by_locale.at(l);
    const RulesText t = client::program_rules_text(p, only, l);
    INFO("program " << p.id << " in " << i18n::locale_tag(l) << ":\n" << dump(t));
    std::vector<std::string> ids;
    for (const auto& s : t.sections) {
        ids.push_back(s.id);
        CHECK(s.heading.find("rules.") == std::string::npos);
        CHECK_FALSE(s.items.empty());
        for (const auto& item : s.items) {
            CHECK(item.find("rules.") == std::string::npos);
            CHECK(item.find('{') == std::string::npos);
            CHECK_FALSE(item.empty());
        }
    }
    CHECK(ids == expected_sections(p));
}

}  // namespace

TEST_CASE("rules catalogues: every key in all four languages, with every plural form") {
    const auto& c = testing::rules_catalogues();
    REQUIRE(c.by_locale.size() == 4);
    CHECK(c.by_locale.at(Locale::en).messages.size() > 50);
    for (Locale l : i18n::all_locales) {
        const auto missing = i18n::missing_keys(c, l);
        std::string list;
        for (const auto& k : missing) list += k + " ";
        INFO("missing in " << i18n::locale_tag(l) << ": " << list);
        CHECK(missing.empty());
        CHECK(c.by_locale.at(l).messages.size() == c.by_locale.at(Locale::en).messages.size());
    }
}

TEST_CASE("every mechanic of every scenario program and of the full program, in every language") {
    auto programs = testing::scenario_programs();
    programs.emplace_back(testing::full_program(), codec::Json::array());
    REQUIRE(programs.size() >= 12);
    for (const auto& program_and_cases : programs) {
        const program::Program& p = program_and_cases.first;
        REQUIRE_MESSAGE(!p.id.empty(), "a fixture program did not decode");
        for (Locale l : i18n::all_locales) check_complete(p, l);
    }
}

TEST_CASE("the full program in English: one sentence per rule, money and percent exact") {
    const program::Program p = testing::full_program();
    REQUIRE(p.id == "full");
    const RulesText t = rules(p, Locale::en);
    INFO(dump(t));
    // 5 % of what is paid, points worth 1 cent each: 1 point per 20 cents.
    const std::pair<std::string, std::string> expected[] = {
        {"earn", "1 point per \u20AC0.20"},
        {"earn", "Points \u00D71.25 on the product \u201Ccake-special\u201D"},
        {"earn", "Points \u00D72 in the category \u201Ccoffee\u201D"},
        {"earn", "No points in the categories: tobacco, alcohol"},
        {"earn", "Items already on sale earn no points"},
        {"earn", "Purchases from \u20AC10 earn points"},
        {"earn", "New points can be spent 14 days after the purchase"},
        {"earn", "Points expire 12 months after they are earned"},
        {"cashback", "3% of every purchase back as cashback"},
        {"cashback", "No cashback in the categories: alcohol"},
        {"stamps", "Collect 10 stamps and get Burger"},
        {"stamps", "1 stamp for each item of: burger"},
        {"stamps", "1 stamp for every \u20AC50 you spend"},
        {"discounts", "5% off with your card on: shoes"},
        {"discounts", "The more you buy in total, the bigger your discount"},
        {"discounts", "5% off once your purchases reach \u20AC10,000"},
        {"discounts", "10% off once your purchases reach \u20AC50,000"},  // capped
        {"discounts", "The discount is never more than 10%"},
        {"discounts", "Every 90 days without a purchase lower the discount by one step"},
        {"discounts", "status \u201Cstudent\u201D: 10% off everything"},
        {"discounts", "status \u201Cpensioner\u201D: 7% off on: pharmacy"},
        {"tiers", "Base from the start"},
        {"tiers", "Gold from \u20AC50,000 a year: points \u00D71.5, 3% off, free delivery"},
        {"tiers", "After 180 days without a purchase your status goes down one level"},
        {"tiers", "Spending points never lowers your status"},
        {"vip", "Plus: \u20AC29.90 a month: points \u00D72, 5% off, closed sales"},
        {"vip", "Year: \u20AC299 a year"},
        {"bonuses", "100 points for joining"},
        {"bonuses", "21 points on your birthday"},
        {"bonuses", "50 points for a review"},
        {"bonuses", "2 points for quiz"},  // an action the catalogue doesn't name
        {"referral",
         "Invite a friend: you both get 200 points after their first purchase of "
         "\u20AC500 or more"},
        {"referral", "Bonuses for at most 3 invitations a month"},
        {"spend", "1 point = \u20AC0.01"},
        {"spend", "Points can pay up to 50% of a purchase"},
        {"spend", "Points can pay for purchases from \u20AC50"},
        {"spend", "Points can't be spent from 1 Feb 2026 to 7 Feb 2026"},
        {"rewards", "Burger for 300 points"},
        {"rewards", "Voucher: \u20AC5 off for 1,500 points"},
        {"rewards", "Tenth: 10% off for 1,000 points"},
        {"rewards", "The coupon for Voucher is valid for 21 days"},
        {"coalition", "Your points also work at the partners of \u201Ccity-card\u201D"},
    };
    for (const auto& e : expected) CHECK_MESSAGE(has_item(t, e.first, e.second), e.second);
    CHECK(t.sections.front().heading == "Earning points");
}

TEST_CASE("the full program in German, Russian and Latvian: the locale's money and percent") {
    const program::Program p = testing::full_program();
    const RulesText de = rules(p, Locale::de);
    INFO(dump(de));
    CHECK(has_item(de, "earn", "1 Punkt pro 0,20" + kNbsp + "\u20AC"));
    CHECK(has_item(de, "tiers",
                   "Gold ab 50.000" + kNbsp + "\u20AC Umsatz im Jahr: Punkte \u00D71,5, 3" + kNbsp +
                       "% Rabatt, free delivery"));
    CHECK(has_item(de, "vip",
                   "Plus: 29,90" + kNbsp + "\u20AC im Monat: Punkte \u00D72, 5" + kNbsp +
                       "% Rabatt, closed sales"));
    CHECK(has_item(de, "spend",
                   "Vom 01.02.2026 bis zum 07.02.2026 k\u00F6nnen keine Punkte "
                   "eingel\u00F6st werden"));
    const RulesText ru = rules(p, Locale::ru);
    INFO(dump(ru));
    CHECK(has_item(ru, "tiers",
                   "Gold \u2014 \u043E\u0442 50" + kNbsp + "000" + kNbsp +
                       "\u20AC \u0432 \u0433\u043E\u0434: \u0431\u0430\u043B\u043B\u044B "
                       "\u00D71,5, \u0441\u043A\u0438\u0434\u043A\u0430 3" +
                       kNbsp + "%, free delivery"));
    CHECK(has_item(ru, "earn",
                   "\u0411\u0430\u043B\u043B\u044B \u0441\u0433\u043E\u0440\u0430\u044E"
                   "\u0442 \u0447\u0435\u0440\u0435\u0437 12 \u043C\u0435\u0441\u044F"
                   "\u0446\u0435\u0432 \u043F\u043E\u0441\u043B\u0435 \u043D\u0430\u0447"
                   "\u0438\u0441\u043B\u0435\u043D\u0438\u044F"));
    const RulesText lv = rules(p, Locale::lv);
    INFO(dump(lv));
    CHECK(has_item(lv, "rewards",
                   "Voucher: 5" + kNbsp + "\u20AC atlaide par 1" + kNbsp + "500 punktiem"));
    CHECK(has_item(lv, "discounts", "5" + kNbsp + "% atlaide ar j\u016Bsu karti: shoes"));
}

TEST_CASE("roubles: \"1 point per 20 ₽\" and \"Gold from 50 000 ₽ a year\" in Russian") {
    program::Program p = testing::full_program();
    p.currency = money::Currency::RUB;
    p.point_value_minor = 100;
    const RulesText ru = rules(p, Locale::ru);
    INFO(dump(ru));
    CHECK(has_item(ru, "earn",
                   "1 \u0431\u0430\u043B\u043B \u0437\u0430 \u043A\u0430\u0436\u0434"
                   "\u044B\u0435 20" +
                       kNbsp + "\u20BD"));
    CHECK(has_item(ru, "spend", "1 \u0431\u0430\u043B\u043B = 1" + kNbsp + "\u20BD"));
    const RulesText en = rules(p, Locale::en);
    CHECK(has_item(en, "earn", "1 point per \u20BD20"));
    CHECK(has_item(en, "spend", "1 point = \u20BD1"));
}

TEST_CASE("earning rates that are not one point per round amount") {
    program::Program p;
    p.id = "rates";
    p.currency = money::Currency::RUB;
    p.bonus = program::BonusPoints{};
    auto earn_line = [&](std::int64_t earn_bp, std::int64_t point_value, Locale l) {
        p.bonus->earn_bp = earn_bp;
        p.point_value_minor = point_value;
        return section(rules(p, l), "earn")->items.front();
    };
    CHECK(earn_line(300, 100, Locale::en) == "3 points per \u20BD100");
    CHECK(earn_line(125, 100, Locale::en) == "1 point per \u20BD80");
    CHECK(earn_line(333, 100, Locale::en) == "333 points per \u20BD10,000");
    CHECK(earn_line(10000, 100, Locale::en) == "1 point per \u20BD1");
    CHECK(earn_line(10000, 1, Locale::en) == "1 point per \u20BD0.01");
    // No power of ten earns whole points at 0.07 % with points worth 3 kopecks: the share.
    CHECK(earn_line(7, 3, Locale::en) == "0.07% of what you pay comes back as points");
    CHECK(earn_line(7, 3, Locale::de) ==
          "0,07" + kNbsp + "% Ihres Einkaufs bekommen Sie als Punkte zur\u00FCck");
}

TEST_CASE("percentages from basis points and multipliers as factors, exactly") {
    using client::factor_from_percent;
    using client::percent_from_bp;
    CHECK(percent_from_bp(Locale::ru, 500) == "5" + kNbsp + "%");
    CHECK(percent_from_bp(Locale::de, 1250) == "12,5" + kNbsp + "%");
    CHECK(percent_from_bp(Locale::lv, 125) == "1,25" + kNbsp + "%");
    CHECK(percent_from_bp(Locale::ru, 1) == "0,01" + kNbsp + "%");
    CHECK(percent_from_bp(Locale::ru, 10) == "0,1" + kNbsp + "%");
    CHECK(percent_from_bp(Locale::en, 10000) == "100%");
    CHECK(percent_from_bp(Locale::en, 1250) == "12.5%");
    CHECK(percent_from_bp(Locale::en, 0) == "0%");
    CHECK(factor_from_percent(Locale::en, 200) == "\u00D72");
    CHECK(factor_from_percent(Locale::ru, 150) == "\u00D71,5");
    CHECK(factor_from_percent(Locale::en, 125) == "\u00D71.25");
    CHECK(factor_from_percent(Locale::de, 10000) == "\u00D7100");
}

TEST_CASE("plural forms for 1, 2, 5 and 21 in Russian and Latvian, 1 and 2 in English and German") {
    program::Program p;
    p.id = "plurals";
    p.bonus = program::BonusPoints{};
    auto welcome = [&](std::int64_t n, Locale l) {
        p.bonus->welcome_bonus = n;
        return section(rules(p, l), "bonuses")->items.front();
    };
    auto pending = [&](std::int64_t n, Locale l) {
        p.bonus->earn_bp = 500;
        p.bonus->pending_days = n;
        return section(rules(p, l), "earn")->items.back();
    };
    const std::string ball = "\u0431\u0430\u043B\u043B", reg =
                                                             " \u0437\u0430 \u0440\u0435\u0433"
                                                             "\u0438\u0441\u0442\u0440\u0430\u0446"
                                                             "\u0438\u044E";
    CHECK(welcome(1, Locale::ru) == "1 " + ball + reg);
    CHECK(welcome(2, Locale::ru) == "2 " + ball + "\u0430" + reg);
    CHECK(welcome(5, Locale::ru) == "5 " + ball + "\u043E\u0432" + reg);
    CHECK(welcome(21, Locale::ru) == "21 " + ball + reg);
    CHECK(welcome(11, Locale::ru) == "11 " + ball + "\u043E\u0432" + reg);
    const std::string par = " par re\u0123istr\u0113\u0161anos";
    CHECK(welcome(1, Locale::lv) == "1 punkts" + par);
    CHECK(welcome(2, Locale::lv) == "2 punkti" + par);
    CHECK(welcome(5, Locale::lv) == "5 punkti" + par);
    CHECK(welcome(21, Locale::lv) == "21 punkts" + par);
    CHECK(welcome(10, Locale::lv) == "10 punktu" + par);
    CHECK(welcome(1, Locale::en) == "1 point for joining");
    CHECK(welcome(2, Locale::en) == "2 points for joining");
    CHECK(welcome(1, Locale::de) == "1 Punkt f\u00FCr die Anmeldung");
    CHECK(welcome(2, Locale::de) == "2 Punkte f\u00FCr die Anmeldung");

    const std::string after =
        " \u043F\u043E\u0441\u043B\u0435 \u043F\u043E\u043A\u0443\u043F"
        "\u043A\u0438";
    const std::string spend =
        "\u041D\u043E\u0432\u044B\u0435 \u0431\u0430\u043B\u043B\u044B "
        "\u043C\u043E\u0436\u043D\u043E \u043F\u043E\u0442\u0440\u0430"
        "\u0442\u0438\u0442\u044C \u0447\u0435\u0440\u0435\u0437 ";
    CHECK(pending(1, Locale::ru) == spend + "1 \u0434\u0435\u043D\u044C" + after);
    CHECK(pending(2, Locale::ru) == spend + "2 \u0434\u043D\u044F" + after);
    CHECK(pending(5, Locale::ru) == spend + "5 \u0434\u043D\u0435\u0439" + after);
    CHECK(pending(21, Locale::ru) == spend + "21 \u0434\u0435\u043D\u044C" + after);
    const std::string lv = "Jaunos punktus var izmantot p\u0113c ";
    CHECK(pending(1, Locale::lv) == lv + "1 dienas");
    CHECK(pending(2, Locale::lv) == lv + "2 dien\u0101m");
    CHECK(pending(5, Locale::lv) == lv + "5 dien\u0101m");
    CHECK(pending(21, Locale::lv) == lv + "21 dienas");
}

TEST_CASE("durations in the largest whole unit; windows other than a year") {
    program::Program p;
    p.id = "durations";
    p.bonus = program::BonusPoints{};
    p.bonus->earn_bp = 100;
    auto expiry = [&](std::int64_t days) {
        p.bonus->expiry_days = days;
        return section(rules(p, Locale::en), "earn")->items.back();
    };
    CHECK(expiry(365) == "Points expire 1 year after they are earned");
    CHECK(expiry(730) == "Points expire 2 years after they are earned");
    CHECK(expiry(90) == "Points expire 3 months after they are earned");
    CHECK(expiry(45) == "Points expire 45 days after they are earned");
    program::Tiers tiers;
    tiers.window_days = 90;
    tiers.levels = {{"base", "Base", 0, 100, 0, {}}, {"silver", "Silver", 1000, 125, 0, {}}};
    p.tiers = tiers;
    CHECK(section(rules(p, Locale::en), "tiers")->items[1] ==
          "Silver from 1,000 points in 3 months: points \u00D71.25");
    p.tiers->window_days = 7;
    CHECK(section(rules(p, Locale::de), "tiers")->items[1] ==
          "Silver ab 1.000 Punkten in 7 Tagen: Punkte \u00D71,25");
}

TEST_CASE("referral with different bonuses, and without a minimum purchase") {
    program::Program p;
    p.id = "referral";
    p.referral = program::Referral{200, 100, 0, 10};
    const RulesText t = rules(p, Locale::en);
    INFO(dump(t));
    CHECK(section(t, "referral")->items ==
          std::vector<std::string>{"Invite a friend: you get 200 points after their first purchase",
                                   "Your friend gets 100 points after their first purchase",
                                   "Bonuses for at most 10 invitations a month"});
}

TEST_CASE("an empty program has no sections; the plain text lists headings and items") {
    program::Program p;
    p.id = "empty";
    CHECK(rules(p, Locale::en).sections.empty());
    RulesText t;
    t.sections.push_back({"earn", "Earning points", {"1 point per \u20BD20", "Points x2"}});
    CHECK(client::rules_plain_text(t) ==
          "Earning points\n  \u2022 1 point per \u20BD20\n  \u2022 Points x2\n");
    CHECK(client::rules_catalogue_path(Locale::lv) == "i18n/rules/lv.json");
}

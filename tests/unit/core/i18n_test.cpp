#include <doctest/doctest.h>

#include "core/i18n/catalogue.hpp"
#include "core/i18n/locale.hpp"

using namespace kopilka;
using namespace kopilka::i18n;

TEST_CASE("CLDR plural categories for integers") {
    // Russian: one / few / many
    CHECK(plural_category(Locale::ru, 1) == Plural::one);
    CHECK(plural_category(Locale::ru, 21) == Plural::one);
    CHECK(plural_category(Locale::ru, 11) == Plural::many);
    CHECK(plural_category(Locale::ru, 2) == Plural::few);
    CHECK(plural_category(Locale::ru, 24) == Plural::few);
    CHECK(plural_category(Locale::ru, 12) == Plural::many);
    CHECK(plural_category(Locale::ru, 5) == Plural::many);
    CHECK(plural_category(Locale::ru, 0) == Plural::many);
    CHECK(plural_category(Locale::ru, 1250) == Plural::many);
    CHECK(plural_category(Locale::ru, 101) == Plural::one);
    // Latvian: zero / one / other
    CHECK(plural_category(Locale::lv, 0) == Plural::zero);
    CHECK(plural_category(Locale::lv, 10) == Plural::zero);
    CHECK(plural_category(Locale::lv, 11) == Plural::zero);
    CHECK(plural_category(Locale::lv, 19) == Plural::zero);
    CHECK(plural_category(Locale::lv, 1) == Plural::one);
    CHECK(plural_category(Locale::lv, 21) == Plural::one);
    CHECK(plural_category(Locale::lv, 2) == Plural::other);
    CHECK(plural_category(Locale::lv, 1250) == Plural::zero);
    // German and English: one / other
    CHECK(plural_category(Locale::de, 1) == Plural::one);
    CHECK(plural_category(Locale::de, 0) == Plural::other);
    CHECK(plural_category(Locale::en, 21) == Plural::other);
    CHECK(plural_category(Locale::en, -1) == Plural::one);
}

TEST_CASE("number and money formats per locale") {
    const std::string nbsp = "\u00A0";
    CHECK(format_integer(Locale::ru, 1250) == "1" + nbsp + "250");
    CHECK(format_integer(Locale::lv, 1250) == "1" + nbsp + "250");
    CHECK(format_integer(Locale::de, 1250) == "1.250");
    CHECK(format_integer(Locale::en, 1250) == "1,250");
    CHECK(format_integer(Locale::en, 999) == "999");
    CHECK(format_integer(Locale::en, -1234567) == "-1,234,567");
    CHECK(format_integer(Locale::en, INT64_MIN) == "-9,223,372,036,854,775,808");
    CHECK(format_money(Locale::ru, {200000, money::Currency::RUB}) ==
          "2" + nbsp + "000" + nbsp + "\u20BD");
    CHECK(format_money(Locale::de, {200050, money::Currency::EUR}) == "2.000,50" + nbsp + "\u20AC");
    CHECK(format_money(Locale::en, {200005, money::Currency::EUR}) == "\u20AC2,000.05");
    CHECK(format_money(Locale::lv, {-150, money::Currency::EUR}) == "-1,50" + nbsp + "\u20AC");
}

TEST_CASE("locale tags") {
    CHECK(locale_from_tag("ru") == Locale::ru);
    CHECK(locale_from_tag("de-AT") == Locale::de);
    CHECK(locale_from_tag("LV") == Locale::lv);
    CHECK_FALSE(locale_from_tag("fr").has_value());
    CHECK_FALSE(locale_from_tag("rus").has_value());
    CHECK_FALSE(locale_from_tag("").has_value());
}

TEST_CASE("translate: plural forms, placeholders, fallback to English, then the key") {
    Catalogues c;
    c.by_locale[Locale::en].messages["pts"].forms = {{Plural::one, "{n} point"},
                                                     {Plural::other, "{n} points"}};
    c.by_locale[Locale::en].messages["hi"].forms = {{Plural::other, "Hello, {name}!"}};
    c.by_locale[Locale::ru].messages["pts"].forms = {
        {Plural::one, "{n} балл"}, {Plural::few, "{n} балла"}, {Plural::many, "{n} баллов"}};
    CHECK(translate(c, Locale::ru, "pts", {1250, {}}) == "1\u00A0250 баллов");
    CHECK(translate(c, Locale::ru, "pts", {22, {}}) == "22 балла");
    CHECK(translate(c, Locale::ru, "pts", {21, {}}) == "21 балл");
    CHECK(translate(c, Locale::en, "pts", {1, {}}) == "1 point");
    CHECK(translate(c, Locale::ru, "hi", {std::nullopt, {{"name", "Анна"}}}) ==
          "Hello, Анна!");  // fallback
    CHECK(translate(c, Locale::de, "nope") == "nope");
    CHECK(translate(c, Locale::en, "hi") == "Hello, {name}!");  // unknown placeholder stays visible
    const auto missing = missing_keys(c, Locale::ru);
    REQUIRE(missing.size() == 1);
    CHECK(missing[0] == "hi");
    c.by_locale[Locale::lv].messages["pts"].forms = {{Plural::one, "{n} punkts"},
                                                     {Plural::other, "{n} punkti"}};
    CHECK(missing_keys(c, Locale::lv) == std::vector<std::string>{"hi", "pts"});  // lv lacks "zero"
}

#include <doctest/doctest.h>

#include "codec/catalogue_json.hpp"
#include "../test_assets.hpp"

using namespace kopilka;

TEST_CASE("the shipped catalogues load, and no locale lacks a key or a plural form") {
    auto all = codec::decode_catalogues(testing::catalogue_texts());
    INFO(all.error.message);
    REQUIRE(all.ok());
    for (i18n::Locale l : i18n::all_locales) {
        const auto missing = i18n::missing_keys(*all.value, l);
        std::string list;
        for (const auto& k : missing) list += k + " ";
        INFO("missing in " << i18n::locale_tag(l) << ": " << list);
        CHECK(missing.empty());
    }
    const std::string ru =
        i18n::translate(*all.value, i18n::Locale::ru, "member.balance", {1250, {}});
    CHECK(ru == "Баланс: 1\u00A0250 баллов");
    CHECK(i18n::translate(*all.value, i18n::Locale::lv, "member.balance", {21, {}}) ==
          "Atlikums: 21 punkts");
    CHECK(i18n::translate(*all.value, i18n::Locale::de, "member.balance", {1250, {}}) ==
          "Guthaben: 1.250 Bonuspunkte");
}

TEST_CASE("catalogue errors name the locale and the key") {
    auto wrong_locale = codec::decode_catalogue(
        codec::Json::parse(R"({"locale":"de","messages":{}})"), i18n::Locale::ru);
    CHECK(wrong_locale.error.field == "locale");
    auto bad_form = codec::decode_catalogue(
        codec::Json::parse(R"({"locale":"ru","messages":{"x":{"plenty":"a"}}})"), i18n::Locale::ru);
    CHECK(bad_form.error.field == "messages.x.plenty");
    auto all = codec::decode_catalogues({{i18n::Locale::lv, "{"}});
    CHECK_FALSE(all.ok());
    CHECK(all.error.message.rfind("lv.json: ", 0) == 0);
}

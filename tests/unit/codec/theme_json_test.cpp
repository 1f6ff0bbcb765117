// Themes ⇄ JSON: a full theme round-trips, missing fields take the defaults, and every bad
// value is refused naming its field.
#include "codec/theme_json.hpp"

#include <doctest/doctest.h>

using namespace kopilka;
using codec::Json;

namespace {
const char* const kTheme = R"({
  "name": "Kafejnīca Rīga",
  "colors": {"background": "#102030", "surface": "#FFFFFF", "text": "#1F242B",
             "muted_text": "#5A6370",
             "accent": "#00A0B0", "accent_text": "#FFFFFF", "error": "#B3261E80"},
  "corner_radius_px": 8,
  "font_size_px": 28,
  "logo": "data:image/png;base64,iVBORw0KGgo=",
  "attract": {"en": {"title": "Scan your card", "subtitle": "See what your points buy"},
              "ru": {"title": "Сканируйте карту", "subtitle": ""},
              "de": {"title": "", "subtitle": ""},
              "lv": {"title": "Skenējiet karti", "subtitle": "Punkti gaida"}}
})";

Json theme_json() {
    codec::DecodeError e;
    return *codec::parse_json(kTheme, &e);
}

// The error a changed copy of the sample theme is refused with.
codec::DecodeError error_for(const Json& j) {
    const auto r = codec::decode_theme(j);
    CHECK_FALSE(r.ok());
    return r.error;
}
}  // namespace

TEST_CASE("theme: a full theme round-trips through JSON") {
    const auto r = codec::decode_theme(theme_json());
    REQUIRE(r.ok());
    const theme::Theme& t = *r.value;
    CHECK(t.name == "Kafejnīca Rīga");
    CHECK(t.background == theme::Rgba{0x10, 0x20, 0x30, 0xFF});
    CHECK(t.error == theme::Rgba{0xB3, 0x26, 0x1E, 0x80});
    CHECK(t.corner_radius_px == 8);
    CHECK(t.font_size_px == 28);
    CHECK(t.logo == "data:image/png;base64,iVBORw0KGgo=");
    CHECK(theme::attract_text(t, i18n::Locale::lv).subtitle == "Punkti gaida");
    CHECK(theme::attract_text(t, i18n::Locale::ru).title == "Сканируйте карту");
    CHECK(codec::encode_theme(t) == theme_json());
}

TEST_CASE("theme: only the name is required; the rest keeps the defaults") {
    const auto r = codec::decode_theme(Json{{"name", "Shop"}, {"colors", {{"accent", "#0a0b0c"}}}});
    REQUIRE(r.ok());
    const theme::Theme defaults;
    CHECK(r.value->accent == theme::Rgba{0x0A, 0x0B, 0x0C, 0xFF});
    CHECK(r.value->background == defaults.background);
    CHECK(r.value->font_size_px == defaults.font_size_px);
    CHECK(r.value->logo.empty());
    const Json encoded = codec::encode_theme(*r.value);
    CHECK(encoded["colors"]["accent"] == "#0A0B0C");
    CHECK(encoded["attract"]["de"] == Json{{"title", ""}, {"subtitle", ""}});
    CHECK(codec::decode_theme(encoded).value->accent == r.value->accent);
}

TEST_CASE("theme: colours") {
    CHECK(codec::parse_color("#ff000080")->a == 0x80);
    CHECK(codec::parse_color("#FF0000")->r == 0xFF);
    CHECK_FALSE(codec::parse_color("ff0000"));
    CHECK_FALSE(codec::parse_color("#ff000"));
    CHECK_FALSE(codec::parse_color("#gg0000"));
    CHECK_FALSE(codec::parse_color("#ff00008"));
    CHECK(codec::color_text({1, 2, 3, 255}) == "#010203");
    CHECK(codec::color_text({0xAB, 0xCD, 0xEF, 0x10}) == "#ABCDEF10");
}

TEST_CASE("theme: bad values name their field") {
    struct Case {
        const char* pointer;  // JSON pointer of the value to change
        Json value;
        const char* field;
        const char* code;
    };
    const Case cases[] = {
        {"/name", "", "name", "invalid_value"},
        {"/name", std::string(101, 'x'), "name", "out_of_range"},
        {"/colors/accent", "#12345", "colors.accent", "invalid_value"},
        {"/colors/accent", "red", "colors.accent", "invalid_value"},
        {"/colors/acent", "#123456", "colors.acent", "unknown_field"},
        {"/colors", "#123456", "colors", "wrong_type"},
        {"/corner_radius_px", 65, "corner_radius_px", "out_of_range"},
        {"/corner_radius_px", -1, "corner_radius_px", "out_of_range"},
        {"/font_size_px", 11, "font_size_px", "out_of_range"},
        {"/font_size_px", 73, "font_size_px", "out_of_range"},
        {"/font_size_px", 20.5, "font_size_px", "wrong_type"},
        {"/logo", "javascript:alert(1)", "logo", "invalid_value"},
        {"/logo", "http://shop.example/logo.png", "logo", "invalid_value"},
        {"/logo", "https://shop.example/a logo.png", "logo", "invalid_value"},
        {"/logo", "https://shop.example/a.png\");background:url(x", "logo", "invalid_value"},
        {"/logo", "https://", "logo", "invalid_value"},
        {"/logo", "data:image/svg+xml;base64,PHN2Zz4=", "logo", "invalid_value"},
        {"/logo", "data:image/png;base64,not base64!", "logo", "invalid_value"},
        {"/logo", "data:image/png;base64,abc", "logo", "invalid_value"},
        {"/logo", "data:image/png;base64," + std::string(theme::logo_bytes_max, 'A'), "logo",
         "out_of_range"},
        {"/attract/fr", Json{{"title", "Bonjour"}}, "attract.fr", "unknown_field"},
        {"/attract/ru/title", std::string(121, 'x'), "attract.ru.title", "out_of_range"},
        {"/attract/ru/body", "text", "attract.ru.body", "unknown_field"},
        {"/attract/en", "Scan", "attract.en", "wrong_type"},
        {"/fonts", "Inter", "fonts", "unknown_field"},
    };
    for (const Case& c : cases) {
        Json j = theme_json();
        j[Json::json_pointer(c.pointer)] = c.value;
        INFO(c.pointer << " = " << c.value.dump().substr(0, 80));
        const codec::DecodeError e = error_for(j);
        CHECK(e.field == c.field);
        CHECK(e.code == c.code);
        CHECK(e.message.find(c.field) != std::string::npos);
    }
    Json no_name = theme_json();
    no_name.erase("name");
    CHECK(error_for(no_name).field == "name");
    CHECK(error_for(Json::array()).code == "wrong_type");
}

TEST_CASE("theme: logos that are accepted") {
    CHECK(codec::logo_problem("") == "");
    CHECK(codec::logo_problem("https://cdn.example.com/shop/logo.png?v=2") == "");
    CHECK(codec::logo_problem("data:image/jpeg;base64,/9j/4AAQ") == "");
    CHECK(codec::logo_problem("data:image/webp;base64,UklGRg==") == "");
    CHECK(codec::logo_problem("data:image/png;base64,iVBORw0KGgo=") == "");
}

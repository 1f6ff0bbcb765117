#include "codec/theme_json.hpp"

#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {
// The colour fields in the order the document lists them.
struct ColorField {
    const char* key;
    theme::Rgba theme::Theme::*member;
};
constexpr ColorField kColors[] = {
    {"background", &theme::Theme::background}, {"surface", &theme::Theme::surface},
    {"text", &theme::Theme::text},             {"muted_text", &theme::Theme::muted_text},
    {"accent", &theme::Theme::accent},         {"accent_text", &theme::Theme::accent_text},
    {"error", &theme::Theme::error},
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_base64(std::string_view s) {
    if (s.empty() || s.size() % 4 != 0) return false;
    std::size_t padding = 0;
    while (padding < 2 && s[s.size() - 1 - padding] == '=') ++padding;
    for (std::size_t i = 0; i < s.size() - padding; ++i) {
        const char c = s[i];
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!ok) return false;
    }
    return true;
}

// Characters an https URL may hold here: visible ASCII without the ones that would let it
// escape a CSS url(…) or an HTML attribute.
bool url_char_allowed(char c) {
    if (c <= 0x20 || c >= 0x7F) return false;
    for (const char bad : {'"', '\'', '<', '>', '\\', '`', '(', ')', '{', '}'})
        if (c == bad) return false;
    return true;
}

void read_color(ObjectReader& r, const char* key, theme::Rgba* out) {
    std::string text;
    r.optional_text(key, &text, 16);
    if (!r.ok() || !r.has(key)) return;
    const auto c = parse_color(text);
    if (!c)
        return r.fail("invalid_value", r.field(key),
                      "must be a colour as \"#RRGGBB\" or \"#RRGGBBAA\"");
    *out = *c;
}

void read_small_int(ObjectReader& r, const char* key, int* out, int min, int max) {
    std::int64_t v = *out;
    r.optional_integer(key, &v, min, max);
    *out = static_cast<int>(v);
}

void read_attract(ObjectReader& r, theme::Theme* t) {
    if (!r.has("attract")) return;
    ObjectReader a = r.child("attract");
    for (const i18n::Locale l : i18n::all_locales) {
        const std::string tag(i18n::locale_tag(l));
        if (!a.has(tag.c_str())) continue;
        ObjectReader texts = a.child(tag.c_str());
        theme::AttractText& out = theme::attract_text(*t, l);
        texts.optional_text("title", &out.title, theme::attract_title_bytes_max);
        texts.optional_text("subtitle", &out.subtitle, theme::attract_subtitle_bytes_max);
        texts.reject_unknown({"title", "subtitle"});
    }
    a.reject_unknown({"ru", "de", "lv", "en"});
}
}  // namespace

std::optional<theme::Rgba> parse_color(std::string_view text) {
    if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return std::nullopt;
    std::uint8_t bytes[4] = {0, 0, 0, 255};
    for (std::size_t i = 0; i * 2 + 1 < text.size(); ++i) {
        const int hi = hex_value(text[1 + i * 2]), lo = hex_value(text[2 + i * 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return theme::Rgba{bytes[0], bytes[1], bytes[2], bytes[3]};
}

std::string color_text(const theme::Rgba& c) {
    static const char digits[] = "0123456789ABCDEF";
    std::string out = "#";
    const std::uint8_t bytes[4] = {c.r, c.g, c.b, c.a};
    for (std::size_t i = 0; i < (c.a == 255 ? 3u : 4u); ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0xF];
    }
    return out;
}

std::string logo_problem(std::string_view logo) {
    if (logo.empty()) return "";
    if (logo.size() > theme::logo_bytes_max)
        return "is longer than " + std::to_string(theme::logo_bytes_max) + " bytes";
    for (const char* type : {"png", "jpeg", "webp", "gif"}) {
        const std::string prefix = std::string("data:image/") + type + ";base64,";
        if (logo.compare(0, prefix.size(), prefix) != 0) continue;
        return is_base64(logo.substr(prefix.size()))
                   ? ""
                   : "must carry base64 data after \"" + prefix + "\"";
    }
    const std::string_view https = "https://";
    if (logo.compare(0, https.size(), https) == 0 && logo.size() > https.size()) {
        for (const char c : logo)
            if (!url_char_allowed(c))
                return "may not contain spaces, quotes, angle brackets, backslashes or parentheses";
        return "";
    }
    return "must be a data:image/png|jpeg|webp|gif;base64 URL or an https:// URL";
}

Decoded<theme::Theme> decode_theme(const Json& j) {
    Decoded<theme::Theme> out;
    theme::Theme t;
    ObjectReader r(j, "", &out.error);
    r.text("name", &t.name, theme::name_bytes_max);
    if (r.has("colors")) {
        ObjectReader colors = r.child("colors");
        for (const ColorField& f : kColors) read_color(colors, f.key, &(t.*f.member));
        colors.reject_unknown(
            {"background", "surface", "text", "muted_text", "accent", "accent_text", "error"});
    }
    read_small_int(r, "corner_radius_px", &t.corner_radius_px, 0, theme::corner_radius_px_max);
    read_small_int(r, "font_size_px", &t.font_size_px, theme::font_size_px_min,
                   theme::font_size_px_max);
    r.optional_text("logo", &t.logo, theme::logo_bytes_max);
    if (r.ok()) {
        const std::string why = logo_problem(t.logo);
        if (!why.empty()) r.fail("invalid_value", "logo", why);
    }
    read_attract(r, &t);
    r.reject_unknown({"name", "colors", "corner_radius_px", "font_size_px", "logo", "attract"});
    if (r.ok()) out.value = std::move(t);
    return out;
}

Json encode_theme(const theme::Theme& t) {
    Json colors = Json::object();
    for (const ColorField& f : kColors) colors[f.key] = color_text(t.*f.member);
    Json attract = Json::object();
    for (const i18n::Locale l : i18n::all_locales) {
        const theme::AttractText& a = theme::attract_text(t, l);
        attract[std::string(i18n::locale_tag(l))] = {{"title", a.title}, {"subtitle", a.subtitle}};
    }
    return Json{{"name", t.name},
                {"colors", colors},
                {"corner_radius_px", t.corner_radius_px},
                {"font_size_px", t.font_size_px},
                {"logo", t.logo},
                {"attract", attract}};
}

}  // namespace kopilka::codec

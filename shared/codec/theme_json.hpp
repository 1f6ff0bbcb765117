// Themes ⇄ JSON: what the console's theme editor sends, the server stores (documents of
// kind "theme") and the kiosk and widget draw with.
//
//   {"name": "Kopilka Demo Shop",
//    "colors": {"background": "#FBF7F0", "surface": "#FFFFFF", "text": "#1F242B",
//               "muted_text": "#5A6370", "accent": "#D94F2B", "accent_text": "#FFFFFF",
//               "error": "#B3261E80"},
//    "corner_radius_px": 18, "font_size_px": 30,
//    "logo": "data:image/png;base64,iVBORw0…",
//    "attract": {"ru": {"title": "Сканируйте карту", "subtitle": "…"}, "en": {"title": "…"}}}
//
// "name" is required; everything else falls back to theme::Theme's defaults. Colours are
// "#RRGGBB" or "#RRGGBBAA". The logo is "" (none), a base64 data URL of a PNG, JPEG, WebP or
// GIF (not SVG: an SVG can carry script), or an https:// URL without quotes, spaces, angle
// brackets or parentheses (it ends up in CSS url() and HTML attributes). Attract texts are
// keyed by locale tag (ru, de, lv, en); "" means the catalogue's default text. Unknown
// fields are errors. encode_theme writes every field, so decode(encode(t)) == t.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "codec/decode.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::codec {

Decoded<theme::Theme> decode_theme(const Json& j);
Json encode_theme(const theme::Theme& t);

std::optional<theme::Rgba> parse_color(std::string_view text);  // "#RRGGBB" or "#RRGGBBAA"
std::string color_text(const theme::Rgba& c);  // "#RRGGBB", or "#RRGGBBAA" when not opaque

// Why a logo is unacceptable ("" when it is fine): see the format above.
std::string logo_problem(std::string_view logo);

}  // namespace kopilka::codec

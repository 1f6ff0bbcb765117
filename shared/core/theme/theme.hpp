// The merchant's look: colours, radii, sizes, logo and the attract screen's texts. Plain
// data; shared/ui turns it into an ImGui style, shared/codec reads it from the merchant's
// theme JSON (theme_json.hpp) and checks the limits below.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>

#include "core/i18n/locale.hpp"

namespace kopilka::theme {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    friend bool operator==(const Rgba& x, const Rgba& y) {
        return x.r == y.r && x.g == y.g && x.b == y.b && x.a == y.a;
    }
};

// The attract screen's texts in one language; "" lets the kiosk show its catalogue's text.
struct AttractText {
    std::string title;     // "Scan your card"
    std::string subtitle;  // "and see what your points buy"
};

// Limits of a theme. The logo travels inside the theme document, so it must fit in one
// request body (64 KiB by default) with room for the rest.
constexpr int corner_radius_px_max = 64;
constexpr int font_size_px_min = 12;  // below this a kiosk at arm's length is unreadable
constexpr int font_size_px_max = 72;
constexpr std::size_t name_bytes_max = 100;
constexpr std::size_t logo_bytes_max = 48 * 1024;
constexpr std::size_t attract_title_bytes_max = 120;
constexpr std::size_t attract_subtitle_bytes_max = 240;

struct Theme {
    std::string name = "Kopilka";      // the merchant's name on the attract screen
    Rgba background{0xFB, 0xF7, 0xF0};
    Rgba surface{0xFF, 0xFF, 0xFF};
    Rgba text{0x1F, 0x24, 0x2B};
    Rgba muted_text{0x5A, 0x63, 0x70};
    Rgba accent{0xD9, 0x4F, 0x2B};     // buttons, progress bar
    Rgba accent_text{0xFF, 0xFF, 0xFF};
    Rgba error{0xB3, 0x26, 0x1E};
    int corner_radius_px = 18;
    int font_size_px = 30;             // body text at 1× scale; titles are larger
    std::string logo;                  // "": none; a data:image/… URL or an https:// URL
    std::array<AttractText, std::size(i18n::all_locales)> attract;  // by i18n::Locale
};

inline const AttractText& attract_text(const Theme& t, i18n::Locale l) {
    return t.attract[static_cast<std::size_t>(l)];
}
inline AttractText& attract_text(Theme& t, i18n::Locale l) {
    return t.attract[static_cast<std::size_t>(l)];
}

}  // namespace kopilka::theme

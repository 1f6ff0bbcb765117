// The merchant's look: colours, radii, sizes. Plain data; shared/ui turns it into an
// ImGui style, shared/codec reads it from the merchant's theme JSON.
#pragma once

#include <cstdint>
#include <string>

namespace kopilka::theme {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

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
};

}  // namespace kopilka::theme

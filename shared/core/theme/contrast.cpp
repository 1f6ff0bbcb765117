#include "core/theme/contrast.hpp"

#include <algorithm>
#include <cmath>

namespace kopilka::theme {

namespace {
double channel(std::uint8_t v) {
    const double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

// c moved a step (of 255) toward black (toward_black) or white.
Rgba step(const Rgba& c, bool toward_black, int amount) {
    const auto move = [&](std::uint8_t channel_value) {
        const int v = channel_value;
        const int target = toward_black ? 0 : 255;
        const int moved = v + (target > v ? std::min(amount, target - v) : -std::min(amount, v));
        return static_cast<std::uint8_t>(moved);
    };
    return {move(c.r), move(c.g), move(c.b), c.a};
}

// `adjust` moved until it reads against `fixed` at min_ratio: toward black when `fixed` is the
// lighter of the two, else toward white. Gives up (returns the best it reached) at the end.
Rgba until_readable(Rgba adjust, const Rgba& fixed, double min_ratio) {
    const bool toward_black = relative_luminance(fixed) >= relative_luminance(adjust);
    for (int i = 0; i < 255 && contrast_ratio(adjust, fixed) < min_ratio; ++i)
        adjust = step(adjust, toward_black, 1);
    return adjust;
}

struct PairRef {
    const char* text;
    const char* background;
    Rgba Theme::*fg;
    Rgba Theme::*bg;
};
constexpr PairRef pairs[] = {
    {"text", "background", &Theme::text, &Theme::background},
    {"text", "surface", &Theme::text, &Theme::surface},
    {"muted_text", "background", &Theme::muted_text, &Theme::background},
    {"muted_text", "surface", &Theme::muted_text, &Theme::surface},
    {"error", "background", &Theme::error, &Theme::background},
    {"error", "surface", &Theme::error, &Theme::surface},
    {"accent_text", "accent", &Theme::accent_text, &Theme::accent},
};
}  // namespace

double relative_luminance(const Rgba& c) {
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double contrast_ratio(const Rgba& a, const Rgba& b) {
    const double la = relative_luminance(a), lb = relative_luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

Rgba black_or_white(const Rgba& background) {
    const Rgba black{0, 0, 0, 255}, white{255, 255, 255, 255};
    return contrast_ratio(black, background) >= contrast_ratio(white, background) ? black : white;
}

std::vector<ContrastPair> contrast_pairs(const Theme& t) {
    std::vector<ContrastPair> out;
    for (const PairRef& p : pairs) {
        const double r = contrast_ratio(t.*p.fg, t.*p.bg);
        out.push_back({p.text, p.background, r, r >= contrast_aa_text});
    }
    return out;
}

Theme with_readable_contrast(const Theme& t, double min_ratio) {
    Theme out = t;
    // The accent is a background for its text: the accent moves, the text stays.
    out.accent = until_readable(out.accent, out.accent_text, min_ratio);
    // The other texts move against both backgrounds they are drawn on.
    for (Rgba Theme::*fg : {&Theme::text, &Theme::muted_text, &Theme::error}) {
        out.*fg = until_readable(out.*fg, out.background, min_ratio);
        out.*fg = until_readable(out.*fg, out.surface, min_ratio);
    }
    return out;
}

}  // namespace kopilka::theme

// Contrast of a theme's text and background colours, as WCAG 2.2 measures it (relative
// luminance of sRGB, ratio (L1 + 0.05) / (L2 + 0.05), from 1 to 21), and the pairs a theme must
// keep readable. The widget and the console's theme editor judge themes with the same numbers.
#pragma once

#include <string>
#include <vector>

#include "core/theme/theme.hpp"

namespace kopilka::theme {

constexpr double contrast_aa_text = 4.5;        // WCAG AA, normal text (1.4.3)
constexpr double contrast_aa_large_text = 3.0;  // WCAG AA, 24 px, or 18.66 px bold, and up

double relative_luminance(const Rgba& c);  // alpha ignored: colours are drawn opaque
double contrast_ratio(const Rgba& a, const Rgba& b);
// Black or white, whichever reads better on background (a label on a colour the merchant chose).
Rgba black_or_white(const Rgba& background);

// A text colour on a background colour, as the theme uses them.
struct ContrastPair {
    std::string text;        // the theme field: "text", "muted_text", "accent_text", "error"
    std::string background;  // "background", "surface", "accent"
    double ratio = 0;
    bool passes_aa = false;  // ratio >= contrast_aa_text
};
// Every pair a screen draws: text and muted text and error on background and surface, accent
// text on accent.
std::vector<ContrastPair> contrast_pairs(const Theme& t);

// The theme with each failing background (accent) or text colour moved toward black or white,
// in small steps, until its pair reaches min_ratio; colours that pass are kept. The merchant's
// hue stays; only lightness changes.
Theme with_readable_contrast(const Theme& t, double min_ratio = contrast_aa_text);

}  // namespace kopilka::theme

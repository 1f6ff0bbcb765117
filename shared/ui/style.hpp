// Theme → Dear ImGui style and fonts, at a given pixel scale (devicePixelRatio).
#pragma once

#include <imgui.h>

#include "core/theme/theme.hpp"

namespace kopilka::ui {

struct Fonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* huge = nullptr;  // the balance
};

ImVec4 to_imgui(const theme::Rgba& c);
ImU32 to_u32(const theme::Rgba& c);

// What the widgets (widgets.hpp) draw with: the theme's colours, the fonts, and sizes in
// pixels at a scale. The kiosk's screens push its sizes onto ImGui's style while they draw.
struct WidgetStyle {
    float scale = 1;
    ImVec4 text, muted_text, accent, accent_text, surface, error;
    Fonts fonts;
    float rounding = 0;
    ImVec2 window_padding, frame_padding, item_spacing;
};
WidgetStyle widget_style(const theme::Theme& t, const Fonts& fonts, float scale);

// Loads the TTF at the theme's sizes × scale with Latin, Latin Extended-A (Latvian),
// Cyrillic, punctuation, € and ₽. Returns empty fonts if the file can't be read.
Fonts load_fonts(const char* ttf_path, const theme::Theme& t, float scale);
const ImWchar* glyph_ranges();  // the ranges load_fonts loads

// Colours, radii and sizes from the theme, scaled; large touch targets.
void apply_style(const theme::Theme& t, float scale);

}  // namespace kopilka::ui

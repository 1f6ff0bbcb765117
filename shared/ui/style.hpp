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

// Loads the TTF at the theme's sizes × scale with Latin, Latin Extended-A (Latvian),
// Cyrillic, punctuation, € and ₽. Returns empty fonts if the file can't be read.
Fonts load_fonts(const char* ttf_path, const theme::Theme& t, float scale);

// Colours, radii and sizes from the theme, scaled; large touch targets.
void apply_style(const theme::Theme& t, float scale);

}  // namespace kopilka::ui

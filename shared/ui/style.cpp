#include "ui/style.hpp"

namespace kopilka::ui {

ImVec4 to_imgui(const theme::Rgba& c) {
    return ImVec4(c.r / 255.f, c.g / 255.f, c.b / 255.f, c.a / 255.f);
}
ImU32 to_u32(const theme::Rgba& c) {
    return IM_COL32(c.r, c.g, c.b, c.a);
}

namespace {
// Unscaled sizes of the kiosk's style, in CSS pixels.
const ImVec2 kWindowPadding(32, 28);
const ImVec2 kFramePadding(28, 18);
const ImVec2 kItemSpacing(18, 18);

// Whole pixels, as ImGuiStyle::ScaleAllSizes rounds its sizes.
float px(float v) {
    return static_cast<float>(static_cast<int>(v));
}
ImVec2 scaled(ImVec2 v, float scale) {
    return ImVec2(px(v.x * scale), px(v.y * scale));
}
}  // namespace

WidgetStyle widget_style(const theme::Theme& t, const Fonts& fonts, float scale) {
    WidgetStyle s;
    s.scale = scale;
    s.text = to_imgui(t.text);
    s.muted_text = to_imgui(t.muted_text);
    s.accent = to_imgui(t.accent);
    s.accent_text = to_imgui(t.accent_text);
    s.surface = to_imgui(t.surface);
    s.error = to_imgui(t.error);
    s.fonts = fonts;
    s.rounding = px(static_cast<float>(t.corner_radius_px) * scale);
    s.window_padding = scaled(kWindowPadding, scale);
    s.frame_padding = scaled(kFramePadding, scale);
    s.item_spacing = scaled(kItemSpacing, scale);
    return s;
}

// wasm/CMakeLists.txt subsets the apps' font to these code points: keep the two lists alike.
const ImWchar* glyph_ranges() {
    static const ImWchar kRanges[] = {
        0x0020, 0x00FF,  // Basic Latin + Latin-1 (ä ö ü ß, no-break space)
        0x0100, 0x017F,  // Latin Extended-A (ā č ē ģ ī ķ ļ ņ š ū ž)
        0x0400, 0x052F,  // Cyrillic + supplement
        0x2010, 0x205E,  // dashes, quotes, ellipsis
        0x20AC, 0x20AC,  // €
        0x20BD, 0x20BD,  // ₽
        0x2212, 0x2212,  // − (history: points taken)
        0x2190, 0x21FF,  // arrows (keypad backspace)
        0,
    };
    return kRanges;
}

Fonts load_fonts(const char* ttf_path, const theme::Theme& t, float scale) {
    const ImWchar* const kRanges = glyph_ranges();
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    const float body = static_cast<float>(t.font_size_px) * scale;
    Fonts f;
    f.body = io.Fonts->AddFontFromFileTTF(ttf_path, body, &cfg, kRanges);
    f.title = io.Fonts->AddFontFromFileTTF(ttf_path, body * 1.6f, &cfg, kRanges);
    f.huge = io.Fonts->AddFontFromFileTTF(ttf_path, body * 2.6f, &cfg, kRanges);
    if (!f.body || !f.title || !f.huge) {
        io.Fonts->Clear();
        io.Fonts->AddFontDefault();
        return {};
    }
    return f;
}

void apply_style(const theme::Theme& t, float scale) {
    ImGuiStyle style;
    ImGui::StyleColorsLight(&style);
    const float r = static_cast<float>(t.corner_radius_px);
    style.WindowRounding = 0;
    style.FrameRounding = r;
    style.GrabRounding = r;
    style.ChildRounding = r;
    style.WindowBorderSize = 0;
    style.FrameBorderSize = 0;
    style.WindowPadding = kWindowPadding;
    style.FramePadding = kFramePadding;
    style.ItemSpacing = kItemSpacing;
    style.TouchExtraPadding = ImVec2(6, 6);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = to_imgui(t.background);
    c[ImGuiCol_ChildBg] = to_imgui(t.surface);
    c[ImGuiCol_Text] = to_imgui(t.text);
    c[ImGuiCol_TextDisabled] = to_imgui(t.muted_text);
    c[ImGuiCol_Button] = to_imgui(t.accent);
    ImVec4 hover = to_imgui(t.accent);
    hover.w = 0.85f;
    c[ImGuiCol_ButtonHovered] = hover;
    c[ImGuiCol_ButtonActive] = hover;
    c[ImGuiCol_PlotHistogram] = to_imgui(t.accent);
    c[ImGuiCol_FrameBg] = ImVec4(0.9f, 0.88f, 0.85f, 1.f);
    c[ImGuiCol_NavHighlight] = to_imgui(t.text);
    style.ScaleAllSizes(scale);
    ImGui::GetStyle() = style;
}

}  // namespace kopilka::ui

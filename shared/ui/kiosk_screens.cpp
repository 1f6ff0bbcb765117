#include "ui/kiosk_screens.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace kopilka::ui {

namespace {

// Wraps text to width and centres each line.
void centered_text(const std::string& text, float width, ImFont* font, ImU32 color) {
    if (font) ImGui::PushFont(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    const char* p = text.c_str();
    const char* end = p + text.size();
    ImFont* f = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    const float x0 = ImGui::GetCursorPosX();
    while (p < end) {
        const char* line_end = f->CalcWordWrapPositionA(1.0f, p, end, width);
        if (line_end == p) line_end = p + 1;  // never stall on a glyph wider than the column
        const char* nl = std::find(p, line_end, '\n');
        if (nl < line_end) line_end = nl;
        const float w = f->CalcTextSizeA(size, FLT_MAX, 0.f, p, line_end).x;
        ImGui::SetCursorPosX(x0 + std::max(0.f, (width - w) * 0.5f));
        ImGui::TextUnformatted(p, line_end);
        p = line_end;
        while (p < end && (*p == ' ' || *p == '\n')) ++p;
    }
    ImGui::PopStyleColor();
    if (font) ImGui::PopFont();
}

bool big_button(const std::string& label, float width, float height, bool primary, const theme::Theme& t) {
    if (!primary) {
        ImGui::PushStyleColor(ImGuiCol_Button, to_imgui(t.surface));
        ImGui::PushStyleColor(ImGuiCol_Text, to_imgui(t.text));
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, to_imgui(t.accent_text));
    }
    const bool pressed = ImGui::Button(label.c_str(), ImVec2(width, height));
    ImGui::PopStyleColor(primary ? 1 : 2);
    return pressed;
}

void language_bar(const client::KioskState& s, const theme::Theme& t, float scale, UiInput* in) {
    const float w = 86.f * scale, h = 56.f * scale;
    const float total = 4 * w + 3 * ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetCursorPosX(ImGui::GetWindowWidth() - total - ImGui::GetStyle().WindowPadding.x);
    for (i18n::Locale l : {i18n::Locale::ru, i18n::Locale::lv, i18n::Locale::de, i18n::Locale::en}) {
        std::string label(i18n::locale_tag(l));
        for (auto& c : label) c = static_cast<char>(c - 'a' + 'A');
        label += "##lang";
        ImGui::PushID(static_cast<int>(l));
        if (big_button(label, w, h, l == s.locale, t)) in->locale = l;
        ImGui::PopID();
        ImGui::SameLine();
    }
    ImGui::NewLine();
}

void keypad(float width, float scale, const theme::Theme& t, UiInput* in) {
    static const char* const kKeys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", "\u2190"};
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float key_w = std::min((width - 2 * gap) / 3.f, 200.f * scale);
    const float key_h = 84.f * scale;
    const float x0 = ImGui::GetCursorPosX() + (width - (3 * key_w + 2 * gap)) * 0.5f;
    for (int i = 0; i < 12; ++i) {
        if (i % 3 == 0) ImGui::SetCursorPosX(x0);
        else ImGui::SameLine();
        if (big_button(kKeys[i], key_w, key_h, false, t)) {
            if (i == 11) in->keypad_backspace = true;
            else in->keypad_key = kKeys[i][0];
        }
    }
    ImGui::SetCursorPosX(x0);
    if (big_button("OK", 3 * key_w + 2 * gap, key_h, true, t)) in->keypad_ok = true;
}

// The prize wheel: n segments clockwise from the top, turned by `turns`, with a pointer at
// the top; segments alternate the accent and surface colours.
void wheel(const std::vector<std::string>& labels, double turns, float diameter, const theme::Theme& t, const Fonts& fonts) {
    const float x0 = ImGui::GetCursorScreenPos().x, y0 = ImGui::GetCursorScreenPos().y;
    ImGui::Dummy(ImVec2(diameter, diameter));
    if (labels.empty()) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 c(x0 + diameter * 0.5f, y0 + diameter * 0.5f);
    const float r = diameter * 0.5f * 0.92f;
    const double pi2 = 6.283185307179586;
    const std::size_t n = labels.size();
    const double base = turns * pi2 - pi2 / 4;  // angle 0 points right; the top is −π/2
    for (std::size_t i = 0; i < n; ++i) {
        const double a0 = base + pi2 * static_cast<double>(i) / static_cast<double>(n);
        const double a1 = base + pi2 * static_cast<double>(i + 1) / static_cast<double>(n);
        dl->PathLineTo(c);
        dl->PathArcTo(c, r, static_cast<float>(a0), static_cast<float>(a1), 48);
        dl->PathFillConvex(i % 2 == 0 ? to_u32(t.accent) : to_u32(t.surface));
        const double mid = (a0 + a1) / 2;
        ImFont* f = fonts.body ? fonts.body : ImGui::GetFont();
        const float size = f->FontSize * (n > 8 ? 0.7f : 0.85f);
        const ImVec2 ts = f->CalcTextSizeA(size, FLT_MAX, 0.f, labels[i].c_str());
        const ImVec2 at(c.x + static_cast<float>(std::cos(mid)) * r * 0.62f - ts.x * 0.5f,
                        c.y + static_cast<float>(std::sin(mid)) * r * 0.62f - ts.y * 0.5f);
        dl->AddText(f, size, at, i % 2 == 0 ? to_u32(t.accent_text) : to_u32(t.text), labels[i].c_str());
    }
    dl->AddCircle(c, r, to_u32(t.text), 96, 3.f);
    const float p = r * 0.12f;  // the pointer
    dl->AddTriangleFilled(ImVec2(c.x - p, c.y - r - p * 0.9f), ImVec2(c.x + p, c.y - r - p * 0.9f), ImVec2(c.x, c.y - r + p),
                          to_u32(t.text));
}

void progress(int permille, float width, float scale, const theme::Theme& t) {
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_imgui(t.accent));
    ImGui::ProgressBar(static_cast<float>(permille) / 1000.f, ImVec2(width, 22.f * scale), "");
    ImGui::PopStyleColor();
}

}  // namespace

UiInput draw_kiosk(const client::KioskState& s, const client::KioskView& v, const theme::Theme& t, const Fonts& fonts,
                   float scale, double wheel_turns) {
    UiInput in;
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::Begin("kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus);
    language_bar(s, t, scale, &in);

    const float width = std::min(vp->Size.x - 2 * ImGui::GetStyle().WindowPadding.x, 960.f * scale);
    const float x0 = (vp->Size.x - width) * 0.5f;
    if (!v.banner.empty()) {
        ImGui::SetCursorPosX(x0);
        centered_text(v.banner, width, fonts.body, to_u32(t.error));
    }
    const bool tall = v.lines.size() > 6 || !v.wheel_labels.empty();
    ImGui::SetCursorPos(ImVec2(x0, std::max(ImGui::GetCursorPosY(), vp->Size.y * (tall ? 0.04f : 0.12f))));
    ImGui::BeginGroup();
    centered_text(v.title, width, fonts.title, to_u32(s.screen == client::Screen::error ? t.error : t.text));
    ImGui::Dummy(ImVec2(0, 12.f * scale));

    for (std::size_t i = 0; i < v.lines.size(); ++i) {
        const bool balance = s.screen == client::Screen::member && i == 0;
        centered_text(v.lines[i], width, balance ? fonts.huge : fonts.body,
                      to_u32(balance ? t.accent : (i == 0 ? t.text : t.muted_text)));
        if (balance) ImGui::Dummy(ImVec2(0, 8.f * scale));
    }
    if (!v.code.empty()) centered_text(v.code, width, v.code.size() > 12 ? fonts.title : fonts.huge, to_u32(t.text));
    if (v.progress_permille) {
        ImGui::SetCursorPosX(x0);
        progress(*v.progress_permille, width, scale, t);
    }
    if (!v.wheel_labels.empty()) {
        const float d = std::min(width, std::max(240.f * scale, vp->Size.y * 0.42f));
        ImGui::SetCursorPosX(x0 + (width - d) * 0.5f);
        wheel(v.wheel_labels, wheel_turns, d, t, fonts);
    }
    if (s.keypad_open) {
        ImGui::Dummy(ImVec2(0, 8.f * scale));
        ImGui::SetCursorPosX(x0);
        keypad(width, scale, t, &in);
    }
    ImGui::Dummy(ImVec2(0, 24.f * scale));
    for (std::size_t i = 0; i < v.actions.size(); ++i) {
        const client::ViewAction& a = v.actions[i];
        ImGui::SetCursorPosX(x0);
        ImGui::PushID(static_cast<int>(i));
        if (!a.enabled) ImGui::BeginDisabled();
        if (big_button(a.label, width, 88.f * scale, i == 0 && a.enabled, t)) {
            in.action = a.action;
            in.action_arg = a.arg;
        }
        if (!a.enabled) ImGui::EndDisabled();
        ImGui::PopID();
    }
    if (!v.countdown.empty()) centered_text(v.countdown, width, fonts.body, to_u32(t.muted_text));
    ImGui::EndGroup();
    ImGui::End();
    return in;
}

}  // namespace kopilka::ui

#include "ui/kiosk_screens.hpp"

#include <algorithm>
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

void progress(int permille, float width, float scale, const theme::Theme& t) {
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_imgui(t.accent));
    ImGui::ProgressBar(static_cast<float>(permille) / 1000.f, ImVec2(width, 22.f * scale), "");
    ImGui::PopStyleColor();
}

}  // namespace

UiInput draw_kiosk(const client::KioskState& s, const client::KioskView& v, const theme::Theme& t, const Fonts& fonts,
                   float scale) {
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
    ImGui::SetCursorPos(ImVec2(x0, std::max(ImGui::GetCursorPosY(), vp->Size.y * 0.12f)));
    ImGui::BeginGroup();
    centered_text(v.title, width, fonts.title, to_u32(s.screen == client::Screen::error ? t.error : t.text));
    ImGui::Dummy(ImVec2(0, 12.f * scale));

    for (std::size_t i = 0; i < v.lines.size(); ++i) {
        const bool balance = s.screen == client::Screen::member && i == 0;
        const bool keypad_entry = s.keypad_open && i == 1;
        centered_text(v.lines[i], width, balance || keypad_entry ? fonts.huge : fonts.body,
                      to_u32(balance ? t.accent : (i == 0 ? t.text : t.muted_text)));
        if (balance) ImGui::Dummy(ImVec2(0, 8.f * scale));
    }
    if (v.progress_permille) {
        ImGui::SetCursorPosX(x0);
        progress(*v.progress_permille, width, scale, t);
    }
    if (s.keypad_open) {
        ImGui::Dummy(ImVec2(0, 8.f * scale));
        ImGui::SetCursorPosX(x0);
        keypad(width, scale, t, &in);
    }
    ImGui::Dummy(ImVec2(0, 24.f * scale));
    for (std::size_t i = 0; i < v.actions.size(); ++i) {
        ImGui::SetCursorPosX(x0);
        ImGui::PushID(static_cast<int>(i));
        if (big_button(v.actions[i].label, width, 88.f * scale, i == 0, t)) in.action = v.actions[i].action;
        ImGui::PopID();
    }
    if (!v.countdown.empty()) centered_text(v.countdown, width, fonts.body, to_u32(t.muted_text));
    ImGui::EndGroup();
    ImGui::End();
    return in;
}

}  // namespace kopilka::ui

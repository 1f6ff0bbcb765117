#include "ui/kiosk_screens.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace kopilka::ui {

namespace {

std::vector<DrawnButton>* g_drawn = nullptr;  // draw_kiosk's caller's list, or null

// Notes where the last item (a button) was drawn, clipped to its window.
void record_button(std::string name, std::string arg = {}, bool enabled = true) {
    if (!g_drawn) return;
    const ImVec2 wmin = ImGui::GetWindowPos();
    const ImVec2 wmax(wmin.x + ImGui::GetWindowWidth(), wmin.y + ImGui::GetWindowHeight());
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float x0 = std::max(a.x, wmin.x), y0 = std::max(a.y, wmin.y);
    const float x1 = std::min(b.x, wmax.x), y1 = std::min(b.y, wmax.y);
    if (x1 <= x0 || y1 <= y0) return;  // scrolled out of sight
    g_drawn->push_back({std::move(name), std::move(arg), x0, y0, x1 - x0, y1 - y0, enabled});
}

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
        record_button("lang:" + std::string(i18n::locale_tag(l)));
        ImGui::PopID();
        ImGui::SameLine();
    }
    ImGui::NewLine();
}

// room: the height it may take; keys shrink to fit it, down to a size a finger still hits.
void keypad(float width, float room, float scale, const theme::Theme& t, UiInput* in) {
    static const char* const kKeys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", "\u2190"};
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float key_w = std::min((width - 2 * gap) / 3.f, 200.f * scale);
    const float key_h = std::clamp((room - 4 * ImGui::GetStyle().ItemSpacing.y) / 5.f, 56.f * scale, 84.f * scale);
    const float x0 = ImGui::GetCursorPosX() + (width - (3 * key_w + 2 * gap)) * 0.5f;
    for (int i = 0; i < 12; ++i) {
        if (i % 3 == 0) ImGui::SetCursorPosX(x0);
        else ImGui::SameLine();
        if (big_button(kKeys[i], key_w, key_h, false, t)) {
            if (i == 11) in->keypad_backspace = true;
            else in->keypad_key = kKeys[i][0];
        }
        record_button(i == 11 ? std::string("key:back") : std::string("key:") + kKeys[i]);
    }
    ImGui::SetCursorPosX(x0);
    if (big_button("OK", 3 * key_w + 2 * gap, key_h, true, t)) in->keypad_ok = true;
    record_button("key:ok");
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
        // Alternating colours; with an odd count the last segment takes the blend of the two,
        // so no two neighbours look alike.
        const bool blend = n % 2 == 1 && n > 1 && i + 1 == n;
        const ImVec4 a = to_imgui(t.accent), b = to_imgui(t.surface);
        const ImU32 fill = blend ? ImGui::GetColorU32(ImVec4((a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2, 1.f))
                                 : (i % 2 == 0 ? to_u32(t.accent) : to_u32(t.surface));
        dl->PathFillConvex(fill);
        const double mid = (a0 + a1) / 2;
        ImFont* f = fonts.body ? fonts.body : ImGui::GetFont();
        // As large as fits across the segment at the label's radius (and never wider than
        // the radius itself), down to half the body size.
        float size = f->FontSize * 0.85f;
        const float room = std::min(2.f * r * 0.62f * static_cast<float>(std::sin(pi2 / 2 / static_cast<double>(n))), r * 0.7f);
        const float at_size = f->CalcTextSizeA(size, FLT_MAX, 0.f, labels[i].c_str()).x;
        if (at_size > room) size = std::max(f->FontSize * 0.5f, size * room / at_size);
        const ImVec2 ts = f->CalcTextSizeA(size, FLT_MAX, 0.f, labels[i].c_str());
        const ImVec2 at(c.x + static_cast<float>(std::cos(mid)) * r * 0.62f - ts.x * 0.5f,
                        c.y + static_cast<float>(std::sin(mid)) * r * 0.62f - ts.y * 0.5f);
        dl->AddText(f, size, at, i % 2 == 0 && !blend ? to_u32(t.accent_text) : to_u32(t.text), labels[i].c_str());
    }
    dl->AddCircle(c, r, to_u32(t.text), 96, 3.f);
    const float p = r * 0.12f;  // the pointer
    dl->AddTriangleFilled(ImVec2(c.x - p, c.y - r - p * 0.9f), ImVec2(c.x + p, c.y - r - p * 0.9f), ImVec2(c.x, c.y - r + p),
                          to_u32(t.text));
}

// A coupon's QR code centred in a box `box` pixels square: black modules on a white square
// with a quiet zone of 4 modules, whole pixels per module on whole-pixel edges so a till's
// scanner sees sharp modules. Dark runs of a row are one rectangle each.
constexpr int kQrQuietModules = 4;
constexpr std::size_t kQrRunsMax = 8000;  // 4 vertices each: stays well inside 16-bit draw indices

void qr_code(const std::vector<std::string>& rows, float box) {
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(box, box));
    const int n = static_cast<int>(rows.size());
    const int module = static_cast<int>(box) / (n + 2 * kQrQuietModules);
    std::size_t runs = 0;
    for (const auto& row : rows)
        for (std::size_t x = 0; x < row.size(); ++x) runs += row[x] == '1' && (x == 0 || row[x - 1] == '0');
    if (n == 0 || module < 1 || runs > kQrRunsMax) return;  // no room: the code's text is on screen
    const float side = static_cast<float>(module * (n + 2 * kQrQuietModules));
    const float x0 = std::floor(at.x + (box - side) * 0.5f), y0 = std::floor(at.y + (box - side) * 0.5f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(x0, y0), ImVec2(x0 + side, y0 + side), IM_COL32(255, 255, 255, 255));
    const float m = static_cast<float>(module);
    for (int y = 0; y < n; ++y) {
        const std::string& row = rows[static_cast<std::size_t>(y)];
        const float top = y0 + (y + kQrQuietModules) * m;
        for (int x = 0; x < n;) {
            if (row[static_cast<std::size_t>(x)] != '1') {
                ++x;
                continue;
            }
            int end = x;
            while (end < n && row[static_cast<std::size_t>(end)] == '1') ++end;
            dl->AddRectFilled(ImVec2(x0 + (x + kQrQuietModules) * m, top), ImVec2(x0 + (end + kQrQuietModules) * m, top + m),
                              IM_COL32(0, 0, 0, 255));
            x = end;
        }
    }
}

void progress(int permille, float width, float scale, const theme::Theme& t) {
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, to_imgui(t.accent));
    ImGui::ProgressBar(static_cast<float>(permille) / 1000.f, ImVec2(width, 22.f * scale), "");
    ImGui::PopStyleColor();
}

// The body: title, text, code, QR, wheel, keypad. room: the most height it may take; what
// doesn't fit scrolls.
void draw_body(const client::KioskState& s, const client::KioskView& v, const theme::Theme& t, const Fonts& fonts,
               float scale, double wheel_turns, float room, UiInput* in) {
    const float width = ImGui::GetContentRegionAvail().x;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const auto room_left = [&] { return room - ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y; };
    // A landscape screen has no height for the text above the keypad or a coupon's QR code:
    // they go side by side.
    const bool qr_only = !v.qr_modules.empty() && v.wheel_labels.empty();
    const bool landscape = ImGui::GetMainViewport()->Size.x > ImGui::GetMainViewport()->Size.y;
    if (landscape && !v.wheel_labels.empty()) {
        // The prize wheel as large as the screen allows on the left; the words (and a coupon
        // prize's QR code) on the right.
        const float half = (width - gap) * 0.5f;
        const float d = std::max(160.f * scale, std::min(half, room - ImGui::GetStyle().ItemSpacing.y));
        ImGui::SetCursorPosX(std::max(0.f, (half - d) * 0.5f));
        wheel(v.wheel_labels, wheel_turns, d, t, fonts);
        ImGui::SameLine(half + gap);
        ImGui::BeginGroup();
        centered_text(v.title, half, fonts.title, to_u32(t.text));
        ImGui::Dummy(ImVec2(0, 8.f * scale));
        for (const auto& line : v.lines) centered_text(line, half, fonts.body, to_u32(t.text));
        if (!v.code.empty()) centered_text(v.code, half, fonts.body, to_u32(t.text));
        if (!v.qr_modules.empty()) {
            const float qr_min = 2.f * static_cast<float>(v.qr_modules.size() + 2 * kQrQuietModules);
            const float box = std::clamp(room - ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y, qr_min, std::max(qr_min, half));
            ImGui::SetCursorPosX(half + gap + (half - box) * 0.5f);
            qr_code(v.qr_modules, box);
        }
        ImGui::EndGroup();
        return;
    }
    const bool aside = (s.keypad_open || qr_only) && landscape;
    if (aside) {
        const float half = (width - gap) * 0.5f;
        ImGui::BeginGroup();
        centered_text(v.title, half, fonts.title, to_u32(t.text));
        ImGui::Dummy(ImVec2(0, 12.f * scale));
        for (const auto& line : v.lines) centered_text(line, half, fonts.body, to_u32(t.text));
        // The code on one line: a smaller font rather than a wrapped code.
        ImFont* code_font = v.code.size() > 12 ? fonts.title : fonts.huge;
        if (code_font && code_font->CalcTextSizeA(code_font->FontSize, FLT_MAX, 0.f, v.code.c_str()).x > half) code_font = fonts.body;
        centered_text(v.code, half, code_font, to_u32(t.text));
        ImGui::EndGroup();
        ImGui::SameLine(half + gap);
        ImGui::BeginGroup();
        if (s.keypad_open) {
            keypad(half, room, scale, t, in);
        } else {
            const float qr_min = 2.f * static_cast<float>(v.qr_modules.size() + 2 * kQrQuietModules);
            qr_code(v.qr_modules, std::clamp(room - ImGui::GetStyle().ItemSpacing.y, qr_min, std::max(qr_min, half)));
        }
        ImGui::EndGroup();
        return;
    }
    centered_text(v.title, width, fonts.title, to_u32(s.screen == client::Screen::error ? t.error : t.text));
    ImGui::Dummy(ImVec2(0, 12.f * scale));
    for (std::size_t i = 0; i < v.lines.size(); ++i) {
        const bool balance = s.screen == client::Screen::member && i == 0;
        centered_text(v.lines[i], width, balance ? fonts.huge : fonts.body,
                      to_u32(balance ? t.accent : (i == 0 ? t.text : t.muted_text)));
        if (balance) ImGui::Dummy(ImVec2(0, 8.f * scale));
    }
    if (!v.code.empty()) centered_text(v.code, width, v.code.size() > 12 ? fonts.title : fonts.huge, to_u32(t.text));
    if (v.progress_permille) progress(*v.progress_permille, width, scale, t);
    const float qr_min = v.qr_modules.empty() ? 0.f : 2.f * static_cast<float>(v.qr_modules.size() + 2 * kQrQuietModules);
    if (!v.wheel_labels.empty()) {
        // A coupon prize: the stopped wheel and the coupon's QR code side by side.
        float d = std::clamp(room_left(), 160.f * scale, std::max(240.f * scale, ImGui::GetMainViewport()->Size.y * 0.42f));
        d = std::min(d, v.qr_modules.empty() ? width : (width - gap) * 0.5f);
        d = std::max(d, qr_min);
        const float row = v.qr_modules.empty() ? d : 2 * d + gap;
        ImGui::SetCursorPosX(std::max(0.f, (width - row) * 0.5f));
        wheel(v.wheel_labels, wheel_turns, d, t, fonts);
        if (!v.qr_modules.empty()) {
            ImGui::SameLine(0, gap);
            qr_code(v.qr_modules, d);
        }
    } else if (!v.qr_modules.empty()) {
        ImGui::Dummy(ImVec2(0, 8.f * scale));
        const float box = std::clamp(room_left(), qr_min, std::max(qr_min, std::min(width, 480.f * scale)));
        ImGui::SetCursorPosX((width - box) * 0.5f);
        qr_code(v.qr_modules, box);
    }
    if (s.keypad_open) {
        ImGui::Dummy(ImVec2(0, 8.f * scale));
        keypad(width, room_left(), scale, t, in);
    }
}

// The actions: one column for one or two, two columns for more (the last alone spans both).
void draw_actions(const client::KioskView& v, float x0, float width, float button_h, const theme::Theme& t, UiInput* in) {
    const std::size_t n = v.actions.size();
    const int columns = n >= 3 ? 2 : 1;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    for (std::size_t i = 0; i < n; ++i) {
        const client::ViewAction& a = v.actions[i];
        const int column = static_cast<int>(i % columns);
        const bool alone = columns == 2 && column == 0 && i + 1 == n;
        const float w = columns == 1 || alone ? width : (width - gap) * 0.5f;
        if (column == 0) ImGui::SetCursorPosX(x0);
        else ImGui::SameLine(x0 + w + gap);
        ImGui::PushID(static_cast<int>(i));
        if (!a.enabled) ImGui::BeginDisabled();
        if (big_button(a.label, w, button_h, i == 0 && a.enabled, t)) {
            in->action = a.action;
            in->action_arg = a.arg;
        }
        if (!a.enabled) ImGui::EndDisabled();
        record_button(std::string(client::action_name(a.action)), a.arg, a.enabled);
        ImGui::PopID();
    }
}

}  // namespace

UiInput draw_kiosk(const client::KioskState& s, const client::KioskView& v, const theme::Theme& t, const Fonts& fonts,
                   float scale, double wheel_turns, std::vector<DrawnButton>* drawn) {
    UiInput in;
    g_drawn = drawn;
    if (drawn) drawn->clear();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    // Keyboard navigation needs a focused window; a kiosk that nobody touched yet has none.
    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_AnyWindow)) ImGui::SetNextWindowFocus();
    ImGui::Begin("kiosk", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
    language_bar(s, t, scale, &in);

    const ImGuiStyle& st = ImGui::GetStyle();
    const float width = std::min(vp->Size.x - 2 * st.WindowPadding.x, 960.f * scale);
    const float x0 = (vp->Size.x - width) * 0.5f;
    if (!v.banner.empty()) {
        ImGui::SetCursorPosX(x0);
        centered_text(v.banner, width, fonts.body, to_u32(t.error));
    }
    // The actions and the countdown keep their place on screen; the body gets what is left.
    const float button_h = 88.f * scale;
    const std::size_t rows = v.actions.size() >= 3 ? (v.actions.size() + 1) / 2 : v.actions.size();
    float footer = 24.f * scale + static_cast<float>(rows) * (button_h + st.ItemSpacing.y);
    if (!v.countdown.empty()) footer += ImGui::GetTextLineHeightWithSpacing();
    const bool tall = v.lines.size() > 6 || !v.wheel_labels.empty() || s.keypad_open;
    // The attract screen leaves the page's logo (web/kiosk: #kopilka-logo) its place above the title.
    const bool logo = s.screen == client::Screen::attract && !t.logo.empty();
    const float top = std::max(ImGui::GetCursorPosY(), vp->Size.y * (logo ? 0.22f : tall ? 0.04f : 0.12f));
    const float room = std::max(80.f * scale, vp->Size.y - top - footer - st.WindowPadding.y - st.ItemSpacing.y);
    // The body is as tall as its content was last frame (ImGui settles in a frame or two),
    // so the actions sit right under short text and stay on screen under long text.
    ImGuiStorage* memory = ImGui::GetStateStorage();
    const ImGuiID content_key = ImGui::GetID("body_content_h");
    const float body_h = std::clamp(memory->GetFloat(content_key, room), 1.f, room);
    ImGui::SetCursorPos(ImVec2(x0, top));
    // NavFlattened: keyboard navigation moves between the text and the buttons as one window.
    ImGui::BeginChild("body", ImVec2(width, body_h), false, ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NavFlattened);
    draw_body(s, v, t, fonts, scale, wheel_turns, room, &in);
    memory->SetFloat(content_key, ImGui::GetCursorPosY() - st.ItemSpacing.y);
    // Touch screens have no wheel: a finger dragged over the text scrolls it.
    if (ImGui::IsWindowHovered() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 8.f * scale))
        ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
    ImGui::EndChild();

    ImGui::Dummy(ImVec2(0, 24.f * scale - st.ItemSpacing.y));
    draw_actions(v, x0, width, button_h, t, &in);
    if (!v.countdown.empty()) {
        ImGui::SetCursorPosX(x0);
        centered_text(v.countdown, width, fonts.body, to_u32(t.muted_text));
    }
    ImGui::End();
    g_drawn = nullptr;
    return in;
}

}  // namespace kopilka::ui

#include "ui/widgets.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

#include "core/theme/contrast.hpp"

namespace kopilka::ui {

namespace {
ImU32 u32(const ImVec4& c) {
    return ImGui::ColorConvertFloat4ToU32(c);
}

theme::Rgba rgba(const ImVec4& c) {
    const auto byte = [](float f) {
        return static_cast<std::uint8_t>(std::lround(std::clamp(f, 0.f, 1.f) * 255.f));
    };
    return {byte(c.x), byte(c.y), byte(c.z), 255};
}

ImU32 u32(const theme::Rgba& c) {
    return IM_COL32(c.r, c.g, c.b, 255);
}

// A label's colour on a segment the merchant coloured: the theme's text or accent text,
// whichever has more contrast there; black or white (the better) when neither reaches AA.
ImU32 label_on(const theme::Rgba& fill, const WidgetStyle& s) {
    theme::Rgba best = rgba(s.text);
    if (theme::contrast_ratio(rgba(s.accent_text), fill) > theme::contrast_ratio(best, fill))
        best = rgba(s.accent_text);
    if (theme::contrast_ratio(best, fill) >= theme::contrast_aa_text) return u32(best);
    return u32(theme::black_or_white(fill));
}
}  // namespace

Rect at_cursor(ImVec2 size) {
    const ImVec2 a = ImGui::GetCursorScreenPos();
    return {a, ImVec2(a.x + size.x, a.y + size.y)};
}

Rect reserve(ImVec2 size) {
    const Rect r = at_cursor(size);
    ImGui::Dummy(size);
    return r;
}

Frame::Frame(std::vector<DrawnButton>* drawn) : drawn_(drawn) {
    if (drawn_) drawn_->clear();
}

void Frame::record_button(std::string name, std::string arg, bool enabled) {
    if (!drawn_) return;
    const ImVec2 wmin = ImGui::GetWindowPos();
    const ImVec2 wmax(wmin.x + ImGui::GetWindowWidth(), wmin.y + ImGui::GetWindowHeight());
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float x0 = std::max(a.x, wmin.x), y0 = std::max(a.y, wmin.y);
    const float x1 = std::min(b.x, wmax.x), y1 = std::min(b.y, wmax.y);
    if (x1 <= x0 || y1 <= y0) return;  // scrolled out of sight
    drawn_->push_back({std::move(name), std::move(arg), x0, y0, x1 - x0, y1 - y0, enabled});
}

bool button(Frame& frame, const Rect& r, const WidgetStyle& s, const ButtonSpec& spec) {
    const bool primary = spec.primary && spec.enabled;
    if (!primary) {
        ImGui::PushStyleColor(ImGuiCol_Button, s.surface);
        ImGui::PushStyleColor(ImGuiCol_Text, s.text);
    } else {
        ImGui::PushStyleColor(ImGuiCol_Text, s.accent_text);
    }
    ImGui::SetCursorScreenPos(r.min);
    if (!spec.enabled) ImGui::BeginDisabled();
    const bool pressed = ImGui::Button(spec.label.c_str(), r.size());
    if (!spec.enabled) ImGui::EndDisabled();
    ImGui::PopStyleColor(primary ? 1 : 2);
    frame.record_button(spec.name, spec.arg, spec.enabled);
    return pressed && spec.enabled;
}

void text_block(const Rect& r, const std::string& text, ImFont* font, ImU32 color) {
    if (font) ImGui::PushFont(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    const char* p = text.c_str();
    const char* end = p + text.size();
    ImFont* f = ImGui::GetFont();
    const float size = ImGui::GetFontSize();
    const float width = r.width();
    ImGui::SetCursorScreenPos(r.min);
    while (p < end) {
        // At the size drawn (a window's font scale may differ from the font's own size).
        const char* line_end = f->CalcWordWrapPositionA(size / f->FontSize, p, end, width);
        if (line_end == p) line_end = p + 1;  // never stall on a glyph wider than the column
        const char* nl = std::find(p, line_end, '\n');
        if (nl < line_end) line_end = nl;
        const float w = f->CalcTextSizeA(size, FLT_MAX, 0.f, p, line_end).x;
        ImGui::SetCursorScreenPos(
            ImVec2(r.min.x + std::max(0.f, (width - w) * 0.5f), ImGui::GetCursorScreenPos().y));
        ImGui::TextUnformatted(p, line_end);
        p = line_end;
        while (p < end && (*p == ' ' || *p == '\n')) ++p;
    }
    ImGui::PopStyleColor();
    if (font) ImGui::PopFont();
}

KeypadInput keypad(Frame& frame, const Rect& r, const WidgetStyle& s) {
    static const char* const kKeys[] = {"1", "2", "3", "4", "5", "6",
                                        "7", "8", "9", "+", "0", "\u2190"};
    const float gap = s.item_spacing.x;
    // Keys grow with the room (a portrait kiosk has plenty), to a size a thumb finds at once.
    const float key_w = std::min((r.width() - 2 * gap) / 3.f, 260.f * s.scale);
    const float key_h =
        std::clamp((r.height() - 4 * s.item_spacing.y) / 5.f, 56.f * s.scale, 140.f * s.scale);
    const float x0 = r.min.x + (r.width() - (3 * key_w + 2 * gap)) * 0.5f;
    KeypadInput in;
    ImGui::SetCursorScreenPos(r.min);
    for (int i = 0; i < 12; ++i) {
        if (i % 3 == 0)
            ImGui::SetCursorScreenPos(ImVec2(x0, ImGui::GetCursorScreenPos().y));
        else
            ImGui::SameLine();
        const std::string name = i == 11 ? std::string("key:back") : std::string("key:") + kKeys[i];
        if (button(frame, at_cursor(ImVec2(key_w, key_h)), s, {kKeys[i], name, {}, false, true})) {
            if (i == 11)
                in.backspace = true;
            else
                in.key = kKeys[i][0];
        }
    }
    ImGui::SetCursorScreenPos(ImVec2(x0, ImGui::GetCursorScreenPos().y));
    in.ok = button(frame, at_cursor(ImVec2(3 * key_w + 2 * gap, key_h)), s,
                   {"OK", "key:ok", {}, true, true});
    return in;
}

void wheel(ImDrawList* dl, const Rect& r, const WidgetStyle& s,
           const std::vector<std::string>& labels, double turns, const SegmentColours& colours) {
    if (labels.empty()) return;
    const float diameter = std::min(r.width(), r.height());
    const ImVec2 c(r.min.x + r.width() * 0.5f, r.min.y + r.height() * 0.5f);
    const float radius = diameter * 0.5f * 0.92f;
    const double pi2 = 6.283185307179586;
    const std::size_t n = labels.size();
    const double base = turns * pi2 - pi2 / 4;  // angle 0 points right; the top is −π/2
    ImFont* f = s.fonts.body ? s.fonts.body : ImGui::GetFont();
    for (std::size_t i = 0; i < n; ++i) {
        const double a0 = base + pi2 * static_cast<double>(i) / static_cast<double>(n);
        const double a1 = base + pi2 * static_cast<double>(i + 1) / static_cast<double>(n);
        dl->PathLineTo(c);
        dl->PathArcTo(c, radius, static_cast<float>(a0), static_cast<float>(a1), 48);
        // Alternating colours; with an odd count the last segment takes the blend of the two,
        // so no two neighbours look alike.
        const bool blend = n % 2 == 1 && n > 1 && i + 1 == n;
        const ImVec4 a = s.accent, b = s.surface;
        const std::optional<theme::Rgba> own = i < colours.size() ? colours[i] : std::nullopt;
        const ImU32 fill =
            own     ? u32(*own)
            : blend ? ImGui::GetColorU32(
                          ImVec4((a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2, 1.f))
                    : (i % 2 == 0 ? u32(s.accent) : u32(s.surface));
        dl->PathFillConvex(fill);
        const double mid = (a0 + a1) / 2;
        // As large as fits across the segment at the label's radius (and never wider than
        // the radius itself), down to half the body size.
        float size = f->FontSize * 0.85f;
        const float across = static_cast<float>(std::sin(pi2 / 2 / static_cast<double>(n)));
        const float room = std::min(2.f * radius * 0.62f * across, radius * 0.7f);
        const float at_size = f->CalcTextSizeA(size, FLT_MAX, 0.f, labels[i].c_str()).x;
        if (at_size > room) size = std::max(f->FontSize * 0.5f, size * room / at_size);
        const ImVec2 ts = f->CalcTextSizeA(size, FLT_MAX, 0.f, labels[i].c_str());
        const ImVec2 at(c.x + static_cast<float>(std::cos(mid)) * radius * 0.62f - ts.x * 0.5f,
                        c.y + static_cast<float>(std::sin(mid)) * radius * 0.62f - ts.y * 0.5f);
        const ImU32 ink = own                     ? label_on(*own, s)
                          : i % 2 == 0 && !blend ? u32(s.accent_text)
                                                 : u32(s.text);
        dl->AddText(f, size, at, ink, labels[i].c_str());
    }
    dl->AddCircle(c, radius, u32(s.text), 96, 3.f);
    const float p = radius * 0.12f;  // the pointer
    dl->AddTriangleFilled(ImVec2(c.x - p, c.y - radius - p * 0.9f),
                          ImVec2(c.x + p, c.y - radius - p * 0.9f), ImVec2(c.x, c.y - radius + p),
                          u32(s.text));
}

float qr_side_min(const std::vector<std::string>& rows) {
    return 2.f * static_cast<float>(rows.size() + 2 * kQrQuietModules);
}

// Dark runs of a row are one rectangle each.
constexpr std::size_t kQrRunsMax = 8000;  // 4 vertices each: stays well inside 16-bit draw indices

void qr_code(ImDrawList* dl, const Rect& r, const std::vector<std::string>& rows) {
    const float box = std::min(r.width(), r.height());
    const int n = static_cast<int>(rows.size());
    const int module = static_cast<int>(box) / (n + 2 * kQrQuietModules);
    std::size_t runs = 0;
    for (const auto& row : rows)
        for (std::size_t x = 0; x < row.size(); ++x)
            runs += row[x] == '1' && (x == 0 || row[x - 1] == '0');
    if (n == 0 || module < 1 || runs > kQrRunsMax) return;  // no room: the code's text is on screen
    const float side = static_cast<float>(module * (n + 2 * kQrQuietModules));
    const float x0 = std::floor(r.min.x + (r.width() - side) * 0.5f);
    const float y0 = std::floor(r.min.y + (r.height() - side) * 0.5f);
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
            dl->AddRectFilled(ImVec2(x0 + (x + kQrQuietModules) * m, top),
                              ImVec2(x0 + (end + kQrQuietModules) * m, top + m),
                              IM_COL32(0, 0, 0, 255));
            x = end;
        }
    }
}

void progress(const Rect& r, const WidgetStyle& s, int permille) {
    ImGui::SetCursorScreenPos(r.min);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, s.accent);
    ImGui::ProgressBar(static_cast<float>(permille) / 1000.f, r.size(), "");
    ImGui::PopStyleColor();
}

}  // namespace kopilka::ui

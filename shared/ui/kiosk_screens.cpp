#include "ui/kiosk_screens.hpp"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace kopilka::ui {

namespace {

// One drawing of the kiosk: what it draws, where, how, and what the person did.
struct Screen {
    const client::KioskState& s;
    const client::KioskView& v;
    const WidgetStyle& st;
    Frame& frame;
    Rect rect;  // the kiosk's window
    double wheel_turns;
    bool logo;  // the theme has a logo (the page shows it on the attract screen)
    UiInput* in;
    ImU32 color(const ImVec4& c) const { return ImGui::ColorConvertFloat4ToU32(c); }
    bool landscape() const { return rect.width() > rect.height(); }
};

// Landscape attract and scan screens put their words beside the viewfinder
// (draw_body_viewfinder_aside), over the wide width, in the middle of the height.
bool viewfinder_aside(const Screen& k) {
    return k.landscape() && !k.s.keypad_open &&
           (k.s.screen == client::Screen::attract || k.s.screen == client::Screen::scan);
}

// Centred text in a column `width` wide from the cursor down.
void column_text(const std::string& text, float width, ImFont* font, ImU32 color) {
    if (text.empty()) return;
    text_block(at_cursor(ImVec2(width, 0)), text, font, color);
}

// The language buttons at the top right; returns the row's size (width, height).
ImVec2 language_bar(const Screen& k) {
    // As wide as the widest tag needs: a small preview scales the buttons down further than
    // its font, whose size has a floor.
    const float tag_w = ImGui::CalcTextSize("WW").x + 2 * ImGui::GetStyle().FramePadding.x;
    const float w = std::max(86.f * k.st.scale, tag_w);
    const float h = std::max(56.f * k.st.scale, ImGui::GetFrameHeight());
    const float total = 4 * w + 3 * k.st.item_spacing.x;
    ImGui::SetCursorPosX(ImGui::GetWindowWidth() - total - k.st.window_padding.x);
    for (i18n::Locale l :
         {i18n::Locale::ru, i18n::Locale::lv, i18n::Locale::de, i18n::Locale::en}) {
        const std::string tag(i18n::locale_tag(l));
        std::string label = tag;
        for (auto& c : label) c = static_cast<char>(c - 'a' + 'A');
        ImGui::PushID(static_cast<int>(l));
        if (button(k.frame, at_cursor(ImVec2(w, h)), k.st,
                   {label + "##lang", "lang:" + tag, {}, l == k.s.locale}))
            k.in->locale = l;
        ImGui::PopID();
        ImGui::SameLine();
    }
    ImGui::NewLine();
    return ImVec2(total, h);
}

void draw_keypad(const Screen& k, float width, float room) {
    const KeypadInput keys = keypad(k.frame, at_cursor(ImVec2(width, room)), k.st);
    if (keys.key) k.in->keypad_key = keys.key;
    k.in->keypad_backspace |= keys.backspace;
    k.in->keypad_ok |= keys.ok;
}

void draw_wheel(const Screen& k, float diameter) {
    wheel(ImGui::GetWindowDrawList(), reserve(ImVec2(diameter, diameter)), k.st, k.v.wheel_labels,
          k.wheel_turns, k.v.wheel_colours);
}

void draw_qr(const Screen& k, float box) {
    qr_code(ImGui::GetWindowDrawList(), reserve(ImVec2(box, box)), k.v.qr_modules);
}

// Landscape spin screen: the prize wheel as large as the screen allows on the left, the words
// on the right. A coupon prize takes three columns: the wheel, the words and the coupon's QR
// code, the code as large as the wheel (the till's scanner reads it from the screen).
void draw_body_wheel_aside(const Screen& k, float width, float room) {
    const client::KioskView& v = k.v;
    const float gap = k.st.item_spacing.x;
    const bool qr = !v.qr_modules.empty();
    const float tall = room - k.st.item_spacing.y;
    const float side = qr ? std::min(tall, width * 0.3f) : (width - gap) * 0.5f;
    const float words_x = side + gap;
    const float words_w = qr ? width - 2 * (side + gap) : side;
    const float d = std::max(160.f * k.st.scale, std::min(side, tall));
    ImGui::SetCursorPosX(std::max(0.f, (side - d) * 0.5f));
    draw_wheel(k, d);
    ImGui::SameLine(words_x);
    ImGui::BeginGroup();
    const ImU32 text = k.color(k.st.text);
    // The odds may be longer than the room: their words leave the scrollbar its gutter.
    const float words = words_w - (qr ? 0.f : ImGui::GetStyle().ScrollbarSize);
    column_text(v.title, words, k.st.fonts.title, text);
    ImGui::Dummy(ImVec2(0, 8.f * k.st.scale));
    for (const auto& line : v.lines) column_text(line, words, k.st.fonts.body, text);
    column_text(v.code, words, k.st.fonts.body, text);
    ImGui::EndGroup();
    if (qr) {  // clear of a scrollbar, should the words need one
        const float bar = ImGui::GetStyle().ScrollbarSize;
        const float box = std::max(qr_side_min(v.qr_modules), side - bar);
        ImGui::SameLine(words_x + words_w + gap);
        draw_qr(k, box);
    }
}

// Landscape keypad or coupon: the words on the left, the keypad or QR code on the right.
void draw_body_aside(const Screen& k, float width, float room) {
    const client::KioskView& v = k.v;
    const float gap = k.st.item_spacing.x;
    const float half = (width - gap) * 0.5f;
    const Fonts& fonts = k.st.fonts;
    const ImU32 text = k.color(k.st.text);
    ImGui::BeginGroup();
    column_text(v.title, half, fonts.title, text);
    ImGui::Dummy(ImVec2(0, 12.f * k.st.scale));
    for (const auto& line : v.lines) column_text(line, half, fonts.body, text);
    // The code on one line: a smaller font rather than a wrapped code.
    ImFont* code_font = v.code.size() > 12 ? fonts.title : fonts.huge;
    if (code_font &&
        code_font->CalcTextSizeA(code_font->FontSize, FLT_MAX, 0.f, v.code.c_str()).x > half)
        code_font = fonts.body;
    column_text(v.code, half, code_font, text);
    ImGui::EndGroup();
    ImGui::SameLine(half + gap);
    ImGui::BeginGroup();
    if (k.s.keypad_open) {
        draw_keypad(k, half, room);
    } else {
        const float qr_min = qr_side_min(v.qr_modules);
        draw_qr(k, std::clamp(room - k.st.item_spacing.y, qr_min, std::max(qr_min, half)));
    }
    ImGui::EndGroup();
}

// A card held up, in outline: what the viewfinder shows where there is no live picture (the
// attract screen; under the preview while the camera starts, or when there is none).
void card_pictogram(ImDrawList* dl, const Rect& r, const WidgetStyle& st, ImU32 ink) {
    const float w = std::min(r.width() * 0.62f, r.height() * 0.7f * 85.6f / 54.f);
    const float h = w * 54.f / 85.6f;  // an ID-1 card's proportions
    const ImVec2 c((r.min.x + r.max.x) * 0.5f, (r.min.y + r.max.y) * 0.5f);
    const ImVec2 a(c.x - w * 0.5f, c.y - h * 0.5f), b(c.x + w * 0.5f, c.y + h * 0.5f);
    const float line = std::max(2.f, 3.f * st.scale);
    dl->AddRect(a, b, ink, h * 0.08f, 0, line);
    // A QR code's corner squares on the left, a barcode's bars on the right.
    const float q = h * 0.22f;
    for (const ImVec2 at :
         {ImVec2(a.x + h * 0.12f, a.y + h * 0.14f), ImVec2(a.x + h * 0.12f, b.y - h * 0.14f - q),
          ImVec2(a.x + h * 0.12f + q * 1.5f, a.y + h * 0.14f)})
        dl->AddRect(at, ImVec2(at.x + q, at.y + q), ink, 0, 0, line);
    const float bars_x = c.x + w * 0.05f;
    for (int i = 0; i < 11; ++i) {
        const float x = bars_x + static_cast<float>(i) * w * 0.032f;
        dl->AddLine(ImVec2(x, c.y - h * 0.22f), ImVec2(x, c.y + h * 0.3f), ink,
                    i % 3 == 0 ? line * 1.6f : line * 0.8f);
    }
}

// The viewfinder: a 4:3 frame `share` of the width wide, or as tall as the room allows, with
// corner marks; the scan screen's live preview (web/kiosk/camera.js) is placed inside it, so
// it never covers a control; elsewhere (and under the preview) a card held up shows what to
// do. Without a live picture it is left out where the room is too small for a picture.
void draw_viewfinder(const Screen& k, float width, float room, bool live, float share) {
    const WidgetStyle& st = k.st;
    float w = width * share;
    float h = w * 0.75f;
    if (h > room) {
        h = live ? std::max(room, 120.f * st.scale) : room;
        w = h / 0.75f;
    }
    if (!live && h < 80.f * st.scale) return;
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + std::max(0.f, (width - w) * 0.5f));
    const Rect r = reserve(ImVec2(w, h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    // Corner marks on the frame's edge, in the accent colour; the picture just inside them.
    const float arm = std::min(w, h) * 0.16f, line = std::max(3.f, 5.f * st.scale);
    const float inset = line + 3.f * st.scale;
    const Rect picture{ImVec2(r.min.x + inset, r.min.y + inset),
                       ImVec2(r.max.x - inset, r.max.y - inset)};
    const float round = std::max(st.rounding, 12.f * st.scale);
    dl->AddRectFilled(picture.min, picture.max, k.color(st.surface), round);
    card_pictogram(dl, picture, st, k.color(st.muted_text));
    const ImU32 accent = k.color(st.accent);
    const float e = line * 0.5f;
    const ImVec2 corners[4] = {ImVec2(r.min.x + e, r.min.y + e), ImVec2(r.max.x - e, r.min.y + e),
                               ImVec2(r.min.x + e, r.max.y - e), ImVec2(r.max.x - e, r.max.y - e)};
    for (int i = 0; i < 4; ++i) {
        const ImVec2 p = corners[i];
        const float dx = i % 2 == 0 ? arm : -arm, dy = i < 2 ? arm : -arm;
        dl->AddLine(ImVec2(p.x - (i % 2 == 0 ? e : -e), p.y), ImVec2(p.x + dx, p.y), accent, line);
        dl->AddLine(p, ImVec2(p.x, p.y + dy), accent, line);
    }
    if (live) k.in->viewfinder = picture;
}

// The merchant's logo on the attract screen: a box the page fills with the picture (kept to
// its proportions), centred in a column `width` wide, as tall as the screen allows.
void logo_box(const Screen& k, float width) {
    if (!k.logo || k.s.screen != client::Screen::attract) return;
    const float h = std::clamp(k.rect.height() * 0.12f, 64.f * k.st.scale, 160.f * k.st.scale);
    const float w = std::min(width, h * 3.f);  // a wordmark up to 3:1
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (width - w) * 0.5f);
    k.in->logo = reserve(ImVec2(w, h));
    ImGui::Dummy(ImVec2(0, 8.f * k.st.scale));
}

// The screen's words in a column `width` wide: the logo (attract screen), the title and the
// lines under it, the member's balance in the largest font.
void body_words(const Screen& k, float width) {
    const client::KioskState& s = k.s;
    const WidgetStyle& st = k.st;
    logo_box(k, width);
    column_text(k.v.title, width, st.fonts.title,
                k.color(s.screen == client::Screen::error ? st.error : st.text));
    ImGui::Dummy(ImVec2(0, 12.f * st.scale));
    for (std::size_t i = 0; i < k.v.lines.size(); ++i) {
        const bool balance = s.screen == client::Screen::member && i == 0;
        column_text(k.v.lines[i], width, balance ? st.fonts.huge : st.fonts.body,
                    k.color(balance ? st.accent : (i == 0 ? st.text : st.muted_text)));
        if (balance) ImGui::Dummy(ImVec2(0, 8.f * st.scale));
    }
}

// Landscape attract and scan screens: the words on the left, centred on the viewfinder, which
// takes the right half as large as the room allows (a larger picture to aim the card at).
void draw_body_viewfinder_aside(const Screen& k, float width, float room) {
    const float gap = 2.f * k.st.item_spacing.x;
    const float half = (width - gap) * 0.5f;
    const float frame_h = std::floor(std::min(room - k.st.item_spacing.y, half * 0.75f));
    // The words' height from the last frame (ImGui settles in a frame or two).
    ImGuiStorage* memory = ImGui::GetStateStorage();
    const ImGuiID words_key = ImGui::GetID("aside_words_h");
    const float words_h = memory->GetFloat(words_key, frame_h);
    const float top = ImGui::GetCursorPosY();
    ImGui::SetCursorPosY(top + std::max(0.f, (frame_h - words_h) * 0.5f));
    ImGui::BeginGroup();
    body_words(k, half);
    ImGui::EndGroup();
    memory->SetFloat(words_key, ImGui::GetItemRectSize().y);
    const float words_bottom = ImGui::GetCursorPosY();
    ImGui::SetCursorPos(ImVec2(half + gap, top));
    draw_viewfinder(k, half, frame_h, k.s.screen == client::Screen::scan, 1.f);
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), words_bottom));
}

// Portrait, or a landscape screen with room enough: everything in one column.
void draw_body_column(const Screen& k, float width, float room) {
    const client::KioskState& s = k.s;
    const client::KioskView& v = k.v;
    const WidgetStyle& st = k.st;
    const float gap = st.item_spacing.x;
    const auto room_left = [&] { return room - ImGui::GetCursorPosY() - st.item_spacing.y; };
    body_words(k, width);
    column_text(v.code, width, v.code.size() > 12 ? st.fonts.title : st.fonts.huge,
                k.color(st.text));
    if (v.progress_permille)
        progress(at_cursor(ImVec2(width, 22.f * st.scale)), st, *v.progress_permille);
    const float qr_min = v.qr_modules.empty() ? 0.f : qr_side_min(v.qr_modules);
    if (!v.wheel_labels.empty()) {
        // A coupon prize: the stopped wheel and the coupon's QR code side by side.
        float d = std::clamp(room_left(), 160.f * st.scale,
                             std::max(240.f * st.scale, k.rect.height() * 0.42f));
        d = std::min(d, v.qr_modules.empty() ? width : (width - gap) * 0.5f);
        d = std::max(d, qr_min);
        const float row = v.qr_modules.empty() ? d : 2 * d + gap;
        ImGui::SetCursorPosX(std::max(0.f, (width - row) * 0.5f));
        draw_wheel(k, d);
        if (!v.qr_modules.empty()) {
            ImGui::SameLine(0, gap);
            draw_qr(k, d);
        }
    } else if (!v.qr_modules.empty()) {
        ImGui::Dummy(ImVec2(0, 8.f * st.scale));
        const float box =
            std::clamp(room_left(), qr_min, std::max(qr_min, std::min(width, 480.f * st.scale)));
        ImGui::SetCursorPosX((width - box) * 0.5f);
        draw_qr(k, box);
    }
    if (s.keypad_open) {
        ImGui::Dummy(ImVec2(0, 8.f * st.scale));
        draw_keypad(k, width, room_left());
    } else if (s.screen == client::Screen::scan || s.screen == client::Screen::attract) {
        ImGui::Dummy(ImVec2(0, 16.f * st.scale));
        // Portrait has the height to spare: the frame takes nearly the column's width there.
        const bool portrait = k.rect.height() > k.rect.width();
        draw_viewfinder(k, width, room_left() - 8.f * st.scale, s.screen == client::Screen::scan,
                        portrait ? 0.9f : std::min(0.72f, 640.f * st.scale / width));
    }
}

// Text in one line at the cursor, in font, left-aligned.
void text_at(const std::string& text, ImFont* font, ImU32 color) {
    ImGui::PushFont(font);
    ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
    ImGui::PopFont();
}

// The member's balance card: the balance large, the tier as a badge with the progress to the
// next one, and the points that expire soon on a strip that stands out.
void draw_balance_card(const Screen& k, const client::MemberPanel& p, float width) {
    const WidgetStyle& st = k.st;
    const float pad = 24.f * st.scale;
    const float inner = width - 2 * pad;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    // Drawn in order of layers: 0 the card, 1 the expiry strip's tint, 2 the words.
    dl->ChannelsSplit(3);
    dl->ChannelsSetCurrent(2);
    const float x = ImGui::GetCursorPosX();
    ImGui::SetCursorPos(ImVec2(x + pad, ImGui::GetCursorPosY() + pad));
    // The balance on one line: in the largest font, shrunk to the card's width down to the
    // title's size; else in the title's shrunk down to the body's; else wrapped.
    ImFont* balance_font = st.fonts.huge ? st.fonts.huge : st.fonts.title;
    float shrink = 1.f;
    if (balance_font && st.fonts.title && st.fonts.body) {
        const auto fit = [&](ImFont* f) {
            const float w = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.f, p.balance.c_str()).x;
            // A little under the width: at exactly it, rounding wraps the last word.
            return w > inner ? (inner - 2.f) / w : 1.f;
        };
        shrink = fit(balance_font);
        if (balance_font->FontSize * shrink < st.fonts.title->FontSize) {
            balance_font = st.fonts.title;
            shrink = fit(balance_font);
            if (balance_font->FontSize * shrink < st.fonts.body->FontSize) shrink = 1.f;
        }
    }
    ImGui::SetWindowFontScale(shrink);
    column_text(p.balance, inner, balance_font, k.color(st.accent));
    ImGui::SetWindowFontScale(1.f);
    // A balance shrunk from the largest font is taller than the title's: it takes the gap.
    const bool shrunk_huge = balance_font == st.fonts.huge && shrink < 1.f;
    if (!shrunk_huge) ImGui::Dummy(ImVec2(0, 4.f * st.scale));
    // The tier as a badge (a pill in the accent colour) with the progress bar beside it.
    ImGui::SetCursorPosX(x + pad);
    const float row_y = ImGui::GetCursorPosY();
    float badge_w = 0;
    ImFont* f = st.fonts.body;
    const ImVec2 size = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.f, p.tier.c_str());
    const float badge_h = size.y + 12.f * st.scale;
    if (!p.tier.empty()) {
        badge_w = size.x + 32.f * st.scale;
        const Rect b = reserve(ImVec2(badge_w, badge_h));
        dl->AddRectFilled(b.min, b.max, k.color(st.accent), badge_h * 0.5f);
        dl->AddText(f, f->FontSize,
                    ImVec2(b.min.x + (badge_w - size.x) * 0.5f, b.min.y + 6.f * st.scale),
                    k.color(st.accent_text), p.tier.c_str());
        ImGui::SameLine(x + pad + badge_w + 16.f * st.scale);
    }
    const float bar_h = 18.f * st.scale;
    const float bar_w = inner - (badge_w > 0 ? badge_w + 16.f * st.scale : 0.f);
    ImGui::SetCursorPosY(row_y + (badge_h - bar_h) * 0.5f);
    progress(reserve(ImVec2(bar_w, bar_h)), st, p.progress_permille);
    ImGui::SetCursorPosY(row_y + badge_h + st.item_spacing.y);
    ImGui::SetCursorPosX(x + pad);
    column_text(p.tier_gap, inner, st.fonts.body, k.color(st.text));
    if (!p.expiring.empty()) {
        ImGui::Dummy(ImVec2(0, 4.f * st.scale));
        ImGui::SetCursorPosX(x + pad);
        const ImVec2 top = ImGui::GetCursorScreenPos();
        ImGui::Dummy(ImVec2(0, 8.f * st.scale));
        ImGui::SetCursorPosX(x + pad);
        column_text(p.expiring, inner, st.fonts.body, k.color(st.error));
        const float bottom = ImGui::GetCursorScreenPos().y;
        dl->ChannelsSetCurrent(1);
        ImVec4 tint = st.error;
        tint.w = 0.12f;
        dl->AddRectFilled(ImVec2(top.x, top.y), ImVec2(top.x + inner, bottom), k.color(tint),
                          8.f * st.scale);
        dl->AddRectFilled(ImVec2(top.x, top.y), ImVec2(top.x + 5.f * st.scale, bottom),
                          k.color(st.error), 2.f * st.scale);
        dl->ChannelsSetCurrent(2);
    }
    ImGui::Dummy(ImVec2(0, pad - st.item_spacing.y));
    const float end = ImGui::GetCursorScreenPos().y;
    dl->ChannelsSetCurrent(0);
    dl->AddRectFilled(origin, ImVec2(origin.x + width, end), k.color(st.surface),
                      std::max(st.rounding, 16.f * st.scale));
    dl->ChannelsMerge();
    ImGui::SetCursorPosX(x);
}

// Recent activity as a table: date, what it was, points (right-aligned, signed); the newest
// rows that fit above `bottom` (a window y; at least one), so the screen needs no scrolling.
// Screen readers get every row (the view's lines).
void draw_history(const Screen& k, const client::MemberPanel& p, float width, float bottom) {
    if (p.history.empty()) return;
    const WidgetStyle& st = k.st;
    const float x = ImGui::GetCursorPosX();
    column_text(p.history_title, width, st.fonts.body, k.color(st.text));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImFont* f = st.fonts.body;
    ImVec4 rule = st.muted_text;
    rule.w = 0.25f;
    // Rows closer than the screen's paragraphs: a table, read across.
    const float row_gap = std::round(st.item_spacing.y * 0.5f);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(st.item_spacing.x, row_gap));
    const float row_h = 2.f * st.scale + ImGui::GetTextLineHeightWithSpacing() + row_gap;
    const float fit = std::floor((bottom - ImGui::GetCursorPosY()) / row_h);
    const std::size_t shown =
        std::clamp<std::size_t>(fit > 0 ? static_cast<std::size_t>(fit) : 0, 1, p.history.size());
    // One column for the reasons, after the widest date shown.
    float dates_w = 0;
    for (std::size_t i = 0; i < shown; ++i)
        dates_w = std::max(
            dates_w, f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.f, p.history[i].date.c_str()).x);
    const float reason_x = x + std::max(dates_w + 16.f * st.scale, width * 0.3f);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto& row = p.history[i];
        ImGui::SetCursorPosX(x);
        const ImVec2 at = ImGui::GetCursorScreenPos();
        dl->AddLine(at, ImVec2(at.x + width, at.y), k.color(rule), 1.f);
        ImGui::Dummy(ImVec2(0, 2.f * st.scale));
        ImGui::SetCursorPosX(x);
        text_at(row.date, f, k.color(st.muted_text));
        ImGui::SameLine(reason_x);
        text_at(row.reason, f, k.color(st.text));
        const float points_w = f->CalcTextSizeA(f->FontSize, FLT_MAX, 0.f, row.points.c_str()).x;
        ImGui::SameLine(x + width - points_w);
        text_at(row.points, f, k.color(row.negative ? st.muted_text : st.accent));
    }
    ImGui::PopStyleVar();
    ImGui::SetCursorPosX(x);
}

// The member screen: the balance card beside the notes and the history on a landscape screen,
// one above the other in portrait.
void draw_member(const Screen& k, float width, float room) {
    const client::MemberPanel& p = *k.v.member;
    const WidgetStyle& st = k.st;
    const bool landscape = k.rect.width() > k.rect.height();
    column_text(k.v.title, width, st.fonts.title, k.color(st.text));
    ImGui::Dummy(ImVec2(0, 8.f * st.scale));
    const float gap = 32.f * st.scale;
    const float card_w = landscape ? (width - gap) * 0.5f : width;
    const float x = ImGui::GetCursorPosX();
    const float y = ImGui::GetCursorPosY();
    draw_balance_card(k, p, card_w);
    const float below_card = ImGui::GetCursorPosY();
    const float side_x = landscape ? x + card_w + gap : x;
    const float side_w = landscape ? width - card_w - gap : width;
    if (landscape)
        ImGui::SetCursorPos(ImVec2(side_x, y));
    else
        ImGui::Dummy(ImVec2(0, 8.f * st.scale));
    for (const auto& n : p.notes) {
        ImGui::SetCursorPosX(side_x);
        column_text(n, side_w, st.fonts.body, k.color(st.text));
    }
    ImGui::Dummy(ImVec2(0, 8.f * st.scale));
    ImGui::SetCursorPosX(side_x);
    draw_history(k, p, side_w, room);
    if (landscape) ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), below_card));
}

void press(const Screen& k, const client::ViewAction& a, const Rect& r, bool primary) {
    const ButtonSpec spec{a.label, std::string(client::action_name(a.action)), a.arg, primary,
                          a.enabled};
    if (button(k.frame, r, k.st, spec)) {
        k.in->action = a.action;
        k.in->action_arg = a.arg;
    }
}

// One reward as a tile (the whole tile is the button when the kiosk can redeem): the name at the
// top, the cost, and at the bottom either "Enough points" on an accent pill or the progress
// towards the cost with how many more points it needs.
void draw_reward_tile(const Screen& k, const client::RewardTile& t, const Rect& r,
                      const client::ViewAction* action) {
    const WidgetStyle& st = k.st;
    const bool live = action && action->enabled;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float round = std::max(st.rounding, 16.f * st.scale);
    if (action) {
        // ImGui's button under the words: hover, press and keyboard focus as every button has.
        ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, round);
        press(k, {action->action, "##" + t.id, action->arg, action->enabled}, r, false);
        ImGui::PopStyleVar();
    } else {
        ImGui::SetCursorScreenPos(r.min);
        ImGui::Dummy(r.size());
        dl->AddRectFilled(r.min, r.max, k.color(st.surface), round);
    }
    if (live)
        dl->AddRect(r.min, r.max, k.color(st.accent), round, 0, std::max(2.f, 3.f * st.scale));
    const float pad = 20.f * st.scale;
    const float inner = r.width() - 2 * pad;
    const ImVec4 clip(r.min.x, r.min.y, r.max.x, r.max.y);
    ImFont* name_font = st.fonts.title;
    ImFont* body = st.fonts.body;
    const ImU32 ink = k.color(t.affordable ? st.text : st.muted_text);
    dl->AddText(name_font, name_font->FontSize, ImVec2(r.min.x + pad, r.min.y + pad), ink,
                t.name.c_str(), nullptr, inner, &clip);
    const ImVec2 name_size =
        name_font->CalcTextSizeA(name_font->FontSize, FLT_MAX, inner, t.name.c_str());
    dl->AddText(body, body->FontSize,
                ImVec2(r.min.x + pad, r.min.y + pad + name_size.y + 4.f * st.scale),
                k.color(t.affordable ? st.accent : st.text), t.cost.c_str(), nullptr, inner, &clip);
    const ImVec2 status = body->CalcTextSizeA(body->FontSize, FLT_MAX, inner, t.status.c_str());
    const float bottom = r.max.y - pad;
    // The picture in the room between the cost and the status, where it fits at a useful size.
    const float picture_top = r.min.y + pad + name_size.y + body->FontSize + 14.f * st.scale;
    const float picture_bottom = bottom - status.y - (t.affordable ? 20.f : 26.f) * st.scale;
    // Only wholly visible: the page's picture is not clipped to a scrolled body as ImGui's is.
    const ImVec2 clip_min = dl->GetClipRectMin(), clip_max = dl->GetClipRectMax();
    if (!t.image.empty() && picture_bottom - picture_top >= 56.f * st.scale &&
        picture_top >= clip_min.y && picture_bottom <= clip_max.y && r.min.x >= clip_min.x &&
        r.max.x <= clip_max.x)
        k.in->pictures.push_back(
            {t.id,
             t.image,
             {ImVec2(r.min.x + pad, picture_top), ImVec2(r.max.x - pad, picture_bottom)}});
    if (t.affordable) {
        const float pill_h = status.y + 10.f * st.scale;
        const ImVec2 a(r.min.x + pad, bottom - pill_h);
        dl->AddRectFilled(a, ImVec2(a.x + status.x + 28.f * st.scale, bottom), k.color(st.accent),
                          pill_h * 0.5f);
        dl->AddText(body, body->FontSize, ImVec2(a.x + 14.f * st.scale, a.y + 5.f * st.scale),
                    k.color(st.accent_text), t.status.c_str());
    } else {
        const float bar_h = 10.f * st.scale;
        progress({ImVec2(r.min.x + pad, bottom - bar_h), ImVec2(r.max.x - pad, bottom)}, st,
                 t.progress_permille);
        dl->AddText(body, body->FontSize,
                    ImVec2(r.min.x + pad, bottom - bar_h - 8.f * st.scale - status.y),
                    k.color(st.muted_text), t.status.c_str(), nullptr, inner, &clip);
    }
}

// The rewards screen: the title and the points to spend above a grid of reward tiles that
// shares out the room left (two or three columns; tiles no shorter than their words need).
void draw_rewards(const Screen& k, float width, float room) {
    const client::KioskView& v = k.v;
    const WidgetStyle& st = k.st;
    column_text(v.title, width, st.fonts.title, k.color(st.text));
    ImGui::Dummy(ImVec2(0, 4.f * st.scale));
    for (const auto& line : v.lines) column_text(line, width, st.fonts.body, k.color(st.text));
    ImGui::Dummy(ImVec2(0, 12.f * st.scale));
    const std::size_t n = v.rewards.size();
    const float gap = 20.f * st.scale;
    const int columns = n == 1 ? 1 : (width >= 1100.f * st.scale && n >= 3 ? 3 : 2);
    const std::size_t rows =
        (n + static_cast<std::size_t>(columns) - 1) / static_cast<std::size_t>(columns);
    const float tile_w = columns == 1 ? std::min(width, 520.f * st.scale)
                                      : (width - gap * static_cast<float>(columns - 1)) /
                                            static_cast<float>(columns);
    // Tall enough for two lines of the name, the cost and the status with its bar.
    const float pad = 20.f * st.scale;
    const float need =
        2 * pad + 2 * st.fonts.title->FontSize + 2 * st.fonts.body->FontSize + 40.f * st.scale;
    const float left = room - ImGui::GetCursorPosY() - st.item_spacing.y;
    const float share = (left - gap * static_cast<float>(rows - 1)) / static_cast<float>(rows);
    // With the merchant's pictures the tiles grow, to give them the room between the words.
    const bool pictures = std::any_of(v.rewards.begin(), v.rewards.end(),
                                      [](const client::RewardTile& t) { return !t.image.empty(); });
    const float tile_h = std::clamp(share, need, need + (pictures ? 200.f : 48.f) * st.scale);
    const float x0 = ImGui::GetCursorPosX() + (columns == 1 ? (width - tile_w) * 0.5f : 0.f);
    const ImVec2 origin(ImGui::GetCursorScreenPos().x - ImGui::GetCursorPosX() + x0,
                        ImGui::GetCursorScreenPos().y);
    for (std::size_t i = 0; i < n; ++i) {
        const client::RewardTile& t = v.rewards[i];
        const client::ViewAction* action = nullptr;
        for (const auto& a : v.actions)
            if (a.action == client::Action::reward && a.arg == t.id) action = &a;
        const float cx = static_cast<float>(i % static_cast<std::size_t>(columns));
        const float cy = static_cast<float>(i / static_cast<std::size_t>(columns));
        const ImVec2 at(origin.x + cx * (tile_w + gap), origin.y + cy * (tile_h + gap));
        ImGui::PushID(static_cast<int>(i));
        draw_reward_tile(k, t, {at, ImVec2(at.x + tile_w, at.y + tile_h)}, action);
        ImGui::PopID();
    }
    ImGui::SetCursorScreenPos(
        ImVec2(origin.x, origin.y + static_cast<float>(rows) * (tile_h + gap) - gap));
    ImGui::Dummy(ImVec2(0, 0));
}

// The body: title, text, code, QR, wheel, keypad, `width` wide. room: the most height it may
// take; what doesn't fit scrolls. A landscape screen has no height for the text above the
// keypad, a coupon's QR code, the wheel or the viewfinder: they go side by side.
void draw_body(const Screen& k, float width, float room) {
    const bool qr_only = !k.v.qr_modules.empty() && k.v.wheel_labels.empty();
    const bool landscape = k.landscape();
    if (k.v.member && k.s.screen == client::Screen::member) return draw_member(k, width, room);
    if (k.s.screen == client::Screen::rewards && !k.v.rewards.empty())
        return draw_rewards(k, width, room);
    if (landscape && !k.v.wheel_labels.empty()) return draw_body_wheel_aside(k, width, room);
    if ((k.s.keypad_open || qr_only) && landscape) return draw_body_aside(k, width, room);
    if (viewfinder_aside(k)) return draw_body_viewfinder_aside(k, width, room);
    draw_body_column(k, width, room);
}

// The screen's actions but "I'm still here", which has a row of its own (draw_last_seconds),
// and the rewards, which are tiles (draw_rewards).
std::vector<client::ViewAction> main_actions(const client::KioskView& v) {
    std::vector<client::ViewAction> out;
    for (const auto& a : v.actions)
        if (a.action != client::Action::stay && a.action != client::Action::reward)
            out.push_back(a);
    return out;
}

// How many columns the actions take: one row on a landscape screen wide enough for all of them
// (three or four, each label fitting its button); else one column for one or two, two for more.
int action_columns(const Screen& k, const std::vector<client::ViewAction>& actions, float width) {
    const std::size_t n = actions.size();
    if (k.landscape() && n >= 3 && n <= 4) {
        const float gap = k.st.item_spacing.x;
        const float w = (width - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
        bool fits = w >= 280.f * k.st.scale;
        for (const auto& a : actions)
            fits = fits && ImGui::CalcTextSize(a.label.c_str()).x + 2 * k.st.frame_padding.x <= w;
        if (fits) return static_cast<int>(n);
    }
    return n >= 3 ? 2 : 1;
}

// The actions in action_columns() columns (with two, the last alone spans both).
void draw_actions(const Screen& k, const std::vector<client::ViewAction>& actions, float x0,
                  float width, float button_h) {
    const std::size_t n = actions.size();
    const int columns = action_columns(k, actions, width);
    const float gap = k.st.item_spacing.x;
    for (std::size_t i = 0; i < n; ++i) {
        const client::ViewAction& a = actions[i];
        const int column = static_cast<int>(i % static_cast<std::size_t>(columns));
        const bool alone = columns == 2 && column == 0 && i + 1 == n;
        const float w = columns == 1 || alone ? width
                                              : (width - gap * static_cast<float>(columns - 1)) /
                                                    static_cast<float>(columns);
        if (column == 0)
            ImGui::SetCursorPosX(x0);
        else
            ImGui::SameLine(x0 + static_cast<float>(column) * (w + gap));
        ImGui::PushID(static_cast<int>(i));
        // The first action is the one the screen is for; beside reward tiles or the keypad (whose
        // OK is) it is "Back".
        press(k, a, at_cursor(ImVec2(w, button_h)),
              i == 0 && k.v.rewards.empty() && !k.s.keypad_open);
        ImGui::PopID();
    }
}

// The last seconds before sign-out: "I'm still here" and the countdown at the top left, in the
// row the language buttons take anyway, so that nothing moves under a finger when they come
// and go (any touch keeps the session, and hides them again).
void draw_last_seconds(const Screen& k, ImVec2 languages) {
    const WidgetStyle& st = k.st;
    const float gap = st.item_spacing.x;
    const float room = k.rect.width() - 2 * st.window_padding.x - languages.x - 2 * gap;
    const float w = std::min(room * 0.5f, 320.f * st.scale);
    const ImVec2 top(st.window_padding.x, st.window_padding.y);
    for (const auto& a : k.v.actions)
        if (a.action == client::Action::stay) {
            ImGui::SetCursorPos(top);
            ImGui::PushID("stay");
            press(k, a, at_cursor(ImVec2(w, languages.y)), false);
            ImGui::PopID();
        }
    if (k.v.countdown.empty()) return;
    const float text_h = ImGui::GetTextLineHeight();
    ImGui::SetCursorPos(ImVec2(top.x + w + gap, top.y + (languages.y - text_h) * 0.5f));
    text_block(at_cursor(ImVec2(room - w, 0)), k.v.countdown, st.fonts.body,
               k.color(st.muted_text));
}

void draw_window(const Screen& k) {
    const client::KioskView& v = k.v;
    const WidgetStyle& st = k.st;
    const ImVec2 languages = language_bar(k);
    // The member screen's two columns take a wide screen's width, and so do the words beside
    // the viewfinder or the wheel on a landscape screen; a column of words does not.
    const bool aside = viewfinder_aside(k);
    const bool wide = (k.s.screen == client::Screen::member && k.v.member) ||
                      (k.s.screen == client::Screen::rewards && !k.v.rewards.empty()) || aside ||
                      (k.landscape() && !k.s.keypad_open && !v.wheel_labels.empty());
    const float width =
        std::min(k.rect.width() - 2 * st.window_padding.x, (wide ? 1440.f : 960.f) * st.scale);
    const float x0 = (k.rect.width() - width) * 0.5f;
    if (!v.banner.empty()) {
        ImGui::SetCursorPosX(x0);
        column_text(v.banner, width, st.fonts.body, k.color(st.error));
    }
    // The actions and the countdown keep their place on screen; the body gets what is left.
    const float button_h = 88.f * st.scale;
    const std::vector<client::ViewAction> actions = main_actions(v);
    const std::size_t columns = static_cast<std::size_t>(action_columns(k, actions, width));
    const std::size_t rows = (actions.size() + columns - 1) / columns;
    float footer = 24.f * st.scale + static_cast<float>(rows) * (button_h + st.item_spacing.y);
    const client::Screen screen = k.s.screen;
    const bool member_screen = screen == client::Screen::member ||
                               screen == client::Screen::rewards ||
                               screen == client::Screen::confirm ||
                               screen == client::Screen::coupon || screen == client::Screen::spin;
    if (!member_screen && !v.countdown.empty()) footer += ImGui::GetTextLineHeightWithSpacing();
    const bool tall = v.lines.size() > 6 || !v.wheel_labels.empty() || k.s.keypad_open;
    const float h = k.rect.height();
    float top = std::max(ImGui::GetCursorPosY(), h * (tall ? 0.04f : 0.12f));
    const float room = std::floor(
        std::max(80.f * st.scale, h - top - footer - st.window_padding.y - st.item_spacing.y));
    // The body is as tall as its content was last frame (ImGui settles in a frame or two),
    // so the actions sit right under short text and stay on screen under long text.
    ImGuiStorage* memory = ImGui::GetStateStorage();
    const ImGuiID content_key = ImGui::GetID("body_content_h");
    // Whole pixels: ImGui shows a scrollbar for a content a fraction of a pixel taller.
    const float body_h = std::clamp(std::ceil(memory->GetFloat(content_key, room)), 1.f, room);
    // The words beside the viewfinder, or the member screen's columns on a landscape screen,
    // and the actions under them: in the middle of the height.
    // In portrait, whose actions sit at the bottom: the viewfinder's screens in the middle of
    // the height above them, the keypad right above them, where a hand reaches.
    const bool viewfinder = screen == client::Screen::attract || screen == client::Screen::scan;
    const bool portrait = h > k.rect.width();
    const float above_actions = h - st.window_padding.y - footer;
    const bool member_view = screen == client::Screen::member && v.member;
    if (aside || (member_view && !portrait))
        top = std::max(top, (h - body_h - footer) * 0.5f);
    else if (portrait && k.s.keypad_open)
        top = std::max(top, above_actions - body_h);
    else if (portrait && viewfinder)
        top = std::max(top, (top + above_actions - body_h) * 0.5f);
    ImGui::SetCursorPos(ImVec2(x0, top));
    // NavFlattened: keyboard navigation moves between the text and the buttons as one window.
    ImGui::BeginChild("body", ImVec2(width, body_h), false,
                      ImGuiWindowFlags_NoBackground | ImGuiWindowFlags_NavFlattened);
    // The body's own width, not what a scrollbar leaves of it: a scrollbar that narrowed the
    // words would change their height, and with it whether the scrollbar is needed.
    draw_body(k, width, room);
    // The cursor, not the last item's bottom: a layout that ends with SetCursorPos (two columns
    // of different heights) counts it as content, and a child one spacing shorter scrolls.
    memory->SetFloat(content_key, ImGui::GetCursorPosY());
    const ImGuiWindow* body = ImGui::GetCurrentWindow();
    k.in->overflow = body->ScrollbarY || body->ScrollMax.y > 0.f;  // a scrollbar shows
    // Touch screens have no wheel: a finger dragged over the text scrolls it.
    if (ImGui::IsWindowHovered() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 8.f * st.scale))
        ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
    ImGui::EndChild();

    ImGui::Dummy(ImVec2(0, 24.f * st.scale - st.item_spacing.y));
    // A portrait screen keeps its actions at the bottom, where a hand reaches on a standing
    // kiosk, rather than leaving its lower half empty under them.
    if (portrait)
        ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), above_actions + 24.f * st.scale));
    draw_actions(k, actions, x0, width, button_h);
    if (member_screen) {
        draw_last_seconds(k, languages);
    } else if (!v.countdown.empty()) {
        ImGui::SetCursorPosX(x0);
        column_text(v.countdown, width, st.fonts.body, k.color(st.muted_text));
    }
}

}  // namespace

float kiosk_zoom(float css_width, float css_height, int font_px) {
    const bool upright = css_height > css_width;
    const float base_w = upright ? 800.f : 1280.f, base_h = upright ? 1280.f : 800.f;
    const float text = 45.f / static_cast<float>(std::max(font_px, 1));
    const float grow = std::min({css_width / base_w, css_height / base_h, 1.5f, text});
    return std::max(1.f, std::floor(grow * 20.f + 1e-3f) / 20.f);
}

UiInput draw_kiosk(const client::KioskState& s, const client::KioskView& v, const theme::Theme& t,
                   const Fonts& fonts, const Rect& rect, float scale, double wheel_turns,
                   std::vector<DrawnButton>* drawn, Placement placement) {
    UiInput in;
    Frame frame(drawn);
    const WidgetStyle st = widget_style(t, fonts, scale);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, st.window_padding);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, st.frame_padding);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, st.item_spacing);
    ImGui::PushStyleVar(ImGuiStyleVar_FrameRounding, st.rounding);
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                   ImGuiWindowFlags_NoSavedSettings |
                                   ImGuiWindowFlags_NoScrollWithMouse;
    if (placement == Placement::child) {
        // The kiosk's own window padding (a child has none unless asked) and background.
        ImGui::PushStyleColor(ImGuiCol_ChildBg, to_imgui(t.background));
        ImGui::SetCursorScreenPos(rect.min);
        ImGui::BeginChild("kiosk", rect.size(), false,
                          flags | ImGuiWindowFlags_AlwaysUseWindowPadding);
        ImGui::PopStyleColor();
    } else {
        ImGui::SetNextWindowPos(rect.min);
        ImGui::SetNextWindowSize(rect.size());
        // Keyboard navigation needs a focused window; a kiosk that nobody touched yet has none.
        if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_AnyWindow)) ImGui::SetNextWindowFocus();
        ImGui::Begin("kiosk", nullptr, flags | ImGuiWindowFlags_NoBringToFrontOnFocus);
    }
    // The buttons' labels in the kiosk's body font too: inside another app (the console's
    // preview) the current font is that app's.
    if (fonts.body) ImGui::PushFont(fonts.body);
    draw_window({s, v, st, frame, rect, wheel_turns, !t.logo.empty(), &in});
    if (fonts.body) ImGui::PopFont();
    if (placement == Placement::child)
        ImGui::EndChild();
    else
        ImGui::End();
    ImGui::PopStyleVar(4);
    return in;
}

}  // namespace kopilka::ui

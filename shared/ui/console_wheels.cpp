#include "ui/console_wheels.hpp"

#include <imgui_internal.h>  // GetActiveID: a number field keeps what is typed while active

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "client/console_program.hpp"  // decimal_text, parse_decimal
#include "client/console_wheels.hpp"
#include "client/view_text.hpp"
#include "core/money/money.hpp"
#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using client::ConsoleBusy;
using client::ConsoleError;
using client::WheelsEditor;
using namespace parts;

constexpr double kPi2 = 6.283185307179586;

// One drawing of the section: what it was given, the editor, its texts in the console's
// language, and whether the draft was edited this frame.
struct Ctx {
    const WheelsScreenContext& in;
    WheelsEditor& editor;
    client::ViewText v;
    bool changed = false;

    std::string t(const std::string& key, const i18n::Args& args = {}) const {
        return v.t(key, args);
    }
};

std::string count_text(const Ctx& c, const std::string& key, std::int64_t count,
                       std::vector<std::pair<std::string, std::string>> named = {}) {
    return c.t(key, {count, std::move(named)});
}
float px(const Ctx& c, float v) {
    return std::floor(v * c.in.scale);
}
int digits(const Ctx& c) {
    return money::currency_info(c.editor.state().draft.currency).minor_digits;
}
std::string money_text(const Ctx& c, std::int64_t minor) {
    return i18n::format_money(c.v.locale, {minor, c.editor.state().draft.currency});
}

// A problem in words: "wheels.problem.<code>", then "program.problem.<code>" and "error.<code>"
// of the common texts, else the message as sent.
std::string problem_words(const Ctx& c, const ConsoleError& e) {
    for (const char* prefix : {"wheels.problem.", "program.problem.", "error."}) {
        const std::string key = prefix + e.code;
        if (std::string out = c.t(key); out != key) return out;
    }
    return e.message.empty() ? c.t("error.other") : e.message;
}

// What an unreadable field's text should have been: a date, a colour or a number.
std::string unreadable_key(const std::string& field) {
    if (field == "starts_at_ms" || field == "ends_at_ms") return "wheels.problem.bad_date";
    if (field.size() > 7 && field.compare(field.size() - 7, 7, ".colour") == 0)
        return "wheels.problem.bad_colour";
    return "program.problem.not_a_number";
}

// What is wrong at `field`, in red under it: unreadable text, the codec's problem, the
// server's refusal.
void problem_at(const Ctx& c, const std::string& field) {
    const auto& s = c.editor.state();
    if (s.unreadable.count(field)) colored(kError, c.t(unreadable_key(field)));
    for (const auto* e : {&s.problem, &s.error})
        if (*e && (*e)->field == field) colored(kError, problem_words(c, **e));
}

// A heading in the title font.
void title(const Ctx& c, const std::string& text) {
    ImGui::PushFont(c.in.title);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopFont();
}

// A whole number or a money amount typed as a decimal (`digits` decimals); what is typed stays
// while the field is active, so "12." is not rewritten under the cursor.
void number_input(Ctx& c, const std::string& field, std::int64_t* value, int digits) {
    std::string& typed = c.in.text["wheel." + field];
    const std::string id = "##" + field;
    const bool typing = ImGui::GetActiveID() == ImGui::GetID(id.c_str());
    if (!typing) typed = client::decimal_text(*value, digits);
    if (!input(id.c_str(), &typed, ImGuiInputTextFlags_AutoSelectAll)) return;
    const std::optional<std::int64_t> read = client::parse_decimal(typed, digits);
    // A leading '-' is read as a negative number, so the codec names it at its field.
    const bool minus = !typed.empty() && typed.front() == '-';
    const auto negative = minus ? client::parse_decimal(typed.substr(1), digits) : std::nullopt;
    c.editor.set_unreadable(field, !read && !negative);
    const std::int64_t next = read ? *read : negative ? -*negative : *value;
    c.changed |= next != *value;
    *value = next;
}

void labelled(const Ctx& c, const std::string& key) {
    ImGui::TextUnformatted(c.t(key).c_str());
}

void number_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* value,
                  int digits) {
    labelled(c, key);
    number_input(c, field, value, digits);
    problem_at(c, field);
}

// A stock, budget or member limit: "No limit" ticked, or a number.
void limit_field(Ctx& c, const std::string& key, const std::string& field, spins::Limit* limit,
                 int digits) {
    labelled(c, key);
    bool unlimited = !limit->has_value();
    if (ImGui::Checkbox((c.t("wheels.unlimited") + "##unl." + field).c_str(), &unlimited)) {
        *limit = unlimited ? spins::Limit{} : spins::Limit{0};
        c.changed = true;
    }
    if (limit->has_value()) {
        ImGui::SameLine();
        number_input(c, field, &**limit, digits);
    }
    problem_at(c, field);
}

void text_field(Ctx& c, const std::string& key, const std::string& field, std::string* value) {
    labelled(c, key);
    c.changed |= input(("##" + field).c_str(), value);
    problem_at(c, field);
}

// ImGui::BeginCombo, telling its id to the test-engine hooks (ui/imgui_items) as other controls
// do (BeginCombo itself does not), so a browser test finds the combo by its id.
bool combo(const std::string& id, const std::string& preview) {
    const ImGuiID item = ImGui::GetID(id.c_str());
    const bool open = ImGui::BeginCombo(id.c_str(), preview.c_str());
#ifdef IMGUI_ENABLE_TEST_ENGINE
    {
        ImGuiContext& g = *GImGui;  // the macro's name for it
        IMGUI_TEST_ENGINE_ITEM_INFO(item, id.c_str(), 0);
    }
#else
    (void)item;
#endif
    return open;
}

void kind_field(Ctx& c, const std::string& field, spins::Prize& p) {
    labelled(c, "wheels.kind");
    const auto name = [&](spins::PrizeKind k) {
        return c.t("wheels.kind." + std::string(spins::prize_kind_name(k)));
    };
    if (combo("##" + field, name(p.kind))) {
        for (auto k :
             {spins::PrizeKind::points, spins::PrizeKind::coupon, spins::PrizeKind::nothing})
            if (ImGui::Selectable(
                    (name(k) + "##" + field + "." + std::string(spins::prize_kind_name(k))).c_str(),
                    k == p.kind) &&
                k != p.kind) {
                p.kind = k;
                if (k == spins::PrizeKind::points && p.points < 1) p.points = 10;
                const auto& rewards = c.editor.state().rewards;
                if (k == spins::PrizeKind::coupon && p.reward_id.empty() && !rewards.empty())
                    p.reward_id = rewards.front().id;  // the first, changed below if need be
                c.changed = true;
            }
        ImGui::EndCombo();
    }
    problem_at(c, field);
}

// "Coffee · 300 points": a reward as the picker lists it.
std::string reward_text(const Ctx& c, const program::Reward& r) {
    const std::string points = i18n::format_integer(c.v.locale, r.cost_points);
    return count_text(c, "wheels.reward_choice", r.cost_points,
                      {{"name", r.name}, {"points", points}});
}

// A coupon prize's reward, picked from the published program's catalogue by name and cost; the
// id typed by hand only while the catalogue could not be read.
void reward_field(Ctx& c, const std::string& f, spins::Prize& p) {
    const auto& s = c.editor.state();
    if (!s.rewards_loaded) return text_field(c, "wheels.reward_id", f + ".reward_id", &p.reward_id);
    labelled(c, "wheels.reward");
    if (s.rewards.empty()) {
        colored(kError, c.t("wheels.no_rewards"));
        return problem_at(c, f + ".reward_id");
    }
    const program::Reward* chosen = client::find_reward(s.rewards, p.reward_id);
    const std::string shown = chosen ? reward_text(c, *chosen) : c.t("wheels.reward_pick");
    if (combo("##" + f + ".reward_id", shown)) {
        for (const auto& r : s.rewards)
            if (ImGui::Selectable((reward_text(c, r) + "##" + f + ".reward." + r.id).c_str(),
                                  r.id == p.reward_id) &&
                r.id != p.reward_id) {
                p.reward_id = r.id;
                c.changed = true;
            }
        ImGui::EndCombo();
    }
    if (!chosen && !p.reward_id.empty())
        colored(kError, c.t("wheels.reward_unknown", {{}, {{"id", p.reward_id}}}));
    problem_at(c, f + ".reward_id");
}

// A segment's colour: the theme's alternating colours, or its own (a swatch that opens a
// picker, and the hex code to type).
void colour_field(Ctx& c, const std::string& f, spins::Prize& p, std::size_t index) {
    const std::string field = f + ".colour";
    bool own = p.colour.has_value();
    if (ImGui::Checkbox((c.t("wheels.own_colour") + "##own." + field).c_str(), &own)) {
        p.colour = own ? std::optional<theme::Rgba>(client::palette_colour(index)) : std::nullopt;
        c.editor.set_unreadable(field, false);
        c.changed = true;
    }
    if (!p.colour) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        muted(c.t("wheels.theme_colour"));
        return problem_at(c, field);
    }
    theme::Rgba& rgb = *p.colour;
    float f3[3] = {rgb.r / 255.f, rgb.g / 255.f, rgb.b / 255.f};
    ImGui::SameLine();
    const ImGuiColorEditFlags flags = ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_NoLabel |
                                      ImGuiColorEditFlags_NoAlpha;
    if (ImGui::ColorEdit3(("##swatch." + field).c_str(), f3, flags)) {
        const auto byte = [](float v) {
            return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.f, 1.f) * 255.f));
        };
        rgb = theme::Rgba{byte(f3[0]), byte(f3[1]), byte(f3[2]), 255};
        c.editor.set_unreadable(field, false);
        c.changed = true;
    }
    ImGui::SameLine();
    std::string& typed = c.in.text["wheel." + field];
    const std::string id = "##" + field;
    const bool typing = ImGui::GetActiveID() == ImGui::GetID(id.c_str());
    if (!typing && !c.editor.state().unreadable.count(field)) typed = client::colour_text(rgb);
    ImGui::SetNextItemWidth(px(c, 110));
    if (input(id.c_str(), &typed, 0, "#RRGGBB")) {
        const auto read = client::colour_from_text(typed);
        c.editor.set_unreadable(field, !read);
        if (read && !(*read == rgb)) {
            rgb = *read;
            c.changed = true;
        }
    }
    problem_at(c, field);
}

// One edge of the campaign window as a UTC date-time; what is typed stays while it is typed
// or while it can't be read.
void window_field(Ctx& c, const std::string& key, const std::string& field,
                  std::optional<std::int64_t>* edge, bool end) {
    labelled(c, key);
    std::string& typed = c.in.text["wheel." + field];
    const std::string id = "##" + field;
    const bool typing = ImGui::GetActiveID() == ImGui::GetID(id.c_str());
    if (!typing && !c.editor.state().unreadable.count(field))
        typed = client::window_edge_text(*edge);
    ImGui::SetNextItemWidth(px(c, 200));
    const std::string hint = c.t(end ? "wheels.ends_open" : "wheels.starts_open");
    if (input(id.c_str(), &typed, 0, hint.c_str())) {
        std::optional<std::int64_t> next = *edge;
        const bool read = client::window_edge_from_text(typed, end, &next);
        c.editor.set_unreadable(field, !read);
        if (read && next != *edge) {
            *edge = next;
            c.changed = true;
        }
    }
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    muted(c.t("program.utc"));
    problem_at(c, field);
}

// "Running now", "Scheduled: starts …", "Ended …" for a wheel at now_ms.
std::string phase_text(const client::ViewText& v, const spins::WheelConfig& w,
                       std::int64_t now_ms) {
    const auto when = [](const std::optional<std::int64_t>& ms) {
        return i18n::Args{{}, {{"when", client::window_edge_text(ms)}}};
    };
    switch (spins::wheel_phase(w, now_ms)) {
        case spins::WheelPhase::scheduled:
            return v.t("wheels.phase.scheduled", when(w.starts_at_ms));
        case spins::WheelPhase::ended:
            return v.t("wheels.phase.ended", when(w.ends_at_ms));
        case spins::WheelPhase::running:
            break;
    }
    return w.ends_at_ms ? v.t("wheels.phase.running_until", when(w.ends_at_ms))
                        : v.t("wheels.phase.running");
}

ImVec4 phase_colour(const spins::WheelConfig& w, std::int64_t now_ms) {
    switch (spins::wheel_phase(w, now_ms)) {
        case spins::WheelPhase::running:
            return kGood;
        case spins::WheelPhase::scheduled:
            return kAccent;
        case spins::WheelPhase::ended:
            break;
    }
    return kMuted;
}

// The wheel's name as the merchant calls it; its id while it has none.
std::string display_name(const spins::WheelConfig& w, const std::string& id) {
    return w.name.empty() ? id : w.name;
}

// ---- the form --------------------------------------------------------------------------------

void campaign_fields(Ctx& c, spins::WheelConfig& w) {
    title(c, c.t("wheels.campaign"));
    text_field(c, "wheels.name", "name", &w.name);
    window_field(c, "wheels.starts", "starts_at_ms", &w.starts_at_ms, false);
    window_field(c, "wheels.ends", "ends_at_ms", &w.ends_at_ms, true);
    colored(phase_colour(w, c.in.now_ms), phase_text(c.v, w, c.in.now_ms));
    ImGui::Spacing();
}

void wheel_fields(Ctx& c, spins::WheelConfig& w) {
    campaign_fields(c, w);
    title(c, c.t("wheels.rules"));
    const std::string currency(money::currency_info(w.currency).code);
    muted(c.t("wheels.currency", {{}, {{"currency", currency}}}));
    const int d = digits(c);
    limit_field(c, "wheels.day_budget", "day_budget", &w.day_budget, d);
    limit_field(c, "wheels.campaign_budget", "campaign_budget", &w.campaign_budget, d);
    limit_field(c, "wheels.spins_per_day", "member_spins_per_day_max", &w.member_spins_per_day_max,
                0);
    limit_field(c, "wheels.wins_per_day", "member_wins_per_day_max", &w.member_wins_per_day_max, 0);
    limit_field(c, "wheels.wins_per_campaign", "member_wins_per_campaign_max",
                &w.member_wins_per_campaign_max, 0);
}

// One segment in a framed block; true when it was removed.
bool segment_fields(Ctx& c, std::vector<spins::Prize>& prizes, std::size_t i) {
    spins::Prize& p = prizes[i];
    const std::string f = "prizes[" + std::to_string(i) + "]";
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(
        c.t("wheels.segment", {{}, {{"n", std::to_string(i + 1)}, {"label", p.label}}}).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton((c.t("wheels.remove") + "##remove." + f).c_str())) {
        prizes.erase(prizes.begin() + static_cast<std::ptrdiff_t>(i));
        c.changed = true;
        return true;
    }
    text_field(c, "wheels.label", f + ".label", &p.label);
    text_field(c, "wheels.id", f + ".id", &p.id);
    kind_field(c, f + ".kind", p);
    if (p.kind == spins::PrizeKind::points)
        number_field(c, "wheels.points", f + ".points", &p.points, 0);
    if (p.kind == spins::PrizeKind::coupon) reward_field(c, f, p);
    number_field(c, "wheels.cost", f + ".cost", &p.cost, digits(c));
    number_field(c, "wheels.weight", f + ".weight", &p.weight, 0);
    limit_field(c, "wheels.stock", f + ".stock", &p.stock, 0);
    labelled(c, "wheels.colour");
    colour_field(c, f, p, i);
    ImGui::Separator();
    return false;
}

void segments_form(Ctx& c, spins::WheelConfig& w) {
    ImGui::Spacing();
    title(c, c.t("wheels.segments"));
    problem_at(c, "prizes");
    for (std::size_t i = 0; i < w.prizes.size(); ++i)
        if (segment_fields(c, w.prizes, i)) break;
    const bool room = w.prizes.size() < spins::wheel_prizes_max;
    if (button(c.t("wheels.add_segment") + "##add_segment", room)) {
        const std::string id = "prize-" + std::to_string(w.prizes.size() + 1);
        w.prizes.push_back(
            {id, c.t("wheels.new_segment"), spins::PrizeKind::nothing, 0, "", 1, {}, 0});
        c.changed = true;
    }
}

void form_column(Ctx& c) {
    spins::WheelConfig& w = c.editor.draft();
    ImGui::PushItemWidth(-px(c, 8));
    wheel_fields(c, w);
    segments_form(c, w);
    ImGui::PopItemWidth();
}

// ---- beside the form -------------------------------------------------------------------------

WidgetStyle preview_style(const Ctx& c) {
    WidgetStyle s;
    s.scale = c.in.scale;
    s.text = ImGui::GetStyleColorVec4(ImGuiCol_Text);
    s.muted_text = parts::kMuted;
    s.accent = parts::kAccent;
    s.accent_text = ImVec4(1, 1, 1, 1);
    s.surface = ImVec4(0.96f, 0.93f, 0.88f, 1.f);
    s.error = kError;
    s.fonts.body = ImGui::GetFont();
    return s;
}

// The segment under a point of the preview wheel centred at `centre`, turned by `turns`.
int segment_at(ImVec2 point, ImVec2 centre, double turns, std::size_t n) {
    const double a = std::atan2(point.y - centre.y, point.x - centre.x);
    double f = (a + kPi2 / 4) / kPi2 - turns;  // the fraction of a turn from segment 0's start
    f -= std::floor(f);
    return std::min(static_cast<int>(f * static_cast<double>(n)), static_cast<int>(n) - 1);
}

// The draft's segments on ui::wheel; a click (or Enter) turns it to the segment clicked (or
// the next one).
void preview(Ctx& c, float side) {
    const auto& s = c.editor.state();
    std::vector<std::string> labels;
    SegmentColours colours;
    for (const auto& p : s.draft.prizes) {
        labels.push_back(p.label);
        colours.push_back(p.colour);
    }
    const Rect r = at_cursor(ImVec2(side, side));
    const double turns = c.editor.preview_turns(c.in.now_ms);
    // A button without a frame (so tests find it by its id, which an invisible one lacks),
    // the wheel painted over it.
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, 0.f);
    for (const ImGuiCol col : {ImGuiCol_Button, ImGuiCol_ButtonHovered, ImGuiCol_ButtonActive})
        ImGui::PushStyleColor(col, ImVec4(0, 0, 0, 0));
    const bool pressed = ImGui::Button("##wheel_preview", r.size());
    ImGui::PopStyleColor(3);
    ImGui::PopStyleVar();
    wheel(ImGui::GetWindowDrawList(), r, preview_style(c), labels, turns, colours);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", c.t("wheels.preview_hint").c_str());
    if (!pressed || labels.empty()) return;
    const ImVec2 centre(r.min.x + side / 2, r.min.y + side / 2);
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const bool at_mouse = ImGui::IsMouseHoveringRect(r.min, r.max);
    const int next = (std::max(s.preview_segment, -1) + 1) % static_cast<int>(labels.size());
    c.editor.turn_preview(at_mouse ? segment_at(mouse, centre, turns, labels.size()) : next,
                          c.in.now_ms);
}

// A bar of `spent` out of `budget` with the words under it.
void spend_line(Ctx& c, const std::string& key, std::int64_t spent, const spins::Limit& budget) {
    const std::string of = budget ? money_text(c, *budget) : c.t("wheels.no_budget");
    ImGui::TextWrapped("%s",
                       c.t(key, {{}, {{"spent", money_text(c, spent)}, {"budget", of}}}).c_str());
    if (budget && *budget > 0)
        ImGui::ProgressBar(static_cast<float>(std::min<std::int64_t>(spent, *budget)) /
                               static_cast<float>(*budget),
                           ImVec2(-1, px(c, 8)), "");
}

void chance_summary(Ctx& c) {
    const auto& s = c.editor.state();
    if (s.problem) {
        return colored(kError, c.t("wheels.no_odds", {{}, {{"field", s.problem->field}}}));
    }
    ImGui::PushFont(c.in.title);
    colored(s.odds.low_win_chance ? kError : kGood,
            c.t("wheels.win_chance", {{}, {{"percent", c.v.percent(s.odds.win_chance_ppm)}}}),
            true);
    ImGui::PopFont();
    if (s.odds.nothing_left) colored(kError, c.t("wheels.nothing_left"));
    if (s.odds.low_win_chance)
        colored(kError,
                c.t("wheels.low_win", {{}, {{"min", c.v.percent(spins::win_chance_ppm_min)}}}));
    spend_line(c, "wheels.spent_today", s.usage.spent_today, s.draft.day_budget);
    spend_line(c, "wheels.spent_campaign", s.usage.spent_campaign, s.draft.campaign_budget);
}

std::string stock_text(const Ctx& c, const spins::Prize& p, std::int64_t left) {
    if (!p.stock) return c.t("wheels.unlimited");
    return count_text(c, "wheels.stock_left", left,
                      {{"left", i18n::format_integer(c.v.locale, left)},
                       {"of", i18n::format_integer(c.v.locale, *p.stock)}});
}

// Segment, kind, weight, chance, stock left; a click on a row turns the preview to it.
void odds_table(Ctx& c) {
    const auto& s = c.editor.state();
    const auto& prizes = s.draft.prizes;
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH;
    if (!ImGui::BeginTable("odds", 5, flags)) return;
    for (const char* k : {"wheels.segment_col", "wheels.kind", "wheels.weight", "wheels.chance",
                          "wheels.stock_col"})
        ImGui::TableSetupColumn(c.t(k).c_str());
    ImGui::TableHeadersRow();
    const bool have = !s.problem && s.odds.chance_ppm.size() == prizes.size();
    for (std::size_t i = 0; i < prizes.size(); ++i) {
        const spins::Prize& p = prizes[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const std::string row = p.label + "##odds." + std::to_string(i);
        if (ImGui::Selectable(row.c_str(), static_cast<int>(i) == s.preview_segment,
                              ImGuiSelectableFlags_SpanAllColumns))
            c.editor.turn_preview(static_cast<int>(i), c.in.now_ms);
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(
            c.t("wheels.kind." + std::string(spins::prize_kind_name(p.kind))).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(i18n::format_integer(c.v.locale, p.weight).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(have ? c.v.percent(s.odds.chance_ppm[i]).c_str() : "—");
        ImGui::TableNextColumn();
        const std::int64_t left =
            i < s.wheel_state.stock_left.size() ? s.wheel_state.stock_left[i] : 0;
        ImGui::TextUnformatted(stock_text(c, p, left).c_str());
    }
    ImGui::EndTable();
}

void side_column(Ctx& c, float width) {
    const float side = std::clamp(width * 0.45f, px(c, 180), px(c, 460));
    const ImVec2 top = ImGui::GetCursorScreenPos();
    preview(c, side);
    ImGui::SetCursorScreenPos(ImVec2(top.x + side + px(c, 20), top.y));
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(top.x + width - ImGui::GetWindowPos().x);  // window coordinates
    title(c, c.t("wheels.odds"));
    chance_summary(c);
    muted(c.t("wheels.preview_hint"));
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::SetCursorScreenPos(
        ImVec2(top.x, std::max(top.y + side, ImGui::GetItemRectMax().y) + px(c, 12)));
    odds_table(c);
}

// ---- the editor and the list -------------------------------------------------------------------

void status_bar(Ctx& c) {
    WheelsEditor& e = c.editor;
    const auto& s = e.state();
    const bool saving = s.busy == ConsoleBusy::saving;
    if (button(c.t("wheels.back") + "##wheels_back", !saving)) return e.close();
    ImGui::SameLine();
    if (button(c.t(saving ? "wheels.saving" : "wheels.save") + "##wheel_save", e.can_save(), true))
        e.save();
    ImGui::SameLine();
    if (button(c.t(s.conflict ? "wheels.reload" : "wheels.discard") + "##wheel_discard",
               (s.dirty || s.conflict) && !saving))
        e.discard();
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    if (s.conflict)
        colored(kError, c.t("wheels.conflict"));
    else if (s.dirty)
        muted(c.t("wheels.unsaved"));
    else if (s.done == "saved")
        colored(kGood, count_text(c, "wheels.saved_version", s.version));
    else
        muted(count_text(c, "wheels.live_version", s.version));
    if (s.problem)
        colored(kError, c.t("wheels.fix_first", {{}, {{"field", s.problem->field}}}) + " " +
                            problem_words(c, *s.problem));
    if (s.error && !s.conflict)
        colored(kError,
                (s.error->field.empty() ? "" : s.error->field + ": ") + problem_words(c, *s.error));
}

void editor_screen(Ctx& c, const Rect& content) {
    const auto& s = c.editor.state();
    title(c, c.t("wheels.wheel", {{}, {{"id", display_name(s.draft, s.id)}}}));
    status_bar(c);
    ImGui::Spacing();
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float w = content.max.x - top.x, h = content.max.y - top.y;
    const float form_w = std::clamp(w * 0.40f, px(c, 340), px(c, 620));
    ImGui::BeginChild("wheel_form", ImVec2(form_w, h), false);
    form_column(c);
    ImGui::EndChild();
    ImGui::SetCursorScreenPos(ImVec2(top.x + form_w + px(c, 20), top.y));
    const float side_w = w - form_w - px(c, 20);
    ImGui::BeginChild("wheel_side", ImVec2(side_w, h), true);
    side_column(c, side_w - ImGui::GetStyle().WindowPadding.x * 2);
    ImGui::EndChild();
}

void new_wheel_row(Ctx& c) {
    std::string& id = c.in.text["wheel.new_id"];
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(c.t("wheels.new_id").c_str());
    ImGui::SameLine();
    ImGui::SetNextItemWidth(px(c, 260));
    input("##new_wheel_id", &id, 0, "spring-wheel");
    ImGui::SameLine();
    if (button(c.t("wheels.new") + "##new_wheel", !id.empty(), true) &&
        c.editor.start_new(id, c.in.flow.state().session.currency))
        id.clear();
    const auto& s = c.editor.state();
    if (s.error && s.error->field == "id") colored(kError, problem_words(c, *s.error));
}

void list_screen(Ctx& c) {
    const auto& s = c.editor.state();
    title(c, c.t("wheels.title"));
    muted(c.t("wheels.intro"));
    ImGui::Spacing();
    new_wheel_row(c);
    ImGui::Spacing();
    if (!s.list_loaded) return muted(c.t(s.error ? "error.other" : "common.loading"));
    if (s.wheels.empty()) return muted(c.t("wheels.none"));
    const ImGuiTableFlags flags =
        ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerH;
    if (!ImGui::BeginTable("wheels", 7, flags)) return;
    for (const char* k : {"wheels.name_col", "wheels.id", "wheels.status_col", "wheels.segments",
                          "wheels.win_col", "wheels.version", ""})
        ImGui::TableSetupColumn(*k ? c.t(k).c_str() : "");
    ImGui::TableHeadersRow();
    for (const auto& w : s.wheels) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(display_name(w.config, w.id).c_str());
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        muted(w.id);
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        colored(phase_colour(w.config, c.in.now_ms), phase_text(c.v, w.config, c.in.now_ms));
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(
            i18n::format_integer(c.v.locale, static_cast<std::int64_t>(w.config.prizes.size()))
                .c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.v.percent(spins::wheel_odds(w.config).win_chance_ppm).c_str());
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(i18n::format_integer(c.v.locale, w.version).c_str());
        ImGui::TableNextColumn();
        if (button(c.t("wheels.open") + "##open." + w.id)) c.editor.open(w.id);
    }
    ImGui::EndTable();
}

}  // namespace

void wheels_screen(const WheelsScreenContext& in, const Rect& content) {
    Ctx c{in, in.flow.wheels(), {in.texts, in.flow.state().locale}};
    ImGui::SetCursorScreenPos(content.min);
    ImGui::BeginChild("wheels_section", content.size(), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    if (c.editor.state().id.empty())
        list_screen(c);
    else
        editor_screen(c, content);
    ImGui::EndChild();
    if (c.changed) c.editor.edited();
}

std::string wheels_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                               std::int64_t now_ms) {
    const auto& s = flow.wheels().state();
    const client::ViewText v{texts, flow.state().locale};
    std::string out;
    const auto line = [&](const std::string& text) {
        if (!text.empty()) out += text + "\n";
    };
    if (s.id.empty()) {
        for (const auto& w : s.wheels)
            line(display_name(w.config, w.id) + " (" + w.id + "): " +
                 phase_text(v, w.config, now_ms) + ". " +
                 v.t("wheels.win_chance",
                     {{}, {{"percent", v.percent(spins::wheel_odds(w.config).win_chance_ppm)}}}));
        return out;
    }
    line(v.t("wheels.wheel", {{}, {{"id", display_name(s.draft, s.id)}}}));
    line(phase_text(v, s.draft, now_ms));
    if (s.conflict) line(v.t("wheels.conflict"));
    if (s.dirty) line(v.t("wheels.unsaved"));
    if (s.done == "saved") line(v.t("wheels.saved_version", {s.version, {}}));
    if (s.problem)
        line(v.t("wheels.fix_first", {{}, {{"field", s.problem->field}}}) + " " +
             s.problem->message);
    for (const auto& field : s.unreadable) line(field + ": " + v.t(unreadable_key(field)));
    if (s.error && !s.conflict) line(s.error->field + " " + s.error->message);
    if (s.problem) return out;
    line(v.t("wheels.win_chance", {{}, {{"percent", v.percent(s.odds.win_chance_ppm)}}}));
    if (s.odds.low_win_chance)
        line(v.t("wheels.low_win", {{}, {{"min", v.percent(spins::win_chance_ppm_min)}}}));
    for (std::size_t i = 0; i < s.draft.prizes.size() && i < s.odds.chance_ppm.size(); ++i) {
        const spins::Prize& p = s.draft.prizes[i];
        std::string text = p.label + ": " + v.percent(s.odds.chance_ppm[i]);
        if (p.colour) text += ", " + client::colour_text(*p.colour);
        const program::Reward* r = client::find_reward(s.rewards, p.reward_id);
        if (p.kind == spins::PrizeKind::coupon && r)
            text += ", " + v.t("wheels.reward_choice",
                               {r->cost_points,
                                {{"name", r->name},
                                 {"points", i18n::format_integer(v.locale, r->cost_points)}}});
        line(text);
    }
    return out;
}

}  // namespace kopilka::ui

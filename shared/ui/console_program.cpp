#include "ui/console_program.hpp"

#include <imgui_internal.h>  // GetActiveID: a number field keeps what is typed while active

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/console_program.hpp"
#include "client/console_time.hpp"
#include "client/program_text.hpp"
#include "codec/quote_json.hpp"
#include "core/i18n/locale.hpp"
#include "core/money/money.hpp"
#include "core/time.hpp"
#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using client::ConsoleBusy;
using client::ConsoleError;
using client::ProgramEditor;
using parts::button;
using parts::colored;
using parts::input;
using parts::kError;
using parts::kGood;
using parts::muted;

// One drawing of the editor.
struct Ctx {
    const ProgramScreenContext& in;
    ProgramEditor& editor;
    bool changed = false;  // the draft was edited this frame
    bool actions_changed = false;  // the action bonus rows were edited this frame
    mutable std::string last_label;  // the label drawn last, for the field drawn after it
    std::int64_t now_ms = 0;

    i18n::Locale locale() const { return in.flow.state().locale; }
    std::string t(const std::string& key, const i18n::Args& args = {}) const {
        return i18n::translate(in.texts, locale(), key, args);
    }
    std::string n(const std::string& key, std::int64_t count) const {
        i18n::Args a;
        a.count = count;
        return t(key, a);
    }
    float px(float v) const { return std::floor(v * in.scale); }
    int digits() const { return money::currency_info(editor.state().draft.currency).minor_digits; }
    std::string money(std::int64_t minor) const {
        return i18n::format_money(locale(), {minor, editor.state().draft.currency});
    }
};

void heading(const Ctx& c, const std::string& text) {
    ImGui::PushFont(c.in.title);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopFont();
}

// What is wrong in words: "program.problem.<code>" of the catalogue, else the message as sent.
std::string problem_text(const Ctx& c, const ConsoleError& e) {
    for (const char* prefix : {"program.problem.", "error."}) {
        const std::string key = prefix + e.code;
        const std::string out = c.t(key);
        if (out != key) return out;
    }
    return e.message.empty() ? c.t("error.other") : e.message;
}

bool ends_with_ms(const std::string& field) {
    return field.size() > 3 && field.compare(field.size() - 3, 3, "_ms") == 0;
}

// The problem, the server's refusal or an unreadable number at `field`, in red under it. The
// field's label is remembered for the status line ("Tiers › Threshold", not a path).
void field_error(const Ctx& c, const std::string& field) {
    if (!c.last_label.empty()) c.in.text["label." + field] = c.last_label;
    c.last_label.clear();
    if (c.in.text["program.scroll_to"] == field) {
        ImGui::SetScrollHereY(0.3f);
        c.in.text["program.scroll_to"].clear();
    }
    const auto& s = c.editor.state();
    if (s.unreadable.count(field))  // a time (…_ms) or a number
        colored(kError, c.t(ends_with_ms(field) ? "program.problem.not_a_time"
                                                : "program.problem.not_a_number"));
    if (s.problem && s.problem->field == field) colored(kError, problem_text(c, *s.problem));
    if (s.error && s.error->field == field) colored(kError, problem_text(c, *s.error));
}

// A label over the field, the field, its error: every field below is drawn through here.
void label(const Ctx& c, const std::string& key) {
    c.last_label = c.t(key);
    ImGui::TextUnformatted(c.last_label.c_str());
}

// A number typed as a decimal with `digits` decimals (money in minor units; percentages in
// basis points with digits 2). What is typed stays while the field is active.
void decimal_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* v,
                   int digits) {
    label(c, key);
    std::string& typed = c.in.text["program." + field];
    const std::string id = "##" + field;
    if (ImGui::GetActiveID() != ImGui::GetID(id.c_str())) typed = client::decimal_text(*v, digits);
    if (input(id.c_str(), &typed, ImGuiInputTextFlags_AutoSelectAll)) {
        const auto parsed = client::parse_decimal(typed, digits);
        c.editor.set_unreadable(field, !parsed);
        if (parsed && *parsed != *v) {
            *v = *parsed;
            c.changed = true;
        }
    }
    field_error(c, field);
}
void money_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* v) {
    decimal_field(c, key, field, v, c.digits());
}
void percent_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* bp) {
    decimal_field(c, key, field, bp, 2);
}
void int_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* v) {
    decimal_field(c, key, field, v, 0);
}

// A time typed as "2026-12-24" or "2026-12-24 18:00" (UTC), kept as ms since the epoch. What is
// typed stays while the field is active.
void date_time_field(Ctx& c, const std::string& key, const std::string& field, std::int64_t* ms) {
    label(c, key);
    std::string& typed = c.in.text["program." + field];
    const std::string id = "##" + field;
    if (ImGui::GetActiveID() != ImGui::GetID(id.c_str())) typed = client::date_time_text(*ms);
    if (input(id.c_str(), &typed, ImGuiInputTextFlags_AutoSelectAll, "2026-12-24 18:00")) {
        const auto parsed = client::parse_date_time(typed);
        c.editor.set_unreadable(field, !parsed);
        if (parsed && *parsed != *ms) {
            *ms = *parsed;
            c.changed = true;
        }
    }
    field_error(c, field);
}

void text_field(Ctx& c, const std::string& key, const std::string& field, std::string* v) {
    label(c, key);
    c.changed |= input(("##" + field).c_str(), v);
    field_error(c, field);
}

// An element's id and name (a tier, a reward, a VIP plan).
void id_name_fields(Ctx& c, const std::string& f, std::string* id, std::string* name) {
    text_field(c, "program.id", f + ".id", id);
    text_field(c, "program.name", f + ".name", name);
}

// A list of words typed comma-separated ("tobacco, alcohol").
void words_field(Ctx& c, const std::string& key, const std::string& field,
                 std::vector<std::string>* words) {
    label(c, key);
    std::string& typed = c.in.text["program." + field];
    const std::string id = "##" + field;
    if (ImGui::GetActiveID() != ImGui::GetID(id.c_str())) {
        typed.clear();
        for (const auto& w : *words) typed += (typed.empty() ? "" : ", ") + w;
    }
    if (input(id.c_str(), &typed, 0, c.t("program.words_hint").c_str())) {
        std::vector<std::string> out;
        std::string word;
        for (char ch : typed + ",") {
            if (ch != ',') {
                word += ch;
                continue;
            }
            const auto b = word.find_first_not_of(' ');
            if (b != std::string::npos)
                out.push_back(word.substr(b, word.find_last_not_of(' ') + 1 - b));
            word.clear();
        }
        *words = out;
        c.changed = true;
    }
    field_error(c, field);
}

// One of `options` ("program.rounding.floor" … as catalogue keys under `key_prefix`).
template <class E>
void choice_field(Ctx& c, const std::string& key, const std::string& field, E* v,
                  const std::vector<std::pair<E, const char*>>& options,
                  const std::string& key_prefix) {
    label(c, key);
    std::string current;
    for (const auto& [value, name] : options)
        if (value == *v) current = c.t(key_prefix + name);
    if (ImGui::BeginCombo(("##" + field).c_str(), current.c_str())) {
        for (const auto& [value, name] : options)
            if (ImGui::Selectable((c.t(key_prefix + name) + "##" + field + "." + name).c_str(),
                                  value == *v)) {
                *v = value;
                c.changed = true;
            }
        ImGui::EndCombo();
    }
    field_error(c, field);
}

void check_field(Ctx& c, const std::string& key, const std::string& field, bool* v) {
    c.changed |= ImGui::Checkbox((c.t(key) + "##" + field).c_str(), v);
    field_error(c, field);
}

// A mechanic's header with a check box that adds or removes it; true when its form shows.
template <class T>
bool section(Ctx& c, const char* id, std::optional<T>* part) {
    bool on = part->has_value();
    const std::string name = c.t(std::string("program.section.") + id);
    if (ImGui::Checkbox(("##on." + std::string(id)).c_str(), &on)) {
        if (on)
            part->emplace();
        else
            part->reset();
        c.changed = true;
    }
    ImGui::SameLine();
    ImGui::SetNextItemOpen(on, ImGuiCond_Appearing);
    if (c.in.text["program.open_section"] == id) {  // a problem in it was asked for
        ImGui::SetNextItemOpen(true);
        c.in.text["program.open_section"].clear();
    }
    const bool open =
        ImGui::CollapsingHeader((name + "##sec." + id).c_str(), ImGuiTreeNodeFlags_None);
    c.last_label = name;
    field_error(c, id);
    return open && part->has_value();
}

// A list's header: its field's error and an "Add" button; true when Add was pressed.
bool list_header(Ctx& c, const std::string& key, const std::string& field) {
    ImGui::Spacing();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(c.t(key).c_str());
    ImGui::SameLine();
    const bool add = ImGui::SmallButton((c.t("program.add") + "##add." + field).c_str());
    field_error(c, field);
    return add;
}

// The Remove button of element i (at `field`) of a list; true when it removed the element.
template <class T>
bool remove_button(Ctx& c, const std::string& field, std::vector<T>* list, std::size_t i) {
    if (!ImGui::SmallButton((c.t("program.remove") + "##remove." + field).c_str())) return false;
    list->erase(list->begin() + static_cast<std::ptrdiff_t>(i));
    c.changed = true;
    return true;
}

std::string at(const std::string& list, std::size_t i) {
    return list + "[" + std::to_string(i) + "]";
}

// Indents an element of a list and draws a thin line under it.
struct ListItem {
    explicit ListItem(const Ctx& c) : indent(c.px(14)) { ImGui::Indent(indent); }
    ~ListItem() {
        ImGui::Unindent(indent);
        ImGui::Separator();
    }
    float indent;
};

// A list of a mechanic: its header with Add (make() gives the new element), then each element
// indented, drawn by draw(field, element), with its Remove button.
template <class T, class Make, class Draw>
void list_form(Ctx& c, const std::string& key, const std::string& field, std::vector<T>* list,
               Make make, Draw draw) {
    if (list_header(c, key, field)) {
        list->push_back(make());
        c.changed = true;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string f = at(field, i);
        ListItem item(c);
        draw(f, (*list)[i]);
        if (remove_button(c, f, list, i)) break;
    }
}

// A new element's id and name: "tier-3" for the third tier.
std::string next_id(const char* prefix, std::size_t count) {
    return prefix + std::to_string(count + 1);
}

void flat_discount_form(Ctx& c, program::Program& p) {
    if (!section(c, "flat_discount", &p.flat_discount)) return;
    percent_field(c, "program.rate", "flat_discount.rate_bp", &p.flat_discount->rate_bp);
    words_field(c, "program.categories", "flat_discount.applies_to.categories",
                &p.flat_discount->applies_to.categories);
    words_field(c, "program.skus", "flat_discount.applies_to.skus",
                &p.flat_discount->applies_to.skus);
}

void ladder_form(Ctx& c, program::Program& p) {
    if (!section(c, "discount_ladder", &p.discount_ladder)) return;
    program::DiscountLadder& l = *p.discount_ladder;
    choice_field(c, "program.ladder_mode", "discount_ladder.mode", &l.mode,
                 {{program::LadderMode::cumulative, "cumulative"},
                  {program::LadderMode::receipt, "receipt"}},
                 "program.ladder_mode.");
    list_form(
        c, "program.steps", "discount_ladder.steps", &l.steps,
        [&] {
            if (l.steps.empty()) return program::LadderStep{};
            return program::LadderStep{l.steps.back().threshold * 2, l.steps.back().rate_bp + 100};
        },
        [&](const std::string& f, program::LadderStep& step) {
            money_field(c, "program.threshold_money", f + ".threshold", &step.threshold);
            percent_field(c, "program.rate", f + ".rate_bp", &step.rate_bp);
        });
    percent_field(c, "program.cap", "discount_ladder.cap_bp", &l.cap_bp);
    int_field(c, "program.decay_days", "discount_ladder.decay_period_days", &l.decay_period_days);
}

void multipliers_form(Ctx& c, const std::string& key, const std::string& field,
                      std::vector<program::Multiplier>* list) {
    list_form(
        c, key, field, list, [] { return program::Multiplier{"", 200}; },
        [&](const std::string& f, program::Multiplier& m) {
            text_field(c, "program.key", f + ".key", &m.key);
            int_field(c, "program.multiplier_pct", f + ".percent", &m.percent);
        });
}

// Two fields side by side, each drawn by its function in half the width.
template <class Left, class Right>
void side_by_side(const Ctx& c, const std::string& id, Left left, Right right) {
    if (!ImGui::BeginTable(("##pair." + id).c_str(), 2, ImGuiTableFlags_SizingStretchSame)) return;
    const auto cell = [&](auto draw) {
        ImGui::TableNextColumn();
        // A cell starts at the row's text baseline, which the left cell's frames lowered: both
        // labels on the cells' top line.
        ImGui::GetCurrentWindow()->DC.CurrLineTextBaseOffset = 0;
        ImGui::PushItemWidth(-c.px(8));
        draw();
        ImGui::PopItemWidth();
    };
    cell(left);
    cell(right);
    ImGui::EndTable();
}

// Periods with no redemption, each from a time to a time (UTC, the end not included); a new
// one is tomorrow, a whole day.
void blackouts_form(Ctx& c, program::BonusPoints& b) {
    list_form(
        c, "program.blackouts", "bonus.redeem_blackouts", &b.redeem_blackouts,
        [&] {
            const std::int64_t from = (c.now_ms / day_ms + 1) * day_ms;
            return program::Period{from, from + day_ms};
        },
        [&](const std::string& f, program::Period& period) {
            side_by_side(
                c, f,
                [&] {
                    date_time_field(c, "program.blackout_from", f + ".from_ms", &period.from_ms);
                },
                [&] { date_time_field(c, "program.blackout_to", f + ".to_ms", &period.to_ms); });
        });
    muted(c.t("program.blackouts_hint"));
}

// The actions the rules' catalogue names ("profile", "review"…), in alphabetical order.
std::vector<std::string> known_actions(const Ctx& c) {
    std::vector<std::string> out;
    const std::string prefix = "rules.action.";
    const auto it = c.in.rules_texts.by_locale.find(i18n::Locale::en);
    if (it == c.in.rules_texts.by_locale.end()) return out;
    for (const auto& [key, message] : it->second.messages)
        if (key.compare(0, prefix.size(), prefix) == 0) out.push_back(key.substr(prefix.size()));
    return out;
}

// An action's name in the merchant's language ("a review"), or its key when the rules'
// catalogue has none.
std::string action_words(const Ctx& c, const std::string& action) {
    const std::string key = "rules.action." + action;
    const std::string words = i18n::translate(c.in.rules_texts, c.locale(), key);
    return words == key ? action : words;
}

// An action bonus's action: picked from those the catalogue names, or "Other" with its name
// typed.
void action_pick(Ctx& c, const std::string& f, client::ActionBonusRow& row,
                 const std::vector<std::string>& known) {
    label(c, "program.action");
    const bool is_known = std::find(known.begin(), known.end(), row.action) != known.end();
    const std::string shown = is_known ? action_words(c, row.action) : c.t("program.action_other");
    if (ImGui::BeginCombo(("##" + f + ".pick").c_str(), shown.c_str())) {
        for (const auto& a : known)
            if (ImGui::Selectable((action_words(c, a) + "##" + f + "." + a).c_str(),
                                  a == row.action)) {
                row.action = a;
                c.actions_changed = true;
            }
        if (ImGui::Selectable((c.t("program.action_other") + "##" + f + ".other").c_str(),
                              !is_known)) {
            if (is_known) row.action.clear();
            c.actions_changed = true;
        }
        ImGui::EndCombo();
    }
    if (!is_known) {
        label(c, "program.action_name");
        const std::string hint = c.t("program.action_hint");
        c.actions_changed |= input(("##" + f + ".action").c_str(), &row.action, 0, hint.c_str());
    }
    field_error(c, f + ".action");
}

// Points for things a member does outside a purchase ("review" → 50), as rows.
void action_bonuses_form(Ctx& c) {
    auto& rows = c.editor.action_bonuses();
    const std::vector<std::string> known = known_actions(c);
    const bool before = c.changed;
    c.changed = false;
    std::set<std::string> seen;
    list_form(
        c, "program.action_bonuses", "bonus.action_bonuses", &rows,
        [&] {
            client::ActionBonusRow row{"", 50};
            for (const auto& a : known)
                if (std::none_of(rows.begin(), rows.end(),
                                 [&](const auto& r) { return r.action == a; })) {
                    row.action = a;
                    break;
                }
            return row;
        },
        [&](const std::string& f, client::ActionBonusRow& row) {
            const bool good = !row.action.empty() &&
                              row.action.size() <= client::action_name_bytes_max &&
                              seen.insert(row.action).second;
            // The codec names a good row's points by its action; a bad name's by the index.
            const std::string points = good ? "bonus.action_bonuses." + row.action : f + ".points";
            side_by_side(
                c, f, [&] { action_pick(c, f, row, known); },
                [&] { int_field(c, "program.action_points", points, &row.points); });
        });
    c.actions_changed |= c.changed;
    c.changed = before;
}

void bonus_form(Ctx& c, program::Program& p) {
    if (!section(c, "bonus", &p.bonus)) return;
    program::BonusPoints& b = *p.bonus;
    percent_field(c, "program.earn_rate", "bonus.earn_bp", &b.earn_bp);
    choice_field(c, "program.rounding", "bonus.earn_rounding", &b.earn_rounding,
                 {{money::Rounding::floor, "floor"},
                  {money::Rounding::half_even, "half_even"},
                  {money::Rounding::half_up, "half_up"},
                  {money::Rounding::ceil, "ceil"}},
                 "program.rounding.");
    money_field(c, "program.receipt_min", "bonus.receipt_min", &b.receipt_min);
    multipliers_form(c, "program.category_multipliers", "bonus.category_multipliers",
                     &b.category_multipliers);
    multipliers_form(c, "program.sku_multipliers", "bonus.sku_multipliers", &b.sku_multipliers);
    words_field(c, "program.excluded_categories", "bonus.excluded_categories",
                &b.excluded_categories);
    check_field(c, "program.exclude_discounted", "bonus.exclude_discounted_lines",
                &b.exclude_discounted_lines);
    percent_field(c, "program.redeem_cap", "bonus.redeem_cap_bp", &b.redeem_cap_bp);
    money_field(c, "program.redeem_order_min", "bonus.redeem_order_min", &b.redeem_order_min);
    int_field(c, "program.pending_days", "bonus.pending_days", &b.pending_days);
    int_field(c, "program.expiry_days", "bonus.expiry_days", &b.expiry_days);
    blackouts_form(c, b);
    int_field(c, "program.welcome_bonus", "bonus.welcome_bonus", &b.welcome_bonus);
    int_field(c, "program.birthday_bonus", "bonus.birthday_bonus", &b.birthday_bonus);
    action_bonuses_form(c);
}

void tiers_form(Ctx& c, program::Program& p) {
    const bool had = p.tiers.has_value();
    if (!section(c, "tiers", &p.tiers)) return;
    program::Tiers& t = *p.tiers;
    if (!had) t.levels.push_back({"base", c.t("program.tier_first"), 0, 100, 0, {}});
    choice_field(c, "program.tier_basis", "tiers.basis", &t.basis,
                 {{program::TierBasis::points, "points"}, {program::TierBasis::spend, "spend"}},
                 "program.tier_basis.");
    int_field(c, "program.window_days", "tiers.window_days", &t.window_days);
    int_field(c, "program.downgrade_days", "tiers.downgrade_inactivity_days",
              &t.downgrade_inactivity_days);
    list_form(
        c, "program.levels", "tiers.levels", &t.levels,
        [&] {
            const std::string id = next_id("tier-", t.levels.size());
            const std::int64_t last = t.levels.empty() ? 0 : t.levels.back().threshold;
            return program::TierLevel{
                id, id, t.levels.empty() ? 0 : std::max<std::int64_t>(1, last * 2), 100, 0, {}};
        },
        [&](const std::string& f, program::TierLevel& l) {
            id_name_fields(c, f, &l.id, &l.name);
            if (t.basis == program::TierBasis::spend)
                money_field(c, "program.threshold_money", f + ".threshold", &l.threshold);
            else
                int_field(c, "program.threshold_points", f + ".threshold", &l.threshold);
            int_field(c, "program.multiplier_pct", f + ".earn_multiplier_pct",
                      &l.earn_multiplier_pct);
            percent_field(c, "program.tier_discount", f + ".discount_bp", &l.discount_bp);
        });
}

// A mechanic that is a list (rewards, stamp cards, VIP plans) under its own header, open when
// the list has something; make(id) gives a new element with a fresh id ("reward-3").
template <class T, class Make, class Draw>
void list_mechanic(Ctx& c, const char* id, const char* prefix, std::vector<T>* list, Make make,
                   Draw draw) {
    ImGui::SetNextItemOpen(!list->empty(), ImGuiCond_Appearing);
    if (c.in.text["program.open_section"] == id) {  // a problem in it was asked for
        ImGui::SetNextItemOpen(true);
        c.in.text["program.open_section"].clear();
    }
    const std::string name = c.t(std::string("program.section.") + id);
    if (!ImGui::CollapsingHeader((name + "##sec." + id).c_str())) return;
    c.last_label = name;  // the list's field is named by its header
    const std::string fresh = next_id(prefix, list->size());
    list_form(
        c, std::string("program.") + id, id, list, [&] { return make(fresh); }, draw);
}

// The merchant's picture of a reward for the kiosk's tile: uploaded like the theme's logo (the
// page reads the file and hands it over as a data: URL), or removed.
void reward_picture(Ctx& c, const std::string& f, program::Reward& w) {
    label(c, "program.reward_image");
    muted(w.image.empty() ? c.t("program.reward_image_none")
                          : c.n("program.reward_image_size",
                                static_cast<std::int64_t>((w.image.size() * 3 / 4 + 1023) / 1024)));
    if (ImGui::Button((c.t("program.reward_image_upload") + "##" + f + ".image").c_str()) &&
        c.in.pick_picture)
        *c.in.pick_picture = w.id;
    if (!w.image.empty()) {
        ImGui::SameLine();
        if (ImGui::Button(
                (c.t("program.reward_image_remove") + "##" + f + ".image_remove").c_str())) {
            w.image.clear();
            c.changed = true;
        }
    }
    if (c.in.picture_reward == w.id && !c.in.picture_error.empty())
        colored(kError, c.t("program.reward_image_" + c.in.picture_error));
    field_error(c, f + ".image");
}

void rewards_form(Ctx& c, program::Program& p) {
    list_mechanic(
        c, "rewards", "reward-", &p.rewards,
        [](const std::string& id) {
            return program::Reward{id, id, 100, program::RewardKind::gift, 0, 30};
        },
        [&](const std::string& f, program::Reward& w) {
            id_name_fields(c, f, &w.id, &w.name);
            int_field(c, "program.cost_points", f + ".cost_points", &w.cost_points);
            choice_field(c, "program.reward_kind", f + ".kind", &w.kind,
                         {{program::RewardKind::gift, "gift"},
                          {program::RewardKind::fixed_discount, "fixed_discount"},
                          {program::RewardKind::percent_discount, "percent_discount"}},
                         "program.reward_kind.");
            if (w.kind == program::RewardKind::fixed_discount)
                money_field(c, "program.reward_value_money", f + ".value", &w.value);
            if (w.kind == program::RewardKind::percent_discount)
                percent_field(c, "program.reward_value_percent", f + ".value", &w.value);
            int_field(c, "program.coupon_days", f + ".coupon_valid_days", &w.coupon_valid_days);
            reward_picture(c, f, w);
        });
}

void referral_form(Ctx& c, program::Program& p) {
    if (!section(c, "referral", &p.referral)) return;
    const std::pair<const char*, std::int64_t*> points[] = {
        {"inviter_bonus", &p.referral->inviter_bonus},
        {"invitee_bonus", &p.referral->invitee_bonus}};
    for (const auto& [name, v] : points)
        int_field(c, std::string("program.") + name, std::string("referral.") + name, v);
    money_field(c, "program.first_receipt_min", "referral.first_receipt_min",
                &p.referral->first_receipt_min);
    int_field(c, "program.per_month_max", "referral.per_inviter_month_max",
              &p.referral->per_inviter_month_max);
}

void cashback_form(Ctx& c, program::Program& p) {
    if (!section(c, "cashback", &p.cashback)) return;
    percent_field(c, "program.rate", "cashback.rate_bp", &p.cashback->rate_bp);
    words_field(c, "program.excluded_categories", "cashback.excluded_categories",
                &p.cashback->excluded_categories);
}

void stamps_form(Ctx& c, program::Program& p) {
    list_mechanic(
        c, "stamp_cards", "card-", &p.stamp_cards,
        [](const std::string& id) {
            program::StampCard card;
            card.id = id;
            return card;
        },
        [&](const std::string& f, program::StampCard& card) {
            text_field(c, "program.id", f + ".id", &card.id);
            int_field(c, "program.stamps_per_card", f + ".stamps_per_card", &card.stamps_per_card);
            words_field(c, "program.categories", f + ".earns_on.categories",
                        &card.earns_on.categories);
            words_field(c, "program.skus", f + ".earns_on.skus", &card.earns_on.skus);
            money_field(c, "program.spend_per_stamp", f + ".spend_per_stamp",
                        &card.spend_per_stamp);
            text_field(c, "program.reward_id", f + ".reward_id", &card.reward_id);
        });
}

void vip_form(Ctx& c, program::Program& p) {
    list_mechanic(
        c, "vip_plans", "vip-", &p.vip_plans,
        [](const std::string& id) {
            program::VipPlan plan;
            plan.id = plan.name = id;
            return plan;
        },
        [&](const std::string& f, program::VipPlan& plan) {
            id_name_fields(c, f, &plan.id, &plan.name);
            money_field(c, "program.fee", f + ".fee", &plan.fee);
            choice_field(c, "program.period", f + ".period", &plan.period,
                         {{program::BillingPeriod::month, "month"},
                          {program::BillingPeriod::year, "year"}},
                         "program.period.");
            int_field(c, "program.multiplier_pct", f + ".earn_multiplier_pct",
                      &plan.earn_multiplier_pct);
            percent_field(c, "program.tier_discount", f + ".discount_bp", &plan.discount_bp);
            words_field(c, "program.perks", f + ".perks", &plan.perks);
        });
}

// Segment rules: members whose attribute has a value ("status" = "student") get a discount,
// on everything or on some categories and products.
void segments_form(Ctx& c, program::Program& p) {
    list_mechanic(
        c, "segments", "", &p.segments,
        [](const std::string&) {
            program::SegmentRule rule;
            rule.attribute = "status";
            rule.discount_bp = 500;
            return rule;
        },
        [&](const std::string& f, program::SegmentRule& rule) {
            text_field(c, "program.segment_attribute", f + ".attribute", &rule.attribute);
            text_field(c, "program.segment_value", f + ".value", &rule.value);
            percent_field(c, "program.segment_discount", f + ".discount_bp",
                          &rule.discount_bp);
            words_field(c, "program.categories", f + ".applies_to.categories",
                        &rule.applies_to.categories);
            words_field(c, "program.skus", f + ".applies_to.skus", &rule.applies_to.skus);
        });
}

void coalition_form(Ctx& c, program::Program& p) {
    if (!section(c, "coalition", &p.coalition)) return;
    text_field(c, "program.coalition_id", "coalition.coalition_id", &p.coalition->coalition_id);
    text_field(c, "program.partner_id", "coalition.partner_id", &p.coalition->partner_id);
    money_field(c, "program.clearing_num", "coalition.clearing_price_num",
                &p.coalition->clearing_price_num);
    int_field(c, "program.clearing_den", "coalition.clearing_price_den",
              &p.coalition->clearing_price_den);
}

// Where a field is, in words: "Tiers › Threshold (3)" for tiers.levels[2].threshold, from the
// labels drawn last frame; the path itself for a field not drawn yet.
std::string field_words(const std::map<std::string, std::string>& labels,
                        const std::string& field) {
    const std::string top = field.substr(0, field.find_first_of(".["));
    const auto known = [&](const std::string& f) -> std::string {
        const auto it = labels.find("label." + f);
        return it == labels.end() ? "" : it->second;
    };
    std::string words = known(field);
    if (words.empty()) return field;
    const std::string section = top != field ? known(top) : "";
    if (!section.empty() && section != words) words = section + " \u203a " + words;
    const auto open = field.rfind('['), close = field.rfind(']');
    if (open != std::string::npos && close != std::string::npos && close > open + 1) {
        const std::string index = field.substr(open + 1, close - open - 1);
        if (index.find_first_not_of("0123456789") == std::string::npos)
            words += " (" + std::to_string(std::stoll(index) + 1) + ")";
    }
    return words;
}

// "Go to it": the field's section opens and the form scrolls to the field.
void go_to_field(Ctx& c, const std::string& field) {
    c.in.text["program.scroll_to"] = field;
    c.in.text["program.open_section"] = field.substr(0, field.find_first_of(".["));
}

// Save (at once or from a time), discard, what happened; the first problem in words whatever
// field it names, with a button that shows the field.
void status_bar(Ctx& c) {
    ProgramEditor& e = c.editor;
    const auto& s = e.state();
    const bool saving = s.busy == ConsoleBusy::saving;
    const bool later = !s.publish_at.empty() && !s.publish_at_bad;
    const char* save_key = saving ? "program.saving" : later ? "program.schedule" : "program.save";
    if (button(c.t(save_key) + "##program_save", e.can_save() && !s.publish_at_bad, true))
        e.save();
    ImGui::SameLine();
    if (button(c.t("program.discard") + "##program_discard", s.dirty && !saving)) e.discard();
    ImGui::SameLine(0, c.px(24));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(c.t("program.takes_effect").c_str());
    ImGui::SameLine();
    std::string& at = c.in.text["program.publish_at"];
    if (ImGui::GetActiveID() != ImGui::GetID("##publish_at")) at = s.publish_at;
    ImGui::SetNextItemWidth(c.px(190));
    if (input("##publish_at", &at, 0, c.t("program.takes_effect_now").c_str()))
        e.set_publish_at(at, c.now_ms);
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    muted(c.t("program.utc"));
    if (s.publish_at_bad) colored(kError, c.t("program.takes_effect_bad"));

    if (s.dirty)
        muted(c.t("program.unsaved"));
    else if (s.done == "saved")
        colored(kGood, c.n("program.saved_version", s.version));
    else if (s.done == "scheduled" && s.scheduled.empty())
        colored(kGood, c.t("program.scheduled_version",
                           {s.latest_version,
                            {{"when", client::date_time_text(s.saved_effective_ms)}}}));
    else if (s.published)
        muted(c.t("program.live_since", {s.version,
                                         {{"when", client::date_time_text(s.effective_from_ms)}}}));
    else
        muted(c.t("program.none_yet"));
    if (s.restored && s.dirty) muted(c.t("program.restored"));
    for (const auto& v : s.scheduled)
        colored(parts::kAccent,
                c.t("program.waiting", {v.version,
                                        {{"when", client::date_time_text(v.effective_from_ms)},
                                         {"by", v.by.empty() ? "-" : v.by}}}));
    if (s.problem) {
        const std::string where = field_words(c.in.text, s.problem->field);
        colored(kError, c.t("program.fix_first", {{}, {{"field", where}}}) + " " +
                            problem_text(c, *s.problem));
        if (ImGui::SmallButton((c.t("program.show_field") + "##show_problem").c_str()))
            go_to_field(c, s.problem->field);
    }
    if (s.error && (s.error->field.empty() || s.error->field == "If-Match")) {
        colored(kError, problem_text(c, *s.error));
    } else if (s.error) {
        colored(kError, field_words(c.in.text, s.error->field) + ": " + problem_text(c, *s.error));
        if (ImGui::SmallButton((c.t("program.show_field") + "##show_error").c_str()))
            go_to_field(c, s.error->field);
    }
}

void form_column(Ctx& c) {
    program::Program& p = c.editor.draft();
    ImGui::PushItemWidth(-c.px(8));
    text_field(c, "program.name", "name", &p.name);
    int_field(c, "program.point_value", "point_value_minor", &p.point_value_minor);
    muted(c.t("program.point_value_hint"));
    ImGui::Spacing();
    bonus_form(c, p);
    flat_discount_form(c, p);
    ladder_form(c, p);
    tiers_form(c, p);
    rewards_form(c, p);
    referral_form(c, p);
    cashback_form(c, p);
    stamps_form(c, p);
    vip_form(c, p);
    segments_form(c, p);
    coalition_form(c, p);
    ImGui::PopItemWidth();
}

void rules_words(Ctx& c) {
    heading(c, c.t("program.words"));
    const auto& s = c.editor.state();
    if (s.problem) return muted(c.t("program.words_wait"));
    const client::RulesText words =
        client::program_rules_text(s.draft, c.in.rules_texts, c.locale());
    for (const auto& sec : words.sections) {
        ImGui::TextUnformatted(sec.heading.c_str());
        for (const auto& item : sec.items) {
            ImGui::Bullet();
            ImGui::TextWrapped("%s", item.c_str());
        }
    }
}

// A radio button on the line of the item before it while it fits, else on the next line; true
// when it was chosen.
bool radio_on_line(const std::string& text, const std::string& id, bool active) {
    const float right = ImGui::GetWindowContentRegionMax().x;
    const float w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x +
                    ImGui::CalcTextSize(text.c_str()).x;
    ImGui::SameLine();
    if (ImGui::GetCursorPosX() + w > right) ImGui::NewLine();
    return ImGui::RadioButton((text + "##" + id).c_str(), active);
}

// "status “student”": a segment rule's attribute and value as the test member holds them.
std::string segment_words(const i18n::Catalogues& texts, i18n::Locale l,
                          const std::string& attribute, const std::string& value) {
    return i18n::translate(texts, l, "program.segment_words",
                           {{}, {{"attribute", attribute}, {"value", value}}});
}

// The test member's segment: none or the attribute and value of one of the draft's rules, as
// radio buttons after the label, wrapped onto the next lines when they don't fit.
void test_segment(Ctx& c) {
    ProgramEditor& e = c.editor;
    const auto& s = e.state();
    if (s.draft.segments.empty() && s.segment_attribute.empty()) return;
    std::vector<std::pair<std::string, std::string>> choices{{"", ""}};
    for (const auto& rule : s.draft.segments)
        if (std::find(choices.begin(), choices.end(), std::pair(rule.attribute, rule.value)) ==
            choices.end())
            choices.emplace_back(rule.attribute, rule.value);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted((c.t("program.member_segment") + ":").c_str());
    for (const auto& [attribute, value] : choices) {
        const std::string text = attribute.empty()
                                     ? c.t("program.segment_none")
                                     : segment_words(c.in.texts, c.locale(), attribute, value);
        const bool held = attribute == s.segment_attribute && value == s.segment_value;
        if (radio_on_line(text, "segment." + attribute + "=" + value, held))
            e.set_test_segment(attribute, value);
    }
}

void receipt_lines(Ctx& c) {
    ProgramEditor& e = c.editor;
    bool edited = false;
    auto& lines = e.receipt();
    const float w = ImGui::GetContentRegionAvail().x;
    if (ImGui::BeginTable("receipt", 5, ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn(c.t("program.price").c_str(), 0, 0.30f * w);
        ImGui::TableSetupColumn(c.t("program.quantity").c_str(), 0, 0.16f * w);
        ImGui::TableSetupColumn(c.t("program.category").c_str(), 0, 0.24f * w);
        ImGui::TableSetupColumn(c.t("program.sku").c_str(), 0, 0.20f * w);
        ImGui::TableSetupColumn("", 0, 0.10f * w);
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const std::string f = at("receipt", i);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            edited |= input(("##" + f + ".price").c_str(), &lines[i].price);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            long long q = lines[i].quantity;
            if (ImGui::InputScalar(("##" + f + ".quantity").c_str(), ImGuiDataType_S64, &q)) {
                lines[i].quantity = std::clamp<long long>(q, 1, quote::line_quantity_max);
                edited = true;
            }
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            edited |= input(("##" + f + ".category").c_str(), &lines[i].category);
            ImGui::TableNextColumn();
            ImGui::SetNextItemWidth(-1);
            edited |= input(("##" + f + ".sku").c_str(), &lines[i].sku);
            ImGui::TableNextColumn();
            if (lines.size() > 1 && ImGui::SmallButton(("×##remove." + f).c_str())) {
                lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
                edited = true;
                break;
            }
        }
        ImGui::EndTable();
    }
    if (ImGui::SmallButton((c.t("program.add_line") + "##receipt_add").c_str()) &&
        lines.size() < 20) {
        lines.push_back({});
        edited = true;
    }
    if (!e.state().receipt_field.empty())
        colored(kError, c.t("program.receipt_bad", {{}, {{"field", e.state().receipt_field}}}));
    const auto& p = e.state().draft;
    if (p.tiers && !p.tiers->levels.empty()) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(c.px(240));
        const int held = quote::tier_index(p, e.state().tier);
        const auto& levels = p.tiers->levels;
        if (ImGui::BeginCombo("##receipt_tier",
                              (c.t("program.member_tier") + ": " +
                               levels[static_cast<std::size_t>(held)].name)
                                  .c_str())) {
            for (std::size_t i = 0; i < levels.size(); ++i)
                if (ImGui::Selectable((levels[i].name + "##tier." + levels[i].id).c_str(),
                                      static_cast<int>(i) == held))
                    e.set_tier(levels[i].id);
            ImGui::EndCombo();
        }
    }
    test_segment(c);
    if (edited) e.receipt_edited();
}

void quote_result(Ctx& c) {
    const auto& s = c.editor.state();
    if (!s.draft_quote) return muted(c.t("program.quote_wait"));
    const quote::Quote& q = *s.draft_quote;
    if (q.status != quote::QuoteStatus::ok)
        return colored(kError, c.t("program.receipt_bad", {{}, {{"field", q.field}}}));
    if (ImGui::BeginTable("quote", 5, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        for (const char* k : {"program.line", "program.gross", "program.discount", "program.paid",
                              "program.points"})
            ImGui::TableSetupColumn(c.t(k).c_str());
        ImGui::TableHeadersRow();
        const auto row = [&](const std::string& name, const quote::LineResult& l) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name.c_str());
            for (std::int64_t v : {l.gross, l.discount, l.paid}) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(c.money(v).c_str());
            }
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(i18n::format_integer(c.locale(), l.points).c_str());
        };
        for (std::size_t i = 0; i < q.lines.size(); ++i)
            row(s.receipt[i].sku + " ×" + std::to_string(s.receipt[i].quantity), q.lines[i]);
        quote::LineResult total;
        std::tie(total.gross, total.discount, total.paid, total.points) =
            std::tuple(q.gross, q.discount, q.paid, q.points_earned);
        row(c.t("program.total"), total);
        ImGui::EndTable();
    }
    for (const auto& x : q.explanations) {
        ImGui::Bullet();
        ImGui::TextWrapped(
            "%s", codec::explanation_text(x, s.draft, c.in.kiosk_texts, c.locale()).c_str());
    }
}

// "This receipt earns 50 → 100 points; discount 0 ₽ → 30 ₽" against the published program.
void what_if(Ctx& c) {
    heading(c, c.t("program.what_if"));
    const auto& s = c.editor.state();
    if (!s.published) return muted(c.t("program.none_yet"));
    if (!s.draft_quote || !s.published_quote) return muted(c.t("program.quote_wait"));
    const quote::Quote &now = *s.published_quote, &next = *s.draft_quote;
    const auto num = [&](std::int64_t v) { return i18n::format_integer(c.locale(), v); };
    const bool same = now.points_earned == next.points_earned && now.discount == next.discount &&
                      now.cashback == next.cashback;
    colored(same ? parts::kMuted : parts::kAccent,
            c.t("program.what_if_points", {next.points_earned,
                                           {{"before", num(now.points_earned)},
                                            {"after", num(next.points_earned)}}}));
    if (now.discount || next.discount)
        ImGui::TextWrapped("%s", c.t("program.what_if_discount",
                                     {{}, {{"before", c.money(now.discount)},
                                           {"after", c.money(next.discount)}}})
                                     .c_str());
    if (now.cashback || next.cashback)
        ImGui::TextWrapped("%s", c.t("program.what_if_cashback",
                                     {{}, {{"before", c.money(now.cashback)},
                                           {"after", c.money(next.cashback)}}})
                                     .c_str());
    if (same) muted(c.t("program.what_if_same"));
}

// "Had this program been live": the draft and the live program over the merchant's receipts of
// the last days, side by side with the difference.
void simulation(Ctx& c) {
    ProgramEditor& e = c.editor;
    const auto& s = e.state();
    const auto& m = s.simulation;
    heading(c, c.t("program.sim.title"));
    muted(c.t("program.sim.intro"));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(c.t("program.sim.period").c_str());
    // The periods on the label's line while they fit, the rest on the next (ru, lv are long).
    for (const std::int64_t days : {7, 30, 90, 365})
        if (radio_on_line(c.n("program.sim.days", days), "sim_days." + std::to_string(days),
                          m.days == days))
            e.set_simulation_days(days);
    const bool busy = m.busy != ConsoleBusy::none;
    if (button(c.t(busy ? "program.sim.running" : "program.sim.run") + "##sim_run",
               !busy && !s.problem, true))
        e.simulate();
    if (s.problem) muted(c.t("program.words_wait"));
    if (m.error) colored(kError, problem_text(c, *m.error));
    if (!m.ran) return;
    if (m.stale) colored(parts::kAccent, c.t("program.sim.stale"));
    muted(c.t("program.sim.span", {m.draft.receipts,
                                   {{"from", client::date_time_text(m.from_ms)},
                                    {"to", client::date_time_text(m.to_ms)}}}));
    const auto num = [&](std::int64_t v) { return i18n::format_integer(c.locale(), v); };
    const auto pct = [&](std::int64_t bp) { return client::decimal_text(bp, 2) + " %"; };
    using client::SimulationFigures;
    struct Row {
        const char* key;
        std::int64_t SimulationFigures::*field;
        int kind;  // 0 count, 1 money, 2 basis points
    };
    const Row rows[] = {{"program.sim.receipts", &SimulationFigures::receipts, 0},
                        {"program.sim.member_receipts", &SimulationFigures::member_receipts, 0},
                        {"program.sim.revenue", &SimulationFigures::revenue, 1},
                        {"program.sim.discount", &SimulationFigures::discount, 1},
                        {"program.sim.points", &SimulationFigures::points_issued, 0},
                        {"program.sim.points_value", &SimulationFigures::points_value, 1},
                        {"program.sim.cashback", &SimulationFigures::cashback, 1},
                        {"program.sim.cost", &SimulationFigures::cost, 1},
                        {"program.sim.cost_share", &SimulationFigures::cost_share_bp, 2}};
    const auto show = [&](const Row& r, std::int64_t v) {
        return r.kind == 1 ? c.money(v) : r.kind == 2 ? pct(v) : num(v);
    };
    if (ImGui::BeginTable("simulation", 4,
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn("");
        ImGui::TableSetupColumn(
            m.published ? c.n("program.sim.live", m.published_version).c_str() : "-");
        ImGui::TableSetupColumn(c.t("program.sim.draft").c_str());
        ImGui::TableSetupColumn(c.t("program.sim.change").c_str());
        ImGui::TableHeadersRow();
        for (const Row& r : rows) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(c.t(r.key).c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(m.published ? show(r, (*m.published).*r.field).c_str() : "-");
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(show(r, m.draft.*r.field).c_str());
            ImGui::TableNextColumn();
            if (m.published) {
                const std::int64_t d = m.draft.*r.field - (*m.published).*r.field;
                const std::string text = (d > 0 ? "+" : "") + show(r, d);
                // More cost is the merchant's loss: red; less cost green; counts neutral.
                const bool cost = r.field == &SimulationFigures::cost ||
                                  r.field == &SimulationFigures::cost_share_bp;
                if (d != 0 && cost)
                    ImGui::TextColored(d > 0 ? kError : kGood, "%s", text.c_str());
                else
                    ImGui::TextUnformatted(d == 0 ? "=" : text.c_str());
            }
        }
        ImGui::EndTable();
    }
    if (m.receipts_skipped) colored(kError, c.n("program.sim.skipped", m.receipts_skipped));
    ImGui::Spacing();
    ImGui::TextUnformatted(c.t("program.sim.how").c_str());
    for (std::size_t i = 0; i < m.approximations; ++i) {
        ImGui::Bullet();
        ImGui::TextWrapped("%s", c.t("program.sim.approx." + std::to_string(i)).c_str());
    }
}

// Every stored version: when it took or takes effect, who saved it, what it holds; any but
// the one in force can be published again (after a confirmation).
void history(Ctx& c) {
    ProgramEditor& e = c.editor;
    const auto& h = e.state().history;
    heading(c, c.t("program.history.title"));
    if (!h.loaded && h.busy == ConsoleBusy::none && !h.error) e.load_history();
    if (h.error) colored(kError, problem_text(c, *h.error));
    if (h.reverted_to) colored(kGood, c.n("program.history.reverted", h.reverted_to));
    if (h.confirm_revert) {
        colored(parts::kAccent, c.n("program.history.confirm", h.confirm_revert));
        if (button(c.t("program.history.confirm_yes") + "##revert_yes", true, true))
            e.revert_confirmed();
        ImGui::SameLine();
        if (button(c.t("program.history.cancel") + "##revert_no") ||
            ImGui::IsKeyPressed(ImGuiKey_Escape))
            e.cancel_revert();
    }
    if (!h.loaded) return muted(c.t("common.loading"));
    // One entry a version: its number, when it takes effect and its state on the first line
    // (Revert on the right), who saved it and what it holds under it.
    for (const auto& v : h.versions) {
        ImGui::Separator();
        ImGui::AlignTextToFramePadding();
        ImGui::Text("%s %lld", c.t("program.history.version").c_str(),
                    static_cast<long long>(v.version));
        ImGui::SameLine();
        ImGui::TextUnformatted(
            (client::date_time_text(v.effective_from_ms) + " UTC").c_str());
        ImGui::SameLine();
        if (v.in_force)
            colored(kGood, c.t("program.history.live"), false);
        else if (v.effective_from_ms > c.now_ms)
            colored(parts::kAccent, c.t("program.history.waiting"), false);
        if (!v.in_force) {
            const std::string label = c.t("program.history.revert");
            const float w = ImGui::CalcTextSize(label.c_str()).x +
                            2 * ImGui::GetStyle().FramePadding.x;
            ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - w);
            if (ImGui::SmallButton((label + "##revert." + std::to_string(v.version)).c_str()))
                e.ask_revert(v.version);
        }
        muted(c.t("program.history.by") + ": " + (v.by.empty() ? "-" : v.by) + " \u00b7 " +
              c.t("program.history.holds") + ": " + v.summary);
    }
    if (h.next_before && button(c.t("program.history.older") + "##history_older",
                                h.busy == ConsoleBusy::none))
        e.history_older();
}

void side_column(Ctx& c) {
    if (!ImGui::BeginTabBar("program_side_tabs")) return;
    if (ImGui::BeginTabItem((c.t("program.tab.receipt") + "###tab_receipt").c_str())) {
        heading(c, c.t("program.test_receipt"));
        receipt_lines(c);
        quote_result(c);
        ImGui::Spacing();
        what_if(c);
        ImGui::Spacing();
        ImGui::Separator();
        rules_words(c);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem((c.t("program.tab.simulate") + "###tab_simulate").c_str())) {
        simulation(c);
        ImGui::EndTabItem();
    }
    if (ImGui::BeginTabItem((c.t("program.tab.history") + "###tab_history").c_str())) {
        history(c);
        ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
}

}  // namespace

void program_screen(const ProgramScreenContext& in, const Rect& content) {
    Ctx c{in, in.flow.program()};
    c.now_ms = in.now_ms;
    const auto& s = c.editor.state();
    ImGui::SetCursorScreenPos(content.min);
    ImGui::BeginChild("program", content.size(), false,
                      ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    if (!s.loaded) {
        if (s.error)
            colored(kError, problem_text(c, *s.error));
        else
            muted(c.t("common.loading"));
        return ImGui::EndChild();
    }
    heading(c, c.t("program.title"));
    status_bar(c);
    ImGui::Spacing();
    // The form on the left, the words, the test receipt and the what-if beside it.
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float w = content.max.x - top.x, h = content.max.y - top.y;
    const float form_w = std::clamp(w * 0.48f, c.px(360), c.px(760));
    ImGui::BeginChild("program_form", ImVec2(form_w, h), false);
    form_column(c);
    ImGui::EndChild();
    ImGui::SetCursorScreenPos(ImVec2(top.x + form_w + c.px(20), top.y));
    ImGui::BeginChild("program_side", ImVec2(w - form_w - c.px(20), h), true);
    side_column(c);
    ImGui::EndChild();
    ImGui::EndChild();
    if (c.actions_changed)
        c.editor.action_bonuses_edited();  // then as edited()
    else if (c.changed)
        c.editor.edited();
}

std::string program_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                                const i18n::Catalogues& rules_texts,
                                const std::map<std::string, std::string>& labels) {
    const auto& s = flow.program().state();
    const i18n::Locale l = flow.state().locale;
    const auto t = [&](const std::string& key, const i18n::Args& a = {}) {
        return i18n::translate(texts, l, key, a);
    };
    std::string out;
    const auto line = [&](const std::string& text) {
        if (!text.empty()) out += text + "\n";
    };
    if (!s.loaded) return t("common.loading") + "\n";
    line(s.draft.name);
    const auto with = [](std::int64_t n, std::vector<std::pair<std::string, std::string>> named) {
        i18n::Args a;
        a.count = n;
        a.named = std::move(named);
        return a;
    };
    if (s.published)
        line(t("program.live_since",
               with(s.version, {{"when", client::date_time_text(s.effective_from_ms)}})));
    if (s.done == "scheduled")
        line(t("program.scheduled_version",
               with(s.latest_version, {{"when", client::date_time_text(s.saved_effective_ms)}})));
    for (const auto& v : s.scheduled)
        line(t("program.waiting", with(v.version, {{"when", client::date_time_text(
                                                                v.effective_from_ms)},
                                                   {"by", v.by.empty() ? "-" : v.by}})));
    if (s.restored && s.dirty) line(t("program.restored"));
    if (s.publish_at_bad) line(t("program.takes_effect_bad"));
    if (s.dirty) line(t("program.unsaved"));
    if (s.problem)
        line(t("program.fix_first", {{}, {{"field", field_words(labels, s.problem->field)}}}) +
             " " + s.problem->message + " (" + s.problem->field + ")");
    if (s.error) line(field_words(labels, s.error->field) + " " + s.error->message);
    if (!s.segment_attribute.empty())
        line(t("program.member_segment") + ": " +
             segment_words(texts, l, s.segment_attribute, s.segment_value));
    if (s.draft_quote && s.published_quote)
        line(t("program.what_if_points",
               {s.draft_quote->points_earned,
                {{"before", i18n::format_integer(l, s.published_quote->points_earned)},
                 {"after", i18n::format_integer(l, s.draft_quote->points_earned)}}}));
    const auto& m = s.simulation;
    if (m.ran) {
        const auto money = [&](std::int64_t v) {
            return i18n::format_money(l, {v, s.draft.currency});
        };
        line(t("program.sim.title"));
        line(t("program.sim.span",
               with(m.draft.receipts, {{"from", client::date_time_text(m.from_ms)},
                                       {"to", client::date_time_text(m.to_ms)}})));
        line(t("program.sim.cost") + ": " + t("program.sim.draft") + " " + money(m.draft.cost) +
             " (" + client::decimal_text(m.draft.cost_share_bp, 2) + " %)" +
             (m.published ? "; " + t("program.sim.live", with(m.published_version, {})) + " " +
                                money(m.published->cost) + " (" +
                                client::decimal_text(m.published->cost_share_bp, 2) + " %)"
                          : ""));
        line(t("program.sim.points") + ": " + i18n::format_integer(l, m.draft.points_issued));
        if (m.stale) line(t("program.sim.stale"));
    }
    const auto& h = s.history;
    if (h.confirm_revert) line(t("program.history.confirm", with(h.confirm_revert, {})));
    if (h.reverted_to) line(t("program.history.reverted", with(h.reverted_to, {})));
    if (h.loaded) {
        line(t("program.history.title"));
        for (const auto& v : h.versions)
            line(t("program.history.version") + " " + std::to_string(v.version) + ", " +
                 client::date_time_text(v.effective_from_ms) + " UTC, " +
                 (v.by.empty() ? "-" : v.by) + ", " + v.summary +
                 (v.in_force ? " (" + t("program.history.live") + ")" : ""));
    }
    if (!s.problem)
        line(client::rules_plain_text(client::program_rules_text(s.draft, rules_texts, l)));
    return out;
}

}  // namespace kopilka::ui

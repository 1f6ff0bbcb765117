#include "ui/console_members.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <vector>

#include "core/i18n/locale.hpp"
#include "core/program/lifecycle.hpp"
#include "ui/console_parts.hpp"

namespace kopilka::ui {

namespace {

using namespace parts;
using client::ConsoleBusy;
using client::ConsoleError;
using client::ConsoleMembers;
using client::MemberPage;
using client::MemberRow;
using client::StaffRole;

// A message of the catalogues with a count ({n}, and the plural form it takes).
std::string counted(const i18n::Catalogues& texts, i18n::Locale l, const std::string& key,
                    std::int64_t n) {
    i18n::Args a;
    a.count = n;
    return i18n::translate(texts, l, key, a);
}

// One drawing of the section.
struct Ctx {
    const MembersScreenContext& m;
    ConsoleMembers& members;
    i18n::Locale l;

    std::string t(const std::string& key, const i18n::Args& args = {}) const {
        return i18n::translate(m.texts, l, key, args);
    }
    std::string n(const std::string& key, std::int64_t count) const {
        return counted(m.texts, l, key, count);
    }
    float px(float v) const { return std::floor(v * m.scale); }
    // Enrol, export and erase: what the server lets owners and managers do.
    bool manages() const {
        const StaffRole r = m.flow.state().session.role;
        return r == StaffRole::owner || r == StaffRole::manager;
    }
};

std::string date_text(std::int64_t ms) {
    if (ms <= 0) return "—";
    const program::Date d = program::date_of(ms);
    char out[16];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d", d.year, d.month, d.day);
    return out;
}

// "100 points on 2027-03-01": a batch and when it expires.
std::string expires_text(const i18n::Catalogues& texts, i18n::Locale l,
                         const members::ExpiringView& e) {
    return i18n::translate(texts, l, "members.expires_on",
                           {{}, {{"points", counted(texts, l, "members.points", e.points)},
                                 {"date", date_text(e.expires_at_ms)}}});
}

// An error in words: the section's "members.error.<code>.<field>" or "members.error.<code>",
// the console's "error.<code>", else the server's own message.
std::string error_text(const i18n::Catalogues& texts, i18n::Locale l, const ConsoleError& e) {
    const std::string by_field = "members.error." + e.code + "." + e.field;
    for (const std::string& key : {by_field, "members.error." + e.code, "error." + e.code}) {
        const std::string out = i18n::translate(texts, l, key);
        if (out != key) return out;
    }
    return e.message.empty() ? i18n::translate(texts, l, "error.other") : e.message;
}

// The error under the field it names.
void field_error(const Ctx& c, const std::optional<ConsoleError>& e, const std::string& field) {
    if (e && e->field == field) colored(kError, error_text(c.m.texts, c.l, *e));
}

// An error of no field the form has.
void other_error(const Ctx& c, const std::optional<ConsoleError>& e,
                 std::initializer_list<const char*> fields) {
    if (!e) return;
    for (const char* f : fields)
        if (e->field == f) return;
    colored(kError, error_text(c.m.texts, c.l, *e));
}

// An error with a Retry button after it; true when the button was pressed.
bool retry_line(const Ctx& c, const ConsoleError& e, const char* id) {
    colored(kError, error_text(c.m.texts, c.l, e), false);
    ImGui::SameLine();
    return ImGui::SmallButton((c.t("members.retry") + id).c_str());
}

void heading(const Ctx& c, const std::string& text) {
    ImGui::PushFont(c.m.title);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopFont();
}

void label(const std::string& text) {
    ImGui::PushStyleColor(ImGuiCol_Text, kMuted);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopStyleColor();
}

// ---- the list -------------------------------------------------------------------------------
void search_bar(const Ctx& c) {
    heading(c, c.t("nav.members"));
    const float button_w = c.px(120), enrol_w = c.manages() ? c.px(170) : 0;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    ImGui::SetNextItemWidth(std::max(c.px(200), ImGui::GetContentRegionAvail().x - button_w -
                                                    enrol_w - spacing * 2));
    const std::string hint = c.t("members.search_hint");
    const bool enter = input("##members_q", &c.members.query(),
                             ImGuiInputTextFlags_EnterReturnsTrue, hint.c_str());
    ImGui::SameLine();
    if (button(c.t("members.search") + "##members_search", true, true, ImVec2(button_w, 0)) ||
        enter)
        c.members.search();
    if (c.manages()) {
        ImGui::SameLine();
        if (button(c.t("members.enrol") + "##members_enrol", true, false, ImVec2(enrol_w, 0)))
            c.members.open_enrol();
    }
}

void status_line(const Ctx& c) {
    const client::MembersList& l = c.members.state().list;
    if (l.error) {
        if (retry_line(c, *l.error, "##members_retry")) c.members.search();
        return;
    }
    const auto count = static_cast<std::int64_t>(l.rows_known);
    std::string text = c.n(l.more ? "members.count_more" : "members.count", count);
    if (!l.searched.empty()) text += " · " + c.t("members.for", {{}, {{"q", l.searched}}});
    muted(text);
}

void member_row(const Ctx& c, std::size_t i, const MemberRow& r, float row_h,
                std::string* open) {
    ImGui::TableNextColumn();
    ImGui::PushID(static_cast<int>(i));
    const std::string name = r.erased ? c.t("members.erased_name") : r.name;
    if (ImGui::Selectable((name + "##row_" + r.id).c_str(), false,
                          ImGuiSelectableFlags_SpanAllColumns, ImVec2(0, row_h)))
        *open = r.id;
    ImGui::PopID();
    const std::string cells[] = {r.card, r.phone.empty() ? "—" : "+" + r.phone,
                                 c.n("members.points_n", r.balance),
                                 r.tier.empty() ? "—" : r.tier,
                                 date_text(r.last_visit_ms)};
    for (const std::string& cell : cells) {
        ImGui::TableNextColumn();
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(cell.c_str());
    }
}

void members_table(const Ctx& c, const Rect& room) {
    const client::MembersList& l = c.members.state().list;
    const std::size_t count = l.rows_known + (l.more ? 1 : 0);
    const ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersOuter |
                                  ImGuiTableFlags_SizingStretchProp;
    const float height = room.max.y - ImGui::GetCursorScreenPos().y;
    const ImVec2 size(room.width(), std::max(c.px(120), height));
    if (!ImGui::BeginTable("members_table", 6, flags, size)) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    const char* columns[] = {"members.col.name", "members.col.card",  "members.col.phone",
                             "members.col.balance", "members.col.tier", "members.col.visit"};
    const float weights[] = {2.2f, 1.6f, 1.5f, 1.0f, 1.0f, 1.1f};
    for (int k = 0; k < 6; ++k)
        ImGui::TableSetupColumn(c.t(columns[k]).c_str(), ImGuiTableColumnFlags_WidthStretch,
                                weights[k]);
    ImGui::TableHeadersRow();
    const float row_h = c.px(30);
    ImGuiListClipper clip;
    clip.Begin(static_cast<int>(count), row_h + ImGui::GetStyle().CellPadding.y * 2);
    std::size_t first = std::numeric_limits<std::size_t>::max(), last = 0;
    std::string open;
    while (clip.Step()) {
        first = std::min(first, static_cast<std::size_t>(clip.DisplayStart));
        last = std::max(last, static_cast<std::size_t>(clip.DisplayEnd));
        for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
            ImGui::TableNextRow(0, row_h);
            const MemberRow* r = c.members.row(static_cast<std::size_t>(i));
            if (r) {
                member_row(c, static_cast<std::size_t>(i), *r, row_h, &open);
                continue;
            }
            ImGui::TableNextColumn();
            ImGui::AlignTextToFramePadding();
            muted(c.t("members.loading"));
        }
    }
    ImGui::EndTable();
    if (count > 0) c.members.rows_shown(std::min(first, last), last);
    if (!open.empty()) c.members.open(open);
}

void list_view(const Ctx& c, const Rect& room) {
    search_bar(c);
    status_line(c);
    if (!c.members.state().list.started) return;
    if (c.members.state().list.rows_known == 0 && !c.members.state().list.more) {
        ImGui::Spacing();
        muted(c.t("members.none"));
        return;
    }
    members_table(c, room);
}

// ---- enrolment -----------------------------------------------------------------------------
// A labelled field of a form ("##<form>_<field>") with the error that names it under it.
// The label is members.field.<label_key>, or members.field.<field> without one.
void form_field(const Ctx& c, const char* form, const char* field, std::string* value,
                const std::optional<ConsoleError>& error, const char* hint = nullptr,
                const char* label_key = nullptr) {
    label(c.t(std::string("members.field.") + (label_key ? label_key : field)));
    ImGui::SetNextItemWidth(std::min(c.px(380), ImGui::GetContentRegionAvail().x));
    input((std::string("##") + form + "_" + field).c_str(), value, 0, hint);
    field_error(c, error, field);
}

// The form's title and intro, and the personal fields enrolment and the edit share.
template <class Form>
void personal_form(const Ctx& c, const char* form, const std::string& title, Form& f) {
    heading(c, c.t(title + "_title"));
    muted(c.t(title + "_intro"));
    ImGui::Spacing();
    form_field(c, form, "name", &f.name, f.error);
    form_field(c, form, "phone", &f.phone, f.error, "+371 2000 0000");
    form_field(c, form, "email", &f.email, f.error);
    form_field(c, form, "birthday", &f.birthday, f.error, "YYYY-MM-DD");
}

void enrol_view(const Ctx& c) {
    client::EnrolForm& f = c.members.enrol_form();
    personal_form(c, "enrol", "members.enrol", f);
    form_field(c, "enrol", "card", &f.card, f.error);
    muted(c.t("members.card_hint"));
    ImGui::Spacing();
    ImGui::Checkbox((c.t("members.field.consent") + "##enrol_consent").c_str(), &f.consent);
    field_error(c, f.error, "consent");
    other_error(c, f.error, {"name", "phone", "email", "birthday", "card", "consent"});
    ImGui::Spacing();
    if (button(c.t(f.busy ? "members.enrolling" : "members.enrol_submit") + "##enrol_submit",
               !f.busy, true))
        c.members.enrol();
    ImGui::SameLine();
    if (button(c.t("publish.cancel") + "##enrol_cancel")) c.members.close_enrol();
}

// ---- a member's page -----------------------------------------------------------------------
// "120 points more to reach Gold", or for tiers by spend "1500.00 RUB more to reach Gold".
std::string to_tier_text(const Ctx& c, const members::MemberSnapshot& m) {
    i18n::Args a;
    a.named = {{"tier", m.tier.next_name}};
    if (m.tier_basis != "spend") {
        a.count = m.tier.gap;
        return c.t("members.to_tier", a);
    }
    a.named.emplace_back("amount", i18n::format_money(c.l, {m.tier.gap, m.currency}));
    return c.t("members.to_tier_spend", a);
}

void balance_card(const Ctx& c, const members::MemberSnapshot& m) {
    label(c.t("members.balance"));
    ImGui::PushFont(c.m.title);
    ImGui::TextUnformatted(c.n("members.points", m.balance).c_str());
    ImGui::PopFont();
    if (m.pending > 0 || m.available != m.balance)
        muted(c.t("members.available", {{}, {{"available", c.n("members.points", m.available)},
                                             {"pending", c.n("members.points", m.pending)}}}));
    ImGui::Spacing();
    if (!m.tier.name.empty()) {
        label(c.t("members.tier"));
        ImGui::TextUnformatted(m.tier.name.c_str());
        if (!m.tier.next_name.empty()) {
            ImGui::ProgressBar(static_cast<float>(m.tier.progress_permille) / 1000.f,
                               ImVec2(c.px(320), c.px(10)), "");
            muted(to_tier_text(c, m));
        } else {
            muted(c.t("members.top_tier"));
        }
    }
    ImGui::Spacing();
    label(c.t("members.expiring"));
    if (m.expiring.empty()) muted(c.t("members.expiring_none"));
    for (const auto& e : m.expiring)
        ImGui::TextUnformatted(expires_text(c.m.texts, c.l, e).c_str());
}

void adjust_form(const Ctx& c) {
    client::AdjustForm& f = c.members.adjust_form();
    heading(c, c.t("members.adjust_title"));
    label(c.t("members.field.points"));
    ImGui::SetNextItemWidth(c.px(140));
    input("##adjust_points", &f.points, 0, "+50");
    field_error(c, f.error, "points");
    label(c.t("members.field.reason"));
    ImGui::SetNextItemWidth(std::min(c.px(420), ImGui::GetContentRegionAvail().x));
    const bool enter = input("##adjust_reason", &f.reason, ImGuiInputTextFlags_EnterReturnsTrue,
                             c.t("members.reason_hint").c_str());
    field_error(c, f.error, "reason");
    other_error(c, f.error, {"points", "reason"});
    if (button(c.t(f.busy ? "members.adjusting" : "members.adjust") + "##adjust_submit", !f.busy,
               true) ||
        enter)
        c.members.adjust();
}

// "Entries 21–40 of 134" for the page shown ("" before it came).
std::string history_range(const i18n::Catalogues& texts, i18n::Locale l,
                          const client::MemberHistory& h) {
    if (!h.loaded || h.entries.empty()) return "";
    const auto last = h.first + static_cast<std::int64_t>(h.entries.size()) - 1;
    return i18n::translate(texts, l, "members.history_range",
                           {{}, {{"first", std::to_string(h.first)},
                                 {"last", std::to_string(last)},
                                 {"total", std::to_string(h.total)}}});
}

// "Adjusted by staff: a goodwill gesture": what an entry was, in words.
std::string entry_text(const i18n::Catalogues& texts, i18n::Locale l,
                       const client::HistoryEntry& e) {
    const std::string key = "members.reason." + e.reason;
    std::string what = i18n::translate(texts, l, key);
    if (what == key) what = e.reason;
    return e.note.empty() ? what : what + ": " + e.note;
}

std::string signed_points(std::int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }

// Newer and Older under the table; PageUp and PageDown do the same while the history has focus.
void history_pager(const Ctx& c, const client::MemberHistory& h) {
    const bool idle = !h.loading;
    if (button("‹ " + c.t("members.history_newer") + "##history_newer", idle && h.has_newer()))
        c.members.history_newer();
    ImGui::SameLine();
    if (button(c.t("members.history_older") + " ›##history_older", idle && h.older.has_value()))
        c.members.history_older();
    if (h.loading) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        muted(c.t("members.loading"));
    }
    if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) return;
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageDown))) c.members.history_older();
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_PageUp))) c.members.history_newer();
}

void history_table(const Ctx& c, const client::MemberHistory& h) {
    heading(c, c.t("members.history"));
    if (h.error) {
        if (retry_line(c, *h.error, "##history_retry")) c.members.history_retry();
        return;
    }
    if (!h.loaded) return muted(c.t("members.loading"));
    if (h.entries.empty()) return muted(c.t("members.history_none"));
    muted(history_range(c.m.texts, c.l, h));
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                  ImGuiTableFlags_SizingStretchProp;
    // Below the table: its item spacing, a Spacing() and the pager's buttons.
    const float pager_h = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemSpacing.y * 2 + 1;
    const ImVec2 size(0, std::max(c.px(120), ImGui::GetContentRegionAvail().y - pager_h));
    if (ImGui::BeginTable("history", 3, flags | ImGuiTableFlags_ScrollY, size)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn(c.t("members.col.date").c_str(), 0, 1.0f);
        ImGui::TableSetupColumn(c.t("members.col.what").c_str(), 0, 2.2f);
        ImGui::TableSetupColumn(c.t("members.col.points").c_str(), 0, 0.7f);
        ImGui::TableHeadersRow();
        for (const client::HistoryEntry& e : h.entries) {
            ImGui::TableNextRow(0, c.px(28));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(date_text(e.at_ms).c_str());
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", entry_text(c.m.texts, c.l, e).c_str());
            ImGui::TableNextColumn();
            colored(e.points < 0 ? kError : kGood, signed_points(e.points), false);
        }
        ImGui::EndTable();
    }
    ImGui::Spacing();
    history_pager(c, h);
}

void profile_lines(const Ctx& c, const client::MemberProfile& p) {
    std::vector<std::string> parts_shown;
    if (!p.card.empty()) parts_shown.push_back(c.t("members.col.card") + " " + p.card);
    if (!p.phone.empty()) parts_shown.push_back("+" + p.phone);
    if (!p.email.empty()) parts_shown.push_back(p.email);
    std::string line;
    for (const auto& s : parts_shown) line += (line.empty() ? "" : "  ·  ") + s;
    if (!line.empty()) ImGui::TextWrapped("%s", line.c_str());
    muted(c.t("members.since", {{}, {{"date", date_text(p.created_at_ms)}, {"id", p.id}}}));
}

// The personal fields, saved with the version read; a conflict keeps what was typed.
void edit_form(const Ctx& c) {
    client::EditForm& f = c.members.edit_form();
    personal_form(c, "edit", "members.edit", f);
    form_field(c, "edit", "card", &f.card, f.error, nullptr, "edit_card");
    muted(c.t("members.card_replace_hint"));
    ImGui::Spacing();
    if (f.conflict) {
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + c.px(420));
        colored(kError, c.t("members.edit_conflict"));
        ImGui::PopTextWrapPos();
        if (button(c.t("members.edit_reload") + "##edit_reload", !f.busy))
            c.members.reload_keeping_edit();
    } else {
        other_error(c, f.error, {"name", "phone", "email", "birthday", "card"});
    }
    ImGui::Spacing();
    if (button(c.t(f.busy ? "members.saving" : "members.save") + "##edit_save", !f.busy, true))
        c.members.save_edit();
    ImGui::SameLine();
    if (button(c.t("publish.cancel") + "##edit_cancel")) c.members.close_edit();
}

void erase_dialog(const Ctx& c) {
    const MemberPage& p = c.members.state().page;
    const char* id = "##confirm_erase";
    if (p.confirm_erase && !ImGui::IsPopupOpen(id)) ImGui::OpenPopup(id);
    ImGui::SetNextWindowSize(ImVec2(c.px(460), 0));
    if (!ImGui::BeginPopupModal(id, nullptr,
                                ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_AlwaysAutoResize))
        return;
    heading(c, c.t("members.erase_title", {{}, {{"name", p.profile.name}}}));
    ImGui::TextWrapped("%s", c.t("members.erase_text").c_str());
    int answer = 0;
    if (button(c.t("members.erase_confirm") + "##erase_confirm", true, true)) answer = 1;
    ImGui::SameLine();
    if (ImGui::Button((c.t("publish.cancel") + "##erase_cancel").c_str()) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape)))
        answer = -1;
    if (answer > 0) c.members.erase_confirmed();
    if (answer < 0) c.members.cancel_erase();
    if (answer || !p.confirm_erase) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

void page_actions(const Ctx& c, const MemberPage& p) {
    if (!c.manages() || p.erased || p.profile.erased) return;
    ImGui::Spacing();
    ImGui::Separator();
    label(c.t("members.data_title"));
    const bool idle = p.busy == ConsoleBusy::none;
    if (button(c.t("members.export") + "##member_export", idle)) c.members.export_member();
    ImGui::SameLine();
    ImGui::PushStyleColor(ImGuiCol_Text, kError);
    if (button(c.t("members.erase") + "##member_erase", idle)) c.members.ask_erase();
    ImGui::PopStyleColor();
}

void done_line(const Ctx& c, const MemberPage& p) {
    if (!p.done.empty()) colored(kGood, c.t("members.done." + p.done));
    if (p.error) colored(kError, error_text(c.m.texts, c.l, *p.error));
}

void page_view(const Ctx& c, const Rect& room) {
    const MemberPage& p = c.members.state().page;
    if (button("‹ " + c.t("members.back") + "##member_back")) return c.members.close();
    ImGui::SameLine();
    if (!p.loaded) {
        ImGui::AlignTextToFramePadding();
        return p.error ? colored(kError, error_text(c.m.texts, c.l, *p.error))
                       : muted(c.t("members.loading"));
    }
    ImGui::NewLine();
    const bool gone = p.erased || p.profile.erased;
    heading(c, gone ? c.t("members.erased_name") : p.profile.name);
    if (gone) {
        colored(kError, c.t("members.erased_text"));
        return done_line(c, p);
    }
    profile_lines(c, p.profile);
    if (!p.edit && button(c.t("members.edit") + "##member_edit", p.busy == ConsoleBusy::none))
        c.members.open_edit();
    done_line(c, p);
    ImGui::Spacing();
    const float top = ImGui::GetCursorScreenPos().y;
    const float gap = c.px(24);
    const float left_w = std::max(c.px(360), (room.width() - gap) * 0.48f);
    ImGui::BeginChild("member_left", ImVec2(left_w, room.max.y - top), false);
    if (p.edit) {
        edit_form(c);
    } else {
        if (p.member) balance_card(c, *p.member);
        ImGui::Spacing();
        ImGui::Separator();
        adjust_form(c);
        page_actions(c, p);
    }
    ImGui::EndChild();
    ImGui::SameLine(0, gap);
    ImGui::BeginChild("member_right", ImVec2(0, room.max.y - top), false);
    history_table(c, p.history);
    ImGui::EndChild();
    erase_dialog(c);
}

}  // namespace

void members_screen(const MembersScreenContext& m, const Rect& content) {
    const Ctx c{m, m.flow.members(), m.flow.state().locale};
    ImGui::BeginChild("members", content.size(), false, ImGuiWindowFlags_NoScrollbar);
    const Rect room{ImGui::GetCursorScreenPos(), content.max};
    if (c.members.state().enrol)
        enrol_view(c);
    else if (!c.members.state().page.id.empty())
        page_view(c, room);
    else
        list_view(c, room);
    ImGui::EndChild();
}

std::string members_mirror_text(const client::ConsoleFlow& flow, const i18n::Catalogues& texts,
                                std::int64_t now_ms) {
    (void)now_ms;
    const client::MembersState& s = flow.members().state();
    const i18n::Locale l = flow.state().locale;
    const auto t = [&](const std::string& key, const i18n::Args& a = {}) {
        return i18n::translate(texts, l, key, a);
    };
    const auto n = [&](const std::string& key, std::int64_t count) {
        return counted(texts, l, key, count);
    };
    std::string out;
    const auto line = [&](const std::string& text) {
        if (!text.empty()) out += text + "\n";
    };
    // An error with the name of its field, as the screen shows it under that field.
    const auto form_error = [&](const std::optional<ConsoleError>& e) {
        if (!e) return;
        line((e->field.empty() ? "" : t("members.field." + e->field) + ": ") +
             error_text(texts, l, *e));
    };
    if (s.enrol) {
        line(t("members.enrol_title"));
        form_error(s.enrol->error);
        return out;
    }
    const MemberPage& p = s.page;
    if (!p.id.empty()) {
        const bool gone = p.erased || p.profile.erased;
        line(gone ? t("members.erased_name") : p.profile.name);
        if (gone) line(t("members.erased_text"));
        if (!p.done.empty()) line(t("members.done." + p.done));
        if (p.error) line(error_text(texts, l, *p.error));
        if (p.confirm_erase) line(t("members.erase_title", {{}, {{"name", p.profile.name}}}));
        if (gone || !p.member) return out;
        if (p.edit) {
            line(t("members.edit_title"));
            if (p.edit->conflict) line(t("members.edit_conflict"));
            else form_error(p.edit->error);
        }
        const members::MemberSnapshot& m = *p.member;
        line(t("members.balance") + ": " + n("members.points", m.balance));
        if (!m.tier.name.empty()) line(t("members.tier") + ": " + m.tier.name);
        for (const auto& e : m.expiring)
            line(t("members.expiring") + ": " + expires_text(texts, l, e));
        form_error(p.adjust.error);
        const client::MemberHistory& h = p.history;
        line(t("members.history") + ": " +
             (h.error     ? error_text(texts, l, *h.error)
              : !h.loaded ? t("members.loading")
              : h.entries.empty() ? t("members.history_none")
                                  : history_range(texts, l, h)));
        for (const client::HistoryEntry& e : h.entries)
            line(date_text(e.at_ms) + " " + entry_text(texts, l, e) + " " +
                 signed_points(e.points));
        return out;
    }
    const client::MembersList& list = s.list;
    if (list.error) line(error_text(texts, l, *list.error));
    line(n(list.more ? "members.count_more" : "members.count",
           static_cast<std::int64_t>(list.rows_known)));
    for (std::size_t i = list.shown_first; i < list.shown_last; ++i) {
        const MemberRow* r = flow.members().row(i);
        if (!r) {
            line(t("members.loading"));
            break;
        }
        line((r->erased ? t("members.erased_name") : r->name) + ", " + r->card + ", " +
             n("members.points_n", r->balance) + (r->tier.empty() ? "" : ", " + r->tier));
    }
    return out;
}

}  // namespace kopilka::ui

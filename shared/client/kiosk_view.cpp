#include "client/kiosk_view.hpp"

namespace kopilka::client {

namespace {
using i18n::Args;

struct Composer {
    const KioskState& s;
    const i18n::Catalogues& c;
    std::string t(std::string_view key, const Args& a = {}) const { return i18n::translate(c, s.locale, key, a); }
};

void compose_member(const Composer& k, const members::MemberSnapshot& m, KioskView* v) {
    v->title = k.t("member.greeting", {std::nullopt, {{"name", m.name}}});
    v->lines.push_back(k.t("member.balance", {m.balance, {}}));
    v->lines.push_back(k.t("member.tier", {std::nullopt, {{"tier", m.tier.name}}}));
    if (m.tier.next_name.empty()) {
        v->lines.push_back(k.t("member.tier_top"));
    } else if (m.tier_basis == "spend") {
        const std::string amount = i18n::format_money(k.s.locale, {m.tier.gap, m.currency});
        v->lines.push_back(k.t("member.tier_gap_spend", {std::nullopt, {{"amount", amount}, {"tier", m.tier.next_name}}}));
    } else {
        v->lines.push_back(k.t("member.tier_gap_points", {m.tier.gap, {{"tier", m.tier.next_name}}}));
    }
    v->progress_permille = m.tier.progress_permille;
    v->progress_label = k.t("member.tier_progress", {m.tier.progress_permille / 10, {}});
    v->actions.push_back({Action::sign_out, k.t("action.sign_out")});
}

std::string error_text(const Composer& k, const FlowError& e) {
    const std::string key = "error." + e.code;
    std::string text = k.t(key);
    if (text == key) text = k.t("error.generic", {std::nullopt, {{"message", e.message}}});
    return text;
}
}  // namespace

KioskView compose_kiosk_view(const KioskState& s, const i18n::Catalogues& c, const Branding& b) {
    const Composer k{s, c};
    KioskView v;
    switch (s.screen) {
        case Screen::attract:
            v.title = b.name;
            v.lines.push_back(k.t("attract.hint"));
            v.actions.push_back({Action::start, k.t("action.start")});
            v.actions.push_back({Action::keypad, k.t("action.keypad")});
            break;
        case Screen::scan:
            v.title = k.t("scan.title");
            v.lines.push_back(k.t(s.keypad_open ? "scan.keypad_hint" : "scan.hint"));
            if (s.keypad_open) v.lines.push_back(s.keypad.text.empty() ? std::string("—") : s.keypad.text);
            v.actions.push_back({s.keypad_open ? Action::back : Action::keypad, k.t(s.keypad_open ? "action.back" : "action.keypad")});
            break;
        case Screen::looking_up:
            v.title = k.t("looking_up.title");
            break;
        case Screen::member:
            if (s.member) compose_member(k, *s.member, &v);
            break;
        case Screen::error:
            v.title = k.t("error.title");
            if (s.error) v.lines.push_back(error_text(k, *s.error));
            v.actions.push_back({Action::back, k.t("action.try_again")});
            break;
    }
    const bool counts_down = s.screen == Screen::member || s.screen == Screen::error;
    if (counts_down && s.idle_deadline_ms > s.now_ms) {
        const std::int64_t seconds = (s.idle_deadline_ms - s.now_ms + 999) / 1000;
        v.countdown = k.t("member.signout_in", {seconds, {}});
        if (s.screen == Screen::member) v.actions.push_back({Action::stay, k.t("action.stay")});
    }
    return v;
}

std::string mirror_text(const KioskView& v) {
    std::string out = v.title;
    auto add = [&out](const std::string& line) {
        if (line.empty()) return;
        if (!out.empty()) out += '\n';
        out += line;
    };
    for (const auto& l : v.lines) add(l);
    add(v.progress_label);
    add(v.countdown);
    for (const auto& a : v.actions) add(a.label);
    return out;
}

}  // namespace kopilka::client

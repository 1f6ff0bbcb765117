#include "client/kiosk_view.hpp"

#include <algorithm>

#include "client/view_text.hpp"
#include "codec/theme_json.hpp"

namespace kopilka::client {

namespace {
using i18n::Args;

constexpr std::string_view kActionNames[] = {
    "start",   "keypad",    "sign_out", "stay", "back",           "rewards", "reward",
    "confirm", "open_spin", "spin",     "odds", "reduced_motion", "pair"};
constexpr std::size_t kHistoryShown = 5;

struct Composer : ViewText {
    Composer(const KioskState& state, const i18n::Catalogues& catalogues)
        : ViewText{catalogues, state.locale}, s(state) {}
    const KioskState& s;
};

void compose_pairing(const Composer& k, KioskView* v) {
    v->title = k.t("pairing.title");
    v->lines.push_back(k.t("pairing.hint"));
    v->code = k.s.pairing_code.empty() ? std::string("—") : k.s.pairing_code;
    if (k.s.busy) v->lines.push_back(k.t("pairing.working"));
    if (k.s.error) v->lines.push_back(k.error_text(*k.s.error));
    v->actions.push_back(
        {Action::pair, k.t("action.pair"), "", !k.s.pairing_code.empty() && !k.s.busy});
}

MemberPanel::Row history_row(const Composer& k, const members::HistoryView& h) {
    const std::string sign = h.points > 0 ? "+" : (h.points < 0 ? "\u2212" : "");
    const std::int64_t magnitude = h.points < 0 ? -h.points : h.points;
    return {k.date(h.at_ms), sign + i18n::format_integer(k.locale, magnitude), k.history_reason(h),
            h.points < 0};
}

void compose_member(const Composer& k, const members::MemberSnapshot& m, KioskView* v) {
    const KioskState& s = k.s;
    MemberPanel p;
    v->title = k.t("member.greeting", {std::nullopt, {{"name", m.name}}});
    p.balance = k.t("member.balance", {m.balance, {}});
    v->lines.push_back(p.balance);
    if (!m.expiring.empty()) {
        p.expiring = k.t("member.expiring", {m.expiring.front().points,
                                             {{"date", k.date(m.expiring.front().expires_at_ms)}}});
        v->lines.push_back(p.expiring);
    }
    p.tier = m.tier.name;
    v->lines.push_back(k.t("member.tier", {std::nullopt, {{"tier", m.tier.name}}}));
    p.tier_gap = k.tier_gap(m);
    v->lines.push_back(p.tier_gap);
    p.progress_permille = m.tier.progress_permille;
    v->progress_permille = m.tier.progress_permille;
    v->progress_label = k.t("member.tier_progress", {m.tier.progress_permille / 10, {}});
    if (!m.rewards_affordable.empty()) {
        std::string names;
        for (const auto& r : m.rewards_affordable) names += (names.empty() ? "" : ", ") + r.name;
        p.notes.push_back(k.t("member.rewards_now", {std::nullopt, {{"rewards", names}}}));
    }
    if (m.reward_next)
        p.notes.push_back(k.t("member.reward_next", {m.reward_next->cost_points - m.available,
                                                     {{"reward", m.reward_next->name}}}));
    if (s.config && s.config->wheel)
        p.notes.push_back(k.t("member.spins", {m.spins_available, {}}));
    for (const auto& n : p.notes) v->lines.push_back(n);
    if (!m.history.empty()) {
        p.history_title = k.t("member.history");
        v->lines.push_back(p.history_title);
        for (std::size_t i = 0; i < m.history.size() && i < kHistoryShown; ++i) {
            v->lines.push_back(k.history_line(m.history[i]));
            p.history.push_back(history_row(k, m.history[i]));
        }
    }
    v->member = std::move(p);
    const bool has_rewards = s.config && !s.config->rewards.empty();
    if (has_rewards) v->actions.push_back({Action::rewards, k.t("action.rewards"), "", true});
    if (s.config && s.config->wheel)
        v->actions.push_back({Action::open_spin, k.t("action.open_spin"), "", true});
    v->actions.push_back({Action::sign_out, k.t("action.sign_out")});
}

RewardTile reward_tile(const Composer& k, const program::Reward& r) {
    RewardTile t;
    t.id = r.id;
    t.name = r.name;
    t.image = r.image;
    t.cost = k.t("rewards.cost", {r.cost_points, {}});
    t.text = k.t("rewards.item", {r.cost_points, {{"reward", r.name}}});
    const std::int64_t available = k.s.member ? k.s.member->available : 0;
    t.affordable = available >= r.cost_points;
    if (t.affordable) {
        t.status = k.t("rewards.enough");
    } else {
        // What a reward the points don't reach yet still needs.
        t.status = k.t("rewards.more", {r.cost_points - available, {}});
        t.text += " · " + t.status;
        t.progress_permille =
            r.cost_points > 0
                ? static_cast<int>(std::max<std::int64_t>(available, 0) * 1000 / r.cost_points)
                : 1000;
    }
    return t;
}

void compose_rewards(const Composer& k, KioskView* v) {
    v->title = k.t("rewards.title");
    if (k.s.member) v->lines.push_back(k.t("rewards.available", {k.s.member->available, {}}));
    // A kiosk the console switched redeeming off shows what the points buy, with no buttons.
    if (k.s.config)
        for (const auto& r : k.s.config->rewards) {
            v->rewards.push_back(reward_tile(k, r));
            if (k.s.config->device_redeem)
                v->actions.push_back(
                    {Action::reward, v->rewards.back().text, r.id, can_redeem(k.s, r)});
        }
    v->actions.push_back({Action::back, k.t("action.back")});
}

const program::Reward* chosen_reward(const KioskState& s) {
    if (!s.config) return nullptr;
    const auto& rs = s.config->rewards;
    const auto it = std::find_if(rs.begin(), rs.end(),
                                 [&](const program::Reward& r) { return r.id == s.reward_id; });
    return it == rs.end() ? nullptr : &*it;
}

void compose_confirm(const Composer& k, KioskView* v) {
    const program::Reward* r = chosen_reward(k.s);
    const std::string name = r ? r->name : k.s.reward_id;
    v->title = k.t("confirm.title", {std::nullopt, {{"reward", name}}});
    v->lines.push_back(k.t("confirm.text", {r ? r->cost_points : 0, {{"reward", name}}}));
    if (k.s.busy) v->lines.push_back(k.t(k.s.online ? "working.title" : "working.offline"));
    v->actions.push_back({Action::confirm, k.t("action.confirm"), "", !k.s.busy});
    v->actions.push_back({Action::back, k.t("action.back"), "", !k.s.busy});
}

void compose_coupon(const Composer& k, KioskView* v) {
    const CouponView& c = *k.s.coupon;
    v->title = k.t("coupon.title", {std::nullopt, {{"reward", c.reward_name}}});
    v->code = c.code;
    v->qr_modules = c.qr_modules;
    v->lines.push_back(k.t("coupon.hint"));
    if (c.expires_at_ms)
        v->lines.push_back(
            k.t("coupon.valid_until", {std::nullopt, {{"date", k.date(c.expires_at_ms)}}}));
    v->actions.push_back({Action::back, k.t("action.done")});
    v->actions.push_back({Action::sign_out, k.t("action.sign_out")});
}

std::string prize_text(const Composer& k, const SpinView& sp) {
    const PrizeView& p = *sp.prize;
    if (p.kind == "points") return k.t("spin.won_points", {p.points, {}});
    if (p.kind == "coupon") return k.t("spin.won_coupon", {std::nullopt, {{"prize", p.label}}});
    return k.t("spin.won_nothing");
}

void compose_spin(const Composer& k, KioskView* v) {
    const KioskState& s = k.s;
    v->title = k.t("spin.title");
    if (s.config && s.config->wheel)
        for (const auto& p : s.config->wheel->prizes) {
            v->wheel_labels.push_back(p.label);
            v->wheel_colours.push_back(codec::parse_color(p.colour));  // "": none
        }
    const SpinView& sp = *s.spin;
    // The commitment of the seed this spin will use (or used), for the shopper to compare.
    const std::string commitment = sp.phase == SpinView::Phase::ready
                                       ? (s.member ? s.member->spin_commitment : "")
                                       : sp.commitment;
    switch (sp.phase) {
        case SpinView::Phase::ready:
            if (s.member) v->lines.push_back(k.t("member.spins", {s.member->spins_available, {}}));
            break;
        case SpinView::Phase::waiting:
            v->lines.push_back(k.t(s.online ? "spin.waiting" : "working.offline"));
            break;
        case SpinView::Phase::turning: v->lines.push_back(k.t("spin.turning")); break;
        case SpinView::Phase::result:
            v->lines.push_back(prize_text(k, sp));
            if (sp.coupon) {
                v->code = sp.coupon->code;
                v->qr_modules = sp.coupon->qr_modules;
                v->lines.push_back(k.t("coupon.hint"));
            }
            break;
    }
    if (!commitment.empty())
        v->lines.push_back(k.t("fair.code", {std::nullopt, {{"code", grouped_code(commitment)}}}));
    if (sp.phase == SpinView::Phase::result &&
        sp.fairness.verdict != SpinFairness::Verdict::unchecked) {
        v->lines.push_back(
            k.t("fair.key", {std::nullopt, {{"code", grouped_code(sp.fairness.seed)}}}));
        v->lines.push_back(k.t(sp.fairness.verdict == SpinFairness::Verdict::verified
                                   ? "fair.verified"
                                   : "fair.mismatch"));
    }
    if (s.odds_open && s.config && s.config->wheel) {
        v->lines.push_back(k.t("odds.title"));
        for (const auto& p : s.config->wheel->prizes)
            v->lines.push_back(
                k.t("odds.line",
                    {std::nullopt, {{"prize", p.label}, {"percent", k.percent(p.chance_ppm)}}}));
        v->lines.push_back(k.t(
            "odds.win", {std::nullopt, {{"percent", k.percent(s.config->wheel->win_chance_ppm)}}}));
        v->lines.push_back(k.t("odds.fair"));
    }
    const bool ready = sp.phase == SpinView::Phase::ready;
    if (ready) v->actions.push_back({Action::spin, k.t("action.spin"), "", can_spin(s) && !s.busy});
    v->actions.push_back({Action::odds, k.t(s.odds_open ? "action.hide_odds" : "action.odds")});
    v->actions.push_back(
        {Action::reduced_motion, k.t(s.reduced_motion ? "action.motion_on" : "action.motion_off")});
    if (ready || sp.phase == SpinView::Phase::result)
        v->actions.push_back({Action::back, k.t("action.done")});
}

std::string banner(const Composer& k) {
    const KioskState& s = k.s;
    if (s.screen == Screen::pairing) return "";
    if (s.member_cached && s.member)
        return k.t("offline.cached", {std::nullopt, {{"date", k.date(s.member->as_of_ms)}}});
    // A write waiting in the outbox is sent when the connection is back: its screen says so,
    // and "rewards are unavailable" would contradict it.
    if (!s.online) return k.t(s.busy ? "offline.short" : "offline.banner");
    return "";
}
}  // namespace

std::string_view action_name(Action a) { return kActionNames[static_cast<int>(a)]; }

Branding branding_of(const KioskState& s) {
    Branding b;
    if (!s.config) return b;
    b.name = s.config->theme.name.empty() ? s.config->merchant_name : s.config->theme.name;
    const theme::AttractText& a = theme::attract_text(s.config->theme, s.locale);
    b.attract_title = a.title;
    b.attract_subtitle = a.subtitle;
    return b;
}

KioskView compose_kiosk_view(const KioskState& s, const i18n::Catalogues& c, const Branding& b) {
    const Composer k(s, c);
    KioskView v;
    v.banner = banner(k);
    switch (s.screen) {
        case Screen::pairing: compose_pairing(k, &v); break;
        case Screen::attract:
            v.title = b.attract_title.empty() ? b.name : b.attract_title;
            if (!b.attract_title.empty()) v.lines.push_back(b.name);
            v.lines.push_back(b.attract_subtitle.empty() ? k.t("attract.hint")
                                                         : b.attract_subtitle);
            v.actions.push_back({Action::start, k.t("action.start")});
            v.actions.push_back({Action::keypad, k.t("action.keypad")});
            break;
        case Screen::scan:
            v.title = k.t(s.keypad_open ? "keypad.title" : "scan.title");
            v.lines.push_back(k.t(s.keypad_open ? "scan.keypad_hint" : "scan.hint"));
            if (s.keypad_open) v.code = s.keypad.text.empty() ? std::string("—") : s.keypad.text;
            v.actions.push_back({s.keypad_open ? Action::back : Action::keypad,
                                 k.t(s.keypad_open ? "action.back" : "action.keypad")});
            break;
        case Screen::looking_up: v.title = k.t("looking_up.title"); break;
        case Screen::member:
            if (s.member) compose_member(k, *s.member, &v);
            break;
        case Screen::rewards: compose_rewards(k, &v); break;
        case Screen::confirm: compose_confirm(k, &v); break;
        case Screen::coupon:
            if (s.coupon) compose_coupon(k, &v);
            break;
        case Screen::spin:
            if (s.spin) compose_spin(k, &v);
            break;
        case Screen::error:
            v.title = k.t("error.title");
            if (s.error) v.lines.push_back(k.error_text(*s.error));
            v.actions.push_back({Action::back, k.t("action.try_again")});
            break;
    }
    if (s.notice) v.lines.push_back(k.error_text(*s.notice));
    const bool member_screens = s.screen == Screen::member || s.screen == Screen::rewards ||
                                s.screen == Screen::confirm || s.screen == Screen::coupon ||
                                s.screen == Screen::spin;
    const std::int64_t seconds = countdown_seconds(s);
    if ((member_screens || s.screen == Screen::error) && seconds > 0) {
        v.countdown = k.t("member.signout_in", {seconds, {}});
        if (member_screens) v.actions.push_back({Action::stay, k.t("action.stay")});
    }
    return v;
}

std::string mirror_text(const KioskView& v) {
    std::string out;
    auto add = [&out](const std::string& line) {
        if (line.empty()) return;
        if (!out.empty()) out += '\n';
        out += line;
    };
    add(v.banner);
    add(v.title);
    for (const auto& l : v.lines) add(l);
    // A reward tile that is no button (the kiosk can't redeem) is read here.
    for (const auto& t : v.rewards)
        if (std::none_of(v.actions.begin(), v.actions.end(),
                         [&](const ViewAction& a) { return a.arg == t.id; }))
            add(t.text);
    add(v.code);
    add(v.progress_label);
    add(v.countdown);
    for (const auto& a : v.actions) add(a.label);
    return out;
}

}  // namespace kopilka::client

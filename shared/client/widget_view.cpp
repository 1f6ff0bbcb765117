#include "client/widget_view.hpp"

#include <algorithm>

#include "client/program_text.hpp"
#include "client/view_text.hpp"
#include "codec/theme_json.hpp"
#include "core/theme/contrast.hpp"

namespace kopilka::client {

namespace {
using i18n::Args;

struct Composer : ViewText {
    Composer(const WidgetState& state, const i18n::Catalogues& catalogues)
        : ViewText{catalogues, state.locale}, s(state) {}
    const WidgetState& s;

    bool signed_in() const { return s.auth == WidgetAuth::signed_in && s.member; }
    std::string merchant() const {
        if (!s.config) return s.merchant;
        return s.config->has_theme && !s.config->theme.name.empty() ? s.config->theme.name
                                                                     : s.config->merchant_name;
    }
};

WidgetBlock text(std::string t, std::string detail = "") {
    WidgetBlock b;
    b.kind = "text";
    b.text = std::move(t);
    b.detail = std::move(detail);
    return b;
}

WidgetBlock notice(std::string t, bool error) {
    WidgetBlock b;
    b.kind = "notice";
    b.text = std::move(t);
    b.value = error ? 1 : 0;
    return b;
}

WidgetBlock button(std::string label, std::string action, std::string arg = "",
                   bool enabled = true, bool primary = false) {
    WidgetBlock b;
    b.kind = "button";
    b.label = std::move(label);
    b.action = std::move(action);
    b.arg = std::move(arg);
    b.enabled = enabled;
    b.value = primary ? 1 : 0;
    return b;
}

WidgetBlock list(std::string heading) {
    WidgetBlock b;
    b.kind = "list";
    b.label = std::move(heading);
    return b;
}

void add_links(const Composer& k, WidgetView* v) {
    if (!k.s.config) return;
    for (const auto& [url, key] : {std::pair{k.s.config->signin_url, "widget.signin"},
                                   std::pair{k.s.config->signup_url, "widget.signup"}}) {
        if (url.empty()) continue;
        WidgetBlock b;
        b.kind = "link";
        b.label = k.t(key);
        b.href = url;
        v->blocks.push_back(std::move(b));
    }
}

// Where the panel loads a reward's picture; "" for none.
std::string picture_of(const Composer& k, const std::string& reward_id) {
    if (!k.s.config) return "";
    const auto it = k.s.config->pictures.find(reward_id);
    return it == k.s.config->pictures.end() ? "" : it->second;
}

// The catalogue: every reward with its price; a member gets a button per reward.
WidgetBlock reward_list(const Composer& k, std::string heading) {
    WidgetBlock l = list(std::move(heading));
    if (!k.s.config) return l;
    for (const auto& r : k.s.config->program.rewards) {
        WidgetBlock item;
        item.kind = "item";
        item.text = r.name;
        item.detail = k.t("widget.reward_cost", {r.cost_points, {}});
        item.picture = picture_of(k, r.id);
        if (k.signed_in()) {
            const std::int64_t gap = r.cost_points - k.s.member->available;
            if (gap > 0)
                item.detail += " · " + k.t("widget.reward_gap", {gap, {}});
            if (k.s.config->views.redeem) {
                item.action = "reward";
                item.arg = r.id;
                item.label = k.t("widget.redeem");
                item.enabled = widget_can_redeem(k.s, r);
            }
        }
        l.items.push_back(std::move(item));
    }
    return l;
}

void compose_guest_home(const Composer& k, const std::vector<WidgetBlock>& rules,
                        WidgetView* v) {
    v->heading = k.t("widget.guest_title", {std::nullopt, {{"merchant", k.merchant()}}});
    if (k.s.auth == WidgetAuth::signing_in)
        v->blocks.push_back(notice(k.t("widget.signing_in"), false));
    else
        v->blocks.push_back(text(k.t("widget.guest_hint")));
    add_links(k, v);
    if (!rules.empty()) {
        v->blocks.push_back(list(k.t("widget.how_to_earn")));
        v->blocks.back().items = rules.front().items;
    }
    if (k.s.config && !k.s.config->program.rewards.empty())
        v->blocks.push_back(reward_list(k, k.t("rewards.title")));
}

void compose_member_home(const Composer& k, WidgetView* v) {
    const members::MemberSnapshot& m = *k.s.member;
    v->heading = k.t("member.greeting", {std::nullopt, {{"name", m.name}}});
    WidgetBlock stat;
    stat.kind = "stat";
    stat.text = i18n::format_integer(k.locale, m.balance);
    stat.label = k.t("widget.points_word", {m.balance, {}});
    v->blocks.push_back(std::move(stat));
    if (m.available != m.balance)
        v->blocks.push_back(text(k.t("widget.available", {m.available, {}})));
    if (m.pending > 0) v->blocks.push_back(text(k.t("widget.pending", {m.pending, {}})));
    if (!m.expiring.empty())
        v->blocks.push_back(text(k.t(
            "member.expiring",
            {m.expiring.front().points, {{"date", k.date(m.expiring.front().expires_at_ms)}}})));
    WidgetBlock tier;
    tier.kind = "progress";
    tier.label = k.t("member.tier", {std::nullopt, {{"tier", m.tier.name}}});
    tier.value = m.tier.progress_permille;
    tier.max = 1000;
    tier.text = k.tier_gap(m);
    v->blocks.push_back(std::move(tier));
    if (!m.rewards_affordable.empty()) {
        WidgetBlock now = list(k.t("widget.rewards_now"));
        for (const auto& r : m.rewards_affordable) {
            WidgetBlock item;
            item.kind = "item";
            item.text = r.name;
            item.detail = k.t("widget.reward_cost", {r.cost_points, {}});
            item.picture = picture_of(k, r.id);
            if (k.s.config && k.s.config->views.redeem) {
                item.action = "reward";
                item.arg = r.id;
                item.label = k.t("widget.redeem");
                item.enabled = !k.s.busy;
            }
            now.items.push_back(std::move(item));
        }
        v->blocks.push_back(std::move(now));
    }
    if (m.reward_next)
        v->blocks.push_back(
            text(k.t("member.reward_next", {m.reward_next->cost_points - m.available,
                                            {{"reward", m.reward_next->name}}})));
    if (k.s.config && k.s.config->views.spin && k.s.config->wheel)
        v->blocks.push_back(button(k.t("member.spins", {m.spins_available, {}}), "open", "wheel",
                                   m.spins_available > 0));
}

void compose_confirm(const Composer& k, WidgetView* v) {
    const auto& rs = k.s.config->program.rewards;
    const auto it = std::find_if(rs.begin(), rs.end(),
                                 [&](const program::Reward& r) { return r.id == k.s.reward_id; });
    const std::string name = it == rs.end() ? k.s.reward_id : it->name;
    v->heading = k.t("confirm.title", {std::nullopt, {{"reward", name}}});
    v->blocks.push_back(text(
        k.t("widget.confirm_text", {it == rs.end() ? 0 : it->cost_points, {{"reward", name}}})));
    v->blocks.push_back(text(k.t("widget.confirm_hint")));
    if (k.s.busy) v->blocks.push_back(notice(k.t("working.title"), false));
    v->blocks.push_back(button(k.t("widget.get_code"), "confirm", "", !k.s.busy, true));
    v->blocks.push_back(button(k.t("action.back"), "back", "", !k.s.busy));
}

WidgetBlock coupon_code(const Composer& k, const codec::CouponView& c) {
    WidgetBlock b;
    b.kind = "code";
    b.text = c.code;
    b.label = k.t("widget.coupon_label");
    if (c.expires_at_ms)
        b.detail = k.t("coupon.valid_until", {std::nullopt, {{"date", k.date(c.expires_at_ms)}}});
    return b;
}

void compose_coupon(const Composer& k, WidgetView* v) {
    const codec::CouponView& c = *k.s.coupon;
    v->heading = k.t("coupon.title", {std::nullopt, {{"reward", c.reward_name}}});
    v->blocks.push_back(coupon_code(k, c));
    v->blocks.push_back(text(k.t("widget.coupon_hint")));
    v->blocks.push_back(button(k.t("action.done"), "back", "", true, true));
}

std::string prize_text(const Composer& k, const codec::PrizeView& p) {
    if (p.kind == "points") return k.t("spin.won_points", {p.points, {}});
    if (p.kind == "coupon") return k.t("spin.won_coupon", {std::nullopt, {{"prize", p.label}}});
    return k.t("spin.won_nothing");
}

void compose_wheel(const Composer& k, WidgetView* v) {
    const WidgetState& s = k.s;
    v->heading = k.t("spin.title");
    const codec::WheelView& w = *s.config->wheel;
    WidgetBlock wheel;
    wheel.kind = "wheel";
    for (const auto& p : w.prizes) {
        WidgetBlock segment = text(p.label);
        if (const auto fill = codec::parse_color(p.colour)) {
            segment.fill = codec::color_text(*fill);
            segment.ink = codec::color_text(theme::black_or_white(*fill));
        }
        wheel.items.push_back(std::move(segment));
    }
    wheel.value = s.prize ? s.prize->index : -1;
    wheel.max = s.reduced_motion ? 0 : s.spin_animation_ms;
    wheel.label = k.t("spin.title");
    v->blocks.push_back(std::move(wheel));
    if (s.busy && !s.prize) v->blocks.push_back(notice(k.t("spin.waiting"), false));
    if (s.busy && s.prize) v->blocks.push_back(notice(k.t("spin.turning"), false));
    if (!s.busy && s.prize) {
        v->blocks.push_back(notice(prize_text(k, *s.prize), false));
        if (s.prize->kind == "coupon" && s.coupon) v->blocks.push_back(coupon_code(k, *s.coupon));
    }
    // Before a spin the commitment of its seed; after it the seed, checked here.
    const bool revealed =
        !s.busy && s.prize && s.fairness.verdict != SpinFairness::Verdict::unchecked;
    const std::string commitment =
        s.busy || revealed ? s.spin_commitment : s.member->spin_commitment;
    if (!commitment.empty())
        v->blocks.push_back(
            text(k.t("fair.code", {std::nullopt, {{"code", grouped_code(commitment, 64)}}})));
    if (revealed) {
        v->blocks.push_back(
            text(k.t("fair.key", {std::nullopt, {{"code", grouped_code(s.fairness.seed, 64)}}})));
        v->blocks.push_back(text(k.t(
            "fair.yours", {std::nullopt, {{"code", grouped_code(s.fairness.operation_id, 32)}}})));
        const bool ok = s.fairness.verdict == SpinFairness::Verdict::verified;
        v->blocks.push_back(notice(k.t(ok ? "fair.verified" : "fair.mismatch"), !ok));
    }
    v->blocks.push_back(text(k.t("member.spins", {s.member->spins_available, {}})));
    v->blocks.push_back(button(k.t("action.spin"), "spin", "", widget_can_spin(s), true));
    v->blocks.push_back(button(k.t(s.odds_open ? "action.hide_odds" : "action.odds"), "odds"));
    if (s.odds_open) {
        WidgetBlock odds = list(k.t("odds.title"));
        for (const auto& p : w.prizes)
            odds.items.push_back(text(
                k.t("odds.line",
                    {std::nullopt, {{"prize", p.label}, {"percent", k.percent(p.chance_ppm)}}})));
        odds.items.push_back(
            text(k.t("odds.win", {std::nullopt, {{"percent", k.percent(w.win_chance_ppm)}}})));
        odds.items.push_back(text(k.t("odds.fair")));
        v->blocks.push_back(std::move(odds));
    }
}

void compose_referral(const Composer& k, WidgetView* v) {
    v->heading = k.t("widget.referral_title");
    if (k.s.referral_error)
        return v->blocks.push_back(notice(k.error_text(*k.s.referral_error), true));
    if (!k.s.referral) return v->blocks.push_back(notice(k.t("widget.loading"), false));
    const codec::ReferralView& r = *k.s.referral;
    v->blocks.push_back(text(k.t("widget.referral_you", {r.inviter_points, {}})));
    v->blocks.push_back(text(k.t("widget.referral_friend", {r.invitee_points, {}})));
    if (r.first_receipt_min > 0 && k.s.config) {
        const std::string amount =
            i18n::format_money(k.locale, {r.first_receipt_min, k.s.config->currency});
        v->blocks.push_back(text(k.t("widget.referral_min", {std::nullopt, {{"amount", amount}}})));
    }
    WidgetBlock share;
    share.kind = "share";
    share.text = r.link;
    share.label = k.t("widget.referral_link");
    share.detail = r.code;
    v->blocks.push_back(std::move(share));
    if (r.per_month_max > 0)
        v->blocks.push_back(text(k.t("widget.referral_month", {r.invited_this_month, {}}),
                                 k.t("widget.referral_month_max", {r.per_month_max, {}})));
}

void compose_history(const Composer& k, WidgetView* v) {
    v->heading = k.t("member.history");
    WidgetBlock l = list("");
    for (const auto& e : k.s.history) l.items.push_back(text(k.history_line(e.entry)));
    if (!l.items.empty()) v->blocks.push_back(std::move(l));
    if (k.s.history_loading)
        v->blocks.push_back(notice(k.t("widget.loading"), false));
    else if (k.s.history.empty() && k.s.history_done)
        v->blocks.push_back(text(k.t("widget.history_empty")));
    if (!k.s.history_done && !k.s.history_loading)
        v->blocks.push_back(button(k.t("widget.history_more"), "more_history"));
}

// The theme as CSS custom properties, with colours that fail WCAG AA for normal text moved until
// they pass (the panel's text is 16 px); what failed is reported in contrast_failures.
std::vector<std::pair<std::string, std::string>> theme_css(const theme::Theme& merchant) {
    const theme::Theme t = theme::with_readable_contrast(merchant);
    return {{"--kopilka-background", codec::color_text(t.background)},
            {"--kopilka-surface", codec::color_text(t.surface)},
            {"--kopilka-text", codec::color_text(t.text)},
            {"--kopilka-muted", codec::color_text(t.muted_text)},
            {"--kopilka-accent", codec::color_text(t.accent)},
            {"--kopilka-accent-text", codec::color_text(t.accent_text)},
            {"--kopilka-error", codec::color_text(t.error)},
            {"--kopilka-radius", std::to_string(t.corner_radius_px) + "px"}};
}

std::vector<std::string> contrast_failures(const theme::Theme& t) {
    std::vector<std::string> out;
    for (const auto& p : theme::contrast_pairs(t)) {
        if (p.passes_aa) continue;
        const int hundredths = static_cast<int>(p.ratio * 100);
        out.push_back(p.text + " on " + p.background + ": " + std::to_string(hundredths / 100) +
                      "." + std::to_string(hundredths / 10 % 10) + std::to_string(hundredths % 10) +
                      ":1");
    }
    return out;
}

void add_tabs(const Composer& k, WidgetView* v) {
    std::vector<WidgetScreen> tabs = {WidgetScreen::home, WidgetScreen::rewards};
    const bool member = k.signed_in();
    const auto& c = *k.s.config;
    if (member && c.views.spin && c.wheel) tabs.push_back(WidgetScreen::wheel);
    if (member && c.views.referral && c.program.referral) tabs.push_back(WidgetScreen::referral);
    if (member && c.views.history) tabs.push_back(WidgetScreen::history);
    tabs.push_back(WidgetScreen::rules);
    WidgetScreen current = k.s.screen;
    if (current == WidgetScreen::confirm) current = WidgetScreen::rewards;
    if (current == WidgetScreen::coupon) current = WidgetScreen::rewards;
    for (const WidgetScreen t : tabs) {
        const std::string name(widget_screen_name(t));
        v->tabs.push_back({name, k.t("widget.tab." + name), t == current});
    }
}
}  // namespace

std::vector<WidgetBlock> rules_blocks(const program::Program& p, const i18n::Catalogues& c,
                                      i18n::Locale l) {
    std::vector<WidgetBlock> out;
    for (const RulesSection& section : program_rules_text(p, c, l).sections) {
        WidgetBlock b = list(section.heading);
        for (const auto& item : section.items) b.items.push_back(text(item));
        out.push_back(std::move(b));
    }
    return out;
}

WidgetView compose_widget_view(const WidgetState& s, const i18n::Catalogues& c) {
    const Composer k(s, c);
    WidgetView v;
    v.lang = std::string(i18n::locale_tag(s.locale));
    v.title = k.t("widget.title", {std::nullopt, {{"merchant", k.merchant()}}});
    v.close_label = k.t("widget.close");
    v.copy_label = k.t("widget.copy");
    v.copied_label = k.t("widget.copied");
    v.share_label = k.t("widget.share");
    const theme::Theme look = s.preview_theme                        ? *s.preview_theme
                              : s.config && s.config->has_theme ? s.config->theme
                                                                : theme::Theme{};
    v.css = theme_css(look);
    v.contrast_failures = contrast_failures(look);
    v.launcher_label = k.signed_in() ? k.t("widget.launcher_balance", {s.member->balance, {}})
                                     : k.t("widget.launcher");
    v.screen = std::string(widget_screen_name(s.screen));
    v.busy = s.busy || s.config_loading || s.history_loading || s.auth == WidgetAuth::signing_in;
    if (!s.config) {
        v.heading = k.t("widget.launcher");
        v.blocks.push_back(s.config_error ? notice(k.error_text(*s.config_error), true)
                                          : notice(k.t("widget.loading"), false));
        return v;
    }
    add_tabs(k, &v);
    const std::vector<WidgetBlock> rules = rules_blocks(s.config->program, c, s.locale);
    if (s.auth_error) v.blocks.push_back(notice(k.error_text(*s.auth_error), true));
    switch (s.screen) {
        case WidgetScreen::home:
            if (k.signed_in())
                compose_member_home(k, &v);
            else
                compose_guest_home(k, rules, &v);
            break;
        case WidgetScreen::rewards:
            v.heading = k.t("rewards.title");
            if (k.signed_in())
                v.blocks.push_back(text(k.t("rewards.available", {s.member->available, {}})));
            v.blocks.push_back(reward_list(k, ""));
            if (!k.signed_in()) add_links(k, &v);
            break;
        case WidgetScreen::confirm: compose_confirm(k, &v); break;
        case WidgetScreen::coupon:
            if (s.coupon) compose_coupon(k, &v);
            break;
        case WidgetScreen::wheel:
            if (s.config->wheel && k.signed_in()) compose_wheel(k, &v);
            break;
        case WidgetScreen::referral: compose_referral(k, &v); break;
        case WidgetScreen::rules:
            v.heading = k.t("widget.tab.rules");
            v.blocks.insert(v.blocks.end(), rules.begin(), rules.end());
            break;
        case WidgetScreen::history: compose_history(k, &v); break;
    }
    if (s.notice) v.blocks.push_back(notice(k.error_text(*s.notice), true));
    return v;
}

namespace {
codec::Json block_json(const WidgetBlock& b) {
    codec::Json j = {{"kind", b.kind}};
    for (const auto& [key, value] :
         {std::pair{"text", &b.text}, std::pair{"detail", &b.detail}, std::pair{"label", &b.label},
          std::pair{"action", &b.action}, std::pair{"arg", &b.arg}, std::pair{"href", &b.href},
          std::pair{"picture", &b.picture}, std::pair{"fill", &b.fill}, std::pair{"ink", &b.ink}})
        if (!value->empty()) j[key] = *value;
    if (b.value != 0) j["value"] = b.value;
    if (b.max != 0) j["max"] = b.max;
    if (!b.enabled) j["enabled"] = false;
    if (!b.items.empty()) {
        j["items"] = codec::Json::array();
        for (const auto& i : b.items) j["items"].push_back(block_json(i));
    }
    return j;
}
}  // namespace

codec::Json encode_widget_view(const WidgetView& v) {
    codec::Json tabs = codec::Json::array();
    for (const auto& t : v.tabs)
        tabs.push_back({{"screen", t.screen}, {"label", t.label}, {"current", t.current}});
    codec::Json blocks = codec::Json::array();
    for (const auto& b : v.blocks) blocks.push_back(block_json(b));
    codec::Json css = codec::Json::object();
    for (const auto& [name, value] : v.css) css[name] = value;
    return {{"lang", v.lang},
            {"title", v.title},
            {"launcher", v.launcher_label},
            {"words",
             {{"close", v.close_label},
              {"copy", v.copy_label},
              {"copied", v.copied_label},
              {"share", v.share_label}}},
            {"css", css},
            {"contrast_failures", v.contrast_failures},
            {"screen", v.screen},
            {"tabs", tabs},
            {"heading", v.heading},
            {"blocks", blocks},
            {"busy", v.busy}};
}

}  // namespace kopilka::client

#include "client/widget_flow.hpp"

#include <algorithm>
#include <iterator>

#include "codec/member_json.hpp"

namespace kopilka::client {

namespace {
using codec::Json;

constexpr std::string_view screen_names[] = {"home",     "rewards", "confirm", "coupon",
                                             "wheel",    "referral", "rules",  "history"};

std::optional<Json> body_of(const TransportReply& reply) {
    codec::DecodeError e;
    return reply.delivered ? codec::parse_json(reply.body, &e) : std::nullopt;
}

// The body of a 2xx reply (a session is 201 Created, reads 200), parsed.
std::optional<Json> success_body(const TransportReply& reply) {
    return reply.status / 100 == 2 ? body_of(reply) : std::nullopt;
}

// The reply's error, or "offline" when nothing came back.
FlowError failure(const TransportReply& reply) {
    if (!reply.delivered) return {"offline", "the server could not be reached"};
    return error_of(reply);
}

MemberSessionOptions session_options(const WidgetFlowOptions& o) {
    MemberSessionOptions m;
    m.cached_members_max = 0;  // a website keeps no one's snapshot after they leave
    m.new_operation_id = o.new_operation_id;
    return m;
}
}  // namespace

std::string_view widget_screen_name(WidgetScreen s) {
    return screen_names[static_cast<int>(s)];
}

std::optional<WidgetScreen> widget_screen_from_name(std::string_view name) {
    for (std::size_t i = 0; i < std::size(screen_names); ++i)
        if (screen_names[i] == name) return static_cast<WidgetScreen>(i);
    return std::nullopt;
}

WidgetFlow::WidgetFlow(Transport& transport, Outbox& outbox, KioskStorage& storage,
                       WidgetFlowOptions options)
    : api_(transport),
      outbox_(outbox),
      session_(api_, storage, outbox, session_options(options)),
      options_(std::move(options)) {
    state_.spin_animation_ms = options_.spin_animation_ms;
    session_.on_answer([this](const OperationResult& r) { on_answer(r); });
}

// [SECTION] Config

void WidgetFlow::start(const std::string& merchant, std::int64_t) {
    state_.merchant = merchant;
    state_.config_loading = true;
    changed();
    api_.widget_config(merchant, config_etag_, [this](TransportReply reply) {
        state_.config_loading = false;
        changed();
        if (reply.delivered && reply.status == 304 && state_.config) return;
        const auto body = success_body(reply);
        auto config = body ? codec::decode_widget_config(*body)
                           : codec::Decoded<codec::WidgetConfig>{};
        if (config.ok()) {
            state_.config = std::move(config.value);
            state_.config_error.reset();
            config_etag_ = state_.config->version;
        } else if (!state_.config) {
            state_.config_error =
                body ? FlowError{"bad_reply", config.error.message} : failure(reply);
        }
    });
}

void WidgetFlow::set_locale(i18n::Locale l) {
    state_.locale = l;
    changed();
}

void WidgetFlow::set_preview_theme(std::optional<theme::Theme> t) {
    state_.preview_theme = std::move(t);
    changed();
}

void WidgetFlow::set_reduced_motion(bool on) {
    state_.reduced_motion = on;
    changed();
}

// [SECTION] Signing in

void WidgetFlow::set_member_token(const std::string& token, std::int64_t now_ms) {
    token_asked_ms_ = now_ms;
    if (token.empty()) return sign_out();
    const std::uint64_t epoch = ++epoch_;
    if (state_.auth == WidgetAuth::guest) state_.auth = WidgetAuth::signing_in;
    changed();
    api_.widget_session(token, state_.merchant,
                        [this, epoch](TransportReply reply) { on_session(epoch, reply); });
}

void WidgetFlow::on_session(std::uint64_t epoch, const TransportReply& reply) {
    if (!ours(epoch)) return;
    changed();
    const auto body = success_body(reply);
    auto session =
        body ? codec::decode_widget_session(*body) : codec::Decoded<codec::WidgetSession>{};
    if (!session.ok()) {
        // A refresh that fails keeps the session it would have replaced, until it expires.
        state_.auth_error = body ? FlowError{"bad_reply", session.error.message} : failure(reply);
        if (state_.auth == WidgetAuth::signing_in) state_.auth = WidgetAuth::guest;
        return;
    }
    const Credential credential{CredentialKind::member, session.value->token};
    api_.set_credential(credential);
    outbox_.set_credential(credential);
    state_.auth = WidgetAuth::signed_in;
    state_.auth_error.reset();
    state_.session_expires_ms = session.value->expires_at_ms;
    if (!state_.member || state_.member->id != session.value->member.id) {
        forget_member();  // another member: nothing of the one before stays on screen
        session_.adopt(session.value->member);
    }
    state_.member = std::move(session.value->member);
}

void WidgetFlow::sign_out() {
    ++epoch_;
    session_.end();
    api_.set_credential({});
    outbox_.set_credential({CredentialKind::member, ""});
    forget_member();
    state_.auth = WidgetAuth::guest;
    state_.session_expires_ms = 0;
    state_.auth_error.reset();
    changed();
}

// What belonged to the member goes; the page's (merchant, language, config, theme) stays.
void WidgetFlow::forget_member() {
    state_.member.reset();
    state_.screen = WidgetScreen::home;
    state_.reward_id.clear();
    state_.coupon.reset();
    state_.prize.reset();
    state_.fairness = {};
    state_.spin_commitment.clear();
    state_.spun_at_ms = 0;
    state_.odds_open = false;
    state_.busy = false;
    state_.notice.reset();
    state_.referral.reset();
    state_.referral_error.reset();
    state_.history.clear();
    state_.history_next.clear();
    state_.history_loading = false;
    state_.history_done = false;
}

bool WidgetFlow::token_wanted(std::int64_t now_ms) const {
    if (state_.auth == WidgetAuth::signing_in) return false;
    if (state_.auth == WidgetAuth::guest) return token_asked_ms_ < 0;
    // Signed in: a minute before expiry, and not again until that answer came.
    return state_.session_expires_ms - now_ms <= options_.token_refresh_ms &&
           now_ms - token_asked_ms_ > options_.token_refresh_ms / 2;
}

void WidgetFlow::tick(std::int64_t now_ms) {
    if (state_.auth == WidgetAuth::signed_in && now_ms >= state_.session_expires_ms) {
        sign_out();
        state_.auth_error = FlowError{"session_expired", "the sign-in expired"};
    }
    if (state_.prize && now_ms - state_.spun_at_ms >= state_.spin_animation_ms &&
        state_.busy) {
        state_.busy = false;
        changed();
    }
}

// [SECTION] Screens

void WidgetFlow::open(WidgetScreen s, std::int64_t) {
    const bool member_only = s == WidgetScreen::history || s == WidgetScreen::referral ||
                             s == WidgetScreen::wheel || s == WidgetScreen::confirm ||
                             s == WidgetScreen::coupon;
    if (member_only && state_.auth != WidgetAuth::signed_in) return;
    state_.screen = s;
    state_.notice.reset();
    state_.odds_open = false;
    changed();
    if (s == WidgetScreen::history && state_.history.empty() && !state_.history_done)
        more_history(0);
    if (s == WidgetScreen::referral && !state_.referral) load_referral();
}

void WidgetFlow::back(std::int64_t now_ms) {
    open(state_.screen == WidgetScreen::confirm ? WidgetScreen::rewards : WidgetScreen::home,
         now_ms);
}

bool widget_can_redeem(const WidgetState& s, const program::Reward& r) {
    return s.auth == WidgetAuth::signed_in && s.member && !s.busy && s.config &&
           s.config->views.redeem && s.member->available >= r.cost_points;
}

bool widget_can_spin(const WidgetState& s) {
    return s.auth == WidgetAuth::signed_in && s.member && !s.busy && s.config &&
           s.config->views.spin && s.config->wheel && !s.config->wheel->nothing_left &&
           s.member->spins_available > 0;
}

void WidgetFlow::choose_reward(const std::string& reward_id, std::int64_t now_ms) {
    if (!state_.config) return;
    const auto& rewards = state_.config->program.rewards;
    const auto it = std::find_if(rewards.begin(), rewards.end(),
                                 [&](const program::Reward& r) { return r.id == reward_id; });
    if (it == rewards.end()) return;
    if (!widget_can_redeem(state_, *it)) {
        state_.notice = FlowError{"insufficient_points", ""};
        changed();
        return;
    }
    state_.reward_id = reward_id;
    open(WidgetScreen::confirm, now_ms);
}

void WidgetFlow::confirm(std::int64_t now_ms) {
    if (state_.screen != WidgetScreen::confirm || state_.busy) return;
    const std::string reward = state_.reward_id;
    if (!session_.submit([&](const std::string& op) { return widget_redeem_item(op, reward); },
                         now_ms)) {
        state_.notice = FlowError{"internal", "no operation id"};
        return changed();
    }
    state_.busy = true;
    state_.notice.reset();
    changed();
}

void WidgetFlow::spin(std::int64_t now_ms) {
    if (state_.screen != WidgetScreen::wheel || !widget_can_spin(state_)) return;
    if (!session_.submit([](const std::string& op) { return widget_spin_item(op); }, now_ms)) {
        state_.notice = FlowError{"internal", "no operation id"};
        return changed();
    }
    state_.busy = true;
    state_.prize.reset();
    state_.fairness = {};
    state_.spin_commitment = state_.member->spin_commitment;
    state_.notice.reset();
    state_.spun_at_ms = now_ms;
    changed();
}

void WidgetFlow::toggle_odds() {
    state_.odds_open = !state_.odds_open;
    changed();
}

// The answer to this session's redemption or spin: a coupon, a prize, the new balance.
void WidgetFlow::on_answer(const OperationResult& r) {
    if (!r.ours) return;
    changed();
    if (r.answer && r.answer->member) state_.member = r.answer->member;
    if (!r.answer) {
        state_.busy = false;
        state_.notice = r.error;
        return;
    }
    if (r.item->path == "/v1/widget/redeem") {
        state_.busy = false;
        state_.coupon = r.answer->coupon;
        state_.screen = WidgetScreen::coupon;
        return;
    }
    // A spin: the wheel turns to the prize, and stays busy while it does.
    state_.prize = r.answer->prize;
    state_.fairness = check_spin_answer(state_.spin_commitment, r.item->op_id, *r.answer);
    if (r.answer->coupon) state_.coupon = r.answer->coupon;
    if (state_.reduced_motion || state_.spin_animation_ms <= 0) state_.busy = false;
}

// [SECTION] History and referral

void WidgetFlow::more_history(std::int64_t) {
    if (state_.auth != WidgetAuth::signed_in || state_.history_loading || state_.history_done)
        return;
    state_.history_loading = true;
    changed();
    const std::uint64_t epoch = epoch_;
    api_.widget_history(state_.history_next, options_.history_page,
                        [this, epoch](TransportReply reply) {
                            if (!ours(epoch)) return;
                            state_.history_loading = false;
                            changed();
                            const auto body =
                                success_body(reply);
                            auto page = body ? codec::decode_history_page(*body)
                                             : codec::Decoded<codec::HistoryPage>{};
                            if (!page.ok()) {
                                state_.notice = body ? FlowError{"bad_reply", page.error.message}
                                                     : failure(reply);
                                return;
                            }
                            for (auto& e : page.value->entries)
                                state_.history.push_back(std::move(e));
                            state_.history_next = page.value->next_before;
                            state_.history_done = state_.history_next.empty();
                        });
}

void WidgetFlow::load_referral() {
    const std::uint64_t epoch = epoch_;
    state_.referral_error.reset();
    api_.widget_referral([this, epoch](TransportReply reply) {
        if (!ours(epoch)) return;
        changed();
        const auto body = success_body(reply);
        auto view = body ? codec::decode_referral(*body) : codec::Decoded<codec::ReferralView>{};
        if (view.ok())
            state_.referral = std::move(view.value);
        else
            state_.referral_error =
                body ? FlowError{"bad_reply", view.error.message} : failure(reply);
    });
}

}  // namespace kopilka::client

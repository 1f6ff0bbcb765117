#include "client/kiosk_flow.hpp"

#include <algorithm>
#include <cmath>

#include "core/cards/card_code.hpp"

namespace kopilka::client {

namespace {
constexpr std::string_view kScreenNames[] = {"pairing", "attract", "scan",   "looking_up", "member",
                                             "rewards", "confirm", "coupon", "spin",       "error"};
constexpr std::string_view kPhaseNames[] = {"ready", "waiting", "turning", "result"};

constexpr const char* kTokenKey = "kopilka.device_token";
constexpr const char* kConfigKey = "kopilka.config";
constexpr std::size_t kPairingTypedMax = 16;
constexpr int kSpinTurns = 5;  // whole turns before the wheel settles on the prize

MemberSessionOptions session_options(const KioskFlowOptions& o) {
    return {o.cached_members_max, o.new_operation_id};
}
}  // namespace

std::string_view screen_name(Screen s) { return kScreenNames[static_cast<int>(s)]; }
std::string_view spin_phase_name(SpinView::Phase p) { return kPhaseNames[static_cast<int>(p)]; }

std::string_view feedback_name(Feedback f) {
    switch (f) {
        case Feedback::card_read:
            return "card_read";
        case Feedback::win:
            return "win";
        case Feedback::none:
            break;
    }
    return "";
}

Feedback FeedbackWatch::next(const KioskState& s) {
    const SpinView::Phase phase = s.spin ? s.spin->phase : SpinView::Phase::ready;
    Feedback f = Feedback::none;
    // The member screen after a screen that waits for a card (the lookup's own screen may never be
    // drawn when its answer comes before the next frame); back from rewards or the wheel is not a
    // read.
    const bool waited_for_card = screen_ == Screen::attract || screen_ == Screen::scan ||
                                 screen_ == Screen::looking_up || screen_ == Screen::error;
    if (s.screen == Screen::member && waited_for_card)
        f = Feedback::card_read;
    else if (s.screen == Screen::spin && phase == SpinView::Phase::result &&
             (screen_ != Screen::spin || phase_ != SpinView::Phase::result) && s.spin->prize &&
             s.spin->prize->kind != "nothing")
        f = Feedback::win;
    screen_ = s.screen;
    phase_ = phase;
    return f;
}

KioskFlow::KioskFlow(Transport& transport, KioskStorage& storage, Outbox& outbox,
                     KioskFlowOptions options)
    : api_(transport),
      storage_(storage),
      outbox_(outbox),
      options_(std::move(options)),
      session_(api_, storage_, outbox_, session_options(options_)) {
    session_.on_answer([this](const OperationResult& r) { on_operation_final(r); });
}

void KioskFlow::set_token(const std::string& token) {
    const Credential c{CredentialKind::device, token};
    api_.set_credential(c);
    outbox_.set_credential(c);
}

void KioskFlow::start(std::int64_t now_ms) {
    state_.now_ms = now_ms;
    codec::DecodeError e;
    if (const auto cached = codec::parse_json(storage_.get(kConfigKey), &e)) {
        auto config = decode_kiosk_config(*cached);
        if (config.ok()) state_.config = std::move(*config.value);
    }
    const std::string token = storage_.get(kTokenKey);
    state_.paired = !token.empty();
    set_token(token);
    state_.screen = state_.paired ? Screen::attract : Screen::pairing;
    if (state_.paired) refresh_config(now_ms);
    changed();
}

// [SECTION] Timers and sessions

std::int64_t KioskFlow::idle_ms() const {
    return state_.config ? state_.config->settings.idle_seconds * 1000 : options_.idle_signout_ms;
}

bool KioskFlow::member_screen() const {
    switch (state_.screen) {
        case Screen::member:
        case Screen::rewards:
        case Screen::confirm:
        case Screen::coupon:
        case Screen::spin: return true;
        default: return false;
    }
}

bool KioskFlow::wants_camera() const {
    return state_.screen == Screen::attract || state_.screen == Screen::scan ||
           state_.screen == Screen::pairing;
}

bool KioskFlow::animating() const {
    return state_.screen == Screen::spin && state_.spin &&
           state_.spin->phase == SpinView::Phase::turning;
}

void KioskFlow::keep_alive(std::int64_t now_ms) {
    state_.now_ms = now_ms;
    if (member_screen()) state_.idle_deadline_ms = now_ms + idle_ms();
    else if (state_.screen == Screen::error)
        state_.idle_deadline_ms = now_ms + options_.error_signout_ms;
    else if (state_.screen == Screen::scan)
        state_.idle_deadline_ms = now_ms + options_.scan_screen_idle_ms;
}

void KioskFlow::show(std::int64_t now_ms) {
    keep_alive(now_ms);
    changed();
}

// Raw input changes nothing on screen but the countdown's whole seconds: a scanner's key
// burst must not redraw the kiosk once per key (a slow renderer would stretch the burst
// until it looks typed by hand).
void KioskFlow::touch(std::int64_t now_ms) {
    const std::int64_t before = countdown_seconds(state_);
    keep_alive(now_ms);
    if (countdown_seconds(state_) != before) changed();
}

void KioskFlow::tick(std::int64_t now_ms) {
    const std::int64_t before_s = countdown_seconds(state_);
    state_.now_ms = now_ms;
    if (outbox_.offline() && state_.online) {  // a write found no network
        state_.online = false;
        changed();
    }
    if (state_.paired && now_ms >= config_due_ms_) refresh_config(now_ms);
    if (state_.screen == Screen::looking_up && lookup_shown_ms_ != 0 &&
        now_ms >= lookup_shown_ms_) {  // a slow answer: "looking up" is drawn now
        lookup_shown_ms_ = 0;
        changed();
    }
    if (animating() && now_ms >= state_.spin->started_ms + state_.spin->duration_ms) {
        state_.spin->phase = SpinView::Phase::result;
        show(now_ms);  // the result gets a whole idle period to be read
        return;
    }
    if (animating()) {
        state_.idle_deadline_ms =
            std::max(state_.idle_deadline_ms, now_ms + idle_ms());  // never sign out mid-spin
        return;
    }
    const bool timed =
        member_screen() || state_.screen == Screen::error || state_.screen == Screen::scan;
    if (timed && state_.idle_deadline_ms != 0 && now_ms >= state_.idle_deadline_ms) {
        sign_out(now_ms);
        return;
    }
    // The countdown on screen changes once a second in its last seconds.
    if (timed && countdown_seconds(state_) != before_s) changed();
}

void KioskFlow::open_scan(std::int64_t now_ms) {
    if (!state_.paired) return;
    state_.screen = Screen::scan;
    state_.error.reset();
    show(now_ms);
}

void KioskFlow::sign_out(std::int64_t now_ms) {
    session_.end();  // answers still in flight must not bring the member back
    state_.screen = state_.paired ? Screen::attract : Screen::pairing;
    state_.member.reset();
    state_.member_cached = false;
    state_.error.reset();
    state_.notice.reset();
    state_.coupon.reset();
    state_.spin.reset();
    state_.reward_id.clear();
    state_.busy = false;
    state_.odds_open = false;
    state_.keypad.clear();
    state_.keypad_open = false;
    state_.idle_deadline_ms = 0;
    state_.now_ms = now_ms;
    last_text_.clear();
    changed();
}

void KioskFlow::back(std::int64_t now_ms) {
    state_.notice.reset();
    switch (state_.screen) {
        case Screen::scan:
            if (state_.keypad_open) return keypad_open(false, now_ms);
            return sign_out(now_ms);
        case Screen::error: return state_.paired ? open_scan(now_ms) : sign_out(now_ms);
        case Screen::confirm: state_.screen = Screen::rewards; break;
        case Screen::rewards:
        case Screen::coupon:
        case Screen::spin:
            if (animating() || state_.busy) return;  // the answer decides where to go
            state_.screen = Screen::member;
            state_.spin.reset();
            state_.coupon.reset();
            state_.odds_open = false;
            break;
        default: return sign_out(now_ms);
    }
    show(now_ms);
}

void KioskFlow::set_locale(i18n::Locale l, std::int64_t now_ms) {
    state_.locale = l;
    show(now_ms);
}

void KioskFlow::set_online(bool online, std::int64_t now_ms) {
    if (state_.online == online) return;
    state_.online = online;
    state_.now_ms = now_ms;
    if (online) {
        outbox_.retry_now(now_ms);
        if (state_.paired) refresh_config(now_ms);
    }
    changed();
}

// [SECTION] Pairing

void KioskFlow::pairing_type(char c, std::int64_t now_ms) {
    if (state_.screen != Screen::pairing || state_.pairing_code.size() >= kPairingTypedMax) return;
    const bool ok =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
    if (!ok) return;
    state_.pairing_code += c;
    state_.error.reset();
    show(now_ms);
}

void KioskFlow::pairing_backspace(std::int64_t now_ms) {
    if (!state_.pairing_code.empty()) state_.pairing_code.pop_back();
    show(now_ms);
}

void KioskFlow::pairing_submit(std::int64_t now_ms) {
    if (state_.screen != Screen::pairing || state_.busy) return;
    const std::string code = state_.pairing_code;
    if (code.empty()) return;
    state_.now_ms = now_ms;
    state_.busy = true;
    state_.error.reset();
    changed();
    api_.pair(code, [this](TransportReply reply) { on_pair(std::move(reply)); });
}

void KioskFlow::on_pair(TransportReply reply) {
    state_.busy = false;
    state_.online = reply.delivered;
    if (!reply.delivered) {
        state_.error = FlowError{"offline", "the server could not be reached"};
        changed();
        return;
    }
    codec::DecodeError e;
    const auto body = codec::parse_json(reply.body, &e);
    const auto answer =
        body ? codec::decode_pairing_answer(*body) : codec::Decoded<codec::PairingAnswer>{};
    if (reply.status / 100 != 2 || !answer.ok()) {
        state_.error = error_of(reply);
        changed();
        return;
    }
    const std::string& token = answer.value->token;
    storage_.set(kTokenKey, token);
    set_token(token);
    state_.paired = true;
    state_.pairing_code.clear();
    state_.screen = Screen::attract;
    state_.error.reset();
    config_due_ms_ = 0;
    refresh_config(state_.now_ms);
    changed();
}

void KioskFlow::unpair() {
    storage_.remove(kTokenKey);
    set_token("");
    state_.paired = false;
    sign_out(state_.now_ms);
    state_.error = FlowError{"unauthorized", "this kiosk is no longer paired"};
}

// [SECTION] Config

void KioskFlow::refresh_config(std::int64_t now_ms) {
    config_due_ms_ = now_ms + options_.config_refresh_ms;
    if (config_in_flight_) return;
    config_in_flight_ = true;
    api_.fetch_config(state_.config ? state_.config->version : std::string(),
                      [this](TransportReply reply) { on_config(std::move(reply)); });
}

void KioskFlow::on_config(TransportReply reply) {
    config_in_flight_ = false;
    if (!reply.delivered) {
        if (state_.online) {
            state_.online = false;
            changed();
        }
        return;
    }
    state_.online = true;
    if (reply.status == 304) return;
    if (reply.status == 401) return unpair();
    if (reply.status != 200) return;
    codec::DecodeError e;
    const auto body = codec::parse_json(reply.body, &e);
    if (!body) return;
    auto config = decode_kiosk_config(*body);
    if (!config.ok()) return;  // keep the last good one
    storage_.set(kConfigKey, encode_kiosk_config(*config.value).dump());
    state_.config = std::move(*config.value);
    changed();
}

// [SECTION] Scanning and keypad

void KioskFlow::keypad_open(bool open, std::int64_t now_ms) {
    if (!state_.paired) return;
    if (open && state_.screen != Screen::scan) state_.screen = Screen::scan;
    state_.keypad_open = open;
    state_.keypad.clear();
    show(now_ms);
}

void KioskFlow::keypad_press(char c, std::int64_t now_ms) {
    state_.keypad.press(c);
    show(now_ms);
}

void KioskFlow::keypad_backspace(std::int64_t now_ms) {
    state_.keypad.backspace();
    show(now_ms);
}

void KioskFlow::keypad_submit(std::int64_t now_ms) {
    const std::string text = state_.keypad.text;
    state_.keypad.clear();
    scan(text, ScanSource::keypad, now_ms);
}

void KioskFlow::scan(std::string_view text, ScanSource source, std::int64_t now_ms) {
    state_.now_ms = now_ms;
    if (state_.screen == Screen::pairing) {  // the console shows the pairing code as a QR too
        state_.pairing_code.assign(text.substr(0, kPairingTypedMax));
        return pairing_submit(now_ms);
    }
    if (state_.screen == Screen::looking_up) return;  // one lookup at a time
    // While a member is being served, other codes are ignored: a camera sees the same card
    // in many frames, and a second shopper's card must not take over a session.
    if (member_screen() && (state_.screen != Screen::member || state_.busy)) return;
    if (text == last_text_ && now_ms - last_text_ms_ < options_.same_code_debounce_ms &&
        state_.screen == Screen::member)
        return;
    last_text_.assign(text);
    last_text_ms_ = now_ms;
    state_.last_source = source;
    state_.keypad_open = false;

    const cards::ParseResult parsed = cards::parse_card_text(text);
    if (parsed.status != cards::ParseStatus::ok) {
        show_error(std::string(cards::parse_status_name(parsed.status)),
                   "this is not a card code we know");
        return;
    }
    state_.screen = Screen::looking_up;
    state_.member.reset();
    state_.member_cached = false;
    state_.error.reset();
    state_.notice.reset();
    // Most answers come within a frame or two: the shopper sees the balance next, without a
    // flash of "looking up" (and without the frames it costs a slow GPU before the balance).
    lookup_shown_ms_ = options_.lookup_quiet_ms > 0 ? now_ms + options_.lookup_quiet_ms : 0;
    if (lookup_shown_ms_ == 0) changed();
    const std::string code = cards::canonical_text(parsed.code);
    session_.lookup(code, now_ms, [this](LookupResult r) { on_lookup(r); });
}

void KioskFlow::on_lookup(const LookupResult& r) {
    if (state_.screen != Screen::looking_up) return;  // signed out meanwhile
    state_.online = r.reply.delivered;
    if (r.member) return show_member(*r.member, r.kind == LookupResult::Kind::cached);
    if (state_.paired && credential_refused(r.reply)) return unpair();
    show_error(r.error.code, r.error.message);
}

void KioskFlow::show_member(const members::MemberSnapshot& m, bool cached) {
    state_.member = m;
    state_.member_cached = cached;
    state_.screen = Screen::member;
    state_.idle_deadline_ms = state_.now_ms + idle_ms();
    changed();
}

void KioskFlow::show_error(std::string code, std::string message) {
    state_.screen = Screen::error;
    state_.member.reset();
    state_.error = FlowError{std::move(code), std::move(message)};
    state_.idle_deadline_ms = state_.now_ms + options_.error_signout_ms;
    changed();
}

// [SECTION] Rewards and spins

bool can_redeem(const KioskState& s, const program::Reward& r) {
    return s.online && !s.member_cached && s.member && s.config && s.config->device_redeem &&
           s.member->available >= r.cost_points;
}

std::int64_t countdown_seconds(const KioskState& s) {
    if (s.idle_deadline_ms <= s.now_ms) return 0;
    const std::int64_t seconds = (s.idle_deadline_ms - s.now_ms + 999) / 1000;
    return seconds <= countdown_shown_s ? seconds : 0;
}

bool can_spin(const KioskState& s) {
    return s.online && !s.member_cached && s.member && s.config && s.config->wheel &&
           !s.config->wheel->nothing_left && s.member->spins_available > 0;
}

void KioskFlow::open_rewards(std::int64_t now_ms) {
    if (state_.screen != Screen::member || !state_.member) return;
    state_.screen = Screen::rewards;
    state_.notice.reset();
    show(now_ms);
}

void KioskFlow::choose_reward(const std::string& reward_id, std::int64_t now_ms) {
    if (state_.screen != Screen::rewards || !state_.config) return;
    const auto& rewards = state_.config->rewards;
    const auto it = std::find_if(rewards.begin(), rewards.end(),
                                 [&](const program::Reward& r) { return r.id == reward_id; });
    if (it == rewards.end()) return;
    if (!can_redeem(state_, *it)) {
        state_.notice = FlowError{
            state_.online && !state_.member_cached ? "insufficient_points" : "needs_connection",
            ""};
        return show(now_ms);
    }
    state_.reward_id = reward_id;
    state_.screen = Screen::confirm;
    show(now_ms);
}

void KioskFlow::confirm_redeem(std::int64_t now_ms) {
    if (state_.screen != Screen::confirm || state_.busy || !state_.member) return;
    const std::string member = state_.member->id;
    const std::string reward = state_.reward_id;
    submit([&](const std::string& op) { return redeem_item(op, member, reward); }, now_ms);
}

void KioskFlow::open_spin(std::int64_t now_ms) {
    if (state_.screen != Screen::member || !state_.config || !state_.config->wheel) return;
    state_.screen = Screen::spin;
    state_.spin = SpinView{};
    state_.notice.reset();
    show(now_ms);
}

void KioskFlow::spin(std::int64_t now_ms) {
    if (state_.screen != Screen::spin || state_.busy || !state_.spin ||
        state_.spin->phase != SpinView::Phase::ready)
        return;
    if (!can_spin(state_)) {
        state_.notice =
            FlowError{!state_.online || state_.member_cached ? "needs_connection" : "no_spins", ""};
        return show(now_ms);
    }
    state_.spin->phase = SpinView::Phase::waiting;
    state_.spin->commitment = state_.member->spin_commitment;
    const std::string member = state_.member->id;
    const std::string wheel = state_.config->wheel->id;
    submit([&](const std::string& op) { return spin_item(op, member, wheel); }, now_ms);
}

void KioskFlow::toggle_odds(std::int64_t now_ms) {
    state_.odds_open = !state_.odds_open;
    show(now_ms);
}

void KioskFlow::set_reduced_motion(bool on, std::int64_t now_ms) {
    state_.reduced_motion = on;
    if (on && animating()) state_.spin->phase = SpinView::Phase::result;
    show(now_ms);
}

double KioskFlow::wheel_turns(std::int64_t now_ms) const {
    if (!state_.spin || !state_.spin->prize || !state_.config || !state_.config->wheel) return 0;
    const std::size_t n = std::max<std::size_t>(state_.config->wheel->prizes.size(), 1);
    // The pointer is at the top: segment i spans [i/n, (i+1)/n) of a turn clockwise, and the
    // wheel turns so that the segment's middle ends under the pointer.
    const double target =
        kSpinTurns + 1.0 - (state_.spin->prize->index + 0.5) / static_cast<double>(n);
    if (state_.spin->phase != SpinView::Phase::turning || state_.spin->duration_ms <= 0)
        return target;
    const double t = std::clamp(static_cast<double>(now_ms - state_.spin->started_ms) /
                                    static_cast<double>(state_.spin->duration_ms),
                                0.0, 1.0);
    const double eased = 1.0 - std::pow(1.0 - t, 3.0);  // ease-out cubic
    return target * eased;
}

// The operation goes to the outbox first (stored, then sent); its answer comes back
// through on_operation_final, maybe after a reload, maybe when the member has gone.
void KioskFlow::submit(const std::function<OutboxItem(const std::string& op_id)>& make,
                       std::int64_t now_ms) {
    state_.busy = true;  // before submitting: the answer may come at once
    state_.notice.reset();
    show(now_ms);
    if (!session_.submit(make, now_ms)) {
        state_.busy = false;
        if (state_.spin) state_.spin->phase = SpinView::Phase::ready;
        state_.notice = FlowError{"internal", "no operation id"};
        show(now_ms);
    }
}

void KioskFlow::on_operation_final(const OperationResult& r) {
    state_.online = true;
    if (credential_refused(*r.reply)) return unpair();
    // Someone else's answer: nothing of it is shown to this shopper.
    if (!r.ours) return changed();
    state_.busy = false;
    if (!r.answer) {
        state_.notice = r.error;
        if (state_.screen == Screen::spin && state_.spin)
            state_.spin->phase = SpinView::Phase::ready;
        if (state_.screen == Screen::confirm) state_.screen = Screen::rewards;
        return show(state_.now_ms);
    }
    const OperationAnswer& answer = *r.answer;
    if (answer.member) state_.member = session_.member();
    if (r.item->path == "/v1/kiosk/spin" && state_.spin && answer.prize) {
        state_.spin->prize = answer.prize;
        state_.spin->coupon = answer.coupon;
        state_.spin->fairness = check_spin_answer(state_.spin->commitment, r.item->op_id, answer);
        state_.spin->started_ms = state_.now_ms;
        state_.spin->duration_ms = state_.reduced_motion ? 0 : options_.spin_animation_ms;
        state_.spin->phase =
            state_.reduced_motion ? SpinView::Phase::result : SpinView::Phase::turning;
    } else if (answer.coupon) {
        state_.coupon = answer.coupon;
        state_.screen = Screen::coupon;
    }
    show(state_.now_ms);
}

}  // namespace kopilka::client

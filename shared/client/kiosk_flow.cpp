#include "client/kiosk_flow.hpp"

#include "core/cards/card_code.hpp"
#include "codec/member_json.hpp"

namespace kopilka::client {

namespace {
constexpr std::string_view kScreenNames[] = {"attract", "scan", "looking_up", "member", "error"};
}

std::string_view screen_name(Screen s) { return kScreenNames[static_cast<int>(s)]; }

KioskFlow::KioskFlow(Transport& transport, KioskFlowOptions options)
    : transport_(transport), options_(options) {}

bool KioskFlow::wants_camera() const {
    return state_.screen == Screen::attract || state_.screen == Screen::scan;
}

void KioskFlow::touch(std::int64_t now_ms) {
    state_.now_ms = now_ms;
    switch (state_.screen) {
        case Screen::member: state_.idle_deadline_ms = now_ms + options_.idle_signout_ms; break;
        case Screen::error: state_.idle_deadline_ms = now_ms + options_.error_signout_ms; break;
        case Screen::scan: state_.idle_deadline_ms = now_ms + options_.scan_screen_idle_ms; break;
        default: break;
    }
    changed();
}

void KioskFlow::open_scan(std::int64_t now_ms) {
    state_.screen = Screen::scan;
    state_.error.reset();
    touch(now_ms);
}

void KioskFlow::sign_out(std::int64_t now_ms) {
    ++request_;  // an answer still in flight must not bring the member back
    state_.screen = Screen::attract;
    state_.member.reset();
    state_.error.reset();
    state_.keypad.clear();
    state_.keypad_open = false;
    state_.idle_deadline_ms = 0;
    state_.now_ms = now_ms;
    last_text_.clear();
    changed();
}

void KioskFlow::set_locale(i18n::Locale l, std::int64_t now_ms) {
    state_.locale = l;
    touch(now_ms);
}

void KioskFlow::keypad_open(bool open, std::int64_t now_ms) {
    if (open && state_.screen != Screen::scan) state_.screen = Screen::scan;
    state_.keypad_open = open;
    state_.keypad.clear();
    touch(now_ms);
}

void KioskFlow::keypad_press(char c, std::int64_t now_ms) {
    state_.keypad.press(c);
    touch(now_ms);
}

void KioskFlow::keypad_backspace(std::int64_t now_ms) {
    state_.keypad.backspace();
    touch(now_ms);
}

void KioskFlow::keypad_submit(std::int64_t now_ms) {
    const std::string text = state_.keypad.text;
    state_.keypad.clear();
    scan(text, ScanSource::keypad, now_ms);
}

void KioskFlow::scan(std::string_view text, ScanSource source, std::int64_t now_ms) {
    state_.now_ms = now_ms;
    if (state_.screen == Screen::looking_up) return;  // one lookup at a time
    // Cameras see the same card in many frames; a scanner may fire twice.
    if (text == last_text_ && now_ms - last_text_ms_ < options_.same_code_debounce_ms &&
        state_.screen == Screen::member)
        return;
    last_text_.assign(text);
    last_text_ms_ = now_ms;
    state_.last_source = source;
    state_.keypad_open = false;

    const cards::ParseResult parsed = cards::parse_card_text(text);
    if (parsed.status != cards::ParseStatus::ok) {
        show_error(std::string(cards::parse_status_name(parsed.status)), "this is not a card code we know");
        return;
    }
    state_.screen = Screen::looking_up;
    state_.member.reset();
    state_.error.reset();
    changed();
    const std::uint64_t request = ++request_;
    transport_.lookup_member(cards::canonical_text(parsed.code),
                             [this, request](TransportReply reply) { on_reply(request, std::move(reply)); });
}

void KioskFlow::on_reply(std::uint64_t request, TransportReply reply) {
    if (request != request_ || state_.screen != Screen::looking_up) return;  // stale
    if (!reply.delivered) {
        show_error("offline", "the server could not be reached");
        return;
    }
    codec::DecodeError error;
    const auto body = codec::parse_json(reply.body, &error);
    if (reply.status == 200 && body && body->contains("member")) {
        auto member = codec::decode_member((*body)["member"]);
        if (member.ok()) {
            state_.member = std::move(*member.value);
            state_.screen = Screen::member;
            state_.idle_deadline_ms = state_.now_ms + options_.idle_signout_ms;
            changed();
            return;
        }
        show_error("bad_reply", member.error.message);
        return;
    }
    if (body && body->contains("error") && (*body)["error"].is_object()) {
        const auto& e = (*body)["error"];
        show_error(e.value("code", "server_error"), e.value("message", ""));
        return;
    }
    show_error("server_error", "the server answered " + std::to_string(reply.status));
}

void KioskFlow::show_error(std::string code, std::string message) {
    state_.screen = Screen::error;
    state_.member.reset();
    state_.error = FlowError{std::move(code), std::move(message)};
    state_.idle_deadline_ms = state_.now_ms + options_.error_signout_ms;
    changed();
}

void KioskFlow::tick(std::int64_t now_ms) {
    const std::int64_t before_s = (state_.idle_deadline_ms - state_.now_ms) / 1000;
    state_.now_ms = now_ms;
    const bool timed = state_.screen == Screen::member || state_.screen == Screen::error ||
                       state_.screen == Screen::scan;
    if (timed && state_.idle_deadline_ms != 0 && now_ms >= state_.idle_deadline_ms) {
        sign_out(now_ms);
        return;
    }
    // The countdown on screen changes once a second.
    if (timed && (state_.idle_deadline_ms - now_ms) / 1000 != before_s) changed();
}

}  // namespace kopilka::client

// The kiosk's flow as a state machine without drawing:
//   attract ─scan/touch→ scan ─card→ looking_up ─answer→ member | error ─idle→ attract
// Time comes in as now_ms on every call, so the flow is deterministic under test.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/i18n/locale.hpp"
#include "core/members/member_snapshot.hpp"
#include "client/scan_input.hpp"
#include "client/transport.hpp"

namespace kopilka::client {

enum class Screen : std::uint8_t { attract, scan, looking_up, member, error };
std::string_view screen_name(Screen s);

struct FlowError {
    std::string code;     // "not_found", "bad_check_digit", "offline", …
    std::string message;  // the server's or parser's sentence (English); the view localises by code
};

struct KioskState {
    Screen screen = Screen::attract;
    i18n::Locale locale = i18n::Locale::ru;
    std::optional<members::MemberSnapshot> member;
    std::optional<FlowError> error;
    ScanSource last_source = ScanSource::camera;
    std::int64_t idle_deadline_ms = 0;  // member/error screens: sign-out time
    std::int64_t now_ms = 0;            // time of the last call, for countdowns
    KeypadBuffer keypad;
    bool keypad_open = false;
};

struct KioskFlowOptions {
    std::int64_t idle_signout_ms = 30000;        // member screen → attract after this idle time
    std::int64_t error_signout_ms = 15000;       // error screen → attract
    std::int64_t scan_screen_idle_ms = 45000;    // scan screen without a card → attract
    std::int64_t same_code_debounce_ms = 3000;   // the same text again within this is ignored
};

class KioskFlow {
public:
    KioskFlow(Transport& transport, KioskFlowOptions options = {});

    void scan(std::string_view text, ScanSource source, std::int64_t now_ms);
    void touch(std::int64_t now_ms);          // any input: keeps the session alive
    void open_scan(std::int64_t now_ms);      // "tap to start" on the attract screen
    void sign_out(std::int64_t now_ms);       // back to attract, forgetting the member
    void set_locale(i18n::Locale l, std::int64_t now_ms);
    void keypad_open(bool open, std::int64_t now_ms);
    void keypad_press(char c, std::int64_t now_ms);
    void keypad_backspace(std::int64_t now_ms);
    void keypad_submit(std::int64_t now_ms);
    void tick(std::int64_t now_ms);           // timers: idle sign-out

    const KioskState& state() const { return state_; }
    // Bumped on every visible change, so a renderer can draw only when something changed.
    std::uint64_t revision() const { return revision_; }
    // True while the camera should decode frames.
    bool wants_camera() const;

private:
    void on_reply(std::uint64_t request, TransportReply reply);
    void show_error(std::string code, std::string message);
    void changed() { ++revision_; }

    Transport& transport_;
    KioskFlowOptions options_;
    KioskState state_;
    std::uint64_t revision_ = 1;
    std::uint64_t request_ = 0;  // id of the lookup whose answer we wait for
    std::string last_text_;
    std::int64_t last_text_ms_ = 0;
};

}  // namespace kopilka::client

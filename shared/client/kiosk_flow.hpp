// The kiosk's flow as a state machine without drawing:
//
//   pairing ─code→ attract ─scan/touch→ scan ─card→ looking_up ─answer→ member | error
//   member → rewards → confirm → (outbox) → coupon
//   member → spin (ready → waiting → turning → result) ; odds one tap away on the spin screen
//   every member screen ─idle→ attract, forgetting the member
//
// The member's side (lookups, the offline cache, writes through the outbox and their
// answers) is a MemberSession (client/member_session.hpp); this file adds the screens.
// Writes (spins, redemptions) go through the outbox: stored before sending, replayed until
// the server answers; the answer is shown if the member is still there. Offline, the last
// snapshot of a card is shown marked as possibly out of date, and spins and redemptions
// say they need a connection. Time comes in as now_ms on every call, so the flow is
// deterministic under test.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "client/api.hpp"
#include "client/fair_spin.hpp"
#include "client/kiosk_config.hpp"
#include "client/member_session.hpp"
#include "client/outbox.hpp"
#include "client/scan_input.hpp"
#include "client/transport.hpp"
#include "core/i18n/locale.hpp"
#include "core/members/member_snapshot.hpp"

namespace kopilka::client {

enum class Screen : std::uint8_t {
    pairing,
    attract,
    scan,
    looking_up,
    member,
    rewards,
    confirm,
    coupon,
    spin,
    error
};
std::string_view screen_name(Screen s);

struct SpinView {
    enum class Phase : std::uint8_t { ready, waiting, turning, result };
    Phase phase = Phase::ready;
    std::optional<PrizeView> prize;    // turning and result
    std::optional<CouponView> coupon;  // a coupon prize
    std::int64_t started_ms = 0;       // turning: when the wheel started
    std::int64_t duration_ms = 0;
    std::string commitment;  // waiting: the one shown when the shopper pressed Spin
    SpinFairness fairness;   // turning and result: the answer checked
};
std::string_view spin_phase_name(SpinView::Phase p);

struct KioskState {
    Screen screen = Screen::attract;
    i18n::Locale locale = i18n::Locale::ru;
    bool paired = false;
    std::optional<KioskConfig> config;
    std::optional<members::MemberSnapshot> member;
    bool member_cached = false;        // from this kiosk's cache: may be out of date
    std::optional<FlowError> error;    // the error screen's
    std::optional<FlowError> notice;   // a message on the current screen (a refused spin, …)
    ScanSource last_source = ScanSource::camera;
    std::int64_t idle_deadline_ms = 0; // sign-out time on timed screens
    std::int64_t now_ms = 0;           // time of the last call, for countdowns
    KeypadBuffer keypad;
    bool keypad_open = false;
    std::string pairing_code;  // typed on the pairing screen (a keyboard), up to 16 characters
    bool online = true;                // the last request got an answer
    std::string reward_id;             // confirm: the chosen reward
    std::optional<CouponView> coupon;  // coupon screen
    std::optional<SpinView> spin;      // spin screen
    bool busy = false;                 // an operation is out, its answer awaited
    bool odds_open = false;
    bool reduced_motion = false;
};

// The sign-out countdown and "I'm still here" show only in the last seconds before the kiosk
// signs out: until then they would be noise on every screen.
constexpr std::int64_t countdown_shown_s = 10;
// The countdown's whole seconds as the screen shows them now; 0 while it is not shown (more
// than countdown_shown_s left, or no deadline).
std::int64_t countdown_seconds(const KioskState& s);

// Can spin / redeem now (online, a fresh snapshot, spins or points enough); the view greys
// the buttons out otherwise.
bool can_spin(const KioskState& s);
bool can_redeem(const KioskState& s, const program::Reward& r);

struct KioskFlowOptions {
    std::int64_t idle_signout_ms =
        30000;  // member screens → attract after this idle time (config overrides)
    std::int64_t error_signout_ms = 15000;       // error screen → attract
    std::int64_t scan_screen_idle_ms = 45000;    // scan screen without a card → attract
    std::int64_t same_code_debounce_ms = 3000;   // the same text again within this is ignored
    // While a lookup is answered within this, the screen stays as it was (its revision does not
    // change), so the balance is the next frame drawn; a slower one shows "looking up".
    std::int64_t lookup_quiet_ms = 300;
    std::int64_t spin_animation_ms = 4000;
    std::int64_t config_refresh_ms = 5 * 60000;  // how often the config is asked for again
    std::size_t cached_members_max = 50;         // snapshots kept for offline lookups
    std::function<std::string()>
        new_operation_id;  // 32 hex digits; must be unpredictable in production
};

class KioskFlow {
public:
  KioskFlow(Transport& transport, KioskStorage& storage, Outbox& outbox, KioskFlowOptions options);

  // Reads the stored device token and config; pairing screen when there is no token.
  void start(std::int64_t now_ms);

  void scan(std::string_view text, ScanSource source, std::int64_t now_ms);
  void touch(
      std::int64_t now_ms);  // any input: keeps the session alive (redraws only if that shows)
  void open_scan(std::int64_t now_ms);  // "tap to start" on the attract screen
  void sign_out(std::int64_t now_ms);   // back to attract, forgetting the member
  void back(std::int64_t now_ms);       // one screen up
  void set_locale(i18n::Locale l, std::int64_t now_ms);
  void keypad_open(bool open, std::int64_t now_ms);
  void keypad_press(char c, std::int64_t now_ms);
  void keypad_backspace(std::int64_t now_ms);
  void keypad_submit(std::int64_t now_ms);
  void pairing_type(char c, std::int64_t now_ms);  // letters, digits, '-'
  void pairing_backspace(std::int64_t now_ms);
  void pairing_submit(std::int64_t now_ms);
  void open_rewards(std::int64_t now_ms);
  void choose_reward(const std::string& reward_id, std::int64_t now_ms);
  void confirm_redeem(std::int64_t now_ms);
  void open_spin(std::int64_t now_ms);
  void spin(std::int64_t now_ms);
  void toggle_odds(std::int64_t now_ms);
  void set_reduced_motion(bool on, std::int64_t now_ms);
  void set_online(bool online, std::int64_t now_ms);  // the browser's online/offline events
  void tick(std::int64_t now_ms);  // timers: idle sign-out, animation, config refresh

  const KioskState& state() const { return state_; }
  // Bumped on every visible change, so a renderer can draw only when something changed.
  std::uint64_t revision() const { return revision_; }
  bool wants_camera() const;  // true while the camera should decode frames
  bool animating() const;     // true while the wheel turns: draw every frame
  // The wheel's angle now, in turns (0..n), for the renderer: eases out to the prize.
  double wheel_turns(std::int64_t now_ms) const;

private:
  void on_lookup(const LookupResult& r);
  void on_pair(TransportReply reply);
  void refresh_config(std::int64_t now_ms);
  void on_config(TransportReply reply);
  void on_operation_final(const OperationResult& r);
  void submit(const std::function<OutboxItem(const std::string& op_id)>& make, std::int64_t now_ms);
  void show_error(std::string code, std::string message);
  void keep_alive(std::int64_t now_ms);      // the idle deadline from now
  void show(std::int64_t now_ms);            // keep_alive, and the screen changed
  void set_token(const std::string& token);  // the device token for reads and writes
  void unpair();
  void show_member(const members::MemberSnapshot& m, bool cached);
  std::int64_t idle_ms() const;
  bool member_screen() const;
  void changed() { ++revision_; }

  Api api_;
  KioskStorage& storage_;
  Outbox& outbox_;
  KioskFlowOptions options_;
  MemberSession session_;
  KioskState state_;
  std::uint64_t revision_ = 1;
  std::string last_text_;
  std::int64_t last_text_ms_ = 0;
  std::int64_t lookup_shown_ms_ = 0;  // when a lookup still unanswered is shown; 0 when it is
  std::int64_t config_due_ms_ = 0;
  bool config_in_flight_ = false;
};

// The confirmations a shopper gets (a short sound if the kiosk's settings switch it on, and a
// flash of the screen's edge either way): a card read (the member screen after a screen that
// waits for a card: attract, scan, looking_up, error) and a
// win (the wheel stopping on a prize other than "nothing"). Fed every state the kiosk draws;
// each event is reported once, in the state where it happens.
enum class Feedback : std::uint8_t { none, card_read, win };
std::string_view feedback_name(Feedback f);  // "", "card_read", "win"

class FeedbackWatch {
  public:
    Feedback next(const KioskState& s);

  private:
    Screen screen_ = Screen::attract;
    SpinView::Phase phase_ = SpinView::Phase::ready;
};

}  // namespace kopilka::client

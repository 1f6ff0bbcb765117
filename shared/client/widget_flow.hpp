// The website widget's panel without drawing: what a visitor sees and can do, as state that the
// DOM renderer (web/widget/panel.js, through wasm/widget/main.cpp) shows and that tests drive.
//
//   start(merchant) → the public config (ETag; kept while the panel lives)
//   set_member_token(t) → POST /v1/widget/session → signed in: the member's snapshot
//       the session ends at the token's expiry: token_wanted() asks the page for a new one
//       (Kopilka.setMemberToken's function) a minute before, and a refused one signs out
//   open(screen) → rewards, rules, history (paged), referral, wheel
//   choose_reward → confirm → a coupon code; spin → a prize: writes through the outbox, one
//       operation id each, so a retry after no answer lands once
//
// Guests see how to earn (the rules), what rewards exist and the merchant's sign-in links.
// Time comes in as now_ms; transport, outbox and storage are the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/api.hpp"
#include "client/fair_spin.hpp"
#include "client/member_session.hpp"
#include "codec/widget_json.hpp"
#include "core/i18n/locale.hpp"

namespace kopilka::client {

enum class WidgetScreen : std::uint8_t {
    home,      // balance, tier, expiring points, rewards now (guests: how to earn)
    rewards,   // the catalogue
    confirm,   // redeem the chosen reward?
    coupon,    // the code to copy into the shop's checkout
    wheel,     // the prize wheel, its odds one click away
    referral,  // the member's link
    rules,     // the program in plain words
    history,   // the ledger, newest first, paged
};
std::string_view widget_screen_name(WidgetScreen s);
std::optional<WidgetScreen> widget_screen_from_name(std::string_view name);

enum class WidgetAuth : std::uint8_t { guest, signing_in, signed_in };

struct WidgetState {
    std::string merchant;  // the merchant's code, as the page names it
    i18n::Locale locale = i18n::Locale::en;
    bool reduced_motion = false;

    std::optional<codec::WidgetConfig> config;
    std::optional<theme::Theme> preview_theme;  // the console's draft, drawn instead of config's
    bool config_loading = false;
    std::optional<FlowError> config_error;  // the panel can't show anything but this

    WidgetAuth auth = WidgetAuth::guest;
    std::int64_t session_expires_ms = 0;
    std::optional<FlowError> auth_error;  // the last token was refused: shown once

    std::optional<members::MemberSnapshot> member;

    WidgetScreen screen = WidgetScreen::home;
    std::string reward_id;                  // confirm: the chosen reward
    std::optional<codec::CouponView> coupon;  // coupon: the last redemption's
    std::optional<codec::PrizeView> prize;    // wheel: the last spin's
    std::string spin_commitment;              // the one shown when the visitor pressed Spin
    SpinFairness fairness;                    // the last spin's answer checked
    std::int64_t spun_at_ms = 0;              // when the prize came (the wheel turns to it)
    bool odds_open = false;
    std::int64_t spin_animation_ms = 4000;    // how long the wheel turns (0: reduced motion)
    bool busy = false;                        // a write is waiting for its answer
    std::optional<FlowError> notice;          // the last action's error, until the next one

    std::optional<codec::ReferralView> referral;
    std::optional<FlowError> referral_error;
    std::vector<codec::HistoryEntryView> history;
    std::string history_next;  // the cursor for older entries; "" with history_done
    bool history_loading = false;
    bool history_done = false;

    std::uint64_t revision = 0;  // bumped on every change: the renderer redraws when it moves
};

// What a signed-in member may do now: the merchant has it on, the points or spins are there,
// and no other write is waiting.
bool widget_can_redeem(const WidgetState& s, const program::Reward& r);
bool widget_can_spin(const WidgetState& s);

struct WidgetFlowOptions {
    std::int64_t token_refresh_ms = 60000;  // ask for a new member token this long before expiry
    std::int64_t history_page = 20;
    std::int64_t spin_animation_ms = 4000;  // 0 with reduced motion
    std::function<std::string()> new_operation_id;  // 32 hex digits, unpredictable
};

class WidgetFlow {
  public:
    WidgetFlow(Transport& transport, Outbox& outbox, KioskStorage& storage,
               WidgetFlowOptions options);

    void start(const std::string& merchant, std::int64_t now_ms);
    void set_locale(i18n::Locale l);
    void set_reduced_motion(bool on);
    // The console's live preview (Kopilka.previewTheme): a draft theme instead of the
    // published one; nullopt goes back to the published.
    void set_preview_theme(std::optional<theme::Theme> t);

    // A member token from the merchant's site (minted by its backend); "" signs out.
    void set_member_token(const std::string& token, std::int64_t now_ms);
    void sign_out();
    // True while the session needs a fresh member token (none yet asked, or expiry is near).
    bool token_wanted(std::int64_t now_ms) const;

    void open(WidgetScreen s, std::int64_t now_ms);
    void back(std::int64_t now_ms);  // to home, closing what is open
    void choose_reward(const std::string& reward_id, std::int64_t now_ms);
    void confirm(std::int64_t now_ms);  // redeem the chosen reward
    void spin(std::int64_t now_ms);
    void toggle_odds();
    void more_history(std::int64_t now_ms);
    void tick(std::int64_t now_ms);  // sign-out at expiry

    const WidgetState& state() const { return state_; }

  private:
    void changed() { ++state_.revision; }
    void on_session(std::uint64_t epoch, const TransportReply& reply);
    void forget_member();
    void on_answer(const OperationResult& r);
    void load_referral();
    bool ours(std::uint64_t epoch) const { return epoch == epoch_; }

    Api api_;
    Outbox& outbox_;
    MemberSession session_;
    WidgetFlowOptions options_;
    WidgetState state_;
    std::uint64_t epoch_ = 0;  // bumped at every sign-in and sign-out: late answers are dropped
    std::int64_t token_asked_ms_ = -1;  // when a token was last handed over
    std::string config_etag_;
};

}  // namespace kopilka::client

// The words on the kiosk's current screen, localised: one source for both what Dear ImGui
// draws (shared/ui) and what the DOM text mirror gives screen readers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/i18n/catalogue.hpp"
#include "client/kiosk_flow.hpp"

namespace kopilka::client {

enum class Action : std::uint8_t {
    start, keypad, sign_out, stay, back,
    rewards, reward,        // open the catalogue; choose the reward named by ViewAction::arg
    confirm,                // confirm the chosen reward
    open_spin, spin, odds,  // the wheel
    reduced_motion,         // toggles the setting
    pair,                   // submit the typed pairing code
};
std::string_view action_name(Action a);

struct ViewAction {
    Action action;
    std::string label;
    std::string arg;       // Action::reward: the reward id
    bool enabled = true;   // shown but unavailable (offline, not enough points)
};

// The member screen's parts, for a designed layout (shared/ui draws a balance card, the notes
// and a history table from them); KioskView::lines still holds every word in reading order.
struct MemberPanel {
    std::string balance;   // "Balance: 1,250 points"
    std::string tier;      // the badge: "Silver"
    std::string tier_gap;  // "3,250 more points for Gold"
    std::string expiring;  // "100 points expire on 26 Oct 2027" ("": none): stands out
    int progress_permille = 0;
    std::vector<std::string> notes;  // what the points buy now, the next reward, spins
    std::string history_title;       // "Recent activity", "" without history
    struct Row {
        std::string date, points, reason;  // points signed: "+56", "−100"
        bool negative = false;
    };
    std::vector<Row> history;
};

// A reward on the rewards screen, drawn as a tile; `text` says all of it in one sentence (the
// reward action's label, or the DOM mirror's line where the kiosk can't redeem).
struct RewardTile {
    std::string id, name;
    std::string cost;    // "300 points"
    std::string status;  // "Enough points" or "3,750 more points needed"
    std::string text;    // "Cake — 5,000 points · 3,750 more points needed"
    std::string image;   // the merchant's picture (program::Reward::image), "" none
    bool affordable = false;
    int progress_permille = 1000;  // of the cost the member's points reach
};

struct KioskView {
    std::string banner;                      // offline / out-of-date note above everything
    std::string title;
    std::vector<std::string> lines;          // body text in reading order
    std::optional<int> progress_permille;    // tier progress bar on the member screen
    std::string progress_label;              // what the bar means, for screen readers
    std::string code;                        // a coupon code or typed text to show large
    std::vector<std::string> wheel_labels;   // spin screen: the segments, clockwise from the top
    std::vector<std::optional<theme::Rgba>> wheel_colours;  // each segment's own colour, if set
    std::vector<std::string> qr_modules;  // a coupon's QR code (CouponView::qr_modules), or empty
    std::string countdown;                   // "Signing out in 12 seconds", or empty
    std::optional<MemberPanel> member;       // the member screen's parts
    std::vector<RewardTile> rewards;         // the rewards screen's tiles (Action::reward, by id)
    std::vector<ViewAction> actions;
};

struct Branding {
    std::string name = "Kopilka";  // the merchant's name on the attract screen
    std::string attract_title;     // the theme's, "" for the catalogue's
    std::string attract_subtitle;
};

Branding branding_of(const KioskState& s);  // from the config's theme, for the current locale

KioskView compose_kiosk_view(const KioskState& s, const i18n::Catalogues& c, const Branding& b);

// Every text of the view in reading order, one per line: the DOM mirror's content.
std::string mirror_text(const KioskView& v);

}  // namespace kopilka::client

// The console's prize wheels without drawing: the merchant's wheels (GET /v1/admin/wheels), one
// of them opened into a draft (GET /v1/admin/wheels/{id}: config, version and the wheel's state)
// that the screen edits in place. After each edit the draft is encoded and decoded again by the
// codec (types, ranges, then spins::validate_wheel), so the problem the server would name
// ("prizes[2].weight") is known before anything is sent; Save (PUT with If-Match: the version)
// is refused while a problem is left, and a 412 keeps the draft and offers a reload.
//
// Beside the draft: its published odds computed by spins::wheel_odds with the wheel's state
// (stock used and budget spent, matched to the draft's prizes by id, as the server does), and
// a preview wheel that turns to a chosen segment.
//
// The list loads the published program's rewards catalogue too (GET /v1/admin/program): a
// coupon prize is for one of them, picked by name and cost rather than typed as an id. The
// campaign window is typed as UTC date-times (client/console_time.hpp) and a segment's colour
// as "#RRGGBB"; helpers below read both.
//
// ConsoleFlow owns one WheelsEditor and lends it its requests (session, 401 and 403 handling).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/console_types.hpp"
#include "client/transport.hpp"
#include "core/program/program.hpp"
#include "core/spins/odds.hpp"
#include "core/spins/wheel.hpp"
#include "core/theme/theme.hpp"

namespace kopilka::client {

struct WheelListItem {
    std::string id;
    std::int64_t version = 0;
    std::int64_t updated_at_ms = 0;
    spins::WheelConfig config;
};

// What the wheel has used up so far, as GET /v1/admin/wheels/{id} says ("state").
struct WheelUsage {
    std::map<std::string, std::int64_t> used;  // units won, by prize id
    std::int64_t spent_today = 0;              // minor units
    std::int64_t spent_campaign = 0;
};

struct WheelsEditorState {
    std::vector<WheelListItem> wheels;
    bool list_loaded = false;
    // The published program's rewards (what a coupon prize can be for), in its order.
    std::vector<program::Reward> rewards;
    bool rewards_loaded = false;  // answered, a program without rewards (or none) included
    ConsoleBusy busy{};
    std::string id;            // the open wheel, "" when none
    bool is_new = false;       // never saved: the save sends If-Match "0"
    std::int64_t version = 0;  // the saved version the draft is based on
    spins::WheelConfig draft;
    bool dirty = false;
    WheelUsage usage;
    // The draft's first problem as the codec names it ({code, message, field}), or none.
    std::optional<ConsoleError> problem;
    std::set<std::string> unreadable;   // fields whose typed text is not a number
    std::optional<ConsoleError> error;  // the server's refusal or a failure (field: where)
    bool conflict = false;              // someone else saved: reload offered, the draft kept
    std::string done;                   // "saved" right after a save
    // The draft's odds with the wheel's state; empty (no chances) while a problem is left.
    spins::WheelOdds odds;
    spins::WheelState wheel_state;  // the state matched to the draft's prizes
    // The preview: the segment it turns to, from where, since when.
    int preview_segment = -1;
    double preview_from_turns = 0;
    std::int64_t preview_started_ms = 0;
};

class WheelsEditor {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    // True when the reply was a 401/403 the flow handled; else *error set or cleared.
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    WheelsEditor(Call call, Common common, std::function<void()> changed);

    static constexpr std::int64_t preview_turn_ms = 2500;  // how long the preview turns

    void reset();  // signed out: everything forgotten
    void load_list();  // the wheels and the program's rewards
    void open(const std::string& id);  // GET the wheel into the draft
    // A new wheel with this id (checked as the server checks it): a points prize and "nothing".
    bool start_new(const std::string& id, const std::string& currency_code);
    void close();                                         // back to the list
    spins::WheelConfig& draft() { return state_.draft; }  // edited by the screen in place
    void edited();  // after each edit of draft(): validated, odds computed again
    void set_unreadable(const std::string& field, bool unreadable);
    bool can_save() const;  // dirty, nothing wrong, not busy
    void save();
    void discard();  // the draft becomes the saved wheel again (GET)

    // The preview turns to `segment` from where it is now.
    void turn_preview(int segment, std::int64_t now_ms);
    double preview_turns(std::int64_t now_ms) const;  // the preview's angle, in turns
    bool animating(std::int64_t now_ms) const;        // draw every frame while true

    const WheelsEditorState& state() const { return state_; }

  private:
    void load_rewards();
    void adopt(const std::string& body);
    void recompute();

    Call call_;
    Common common_;
    std::function<void()> changed_;
    WheelsEditorState state_;
};

// The wheel's state for `config` from its usage: stock left by prize id, today's and the
// campaign's spend.
spins::WheelState wheel_state_for(const spins::WheelConfig& config, const WheelUsage& usage);

// A new wheel's starting config in `currency`: "50 points" (weight 1) and "nothing" (weight 1),
// everything unlimited.
spins::WheelConfig new_wheel_config(const std::string& currency_code);

// One edge of the campaign window as typed: "" is no edge (nullopt in *out), "2026-12-04 18:30"
// that minute UTC, "2026-12-04" the start of that day UTC — or, for the end (end_of_day), the
// end of it. False when the text is no such date (*out untouched).
bool window_edge_from_text(const std::string& text, bool end_of_day,
                           std::optional<std::int64_t>* out);
std::string window_edge_text(const std::optional<std::int64_t>& ms);  // "" or "2026-12-04 18:30"

// A segment colour as typed: "#RRGGBB" or "RRGGBB", either case; nullopt otherwise.
std::optional<theme::Rgba> colour_from_text(const std::string& text);
std::string colour_text(const theme::Rgba& c);  // "#2E7D32"
// The colour a segment starts with when the merchant gives it one: a palette of distinct,
// saturated colours that take white labels, by the segment's index.
theme::Rgba palette_colour(std::size_t segment);

// The reward with this id in the list, null when none has it.
const program::Reward* find_reward(const std::vector<program::Reward>& rewards,
                                   const std::string& id);

}  // namespace kopilka::client

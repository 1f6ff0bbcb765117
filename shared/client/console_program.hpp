// The console's program editor without drawing: the published program (GET /v1/admin/program)
// loaded into a draft that the screen edits in place; after each edit the draft is encoded and
// decoded again by the codec (types, ranges, then program::validate_program), so the problem
// the server would name is known before anything is sent, at its field. Save (PUT
// /v1/admin/program, a new version) is refused while a problem is left.
//
// Beside the draft: a test receipt of a few lines quoted by the core for the draft and for the
// published program (the what-if), for a member of a chosen tier and segment (an attribute and
// value of one of the draft's segment rules, or none).
//
// Action bonuses are edited as rows (action, points) in the merchant's order; the draft's map
// holds the rows with a good name, and a row with an empty, long or repeated name is the
// draft's problem at bonus.action_bonuses[i].action until it is fixed or removed.
//
// Publishing: a save is a new version, in force at once or from a chosen time (UTC); versions
// waiting for their time are listed. The history lists every version (who, when, what it
// held) and reverts to one: its document published again as a new version, after an explicit
// confirmation. The simulation runs the draft and the published program over the merchant's
// receipts of the last N days on the server (nothing written).
//
// The draft survives a reload and a sign-out: it is kept in local storage (with the version
// it is based on) until it is saved or discarded, and restored when the editor loads.
//
// ConsoleFlow owns one ProgramEditor and lends it its requests (session, 401 and 403 handling).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/console_types.hpp"
#include "client/member_session.hpp"  // KioskStorage
#include "client/transport.hpp"
#include "core/program/program.hpp"
#include "core/quote/quote.hpp"

namespace kopilka::client {

// One line of the test receipt as typed: the price a decimal in the program's currency.
struct TestReceiptLine {
    std::string price = "1000.00";
    std::int64_t quantity = 1;
    std::string category = "coffee";
    std::string sku = "item-1";
};

// One action bonus as typed: "review" → 50 points.
struct ActionBonusRow {
    std::string action;
    std::int64_t points = 0;
};
inline constexpr std::size_t action_name_bytes_max = 64;

// A stored version as the history lists it.
struct ProgramVersionRow {
    std::int64_t version = 0;
    std::int64_t effective_from_ms = 0, created_at_ms = 0;
    std::string by;       // who saved it: a name or an API key's label ("" unknown)
    std::string summary;  // what it holds, in the server's words: "Points, tiers (3)"
    bool in_force = false;
};

struct ProgramHistory {
    std::vector<ProgramVersionRow> versions;  // newest first
    std::optional<std::int64_t> next_before;  // more, older than this version
    bool loaded = false;
    ConsoleBusy busy{};
    std::int64_t confirm_revert = 0;  // the version whose revert waits for a confirmation
    std::int64_t reverted_to = 0;     // the new version a revert made (shown once)
    std::optional<ConsoleError> error;
};

// What a program would have given over the period's receipts (minor units, points).
struct SimulationFigures {
    std::int64_t receipts = 0, member_receipts = 0, revenue = 0, paid = 0, discount = 0,
                 points_issued = 0, points_value = 0, cashback = 0, cost = 0, cost_share_bp = 0;
};

struct ProgramSimulation {
    std::int64_t days = 30;
    ConsoleBusy busy{};
    bool ran = false;
    bool stale = false;  // the draft changed since it ran
    std::int64_t from_ms = 0, to_ms = 0;
    SimulationFigures draft;
    std::optional<SimulationFigures> published;
    std::int64_t published_version = 0;
    std::int64_t receipts_skipped = 0;
    std::size_t approximations = 0;  // how many the server listed (their words are the texts')
    std::optional<ConsoleError> error;  // field "days" for a bad period
};

inline constexpr std::int64_t simulation_days_max = 366;

struct ProgramEditorState {
    bool loaded = false;
    std::optional<program::Program> published;  // none: the merchant has no program yet
    std::int64_t version = 0;                   // the published version the draft is based on
    program::Program draft;
    bool dirty = false;
    ConsoleBusy busy{};
    // The draft's first problem as the codec names it ({code, message, field}), or none.
    std::optional<ConsoleError> problem;
    std::set<std::string> unreadable;   // fields whose typed text is not a number
    std::optional<ConsoleError> error;  // the server's refusal or a failure (field: where)
    std::string done;                   // "saved" right after a save
    std::vector<TestReceiptLine> receipt{TestReceiptLine{}};
    std::string tier;                  // the test member's tier id ("": the first)
    // The test member's segment attribute and value ("status", "student"); "" none.
    std::string segment_attribute, segment_value;
    std::vector<ActionBonusRow> action_bonuses;  // the draft's bonus.action_bonuses as rows
    std::string receipt_field;         // the receipt's bad field ("receipt[1].price"), or ""
    std::optional<quote::Quote> draft_quote;      // none while the draft or receipt is wrong
    std::optional<quote::Quote> published_quote;  // none without a published program

    std::int64_t latest_version = 0;      // the newest stored version (a save's If-Match)
    std::int64_t effective_from_ms = 0;   // when the published version took effect
    std::vector<ProgramVersionRow> scheduled;  // versions waiting for their time, soonest first
    std::string publish_at;  // typed "2026-12-24 18:00" (UTC) for the next save; "": at once
    bool publish_at_bad = false;  // publish_at is not a time from now on
    bool restored = false;        // the draft came back from local storage
    std::int64_t saved_effective_ms = 0;  // when the version just saved takes effect
    ProgramHistory history;
    ProgramSimulation simulation;
};

class ProgramEditor {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    // True when the reply was a 401/403 the flow handled; else *error set or cleared.
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    // drafts: local storage, where an unsaved draft is kept.
    ProgramEditor(Call call, Common common, std::function<void()> changed, KioskStorage& drafts);

    void reset();  // signed out: the state forgotten (a stored draft stays for the next load)
    // The published program into the draft, or the stored draft of this merchant over it.
    void load(const std::string& currency_code, const std::string& merchant_code);
    program::Program& draft() { return state_.draft; }  // edited by the screen in place
    void edited();                 // after each edit of draft(): validated and quoted again
    void set_unreadable(const std::string& field, bool unreadable);
    std::vector<TestReceiptLine>& receipt() { return state_.receipt; }
    void set_tier(const std::string& tier_id);
    // The test member's segment ("" "": none); quoted again.
    void set_test_segment(const std::string& attribute, const std::string& value);
    // The action bonus rows, edited by the screen in place; after each edit,
    // action_bonuses_edited() writes the good rows into the draft (then as edited()).
    std::vector<ActionBonusRow>& action_bonuses() { return state_.action_bonuses; }
    void action_bonuses_edited();
    void receipt_edited();         // after each edit of receipt(): quoted again
    bool can_save() const;         // dirty, nothing wrong, not busy
    // The time the next save takes effect, as typed (UTC); "" publishes at once. now_ms: a
    // time before now is refused (publish_at_bad).
    void set_publish_at(const std::string& text, std::int64_t now_ms);
    void save();
    void discard();                // the draft becomes the published program again

    void load_history();           // the newest page
    void history_older();
    void ask_revert(std::int64_t version);  // shows the confirmation
    void cancel_revert();
    void revert_confirmed();       // that version published again, at once

    void set_simulation_days(std::int64_t days);
    void simulate();               // the draft over the last days' receipts (POST …/simulate)

    const ProgramEditorState& state() const { return state_; }

  private:
    void adopt(std::optional<program::Program> published, std::int64_t version);
    void apply_program_answer(const std::string& body);
    void validate();
    void rows_from_draft();
    void requote();
    void store_draft();
    void restore_draft();
    void load_versions(std::int64_t before);
    void reload_after_publish();

    Call call_;
    Common common_;
    std::function<void()> changed_;
    KioskStorage& drafts_;
    ProgramEditorState state_;
    std::string currency_, merchant_;
    std::int64_t publish_at_ms_ = 0;  // parsed publish_at; 0: at once
};

// Minor units as a decimal in a currency with `digits` minor digits: 150050, 2 → "1500.50".
std::string decimal_text(std::int64_t minor, int digits);
// "1500.5", "1500,50", "1500" → 150050 (digits 2); nullopt for anything else or more digits.
std::optional<std::int64_t> parse_decimal(std::string_view text, int digits);

// The rows with a good name as the program's map; *bad (if given) names the first bad row's
// field ("bonus.action_bonuses[1].action") and its code ("missing_field", "invalid_value",
// "duplicate").
std::map<std::string, std::int64_t> action_bonus_map(const std::vector<ActionBonusRow>& rows,
                                                     ConsoleError* bad = nullptr);

// The receipt's lines as the quote takes them; on a bad price *bad_field names it.
quote::Receipt test_receipt(const std::vector<TestReceiptLine>& lines, int digits,
                            std::string* bad_field);

}  // namespace kopilka::client

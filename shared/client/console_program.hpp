// The console's program editor without drawing: the published program (GET /v1/admin/program)
// loaded into a draft that the screen edits in place; after each edit the draft is encoded and
// decoded again by the codec (types, ranges, then program::validate_program), so the problem
// the server would name is known before anything is sent, at its field. Save (PUT
// /v1/admin/program, a new version) is refused while a problem is left.
//
// Beside the draft: a test receipt of a few lines quoted by the core for the draft and for the
// published program (the what-if), for a member of a chosen tier.
//
// ConsoleFlow owns one ProgramEditor and lends it its requests (session, 401 and 403 handling).
//
// Missing: effective dates, version history and revert of published programs (the server's
// routes for them are being built; see "history" in console_program.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "client/console_types.hpp"
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
    std::string receipt_field;         // the receipt's bad field ("receipt[1].price"), or ""
    std::optional<quote::Quote> draft_quote;      // none while the draft or receipt is wrong
    std::optional<quote::Quote> published_quote;  // none without a published program
};

class ProgramEditor {
  public:
    using Call = std::function<void(Request, std::function<void(TransportReply)>)>;
    // True when the reply was a 401/403 the flow handled; else *error set or cleared.
    using Common = std::function<bool(const TransportReply&, std::optional<ConsoleError>*)>;
    ProgramEditor(Call call, Common common, std::function<void()> changed);

    void reset();                                // signed out: everything forgotten
    void load(const std::string& currency_code);  // the published program into the draft
    program::Program& draft() { return state_.draft; }  // edited by the screen in place
    void edited();                 // after each edit of draft(): validated and quoted again
    void set_unreadable(const std::string& field, bool unreadable);
    std::vector<TestReceiptLine>& receipt() { return state_.receipt; }
    void set_tier(const std::string& tier_id);
    void receipt_edited();         // after each edit of receipt(): quoted again
    bool can_save() const;         // dirty, nothing wrong, not busy
    void save();
    void discard();                // the draft becomes the published program again

    const ProgramEditorState& state() const { return state_; }

  private:
    void adopt(std::optional<program::Program> published, std::int64_t version);
    void validate();
    void requote();

    Call call_;
    Common common_;
    std::function<void()> changed_;
    ProgramEditorState state_;
    std::string currency_;
};

// Minor units as a decimal in a currency with `digits` minor digits: 150050, 2 → "1500.50".
std::string decimal_text(std::int64_t minor, int digits);
// "1500.5", "1500,50", "1500" → 150050 (digits 2); nullopt for anything else or more digits.
std::optional<std::int64_t> parse_decimal(std::string_view text, int digits);

// The receipt's lines as the quote takes them; on a bad price *bad_field names it.
quote::Receipt test_receipt(const std::vector<TestReceiptLine>& lines, int digits,
                            std::string* bad_field);

}  // namespace kopilka::client

// Quoting a receipt: what a program does to one purchase by one member, line by line.
// Order (PRODUCT.md): discounts first (the best applicable rate per line wins), then
// redemption (capped at the program's share of what remains, only above the minimum order,
// never in a blackout), then earning on what was actually paid: points, cashback, stamps,
// tier progress, referral bonuses. Everything is allocated back to lines so that a return
// can claw back exactly what the returned lines earned.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/assert.hpp"
#include "core/program/program.hpp"
#include "core/tiers/tier_ladder.hpp"

namespace kopilka::quote {

struct ReceiptLine {
    std::string sku;
    std::string category;
    std::int64_t unit_price = 0;  // minor units
    std::int64_t quantity = 1;
    bool discounted = false;      // already on promotion before the program
};

struct Receipt {
    std::string id;
    std::vector<ReceiptLine> lines;
    std::int64_t at_ms = 0;
};

// What the quote needs to know about the member; the caller derives it from the ledger.
struct MemberContext {
    std::int64_t points_available = 0;
    std::int64_t spend_before = 0;          // minor units paid before this receipt (ladder)
    std::int64_t last_purchase_ms = 0;      // 0: never bought
    std::int64_t tier_qualifying = 0;       // points or spend in the current window
    std::string tier_held;                  // the tier the member holds (demotion is review_tier's)
    std::string vip_plan;                   // id of an active VIP plan, or empty
    std::map<std::string, std::string> attributes;   // "status" → "student"
    std::map<std::string, std::int64_t> stamps;      // stamps on each card before this receipt
    bool referred = false;                  // was invited and has no qualifying receipt yet
    std::int64_t inviter_referrals_this_month = 0;
};

struct QuoteOptions {
    std::int64_t redeem_points = 0;         // asked for; the quote caps it
};

enum class QuoteStatus : std::uint8_t { ok, invalid_receipt, overflow };

// One thing the quote did, for the member's eyes: a message key and its values. The rule, the
// key and the argument names are the quote's own string literals, so they are views: a quote
// gives about ten explanations and copies none of these names.
struct Explanation {
    enum class ArgKind : std::uint8_t { text, money, points, percent_bp, count };
    struct Arg {
        std::string_view name;
        ArgKind kind = ArgKind::text;
        std::int64_t value = 0;
        std::string text;
    };
    // The values, held in place (an explanation has at most three) instead of on the heap.
    class Args {
      public:
        static constexpr std::size_t max = 3;
        void push_back(Arg a) {
            KOPILKA_ASSERT(size_ < max);
            items_[size_++] = std::move(a);
        }
        const Arg* begin() const { return items_.data(); }
        const Arg* end() const { return items_.data() + size_; }
        std::size_t size() const { return size_; }
        bool empty() const { return size_ == 0; }
        const Arg& operator[](std::size_t i) const { return items_[i]; }

      private:
        std::array<Arg, max> items_;
        std::size_t size_ = 0;
    };
    // Constructors, so that making one does not first zero the whole of it (value-initialisation).
    Explanation() {}
    Explanation(std::string_view rule_name, std::string_view key_name)
        : rule(rule_name), key(key_name) {}
    std::string_view rule;  // "flat_discount", "bonus", "tiers", …
    std::string_view key;   // catalogue key, "quote.discount"
    Args args;
};

struct LineResult {
    std::int64_t gross = 0;            // unit_price × quantity
    std::int64_t discount = 0;
    std::string_view discount_rule;  // which rule gave the discount (a static name), or empty
    std::int64_t redeemed_points = 0;
    std::int64_t redeemed_money = 0;
    std::int64_t paid = 0;             // gross − discount − redeemed_money
    std::int64_t points = 0;           // earned by this line
    std::int64_t cashback = 0;
    std::map<std::string, std::int64_t> stamps;  // stamps this line earned per card
    std::int64_t tier_qualifying = 0;  // what this line added to tier progress
};

struct StampResult {
    std::int64_t before = 0;
    std::int64_t earned = 0;
    std::int64_t cards_filled = 0;     // full cards (each issues the card's reward)
    std::int64_t after = 0;            // stamps left on the card
};

struct Quote {
    QuoteStatus status = QuoteStatus::ok;
    std::string field;                 // the bad field when status != ok, "lines[2].quantity"
    std::vector<LineResult> lines;
    std::int64_t gross = 0;
    std::int64_t discount = 0;
    std::int64_t redeemed_points = 0;
    std::int64_t redeemed_money = 0;
    std::int64_t paid = 0;
    std::int64_t points_earned = 0;    // pending + available
    bool points_pending = false;       // true: they unlock at points_available_at_ms
    std::int64_t points_available_at_ms = 0;
    std::int64_t points_expire_at_ms = 0;   // 0: never
    std::int64_t cashback = 0;
    std::map<std::string, StampResult> stamps;
    std::int64_t referral_inviter_bonus = 0;
    std::int64_t referral_invitee_bonus = 0;
    int tier_before = -1;              // indexes into program.tiers->levels, -1 without tiers
    int tier_after = -1;
    tiers::TierProgress tier_progress_after;
    std::vector<Explanation> explanations;
};

constexpr std::size_t receipt_lines_max = 500;
constexpr std::int64_t line_quantity_max = 1'000'000;
// A unit price, a line's gross and a receipt's gross are at most 10^12 minor units (ten
// billion roubles). With at most 100 % earned at ×100 per line, tier and VIP (the program's
// limits), a receipt's points then stay below 10^18, so no quote of a valid program can
// overflow; the arithmetic is checked all the same.
constexpr std::int64_t receipt_gross_max = 1'000'000'000'000;

// What is wrong with a receipt the quote would refuse: the field at fault
// ("lines[2].quantity") and why, or an empty field. decode_receipt refuses the same.
struct ReceiptProblem {
    std::string field;
    std::string why;  // "makes the line's gross more than 1000000000000 minor units"
};
ReceiptProblem receipt_problem(const Receipt& receipt);

// program must be valid (validate_program); a bad receipt gives status invalid_receipt and
// the field (a price or quantity out of range, a line or receipt whose gross is above
// receipt_gross_max); nothing here throws or asserts on the receipt's content.
Quote quote_receipt(const program::Program& program, const MemberContext& member,
                    const Receipt& receipt, const QuoteOptions& options = {});

// What returning some units takes back. returned[i] units of line i are returned now;
// already[i] units of line i were returned before (empty: none). The parts of all returns of
// a line add up exactly to what the line earned.
struct ReturnResult {
    QuoteStatus status = QuoteStatus::ok;
    std::string field;
    std::int64_t money_refund = 0;        // paid money to give back
    std::int64_t points_refund = 0;       // redeemed points to give back
    std::int64_t points_clawback = 0;     // earned points to take back
    std::int64_t cashback_clawback = 0;
    std::int64_t tier_qualifying_clawback = 0;
    std::map<std::string, std::int64_t> stamps_clawback;
};

ReturnResult quote_return(const Receipt& receipt, const Quote& original,
                          const std::vector<std::int64_t>& returned,
                          const std::vector<std::int64_t>& already = {});

// The tier ladder of a program as the generic tier type (empty without tiers).
std::vector<tiers::Tier> tier_ladder(const program::Program& p);
// The index of the tier with this id in p.tiers->levels; 0 (the first tier) if none has it.
int tier_index(const program::Program& p, const std::string& id);

}  // namespace kopilka::quote

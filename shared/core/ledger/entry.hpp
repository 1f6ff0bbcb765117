// One ledger entry: an immutable fact about one member's points, double-entry.
//
// Accounts. Every entry posts to the member's account and to counter accounts of the
// merchant; the postings of each entry sum to zero, so the balances of all accounts together
// (the trial balance) are always zero. A posting's amount is the change of that account's
// balance: an earn of 100 posts member +100, issued −100. So the source accounts (issued,
// refunded) go negative as points leave them, and the sinks (redeemed, expired, clawed_back)
// grow. Reserved points sit in the merchant's `reserved` account until the reservation is
// committed (reserved → redeemed, the member's account untouched) or voided (reserved →
// member, or → expired for points whose batch expired meanwhile).
//
// Batches. Points live in batches, one per earning (earn, bonus, refund, positive adjust),
// each with its own available_at_ms and expires_at_ms. `lots` say how an entry changed the
// batches: `free` is the unspent, unheld part, `held` the part held by open reservations.
// The member's balance is the free points of all batches minus the debt (a clawback of
// points that were already spent); see ledger.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ledger/entry_id.hpp"

namespace kopilka::ledger {

enum class Reason : std::uint8_t {
    earn,      // points for a purchase
    bonus,     // welcome, birthday, action, referral: `rule` says which
    redeem,    // points spent; also a committed reservation (`reservation` set)
    reserve,   // points held for a reward's coupon
    release,   // a reservation voided: by the till, or its hold ran out (`automatic`)
    expire,    // a batch's free remainder at its expiry (`automatic`)
    clawback,  // a return takes back points the returned goods earned
    refund,    // a return gives back points that paid for the returned goods
    adjust,    // a manual correction with a note
};

enum class Account : std::uint8_t {
    member,       // the member's points: free points of all batches minus the debt
    issued,       // source of earn and bonus
    refunded,     // source of refund
    adjustments,  // source or sink of manual corrections
    redeemed,     // sink of redeem and commit
    reserved,     // points held for coupons
    expired,      // sink of expiry
    clawed_back,  // sink of clawback
};
constexpr std::size_t accounts_count = 8;

struct Posting {
    Account account = Account::member;
    std::int64_t amount = 0;  // change of the account's balance, never 0
};

struct LotMove {
    EntryId batch;          // the id of the entry that created the batch
    std::int64_t free = 0;  // change of the batch's free points
    std::int64_t held = 0;  // change of the batch's held points
};

struct Entry {
    EntryId id;  // the client's operation id, or derived (`automatic`)
    Reason reason = Reason::earn;
    bool automatic = false;            // written by the ledger as time passed, not by an operation
    std::string rule;                  // the program rule that produced it; may be empty
    std::int64_t at_ms = 0;            // when it happened (ms since the epoch)
    std::int64_t amount = 0;           // the points the operation was about, > 0; adjust: the delta
    std::string receipt_id;            // earn, bonus, redeem, clawback, refund; may be empty
    std::string note;                  // adjust: why
    std::int64_t available_at_ms = 0;  // earn, bonus: as requested (≤ at_ms: available at once)
    std::int64_t expires_at_ms = 0;    // batch-creating entries: 0 = never
    std::int64_t hold_until_ms = 0;    // reserve
    EntryId reservation;               // commit (reason redeem) and release: the reserve entry
    std::vector<Posting> postings;     // sum to zero
    std::vector<LotMove> lots;         // batch changes; a creating entry's own batch comes first
};

// True for the reasons whose entries create a batch (adjust only with a positive amount).
bool creates_batch(const Entry& e);
// The change of the member's account in this entry (0 for a commit).
std::int64_t member_delta(const Entry& e);

std::string_view reason_name(Reason r);    // "earn", "bonus", …
std::string_view account_name(Account a);  // "member", "issued", …

}  // namespace kopilka::ledger

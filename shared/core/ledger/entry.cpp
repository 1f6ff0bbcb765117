#include "core/ledger/entry.hpp"

namespace kopilka::ledger {

bool creates_batch(const Entry& e) {
    switch (e.reason) {
        case Reason::earn:
        case Reason::bonus:
        case Reason::refund:
            return true;
        case Reason::adjust:
            return e.amount > 0;
        default:
            return false;
    }
}

std::int64_t member_delta(const Entry& e) {
    // An entry posts at most once to each account.
    for (const Posting& p : e.postings) {
        if (p.account == Account::member) return p.amount;
    }
    return 0;
}

std::string_view reason_name(Reason r) {
    switch (r) {
        case Reason::earn:
            return "earn";
        case Reason::bonus:
            return "bonus";
        case Reason::redeem:
            return "redeem";
        case Reason::reserve:
            return "reserve";
        case Reason::release:
            return "release";
        case Reason::expire:
            return "expire";
        case Reason::clawback:
            return "clawback";
        case Reason::refund:
            return "refund";
        case Reason::adjust:
            return "adjust";
    }
    return "?";
}

std::string_view account_name(Account a) {
    switch (a) {
        case Account::member:
            return "member";
        case Account::issued:
            return "issued";
        case Account::refunded:
            return "refunded";
        case Account::adjustments:
            return "adjustments";
        case Account::redeemed:
            return "redeemed";
        case Account::reserved:
            return "reserved";
        case Account::expired:
            return "expired";
        case Account::clawed_back:
            return "clawed_back";
    }
    return "?";
}

}  // namespace kopilka::ledger

// Coalition settlement for one period (PRODUCT.md, mechanic 9): the partner where points were
// burned is owed `burned × clearing price` by the partners that issued points in the period,
// pro rata to what each issued. Integers only; not a kopeck is lost or invented.
//
// Rounding. The value of all burned points, burned × num / den, is rounded once as
// `rounding` says; each burner's receivable is then its exact share rounded down or up by the
// largest-remainder method so the receivables add up to that total. The obligation of issuer
// i to burner j is receivable_j × issued_i / total issued; every such amount is settled as its
// floor or its ceiling, chosen so that each burner's column adds up to its receivable exactly
// and each issuer's payable is its pro-rata share of the total rounded down or up (largest
// remainders first where the table allows it). So every pair, every payable and every
// receivable is within one minor unit of the exact value, and payables = receivables.
//
// A partner that issued and burned owes part of its own receivable to itself
// (`self_settled`); that part moves no money. Each pair's two obligations are netted into at
// most one transfer; a partner's transfers in minus out equal its `net`.
//
// Points burned in a period with nothing issued cannot be attributed: status no_issuance
// (widen the period, or settle those points by other means). Nothing burned: all zero, ok.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/money/money.hpp"

namespace kopilka::coalition {

constexpr std::size_t partners_max = 200;
constexpr std::size_t partner_id_bytes_max = 64;

struct PartnerTotals {
    std::string id;           // unique, non-empty
    std::int64_t issued = 0;  // points earned at this partner in the period, ≥ 0
    std::int64_t burned = 0;  // points redeemed at this partner in the period, ≥ 0
};

struct SettlementInput {
    std::vector<PartnerTotals> partners;
    std::int64_t clearing_price_num = 0;  // minor units…, ≥ 0
    std::int64_t clearing_price_den = 1;  // …per this many points, ≥ 1 (50/1, or 1/3)
    money::Currency currency = money::Currency::RUB;        // labels the amounts only
    money::Rounding rounding = money::Rounding::half_even;  // the total value of burned points
};

// Ordered by precedence; partner problems are found in partner order.
enum class SettlementStatus : std::uint8_t {
    ok,
    no_partners,
    too_many_partners,  // more than partners_max
    id_invalid,         // empty or longer than partner_id_bytes_max
    id_duplicate,       // bad_partner is the later of the two
    issued_negative,
    burned_negative,
    price_invalid,      // clearing_price_num < 0
    price_den_invalid,  // clearing_price_den < 1
    issued_overflow,    // total issued does not fit in int64 (bad_partner: where)
    burned_overflow,    // total burned does not fit in int64 (bad_partner: where)
    value_overflow,     // burned × clearing price does not fit in int64
    no_issuance,        // points burned, none issued (bad_partner: the first burner)
};

struct PartnerSettlement {
    std::int64_t issued = 0;
    std::int64_t burned = 0;
    std::int64_t receivable = 0;    // owed to it for what was burned there (incl. by itself)
    std::int64_t payable = 0;       // its share of all burned value, pro rata to issuance
    std::int64_t self_settled = 0;  // the part of both that it owes itself
    std::int64_t net = 0;           // receivable − payable: > 0 it is paid, < 0 it pays
};

struct Transfer {
    std::size_t payer = 0;  // index into the input partners
    std::size_t payee = 0;
    std::int64_t amount = 0;  // minor units, > 0
};

struct Settlement {
    SettlementStatus status = SettlementStatus::ok;
    std::size_t bad_partner = 0;  // for statuses about one partner
    std::int64_t total_issued = 0;
    std::int64_t total_burned = 0;
    std::int64_t total_value = 0;             // Σ receivable = Σ payable
    std::vector<PartnerSettlement> partners;  // in input order
    std::vector<Transfer> transfers;          // netted per pair, by payer then payee index
};

// Ranges, ids and price only (settle() also finds overflows and no_issuance); bad_partner,
// never null, gets the index of the partner a status is about.
SettlementStatus validate_settlement(const SettlementInput& in, std::size_t* bad_partner);
Settlement settle(const SettlementInput& in);  // validates first

// The input field a status is about, as a path: "partners[2].burned", "clearing_price_den",
// "partners"; "" for ok.
std::string settlement_status_field(SettlementStatus s, std::size_t bad_partner);
std::string_view settlement_status_name(SettlementStatus s);  // "id_duplicate"

}  // namespace kopilka::coalition

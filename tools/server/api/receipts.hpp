// POST /v1/receipts: the till posts a receipt for a member; the server quotes it with the
// merchant's program (shared/core), writes what it earned and spent to the member's ledger
// and answers the quote and the member's new snapshot — all in one member-locked transaction.
// Idempotent by the client's operation_id: a replay gets the original answer; the same id
// with other content is refused naming the first field that differs.
#pragma once

#include <cstdint>
#include <string>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

ApiResult post_receipt(Store& store, const Caller& caller, const std::string& body,
                       std::int64_t now_ms);

// The JSON path of the first place where a and b differ ("" when equal).
std::string first_difference(const codec::Json& a, const codec::Json& b,
                             const std::string& path = "");

}  // namespace kopilka::server

// POST /v1/returns: the till returns units of a posted receipt. shared/core works out what
// the returned units earned and what points paid for them; the server claws back the
// earned points (the balance may go below zero only this way), refunds the spent ones,
// lowers tier progress and spend, all in the member's transaction, idempotent by
// operation_id like receipts.
#pragma once

#include "api/receipts.hpp"

namespace kopilka::server {

ApiResult post_return(Store& store, const Caller& caller, const std::string& body,
                      std::int64_t now_ms);

}  // namespace kopilka::server

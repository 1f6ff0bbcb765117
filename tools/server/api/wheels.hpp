// The console's prize wheels: documents of kind "wheel" in shared/codec/wheel_json's format,
// validated by spins::validate_wheel (errors name the prize field), with their shared state.
//
//   PUT /v1/admin/wheels/{id}  (admin)  <wheel JSON>  → 200 {"id", "version", "wheel", "odds",
//   "state"}
//       400 naming the field ("prizes[2].weight"; a coupon prize's reward_id must be one of the
//       program's rewards); the state (stock used, budgets spent) carries over to the new version
//   GET /v1/admin/wheels/{id}  (admin)  → 200 {"id", "version", "updated_at_ms", "wheel", "odds",
//   "state"}; 404 field id GET /v1/admin/wheels       (admin)  → 200 {"wheels": [{"id", "version",
//   "updated_at_ms", "wheel"}…]}
// "odds" is encode_odds of the current state; "state" is wheel_state_json.
#pragma once

#include <cstdint>
#include <string>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

// if_version: the If-Match version (nullopt: none; 0: the wheel must not exist yet).
ApiResult put_wheel(Store& store, const Caller& caller, const std::string& wheel_id,
                    const codec::Json& body, std::optional<std::int64_t> if_version,
                    std::int64_t now_ms);
ApiResult get_wheel(Store& store, const Caller& caller, const std::string& wheel_id,
                    std::int64_t now_ms);
ApiResult get_wheels(Store& store, const Caller& caller);

}  // namespace kopilka::server

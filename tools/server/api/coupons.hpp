// Reward coupons (PRODUCT.md, mechanic 10): a member redeems a reward at the kiosk, which
// reserves its cost in the ledger until the coupon expires and issues a single-use code
// (core/cards/coupon_code.hpp); the till redeems the code once, which commits the reservation.
// A coupon redeemed after its expiry is refused and its reservation voided, so the points come
// back. Coupons won on the wheel (source "spin") reserve nothing.
//
//   POST /v1/kiosk/redeem    (device)  {"operation_id", "member": {"id"}, "reward_id"}
//                            → 201 {"operation_id", "coupon", "member"}
//   POST /v1/coupons/redeem  (till, admin)  {"operation_id", "code", "receipt_id"?}
//                            → 200 {"operation_id", "coupon", "reward"}
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/member_lookup.hpp"
#include "core/ledger/entry_id.hpp"
#include "core/program/program.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

// A new coupon for the reward (its validity from the program, the default when the program no
// longer has it); key is the reservation's id, or for a prize any id unique to the spin.
CouponRecord issue_coupon(const MerchantRecord& merchant, const program::Program& p,
                          const std::string& member_id, const std::string& reward_id,
                          const char* source, const ledger::EntryId& key, bool reserved,
                          std::int64_t points, const std::string& op_hex, std::int64_t now_ms);

// The QR code of text as rows of modules, top to bottom: one string of '0' (light) and '1'
// (dark) per row, quiet zone excluded (ZXing-cpp's writer). Empty when text can't be encoded.
std::vector<std::string> qr_modules(const std::string& text);

// The coupon as codec::encode_coupon writes it, with the program's reward.
codec::Json coupon_json(const CouponRecord& c, const program::Program& p);

ApiResult post_kiosk_redeem(Store& store, const Caller& caller, const codec::Json& body,
                            std::int64_t now_ms);
ApiResult post_coupon_redeem(Store& store, const Caller& caller, const codec::Json& body,
                             std::int64_t now_ms);

}  // namespace kopilka::server

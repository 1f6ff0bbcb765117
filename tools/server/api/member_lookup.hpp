// POST /v1/members/lookup (and GET ?code=): the member snapshot for a scanned card code.
#pragma once

#include <cstdint>
#include <string>

#include "codec/decode.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

struct ApiResult {
    int status = 200;
    codec::Json body;
    std::string merchant_id;  // for the request log, when known
};

// Who is asking, once their credential checked out.
struct Caller {
    std::string merchant_id;
    std::string role;       // "admin", "till", "device"
    std::string device_id;  // role "device": the paired kiosk
};

// device: the paired kiosk asking (which may also look members up by card number or phone),
// or nullptr for an anonymous caller (card QR with its MAC only).
ApiResult lookup_member(Store& store, const std::string& code_text, const Caller* device,
                        std::int64_t now_ms);

// GET /v1/me for the website widget: the member named by a member token that the merchant's
// own site minted (auth/member_token.hpp) with the merchant's member-token secret.
ApiResult me(Store& store, const std::string& token, std::int64_t now_ms);

// The merchant's member-token secret, derived from its card secret so there is one master
// secret to keep (and rotate). `kopilka member-token-secret` shows it to the merchant.
std::string member_token_secret(const std::string& card_secret);

// The snapshot answer for a known member; spins_available counts the spins left on wheel_id
// ("": the kiosk's active wheel).
ApiResult member_answer(Store& store, const MerchantRecord& merchant, const MemberRecord& member,
                        std::int64_t now_ms, const std::string& wheel_id = "");

}  // namespace kopilka::server

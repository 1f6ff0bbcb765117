// POST /v1/members/lookup (and GET ?code=): the member snapshot for a scanned card code.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "codec/decode.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

struct ApiResult {
    int status = 200;
    codec::Json body;
    std::string merchant_id;  // for the request log, when known
    // The body as JSON text, when the handler wrote it straight (then `body` is null): the
    // lookup's answer, the most frequent of all.
    std::string text = {};
};

// Who is asking, once their credential checked out.
struct Caller {
    std::string merchant_id;
    // "admin", "till", "device"; on the console's routes (RouteContext::admin) the staff role:
    // "owner", "manager", "support" or "viewer" (an admin API key counts as "owner").
    std::string role;
    std::string device_id;  // role "device": the paired kiosk
    // A console caller, for the audit log: a signed-in user or an admin API key.
    std::string actor_kind;   // "user" or "key"
    std::string actor_id;     // the user's id or the key's id
    std::string actor_label;  // the user's email, "API key <id>"
    std::string address;      // the client's address, as the rate limits see it
    std::string session_id;   // a signed-in user's session
};

// A lookup's answer: called once with a function that makes it (and may throw, as a handler
// may), on the thread that read the member (perhaps another, after lookup_member returned).
// Must not throw.
using LookupAnswer = std::function<void(const std::function<ApiResult()>& result)>;

// The member a code names, given to answer. device: the paired kiosk asking (which may also
// look members up by card number or phone), or nullptr for an anonymous caller (card QR with
// its MAC only). What throws before answer is called is thrown from here; answer is not called
// then.
void lookup_member(Store& store, const std::string& code_text, const Caller* device,
                   std::int64_t now_ms, const LookupAnswer& answer);

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

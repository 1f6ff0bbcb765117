// Kiosk pairing and devices (ARCHITECTURE.md, Auth): the console asks for a pairing code, the
// kiosk exchanges it once for a device token, the console lists and revokes devices. Codes and
// tokens are stored only as hashes (auth/credentials.hpp).
//
//   POST /v1/admin/devices/pairing-codes  (admin)  {"name"}  → 201 {"code": "XXXX-XXXX",
//   "expires_at_ms", "name"} GET  /v1/admin/devices                (admin)            → 200
//   {"devices": [Device…]} POST /v1/admin/devices/{id}/revoke    (admin)            → 200
//   {"device": Device}; 404 field id POST /v1/devices/pair                 (anonymous)  {"code"} →
//   201 {"device_id", "token", "name", "merchant": {code, name}}
//        400 malformed, 404 wrong_code, 409 already_used, 410 expired (all field "code")
// Device: {"id", "name", "paired_at_ms", "revoked_at_ms"} (revoked_at_ms 0 while in force).
//
// Missing: pairing codes and revocations are not idempotent by operation id (the code is shown
// once and only its hash is stored, so a replay could not answer it again; revoking twice is
// harmless).
#pragma once

#include <cstdint>
#include <string>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

ApiResult post_pairing_code(Store& store, const Caller& caller, const codec::Json& body,
                            std::int64_t now_ms);
ApiResult get_devices(Store& store, const Caller& caller);
ApiResult post_revoke_device(Store& store, const Caller& caller, const std::string& device_id,
                             std::int64_t now_ms);
// The caller is anonymous: the route rate-limits every attempt by address before calling this.
ApiResult post_pair(Store& store, const codec::Json& body, std::int64_t now_ms);

}  // namespace kopilka::server

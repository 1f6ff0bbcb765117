// Kiosk pairing and devices (ARCHITECTURE.md, Auth): the console asks for a pairing code, the
// kiosk exchanges it once for a device token, the console lists, renames, sets up and revokes
// devices. Codes and tokens are stored only as hashes (auth/credentials.hpp). A kiosk's
// requests record when it was last seen and its app version (Kopilka-App-Version), written at
// most once a minute (device_seen_write_ms) unless the version changed.
//
//   PUT  /v1/admin/devices/{id}  {"name", "settings": {"idle_seconds": null|N, "wheel",
//        "redeem"}} (If-Match)  → 200 Device
//   Device (GET /v1/admin/devices): also "created_at_ms", "last_seen_ms", "app_version",
//   "online" (seen within device_online_ms), "revoked", "settings", "version".
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
constexpr std::int64_t device_online_ms = 120'000;
constexpr std::int64_t device_seen_write_ms = 60'000;
constexpr std::size_t app_version_bytes_max = 32;

// What the console sets for one kiosk; the kiosk config carries it (api/kiosk_config.hpp), and
// the kiosk's spins and redemptions are refused (403 wheel_off, redeem_off) when switched off.
struct DeviceSettings {
    std::int64_t idle_seconds = 0;  // 0: the merchant's kiosk settings' idle_seconds
    bool wheel = true;              // the prize wheel on this kiosk
    bool redeem = true;             // redeeming rewards on this kiosk
    bool sound = false;             // a short sound on a read card and on a win
};
DeviceSettings device_settings(const DeviceRecord& d);  // defaults when unreadable

ApiResult get_devices(Store& store, const Caller& caller, std::int64_t now_ms);
ApiResult put_device(Store& store, const Caller& caller, const std::string& device_id,
                     const codec::Json& body, std::optional<std::int64_t> if_version,
                     std::int64_t now_ms);
// After a kiosk's request: records it (and the app version it reported) when the stored
// record is a minute old or says another version.
void note_device_seen(Store& store, const DeviceRecord& d, const std::string& app_version,
                      std::int64_t now_ms);
ApiResult post_revoke_device(Store& store, const Caller& caller, const std::string& device_id,
                             std::int64_t now_ms);
// The caller is anonymous: the route rate-limits every attempt by address before calling this.
ApiResult post_pair(Store& store, const codec::Json& body, std::int64_t now_ms);

}  // namespace kopilka::server

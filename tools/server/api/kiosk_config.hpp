// The kiosk's configuration: the merchant's kiosk settings (a document of kind "kiosk", id
// "settings": {"theme_id", "wheel_id", "idle_seconds"}) and what GET /v1/kiosk/config sends a
// paired kiosk — merchant, program, rewards, theme, the active wheel with its odds, settings —
// with a strong ETag so a kiosk polling for changes gets 304 while nothing changed.
#pragma once

#include <cstdint>
#include <string>

#include "api/member_lookup.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

constexpr std::int64_t idle_seconds_default = 30;
constexpr std::int64_t idle_seconds_min = 5;
constexpr std::int64_t idle_seconds_max = 600;

struct KioskSettings {
    std::string theme_id;  // "" when none is chosen
    std::string wheel_id;  // "" when the kiosk shows no wheel
    std::int64_t idle_seconds = idle_seconds_default;  // sign-out after this long without a touch
    std::int64_t version = 0;  // of the stored document; 0 when nothing is stored (the defaults)
};

KioskSettings load_kiosk_settings(Store& store, const std::string& merchant_id);
codec::Json kiosk_settings_json(const KioskSettings& s);

// GET and PUT /v1/admin/kiosk-settings. PUT checks that the theme and wheel exist.
ApiResult get_kiosk_settings(Store& store, const Caller& caller);
ApiResult put_kiosk_settings(Store& store, const Caller& caller, const codec::Json& body,
                             std::int64_t now_ms);

// GET /v1/kiosk/config: the body; *etag is its strong entity tag ("\"<32 hex>\"").
ApiResult kiosk_config(Store& store, const Caller& caller, std::int64_t now_ms, std::string* etag);

}  // namespace kopilka::server

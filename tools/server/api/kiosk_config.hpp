// The kiosk's configuration: the merchant's kiosk settings (a document of kind "kiosk", id
// "settings": {"theme_id", "wheel_id", "idle_seconds"}) and what GET /v1/kiosk/config sends a
// paired kiosk — merchant, program, rewards, theme, the active wheel with its odds, settings —
// with a strong ETag so a kiosk polling for changes gets 304 while nothing changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "codec/kiosk_json.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

using codec::KioskSettings;

KioskSettings load_kiosk_settings(Store& store, const std::string& merchant_id);
// The merchant's stored theme with this id; nullopt when there is none or it doesn't decode.
std::optional<theme::Theme> load_theme(Store& store, const std::string& merchant_id,
                                       const std::string& id);
// The theme kiosks and the widget show: the published version (POST
// /v1/admin/themes/{id}/publish) when the merchant published one, else the latest version of
// fallback_id (the kiosk's or widget's settings' theme_id; "": none), as before publishing
// existed. Saving a theme changes nothing live once a version is published.
std::optional<theme::Theme> live_theme(Store& store, const std::string& merchant_id,
                                       const std::string& fallback_id);
// The published theme {"theme_id", "version"}; nullopt when none is.
std::optional<codec::Json> published_theme(Store& store, const std::string& merchant_id);
// A config's strong ETag ("\"<32 hex>\""): a hash of the body without "version", which is
// then set to the tag without quotes, for clients that cache the body without its headers.
std::string stamp_version(codec::Json* body);

// GET and PUT /v1/admin/kiosk-settings. PUT checks that the theme and wheel exist.
ApiResult get_kiosk_settings(Store& store, const Caller& caller);
ApiResult put_kiosk_settings(Store& store, const Caller& caller, const codec::Json& body,
                             std::optional<std::int64_t> if_version,
                             std::int64_t now_ms);

// GET /v1/kiosk/config: the body; *etag is its strong entity tag ("\"<32 hex>\"").
ApiResult kiosk_config(Store& store, const Caller& caller, std::int64_t now_ms, std::string* etag);

}  // namespace kopilka::server

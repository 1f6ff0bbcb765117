#include "api/kiosk_config.hpp"

#include "api/decoded_documents.hpp"
#include "api/devices.hpp"
#include "api/kiosk_write.hpp"
#include "api/staff.hpp"
#include "api/wheel_state.hpp"
#include "codec/program_json.hpp"
#include "codec/theme_json.hpp"
#include "core/crypto/sha256.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr std::size_t etag_bytes = 16;

std::optional<theme::Theme> decode_stored_theme(const std::optional<DocumentRecord>& d) {
    const auto t = d ? decode_document<theme::Theme>(*d, codec::decode_theme) : nullptr;
    return t ? std::optional(*t) : std::nullopt;
}
}  // namespace

std::optional<theme::Theme> load_theme(Store& store, const std::string& merchant_id,
                                       const std::string& id) {
    return decode_stored_theme(store.document(merchant_id, "theme", id));
}

std::optional<Json> published_theme(Store& store, const std::string& merchant_id) {
    const auto d = store.document(merchant_id, "publication", "theme");
    if (!d) return std::nullopt;
    Json j = Json::parse(d->document, nullptr, false);
    if (!j.is_object() || !j.contains("theme_id") || !j.contains("version")) return std::nullopt;
    return j;
}

std::optional<theme::Theme> live_theme(Store& store, const std::string& merchant_id,
                                       const std::string& fallback_id) {
    if (const auto p = published_theme(store, merchant_id)) {
        const auto v = store.document_versions(merchant_id, "theme", (*p)["theme_id"],
                                               (*p)["version"].get<std::int64_t>());
        return decode_stored_theme(v.empty() ? std::nullopt : std::optional(v[0]));
    }
    if (fallback_id.empty()) return std::nullopt;
    return load_theme(store, merchant_id, fallback_id);
}

std::string stamp_version(Json* body) {
    body->erase("version");
    const crypto::Digest d = crypto::sha256(body->dump());
    const std::string version = crypto::to_hex(d.data(), etag_bytes);
    (*body)["version"] = version;
    return "\"" + version + "\"";
}

KioskSettings load_kiosk_settings(Store& store, const std::string& merchant_id) {
    const auto d = store.document(merchant_id, "kiosk", "settings");
    if (!d) return KioskSettings{};
    const auto s = decode_document<KioskSettings>(
        *d, [](const Json& j) { return codec::decode_kiosk_settings(j, "", true); });
    if (!s) return KioskSettings{};  // written by us: never happens
    KioskSettings out = *s;
    out.version = d->version;
    return out;
}

ApiResult get_kiosk_settings(Store& store, const Caller& caller) {
    return {200,
            Json{{"settings",
                  codec::encode_kiosk_settings(load_kiosk_settings(store, caller.merchant_id))}},
            caller.merchant_id};
}

ApiResult put_kiosk_settings(Store& store, const Caller& caller, const Json& body,
                             std::optional<std::int64_t> if_version,
                             std::int64_t now_ms) {
    const auto decoded = codec::decode_kiosk_settings(body, "", true);
    if (!decoded.ok()) return bad_request(decoded.error);
    KioskSettings s = *decoded.value;
    ApiResult refused;
    if (!s.theme_id.empty() && !store.document(caller.merchant_id, "theme", s.theme_id))
        refused =
            api_error(400, "invalid_value", "theme_id names no theme of this merchant", "theme_id");
    else if (!s.wheel_id.empty() && !load_wheel(store, caller.merchant_id, s.wheel_id))
        refused =
            api_error(400, "invalid_value", "wheel_id names no wheel of this merchant", "wheel_id");
    if (refused.status != 200) {
        refused.merchant_id = caller.merchant_id;
        return refused;
    }
    Json stored = codec::encode_kiosk_settings(s);
    stored.erase("version");  // the store numbers versions
    try {
        s.version = store.put_document(
            {caller.merchant_id, "kiosk", "settings", 0, stored.dump(), now_ms}, now_ms,
            audited(caller, "kiosk_settings.save", "settings",
                    stored_document(store, caller.merchant_id, "kiosk", "settings"), stored,
                    now_ms, if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200, Json{{"settings", codec::encode_kiosk_settings(s)}}, caller.merchant_id};
}

ApiResult kiosk_config(Store& store, const Caller& caller, std::int64_t now_ms, std::string* etag) {
    const auto merchant = store.merchant_by_id(caller.merchant_id);
    ApiResult no_program;
    std::int64_t program_version = 0;
    const auto program =
        usable_program(store, caller.merchant_id, now_ms, &no_program, &program_version);
    if (!program) return no_program;
    if (!merchant)
        return {500, codec::error_json("internal", "the merchant's record can't be read"),
                caller.merchant_id};
    codec::KioskConfig c;
    c.merchant_code = merchant->code;
    c.merchant_name = merchant->name;
    c.currency = program->currency;  // the merchant's, checked when the program was published
    c.device_id = caller.device_id;
    // The rewards' pictures come once, with c.rewards (the tiles); the program quotes without.
    c.program = codec::encode_program(*program, codec::Pictures::left_out);
    c.program_version = program_version;
    c.rewards = program->rewards;
    c.settings = load_kiosk_settings(store, caller.merchant_id);
    const auto device = store.device(caller.device_id);
    const DeviceSettings own = device ? device_settings(*device) : DeviceSettings{};
    c.device_name = device ? device->name : "";
    c.device_wheel = own.wheel;
    c.device_redeem = own.redeem;
    c.device_sound = own.sound;
    if (own.idle_seconds) c.settings.idle_seconds = own.idle_seconds;
    if (!c.settings.theme_id.empty() || published_theme(store, caller.merchant_id)) {
        const auto theme = live_theme(store, caller.merchant_id, c.settings.theme_id);
        if (!theme)
            return {500, codec::error_json("internal", "the kiosk's theme can't be read"),
                    caller.merchant_id};
        c.theme = *theme;
        c.has_theme = true;
    }
    if (const auto w = own.wheel ? active_wheel(store, caller.merchant_id) : std::nullopt) {
        const WheelLedger shared =
            decode_wheel_ledger(store.shared_state(caller.merchant_id, "wheel", w->id));
        c.wheel = kiosk_wheel_view(*w, wheel_state(w->config, shared, now_ms));
    }
    Json body = codec::encode_kiosk_config(c);
    *etag = stamp_version(&body);  // the tag covers everything the kiosk draws
    return {200, std::move(body), caller.merchant_id};
}

}  // namespace kopilka::server

#include "api/kiosk_config.hpp"

#include "api/kiosk_write.hpp"
#include "api/wheel_state.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "core/crypto/sha256.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr std::size_t etag_bytes = 16;
constexpr std::size_t theme_id_bytes_max = 64;  // what the console's theme routes accept

Json id_or_null(const std::string& id) {
    return id.empty() ? Json(nullptr) : Json(id);
}

// The stored JSON of a document, null when there is none.
Json document_json(Store& store, const std::string& merchant_id, const char* kind,
                   const std::string& id) {
    if (id.empty()) return nullptr;
    const auto d = store.document(merchant_id, kind, id);
    return d ? Json::parse(d->document, nullptr, false) : Json(nullptr);
}

bool read_settings(const Json& body, KioskSettings* s, codec::DecodeError* e) {
    Json j = body;
    if (j.is_object())  // null means "none", the same as leaving the key out
        for (const char* key : {"theme_id", "wheel_id"})
            if (j.contains(key) && j[key].is_null()) j.erase(key);
    codec::ObjectReader r(j, "", e);
    r.optional_text("theme_id", &s->theme_id, theme_id_bytes_max);
    r.optional_text("wheel_id", &s->wheel_id, wheel_id_bytes_max);
    r.optional_integer("idle_seconds", &s->idle_seconds, idle_seconds_min, idle_seconds_max);
    r.reject_unknown({"theme_id", "wheel_id", "idle_seconds"});
    return r.ok();
}
}  // namespace

KioskSettings load_kiosk_settings(Store& store, const std::string& merchant_id) {
    KioskSettings s;
    const auto d = store.document(merchant_id, "kiosk", "settings");
    if (!d) return s;
    codec::DecodeError e;
    const auto j = codec::parse_json(d->document, &e);
    if (!j || !read_settings(*j, &s, &e)) return KioskSettings{};  // written by us: never happens
    s.version = d->version;
    return s;
}

Json kiosk_settings_json(const KioskSettings& s) {
    return Json{{"theme_id", id_or_null(s.theme_id)},
                {"wheel_id", id_or_null(s.wheel_id)},
                {"idle_seconds", s.idle_seconds},
                {"version", s.version}};
}

ApiResult get_kiosk_settings(Store& store, const Caller& caller) {
    return {200,
            Json{{"settings", kiosk_settings_json(load_kiosk_settings(store, caller.merchant_id))}},
            caller.merchant_id};
}

ApiResult put_kiosk_settings(Store& store, const Caller& caller, const Json& body,
                             std::int64_t now_ms) {
    KioskSettings s;
    codec::DecodeError e;
    if (!read_settings(body, &s, &e)) return bad_request(e);
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
    const Json stored = {{"theme_id", id_or_null(s.theme_id)}, {"wheel_id", id_or_null(s.wheel_id)},
                         {"idle_seconds", s.idle_seconds}};
    s.version = store.put_document(
        {caller.merchant_id, "kiosk", "settings", 0, stored.dump(), now_ms}, now_ms);
    return {200, Json{{"settings", kiosk_settings_json(s)}}, caller.merchant_id};
}

ApiResult kiosk_config(Store& store, const Caller& caller, std::int64_t now_ms, std::string* etag) {
    const auto merchant = store.merchant_by_id(caller.merchant_id);
    const auto program_record = store.current_program(caller.merchant_id);
    ApiResult no_program;
    const auto program = usable_program(store, caller.merchant_id, &no_program);
    if (!program) return no_program;
    if (!merchant || !program_record)
        return {500, codec::error_json("internal", "the merchant's record can't be read"),
                caller.merchant_id};
    const KioskSettings settings = load_kiosk_settings(store, caller.merchant_id);
    Json wheel = nullptr;
    if (const auto w = active_wheel(store, caller.merchant_id)) {
        const WheelLedger shared =
            decode_wheel_ledger(store.shared_state(caller.merchant_id, "wheel", w->id));
        wheel = kiosk_wheel_json(*w, wheel_state(w->config, shared, now_ms));
    }
    const Json encoded = codec::encode_program(*program);
    Json body = {
        {"merchant",
         {{"code", merchant->code}, {"name", merchant->name}, {"currency", merchant->currency}}},
        {"device", {{"id", caller.device_id}}},
        {"program", Json::parse(program_record->document, nullptr, false)},
        {"program_version", program_record->version},
        {"rewards", encoded.contains("rewards") ? encoded["rewards"] : Json::array()},
        {"theme", document_json(store, caller.merchant_id, "theme", settings.theme_id)},
        {"wheel", wheel},
        {"settings", kiosk_settings_json(settings)}};
    // The tag covers everything the kiosk draws; "version" repeats it for clients that cache
    // the body without its headers.
    const crypto::Digest d = crypto::sha256(body.dump());
    const std::string version = crypto::to_hex(d.data(), etag_bytes);
    body["version"] = version;
    *etag = "\"" + version + "\"";
    return {200, std::move(body), caller.merchant_id};
}

}  // namespace kopilka::server

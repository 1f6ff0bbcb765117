#include "api/devices.hpp"

#include "api/kiosk_write.hpp"
#include "api/staff.hpp"
#include "auth/credentials.hpp"
#include "codec/kiosk_json.hpp"
#include "codec/object_reader.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr std::size_t device_name_bytes_max = 64;

Json settings_json(const DeviceSettings& s) {
    return Json{{"idle_seconds", s.idle_seconds ? Json(s.idle_seconds) : Json(nullptr)},
                {"wheel", s.wheel},
                {"redeem", s.redeem},
                {"sound", s.sound}};
}

// settings as PUT sends them, over *out (what is stored); false with *e naming the field.
bool read_settings(const Json& j, DeviceSettings* out, codec::DecodeError* e) {
    codec::ObjectReader r(j, "settings", e);
    if (r.has("idle_seconds") && r.at("idle_seconds").is_null())
        out->idle_seconds = 0;
    else
        r.optional_integer("idle_seconds", &out->idle_seconds, codec::idle_seconds_min,
                           codec::idle_seconds_max);
    r.optional_flag("wheel", &out->wheel);
    r.optional_flag("redeem", &out->redeem);
    r.optional_flag("sound", &out->sound);
    r.reject_unknown({"idle_seconds", "wheel", "redeem", "sound"});
    return r.ok();
}

Json device_json(const DeviceRecord& d, std::int64_t now_ms) {
    return Json{{"id", d.device_id},
                {"name", d.name},
                {"created_at_ms", d.paired_at_ms},
                {"paired_at_ms", d.paired_at_ms},
                {"last_seen_ms", d.last_seen_ms},
                {"app_version", d.app_version},
                {"online", d.revoked_at_ms == 0 && d.last_seen_ms > 0 &&
                               now_ms - d.last_seen_ms < device_online_ms},
                {"revoked", d.revoked_at_ms != 0},
                {"revoked_at_ms", d.revoked_at_ms},
                {"settings", settings_json(device_settings(d))},
                {"version", d.version}};
}

ApiResult no_device(const Caller& caller) {
    ApiResult r = api_error(404, "not_found", "no device has this id", "id");
    r.merchant_id = caller.merchant_id;
    return r;
}

ApiResult pairing_refused(auth::PairingStatus s) {
    switch (s) {
        case auth::PairingStatus::malformed:
            return api_error(400, "malformed",
                             "code is not a pairing code (8 characters, XXXX-XXXX)", "code");
        case auth::PairingStatus::wrong_code:
            return api_error(404, "wrong_code", "no kiosk is waiting to pair with this code",
                             "code");
        case auth::PairingStatus::already_used:
            return api_error(
                409, "already_used",
                "this pairing code has paired a kiosk already; ask the console for a new one",
                "code");
        case auth::PairingStatus::expired:
            return api_error(410, "expired",
                             "this pairing code expired; ask the console for a new one", "code");
        case auth::PairingStatus::ok:
            break;
    }
    return api_error(500, "internal", "pairing failed", "code");
}

// Where a stored pairing stands for the code typed: ok, already_used or expired.
auth::PairingStatus pairing_status(const PairingRecord& p, const std::string& typed,
                                   std::int64_t now_ms) {
    return auth::verify_pairing_code({p.code_hash_hex, p.expires_at_ms, p.used_at_ms != 0}, typed,
                                     now_ms);
}
}  // namespace

ApiResult post_pairing_code(Store& store, const Caller& caller, const Json& body,
                            std::int64_t now_ms) {
    std::string name;
    codec::DecodeError e;
    codec::ObjectReader r(body, "", &e);
    r.text("name", &name, device_name_bytes_max);
    r.reject_unknown({"name"});
    if (!r.ok()) return bad_request(e);
    const auth::NewPairingCode code =
        auth::generate_pairing_code(auth::random_device_bytes, now_ms);
    store.put_pairing({caller.merchant_id, code.stored.code_hash_hex, name, now_ms,
                       code.stored.expires_ms, 0, ""},
                      audited(caller, "device.pair_code", name, nullptr,
                              Json{{"name", name}, {"expires_at_ms", code.stored.expires_ms}},
                              now_ms));
    return {201,
            Json{{"code", code.code}, {"expires_at_ms", code.stored.expires_ms}, {"name", name}},
            caller.merchant_id};
}

DeviceSettings device_settings(const DeviceRecord& d) {
    DeviceSettings s;
    codec::DecodeError e;
    const auto j = codec::parse_json(d.settings, &e);
    DeviceSettings read = s;
    return j && read_settings(*j, &read, &e) ? read : s;
}

void note_device_seen(Store& store, const DeviceRecord& d, const std::string& app_version,
                      std::int64_t now_ms) {
    std::string v = app_version.substr(0, app_version_bytes_max);
    for (char& c : v)
        if (c < ' ' || c > '~') c = '?';
    if (now_ms - d.last_seen_ms < device_seen_write_ms && v == d.app_version) return;
    store.device_seen(d.merchant_id, d.device_id, now_ms, v);
}

ApiResult get_devices(Store& store, const Caller& caller, std::int64_t now_ms) {
    Json devices = Json::array();
    for (const auto& d : store.devices(caller.merchant_id))
        devices.push_back(device_json(d, now_ms));
    return {200, Json{{"devices", devices}}, caller.merchant_id};
}

ApiResult put_device(Store& store, const Caller& caller, const std::string& device_id,
                     const Json& body, std::optional<std::int64_t> if_version,
                     std::int64_t now_ms) {
    const auto d = store.device(device_id);
    if (!d || d->merchant_id != caller.merchant_id) return no_device(caller);
    DeviceRecord updated = *d;
    DeviceSettings s = device_settings(*d);
    codec::DecodeError e;
    codec::ObjectReader r(body, "", &e);
    r.optional_text("name", &updated.name, device_name_bytes_max);
    if (r.ok() && r.has("settings")) read_settings(r.at("settings"), &s, &e);
    r.reject_unknown({"name", "settings"});
    if (!e.code.empty()) return bad_request(e);
    updated.settings = settings_json(s).dump();
    const bool renamed = updated.name != d->name;
    const Json before{{"name", d->name}, {"settings", settings_json(device_settings(*d))}};
    const Json after{{"name", updated.name}, {"settings", settings_json(s)}};
    try {
        if (!store.update_device(updated, audited(caller, renamed ? "device.rename"
                                                                  : "device.settings",
                                                  device_id, before, after, now_ms, if_version)))
            return no_device(caller);
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    const auto stored = store.device(device_id);
    if (!stored) return no_device(caller);
    return {200, device_json(*stored, now_ms), caller.merchant_id};
}

ApiResult post_revoke_device(Store& store, const Caller& caller, const std::string& device_id,
                             std::int64_t now_ms) {
    auto d = store.device(device_id);
    // Another merchant's device is unknown here.
    if (!d || d->merchant_id != caller.merchant_id) return no_device(caller);
    if (d->revoked_at_ms == 0) {
        store.revoke_device(caller.merchant_id, device_id, now_ms,
                            audited(caller, "device.revoke", device_id,
                                    device_json(*d, now_ms), nullptr, now_ms));
        d = store.device(device_id);
    }
    return {200, Json{{"device", device_json(*d, now_ms)}}, caller.merchant_id};
}

ApiResult post_pair(Store& store, const Json& body, std::int64_t now_ms) {
    const auto code = codec::decode_code_request(body, auth::pairing_code_typed_bytes_max, true);
    if (!code.ok()) return bad_request(code.error);
    const std::string& typed = *code.value;
    std::string canonical;
    if (auth::normalise_pairing_code(typed, &canonical) != auth::PairingStatus::ok)
        return pairing_refused(auth::PairingStatus::malformed);
    const std::string hash = auth::hash_pairing_code(canonical);
    const auto pairing = store.pairing(hash);
    if (!pairing) return pairing_refused(auth::PairingStatus::wrong_code);
    if (const auto s = pairing_status(*pairing, typed, now_ms); s != auth::PairingStatus::ok)
        return pairing_refused(s);

    const auth::NewIdToken token = auth::generate_device_token(auth::random_device_bytes);
    const DeviceRecord device{pairing->merchant_id,
                              token.stored.id,
                              pairing->device_name,
                              token.stored.salt_hex,
                              token.stored.secret_hash_hex,
                              now_ms,
                              0};
    // Two kiosks racing with one code: the store marks it used once, and the loser is told why.
    if (!store.complete_pairing(hash, device, now_ms)) {
        const auto now = store.pairing(hash);
        const auto s = now ? pairing_status(*now, typed, now_ms) : auth::PairingStatus::wrong_code;
        return pairing_refused(s == auth::PairingStatus::ok ? auth::PairingStatus::already_used
                                                            : s);
    }
    const auto merchant = store.merchant_by_id(pairing->merchant_id);
    const codec::PairingAnswer answer{device.device_id, token.text, device.name,
                                      merchant ? merchant->code : "",
                                      merchant ? merchant->name : ""};
    return {201, codec::encode_pairing_answer(answer), pairing->merchant_id};
}

}  // namespace kopilka::server

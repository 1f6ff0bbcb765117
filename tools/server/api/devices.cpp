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

Json device_json(const DeviceRecord& d) {
    return Json{{"id", d.device_id},
                {"name", d.name},
                {"paired_at_ms", d.paired_at_ms},
                {"revoked_at_ms", d.revoked_at_ms}};
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

ApiResult get_devices(Store& store, const Caller& caller) {
    Json devices = Json::array();
    for (const auto& d : store.devices(caller.merchant_id)) devices.push_back(device_json(d));
    return {200, Json{{"devices", devices}}, caller.merchant_id};
}

ApiResult post_revoke_device(Store& store, const Caller& caller, const std::string& device_id,
                             std::int64_t now_ms) {
    auto d = store.device(device_id);
    // Another merchant's device is unknown here.
    if (!d || d->merchant_id != caller.merchant_id) {
        ApiResult r = api_error(404, "not_found", "no device has this id", "id");
        r.merchant_id = caller.merchant_id;
        return r;
    }
    if (d->revoked_at_ms == 0) {
        store.revoke_device(caller.merchant_id, device_id, now_ms,
                            audited(caller, "device.revoke", device_id, device_json(*d),
                                    nullptr, now_ms));
        d = store.device(device_id);
    }
    return {200, Json{{"device", device_json(*d)}}, caller.merchant_id};
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

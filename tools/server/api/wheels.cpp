#include "api/wheels.hpp"

#include "api/kiosk_write.hpp"
#include "api/staff.hpp"
#include "api/wheel_state.hpp"
#include "codec/wheel_json.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

ApiResult refused(const Caller& caller, int status, const std::string& code,
                  const std::string& message, const std::string& field) {
    ApiResult r = api_error(status, code, message, field);
    r.merchant_id = caller.merchant_id;
    return r;
}

// The wheel's config, odds and state as the console shows them.
Json wheel_answer(Store& store, const std::string& merchant_id, const StoredWheel& w,
                  std::int64_t now_ms) {
    const WheelLedger shared = decode_wheel_ledger(store.shared_state(merchant_id, "wheel", w.id));
    const spins::WheelState state = wheel_state(w.config, shared, now_ms);
    return Json{{"id", w.id},
                {"version", w.version},
                {"updated_at_ms", w.updated_at_ms},
                {"wheel", codec::encode_wheel(w.config)},
                {"odds", codec::encode_odds(w.config, spins::wheel_odds(w.config, state))},
                {"state", wheel_state_json(w.config, shared, now_ms)}};
}

// Coupon prizes must name one of the program's rewards: the coupon is for that reward.
std::string unknown_reward_field(Store& store, const std::string& merchant_id,
                                 const spins::WheelConfig& c, std::int64_t now_ms) {
    std::string why;
    const auto program = current_program(store, merchant_id, now_ms, &why);
    for (std::size_t i = 0; i < c.prizes.size(); ++i)
        if (c.prizes[i].kind == spins::PrizeKind::coupon &&
            (!program || !find_reward(*program, c.prizes[i].reward_id)))
            return codec::index_path("prizes", i) + ".reward_id";
    return "";
}
}  // namespace

ApiResult put_wheel(Store& store, const Caller& caller, const std::string& wheel_id,
                    const Json& body, std::optional<std::int64_t> if_version,
                    std::int64_t now_ms) {
    if (!valid_document_id(wheel_id))
        return refused(caller, 400, "invalid_value",
                       "id must be 1 to 32 letters, digits, '-' or '_'", "id");
    const auto decoded = codec::decode_wheel(body);
    if (!decoded.ok()) return bad_request(decoded.error);
    if (const std::string field =
            unknown_reward_field(store, caller.merchant_id, *decoded.value, now_ms);
        !field.empty())
        return refused(caller, 400, "invalid_value", field + " is not one of the program's rewards",
                       field);
    const Json after = codec::encode_wheel(*decoded.value);
    try {
        store.put_document({caller.merchant_id, "wheel", wheel_id, 0, after.dump(), now_ms},
                           now_ms,
                           audited(caller, "wheel.save", wheel_id,
                                   stored_document(store, caller.merchant_id, "wheel", wheel_id),
                                   after, now_ms, if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    const auto stored = load_wheel(store, caller.merchant_id, wheel_id);
    if (!stored) return refused(caller, 500, "internal", "the wheel was not stored", "id");
    return {200, wheel_answer(store, caller.merchant_id, *stored, now_ms), caller.merchant_id};
}

ApiResult get_wheel(Store& store, const Caller& caller, const std::string& wheel_id,
                    std::int64_t now_ms) {
    const auto w = load_wheel(store, caller.merchant_id, wheel_id);
    if (!w) return refused(caller, 404, "not_found", "no wheel has this id", "id");
    return {200, wheel_answer(store, caller.merchant_id, *w, now_ms), caller.merchant_id};
}

ApiResult get_wheels(Store& store, const Caller& caller) {
    Json wheels = Json::array();
    for (const auto& d : store.documents(caller.merchant_id, "wheel"))
        if (const auto w = stored_wheel(d))
            wheels.push_back({{"id", w->id},
                              {"version", w->version},
                              {"updated_at_ms", w->updated_at_ms},
                              {"wheel", codec::encode_wheel(w->config)}});
    return {200, Json{{"wheels", wheels}}, caller.merchant_id};
}

}  // namespace kopilka::server

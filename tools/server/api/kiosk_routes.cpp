// The kiosk's routes and the console's routes for kiosks: pairing and devices (devices.hpp),
// kiosk settings and config (kiosk_config.hpp), prize wheels (wheels.hpp), spins (spins.hpp),
// reward coupons and the till's coupon redemption (coupons.hpp), and the kiosk's offline
// outbox, POST /v1/kiosk/operations, which applies up to codec::operations_max spins and
// redemptions exactly as their own routes do (a replayed one answers its original answer).
// Implemented: every route in tools/server/openapi/kiosk.json.
#include "api/routes.hpp"

#include "api/coupons.hpp"
#include "api/devices.hpp"
#include "api/kiosk_config.hpp"
#include "api/kiosk_write.hpp"
#include "api/spins.hpp"
#include "api/wheels.hpp"
#include "codec/kiosk_json.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

// Answers fn(body), or 400 when the body is not JSON.
template <class Fn>
void with_body(RouteContext& ctx, const Request& req, Response& res, Fn fn) {
    ApiResult err;
    const auto body = parse_body(req.body, &err);
    ctx.respond(res, body ? fn(*body) : err);
}

// A spin or redemption of this kiosk, unless the console switched it off on the kiosk (403
// wheel_off or redeem_off; the kiosk's config says so too, api/devices.hpp).
ApiResult kiosk_write(RouteContext& ctx, const Caller& caller, bool spin, const Json& body) {
    const auto d = ctx.store.device(caller.device_id);
    const DeviceSettings own = d ? device_settings(*d) : DeviceSettings{};
    if (spin ? !own.wheel : !own.redeem) {
        ApiResult r = api_error(403, spin ? "wheel_off" : "redeem_off",
                                std::string(spin ? "the prize wheel" : "redeeming") +
                                    " is switched off on this kiosk",
                                "Authorization");
        r.merchant_id = caller.merchant_id;
        return r;
    }
    return spin ? post_spin(ctx.store, caller, body, ctx.now_ms())
                : post_kiosk_redeem(ctx.store, caller, body, ctx.now_ms());
}

// One operation of the batch, answered as its own route would.
ApiResult outbox_operation(RouteContext& ctx, const Caller& caller,
                           const codec::KioskOperation& op) {
    if (op.type == "spin" || op.type == "redeem")
        return kiosk_write(ctx, caller, op.type == "spin", op.request);
    return api_error(400, "invalid_value", "type must be \"spin\" or \"redeem\"", "type");
}

ApiResult post_operations(RouteContext& ctx, const Caller& caller, const Json& body) {
    const auto ops = codec::decode_operations_request(body);
    if (!ops.ok()) return bad_request(ops.error);
    std::vector<codec::OperationResult> results;
    // In order: a kiosk's outbox may hold a redemption that only the points of an earlier spin pay
    // for.
    for (const codec::KioskOperation& op : *ops.value) {
        ApiResult a = outbox_operation(ctx, caller, op);
        const Json id = op.request.value("operation_id", Json(nullptr));
        results.push_back({id, a.status, std::move(a.body)});
    }
    return {200, codec::encode_operations_answer(results), caller.merchant_id};
}

// [SECTION] Routes

void device_routes(RouteContext& ctx) {
    ctx.route("POST", "/v1/admin/devices/pairing-codes", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            with_body(ctx, req, res, [&](const Json& b) {
                return post_pairing_code(ctx.store, *caller, b, ctx.now_ms());
            });
    });
    ctx.route("GET", "/v1/admin/devices", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, get_devices(ctx.store, *caller, ctx.now_ms()));
    });
    ctx.route("PUT", "/v1/admin/devices/{id}", [&ctx](const Request& req, Response& res) {
        std::optional<std::int64_t> v;
        if (const auto caller = ctx.admin(req, res); caller && if_match(ctx, req, res, &v))
            with_body(ctx, req, res, [&](const Json& b) {
                return put_device(ctx.store, *caller, path_param(req, 1), b, v, ctx.now_ms());
            });
    });
    ctx.route("POST", "/v1/admin/devices/{id}/revoke", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res,
                        post_revoke_device(ctx.store, *caller, path_param(req, 1), ctx.now_ms()));
    });
    // Anonymous: every attempt costs the address a token, so codes can't be guessed quickly.
    ctx.route("POST", "/v1/devices/pair", [&ctx](const Request& req, Response& res) {
        if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
        with_body(ctx, req, res,
                  [&](const Json& b) { return post_pair(ctx.store, b, ctx.now_ms()); });
    });
}

void settings_routes(RouteContext& ctx) {
    ctx.route("GET", "/v1/admin/kiosk-settings", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            respond_versioned(ctx, req, res, get_kiosk_settings(ctx.store, *caller));
    });
    ctx.route("PUT", "/v1/admin/kiosk-settings", [&ctx](const Request& req, Response& res) {
        std::optional<std::int64_t> v;
        if (const auto caller = ctx.admin(req, res); caller && if_match(ctx, req, res, &v))
            with_body(ctx, req, res, [&](const Json& b) {
                return put_kiosk_settings(ctx.store, *caller, b, v, ctx.now_ms());
            });
    });
    ctx.route("GET", "/v1/admin/wheels", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, get_wheels(ctx.store, *caller));
    });
    ctx.route("GET", "/v1/admin/wheels/{id}", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            respond_versioned(ctx, req, res,
                              get_wheel(ctx.store, *caller, path_param(req, 1), ctx.now_ms()));
    });
    ctx.route("PUT", "/v1/admin/wheels/{id}", [&ctx](const Request& req, Response& res) {
        std::optional<std::int64_t> v;
        if (const auto caller = ctx.admin(req, res); caller && if_match(ctx, req, res, &v))
            with_body(ctx, req, res, [&](const Json& b) {
                return put_wheel(ctx.store, *caller, path_param(req, 1), b, v, ctx.now_ms());
            });
    });
    ctx.route("GET", "/v1/kiosk/config", [&ctx](const Request& req, Response& res) {
        const auto caller = ctx.device(req, res);
        if (!caller) return;
        std::string etag;
        const ApiResult config = kiosk_config(ctx.store, *caller, ctx.now_ms(), &etag);
        if (config.status == 200 && not_modified(req, res, etag, "no-cache")) return;
        ctx.respond(res, config);
    });
}

void member_routes(RouteContext& ctx) {
    ctx.route("POST", "/v1/kiosk/spin", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.device(req, res))
            with_body(ctx, req, res,
                      [&](const Json& b) { return kiosk_write(ctx, *caller, true, b); });
    });
    ctx.route("POST", "/v1/kiosk/redeem", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.device(req, res))
            with_body(ctx, req, res,
                      [&](const Json& b) { return kiosk_write(ctx, *caller, false, b); });
    });
    ctx.route("POST", "/v1/kiosk/operations", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.device(req, res))
            with_body(ctx, req, res,
                      [&](const Json& b) { return post_operations(ctx, *caller, b); });
    });
    ctx.route("POST", "/v1/coupons/redeem", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.api_key(req, res, {"till", "admin"}))
            with_body(ctx, req, res, [&](const Json& b) {
                return post_coupon_redeem(ctx.store, *caller, b, ctx.now_ms());
            });
    });
}
}  // namespace

bool not_modified(const Request& req, Response& res, const std::string& etag,
                  const char* cache_control) {
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", cache_control);
    if (!req.has_header("If-None-Match") ||
        req.get_header_value("If-None-Match").find(etag) == std::string::npos)
        return false;
    res.status = 304;
    return true;
}

void register_kiosk_routes(RouteContext& ctx) {
    device_routes(ctx);
    settings_routes(ctx);
    member_routes(ctx);
}

}  // namespace kopilka::server

// The website widget's routes (api/widget.hpp, api/referral.hpp): the console's settings, the
// public config, the session exchange and the member routes, with CORS for the merchant's
// site origins and a rate limit per member.
//
// CORS: an answer gets Access-Control-Allow-Origin (the request's Origin) only when that
// origin is on the allow-list of the merchant the answer is about: the config's merchant, the
// session's, the member token's. Answers about no merchant yet (an unknown session, a token
// that doesn't verify) hold nothing of anyone's and get it for an origin on any merchant's
// list, so the widget can read why it was refused. No credentials mode: no cookies, the
// tokens travel in Authorization. Every answer says Vary: Origin.
// Implemented: every route in tools/server/openapi/widget.json, and their preflights.
#include "api/routes.hpp"

#include <algorithm>

#include "api/member_write.hpp"
#include "api/referral.hpp"
#include "api/widget.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr const char* config_cache_control = "public, max-age=60";

// Whether origin is on merchant_id's allow-list, or ("" merchant) on any merchant's.
bool origin_allowed(Store& store, const std::string& merchant_id, const std::string& origin) {
    if (origin.empty()) return false;
    const auto listed = [&](const std::string& id) {
        const auto origins = load_widget_settings(store, id).origins;
        return std::find(origins.begin(), origins.end(), origin) != origins.end();
    };
    if (!merchant_id.empty()) return listed(merchant_id);
    const auto ids = store.merchant_ids();
    return std::any_of(ids.begin(), ids.end(), listed);
}

// The CORS headers of an answer about merchant_id ("": about no merchant yet).
void cors(RouteContext& ctx, const Request& req, Response& res, const std::string& merchant_id) {
    res.set_header("Vary", "Origin");
    const std::string origin = req.get_header_value("Origin");
    if (!origin_allowed(ctx.store, merchant_id, origin)) return;
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Expose-Headers", "ETag, Retry-After");
}

// Answers fn(body), or 400 when the body is not JSON.
template <class Fn>
ApiResult with_json(const Request& req, Fn fn) {
    ApiResult err;
    const auto body = parse_body(req.body, &err);
    return body ? fn(*body) : err;
}

// A member route: the session's member (401 otherwise), CORS for the session's merchant, the
// member's rate limit, then fn(member).
template <class Fn>
void member_route(RouteContext& ctx, const Request& req, Response& res, Fn fn) {
    const std::string header = req.get_header_value("Authorization");
    ApiResult err;
    std::string merchant_id;
    std::optional<WidgetMember> w;
    if (header.rfind("Bearer ", 0) != 0)
        err = api_error(401, "unauthorized",
                        "Authorization: Bearer <widget session token> is required",
                        "Authorization");
    else
        w = session_member(ctx.store, header.substr(7), ctx.now_ms(), &err, &merchant_id);
    cors(ctx, req, res, merchant_id);
    if (!w) {
        // Guessing sessions costs the address tokens.
        if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
        if (err.status == 401) res.set_header("WWW-Authenticate", "Bearer");
        return ctx.respond(res, err);
    }
    res.merchant_id = w->merchant.merchant_id;
    if (!ctx.within_limit(ClientClass::widget_member,
                          w->merchant.merchant_id + "/" + w->member.member_id, res))
        return;
    ctx.respond(res, fn(*w));
}

void settings_routes(RouteContext& ctx) {
    ctx.route("GET", "/v1/admin/widget-settings", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            respond_versioned(ctx, req, res, get_widget_settings(ctx.store, *caller));
    });
    ctx.route("PUT", "/v1/admin/widget-settings", [&ctx](const Request& req, Response& res) {
        std::optional<std::int64_t> v;
        if (const auto caller = ctx.admin(req, res); caller && if_match(ctx, req, res, &v))
            ctx.respond(res, with_json(req, [&](const Json& b) {
                            return put_widget_settings(ctx.store, *caller, b, v, ctx.now_ms());
                        }));
    });
}

void public_routes(RouteContext& ctx) {
    ctx.route("GET", "/v1/widget/config", [&ctx](const Request& req, Response& res) {
        ApiResult refused;
        const auto merchant = widget_merchant(ctx.store, req.get_param_value("merchant"), &refused);
        cors(ctx, req, res, merchant ? merchant->merchant_id : "");
        if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
        if (!merchant) return ctx.respond(res, refused);
        std::string etag;
        const ApiResult config = widget_config(ctx.store, *merchant, ctx.now_ms(), &etag);
        if (config.status == 200 && not_modified(req, res, etag, config_cache_control)) return;
        ctx.respond(res, config);
    });
    // A reward's uploaded picture for the panel's list (the config gives its address; v= is
    // the picture's hash, so an answer to the current address is kept for a year).
    ctx.route("GET", "/v1/widget/picture", [&ctx](const Request& req, Response& res) {
        if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
        ApiResult refused;
        const auto merchant = widget_merchant(ctx.store, req.get_param_value("merchant"), &refused);
        if (!merchant) return ctx.respond(res, refused);
        const std::string reward = req.get_param_value("reward");
        if (reward.empty())
            return ctx.respond(res,
                               api_error(400, "missing_field", "reward is required", "reward"));
        const auto p = widget_picture(ctx.store, *merchant, reward, ctx.now_ms(), &refused);
        if (!p) return ctx.respond(res, refused);
        res.set_header("Cross-Origin-Resource-Policy", "cross-origin");
        const bool current = req.get_param_value("v") == p->tag;
        if (not_modified(req, res, "\"" + p->tag + "\"",
                         current ? "public, max-age=31536000, immutable" : config_cache_control))
            return;
        res.status = 200;
        res.set_content(p->bytes, p->content_type);
    });
    // ?merchant=CODE (optional) names the merchant the widget is for: another merchant's
    // token is then refused.
    ctx.route("POST", "/v1/widget/session", [&ctx](const Request& req, Response& res) {
        std::optional<MerchantRecord> expected;
        ApiResult r;
        if (req.has_param("merchant")) {
            expected = widget_merchant(ctx.store, req.get_param_value("merchant"));
            if (!expected) r = api_error(404, "not_found", "no merchant has this code", "merchant");
        }
        const std::string header = req.get_header_value("Authorization");
        if (r.status == 200 && header.rfind("Bearer ", 0) != 0)
            r = api_error(401, "unauthorized", "Authorization: Bearer <member token> is required",
                          "Authorization");
        if (r.status == 200) {
            cors(ctx, req, res, expected ? expected->merchant_id : "");
            if (!ctx.within_limit(ClientClass::member, req.remote_addr, res)) return;
            r = open_session(ctx.store, header.substr(7), expected ? &*expected : nullptr,
                             ctx.now_ms());
        }
        cors(ctx, req, res, r.merchant_id);
        if (r.status == 401) res.set_header("WWW-Authenticate", "Bearer");
        ctx.respond(res, r);
    });
}

void member_routes(RouteContext& ctx) {
    ctx.route("GET", "/v1/widget/me", [&ctx](const Request& req, Response& res) {
        member_route(ctx, req, res,
                     [&](const WidgetMember& w) { return widget_me(ctx.store, w, ctx.now_ms()); });
    });
    ctx.route("GET", "/v1/widget/history", [&ctx](const Request& req, Response& res) {
        member_route(ctx, req, res, [&](const WidgetMember& w) {
            return widget_history(ctx.store, w, req.get_param_value("before"),
                                  req.get_param_value("limit"), ctx.now_ms());
        });
    });
    ctx.route("POST", "/v1/widget/redeem", [&ctx](const Request& req, Response& res) {
        member_route(ctx, req, res, [&](const WidgetMember& w) {
            return with_json(
                req, [&](const Json& b) { return widget_redeem(ctx.store, w, b, ctx.now_ms()); });
        });
    });
    ctx.route("POST", "/v1/widget/spin", [&ctx](const Request& req, Response& res) {
        member_route(ctx, req, res, [&](const WidgetMember& w) {
            return with_json(
                req, [&](const Json& b) { return widget_spin(ctx.store, w, b, ctx.now_ms()); });
        });
    });
    ctx.route("GET", "/v1/widget/referral", [&ctx](const Request& req, Response& res) {
        member_route(ctx, req, res, [&](const WidgetMember& w) {
            return widget_referral(ctx.store, w, ctx.now_ms());
        });
    });
}
}  // namespace

void widget_preflight(RouteContext& ctx, const Request& req, Response& res) {
    if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
    const auto merchant = req.has_param("merchant")
                              ? widget_merchant(ctx.store, req.get_param_value("merchant"))
                              : std::nullopt;
    res.status = 204;
    res.set_header("Vary", "Origin");
    const std::string origin = req.get_header_value("Origin");
    if (!origin_allowed(ctx.store, merchant ? merchant->merchant_id : "", origin)) return;
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Allow-Methods", "GET, POST");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match");
    res.set_header("Access-Control-Max-Age", "600");
}

void register_widget_routes(RouteContext& ctx) {
    settings_routes(ctx);
    public_routes(ctx);
    member_routes(ctx);
}

}  // namespace kopilka::server

// The console's own routes: signing in and out (/v1/console/session), the users
// (/v1/admin/users…) and the audit log (/v1/admin/audit). Documented in
// tools/server/openapi/console.json; the work is in api/staff.hpp.
#include "api/routes.hpp"

#include "api/staff.hpp"

namespace kopilka::server {

namespace {
std::optional<std::string> query(const Request& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    return req.get_param_value(name);
}
}  // namespace

bool if_match(RouteContext& ctx, const Request& req, Response& res,
              std::optional<std::int64_t>* version) {
    *version = std::nullopt;
    if (!req.has_header("If-Match")) return true;
    std::string v = req.get_header_value("If-Match");
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    std::int64_t n = 0;
    bool ok = !v.empty() && v.size() <= 18;
    for (const char c : v) {
        ok = ok && c >= '0' && c <= '9';
        n = ok ? n * 10 + (c - '0') : n;
    }
    if (!ok) {
        ctx.error(res, 400, "invalid_value", "If-Match must be a version, \"N\"", "If-Match");
        return false;
    }
    *version = n;
    return true;
}

void respond_versioned(RouteContext& ctx, const Request& req, Response& res, const ApiResult& r) {
    const codec::Json* holder = &r.body;
    if (r.body.is_object() && !r.body.contains("version") && r.body.contains("settings"))
        holder = &r.body["settings"];
    if (r.status == 200 && req.method == "GET" && holder->is_object() &&
        holder->contains("version") && (*holder)["version"].is_number_integer())
        res.set_header("ETag", "\"" + (*holder)["version"].dump() + "\"");
    ctx.respond(res, r);
}

void register_console_routes(RouteContext& ctx) {
    ctx.route("POST", "/v1/console/session", [&ctx](const Request& req, Response& res) {
        if (!ctx.within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
        const ApiResult r = console_sign_in(ctx.store, req.body, req.remote_addr,
                                            ctx.password_limits(), ctx.now_ms());
        if (r.status == 429)
            res.set_header("Retry-After",
                           std::to_string(r.body["error"].value("retry_after_s", 1)));
        ctx.respond(res, r);
    });
    ctx.route("GET", "/v1/console/session", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, console_whoami(ctx.store, *caller));
    });
    ctx.route("DELETE", "/v1/console/session", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, console_sign_out(ctx.store, *caller, ctx.now_ms()));
    });

    ctx.route("GET", "/v1/admin/users", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, admin_list_users(ctx.store, *caller));
    });
    ctx.route("POST", "/v1/admin/users", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, admin_create_user(ctx.store, *caller, req.body,
                                               ctx.password_limits(), ctx.now_ms()));
    });
    ctx.route("PUT", "/v1/admin/users/{id}", [&ctx](const Request& req, Response& res) {
        std::optional<std::int64_t> version;
        if (const auto caller = ctx.admin(req, res); caller && if_match(ctx, req, res, &version))
            ctx.respond(res, admin_update_user(ctx.store, *caller, path_param(req, 1), req.body,
                                               version, ctx.now_ms()));
    });
    ctx.route("POST", "/v1/admin/users/{id}/password", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, admin_set_user_password(ctx.store, *caller, path_param(req, 1),
                                                     req.body, ctx.password_limits(),
                                                     ctx.now_ms()));
    });
    ctx.route("POST", "/v1/admin/users/{id}/revoke-sessions",
              [&ctx](const Request& req, Response& res) {
                  if (const auto caller = ctx.admin(req, res))
                      ctx.respond(res, admin_revoke_user_sessions(ctx.store, *caller,
                                                                  path_param(req, 1),
                                                                  ctx.now_ms()));
              });
    ctx.route("GET", "/v1/admin/audit", [&ctx](const Request& req, Response& res) {
        if (const auto caller = ctx.admin(req, res))
            ctx.respond(res, admin_audit(ctx.store, *caller,
                                         {query(req, "actor"), query(req, "action"),
                                          query(req, "target"), query(req, "from_ms"),
                                          query(req, "to_ms"), query(req, "before"),
                                          query(req, "limit")}));
    });
}

}  // namespace kopilka::server

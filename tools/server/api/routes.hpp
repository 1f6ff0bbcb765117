// What a group of routes needs from the HTTP layer: registering a route under its OpenAPI
// template, the caller's credential, rate limits, and JSON answers. http_server.cpp
// implements it; each route group (kiosk_routes.cpp, admin_routes.cpp, …) registers itself.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

#include "api/member_lookup.hpp"
#include "api/receipts.hpp"
#include "auth/password.hpp"
#include "http/message.hpp"
#include "rate_limiter.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

using Request = http::Request;
using Response = http::Response;
using Handler = std::function<void(const Request&, Response&)>;

class RouteContext {
public:
    virtual ~RouteContext() = default;

    Store& store;
    explicit RouteContext(Store& s) : store(s) {}

    // method: GET, POST, PUT or DELETE. path: the OpenAPI template, "/v1/admin/members/{id}";
    // each {name} matches one path segment, read back with path_param(req, 1), (…, 2), ….
    virtual void route(const char* method, const char* path, Handler handler) = 0;

    // "Authorization: Bearer kpk_…" of one of the roles, rate-limited per key. On failure res
    // holds the 401/403/429 answer.
    virtual std::optional<Caller> api_key(const Request& req, Response& res,
                                          std::initializer_list<const char*> roles) = 0;
    // The console's caller on a /v1/admin route: "Authorization: Bearer kcs_…" of a staff
    // session in force, or an admin API key (role owner), whose role the route allows
    // (api/console_access.hpp). Rate-limited per session or key; the caller's address is kept
    // for the audit log. On failure res holds the 401/403/429 answer (401 session_expired for
    // an expired or revoked session).
    virtual std::optional<Caller> admin(const Request& req, Response& res) = 0;
    // "Authorization: Bearer kdt_…" of a paired, unrevoked kiosk, rate-limited per device.
    // Caller::role is "device" and Caller::device_id names it.
    virtual std::optional<Caller> device(const Request& req, Response& res) = 0;
    // One token from the bucket of (class, key); false with a 429 answer when there is none.
    virtual bool within_limit(ClientClass c, const std::string& key, Response& res) = 0;

    // Sends r (and the Idempotent-Replayed header when r.body says "replayed").
    virtual void respond(Response& res, const ApiResult& r) = 0;
    virtual void error(Response& res, int status, const std::string& code,
                       const std::string& message, const std::string& field = "") = 0;
    virtual std::int64_t now_ms() = 0;
    // How the server hashes the passwords it sets (auth/password.hpp).
    virtual auth::PasswordLimits password_limits() = 0;
};

// The version in an If-Match header ("N" or N; nullopt when absent); false with a 400 in res
// when it is something else.
bool if_match(RouteContext& ctx, const Request& req, Response& res,
              std::optional<std::int64_t>* version);
// Sends r; a GET's 200 gets its version ("version", or "settings"."version") as its ETag.
void respond_versioned(RouteContext& ctx, const Request& req, Response& res, const ApiResult& r);

// The n-th {name} of the route's template in this request's path (1-based), URL-decoded.
std::string path_param(const Request& req, std::size_t n);

// A config's answer headers: ETag and cache_control on a 200, and true with a 304 in res when
// If-None-Match lists the tag (a weak match is fine for a GET, RFC 9110 13.1.2).
bool not_modified(const Request& req, Response& res, const std::string& etag,
                  const char* cache_control);

void register_kiosk_routes(RouteContext& ctx);   // api/kiosk_routes.cpp
void register_admin_routes(RouteContext& ctx);   // api/admin_routes.cpp
void register_import_routes(RouteContext& ctx);  // api/admin_import.cpp (from admin_routes)
void register_widget_routes(RouteContext& ctx);  // api/widget_routes.cpp
void register_console_routes(RouteContext& ctx); // api/console_routes.cpp
// A CORS preflight (OPTIONS) of a /v1/widget/ route: 204, with the CORS headers when the
// Origin is on the allow-list of the merchant in ?merchant=, or without it of any merchant
// (the answer to the request itself carries them only for its own merchant's origins).
void widget_preflight(RouteContext& ctx, const Request& req, Response& res);

}  // namespace kopilka::server

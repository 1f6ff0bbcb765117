// The application behind the listener (http/listener.cpp): routes, credentials, rate limits,
// the static site, JSON errors, metrics and one JSON log line per request.
// Implemented: /healthz, /metrics, /v1/openapi.json (checked against the routes at start),
// /v1/members/lookup (GET ?code= and POST {"code"}), POST /v1/receipts and /v1/returns
// (merchant API key, role till or admin), GET /v1/me (member token); the kiosk, admin and
// widget route groups (api/routes.hpp) register through RouteContext, and the widget's CORS
// preflights (OPTIONS /v1/widget/…) go to widget_preflight. Static site with MIME types,
// precompressed files and validators; JSON 400/401/403/404/405/413/414/429/431/500/503.
// One boundary: handle() turns anything a handler throws into a 500 with the request id (an
// answer made later on another thread too: answer_later), and answers are written so that no
// byte in them can make the writing throw.
#include "http_server.hpp"

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "api/console_access.hpp"
#include "api/devices.hpp"
#include "api/member_lookup.hpp"
#include "api/receipts.hpp"
#include "api/returns.hpp"
#include "api/routes.hpp"
#include "api/staff.hpp"
#include "auth/credentials.hpp"
#include "codec/decode.hpp"
#include "codec/kiosk_json.hpp"
#include "core/assert.hpp"
#include "decoded_cache.hpp"
#include "http/listener.hpp"
#include "http/target.hpp"
#include "metrics.hpp"
#include "openapi_document.hpp"
#include "rate_limiter.hpp"
#include "storage/on_loop.hpp"

namespace kopilka::server {

namespace {
bool read_whole_file(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream s;
    s << in.rdbuf();
    *out = s.str();
    return static_cast<bool>(in) || in.eof();
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// JSON text that can't throw: a string that is not valid UTF-8 (the checks upstream should
// make that impossible) is written with U+FFFD in place of the bad bytes.
std::string json_text(const codec::Json& j) {
    return j.dump(-1, ' ', false, codec::Json::error_handler_t::replace);
}

void send_json(http::Response& res, int status, const codec::Json& body) {
    res.status = status;
    res.set_content(json_text(body), "application/json; charset=utf-8");
}

void send_error(http::Response& res, int status, const char* code, const std::string& message,
                const char* field = "") {
    send_json(res, status, codec::error_json(code, message, field));
}

// 32 hex digits from a generator per thread, seeded by the OS once: unique, not secret (a
// std::random_device per request was 2 % of a lookup's CPU).
std::string fresh_request_id() {
    thread_local std::mt19937_64 next{(std::uint64_t{std::random_device{}()} << 32) ^
                                      std::random_device{}()};
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(next()),
                  static_cast<unsigned long long>(next()));
    return text;
}

// The client's X-Request-Id when it is a short printable token, else a fresh one.
std::string request_id(const http::Request& req) {
    const std::string given = req.get_header_value("X-Request-Id");
    bool usable = !given.empty() && given.size() <= 64;
    for (const char c : given) usable = usable && c > ' ' && c < 0x7F && c != '"' && c != '\\';
    return usable ? given : fresh_request_id();
}

// Methods as metric labels: any other token a client invents counts as "other", so clients
// can't grow the series.
const char* method_label(const std::string& method) {
    for (const char* m : {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
        if (method == m) return m;
    return "other";
}

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Route {
    std::string method;
    const char* path;  // the OpenAPI template
    http::PathTemplate pattern;
    Handler handler;
};
}  // namespace

std::string path_param(const http::Request& req, std::size_t n) {
    return n >= 1 && n <= req.path_params.size() ? req.path_params[n - 1] : std::string();
}

struct HttpServer::Impl final : RouteContext, http::Application {
    ServerOptions options;
    std::mutex log_mutex;
    Metrics metrics;
    RateLimiters limiters;
    std::vector<Route> route_table;
    http::Listener listener;

    static RatePolicy policy(const ServerOptions& o) {
        RatePolicy p;
        p.anonymous = {o.anonymous_burst, o.anonymous_per_s};
        return p;
    }

    Impl(Store& s, ServerOptions o)
        : RouteContext(s),
          options(std::move(o)),
          limiters(policy(options)),
          listener(*this, options) {}

    // kopilka_decoded_documents_total{result}: the process's decoded-document cache
    // (ops/decoded_cache.hpp) counts for itself; /metrics brings these counters up to its
    // counts, under a lock so two scrapes don't both add the same difference.
    CounterFamily& decodes = metrics.counter(
        "kopilka_decoded_documents_total",
        "Stored programs, themes, wheels and settings asked of the decoded-document cache: "
        "hit (decoded before) or miss (decoded now)",
        {"result"});
    std::mutex decodes_mutex;

    // kopilka_member_checkpoints_total{result}: likewise the store's decoded checkpoints.
    CounterFamily& checkpoints = metrics.counter(
        "kopilka_member_checkpoints_total",
        "Members' ledger checkpoints requests needed: hit (copied from the ones this process "
        "decoded or wrote, the row unchanged since) or miss (decoded from the database)",
        {"result"});

    void count_caches() {
        const DecodedCacheStats s = decoded_cache().stats();
        const CheckpointStats k = store.checkpoint_stats();
        std::lock_guard<std::mutex> lock(decodes_mutex);
        const auto bring_up = [](CounterFamily& family, const char* result, std::uint64_t n) {
            Counter& c = family.with({result});
            c.inc(n - c.value());
        };
        bring_up(decodes, "hit", s.hits), bring_up(decodes, "miss", s.misses);
        bring_up(checkpoints, "hit", k.hits), bring_up(checkpoints, "miss", k.misses);
    }

    std::int64_t now_ms() override { return server::now_ms(); }
    auth::PasswordLimits password_limits() override { return options.password_limits; }
    void error(http::Response& res, int status, const std::string& code, const std::string& message,
               const std::string& field) override {
        send_json(res, status, codec::error_json(code, message, field));
    }

    // Registers a route under its template (for metrics, the OpenAPI check and matching).
    void route(const char* method, const char* path, Handler handler) override {
        route_table.push_back({method, path, http::PathTemplate(path), std::move(handler)});
    }

    bool within_limit(ClientClass c, const std::string& key, http::Response& res) override {
        if (!options.rate_limits) return true;
        const RateDecision d = limiters.check(c, key, now_ms());
        for (const auto& h : rate_limit_headers(d)) res.set_header(h.name, h.value);
        if (d.allowed && charged_here) charged_here->emplace_back(c, key);
        if (d.allowed) return true;
        send_error(res, 429, "rate_limited",
                   "too many requests; retry after " + std::to_string(d.retry_after_s) + " s", "");
        return false;
    }

    // Every route is documented and every documented operation is served: a mismatch is a
    // programmer error caught at start-up.
    void check_openapi() {
        const codec::Json doc = codec::Json::parse(openapi_document(), nullptr, false);
        KOPILKA_ASSERT(doc.is_object() && doc.contains("paths"));
        std::size_t documented = 0;
        for (const auto& path : doc["paths"].items())
            for (const auto& op : path.value().items()) {
                ++documented;
                std::string method = op.key();
                for (auto& ch : method) ch = static_cast<char>(ch - 'a' + 'A');
                bool served = false;
                for (const auto& r : route_table)
                    served = served || (r.method == method && r.path == path.key());
                if (!served)
                    std::fprintf(stderr, "openapi.json documents %s %s, which is not served\n",
                                 method.c_str(), path.key().c_str());
                KOPILKA_ASSERT(served);
            }
        KOPILKA_ASSERT(documented == route_table.size());
        // Every console route has its roles in api/console_access.cpp's table.
        for (const auto& r : route_table) {
            const bool admin_route = std::string(r.path).rfind("/v1/admin/", 0) == 0;
            if (admin_route && !admin_route_listed(r.method, r.path))
                std::fprintf(stderr, "%s %s has no roles in api/console_access.cpp\n",
                             r.method.c_str(), r.path);
            KOPILKA_ASSERT(!admin_route || admin_route_listed(r.method, r.path));
        }
    }

    void respond(http::Response& res, const ApiResult& r) override {
        if (!r.merchant_id.empty()) res.merchant_id = r.merchant_id;
        if (r.body.is_object() && r.body.contains("replayed"))
            res.set_header("Idempotent-Replayed", "true");
        if (!r.text.empty()) {
            res.status = r.status;
            return res.set_content(r.text, "application/json; charset=utf-8");
        }
        send_json(res, r.status, r.body);
    }

    // The bearer credential, or "" with a 401 in res (after an anonymous rate-limit check, so
    // guessing credentials costs tokens).
    std::string bearer(const http::Request& req, http::Response& res, const char* what) {
        const std::string header = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        if (header.compare(0, prefix.size(), prefix) != 0 || header.size() == prefix.size()) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return "";
            res.set_header("WWW-Authenticate", "Bearer");
            send_error(res, 401, "unauthorized",
                       std::string("Authorization: Bearer <") + what + "> is required",
                       "Authorization");
            return "";
        }
        return header.substr(prefix.size());
    }

    std::optional<Caller> device(const http::Request& req, http::Response& res) override {
        const std::string token = bearer(req, res, "device token");
        if (token.empty()) return std::nullopt;
        const auth::ParsedIdToken parsed = auth::parse_device_token(token);
        const auto stored = parsed.status == auth::CredentialStatus::ok
                                ? store.device(parsed.id)
                                : std::nullopt;
        const bool valid = stored && stored->revoked_at_ms == 0 &&
                           auth::verify_id_token(
                               {stored->device_id, stored->salt_hex, stored->secret_hash_hex},
                               parsed) == auth::CredentialStatus::ok;
        if (!valid) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return std::nullopt;
            res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            send_error(res, 401, "unauthorized",
                       stored && stored->revoked_at_ms ? "this kiosk was unpaired; pair it again"
                                                       : "the device token is not valid",
                       "Authorization");
            return std::nullopt;
        }
        res.merchant_id = stored->merchant_id;
        if (!within_limit(ClientClass::kiosk, stored->merchant_id + "/" + stored->device_id, res))
            return std::nullopt;
        note_device_seen(store, *stored, req.get_header_value("Kopilka-App-Version"), now_ms());
        return Caller{stored->merchant_id, "device", stored->device_id};
    }

    // The merchant behind an "Authorization: Bearer kpk_…" API key, if it is one of the roles.
    // On failure res holds the 401/403/429 answer.
    std::optional<Caller> api_key(const http::Request& req, http::Response& res,
                                  std::initializer_list<const char*> roles) override {
        const std::string token = bearer(req, res, "API key");
        if (token.empty()) return std::nullopt;
        const auth::ParsedApiKey parsed = auth::parse_api_key(token);
        const auto stored = parsed.status == auth::CredentialStatus::ok
                                ? store.api_key(parsed.key_id)
                                : std::nullopt;
        const bool valid =
            stored && stored->revoked_at_ms == 0 &&
            auth::verify_api_key(
                {stored->key_id, stored->role == "admin" ? auth::Role::admin : auth::Role::till,
                 stored->salt_hex, stored->secret_hash_hex},
                parsed) == auth::CredentialStatus::ok;
        if (!valid) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return std::nullopt;
            res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            send_error(res, 401, "unauthorized", "the API key is not valid", "Authorization");
            return std::nullopt;
        }
        res.merchant_id = stored->merchant_id;
        if (!within_limit(stored->role == "admin" ? ClientClass::admin : ClientClass::till,
                          stored->merchant_id + "/" + stored->key_id, res))
            return std::nullopt;
        for (const char* role : roles)
            if (stored->role == role) return Caller{stored->merchant_id, stored->role, ""};
        send_error(res, 403, "forbidden",
                   "this API key's role (" + stored->role + ") may not do this", "Authorization");
        return std::nullopt;
    }

    std::optional<Caller> admin(const http::Request& req, http::Response& res) override {
        const std::string token = bearer(req, res, "session token or admin API key");
        if (token.empty()) return std::nullopt;
        std::optional<Caller> caller;
        if (token.rfind("kcs_", 0) == 0) {
            Caller c;
            const SessionStatus s = session_caller(store, token, req.remote_addr, now_ms(), &c);
            if (s != SessionStatus::ok) {
                if (!within_limit(ClientClass::anonymous, req.remote_addr, res))
                    return std::nullopt;
                const bool expired = s == SessionStatus::expired;
                res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                send_error(res, 401, expired ? "session_expired" : "unauthorized",
                           expired ? "this session ended; sign in again"
                                   : "the session token is not valid",
                           "Authorization");
                return std::nullopt;
            }
            res.merchant_id = c.merchant_id;
            if (!within_limit(ClientClass::admin, c.merchant_id + "/" + c.session_id, res))
                return std::nullopt;
            caller = std::move(c);
        } else {
            const auto key = api_key(req, res, {"admin"});
            if (!key) return std::nullopt;
            caller = key_caller(key->merchant_id, auth::parse_api_key(token).key_id,
                                req.remote_addr);
        }
        const bool admin_route = req.route.rfind("/v1/admin/", 0) == 0;
        if (admin_route && !role_allows(caller->role, req.method == "HEAD" ? "GET" : req.method,
                                        req.route)) {
            send_error(res, 403, "forbidden",
                       "the role " + caller->role + " may not do this", "Authorization");
            return std::nullopt;
        }
        return caller;
    }

    void routes() {
        route("GET", "/healthz", [](const http::Request&, http::Response& res) {
            send_json(res, 200, {{"status", "ok"}});
        });
        route("GET", "/metrics", [this](const http::Request&, http::Response& res) {
            count_caches();
            res.set_content(metrics.render(), metrics_content_type);
        });
        route("GET", "/v1/openapi.json", [](const http::Request&, http::Response& res) {
            res.set_content(openapi_document(), "application/json; charset=utf-8");
        });
        // Anonymous (card QR with its MAC), or a paired kiosk (also card numbers and phones).
        auto lookup = [this](const http::Request& req, http::Response& res,
                             const std::string& code) {
            std::optional<Caller> kiosk;
            if (req.has_header("Authorization")) {
                kiosk = device(req, res);
                if (!kiosk) return;
            } else if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) {
                return;
            }
            // Answered by the thread that reads the member (in a group on PostgreSQL).
            res.later = [this, code, kiosk, now = now_ms()](http::Response::Answer answer) {
                lookup_member(store, code, kiosk ? &*kiosk : nullptr, now,
                              [this, answer](const std::function<ApiResult()>& result) {
                                  answer([&](http::Response& r) { respond(r, result()); });
                              });
            };
        };
        route("GET", "/v1/members/lookup",
              [this, lookup](const http::Request& req, http::Response& res) {
                  if (!req.has_param("code")) {
                      if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
                      return send_error(res, 400, "missing_field", "code is required", "code");
                  }
                  lookup(req, res, req.get_param_value("code"));
              });
        route("POST", "/v1/members/lookup",
              [this, lookup](const http::Request& req, http::Response& res) {
                  codec::DecodeError e;
                  const auto body = codec::parse_json(req.body, &e);
                  const auto code = body ? codec::decode_code_request(
                                               *body, codec::card_code_bytes_max, false)
                                         : codec::Decoded<std::string>{std::nullopt, e};
                  if (!code.ok()) {
                      if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
                      return send_json(res, 400, codec::error_json(code.error));
                  }
                  lookup(req, res, *code.value);
              });
        route("POST", "/v1/returns", [this](const http::Request& req, http::Response& res) {
            const auto caller = api_key(req, res, {"till", "admin"});
            if (!caller) return;
            respond(res, post_return(store, *caller, req.body, now_ms()));
        });
        route("GET", "/v1/me", [this](const http::Request& req, http::Response& res) {
            if (!within_limit(ClientClass::member, req.remote_addr, res)) return;
            const std::string header = req.get_header_value("Authorization");
            if (header.rfind("Bearer ", 0) != 0) {
                res.set_header("WWW-Authenticate", "Bearer");
                return send_error(res, 401, "unauthorized",
                                  "Authorization: Bearer <member token> is required",
                                  "Authorization");
            }
            respond(res, me(store, header.substr(7), now_ms()));
        });
        route("POST", "/v1/receipts", [this](const http::Request& req, http::Response& res) {
            const auto caller = api_key(req, res, {"till", "admin"});
            if (!caller) return;
            respond(res, post_receipt(store, *caller, req.body, now_ms()));
        });
        register_kiosk_routes(*this);
        register_admin_routes(*this);
        register_widget_routes(*this);
        register_console_routes(*this);
    }

    // [SECTION] the boundary: every request the listener read goes through handle() or
    // refuse(), and nothing thrown gets past them.

    void handle(http::Request& req, Reply reply) override { serve(req, reply); }

    // Anonymous member lookups (a card QR from a phone or the widget's page) on the event loop
    // that read them, where the store reads lookups in groups on threads of its own: the
    // merchant and the program come from the caches, and the group's runner answers, so the
    // request is handed from thread to thread once instead of twice. Whatever would read the
    // database instead (a cache to fill after a publish) throws WouldBlock before a row is read,
    // and the request goes to a worker whole (the rate limit's token taken here given back, as
    // the worker takes it again). A kiosk's lookups go to a worker: its device is read from
    // the database on every request (an unpaired kiosk is refused at once).
    bool handle_here(http::Request& req, const Reply& reply, const Spawn& spawn) override {
        if (!store.reads_later() || req.path != "/v1/members/lookup" ||
            (req.method != "GET" && req.method != "POST") || req.has_header("Authorization"))
            return false;
        std::vector<std::pair<ClientClass, std::string>> charged;
        bool taken = false;
        {
            const OnLoop loop(spawn);
            struct Tally {
                explicit Tally(decltype(charged)* c) { charged_here = c; }
                ~Tally() { charged_here = nullptr; }
            } tally(&charged);
            taken = serve(req, reply);
        }
        if (!taken)
            for (const auto& [c, key] : charged) limiters.give_back(c, key);
        return taken;
    }
    // The rate limits' tokens taken on this thread by the request handle_here() is trying.
    static inline thread_local std::vector<std::pair<ClientClass, std::string>>* charged_here =
        nullptr;

    // handle() on this thread; false if it would wait on an event loop (nothing replied).
    bool serve(http::Request& req, const Reply& reply) {
        const Clock::time_point start = Clock::now();
        http::Response res;
        const char* route_template = "unmatched";
        std::string id;
        try {
            id = request_id(req);
            dispatch(req, res, &route_template);
            if (res.later) {
                answer_later(req, std::move(res), id, route_template, start, reply);
                return true;
            }
        } catch (const WouldBlock&) {
            return false;  // thrown on an event loop only
        } catch (...) {
            internal_error(res, id);
        }
        finish(req.method, req.path, res, id, route_template, start);
        reply(std::move(res));
        return true;
    }

    // A handler's answer made later (http::Response::later): counted, logged and replied when
    // it comes, from whichever thread makes it.
    struct Later {
        std::string method, path, id;
        const char* route_template;
        Clock::time_point start;
        http::Response head;  // the handler's headers and merchant so far
        Reply reply;
        std::atomic<bool> answered{false};
    };

    // WouldBlock from the work (on an event loop, before it answered) reaches the caller.
    void answer_later(const http::Request& req, http::Response res, const std::string& id,
                      const char* route_template, Clock::time_point start, const Reply& reply) {
        auto work = std::move(res.later);
        res.later = nullptr;
        auto call = std::make_shared<Later>();
        call->method = req.method;
        call->path = req.path;
        call->id = id;
        call->route_template = route_template;
        call->start = start;
        call->head = std::move(res);
        call->reply = reply;
        const auto deliver = [this, call](http::Response answer) {
            call->answered = true;
            finish(call->method, call->path, answer, call->id, call->route_template, call->start);
            call->reply(std::move(answer));
        };
        try {
            work([this, call, deliver](const http::Response::Writer& write) {
                http::Response answer = std::move(call->head);
                try {
                    write(answer);
                } catch (const WouldBlock&) {
                    throw;  // nothing answered yet: the request goes to a worker
                } catch (...) {
                    internal_error(answer, call->id);
                }
                deliver(std::move(answer));
            });
        } catch (const WouldBlock&) {
            throw;
        } catch (...) {
            if (call->answered) return;  // thrown after the answer: it stands
            http::Response failed;
            internal_error(failed, id);
            deliver(std::move(failed));
        }
    }

    http::Response refuse(const http::Request& partial, int status, const std::string& code,
                          const std::string& message, const std::string& field) override {
        const Clock::time_point start = Clock::now();
        http::Response res;
        std::string id;
        try {
            id = request_id(partial);
            send_json(res, status, codec::error_json(code, message, field));
        } catch (...) {
            internal_error(res, id);
        }
        finish(partial.method, partial.path, res, id, "refused", start);
        return res;
    }

    // A 500 that says which request failed, so its log line can be found; the exception's
    // text goes to the log, not to the client.
    void internal_error(http::Response& res, const std::string& id) noexcept {
        try {
            std::string what = "unknown error";
            try {
                throw;
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            {
                std::lock_guard<std::mutex> lock(log_mutex);
                std::fprintf(
                    stderr, "%s\n",
                    json_text({{"level", "error"}, {"request_id", id}, {"message", what}}).c_str());
            }
            res = {};
            send_error(res, 500, "internal",
                       "the server failed to handle this request (request id " + id + ")");
        } catch (...) {
            res = {};
            res.status = 500;
        }
    }

    // Counted before the answer is written, so a client that saw the answer sees it counted;
    // then the request's one log line.
    void finish(const std::string& method, const std::string& path, http::Response& res,
                const std::string& id, const char* route_template,
                Clock::time_point start) noexcept {
        try {
            if (!id.empty()) res.set_header("X-Request-Id", id);
            const double ms = ms_since(start);
            metrics.count_request(route_template, method_label(method), res.status);
            metrics.observe_latency(route_template, ms);
            if (!options.log_requests) return;
            const codec::Json line = {{"ts_ms", now_ms()}, {"method", method},
                                      {"route", path},     {"status", res.status},
                                      {"latency_ms", ms},  {"merchant", res.merchant_id},
                                      {"request_id", id}};
            const std::string text = json_text(line);
            std::lock_guard<std::mutex> lock(log_mutex);
            std::fprintf(stderr, "%s\n", text.c_str());
        } catch (...) {
            // Counting and logging are best effort; the answer goes out regardless.
        }
    }

    // The route for the request, else a file of the site, else 405 (the path is a route's,
    // the method is not) or 404.
    void dispatch(http::Request& req, http::Response& res, const char** route_template) {
        const std::string method = req.method == "HEAD" ? "GET" : req.method;
        if (method == "OPTIONS" && req.path.rfind("/v1/widget/", 0) == 0) {
            *route_template = "/v1/widget/ (preflight)";
            return widget_preflight(*this, req, res);
        }
        std::string allowed;
        const auto parts = http::split_path(req.raw_path);
        for (const Route& r : route_table) {
            std::vector<std::string> params;
            if (!r.pattern.match(parts, &params)) continue;
            if (r.method != method) {
                allowed += (allowed.empty() ? "" : ", ") + r.method;
                continue;
            }
            *route_template = r.path;
            req.route = r.path;
            req.path_params = std::move(params);
            r.handler(req, res);
            return;
        }
        if (method == "GET" && serve_file(req, res)) {
            *route_template = "static";
            return;
        }
        if (!allowed.empty()) {
            res.set_header("Allow", allowed);
            return send_error(res, 405, "method_not_allowed",
                              req.method + " is not allowed on " + req.path);
        }
        send_error(res, 404, "not_found", "no route " + req.path);
    }

    // [SECTION] the site's files. Every answer gets a validator (ETag from size and
    // modification time, Cache-Control: no-cache, so a reload costs a 304) and, when the
    // client accepts gzip and the build left FILE.gz next to the file (tools/build.sh does for
    // text, wasm and data), the precompressed bytes; nothing is compressed on the fly.

    static const char* content_type(const std::string& file) {
        static const std::pair<const char*, const char*> types[] = {
            {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
            {".wasm", "application/wasm"}, {".json", "application/json; charset=utf-8"},
            {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
            {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ttf", "font/ttf"},
            {".data", "application/octet-stream"}, {".txt", "text/plain; charset=utf-8"},
            {".ico", "image/x-icon"}, {".webmanifest", "application/manifest+json"}};
        for (const auto& [ext, type] : types) {
            const std::size_t n = std::char_traits<char>::length(ext);
            if (file.size() > n && file.compare(file.size() - n, n, ext) == 0) return type;
        }
        return "application/octet-stream";
    }

    // The file for a path, or "" when the path could leave the site (a ".." or "." segment, a
    // backslash) or names none.
    std::string site_file(const std::string& path) const {
        if (options.site_dir.empty() || path.empty() || path[0] != '/' ||
            path.find('\\') != std::string::npos)
            return "";
        std::size_t start = 1;
        for (std::size_t i = 1; i <= path.size(); ++i) {
            if (i < path.size() && path[i] != '/') continue;
            const std::string segment = path.substr(start, i - start);
            if (segment == ".." || segment == ".") return "";
            start = i + 1;
        }
        return options.site_dir + path + (path.back() == '/' ? "index.html" : "");
    }

    // The widget's files are loaded by merchants' pages on other origins: anyone may read them
    // (no credentials travel with them). Files named by a hash of their content ("panel.
    // 3bae2f5cfe09685c.mjs") never change, so browsers keep them; the stub, the one URL merchants
    // embed, is kept five minutes so a new panel reaches every page soon.
    static void widget_file_headers(const std::string& path, http::Response& res) {
        res.set_header("Access-Control-Allow-Origin", "*");
        res.set_header("Cross-Origin-Resource-Policy", "cross-origin");
        const std::size_t dot = path.rfind('.');
        const std::size_t hash = path.rfind('.', dot == std::string::npos ? 0 : dot - 1);
        const bool hashed = dot != std::string::npos && hash != std::string::npos &&
                            dot - hash == 17 &&
                            path.find_first_not_of("0123456789abcdef", hash + 1) == dot;
        res.set_header("Cache-Control",
                       hashed ? "public, max-age=31536000, immutable" : "public, max-age=300");
    }

    bool serve_file(const http::Request& req, http::Response& res) {
        const std::string file = site_file(req.path);
        struct stat st{};
        if (file.empty() || ::stat(file.c_str(), &st) != 0) return false;
        if (S_ISDIR(st.st_mode)) {  // "/kiosk" → "/kiosk/", where the page's relative links work
            if (!file.empty() && file.back() == '/') return false;
            res.status = 301;
            res.set_header("Location", req.raw_path + "/");
            return true;
        }
        if (!S_ISREG(st.st_mode)) return false;
        char tag[64];
        std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                      static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL +
                          static_cast<unsigned long long>(st.st_mtim.tv_nsec));
        res.set_header("ETag", tag);
        res.set_header("Cache-Control", "no-cache");
        res.set_header("Vary", "Accept-Encoding");
        if (req.path.rfind("/widget/v1/", 0) == 0) widget_file_headers(req.path, res);
        if (req.get_header_value("If-None-Match") == tag) {
            res.status = 304;
            return true;
        }
        std::string body;
        struct stat gz_st{};
        const bool gzip =
            req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos &&
            ::stat((file + ".gz").c_str(), &gz_st) == 0 && read_whole_file(file + ".gz", &body);
        if (!gzip && !read_whole_file(file, &body)) return false;
        if (gzip) res.set_header("Content-Encoding", "gzip");
        res.status = 200;
        res.set_content(std::move(body), content_type(file));
        return true;
    }
};

HttpServer::HttpServer(Store& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
    impl_->routes();
    impl_->check_openapi();
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(std::string* error) { return impl_->listener.bind(error); }
void HttpServer::serve() { impl_->listener.run(); }
void HttpServer::stop() { impl_->listener.stop(); }

std::string HttpServer::handle_raw(std::string_view bytes, const std::string& remote_addr) {
    return impl_->listener.handle_raw(bytes, remote_addr);
}

}  // namespace kopilka::server

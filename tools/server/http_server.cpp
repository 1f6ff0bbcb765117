// HTTP adapter.
// Implemented: /healthz, /metrics, /v1/openapi.json (checked against the routes at start),
// /v1/members/lookup (GET ?code= and POST {"code"}), POST /v1/receipts and /v1/returns
// (merchant API key, role till or admin), GET /v1/me (member token); the kiosk and admin
// route groups (api/routes.hpp) register through RouteContext. Static site with correct
// MIME types, request body limit, bounded request queue, rate limits per credential class,
// JSON 401/403/404/405/413/429/500 errors, exception handler, one JSON log line per request
// (route, status, latency, merchant, request id), TCP_NODELAY.
#include "http_server.hpp"

#include <httplib.h>

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "api/member_lookup.hpp"
#include "api/receipts.hpp"
#include "api/returns.hpp"
#include "api/routes.hpp"
#include "auth/credentials.hpp"
#include "bounded_pool.hpp"
#include "core/assert.hpp"
#include "metrics.hpp"
#include "openapi_document.hpp"
#include "rate_limiter.hpp"
#include "codec/decode.hpp"
#include "storage/demo_data.hpp"

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
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void send_json(httplib::Response& res, int status, const codec::Json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(httplib::Response& res, int status, const char* code, const std::string& message, const char* field = "") {
    send_json(res, status, codec::error_json(code, message, field));
}

thread_local std::chrono::steady_clock::time_point t_request_start;
thread_local std::string t_merchant;
thread_local std::string t_request_id;
thread_local bool t_routed = false;  // the pre-routing handler ran for the current request
thread_local const char* t_route = nullptr;  // the matched route's template, for metrics
thread_local bool t_counted = false;         // an unmatched request already counted (error handler)
}  // namespace

// "/v1/admin/members/{id}" → the regular expression httplib matches, "/v1/admin/members/([^/]+)".
std::string path_pattern(const std::string& templ) {
    std::string out;
    for (std::size_t i = 0; i < templ.size(); ++i) {
        if (templ[i] == '{') {
            const std::size_t close = templ.find('}', i);
            KOPILKA_ASSERT(close != std::string::npos);
            out += "([^/]+)";
            i = close;
        } else if (templ[i] == '.') {
            out += "\\.";
        } else {
            out += templ[i];
        }
    }
    return out;
}

std::string path_param(const httplib::Request& req, std::size_t n) {
    if (n >= req.matches.size()) return "";
    return httplib::detail::decode_url(req.matches[n].str(), false);
}

struct HttpServer::Impl final : RouteContext {
    ServerOptions options;
    httplib::Server http;
    std::mutex log_mutex;
    Metrics metrics;
    RateLimiters limiters;
    std::vector<std::pair<std::string, std::string>> route_table;  // (method, path template)

    static RatePolicy policy(const ServerOptions& o) {
        RatePolicy p;
        p.anonymous = {o.anonymous_burst, o.anonymous_per_s};
        return p;
    }

    Impl(Store& s, ServerOptions o) : RouteContext(s), options(std::move(o)), limiters(policy(options)) {}

    std::int64_t now_ms() override { return server::now_ms(); }
    void error(httplib::Response& res, int status, const std::string& code, const std::string& message,
               const std::string& field) override {
        send_json(res, status, codec::error_json(code, message, field));
    }

    // Registers a route and remembers its template (metrics, the OpenAPI check).
    void route(const char* method, const char* path, Handler handler) override {
        route_table.emplace_back(method, path);
        auto wrapped = [this, path, handler](const httplib::Request& req, httplib::Response& res) {
            t_route = path;
            handler(req, res);
            // Counted before the answer is written, so a client that saw it sees it counted.
            const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_request_start).count();
            metrics.count_request(path, req.method, res.status == -1 ? 200 : res.status);
            metrics.observe_latency(path, static_cast<double>(us) / 1000.0);
        };
        const std::string m = method, pattern = path_pattern(path);
        if (m == "GET") http.Get(pattern, wrapped);
        else if (m == "POST") http.Post(pattern, wrapped);
        else if (m == "PUT") http.Put(pattern, wrapped);
        else if (m == "DELETE") http.Delete(pattern, wrapped);
        else KOPILKA_ASSERT(false && "unknown method");
    }

    bool within_limit(ClientClass c, const std::string& key, httplib::Response& res) override {
        if (!options.rate_limits) return true;
        const RateDecision d = limiters.check(c, key, now_ms());
        for (const auto& h : rate_limit_headers(d)) res.set_header(h.name, h.value);
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
                for (const auto& [m, p] : route_table) served = served || (m == method && p == path.key());
                if (!served) std::fprintf(stderr, "openapi.json documents %s %s, which is not served\n", method.c_str(), path.key().c_str());
                KOPILKA_ASSERT(served);
            }
        KOPILKA_ASSERT(documented == route_table.size());
    }

    void respond(httplib::Response& res, const ApiResult& r) override {
        if (!r.merchant_id.empty()) t_merchant = r.merchant_id;
        if (r.body.is_object() && r.body.contains("replayed")) res.set_header("Idempotent-Replayed", "true");
        send_json(res, r.status, r.body);
    }

    // The bearer credential, or "" with a 401 in res (after an anonymous rate-limit check, so
    // guessing credentials costs tokens).
    std::string bearer(const httplib::Request& req, httplib::Response& res, const char* what) {
        const std::string header = req.get_header_value("Authorization");
        const std::string prefix = "Bearer ";
        if (header.compare(0, prefix.size(), prefix) != 0 || header.size() == prefix.size()) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return "";
            res.set_header("WWW-Authenticate", "Bearer");
            send_error(res, 401, "unauthorized", std::string("Authorization: Bearer <") + what + "> is required", "Authorization");
            return "";
        }
        return header.substr(prefix.size());
    }

    std::optional<Caller> device(const httplib::Request& req, httplib::Response& res) override {
        const std::string token = bearer(req, res, "device token");
        if (token.empty()) return std::nullopt;
        const auth::ParsedDeviceToken parsed = auth::parse_device_token(token);
        const auto stored = parsed.status == auth::CredentialStatus::ok ? store.device(parsed.device_id) : std::nullopt;
        const bool valid = stored && stored->revoked_at_ms == 0 &&
                           auth::verify_device_token({stored->device_id, stored->salt_hex, stored->secret_hash_hex}, parsed) ==
                               auth::CredentialStatus::ok;
        if (!valid) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return std::nullopt;
            res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            send_error(res, 401, "unauthorized", stored && stored->revoked_at_ms ? "this kiosk was unpaired; pair it again" : "the device token is not valid", "Authorization");
            return std::nullopt;
        }
        t_merchant = stored->merchant_id;
        if (!within_limit(ClientClass::kiosk, stored->merchant_id + "/" + stored->device_id, res)) return std::nullopt;
        return Caller{stored->merchant_id, "device", stored->device_id};
    }

    // The merchant behind an "Authorization: Bearer kpk_…" API key, if it is one of the roles.
    // On failure res holds the 401/403/429 answer.
    std::optional<Caller> api_key(const httplib::Request& req, httplib::Response& res,
                                  std::initializer_list<const char*> roles) override {
        const std::string token = bearer(req, res, "API key");
        if (token.empty()) return std::nullopt;
        const auth::ParsedApiKey parsed = auth::parse_api_key(token);
        const auto stored = parsed.status == auth::CredentialStatus::ok ? store.api_key(parsed.key_id) : std::nullopt;
        const bool valid = stored && stored->revoked_at_ms == 0 &&
                           auth::verify_api_key({stored->key_id, stored->role == "admin" ? auth::Role::admin : auth::Role::till,
                                                 stored->salt_hex, stored->secret_hash_hex},
                                                parsed) == auth::CredentialStatus::ok;
        if (!valid) {
            if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return std::nullopt;
            res.set_header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            send_error(res, 401, "unauthorized", "the API key is not valid", "Authorization");
            return std::nullopt;
        }
        t_merchant = stored->merchant_id;
        if (!within_limit(stored->role == "admin" ? ClientClass::admin : ClientClass::till, stored->merchant_id + "/" + stored->key_id, res))
            return std::nullopt;
        for (const char* role : roles)
            if (stored->role == role) return Caller{stored->merchant_id, stored->role, ""};
        send_error(res, 403, "forbidden", "this API key's role (" + stored->role + ") may not do this", "Authorization");
        return std::nullopt;
    }

    void routes() {
        route("GET", "/healthz", [](const httplib::Request&, httplib::Response& res) {
            send_json(res, 200, {{"status", "ok"}});
        });
        route("GET", "/metrics", [this](const httplib::Request&, httplib::Response& res) {
            res.set_content(metrics.render(), metrics_content_type);
        });
        route("GET", "/v1/openapi.json", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(openapi_document(), "application/json; charset=utf-8");
        });
        // Anonymous (card QR with its MAC), or a paired kiosk (also card numbers and phones).
        auto lookup = [this](const httplib::Request& req, httplib::Response& res, const std::string& code) {
            std::optional<Caller> kiosk;
            if (req.has_header("Authorization")) {
                kiosk = device(req, res);
                if (!kiosk) return;
            } else if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) {
                return;
            }
            respond(res, lookup_member(store, code, kiosk ? &*kiosk : nullptr, now_ms()));
        };
        route("GET", "/v1/members/lookup", [this, lookup](const httplib::Request& req, httplib::Response& res) {
            if (!req.has_param("code")) {
                if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
                return send_error(res, 400, "missing_field", "code is required", "code");
            }
            lookup(req, res, req.get_param_value("code"));
        });
        route("POST", "/v1/members/lookup", [this, lookup](const httplib::Request& req, httplib::Response& res) {
            codec::DecodeError e;
            const auto body = codec::parse_json(req.body, &e);
            std::string code;
            if (!body || !codec::read_string(*body, "", "code", &code, &e, 256)) {
                if (!within_limit(ClientClass::anonymous, req.remote_addr, res)) return;
                return send_json(res, 400, codec::error_json(e));
            }
            lookup(req, res, code);
        });
        route("POST", "/v1/returns", [this](const httplib::Request& req, httplib::Response& res) {
            const auto caller = api_key(req, res, {"till", "admin"});
            if (!caller) return;
            respond(res, post_return(store, *caller, req.body, now_ms()));
        });
        route("GET", "/v1/me", [this](const httplib::Request& req, httplib::Response& res) {
            if (!within_limit(ClientClass::member, req.remote_addr, res)) return;
            const std::string header = req.get_header_value("Authorization");
            if (header.rfind("Bearer ", 0) != 0) {
                res.set_header("WWW-Authenticate", "Bearer");
                return send_error(res, 401, "unauthorized", "Authorization: Bearer <member token> is required", "Authorization");
            }
            respond(res, me(store, header.substr(7), now_ms()));
        });
        route("POST", "/v1/receipts", [this](const httplib::Request& req, httplib::Response& res) {
            const auto caller = api_key(req, res, {"till", "admin"});
            if (!caller) return;
            respond(res, post_receipt(store, *caller, req.body, now_ms()));
        });
        register_kiosk_routes(*this);
        register_admin_routes(*this);
    }

    void limits_and_errors() {
        http.set_payload_max_length(options.request_body_bytes_max);
        const std::size_t threads = options.worker_threads, queue_max = options.request_queue_max;
        http.new_task_queue = [threads, queue_max] { return new BoundedPool(threads, queue_max); };
        // Short timeouts: an idle keep-alive connection or a stalled client holds a worker,
        // and on shutdown the server waits for every worker.
        http.set_read_timeout(3, 0);
        http.set_write_timeout(5, 0);
        http.set_keep_alive_timeout(1);
        // Small JSON answers on kept-alive connections: without TCP_NODELAY every answer
        // waits for the client's delayed ACK (~40 ms on Linux).
        http.set_tcp_nodelay(true);
        // A busy connection gives its worker up now and then, so a queued one gets its turn.
        http.set_keep_alive_max_count(100);
        http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
            t_routed = true;
            t_request_start = std::chrono::steady_clock::now();
            t_merchant.clear();
            t_request_id = req.has_header("X-Request-Id") ? req.get_header_value("X-Request-Id").substr(0, 64) : random_id();
            res.set_header("X-Request-Id", t_request_id);
            return httplib::Server::HandlerResponse::Unhandled;
        });
        http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown error";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            std::fprintf(stderr, "{\"level\":\"error\",\"message\":%s}\n", codec::Json(what).dump().c_str());
            send_error(res, 500, "internal", "the server failed to handle this request");
        });
        http.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            // Requests httplib rejects before routing (414, malformed request line) still get an id.
            if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", t_routed ? t_request_id : random_id());
            // Counted before the answer is written (as routes are), so a client that saw the
            // answer sees it counted.
            if (t_route == nullptr && res.status == 404) {
                const auto us = t_routed ? std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_request_start).count() : 0;
                metrics.count_request("unmatched", req.method, 404);
                metrics.observe_latency("unmatched", static_cast<double>(us) / 1000.0);
                t_counted = true;
            }
            if (!res.body.empty()) return;  // a handler already wrote a JSON error
            switch (res.status) {
                case 404: send_error(res, 404, "not_found", "no route " + req.path); break;
                case 413: send_error(res, 413, "body_too_large", "the request body is larger than the server accepts"); break;
                case 405: send_error(res, 405, "method_not_allowed", req.method + " is not allowed on " + req.path); break;
                case 400:
                    send_error(res, 400, "bad_request",
                               "the request could not be read (a " + req.method + " with a body needs Content-Length or chunked encoding)");
                    break;
                default: send_error(res, res.status, "http_error", "HTTP " + std::to_string(res.status)); break;
            }
        });
        http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
            const bool routed = t_routed;
            const bool counted = t_route != nullptr || t_counted;  // counted by their route or as unmatched
            const char* route_template = counted ? t_route : (res.status == 404 ? "unmatched" : "static");
            t_routed = false;  // the next request on this thread starts clean
            t_route = nullptr;
            t_counted = false;
            const auto us = routed ? std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t_request_start).count() : 0;
            if (!counted) {
                metrics.count_request(route_template, req.method, res.status);
                metrics.observe_latency(route_template, static_cast<double>(us) / 1000.0);
            }
            if (!options.log_requests) return;
            const codec::Json line = {{"ts_ms", now_ms()}, {"method", req.method}, {"route", req.path}, {"status", res.status},
                                      {"latency_ms", static_cast<double>(us) / 1000.0}, {"merchant", routed ? t_merchant : std::string()},
                                      {"request_id", res.get_header_value("X-Request-Id")}};
            std::lock_guard<std::mutex> lock(log_mutex);
            std::fprintf(stderr, "%s\n", line.dump().c_str());
        });
    }

    // The site's files. httplib reads the file; here every answer gets a validator (ETag
    // from size and modification time, Cache-Control: no-cache, so a reload costs a 304) and,
    // when the client accepts gzip and the build left FILE.gz next to the file (tools/build.sh
    // does for text, wasm and data), the precompressed bytes. Answers go out as fixed-length
    // content, which httplib does not compress again: compressing on every request (brotli at
    // its slowest level) cost a cold kiosk start ~0.3 s per script.
    void static_site() {
        if (options.site_dir.empty()) return;
        const std::pair<const char*, const char*> types[] = {
            {"js", "text/javascript; charset=utf-8"}, {"mjs", "text/javascript; charset=utf-8"},
            {"wasm", "application/wasm"}, {"json", "application/json; charset=utf-8"},
            {"html", "text/html; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
            {"svg", "image/svg+xml"}, {"png", "image/png"}, {"ttf", "font/ttf"},
            {"data", "application/octet-stream"}};
        for (const auto& [ext, type] : types) http.set_file_extension_and_mimetype_mapping(ext, type);
        http.set_mount_point("/", options.site_dir);
        const std::string root = options.site_dir;
        http.set_file_request_handler([root](const httplib::Request& req, httplib::Response& res) {
            std::string file = root + req.path;
            if (!file.empty() && file.back() == '/') file += "index.html";
            struct stat st{};
            if (::stat(file.c_str(), &st) != 0) return;
            char tag[64];
            std::snprintf(tag, sizeof tag, "\"%llx-%llx\"", static_cast<unsigned long long>(st.st_size),
                          static_cast<unsigned long long>(st.st_mtim.tv_sec) * 1000000000ULL + static_cast<unsigned long long>(st.st_mtim.tv_nsec));
            res.set_header("ETag", tag);
            res.set_header("Cache-Control", "no-cache");
            res.set_header("Vary", "Accept-Encoding");
            if (req.get_header_value("If-None-Match") == tag) {
                res.status = 304;
                res.body.clear();
                return;
            }
            if (req.has_header("Range")) return;  // httplib serves the byte range of the plain file
            std::string gz;
            const bool gzip = req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos &&
                              ::stat((file + ".gz").c_str(), &st) == 0 && read_whole_file(file + ".gz", &gz);
            auto body = std::make_shared<std::string>(gzip ? std::move(gz) : std::move(res.body));
            res.body.clear();
            if (gzip) res.set_header("Content-Encoding", "gzip");
            const std::string type = res.get_header_value("Content-Type");
            res.headers.erase("Content-Type");  // set again, once, by set_content_provider
            res.set_content_provider(body->size(), type, [body](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                sink.write(body->data() + offset, std::min(length, body->size() - offset));
                return true;
            });
        });
    }
};

HttpServer::HttpServer(Store& store, ServerOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {
    impl_->limits_and_errors();
    impl_->routes();
    impl_->check_openapi();
    impl_->static_site();
}

HttpServer::~HttpServer() = default;

int HttpServer::bind(std::string* error) {
    int port = impl_->options.port;
    if (port == 0) {
        port = impl_->http.bind_to_any_port(impl_->options.host);
    } else if (!impl_->http.bind_to_port(impl_->options.host, port)) {
        port = -1;
    }
    if (port < 0) *error = "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port);
    return port;
}

void HttpServer::serve() { impl_->http.listen_after_bind(); }
void HttpServer::stop() { impl_->http.stop(); }

}  // namespace kopilka::server

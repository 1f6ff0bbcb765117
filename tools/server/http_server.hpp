// kopilka-server's HTTP layer: an event-driven HTTP/1.1 server (Boost.Beast on Asio) in front
// of a bounded pool of workers that run the route handlers; routes, static site, limits, JSON
// errors and one JSON log line per request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/password.hpp"
#include "storage/store.hpp"

namespace kopilka::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                          // 0: any free port
    std::string site_dir;                     // static files served at /, empty: none
    std::size_t request_body_bytes_max = 64 * 1024;
    // POST /v1/admin/imports (a CSV file) with a credential, at most uploads_max at a time;
    // otherwise request_body_bytes_max.
    std::size_t upload_body_bytes_max = 64 * 1024 * 1024;
    std::size_t uploads_max = 2;
    std::size_t request_head_bytes_max = 16 * 1024;  // request line and headers together
    std::size_t request_target_bytes_max = 8 * 1024;
    // Workers run handlers only: a connection waiting for its next request, or still sending
    // this one, holds none. Each handler may hold a database connection for its transaction.
    std::size_t worker_threads = 32;
    std::size_t request_queue_max = 1024;     // requests read and waiting for a worker: then 503
    std::size_t io_threads = 2;               // read, parse and write every connection
    // A request's line, headers and body must all arrive within this, however they trickle.
    std::size_t request_deadline_s = 10;
    std::size_t keep_alive_idle_s = 30;             // an idle kept-alive connection is closed after
    std::size_t write_deadline_s = 30;             // an answer the client doesn't read is dropped
    // At SIGTERM, requests arriving or in flight get this long to be answered (the drain).
    std::size_t drain_s = 5;
    std::size_t connections_max = 8192;
    std::size_t connections_per_address_max = 256;
    std::size_t listen_backlog = 4096;
    bool log_requests = true;
    bool rate_limits = true;                  // off only for benchmarks
    std::int64_t anonymous_burst = 120;       // requests without a credential, per address
    double anonymous_per_s = 2.0;
    // Passwords the server sets (users routes) are hashed under these; verifying takes the
    // limits stored in each hash. Minimum only for tests (--password-hash-min).
    auth::PasswordLimits password_limits = auth::PasswordLimits::interactive;
};

class HttpServer {
public:
    HttpServer(Store& store, ServerOptions options);
    ~HttpServer();
    // Binds the socket; returns the port, or -1 with a message on failure.
    int bind(std::string* error);
    void serve();  // blocks until stop(); requests in flight are answered first
    void stop();   // from any thread

    // The whole of one request's handling in-process, without a socket: raw bytes (request
    // line, headers, body) through the same parser, limits, routes and logging as a
    // connection, and the raw answer. For the HTTP fuzz target.
    std::string handle_raw(std::string_view bytes, const std::string& remote_addr = "127.0.0.1");

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kopilka::server

// kopilka-server's HTTP layer (cpp-httplib): routes, static site, limits, JSON errors and
// one JSON log line per request.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "storage/store.hpp"

namespace kopilka::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;                          // 0: any free port
    std::string site_dir;                     // static files served at /, empty: none
    std::size_t request_body_bytes_max = 64 * 1024;
    // A worker serves one connection at a time, for as long as the client keeps it alive
    // (up to 1 s idle): there must be a worker for every client that keeps one open — a shop's
    // kiosks and tills, a console — or the others wait in the queue.
    std::size_t worker_threads = 64;
    std::size_t request_queue_max = 256;      // accepted connections waiting for a worker
    bool log_requests = true;
    bool rate_limits = true;                  // off only for benchmarks
    std::int64_t anonymous_burst = 120;       // requests without a credential, per address
    double anonymous_per_s = 2.0;
};

class HttpServer {
public:
    HttpServer(Store& store, ServerOptions options);
    ~HttpServer();
    // Binds the socket; returns the port, or -1 with a message on failure.
    int bind(std::string* error);
    void serve();  // blocks until stop()
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace kopilka::server

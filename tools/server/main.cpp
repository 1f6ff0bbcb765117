// kopilka-server: the REST backend and static web server.
//   kopilka-server [--db FILE|postgresql://URL] [--host H] [--port N] [--site DIR] [--seed-demo]
//                  [--no-rate-limits] [--password-hash-min] [--quiet] [--NUMERIC-SETTING N …]
// The numeric settings (the table `numeric_settings` below: body and head limits, workers,
// queue, deadlines, connection caps, backlog, anonymous burst) each have a flag and an
// environment variable. Each flag can also come from the environment (a flag given wins):
// KOPILKA_DB, KOPILKA_HOST, KOPILKA_PORT, KOPILKA_SITE, KOPILKA_SEED_DEMO=1, KOPILKA_QUIET=1,
// KOPILKA_RATE_LIMITS=off, KOPILKA_PASSWORD_HASH=min (--password-hash-min: staff passwords the
// server sets are hashed under libsodium's minimum limits; for tests only), and
// KOPILKA_<SETTING> for each numeric one. KOPILKA_PG_PREPARED=off sends PostgreSQL unnamed
// statements only (behind a pooler in transaction mode, tools/server/SCALING.md);
// KOPILKA_PG_CONNECTIONS=N (1–1000, 8 by default) caps the connections to PostgreSQL this
// server keeps, besides the one it listens on.
// SIGINT/SIGTERM drain it, then it exits 0: it stops accepting connections and closes idle
// ones, answers the requests whose head is in (Connection: close) within --drain-s, and
// answers a request begun after the signal 503 {"code": "draining"}, so nginx retries it on
// another server.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "http_server.hpp"
#include "storage/demo_data.hpp"
#include "storage/open_store.hpp"

using namespace kopilka::server;

namespace {
struct Flags {
    std::string db = "var/kopilka.sqlite";
    bool seed_demo = false;
    ServerOptions server;
};

const char* env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v && *v ? v : fallback;
}

bool parse_size(const char* text, std::size_t* out) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text, &end, 10);
    if (!text[0] || *end) return false;
    *out = static_cast<std::size_t>(v);
    return true;
}

// A positive whole number the server takes as a flag and an environment variable.
struct NumericSetting {
    const char* flag;
    const char* env;
    std::size_t* out;
};

std::vector<NumericSetting> numeric_settings(ServerOptions& o, std::size_t* anonymous_burst) {
    return {{"--body-bytes-max", "KOPILKA_BODY_BYTES_MAX", &o.request_body_bytes_max},
            {"--head-bytes-max", "KOPILKA_HEAD_BYTES_MAX", &o.request_head_bytes_max},
            {"--threads", "KOPILKA_THREADS", &o.worker_threads},
            {"--queue-max", "KOPILKA_QUEUE_MAX", &o.request_queue_max},
            {"--io-threads", "KOPILKA_IO_THREADS", &o.io_threads},
            {"--request-deadline-s", "KOPILKA_REQUEST_DEADLINE_S", &o.request_deadline_s},
            {"--keep-alive-idle-s", "KOPILKA_KEEP_ALIVE_IDLE_S", &o.keep_alive_idle_s},
            {"--write-deadline-s", "KOPILKA_WRITE_DEADLINE_S", &o.write_deadline_s},
            {"--drain-s", "KOPILKA_DRAIN_S", &o.drain_s},
            {"--connections-max", "KOPILKA_CONNECTIONS_MAX", &o.connections_max},
            {"--connections-per-address-max", "KOPILKA_CONNECTIONS_PER_ADDRESS_MAX",
             &o.connections_per_address_max},
            {"--listen-backlog", "KOPILKA_LISTEN_BACKLOG", &o.listen_backlog},
            {"--anonymous-burst", "KOPILKA_ANONYMOUS_BURST", anonymous_burst}};
}

int usage(const char* why) {
    std::fprintf(stderr,
                 "kopilka-server: %s\nusage: kopilka-server [--db FILE|postgresql://URL] [--host "
                 "H] [--port N] [--site DIR] "
                 "[--seed-demo] [--no-rate-limits] [--password-hash-min] [--quiet]",
                 why);
    ServerOptions o;
    std::size_t burst = 0;
    for (const auto& n : numeric_settings(o, &burst)) std::fprintf(stderr, " [%s N]", n.flag);
    std::fprintf(stderr, "\n");
    return 2;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

int main(int argc, char** argv) {
    Flags f;
    f.db = env_or("KOPILKA_DB", f.db.c_str());
    f.server.host = env_or("KOPILKA_HOST", "127.0.0.1");
    f.server.site_dir = env_or("KOPILKA_SITE", "");
    std::size_t port = static_cast<std::size_t>(std::atoi(env_or("KOPILKA_PORT", "8080")));
    std::size_t anonymous_burst = static_cast<std::size_t>(f.server.anonymous_burst);
    const auto numeric = numeric_settings(f.server, &anonymous_burst);
    for (const auto& n : numeric)
        if (const char* v = std::getenv(n.env); v && *v && (!parse_size(v, n.out) || *n.out == 0))
            return usage((std::string(n.env) + " needs a positive number").c_str());
    f.seed_demo = std::string(env_or("KOPILKA_SEED_DEMO", "")) == "1";
    f.server.log_requests = std::string(env_or("KOPILKA_QUIET", "")) != "1";
    f.server.rate_limits = std::string(env_or("KOPILKA_RATE_LIMITS", "on")) != "off";
    f.server.password_limits = kopilka::server::auth::password_limits_from_env();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        const NumericSetting* setting = nullptr;
        for (const auto& n : numeric) setting = a == n.flag ? &n : setting;
        if (setting) {
            if (!next || !parse_size(next, setting->out) || *setting->out == 0)
                return usage((a + " needs a positive number").c_str());
            ++i;
        } else if (a == "--seed-demo") {
            f.seed_demo = true;
        } else if (a == "--quiet") {
            f.server.log_requests = false;
        } else if (a == "--password-hash-min") {
            f.server.password_limits = kopilka::server::auth::PasswordLimits::minimum;  // tests
        } else if (a == "--no-rate-limits") {
            f.server.rate_limits = false;  // benchmarks only
        } else if (a == "--help" || a == "-h") {
            usage("the loyalty REST backend");
            return 0;
        } else if (a != "--db" && a != "--host" && a != "--site" && a != "--port") {
            return usage(("unknown flag " + a).c_str());
        } else if (!next) {
            return usage((a + " needs a value").c_str());
        } else {
            ++i;
            if (a == "--db") f.db = next;
            else if (a == "--host") f.server.host = next;
            else if (a == "--site") f.server.site_dir = next;
            else if (!parse_size(next, &port) || port > 65535)
                return usage("--port needs a number 0..65535");
        }
    }
    f.server.anonymous_burst = static_cast<std::int64_t>(anonymous_burst);
    f.server.port = static_cast<int>(port);

    // Block the stop signals in every thread; one thread waits for them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    std::unique_ptr<Store> store;
    try {
        store = open_store(f.db);
        if (f.seed_demo) {
            const auto seeded = seed_demo(*store, now_ms());
            if (!seeded.empty()) std::printf("seeded demo data: %zu members\n", seeded.size());
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kopilka-server: %s\n", e.what());
        return 1;
    }

    HttpServer server(*store, f.server);
    std::string error;
    const int bound = server.bind(&error);
    if (bound < 0) {
        std::fprintf(stderr, "kopilka-server: %s\n", error.c_str());
        return 1;
    }
    std::atomic<bool> signalled{false};
    std::thread waiter([&server, &signalled, stop_signals] {
        int sig = 0;
        sigwait(&stop_signals, &sig);
        signalled = true;
        server.stop();  // first: once the line below is out, no new request is taken
        std::fprintf(stderr, "kopilka-server: %s received, draining\n",
                     sig == SIGINT ? "SIGINT" : "SIGTERM");
    });
    std::printf("listening on http://%s:%d\n", f.server.host.c_str(), bound);
    std::fflush(stdout);
    server.serve();
    // serve() also returns if the listener fails; wake the waiter so it can be joined.
    if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 0;
}

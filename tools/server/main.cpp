// kopilka-server: the REST backend and static web server.
//   kopilka-server [--db FILE|postgresql://URL] [--host H] [--port N] [--site DIR] [--seed-demo]
//                  [--body-bytes-max N] [--threads N] [--queue-max N] [--anonymous-burst N] [--quiet]
// Each flag can also come from the environment (a flag given wins): KOPILKA_DB, KOPILKA_HOST,
// KOPILKA_PORT, KOPILKA_SITE, KOPILKA_BODY_BYTES_MAX, KOPILKA_THREADS, KOPILKA_QUEUE_MAX,
// KOPILKA_ANONYMOUS_BURST, KOPILKA_SEED_DEMO=1, KOPILKA_QUIET=1, KOPILKA_RATE_LIMITS=off.
// SIGINT/SIGTERM stop it cleanly (requests in flight finish).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

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

int usage(const char* why) {
    std::fprintf(stderr,
                 "kopilka-server: %s\nusage: kopilka-server [--db FILE] [--host H] [--port N] [--site DIR] "
                 "[--seed-demo] [--body-bytes-max N] [--threads N] [--queue-max N] [--anonymous-burst N] [--no-rate-limits] [--quiet]\n",
                 why);
    return 2;
}

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

int main(int argc, char** argv) {
    Flags f;
    f.db = env_or("KOPILKA_DB", f.db.c_str());
    f.server.host = env_or("KOPILKA_HOST", "127.0.0.1");
    f.server.site_dir = env_or("KOPILKA_SITE", "");
    std::size_t port = static_cast<std::size_t>(std::atoi(env_or("KOPILKA_PORT", "8080")));
    // The numeric settings from the environment, checked like their flags.
    const std::pair<const char*, std::size_t*> sizes[] = {{"KOPILKA_BODY_BYTES_MAX", &f.server.request_body_bytes_max},
                                                          {"KOPILKA_THREADS", &f.server.worker_threads},
                                                          {"KOPILKA_QUEUE_MAX", &f.server.request_queue_max}};
    for (const auto& [name, out] : sizes)
        if (const char* v = std::getenv(name); v && *v && (!parse_size(v, out) || *out == 0))
            return usage((std::string(name) + " needs a positive number").c_str());
    if (const char* v = std::getenv("KOPILKA_ANONYMOUS_BURST"); v && *v) {
        std::size_t n = 0;
        if (!parse_size(v, &n) || n == 0) return usage("KOPILKA_ANONYMOUS_BURST needs a positive number");
        f.server.anonymous_burst = static_cast<std::int64_t>(n);
    }
    f.seed_demo = std::string(env_or("KOPILKA_SEED_DEMO", "")) == "1";
    f.server.log_requests = std::string(env_or("KOPILKA_QUIET", "")) != "1";
    f.server.rate_limits = std::string(env_or("KOPILKA_RATE_LIMITS", "on")) != "off";
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* next = i + 1 < argc ? argv[i + 1] : nullptr;
        auto value = [&](const char* flag) -> const char* {
            if (!next) return nullptr;
            ++i;
            (void)flag;
            return next;
        };
        if (a == "--seed-demo") f.seed_demo = true;
        else if (a == "--quiet") f.server.log_requests = false;
        else if (a == "--no-rate-limits") f.server.rate_limits = false;  // benchmarks only
        else if (a == "--db") { const char* v = value("--db"); if (!v) return usage("--db needs a file"); f.db = v; }
        else if (a == "--host") { const char* v = value("--host"); if (!v) return usage("--host needs an address"); f.server.host = v; }
        else if (a == "--site") { const char* v = value("--site"); if (!v) return usage("--site needs a directory"); f.server.site_dir = v; }
        else if (a == "--port") { const char* v = value("--port"); if (!v || !parse_size(v, &port) || port > 65535) return usage("--port needs a number 0..65535"); }
        else if (a == "--body-bytes-max") { const char* v = value("--body-bytes-max"); if (!v || !parse_size(v, &f.server.request_body_bytes_max)) return usage("--body-bytes-max needs a number"); }
        else if (a == "--threads") { const char* v = value("--threads"); if (!v || !parse_size(v, &f.server.worker_threads) || f.server.worker_threads == 0) return usage("--threads needs a positive number"); }
        else if (a == "--queue-max") { const char* v = value("--queue-max"); if (!v || !parse_size(v, &f.server.request_queue_max) || f.server.request_queue_max == 0) return usage("--queue-max needs a positive number"); }
        else if (a == "--anonymous-burst") { const char* v = value("--anonymous-burst"); std::size_t n = 0; if (!v || !parse_size(v, &n) || n == 0) return usage("--anonymous-burst needs a positive number"); f.server.anonymous_burst = static_cast<std::int64_t>(n); }
        else if (a == "--help" || a == "-h") { usage("the loyalty REST backend"); return 0; }
        else return usage(("unknown flag " + a).c_str());
    }
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
        std::fprintf(stderr, "kopilka-server: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
        server.stop();
    });
    std::printf("listening on http://%s:%d\n", f.server.host.c_str(), bound);
    std::fflush(stdout);
    server.serve();
    // serve() also returns if the listener fails; wake the waiter so it can be joined.
    if (!signalled) pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return 0;
}

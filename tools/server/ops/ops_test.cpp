// Tests of the rate limiter and the metrics registry. Time is passed in, so every expected
// number below is exact.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "metrics.hpp"
#include "rate_limiter.hpp"

using namespace kopilka::server;

namespace {
RateLimiter limiter(std::int64_t capacity, double refill_per_s) {
    return RateLimiter(RateLimiterOptions{{capacity, refill_per_s}, 100});
}

std::string header_text(const RateDecision& d) {
    std::string out;
    for (const auto& h : rate_limit_headers(d)) out += h.name + ": " + h.value + "\n";
    return out;
}

constexpr std::int64_t t0 = 1'767'225'600'000;  // 2026-01-01, an ordinary wall-clock time
}  // namespace

// [SECTION] Rate limiter

TEST_CASE("a full bucket allows a burst of capacity requests, then refuses") {
    RateLimiter rl(RateLimiterOptions{{5, 1.0}, 100});
    for (std::int64_t i = 0; i < 5; ++i) {
        const RateDecision d = rl.check("kiosk-1", t0);
        CHECK(d.allowed);
        CHECK(d.limit == 5);
        CHECK(d.remaining == 4 - i);
        CHECK(d.retry_after_s == 0);
    }
    const RateDecision refused = rl.check("kiosk-1", t0);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.remaining == 0);
    CHECK(refused.retry_after_s == 1);
    CHECK(refused.reset_s == 5);
    // Another key has its own bucket.
    CHECK(rl.check("kiosk-2", t0).allowed);
}

TEST_CASE("a token given back is taken again, never past a full bucket nor for an unknown key") {
    RateLimiter rl(RateLimiterOptions{{3, 1.0}, 100});
    CHECK(rl.check("k", t0).remaining == 2);
    rl.give_back("k");
    CHECK(rl.check("k", t0).remaining == 2);  // as if the first check had not been made
    rl.give_back("k");
    rl.give_back("k");  // the bucket is full: no more than its capacity
    for (int i = 0; i < 3; ++i) CHECK(rl.check("k", t0).allowed);
    CHECK_FALSE(rl.check("k", t0).allowed);
    rl.give_back("never seen");
    CHECK(rl.tracked_keys() == 1);
}

TEST_CASE("buckets refill with time, in fractions of a token") {
    RateLimiter rl(RateLimiterOptions{{3, 2.0}, 100});
    for (int i = 0; i < 3; ++i) REQUIRE(rl.check("k", t0).allowed);
    CHECK_FALSE(rl.check("k", t0 + 499).allowed);  // 0.998 tokens
    const RateDecision d = rl.check("k", t0 + 500);
    CHECK(d.allowed);
    CHECK(d.remaining == 0);
    // 1.25 s later: 2.5 tokens, one taken, 1.5 left, 0.75 s until full (rounded up to 1 s).
    const RateDecision later = rl.check("k", t0 + 1750);
    CHECK(later.allowed);
    CHECK(later.remaining == 1);
    CHECK(later.reset_s == 1);
    // A long pause fills the bucket and no more.
    CHECK(rl.check("k", t0 + 3'600'000).remaining == 2);
    CHECK(rl.check("k", t0 + 3'600'000).remaining == 1);
}

TEST_CASE("Retry-After is the wait for the next token, rounded up") {
    RateLimiter rl(RateLimiterOptions{{1, 0.2}, 100});  // one token per 5 s
    REQUIRE(rl.check("ip", t0).allowed);
    CHECK(rl.check("ip", t0).retry_after_s == 5);
    CHECK(rl.check("ip", t0 + 2100).retry_after_s == 3);  // 2.9 s to go
    CHECK(rl.check("ip", t0 + 4999).retry_after_s == 1);  // 1 ms to go
    CHECK(rl.check("ip", t0 + 5000).allowed);
    // Refusals don't cost anything: the next token still comes 5 s after the last one.
    CHECK(rl.check("ip", t0 + 5001).retry_after_s == 5);
}

TEST_CASE("header values: RateLimit-* always, Retry-After only on refusal") {
    RateLimiter rl(RateLimiterOptions{{10, 2.0}, 100});
    CHECK(header_text(rl.check("till-7", t0)) ==
          "RateLimit-Limit: 10\nRateLimit-Remaining: 9\nRateLimit-Reset: 1\n");
    for (int i = 0; i < 9; ++i) rl.check("till-7", t0);
    CHECK(header_text(rl.check("till-7", t0)) ==
          "RateLimit-Limit: 10\nRateLimit-Remaining: 0\nRateLimit-Reset: 5\nRetry-After: 1\n");
}

TEST_CASE("at most tracked_keys_max buckets; the least recently used is evicted") {
    RateLimiter rl(RateLimiterOptions{{1, 0.001}, 3});
    for (const char* key : {"a", "b", "c"}) REQUIRE(rl.check(key, t0).allowed);
    CHECK_FALSE(rl.check("a", t0).allowed);  // a is now the most recently used
    REQUIRE(rl.check("d", t0).allowed);      // evicts b
    CHECK(rl.tracked_keys() == 3);
    CHECK_FALSE(rl.check("a", t0).allowed);  // kept
    CHECK_FALSE(rl.check("c", t0).allowed);  // kept; the order is now c, a, d
    CHECK(rl.check("b", t0).allowed);        // forgotten, so a fresh bucket; evicts d
    CHECK(rl.check("d", t0).allowed);        // evicts a
    CHECK(rl.tracked_keys() == 3);
    for (int i = 0; i < 10'000; ++i) rl.check("flood-" + std::to_string(i), t0);
    CHECK(rl.tracked_keys() == 3);
}

TEST_CASE("many threads on one key never get more than capacity plus refill") {
    constexpr std::int64_t capacity = 100;
    constexpr int threads_n = 8;
    constexpr int checks_per_thread = 20'000;
    RateLimiter rl(RateLimiterOptions{{capacity, 10.0}, 100});
    std::atomic<std::int64_t> allowed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < checks_per_thread; ++i) {
                // Each thread walks through the same second, so clocks interleave out of order.
                const std::int64_t now = t0 + std::int64_t{i} * 1000 / checks_per_thread;
                if (rl.check("shared", now).allowed) allowed.fetch_add(1);
            }
        });
    }
    for (auto& th : threads) th.join();
    // Under 1 s of refill at 10/s adds at most 9.99 tokens to the 100 of the burst.
    CHECK(allowed.load() >= capacity);
    CHECK(allowed.load() <= capacity + 10);
}

TEST_CASE("odd options and times are clamped, never overflow") {
    RateLimiter rl(RateLimiterOptions{{0, -3.0}, 0});
    const RateDecision d = rl.check("k", t0);
    CHECK(d.allowed);
    CHECK(d.limit == 1);
    const RateDecision refused = rl.check("k", t0);
    CHECK_FALSE(refused.allowed);
    CHECK(refused.retry_after_s == 1000);  // the slowest rate: 0.001 tokens per second

    RateLimiter nan_rate(RateLimiterOptions{{2, std::numeric_limits<double>::quiet_NaN()}, 10});
    CHECK(nan_rate.check("k", 0).allowed);

    // Time going backwards adds nothing; a jump across the whole int64 range fills the bucket.
    RateLimiter wide = limiter(2, 1.0);
    wide.check("k", std::numeric_limits<std::int64_t>::min());
    wide.check("k", std::numeric_limits<std::int64_t>::min());
    CHECK_FALSE(wide.check("k", std::numeric_limits<std::int64_t>::min()).allowed);
    const RateDecision jump = wide.check("k", std::numeric_limits<std::int64_t>::max());
    CHECK(jump.allowed);
    CHECK(jump.remaining == 1);
    const RateDecision backwards = wide.check("k", 0);  // no refill: the one token left
    CHECK(backwards.allowed);
    CHECK(backwards.remaining == 0);
}

TEST_CASE("each client class has its own policy and its own buckets") {
    RatePolicy policy;
    policy.anonymous = {2, 0.1};
    policy.kiosk = {4, 1.0};
    RateLimiters limits(policy);
    CHECK(limits.check(ClientClass::anonymous, "10.0.0.7", t0).remaining == 1);
    CHECK(limits.check(ClientClass::anonymous, "10.0.0.7", t0).remaining == 0);
    CHECK_FALSE(limits.check(ClientClass::anonymous, "10.0.0.7", t0).allowed);
    const RateDecision kiosk = limits.check(ClientClass::kiosk, "10.0.0.7", t0);
    CHECK(kiosk.allowed);
    CHECK(kiosk.limit == 4);
    CHECK(limits.tracked_keys(ClientClass::kiosk) == 1);
    CHECK(limits.tracked_keys(ClientClass::till) == 0);

    CHECK(client_class_name(ClientClass::member) == "member");
    const RatePolicy defaults;
    CHECK(bucket_options(defaults, ClientClass::till).capacity == defaults.till.capacity);
    CHECK(bucket_options(defaults, ClientClass::anonymous).capacity <
          bucket_options(defaults, ClientClass::kiosk).capacity);
}

// [SECTION] Metrics

TEST_CASE("the text format of a small example, exactly") {
    Metrics m;
    m.count_request("/v1/members/lookup", "GET", 200);
    m.count_request("/v1/members/lookup", "GET", 200);
    m.count_request("/healthz", "GET", 200);
    m.count_request("/v1/members/lookup", "POST", 400);
    m.observe_latency("/healthz", 0.5);
    m.observe_latency("/healthz", 3);
    m.observe_latency("/healthz", 3000);
    const std::string expected =
        "# HELP kopilka_http_requests_total HTTP requests by route template, method and status.\n"
        "# TYPE kopilka_http_requests_total counter\n"
        "kopilka_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1\n"
        "kopilka_http_requests_total{route=\"/v1/members/lookup\",method=\"GET\",status=\"200\"}"
        " 2\n"
        "kopilka_http_requests_total{route=\"/v1/members/lookup\",method=\"POST\",status=\"400\"}"
        " 1\n"
        "# HELP kopilka_http_request_duration_ms Time from routing to the response, in "
        "milliseconds, by route template.\n"
        "# TYPE kopilka_http_request_duration_ms histogram\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"1\"} 1\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"2\"} 1\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"5\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"10\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"25\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"50\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"100\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"250\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"500\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"1000\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"2500\"} 2\n"
        "kopilka_http_request_duration_ms_bucket{route=\"/healthz\",le=\"+Inf\"} 3\n"
        "kopilka_http_request_duration_ms_sum{route=\"/healthz\"} 3003.5\n"
        "kopilka_http_request_duration_ms_count{route=\"/healthz\"} 3\n";
    CHECK(m.render() == expected);
    CHECK(std::string(metrics_content_type) == "text/plain; version=0.0.4; charset=utf-8");
}

TEST_CASE("label values and help text are escaped as the format says") {
    CHECK(escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
    CHECK(escape_label_value("Анна") == "Анна");  // UTF-8 passes through
    CHECK(escape_help("one \\ two\nthree \"quoted\"") == "one \\\\ two\\nthree \"quoted\"");

    Metrics m;
    CounterFamily& f = m.counter("kopilka_test_total", "Path \\ and\nnewline.", {"what"});
    f.with({"say \"hi\"\n\\"}).inc(3);
    const std::string text = m.render();
    CHECK(text.find("# HELP kopilka_test_total Path \\\\ and\\nnewline.\n") != std::string::npos);
    CHECK(text.find("kopilka_test_total{what=\"say \\\"hi\\\"\\n\\\\\"} 3\n") != std::string::npos);
}

TEST_CASE("counters without labels, and registration order") {
    Metrics m;
    m.counter("kopilka_b_total", "B.", {}).with({}).inc();
    m.counter("kopilka_a_total", "A.", {}).with({}).inc(41);
    const std::string text = m.render();
    const auto b = text.find("kopilka_b_total 1\n");
    const auto a = text.find("kopilka_a_total 41\n");
    CHECK(b != std::string::npos);
    CHECK(a != std::string::npos);
    CHECK(b < a);
}

TEST_CASE("histogram buckets are cumulative; a value on a bound counts in that bucket") {
    Metrics m;
    HistogramFamily& f = m.histogram("kopilka_size_bytes", "Sizes.", {}, {10, 1, 5, 5});
    Histogram& h = f.with({});
    for (double v : {0.5, 1.0, 1.5, 5.0, 7.0, 100.0}) h.observe(v);
    h.observe(std::numeric_limits<double>::quiet_NaN());  // ignored
    const Histogram::Snapshot s = h.snapshot();
    CHECK(h.bounds() == std::vector<double>{1, 5, 10});  // sorted, duplicates dropped
    CHECK(s.cumulative == std::vector<std::uint64_t>{2, 4, 5, 6});
    CHECK(s.count == 6);
    CHECK(s.sum == 115.0);
    const std::string expected =
        "# HELP kopilka_size_bytes Sizes.\n"
        "# TYPE kopilka_size_bytes histogram\n"
        "kopilka_size_bytes_bucket{le=\"1\"} 2\n"
        "kopilka_size_bytes_bucket{le=\"5\"} 4\n"
        "kopilka_size_bytes_bucket{le=\"10\"} 5\n"
        "kopilka_size_bytes_bucket{le=\"+Inf\"} 6\n"
        "kopilka_size_bytes_sum 115\n"
        "kopilka_size_bytes_count 6\n";
    const std::string text = m.render();
    CHECK(text.substr(text.find("# HELP kopilka_size_bytes")) == expected);
}

TEST_CASE("sample values print in the shortest form that reads back the same") {
    CHECK(format_sample_value(0) == "0");
    CHECK(format_sample_value(2500) == "2500");
    CHECK(format_sample_value(0.25) == "0.25");
    CHECK(format_sample_value(0.1 + 0.2) == "0.30000000000000004");
    CHECK(format_sample_value(1e300) == "1e+300");
    CHECK(format_sample_value(-1.5) == "-1.5");
    CHECK(format_sample_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_sample_value(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

TEST_CASE("names are checked; series per family are bounded") {
    CHECK(valid_metric_name("kopilka_http_requests_total"));
    CHECK(valid_metric_name("job:rate5m"));
    CHECK_FALSE(valid_metric_name("2xx"));
    CHECK_FALSE(valid_metric_name("with-dash"));
    CHECK_FALSE(valid_metric_name(""));
    CHECK(valid_label_name("route"));
    CHECK_FALSE(valid_label_name("__name__"));
    CHECK_FALSE(valid_label_name("a:b"));

    Metrics m(MetricsOptions{2});
    m.count_request("/a", "GET", 200);
    m.count_request("/b", "GET", 200);
    m.count_request("/users/1", "GET", 200);  // a raw path by mistake: folded into "other"
    m.count_request("/users/2", "GET", 200);
    m.count_request("/a", "GET", 200);
    const std::string text = m.render();
    const std::string other = "{route=\"other\",method=\"other\",status=\"other\"} 2\n";
    CHECK(text.find(other) != std::string::npos);
    CHECK(text.find("{route=\"/a\",method=\"GET\",status=\"200\"} 2\n") != std::string::npos);
    CHECK(text.find("/users/") == std::string::npos);
}

TEST_CASE("concurrent counting and rendering lose nothing") {
    Metrics m;
    constexpr int threads_n = 8;
    constexpr int per_thread = 20'000;
    std::atomic<bool> done{false};
    std::atomic<int> renders_bad{0};
    std::thread reader([&] {
        while (!done.load()) {
            const std::string text = m.render();
            if (text.find("# TYPE kopilka_http_request_duration_ms histogram") == text.npos) {
                renders_bad.fetch_add(1);
            }
        }
    });
    std::vector<std::thread> writers;
    for (int t = 0; t < threads_n; ++t) {
        writers.emplace_back([&m, t] {
            const std::string route = t % 2 ? "/v1/members/lookup" : "/healthz";
            for (int i = 0; i < per_thread; ++i) {
                m.count_request(route, "GET", 200);
                m.observe_latency(route, 0.5);
            }
        });
    }
    for (auto& w : writers) w.join();
    done = true;
    reader.join();
    CHECK(renders_bad.load() == 0);
    const std::string text = m.render();
    const std::string n = std::to_string(threads_n / 2 * per_thread);
    CHECK(text.find("{route=\"/healthz\",method=\"GET\",status=\"200\"} " + n + "\n") !=
          std::string::npos);
    CHECK(text.find("duration_ms_count{route=\"/healthz\"} " + n + "\n") != std::string::npos);
    const std::string sum = std::to_string(threads_n / 2 * per_thread / 2);  // 0.5 ms each
    CHECK(text.find("duration_ms_sum{route=\"/healthz\"} " + sum + "\n") != std::string::npos);
    CHECK(text.find("duration_ms_bucket{route=\"/v1/members/lookup\",le=\"1\"} " + n + "\n") !=
          std::string::npos);
}

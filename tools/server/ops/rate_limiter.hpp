// Token-bucket rate limits per credential key, and the headers that tell a client about them.
// Implemented: one bucket per key (capacity = burst, refill per second), a policy table per
// client class, LRU eviction past tracked_keys_max, RateLimit-* and Retry-After headers.
// Missing: shared state between server processes; weighted requests (every request costs 1).
//
// Time comes in as now_ms, so tests are deterministic. Thread-safe: a mutex per limiter.
// An evicted key starts again with a full bucket, so tracked_keys_max must be well above the
// number of keys active within one refill period; each client class has its own limiter, so
// a flood of anonymous IPs can't evict the buckets of kiosks or tills.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kopilka::server {

struct BucketOptions {
    std::int64_t capacity = 60;  // burst: requests a full bucket allows at once (at least 1)
    double refill_per_s = 1.0;   // tokens added per second (resolution 0.001, at least 0.001)
};

struct RateLimiterOptions {
    BucketOptions bucket;
    std::size_t tracked_keys_max = 100'000;  // buckets kept; the least recently used goes first
};

struct RateDecision {
    bool allowed = false;
    std::int64_t limit = 0;          // the bucket's capacity
    std::int64_t remaining = 0;      // whole tokens left after this request
    std::int64_t reset_s = 0;        // seconds until the bucket is full again (rounded up)
    std::int64_t retry_after_s = 0;  // refused: seconds until the next token (at least 1); else 0
};

class RateLimiter {
public:
    explicit RateLimiter(RateLimiterOptions options = {});
    ~RateLimiter();
    RateLimiter(const RateLimiter&) = delete;
    RateLimiter& operator=(const RateLimiter&) = delete;

    // Takes one token from key's bucket if there is one. Time going backwards counts as no
    // time passing (requests on other threads may carry a slightly older now_ms).
    RateDecision check(std::string_view key, std::int64_t now_ms);
    // Returns the token a check() took for a request that was then not served (it is served
    // again, and checked again, elsewhere), up to a full bucket.
    void give_back(std::string_view key);

    std::size_t tracked_keys() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Who is asking; the server derives it from the credential (anonymous: by client IP).
// widget_member: a website widget's session, keyed by merchant and member (every browser
// tab and device of one member shares the bucket).
enum class ClientClass : std::uint8_t { kiosk, till, admin, member, widget_member, anonymous };
constexpr std::size_t client_class_count = 6;

std::string_view client_class_name(ClientClass c);  // "kiosk", "till", …

// The policy table. Defaults: kiosks and tills serve queues of shoppers in bursts, admins
// browse the console, member tokens are one phone each, anonymous IPs get the least.
struct RatePolicy {
    BucketOptions kiosk{120, 4.0};
    BucketOptions till{240, 8.0};
    BucketOptions admin{60, 2.0};
    BucketOptions member{30, 0.5};
    BucketOptions widget_member{120, 2.0};  // 120 requests a minute
    BucketOptions anonymous{20, 0.2};
    std::size_t tracked_keys_max = 100'000;  // per client class
};

const BucketOptions& bucket_options(const RatePolicy& policy, ClientClass c);

// One limiter per client class, filled from a policy.
class RateLimiters {
public:
    explicit RateLimiters(const RatePolicy& policy = {});
    RateDecision check(ClientClass c, std::string_view key, std::int64_t now_ms);
    void give_back(ClientClass c, std::string_view key);
    std::size_t tracked_keys(ClientClass c) const;

private:
    RateLimiter& of(ClientClass c) const;  // an out-of-range class counts as the last
    std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

struct Header {
    std::string name;
    std::string value;
};

// RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset (draft-ietf-httpapi-ratelimit-headers,
// the separate-field form) and, on refusal, Retry-After (RFC 9110, delay in seconds).
std::vector<Header> rate_limit_headers(const RateDecision& d);

}  // namespace kopilka::server

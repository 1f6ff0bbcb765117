#include "rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <list>
#include <mutex>
#include <unordered_map>

namespace kopilka::server {

namespace {
// Tokens are counted in millionths so that slow refill rates need no floating point.
constexpr std::int64_t micro_per_token = 1'000'000;
constexpr std::int64_t capacity_max = 1'000'000'000;  // keeps capacity in micro-tokens in int64

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

struct Bucket {
    std::string key;
    std::int64_t micro = 0;  // tokens × micro_per_token
    std::int64_t last_ms = 0;
};
}  // namespace

struct RateLimiter::Impl {
    std::int64_t capacity = 1;
    std::int64_t capacity_micro = micro_per_token;
    std::int64_t refill_micro_per_ms = 1;
    std::size_t tracked_keys_max = 1;

    mutable std::mutex mutex;
    std::list<Bucket> lru;  // most recently used first
    std::unordered_map<std::string_view, std::list<Bucket>::iterator> index;  // views into lru

    explicit Impl(const RateLimiterOptions& o) {
        capacity = std::clamp<std::int64_t>(o.bucket.capacity, 1, capacity_max);
        capacity_micro = capacity * micro_per_token;
        // r tokens per second are r × 10^6 micro-tokens per second, r × 10^3 per ms.
        double rate = o.bucket.refill_per_s * 1000.0;
        if (!(rate >= 1.0)) rate = 1.0;  // also NaN
        refill_micro_per_ms = std::llround(std::min(rate, 1e12));
        tracked_keys_max = std::max<std::size_t>(o.tracked_keys_max, 1);
    }

    // The key's bucket, moved to the front; a new key gets a full bucket.
    Bucket& touch(std::string_view key, std::int64_t now_ms) {
        auto it = index.find(key);
        if (it != index.end()) {
            lru.splice(lru.begin(), lru, it->second);
            return lru.front();
        }
        if (index.size() >= tracked_keys_max) {
            index.erase(lru.back().key);
            lru.pop_back();
        }
        lru.push_front(Bucket{std::string(key), capacity_micro, now_ms});
        index.emplace(lru.front().key, lru.begin());
        return lru.front();
    }

    void refill(Bucket& b, std::int64_t now_ms) const {
        if (now_ms <= b.last_ms) return;
        // Unsigned: exact for any now_ms > last_ms, where the signed difference could overflow.
        const std::uint64_t elapsed_ms =
            static_cast<std::uint64_t>(now_ms) - static_cast<std::uint64_t>(b.last_ms);
        b.last_ms = now_ms;
        const std::int64_t full_after_ms = ceil_div(capacity_micro - b.micro, refill_micro_per_ms);
        // Compared before multiplying, so the product stays below a full bucket plus one ms.
        if (elapsed_ms >= static_cast<std::uint64_t>(full_after_ms)) {
            b.micro = capacity_micro;
        } else {
            b.micro += static_cast<std::int64_t>(elapsed_ms) * refill_micro_per_ms;
        }
    }

    std::int64_t seconds_until(std::int64_t micro_needed) const {
        return ceil_div(micro_needed, refill_micro_per_ms * 1000);
    }
};

RateLimiter::RateLimiter(RateLimiterOptions options) : impl_(std::make_unique<Impl>(options)) {}

RateLimiter::~RateLimiter() = default;

RateDecision RateLimiter::check(std::string_view key, std::int64_t now_ms) {
    Impl& s = *impl_;
    std::lock_guard<std::mutex> lock(s.mutex);
    Bucket& b = s.touch(key, now_ms);
    s.refill(b, now_ms);

    RateDecision d;
    d.limit = s.capacity;
    d.allowed = b.micro >= micro_per_token;
    if (d.allowed) {
        b.micro -= micro_per_token;
    } else {
        d.retry_after_s = std::max<std::int64_t>(1, s.seconds_until(micro_per_token - b.micro));
    }
    d.remaining = b.micro / micro_per_token;
    d.reset_s = s.seconds_until(s.capacity_micro - b.micro);
    return d;
}

void RateLimiter::give_back(std::string_view key) {
    Impl& s = *impl_;
    std::lock_guard<std::mutex> lock(s.mutex);
    const auto it = s.index.find(key);
    if (it == s.index.end()) return;  // evicted meanwhile: it starts full anyway
    Bucket& b = *it->second;
    b.micro = std::min(s.capacity_micro, b.micro + micro_per_token);
}

std::size_t RateLimiter::tracked_keys() const {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    return impl_->index.size();
}

std::string_view client_class_name(ClientClass c) {
    switch (c) {
        case ClientClass::kiosk: return "kiosk";
        case ClientClass::till: return "till";
        case ClientClass::admin: return "admin";
        case ClientClass::member: return "member";
        case ClientClass::widget_member: return "widget_member";
        case ClientClass::anonymous: return "anonymous";
    }
    return "anonymous";
}

const BucketOptions& bucket_options(const RatePolicy& policy, ClientClass c) {
    switch (c) {
        case ClientClass::kiosk: return policy.kiosk;
        case ClientClass::till: return policy.till;
        case ClientClass::admin: return policy.admin;
        case ClientClass::member: return policy.member;
        case ClientClass::widget_member: return policy.widget_member;
        case ClientClass::anonymous: return policy.anonymous;
    }
    return policy.anonymous;
}

RateLimiters::RateLimiters(const RatePolicy& policy) {
    for (std::size_t i = 0; i < client_class_count; ++i) {
        const auto c = static_cast<ClientClass>(i);
        limiters_.push_back(std::make_unique<RateLimiter>(
            RateLimiterOptions{bucket_options(policy, c), policy.tracked_keys_max}));
    }
}

RateLimiter& RateLimiters::of(ClientClass c) const {
    return *limiters_[std::min<std::size_t>(static_cast<std::size_t>(c), client_class_count - 1)];
}

RateDecision RateLimiters::check(ClientClass c, std::string_view key, std::int64_t now_ms) {
    return of(c).check(key, now_ms);
}

void RateLimiters::give_back(ClientClass c, std::string_view key) {
    of(c).give_back(key);
}

std::size_t RateLimiters::tracked_keys(ClientClass c) const {
    return of(c).tracked_keys();
}

std::vector<Header> rate_limit_headers(const RateDecision& d) {
    std::vector<Header> headers = {
        {"RateLimit-Limit", std::to_string(d.limit)},
        {"RateLimit-Remaining", std::to_string(d.remaining)},
        {"RateLimit-Reset", std::to_string(d.reset_s)},
    };
    if (!d.allowed) headers.push_back({"Retry-After", std::to_string(d.retry_after_s)});
    return headers;
}

}  // namespace kopilka::server

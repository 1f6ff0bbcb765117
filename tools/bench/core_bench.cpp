// Core benchmark: receipts quoted per second with a program that uses most mechanics.
// Built natively and with Emscripten (run under Node) from this one file; tools/bench.sh
// runs both in the same session and reports the ratio. Prints one JSON line.
//   kopilka_core_bench [receipts]   (default 200 000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "codec/program_json.hpp"
#include "core/quote/quote.hpp"

using namespace kopilka;

namespace {

const char* const kProgram = R"json({
  "id": "bench", "currency": "RUB",
  "flat_discount": {"rate_bp": 300, "applies_to": {"categories": ["shoes"]}},
  "discount_ladder": {"mode": "cumulative", "steps": [{"threshold": 1000000, "rate_bp": 500},
                                                      {"threshold": 5000000, "rate_bp": 700}]},
  "bonus": {"earn_bp": 500, "receipt_min": 10000,
            "category_multipliers": [{"key": "coffee", "percent": 200}],
            "excluded_categories": ["tobacco"], "exclude_discounted_lines": true,
            "redeem_cap_bp": 3000, "pending_days": 14, "expiry_days": 365},
  "stamp_cards": [{"id": "coffee", "stamps_per_card": 10,
                   "earns_on": {"categories": ["coffee"]}}],
  "tiers": {"basis": "points", "levels": [
    {"id": "a", "name": "A", "threshold": 0},
    {"id": "b", "name": "B", "threshold": 1000, "earn_multiplier_pct": 125}]},
  "cashback": {"rate_bp": 100},
  "segments": [{"attribute": "status", "value": "student", "discount_bp": 1000}]
})json";

const char* const kCategories[] = {"food", "coffee", "shoes", "tobacco", "home"};

// Deterministic receipts (our own LCG: identical natively and in wasm).
std::vector<quote::Receipt> make_receipts(int count) {
    std::uint64_t x = 12345;
    auto next = [&x] { x = x * 6364136223846793005ULL + 1442695040888963407ULL; return x >> 33; };
    std::vector<quote::Receipt> out(static_cast<std::size_t>(count));
    for (auto& r : out) {
        r.at_ms = 1767225600000;
        const int lines = 1 + static_cast<int>(next() % 8);
        for (int i = 0; i < lines; ++i) {
            const char* cat = kCategories[next() % 5];
            r.lines.push_back({"sku" + std::to_string(next() % 50), cat,
                               static_cast<std::int64_t>(100 + next() % 500000),
                               static_cast<std::int64_t>(1 + next() % 3), next() % 7 == 0});
        }
    }
    return out;
}

// One receipt's part of the checksum. Called from the warm-up and the timed loop, so that wasm's
// optimizer keeps it a function of its own instead of inlining it into main: V8 swaps baseline
// code for optimized code only when a function is called again (wasm has no on-stack
// replacement), so a quote inlined into main's loop would run unoptimized for the whole run.
std::int64_t quote_sum(const program::Program& program, const quote::MemberContext& member,
                       const quote::Receipt& receipt, const quote::QuoteOptions& options) {
    const auto q = quote::quote_receipt(program, member, receipt, options);
    return q.paid + q.points_earned + q.cashback;
}

}  // namespace

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 200000;
    const auto program = codec::decode_program(codec::Json::parse(kProgram));
    if (!program.ok()) {
        std::fprintf(stderr, "bench program: %s\n", program.error.message.c_str());
        return 1;
    }
    const auto receipts = make_receipts(count);
    quote::MemberContext member;
    member.points_available = 5000;
    member.spend_before = 2000000;
    member.tier_qualifying = 1500;
    quote::QuoteOptions options;
    options.redeem_points = 100;
    // Warm-up, in both builds alike: the first 1 % of the receipts, neither timed nor summed.
    std::int64_t warm_up = 0;
    for (std::size_t i = 0; i < receipts.size() / 100; ++i)
        warm_up += quote_sum(*program.value, member, receipts[i], options);
    std::int64_t checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& r : receipts) checksum += quote_sum(*program.value, member, r, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(
        "{\"receipts\":%d,\"seconds\":%.4f,\"per_second\":%.0f,\"checksum\":%lld,"
        "\"warm_up_checksum\":%lld}\n",
        count, seconds, count / seconds, static_cast<long long>(checksum),
        static_cast<long long>(warm_up));
    return 0;
}

#include "core/money/allocate.hpp"

#include <algorithm>
#include <iterator>

#include "core/money/money.hpp"

namespace kopilka::money {

namespace {

// Each part's share of total by weight, then what is left one unit at a time: largest remainder
// first, then earlier parts. Returns what was given. Rem holds a remainder, which is below
// weight_sum: std::int64_t when the sum fits in it, as amounts nearly always do, so that the
// products, divisions and comparisons stay in 64 bits (in wasm a 128-bit one is a library call).
template <typename Rem>
std::int64_t share_by_weight(std::int64_t total, const std::int64_t* weights, std::size_t n,
                             const std::int64_t* caps, Rem weight_sum, std::int64_t* parts) {
    struct Remainder {
        Rem value;  // -1: the part is full and takes no more
        std::size_t part;
    };
    // A receipt has a few lines: their remainders fit on the stack, larger ones go to the heap.
    Remainder in_place[16];
    std::vector<Remainder> on_heap(n > std::size(in_place) ? n : 0);
    Remainder* const remainders = on_heap.empty() ? in_place : on_heap.data();
    std::int64_t given = 0;
    for (std::size_t i = 0; i < n; ++i) {
        // weights[i] ≤ weight_sum, so a share is at most total and fits.
        std::int64_t share = 0, product = 0;
        if (checked_mul(total, weights[i], &product)) {
            // The remainder by a multiplication: wasm has no instruction for both at once.
            share = static_cast<std::int64_t>(product / weight_sum);
            remainders[i] = {static_cast<Rem>(product - share * weight_sum), i};
        } else {
            const WideQuotient d =
                divide_wide(static_cast<__int128>(total) * weights[i], weight_sum);
            share = static_cast<std::int64_t>(d.quotient);
            remainders[i] = {static_cast<Rem>(d.remainder), i};
        }
        if (caps && share > caps[i]) {
            share = caps[i];
            remainders[i].value = -1;
        }
        parts[i] = share;
        given += share;
    }
    const auto first = [](const Remainder& a, const Remainder& b) {
        return a.value != b.value ? a.value > b.value : a.part < b.part;
    };
    if (given < total && !on_heap.empty()) {
        std::sort(remainders, remainders + n, first);
    } else if (given < total) {  // a few: by insertion, cheaper than std::sort's set-up
        for (std::size_t i = 1; i < n; ++i) {
            const Remainder next = remainders[i];
            std::size_t j = i;
            for (; j > 0 && first(next, remainders[j - 1]); --j) remainders[j] = remainders[j - 1];
            remainders[j] = next;
        }
    }
    for (std::size_t i = 0; i < n && given < total; ++i) {  // the natural leftover is below n
        const std::size_t part = remainders[i].part;
        if (caps && parts[part] >= caps[part]) continue;
        ++parts[part];
        ++given;
    }
    return given;
}

}  // namespace

bool allocate_into(std::int64_t total, const std::int64_t* weights, std::size_t n,
                   const std::int64_t* caps, std::int64_t* parts) {
    if (total < 0 || n == 0) return false;
    // The sums in 64 bits while they fit, in 128 from there on.
    std::int64_t weight_sum = 0;
    bool wide = false;
    bool capped = caps == nullptr;  // total ≤ the caps' sum
    std::int64_t cap_sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (weights[i] < 0 || (caps && caps[i] < 0)) return false;
        wide = wide || !checked_add(weight_sum, weights[i], &weight_sum);
        // Caps are ≥ 0, so their sum only grows: once it reaches total it has room enough.
        if (!capped && (!checked_add(cap_sum, caps[i], &cap_sum) || cap_sum >= total))
            capped = true;
    }
    if (!capped) return false;
    std::fill(parts, parts + n, 0);
    std::int64_t given = 0;
    if (wide) {
        __int128 weight_sum_wide = 0;
        for (std::size_t i = 0; i < n; ++i) weight_sum_wide += weights[i];
        given = share_by_weight(total, weights, n, caps, weight_sum_wide, parts);
    } else if (weight_sum > 0)
        given = share_by_weight(total, weights, n, caps, weight_sum, parts);
    // Caps (or all-zero weights) can leave more: fill parts in order up to their caps.
    for (std::size_t i = 0; i < n && given < total; ++i) {
        const std::int64_t room = caps ? caps[i] - parts[i] : total - given;
        const std::int64_t take = std::min(room, total - given);
        parts[i] += take;
        given += take;
    }
    return true;
}

std::vector<std::int64_t> allocate(std::int64_t total, const std::vector<std::int64_t>& weights,
                                   const std::vector<std::int64_t>* caps) {
    const std::size_t n = weights.size();
    std::vector<std::int64_t> parts(n);
    if ((caps && caps->size() != n) ||
        !allocate_into(total, weights.data(), n, caps ? caps->data() : nullptr, parts.data()))
        return {};
    return parts;
}

}  // namespace kopilka::money

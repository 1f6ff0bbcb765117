#include "core/money/allocate.hpp"

#include <algorithm>
#include <numeric>

namespace kopilka::money {

std::vector<std::int64_t> allocate(std::int64_t total, const std::vector<std::int64_t>& weights,
                                   const std::vector<std::int64_t>* caps) {
    const std::size_t n = weights.size();
    if (total < 0 || n == 0 || (caps && caps->size() != n)) return {};
    __int128 weight_sum = 0, cap_sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (weights[i] < 0 || (caps && (*caps)[i] < 0)) return {};
        weight_sum += weights[i];
        cap_sum += caps ? (*caps)[i] : total;
    }
    if (cap_sum < total) return {};
    std::vector<std::int64_t> parts(n, 0);
    std::vector<__int128> remainder(n, 0);
    std::int64_t given = 0;
    if (weight_sum > 0) {
        for (std::size_t i = 0; i < n; ++i) {
            const __int128 exact = static_cast<__int128>(total) * weights[i];
            std::int64_t share = static_cast<std::int64_t>(exact / weight_sum);
            remainder[i] = exact % weight_sum;
            if (caps && share > (*caps)[i]) {
                share = (*caps)[i];
                remainder[i] = -1;  // full: takes no more
            }
            parts[i] = share;
            given += share;
        }
    }
    // Hand out what is left one unit at a time: largest remainder first, then earlier parts.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return remainder[a] > remainder[b]; });
    for (std::size_t i : order) {  // the natural leftover is below n: one unit each at most
        if (given == total || weight_sum == 0) break;
        if (caps && parts[i] >= (*caps)[i]) continue;
        ++parts[i];
        ++given;
    }
    // Caps (or all-zero weights) can leave more: fill parts in order up to their caps.
    for (std::size_t i = 0; i < n && given < total; ++i) {
        const std::int64_t room = caps ? (*caps)[i] - parts[i] : total - given;
        const std::int64_t take = std::min(room, total - given);
        parts[i] += take;
        given += take;
    }
    return parts;
}

}  // namespace kopilka::money

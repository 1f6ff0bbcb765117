#include "core/money/allocate.hpp"

#include <algorithm>
#include <iterator>

#include "core/money/money.hpp"

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
    std::int64_t given = 0;
    if (weight_sum > 0) {
        struct Remainder {
            __int128 value;  // -1: the part is full and takes no more
            std::size_t part;
        };
        // A receipt has a few lines: their remainders fit on the stack, larger ones go to the heap.
        Remainder in_place[16];
        std::vector<Remainder> on_heap(n > std::size(in_place) ? n : 0);
        Remainder* const remainders = on_heap.empty() ? in_place : on_heap.data();
        for (std::size_t i = 0; i < n; ++i) {
            const WideQuotient d =
                divide_wide(static_cast<__int128>(total) * weights[i], weight_sum);
            std::int64_t share = static_cast<std::int64_t>(d.quotient);
            remainders[i] = {d.remainder, i};
            if (caps && share > (*caps)[i]) {
                share = (*caps)[i];
                remainders[i].value = -1;
            }
            parts[i] = share;
            given += share;
        }
        // Hand out what is left one unit at a time: largest remainder first, then earlier parts.
        if (given < total)
            std::sort(remainders, remainders + n, [](const Remainder& a, const Remainder& b) {
                return a.value != b.value ? a.value > b.value : a.part < b.part;
            });
        for (std::size_t i = 0; i < n && given < total; ++i) {  // the natural leftover is below n
            const std::size_t part = remainders[i].part;
            if (caps && parts[part] >= (*caps)[part]) continue;
            ++parts[part];
            ++given;
        }
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

// Splitting an integer total across parts in proportion to weights, so that the parts add up
// to the total exactly (largest-remainder method; ties go to the earlier part).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace kopilka::money {

// total ≥ 0, weights ≥ 0. With caps (same size as weights), no part exceeds its cap; the
// caller makes sure total ≤ sum of caps. All weights zero: everything to the first part that
// has room. Returns an empty vector when inputs are out of range.
std::vector<std::int64_t> allocate(std::int64_t total, const std::vector<std::int64_t>& weights,
                                   const std::vector<std::int64_t>* caps = nullptr);

// The same over n weights (and caps, or nullptr) into parts[0, n), so that a caller who
// allocates often can keep all three where it likes; false when inputs are out of range.
bool allocate_into(std::int64_t total, const std::int64_t* weights, std::size_t n,
                   const std::int64_t* caps, std::int64_t* parts);

}  // namespace kopilka::money

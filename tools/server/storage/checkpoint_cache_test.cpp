// CheckpointCache (checkpoint_cache.hpp): a member's entry is the last one put, under its
// revision; members of two merchants with the same id are apart; the budget counts batches,
// history lines and reservations, and the least recently used members go first; a taken entry
// is gone.
#include "storage/checkpoint_cache.hpp"

#include <doctest/doctest.h>

#include <memory>
#include <string>

namespace kopilka::server {
namespace {

CheckpointCache::Entry entry(std::int64_t rev, std::size_t batches, std::size_t lines = 0) {
    auto c = std::make_shared<ledger::Checkpoint>();
    c->entries = batches + lines;
    c->batches.resize(batches);
    c->history.resize(lines);
    return {rev, std::move(c)};
}

TEST_CASE("checkpoint cache: the last entry put for a member, by merchant and member") {
    CheckpointCache cache(100);
    CHECK_FALSE(cache.get("m", "anna"));
    cache.put("m", "anna", entry(7, 2));
    cache.put("other", "anna", entry(9, 1));
    REQUIRE(cache.get("m", "anna"));
    CHECK(cache.get("m", "anna")->rev == 7);
    CHECK(cache.get("m", "anna")->checkpoint->batches.size() == 2);
    CHECK(cache.get("other", "anna")->rev == 9);
    // The key keeps the two ids apart ("m" + "anna" is not "ma" + "nna").
    CHECK_FALSE(cache.get("ma", "nna"));
    cache.put("m", "anna", entry(8, 3));
    CHECK(cache.get("m", "anna")->rev == 8);
    CHECK(cache.size() == 2);
}

TEST_CASE("checkpoint cache: the budget drops the least recently used, and never the one put") {
    CheckpointCache cache(30);            // weights: 1 + batches + lines
    cache.put("m", "a", entry(1, 9));     // 10
    cache.put("m", "b", entry(2, 4, 5));  // 10
    cache.put("m", "c", entry(3, 9));     // 10: 30 in all, within the budget
    CHECK(cache.size() == 3);
    REQUIRE(cache.get("m", "a"));      // a is now the most recently used, b the least
    cache.put("m", "d", entry(4, 0));  // 31: b goes
    CHECK(cache.size() == 3);
    CHECK_FALSE(cache.get("m", "b"));
    CHECK(cache.get("m", "a"));
    CHECK(cache.get("m", "c"));
    CHECK(cache.get("m", "d"));
    // Replacing an entry frees its old weight first: a grows from 10 to 19 within the budget,
    // then to 20, which pushes out the least recently used (c: read before d, a put since).
    cache.put("m", "a", entry(5, 18));  // 19 + 10 + 1 = 30
    CHECK(cache.size() == 3);
    cache.put("m", "a", entry(6, 19));  // 20 + 10 + 1 = 31: c goes
    CHECK_FALSE(cache.get("m", "c"));
    CHECK(cache.get("m", "a")->rev == 6);
    CHECK(cache.get("m", "d"));
    // One larger than the whole budget is not kept, and drops what it replaces.
    cache.put("m", "d", entry(7, 40));
    CHECK_FALSE(cache.get("m", "d"));
    CHECK(cache.size() == 1);
}

TEST_CASE("checkpoint cache: a taken entry is no longer kept, and frees its weight") {
    CheckpointCache cache(20);
    cache.put("m", "a", entry(1, 9));  // 10
    cache.put("m", "b", entry(2, 9));  // 10
    const auto shared = cache.get("m", "a");
    const auto taken = cache.take("m", "a");
    REQUIRE(taken);
    CHECK(taken->rev == 1);
    CHECK(taken->checkpoint.get() == shared->checkpoint.get());  // the same, not a copy
    CHECK(taken->checkpoint.use_count() == 2);                   // shared with the reader's get()
    CHECK_FALSE(cache.get("m", "a"));
    CHECK_FALSE(cache.take("m", "a"));
    cache.put("m", "c", entry(3, 9));  // 20 with b: a's weight was given back
    CHECK(cache.get("m", "b"));
    CHECK(cache.size() == 2);
}

TEST_CASE("checkpoint cache: hits and misses as counted") {
    CheckpointCache cache(10);
    cache.count(true), cache.count(false), cache.count(false);
    CHECK(cache.hits() == 1);
    CHECK(cache.misses() == 2);
}

}  // namespace
}  // namespace kopilka::server

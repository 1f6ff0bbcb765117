#include <doctest/doctest.h>

#include "core/tiers/tier_ladder.hpp"

using namespace kopilka::tiers;

namespace {
const std::vector<Tier> kLadder = {
    {"base", "Base", 0}, {"silver", "Silver", 1000}, {"gold", "Gold", 5000}};
}

TEST_CASE("tier and gap for an amount earned in the window") {
    auto p = tier_progress(kLadder, 0);
    CHECK(p.current == 0);
    CHECK(p.next == 1);
    CHECK(p.gap == 1000);
    CHECK(p.progress_permille == 0);

    p = tier_progress(kLadder, 1250);
    CHECK(p.current == 1);
    CHECK(p.next == 2);
    CHECK(p.gap == 3750);
    CHECK(p.progress_permille == 62);  // 250 / 4000

    p = tier_progress(kLadder, 5000);  // exactly on the threshold: promoted
    CHECK(p.current == 2);
    CHECK(p.next == -1);
    CHECK(p.gap == 0);
    CHECK(p.progress_permille == 1000);

    p = tier_progress(kLadder, -50);  // a return can make it negative: counts as 0
    CHECK(p.current == 0);
    CHECK(p.qualifying == 0);
}

TEST_CASE("invalid ladders name the offending tier") {
    std::size_t bad = 99;
    CHECK(validate_ladder({}, &bad) == LadderStatus::empty);
    CHECK(validate_ladder({{"a", "A", 10}}, &bad) == LadderStatus::first_not_zero);
    CHECK(validate_ladder({{"a", "A", 0}, {"b", "B", 10}, {"c", "C", 10}}, &bad) ==
          LadderStatus::not_increasing);
    CHECK(bad == 2);
    CHECK(validate_ladder({{"a", "A", 0}, {"a", "B", 10}}, &bad) == LadderStatus::duplicate_id);
    CHECK(bad == 1);
    CHECK(validate_ladder(kLadder, &bad) == LadderStatus::ok);
}

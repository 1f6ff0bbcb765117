#include <doctest/doctest.h>

#include "codec/member_json.hpp"
#include "core/members/member_view.hpp"

using namespace kopilka;

namespace {
program::Program shop() {
    program::Program p;
    p.id = "shop";
    program::Tiers t;
    t.levels = {{"base", "Base", 0}, {"silver", "Silver", 1000}, {"gold", "Gold", 5000}};
    p.tiers = t;
    p.rewards = {{"cake", "Cake", 700}, {"coffee", "Coffee", 300}, {"tote", "Tote bag", 2000}};
    return p;
}

ledger::Snapshot points(std::int64_t available, std::int64_t pending) {
    ledger::Snapshot s;
    s.available = available;
    s.pending = pending;
    s.balance = available + pending;
    s.expiring = {{200, 1770000000000, false}, {50, 1780000000000, true}};
    ledger::HistoryLine earn;
    earn.reason = ledger::Reason::earn;
    earn.rule = "bonus";
    earn.at_ms = 1767225600000;
    earn.points = 120;
    earn.balance_delta = 120;
    s.history = {earn};
    return s;
}
}  // namespace

TEST_CASE(
    "the member snapshot: balance, expiring points, tier and gap, rewards now and next, spins") {
    const auto s = members::build_member_snapshot(shop(), {"m1", "Anna", "DEMO"}, points(800, 50),
                                                  {1250, ""}, 2, 1767225600000);
    CHECK(s.balance == 850);
    CHECK(s.available == 800);
    CHECK(s.pending == 50);
    REQUIRE(s.expiring.size() == 2);
    CHECK(s.expiring[0].points == 200);
    CHECK(s.tier.name == "Silver");
    CHECK(s.tier.next_name == "Gold");
    CHECK(s.tier.gap == 3750);
    REQUIRE(s.rewards_affordable.size() == 2);  // cheapest first, by available points only
    CHECK(s.rewards_affordable[0].id == "coffee");
    CHECK(s.rewards_affordable[1].id == "cake");
    REQUIRE(s.reward_next.has_value());
    CHECK(s.reward_next->id == "tote");
    CHECK(s.spins_available == 2);
    REQUIRE(s.history.size() == 1);
    CHECK(s.history[0].reason == "earn");

    const auto back = codec::decode_member(codec::encode_member(s));  // and it survives JSON
    REQUIRE(back.ok());
    CHECK(back.value->reward_next->name == "Tote bag");
    CHECK(back.value->expiring.size() == 2);
    CHECK(back.value->history[0].points == 120);
}

TEST_CASE("pending points don't buy rewards; a tier held from the last window counts") {
    const auto s = members::build_member_snapshot(shop(), {"m1", "Anna", "DEMO"}, points(100, 5000),
                                                  {10, "gold"}, 0, 0);
    CHECK(s.rewards_affordable.empty());
    CHECK(s.reward_next->id == "coffee");
    CHECK(s.tier.name == "Gold");
    CHECK(s.tier.next_name.empty());
    CHECK(s.tier.progress_permille == 1000);
}

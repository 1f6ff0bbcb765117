#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "core/spins/odds.hpp"
#include "core/spins/rng.hpp"
#include "core/spins/wheel.hpp"

using namespace kopilka::spins;

namespace {
Prize prize(const char* id, PrizeKind kind, std::int64_t weight, Limit stock, std::int64_t cost) {
    Prize p;
    p.id = id;
    p.label = id;
    p.kind = kind;
    p.weight = weight;
    p.stock = stock;
    p.cost = cost;
    if (kind == PrizeKind::points) p.points = 50;
    if (kind == PrizeKind::coupon) p.reward_id = "reward-" + p.id;
    return p;
}

constexpr auto nothing = PrizeKind::nothing;
constexpr auto points = PrizeKind::points;
constexpr auto coupon = PrizeKind::coupon;
constexpr Limit unlimited = std::nullopt;

// Six prizes, weights summing to 100, nothing limited: the draw follows the weights alone.
WheelConfig six_prize_wheel() {
    WheelConfig c;
    c.prizes = {prize("phone", coupon, 1, unlimited, 0), prize("coffee", coupon, 4, unlimited, 0),
                prize("p500", points, 10, unlimited, 0), prize("p100", points, 15, unlimited, 0),
                prize("p10", points, 30, unlimited, 0),  prize("none", nothing, 40, unlimited, 0)};
    return c;
}

// What the draw should allow, recomputed here from the rules rather than from the library.
bool should_be_in_draw(const WheelConfig& c, const WheelState& s, std::size_t i) {
    const Prize& p = c.prizes[i];
    if (p.stock && s.stock_left[i] == 0) return false;
    if (c.day_budget && p.cost > *c.day_budget - s.spent_today) return false;
    if (c.campaign_budget && p.cost > *c.campaign_budget - s.spent_campaign) return false;
    return true;
}
}  // namespace

TEST_CASE("spin draws follow the weights (chi-square over 120 000 seeded spins)") {
    constexpr int spins = 120'000;
    constexpr double critical_df5_p001 = 20.515;  // chi-square, 6 prizes - 1, p = 0.001
    const WheelConfig c = six_prize_wheel();
    const WheelState s = initial_wheel_state(c);
    std::vector<std::int64_t> counts(c.prizes.size(), 0);
    for (int i = 0; i < spins; ++i) {
        const SpinOutcome o = decide_spin(c, s, {}, static_cast<std::uint64_t>(i));
        REQUIRE(o.status == SpinStatus::ok);
        ++counts[static_cast<std::size_t>(o.prize)];
    }
    double chi2 = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        const double expected = spins * static_cast<double>(c.prizes[i].weight) / 100.0;
        chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
    }
    INFO("chi2 = " << chi2);
    CHECK(chi2 < critical_df5_p001);
}

TEST_CASE("spin outcomes replay from the logged seed") {
    const WheelConfig c = six_prize_wheel();
    const WheelState s = initial_wheel_state(c);
    for (std::uint64_t seed : {0ULL, 1ULL, 0xDEADBEEFULL, ~0ULL}) {
        const SpinOutcome a = decide_spin(c, s, {}, seed);
        const SpinOutcome b = decide_spin(c, s, {}, a.seed);
        CHECK(a.seed == seed);
        CHECK(b.prize == a.prize);
        CHECK(b.ticket == a.ticket);
        CHECK(b.weights == a.weights);
        CHECK(a.total_weight == 100);
        CHECK(a.ticket >= 0);
        CHECK(a.ticket < 100);
    }
    // Golden draws: the same on every platform (the ticket picks the slice).
    CHECK(decide_spin(c, s, {}, 0).ticket == static_cast<std::int64_t>(Rng(0).uniform_below(100)));
    std::vector<int> first;
    for (std::uint64_t seed = 0; seed < 8; ++seed)
        first.push_back(decide_spin(c, s, {}, seed).prize);
    CHECK(first == std::vector<int>{3, 4, 5, 2, 4, 5, 3, 5});
}

TEST_CASE("spin: out-of-stock and over-budget prizes drop out of the draw") {
    WheelConfig c;
    c.prizes = {prize("tv", coupon, 10, 1, 5000), prize("coffee", coupon, 10, 5, 300),
                prize("p10", points, 10, unlimited, 10), prize("none", nothing, 10, unlimited, 0)};
    c.day_budget = 1000;
    c.campaign_budget = 10'000;
    WheelState s = initial_wheel_state(c);
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 10, 10, 10});  // 5000 > 1000

    s.spent_today = 700;  // 300 left today: coffee (300) still fits exactly
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 10, 10, 10});
    s.spent_today = 701;
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 0, 10, 10});

    s.spent_today = 0;
    c.day_budget = unlimited;
    s.spent_campaign = 5000;  // tv fits the campaign exactly, but only one is in stock
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{10, 10, 10, 10});
    s.stock_left[0] = 0;
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 10, 10, 10});

    // A budget lowered below what was already spent leaves only free prizes.
    c.campaign_budget = 4000;
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 0, 0, 10});
}

TEST_CASE("spin: without budgets, a prize whose cost the sums spent can't count leaves the draw") {
    // The console accepts costs up to INT64_MAX / 4: the fifth such win would overflow the
    // sums spent. The draw drops the prize instead of tripping apply_outcome's assert.
    const std::int64_t cost_max = INT64_MAX / 4;
    WheelConfig c;
    c.prizes = {prize("car", coupon, 10, unlimited, cost_max),
                prize("none", nothing, 10, unlimited, 0)};
    WheelState s = initial_wheel_state(c);
    s.spent_campaign = 3 * cost_max;
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{10, 10});
    SpinOutcome won;
    won.status = SpinStatus::ok;
    won.prize = 0;
    s = apply_outcome(c, s, won);
    CHECK(s.spent_campaign == 4 * cost_max);
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 10});
    s.spent_campaign = 0;
    s.spent_today = INT64_MAX - 1;
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 10});
}

TEST_CASE("spin: when only zero-weight \"nothing\" prizes are left, they share the draw") {
    WheelConfig c;
    c.prizes = {prize("coffee", coupon, 10, 1, 0), prize("sold-out", nothing, 0, unlimited, 0),
                prize("sorry", nothing, 0, unlimited, 0)};
    WheelState s = initial_wheel_state(c);
    SpinOutcome o = decide_spin(c, s, {}, 42);
    REQUIRE(o.status == SpinStatus::ok);
    CHECK(o.prize == 0);
    s = apply_outcome(c, s, o);
    CHECK(s.stock_left[0] == 0);
    CHECK(candidate_weights(c, s) == std::vector<std::int64_t>{0, 1, 1});
    CHECK(wheel_odds(c, s).chance_ppm == std::vector<std::int64_t>{0, 500'000, 500'000});
    std::vector<int> seen(3, 0);
    for (std::uint64_t seed = 0; seed < 100; ++seed) {
        o = decide_spin(c, s, {}, seed);
        REQUIRE(o.status == SpinStatus::ok);
        ++seen[static_cast<std::size_t>(o.prize)];
    }
    CHECK(seen[0] == 0);
    CHECK(seen[1] > 0);
    CHECK(seen[2] > 0);
}

TEST_CASE("spin: nothing left at all is a status, and changes nothing") {
    WheelConfig c;
    c.prizes = {prize("coffee", coupon, 10, 1, 100), prize("tea", coupon, 5, unlimited, 100)};
    c.day_budget = 150;
    WheelState s = initial_wheel_state(c);
    s.stock_left[0] = 0;
    s.spent_today = 100;  // 50 left: tea (100) is over budget
    const SpinOutcome o = decide_spin(c, s, {}, 7);
    CHECK(o.status == SpinStatus::nothing_left);
    CHECK(o.prize == -1);
    CHECK(o.total_weight == 0);
    CHECK(o.weights == std::vector<std::int64_t>{0, 0});
    const WheelState after = apply_outcome(c, s, o);
    CHECK(after.stock_left == s.stock_left);
    CHECK(after.spent_today == s.spent_today);
    CHECK(spin_status_name(o.status) == "nothing_left");
}

TEST_CASE("spin: per-member limits refuse the spin and say which limit") {
    WheelConfig c = six_prize_wheel();
    c.member_spins_per_day_max = 3;
    c.member_wins_per_day_max = 2;
    c.member_wins_per_campaign_max = 5;
    const WheelState s = initial_wheel_state(c);

    MemberSpinState m;
    m.spins_today = 3;
    SpinOutcome o = decide_spin(c, s, m, 1);
    CHECK(o.status == SpinStatus::member_limit_reached);
    CHECK(o.limit == MemberLimit::spins_per_day);
    CHECK(o.prize == -1);
    CHECK(apply_member_outcome(c, m, o).spins_today == 3);  // a refused spin is not used up

    m = {1, 2, 2};
    CHECK(decide_spin(c, s, m, 1).limit == MemberLimit::wins_per_day);
    m = {0, 0, 5};
    CHECK(decide_spin(c, s, m, 1).limit == MemberLimit::wins_per_campaign);
    CHECK(member_limit_name(MemberLimit::wins_per_campaign) == "wins_per_campaign");

    // Spin until refused: at most 3 spins and 2 wins in a day.
    m = {};
    int spins = 0;
    for (std::uint64_t seed = 0;; ++seed) {
        o = decide_spin(c, s, m, seed);
        if (o.status != SpinStatus::ok) break;
        m = apply_member_outcome(c, m, o);
        ++spins;
    }
    CHECK(o.status == SpinStatus::member_limit_reached);
    CHECK(spins <= 3);
    CHECK(m.spins_today <= 3);
    CHECK(m.wins_today <= 2);
    CHECK(((m.spins_today == 3) || (m.wins_today == 2)));
}

TEST_CASE("spin: 10 000 spins never exceed stock, budgets or member limits") {
    WheelConfig c;
    c.prizes = {prize("tv", coupon, 4, 3, 15'000), prize("coffee", coupon, 20, 400, 1'500),
                prize("p100", points, 30, unlimited, 100), prize("p10", points, 50, unlimited, 10),
                prize("none", nothing, 100, unlimited, 0)};
    c.day_budget = 20'000;
    c.campaign_budget = 300'000;
    c.member_spins_per_day_max = 5;
    c.member_wins_per_day_max = 3;
    c.member_wins_per_campaign_max = 30;
    constexpr int spins = 10'000;
    constexpr int spins_per_day = 250;
    constexpr int members = 40;

    WheelState s = initial_wheel_state(c);
    std::vector<MemberSpinState> member(members);
    std::vector<std::int64_t> wins(c.prizes.size(), 0);  // the auditor's own books
    std::int64_t spent_campaign = 0;
    std::int64_t spent_today = 0;
    std::map<SpinStatus, int> statuses;
    std::map<MemberLimit, int> limits;
    int days_coffee_over_budget = 0;
    for (int i = 0; i < spins; ++i) {
        if (i % spins_per_day == 0) {  // a new day
            if (*c.day_budget - spent_today < c.prizes[1].cost) ++days_coffee_over_budget;
            s.spent_today = spent_today = 0;
            for (auto& m : member) m.spins_today = m.wins_today = 0;
        }
        MemberSpinState& m = member[static_cast<std::size_t>(i * 7 % members)];
        const SpinOutcome o = decide_spin(c, s, m, static_cast<std::uint64_t>(i));
        INFO("spin " << i);
        ++statuses[o.status];
        ++limits[o.limit];
        for (std::size_t p = 0; p < c.prizes.size() && o.status == SpinStatus::ok; ++p)
            REQUIRE((o.weights[p] > 0) == should_be_in_draw(c, s, p));
        if (o.status != SpinStatus::ok) continue;
        const auto p = static_cast<std::size_t>(o.prize);
        REQUIRE(o.weights[p] > 0);
        ++wins[p];
        spent_campaign += c.prizes[p].cost;
        spent_today += c.prizes[p].cost;
        s = apply_outcome(c, s, o);
        m = apply_member_outcome(c, m, o);

        for (std::size_t q = 0; q < c.prizes.size(); ++q) {
            if (!c.prizes[q].stock) continue;
            REQUIRE(s.stock_left[q] >= 0);
            REQUIRE(s.stock_left[q] == *c.prizes[q].stock - wins[q]);
        }
        REQUIRE(s.spent_today == spent_today);
        REQUIRE(s.spent_campaign == spent_campaign);
        REQUIRE(s.spent_today <= *c.day_budget);
        REQUIRE(s.spent_campaign <= *c.campaign_budget);
        REQUIRE(m.spins_today <= *c.member_spins_per_day_max);
        REQUIRE(m.wins_today <= *c.member_wins_per_day_max);
        REQUIRE(m.wins_campaign <= *c.member_wins_per_campaign_max);
    }
    INFO("wins: tv " << wins[0] << ", coffee " << wins[1] << ", p100 " << wins[2] << ", p10 "
                     << wins[3] << ", none " << wins[4] << "; refused: spins/day "
                     << limits[MemberLimit::spins_per_day] << ", wins/day "
                     << limits[MemberLimit::wins_per_day] << ", wins/campaign "
                     << limits[MemberLimit::wins_per_campaign] << "; spent " << spent_campaign
                     << "; days the day budget ran out " << days_coffee_over_budget);
    // The scenario reaches every limit it is meant to test.
    CHECK(wins[0] == 3);                                            // stock
    CHECK(wins[1] < 400);                                           // coffee: budget, not stock
    CHECK(*c.campaign_budget - spent_campaign < c.prizes[1].cost);  // campaign budget
    CHECK(days_coffee_over_budget > 0);                             // day budget
    CHECK(limits[MemberLimit::spins_per_day] > 0);
    CHECK(limits[MemberLimit::wins_per_day] > 0);
    CHECK(limits[MemberLimit::wins_per_campaign] > 0);
    CHECK(statuses[SpinStatus::nothing_left] == 0);  // the free "nothing" prize never runs out
}

TEST_CASE("spin: apply_outcome ignores refused spins and counts only real wins") {
    const WheelConfig c = six_prize_wheel();
    const WheelState s = initial_wheel_state(c);
    SpinOutcome o;
    o.status = SpinStatus::ok;
    o.prize = 5;  // "none"
    const MemberSpinState m = apply_member_outcome(c, {}, o);
    CHECK(m.spins_today == 1);
    CHECK(m.wins_today == 0);
    o.prize = 0;
    CHECK(apply_member_outcome(c, m, o).wins_campaign == 1);
    CHECK(apply_outcome(c, s, o).stock_left == s.stock_left);  // unlimited stock: untouched
}

TEST_CASE("wheel: bad configs give the status and the prize's index") {
    std::size_t bad = 99;
    WheelConfig c;
    CHECK(validate_wheel(c, &bad) == WheelStatus::no_prizes);

    c = six_prize_wheel();
    CHECK(validate_wheel(c, &bad) == WheelStatus::ok);
    CHECK(bad == 0);

    for (std::size_t i = c.prizes.size(); i <= wheel_prizes_max; ++i)
        c.prizes.push_back(prize("x", nothing, 1, unlimited, 0));
    CHECK(validate_wheel(c, &bad) == WheelStatus::too_many_prizes);

    struct Case {
        void (*spoil)(WheelConfig*);
        WheelStatus status;
        std::size_t index;
    };
    const Case cases[] = {
        {[](WheelConfig* w) { w->prizes[2].id = ""; }, WheelStatus::empty_id, 2},
        {[](WheelConfig* w) { w->prizes[4].id = "coffee"; }, WheelStatus::duplicate_id, 4},
        {[](WheelConfig* w) { w->prizes[3].weight = -1; }, WheelStatus::negative_weight, 3},
        {[](WheelConfig* w) { w->prizes[1].weight = prize_weight_max + 1; },
         WheelStatus::weight_too_large, 1},
        {[](WheelConfig* w) { w->prizes[5].stock = -1; }, WheelStatus::negative_stock, 5},
        {[](WheelConfig* w) { w->prizes[0].cost = -100; }, WheelStatus::negative_cost, 0},
        {[](WheelConfig* w) { w->prizes[2].points = 0; }, WheelStatus::bad_points, 2},
        {[](WheelConfig* w) { w->prizes[1].reward_id.clear(); }, WheelStatus::missing_reward, 1},
        {[](WheelConfig* w) {
             for (auto& p : w->prizes) p.weight = 0;
         },
         WheelStatus::all_weights_zero, 0},
        {[](WheelConfig* w) { w->campaign_budget = -1; }, WheelStatus::negative_budget, 0},
        {[](WheelConfig* w) { w->member_wins_per_day_max = -1; },
         WheelStatus::negative_member_limit, 0},
        {[](WheelConfig* w) { w->prizes[3].colour = kopilka::theme::Rgba{1, 2, 3, 128}; },
         WheelStatus::translucent_colour, 3},
        {[](WheelConfig* w) { w->name = std::string(wheel_name_bytes_max + 1, 'x'); },
         WheelStatus::name_too_long, 0},
        {[](WheelConfig* w) {
             w->starts_at_ms = 2000;
             w->ends_at_ms = 2000;  // an empty window
         },
         WheelStatus::ends_before_start, 0},
        // Two bad prizes: the earlier one is named.
        {[](WheelConfig* w) {
             w->prizes[4].cost = -1;
             w->prizes[3].weight = -1;
         },
         WheelStatus::negative_weight, 3},
    };
    for (const Case& k : cases) {
        c = six_prize_wheel();
        k.spoil(&c);
        bad = 99;
        const WheelStatus got = validate_wheel(c, &bad);
        INFO("expected " << wheel_status_name(k.status) << ", got " << wheel_status_name(got));
        CHECK(got == k.status);
        CHECK(bad == k.index);
    }
}

TEST_CASE("wheel: the campaign window decides whether the wheel is running") {
    WheelConfig c = six_prize_wheel();
    CHECK(wheel_phase(c, 0) == WheelPhase::running);  // no window: always
    c.starts_at_ms = 1000;
    CHECK(wheel_phase(c, 999) == WheelPhase::scheduled);
    CHECK(wheel_phase(c, 1000) == WheelPhase::running);
    CHECK(wheel_phase(c, INT64_MAX) == WheelPhase::running);  // open-ended
    c.ends_at_ms = 5000;
    CHECK(wheel_phase(c, 4999) == WheelPhase::running);
    CHECK(wheel_phase(c, 5000) == WheelPhase::ended);  // the end is the first moment outside
    c.starts_at_ms.reset();
    CHECK(wheel_phase(c, -1) == WheelPhase::running);
    CHECK(wheel_phase_name(WheelPhase::scheduled) == "scheduled");
    CHECK(wheel_phase_name(WheelPhase::ended) == "ended");
    std::size_t bad = 0;
    c.starts_at_ms = 4000;
    CHECK(validate_wheel(c, &bad) == WheelStatus::ok);
}

TEST_CASE("wheel odds: parts per million add up exactly (largest remainder)") {
    CHECK(ppm_shares({1, 1, 1}) == std::vector<std::int64_t>{333'334, 333'333, 333'333});
    CHECK(ppm_shares({1, 0, 2}) == std::vector<std::int64_t>{333'333, 0, 666'667});
    CHECK(ppm_shares({0, 0}) == std::vector<std::int64_t>{0, 0});
    CHECK(ppm_shares({7}) == std::vector<std::int64_t>{1'000'000});
    // Remainders 0.4, 0.3, 0.3 of a ppm (weights out of 10^7): the first gets the one left.
    CHECK(ppm_shares({4'000'004, 3'000'003, 2'999'993}) ==
          std::vector<std::int64_t>{400'001, 300'000, 299'999});

    Rng rng(2024);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::int64_t> weights(1 + rng.uniform_below(wheel_prizes_max));
        for (auto& w : weights)
            w = rng.uniform_below(4) == 0
                    ? 0
                    : static_cast<std::int64_t>(rng.uniform_below(prize_weight_max) + 1);
        const std::vector<std::int64_t> ppm = ppm_shares(weights);
        std::int64_t sum = 0;
        std::int64_t total = 0;
        for (const auto w : weights) total += w;
        for (std::size_t i = 0; i < ppm.size(); ++i) {
            sum += ppm[i];
            if (weights[i] == 0 || total == 0) CHECK(ppm[i] == 0);
            if (total == 0) continue;
            // Each part is its exact share rounded down or up.
            CHECK(ppm[i] >= weights[i] * ppm_total / total);
            CHECK(ppm[i] <= weights[i] * ppm_total / total + 1);
        }
        CHECK(sum == (total == 0 ? 0 : ppm_total));
    }
}

TEST_CASE("wheel odds: win chance and the warning below 25 %") {
    WheelConfig c;
    c.prizes = {prize("coffee", coupon, 10, unlimited, 0), prize("p10", points, 14, unlimited, 0),
                prize("none", nothing, 76, unlimited, 0)};
    WheelOdds odds = wheel_odds(c);
    CHECK(odds.chance_ppm == std::vector<std::int64_t>{100'000, 140'000, 760'000});
    CHECK(odds.win_chance_ppm == 240'000);
    CHECK(odds.low_win_chance);
    CHECK_FALSE(odds.nothing_left);

    c.prizes[1].weight = 15;
    c.prizes[2].weight = 75;
    odds = wheel_odds(c);
    CHECK(odds.win_chance_ppm == win_chance_ppm_min);  // exactly 25 %: no warning
    CHECK_FALSE(odds.low_win_chance);

    // One weight unit under 25 % (249 999.94 ppm): rounded down, so the warning shows.
    c.prizes = {prize("coffee", coupon, 1'000'000, unlimited, 0),
                prize("none", nothing, 3'000'001, unlimited, 0)};
    odds = wheel_odds(c);
    CHECK(odds.win_chance_ppm == 249'999);
    CHECK(odds.low_win_chance);
}

TEST_CASE("wheel odds: drop-outs are reflected, from the config and from the current state") {
    WheelConfig c;
    c.prizes = {prize("tv", coupon, 5, 1, 90'000), prize("coffee", coupon, 20, 2, 200),
                prize("p10", points, 25, unlimited, 10), prize("none", nothing, 50, unlimited, 0)};
    c.day_budget = 100'000;
    WheelOdds odds = wheel_odds(c);
    CHECK(odds.chance_ppm == std::vector<std::int64_t>{50'000, 200'000, 250'000, 500'000});
    CHECK(odds.win_chance_ppm == 500'000);

    WheelState s = initial_wheel_state(c);
    s.stock_left[1] = 0;  // coffee gone: the rest grow in proportion (5 : 25 : 50)
    odds = wheel_odds(c, s);
    CHECK(odds.chance_ppm == std::vector<std::int64_t>{62'500, 0, 312'500, 625'000});
    CHECK(odds.win_chance_ppm == 375'000);

    s.spent_today = 20'000;  // 80 000 left today: the tv (90 000) is over budget
    odds = wheel_odds(c, s);
    CHECK(odds.chance_ppm == std::vector<std::int64_t>{0, 0, 333'333, 666'667});
    CHECK(odds.win_chance_ppm == 333'333);

    // A prize that costs more than a whole day's budget is never in the published odds.
    c.day_budget = 50'000;
    CHECK(wheel_odds(c).chance_ppm[0] == 0);

    // Odds agree with the draw: zero chance exactly when the spin's weight is zero.
    const SpinOutcome o = decide_spin(c, s, {}, 3);
    odds = wheel_odds(c, s);
    for (std::size_t i = 0; i < c.prizes.size(); ++i)
        CHECK((odds.chance_ppm[i] == 0) == (o.weights[i] == 0));

    s.spent_today = 100'000;
    s.stock_left = {0, 0, 0, 0};
    c.prizes[2].cost = 1;
    c.prizes[3].stock = 0;
    odds = wheel_odds(c, s);
    CHECK(odds.nothing_left);
    CHECK(odds.chance_ppm == std::vector<std::int64_t>{0, 0, 0, 0});
    CHECK(odds.win_chance_ppm == 0);
    CHECK(odds.low_win_chance);
}

#include "core/coalition/settlement.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <set>
#include <utility>

using namespace kopilka::coalition;

namespace {

SettlementInput three_partners() {
    SettlementInput in;
    in.clearing_price_num = 50;  // 50 kopecks a point
    in.clearing_price_den = 1;
    in.partners = {{"bakery", 600, 100}, {"cinema", 300, 500}, {"florist", 100, 400}};
    return in;
}

std::int64_t transfer(const Settlement& s, std::size_t payer, std::size_t payee) {
    for (const auto& t : s.transfers)
        if (t.payer == payer && t.payee == payee) return t.amount;
    return 0;
}

using i128 = __int128;

// |value × den − num| < den: value is the exact num / den rounded down or up.
bool within_one(std::int64_t value, i128 num, i128 den) {
    const i128 d = static_cast<i128>(value) * den - num;
    return d < den && -d < den;
}

// An independent audit of a settlement against its input.
void audit(const SettlementInput& in, const Settlement& s) {
    REQUIRE(s.status == SettlementStatus::ok);
    REQUIRE(s.partners.size() == in.partners.size());
    std::int64_t receivable = 0, payable = 0, net = 0;
    for (std::size_t i = 0; i < in.partners.size(); ++i) {
        const auto& p = s.partners[i];
        INFO("partner " << i);
        CHECK(p.issued == in.partners[i].issued);
        CHECK(p.burned == in.partners[i].burned);
        CHECK(p.receivable >= 0);
        CHECK(p.payable >= 0);
        CHECK(p.net == p.receivable - p.payable);
        CHECK(p.self_settled <= p.receivable);
        CHECK(p.self_settled <= p.payable);
        // Pro rata: the receivable to burned × price, the payable to issuance, the part a
        // partner owes itself to both, each within one minor unit.
        CHECK(within_one(p.receivable, static_cast<i128>(p.burned) * in.clearing_price_num,
                         in.clearing_price_den));
        if (s.total_issued > 0) {
            CHECK(
                within_one(p.payable, static_cast<i128>(s.total_value) * p.issued, s.total_issued));
            CHECK(within_one(p.self_settled, static_cast<i128>(p.receivable) * p.issued,
                             s.total_issued));
        }
        receivable += p.receivable;
        payable += p.payable;
        net += p.net;
    }
    // Not a kopeck lost or invented.
    CHECK(receivable == s.total_value);
    CHECK(payable == s.total_value);
    CHECK(net == 0);
    std::int64_t expected_value = 0;
    REQUIRE(kopilka::money::mul_div(s.total_burned, in.clearing_price_num, in.clearing_price_den,
                                    in.rounding, &expected_value));
    CHECK(s.total_value == expected_value);
    // Transfers: at most one per pair, positive, and they move exactly each partner's net.
    std::vector<std::int64_t> moved(in.partners.size(), 0);
    std::set<std::pair<std::size_t, std::size_t>> pairs;
    for (const auto& t : s.transfers) {
        CHECK(t.amount > 0);
        CHECK(t.payer != t.payee);
        CHECK(pairs.insert({std::min(t.payer, t.payee), std::max(t.payer, t.payee)}).second);
        moved[t.payee] += t.amount;
        moved[t.payer] -= t.amount;
    }
    for (std::size_t i = 0; i < moved.size(); ++i) CHECK(moved[i] == s.partners[i].net);
}

}  // namespace

TEST_CASE("settlement: three partners, computed by hand") {
    // 1 000 points issued, 1 000 burned at 0.50: 500.00 to settle (50 000 kopecks).
    // Receivables, by burning: bakery 100 × 50 = 5 000, cinema 25 000, florist 20 000.
    // Payables, by issuing 60 / 30 / 10 %: bakery 30 000, cinema 15 000, florist 5 000.
    // Obligations (issuer → burner) = receivable × issuer's share:
    //               → bakery  → cinema  → florist     payable
    //   bakery        3 000    15 000    12 000        30 000
    //   cinema        1 500     7 500     6 000        15 000
    //   florist         500     2 500     2 000         5 000
    // Netted pairs: bakery → cinema 15 000 − 1 500 = 13 500; bakery → florist 12 000 − 500
    // = 11 500; cinema → florist 6 000 − 2 500 = 3 500. Nets: −25 000, +10 000, +15 000.
    const auto in = three_partners();
    const auto s = settle(in);
    REQUIRE(s.status == SettlementStatus::ok);
    CHECK(s.total_issued == 1000);
    CHECK(s.total_burned == 1000);
    CHECK(s.total_value == 50000);
    const std::int64_t receivable[] = {5000, 25000, 20000};
    const std::int64_t payable[] = {30000, 15000, 5000};
    const std::int64_t self[] = {3000, 7500, 2000};
    const std::int64_t net[] = {-25000, 10000, 15000};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(s.partners[i].receivable == receivable[i]);
        CHECK(s.partners[i].payable == payable[i]);
        CHECK(s.partners[i].self_settled == self[i]);
        CHECK(s.partners[i].net == net[i]);
    }
    REQUIRE(s.transfers.size() == 3);
    CHECK(transfer(s, 0, 1) == 13500);
    CHECK(transfer(s, 0, 2) == 11500);
    CHECK(transfer(s, 1, 2) == 3500);
    CHECK(s.transfers[0].payer == 0);  // ordered by payer, then payee
    CHECK(s.transfers[0].payee == 1);
    audit(in, s);
}

TEST_CASE("settlement: kopecks that do not divide go by largest remainder") {
    // Three equal issuers, 2 points burned at the florist at 1 kopeck: each owes 2/3.
    // Floors 0, equal remainders: the two units go to the earlier partners.
    SettlementInput in;
    in.clearing_price_num = 1;
    in.partners = {{"a", 10, 0}, {"b", 10, 0}, {"florist", 10, 2}};
    const auto s = settle(in);
    REQUIRE(s.status == SettlementStatus::ok);
    CHECK(s.total_value == 2);
    CHECK(s.partners[0].payable == 1);
    CHECK(s.partners[1].payable == 1);
    CHECK(s.partners[2].payable == 0);
    CHECK(s.partners[2].receivable == 2);
    CHECK(transfer(s, 0, 2) == 1);
    CHECK(transfer(s, 1, 2) == 1);
    audit(in, s);

    // A third of a kopeck a point: 10 points are worth 3.33…, settled as 3 (half even).
    in.clearing_price_num = 1;
    in.clearing_price_den = 3;
    in.partners = {{"a", 1, 5}, {"b", 2, 5}};
    const auto t = settle(in);
    CHECK(t.total_value == 3);
    CHECK(t.partners[0].receivable + t.partners[1].receivable == 3);  // 5/3 each: 2 and 1
    CHECK(t.partners[0].receivable == 2);
    CHECK(t.partners[0].payable == 1);  // 3 × 1/3
    CHECK(t.partners[1].payable == 2);  // 3 × 2/3
    audit(in, t);
}

TEST_CASE("settlement: partners with nothing, one partner alone, nothing burned") {
    auto in = three_partners();
    in.partners.push_back({"idle", 0, 0});
    auto s = settle(in);
    CHECK(s.partners[3].receivable == 0);
    CHECK(s.partners[3].payable == 0);
    CHECK(s.partners[3].net == 0);
    CHECK(s.transfers.size() == 3);
    audit(in, s);

    in.partners = {{"solo", 500, 200}};  // burns only its own points: settled with itself
    s = settle(in);
    CHECK(s.partners[0].receivable == 10000);
    CHECK(s.partners[0].payable == 10000);
    CHECK(s.partners[0].self_settled == 10000);
    CHECK(s.transfers.empty());
    audit(in, s);

    in.partners = {{"a", 500, 0}, {"b", 0, 0}};  // nothing burned: nothing to settle
    s = settle(in);
    CHECK(s.status == SettlementStatus::ok);
    CHECK(s.total_value == 0);
    CHECK(s.transfers.empty());
    audit(in, s);

    in.partners = {{"a", 0, 0}, {"b", 0, 0}};  // nothing at all
    CHECK(settle(in).status == SettlementStatus::ok);

    in = three_partners();
    in.clearing_price_num = 0;  // free points: burned, but worth nothing
    s = settle(in);
    CHECK(s.total_value == 0);
    CHECK(s.transfers.empty());
}

TEST_CASE("settlement: points burned with nothing issued cannot be attributed") {
    SettlementInput in;
    in.clearing_price_num = 50;
    in.partners = {{"a", 0, 0}, {"b", 0, 70}, {"c", 0, 30}};
    const auto s = settle(in);
    CHECK(s.status == SettlementStatus::no_issuance);
    CHECK(s.bad_partner == 1);  // the first partner where points were burned
    CHECK(settlement_status_field(s.status, s.bad_partner) == "partners[1].burned");
}

TEST_CASE("settlement: validation names the partner") {
    struct Case {
        void (*change)(SettlementInput&);
        SettlementStatus status;
        const char* field;
    };
    const Case cases[] = {
        {[](SettlementInput& in) { in.partners.clear(); }, SettlementStatus::no_partners,
         "partners"},
        {[](SettlementInput& in) {
             in.partners.resize(partners_max + 1, {"x", 1, 1});
         },
         SettlementStatus::too_many_partners, "partners"},
        {[](SettlementInput& in) { in.partners[1].id = ""; }, SettlementStatus::id_invalid,
         "partners[1].id"},
        {[](SettlementInput& in) {
             in.partners[1].id = std::string(partner_id_bytes_max + 1, 'x');
         },
         SettlementStatus::id_invalid, "partners[1].id"},
        {[](SettlementInput& in) { in.partners[2].id = "bakery"; }, SettlementStatus::id_duplicate,
         "partners[2].id"},
        {[](SettlementInput& in) { in.partners[2].issued = -1; }, SettlementStatus::issued_negative,
         "partners[2].issued"},
        {[](SettlementInput& in) { in.partners[0].burned = -5; }, SettlementStatus::burned_negative,
         "partners[0].burned"},
        {[](SettlementInput& in) { in.clearing_price_num = -1; }, SettlementStatus::price_invalid,
         "clearing_price_num"},
        {[](SettlementInput& in) { in.clearing_price_den = 0; },
         SettlementStatus::price_den_invalid, "clearing_price_den"},
        {[](SettlementInput& in) { in.partners[1].issued = INT64_MAX; },
         SettlementStatus::issued_overflow, "partners[1].issued"},
        {[](SettlementInput& in) { in.partners[2].burned = INT64_MAX; },
         SettlementStatus::burned_overflow, "partners[2].burned"},
        {[](SettlementInput& in) { in.partners[2].burned = INT64_MAX / 2; },
         SettlementStatus::value_overflow, "clearing_price_num"},
    };
    for (const auto& c : cases) {
        auto in = three_partners();
        c.change(in);
        const auto s = settle(in);
        INFO(settlement_status_name(c.status));
        CHECK(s.status == c.status);
        CHECK(settlement_status_field(s.status, s.bad_partner) == c.field);
        std::size_t bad = 99;
        const auto v = validate_settlement(in, &bad);
        CHECK((v == s.status || v == SettlementStatus::ok));  // overflow is found by settle()
    }
}

TEST_CASE("settlement: conservation and pro rata over seeded random inputs") {
    std::uint64_t state = 7;  // a tiny LCG: the same inputs natively and in wasm
    const auto next = [&](std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::int64_t>((state >> 33) % bound);
    };
    // Edge-biased: zeros, ones, small numbers that leave remainders, and big ones.
    const auto amount = [&]() -> std::int64_t {
        switch (next(6)) {
            case 0:
                return 0;
            case 1:
                return 1 + next(3);
            case 2:
                return next(100);
            case 3:
                return next(100'000);
            case 4:
                return next(1'000'000'000) * (1 + next(1000));
            default:
                return next(10'000);
        }
    };
    const kopilka::money::Rounding roundings[] = {
        kopilka::money::Rounding::half_even, kopilka::money::Rounding::half_up,
        kopilka::money::Rounding::floor, kopilka::money::Rounding::ceil};
    int settled = 0;
    for (int round = 0; round < 1500; ++round) {
        SettlementInput in;
        const std::int64_t n = 1 + next(next(4) == 0 ? 40 : 8);
        for (std::int64_t i = 0; i < n; ++i)
            in.partners.push_back({"p" + std::to_string(i), amount(), amount()});
        const std::int64_t dens[] = {1, 1, 2, 3, 7, 100, 1 + next(1000)};
        in.clearing_price_den = dens[next(7)];
        in.clearing_price_num = next(3) == 0 ? 1 + next(3) : next(1000);
        in.rounding = roundings[next(4)];
        INFO("round " << round << " partners " << n);
        const auto s = settle(in);
        if (s.status == SettlementStatus::no_issuance) {
            CHECK(s.total_issued == 0);
            continue;
        }
        audit(in, s);
        ++settled;
    }
    CHECK(settled > 1000);
}

TEST_CASE("settlement: the largest coalition settles quickly and exactly") {
    std::uint64_t state = 99;
    const auto next = [&](std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::int64_t>((state >> 33) % bound);
    };
    SettlementInput in;
    in.clearing_price_num = 1 + next(100);
    in.clearing_price_den = 1 + next(7);
    for (std::size_t i = 0; i < partners_max; ++i)
        in.partners.push_back({"partner-" + std::to_string(i), next(5'000'000), next(5'000'000)});
    audit(in, settle(in));
}

#include <doctest/doctest.h>

#include <limits>

#include "core/program/validate.hpp"
#include "core/quote/quote.hpp"

using namespace kopilka;
using namespace kopilka::quote;

namespace {
program::Program points_program() {
    program::Program p;
    p.id = "p";
    program::BonusPoints b;
    b.earn_bp = 1000;
    b.redeem_cap_bp = 10000;
    p.bonus = b;
    return p;
}
Receipt receipt(std::vector<ReceiptLine> lines) { return Receipt{"r", std::move(lines), 1767225600000}; }
}  // namespace

TEST_CASE("bad receipts name the line and the field; nothing asserts") {
    const auto p = points_program();
    CHECK(quote_receipt(p, {}, receipt({})).field == "lines");
    auto q = quote_receipt(p, {}, receipt({{"a", "c", 100, 1}, {"b", "c", -5, 1}}));
    CHECK(q.status == QuoteStatus::invalid_receipt);
    CHECK(q.field == "lines[1].unit_price");
    q = quote_receipt(p, {}, receipt({{"a", "c", 100, 0}}));
    CHECK(q.field == "lines[0].quantity");
    q = quote_receipt(p, {}, receipt({{"a", "c", program::amount_max, line_quantity_max}}));
    CHECK(q.status == QuoteStatus::overflow);
    CHECK(q.lines.empty());  // a failed quote carries no half-computed numbers
}

TEST_CASE("redemption never pays more than a line costs, even for lines below one point") {
    const auto p = points_program();
    MemberContext m;
    m.points_available = 100;
    QuoteOptions o;
    o.redeem_points = 100;
    // Three lines of 1,50 ₽: each can take one whole point (1 ₽) at most.
    const auto q = quote_receipt(p, m, receipt({{"a", "c", 150, 1}, {"b", "c", 150, 1}, {"c", "c", 150, 1}}), o);
    REQUIRE(q.status == QuoteStatus::ok);
    CHECK(q.redeemed_points == 3);
    for (const auto& l : q.lines) {
        CHECK(l.redeemed_money <= l.gross - l.discount);
        CHECK(l.paid >= 0);
    }
}

TEST_CASE("partial returns of every line add up to the line, whatever the order") {
    const auto p = points_program();
    MemberContext m;
    m.points_available = 1000;
    QuoteOptions o;
    o.redeem_points = 77;
    const Receipt r = receipt({{"a", "c", 3333, 7}, {"b", "c", 1001, 3}, {"c", "c", 99, 11}});
    const auto q = quote_receipt(p, m, r, o);
    REQUIRE(q.status == QuoteStatus::ok);
    std::vector<std::int64_t> already(3, 0);
    std::int64_t money = 0, refunded = 0, clawed = 0;
    // Return one unit at a time, cycling over the lines.
    for (int step = 0; step < 21; ++step) {
        std::vector<std::int64_t> now(3, 0);
        for (std::size_t i = 0; i < 3; ++i)
            if (already[i] < r.lines[i].quantity && (step % 3) == static_cast<int>(i)) now[i] = 1;
        const auto ret = quote_return(r, q, now, already);
        REQUIRE(ret.status == QuoteStatus::ok);
        money += ret.money_refund;
        refunded += ret.points_refund;
        clawed += ret.points_clawback;
        for (std::size_t i = 0; i < 3; ++i) already[i] += now[i];
    }
    // What is left goes back in one go.
    std::vector<std::int64_t> rest(3);
    for (std::size_t i = 0; i < 3; ++i) rest[i] = r.lines[i].quantity - already[i];
    const auto last = quote_return(r, q, rest, already);
    money += last.money_refund;
    refunded += last.points_refund;
    clawed += last.points_clawback;
    CHECK(money == q.paid);
    CHECK(refunded == q.redeemed_points);
    CHECK(clawed == q.points_earned);
}

TEST_CASE("validate_program catches contradictions the JSON shape can't") {
    program::Program p = points_program();
    CHECK_FALSE(program::validate_program(p).has_value());
    p.bonus->pending_days = 30;
    p.bonus->expiry_days = 30;
    auto problem = program::validate_program(p);
    REQUIRE(problem.has_value());
    CHECK(problem->field == "bonus.expiry_days");
    p = points_program();
    p.point_value_minor = 0;
    CHECK(program::validate_program(p)->field == "point_value_minor");
}

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
Receipt receipt(std::vector<ReceiptLine> lines) {
    return Receipt{"r", std::move(lines), 1767225600000};
}
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
    CHECK(q.status == QuoteStatus::invalid_receipt);
    CHECK(q.field == "lines[0].unit_price");
    CHECK(q.lines.empty());  // a failed quote carries no half-computed numbers
}

namespace {
// Every rate and multiplier at the program's limits, a point worth one minor unit: the most
// a receipt can earn.
program::Program extreme_program() {
    program::Program p = points_program();
    p.point_value_minor = 1;
    p.bonus->earn_bp = program::rate_bp_max;
    p.bonus->sku_multipliers = {{"x", program::multiplier_pct_max}};
    p.cashback = program::Cashback{program::rate_bp_max, {}};
    program::StampCard card;
    card.id = "s";
    card.stamps_per_card = 10;
    card.spend_per_stamp = 1;
    card.reward_id = "r";
    p.stamp_cards = {card};
    p.rewards = {{"r", "Reward", 1, program::RewardKind::gift, 0, 30}};
    program::Tiers t;
    t.levels = {{"base", "Base", 0, program::multiplier_pct_max, 0, {}}};
    p.tiers = t;
    p.vip_plans = {
        {"vip", "VIP", 0, program::BillingPeriod::month, program::multiplier_pct_max, 0, {}}};
    return p;
}
}  // namespace

TEST_CASE("extreme receipts: at the limits the quote is exact, past them it names the field") {
    const program::Program p = extreme_program();
    const auto problem = program::validate_program(p);
    REQUIRE_MESSAGE(!problem, (problem ? problem->field : ""));
    MemberContext m;
    m.vip_plan = "vip";
    m.tier_qualifying = program::amount_max;
    // The largest receipt: 500 lines whose grosses add up to receipt_gross_max.
    std::vector<ReceiptLine> lines(receipt_lines_max,
                                   ReceiptLine{"x", "c", receipt_gross_max / 500, 1});
    Quote q = quote_receipt(p, m, receipt(lines));
    REQUIRE(q.status == QuoteStatus::ok);
    CHECK(q.gross == receipt_gross_max);
    // 100 % × 100 (SKU) × 100 (tier) × 100 (VIP) of 10^12: 10^18 points, still an int64.
    CHECK(q.points_earned == receipt_gross_max * 1'000'000);
    CHECK(q.cashback == receipt_gross_max);

    // One minor unit more anywhere is refused, naming the line that took the total over.
    lines.back().unit_price += 1;
    q = quote_receipt(p, m, receipt(lines));
    CHECK(q.status == QuoteStatus::invalid_receipt);
    CHECK(q.field == "lines[499]");
    // A line's own gross over the limit is its quantity's doing; a price over it is the price.
    q = quote_receipt(p, m, receipt({{"x", "c", receipt_gross_max, 2}}));
    CHECK(q.field == "lines[0].quantity");
    q = quote_receipt(p, m, receipt({{"x", "c", receipt_gross_max + 1, 1}}));
    CHECK(q.field == "lines[0].unit_price");
    q = quote_receipt(p, m, receipt({{"x", "c", INT64_MAX, INT64_MAX}}));
    CHECK(q.field == "lines[0].unit_price");
    q = quote_receipt(p, m, receipt({{"x", "c", 1, line_quantity_max + 1}}));
    CHECK(q.field == "lines[0].quantity");
    CHECK(receipt_problem(receipt({{"x", "c", 2, line_quantity_max}})).field.empty());
}

TEST_CASE("extreme returns: a count near INT64_MAX is refused, not wrapped into a negative sum") {
    const auto p = points_program();
    const Receipt r = receipt({{"a", "c", 1000, 2}});
    const Quote q = quote_receipt(p, {}, r);
    REQUIRE(q.status == QuoteStatus::ok);
    const std::int64_t huge = std::numeric_limits<std::int64_t>::max();
    for (const std::int64_t already : {std::int64_t{0}, std::int64_t{1}, std::int64_t{2}}) {
        CAPTURE(already);
        const ReturnResult ret = quote_return(r, q, {huge}, {already});
        CHECK(ret.status == QuoteStatus::invalid_receipt);
        CHECK(ret.field == "returned[0]");
    }
    CHECK(quote_return(r, q, {1}, {huge}).status == QuoteStatus::invalid_receipt);
    // The last unit can still be returned after the refusals.
    CHECK(quote_return(r, q, {1}, {1}).status == QuoteStatus::ok);
}

TEST_CASE("redemption never pays more than a line costs, even for lines below one point") {
    const auto p = points_program();
    MemberContext m;
    m.points_available = 100;
    QuoteOptions o;
    o.redeem_points = 100;
    // Three lines of 1,50 ₽: each can take one whole point (1 ₽) at most.
    const auto q = quote_receipt(
        p, m, receipt({{"a", "c", 150, 1}, {"b", "c", 150, 1}, {"c", "c", 150, 1}}), o);
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

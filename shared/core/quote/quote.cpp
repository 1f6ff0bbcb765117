#include "core/quote/quote.hpp"

#include <algorithm>

#include "core/money/allocate.hpp"
#include "core/time.hpp"

namespace kopilka::quote {

namespace {

using Arg = Explanation::Arg;
using Kind = Explanation::ArgKind;
using program::BasisPoints;
using program::Program;

Arg money_arg(const char* name, std::int64_t v) { return {name, Kind::money, v, {}}; }
Arg percent_arg(const char* name, BasisPoints v) { return {name, Kind::percent_bp, v, {}}; }
Arg count_arg(std::int64_t v) { return {"n", Kind::count, v, {}}; }
Arg text_arg(const char* name, std::string t) { return {name, Kind::text, 0, std::move(t)}; }

// The rules that give discounts, in the order of their names: the order of their explanations.
enum class DiscountRule : std::uint8_t { discount_ladder, flat_discount, segment, tiers, vip };
constexpr std::size_t kDiscountRules = 5;
std::string_view rule_name(DiscountRule r) {
    static constexpr std::string_view kNames[kDiscountRules] = {"discount_ladder", "flat_discount",
                                                                "segment", "tiers", "vip"};
    return kNames[static_cast<std::size_t>(r)];
}

struct Engine {
    const Program& p;
    const MemberContext& m;
    const Receipt& r;
    const QuoteOptions& o;
    Quote& q;
    int tier = -1;  // the member's tier before this receipt, -1 without tiers
    // Each allocation's weights, caps and parts, one per line: on the stack for a receipt of up
    // to 16 lines, as nearly all are, so that a quote allocates little beyond its results.
    static constexpr std::size_t lines_in_place = 16;
    std::int64_t in_place[3 * lines_in_place];
    std::vector<std::int64_t> on_heap;
    std::int64_t* weights = nullptr;
    std::int64_t* caps = nullptr;
    std::int64_t* parts = nullptr;

    // A constructor, not aggregate initialisation, which would zero in_place for every quote.
    Engine(const Program& program, const MemberContext& member, const Receipt& receipt,
           const QuoteOptions& options, Quote& quote)
        : p(program), m(member), r(receipt), o(options), q(quote) {}

    // Splits total over the lines by weights (and caps) into parts; false when out of range.
    bool allocate(std::int64_t total, bool capped) {
        return money::allocate_into(total, weights, r.lines.size(), capped ? caps : nullptr, parts);
    }
    bool fail(QuoteStatus s, std::string field) {
        q.status = s;
        q.field = std::move(field);
        return false;
    }
    // Args are moved in one by one: an initializer list would copy each of their strings.
    template <typename... Args>
    void explain(std::string_view rule, std::string_view key, Args&&... args) {
        static_assert(sizeof...(args) <= Explanation::Args::max,
                      "more args than an explanation holds");
        Explanation& e = q.explanations.emplace_back(rule, key);
        (e.args.push_back(std::forward<Args>(args)), ...);
    }
    // The tier is the higher of the tier held and the tier the window's qualifying amount
    // reaches; the discounts, the earning and the progress all use this one.
    void find_tier() {
        if (!p.tiers) return;
        tier = std::max(tier_index(p, m.tier_held),
                        tiers::tier_progress(p.tiers->levels, m.tier_qualifying).current);
    }
    const program::VipPlan* vip() const {
        for (const auto& plan : p.vip_plans)
            if (plan.id == m.vip_plan) return &plan;
        return nullptr;
    }

    bool check_receipt() {
        const ReceiptProblem problem = receipt_problem(r);
        if (!problem.field.empty()) return fail(QuoteStatus::invalid_receipt, problem.field);
        q.lines.resize(r.lines.size());
        if (r.lines.size() > lines_in_place) on_heap.resize(3 * r.lines.size());
        weights = on_heap.empty() ? in_place : on_heap.data();
        caps = weights + r.lines.size();
        parts = caps + r.lines.size();
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const ReceiptLine& l = r.lines[i];
            q.lines[i].gross = l.unit_price * l.quantity;  // receipt_problem checked that it fits
            q.gross += q.lines[i].gross;
        }
        // Room for every explanation the quote can give, so none is moved on the way: two of
        // the ladder, one per discount rule, two of redemption, three of earning, one of
        // cashback, two of tiers, one of referral and two per stamp card.
        q.explanations.reserve(16 + 2 * p.stamp_cards.size());
        return true;
    }

    // The ladder's rate for this receipt, after decay and cap; explains the next step.
    BasisPoints ladder_rate() {
        const program::DiscountLadder& l = *p.discount_ladder;
        const std::int64_t base = l.mode == program::LadderMode::receipt ? q.gross : m.spend_before;
        int step = -1;
        for (std::size_t i = 0; i < l.steps.size(); ++i)
            if (l.steps[i].threshold <= base) step = static_cast<int>(i);
        if (l.mode == program::LadderMode::cumulative && l.decay_period_days > 0 &&
            m.last_purchase_ms > 0 && r.at_ms > m.last_purchase_ms) {
            const std::int64_t idle =
                (r.at_ms - m.last_purchase_ms) / (l.decay_period_days * day_ms);
            step = static_cast<int>(std::max<std::int64_t>(-1, step - idle));
            if (idle > 0) explain("discount_ladder", "quote.ladder_decayed", count_arg(idle));
        }
        const std::size_t next = static_cast<std::size_t>(step + 1);
        // The hint only when more spend helps: after decay the spend is there already.
        if (next < l.steps.size() && l.steps[next].rate_bp <= l.cap_bp &&
            l.steps[next].threshold > base)
            explain("discount_ladder", "quote.ladder_next",
                    money_arg("amount", l.steps[next].threshold - base),
                    percent_arg("percent", l.steps[next].rate_bp));
        return step < 0 ? 0 : std::min(l.steps[static_cast<std::size_t>(step)].rate_bp, l.cap_bp);
    }

    // Discounts: the best applicable rate per line wins; rates never stack.
    bool discounts() {
        const BasisPoints ladder = p.discount_ladder ? ladder_rate() : 0;
        const BasisPoints tier_rate =
            tier >= 0 ? p.tiers->levels[static_cast<std::size_t>(tier)].discount_bp : 0;
        const program::VipPlan* plan = vip();
        struct RuleTotal {
            BasisPoints rate = 0;  // the highest rate the rule gave a line; 0: none
            std::int64_t money = 0;
        };
        RuleTotal by_rule[kDiscountRules];
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const ReceiptLine& l = r.lines[i];
            LineResult& lr = q.lines[i];
            BasisPoints best = 0;
            DiscountRule rule = DiscountRule::flat_discount;
            auto consider = [&](BasisPoints rate, DiscountRule name) {
                if (rate > best) {
                    best = rate;
                    rule = name;
                }
            };
            if (p.flat_discount &&
                program::line_matches(p.flat_discount->applies_to, l.category, l.sku))
                consider(p.flat_discount->rate_bp, DiscountRule::flat_discount);
            consider(ladder, DiscountRule::discount_ladder);
            for (const auto& s : p.segments) {
                const auto a = m.attributes.find(s.attribute);
                if (a != m.attributes.end() && a->second == s.value &&
                    program::line_matches(s.applies_to, l.category, l.sku))
                    consider(s.discount_bp, DiscountRule::segment);
            }
            consider(tier_rate, DiscountRule::tiers);
            if (plan) consider(plan->discount_bp, DiscountRule::vip);
            if (best == 0) continue;
            if (!money::apply_basis_points(lr.gross, best, money::Rounding::half_even,
                                           &lr.discount))
                return fail(QuoteStatus::overflow, "lines[" + std::to_string(i) + "].unit_price");
            lr.discount_rule = rule_name(rule);
            q.discount += lr.discount;
            RuleTotal& total = by_rule[static_cast<std::size_t>(rule)];
            total.rate = std::max(total.rate, best);
            total.money += lr.discount;
        }
        for (std::size_t i = 0; i < kDiscountRules; ++i) {
            if (by_rule[i].rate == 0) continue;
            const std::string_view rule = rule_name(static_cast<DiscountRule>(i));
            explain(rule, "quote.discount", text_arg("rule", std::string(rule)),
                    percent_arg("percent", by_rule[i].rate), money_arg("amount", by_rule[i].money));
        }
        return true;
    }

    bool redemption() {
        const std::int64_t net = q.gross - q.discount;
        if (o.redeem_points <= 0 || !p.bonus) return true;
        const program::BonusPoints& b = *p.bonus;
        for (const auto& period : b.redeem_blackouts)
            if (period.contains(r.at_ms)) {
                explain("bonus", "quote.redeem_blackout");
                return true;
            }
        if (net < b.redeem_order_min) {
            explain("bonus", "quote.redeem_below_min", money_arg("amount", b.redeem_order_min));
            return true;
        }
        std::int64_t cap_money = 0;
        if (!money::apply_basis_points(net, b.redeem_cap_bp, money::Rounding::floor, &cap_money))
            return fail(QuoteStatus::overflow, "lines");
        std::int64_t room_total = 0;
        for (std::size_t i = 0; i < q.lines.size(); ++i) {
            const LineResult& lr = q.lines[i];
            weights[i] = lr.gross - lr.discount;
            caps[i] = (lr.gross - lr.discount) / p.point_value_minor;  // whole points per line
            room_total += caps[i];
        }
        std::int64_t points = std::min(
            {o.redeem_points, m.points_available, cap_money / p.point_value_minor, room_total});
        if (points <= 0) return true;
        if (points < o.redeem_points) explain("bonus", "quote.redeem_capped", count_arg(points));
        if (!allocate(points, true)) return fail(QuoteStatus::overflow, "lines");
        for (std::size_t i = 0; i < q.lines.size(); ++i) {
            q.lines[i].redeemed_points = parts[i];
            q.lines[i].redeemed_money = parts[i] * p.point_value_minor;
        }
        q.redeemed_points = points;
        q.redeemed_money = points * p.point_value_minor;
        explain("bonus", "quote.redeemed", count_arg(points),
                money_arg("amount", q.redeemed_money));
        return true;
    }

    void settle_paid() {
        for (auto& lr : q.lines) {
            lr.paid = lr.gross - lr.discount - lr.redeemed_money;
            q.paid += lr.paid;
        }
    }

    std::int64_t line_multiplier(const ReceiptLine& l) const {
        for (const auto& mul : p.bonus->sku_multipliers)
            if (mul.key == l.sku) return mul.percent;
        for (const auto& mul : p.bonus->category_multipliers)
            if (mul.key == l.category) return mul.percent;
        return 100;
    }

    bool earn_points() {
        if (!p.bonus) return true;
        const program::BonusPoints& b = *p.bonus;
        if (q.gross - q.discount < b.receipt_min) {  // the purchase, before points paid part of it
            explain("bonus", "quote.earn_below_min", money_arg("amount", b.receipt_min));
            return true;
        }
        __int128 total = 0;
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const ReceiptLine& l = r.lines[i];
            const bool excluded =
                std::find(b.excluded_categories.begin(), b.excluded_categories.end(), l.category) !=
                    b.excluded_categories.end() ||
                (b.exclude_discounted_lines && l.discounted);
            std::int64_t w = 0;
            if (!excluded && !money::checked_mul(q.lines[i].paid, line_multiplier(l), &w))
                return fail(QuoteStatus::overflow, "lines[" + std::to_string(i) + "].unit_price");
            weights[i] = w;
            total += w;
        }
        const std::int64_t tier_pct =
            tier >= 0 ? p.tiers->levels[static_cast<std::size_t>(tier)].earn_multiplier_pct : 100;
        const program::VipPlan* plan = vip();
        const std::int64_t vip_pct = plan ? plan->earn_multiplier_pct : 100;
        const __int128 numerator = total * b.earn_bp * tier_pct * vip_pct;
        const __int128 denominator =
            static_cast<__int128>(100) * 10000 * 100 * 100 * p.point_value_minor;
        std::int64_t points = 0;
        if (!money::div_wide(numerator, denominator, b.earn_rounding, &points))
            return fail(QuoteStatus::overflow, "lines");
        if (points <= 0) return true;
        if (!allocate(points, false)) return fail(QuoteStatus::overflow, "lines");
        for (std::size_t i = 0; i < q.lines.size(); ++i) q.lines[i].points = parts[i];
        q.points_earned = points;
        q.points_pending = b.pending_days > 0;
        q.points_available_at_ms = r.at_ms + b.pending_days * day_ms;
        q.points_expire_at_ms = b.expiry_days > 0 ? r.at_ms + b.expiry_days * day_ms : 0;
        explain("bonus", "quote.earned", count_arg(points));
        if (q.points_pending) explain("bonus", "quote.pending_days", count_arg(b.pending_days));
        if (tier_pct != 100 || vip_pct != 100)
            explain("bonus", "quote.multiplier",
                    percent_arg("percent", tier_pct * vip_pct));  // percent × percent = bp
        return true;
    }

    bool earn_cashback() {
        if (!p.cashback) return true;
        std::int64_t eligible = 0;
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const auto& ex = p.cashback->excluded_categories;
            const bool excluded = std::find(ex.begin(), ex.end(), r.lines[i].category) != ex.end();
            weights[i] = excluded ? 0 : q.lines[i].paid;
            eligible += weights[i];
        }
        if (!money::apply_basis_points(eligible, p.cashback->rate_bp, money::Rounding::floor,
                                       &q.cashback))
            return fail(QuoteStatus::overflow, "lines");
        if (q.cashback <= 0) return true;
        if (allocate(q.cashback, false))
            for (std::size_t i = 0; i < q.lines.size(); ++i) q.lines[i].cashback = parts[i];
        explain("cashback", "quote.cashback", money_arg("amount", q.cashback));
        return true;
    }

    // The stamps a card earns on this receipt, each written to the line that earns it.
    std::int64_t stamps_on_lines(const program::StampCard& card) {
        std::int64_t earned = 0;
        if (card.spend_per_stamp <= 0) {  // one stamp per unit of a matching line
            for (std::size_t i = 0; i < r.lines.size(); ++i)
                if (program::line_matches(card.earns_on, r.lines[i].category, r.lines[i].sku)) {
                    q.lines[i].stamps[card.id] = r.lines[i].quantity;
                    earned += r.lines[i].quantity;
                }
            return earned;
        }
        std::int64_t spend = 0;
        for (std::size_t i = 0; i < r.lines.size(); ++i) {
            const bool match =
                program::line_matches(card.earns_on, r.lines[i].category, r.lines[i].sku);
            weights[i] = match ? q.lines[i].paid : 0;
            spend += weights[i];
        }
        earned = spend / card.spend_per_stamp;
        if (earned == 0) return 0;
        if (allocate(earned, false))
            for (std::size_t i = 0; i < q.lines.size(); ++i)
                if (parts[i] > 0) q.lines[i].stamps[card.id] = parts[i];
        return earned;
    }

    void earn_stamps() {
        for (const auto& card : p.stamp_cards) {
            const std::int64_t earned = stamps_on_lines(card);
            if (earned == 0) continue;
            StampResult s;
            const auto before = m.stamps.find(card.id);
            s.before = before == m.stamps.end() ? 0 : before->second;
            s.earned = earned;
            s.cards_filled = (s.before + earned) / card.stamps_per_card;
            s.after = (s.before + earned) % card.stamps_per_card;
            q.stamps[card.id] = s;
            explain("stamps", "quote.stamps", count_arg(earned), text_arg("card", card.id));
            if (s.cards_filled > 0)
                explain("stamps", "quote.card_filled", count_arg(s.cards_filled),
                        text_arg("reward", card.reward_id));
        }
    }

    bool tier_progress() {
        if (!p.tiers) return true;
        const bool by_points = p.tiers->basis == program::TierBasis::points;
        std::int64_t total = m.tier_qualifying;
        for (auto& lr : q.lines) {
            lr.tier_qualifying = by_points ? lr.points : lr.paid;
            if (!money::checked_add(total, lr.tier_qualifying, &total))
                return fail(QuoteStatus::overflow, "lines");
        }
        q.tier_before = tier;
        q.tier_progress_after = tiers::tier_progress(p.tiers->levels, total, q.tier_before);
        q.tier_after = q.tier_progress_after.current;
        const auto& levels = p.tiers->levels;
        if (q.tier_after > q.tier_before)
            explain("tiers", "quote.tier_up",
                    text_arg("tier", levels[static_cast<std::size_t>(q.tier_after)].name));
        if (q.tier_progress_after.next >= 0) {
            const std::string& next =
                levels[static_cast<std::size_t>(q.tier_progress_after.next)].name;
            if (by_points)
                explain("tiers", "quote.tier_gap_points", count_arg(q.tier_progress_after.gap),
                        text_arg("tier", next));
            else
                explain("tiers", "quote.tier_gap_spend",
                        money_arg("amount", q.tier_progress_after.gap), text_arg("tier", next));
        }
        return true;
    }

    void referral() {
        if (!p.referral || !m.referred || q.paid < p.referral->first_receipt_min) return;
        q.referral_invitee_bonus = p.referral->invitee_bonus;
        if (m.inviter_referrals_this_month < p.referral->per_inviter_month_max)
            q.referral_inviter_bonus = p.referral->inviter_bonus;
        explain("referral", "quote.referral", count_arg(q.referral_invitee_bonus));
    }

    void run() {
        if (!check_receipt()) return;
        find_tier();
        if (!discounts() || !redemption()) return;
        settle_paid();
        if (!earn_points() || !earn_cashback()) return;
        earn_stamps();
        if (!tier_progress()) return;
        referral();
    }
};

// The part of a line's total that units [from, to) of its quantity carry: differences of
// floor(total × units / quantity), so all parts of a line add up to its total exactly.
std::int64_t unit_share(std::int64_t total, std::int64_t quantity, std::int64_t from,
                        std::int64_t to) {
    auto upto = [&](std::int64_t units) {
        return static_cast<std::int64_t>(static_cast<__int128>(total) * units / quantity);
    };
    return upto(to) - upto(from);
}

}  // namespace

ReceiptProblem receipt_problem(const Receipt& r) {
    // The texts are built only for a receipt that has a problem: valid ones are the hot path.
    const auto gross_max = [] { return std::to_string(receipt_gross_max); };
    if (r.lines.empty()) return {"lines", "needs at least one line"};
    if (r.lines.size() > receipt_lines_max)
        return {"lines", "has more than " + std::to_string(receipt_lines_max) + " lines"};
    std::int64_t total = 0;
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
        const ReceiptLine& l = r.lines[i];
        const auto at = [i] { return "lines[" + std::to_string(i) + "]"; };
        if (l.unit_price < 0 || l.unit_price > receipt_gross_max)
            return {at() + ".unit_price", "must be between 0 and " + gross_max() + " minor units"};
        if (l.quantity < 1 || l.quantity > line_quantity_max)
            return {at() + ".quantity",
                    "must be between 1 and " + std::to_string(line_quantity_max)};
        // The price alone is in range, so a gross above the limit is the quantity's doing.
        std::int64_t gross = 0;
        if (!money::checked_mul(l.unit_price, l.quantity, &gross) || gross > receipt_gross_max)
            return {at() + ".quantity",
                    "makes the line's gross more than " + gross_max() + " minor units"};
        if (!money::checked_add(total, gross, &total) || total > receipt_gross_max)
            return {at(), "takes the receipt's gross above " + gross_max() + " minor units"};
    }
    return {};
}

std::vector<tiers::Tier> tier_ladder(const program::Program& p) {
    std::vector<tiers::Tier> out;
    if (p.tiers)
        for (const auto& l : p.tiers->levels) out.push_back({l.id, l.name, l.threshold});
    return out;
}

int tier_index(const program::Program& p, const std::string& id) {
    if (p.tiers)
        for (std::size_t i = 0; i < p.tiers->levels.size(); ++i)
            if (p.tiers->levels[i].id == id) return static_cast<int>(i);
    return 0;
}

Quote quote_receipt(const Program& program, const MemberContext& member, const Receipt& receipt,
                    const QuoteOptions& options) {
    Quote q;  // built in place: the engine fills the caller's quote
    Engine{program, member, receipt, options, q}.run();
    if (q.status != QuoteStatus::ok) {  // a refused quote carries its status and field only
        Quote failed;
        failed.status = q.status;
        failed.field = std::move(q.field);
        q = std::move(failed);
    }
    return q;
}

ReturnResult quote_return(const Receipt& receipt, const Quote& original,
                          const std::vector<std::int64_t>& returned,
                          const std::vector<std::int64_t>& already) {
    ReturnResult out;
    const std::size_t n = receipt.lines.size();
    if (original.status != QuoteStatus::ok || original.lines.size() != n || returned.size() != n ||
        (!already.empty() && already.size() != n)) {
        out.status = QuoteStatus::invalid_receipt;
        out.field = "returned";
        return out;
    }
    for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t qty = receipt.lines[i].quantity;
        const std::int64_t before = already.empty() ? 0 : already[i];
        const std::int64_t now = returned[i];
        // now > qty - before, not before + now > qty: a request's now may be near INT64_MAX.
        if (now < 0 || before < 0 || before > qty || now > qty - before) {
            out.status = QuoteStatus::invalid_receipt;
            out.field = "returned[" + std::to_string(i) + "]";
            return out;
        }
        if (now == 0) continue;
        const LineResult& l = original.lines[i];
        const auto share = [&](std::int64_t total) {
            return unit_share(total, qty, before, before + now);
        };
        out.money_refund += share(l.paid);
        out.points_refund += share(l.redeemed_points);
        out.points_clawback += share(l.points);
        out.cashback_clawback += share(l.cashback);
        out.tier_qualifying_clawback += share(l.tier_qualifying);
        for (const auto& [card, stamps] : l.stamps) {
            const std::int64_t s = share(stamps);
            if (s > 0) out.stamps_clawback[card] += s;
        }
    }
    return out;
}

}  // namespace kopilka::quote

#include "core/reports/reports.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/money/money.hpp"
#include "core/program/lifecycle.hpp"
#include "core/tiers/tier_ladder.hpp"
#include "core/time.hpp"

namespace kopilka::reports {

namespace {
using Wide = __int128;  // sums of many int64 amounts; narrowed once, checked

bool in(const Period& p, std::int64_t t) { return t >= p.from_ms && t < p.to_ms; }

// Narrows a sum into *out; a sum that does not fit marks the report.
void put(Wide v, std::int64_t* out, Report* r) {
    if (v > INT64_MAX || v < INT64_MIN) {
        r->status = Status::overflow;
        return;
    }
    *out = static_cast<std::int64_t>(v);
}

// num / den in permille (or another scale), floor; 0 when there is nothing to divide by.
void ratio(Wide num, Wide den, std::int64_t scale, std::int64_t* out, Report* r) {
    if (den <= 0) {
        *out = 0;
        return;
    }
    if (!money::div_wide(num * scale, den, money::Rounding::floor, out))
        r->status = Status::overflow;
}

int month_index(std::int64_t ms) {
    const program::Date d = program::date_of(ms);
    return d.year * 12 + (d.month - 1);
}

std::set<std::string> active_in(const std::vector<Receipt>& receipts, const Period& p) {
    std::set<std::string> out;
    for (const Receipt& x : receipts)
        if (!x.member_id.empty() && in(p, x.at_ms)) out.insert(x.member_id);
    return out;
}

void receipts_part(const Rows& rows, Report* r) {
    Wide paid_member = 0, paid_other = 0;
    for (const Receipt& x : rows.receipts) {
        if (!in(r->period, x.at_ms)) continue;
        ++r->receipts;
        if (x.member_id.empty()) {
            paid_other += x.paid;
        } else {
            ++r->receipts_with_card;
            paid_member += x.paid;
        }
    }
    ratio(r->receipts_with_card, r->receipts, 1000, &r->card_share_permille, r);
    put(paid_member + paid_other, &r->revenue, r);
    ratio(paid_member, r->receipts_with_card, 1, &r->average_receipt_member, r);
    ratio(paid_other, r->receipts - r->receipts_with_card, 1, &r->average_receipt_non_member, r);
}

void points_part(const Rows& rows, const program::Program& p, Report* r) {
    using ledger::Reason;
    Wide issued = 0, redeemed = 0, expired = 0, adjusted = 0, balances = 0;
    for (const Entry& e : rows.entries) {
        if (e.at_ms < r->period.to_ms) balances += e.member_delta;
        if (!in(r->period, e.at_ms)) continue;
        switch (e.reason) {
            case Reason::earn:
            case Reason::bonus:
            case Reason::clawback: issued += e.member_delta; break;
            case Reason::redeem:
            case Reason::reserve:
            case Reason::release:
            case Reason::refund: redeemed -= e.member_delta; break;
            case Reason::expire: expired -= e.member_delta; break;
            case Reason::adjust: adjusted += e.member_delta; break;
        }
    }
    put(issued, &r->points_issued, r);
    put(redeemed, &r->points_redeemed, r);
    put(expired, &r->points_expired, r);
    put(adjusted, &r->points_adjusted, r);
    ratio(redeemed, issued, 1000, &r->redemption_ratio_permille, r);
    ratio(expired, issued, 1000, &r->breakage_permille, r);
    put(balances, &r->liability_points, r);
    put(balances * p.point_value_minor, &r->liability, r);
}

void members_part(const Rows& rows, Report* r) {
    for (const Member& m : rows.members)
        if (m.created_at_ms < r->period.to_ms) ++r->members_enrolled;
    const std::set<std::string> active = active_in(rows.receipts, r->period);
    r->members_active = static_cast<std::int64_t>(active.size());
    ratio(r->members_active, r->members_enrolled, 1000, &r->active_permille, r);
    Wide member_receipts = 0;
    for (const Receipt& x : rows.receipts)
        if (!x.member_id.empty() && in(r->period, x.at_ms)) ++member_receipts;
    ratio(member_receipts, r->members_active, 1000, &r->receipts_per_active_member_x1000, r);

    const std::int64_t length = r->period.to_ms - r->period.from_ms;
    const std::set<std::string> before =
        active_in(rows.receipts, {r->period.from_ms - length, r->period.from_ms});
    r->members_active_before = static_cast<std::int64_t>(before.size());
    for (const std::string& id : before)
        if (!active.count(id)) ++r->members_churned;
    ratio(r->members_churned, r->members_active_before, 1000, &r->churn_permille, r);
}

void tiers_part(const Rows& rows, const program::Program& p, Report* r) {
    if (!p.tiers) return;
    const Period window{r->period.to_ms - p.tiers->window_days * day_ms, r->period.to_ms};
    std::map<std::string, Wide> qualifying;
    if (p.tiers->basis == program::TierBasis::spend) {
        for (const Receipt& x : rows.receipts)
            if (!x.member_id.empty() && in(window, x.at_ms)) qualifying[x.member_id] += x.paid;
    } else {
        for (const Entry& e : rows.entries)
            if ((e.reason == ledger::Reason::earn || e.reason == ledger::Reason::clawback) &&
                in(window, e.at_ms))
                qualifying[e.member_id] += e.member_delta;
    }
    std::vector<tiers::Tier> ladder;
    for (const program::TierLevel& level : p.tiers->levels) {
        ladder.push_back({level.id, level.name, level.threshold});
        r->tiers.push_back({level.id, level.name, 0});
    }
    for (const Member& m : rows.members) {
        if (m.created_at_ms >= r->period.to_ms) continue;
        const auto q = qualifying.find(m.member_id);
        const Wide amount = q == qualifying.end() ? 0 : q->second;
        const std::int64_t clamped =
            amount > INT64_MAX ? INT64_MAX : static_cast<std::int64_t>(std::max<Wide>(amount, 0));
        ++r->tiers[static_cast<std::size_t>(tiers::tier_progress(ladder, clamped).current)].members;
    }
}

void cohorts_part(const Rows& rows, Report* r) {
    const int last_month = month_index(r->period.to_ms - 1);
    std::map<int, std::vector<std::string>> by_month;  // enrolment month → members
    for (const Member& m : rows.members)
        if (in(r->period, m.created_at_ms))
            by_month[month_index(m.created_at_ms)].push_back(m.member_id);
    // Each member's months with a receipt, up to to_ms.
    std::map<std::string, std::set<int>> bought;
    for (const Receipt& x : rows.receipts)
        if (!x.member_id.empty() && x.at_ms < r->period.to_ms)
            bought[x.member_id].insert(month_index(x.at_ms));
    for (const auto& [month, members] : by_month) {
        Cohort c;
        c.year = month / 12;
        c.month = month % 12 + 1;
        c.members = static_cast<std::int64_t>(members.size());
        c.active.assign(static_cast<std::size_t>(last_month - month + 1), 0);
        for (const std::string& id : members) {
            const auto b = bought.find(id);
            if (b == bought.end()) continue;
            for (const int m : b->second)
                if (m >= month && m <= last_month) ++c.active[static_cast<std::size_t>(m - month)];
        }
        for (const std::int64_t a : c.active) {
            std::int64_t permille = 0;
            ratio(a, c.members, 1000, &permille, r);
            c.retention_permille.push_back(permille);
        }
        r->cohorts.push_back(std::move(c));
    }
}

void spins_part(const Rows& rows, Report* r) {
    Wide cost = 0;
    for (const Spin& s : rows.spins) {
        if (!in(r->period, s.at_ms)) continue;
        ++r->spins;
        const bool nothing =
            s.prize_id.empty() || std::find(rows.nothing_prizes.begin(), rows.nothing_prizes.end(),
                                            s.prize_id) != rows.nothing_prizes.end();
        if (!nothing) ++r->spin_wins;
        cost += s.cost;
    }
    put(cost, &r->spin_prize_cost, r);
    if (rows.wheels.empty()) return;
    const Wide days = (r->period.to_ms - r->period.from_ms + day_ms - 1) / day_ms;
    Wide budget = 0;
    for (const WheelBudget& w : rows.wheels) {
        if (!w.day && !w.campaign) return;  // one unlimited wheel: no budget to compare with
        Wide b = w.day ? *w.day * days : *w.campaign;
        if (w.campaign) b = std::min<Wide>(b, *w.campaign);
        budget += b;
    }
    std::int64_t narrowed = 0;
    put(budget, &narrowed, r);
    r->spin_budget = narrowed;
    ratio(cost, budget, 1000, &r->spin_budget_used_permille, r);
}

void cost_part(const program::Program& p, Report* r) {
    const Wide points_cost = static_cast<Wide>(r->points_redeemed) * p.point_value_minor;
    put(points_cost, &r->program_cost_points, r);
    put(points_cost + r->spin_prize_cost, &r->program_cost, r);
    ratio(points_cost + r->spin_prize_cost, r->revenue, 1000, &r->program_cost_share_permille, r);
}
}  // namespace

Report compute_report(const Rows& rows, const program::Program& p, const Period& period) {
    Report r;
    r.period = period;
    if (period.from_ms < 0 || period.from_ms >= period.to_ms) {
        r.status = Status::period_invalid;
        return r;
    }
    if (static_cast<Wide>(period.to_ms) - period.from_ms >
        static_cast<Wide>(period_days_max) * day_ms) {
        r.status = Status::period_too_long;
        return r;
    }
    receipts_part(rows, &r);
    points_part(rows, p, &r);
    members_part(rows, &r);
    tiers_part(rows, p, &r);
    cohorts_part(rows, &r);
    spins_part(rows, &r);
    cost_part(p, &r);
    return r;
}

std::string_view status_name(Status s) {
    switch (s) {
        case Status::ok: return "ok";
        case Status::period_invalid: return "period_invalid";
        case Status::period_too_long: return "period_too_long";
        case Status::overflow: return "overflow";
    }
    return "unknown";
}

}  // namespace kopilka::reports

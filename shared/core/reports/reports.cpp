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

std::set<std::string> active_in(const std::vector<Receipt>& receipts, const Period& p) {
    std::set<std::string> out;
    for (const Receipt& x : receipts)
        if (!x.member_id.empty() && in(p, x.at_ms)) out.insert(x.member_id);
    return out;
}

std::int64_t day_start(std::int64_t ms) {
    const std::int64_t r = ms % day_ms;
    return r < 0 ? ms - r - day_ms : ms - r;
}

// The allocation of one day's portfolio (see the header): paid × SSP / (paid + SSP).
Wide allocation(Wide paid, Wide issued, std::int64_t point_value, std::int64_t breakage) {
    if (paid <= 0 || issued <= 0) return 0;
    const Wide ssp = issued * point_value * (1000 - breakage) / 1000;
    if (ssp <= 0) return 0;
    return paid * ssp / (paid + ssp);
}

struct Cumulative {
    Wide allocated = 0, issued = 0, redeemed = 0, balance = 0, enrolled = 0;
};

// Everything before t; t must be one of the spans' cuts.
Cumulative cumulative(const std::vector<Span>& spans, std::int64_t t, std::int64_t point_value,
                      std::int64_t breakage) {
    Cumulative c;
    Wide day_paid = 0, day_issued = 0;
    std::int64_t day = INT64_MIN;
    for (const Span& s : spans) {
        if (s.from_ms >= t) break;
        if (day_start(s.from_ms) != day) {
            c.allocated += allocation(day_paid, day_issued, point_value, breakage);
            day_paid = day_issued = 0;
            day = day_start(s.from_ms);
        }
        day_paid += s.totals.paid_member;
        day_issued += s.totals.issued;
        c.issued += s.totals.issued;
        c.redeemed += s.totals.redeemed;
        c.balance += s.totals.balance_delta;
        c.enrolled += s.totals.enrolled;
    }
    c.allocated += allocation(day_paid, day_issued, point_value, breakage);
    return c;
}

Wide deferred_at(const Cumulative& c, std::int64_t breakage) {
    const Wide expected = c.issued * (1000 - breakage);
    if (expected <= 0) return 0;
    const Wide left = std::min(c.balance * 1000, std::max<Wide>(0, expected - c.redeemed * 1000));
    return left <= 0 ? 0 : c.allocated * left / expected;
}

// Expected breakage over the year before to_ms: {permille, basis}.
std::pair<std::int64_t, std::string_view> expected_breakage(const std::vector<Span>& spans,
                                                            std::int64_t to_ms) {
    Wide issued = 0, expired = 0;
    for (const Span& s : spans)
        if (s.from_ms >= to_ms - 365 * day_ms && s.from_ms < to_ms) {
            issued += s.totals.issued;
            expired += s.totals.expired;
        }
    if (issued <= 0) return {0, "none_yet"};
    const Wide b = std::max<Wide>(0, expired) * 1000 / issued;
    return {static_cast<std::int64_t>(std::min<Wide>(b, 1000)), "trailing_12_months"};
}

// The sums of the spans inside p.
struct Sums {
    Wide receipts = 0, with_card = 0, paid_member = 0, paid_other = 0, issued = 0, redeemed = 0,
         expired = 0, adjusted = 0, spins = 0, spin_cost = 0;
};
Sums sums_in(const std::vector<Span>& spans, const Period& p) {
    Sums x;
    for (const Span& s : spans) {
        if (!in(p, s.from_ms)) continue;
        const Totals& t = s.totals;
        x.receipts += t.receipts;
        x.with_card += t.receipts_with_card;
        x.paid_member += t.paid_member;
        x.paid_other += t.paid_other;
        x.issued += t.issued;
        x.redeemed += t.redeemed;
        x.expired += t.expired;
        x.adjusted += t.adjusted;
        x.spins += t.spins;
        x.spin_cost += t.spin_cost;
    }
    return x;
}

// Active members, churn, tier levels reached and cohorts counted over the rows.
void count_active(const Rows& rows, const Period& period, MemberCounts* c) {
    const std::set<std::string> active = active_in(rows.receipts, period);
    const std::int64_t length = period.to_ms - period.from_ms;
    const std::set<std::string> before =
        active_in(rows.receipts, {period.from_ms - length, period.from_ms});
    c->active = static_cast<std::int64_t>(active.size());
    c->active_before = static_cast<std::int64_t>(before.size());
    for (const std::string& id : before)
        if (!active.count(id)) ++c->churned;
}

void count_tiers(const Rows& rows, const program::Program& p, const Period& period,
                 MemberCounts* c) {
    if (!p.tiers) return;
    const Period window{period.to_ms - p.tiers->window_days * day_ms, period.to_ms};
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
    const auto& levels = p.tiers->levels;
    c->tier_reached.assign(levels.size() - 1, 0);
    for (const Member& m : rows.members) {
        if (m.created_at_ms >= period.to_ms) continue;
        const auto q = qualifying.find(m.member_id);
        if (q == qualifying.end()) continue;
        for (std::size_t i = 1; i < levels.size(); ++i)
            if (q->second >= levels[i].threshold) ++c->tier_reached[i - 1];
    }
}

void count_cohorts(const Rows& rows, const Period& period, MemberCounts* c) {
    const int last_month = month_number(period.to_ms - 1);
    std::map<std::string, int> enrolled;  // member → enrolment month
    std::map<int, std::int64_t> sizes;
    for (const Member& m : rows.members)
        if (in(period, m.created_at_ms)) {
            enrolled[m.member_id] = month_number(m.created_at_ms);
            ++sizes[month_number(m.created_at_ms)];
        }
    // Each member's months with a receipt, up to to_ms.
    std::set<std::pair<std::string, int>> bought;
    for (const Receipt& x : rows.receipts)
        if (enrolled.count(x.member_id) && x.at_ms < period.to_ms)
            bought.insert({x.member_id, month_number(x.at_ms)});
    std::map<std::pair<int, int>, std::int64_t> cells;
    for (const auto& [id, month] : bought) {
        const int from = enrolled[id];
        if (month >= from && month <= last_month) ++cells[{from, month}];
    }
    c->enrolled_by_month.assign(sizes.begin(), sizes.end());
    for (const auto& [key, members] : cells)
        c->active_by_month.push_back({key.first, key.second, members});
}

void members_part(const MemberCounts& c, Report* r) {
    r->members_active = c.active;
    ratio(r->members_active, r->members_enrolled, 1000, &r->active_permille, r);
    ratio(r->receipts_with_card, r->members_active, 1000, &r->receipts_per_active_member_x1000,
          r);
    r->members_active_before = c.active_before;
    r->members_churned = c.churned;
    ratio(r->members_churned, r->members_active_before, 1000, &r->churn_permille, r);
}

// Each level holds the members who reached it but not the next; the first also those the
// counts leave out (nothing qualified).
void tiers_part(const MemberCounts& c, const program::Program& p, Report* r) {
    if (!p.tiers) return;
    const auto& levels = p.tiers->levels;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        const std::int64_t reached = i == 0 ? r->members_enrolled : c.tier_reached.at(i - 1);
        const std::int64_t next = i + 1 < levels.size() ? c.tier_reached.at(i) : 0;
        r->tiers.push_back(
            {levels[i].id, levels[i].name, std::max<std::int64_t>(0, reached - next)});
    }
}

void cohorts_part(const MemberCounts& c, Report* r) {
    const int last_month = month_number(r->period.to_ms - 1);
    for (const auto& [month, members] : c.enrolled_by_month) {
        Cohort cohort;
        cohort.year = month / 12;
        cohort.month = month % 12 + 1;
        cohort.members = members;
        cohort.active.assign(static_cast<std::size_t>(std::max(0, last_month - month + 1)), 0);
        for (const MemberCounts::Cell& cell : c.active_by_month)
            if (cell.enrolled == month && cell.month >= month && cell.month <= last_month)
                cohort.active[static_cast<std::size_t>(cell.month - month)] += cell.members;
        for (const std::int64_t a : cohort.active) {
            std::int64_t permille = 0;
            ratio(a, cohort.members, 1000, &permille, r);
            cohort.retention_permille.push_back(permille);
        }
        r->cohorts.push_back(std::move(cohort));
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
    r.status = period_status(period);
    if (r.status != Status::ok) return r;
    bool overflow = false;
    fill_from_spans(spans_of(rows, report_cuts(period), &overflow), p, &r);
    if (overflow) r.status = Status::overflow;
    member_figures(member_counts(rows, p, period), p, &r);
    spins_and_cost(rows, p, &r);
    return r;
}

void fill_from_spans(const std::vector<Span>& spans, const program::Program& p, Report* r) {
    const Sums x = sums_in(spans, r->period);
    put(x.receipts, &r->receipts, r);
    put(x.with_card, &r->receipts_with_card, r);
    ratio(x.with_card, x.receipts, 1000, &r->card_share_permille, r);
    put(x.paid_member + x.paid_other, &r->revenue, r);
    ratio(x.paid_member, x.with_card, 1, &r->average_receipt_member, r);
    ratio(x.paid_other, x.receipts - x.with_card, 1, &r->average_receipt_non_member, r);

    put(x.issued, &r->points_issued, r);
    put(x.redeemed, &r->points_redeemed, r);
    put(x.expired, &r->points_expired, r);
    put(x.adjusted, &r->points_adjusted, r);
    ratio(x.redeemed, x.issued, 1000, &r->redemption_ratio_permille, r);
    ratio(x.expired, x.issued, 1000, &r->breakage_permille, r);

    const auto [b, basis] = expected_breakage(spans, r->period.to_ms);
    const Cumulative to = cumulative(spans, r->period.to_ms, p.point_value_minor, b);
    const Cumulative from = cumulative(spans, r->period.from_ms, p.point_value_minor, b);
    put(to.balance, &r->liability_points, r);
    put(to.balance * p.point_value_minor, &r->liability, r);
    put(to.enrolled, &r->members_enrolled, r);

    Report::Deferred& d = r->deferred;
    d.expected_breakage_permille = b;
    d.breakage_basis = basis;
    d.points_outstanding = r->liability_points;
    const Wide d_to = deferred_at(to, b), d_from = deferred_at(from, b);
    put(d_to, &d.amount, r);
    put(to.allocated - from.allocated, &d.allocated_in_period, r);
    put(d_from + (to.allocated - from.allocated) - d_to, &d.recognised_in_period, r);
}

int month_number(std::int64_t ms) {
    const program::Date d = program::date_of(ms);
    return d.year * 12 + (d.month - 1);
}

std::int64_t month_start_ms(int month_number) {
    return program::ms_of({month_number / 12, month_number % 12 + 1, 1});
}

MemberCounts member_counts(const Rows& rows, const program::Program& p, const Period& period) {
    MemberCounts c;
    count_active(rows, period, &c);
    count_tiers(rows, p, period, &c);
    count_cohorts(rows, period, &c);
    return c;
}

void member_figures(const MemberCounts& counts, const program::Program& p, Report* r) {
    members_part(counts, r);
    tiers_part(counts, p, r);
    cohorts_part(counts, r);
}

void spins_and_cost(const Rows& rows, const program::Program& p, Report* r) {
    spins_part(rows, r);
    cost_part(p, r);
}

Status period_status(const Period& period) {
    if (period.from_ms < 0 || period.from_ms >= period.to_ms) return Status::period_invalid;
    if (static_cast<Wide>(period.to_ms) - period.from_ms >
        static_cast<Wide>(period_days_max) * day_ms)
        return Status::period_too_long;
    return Status::ok;
}

std::vector<std::int64_t> report_cuts(const Period& period) {
    return {period.from_ms, period.to_ms, period.to_ms - 365 * day_ms};
}

bool add(Totals* into, const Totals& a) {
    bool bad = false;
    const auto plus = [&bad](std::int64_t* x, std::int64_t y) {
        bad = __builtin_add_overflow(*x, y, x) || bad;
    };
    plus(&into->receipts, a.receipts);
    plus(&into->receipts_with_card, a.receipts_with_card);
    plus(&into->paid_member, a.paid_member);
    plus(&into->paid_other, a.paid_other);
    plus(&into->issued, a.issued);
    plus(&into->redeemed, a.redeemed);
    plus(&into->expired, a.expired);
    plus(&into->adjusted, a.adjusted);
    plus(&into->balance_delta, a.balance_delta);
    plus(&into->enrolled, a.enrolled);
    plus(&into->spins, a.spins);
    plus(&into->spin_cost, a.spin_cost);
    return !bad;
}

std::vector<Span> spans_of(const Rows& rows, std::vector<std::int64_t> cuts, bool* overflow) {
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::map<std::int64_t, Span> by_start;
    const auto put_in = [&](std::int64_t t, const Totals& x) {
        if (cuts.empty() || t >= cuts.back()) return;
        const auto next = std::upper_bound(cuts.begin(), cuts.end(), t);
        std::int64_t from = day_start(t), to = from + day_ms;
        if (next != cuts.begin()) from = std::max(from, *(next - 1));
        to = std::min(to, *next);
        Span& s = by_start[from];
        s.from_ms = from;
        s.to_ms = to;
        if (!add(&s.totals, x)) *overflow = true;
    };
    for (const Receipt& x : rows.receipts) {
        Totals t;
        t.receipts = 1;
        if (x.member_id.empty()) {
            t.paid_other = x.paid;
        } else {
            t.receipts_with_card = 1;
            t.paid_member = x.paid;
        }
        put_in(x.at_ms, t);
    }
    for (const Entry& e : rows.entries) {
        using ledger::Reason;
        Totals t;
        t.balance_delta = e.member_delta;
        switch (e.reason) {
            case Reason::earn:
            case Reason::bonus:
            case Reason::clawback: t.issued = e.member_delta; break;
            case Reason::redeem:
            case Reason::reserve:
            case Reason::release:
            case Reason::refund: t.redeemed = -e.member_delta; break;
            case Reason::expire: t.expired = -e.member_delta; break;
            case Reason::adjust: t.adjusted = e.member_delta; break;
        }
        put_in(e.at_ms, t);
    }
    for (const Member& m : rows.members) {
        Totals t;
        t.enrolled = 1;
        put_in(m.created_at_ms, t);
    }
    for (const Spin& s : rows.spins) {
        Totals t;
        t.spins = 1;
        t.spin_cost = s.cost;
        put_in(s.at_ms, t);
    }
    std::vector<Span> out;
    for (auto& [from, s] : by_start) out.push_back(s);
    return out;
}

// [SECTION] Series

std::string_view bucket_name(Bucket b) {
    switch (b) {
        case Bucket::day: return "day";
        case Bucket::week: return "week";
        case Bucket::month: return "month";
    }
    return "day";
}

std::optional<Bucket> bucket_from_name(std::string_view name) {
    for (const Bucket b : {Bucket::day, Bucket::week, Bucket::month})
        if (bucket_name(b) == name) return b;
    return std::nullopt;
}

Bucket default_bucket(const Period& period) {
    const std::int64_t length = period.to_ms - period.from_ms;
    if (length <= 62 * day_ms) return Bucket::day;
    if (length <= 366 * day_ms) return Bucket::week;
    return Bucket::month;
}

std::vector<Period> buckets(const Period& period, Bucket b) {
    std::vector<Period> out;
    std::int64_t start = day_start(period.from_ms);
    if (b == Bucket::week) start -= ((start / day_ms + 3) % 7) * day_ms;  // 1970-01-01: Thursday
    if (b == Bucket::month) {
        const program::Date d = program::date_of(start);
        start = program::ms_of({d.year, d.month, 1});
    }
    while (start < period.to_ms) {
        std::int64_t end = start + (b == Bucket::week ? 7 : 1) * day_ms;
        if (b == Bucket::month) {
            const program::Date d = program::date_of(start);
            end = program::ms_of({d.month == 12 ? d.year + 1 : d.year, d.month % 12 + 1, 1});
        }
        out.push_back({std::max(start, period.from_ms), std::min(end, period.to_ms)});
        start = end;
    }
    return out;
}

Series series_from(const std::vector<Span>& spans, const std::vector<MemberCounts>& active,
                   const program::Program& p, const Period& period, Bucket b) {
    Series out;
    out.period = period;
    out.bucket = b;
    const auto breakage = expected_breakage(spans, period.to_ms).first;
    out.expected_breakage_permille = breakage;
    Report scratch;  // carries the overflow status of put
    std::size_t i = 0;
    for (const Period& bucket : buckets(period, b)) {
        SeriesPoint x;
        x.period = bucket;
        const Sums s = sums_in(spans, bucket);
        const Cumulative c = cumulative(spans, bucket.to_ms, p.point_value_minor, breakage);
        put(s.receipts, &x.receipts, &scratch);
        put(s.with_card, &x.receipts_with_card, &scratch);
        put(s.paid_member + s.paid_other, &x.revenue, &scratch);
        put(s.paid_member, &x.revenue_member, &scratch);
        put(s.paid_other, &x.revenue_non_member, &scratch);
        put(s.issued, &x.points_issued, &scratch);
        put(s.redeemed, &x.points_redeemed, &scratch);
        put(s.expired, &x.points_expired, &scratch);
        put(c.balance, &x.liability_points, &scratch);
        put(c.balance * p.point_value_minor, &x.liability, &scratch);
        put(deferred_at(c, breakage), &x.deferred_revenue, &scratch);
        put(c.enrolled, &x.members_enrolled, &scratch);
        if (i < active.size()) {
            x.members_active = active[i].active;
            x.members_active_before = active[i].active_before;
            x.members_churned = active[i].churned;
            ratio(x.members_churned, x.members_active_before, 1000, &x.churn_permille, &scratch);
        }
        put(s.spin_cost, &x.spin_prize_cost, &scratch);
        put(s.redeemed * p.point_value_minor + s.spin_cost, &x.program_cost, &scratch);
        out.points.push_back(x);
        ++i;
    }
    out.status = scratch.status;
    return out;
}

std::vector<std::int64_t> series_cuts(const Period& period, Bucket b) {
    std::vector<std::int64_t> cuts = report_cuts(period);
    for (const Period& x : buckets(period, b)) cuts.push_back(x.from_ms);
    return cuts;
}

Series compute_series(const Rows& rows, const program::Program& p, const Period& period,
                      Bucket b) {
    Series out;
    out.period = period;
    out.bucket = b;
    out.status = period_status(period);
    if (out.status != Status::ok) return out;
    std::vector<MemberCounts> active;
    for (const Period& x : buckets(period, b)) count_active(rows, x, &active.emplace_back());
    bool overflow = false;
    out = series_from(spans_of(rows, series_cuts(period, b), &overflow), active, p, period, b);
    if (overflow) out.status = Status::overflow;
    return out;
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

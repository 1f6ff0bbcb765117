#include "core/coalition/settlement.hpp"

#include <algorithm>
#include <numeric>

namespace kopilka::coalition {

namespace {

using i128 = __int128;

// [SECTION] Totals

Settlement failed(SettlementStatus s, std::size_t bad = 0) {
    Settlement r;
    r.status = s;
    r.bad_partner = bad;
    return r;
}

// Fills the per-partner issued/burned and the two totals.
Settlement sum_up(const SettlementInput& in) {
    Settlement r;
    for (std::size_t i = 0; i < in.partners.size(); ++i) {
        const auto& p = in.partners[i];
        if (!money::checked_add(r.total_issued, p.issued, &r.total_issued))
            return failed(SettlementStatus::issued_overflow, i);
        if (!money::checked_add(r.total_burned, p.burned, &r.total_burned))
            return failed(SettlementStatus::burned_overflow, i);
        PartnerSettlement s;
        s.issued = p.issued;
        s.burned = p.burned;
        r.partners.push_back(s);
    }
    return r;
}

// [SECTION] Largest remainders

// Indices ordered by remainder, largest first; ties go to the earlier index.
std::vector<std::size_t> by_remainder(const std::vector<std::int64_t>& rem) {
    std::vector<std::size_t> order(rem.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return rem[a] > rem[b]; });
    return order;
}

// Each burner's exact claim burned × num / den, rounded down or up so that the claims add up
// to *total, the total value rounded as named. False when the total does not fit.
bool receivables(const SettlementInput& in, std::int64_t burned_total,
                 std::vector<std::int64_t>* out, std::int64_t* total) {
    if (!money::mul_div(burned_total, in.clearing_price_num, in.clearing_price_den, in.rounding,
                        total))
        return false;
    const std::size_t n = in.partners.size();
    std::vector<std::int64_t> rem(n);
    std::int64_t extra = *total;  // floors never exceed the rounded total, so they fit
    for (std::size_t j = 0; j < n; ++j) {
        const i128 exact = static_cast<i128>(in.partners[j].burned) * in.clearing_price_num;
        (*out)[j] = static_cast<std::int64_t>(exact / in.clearing_price_den);
        rem[j] = static_cast<std::int64_t>(exact % in.clearing_price_den);
        extra -= (*out)[j];
    }
    // 0 ≤ extra ≤ the number of non-zero remainders, since the total is Σ floors +
    // Σ remainders / den rounded, and each remainder / den is below 1.
    const auto order = by_remainder(rem);
    for (std::size_t k = 0; k < static_cast<std::size_t>(extra); ++k) ++(*out)[order[k]];
    return true;
}

// [SECTION] The obligation table

// Issuer i (row) owes burner j (column) receivable_j × issued_i / issued_total: settled as
// floor, or floor + 1 when `up`. rem is the fraction's numerator over issued_total.
class Table {
  public:
    Table(const std::vector<PartnerSettlement>& p, const std::vector<std::int64_t>& receivable,
          std::int64_t issued_total)
        : n_(p.size()), floor_(n_ * n_), rem_(n_ * n_), up_(n_ * n_, 0), col_need_(receivable) {
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = 0; j < n_; ++j) {
                const i128 exact = static_cast<i128>(receivable[j]) * p[i].issued;
                floor_[at(i, j)] = static_cast<std::int64_t>(exact / issued_total);
                rem_[at(i, j)] = static_cast<std::int64_t>(exact % issued_total);
                col_need_[j] -= floor_[at(i, j)];
            }
        row_cols_.resize(n_);
        for (std::size_t i = 0; i < n_; ++i) {
            std::vector<std::int64_t> row(rem_.begin() + i * n_, rem_.begin() + (i + 1) * n_);
            row_cols_[i] = by_remainder(row);
        }
    }

    std::int64_t amount(std::size_t i, std::size_t j) const {
        return floor_[at(i, j)] + up_[at(i, j)];
    }
    std::int64_t row_sum(std::size_t i) const {
        std::int64_t s = 0;
        for (std::size_t j = 0; j < n_; ++j) s += amount(i, j);
        return s;
    }
    bool columns_done() const {
        return std::all_of(col_need_.begin(), col_need_.end(),
                           [](std::int64_t c) { return c == 0; });
    }

    // Rounds up the cells with the largest remainders, globally, while both the row (still
    // below `row_need`) and the column want a unit. Cheap; augment() finishes the job.
    void greedy(std::vector<std::int64_t>* row_need) {
        std::vector<std::size_t> cells;
        for (std::size_t c = 0; c < rem_.size(); ++c)
            if (rem_[c] > 0) cells.push_back(c);
        std::stable_sort(cells.begin(), cells.end(),
                         [&](std::size_t a, std::size_t b) { return rem_[a] > rem_[b]; });
        for (const std::size_t c : cells) {
            const std::size_t i = c / n_, j = c % n_;
            if ((*row_need)[i] == 0 || col_need_[j] == 0) continue;
            up_[c] = 1;
            --(*row_need)[i];
            --col_need_[j];
        }
    }

    // Row u takes one more unit from a column that still needs one, along an alternating path
    // (u rounds up a cell; a row that gives a column its unit rounds down there and up
    // elsewhere …), so every other row and column keeps its sum. False when no path exists.
    bool augment(std::size_t u) {
        std::vector<std::size_t> via_row(n_, n_), via_col(n_, n_);  // n_: not reached
        std::vector<std::size_t> queue{u};
        std::vector<char> seen(n_, 0);
        seen[u] = 1;
        for (std::size_t q = 0; q < queue.size(); ++q) {
            const std::size_t r = queue[q];
            for (const std::size_t j : row_cols_[r]) {
                if (via_row[j] != n_ || rem_[at(r, j)] == 0 || up_[at(r, j)]) continue;
                via_row[j] = r;
                if (col_need_[j] > 0) return flip_path(u, j, via_row, via_col);
                for (std::size_t k = 0; k < n_; ++k)
                    if (!seen[k] && up_[at(k, j)]) {
                        seen[k] = 1;
                        via_col[k] = j;
                        queue.push_back(k);
                    }
            }
        }
        return false;
    }

    // Safety net, never needed while the argument at settle_table() holds: gives each
    // column its missing units in the first cells that can still round up, whatever the
    // rows' sums then are. Columns (receivables) stay exact either way.
    void fill_columns() {
        for (std::size_t j = 0; j < n_; ++j)
            for (std::size_t i = 0; i < n_ && col_need_[j] > 0; ++i)
                if (rem_[at(i, j)] > 0 && !up_[at(i, j)]) {
                    up_[at(i, j)] = 1;
                    --col_need_[j];
                }
    }

  private:
    std::size_t at(std::size_t i, std::size_t j) const { return i * n_ + j; }

    bool flip_path(std::size_t u, std::size_t j, const std::vector<std::size_t>& via_row,
                   const std::vector<std::size_t>& via_col) {
        --col_need_[j];
        for (std::size_t c = j;;) {
            const std::size_t r = via_row[c];
            up_[at(r, c)] = 1;
            if (r == u) return true;
            c = via_col[r];
            up_[at(r, c)] = 0;
        }
    }

    std::size_t n_;
    std::vector<std::int64_t> floor_, rem_;
    std::vector<char> up_;
    std::vector<std::int64_t> col_need_;
    std::vector<std::vector<std::size_t>> row_cols_;  // per row: columns by remainder
};

// Settles every cell so that each column adds up to its receivable and each row to its
// pro-rata share of the total, rounded down or up (largest remainders first). Such a rounding
// exists: the exact table is a fractional solution of the same flow problem, so an integral
// one exists too (controlled rounding). Augmenting paths never lower a row already raised, so
// the first pass brings every row to its floor and the second adds the remaining units to the
// rows with the largest remainders that a path can reach.
void settle_table(Table* t, const std::vector<PartnerSettlement>& p, std::int64_t total,
                  std::int64_t issued_total) {
    const std::size_t n = p.size();
    std::vector<std::int64_t> row_need(n), row_rem(n);
    for (std::size_t i = 0; i < n; ++i) {
        const i128 exact = static_cast<i128>(total) * p[i].issued;
        row_need[i] = static_cast<std::int64_t>(exact / issued_total) - t->row_sum(i);
        row_rem[i] = static_cast<std::int64_t>(exact % issued_total);
    }
    t->greedy(&row_need);
    for (std::size_t i = 0; i < n; ++i)  // every row reaches its floor
        while (row_need[i] > 0 && t->augment(i)) --row_need[i];
    for (const std::size_t i : by_remainder(row_rem)) {  // the remaining units: one per row
        if (t->columns_done() || row_rem[i] == 0) break;
        t->augment(i);
    }
    t->fill_columns();
}

std::vector<Transfer> net_pairs(const Table& t, std::size_t n) {
    std::vector<Transfer> out;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const std::int64_t d = t.amount(i, j) - t.amount(j, i);
            if (d > 0) out.push_back({i, j, d});
            if (d < 0) out.push_back({j, i, -d});
        }
    std::sort(out.begin(), out.end(), [](const Transfer& a, const Transfer& b) {
        return a.payer != b.payer ? a.payer < b.payer : a.payee < b.payee;
    });
    return out;
}

}  // namespace

SettlementStatus validate_settlement(const SettlementInput& in, std::size_t* bad) {
    const auto& p = in.partners;
    if (p.empty()) return SettlementStatus::no_partners;
    if (p.size() > partners_max) return SettlementStatus::too_many_partners;
    for (std::size_t i = 0; i < p.size(); ++i) {
        *bad = i;
        if (p[i].id.empty() || p[i].id.size() > partner_id_bytes_max)
            return SettlementStatus::id_invalid;
        for (std::size_t k = 0; k < i; ++k)
            if (p[k].id == p[i].id) return SettlementStatus::id_duplicate;
        if (p[i].issued < 0) return SettlementStatus::issued_negative;
        if (p[i].burned < 0) return SettlementStatus::burned_negative;
    }
    *bad = 0;
    if (in.clearing_price_num < 0) return SettlementStatus::price_invalid;
    if (in.clearing_price_den < 1) return SettlementStatus::price_den_invalid;
    return SettlementStatus::ok;
}

Settlement settle(const SettlementInput& in) {
    std::size_t bad = 0;
    if (const auto s = validate_settlement(in, &bad); s != SettlementStatus::ok)
        return failed(s, bad);
    Settlement r = sum_up(in);
    if (r.status != SettlementStatus::ok || r.total_burned == 0) return r;
    if (r.total_issued == 0) {
        std::size_t first = 0;
        while (in.partners[first].burned == 0) ++first;
        return failed(SettlementStatus::no_issuance, first);
    }
    const std::size_t n = in.partners.size();
    std::vector<std::int64_t> receivable(n);
    if (!receivables(in, r.total_burned, &receivable, &r.total_value))
        return failed(SettlementStatus::value_overflow);

    // After this point the settlement succeeds: every amount is at most total_value.
    Table table(r.partners, receivable, r.total_issued);
    settle_table(&table, r.partners, r.total_value, r.total_issued);
    for (std::size_t i = 0; i < n; ++i) {
        PartnerSettlement& s = r.partners[i];
        s.receivable = receivable[i];
        s.payable = table.row_sum(i);
        s.self_settled = table.amount(i, i);
        s.net = s.receivable - s.payable;
    }
    r.transfers = net_pairs(table, n);
    return r;
}

std::string settlement_status_field(SettlementStatus s, std::size_t bad_partner) {
    const std::string partner = "partners[" + std::to_string(bad_partner) + "].";
    switch (s) {
        case SettlementStatus::ok:
            return "";
        case SettlementStatus::no_partners:
        case SettlementStatus::too_many_partners:
            return "partners";
        case SettlementStatus::id_invalid:
        case SettlementStatus::id_duplicate:
            return partner + "id";
        case SettlementStatus::issued_negative:
        case SettlementStatus::issued_overflow:
            return partner + "issued";
        case SettlementStatus::burned_negative:
        case SettlementStatus::burned_overflow:
        case SettlementStatus::no_issuance:
            return partner + "burned";
        case SettlementStatus::price_invalid:
        case SettlementStatus::value_overflow:
            return "clearing_price_num";
        case SettlementStatus::price_den_invalid:
            return "clearing_price_den";
    }
    return "";
}

std::string_view settlement_status_name(SettlementStatus s) {
    switch (s) {
        case SettlementStatus::ok:
            return "ok";
        case SettlementStatus::no_partners:
            return "no_partners";
        case SettlementStatus::too_many_partners:
            return "too_many_partners";
        case SettlementStatus::id_invalid:
            return "id_invalid";
        case SettlementStatus::id_duplicate:
            return "id_duplicate";
        case SettlementStatus::issued_negative:
            return "issued_negative";
        case SettlementStatus::burned_negative:
            return "burned_negative";
        case SettlementStatus::price_invalid:
            return "price_invalid";
        case SettlementStatus::price_den_invalid:
            return "price_den_invalid";
        case SettlementStatus::issued_overflow:
            return "issued_overflow";
        case SettlementStatus::burned_overflow:
            return "burned_overflow";
        case SettlementStatus::value_overflow:
            return "value_overflow";
        case SettlementStatus::no_issuance:
            return "no_issuance";
    }
    return "";
}

}  // namespace kopilka::coalition

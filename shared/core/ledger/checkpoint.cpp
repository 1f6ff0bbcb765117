#include "core/ledger/checkpoint.hpp"

#include <cstdint>
#include <map>

namespace kopilka::ledger {

namespace {

class Differ {
  public:
    void number(const std::string& field, std::int64_t stored, std::int64_t recomputed) {
        if (stored == recomputed) return;
        out.push_back(field + ": stored " + std::to_string(stored) + ", recomputed " +
                      std::to_string(recomputed));
    }
    void text(const std::string& field, const std::string& stored, const std::string& recomputed) {
        if (stored != recomputed) {
            out.push_back(field + ": stored \"" + stored + "\", recomputed \"" + recomputed + "\"");
        }
    }
    void count(const std::string& field, std::size_t stored, std::size_t recomputed) {
        number(field, static_cast<std::int64_t>(stored), static_cast<std::int64_t>(recomputed));
    }

    void batch(const std::string& f, const Batch& s, const Batch& r) {
        number(f + ".reason", static_cast<std::int64_t>(s.reason),
               static_cast<std::int64_t>(r.reason));
        text(f + ".receipt_id", s.receipt_id, r.receipt_id);
        number(f + ".points", s.points, r.points);
        number(f + ".free", s.free, r.free);
        number(f + ".held", s.held, r.held);
        number(f + ".available_at_ms", s.available_at_ms, r.available_at_ms);
        number(f + ".expires_at_ms", s.expires_at_ms, r.expires_at_ms);
        number(f + ".expired", s.expired, r.expired);
    }

    void reservation(const std::string& f, const Reservation& s, const Reservation& r) {
        text(f + ".rule", s.rule, r.rule);
        number(f + ".points", s.points, r.points);
        number(f + ".hold_until_ms", s.hold_until_ms, r.hold_until_ms);
        number(f + ".state", static_cast<std::int64_t>(s.state),
               static_cast<std::int64_t>(r.state));
        count(f + ".parts", s.parts.size(), r.parts.size());
        for (std::size_t k = 0; k < s.parts.size() && k < r.parts.size(); ++k) {
            const std::string p = f + ".parts[" + std::to_string(k) + "]";
            text(p + ".batch", to_hex(s.parts[k].batch), to_hex(r.parts[k].batch));
            number(p + ".held", s.parts[k].held, r.parts[k].held);
        }
    }

    void line(const std::string& f, const HistoryLine& s, const HistoryLine& r) {
        text(f + ".id", to_hex(s.id), to_hex(r.id));
        number(f + ".reason", static_cast<std::int64_t>(s.reason),
               static_cast<std::int64_t>(r.reason));
        number(f + ".automatic", s.automatic, r.automatic);
        text(f + ".rule", s.rule, r.rule);
        number(f + ".at_ms", s.at_ms, r.at_ms);
        number(f + ".points", s.points, r.points);
        number(f + ".balance_delta", s.balance_delta, r.balance_delta);
    }

    void history(const std::string& f, const std::vector<HistoryLine>& s,
                 const std::vector<HistoryLine>& r) {
        count(f, s.size(), r.size());
        for (std::size_t k = 0; k < s.size() && k < r.size(); ++k)
            line(f + "[" + std::to_string(k) + "]", s[k], r[k]);
    }

    std::vector<std::string> out;
};

// Items matched by id, so one missing batch is named once rather than shifting the rest.
template <class T, class Compare>
void by_id(Differ* d, const std::string& name, const std::vector<T>& stored,
           const std::vector<T>& recomputed, Compare compare) {
    std::map<EntryId, const T*> kept;
    for (const T& s : stored) kept[s.id] = &s;
    for (const T& r : recomputed) {
        const std::string f = name + "[" + to_hex(r.id) + "]";
        const auto it = kept.find(r.id);
        if (it == kept.end()) {
            d->out.push_back(f + ": missing from the stored checkpoint");
            continue;
        }
        compare(f, *it->second, r);
        kept.erase(it);
    }
    for (const auto& extra : kept) {
        d->out.push_back(name + "[" + to_hex(extra.first) + "]: stored, but no entry makes it");
    }
}

}  // namespace

std::vector<std::string> checkpoint_differences(const Checkpoint& stored,
                                                const Checkpoint& recomputed) {
    Differ d;
    d.count("entries", stored.entries, recomputed.entries);
    d.number("last_at_ms", stored.last_at_ms, recomputed.last_at_ms);
    d.count("operations", stored.operations, recomputed.operations);
    for (std::size_t i = 0; i < accounts_count; ++i) {
        d.number("balances." + std::string(account_name(static_cast<Account>(i))),
                 stored.balances[i], recomputed.balances[i]);
    }
    by_id(&d, "batches", stored.batches, recomputed.batches,
          [&](const std::string& f, const Batch& s, const Batch& r) { d.batch(f, s, r); });
    by_id(&d, "reservations", stored.reservations, recomputed.reservations,
          [&](const std::string& f, const Reservation& s, const Reservation& r) {
              d.reservation(f, s, r);
          });
    d.history("history", stored.history, recomputed.history);
    return d.out;
}

std::vector<std::string> snapshot_differences(const Snapshot& stored, const Snapshot& recomputed) {
    Differ d;
    d.number("points.available", stored.available, recomputed.available);
    d.number("points.pending", stored.pending, recomputed.pending);
    d.number("points.reserved", stored.reserved, recomputed.reserved);
    d.number("points.balance", stored.balance, recomputed.balance);
    d.number("points.debt", stored.debt, recomputed.debt);
    d.number("points.earned_lifetime", stored.earned_lifetime, recomputed.earned_lifetime);
    d.number("points.redeemed_lifetime", stored.redeemed_lifetime, recomputed.redeemed_lifetime);
    d.number("points.expired_lifetime", stored.expired_lifetime, recomputed.expired_lifetime);
    d.count("points.expiring", stored.expiring.size(), recomputed.expiring.size());
    for (std::size_t k = 0; k < stored.expiring.size() && k < recomputed.expiring.size(); ++k) {
        const std::string f = "points.expiring[" + std::to_string(k) + "]";
        d.number(f + ".points", stored.expiring[k].points, recomputed.expiring[k].points);
        d.number(f + ".expires_at_ms", stored.expiring[k].expires_at_ms,
                 recomputed.expiring[k].expires_at_ms);
        d.number(f + ".pending", stored.expiring[k].pending, recomputed.expiring[k].pending);
    }
    d.history("points.history", stored.history, recomputed.history);
    return d.out;
}

}  // namespace kopilka::ledger

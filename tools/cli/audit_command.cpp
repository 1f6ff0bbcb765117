#include "audit_command.hpp"

#include <cstdio>
#include <string>
#include <vector>

#include "core/ledger/audit.hpp"
#include "core/ledger/checkpoint.hpp"
#include "core/ledger/ledger.hpp"
#include "storage/open_store.hpp"
#include "storage/store.hpp"

namespace kopilka::cli {

namespace {

int fail_usage(const std::string& why) {
    std::fprintf(stderr, "kopilka: %s\nusage:\n  kopilka audit --db FILE|URL [--merchant CODE]\n",
                 why.c_str());
    return 2;
}

struct Tally {
    std::size_t members = 0;
    std::size_t checked = 0;  // members with a stored checkpoint
    std::size_t without = 0;  // members without one
    std::size_t differences = 0;
    std::size_t members_differing = 0;
};

// The snapshot stored beside the checkpoint against the one the covered entries give at the
// start of its window, and the window's end against their next change.
void audit_points(const server::StoredPoints& stored, ledger::Ledger l,
                  std::vector<std::string>* out) {
    if (!stored.points) return out->push_back("points: does not decode");
    if (stored.from_ms < l.clock_ms())
        return out->push_back("points_from_ms: " + std::to_string(stored.from_ms) +
                              " is before the last entry's time " + std::to_string(l.clock_ms()));
    if (!l.advance(stored.from_ms).empty())
        return out->push_back("points_from_ms: " + std::to_string(stored.from_ms) +
                              " is after an expiry or a hold's end that no entry records");
    for (std::string& d : ledger::snapshot_differences(*stored.points, l.snapshot()))
        out->push_back(std::move(d));
    if (stored.until_ms != l.next_change_ms())
        out->push_back("points_until_ms: stored " + std::to_string(stored.until_ms) +
                       ", recomputed " + std::to_string(l.next_change_ms()));
}

// The differences of one member's stored checkpoint from its entries, as sentences.
std::vector<std::string> audit_member(server::MemberTx& tx, Tally* tally) {
    const std::vector<ledger::Entry> entries = tx.entries();
    const ledger::Restored all = ledger::restore(entries);
    if (all.status != ledger::EntryStatus::ok)
        return {"entries: entry " + std::to_string(all.bad_entry) + " does not restore (" +
                std::string(ledger::entry_status_name(all.status)) + ")"};
    std::vector<std::string> out;
    if (std::string problem = ledger::audit(all.ledger); !problem.empty())
        out.push_back("entries: " + problem);
    // The numbers history pages count by: the first that is not the entry's place among those
    // that changed the balance.
    const std::vector<std::int64_t> numbers = tx.history_numbers();
    std::int64_t place = 0;
    for (std::size_t i = 0; i < entries.size() && i < numbers.size(); ++i) {
        place += ledger::member_delta(entries[i]) != 0 ? 1 : 0;
        if (numbers[i] == place) continue;
        out.push_back("history_no: entry " + std::to_string(i) + " is numbered " +
                      std::to_string(numbers[i]) +
                      ", its place among the entries that changed the balance is " +
                      std::to_string(place));
        break;
    }
    if (const auto tier = tx.stored_tier_sum(); tier && tier->sum != tier->recomputed)
        out.push_back("tier_sum: stored " + std::to_string(tier->sum) + " from " +
                      std::to_string(tier->from_ms) +
                      ", the member's receipts from then on sum to " +
                      std::to_string(tier->recomputed));
    const auto stored = tx.checkpoint();
    if (!stored) {
        ++tally->without;
        return out;
    }
    ++tally->checked;
    if (stored->entries > entries.size()) {
        out.push_back("entries: stored " + std::to_string(stored->entries) + ", the member has " +
                      std::to_string(entries.size()));
        return out;
    }
    const auto covered = entries.begin() + static_cast<std::ptrdiff_t>(stored->entries);
    const ledger::Restored prefix =
        ledger::restore(std::vector<ledger::Entry>(entries.begin(), covered));
    for (std::string& d : ledger::checkpoint_differences(*stored, prefix.ledger.checkpoint()))
        out.push_back(std::move(d));
    if (const auto points = tx.stored_points()) audit_points(*points, prefix.ledger, &out);
    return out;
}

int audit_merchant(server::Store& store, const server::MerchantRecord& merchant, Tally* tally) {
    for (const server::MemberRecord& m : store.members(merchant.merchant_id)) {
        ++tally->members;
        std::vector<std::string> differences;
        store.read_member(merchant.merchant_id, m.member_id,
                          [&](server::MemberTx& tx) { differences = audit_member(tx, tally); });
        for (const std::string& d : differences)
            std::printf("merchant %s member %s: %s\n", merchant.code.c_str(), m.member_id.c_str(),
                        d.c_str());
        tally->differences += differences.size();
        tally->members_differing += differences.empty() ? 0 : 1;
    }
    return 0;
}

}  // namespace

int run_audit(int argc, char** argv) {
    std::string db, code;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "--db" || a == "--merchant") && i + 1 < argc)
            (a == "--db" ? db : code) = argv[++i];
        else
            return fail_usage("unexpected " + a);
    }
    if (db.empty()) return fail_usage("audit needs --db");
    Tally tally;
    try {
        const auto store = server::open_store(db, /*create_if_missing=*/false);
        if (!code.empty()) {
            const auto merchant = store->merchant_by_code(code);
            if (!merchant) return fail_usage("no merchant with code " + code);
            audit_merchant(*store, *merchant, &tally);
        } else {
            for (const std::string& id : store->merchant_ids())
                if (const auto merchant = store->merchant_by_id(id))
                    audit_merchant(*store, *merchant, &tally);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kopilka: %s\n", e.what());
        return 1;
    }
    std::printf(
        "audit: %zu members, %zu checkpoints checked, %zu without a checkpoint, %zu "
        "differences in %zu members\n",
        tally.members, tally.checked, tally.without, tally.differences, tally.members_differing);
    return tally.differences == 0 ? 0 : 1;
}

}  // namespace kopilka::cli

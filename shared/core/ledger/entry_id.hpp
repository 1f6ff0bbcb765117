// EntryId: the 128-bit id of a ledger entry. Clients generate the ids of their operations
// (random, like a UUID) and store them before sending, so a replay can be recognised; the
// ledger derives the ids of the entries it writes on its own (expiries, holds that ran out).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kopilka::ledger {

struct EntryId {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;

    bool is_zero() const { return hi == 0 && lo == 0; }
    friend bool operator==(const EntryId& a, const EntryId& b) {
        return a.hi == b.hi && a.lo == b.lo;
    }
    friend bool operator!=(const EntryId& a, const EntryId& b) { return !(a == b); }
    friend bool operator<(const EntryId& a, const EntryId& b) {
        return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo;
    }
};

// Exactly 32 hex digits, either case, hi first; nullopt for anything else.
std::optional<EntryId> parse_entry_id(std::string_view hex32);
std::string to_hex(const EntryId& id);  // 32 lowercase hex digits

// The id of an entry the ledger writes on its own because of `from` ("expire" of a batch,
// "hold_expired" of a reservation): the first 128 bits of SHA-256 over a fixed prefix,
// `purpose` and `from`, so it is the same on every platform and every replay.
EntryId derive_entry_id(const EntryId& from, std::string_view purpose);

}  // namespace kopilka::ledger

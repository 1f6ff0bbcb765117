#include "core/ledger/entry_id.hpp"

#include "core/crypto/sha256.hpp"

namespace kopilka::ledger {

namespace {

bool parse_u64(std::string_view hex16, std::uint64_t* out) {
    std::uint64_t v = 0;
    for (char c : hex16) {
        const int d = crypto::hex_digit_value(c);
        if (d < 0) return false;
        v = (v << 4) | static_cast<std::uint64_t>(d);
    }
    *out = v;
    return true;
}

void append_hex(std::uint64_t v, std::string* out) {
    static const char digits[] = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4) out->push_back(digits[(v >> shift) & 0xF]);
}

std::uint64_t load_u64(const std::uint8_t* bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | bytes[i];
    return v;
}

}  // namespace

std::optional<EntryId> parse_entry_id(std::string_view hex32) {
    if (hex32.size() != 32) return std::nullopt;
    EntryId id;
    if (!parse_u64(hex32.substr(0, 16), &id.hi)) return std::nullopt;
    if (!parse_u64(hex32.substr(16), &id.lo)) return std::nullopt;
    return id;
}

std::string to_hex(const EntryId& id) {
    std::string out;
    out.reserve(32);
    append_hex(id.hi, &out);
    append_hex(id.lo, &out);
    return out;
}

EntryId derive_entry_id(const EntryId& from, std::string_view purpose) {
    crypto::Sha256 h;
    h.update("kopilka.ledger.derived/");
    h.update(purpose);
    h.update("/");
    h.update(to_hex(from));
    const crypto::Digest d = h.finish();
    return EntryId{load_u64(d.data()), load_u64(d.data() + 8)};
}

}  // namespace kopilka::ledger

#include "codec/ledger_json.hpp"

#include "codec/object_reader.hpp"

namespace kopilka::codec {

namespace {
constexpr std::int64_t kMax = INT64_MAX / 4;
constexpr std::size_t kListMax = 4096;

bool read_id(ObjectReader& r, const char* key, ledger::EntryId* out, bool required) {
    std::string hex;
    if (required) r.text(key, &hex, 32);
    else r.optional_text(key, &hex, 32);
    if (!r.ok() || hex.empty()) return r.ok();
    const auto id = ledger::parse_entry_id(hex);
    if (!id) {
        r.fail("invalid_value", r.field(key), "must be 32 hex digits");
        return false;
    }
    *out = *id;
    return true;
}

template <class Enum, std::size_t N>
void read_enum(ObjectReader& r, const char* key, Enum* out, std::string_view (*name)(Enum)) {
    std::string text;
    r.text(key, &text, 32);
    if (!r.ok()) return;
    for (std::size_t i = 0; i < N; ++i)
        if (name(static_cast<Enum>(i)) == text) {
            *out = static_cast<Enum>(i);
            return;
        }
    r.fail("invalid_value", r.field(key), "is not a known value");
}
}  // namespace

Json encode_entry(const ledger::Entry& e) {
    Json postings = Json::array(), lots = Json::array();
    for (const auto& p : e.postings)
        postings.push_back({{"account", ledger::account_name(p.account)}, {"amount", p.amount}});
    for (const auto& l : e.lots)
        lots.push_back({{"batch", ledger::to_hex(l.batch)}, {"free", l.free}, {"held", l.held}});
    Json j = {{"id", ledger::to_hex(e.id)},
              {"reason", ledger::reason_name(e.reason)},
              {"automatic", e.automatic},
              {"rule", e.rule},
              {"at_ms", e.at_ms},
              {"amount", e.amount},
              {"receipt_id", e.receipt_id},
              {"note", e.note},
              {"available_at_ms", e.available_at_ms},
              {"expires_at_ms", e.expires_at_ms},
              {"hold_until_ms", e.hold_until_ms},
              {"postings", postings},
              {"lots", lots}};
    if (!e.reservation.is_zero()) j["reservation"] = ledger::to_hex(e.reservation);
    return j;
}

Decoded<ledger::Entry> decode_entry(const Json& j, std::string_view path) {
    Decoded<ledger::Entry> out;
    ledger::Entry e;
    ObjectReader r(j, std::string(path), &out.error);
    read_id(r, "id", &e.id, true);
    read_enum<ledger::Reason, 9>(r, "reason", &e.reason, ledger::reason_name);
    r.optional_flag("automatic", &e.automatic);
    r.optional_text("rule", &e.rule, 256);
    r.integer("at_ms", &e.at_ms, 0, kMax);
    r.integer("amount", &e.amount, -kMax, kMax);
    r.optional_text("receipt_id", &e.receipt_id, 256);
    r.optional_text("note", &e.note, 256);
    r.optional_integer("available_at_ms", &e.available_at_ms, 0, kMax);
    r.optional_integer("expires_at_ms", &e.expires_at_ms, 0, kMax);
    r.optional_integer("hold_until_ms", &e.hold_until_ms, 0, kMax);
    read_id(r, "reservation", &e.reservation, false);
    r.optional_array("postings", 16, [&](ObjectReader& p, std::size_t) {
        ledger::Posting posting;
        read_enum<ledger::Account, ledger::accounts_count>(p, "account", &posting.account,
                                                           ledger::account_name);
        p.integer("amount", &posting.amount, -kMax, kMax);
        e.postings.push_back(posting);
    });
    r.optional_array("lots", kListMax, [&](ObjectReader& l, std::size_t) {
        ledger::LotMove lot;
        read_id(l, "batch", &lot.batch, true);
        l.integer("free", &lot.free, -kMax, kMax);
        l.integer("held", &lot.held, -kMax, kMax);
        e.lots.push_back(lot);
    });
    if (r.ok()) out.value = std::move(e);
    return out;
}

void read_operation_id(ObjectReader& r, ledger::EntryId* out) {
    std::string op;
    r.text("operation_id", &op, 32);
    if (!r.ok()) return;
    const auto id = ledger::parse_entry_id(op);
    if (!id || id->is_zero())
        return r.fail("invalid_value", "operation_id", "must be 32 hex digits, not all zero");
    *out = *id;
}

}  // namespace kopilka::codec

#include "codec/ledger_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>
#include <string_view>

#include "codec/json_text.hpp"
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

// The value among the first N whose name is text; false when none is.
template <class Enum, std::size_t N>
bool enum_named(std::string_view text, Enum* out, std::string_view (*name)(Enum)) {
    for (std::size_t i = 0; i < N; ++i)
        if (name(static_cast<Enum>(i)) == text) {
            *out = static_cast<Enum>(i);
            return true;
        }
    return false;
}

template <class Enum, std::size_t N>
void read_enum(ObjectReader& r, const char* key, Enum* out, std::string_view (*name)(Enum)) {
    std::string text;
    r.text(key, &text, 32);
    if (r.ok() && !enum_named<Enum, N>(text, out, name))
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

namespace {

std::string_view reservation_state_name(ledger::ReservationState s) {
    switch (s) {
        case ledger::ReservationState::open:
            return "open";
        case ledger::ReservationState::committed:
            return "committed";
        case ledger::ReservationState::released:
            return "released";
        case ledger::ReservationState::expired:
            return "expired";
    }
    return "?";
}

// A checkpoint's batch as an array of its fields in this order: a member may hold thousands,
// each read and written with every request of hers, and an array costs a fraction of an object
// to parse, decode, free and write (no key per field).
constexpr const char* kBatchRow =
    "[id, reason, receipt_id, points, free, held, available_at_ms, expires_at_ms, expired]";

Json encode_batch(const ledger::Batch& b) {
    return Json::array({ledger::to_hex(b.id), ledger::reason_name(b.reason), b.receipt_id, b.points,
                        b.free, b.held, b.available_at_ms, b.expires_at_ms, b.expired});
}

// encode_batch()'s array; false when it is not one (a field missing, of the wrong type or out
// of range).
bool read_batch_row(const Json& row, ledger::Batch* b) {
    if (!row.is_array() || row.size() != 9 || !row[0].is_string() || !row[1].is_string() ||
        !row[2].is_string() || !row[8].is_boolean())
        return false;
    std::int64_t* const numbers[] = {&b->points, &b->free, &b->held, &b->available_at_ms,
                                     &b->expires_at_ms};
    for (std::size_t k = 0; k < 5; ++k) {
        const Json& v = row[3 + k];
        if (!v.is_number_integer()) return false;
        const std::int64_t n = v.get<std::int64_t>();  // above INT64_MAX: negative
        if (n < 0 || n > kMax) return false;
        *numbers[k] = n;
    }
    const auto id = ledger::parse_entry_id(row[0].get_ref<const std::string&>());
    if (!id) return false;
    b->id = *id;
    if (!enum_named<ledger::Reason, 9>(row[1].get_ref<const std::string&>(), &b->reason,
                                       ledger::reason_name))
        return false;
    b->receipt_id = row[2].get<std::string>();
    b->expired = row[8].get<bool>();
    return b->receipt_id.size() <= 256;
}

ledger::Batch read_batch(ObjectReader& r) {
    ledger::Batch b;
    read_id(r, "id", &b.id, true);
    read_enum<ledger::Reason, 9>(r, "reason", &b.reason, ledger::reason_name);
    r.optional_text("receipt_id", &b.receipt_id, 256);
    r.integer("points", &b.points, 0, kMax);
    r.integer("free", &b.free, 0, kMax);
    r.integer("held", &b.held, 0, kMax);
    r.integer("available_at_ms", &b.available_at_ms, 0, kMax);
    r.integer("expires_at_ms", &b.expires_at_ms, 0, kMax);
    r.optional_flag("expired", &b.expired);
    return b;
}

Json encode_reservation(const ledger::Reservation& v) {
    Json parts = Json::array();
    for (const auto& p : v.parts)
        parts.push_back({{"batch", ledger::to_hex(p.batch)}, {"held", p.held}});
    return {{"id", ledger::to_hex(v.id)},
            {"rule", v.rule},
            {"points", v.points},
            {"hold_until_ms", v.hold_until_ms},
            {"state", reservation_state_name(v.state)},
            {"parts", parts}};
}

ledger::Reservation read_reservation(ObjectReader& r) {
    ledger::Reservation v;
    read_id(r, "id", &v.id, true);
    r.optional_text("rule", &v.rule, 256);
    r.integer("points", &v.points, 0, kMax);
    r.integer("hold_until_ms", &v.hold_until_ms, 0, kMax);
    read_enum<ledger::ReservationState, 4>(r, "state", &v.state, reservation_state_name);
    r.optional_array("parts", kListMax, [&](ObjectReader& p, std::size_t) {
        ledger::LotMove part;
        read_id(p, "batch", &part.batch, true);
        p.integer("held", &part.held, 0, kMax);
        v.parts.push_back(part);
    });
    return v;
}

Json encode_line(const ledger::HistoryLine& h) {
    return {{"id", ledger::to_hex(h.id)},
            {"reason", ledger::reason_name(h.reason)},
            {"automatic", h.automatic},
            {"rule", h.rule},
            {"at_ms", h.at_ms},
            {"points", h.points},
            {"balance_delta", h.balance_delta}};
}

ledger::HistoryLine read_line(ObjectReader& r) {
    ledger::HistoryLine h;
    read_id(r, "id", &h.id, true);
    read_enum<ledger::Reason, 9>(r, "reason", &h.reason, ledger::reason_name);
    r.optional_flag("automatic", &h.automatic);
    r.optional_text("rule", &h.rule, 256);
    r.integer("at_ms", &h.at_ms, 0, kMax);
    r.integer("points", &h.points, -kMax, kMax);
    r.integer("balance_delta", &h.balance_delta, -kMax, kMax);
    return h;
}

// decode(parsed text), or the parse's error.
template <class T>
Decoded<T> through_dom(std::string_view text, Decoded<T> (*decode)(const Json&, std::string_view),
                       std::string_view path) {
    DecodeError e;
    const auto j = parse_json(text, &e);
    if (j) return decode(*j, path);
    Decoded<T> out;
    out.error = e;
    return out;
}
}  // namespace

Json encode_checkpoint(const ledger::Checkpoint& c) {
    Json balances = Json::object(), batches = Json::array(), reservations = Json::array(),
         history = Json::array();
    for (std::size_t i = 0; i < ledger::accounts_count; ++i)
        balances[std::string(ledger::account_name(static_cast<ledger::Account>(i)))] =
            c.balances[i];
    for (const auto& b : c.batches) batches.push_back(encode_batch(b));
    for (const auto& r : c.reservations) reservations.push_back(encode_reservation(r));
    for (const auto& h : c.history) history.push_back(encode_line(h));
    return {{"entries", c.entries}, {"last_at_ms", c.last_at_ms}, {"operations", c.operations},
            {"balances", balances}, {"batches", batches},         {"reservations", reservations},
            {"history", history}};
}

namespace {
// The accounts in the order dump() writes the balances' keys (a DOM object is sorted by key).
const std::array<ledger::Account, ledger::accounts_count>& accounts_by_name() {
    static const auto order = [] {
        std::array<ledger::Account, ledger::accounts_count> a{};
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<ledger::Account>(i);
        std::sort(a.begin(), a.end(), [](ledger::Account x, ledger::Account y) {
            return ledger::account_name(x) < ledger::account_name(y);
        });
        return a;
    }();
    return order;
}

// encode_line(h).dump()
void write_line(JsonText& t, const ledger::HistoryLine& h) {
    t.raw("{\"at_ms\":").integer(h.at_ms).raw(",\"automatic\":").flag(h.automatic);
    t.raw(",\"balance_delta\":")
        .integer(h.balance_delta)
        .raw(",\"id\":")
        .name(ledger::to_hex(h.id));
    t.raw(",\"points\":").integer(h.points).raw(",\"reason\":").name(ledger::reason_name(h.reason));
    t.raw(",\"rule\":").string(h.rule).raw("}");
}

// encode_reservation(v).dump()
void write_reservation(JsonText& t, const ledger::Reservation& v) {
    t.raw("{\"hold_until_ms\":")
        .integer(v.hold_until_ms)
        .raw(",\"id\":")
        .name(ledger::to_hex(v.id));
    t.raw(",\"parts\":").list(v.parts, [&](const ledger::LotMove& p) {
        t.raw("{\"batch\":")
            .name(ledger::to_hex(p.batch))
            .raw(",\"held\":")
            .integer(p.held)
            .raw("}");
    });
    t.raw(",\"points\":").integer(v.points).raw(",\"rule\":").string(v.rule);
    t.raw(",\"state\":").name(reservation_state_name(v.state)).raw("}");
}
}  // namespace

std::string checkpoint_text(const ledger::Checkpoint& c) {
    JsonText t(256 + c.batches.size() * 112 + c.history.size() * 160);
    t.raw("{\"balances\":{");
    bool first = true;
    for (const ledger::Account a : accounts_by_name()) {
        t.raw(first ? "\"" : ",\"").raw(ledger::account_name(a)).raw("\":");
        t.integer(c.balances[static_cast<std::size_t>(a)]);
        first = false;
    }
    t.raw("},\"batches\":").list(c.batches, [&](const ledger::Batch& b) {
        t.raw("[").name(ledger::to_hex(b.id)).raw(",").name(ledger::reason_name(b.reason)).raw(",");
        t.string(b.receipt_id);
        for (const std::int64_t n : {b.points, b.free, b.held, b.available_at_ms, b.expires_at_ms})
            t.raw(",").integer(n);
        t.raw(b.expired ? ",true]" : ",false]");
    });
    t.raw(",\"entries\":").integer(static_cast<std::int64_t>(c.entries));
    t.raw(",\"history\":").list(c.history, [&](const ledger::HistoryLine& h) { write_line(t, h); });
    t.raw(",\"last_at_ms\":").integer(c.last_at_ms);
    t.raw(",\"operations\":").integer(static_cast<std::int64_t>(c.operations));
    t.raw(",\"reservations\":").list(c.reservations, [&](const ledger::Reservation& v) {
        write_reservation(t, v);
    });
    return t.raw("}").take();
}

std::string entry_text(const ledger::Entry& e) {
    JsonText t(512 + e.lots.size() * 80);
    t.raw("{\"amount\":").integer(e.amount).raw(",\"at_ms\":").integer(e.at_ms);
    t.raw(",\"automatic\":").flag(e.automatic);
    t.raw(",\"available_at_ms\":").integer(e.available_at_ms);
    t.raw(",\"expires_at_ms\":").integer(e.expires_at_ms);
    t.raw(",\"hold_until_ms\":")
        .integer(e.hold_until_ms)
        .raw(",\"id\":")
        .name(ledger::to_hex(e.id));
    t.raw(",\"lots\":").list(e.lots, [&](const ledger::LotMove& l) {
        t.raw("{\"batch\":").name(ledger::to_hex(l.batch)).raw(",\"free\":").integer(l.free);
        t.raw(",\"held\":").integer(l.held).raw("}");
    });
    t.raw(",\"note\":").string(e.note).raw(",\"postings\":");
    t.list(e.postings, [&](const ledger::Posting& p) {
        t.raw("{\"account\":").name(ledger::account_name(p.account));
        t.raw(",\"amount\":").integer(p.amount).raw("}");
    });
    t.raw(",\"reason\":").name(ledger::reason_name(e.reason));
    t.raw(",\"receipt_id\":").string(e.receipt_id);
    if (!e.reservation.is_zero()) t.raw(",\"reservation\":").name(ledger::to_hex(e.reservation));
    return t.raw(",\"rule\":").string(e.rule).raw("}").take();
}

std::string points_text(const ledger::Snapshot& s) {
    JsonText t(256 + s.history.size() * 160);
    t.raw("{\"available\":").integer(s.available).raw(",\"balance\":").integer(s.balance);
    t.raw(",\"debt\":").integer(s.debt).raw(",\"earned_lifetime\":").integer(s.earned_lifetime);
    t.raw(",\"expired_lifetime\":").integer(s.expired_lifetime);
    t.raw(",\"expiring\":").list(s.expiring, [&](const ledger::ExpiringPoints& x) {
        t.raw("{\"expires_at_ms\":").integer(x.expires_at_ms).raw(",\"pending\":").flag(x.pending);
        t.raw(",\"points\":").integer(x.points).raw("}");
    });
    t.raw(",\"history\":").list(s.history, [&](const ledger::HistoryLine& h) { write_line(t, h); });
    t.raw(",\"pending\":").integer(s.pending);
    t.raw(",\"redeemed_lifetime\":").integer(s.redeemed_lifetime);
    return t.raw(",\"reserved\":").integer(s.reserved).raw("}").take();
}

namespace {
// Reads text exactly as dump() writes what this file encodes (no spaces, keys in order, strings
// without escapes, integers with no leading zero and a minus only before a non-zero one): each
// step is false at anything else, and the caller then reads the text through the DOM, which
// says what is wrong, if anything. Values are range-checked as the DOM's readers check them.
class Canonical {
  public:
    Canonical(std::string_view text, std::size_t at = 0) : text_(text), at_(at) {}

    std::size_t left() const { return at_ < text_.size() ? text_.size() - at_ : 0; }

    bool take(char ch) {
        if (at_ >= text_.size() || text_[at_] != ch) return false;
        ++at_;
        return true;
    }
    bool literal(std::string_view s) {
        if (text_.substr(at_, s.size()) != s) return false;
        at_ += s.size();
        return true;
    }
    // A string without escapes or control characters (bytes from 0x80 on as they are: the
    // database holds valid UTF-8, as the writer wrote it), at most max bytes.
    bool string(std::string_view* out, std::size_t max = std::string_view::npos) {
        if (!take('"')) return false;
        const std::size_t from = at_;
        while (at_ < text_.size() && text_[at_] != '"') {
            const auto ch = static_cast<unsigned char>(text_[at_]);
            if (ch < 0x20 || ch == '\\') return false;
            ++at_;
        }
        *out = text_.substr(from, at_ - from);
        return out->size() <= max && take('"');
    }
    bool integer(std::int64_t* out, std::int64_t min, std::int64_t max) {
        const char* first = text_.data() + at_;
        const char* last = text_.data() + text_.size();
        const char* digits = first != last && *first == '-' ? first + 1 : first;
        if (digits == last || *digits < '0' || *digits > '9') return false;
        const auto [end, ec] = std::from_chars(first, last, *out);
        if (ec != std::errc() || (*digits == '0' && (end - digits > 1 || digits != first)) ||
            *out < min || *out > max)
            return false;
        at_ += static_cast<std::size_t>(end - first);
        return true;
    }
    bool boolean(bool* out) {
        if (literal("true")) {
            *out = true;
            return true;
        }
        *out = false;
        return literal("false");
    }
    bool id(ledger::EntryId* out) {
        std::string_view hex;
        if (!string(&hex)) return false;
        const auto parsed = ledger::parse_entry_id(hex);
        if (!parsed) return false;
        *out = *parsed;
        return true;
    }
    bool reason(ledger::Reason* out) {
        std::string_view name;
        return string(&name) && enum_named<ledger::Reason, 9>(name, out, ledger::reason_name);
    }
    // "[" item ("," item)* "]" or "[]", at most max items; item reads one.
    template <typename Item>
    bool list(std::size_t max, Item item) {
        if (!take('[')) return false;
        if (take(']')) return true;
        std::size_t n = 0;
        do {
            if (++n > max || !item()) return false;
        } while (take(','));
        return take(']');
    }
    bool done() const { return at_ == text_.size(); }
    std::size_t at() const { return at_; }

  private:
    std::string_view text_;
    std::size_t at_;
};

// checkpoint_text()'s batch rows, from text at `at` (the batches' "[") to their "]".
bool read_batch_rows(Canonical& in, std::vector<ledger::Batch>* out) {
    // A row is at least 64 bytes: room for every row without moving them as the vector grows.
    out->reserve(std::min(ledger::batches_open_max, in.left() / 64));
    return in.list(ledger::batches_open_max, [&] {
        ledger::Batch b;
        std::string_view receipt;
        if (!in.take('[') || !in.id(&b.id) || !in.take(',') || !in.reason(&b.reason) ||
            !in.take(',') || !in.string(&receipt, 256))
            return false;
        for (std::int64_t* n : {&b.points, &b.free, &b.held, &b.available_at_ms, &b.expires_at_ms})
            if (!in.take(',') || !in.integer(n, 0, kMax)) return false;
        if (!in.take(',') || !in.boolean(&b.expired) || !in.take(']')) return false;
        b.receipt_id = std::string(receipt);
        out->push_back(std::move(b));
        return true;
    });
}

// encode_line()'s object as dump() writes it.
bool read_line_text(Canonical& in, ledger::HistoryLine* h) {
    std::string_view rule;
    if (!in.literal("{\"at_ms\":") || !in.integer(&h->at_ms, 0, kMax) ||
        !in.literal(",\"automatic\":") || !in.boolean(&h->automatic) ||
        !in.literal(",\"balance_delta\":") || !in.integer(&h->balance_delta, -kMax, kMax) ||
        !in.literal(",\"id\":") || !in.id(&h->id) || !in.literal(",\"points\":") ||
        !in.integer(&h->points, -kMax, kMax) || !in.literal(",\"reason\":") ||
        !in.reason(&h->reason) || !in.literal(",\"rule\":") || !in.string(&rule, 256) ||
        !in.take('}'))
        return false;
    h->rule = std::string(rule);
    return true;
}

// write_reservation()'s object.
bool read_reservation_text(Canonical& in, ledger::Reservation* v) {
    std::string_view rule, state;
    const auto part = [&] {
        ledger::LotMove p;
        if (!in.literal("{\"batch\":") || !in.id(&p.batch) || !in.literal(",\"held\":") ||
            !in.integer(&p.held, 0, kMax) || !in.take('}'))
            return false;
        v->parts.push_back(p);
        return true;
    };
    if (!in.literal("{\"hold_until_ms\":") || !in.integer(&v->hold_until_ms, 0, kMax) ||
        !in.literal(",\"id\":") || !in.id(&v->id) || !in.literal(",\"parts\":") ||
        !in.list(kListMax, part) || !in.literal(",\"points\":") ||
        !in.integer(&v->points, 0, kMax) || !in.literal(",\"rule\":") || !in.string(&rule, 256) ||
        !in.literal(",\"state\":") || !in.string(&state) ||
        !enum_named<ledger::ReservationState, 4>(state, &v->state, reservation_state_name) ||
        !in.take('}'))
        return false;
    v->rule = std::string(rule);
    return true;
}

// checkpoint_text()'s whole text.
bool read_checkpoint_text(Canonical& in, ledger::Checkpoint* c) {
    if (!in.literal("{\"balances\":{")) return false;
    for (const ledger::Account a : accounts_by_name()) {
        if ((a != accounts_by_name().front() && !in.take(',')) || !in.take('"') ||
            !in.literal(ledger::account_name(a)) || !in.literal("\":") ||
            !in.integer(&c->balances[static_cast<std::size_t>(a)], -kMax, kMax))
            return false;
    }
    std::int64_t entries = 0, operations = 0;
    c->history.reserve(ledger::checkpoint_history_max);
    const auto line = [&] {
        ledger::HistoryLine h;
        if (!read_line_text(in, &h)) return false;
        c->history.push_back(std::move(h));
        return true;
    };
    const auto reservation = [&] {
        ledger::Reservation v;
        if (!read_reservation_text(in, &v)) return false;
        c->reservations.push_back(std::move(v));
        return true;
    };
    if (!in.literal("},\"batches\":") || !read_batch_rows(in, &c->batches) ||
        !in.literal(",\"entries\":") || !in.integer(&entries, 0, kMax) ||
        !in.literal(",\"history\":") || !in.list(ledger::checkpoint_history_max, line) ||
        !in.literal(",\"last_at_ms\":") || !in.integer(&c->last_at_ms, 0, kMax) ||
        !in.literal(",\"operations\":") || !in.integer(&operations, 0, kMax) ||
        !in.literal(",\"reservations\":") || !in.list(ledger::operations_max, reservation) ||
        !in.take('}') || !in.done())
        return false;
    c->entries = static_cast<std::size_t>(entries);
    c->operations = static_cast<std::size_t>(operations);
    return true;
}
}  // namespace

Decoded<ledger::Checkpoint> checkpoint_from_text(std::string_view text) {
    {
        Canonical in(text);
        Decoded<ledger::Checkpoint> out;
        ledger::Checkpoint c;
        if (read_checkpoint_text(in, &c)) {
            out.value = std::move(c);
            return out;
        }
    }
    // Else the batches straight from the text when they are as written (a rule with an escape
    // elsewhere should not send thousands of them through the DOM), the rest through the DOM.
    // checkpoint_text()'s shape: {"balances":{…integers…},"batches":[rows],…
    constexpr std::string_view head = "{\"balances\":{", batches = ",\"batches\":[";
    const std::size_t balances_end = text.find('}');
    // (no "{", "[" or escape inside the balances: their first "}" closes them)
    if (text.substr(0, head.size()) == head && balances_end != std::string_view::npos &&
        balances_end > head.size() &&
        text.substr(head.size(), balances_end - head.size()).find_first_of("{[\\") ==
            std::string_view::npos &&
        text.substr(balances_end + 1, batches.size()) == batches) {
        const std::size_t rows_at = balances_end + 1 + batches.size() - 1;  // at the "["
        std::vector<ledger::Batch> rows;
        Canonical reader(text, rows_at);
        if (read_batch_rows(reader, &rows)) {
            std::string rest(text.substr(0, rows_at + 1));
            rest.append(text.substr(reader.at() - 1));  // from the batches' "]" on
            DecodeError e;
            if (const auto j = parse_json(rest, &e)) {
                Decoded<ledger::Checkpoint> out = decode_checkpoint(*j);
                if (out.ok() && out.value->batches.empty()) {
                    out.value->batches = std::move(rows);
                    return out;
                }
            }
        }
    }
    return through_dom<ledger::Checkpoint>(text, decode_checkpoint, "checkpoint");
}

Decoded<ledger::Checkpoint> decode_checkpoint(const Json& j, std::string_view path) {
    Decoded<ledger::Checkpoint> out;
    ledger::Checkpoint c;
    ObjectReader r(j, std::string(path), &out.error);
    std::int64_t entries = 0, operations = 0;
    r.integer("entries", &entries, 0, kMax);
    r.integer("last_at_ms", &c.last_at_ms, 0, kMax);
    r.integer("operations", &operations, 0, kMax);
    c.entries = static_cast<std::size_t>(entries);
    c.operations = static_cast<std::size_t>(operations);
    if (r.ok() && !(r.has("balances") && r.at("balances").is_object()))
        r.fail("wrong_type", r.field("balances"), "must be an object");
    if (r.ok()) {
        ObjectReader b = r.child("balances");
        for (std::size_t i = 0; i < ledger::accounts_count; ++i) {
            const std::string name(ledger::account_name(static_cast<ledger::Account>(i)));
            b.optional_integer(name.c_str(), &c.balances[i], -kMax, kMax);
        }
    }
    // Arrays (encode_batch), or objects as checkpoints stored before them (format 1) hold them.
    if (r.has("batches") && r.at("batches").is_array() &&
        r.at("batches").size() <= ledger::batches_open_max) {
        const Json& rows = r.at("batches");
        c.batches.resize(rows.size());
        for (std::size_t i = 0; i < rows.size() && r.ok(); ++i) {
            if (rows[i].is_object()) {
                ObjectReader b(rows[i], index_path(r.field("batches"), i), &out.error);
                c.batches[i] = read_batch(b);
            } else if (!read_batch_row(rows[i], &c.batches[i])) {
                r.fail("invalid_value", index_path(r.field("batches"), i),
                       std::string("must be ") + kBatchRow);
            }
        }
    } else {
        r.optional_array("batches", ledger::batches_open_max, [](ObjectReader&, std::size_t) {});
    }
    r.optional_array("reservations", ledger::operations_max, [&](ObjectReader& v, std::size_t) {
        c.reservations.push_back(read_reservation(v));
    });
    r.optional_array("history", ledger::checkpoint_history_max,
                     [&](ObjectReader& h, std::size_t) { c.history.push_back(read_line(h)); });
    if (r.ok()) out.value = std::move(c);
    return out;
}

Json encode_points(const ledger::Snapshot& s) {
    Json expiring = Json::array(), history = Json::array();
    for (const auto& x : s.expiring)
        expiring.push_back(
            {{"points", x.points}, {"expires_at_ms", x.expires_at_ms}, {"pending", x.pending}});
    for (const auto& h : s.history) history.push_back(encode_line(h));
    return {{"available", s.available},
            {"pending", s.pending},
            {"reserved", s.reserved},
            {"balance", s.balance},
            {"debt", s.debt},
            {"earned_lifetime", s.earned_lifetime},
            {"redeemed_lifetime", s.redeemed_lifetime},
            {"expired_lifetime", s.expired_lifetime},
            {"expiring", expiring},
            {"history", history}};
}

Decoded<ledger::Snapshot> decode_points(const Json& j, std::string_view path) {
    Decoded<ledger::Snapshot> out;
    ledger::Snapshot s;
    ObjectReader r(j, std::string(path), &out.error);
    r.integer("available", &s.available, -kMax, kMax);
    r.integer("pending", &s.pending, -kMax, kMax);
    r.integer("reserved", &s.reserved, -kMax, kMax);
    r.integer("balance", &s.balance, -kMax, kMax);
    r.integer("debt", &s.debt, -kMax, kMax);
    r.integer("earned_lifetime", &s.earned_lifetime, -kMax, kMax);
    r.integer("redeemed_lifetime", &s.redeemed_lifetime, -kMax, kMax);
    r.integer("expired_lifetime", &s.expired_lifetime, -kMax, kMax);
    const ledger::SnapshotOptions shown;
    r.optional_array("expiring", shown.expiring_max, [&](ObjectReader& x, std::size_t) {
        ledger::ExpiringPoints e;
        x.integer("points", &e.points, 0, kMax);
        x.integer("expires_at_ms", &e.expires_at_ms, 0, kMax);
        x.optional_flag("pending", &e.pending);
        s.expiring.push_back(e);
    });
    r.optional_array("history", shown.history_max,
                     [&](ObjectReader& h, std::size_t) { s.history.push_back(read_line(h)); });
    if (r.ok()) out.value = std::move(s);
    return out;
}

Decoded<ledger::Snapshot> points_from_text(std::string_view text) {
    // encode_points(s).dump()'s keys, in its order.
    ledger::Snapshot s;
    const ledger::SnapshotOptions shown;
    s.expiring.reserve(shown.expiring_max);  // one allocation each, not one per doubling
    s.history.reserve(shown.history_max);
    Canonical in(text);
    const auto number = [&](std::string_view key, std::int64_t* n) {
        return in.literal(key) && in.integer(n, -kMax, kMax);
    };
    if (number("{\"available\":", &s.available) && number(",\"balance\":", &s.balance) &&
        number(",\"debt\":", &s.debt) && number(",\"earned_lifetime\":", &s.earned_lifetime) &&
        number(",\"expired_lifetime\":", &s.expired_lifetime) && in.literal(",\"expiring\":") &&
        in.list(shown.expiring_max,
                [&] {
                    ledger::ExpiringPoints x;
                    if (!in.literal("{\"expires_at_ms\":") ||
                        !in.integer(&x.expires_at_ms, 0, kMax) || !in.literal(",\"pending\":") ||
                        !in.boolean(&x.pending) || !in.literal(",\"points\":") ||
                        !in.integer(&x.points, 0, kMax) || !in.take('}'))
                        return false;
                    s.expiring.push_back(x);
                    return true;
                }) &&
        in.literal(",\"history\":") &&
        in.list(shown.history_max,
                [&] {
                    ledger::HistoryLine h;
                    if (!read_line_text(in, &h)) return false;
                    s.history.push_back(std::move(h));
                    return true;
                }) &&
        number(",\"pending\":", &s.pending) &&
        number(",\"redeemed_lifetime\":", &s.redeemed_lifetime) &&
        number(",\"reserved\":", &s.reserved) && in.take('}') && in.done()) {
        Decoded<ledger::Snapshot> out;
        out.value = std::move(s);
        return out;
    }
    return through_dom<ledger::Snapshot>(text, decode_points, "points");
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

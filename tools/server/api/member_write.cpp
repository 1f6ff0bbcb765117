#include "api/member_write.hpp"

#include <stdexcept>

#include "api/decoded_documents.hpp"
#include "api/receipts.hpp"
#include "codec/member_json.hpp"
#include "codec/program_json.hpp"
#include "core/members/member_view.hpp"
#include "core/time.hpp"

namespace kopilka::server {

ApiResult api_error(int status, const std::string& code, const std::string& message,
                    const std::string& field) {
    return {status, codec::error_json(code, message, field), {}};
}

ApiResult bad_request(const codec::DecodeError& e) { return {400, codec::error_json(e), {}}; }

std::optional<codec::Json> parse_body(const std::string& body, ApiResult* err) {
    codec::DecodeError e;
    auto j = codec::parse_json(body, &e);
    if (!j) *err = bad_request(e);
    return j;
}

std::optional<codec::Json> read_body(const std::string& body, ApiResult* err,
                                     const std::function<bool(const codec::Json&)>& decode) {
    auto j = parse_body(body, err);
    if (j && !decode(*j)) return std::nullopt;
    return j;
}

std::optional<ApiResult> refuse_erased(const MemberRecord& member, const std::string& field) {
    if (member.erased_at_ms == 0) return std::nullopt;
    return api_error(
        410, "member_erased",
        "the member's personal data was erased: the member can't earn, spend or change any more",
        field);
}

std::shared_ptr<const program::Program> decoded_program(const ProgramRecord& record,
                                                        codec::DecodeError* error) {
    return decode_cached<program::Program>(
        {record.merchant_id, "program", "", record.version}, record.document,
        [](const codec::Json& j) { return codec::decode_program(j); }, error);
}

std::shared_ptr<const program::Program> current_program(Store& store,
                                                        const std::string& merchant_id,
                                                        std::int64_t at_ms, std::string* why,
                                                        std::int64_t* version) {
    const auto record = store.current_program(merchant_id, at_ms);
    if (!record) {
        *why = "the merchant has no program";
        return nullptr;
    }
    codec::DecodeError e;
    auto p = decoded_program(*record, &e);
    if (!p) {
        *why = e.message;
        return nullptr;
    }
    if (version) *version = record->version;
    return p;
}

void read_member_ref(codec::ObjectReader& r, std::string* member_id, std::string* card) {
    codec::ObjectReader m = r.child("member");
    m.optional_text("id", member_id, 64);
    m.optional_text("card", card, 64);
    m.reject_unknown({"id", "card"});
    if (m.ok() && member_id->empty() == card->empty())
        m.fail("invalid_value", "member", "needs exactly one of id and card");
}

std::shared_ptr<const program::Program> usable_program(Store& store, const std::string& merchant_id,
                                                       std::int64_t at_ms, ApiResult* err,
                                                       std::int64_t* version) {
    std::string why;
    auto program = current_program(store, merchant_id, at_ms, &why, version);
    if (!program)
        *err = {500,
                codec::error_json("program_invalid",
                                  "the merchant's program can't be used: " + why),
                merchant_id};
    return program;
}

std::optional<ApiResult> replay_or_conflict(MemberTx& tx, const std::string& op_hex,
                                            const std::string& kind, const codec::Json& request,
                                            const std::string& merchant_id) {
    const auto seen = tx.operation(op_hex);
    if (!seen) return std::nullopt;
    const std::string field =
        first_difference(codec::Json::parse(seen->request, nullptr, false), request);
    if (seen->kind != kind || !field.empty())
        return api_error(409, "operation_conflict",
                         "operation_id was used before for a different request (" +
                             (field.empty() ? "kind" : field) + " differs)",
                         field.empty() ? "operation_id" : field);
    ApiResult replay{seen->status, codec::Json::parse(seen->response), merchant_id};
    replay.body["replayed"] = true;
    return replay;
}

namespace {
ApiResult member_write_once(Store& store, const MemberWrite& w, const Decide& decide) {
    ApiResult out;
    try {
        const MemberReads reads{w.op_hex, true, w.tier_since, w.receipt_id, w.referral};
        store.with_member(w.merchant_id, w.member_id, reads, [&](MemberTx& tx) {
            if (auto replay = replay_or_conflict(tx, w.op_hex, w.kind, w.request, w.merchant_id)) {
                out = std::move(*replay);
                return false;
            }
            if (w.tier_since >= 0) tx.expect_tier_window(w.tier_since);
            std::size_t stored = 0;
            ledger::Ledger l = load_ledger(tx, w.now_ms, &stored);
            out = {};
            if (!decide(tx, l, &out)) return false;
            append_new_entries(tx, l, stored);
            tx.save_checkpoint(l);
            tx.save_operation({w.op_hex, w.kind, w.member_id, w.request.dump(), out.status,
                               out.text.empty() ? out.body.dump() : out.text, w.now_ms});
            return true;
        });
    } catch (const UniqueViolation& e) {
        // entry_id: the decision wrote an entry whose id the member's history before the
        // checkpoint holds already (the ledger only knows the entries since it).
        if (e.field != "operation_id" && e.field != "entry_id") throw;
        out = e.field == "entry_id"
                  ? api_error(409, "operation_conflict",
                              "operation_id was used before for an earlier entry of this member",
                              "operation_id")
                  : api_error(409, "operation_conflict",
                              "operation_id is being used for another request at the same time",
                              "operation_id");
    }
    out.merchant_id = w.merchant_id;
    return out;
}
}  // namespace

// A receipt id that another write stored after this one read it as free (add_receipt) rolls
// this one back: decided again, it reads that receipt.
ApiResult member_write(Store& store, const MemberWrite& w, const Decide& decide) {
    for (int attempt = 1;; ++attempt) {
        try {
            return member_write_once(store, w, decide);
        } catch (const UniqueViolation& e) {
            if (e.field != "receipt.id" || attempt == 3) throw;
        }
    }
}

std::int64_t tier_window_start(const program::Program& p, std::int64_t now_ms) {
    return p.tiers ? now_ms - p.tiers->window_days * day_ms : now_ms;
}

std::int64_t tier_window_asked(const program::Program& p, std::int64_t now_ms) {
    return p.tiers ? tier_window_start(p, now_ms) : -1;
}

quote::MemberContext member_context(const program::Program& p, MemberTx& tx,
                                    const ledger::Ledger& l, const MemberCounters& c,
                                    std::int64_t now_ms) {
    quote::MemberContext m;
    m.points_available = l.snapshot().available;
    m.spend_before = c.spend_total;
    m.last_purchase_ms = c.last_purchase_ms;
    m.tier_held = c.tier_held;
    if (p.tiers) m.tier_qualifying = tx.tier_qualifying_since(tier_window_start(p, now_ms));
    codec::DecodeError e;
    if (const auto stamps = codec::parse_json(c.stamps, &e); stamps && stamps->is_object())
        for (const auto& item : stamps->items())
            if (item.value().is_number_integer())
                m.stamps[item.key()] = item.value().get<std::int64_t>();
    return m;
}

namespace {
// The restored ledger advanced to now_ms; a stored ledger that does not restore throws.
ledger::Ledger advanced(ledger::Restored restored, std::int64_t now_ms) {
    if (restored.status != ledger::EntryStatus::ok)
        throw std::runtime_error("stored ledger does not restore: entry " +
                                 std::to_string(restored.bad_entry) + " is " +
                                 std::string(ledger::entry_status_name(restored.status)));
    restored.ledger.advance(now_ms);
    return std::move(restored.ledger);
}
}  // namespace

// The checkpoint and the entries after it (none when every write saved one): the cost does
// not grow with the history. Without a usable checkpoint, every entry once.
ledger::Ledger load_ledger(MemberTx& tx, std::int64_t now_ms, std::size_t* stored) {
    ledger::Restored restored;
    restored.status = ledger::EntryStatus::batch_invalid;
    if (auto checkpoint = tx.checkpoint()) {
        auto after = tx.entries_from(checkpoint->entries);
        restored = ledger::resume(std::move(*checkpoint), after);
    }
    if (restored.status != ledger::EntryStatus::ok) restored = ledger::restore(tx.entries());
    if (stored) *stored = restored.ledger.entries().size();
    return advanced(std::move(restored), now_ms);
}

ledger::Snapshot member_points(MemberTx& tx, std::int64_t now_ms) {
    if (auto points = tx.points_at(now_ms)) return std::move(*points);
    return load_ledger(tx, now_ms).snapshot();
}

void append_new_entries(MemberTx& tx, const ledger::Ledger& l, std::size_t stored) {
    tx.append_entries(std::vector<ledger::Entry>(
        l.entries().begin() + static_cast<std::ptrdiff_t>(stored), l.entries().end()));
}

members::MemberSnapshot member_view_after(MemberTx& tx, const program::Program& p,
                                          const MerchantRecord& merchant,
                                          const MemberRecord& member,
                                          const ledger::Snapshot& points,
                                          const std::string& tier_held, std::int64_t now_ms,
                                          const SpinOffer& spins) {
    members::TierState tier{0, tier_held};
    if (p.tiers) tier.qualifying = tx.tier_qualifying_since(tier_window_start(p, now_ms));
    members::MemberSnapshot snapshot =
        members::build_member_snapshot(p, {member.member_id, member.display_name, merchant.code},
                                       points, tier, spins.available, now_ms);
    snapshot.spin_commitment = spins.commitment;
    return snapshot;
}

codec::Json snapshot_after(MemberTx& tx, const program::Program& p, const MerchantRecord& merchant,
                           const MemberRecord& member, const ledger::Snapshot& points,
                           const std::string& tier_held, std::int64_t now_ms,
                           const SpinOffer& spins) {
    return codec::encode_member(
        member_view_after(tx, p, merchant, member, points, tier_held, now_ms, spins));
}

}  // namespace kopilka::server

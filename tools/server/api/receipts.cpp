#include "api/receipts.hpp"

#include <algorithm>
#include <stdexcept>

#include "api/member_write.hpp"
#include "api/referral.hpp"
#include "api/wheel_state.hpp"
#include "codec/json_text.hpp"
#include "codec/member_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/quote_json.hpp"
#include "core/ledger/ledger.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

struct ReceiptRequest {
    ledger::EntryId op;
    std::string member_id;
    std::string card;
    quote::Receipt receipt;
    std::int64_t redeem_points = 0;
};

// Decodes the body; on failure *err is the 400 answer.
bool decode_request(const Json& j, std::int64_t now_ms, ReceiptRequest* out, ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    read_operation_id(r, &out->op);
    // Without "member" the receipt is a shopper without a card: recorded for the reports
    // (the share of receipts with a card, the average receipt of non-members), no points.
    if (r.has("member")) {
        read_member_ref(r, &out->member_id, &out->card);
    }
    r.optional_integer("redeem_points", &out->redeem_points, 0, program::amount_max);
    if (r.ok() && !r.has("member") && out->redeem_points > 0)
        r.fail("invalid_value", "redeem_points",
               "needs a member: a shopper without a card has no points");
    if (r.ok() && !r.has("receipt")) r.fail("missing_field", "receipt", "is required");
    r.reject_unknown({"operation_id", "member", "receipt", "redeem_points"});
    if (r.ok()) {
        auto receipt = codec::decode_receipt(j.at("receipt"));
        if (!receipt.ok()) {
            e = receipt.error;
            e.field = codec::join_path("receipt", e.field);
            e.message = "receipt: " + e.message;
        } else {
            out->receipt = std::move(*receipt.value);
            if (out->receipt.id.empty())
                e = {"missing_field", "receipt.id", "receipt.id is required"};
            if (out->receipt.at_ms == 0) out->receipt.at_ms = now_ms;
        }
    }
    if (e.code.empty()) return true;
    *err = {400, codec::error_json(e), {}};
    return false;
}

// The ledger operations a quote asks for, with ids derived from the client's operation id.
bool post_to_ledger(ledger::Ledger& l, const ReceiptRequest& rq, const quote::Quote& q,
                    std::int64_t now_ms, std::string* failure, std::string* field) {
    if (q.redeemed_points > 0) {
        const auto r = l.apply(ledger::Redeem{ledger::derive_entry_id(rq.op, "redeem"),
                                              q.redeemed_points, "bonus", rq.receipt.id},
                               now_ms);
        if (!ledger::status_succeeded(r.status)) {
            *failure = std::string(ledger::status_name(r.status));
            return false;
        }
    }
    if (q.referral_invitee_bonus > 0) {  // the member's first receipt after a referral
        const auto r = l.apply(ledger::Earn{ledger::derive_entry_id(rq.op, "referral"),
                                            q.referral_invitee_bonus, 0, q.points_expire_at_ms,
                                            ledger::Reason::bonus, "referral", rq.receipt.id},
                               now_ms);
        if (!ledger::status_succeeded(r.status)) {
            *failure = std::string(ledger::status_name(r.status));
            *field = "receipt";
            return false;
        }
    }
    if (q.points_earned > 0) {
        const std::int64_t available_at = q.points_pending ? q.points_available_at_ms : 0;
        const auto r = l.apply(
            ledger::Earn{ledger::derive_entry_id(rq.op, "earn"), q.points_earned, available_at,
                         q.points_expire_at_ms, ledger::Reason::earn, "bonus", rq.receipt.id},
            now_ms);
        if (!ledger::status_succeeded(r.status)) {
            *failure = std::string(ledger::status_name(r.status));
            // The earning is the receipt's: its date (points that expire before now) or its lines.
            *field = r.status == ledger::Status::expires_not_after_now ? "receipt.at_ms"
                                                                       : "receipt.lines";
            return false;
        }
    }
    return true;
}

// The receipt id is taken. On PostgreSQL the insert that found it waited for the writer that
// took it to commit, and each statement sees what is committed when it runs: if that writer
// was a twin of this request (a retry sent before the first answer, for a receipt without a
// member, which takes no member lock), its stored answer is replayed.
ApiResult receipt_taken(MemberTx& tx, const MemberWrite& w) {
    if (auto replay = replay_or_conflict(tx, w.op_hex, w.kind, w.request, w.merchant_id))
        return *replay;
    return api_error(409, "receipt_exists",
                     "receipt.id was already posted with another operation_id", "receipt.id");
}

// A receipt without a member: stored (idempotently: the receipt id and the operation id are
// the database's keys) with what was paid; the program's member prices and points don't
// apply. It takes no member lock, so such receipts don't wait for one another.
ApiResult post_anonymous_receipt(Store& store, const MerchantRecord& merchant,
                                 const ReceiptRequest& rq, const Json& request,
                                 std::int64_t now_ms) {
    ApiResult no_program;
    const auto program = usable_program(store, merchant.merchant_id, rq.receipt.at_ms, &no_program);
    if (!program) return no_program;
    program::Program none;  // no rules: the quote only checks the receipt and totals it
    none.currency = program->currency;
    const quote::Quote q = quote::quote_receipt(none, {}, rq.receipt);
    if (q.status != quote::QuoteStatus::ok)
        return api_error(400,
                         q.status == quote::QuoteStatus::overflow ? "overflow" : "invalid_receipt",
                         "receipt." + q.field + " is not acceptable", "receipt." + q.field);
    const MemberWrite w{
        merchant.merchant_id, "", ledger::to_hex(rq.op), "receipt", request, now_ms};
    return member_write(store, w, [&](MemberTx& tx, ledger::Ledger&, ApiResult* out) {
        if (!tx.insert_receipt({rq.receipt.id, "", w.op_hex, rq.receipt.at_ms, q.paid, 0,
                                codec::encode_receipt(rq.receipt).dump(), "{}", "[]"})) {
            *out = receipt_taken(tx, w);
            return false;
        }
        *out = {201,
                Json{{"operation_id", w.op_hex},
                     {"receipt_id", rq.receipt.id},
                     {"paid", q.paid},
                     {"member", nullptr}},
                {}};
        return true;
    });
}

// The member's counters after a receipt quoted as q.
void count_receipt(MemberCounters* c, const program::Program& p, const quote::Quote& q,
                   std::int64_t at_ms) {
    c->spend_total += q.paid;
    c->last_purchase_ms = std::max(c->last_purchase_ms, at_ms);
    if (p.tiers && q.tier_after >= 0)
        c->tier_held = p.tiers->levels[static_cast<std::size_t>(q.tier_after)].id;
    Json stamps = Json::object();
    for (const auto& [card, s] : q.stamps) stamps[card] = s.after;
    if (!q.stamps.empty()) c->stamps = stamps.dump();
}

}  // namespace

std::string first_difference(const Json& a, const Json& b, const std::string& path) {
    if (a.type() != b.type()) return path.empty() ? std::string("body") : path;
    if (a.is_object()) {
        for (const auto& item : a.items()) {
            const std::string p = codec::join_path(path, item.key());
            if (!b.contains(item.key())) return p;
            const std::string d = first_difference(item.value(), b.at(item.key()), p);
            if (!d.empty()) return d;
        }
        for (const auto& item : b.items())
            if (!a.contains(item.key())) return codec::join_path(path, item.key());
        return "";
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return path;
        for (std::size_t i = 0; i < a.size(); ++i) {
            const std::string d = first_difference(a[i], b[i], codec::index_path(path, i));
            if (!d.empty()) return d;
        }
        return "";
    }
    return a == b ? "" : path;
}

ApiResult post_receipt(Store& store, const Caller& caller, const std::string& body,
                       std::int64_t now_ms) {
    ReceiptRequest rq;
    ApiResult bad;
    const auto j =
        read_body(body, &bad, [&](const Json& j) { return decode_request(j, now_ms, &rq, &bad); });
    if (!j) return bad;

    const auto merchant = store.merchant_by_id(caller.merchant_id);
    if (!merchant) return api_error(404, "not_found", "no such merchant", "Authorization");
    if (rq.card.empty() && rq.member_id.empty())
        return post_anonymous_receipt(store, *merchant, rq, *j, now_ms);
    const auto member = rq.card.empty() ? store.member_by_id(merchant->merchant_id, rq.member_id)
                                        : store.member_by_card(merchant->merchant_id, rq.card);
    if (!member)
        return api_error(404, "not_found", "no member has this id or card",
                         rq.card.empty() ? "member.id" : "member.card");
    if (auto erased = refuse_erased(*member, rq.card.empty() ? "member.id" : "member.card"))
        return *erased;
    ApiResult no_program;
    const auto program =
        usable_program(store, merchant->merchant_id, rq.receipt.at_ms, &no_program);
    if (!program) return no_program;

    const MemberWrite w{merchant->merchant_id,
                        member->member_id,
                        ledger::to_hex(rq.op),
                        "receipt",
                        *j,
                        now_ms,
                        tier_window_asked(*program, now_ms),
                        rq.receipt.id,
                        true};
    const auto wheel = active_wheel(store, merchant->merchant_id);  // for the snapshot's spins
    // Whether this answer may have qualified a referral whose inviter is still to be credited:
    // unknown (true) for an answer given before; for a new receipt, only if it qualified one.
    bool may_credit_inviter = true;
    ApiResult answer = member_write(store, w, [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
        may_credit_inviter = true;  // decided again after a retry
        // Posted before: answered without quoting. A receipt posted at this moment by another
        // member's operation fails add_receipt below, and member_write decides again.
        if (tx.receipt(rq.receipt.id)) {
            *out = receipt_taken(tx, w);
            return false;
        }
        MemberCounters counters = tx.counters();
        quote::QuoteOptions options;
        options.redeem_points = rq.redeem_points;
        quote::MemberContext context = member_context(*program, tx, l, counters, now_ms);
        auto referral = open_referral(tx, now_ms, &context);
        const quote::Quote q = quote::quote_receipt(*program, context, rq.receipt, options);
        if (q.status != quote::QuoteStatus::ok) {
            *out = api_error(
                400, q.status == quote::QuoteStatus::overflow ? "overflow" : "invalid_receipt",
                "receipt." + q.field + " is not acceptable", "receipt." + q.field);
            return false;
        }
        std::string failure, field = "redeem_points";
        if (!post_to_ledger(l, rq, q, now_ms, &failure, &field)) {
            *out =
                api_error(409, failure,
                          "the ledger refused the receipt: " + failure + " (" + field + ")", field);
            return false;
        }
        qualify_referral(tx, referral, q, w.op_hex, now_ms);
        may_credit_inviter = referral && q.referral_invitee_bonus > 0;
        std::int64_t qualifying = 0;
        for (const auto& line : q.lines) qualifying += line.tier_qualifying;
        const std::string quote_text = codec::quote_text(q, *program);
        tx.add_receipt({rq.receipt.id, member->member_id, w.op_hex, rq.receipt.at_ms, q.paid,
                        qualifying, codec::encode_receipt(rq.receipt).dump(), quote_text, "[]"});
        // After the receipt: the counters carry the tier's running sum with it (SqlMemberTx).
        count_receipt(&counters, *program, q, rq.receipt.at_ms);
        tx.save_counters(counters);
        // The answer written straight, as its tree's dump() would (keys sorted): building,
        // writing and freeing the quote's and the member's trees was a sixth of a receipt.
        const std::string member_text = codec::member_text(member_view_after(
            tx, *program, *merchant, *member, l.snapshot(), counters.tier_held, now_ms,
            spin_offer(*merchant, member->member_id, wheel, counters.spins, now_ms)));
        codec::JsonText answer(member_text.size() + quote_text.size() + 160, true);
        answer.raw("{\"member\":").raw(member_text).raw(",\"operation_id\":").name(w.op_hex);
        answer.raw(",\"quote\":").raw(quote_text).raw(",\"receipt_id\":");
        answer.string(rq.receipt.id).raw("}");
        *out = {201, nullptr, {}, answer.take()};
        return true;
    });
    // Answered now or before: the inviter's bonus, once (a no-op for other receipts).
    if (answer.status == 201 && program->referral && may_credit_inviter)
        credit_inviter(store, merchant->merchant_id, member->member_id, w.op_hex, *program,
                       now_ms);
    return answer;
}

}  // namespace kopilka::server

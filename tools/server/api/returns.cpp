#include "api/returns.hpp"

#include <stdexcept>

#include "codec/member_json.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"
#include "core/ledger/ledger.hpp"
#include "core/members/member_view.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr std::int64_t kDayMs = 86400000;

ApiResult error(int status, const std::string& code, const std::string& message, const std::string& field) {
    return {status, codec::error_json(code, message, field), {}};
}

struct ReturnRequest {
    ledger::EntryId op;
    std::string receipt_id;
    std::vector<std::int64_t> quantities;  // units returned now, per receipt line
};

bool decode_request(const Json& j, ReturnRequest* out, ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    std::string op;
    r.text("operation_id", &op, 32);
    if (r.ok()) {
        const auto id = ledger::parse_entry_id(op);
        if (!id || id->is_zero()) r.fail("invalid_value", "operation_id", "must be 32 hex digits, not all zero");
        else out->op = *id;
    }
    r.text("receipt_id", &out->receipt_id, 64);
    if (r.ok() && (!r.has("quantities") || !j.at("quantities").is_array() || j.at("quantities").empty()))
        r.fail("invalid_value", "quantities", "must be an array with the units returned per receipt line");
    if (r.ok())
        for (std::size_t i = 0; i < j.at("quantities").size(); ++i) {
            const Json& q = j.at("quantities")[i];
            if (!q.is_number_integer() || q.get<std::int64_t>() < 0) {
                r.fail("invalid_value", codec::index_path("quantities", i), "must be a whole number of units, 0 or more");
                break;
            }
            out->quantities.push_back(q.get<std::int64_t>());
        }
    r.reject_unknown({"operation_id", "receipt_id", "quantities"});
    if (e.code.empty()) return true;
    *err = {400, codec::error_json(e), {}};
    return false;
}

bool apply(ledger::Ledger& l, const ledger::Operation& op, std::int64_t now_ms, std::string* failure) {
    const auto r = l.apply(op, now_ms);
    if (ledger::status_succeeded(r.status)) return true;
    *failure = std::string(ledger::status_name(r.status));
    return false;
}
}  // namespace

ApiResult post_return(Store& store, const Caller& caller, const std::string& body, std::int64_t now_ms) {
    codec::DecodeError e;
    const auto j = codec::parse_json(body, &e);
    if (!j) return {400, codec::error_json(e), {}};
    ReturnRequest rq;
    ApiResult bad;
    if (!decode_request(*j, &rq, &bad)) return bad;
    const auto merchant = store.merchant_by_id(caller.merchant_id);
    if (!merchant) return error(404, "not_found", "no such merchant", "");
    const auto member_id = store.receipt_member(merchant->merchant_id, rq.receipt_id);
    if (!member_id) return error(404, "not_found", "no receipt has this id", "receipt_id");
    const auto member = store.member_by_id(merchant->merchant_id, *member_id);
    const auto record = store.current_program(merchant->merchant_id);
    const auto program = record ? codec::decode_program(*codec::parse_json(record->document, &e)) : codec::Decoded<program::Program>{};
    if (!member || !program.ok()) return {500, codec::error_json("internal", "the receipt's member or program is missing"), merchant->merchant_id};

    const std::string op_hex = ledger::to_hex(rq.op);
    ApiResult out;
    out.merchant_id = merchant->merchant_id;
    store.with_member(merchant->merchant_id, *member_id, [&](MemberTx& tx) {
        if (const auto seen = tx.operation(op_hex)) {
            const std::string field = first_difference(Json::parse(seen->request, nullptr, false), *j);
            if (seen->kind != "return" || !field.empty()) {
                out = error(409, "operation_conflict", "operation_id was used before for a different request", field.empty() ? "operation_id" : field);
                return false;
            }
            out = {seen->status, Json::parse(seen->response), merchant->merchant_id};
            out.body["replayed"] = true;
            return false;
        }
        ReceiptRecord receipt = *tx.receipt(rq.receipt_id);
        const auto posted = codec::decode_receipt(Json::parse(receipt.receipt));
        const auto quoted = codec::decode_quote_lines(Json::parse(receipt.quote));
        if (!posted.ok() || !quoted.ok()) throw std::runtime_error("stored receipt " + rq.receipt_id + " is unreadable");
        std::vector<std::int64_t> already = Json::parse(receipt.returned).get<std::vector<std::int64_t>>();
        already.resize(posted.value->lines.size(), 0);
        if (rq.quantities.size() != posted.value->lines.size()) {
            out = error(400, "invalid_value", "quantities needs one number per receipt line (" +
                        std::to_string(posted.value->lines.size()) + ")", "quantities");
            return false;
        }
        const quote::ReturnResult ret = quote::quote_return(*posted.value, *quoted.value, rq.quantities, already);
        if (ret.status != quote::QuoteStatus::ok) {
            const std::string field = "quantities" + ret.field.substr(std::string("returned").size());
            out = error(400, "invalid_return", field + " is more than is left to return", field);
            return false;
        }
        const auto stored = tx.entries();
        auto restored = ledger::restore(stored);
        if (restored.status != ledger::EntryStatus::ok) throw std::runtime_error("stored ledger does not restore");
        ledger::Ledger& l = restored.ledger;
        l.advance(now_ms);
        std::string failure;
        if ((ret.points_clawback > 0 &&
             !apply(l, ledger::Clawback{ledger::derive_entry_id(rq.op, "clawback"), ret.points_clawback, "return", rq.receipt_id}, now_ms, &failure)) ||
            (ret.points_refund > 0 &&
             !apply(l, ledger::Refund{ledger::derive_entry_id(rq.op, "refund"), ret.points_refund, 0, "return", rq.receipt_id}, now_ms, &failure))) {
            out = error(409, failure, "the ledger refused the return: " + failure, "quantities");
            return false;
        }
        tx.append_entries(std::vector<ledger::Entry>(l.entries().begin() + static_cast<std::ptrdiff_t>(stored.size()), l.entries().end()));

        for (std::size_t i = 0; i < already.size(); ++i) already[i] += rq.quantities[i];
        receipt.returned = Json(already).dump();
        receipt.tier_qualifying -= ret.tier_qualifying_clawback;
        tx.save_receipt(receipt);
        MemberCounters counters = tx.counters();
        counters.spend_total = std::max<std::int64_t>(0, counters.spend_total - ret.money_refund);
        Json stamps = Json::parse(counters.stamps, nullptr, false);
        if (stamps.is_object())
            for (const auto& [card, n] : ret.stamps_clawback)
                stamps[card] = std::max<std::int64_t>(0, stamps.value(card, std::int64_t{0}) - n);
        counters.stamps = stamps.dump();
        tx.save_counters(counters);

        members::TierState tier{0, counters.tier_held};
        if (program.value->tiers) tier.qualifying = tx.tier_qualifying_since(now_ms - program.value->tiers->window_days * kDayMs);
        const auto snap = members::build_member_snapshot(*program.value, {member->member_id, member->display_name, merchant->code},
                                                         l.snapshot(), tier, 0, now_ms);
        out = {201,
               Json{{"operation_id", op_hex}, {"receipt_id", rq.receipt_id}, {"return", codec::encode_return(ret)},
                    {"member", codec::encode_member(snap)}},
               merchant->merchant_id};
        tx.save_operation({op_hex, "return", member->member_id, j->dump(), out.status, out.body.dump(), now_ms});
        return true;
    });
    return out;
}

}  // namespace kopilka::server

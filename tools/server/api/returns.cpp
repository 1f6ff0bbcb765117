#include "api/returns.hpp"

#include "api/member_write.hpp"
#include "api/wheel_state.hpp"

#include <stdexcept>

#include "codec/object_reader.hpp"
#include "codec/quote_json.hpp"
#include "core/ledger/ledger.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

struct ReturnRequest {
    ledger::EntryId op;
    std::string receipt_id;
    std::vector<std::int64_t> quantities;  // units returned now, per receipt line
};

bool decode_request(const Json& j, ReturnRequest* out, ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    read_operation_id(r, &out->op);
    r.text("receipt_id", &out->receipt_id, 64);
    if (r.ok() &&
        (!r.has("quantities") || !j.at("quantities").is_array() || j.at("quantities").empty() ||
         j.at("quantities").size() > quote::receipt_lines_max))
        r.fail("invalid_value", "quantities",
               "must be an array with the units returned per receipt line");
    // Each count within a line's quantity limit: the sums a return adds up can't overflow.
    const std::string count_why =
        "must be a whole number of units from 0 to " + std::to_string(quote::line_quantity_max);
    for (std::size_t i = 0; r.ok() && i < j.at("quantities").size(); ++i) {
        const Json& q = j.at("quantities")[i];
        const bool in_range = q.is_number_unsigned()
                                  ? q.get<std::uint64_t>() <= quote::line_quantity_max
                                  : q.is_number_integer() && q.get<std::int64_t>() >= 0 &&
                                        q.get<std::int64_t>() <= quote::line_quantity_max;
        if (!in_range)
            r.fail("out_of_range", codec::index_path("quantities", i), count_why);
        else
            out->quantities.push_back(q.get<std::int64_t>());
    }
    r.reject_unknown({"operation_id", "receipt_id", "quantities"});
    if (e.code.empty()) return true;
    *err = {400, codec::error_json(e), {}};
    return false;
}

bool apply(ledger::Ledger& l, const ledger::Operation& op, std::int64_t now_ms,
           std::string* failure) {
    const auto r = l.apply(op, now_ms);
    if (ledger::status_succeeded(r.status)) return true;
    *failure = std::string(ledger::status_name(r.status));
    return false;
}
}  // namespace

ApiResult post_return(Store& store, const Caller& caller, const std::string& body,
                      std::int64_t now_ms) {
    ReturnRequest rq;
    ApiResult bad;
    const auto j =
        read_body(body, &bad, [&](const Json& j) { return decode_request(j, &rq, &bad); });
    if (!j) return bad;
    const auto merchant = store.merchant_by_id(caller.merchant_id);
    if (!merchant) return api_error(404, "not_found", "no such merchant", "Authorization");
    const auto member_id = store.receipt_member(merchant->merchant_id, rq.receipt_id);
    if (!member_id) return api_error(404, "not_found", "no receipt has this id", "receipt_id");
    if (member_id->empty())
        return api_error(
            409, "receipt_without_member",
            "the receipt was posted without a member, so it earned no points and there is nothing "
            "to claw back; refund the money at the till as usual",
            "receipt_id");
    const auto member = store.member_by_id(merchant->merchant_id, *member_id);
    if (auto erased = member ? refuse_erased(*member, "receipt_id") : std::nullopt) return *erased;
    std::string why = "the receipt's member is missing";
    const auto program =
        member ? current_program(store, merchant->merchant_id, now_ms, &why) : nullptr;
    if (!program)
        return {500, codec::error_json("internal", "the return can't be worked out: " + why),
                merchant->merchant_id};

    const MemberWrite w{merchant->merchant_id,
                        *member_id,
                        ledger::to_hex(rq.op),
                        "return",
                        *j,
                        now_ms,
                        tier_window_asked(*program, now_ms),
                        rq.receipt_id};
    const auto wheel = active_wheel(store, merchant->merchant_id);  // for the snapshot's spins
    return member_write(store, w, [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
        ReceiptRecord receipt = *tx.receipt(rq.receipt_id);
        const auto posted = codec::decode_receipt(Json::parse(receipt.receipt));
        const auto quoted = codec::decode_quote_lines(Json::parse(receipt.quote));
        if (!posted.ok() || !quoted.ok())
            throw std::runtime_error("stored receipt " + rq.receipt_id + " is unreadable");
        std::vector<std::int64_t> already =
            Json::parse(receipt.returned).get<std::vector<std::int64_t>>();
        already.resize(posted.value->lines.size(), 0);
        if (rq.quantities.size() != posted.value->lines.size()) {
            *out = api_error(400, "invalid_value",
                             "quantities needs one number per receipt line (" +
                                 std::to_string(posted.value->lines.size()) + ")",
                             "quantities");
            return false;
        }
        const quote::ReturnResult ret =
            quote::quote_return(*posted.value, *quoted.value, rq.quantities, already);
        if (ret.status != quote::QuoteStatus::ok) {
            const std::string field =
                "quantities" + ret.field.substr(std::string("returned").size());
            *out =
                api_error(400, "invalid_return", field + " is more than is left to return", field);
            return false;
        }
        std::string failure;
        if ((ret.points_clawback > 0 &&
             !apply(l,
                    ledger::Clawback{ledger::derive_entry_id(rq.op, "clawback"),
                                     ret.points_clawback, "return", rq.receipt_id},
                    now_ms, &failure)) ||
            (ret.points_refund > 0 &&
             !apply(l,
                    ledger::Refund{ledger::derive_entry_id(rq.op, "refund"), ret.points_refund, 0,
                                   "return", rq.receipt_id},
                    now_ms, &failure))) {
            *out =
                api_error(409, failure, "the ledger refused the return: " + failure, "quantities");
            return false;
        }
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

        *out = {201,
                Json{{"operation_id", w.op_hex},
                     {"receipt_id", rq.receipt_id},
                     {"return", codec::encode_return(ret)},
                     {"member", snapshot_after(tx, *program, *merchant, *member, l.snapshot(),
                                               counters.tier_held, now_ms,
                                               spin_offer(*merchant, member->member_id, wheel,
                                                          counters.spins, now_ms))}},
                {}};
        return true;
    });
}

}  // namespace kopilka::server

// Admin API: the merchant and its program.
// Implemented: GET /v1/admin/merchant (never the secrets), GET/PUT /v1/admin/program (a new
// version per accepted program; a bad one is refused naming the field and nothing is stored),
// POST /v1/admin/program/preview (the till's quote for a draft program, written nowhere).
// Missing: optimistic concurrency for PUT (two consoles saving at once both get a version,
// the later one wins); creating merchants stays the operator's `kopilka merchant`.
#include "api/admin.hpp"
#include "api/staff.hpp"

#include <stdexcept>

#include "api/member_write.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"
#include "core/ledger/ledger.hpp"
#include "core/quote/quote.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

// A nested document's error, its field put under the nested key ("program.tiers.levels[1]").
ApiResult nested_error(codec::DecodeError e, const char* key) {
    e.field = codec::join_path(key, e.field);
    e.message = std::string(key) + ": " + e.message;
    return {400, codec::error_json(e), {}};
}

struct PreviewRequest {
    std::optional<program::Program> program;  // nullopt: the current one
    quote::Receipt receipt;
    std::string member_id, card;
    quote::MemberContext context;
    std::int64_t redeem_points = 0;
};

bool decode_preview(const Json& j, std::int64_t now_ms, PreviewRequest* out, ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    if (r.has("member")) {
        read_member_ref(r, &out->member_id, &out->card);
        if (r.ok() && r.has("context"))
            r.fail("invalid_value", "context",
                   "can't be combined with member (a stored member has its own)");
    }
    r.optional_integer("redeem_points", &out->redeem_points, 0, program::amount_max);
    if (r.ok() && !r.has("receipt")) r.fail("missing_field", "receipt", "is required");
    r.reject_unknown({"program", "receipt", "member", "context", "redeem_points"});
    if (!r.ok()) {
        *err = {400, codec::error_json(e), {}};
        return false;
    }
    if (j.contains("program")) {
        auto p = codec::decode_program(j.at("program"));
        if (!p.ok()) {
            *err = nested_error(p.error, "program");
            return false;
        }
        out->program = std::move(*p.value);
    }
    auto receipt = codec::decode_receipt(j.at("receipt"));
    if (!receipt.ok()) {
        *err = nested_error(receipt.error, "receipt");
        return false;
    }
    out->receipt = std::move(*receipt.value);
    if (out->receipt.at_ms == 0) out->receipt.at_ms = now_ms;
    if (j.contains("context")) {
        auto context = codec::decode_member_context(j.at("context"));
        if (!context.ok()) {
            *err = nested_error(context.error, "context");
            return false;
        }
        out->context = std::move(*context.value);
    }
    return true;
}
}  // namespace

ApiResult admin_merchant(Store& store, const Caller& caller) {
    ApiResult err;
    const auto m = admin_merchant_record(store, caller, &err);
    if (!m) return err;
    return {200,
            Json{{"id", m->merchant_id},
                 {"code", m->code},
                 {"name", m->name},
                 {"currency", m->currency}},
            m->merchant_id};
}

ApiResult admin_get_program(Store& store, const Caller& caller) {
    const auto record = store.current_program(caller.merchant_id);
    if (!record) return api_error(404, "not_found", "the merchant has no program yet; PUT one", "");
    return {200, Json{{"version", record->version}, {"program", Json::parse(record->document)}},
            caller.merchant_id};
}

ApiResult admin_put_program(Store& store, const Caller& caller, const std::string& body,
                            std::optional<std::int64_t> if_version, std::int64_t now_ms) {
    ApiResult unreadable;
    const auto j = parse_body(body, &unreadable);
    if (!j) return unreadable;
    // decode_program checks types and ranges, then program::validate_program's rules.
    const auto p = codec::decode_program(*j);
    if (!p.ok()) return {400, codec::error_json(p.error), caller.merchant_id};
    ApiResult err;
    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    const std::string currency(money::currency_info(p.value->currency).code);
    if (currency != merchant->currency)
        return api_error(400, "invalid_value",
                         "currency must be the merchant's currency, " + merchant->currency,
                         "currency");
    const auto current = store.current_program(merchant->merchant_id);
    const std::int64_t version = current ? current->version + 1 : 1;
    const Json before = current ? Json::parse(current->document, nullptr, false) : Json();
    try {
        store.put_program({merchant->merchant_id, p.value->id, version, j->dump()}, now_ms,
                          audited(caller, "program.save", p.value->id, before, *j, now_ms,
                                  if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200, Json{{"version", version}, {"program_id", p.value->id}}, merchant->merchant_id};
}

ApiResult admin_preview_program(Store& store, const Caller& caller, const std::string& body,
                                std::int64_t now_ms) {
    ApiResult unreadable;
    const auto j = parse_body(body, &unreadable);
    if (!j) return unreadable;
    PreviewRequest rq;
    ApiResult err;
    if (!decode_preview(*j, now_ms, &rq, &err)) return err;
    if (!rq.program) {
        ApiResult no_program;
        rq.program = usable_program(store, caller.merchant_id, &no_program);
        if (!rq.program) return no_program;
    }
    if (!rq.member_id.empty() || !rq.card.empty()) {
        const auto member = rq.card.empty() ? store.member_by_id(caller.merchant_id, rq.member_id)
                                            : store.member_by_card(caller.merchant_id, rq.card);
        if (!member)
            return api_error(404, "not_found", "no member has this id or card",
                             rq.card.empty() ? "member.id" : "member.card");
        if (auto erased = refuse_erased(*member, rq.card.empty() ? "member.id" : "member.card"))
            return *erased;
        store.read_member(caller.merchant_id, member->member_id, [&](MemberTx& tx) {
            rq.context =
                member_context(*rq.program, tx, load_ledger(tx, now_ms), tx.counters(), now_ms);
        });
    }
    quote::QuoteOptions options;
    options.redeem_points = rq.redeem_points;
    const quote::Quote q = quote::quote_receipt(*rq.program, rq.context, rq.receipt, options);
    if (q.status != quote::QuoteStatus::ok)
        return api_error(400,
                         q.status == quote::QuoteStatus::overflow ? "overflow" : "invalid_receipt",
                         "receipt." + q.field + " is not acceptable", "receipt." + q.field);
    return {200, Json{{"quote", codec::encode_quote(q, *rq.program)}}, caller.merchant_id};
}

}  // namespace kopilka::server

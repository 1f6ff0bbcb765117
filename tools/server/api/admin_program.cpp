// Admin API: the merchant and its program.
// Implemented: GET /v1/admin/merchant (never the secrets); GET/PUT /v1/admin/program and
// POST /v1/admin/program/versions (a new version per accepted program, taking effect now or
// at a later date; a bad one is refused naming the field and nothing is stored; If-Match or
// if_version refuses a stale save with 412); the version history, one version, and revert
// (the old document published again as a new version); POST /v1/admin/program/preview (the
// till's quote for a draft program), .../what-if (the draft beside the published program)
// and .../simulate (a draft over the merchant's stored receipts of the last N days). None of
// the three writes anything.
// Missing: creating merchants stays the operator's `kopilka merchant`; the simulation's
// member histories start empty at the period's start (simulation_approximations below).
//
// [SECTION] Effective dates
// [SECTION] Quoting for the console (preview, what-if)
// [SECTION] Versions
// [SECTION] Draft simulation
// [SECTION] Handlers
#include "api/admin.hpp"
#include "api/staff.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "api/member_write.hpp"
#include "codec/object_reader.hpp"
#include "codec/program_json.hpp"
#include "codec/quote_json.hpp"
#include "core/ledger/ledger.hpp"
#include "core/money/money.hpp"
#include "core/quote/quote.hpp"

namespace kopilka::server {

namespace {
using codec::Json;

constexpr std::int64_t kTimeMsMax = 4102444800000;  // 2100-01-01: later is a typo

// A nested document's error, its field put under the nested key ("program.tiers.levels[1]").
ApiResult nested_error(codec::DecodeError e, const char* key) {
    e.field = codec::join_path(key, e.field);
    e.message = std::string(key) + ": " + e.message;
    return {400, codec::error_json(e), {}};
}

// [SECTION] Effective dates

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool leap_year(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// An RFC 3339 date-time, "2026-12-24T18:00:00Z" or with a fraction and an offset
// ("…00.250+02:00"), as ms since the epoch; nullopt when it isn't one. Fractions beyond
// milliseconds are cut off.
std::optional<std::int64_t> parse_rfc3339_ms(const std::string& s) {
    bool ok = true;
    const auto num = [&](std::size_t at, std::size_t n) {
        std::int64_t v = 0;
        for (std::size_t i = at; i < at + n; ++i) {
            ok = ok && i < s.size() && s[i] >= '0' && s[i] <= '9';
            v = ok ? v * 10 + (s[i] - '0') : 0;
        }
        return v;
    };
    const auto is = [&](std::size_t at, const char* chars) {
        return at < s.size() && std::string(chars).find(s[at]) != std::string::npos;
    };
    const std::int64_t y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2),
                       mi = num(14, 2), sec = num(17, 2);
    ok = ok && is(4, "-") && is(7, "-") && is(10, "Tt ") && is(13, ":") && is(16, ":");
    const std::int64_t month_days[] = {31, leap_year(y) ? 29 : 28, 31, 30, 31, 30,
                                       31, 31, 30, 31, 30, 31};
    ok = ok && mo >= 1 && mo <= 12 && d >= 1 && d <= month_days[mo >= 1 && mo <= 12 ? mo - 1 : 0] &&
         h <= 23 && mi <= 59 && sec <= 60;
    std::size_t at = 19;
    std::int64_t ms = 0;
    if (ok && is(at, ".")) {
        std::size_t digits = 0;
        for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits)
            if (digits < 3) ms = ms * 10 + (s[at] - '0');
        ok = digits > 0;
        for (; digits < 3; ++digits) ms *= 10;
    }
    std::int64_t offset_min = 0;
    if (ok && is(at, "Zz")) {
        ++at;
    } else if (ok && is(at, "+-")) {
        const std::int64_t sign = s[at] == '-' ? -1 : 1;
        const std::int64_t oh = num(at + 1, 2), om = num(at + 4, 2);
        ok = ok && is(at + 3, ":") && oh <= 23 && om <= 59;
        offset_min = sign * (oh * 60 + om);
        at += 6;
    } else {
        ok = false;
    }
    if (!ok || at != s.size()) return std::nullopt;
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi - offset_min) * 60'000 +
           std::min<std::int64_t>(sec, 59) * 1000 + ms;
}

// "effective_from" as ms: a whole number of ms since the epoch or an RFC 3339 date-time, not
// more than effective_past_ms_max before now (a save can't rewrite what tills already did);
// absent: now. False with a 400 naming `field` in *err.
bool read_effective_from(const Json* value, const std::string& field, std::int64_t now_ms,
                         std::int64_t* out, ApiResult* err) {
    *out = now_ms;
    if (!value) return true;
    std::optional<std::int64_t> ms;
    if (value->is_number_integer()) ms = value->get<std::int64_t>();
    if (value->is_string()) ms = parse_rfc3339_ms(value->get<std::string>());
    if (!ms || *ms < now_ms - effective_past_ms_max || *ms > kTimeMsMax) {
        *err = api_error(400, "invalid_value",
                         field + " must be a time (ms since 1970 or RFC 3339, " +
                             "\"2026-12-24T18:00:00Z\") from now on, before 2100",
                         field);
        return false;
    }
    *out = *ms;
    return true;
}

// [SECTION] Quoting for the console (preview, what-if)

struct PreviewRequest {
    std::optional<program::Program> program;  // nullopt: the one in force
    quote::Receipt receipt;
    std::string member_id, card;
    quote::MemberContext context;
    std::int64_t redeem_points = 0;
    std::string stored_member_id;  // the member's id once found ("" for none)
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

// The preview request's stored member ("" when it names none): the member's id, or false with
// a 404 or 410 naming the field in *err.
bool preview_member(Store& store, const Caller& caller, const PreviewRequest& rq,
                    std::string* member_id, ApiResult* err) {
    member_id->clear();
    if (rq.member_id.empty() && rq.card.empty()) return true;
    const char* field = rq.card.empty() ? "member.id" : "member.card";
    const auto member = rq.card.empty() ? store.member_by_id(caller.merchant_id, rq.member_id)
                                        : store.member_by_card(caller.merchant_id, rq.card);
    if (!member) {
        *err = api_error(404, "not_found", "no member has this id or card", field);
        return false;
    }
    if (auto erased = refuse_erased(*member, field)) {
        *err = *erased;
        return false;
    }
    *member_id = member->member_id;
    return true;
}

// The body of a preview or what-if, decoded, with its stored member's id; false with the 400,
// 404 or 410 in *err.
bool read_preview(Store& store, const Caller& caller, const std::string& body,
                  std::int64_t now_ms, PreviewRequest* rq, ApiResult* err) {
    return read_body(body, err,
                     [&](const Json& j) { return decode_preview(j, now_ms, rq, err); }) &&
           preview_member(store, caller, *rq, &rq->stored_member_id, err);
}

// The receipt quoted under p, for the stored member (if any) or the request's context; false
// with a 400 naming the receipt's field in *err.
bool console_quote(Store& store, const Caller& caller, const PreviewRequest& rq,
                   const program::Program& p, std::int64_t now_ms, quote::Quote* out,
                   ApiResult* err) {
    quote::MemberContext context = rq.context;
    if (!rq.stored_member_id.empty())
        store.read_member(caller.merchant_id, rq.stored_member_id, [&](MemberTx& tx) {
            context = member_context(p, tx, load_ledger(tx, now_ms), tx.counters(), now_ms);
        });
    quote::QuoteOptions options;
    options.redeem_points = rq.redeem_points;
    *out = quote::quote_receipt(p, context, rq.receipt, options);
    if (out->status == quote::QuoteStatus::ok) return true;
    const bool overflow = out->status == quote::QuoteStatus::overflow;
    *err = api_error(400, overflow ? "overflow" : "invalid_receipt",
                     "receipt." + out->field + " is not acceptable", "receipt." + out->field);
    return false;
}

// [SECTION] Versions

// A line on what a program does, for the history list: its name and mechanics,
// "Kopilka demo points: bonus, tiers (3), referral, rewards (3)".
std::string program_summary(const Json& doc) {
    std::string out = doc.value("name", std::string());
    std::string parts;
    for (const char* key : {"flat_discount", "discount_ladder", "bonus", "stamp_cards", "tiers",
                            "vip_plans", "cashback", "referral", "coalition", "rewards",
                            "segments"}) {
        if (!doc.contains(key) || doc.at(key).is_null()) continue;
        const Json& v = doc.at(key);
        const Json* items = key == std::string("tiers") && v.is_object() && v.contains("levels")
                                ? &v.at("levels")
                                : &v;
        if (items->is_array() && items->empty()) continue;
        parts += (parts.empty() ? "" : ", ") + std::string(key);
        if (items->is_array()) parts += " (" + std::to_string(items->size()) + ")";
    }
    return out + (parts.empty() ? "" : ": " + parts);
}

// A version as the history lists it; with its document when with_program.
Json version_json(const ProgramRecord& r, std::optional<std::int64_t> in_force,
                  bool with_program) {
    const Json doc = Json::parse(r.document, nullptr, false);
    Json j = {{"version", r.version},
              {"program_id", r.program_id},
              {"effective_from_ms", r.effective_from_ms},
              {"created_at_ms", r.created_at_ms},
              {"by", r.by_kind.empty() ? Json(nullptr)
                                       : Json{{"kind", r.by_kind},
                                              {"id", r.by_id},
                                              {"label", r.by_label}}},
              {"summary", program_summary(doc)},
              {"in_force", in_force && *in_force == r.version}};
    if (with_program) j["program"] = doc;
    return j;
}

// The stored version `text` names, or a 400/404 in *err.
std::optional<ProgramRecord> stored_version(Store& store, const Caller& caller,
                                            const std::string& text, ApiResult* err) {
    std::int64_t v = 0;
    if (!query_integer("version", text, 1, program::amount_max, &v, err)) return std::nullopt;
    auto rows = store.program_versions(caller.merchant_id, v + 1, 1);
    if (rows.empty() || rows[0].version != v) {
        *err = api_error(404, "not_found", "the program has no version " + text, "version");
        err->merchant_id = caller.merchant_id;
        return std::nullopt;
    }
    return std::move(rows[0]);
}

// Stores `doc` (decoded and validated again: a stored document may predate a rule) as the next
// version from effective_from_ms, with an audit line `action`; 200 with the new version, or
// the 400 (its field under `key` when the document came as one: "program.currency") or 412.
ApiResult publish(Store& store, const Caller& caller, const Json& doc, const char* key,
                  std::int64_t effective_from_ms, std::optional<std::int64_t> if_version,
                  const char* action, std::int64_t now_ms) {
    // decode_program checks types and ranges, then program::validate_program's rules.
    const auto p = codec::decode_program(doc);
    if (!p.ok())
        return *key ? nested_error(p.error, key)
                    : ApiResult{400, codec::error_json(p.error), caller.merchant_id};
    ApiResult err;
    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    const std::string currency(money::currency_info(p.value->currency).code);
    if (currency != merchant->currency)
        return api_error(400, "invalid_value",
                         "currency must be the merchant's currency, " + merchant->currency,
                         codec::join_path(key, "currency"));
    const auto before = store.current_program(merchant->merchant_id, now_ms);
    std::int64_t version = 0;
    try {
        ProgramRecord record{merchant->merchant_id, p.value->id, 0, doc.dump()};
        record.effective_from_ms = effective_from_ms;
        version = store.put_program(
            record, now_ms,
            audited(caller, action, p.value->id,
                    before ? Json::parse(before->document, nullptr, false) : Json(), doc, now_ms,
                    if_version));
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    return {200,
            Json{{"version", version},
                 {"program_id", p.value->id},
                 {"effective_from_ms", effective_from_ms}},
            merchant->merchant_id};
}

// A body's "if_version" (else the If-Match header's): a whole number, 0 when none is stored.
bool read_if_version(codec::ObjectReader& r, std::optional<std::int64_t>* if_version) {
    if (!r.has("if_version")) return true;
    std::int64_t v = 0;
    r.integer("if_version", &v, 0, program::amount_max);
    *if_version = v;
    return r.ok();
}

// [SECTION] Draft simulation

// What the simulation can't know from a stored receipt, stated in every answer.
const char* const simulation_approximations[] = {
    "members start the period with no history: no spend before it, the first tier, no stamps, "
    "no points to redeem; their spend, tier and stamps then grow with the period's receipts",
    "tier qualification counts the whole period (no rolling window, no demotion)",
    "no points are redeemed and no referral bonuses, VIP plans or member attributes apply",
    "returns are not taken off: a returned receipt counts in full",
    "receipts without a member are counted at what was paid and earn nothing",
};

// Sums over the simulated receipts under one program (minor units and points).
struct SimFigures {
    std::int64_t receipts = 0, member_receipts = 0, gross = 0, paid = 0, discount = 0, points = 0,
                 cashback = 0;
    bool overflow = false;

    void add(std::int64_t* sum, std::int64_t v) {
        overflow = overflow || !money::checked_add(*sum, v, sum);
    }
    void count(const quote::Quote& q, bool member) {
        receipts += 1;
        member_receipts += member ? 1 : 0;
        add(&gross, q.gross);
        add(&paid, q.paid);
        add(&discount, q.discount);
        add(&points, q.points_earned);
        add(&cashback, q.cashback);
    }
    Json to_json(const program::Program& p) {
        std::int64_t points_value = 0, cost = 0;
        overflow = overflow || __builtin_mul_overflow(points, p.point_value_minor, &points_value);
        add(&cost, discount);
        add(&cost, points_value);
        add(&cost, cashback);
        return {{"receipts", receipts},
                {"member_receipts", member_receipts},
                {"revenue_minor", gross},
                {"paid_minor", paid},
                {"discount_minor", discount},
                {"points_issued", points},
                {"points_value_minor", points_value},
                {"cashback_minor", cashback},
                {"cost_minor", cost},
                {"cost_share_bp", gross > 0 ? static_cast<std::int64_t>(
                                                  static_cast<__int128>(cost) * 10000 / gross)
                                            : 0}};
    }
};

// One program's run over the receipts: the simulated members' state as it grows.
struct SimRun {
    const program::Program* program;
    SimFigures figures;
    std::map<std::string, quote::MemberContext> members;

    void receipt(const std::string& member_id, const quote::Receipt& r, std::int64_t paid) {
        if (member_id.empty()) {
            quote::Quote q;
            q.gross = q.paid = paid;
            figures.count(q, false);
            return;
        }
        quote::MemberContext& m = members[member_id];
        const quote::Quote q = quote::quote_receipt(*program, m, r);
        if (q.status != quote::QuoteStatus::ok) {
            figures.overflow = figures.overflow || q.status == quote::QuoteStatus::overflow;
            return;
        }
        figures.count(q, true);
        m.spend_before += q.paid;
        m.last_purchase_ms = std::max(m.last_purchase_ms, r.at_ms);
        for (const auto& line : q.lines) m.tier_qualifying += line.tier_qualifying;
        if (program->tiers && q.tier_after >= 0)
            m.tier_held = program->tiers->levels[static_cast<std::size_t>(q.tier_after)].id;
        for (const auto& [card, s] : q.stamps) m.stamps[card] = s.after;
    }
};

// Runs both programs over the merchant's receipts in [from_ms, to_ms), a page at a time;
// *skipped counts stored receipts that don't decode.
void simulate_receipts(Store& store, const std::string& merchant_id, std::int64_t from_ms,
                       std::int64_t to_ms, SimRun* draft, SimRun* published,
                       std::int64_t* skipped) {
    std::int64_t after_at = from_ms - 1;
    std::string after_id;
    for (;;) {
        const auto page = store.receipts_page(merchant_id, from_ms, to_ms, after_at, after_id,
                                              simulate_page_rows);
        for (const ReceiptRecord& rec : page) {
            codec::DecodeError e;
            const auto j = codec::parse_json(rec.receipt, &e);
            auto r = j ? codec::decode_receipt(*j) : codec::Decoded<quote::Receipt>{};
            if (!r.ok()) {
                ++*skipped;
                continue;
            }
            r.value->at_ms = rec.at_ms;
            draft->receipt(rec.member_id, *r.value, rec.paid);
            if (published) published->receipt(rec.member_id, *r.value, rec.paid);
        }
        if (page.size() < simulate_page_rows) return;
        after_at = page.back().at_ms;
        after_id = page.back().receipt_id;
    }
}

// {program: draft, days: N}: the draft decoded and N in [1, simulate_days_max].
bool decode_simulate(const Json& j, std::optional<program::Program>* draft, std::int64_t* days,
                     ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    if (r.ok() && !r.has("program")) r.fail("missing_field", "program", "is required");
    r.integer("days", days, 1, simulate_days_max);
    r.reject_unknown({"program", "days"});
    if (!r.ok()) {
        *err = {400, codec::error_json(e), {}};
        return false;
    }
    auto p = codec::decode_program(j.at("program"));
    if (!p.ok()) {
        *err = nested_error(p.error, "program");
        return false;
    }
    *draft = std::move(*p.value);
    return true;
}

Json quote_difference(const quote::Quote& draft, const quote::Quote& published) {
    return {{"points_earned", draft.points_earned - published.points_earned},
            {"discount", draft.discount - published.discount},
            {"paid", draft.paid - published.paid},
            {"cashback", draft.cashback - published.cashback}};
}
}  // namespace

// [SECTION] Handlers

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

ApiResult admin_get_program(Store& store, const Caller& caller, std::int64_t now_ms) {
    const auto record = store.current_program(caller.merchant_id, now_ms);
    if (!record) return api_error(404, "not_found", "the merchant has no program yet; PUT one", "");
    const auto latest = store.program_versions(caller.merchant_id, 0, 1);
    Json scheduled = Json::array();
    for (const auto& v : store.program_versions(caller.merchant_id, 0, program_versions_page_max))
        if (v.effective_from_ms > now_ms) scheduled.push_back(version_json(v, {}, false));
    return {200,
            Json{{"version", record->version},
                 {"program", Json::parse(record->document)},
                 {"effective_from_ms", record->effective_from_ms},
                 {"latest_version", latest.empty() ? record->version : latest[0].version},
                 {"scheduled", scheduled}},
            caller.merchant_id};
}

ApiResult admin_put_program(Store& store, const Caller& caller, const std::string& body,
                            const std::optional<std::string>& effective_from,
                            std::optional<std::int64_t> if_version, std::int64_t now_ms) {
    ApiResult err;
    const auto j = parse_body(body, &err);
    if (!j) return err;
    std::int64_t from_ms = now_ms;
    if (effective_from) {
        // Digits only: ms since the epoch; anything else is read as RFC 3339.
        const bool digits = !effective_from->empty() && effective_from->size() <= 18 &&
                            effective_from->find_first_not_of("0123456789") == std::string::npos;
        const Json value = digits ? Json(std::stoll(*effective_from)) : Json(*effective_from);
        if (!read_effective_from(&value, "effective_from", now_ms, &from_ms, &err)) return err;
    }
    return publish(store, caller, *j, "", from_ms, if_version, "program.save", now_ms);
}

ApiResult admin_post_program_version(Store& store, const Caller& caller, const std::string& body,
                                     std::optional<std::int64_t> if_version,
                                     std::int64_t now_ms) {
    ApiResult err;
    const auto j = parse_body(body, &err);
    if (!j) return err;
    codec::DecodeError e;
    codec::ObjectReader r(*j, "", &e);
    if (r.ok() && !r.has("program")) r.fail("missing_field", "program", "is required");
    read_if_version(r, &if_version);
    r.reject_unknown({"program", "effective_from", "if_version"});
    if (!r.ok()) return {400, codec::error_json(e), caller.merchant_id};
    std::int64_t from_ms = now_ms;
    const Json* from = j->contains("effective_from") ? &j->at("effective_from") : nullptr;
    if (!read_effective_from(from, "effective_from", now_ms, &from_ms, &err)) return err;
    ApiResult a = publish(store, caller, j->at("program"), "program", from_ms, if_version,
                          "program.save", now_ms);
    if (a.status == 200) a.status = 201;
    return a;
}

ApiResult admin_program_versions(Store& store, const Caller& caller,
                                 const std::optional<std::string>& before,
                                 const std::optional<std::string>& limit, std::int64_t now_ms) {
    std::int64_t before_version = 0, page = program_versions_page_default;
    ApiResult err;
    if (before && !query_integer("before", *before, 1, program::amount_max, &before_version, &err))
        return err;
    if (limit && !query_integer("limit", *limit, 1, program_versions_page_max, &page, &err))
        return err;
    const auto in_force = store.current_program(caller.merchant_id, now_ms);
    auto rows = store.program_versions(caller.merchant_id, before_version,
                                       static_cast<std::size_t>(page) + 1);
    const bool more = rows.size() > static_cast<std::size_t>(page);
    if (more) rows.resize(static_cast<std::size_t>(page));
    Json versions = Json::array();
    for (const auto& v : rows)
        versions.push_back(version_json(
            v, in_force ? std::optional<std::int64_t>(in_force->version) : std::nullopt, false));
    return {200,
            Json{{"versions", versions},
                 {"in_force_version", in_force ? Json(in_force->version) : Json(nullptr)},
                 {"next_before", more ? Json(rows.back().version) : Json(nullptr)}},
            caller.merchant_id};
}

ApiResult admin_program_version(Store& store, const Caller& caller, const std::string& version,
                                std::int64_t now_ms) {
    ApiResult err;
    const auto v = stored_version(store, caller, version, &err);
    if (!v) return err;
    const auto in_force = store.current_program(caller.merchant_id, now_ms);
    return {200,
            version_json(*v,
                         in_force ? std::optional<std::int64_t>(in_force->version) : std::nullopt,
                         true),
            caller.merchant_id};
}

ApiResult admin_revert_program(Store& store, const Caller& caller, const std::string& version,
                               const std::string& body, std::optional<std::int64_t> if_version,
                               std::int64_t now_ms) {
    ApiResult err;
    const auto j = body.empty() ? std::optional<Json>(Json::object()) : parse_body(body, &err);
    if (!j) return err;
    codec::DecodeError e;
    codec::ObjectReader r(*j, "", &e);
    read_if_version(r, &if_version);
    r.reject_unknown({"effective_from", "if_version"});
    if (!r.ok()) return {400, codec::error_json(e), caller.merchant_id};
    std::int64_t from_ms = now_ms;
    const Json* from = j->contains("effective_from") ? &j->at("effective_from") : nullptr;
    if (!read_effective_from(from, "effective_from", now_ms, &from_ms, &err)) return err;
    const auto v = stored_version(store, caller, version, &err);
    if (!v) return err;
    ApiResult a = publish(store, caller, Json::parse(v->document), "", from_ms, if_version,
                          "program.revert", now_ms);
    if (a.status == 200) {
        a.status = 201;
        a.body["reverted_from"] = v->version;
    }
    return a;
}

ApiResult admin_preview_program(Store& store, const Caller& caller, const std::string& body,
                                std::int64_t now_ms) {
    PreviewRequest rq;
    ApiResult err;
    if (!read_preview(store, caller, body, now_ms, &rq, &err)) return err;
    if (!rq.program) {
        const auto in_force = usable_program(store, caller.merchant_id, rq.receipt.at_ms, &err);
        if (!in_force) return err;
        rq.program = *in_force;
    }
    quote::Quote q;
    if (!console_quote(store, caller, rq, *rq.program, now_ms, &q, &err)) return err;
    return {200, Json{{"quote", codec::encode_quote(q, *rq.program)}}, caller.merchant_id};
}

ApiResult admin_program_what_if(Store& store, const Caller& caller, const std::string& body,
                                std::int64_t now_ms) {
    PreviewRequest rq;
    ApiResult err;
    if (!read_preview(store, caller, body, now_ms, &rq, &err)) return err;
    if (!rq.program)
        return api_error(400, "missing_field", "program (the draft) is required", "program");
    quote::Quote draft;
    if (!console_quote(store, caller, rq, *rq.program, now_ms, &draft, &err))
        return err;
    Json answer = {{"draft", codec::encode_quote(draft, *rq.program)},
                   {"published", nullptr},
                   {"published_version", nullptr},
                   {"difference", nullptr}};
    const auto record = store.current_program(caller.merchant_id, rq.receipt.at_ms);
    std::string why;
    const auto published = current_program(store, caller.merchant_id, rq.receipt.at_ms, &why);
    if (record && published) {
        quote::Quote q;
        if (!console_quote(store, caller, rq, *published, now_ms, &q, &err)) return err;
        answer["published"] = codec::encode_quote(q, *published);
        answer["published_version"] = record->version;
        answer["difference"] = quote_difference(draft, q);
    }
    return {200, answer, caller.merchant_id};
}

ApiResult admin_program_simulate(Store& store, const Caller& caller, const std::string& body,
                                 std::int64_t now_ms) {
    std::optional<program::Program> draft;
    std::int64_t days = 0;
    ApiResult err;
    const auto decode = [&](const Json& j) { return decode_simulate(j, &draft, &days, &err); };
    if (!read_body(body, &err, decode)) return err;
    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    std::string why;
    const auto record = store.current_program(merchant->merchant_id, now_ms);
    const auto published = current_program(store, merchant->merchant_id, now_ms, &why);
    const std::int64_t from_ms = now_ms - days * day_ms;
    SimRun draft_run{&*draft, {}, {}};
    SimRun published_run{published ? &*published : nullptr, {}, {}};
    std::int64_t skipped = 0;
    simulate_receipts(store, merchant->merchant_id, from_ms, now_ms + 1, &draft_run,
                      published ? &published_run : nullptr, &skipped);
    Json approximations = Json::array();
    for (const char* a : simulation_approximations) approximations.push_back(a);
    Json answer = {{"days", days},
                   {"from_ms", from_ms},
                   {"to_ms", now_ms},
                   {"draft", draft_run.figures.to_json(*draft)},
                   {"published", published ? published_run.figures.to_json(*published)
                                           : Json(nullptr)},
                   {"published_version", record && published ? Json(record->version)
                                                             : Json(nullptr)},
                   {"receipts_skipped", skipped},
                   {"approximations", approximations}};
    if (draft_run.figures.overflow || published_run.figures.overflow)
        return api_error(422, "overflow", "the period's totals don't fit in 64 bits; "
                                          "simulate fewer days", "days");
    return {200, answer, merchant->merchant_id};
}

}  // namespace kopilka::server

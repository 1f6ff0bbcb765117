// Admin API: members and their personal data (PRODUCT.md, "Personal data").
// Implemented: search with pagination by member id; enrolment with recorded consent, an
// EAN-13 card generated when none is given, the program's welcome bonus, a referral by
// another member's code ("referred_by", api/referral.hpp), idempotent by operation_id; the
// profile with the member's snapshot; its history a page at a time (keyset on the ledger's seq,
// so entries appended meanwhile never shift older pages); updates of personal fields and the
// card (a lost card replaced: the old one stops working; If-Match on the member's version,
// audited by field name); manual adjustments with a reason (idempotent
// like receipts; never below zero); the export of everything personal we hold; erasure, which
// keeps the anonymous ledger.
// Operations stored for replays hold nothing personal: personal values in an enrolment's
// request are kept as keyed hashes (enough to name the field of a conflicting reuse), and
// the stored answers carry ids and numbers only; a replay answers the member as it is now.
#include "api/admin.hpp"

#include <cstdint>
#include <stdexcept>

#include "api/member_write.hpp"
#include "api/referral.hpp"
#include "api/staff.hpp"
#include "codec/ledger_json.hpp"
#include "codec/object_reader.hpp"
#include "core/cards/card_code.hpp"
#include "core/crypto/sha256.hpp"
#include "core/ledger/ledger.hpp"
#include "core/members/member_view.hpp"
#include "core/program/lifecycle.hpp"
#include "core/time.hpp"
#include "storage/demo_data.hpp"

namespace kopilka::server {

namespace {
using codec::Json;
constexpr std::size_t kNameBytesMax = 100;
constexpr std::size_t kEmailBytesMax = 254;
constexpr std::size_t kMemberIdBytesMax = 64;
constexpr std::size_t kQueryBytesMax = 100;
constexpr int kCardAttemptsMax = 20;
// The fields that are personal data: hashed in stored requests, blanked by erasure.
constexpr const char* kPersonalKeys[] = {"name", "card", "phone", "email", "birthday"};

// [SECTION] Reading personal fields

bool member_id_valid(const std::string& id) {
    if (id.empty() || id.size() > kMemberIdBytesMax) return false;
    for (const char c : id)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

// "+7 (916) 123-45-67" → "79161234567"; "" stays "" (no phone). False when it isn't 7 to 15 digits.
bool normalise_phone(const std::string& text, std::string* out) {
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c >= '0' && c <= '9') digits += c;
        else if (c == '+' && digits.empty() && i == text.find_first_not_of(' ')) continue;
        else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') return false;
    }
    if (!text.empty() && (digits.size() < 7 || digits.size() > 15)) return false;
    *out = digits;
    return true;
}

// A plausible address: one '@' with something on both sides, a dot in the domain, no spaces.
bool email_valid(const std::string& e) {
    const std::size_t at = e.find('@');
    if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos)
        return false;
    const std::size_t dot = e.find('.', at + 2);
    if (dot == std::string::npos || dot + 1 >= e.size()) return false;
    for (const char c : e)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;
    return true;
}

// "YYYY-MM-DD", a real date from 1900 on.
bool birthday_valid(const std::string& b) {
    if (b.size() != 10 || b[4] != '-' || b[7] != '-') return false;
    for (const std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (b[i] < '0' || b[i] > '9') return false;
    const program::Date d{std::stoi(b.substr(0, 4)), std::stoi(b.substr(5, 2)),
                          std::stoi(b.substr(8, 2))};
    if (d.year < 1900 || d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31) return false;
    const program::Date back = program::date_of(program::ms_of(d));
    return back.year == d.year && back.month == d.month && back.day == d.day;
}

struct Personal {
    std::string name, phone, email, birthday;
};

// A plastic card's number, if r has "card": canonical (digits, upper case), or the error.
void read_card(codec::ObjectReader& r, std::string* number, const char* advice) {
    std::string card;
    r.optional_text("card", &card, cards::card_text_bytes_max);
    if (!r.has("card")) return;
    const cards::ParseResult parsed = cards::parse_card_text(card);
    const bool plastic = parsed.status == cards::ParseStatus::ok &&
                         (parsed.code.kind == cards::CodeKind::ean13 ||
                          parsed.code.kind == cards::CodeKind::code128);
    if (!plastic)
        r.fail("invalid_value", "card",
               std::string("must be an EAN-13 number (13 digits with a correct check digit) or a "
                           "Code 128 card number (4 to 32 of A-Z, 0-9 and '-')") +
                   advice);
    *number = parsed.code.number;
}

// The personal fields present in r (absent ones keep *p's values).
void read_personal(codec::ObjectReader& r, Personal* p) {
    if (r.has("name")) r.text("name", &p->name, kNameBytesMax);
    std::string phone;
    r.optional_text("phone", &phone, 32);
    if (r.has("phone") && !normalise_phone(phone, &p->phone))
        r.fail("invalid_value", "phone",
               "must be a phone number with its country code, 7 to 15 digits");
    r.optional_text("email", &p->email, kEmailBytesMax);
    if (r.has("email") && !p->email.empty() && !email_valid(p->email))
        r.fail("invalid_value", "email", "is not an e-mail address");
    r.optional_text("birthday", &p->birthday, 10);
    if (r.has("birthday") && !p->birthday.empty() && !birthday_valid(p->birthday))
        r.fail("invalid_value", "birthday", "must be a date as YYYY-MM-DD");
}

struct EnrolRequest {
    std::optional<ledger::EntryId> op;
    std::string member_id;
    std::string card;  // canonical number
    Personal personal;
    std::string referred_by;  // another member's referral code, as typed
};

bool decode_enrol(const Json& j, EnrolRequest* out, ApiResult* err) {
    codec::DecodeError e;
    codec::ObjectReader r(j, "", &e);
    if (r.has("operation_id")) {
        out->op.emplace();
        read_operation_id(r, &*out->op);
    }
    r.optional_text("id", &out->member_id, kMemberIdBytesMax);
    if (r.has("id") && !member_id_valid(out->member_id))
        r.fail("invalid_value", "id", "must be 1 to 64 of A-Z, a-z, 0-9, '-', '_' and '.'");
    if (r.ok() && !r.has("name")) r.fail("missing_field", "name", "is required");
    read_personal(r, &out->personal);
    read_card(r, &out->card, "; leave it out to get a new EAN-13 card");
    bool consent = false;
    r.optional_flag("consent", &consent);
    if (r.ok() && !consent)
        r.fail(r.has("consent") ? "invalid_value" : "missing_field", "consent",
               "must be true: enrolment records that the member agreed to the program's terms");
    r.optional_text("referred_by", &out->referred_by, 32);
    r.reject_unknown({"operation_id", "id", "name", "card", "phone", "email", "birthday",
                      "consent", "referred_by"});
    if (e.code.empty()) return true;
    *err = {400, codec::error_json(e), {}};
    return false;
}

// [SECTION] Answers

Json profile_json(const MemberRecord& m) {
    return Json{{"id", m.member_id},
                {"name", m.display_name},
                {"card", m.card_number},
                {"phone", m.phone},
                {"email", m.email},
                {"birthday", m.birthday},
                {"consent_at_ms", m.consent_at_ms},
                {"created_at_ms", m.created_at_ms},
                {"erased", m.erased_at_ms != 0},
                {"erased_at_ms", m.erased_at_ms}};
}

// A row of the members list: the profile without what only the member's page shows, with
// the balance, the tier (as the member's page names it: held, or earned in the window) and the
// last purchase (0: none) from the member's own ledger and counters, so a page costs a few
// small reads per row and never the whole list.
Json list_item_json(Store& store, const MemberRecord& m, const program::Program* p,
                    std::int64_t now_ms) {
    Json j = profile_json(m);
    for (const char* key : {"birthday", "consent_at_ms", "erased_at_ms"}) j.erase(key);
    ledger::Snapshot points;
    MemberCounters counters;
    members::TierState tier;
    store.read_member(m.merchant_id, m.member_id, [&](MemberTx& tx) {
        points = member_points(tx, now_ms);
        counters = tx.counters();
        if (p && p->tiers)
            tier = {tx.tier_qualifying_since(now_ms - p->tiers->window_days * day_ms),
                    counters.tier_held};
    });
    tier.held = counters.tier_held;
    j["balance"] = points.balance;
    j["tier"] = p ? members::build_member_snapshot(*p, {m.member_id, "", ""}, points, tier, 0,
                                                   now_ms)
                        .tier.name
                  : "";
    j["last_visit_ms"] = counters.last_purchase_ms;
    return j;
}

// A query typed as a phone or card number ("+7 (916) 123-45", "2000 0000 1234") is searched
// by its digits, as phones and cards are stored; any other query as it is.
std::string search_text(const std::string& q) {
    std::string digits;
    for (const char c : q) {
        if (c >= '0' && c <= '9') digits += c;
        else if (c != '+' && c != ' ' && c != '-' && c != '(' && c != ')' && c != '.') return q;
    }
    return digits.empty() ? q : digits;
}

// {"profile", "member": snapshot} for a member known to exist.
ApiResult member_view(Store& store, const MerchantRecord& merchant, const MemberRecord& member,
                      std::int64_t now_ms) {
    ApiResult r = member_answer(store, merchant, member, now_ms);
    if (r.status == 200) r.body["profile"] = profile_json(member);
    return r;
}

ApiResult no_member(const std::string& id) {
    return api_error(404, "not_found", "no member \"" + id + "\"", "id");
}

// The caller's merchant and the member (an answer in *err when either is missing, or the
// member is erased: only the export still shows an erased member's anonymous history).
bool find_member_of(Store& store, const Caller& caller, const std::string& member_id,
                    std::optional<MerchantRecord>* merchant, std::optional<MemberRecord>* member,
                    ApiResult* err, bool erased_ok = false) {
    *merchant = admin_merchant_record(store, caller, err);
    if (!*merchant) return false;
    if (codec::has_control_character(member_id)) {  // a %00 in the path: never a member's id
        *err = api_error(400, "invalid_value", "id contains a control character", "id");
        return false;
    }
    *member = store.member_by_id(caller.merchant_id, member_id);
    if (!*member) *err = no_member(member_id);
    const auto erased = *member && !erased_ok ? refuse_erased(**member, "id") : std::nullopt;
    if (erased) *err = *erased;
    return member->has_value() && !erased;
}

// [SECTION] Enrolment

// The request as it is kept for replays: personal values replaced by keyed hashes.
Json stored_request(Json j, const std::string& secret) {
    for (const char* key : kPersonalKeys)
        if (j.contains(key) && j[key].is_string()) {
            const crypto::Digest d =
                crypto::hmac_sha256(secret, std::string(key) + ":" + j[key].get<std::string>());
            j[key] = "hmac:" + crypto::to_hex(d.data(), 12);
        }
    return j;
}

// The card of an enrolment that gave none: an EAN-13 number in the in-store range (prefix 2)
// derived from the operation id, so that every twin of one enrolment, however they race,
// arrives at the same number; the next candidate when another member holds one.
std::optional<std::string> new_card_number(Store& store, const std::string& merchant_id,
                                           const std::string& member_id,
                                           const ledger::EntryId& op) {
    for (int attempt = 0; attempt < kCardAttemptsMax; ++attempt) {
        const ledger::EntryId key = ledger::derive_entry_id(op, "card-" + std::to_string(attempt));
        const std::uint64_t bits = std::stoull(ledger::to_hex(key).substr(0, 15), nullptr, 16);
        const std::string digits = std::to_string(bits % 100000000000ULL);  // 11 digits at most
        const std::string twelve = "2" + std::string(11 - digits.size(), '0') + digits;
        const std::string number = twelve + cards::ean13_check_digit(twelve);
        const auto holder = store.member_by_card(merchant_id, number);
        if (!holder || holder->member_id == member_id) return number;
    }
    return std::nullopt;
}

// The 409 for a key the database found taken (UniqueViolation::field).
ApiResult taken(const std::string& field) {
    if (field == "card")
        return api_error(409, "card_taken", "another member has this card", "card");
    if (field == "phone")
        return api_error(409, "phone_taken", "another member has this phone number", "phone");
    return api_error(409, "member_exists", "a member with this id exists", "id");
}

bool same_person(const MemberRecord& m, const EnrolRequest& rq) {
    return m.erased_at_ms == 0 && m.display_name == rq.personal.name &&
           (rq.card.empty() || m.card_number == rq.card) && m.phone == rq.personal.phone &&
           m.email == rq.personal.email && m.birthday == rq.personal.birthday;
}

// Stores the enrolment's member record; nullopt when it is there.
// Enrolment takes two transactions (the member, then its ledger): a retry after a failure
// between them, or a concurrent twin, finds the same person with an empty ledger and
// finishes the job (enrol_ledger then checks that the ledger is still empty). Whether an id,
// card or phone is free is decided by the database's unique keys as the member is written.
std::optional<ApiResult> insert_member(Store& store, const std::string& merchant_id,
                                       const ledger::EntryId& op, EnrolRequest* rq,
                                       std::int64_t now_ms) {
    bool resumed = false;
    const auto exists = [&]() -> std::optional<ApiResult> {
        const auto existing = store.member_by_id(merchant_id, rq->member_id);
        if (!existing) return std::nullopt;
        if (same_person(*existing, *rq)) {
            resumed = true;
            return std::nullopt;
        }
        return taken("id");
    };
    if (auto refused = exists(); refused || resumed) return refused;
    if (rq->card.empty()) {
        const auto number = new_card_number(store, merchant_id, rq->member_id, op);
        if (!number)
            return api_error(503, "no_card_number", "no free card number was found; try again",
                             "card");
        rq->card = *number;
    }
    try {
        store.put_member(
            {merchant_id, rq->member_id, rq->personal.name, rq->card, rq->personal.phone,
             rq->personal.email, rq->personal.birthday, now_ms, 0, 0},
            now_ms, {});  // the audit line goes with the member's ledger (enrol_ledger)
    } catch (const UniqueViolation& e) {
        // A twin may have written this very member first (the violation can name its phone
        // or card as well as its id): then this one finishes the job like a retry.
        if (auto refused = exists(); refused || resumed) return refused;
        return taken(e.field);
    }
    return std::nullopt;
}

// The member's first entries: the program's welcome bonus, if it has one.
bool welcome(ledger::Ledger& l, const program::Program& p, const ledger::EntryId& op,
             std::int64_t now_ms, std::string* failure) {
    const program::EventBonus bonus = program::event_bonus(p, program::BonusEvent::welcome);
    if (bonus.points <= 0) return true;
    const std::int64_t expires =
        p.bonus && p.bonus->expiry_days > 0 ? now_ms + p.bonus->expiry_days * day_ms : 0;
    const ledger::Earn earn{ledger::derive_entry_id(op, "welcome"),
                            bonus.points,
                            0,
                            expires,
                            ledger::Reason::bonus,
                            bonus.rule,
                            ""};
    const auto r = l.apply(earn, now_ms);
    if (ledger::status_succeeded(r.status)) return true;
    *failure = std::string(ledger::status_name(r.status));
    return false;
}

// The ledger and operation part of an enrolment, in the member's transaction. *out is the
// answer when it is not a fresh 201 (a replay, a conflict).
bool enrol_ledger(Store& store, const MerchantRecord& merchant, const program::Program& p,
                  const std::string& member_id, const ledger::EntryId& op, const Json& request,
                  std::int64_t now_ms, const Change& audit, ApiResult* out) {
    const std::string op_hex = ledger::to_hex(op);
    bool written = false;
    const MemberWrite w{merchant.merchant_id, member_id, op_hex, "enrol", request, now_ms};
    *out = member_write(store, w, [&](MemberTx& tx, ledger::Ledger& l, ApiResult* answer) {
        // A member enrolled by another operation already has entries (its welcome bonus, or
        // more): only the first enrolment writes, whatever its twins sent.
        if (l.entries_count() != 0) {
            *answer = api_error(409, "member_exists", "a member with this id exists", "id");
            return false;
        }
        std::string failure;
        if (!welcome(l, p, op, now_ms, &failure)) {
            *answer =
                api_error(409, failure, "the ledger refused the welcome bonus: " + failure, "");
            return false;
        }
        *answer = {201, Json{{"operation_id", op_hex}, {"member_id", member_id}}, {}};
        if (audit.audit) tx.append_audit(*audit.audit);
        written = true;
        return true;
    });
    return written;
}

// The enrolment's answer: the member as it is now, with the operation id.
ApiResult enrol_answer(Store& store, const MerchantRecord& merchant, const std::string& member_id,
                       const std::string& op_hex, bool replayed, std::int64_t now_ms) {
    const auto member = store.member_by_id(merchant.merchant_id, member_id);
    if (!member) return no_member(member_id);
    ApiResult r = member_view(store, merchant, *member, now_ms);
    if (r.status != 200) return r;
    r.status = 201;
    r.body["operation_id"] = op_hex;
    if (replayed) r.body["replayed"] = true;
    return r;
}

// After a replay_or_conflict answer: a conflict as it is, a replay as the member is now.
ApiResult enrol_replay(Store& store, const MerchantRecord& merchant, const ApiResult& replay,
                       std::int64_t now_ms) {
    if (replay.status != 201) return replay;
    return enrol_answer(store, merchant, replay.body.value("member_id", ""),
                        replay.body.value("operation_id", ""), true, now_ms);
}
}  // namespace

// [SECTION] Handlers

ApiResult admin_search_members(Store& store, const Caller& caller, const MemberSearch& search,
                               std::int64_t now_ms) {
    if (search.q.size() > kQueryBytesMax)
        return api_error(400, "out_of_range",
                         "q is longer than " + std::to_string(kQueryBytesMax) + " bytes", "q");
    if (search.after.size() > kMemberIdBytesMax)
        return api_error(400, "out_of_range",
                         "after is longer than " + std::to_string(kMemberIdBytesMax) + " bytes",
                         "after");
    std::int64_t limit = member_page_default;
    ApiResult err;
    if (search.limit && !query_integer("limit", *search.limit, 1, member_page_max, &limit, &err))
        return err;
    auto rows = store.search_members(caller.merchant_id, search_text(search.q), search.after,
                                     static_cast<std::size_t>(limit) + 1);
    const bool more = rows.size() > static_cast<std::size_t>(limit);
    if (more) rows.resize(static_cast<std::size_t>(limit));
    std::string why;
    const auto program = current_program(store, caller.merchant_id, now_ms, &why);
    Json members = Json::array();
    for (const MemberRecord& m : rows)
        members.push_back(list_item_json(store, m, program ? &*program : nullptr, now_ms));
    return {200,
            Json{{"members", members},
                 {"next_after", more ? Json(rows.back().member_id) : Json(nullptr)}},
            caller.merchant_id};
}

ApiResult admin_create_member(Store& store, const Caller& caller, const std::string& body,
                              std::int64_t now_ms) {
    EnrolRequest rq;
    ApiResult err;
    const auto j = read_body(body, &err, [&](const Json& j) { return decode_enrol(j, &rq, &err); });
    if (!j) return err;
    const auto merchant = admin_merchant_record(store, caller, &err);
    if (!merchant) return err;
    std::string why;
    const auto program = current_program(store, merchant->merchant_id, now_ms, &why);
    if (!program)
        return api_error(409, "no_program", "members can join once the program is set: " + why, "");

    // Without the client's id the enrolment is not idempotent; a random one keeps the rest alike.
    const ledger::EntryId op = rq.op ? *rq.op : *ledger::parse_entry_id(random_id());
    const std::string op_hex = ledger::to_hex(op);
    const Json request = stored_request(*j, merchant->card_secret);
    if (const auto seen = rq.op ? store.operation(merchant->merchant_id, op_hex) : std::nullopt) {
        ApiResult replay;
        store.with_member(merchant->merchant_id, seen->member_id, [&](MemberTx& tx) {
            replay = *replay_or_conflict(tx, op_hex, "enrol", request, merchant->merchant_id);
            return false;
        });
        return enrol_replay(store, *merchant, replay, now_ms);
    }
    if (rq.member_id.empty())
        rq.member_id = "m-" + ledger::to_hex(ledger::derive_entry_id(op, "member")).substr(0, 16);
    std::optional<std::string> inviter;
    if (!rq.referred_by.empty()) {
        inviter =
            referring_member(store, merchant->merchant_id, rq.referred_by, rq.member_id, &err);
        if (!inviter) return err;
    }

    if (auto refused = insert_member(store, merchant->merchant_id, op, &rq, now_ms))
        return *refused;
    // Once per member: a twin of this enrolment finds it stored.
    if (inviter) store.put_referral({merchant->merchant_id, rq.member_id, *inviter, now_ms, 0, ""});
    ApiResult out;
    // The audit line names the new member's id, never its personal data.
    if (!enrol_ledger(store, *merchant, *program, rq.member_id, op, request, now_ms,
                      audited(caller, "member.create", rq.member_id, nullptr, nullptr, now_ms),
                      &out))
        return enrol_replay(store, *merchant, out, now_ms);
    return enrol_answer(store, *merchant, rq.member_id, op_hex, false, now_ms);
}

ApiResult admin_get_member(Store& store, const Caller& caller, const std::string& member_id,
                           std::int64_t now_ms) {
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    ApiResult err;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err)) return err;
    ApiResult r = member_view(store, *merchant, *member, now_ms);
    if (r.status == 200) r.body["version"] = member->version;  // for If-Match (also the ETag)
    return r;
}

ApiResult admin_member_history(Store& store, const Caller& caller, const std::string& member_id,
                               const MemberHistoryQuery& q) {
    std::int64_t before = -1, limit = history_page_default;
    ApiResult err;
    if (q.before && !query_integer("before", *q.before, 0, INT64_MAX, &before, &err)) return err;
    if (q.limit && !query_integer("limit", *q.limit, 1, history_page_max, &limit, &err))
        return err;
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err)) return err;
    HistoryPage page;
    store.read_member(caller.merchant_id, member_id, [&](MemberTx& tx) {
        page = tx.history_page(before, static_cast<std::size_t>(limit));
    });
    Json entries = Json::array();
    for (const auto& [seq, e] : page.entries)
        entries.push_back({{"seq", seq},
                           {"id", ledger::to_hex(e.id)},
                           {"reason", ledger::reason_name(e.reason)},
                           {"automatic", e.automatic},
                           {"rule", e.rule},
                           {"at_ms", e.at_ms},
                           {"points", ledger::member_delta(e)},
                           {"receipt_id", e.receipt_id},
                           {"note", e.note}});
    // More are older when this page is full and does not reach the oldest one.
    const bool older = page.newer + static_cast<std::int64_t>(page.entries.size()) < page.total;
    return {200,
            Json{{"entries", entries},
                 {"total", page.total},
                 {"first", page.entries.empty() ? 0 : page.newer + 1},
                 {"next_before", older ? Json(page.entries.back().first) : Json(nullptr)}},
            caller.merchant_id};
}

ApiResult admin_update_member(Store& store, const Caller& caller, const std::string& member_id,
                              const std::string& body, std::optional<std::int64_t> if_version,
                              std::int64_t now_ms) {
    ApiResult unreadable;
    const auto j = parse_body(body, &unreadable);
    if (!j) return unreadable;
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    ApiResult err;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err)) return err;
    Personal p{member->display_name, member->phone, member->email, member->birthday};
    codec::DecodeError e;
    codec::ObjectReader r(*j, "", &e);
    read_personal(r, &p);
    std::string card = member->card_number;
    read_card(r, &card, " (the new card replaces the old one, which stops working)");
    r.reject_unknown({"name", "phone", "email", "birthday", "card"});
    if (!r.ok()) return {400, codec::error_json(e), caller.merchant_id};
    MemberRecord updated = *member;
    updated.display_name = p.name;
    updated.phone = p.phone;
    updated.email = p.email;
    updated.birthday = p.birthday;
    updated.card_number = card;
    // Personal data stays out of the audit log: the names of the fields that changed only.
    Json changed = Json::array();
    const std::pair<const char*, bool> fields[] = {
        {"name", updated.display_name != member->display_name},
        {"phone", updated.phone != member->phone},
        {"email", updated.email != member->email},
        {"birthday", updated.birthday != member->birthday},
        {"card", updated.card_number != member->card_number}};
    for (const auto& [name, differs] : fields)
        if (differs) changed.push_back(name);
    try {
        if (!store.update_member(updated,
                                 audited(caller, "member.update", member_id, nullptr,
                                         Json{{"fields", changed}}, now_ms, if_version),
                                 now_ms))
            return no_member(member_id);
    } catch (const UniqueViolation& e) {
        return taken(e.field);  // another member has the phone or the card
    } catch (const VersionConflict& v) {
        return version_conflict(caller, v.current);
    }
    const auto stored = store.member_by_id(caller.merchant_id, member_id);
    if (!stored) return no_member(member_id);
    return {200, Json{{"profile", profile_json(*stored)}}, caller.merchant_id};
}

ApiResult admin_adjust_member(Store& store, const Caller& caller, const std::string& member_id,
                              const std::string& body, std::int64_t now_ms) {
    ApiResult unreadable;
    const auto j = parse_body(body, &unreadable);
    if (!j) return unreadable;
    ledger::EntryId op;
    std::int64_t points = 0;
    std::string reason;
    codec::DecodeError e;
    codec::ObjectReader r(*j, "", &e);
    read_operation_id(r, &op);
    r.integer("points", &points, -ledger::points_max, ledger::points_max);
    if (r.ok() && points == 0) r.fail("invalid_value", "points", "must not be 0");
    r.text("reason", &reason, adjust_reason_bytes_max);
    r.reject_unknown({"operation_id", "points", "reason"});
    if (!r.ok()) return {400, codec::error_json(e), caller.merchant_id};
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    ApiResult err;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err)) return err;

    // The member is part of what was asked: the same id for another member is a conflict.
    Json request = *j;
    request["member_id"] = member_id;
    const MemberWrite w{caller.merchant_id, member_id, ledger::to_hex(op),
                        "adjust",           request,   now_ms};
    const Change audit = audited(caller, "member.adjust", member_id, nullptr,
                                 Json{{"points", points}, {"reason", reason}}, now_ms);
    return member_write(store, w, [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
        const auto result = l.apply(
            ledger::Adjust{ledger::derive_entry_id(op, "adjust"), points, 0, "admin", reason},
            now_ms);
        if (!ledger::status_succeeded(result.status)) {
            const std::string status(ledger::status_name(result.status));
            *out = api_error(409, status,
                             result.status == ledger::Status::insufficient
                                 ? "points would take the balance below zero: the member has " +
                                       std::to_string(l.snapshot().balance)
                                 : "the ledger refused the adjustment: " + status,
                             "points");
            return false;
        }
        const ledger::Snapshot s = l.snapshot();
        *out = {201,
                Json{{"operation_id", w.op_hex},
                     {"member_id", member_id},
                     {"points", points},
                     {"balance", s.balance},
                     {"available", s.available},
                     {"pending", s.pending}},
                {}};
        tx.append_audit(*audit.audit);
        return true;
    });
}

ApiResult admin_export_member(Store& store, const Caller& caller, const std::string& member_id,
                              std::int64_t now_ms) {
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    ApiResult err;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err, /*erased_ok=*/true))
        return err;
    Json ledger_entries = Json::array();
    ledger::Snapshot snapshot;
    store.read_member(caller.merchant_id, member_id, [&](MemberTx& tx) {
        for (const ledger::Entry& e : tx.entries())
            ledger_entries.push_back(codec::encode_entry(e));
        snapshot = load_ledger(tx, now_ms).snapshot();
    });
    Json receipts = Json::array();
    for (const ReceiptRecord& r : store.member_receipts(caller.merchant_id, member_id))
        receipts.push_back({{"receipt_id", r.receipt_id},
                            {"at_ms", r.at_ms},
                            {"paid", r.paid},
                            {"receipt", Json::parse(r.receipt, nullptr, false)},
                            {"quote", Json::parse(r.quote, nullptr, false)},
                            {"returned", Json::parse(r.returned, nullptr, false)}});
    Json coupons = Json::array();
    for (const CouponRecord& c : store.member_coupons(caller.merchant_id, member_id))
        coupons.push_back({{"code", c.code},
                           {"reward_id", c.reward_id},
                           {"source", c.source},
                           {"points", c.points},
                           {"issued_at_ms", c.issued_at_ms},
                           {"expires_at_ms", c.expires_at_ms},
                           {"redeemed_at_ms", c.redeemed_at_ms},
                           {"receipt_id", c.receipt_id}});
    Json cards = Json::array();
    if (!member->card_number.empty()) cards.push_back({{"number", member->card_number}});
    store.append_audit(
        *audited(caller, "member.export", member_id, nullptr, nullptr, now_ms).audit);
    const Json doc = {
        {"format", "kopilka.member-export.v1"},
        {"exported_at_ms", now_ms},
        {"merchant", {{"id", merchant->merchant_id}, {"name", merchant->name}}},
        {"profile", profile_json(*member)},
        {"cards", cards},
        {"balance",
         {{"balance", snapshot.balance},
          {"available", snapshot.available},
          {"pending", snapshot.pending},
          {"reserved", snapshot.reserved}}},
        {"receipts", receipts},
        {"coupons", coupons},
        {"ledger", ledger_entries},
    };
    return {200, doc, caller.merchant_id};
}

ApiResult admin_erase_member(Store& store, const Caller& caller, const std::string& member_id,
                             std::int64_t now_ms) {
    std::optional<MerchantRecord> merchant;
    std::optional<MemberRecord> member;
    ApiResult err;
    if (!find_member_of(store, caller, member_id, &merchant, &member, &err)) return err;
    if (!store.erase_member(caller.merchant_id, member_id, now_ms,
                            audited(caller, "member.erase", member_id, nullptr, nullptr, now_ms)))
        return no_member(member_id);
    const auto erased = store.member_by_id(caller.merchant_id, member_id);
    if (!erased) return no_member(member_id);
    return {200, Json{{"profile", profile_json(*erased)}}, caller.merchant_id};
}

bool member_id_acceptable(const std::string& id) { return member_id_valid(id); }
bool member_phone_normalised(const std::string& text, std::string* out) {
    return normalise_phone(text, out);
}
bool member_email_valid(const std::string& email) { return email_valid(email); }
bool member_birthday_valid(const std::string& date) { return birthday_valid(date); }

}  // namespace kopilka::server

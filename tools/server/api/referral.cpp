#include "api/referral.hpp"

#include <stdexcept>

#include "api/member_write.hpp"
#include "auth/credentials.hpp"
#include "core/crypto/sha256.hpp"
#include "core/time.hpp"

namespace kopilka::server {

namespace {
constexpr std::size_t code_random_bytes = 5;  // 8 base32 characters
constexpr int code_attempts = 8;              // a collision in 2^40 codes is already rare
}  // namespace

std::string random_referral_code() {
    std::uint8_t bytes[code_random_bytes];
    auth::random_device_bytes(bytes, sizeof bytes);
    const std::string text = crypto::to_base32(bytes, sizeof bytes);
    return text.substr(0, 4) + "-" + text.substr(4, 4);
}

std::string member_referral_code(Store& store, const std::string& merchant_id,
                                 const std::string& member_id, std::int64_t now_ms) {
    for (int i = 0; i < code_attempts; ++i) {
        const std::string code =
            store.referral_code(merchant_id, member_id, random_referral_code(), now_ms);
        if (!code.empty()) return code;
    }
    throw std::runtime_error("no free referral code after " + std::to_string(code_attempts) +
                             " attempts");
}

std::string referral_link(const WidgetSettings& s, const std::string& code) {
    if (!s.referral_url.empty()) {
        std::string link = s.referral_url;
        for (auto at = link.find("{code}"); at != std::string::npos; at = link.find("{code}", at))
            link.replace(at, 6, code);
        return link;
    }
    if (s.signup_url.empty()) return "";
    return s.signup_url + (s.signup_url.find('?') == std::string::npos ? "?" : "&") + "ref=" +
           code;
}

ApiResult widget_referral(Store& store, const WidgetMember& w, std::int64_t now_ms) {
    const std::string& merchant = w.merchant.merchant_id;
    ApiResult err;
    const auto program = usable_program(store, merchant, now_ms, &err);
    if (!program) return err;
    if (!w.settings.views.referral || !program->referral) return not_enabled(w, "referral");
    codec::ReferralView v;
    v.code = member_referral_code(store, merchant, w.member.member_id, now_ms);
    v.link = referral_link(w.settings, v.code);
    v.inviter_points = program->referral->inviter_bonus;
    v.invitee_points = program->referral->invitee_bonus;
    v.first_receipt_min = program->referral->first_receipt_min;
    v.per_month_max = program->referral->per_inviter_month_max;
    store.read_member(merchant, w.member.member_id, [&](MemberTx& tx) {
        v.invited_this_month =
            tx.referrals_qualified_since(w.member.member_id, month_start_ms(now_ms));
    });
    return {200, codec::encode_referral(v), merchant};
}

// [SECTION] Enrolment and receipts

std::int64_t month_start_ms(std::int64_t now_ms) {
    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
    const std::int64_t days = now_ms / day_ms - (now_ms % day_ms < 0 ? 1 : 0);
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day_of_month = doy - (153 * mp + 2) / 5;  // 0-based
    return (days - day_of_month) * day_ms;
}

std::optional<std::string> referring_member(Store& store, const std::string& merchant_id,
                                            const std::string& code,
                                            const std::string& member_id, ApiResult* err) {
    const std::string folded = crypto::fold_typed_base32(code);
    const auto inviter =
        folded.size() == 8
            ? store.referral_code_member(merchant_id, folded.substr(0, 4) + "-" + folded.substr(4))
            : std::nullopt;
    if (!inviter)
        *err = api_error(400, "invalid_value", "referred_by is no member's referral code",
                         "referred_by");
    else if (*inviter == member_id)
        *err = api_error(400, "invalid_value", "referred_by is the member's own code",
                         "referred_by");
    if (!inviter || *inviter == member_id) return std::nullopt;
    return inviter;
}

std::optional<ReferralRecord> open_referral(MemberTx& tx, std::int64_t now_ms,
                                            quote::MemberContext* m) {
    auto r = tx.referral();
    if (!r || r->qualified_at_ms != 0) return std::nullopt;
    m->referred = true;
    m->inviter_referrals_this_month =
        tx.referrals_qualified_since(r->inviter_id, month_start_ms(now_ms));
    return r;
}

void qualify_referral(MemberTx& tx, std::optional<ReferralRecord>& referral,
                      const quote::Quote& q, const std::string& op_hex, std::int64_t now_ms) {
    if (!referral || q.referral_invitee_bonus <= 0) return;
    referral->qualified_at_ms = now_ms;
    referral->qualified_op = op_hex;
    tx.save_referral(*referral);
}

void credit_inviter(Store& store, const std::string& merchant_id, const std::string& member_id,
                    const std::string& op_hex, const program::Program& p, std::int64_t now_ms) {
    std::optional<ReferralRecord> r;
    store.read_member(merchant_id, member_id, [&](MemberTx& tx) { r = tx.referral(); });
    const auto receipt_op = ledger::parse_entry_id(op_hex);
    if (!r || r->qualified_op != op_hex || !receipt_op || !p.referral ||
        p.referral->inviter_bonus <= 0)
        return;
    const auto inviter = store.member_by_id(merchant_id, r->inviter_id);
    if (!inviter || inviter->erased_at_ms != 0) return;
    const ledger::EntryId op = ledger::derive_entry_id(*receipt_op, "referral-inviter");
    const std::string rule = "referral:" + member_id;
    const codec::Json request = {{"invitee", member_id}, {"receipt_operation_id", op_hex}};
    member_write(store,
                 {merchant_id, r->inviter_id, ledger::to_hex(op), "referral", request, now_ms},
                 [&](MemberTx& tx, ledger::Ledger& l, ApiResult* out) {
                     std::int64_t this_month = 0;
                     for (const auto& e : tx.entries_since(month_start_ms(now_ms)))
                         if (e.rule.rfind("referral:", 0) == 0) ++this_month;
                     if (this_month >= p.referral->per_inviter_month_max) {
                         *out = {200, codec::Json{{"credited", 0}}, merchant_id};
                         return true;  // decided: the month's referrals are all paid
                     }
                     const std::int64_t expiry_days = p.bonus ? p.bonus->expiry_days : 0;
                     const auto applied = l.apply(
                         ledger::Earn{ledger::derive_entry_id(op, "earn"),
                                      p.referral->inviter_bonus, 0,
                                      expiry_days > 0 ? now_ms + expiry_days * day_ms : 0,
                                      ledger::Reason::bonus, rule, ""},
                         now_ms);
                     if (!ledger::status_succeeded(applied.status)) return false;
                     *out = {201, codec::Json{{"credited", p.referral->inviter_bonus}},
                             merchant_id};
                     return true;
                 });
}

}  // namespace kopilka::server

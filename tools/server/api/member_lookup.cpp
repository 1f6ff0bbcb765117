#include "api/member_lookup.hpp"

#include <memory>
#include <stdexcept>

#include "api/member_write.hpp"
#include "api/wheel_state.hpp"
#include "auth/member_token.hpp"
#include "codec/member_json.hpp"
#include "core/cards/card_code.hpp"
#include "core/crypto/sha256.hpp"
#include "core/ledger/ledger.hpp"
#include "core/members/member_view.hpp"

namespace kopilka::server {

namespace {
ApiResult error(int status, const char* code, const std::string& message,
                const char* field = "code") {
    return {status, codec::error_json(code, message, field), {}};
}

// member_answer() with the program in force; ahead: the member's state read with her card
// (Store::member_by_card_ahead), if it was; as_text: the answer written as text (ApiResult::
// text) for a caller that adds nothing to it.
ApiResult answer_with(Store& store, const MerchantRecord& merchant, const MemberRecord& member,
                      const program::Program& program, std::int64_t now_ms,
                      const std::string& wheel_id, MemberReadAhead* ahead, bool as_text) {
    const auto wheel = wheel_id.empty() ? active_wheel(store, merchant.merchant_id)
                                        : load_wheel(store, merchant.merchant_id, wheel_id);
    members::MemberSnapshot snapshot;
    store.read_member(
        merchant.merchant_id, member.member_id,
        [&](MemberTx& tx) {
            if (program.tiers) tx.expect_tier_window(tier_window_asked(program, now_ms));
            // Expiries due by now are shown; the next write stores them.
            const ledger::Snapshot points = member_points(tx, now_ms);
            const MemberCounters counters = tx.counters();
            snapshot = member_view_after(
                tx, program, merchant, member, points, counters.tier_held, now_ms,
                spin_offer(merchant, member.member_id, wheel, counters.spins, now_ms));
        },
        true, ahead);
    if (as_text)
        return {200, nullptr, merchant.merchant_id,
                "{\"member\":" + codec::member_text(snapshot) + "}"};
    return {200, codec::Json{{"member", codec::encode_member(snapshot)}}, merchant.merchant_id};
}

}  // namespace

ApiResult member_answer(Store& store, const MerchantRecord& merchant, const MemberRecord& member,
                        std::int64_t now_ms, const std::string& wheel_id) {
    ApiResult no_program;
    const auto program = usable_program(store, merchant.merchant_id, now_ms, &no_program);
    if (!program) return no_program;
    return answer_with(store, merchant, member, *program, now_ms, wheel_id, nullptr, false);
}

ApiResult me(Store& store, const std::string& token, std::int64_t now_ms) {
    const auto verified = auth::verify_member_token(
        token,
        [&store](std::string_view merchant_id) -> std::optional<std::string> {
            const auto m = store.merchant_by_id(std::string(merchant_id));
            if (!m) return std::nullopt;
            return member_token_secret(m->card_secret);
        },
        now_ms / 1000);
    if (verified.status != auth::MemberTokenStatus::ok)
        return error(401, "unauthorized",
                     std::string("the member token is not valid: ") +
                         auth::status_name(verified.status) +
                         (verified.detail.empty() ? "" : " (" + verified.detail + ")"),
                     "Authorization");
    const auto merchant = store.merchant_by_id(verified.claims.merchant_id);
    const auto member = merchant
                            ? store.member_by_id(merchant->merchant_id, verified.claims.member_id)
                            : std::nullopt;
    if (!member)
        return error(404, "not_found", "the token's member does not exist", "Authorization");
    if (auto erased = refuse_erased(*member, "Authorization")) return *erased;
    return member_answer(store, *merchant, *member, now_ms);
}

std::string member_token_secret(const std::string& card_secret) {
    const crypto::Digest d = crypto::hmac_sha256(card_secret, "kopilka member token secret v1");
    return crypto::to_hex(d.data(), d.size());
}

// The member a scanned or typed code names, given to found (with what was read ahead for her
// answer, or an error) at once or later. Anonymous callers (a phone, the widget's page) may only
// present a card QR with its MAC; a paired kiosk may also present the plastic card's number or
// the member's phone, within its own merchant only. By card with the program in force, the
// member's state for the answer is read with it where the store can, in a group it may run on
// another thread (Store::member_by_card_later).
void find_member(Store& store, const cards::CardCode& code, const MerchantRecord& merchant,
                 const program::Program* program, std::int64_t now_ms, Store::CardThen found) {
    if (code.kind != cards::CodeKind::phone && program)
        return store.member_by_card_later(merchant.merchant_id, code.number,
                                          tier_window_asked(*program, now_ms), now_ms,
                                          std::move(found));
    const auto member = code.kind == cards::CodeKind::phone
                            ? store.member_by_phone(merchant.merchant_id, code.number)
                            : store.member_by_card(merchant.merchant_id, code.number);
    found(member, nullptr, nullptr);
}

void lookup_member(Store& store, const std::string& code_text, const Caller* device,
                   std::int64_t now_ms, const LookupAnswer& answer) {
    const cards::ParseResult parsed = cards::parse_card_text(code_text);
    if (parsed.status != cards::ParseStatus::ok) {
        const ApiResult r = error(
            400, std::string(cards::parse_status_name(parsed.status)).c_str(),
            "code is not a card code: " + std::string(cards::parse_status_name(parsed.status)));
        return answer([&] { return r; });
    }
    std::optional<MerchantRecord> merchant;
    if (parsed.code.kind == cards::CodeKind::qr_card) {
        merchant = store.merchant_by_code(parsed.code.merchant);
        // A kiosk only ever sees its own merchant's members: another merchant's card is unknown
        // here.
        if (!merchant || (device && merchant->merchant_id != device->merchant_id))
            return answer([] { return error(404, "not_found", "no member has this card"); });
        if (!cards::qr_card_mac_valid(parsed.code, merchant->card_secret))
            return answer([] {
                return error(403, "bad_mac", "code carries a MAC that does not match this card");
            });
    } else {
        if (!device)
            return answer([] {
                return error(401, "device_required",
                             "card and phone numbers are accepted only from a paired kiosk");
            });
        merchant = store.merchant_by_id(device->merchant_id);
        if (!merchant)
            return answer([] { return error(404, "not_found", "no member has this card"); });
    }
    // Without a usable program, its answer once the member is known (an unknown card's 404 first).
    ApiResult no_program;
    std::shared_ptr<const program::Program> program =
        usable_program(store, merchant->merchant_id, now_ms, &no_program);
    const bool by_phone = parsed.code.kind == cards::CodeKind::phone;
    auto found = [&store, merchant = *merchant, program, no_program = std::move(no_program),
                  by_phone, now_ms, answer](std::optional<MemberRecord> member,
                                            std::unique_ptr<MemberReadAhead> ahead,
                                            std::exception_ptr failed) {
        answer([&]() -> ApiResult {
            if (failed) std::rethrow_exception(failed);
            if (!member) {
                ApiResult r =
                    error(404, "not_found",
                          by_phone ? "no member has this phone number" : "no member has this card");
                r.merchant_id = merchant.merchant_id;
                return r;
            }
            if (auto erased = refuse_erased(*member, "code")) return *erased;  // no cards left
            if (!program) return no_program;
            return answer_with(store, merchant, *member, *program, now_ms, "", ahead.get(), true);
        });
    };
    find_member(store, parsed.code, *merchant, program.get(), now_ms, std::move(found));
}

}  // namespace kopilka::server
